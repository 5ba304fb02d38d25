// "No secret ever logged": every path that handles a secret runs once against a collector logging at debug into
// a captured stream, and no token, credential secret or admin/API key may appear in what it wrote, not even one
// placed in a URL's query string by mistake (requests are logged by their path only).
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, RecordingSink, startCollector, type TestCollector } from '../helpers/collector.js';
import { cpuBatch, hello, openAgent } from '../helpers/agent-client.js';

const logs = new PassThrough();
let captured = '';
logs.on('data', (chunk: Buffer) => (captured += chunk.toString()));
let c: TestCollector;
beforeAll(async () => {
  c = await startCollector({ sink: new RecordingSink(), logStream: logs });
});
afterAll(async () => c.close());

const post = (path: string, body: unknown, authorization?: string) =>
  fetch(`${c.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });

describe('collector logs', () => {
  it('hold no token, credential or key after enrollment, bad and revoked credentials, API calls, and tokens in URLs', async () => {
    const secrets: string[] = [ADMIN_KEY];
    const { token } = c.store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 });
    secrets.push(token, token.slice(-43));
    const info = { hostname: 'ws-secret', os: 'linux', arch: 'x64', agentVersion: '1' };
    const enrolled = (await (await post('/api/v1/enroll', { token, ...info })).json()) as { agentId: string; credential: string };
    secrets.push(enrolled.credential, enrolled.credential.split('.')[1]!);
    expect((await post('/api/v1/enroll', { token, ...info })).status).toBe(401); // used up: logged refusal

    const agent = await openAgent(c.wsUrl, enrolled.credential);
    agent.send(hello());
    agent.send(cpuBatch(1));
    await agent.next((e) => e.msg === 'ack');

    const wrong = `wpa_${enrolled.agentId}.${'A'.repeat(43)}`;
    secrets.push(wrong, 'A'.repeat(43));
    await expect(openAgent(c.wsUrl, wrong)).rejects.toMatchObject({ statusCode: 401 });

    const { key } = c.store.apiKeys.create({ name: 'ops' });
    secrets.push(key, key.slice(-43));
    expect((await fetch(`${c.baseUrl}/api/v1/agents`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    expect((await fetch(`${c.baseUrl}/api/v1/agents`, { headers: { authorization: `Bearer ${ADMIN_KEY}x` } })).status).toBe(401);
    expect((await post(`/api/v1/agents/${enrolled.agentId}/revoke`, {}, `Bearer ${ADMIN_KEY}`)).status).toBe(200);
    await agent.closed;
    await expect(openAgent(c.wsUrl, enrolled.credential)).rejects.toMatchObject({ statusCode: 401 });

    // A token pasted into a URL by mistake: no route takes one there, but the request line is logged.
    const { token: pasted } = c.store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 });
    secrets.push(pasted, pasted.slice(-43));
    const byQuery = (path: string, authorization?: string) => fetch(`${c.baseUrl}${path}`, { headers: authorization ? { authorization } : {} });
    expect((await byQuery(`/api/v1/agents?key=${encodeURIComponent(key)}`)).status).toBe(401);
    expect((await byQuery(`/api/v1/tickets?token=${pasted}`, `Bearer ${key}`)).status).toBe(200); // unknown parameters are dropped
    expect((await byQuery(`/api/v1/deploy/install.sh?token=${pasted}`)).status).toBe(401);
    expect((await byQuery(`/api/v1/releases/0.1.0/linux-x64?credential=${encodeURIComponent(enrolled.credential)}`)).status).toBe(401);
    expect((await byQuery(`/api/v1/no-such-route?token=${pasted}`)).status).toBe(404);
    expect((await byQuery(`/healthz?token=${pasted}&key=${encodeURIComponent(key)}`)).status).toBe(200);

    expect(captured).toContain('agent enrolled');
    expect(captured).toContain('agent upgrade refused: unauthorized');
    expect(captured).toContain('credential revoked');
    for (const secret of secrets) expect(captured.includes(secret), `log contains a secret (${secret.slice(0, 8)}…)`).toBe(false);
    // The requests with a query string are still logged, by their path.
    expect(captured).toContain('"url":"/api/v1/no-such-route"');
    expect(captured).toContain('"url":"/healthz"');
  });
});

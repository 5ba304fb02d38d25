// Defender actions through the real collector: real HTTP on a loopback port, real SQLite, API keys as issued, an
// agent connected over the real WebSocket link sending its antivirus runs and av_action results; and
// `watchpost-collector av update|scan|actions` as child processes on that collector's store. What would go to the
// agent goes through a test implementation of AgentActions that records it (the link's own sender is tested end to
// end with the compiled agent elsewhere).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { watchpost } from '../../../proto/index.js';
import { buildApp, type CollectorApp } from '../../../collector/src/app.js';
import { loadConfig } from '../../../collector/src/config/config.js';
import { loadRules, parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import type { AgentActions, AvActionKind } from '../../../collector/src/patching/contract.js';
import { formatAgentCredential, openStore, type Store } from '../../../collector/src/store/index.js';
import { collectorCli } from '../../helpers/collector-cli.js';
import { RecordingSink } from '../../helpers/collector.js';
import { hello, openAgent, type TestAgent } from '../../helpers/agent-client.js';

const ADMIN = 'av-test-admin-key-0123456789';
const DEFENDER = 'Microsoft Defender Antivirus';
let dir: string;
let store: Store;
let c: CollectorApp;
let baseUrl: string;
let wsUrl: string;
const sent: Array<{ agentId: string; action: AvActionKind; requestId: string }> = [];
const recording: AgentActions = {
  sendAvAction(agentId, action, requestId) {
    if (!c.hub.sessions.has(agentId)) return false;
    sent.push({ agentId, action, requestId });
    return true;
  },
  refreshPlan: () => {},
};
const agents: TestAgent[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wp-av-api-'));
  const config = loadConfig({ env: { WATCHPOST_DATA_DIR: dir, WATCHPOST_ADMIN_KEY: ADMIN, WATCHPOST_LOG_LEVEL: 'silent' } });
  store = openStore(join(dir, 'watchpost.db'));
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const rules = parseRules('terms:\n  antivirus: { update_before_ticket: true }\n', 'test-rules.yaml', loadRules());
  c = await buildApp({ config, store, sink: new RecordingSink(), alertTickMs: 0, agentActions: recording, rules: () => rules });
  await c.app.listen({ host: '127.0.0.1', port: 0 });
  const address = c.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  baseUrl = `http://127.0.0.1:${port}`;
  wsUrl = `ws://127.0.0.1:${port}/agent/v1`;
});
afterAll(async () => {
  for (const a of agents) a.socket.close();
  await c.app.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

type Field = string | number | boolean;
function sample(measurement: string, tags: Record<string, string>, fields: Record<string, Field>): watchpost.v1.ISample {
  return {
    measurement,
    timeMs: Date.now(),
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    fields: Object.entries(fields).map(([key, v]) =>
      typeof v === 'string' ? { key, str: v } : typeof v === 'boolean' ? { key, bool: v } : key === 'signature_age_days' ? { key, float: v } : { key, int: v },
    ),
  };
}
const defender = (ageDays = 0.3) =>
  sample(
    'antivirus',
    { product: DEFENDER },
    {
      state: 'on',
      source: 'defender',
      enabled: true,
      realtime: true,
      signature_age_days: ageDays,
      signature_updated: Math.floor(Date.now() / 1000 - ageDays * 86_400),
    },
  );

let seq = 0;
/** An enrolled Windows agent connected over the link, which has sent `samples` (acknowledged). */
async function connected(hostname: string, samples: watchpost.v1.ISample[]): Promise<{ agentId: string; agent: TestAgent }> {
  const { agentId, secret } = store.agents.enroll({ tenant: 'acme', hostname, os: 'win32', arch: 'x64', agentVersion: 'test' });
  const agent = await openAgent(wsUrl, formatAgentCredential(agentId, secret));
  agents.push(agent);
  agent.send({ hello: { ...hello().hello!, hostname, os: 'win32' } });
  await agent.next((e) => e.msg === 'welcome');
  await send(agent, samples);
  return { agentId, agent };
}
async function send(agent: TestAgent, samples: watchpost.v1.ISample[]): Promise<void> {
  const n = ++seq;
  agent.send({ batch: { seq: n, samples } });
  await agent.next((e) => e.ack?.seq === n);
}

async function api(method: string, path: string, key: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(baseUrl + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { actions?: Array<Record<string, unknown>> } };
}

describe('Defender actions over the API', () => {
  it("sends a person's action to the connected Defender host, as the key holder, and shows the agent's result", async () => {
    const { agentId, agent } = await connected('ws-api-1', [defender()]);
    const jane = store.apiKeys.create({ name: 'Jane Doe (Acme IT)', tenant: 'acme', role: 'operate' }).key;
    const asked = await api('POST', '/api/v1/antivirus/actions', jane, { tenant: 'acme', host: 'WS-API-1', action: 'signature_update' });
    expect(asked).toMatchObject({
      status: 202,
      body: { host: 'ws-api-1', action: 'signature_update', origin: 'person', by: 'Jane Doe (Acme IT)', status: 'sent', result: null },
    });
    const id = asked.body.id as string;
    expect(sent).toContainEqual({ agentId, action: 'signature_update', requestId: id });

    await send(agent, [
      sample(
        'av_action',
        { action: 'signature_update', product: DEFENDER },
        {
          outcome: 'failed',
          request_id: id,
          code: 0x8024402c,
          detail: 'HRESULT 0x8024402c',
          duration_ms: 3100,
          signature_version: '1.419.5.0',
        },
      ),
    ]);
    const listed = await api('GET', '/api/v1/antivirus/actions?tenant=acme&host=ws-api-1', jane);
    expect(listed.status).toBe(200);
    expect(listed.body.actions![0]).toMatchObject({
      id,
      status: 'failed',
      result: { outcome: 'failed', code: 0x8024402c, codeHex: '0x8024402C', detail: 'HRESULT 0x8024402c', signatureVersion: '1.419.5.0' },
    });
  });

  it('answers 409 for a host that is not connected or has no Defender to drive, 404 for an unknown one', async () => {
    await connected('srv-api-2', [sample('antivirus', { product: 'CylancePROTECT' }, { state: 'on', source: 'securitycenter', enabled: true })]);
    const away = store.agents.enroll({ tenant: 'acme', hostname: 'ws-api-away', os: 'win32', arch: 'x64', agentVersion: 'test' }).agentId;
    store.avActions.putDefender({ agentId: away, tenant: 'acme', state: 'on', signatureUpdated: null, seenAt: Date.now() - 3_600_000 });
    const before = sent.length;
    const ask = (host: string) => api('POST', '/api/v1/antivirus/actions', ADMIN, { tenant: 'acme', host, action: 'quick_scan' });
    expect(await ask('srv-api-2')).toMatchObject({
      status: 409,
      body: { error: 'not_defender', message: expect.stringMatching(/no Microsoft Defender Antivirus/) },
    });
    expect(await ask('ws-api-away')).toMatchObject({ status: 409, body: { error: 'not_connected' } });
    expect(await ask('nope')).toMatchObject({ status: 404, body: { error: 'host_unknown' } });
    expect(sent.length).toBe(before);
    expect((await api('GET', '/api/v1/antivirus/actions?tenant=acme&host=ws-api-away', ADMIN)).body.actions).toEqual([]);
  });

  it('asks for an update, before any ticket, when a batch shows Defender definitions too old', async () => {
    const { agentId } = await connected('ws-old-1', [defender(5)]);
    const asked = sent.find((s) => s.agentId === agentId);
    expect(asked).toMatchObject({ action: 'signature_update' });
    expect(store.avActions.get(asked!.requestId)).toMatchObject({ origin: 'definitions_age', status: 'sent' });
    c.engine.tick();
    const alert = c.engine.alerts().find(([k]) => k.agentId === agentId && k.ruleId === 'av_definitions_old');
    expect(alert?.[1]).toMatchObject({ status: 'firing', ticketed: false });
    expect(store.tickets.list({}).filter((t) => t.agentId === agentId)).toEqual([]);
    const listed = await api('GET', '/api/v1/antivirus/actions?tenant=acme&host=ws-old-1', ADMIN);
    expect(listed.body.actions).toEqual([expect.objectContaining({ id: asked!.requestId, origin: 'definitions_age', by: null, status: 'sent' })]);
  });

  it('lets a read key list but not ask, and keeps tenant keys to their tenant', async () => {
    store.tenants.add({ id: 'globex', name: 'Globex' });
    const reader = store.apiKeys.create({ name: 'Acme auditor', tenant: 'acme', role: 'read' }).key;
    const globex = store.apiKeys.create({ name: 'Globex IT', tenant: 'globex', role: 'operate' }).key;
    const body = { tenant: 'acme', host: 'ws-api-1', action: 'quick_scan' };
    expect((await api('GET', '/api/v1/antivirus/actions?tenant=acme', reader)).status).toBe(200);
    expect((await api('POST', '/api/v1/antivirus/actions', reader, body)).status).toBe(403);
    expect((await api('POST', '/api/v1/antivirus/actions', globex, body)).body).toMatchObject({ error: 'tenant_forbidden' });
    expect((await api('GET', '/api/v1/antivirus/actions?tenant=acme', globex)).status).toBe(403);
    expect((await api('POST', '/api/v1/antivirus/actions', ADMIN, { ...body, action: 'full_scan' })).status).toBe(400);
  });
});

describe('watchpost-collector av update, scan, actions', () => {
  it('queues a request for the serving collector to send, refuses a host away, and lists them with their results', async () => {
    const { agentId } = await connected('ws-cli-1', [defender()]);
    const env = { WATCHPOST_DATA_DIR: dir };
    const update = await collectorCli(['av', 'update', '--tenant', 'acme', '--host', 'ws-cli-1', '--by', 'Jane'], env);
    expect(update.code, update.stderr).toBe(0);
    const id = update.stdout.trim();
    expect(store.avActions.get(id)).toMatchObject({ agentId, action: 'signature_update', origin: 'person', by: 'Jane', status: 'queued' });
    expect(update.stderr).toMatch(/queued; the serving collector sends it within 60 seconds/);

    c.antivirus.tick();
    expect(sent).toContainEqual({ agentId, action: 'signature_update', requestId: id });
    expect(store.avActions.get(id)!.status).toBe('sent');

    const away = await collectorCli(['av', 'scan', '--tenant', 'acme', '--host', 'ws-api-away', '--by', 'Jane'], env);
    expect(away).toMatchObject({ code: 1, stdout: '' });
    expect(away.stderr).toMatch(/ws-api-away is not connected/);
    expect((await collectorCli(['av', 'scan', '--tenant', 'acme', '--host', 'ws-cli-1'], env)).stderr).toMatch(/--by is required/);

    const table = await collectorCli(['av', 'actions', '--tenant', 'acme'], env);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+HOST\s+ACTION\s+BY\s+ASKED\s+SENT\s+STATUS\s+RESULT/);
    expect(lines.find((l) => l.startsWith(id))).toMatch(/ws-cli-1\s+signature_update\s+Jane\s+\S+\s+\S+\s+sent/);
    expect(lines.some((l) => /ws-api-1 .*failed\s+0x8024402C HRESULT 0x8024402c signatures 1\.419\.5\.0/.test(l))).toBe(true);
    const json = JSON.parse((await collectorCli(['av', 'actions', '--tenant', 'acme', '--host', 'ws-cli-1', '--json'], env)).stdout) as unknown[];
    expect(json).toEqual([expect.objectContaining({ id, host: 'ws-cli-1' })]);
  });
});

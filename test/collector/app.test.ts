// The HTTP surface through inject(): health, metrics, the admin API's key check and enrollment.
import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, startCollector, useCollector } from '../helpers/collector.js';

const { collector: current, sink } = useCollector();

const enroll = (token: string, hostname = 'ws-01') =>
  current().app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { token, hostname, os: 'win32', arch: 'x64', agentVersion: '0.1.0' } });

describe('collector HTTP', () => {
  it('GET /healthz is 200 when InfluxDB takes writes', async () => {
    const res = await current().app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', checks: { influxdb: 'ok' } });
  });

  it('GET /metrics is Prometheus text with the collector counters', async () => {
    const res = await current().app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('watchpost_influx_healthy 1');
    for (const name of ['watchpost_points_written_total', 'watchpost_batches_acked_total', 'watchpost_agents_connected', 'watchpost_rejections_total']) {
      expect(res.body).toContain(`# TYPE ${name}`);
    }
  });

  it.each([
    ['no key', undefined],
    ['a wrong key', 'Bearer nope'],
    ['the key without Bearer', ADMIN_KEY],
  ])('GET /api/v1/agents refuses %s with 401', async (_what, authorization) => {
    const res = await current().app.inject({ url: '/api/v1/agents', headers: authorization ? { authorization } : {} });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: 'unauthorized' });
  });

  it('enrolls with a valid token and lists the agent under the admin key', async () => {
    const { token } = current().store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 });
    const res = await enroll(token, 'ws-enrolled');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ tenant: 'acme', agentId: expect.stringMatching(/^ag_/), credential: expect.stringMatching(/^wpa_ag_/) });
    const list = await current().app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(list.statusCode).toBe(200);
    const agent = list.json().agents.find((a: { agentId: string }) => a.agentId === body.agentId);
    expect(agent).toMatchObject({ hostname: 'ws-enrolled', tenant: 'acme', os: 'win32', connected: false, revoked: false });
    expect(JSON.stringify(list.json())).not.toContain(body.credential.split('.')[1]);
  });

  it('refuses a used-up, expired or unknown token with the reason, and creates no agent', async () => {
    const agentsBefore = current().store.agents.list().length;
    const { token } = current().store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 });
    expect((await enroll(token)).statusCode).toBe(200);
    const usedUp = await enroll(token);
    expect(usedUp.statusCode).toBe(401);
    expect(usedUp.json()).toMatchObject({ error: 'token_used_up' });
    const unknown = await enroll('wpe_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.json()).toMatchObject({ error: 'token_unknown' });
    expect((await enroll('not-a-token')).json()).toMatchObject({ error: 'token_malformed' });
    expect(current().store.agents.list().length).toBe(agentsBefore + 1);
  });

  it('validates the enrollment body and names the bad field', async () => {
    const res = await current().app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { token: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('hostname');
  });

  it('answers 401 api_disabled when no admin key is configured', async () => {
    const open = await startCollector({ sink, env: { WATCHPOST_ADMIN_KEY: '' } });
    try {
      const res = await open.app.inject({ url: '/api/v1/agents', headers: { authorization: 'Bearer anything' } });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'api_disabled' });
    } finally {
      await open.close();
    }
  });
});

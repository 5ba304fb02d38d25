// wss with a certificate from config (made by openssl at test time), and the admin API's keys: stored keys,
// the bootstrap key in plaintext or as its SHA-256.
import { createHash } from 'node:crypto';
import { request } from 'node:https';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { wire, subprotocol, PROTOCOL_VERSION } from '../../proto/index.js';
import { ADMIN_KEY, RecordingSink, startCollector, type TestCollector } from '../helpers/collector.js';
import { cpuBatch, hello } from '../helpers/agent-client.js';

const running: TestCollector[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await c.close();
});
async function collectorWith(options: Omit<Parameters<typeof startCollector>[0], 'sink'>): Promise<TestCollector> {
  const c = await startCollector({ sink: new RecordingSink(), ...options });
  running.push(c);
  return c;
}

function httpsGet(url: string, ca: string | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('TLS', () => {
  it('serves /healthz over https and the agent link over wss to a client that trusts the certificate', async () => {
    const c = await collectorWith({ tls: true });
    expect(c.wsUrl).toMatch(/^wss:/);
    expect(await httpsGet(`${c.baseUrl}/healthz`, c.caPem)).toMatchObject({ status: 200 });
    await expect(httpsGet(`${c.baseUrl}/healthz`, undefined)).rejects.toThrow(/self.signed/i);
    const socket = new WebSocket(c.wsUrl, [subprotocol(PROTOCOL_VERSION)], { headers: { Authorization: `Bearer ${c.enroll().credential}` }, ca: c.caPem });
    const frames: string[] = [];
    const acked = new Promise<number>((resolve) =>
      socket.on('message', (data: Buffer) => {
        const e = wire.Envelope.decode(data);
        frames.push(e.msg ?? '');
        if (e.msg === 'ack') resolve(e.ack!.seq ?? 0);
      }),
    );
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(wire.Envelope.encode(hello()).finish());
    socket.send(wire.Envelope.encode(cpuBatch(1)).finish());
    expect(await acked).toBe(1);
    expect(frames[0]).toBe('welcome');
    socket.close();
  });

  it('does not answer plain HTTP on the TLS port', async () => {
    const c = await collectorWith({ tls: true });
    await expect(fetch(`http://127.0.0.1:${c.port}/healthz`)).rejects.toThrow();
  });
});

describe('admin API keys', () => {
  const get = (c: TestCollector, key: string) => c.app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${key}` } });

  it('accepts a key from the store until it is revoked', async () => {
    const c = await collectorWith({});
    const { key, id } = c.store.apiKeys.create({ name: 'grafana' });
    expect((await get(c, key)).statusCode).toBe(200);
    c.store.apiKeys.revoke(id);
    expect((await get(c, key)).statusCode).toBe(401);
    expect((await get(c, ADMIN_KEY)).statusCode).toBe(200);
  });

  it('accepts the bootstrap key configured as its SHA-256, and not the hash itself', async () => {
    const hashed = `sha256:${createHash('sha256').update('correct horse battery staple').digest('hex')}`;
    const c = await collectorWith({ env: { WATCHPOST_ADMIN_KEY: hashed } });
    expect((await get(c, 'correct horse battery staple')).statusCode).toBe(200);
    expect((await get(c, hashed)).statusCode).toBe(401);
    expect((await get(c, 'wrong')).statusCode).toBe(401);
  });

  it('enables the API with stored keys alone, and disables it when there is neither', async () => {
    const c = await collectorWith({ env: { WATCHPOST_ADMIN_KEY: '' } });
    expect((await get(c, 'anything')).json()).toMatchObject({ error: 'api_disabled' });
    const { key } = c.store.apiKeys.create({ name: 'ops' });
    expect((await get(c, key)).statusCode).toBe(200);
    expect((await get(c, 'anything')).json()).toMatchObject({ error: 'unauthorized' });
  });
});

// A connection that never sends a byte is closed after http.firstRequestTimeout, counted (idle_connection) and
// logged; one that sends its request in time, and an agent's WebSocket, stay. Raw sockets against the real server,
// plain and TLS.
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { hello, openAgent } from '../../helpers/agent-client.js';
import { until } from '../../helpers/until.js';

const running: TestCollector[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of running.splice(0)) await c.close();
});

async function collectorWith(env: Record<string, string>, tls = false) {
  const logs = new PassThrough();
  const logged: { msg: string; ip?: string }[] = [];
  logs.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line));
  });
  const c = await startCollector({ sink: new RecordingSink(), env, tls, logStream: logs });
  running.push(c);
  return { c, logged };
}

const idleRejections = async (c: TestCollector): Promise<number> =>
  (await c.metrics.rejections.get()).values.find((v) => v.labels.reason === 'idle_connection')?.value ?? 0;

/** Opens a raw connection (TLS: handshake done) and resolves with how long until the server closed it. */
function openRaw(c: TestCollector, tls: boolean): Promise<{ socket: Socket; closedAfter: Promise<number>; received: () => string }> {
  const started = Date.now();
  const socket = tls ? tlsConnect({ port: c.port, host: '127.0.0.1', ca: c.caPem, servername: 'localhost' }) : connect(c.port, '127.0.0.1');
  sockets.push(socket);
  let data = '';
  socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
  socket.on('error', () => {});
  const closedAfter = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - started)));
  return new Promise((resolve) => socket.once(tls ? 'secureConnect' : 'connect', () => resolve({ socket, closedAfter, received: () => data })));
}

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms))]);

describe('http.firstRequestTimeout', () => {
  it.each([false, true])('closes a connection that sends nothing (tls: %s), counts and logs it', async (tls) => {
    const { c, logged } = await collectorWith({ WATCHPOST_HTTP_FIRST_REQUEST_TIMEOUT: '400ms' }, tls);
    const idle = await openRaw(c, tls);
    const closedAfter = await within(idle.closedAfter, 5_000, 'the idle connection to be closed');
    expect(closedAfter).toBeGreaterThanOrEqual(350);
    expect(idle.received()).toBe('');
    expect(await idleRejections(c)).toBe(1);
    expect(logged.some((l) => l.msg.startsWith('connection closed: no request within') && l.ip === '127.0.0.1')).toBe(true);
    await until(() => c.connections.pending('127.0.0.1') === 0, 5_000, 'the closed connection to be uncounted');
  });

  it('leaves a connection that sent its request in time, and an agent WebSocket, open past it', async () => {
    const { c } = await collectorWith({ WATCHPOST_HTTP_FIRST_REQUEST_TIMEOUT: '400ms', WATCHPOST_HTTP_KEEP_ALIVE_TIMEOUT: '5s' });
    const client = await openRaw(c, false);
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const agent = await openAgent(c.wsUrl, c.enroll().credential);
    agent.send(hello());
    await agent.next((e) => e.msg === 'welcome');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(client.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(client.socket.destroyed).toBe(false);
    expect(agent.socket.readyState).toBe(agent.socket.OPEN);
    expect(await idleRejections(c)).toBe(0);
    agent.socket.close();
  });

  it('leaves a client that started its headers to http.headersTimeout, which answers 408', async () => {
    const { c } = await collectorWith({ WATCHPOST_HTTP_FIRST_REQUEST_TIMEOUT: '300ms', WATCHPOST_HTTP_HEADERS_TIMEOUT: '1s' });
    const slow = await openRaw(c, false);
    slow.socket.write('GET /healthz HTTP/1.1\r\n');
    await within(slow.closedAfter, 10_000, 'the slow client to be cut');
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(await idleRejections(c)).toBe(0);
  });
});

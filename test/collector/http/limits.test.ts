// Rate limits, connection bounds and timeouts against real collectors with lowered limits (set through the same
// environment variables an operator uses), over real sockets.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { cpuBatch, hello, openAgent } from '../../helpers/agent-client.js';
import { CLOSE } from '../../../collector/src/errors.js';
import { until } from '../../helpers/until.js';

const running: TestCollector[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of running.splice(0)) await c.close();
});

async function collectorWith(env: Record<string, string>): Promise<TestCollector> {
  const c = await startCollector({ sink: new RecordingSink(), env });
  running.push(c);
  return c;
}

const rejections = async (c: TestCollector, reason: string): Promise<number> =>
  (await c.metrics.rejections.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

const enroll = (c: TestCollector) =>
  c.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { token: 'wpe_nope', hostname: 'h', os: 'linux', arch: 'x64', agentVersion: '1' } });

/** A raw TCP connection to the collector that has sent nothing (or only what the test writes). */
function rawSocket(c: TestCollector): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect(c.port, '127.0.0.1');
  sockets.push(socket);
  let data = '';
  socket.on('data', (chunk) => (data += chunk.toString()));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return new Promise((resolve) => socket.once('connect', () => resolve({ socket, received: () => data, closed })));
}

describe('per-IP rate limit on upgrades and enrollments', () => {
  it('answers 429 with Retry-After past the burst, counts it, and shares the bucket between enroll and upgrades', async () => {
    const c = await collectorWith({ WATCHPOST_LIMITS_IP_ATTEMPT_BURST: '3', WATCHPOST_LIMITS_IP_ATTEMPTS_PER_SECOND: '0.01' });
    for (let i = 0; i < 3; i++) expect((await enroll(c)).statusCode).toBe(401);
    const limited = await enroll(c);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await expect(openAgent(c.wsUrl, c.enroll().credential)).rejects.toMatchObject({ statusCode: 429 });
    expect(await rejections(c, 'rate_limited')).toBe(2);
    expect((await c.app.inject('/healthz')).statusCode).toBe(200); // other routes are not limited
  });
});

describe('per-agent frame and byte limits', () => {
  it('closes an agent that sends frames faster than allowed past its burst with 1008 "rate limit"', async () => {
    const c = await collectorWith({ WATCHPOST_AGENTS_FRAMES_PER_SECOND: '0.01', WATCHPOST_AGENTS_FRAME_BURST: '5' });
    const agent = await openAgent(c.wsUrl, c.enroll().credential);
    agent.send(hello());
    for (let i = 0; i < 10; i++) agent.send({ heartbeat: { timeMs: Date.now() } });
    expect(await agent.closed).toEqual({ code: CLOSE.policyViolation, reason: 'rate limit' });
    expect(agent.frames.filter((e) => e.msg === 'heartbeat')).toHaveLength(4); // Hello + 4 heartbeats = the burst
    expect(await rejections(c, 'rate_limited')).toBe(1);
  });

  it('closes an agent that sends more bytes than allowed past its burst', async () => {
    const c = await collectorWith({ WATCHPOST_AGENTS_MAX_PAYLOAD_BYTES: '2048', WATCHPOST_AGENTS_BYTE_BURST: '2048', WATCHPOST_AGENTS_BYTES_PER_SECOND: '1' });
    const agent = await openAgent(c.wsUrl, c.enroll().credential);
    agent.send(hello());
    await agent.next((e) => e.msg === 'welcome');
    const big = (seq: number) => {
      const batch = cpuBatch(seq);
      batch.batch!.samples![0]!.tags!.push({ key: 'pad', value: 'x'.repeat(900) });
      return batch;
    };
    agent.send(big(1));
    agent.send(big(2));
    agent.send(big(3));
    expect(await agent.closed).toEqual({ code: CLOSE.policyViolation, reason: 'rate limit' });
    expect(agent.frames.filter((e) => e.msg === 'ack').map((e) => e.ack!.seq)).not.toContain(3);
  });
});

describe('unauthenticated connections per IP', () => {
  it('cuts connections past the bound at once, and does not count authenticated agents', async () => {
    const c = await collectorWith({ WATCHPOST_LIMITS_IP_MAX_PENDING_CONNECTIONS: '2' });
    const first = await rawSocket(c);
    await rawSocket(c);
    await until(() => c.connections.pending('127.0.0.1') === 2, 5_000, 'two pending connections');
    const third = await rawSocket(c);
    await third.closed;
    expect(third.received()).toBe('');
    expect(await rejections(c, 'connection_limit')).toBe(1);
    first.socket.destroy();
    await until(() => c.connections.pending('127.0.0.1') === 1, 5_000, 'the closed connection to be uncounted');
    const agent = await openAgent(c.wsUrl, c.enroll().credential);
    agent.send(hello());
    await agent.next((e) => e.msg === 'welcome');
    expect(c.connections.pending('127.0.0.1')).toBe(1);
    const fourth = await rawSocket(c); // accepted: the agent's connection no longer counts
    fourth.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await fourth.closed;
    expect(fourth.received()).toMatch(/^HTTP\/1\.1 200/);
    agent.socket.close();
  });
});

describe('timeouts', () => {
  it('cuts a client that does not finish its headers within http.headersTimeout, with 408', async () => {
    const c = await collectorWith({ WATCHPOST_HTTP_HEADERS_TIMEOUT: '300ms' });
    const slow = await rawSocket(c);
    slow.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // and never the blank line
    await Promise.race([slow.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('slow client never cut')), 15_000))]);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('refuses a headers timeout longer than the request timeout, naming the key', async () => {
    await expect(collectorWith({ WATCHPOST_HTTP_HEADERS_TIMEOUT: '1m', WATCHPOST_HTTP_REQUEST_TIMEOUT: '30s' })).rejects.toThrow(/^http\.headersTimeout/);
  });
});

// agents.proxyProtocol on a real collector, over raw sockets that write the PROXY header themselves: what the
// collector then serves and logs, and what it refuses. The same through a real HAProxy: proxy-protocol-haproxy.test.ts.
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { createServer } from 'node:http';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { until } from '../../helpers/until.js';
import { acceptProxyProtocol, HEADER_TIMEOUT_MS } from '../../../collector/src/http/proxy-listener.js';
import { cleanupsAfterEach } from '../../helpers/cleanups.js';

interface LogLine {
  msg: string;
  ip?: string;
  reason?: string;
  req?: { url: string; remoteAddress: string; remotePort: number };
}

const cleanups = cleanupsAfterEach();
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});

async function collectorWith(env: Record<string, string>, tls = false): Promise<{ c: TestCollector; logged: LogLine[] }> {
  const logs = new PassThrough();
  const logged: LogLine[] = [];
  logs.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line) as LogLine);
  });
  const c = await startCollector({ sink: new RecordingSink(), env: { WATCHPOST_AGENTS_PROXY_PROTOCOL: 'true', ...env }, tls, logStream: logs });
  cleanups.push(() => c.close());
  return { c, logged };
}

interface Raw {
  socket: Socket;
  received: () => string;
  closed: Promise<void>;
}

/** A raw TCP connection to `port` that has sent nothing yet. */
function rawConnect(port: number): Promise<Raw> {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  sockets.push(socket);
  let data = '';
  socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return new Promise((resolve) => socket.once('connect', () => resolve({ socket, received: () => data, closed })));
}

/** A PROXY v2 header for TCP over IPv4 from `source`:`port` to 192.0.2.10:443. */
function v2Tcp4(source: string, port: number): Buffer {
  const header = Buffer.from('0d0a0d0a000d0a515549540a2111000c', 'hex');
  const block = Buffer.alloc(12);
  source.split('.').forEach((octet, i) => (block[i] = Number(octet)));
  Buffer.from([192, 0, 2, 10]).copy(block, 4);
  block.writeUInt16BE(port, 8);
  block.writeUInt16BE(443, 10);
  return Buffer.concat([header, block]);
}

const V2_LOCAL = Buffer.from('0d0a0d0a000d0a515549540a20000000', 'hex');
const HEALTHZ = 'GET /healthz HTTP/1.1\r\nHost: collector\r\nConnection: close\r\n\r\n';

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms))]);

const requestLine = (logged: LogLine[], url: string) => logged.find((l) => l.msg === 'incoming request' && l.req?.url === url)?.req;
const refusals = (logged: LogLine[]) => logged.filter((l) => l.msg === 'connection closed: no valid PROXY protocol header');

describe('a collector with agents.proxyProtocol', () => {
  it('serves a request whose v2 header came byte by byte, and logs the address the header gave', async () => {
    const { c, logged } = await collectorWith({});
    const raw = await rawConnect(c.port);
    for (const byte of v2Tcp4('203.0.113.7', 40001)) {
      raw.socket.write(Buffer.from([byte]));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    raw.socket.write(HEALTHZ);
    await within(raw.closed, 5_000, 'the answer');
    expect(raw.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(requestLine(logged, '/healthz')).toMatchObject({ remoteAddress: '203.0.113.7', remotePort: 40001 });
  });

  it('serves a v1 header and its request sent in one write, with an IPv6 client', async () => {
    const { c, logged } = await collectorWith({});
    const raw = await rawConnect(c.port);
    raw.socket.write(`PROXY TCP6 2001:DB8::7 2001:db8::1 50000 443\r\n${HEALTHZ}`);
    await within(raw.closed, 5_000, 'the answer');
    expect(raw.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(requestLine(logged, '/healthz')).toMatchObject({ remoteAddress: '2001:db8::7', remotePort: 50000 });
  });

  it("keeps the balancer's own address for a LOCAL header (a health check)", async () => {
    const { c, logged } = await collectorWith({});
    const raw = await rawConnect(c.port);
    raw.socket.write(Buffer.concat([V2_LOCAL, Buffer.from(HEALTHZ)]));
    await within(raw.closed, 5_000, 'the answer');
    expect(raw.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(requestLine(logged, '/healthz')).toMatchObject({ remoteAddress: '127.0.0.1' });
  });

  it('reads the header before the TLS handshake, and the TLS connection shows the client', async () => {
    const { c, logged } = await collectorWith({}, true);
    const raw = await rawConnect(c.port);
    raw.socket.write(v2Tcp4('203.0.113.9', 40009));
    const secure = tlsConnect({ socket: raw.socket, ca: c.caPem, servername: 'localhost' });
    let answer = '';
    secure.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    await new Promise((resolve) => secure.once('secureConnect', resolve));
    secure.write(HEALTHZ);
    await within(new Promise((resolve) => secure.once('close', resolve)), 5_000, 'the answer');
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(requestLine(logged, '/healthz')).toMatchObject({ remoteAddress: '203.0.113.9', remotePort: 40009 });
  });

  it('counts unauthenticated connections per header address (limits.ipMaxPendingConnections)', async () => {
    const { c, logged } = await collectorWith({ WATCHPOST_LIMITS_IP_MAX_PENDING_CONNECTIONS: '2' });
    for (let i = 0; i < 2; i++) (await rawConnect(c.port)).socket.write(v2Tcp4('198.51.100.1', 41000 + i));
    await until(() => c.connections.pending('198.51.100.1') === 2, 5_000, 'two pending connections from 198.51.100.1');
    expect(c.connections.pending('127.0.0.1')).toBe(0);
    const third = await rawConnect(c.port);
    third.socket.write(v2Tcp4('198.51.100.1', 41002));
    await within(third.closed, 5_000, 'the third connection from 198.51.100.1 to be cut');
    expect(logged.some((l) => l.msg.startsWith('connection refused: too many') && l.ip === '198.51.100.1')).toBe(true);
    const other = await rawConnect(c.port);
    other.socket.write(Buffer.concat([v2Tcp4('198.51.100.2', 41003), Buffer.from(HEALTHZ)]));
    await within(other.closed, 5_000, 'the answer to 198.51.100.2');
    expect(other.received()).toMatch(/^HTTP\/1\.1 200/);
  });

  it('closes a connection that sends its header and then nothing after http.firstRequestTimeout, naming the client', async () => {
    const { c, logged } = await collectorWith({ WATCHPOST_HTTP_FIRST_REQUEST_TIMEOUT: '400ms' });
    const raw = await rawConnect(c.port);
    raw.socket.write(v2Tcp4('203.0.113.20', 40020));
    await within(raw.closed, 5_000, 'the silent connection to be closed');
    expect(raw.received()).toBe('');
    expect(logged.some((l) => l.msg.startsWith('connection closed: no request within') && l.ip === '203.0.113.20')).toBe(true);
  });

  it('closes a direct request without a header at once: nothing served, a warning with the peer and why', async () => {
    const { c, logged } = await collectorWith({});
    const raw = await rawConnect(c.port);
    raw.socket.write(HEALTHZ);
    await within(raw.closed, 2_000, 'the connection to be closed');
    expect(raw.received()).toBe('');
    expect(refusals(logged)).toEqual([expect.objectContaining({ ip: '127.0.0.1', reason: 'not a PROXY protocol header' })]);
    expect(requestLine(logged, '/healthz')).toBeUndefined();
  });

  it('refuses a direct TLS client (its ClientHello is no header)', async () => {
    const { c, logged } = await collectorWith({}, true);
    const secure = tlsConnect({ port: c.port, host: '127.0.0.1', ca: c.caPem, servername: 'localhost' });
    const failed = await within(new Promise<Error>((resolve) => secure.once('error', resolve)), 5_000, 'the handshake to fail');
    expect(failed.message).toMatch(/socket disconnected|ECONNRESET/);
    expect(refusals(logged)).toEqual([expect.objectContaining({ ip: '127.0.0.1', reason: 'not a PROXY protocol header' })]);
  });

  it('survives clients that reset or close in the middle of their header, and logs each', async () => {
    const { c, logged } = await collectorWith({});
    const reset = await rawConnect(c.port);
    reset.socket.write(v2Tcp4('203.0.113.30', 1).subarray(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    reset.socket.resetAndDestroy();
    const closed = await rawConnect(c.port);
    closed.socket.end('PROXY TCP4 203.0.113.31');
    await until(() => refusals(logged).length === 2, 5_000, 'both refusals logged');
    expect(refusals(logged).map((l) => l.reason)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^(failed before its PROXY header was read|closed in the middle of its PROXY header)/),
        'closed in the middle of its PROXY header',
      ]),
    );
    const good = await rawConnect(c.port);
    good.socket.write(Buffer.concat([v2Tcp4('203.0.113.32', 1), Buffer.from(HEALTHZ)]));
    await within(good.closed, 5_000, 'the answer');
    expect(good.received()).toMatch(/^HTTP\/1\.1 200/);
  });
});

describe('closing a collector with agents.proxyProtocol', () => {
  it('does not wait for a connection still sending its header, and does not log it as refused', async () => {
    const logs = new PassThrough();
    const logged: LogLine[] = [];
    logs.on('data', (chunk: Buffer) =>
      logged.push(
        ...chunk
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as LogLine),
      ),
    );
    const c = await startCollector({ sink: new RecordingSink(), env: { WATCHPOST_AGENTS_PROXY_PROTOCOL: 'true' }, logStream: logs });
    const raw = await rawConnect(c.port);
    raw.socket.write('PROXY TCP4 203.0.113.1');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await c.close();
    expect(Date.now() - started).toBeLessThan(HEADER_TIMEOUT_MS / 2);
    await within(raw.closed, 1_000, 'the waiting connection to be closed');
    expect(refusals(logged)).toEqual([]);
  });
});

describe('a collector without agents.proxyProtocol', () => {
  it('takes a PROXY header for a bad HTTP request, as before', async () => {
    const c = await startCollector({ sink: new RecordingSink() });
    cleanups.push(() => c.close());
    const raw = await rawConnect(c.port);
    raw.socket.write(`PROXY TCP4 203.0.113.1 192.0.2.10 1 443\r\n${HEALTHZ}`);
    await within(raw.closed, 5_000, 'the answer');
    expect(raw.received()).toMatch(/^HTTP\/1\.1 400/);
  });
});

describe('the header timeout', () => {
  it('cuts a connection whose header is not complete in time, and nothing reaches the server', async () => {
    let served = 0;
    const server = createServer((_request, response) => {
      served++;
      response.end();
    });
    const refused: string[] = [];
    acceptProxyProtocol(server, { tls: false, headerTimeoutMs: 300, onRefused: (_peer, reason) => refused.push(reason) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const address = server.address();
    const raw = await rawConnect(typeof address === 'object' && address ? address.port : 0);
    const started = Date.now();
    raw.socket.write('PROXY TCP4 203.0.113.1 ');
    await within(raw.closed, 3_000, 'the connection to be cut');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(refused).toEqual(['no complete PROXY header within 300 ms']);
    expect(served).toBe(0);
  });
});

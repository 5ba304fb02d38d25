// A real collector with agents.proxyProtocol behind a real HAProxy (scripts/lib/haproxy.ts: mode tcp, leastconn,
// HTTP health checks with check-send-proxy). Clients bind distinct loopback addresses (all of 127/8 is loopback on
// Linux), so the header HAProxy writes names each one and the collector's per-IP limits and logs can be told apart.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { hello } from '../../helpers/agent-client.js';
import { until } from '../../helpers/until.js';
import { startHaproxy, type Haproxy, type StartHaproxyOptions } from '../../../scripts/lib/haproxy.js';
import { subprotocol, PROTOCOL_VERSION, wire } from '../../../proto/index.js';

interface LogLine {
  msg: string;
  ip?: string;
  reason?: string;
  reqId?: string;
  agentId?: string;
  req?: { url: string; remoteAddress: string };
}

/** A collector (proxyProtocol on, its log kept) behind its own HAProxy, for one describe block. */
function useCollectorBehindHaproxy(env: Record<string, string>, options: { tls?: boolean; haproxy?: Omit<StartHaproxyOptions, 'servers'> } = {}) {
  const logged: LogLine[] = [];
  const state: { c?: TestCollector; hx?: Haproxy; closed?: boolean } = {};
  beforeAll(async () => {
    const logs = new PassThrough();
    logs.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line) as LogLine);
    });
    state.c = await startCollector({
      sink: new RecordingSink(),
      env: { WATCHPOST_AGENTS_PROXY_PROTOCOL: 'true', ...env },
      tls: options.tls ?? false,
      logStream: logs,
    });
    state.hx = await startHaproxy({ ...options.haproxy, tls: options.tls ?? false, servers: [{ address: `127.0.0.1:${state.c.port}` }] });
    await until(async () => (await state.hx!.servers())[0]?.check === 'L7OK', 10_000, "HAProxy's first passed health check");
  });
  afterAll(async () => {
    await state.hx?.stop();
    if (!state.closed) await state.c?.close();
  });
  return {
    logged,
    c: () => state.c!,
    hx: () => state.hx!,
    closeCollector: async () => {
      state.closed = true;
      await state.c!.close();
    },
  };
}

/** An HTTP(S) request through `port` from the local address `from`; resolves with the status. */
function requestFrom(from: string, port: number, method: string, path: string, options: { body?: object; ca?: string } = {}): Promise<number> {
  const body = options.body ? JSON.stringify(options.body) : undefined;
  const send = options.ca ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        localAddress: from,
        agent: false,
        ...(options.ca ? { ca: options.ca, servername: 'localhost' } : {}),
        headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A real agent WebSocket from `from` through `url`: resolves once the collector's Welcome arrived. */
function agentFrom(from: string, url: string, credential: string, ca?: string): Promise<WebSocket> {
  const socket = new WebSocket(url, [subprotocol(PROTOCOL_VERSION)], {
    headers: { Authorization: `Bearer ${credential}` },
    localAddress: from,
    ...(ca ? { ca } : {}),
  });
  return new Promise((resolve, reject) => {
    socket.once('open', () => socket.send(wire.Envelope.encode(hello()).finish()));
    socket.on('message', (data: Buffer) => {
      if (wire.Envelope.decode(data).msg === 'welcome') resolve(socket);
    });
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.once('error', reject);
  });
}

const badEnrollment = { token: 'wpe_nope', hostname: 'h', os: 'linux', arch: 'x64', agentVersion: '1' };

/** The address the request log gave the request that `line` (logged during it) belongs to. */
const addressOfRequest = (logged: LogLine[], line: LogLine | undefined) =>
  logged.find((l) => l.msg === 'incoming request' && l.reqId === line?.reqId && line?.reqId !== undefined)?.req?.remoteAddress;

describe('behind HAProxy with send-proxy-v2', () => {
  const { c, hx, logged, closeCollector } = useCollectorBehindHaproxy({
    WATCHPOST_LIMITS_IP_ATTEMPT_BURST: '2',
    WATCHPOST_LIMITS_IP_ATTEMPTS_PER_SECOND: '0.01',
  });

  it("takes HAProxy's health checks (a LOCAL header) and is UP", async () => {
    expect(await hx().servers()).toEqual([expect.objectContaining({ name: 'c1', status: 'UP', check: 'L7OK' })]);
    const checks = logged.filter((l) => l.msg === 'incoming request' && l.req?.url === '/healthz');
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.every((l) => l.req?.remoteAddress === '127.0.0.1')).toBe(true);
  });

  it('applies the per-IP limit to the client HAProxy names: 127.0.0.2 is limited, 127.0.0.3 is not', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await requestFrom('127.0.0.2', hx().port, 'POST', '/api/v1/enroll', { body: badEnrollment }));
    expect(statuses).toEqual([401, 401, 429]);
    expect(await requestFrom('127.0.0.3', hx().port, 'POST', '/api/v1/enroll', { body: badEnrollment })).toBe(401);
    expect(logged.filter((l) => l.msg === 'request refused: rate limited').map((l) => l.ip)).toEqual(['127.0.0.2']);
    const enrollments = logged.filter((l) => l.msg === 'incoming request' && l.req?.url === '/api/v1/enroll').map((l) => l.req?.remoteAddress);
    expect(enrollments).toEqual(['127.0.0.2', '127.0.0.2', '127.0.0.2', '127.0.0.3']);
  });

  it("admits a real agent's WebSocket and logs its upgrade with the agent's address", async () => {
    const { agentId, credential } = c().enroll();
    const agent = await agentFrom('127.0.0.4', `ws://127.0.0.1:${hx().port}/agent/v1`, credential);
    expect(c().hub.sessions.has(agentId)).toBe(true);
    expect(c().connections.pending('127.0.0.4')).toBe(0);
    const connected = logged.find((l) => l.msg === 'agent connected' && l.agentId === agentId);
    expect(addressOfRequest(logged, connected)).toBe('127.0.0.4');
    expect((await hx().servers())[0]?.sessions).toBeGreaterThanOrEqual(1);
    agent.close();
  });

  it('closes a connection made to the collector directly, without a header, with a warning', async () => {
    const socket = connect(c().port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => {});
    socket.write('GET /healthz HTTP/1.1\r\nHost: collector\r\n\r\n');
    await new Promise((resolve) => socket.once('close', resolve));
    expect(received).toBe('');
    expect(logged.filter((l) => l.msg === 'connection closed: no valid PROXY protocol header')).toEqual([
      expect.objectContaining({ ip: '127.0.0.1', reason: 'not a PROXY protocol header' }),
    ]);
  });

  it('is marked DOWN by the health checks once it stops', async () => {
    await closeCollector();
    await until(async () => (await hx().servers())[0]?.status === 'DOWN', 10_000, 'HAProxy to mark the stopped collector DOWN');
    expect((await hx().servers())[0]?.check).toBe('L4CON');
  });
});

describe('behind HAProxy with TLS passthrough and v1 headers', () => {
  const { c, hx, logged } = useCollectorBehindHaproxy({}, { tls: true, haproxy: { sendProxy: 'v1' } });

  it('is UP through health checks over TLS, and serves HTTPS and an agent over WSS with their own addresses', async () => {
    expect(await hx().servers()).toEqual([expect.objectContaining({ status: 'UP', check: 'L7OK' })]);
    expect(await requestFrom('127.0.0.5', hx().port, 'GET', '/healthz', { ca: c().caPem! })).toBe(200);
    expect(logged.some((l) => l.msg === 'incoming request' && l.req?.url === '/healthz' && l.req.remoteAddress === '127.0.0.5')).toBe(true);
    const { agentId, credential } = c().enroll();
    const agent = await agentFrom('127.0.0.6', `wss://127.0.0.1:${hx().port}/agent/v1`, credential, c().caPem!);
    const connected = logged.find((l) => l.msg === 'agent connected' && l.agentId === agentId);
    expect(addressOfRequest(logged, connected)).toBe('127.0.0.6');
    agent.close();
  });
});

// Hostile input against a real collector process while a real agent streams: 10,000 malformed frames (random
// bytes, truncated protobuf, wrong wire types, oversize), wrong and revoked credentials, a slow-header client and
// a connection flood. The collector must stay up with bounded memory, keep storing the good agent's points, and
// answer every rejection with a close code (or HTTP status) and a log line.
import { createConnection, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { wire, subprotocol, PROTOCOL_VERSION } from '../../proto/index.js';
import { CLOSE } from '../../collector/src/errors.js';
import { HOST, startStack, stopProc, type Proc, type Stack } from './harness.js';
import { until } from '../helpers/until.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const MALFORMED_FRAMES = 10_000;
const CONCURRENCY = 64;
const FLOOD_CONNECTIONS = 2_000;
/** Connections opened at once: below Node's listen backlog (511), so the kernel never drops a handshake. */
const FLOOD_WAVE = 250;
/** The collector's default limits.ipMaxPendingConnections. */
const MAX_PENDING_PER_IP = 64;
/** Attackers use their own loopback addresses (127.0.0.2 ...), as they would come from other hosts. */
const attackerAddress = (i: number) => `127.0.${1 + Math.floor(i / 250)}.${2 + (i % 250)}`;
/** Growth of the collector's RSS over the whole attack that we accept (GC timing, allocator slack). */
const RSS_GROWTH_LIMIT_BYTES = 96 * 1024 * 1024;

let stack: Stack;
let agent: Proc;
let credential: string;
let revokedCredential: string;

async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${stack.server}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function pointsSince(timeMs: number): Promise<number> {
  const series = await stack.query(`SELECT count(usage_idle) FROM cpu WHERE host = '${HOST}' AND cpu = 'cpu-total' AND time > ${timeMs}ms`);
  return Number(series[0]?.values[0]?.[1] ?? 0);
}

/** One of the malformed payloads, chosen by i. */
function malformed(i: number): Buffer {
  const valid = Buffer.from(wire.Envelope.encode({ hello: { protocolVersion: PROTOCOL_VERSION, hostname: 'x'.repeat(40) } }).finish());
  switch (i % 5) {
    case 0:
      return Buffer.from(Array.from({ length: 1 + (i % 300) }, (_, k) => (k * 7919 + i * 104729) % 256));
    case 1:
      return valid.subarray(0, Math.max(1, valid.length - 1 - (i % 10))); // truncated
    case 2:
      return Buffer.from([0x0a, 0x05, 0x08, 0x01, 0x12, 0xff, 0xff]); // length runs past the end
    case 3:
      return Buffer.from([0x1d, 0x00, 0x00, 0x80, 0x3f]); // field 3 (batch) with the fixed32 wire type
    default:
      return Buffer.from([0x1a, 0x03, 0x0a, 0x01, 0xff]); // batch whose sample is cut inside a field
  }
}

/** Opens an authenticated socket from `localAddress`, sends one frame, resolves with the close code. */
function sendOne(payload: Buffer | string, localAddress: string, token = credential): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(stack.server.replace('http', 'ws') + '/agent/v1', [subprotocol(PROTOCOL_VERSION)], {
      headers: { Authorization: `Bearer ${token}` },
      localAddress,
    });
    socket.on('open', () => socket.send(payload));
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', () => undefined);
    socket.on('close', (code) => resolve(code));
  });
}

async function pool<T>(count: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

beforeAll(async () => {
  stack = await startStack();
  stack.env.WATCHPOST_HTTP_HEADERS_TIMEOUT = '2s';
  await stack.startCollector();
  const good = await stack.enrollAgent('good');
  agent = stack.startAgent(good);
  // Attackers hold real credentials (a stolen or leaked one is the worst case): one live, one revoked.
  const cli = ['--import', 'tsx', 'collector/src/bin.ts'];
  let minted = 0;
  const mint = () => stack.enrollCredential(`attacker-${++minted}`);
  credential = (await mint()).credential;
  const revoked = await mint();
  revokedCredential = revoked.credential;
  await exec(process.execPath, [...cli, 'agent', 'revoke', revoked.agentId], { env: stack.env });
  await until(async () => (await pointsSince(0)) > 0, 60_000, 'the good agent to store points');
}, 300_000);

afterAll(async () => {
  await stopProc(agent);
  await stack?.close();
});

describe('hostile input', () => {
  it('survives it all with bounded memory, keeps the good agent flowing, and rejects each with a code and a log line', async () => {
    const rssBefore = await metric('watchpost_collector_process_resident_memory_bytes');
    const attackStart = Date.now();

    // 1. Malformed frames from authenticated sockets, each on its own connection.
    const codes = await pool(MALFORMED_FRAMES, (i) => sendOne(malformed(i), attackerAddress(i)));
    const allowed: number[] = [CLOSE.invalidPayload, CLOSE.policyViolation, 429];
    expect(codes.filter((c) => !allowed.includes(c))).toEqual([]);
    const closedInSession = codes.filter((c) => c === CLOSE.invalidPayload || c === CLOSE.policyViolation).length;
    expect(closedInSession).toBeGreaterThan(MALFORMED_FRAMES / 2);

    // 2. Text and oversize frames.
    expect(await sendOne('not protobuf', attackerAddress(1))).toBe(CLOSE.unsupportedData);
    expect(await sendOne(Buffer.alloc(1024 * 1024 + 1), attackerAddress(2))).toBe(CLOSE.tooBig);

    // 3. Wrong and revoked credentials never get a WebSocket.
    const wrong = await pool(200, (i) => sendOne(malformed(i), attackerAddress(i), `wpa_ag_${'0'.repeat(32)}.${'A'.repeat(43)}`));
    expect(new Set(wrong)).toEqual(new Set([401]));
    expect(await sendOne(malformed(0), attackerAddress(3), revokedCredential)).toBe(401);

    // 4. A slow-header client is cut by the headers timeout.
    const slow: Socket = createConnection({ host: '127.0.0.1', port: Number(new URL(stack.server).port), localAddress: '127.0.9.9' });
    slow.write('GET /agent/v1 HTTP/1.1\r\nHost: x\r\n');
    let answer = '';
    slow.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const slowClosed = await new Promise<boolean>((resolve) => {
      slow.on('close', () => resolve(true));
      slow.on('error', () => undefined);
      setTimeout(() => resolve(false), 20_000);
    });
    expect(slowClosed).toBe(true);
    expect(answer).toMatch(/^HTTP\/1.1 408 /);

    // 5. A flood of connections that never send anything, opened in waves below the listen backlog: when 2,000
    // connects arrive at once the kernel's accept queue (Node's backlog, 511) overflows, SYN cookies complete the
    // handshake on the client's side only, and a client that never sends a byte then holds a connection the
    // collector never saw. Each wave must be cut before the next starts, so all 2,000 reach the collector.
    const flood: Socket[] = [];
    const port = Number(new URL(stack.server).port);
    for (let opened = 0; opened < FLOOD_CONNECTIONS; opened += FLOOD_WAVE) {
      const wave = await Promise.all(
        Array.from(
          { length: Math.min(FLOOD_WAVE, FLOOD_CONNECTIONS - opened) },
          () =>
            new Promise<Socket>((resolve) => {
              const s = createConnection({ host: '127.0.0.1', port, localAddress: '127.0.200.2' });
              s.on('error', () => undefined);
              s.resume(); // read, so the collector's end of the connection is seen
              s.on('connect', () => resolve(s));
              s.on('close', () => resolve(s));
            }),
        ),
      );
      flood.push(...wave);
      await until(
        async () => flood.filter((s) => s.destroyed).length >= flood.length - MAX_PENDING_PER_IP - 1,
        // Bounded, not timed: a loaded 2-core machine (another worker's influxd and collector) is slow to accept.
        60_000,
        `the collector to cut the flood past its per-IP bound (${flood.length} connections opened)`,
      );
    }
    for (const s of flood) s.destroy();

    // The collector is up, healthy, its memory bounded, and the good agent's points keep arriving.
    expect((await fetch(`${stack.server}/healthz`)).status).toBe(200);
    // Bounded, not a snapshot: right after the attack RSS holds whatever the garbage collector has not returned yet
    // (up to 160 MB more on a loaded machine), and V8 gives it back once the heap is quiet, which on a CI machine
    // running other files' collectors and databases beside this one took over a minute. A leak never comes down.
    await until(
      async () => (await metric('watchpost_collector_process_resident_memory_bytes')) - rssBefore < RSS_GROWTH_LIMIT_BYTES,
      180_000,
      `the collector's RSS to settle within ${RSS_GROWTH_LIMIT_BYTES / 1024 / 1024} MiB of its size before the attack`,
    );
    await until(async () => (await pointsSince(attackStart + 5_000)) > 0, 30_000, 'good agent points after the attack');
    expect(stack.collector!.child.exitCode).toBeNull();

    // Every rejection was counted and logged.
    expect(await metric('watchpost_rejections_total', '{reason="bad_frame"}')).toBeGreaterThan(0);
    expect(await metric('watchpost_rejections_total', '{reason="unauthorized"}')).toBeGreaterThanOrEqual(201);
    const log = stack.collector!.log();
    const closedLines = log.split('\n').filter((l) => l.includes('closing agent connection')).length;
    expect(closedLines).toBeGreaterThanOrEqual(closedInSession + 2);
    expect(log.split('\n').filter((l) => l.includes('agent upgrade refused: unauthorized')).length).toBeGreaterThanOrEqual(201);
    expect(log).toContain('too many unauthenticated connections');
  }, 600_000);
});

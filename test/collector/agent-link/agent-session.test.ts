// Nothing an agent sends escapes its session: each hostile Hello from a security test closes only its own
// connection with 1008 `bad_hello` (counted, logged), an exception in any handler closes only that connection with
// 1011, and every other agent keeps connecting and writing. Real collector app, real sockets.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type watchpost } from '../../../proto/index.js';
import { startCollector, type TestCollector } from '../../helpers/collector.js';
import { cpuBatch, hello, openAgent, type TestAgent } from '../../helpers/agent-client.js';
import { CLOSE } from '../../../collector/src/errors.js';
import { EMPTY_POLICY } from '../../../collector/src/agent-link/probe-policy.js';
import type { PointSink, WriteResult } from '../../../collector/src/influx/writer-contract.js';
import { until } from '../../helpers/until.js';

/** Stores lines like InfluxDB, and throws (a bug stand-in) for a batch holding a `cpu-explode` tag value. */
class TrapSink implements PointSink {
  lines: string[] = [];
  write(lines: string[]): Promise<WriteResult> {
    if (lines.some((l) => l.includes('cpu-explode'))) throw new Error('sink exploded');
    this.lines.push(...lines);
    return Promise.resolve({ ok: true });
  }
  status() {
    return { healthy: true };
  }
}

const sink = new TrapSink();
const logs = new PassThrough();
const logged: { level: number; msg: string; reason?: string; agentId?: string; handler?: string }[] = [];
logs.on('data', (chunk: Buffer) => {
  for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line));
});
let explodePolicy = false;
let c: TestCollector;
beforeAll(async () => {
  c = await startCollector({
    sink,
    logStream: logs,
    policy: () => {
      if (explodePolicy) throw new Error('policy exploded');
      return EMPTY_POLICY;
    },
  });
});
afterAll(async () => c.close());

const rejections = async (reason: string): Promise<number> => (await c.metrics.rejections.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

/** A good agent says Hello, sends a batch and gets it acked and written under its bound hostname. */
async function goodAgentWrites(): Promise<void> {
  const { credential, hostname } = c.enroll();
  const agent = await openAgent(c.wsUrl, credential);
  agent.send(hello());
  await agent.next((e) => e.msg === 'welcome');
  agent.send(cpuBatch(1));
  expect((await agent.next((e) => e.msg === 'ack')).ack!.seq).toBe(1);
  expect(sink.lines.some((l) => l.startsWith(`cpu,cpu=cpu-total,host=${hostname},tenant=acme `))).toBe(true);
  agent.socket.close();
  await agent.closed;
}

const base = hello().hello!;
const HOSTILE_HELLOS: [string, watchpost.v1.IHello, string][] = [
  ['only a protocol version (proto3 gives "" for the rest)', { protocolVersion: PROTOCOL_VERSION }, 'bad Hello: hostname must not be empty or blank'],
  ['no agent_version', { ...base, agentVersion: '' }, 'bad Hello: agentVersion must not be empty or blank'],
  ['a 65-character agent_version', { ...base, agentVersion: '1'.repeat(65) }, 'bad Hello: agentVersion must be at most 64 characters'],
  ['a blank hostname', { ...base, hostname: '   ' }, 'bad Hello: hostname must not be empty or blank'],
  [
    'a hostname with a newline',
    { ...base, hostname: 'ws-01\ncpu,host=victim,tenant=acme usage_user=99' },
    'bad Hello: hostname must not contain a control or format character (U+000A)',
  ],
  ['a hostname with a trailing backslash', { ...base, hostname: 'victim\\' }, 'bad Hello: hostname must not contain a backslash'],
  ['a hostname of 300 multi-byte letters', { ...base, hostname: 'ü'.repeat(300) }, 'bad Hello: hostname must be at most 253 characters'],
  ['an os with NUL', { ...base, os: 'linux\u0000' }, 'bad Hello: os must not contain a control or format character (U+0000)'],
];

describe('a bad Hello closes only its own connection', () => {
  it.each(HOSTILE_HELLOS)('%s: 1008 with the reason, counted as bad_hello and logged; the collector keeps serving', async (_what, body, reason) => {
    const before = await rejections('bad_hello');
    const { agentId, credential } = c.enroll();
    const agent = await openAgent(c.wsUrl, credential);
    agent.send({ hello: body });
    expect(await agent.closed).toEqual({ code: CLOSE.policyViolation, reason });
    expect(await rejections('bad_hello')).toBe(before + 1);
    expect(logged.some((l) => l.agentId === agentId && l.reason === 'bad_hello' && l.msg === `closing agent connection: ${reason}`)).toBe(true);
    expect(c.hub.sessions.has(agentId)).toBe(false);
    expect(c.store.agents.get(agentId)).toMatchObject({ lastSeenAt: null, agentVersion: 'test' });
    await goodAgentWrites();
  });
});

describe('an exception in a handler closes only that connection', () => {
  it('a Hello whose handling throws (the policy lookup) is closed with 1011 and logged; other agents connect', async () => {
    const before = await rejections('internal_error');
    const { agentId, credential } = c.enroll();
    const agent = await openAgent(c.wsUrl, credential);
    explodePolicy = true;
    try {
      agent.send(hello());
      expect(await agent.closed).toEqual({ code: CLOSE.internalError, reason: 'internal error' });
    } finally {
      explodePolicy = false;
    }
    expect(await rejections('internal_error')).toBe(before + 1);
    expect(logged.some((l) => l.agentId === agentId && l.handler === 'message' && l.level === 50)).toBe(true);
    await goodAgentWrites();
  });

  it('a batch whose write throws is closed with 1011; a batch of another agent in flight at the same time is acked', async () => {
    const other = await openAgent(c.wsUrl, c.enroll().credential);
    other.send(hello());
    await other.next((e) => e.msg === 'welcome');
    const { agentId, credential } = c.enroll();
    const agent: TestAgent = await openAgent(c.wsUrl, credential);
    agent.send(hello());
    await agent.next((e) => e.msg === 'welcome');
    const trap = cpuBatch(1);
    trap.batch!.samples![0]!.tags = [{ key: 'cpu', value: 'cpu-explode' }];
    agent.send(trap);
    other.send(cpuBatch(5));
    expect(await agent.closed).toEqual({ code: CLOSE.internalError, reason: 'internal error' });
    expect((await other.next((e) => e.msg === 'ack')).ack!.seq).toBe(5);
    await until(() => logged.some((l) => l.agentId === agentId && l.handler === 'batch'), 5_000, 'the failure to be logged');
    other.socket.close();
    await goodAgentWrites();
  });
});

// An agent is untrusted: what it sends is screened against the measurement schema and its series budget before
// anything reaches InfluxDB, so one compromised endpoint can neither poison a measurement every tenant shares nor
// exhaust the database's cardinality, and the Ack tells the agent how many of its samples were refused for good.
// The real collector app (test/helpers/collector.ts) writes through a real InfluxDB writer into a real influxd.
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { watchpost } from '../../../../proto/index.js';
import { startInfluxd, type Influxd } from '../../../helpers/influxd.js';
import { startCollector, type TestCollector } from '../../../helpers/collector.js';
import { hello, openAgent, type TestAgent } from '../../../helpers/agent-client.js';
import { createInfluxWriter, type InfluxWriter } from '../../../../collector/src/influx/writer.js';
import { formatAgentCredential } from '../../../../collector/src/store/index.js';

/** influxd's max-values-per-tag for this file (InfluxDB's default is 100,000): the attack of the security test
 *  (101,000 `disk path` values) at a tenth of its size, so it fills the limit in seconds. */
const MAX_VALUES_PER_TAG = 10_000;
const DB = 'watchpost';
const HOUR = 3_600_000;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

type Sample = watchpost.v1.ISample;
type Ack = { seq: number; rejected: number; reason: string };

let influx: Influxd;
let writer: InfluxWriter;
let c: TestCollector;
const logLines: { msg: string; agentId?: string }[] = [];

beforeAll(async () => {
  process.env.INFLUXDB_DATA_MAX_VALUES_PER_TAG = String(MAX_VALUES_PER_TAG); // influxd reads its config from the environment too
  try {
    influx = await startInfluxd();
  } finally {
    delete process.env.INFLUXDB_DATA_MAX_VALUES_PER_TAG;
  }
  // 30 days, as the collector's default: InfluxDB then keeps one shard per UTC day, and a field's type per shard.
  writer = createInfluxWriter({
    url: influx.url,
    database: DB,
    retentionPolicy: { name: 'raw', duration: '30d' },
    flushIntervalMs: 20,
    pingIntervalMs: 0,
    logger: quiet,
  });
  await writer.ensureDatabase();
  const logs = new PassThrough();
  logs.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
  });
  c = await startCollector({ sink: writer, logStream: logs });
  c.store.tenants.add({ id: 'globex', name: 'Globex Corp' });
});
afterAll(async () => {
  await c?.close();
  await writer?.close();
  await influx?.stop();
});
afterEach(() => {
  vi.useRealTimers();
});

let hosts = 0;

/** A freshly enrolled agent (each its own hostname) that said Hello. */
async function connect(tenant: string): Promise<{ agent: TestAgent; agentId: string; hostname: string }> {
  const hostname = `host-${++hosts}`;
  const { token } = c.store.tokens.create({ tenant, expiresAt: Date.now() + 60_000, uses: 1 });
  const enrolled = c.store.enrollWithToken(token, { hostname, os: 'linux', arch: 'x64', agentVersion: 'test' });
  if (!enrolled.ok) throw new Error(`enroll failed: ${enrolled.reason}`);
  const agent = await openAgent(c.wsUrl, formatAgentCredential(enrolled.agentId, enrolled.secret));
  agent.send({ hello: { ...hello().hello, hostname } });
  await agent.next((e) => e.msg === 'welcome');
  return { agent, agentId: enrolled.agentId, hostname };
}

/** Sends one batch and resolves with its Ack (the collector acks once InfluxDB answered). */
async function send(agent: TestAgent, seq: number, samples: Sample[]): Promise<Ack> {
  agent.send({ batch: { seq, samples } });
  const { ack } = await agent.next((e) => e.msg === 'ack' && e.ack?.seq === seq);
  return { seq: ack!.seq ?? 0, rejected: ack!.rejected ?? 0, reason: ack!.reason ?? '' };
}

async function query(q: string): Promise<{ columns: string[]; values: unknown[][] }[]> {
  const response = await fetch(`${influx.url}/query?${new URLSearchParams({ db: DB, q, epoch: 'ms' })}`);
  const body = (await response.json()) as { results: { series?: { columns: string[]; values: unknown[][] }[]; error?: string }[] };
  if (body.results[0]?.error) throw new Error(`${q}: ${body.results[0].error}`);
  return body.results[0]?.series ?? [];
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${c.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

const cpu = (timeMs: number, field: watchpost.v1.IField): Sample => ({
  measurement: 'cpu',
  timeMs,
  tags: [{ key: 'cpu', value: 'cpu-total' }],
  fields: [field],
});
const disk = (timeMs: number, path: string): Sample => ({
  measurement: 'disk',
  timeMs,
  tags: [
    { key: 'path', value: path },
    { key: 'device', value: 'sdz1' },
    { key: 'fstype', value: 'ext4' },
    { key: 'mode', value: 'rw' },
  ],
  fields: [
    { key: 'free', int: 1_000_000 },
    { key: 'used_percent', float: 42.5 },
  ],
});

/** The most recent 23:50 UTC before now: a collector clock 10 minutes before a new UTC day (a new shard). */
function lastTenToMidnight(): number {
  const now = Date.now();
  const day = Math.floor(now / (24 * HOUR)) * 24 * HOUR;
  const candidate = day + 23 * HOUR + 50 * 60_000;
  return candidate <= now ? candidate : candidate - 24 * HOUR;
}

describe('field-type poisoning', () => {
  it("an agent's string cpu usage_idle stamped in the next UTC day is refused; another tenant's cpu points are still stored", async () => {
    const attacker = await connect('acme');
    const victim = await connect('globex');
    const tenToMidnight = lastTenToMidnight();
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(tenToMidnight);
    const nextDay = tenToMidnight + 14 * 60_000; // 00:04 UTC: within the 15 min of future skew the mapping allows
    expect(new Date(nextDay).getUTCDate()).not.toBe(new Date(tenToMidnight).getUTCDate());
    const before = await metric('watchpost_rejections_total', 'reason="field_type"');

    const poisoned = await send(attacker.agent, 1, [cpu(nextDay, { key: 'usage_idle', str: 'pwned' })]);
    const victims = await send(victim.agent, 1, [cpu(nextDay + 1, { key: 'usage_idle', float: 97.5 })]);

    const stored = await query(`SELECT usage_idle, tenant FROM cpu WHERE time >= ${nextDay}ms`);
    expect(stored[0]?.values).toEqual([[nextDay + 1, 97.5, 'globex']]);
    expect(poisoned).toEqual({ seq: 1, rejected: 1, reason: expect.stringMatching(/^field_type/) });
    expect(victims).toEqual({ seq: 1, rejected: 0, reason: '' });
    expect(await metric('watchpost_rejections_total', 'reason="field_type"')).toBe(before + 1);
    attacker.agent.socket.close();
    victim.agent.socket.close();
  });
});

describe("the collector's own measurements", () => {
  it('an agent cannot write alerts, tickets, tickets_open or os_support; os_support derived from its inventory is still written', async () => {
    const { agent } = await connect('acme');
    const now = Date.now();
    const forged = (measurement: string): Sample => ({
      measurement,
      timeMs: now,
      tags: [{ key: 'rule', value: 'disk_space' }],
      fields: [{ key: 'forged', str: 'yes' }],
    });
    const inventory: Sample = {
      measurement: 'inventory',
      timeMs: now,
      fields: [
        { key: 'os_family', str: 'linux' },
        { key: 'os_id', str: 'debian' },
        { key: 'os_version_id', str: '12' },
        { key: 'hostname', str: 'test-host' },
      ],
    };
    const ack = await send(agent, 1, [forged('alerts'), forged('tickets'), forged('tickets_open'), forged('os_support'), inventory]);
    for (const measurement of ['alerts', 'tickets', 'tickets_open', 'os_support']) {
      expect(await query(`SELECT * FROM ${measurement} WHERE forged = 'yes'`), measurement).toEqual([]);
    }
    expect(ack).toEqual({ seq: 1, rejected: 4, reason: expect.stringMatching(/^collector_measurement/) });
    const support = await query(`SELECT status FROM os_support WHERE tenant = 'acme' AND time = ${now}ms`);
    expect(support[0]?.values).toEqual([[now, expect.stringMatching(/^(supported|unsupported|unknown)$/)]]);
    agent.socket.close();
  });
});

describe('cardinality exhaustion', () => {
  it("an agent sending 10,500 distinct disk paths hits its budget; another tenant's new volume is still stored", async () => {
    const attacker = await connect('acme');
    const now = Date.now();
    const distinct = 10_500;
    let rejected = 0;
    for (let seq = 1, i = 0; i < distinct; seq++) {
      const samples = Array.from({ length: Math.min(2_100, distinct - i) }, (_, k) => disk(now, `/attack/${i + k}`));
      i += samples.length;
      const ack = await send(attacker.agent, seq, samples);
      rejected += ack.rejected;
      if (ack.rejected > 0) expect(ack.reason).toMatch(/^series_budget/);
    }
    const victim = await connect('globex');
    expect(await send(victim.agent, 1, [disk(now, '/srv/new-volume')])).toEqual({ seq: 1, rejected: 0, reason: '' });
    expect((await query(`SELECT free FROM disk WHERE tenant = 'globex' AND path = '/srv/new-volume'`))[0]?.values).toHaveLength(1);

    const budget = c.config.agents.seriesPerMeasurement;
    expect(budget).toBeLessThan(MAX_VALUES_PER_TAG);
    expect(rejected).toBe(distinct - budget);
    // A series the agent already has is not new: still accepted once the budget is spent.
    expect(await send(attacker.agent, 100, [disk(now + 1, '/attack/0')])).toEqual({ seq: 100, rejected: 0, reason: '' });
    expect((await query(`SELECT count(free) FROM disk WHERE tenant = 'acme' AND time = ${now}ms`))[0]?.values[0]?.[1]).toBe(budget);
    expect(await metric('watchpost_rejections_total', 'reason="series_budget"')).toBe(distinct - budget);

    // The refusals become a point of the collector's own (for dashboards and rules) and a ticket by the shipped rule.
    const points = await query(`SELECT sum(samples) FROM rejections WHERE tenant = 'acme' AND reason = 'series_budget'`);
    expect(points[0]?.values[0]?.[1]).toBe(distinct - budget);
    const tickets = c.store.tickets.list().filter((t) => t.ruleId === 'agent_rejected_samples' && t.host === attacker.hostname);
    expect(tickets).toEqual([expect.objectContaining({ tenant: 'acme', status: 'open' })]);
    attacker.agent.socket.close();
    victim.agent.socket.close();
  });
});

describe('the answer', () => {
  it("a partial write refuses only InfluxDB's dropped points: the Ack and the metric count one, not the batch", async () => {
    const { agent } = await connect('globex');
    const now = Date.now();
    // The measurement already holds an integer `level` in this shard (a point from before the collector started).
    const direct = await fetch(`${influx.url}/write?db=${DB}&rp=raw&precision=ms`, { method: 'POST', body: `custom_backup,host=other level=1i ${now}` });
    expect(direct.status).toBe(204);
    const before = await metric('watchpost_rejections_total', 'reason="influx_rejected"');
    const ack = await send(agent, 1, [
      { measurement: 'custom_backup', timeMs: now, tags: [{ key: 'job', value: 'nightly' }], fields: [{ key: 'level', float: 2.5 }] },
      cpu(now, { key: 'usage_idle', float: 50 }),
      cpu(now + 1, { key: 'usage_idle', float: 51 }),
    ]);
    expect(await metric('watchpost_rejections_total', 'reason="influx_rejected"')).toBe(before + 1);
    expect(ack).toEqual({ seq: 1, rejected: 1, reason: expect.stringMatching(/^influx_rejected: .*field type conflict/) });
    expect(agent.frames.filter((e) => e.msg === 'error')).toEqual([]);
    expect((await query(`SELECT count(usage_idle) FROM cpu WHERE tenant = 'globex' AND time >= ${now}ms`))[0]?.values[0]?.[1]).toBe(2);
    agent.socket.close();
  });

  it('refusals are logged at most once a minute per agent, however many batches are refused', async () => {
    const { agent, agentId } = await connect('acme');
    const future = Date.now() + 3_600_000; // refused by the mapping: more than 15 min ahead
    const acks: Ack[] = [];
    for (let seq = 1; seq <= 30; seq++) acks.push(await send(agent, seq, [cpu(future, { key: 'usage_idle', float: 1 })]));
    expect(logLines.filter((l) => l.agentId === agentId && /refused/.test(l.msg))).toHaveLength(1);
    expect(acks.map((a) => a.rejected)).toEqual(Array(30).fill(1));
    agent.socket.close();
  });
});

// The trust model, end to end: "an agent can only write its own host's points in its own tenant, within its
// budget". A real collector process (serve), a real influxd and a real compiled agent of one client (the victim)
// streaming, while an enrolled agent of another client (the attacker, holding a real credential as a phished PC
// does) speaks the protocol itself and tries every attack of the collector's security test in one session: another
// host's name at Hello, line-protocol injection through tags, names and strings, a field named like the identity
// tags, field-type poisoning in the next UTC day, forged alerts/tickets/os_support, a flood of distinct disk
// paths, and a Hello that crashed the collector. Afterwards every series in InfluxDB is checked: each carries an
// enrolled agent's own (host, tenant) pair, and the victim's points still flow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type watchpost } from '../../proto/index.js';
import { CLOSE } from '../../collector/src/errors.js';
import { openAgent, type TestAgent } from '../helpers/agent-client.js';
import { until } from '../helpers/until.js';
import { HOST, startStack, stopProc, type Proc, type Stack } from './harness.js';

const VICTIM_TENANT = 'victimco';
const ATTACKER_TENANT = 'faults';
const ATTACKER = 'attacker-pc';
/** More distinct disk paths than the default budget per measurement (1,000) admits. */
const FLOOD_PATHS = 3_000;
/** Measurements the collector writes about the fleet as a whole, under its own hostname (not an agent's). */
const COLLECTOR_WIDE = new Set(['tickets_open', 'sla_month']);

type Sample = watchpost.v1.ISample;

let stack: Stack;
let victim: Proc;
let attacker: TestAgent;
let seq = 0;

/** Sends one batch and resolves with its Ack (rejected count and reason). */
async function send(samples: Sample[]): Promise<{ rejected: number; reason: string }> {
  const s = ++seq;
  attacker.send({ batch: { seq: s, samples } });
  const { ack } = await attacker.next((e) => e.ack?.seq === s);
  return { rejected: ack!.rejected ?? 0, reason: ack!.reason ?? '' };
}

const point = (measurement: string, tags: Record<string, string>, fields: watchpost.v1.IField[], timeMs = Date.now()): Sample => ({
  measurement,
  timeMs,
  tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  fields,
});

/** Tags of an InfluxDB series key (`m,k=v,...`, with `\,` `\=` `\ ` escapes). */
function seriesTags(key: string): { measurement: string; tags: Record<string, string> } {
  const parts = key.split(/(?<!\\),/);
  const unescape = (text: string) => text.replace(/\\([, =])/g, '$1');
  const tags: Record<string, string> = {};
  for (const part of parts.slice(1)) {
    const [k = '', v = ''] = part.split(/(?<!\\)=/);
    tags[unescape(k)] = unescape(v);
  }
  return { measurement: unescape(parts[0] ?? ''), tags };
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${stack.server}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function victimCpuPointsSince(timeMs: number): Promise<number> {
  const series = await stack.query(`SELECT count(usage_idle) FROM cpu WHERE tenant = '${VICTIM_TENANT}' AND host = '${HOST}' AND time > ${timeMs}ms`);
  return Number(series[0]?.values[0]?.[1] ?? 0);
}

beforeAll(async () => {
  stack = await startStack();
  await stack.startCollector();
  await stack.addTenant(VICTIM_TENANT);
  victim = stack.startAgent(await stack.enrollAgent('victim', VICTIM_TENANT));
  const { credential } = await stack.enrollCredential(ATTACKER, ATTACKER_TENANT);
  attacker = await openAgent(`${stack.server.replace('http', 'ws')}/agent/v1`, credential);
  // Attack: say Hello as the victim's host.
  attacker.send({ hello: { protocolVersion: PROTOCOL_VERSION, agentVersion: '1.0.0', hostname: HOST, os: 'linux', arch: 'x64' } });
  await attacker.next((e) => e.msg === 'welcome');
  await until(async () => (await victimCpuPointsSince(0)) > 0, 60_000, "the victim agent's cpu points");
}, 300_000);

afterAll(async () => {
  attacker?.socket.close();
  await stopProc(victim);
  await stack?.close();
});

describe("an agent can only write its own host's points in its own tenant, within its budget", () => {
  it('refuses every attack of one session and leaves no series outside an enrolled (host, tenant) pair', async () => {
    const attackStart = Date.now();
    const injected = `z\ncpu,cpu=cpu-total,host=${HOST},tenant=${VICTIM_TENANT} usage_user=99.5 ${attackStart}\n`;

    // Line-protocol injection through a tag value, a tag key, a measurement name and a field key.
    const injection = await send([
      point('cpu', { cpu: 'a\\ b\\="' }, [
        { key: 'usage_idle', float: 1 },
        { key: 'usage_user', float: 1 },
      ]),
      point('custom_probe', { 'k\\ x': '"' }, [{ key: 'note', str: injected }]),
      point('custom_x\\ y="', {}, [{ key: 'note', str: injected }]),
      point('custom_probe', {}, [{ key: 'k\\="', str: injected }]),
    ]);
    expect(injection.rejected).toBe(4);

    // Identity through tags and fields: tags are replaced, fields named host or tenant refused.
    const identity = await send([
      point('custom_probe', { host: HOST, tenant: VICTIM_TENANT }, [{ key: 'note', str: 'mine' }]),
      point('custom_probe', {}, [{ key: 'tenant', str: VICTIM_TENANT }]),
    ]);
    expect(identity.rejected).toBe(1);

    // Field-type poisoning in the next day's shard, and forged collector measurements.
    const poison = await send([
      point('cpu', { cpu: 'cpu-total' }, [{ key: 'usage_idle', str: 'pwned' }], Date.now() + 14 * 60_000),
      point('alerts', { rule: 'disk_space' }, [{ key: 'state', str: 'firing' }]),
      point('tickets', { rule: 'disk_space' }, [{ key: 'ticket_id', int: 1 }]),
      point('os_support', {}, [{ key: 'status', str: 'supported' }]),
      point('tickets_open', { priority: 'P1' }, [{ key: 'count', int: 0 }]),
    ]);
    expect(poison.rejected).toBe(5);

    // Cardinality: distinct disk paths, in frames the collector's per-agent limits allow.
    let floodRefused = 0;
    for (let i = 0; i < FLOOD_PATHS; i += 500) {
      const batch = Array.from({ length: 500 }, (_, k) => point('disk', { path: `/flood/${i + k}` }, [{ key: 'used_percent', float: 1 }]));
      floodRefused += (await send(batch)).rejected;
    }
    expect(floodRefused).toBe(FLOOD_PATHS - 1_000);

    // The Hello that crashed the collector for every tenant, on a second connection of the same credential.
    const { credential } = await stack.enrollCredential('attacker-pc-2', ATTACKER_TENANT);
    const crasher = await openAgent(`${stack.server.replace('http', 'ws')}/agent/v1`, credential);
    crasher.send({ hello: { protocolVersion: PROTOCOL_VERSION } });
    expect((await crasher.closed).code).toBe(CLOSE.policyViolation);

    // The collector is up and the victim's points keep arriving, as floats.
    expect(stack.collector!.child.exitCode).toBeNull();
    await until(async () => (await victimCpuPointsSince(attackStart + 2_000)) > 0, 60_000, "the victim's cpu points after the attack");

    // Every series carries an enrolled agent's own pair; the attacker's disk series are within its budget.
    const pairs = new Set([`${HOST}\u0000${VICTIM_TENANT}`, `${ATTACKER}\u0000${ATTACKER_TENANT}`]);
    const series = (await stack.query('SHOW SERIES')).flatMap((s) => (s.values as string[][]).map((v) => seriesTags(v[0]!)));
    const foreign = series.filter(({ measurement, tags }) => !COLLECTOR_WIDE.has(measurement) && !pairs.has(`${tags.host}\u0000${tags.tenant}`));
    expect(foreign).toEqual([]);
    expect(series.filter((s) => s.measurement === 'disk' && s.tags.host === ATTACKER)).toHaveLength(1_000);
    const attackerMeasurements = new Set(series.filter((s) => s.tags.host === ATTACKER).map((s) => s.measurement));
    // What it wrote itself, and what the collector wrote about it: its refusals, and the alert and ticket of the
    // default rule that tickets an agent whose samples were refused.
    expect([...attackerMeasurements].sort()).toEqual(['alerts', 'custom_probe', 'disk', 'rejections', 'tickets']);
    const aboutAttacker = series.filter((s) => s.tags.host === ATTACKER && (s.measurement === 'alerts' || s.measurement === 'tickets'));
    expect(new Set(aboutAttacker.map((s) => s.tags.rule))).toEqual(new Set(['agent_rejected_samples']));
    const cpuTypes = await stack.query('SHOW FIELD KEYS FROM cpu');
    expect((cpuTypes[0]?.values as string[][]).filter(([key]) => key === 'usage_idle')).toEqual([['usage_idle', 'float']]);

    // Counted, and no ticket names the victim's host in the attacker's tenant.
    expect(await metric('watchpost_rejections_total', '{reason="series_budget"}')).toBe(FLOOD_PATHS - 1_000);
    expect(await metric('watchpost_rejections_total', '{reason="collector_measurement"}')).toBe(4);
    expect(await metric('watchpost_rejections_total', '{reason="bad_hello"}')).toBe(1);
    const res = await fetch(`${stack.server}/api/v1/tickets?tenant=${ATTACKER_TENANT}`, {
      headers: { authorization: `Bearer ${stack.env.WATCHPOST_ADMIN_KEY}` },
    });
    const { tickets } = (await res.json()) as { tickets: { host: string }[] };
    expect(tickets.filter((t) => t.host !== ATTACKER)).toEqual([]);
  }, 300_000);
});

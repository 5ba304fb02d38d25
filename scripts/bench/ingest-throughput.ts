// Ingest throughput benchmark: points/s through the collector into InfluxDB, acked, against raw
// line-protocol writes of the same points straight to the same influxd. Goal: ratio >= 0.5.
//
// The points: every agent is a host with the agent's core measurements (cpu-total plus CPU_CORES cores, mem, two
// disks, two network interfaces, system; Telegraf's names), one collection every COLLECT_EVERY_MS of agent time;
// a batch holds --collections consecutive collections. Both phases handle the same hosts, batches and points.
//   1. Baseline: the bench builds each host's batches and maps them with the collector's own samplesToLines into
//      requests of the collector's batch size (not timed, but the mapping's cost per point is reported), then POSTs
//      them to /write of database `baseline` one at a time (as the collector's writer sends its batches): timed.
//   2. Through the collector: the same points as protocol batches from --agents agents on real WebSockets, each
//      keeping IN_FLIGHT batches unacked (the agent's link window) and sending the next one on each Ack; the
//      collector acks after the InfluxDB write (database `watchpost`, policy `autogen`). A batch answered
//      "unavailable" (the writer's queue is full) is resent after UNAVAILABLE_RETRY_MS, as the agent's link does.
// Each phase is timed from its first write/send to its last response/ack, and the points are counted in InfluxDB
// afterwards. Client and collector share one process (and the machine with influxd), as in the other benches.
//
//   npx tsx scripts/bench/ingest-throughput.ts [--agents 200] [--batches 50] [--collections 10]
import { parseArgs } from 'node:util';
import { wire } from '../../proto/index.js';
import { samplesToLines } from '../../collector/src/influx/line-protocol.js';
import { DEFAULT_BATCH_SIZE } from '../../collector/src/influx/writer.js';
import { BENCH_TENANT, startBenchCollector } from './lib/collector.js';
import { connectFleet, type Agent, type Fleet } from './lib/fleet.js';
import { enrollAgents, hostnameOf, startLoad, type LoadFleet } from './lib/loadgen.js';
import { machine, sleep } from './lib/stats.js';
import { batchSamples, COLLECT_EVERY_MS, CPU_CORES, SAMPLES_PER_COLLECTION } from './lib/host-points.js';

const GOAL_RATIO = 0.5;
const IN_FLIGHT = 4; // the agent link's window with no backlog waiting (agent/src/delivery/send-window.ts BASE_WINDOW)
const UNAVAILABLE_RETRY_MS = 5_000; // agent/src/delivery/link.ts: a batch answered "unavailable" is resent after this
const STALL_MS = 30_000; // no ack for this long: the run failed
/** Measurement -> a field every point of it has (for counting). */
const COUNTED: Record<string, string> = { cpu: 'usage_idle', mem: 'used_percent', disk: 'used_percent', net: 'bytes_recv', system: 'uptime' };

interface Args {
  agents: number;
  batches: number;
  collections: number;
  /** The agents in load-generator processes (lib/loadgen.ts) instead of this one. */
  clientProcesses: boolean;
}

function args(): Args {
  const { values } = parseArgs({
    options: {
      agents: { type: 'string', default: '200' },
      batches: { type: 'string', default: '50' },
      collections: { type: 'string', default: '10' },
      'client-processes': { type: 'boolean', default: false },
    },
  });
  const parsed = { agents: Number(values.agents), batches: Number(values.batches), collections: Number(values.collections) };
  for (const [key, value] of Object.entries(parsed)) if (!(Number.isInteger(value) && value > 0)) throw new Error(`--${key}: expected a positive integer`);
  return { ...parsed, clientProcesses: values['client-processes'] === true };
}

/** Host h's name: as connectFleet names them, or the load generator with --client-processes. */
const hostnameFor =
  (a: Args) =>
  (h: number): string =>
    a.clientProcesses ? hostnameOf(h) : `bench-${String(h).padStart(5, '0')}`;

async function influxQuery(url: string, q: string): Promise<unknown> {
  const response = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q }) });
  if (!response.ok) throw new Error(`${q}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/** Points stored in `db`.`rp`, counted by one field each point of a measurement has. */
async function countPoints(url: string, db: string, rp: string): Promise<number> {
  let total = 0;
  for (const [measurement, field] of Object.entries(COUNTED)) {
    const body = (await influxQuery(url, `SELECT count("${field}") FROM "${db}"."${rp}"."${measurement}"`)) as {
      results: { series?: { values: [string, number][] }[] }[];
    };
    total += body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
  }
  return total;
}

interface Phase {
  points: number;
  seconds: number;
  stored: number;
  /** Milliseconds by part (baseline: building + mapping, and waiting on /write; collector: client encoding). */
  parts: Record<string, number>;
}

/**
 * Baseline: the same points mapped by samplesToLines into requests of DEFAULT_BATCH_SIZE lines first (timed
 * apart: the mapping cost per point), then POSTed one request at a time, as the collector's writer sends them.
 * The rate is the writes' alone: raw line protocol straight to influxd.
 */
async function baseline(url: string, a: Args, startMs: number): Promise<Phase> {
  await influxQuery(url, 'CREATE DATABASE baseline');
  const parts = { build: 0, map: 0 };
  let points = 0;
  const [bodies, pending]: [string[], string[]] = [[], []];
  for (let b = 0; b < a.batches; b++) {
    for (let h = 0; h < a.agents; h++) {
      let t = performance.now();
      const samples = batchSamples(h, b, a.collections, startMs);
      parts.build += performance.now() - t;
      t = performance.now();
      const { lines, rejected } = samplesToLines(samples, { host: hostnameFor(a)(h), tenant: BENCH_TENANT });
      parts.map += performance.now() - t;
      if (rejected.length > 0) throw new Error(`the mapping refused ${rejected.length} samples: ${rejected[0]?.reason}`);
      points += lines.length;
      pending.push(...lines);
      while (pending.length >= DEFAULT_BATCH_SIZE) bodies.push(pending.splice(0, DEFAULT_BATCH_SIZE).join('\n'));
    }
  }
  if (pending.length > 0) bodies.push(pending.join('\n'));
  const t0 = performance.now();
  for (const body of bodies) {
    const response = await fetch(`${url}/write?db=baseline&precision=ms`, { method: 'POST', body });
    if (response.status !== 204) throw new Error(`baseline write: HTTP ${response.status} ${await response.text()}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { points, seconds, stored: await countPoints(url, 'baseline', 'autogen'), parts };
}

/** Through the collector: every agent sends its batches in order, IN_FLIGHT unacked at a time. */
async function throughCollector(fleet: Fleet, a: Args, startMs: number): Promise<Omit<Phase, 'stored'> & { unavailable: number }> {
  const parts = { encode: 0 };
  let [points, acked, lastAckAt, errors, firstError, unavailable] = [0, 0, performance.now(), 0, '', 0];
  const total = a.agents * a.batches;
  const hostIndex = new Map(fleet.agents.map((agent) => [agent.hostname, Number(agent.hostname.slice('bench-'.length))]));
  /** Batch b is seq b + 1 (a fresh fleet has sent nothing); a resend is the same seq and samples. */
  const send = (agent: Agent, b: number): void => {
    const t = performance.now();
    const seq = b + 1;
    agent.seq = Math.max(agent.seq, seq);
    const frame = wire.Envelope.encode({ batch: { seq, samples: batchSamples(hostIndex.get(agent.hostname)!, b, a.collections, startMs) } }).finish();
    parts.encode += performance.now() - t;
    agent.unacked.set(seq, { at: t, breach: false });
    agent.socket.send(frame);
  };
  const t0 = performance.now();
  const done = new Promise<void>((resolve) => {
    for (const agent of fleet.agents) {
      let next = 0;
      agent.socket.on('message', (data: Buffer) => {
        const { error } = wire.Envelope.decode(data);
        if (!error) return;
        if (error.code === wire.ErrorCode.ERROR_CODE_UNAVAILABLE && error.seq) {
          // Not stored (the writer's queue is full): like the agent's link, resend it after UNAVAILABLE_RETRY_MS.
          unavailable += 1;
          const seq = error.seq;
          setTimeout(() => send(agent, seq - 1), UNAVAILABLE_RETRY_MS);
          return;
        }
        errors += 1;
        firstError ||= `${error.code}: ${error.message}`;
      });
      agent.onAck = () => {
        acked += 1;
        points += a.collections * SAMPLES_PER_COLLECTION;
        lastAckAt = performance.now();
        if (next < a.batches) send(agent, next++);
        if (acked === total) resolve();
      };
      while (next < Math.min(IN_FLIGHT, a.batches)) send(agent, next++);
    }
  });
  const watchdog = (async () => {
    while (acked < total) {
      await sleep(1000);
      if (performance.now() - lastAckAt > STALL_MS)
        throw new Error(`no ack for ${STALL_MS / 1000} s: ${acked}/${total} batches acked, ${errors} error answers (first ${firstError})`);
    }
  })();
  await Promise.race([done, watchdog]);
  if (errors > 0) throw new Error(`${errors} batches were answered with an error (first ${firstError})`);
  return { points, seconds: (lastAckAt - t0) / 1000, parts, unavailable };
}

const rate = (p: { points: number; seconds: number }): number => p.points / p.seconds;
const k = (n: number): string => `${(n / 1000).toFixed(1)}k`;

/** Through the collector, with the agents in load-generator processes: the same batches, the same window. */
async function throughProcesses(load: LoadFleet, a: Args, startMs: number): Promise<Omit<Phase, 'stored'> & { unavailable: number }> {
  const result = await load.flood({ batches: a.batches, collections: a.collections, startMs, inFlight: IN_FLIGHT, retryMs: UNAVAILABLE_RETRY_MS });
  if (result.firstError) throw new Error(`batches were answered with an error (first ${result.firstError})`);
  const points = a.agents * a.batches * a.collections * SAMPLES_PER_COLLECTION;
  return { points, seconds: result.ms / 1000, parts: { encode: result.encodeMs }, unavailable: result.resent };
}

async function main(): Promise<void> {
  const a = args();
  const collector = await startBenchCollector({ name: 'wp-ingest-bench' });
  let fleet: Fleet | undefined;
  let load: LoadFleet | undefined;
  try {
    if (!collector.influxUrl) throw new Error('this bench needs a real influxd on PATH');
    // Agent time: the run's collections end about now, so every point is inside the raw policy's day.
    const startMs = Math.floor(Date.now() / 1000) * 1000 - a.batches * a.collections * COLLECT_EVERY_MS;
    const expected = a.agents * a.batches * a.collections * SAMPLES_PER_COLLECTION;
    const t0 = performance.now();
    if (a.clientProcesses) load = await startLoad(`ws://127.0.0.1:${collector.port}/agent/v1`, enrollAgents(collector.store, BENCH_TENANT, a.agents));
    else fleet = await connectFleet(collector.port, collector.token(a.agents), a.agents);
    console.error(`${a.agents} agents enrolled and connected in ${((performance.now() - t0) / 1000).toFixed(1)} s; baseline first`);
    const base = await baseline(collector.influxUrl, a, startMs);
    console.error(`baseline: ${k(rate(base))} points/s; now through the collector`);
    const run = load ? await throughProcesses(load, a, startMs) : await throughCollector(fleet!, a, startMs);
    const through = { ...run, stored: await countPoints(collector.influxUrl, 'watchpost', 'autogen') };
    const ms = (n: number): string => `${(n / 1000).toFixed(1)} s`;
    console.log(`machine   ${machine()}`);
    console.log(
      `setup     ${a.agents} hosts x ${a.batches} batches x ${a.collections} collections x ${SAMPLES_PER_COLLECTION} samples (cpu-total + ${CPU_CORES} cores, mem, 2 disks, 2 nets, system) = ${expected} points per phase;`,
    );
    console.log(`          ${collector.describe()}; writer batch ${DEFAULT_BATCH_SIZE} points`);
    console.log('results');
    console.log(
      `  baseline: raw line protocol, POST /write (${DEFAULT_BATCH_SIZE}/request, one at a time)  ${k(rate(base))} points/s  (${base.points} points in ${base.seconds.toFixed(1)} s; stored ${base.stored})`,
    );
    const perPoint = (n: number): string => `${((n * 1000) / base.points).toFixed(2)} µs/point`;
    console.log(
      `    before the timed writes: building the samples ${perPoint(base.parts.build ?? 0)}, samplesToLines ${perPoint(base.parts.map ?? 0)} (${k(base.points / ((base.parts.map ?? 0) / 1000))} points/s on one core)`,
    );
    console.log(
      `  through the collector: ${a.agents} agents${load ? ` in ${load.processes} load-generator process(es)` : ''}, ${IN_FLIGHT} batches in flight each, acked    ${k(rate(through))} points/s  (${through.points} points in ${through.seconds.toFixed(1)} s; stored ${through.stored})`,
    );
    console.log(
      `    client-side building + encoding (${load ? 'in the load processes' : 'same process'}) ${ms(through.parts.encode ?? 0)}; batches answered "unavailable" (writer queue full) and resent after ${UNAVAILABLE_RETRY_MS / 1000} s: ${through.unavailable}`,
    );
    const ratio = rate(through) / rate(base);
    const complete = base.stored === expected && through.stored === expected;
    console.log(`ratio     ${ratio.toFixed(2)} (through the collector / baseline)`);
    console.log(`stored    ${complete ? `every point in InfluxDB in both phases (${expected} each)` : `MISMATCH: expected ${expected} per phase`}`);
    console.log(`goal      ratio >= ${GOAL_RATIO}: ${ratio >= GOAL_RATIO && complete ? 'met' : 'NOT met'}`);
  } finally {
    fleet?.close();
    await load?.stop();
    await collector.close();
  }
}

await main();

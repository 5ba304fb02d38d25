// Scale benchmark: one collector against N agents from the multi-process load generator
// (lib/loadgen.ts: several processes, each from its own 127.0.0.x source address, real WebSockets, real protocol),
// for each N in --agents, with a fresh collector (SQLite, real influxd) per N. Per N, in order:
//   (b) idle connections: the collector process's RSS after a full GC with every agent connected and silent,
//       against the same process's RSS before any connected (the baseline, same run): (after - before) / N.
//       The kernel's TCP buffer memory (/proc/net/sockstat "TCP mem", machine-wide) is printed beside it.
//   (d) CPU per report: every agent sends one report (11 points: cpu-total + 4 cores, mem, 2 disks, 2 nets, system)
//       every --every seconds at a random phase; after one period of warm-up, the collector process's CPU time
//       (user + system) over --window seconds divided by the reports acked in it. Flat across N is the goal.
//   (c) alert latency (for N in --latency): --breaches agents, each a different one, send a report with /data
//       over disk_space's critical level, spread over --breach-seconds during the same load; latency = breach
//       handed to the socket (load process) -> the transaction that opened its ticket committed (collector
//       process), on the machine's shared clock. Baseline in the same run: the ordinary report's send -> ack.
// The collector runs in this process (so its RSS and CPU are this process's); the load processes are measured
// apart. influxd shares the machine (2 cores here).
//
// With --store postgres, every N runs twice: first on SQLite (the baseline, same run), then with the collector's store
// on a private PostgreSQL server (scripts/lib/postgres.ts: loopback, fsync on); the ticket's commit is read the same
// way (the wrapped store's transaction returning, which for PostgreSQL is after its COMMIT answered).
//
//   npx tsx scripts/bench/scale.ts [--agents 1000,5000,10000,19900] [--latency 1000,10000] [--every 60] [--window 60]
//                                  [--breaches 200] [--breach-seconds 40] [--store sqlite|postgres]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BENCH_TENANT, startBenchCollector, watchEngine } from './lib/collector.js';
import { enrollAgents, startLoad, type LoadFleet } from './lib/loadgen.js';
import { fmt, machine, sleep, stats } from './lib/stats.js';

const GOAL_RSS_PER_CONNECTION_KB = 15;
const GOAL_P99_MS = 100;
const IDLE_SETTLE_MS = 5_000; // after the last Welcome, before the idle measurement
const SETTLE_MS = 15_000; // longest wait for the last tickets after the last breach

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const list = (text: string): number[] => text.split(',').filter(Boolean).map(Number);
const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000,5000,10000,19900' },
    latency: { type: 'string', default: '1000,10000' },
    every: { type: 'string', default: '60' },
    window: { type: 'string', default: '60' },
    breaches: { type: 'string', default: '200' },
    'breach-seconds': { type: 'string', default: '40' },
    store: { type: 'string', default: 'sqlite' },
  },
});
if (!['sqlite', 'postgres'].includes(values.store!)) throw new Error('--store: sqlite or postgres');
/** SQLite always; PostgreSQL after it when asked, so SQLite is the same run's baseline. */
const stores: ('sqlite' | 'postgres')[] = values.store === 'postgres' ? ['sqlite', 'postgres'] : ['sqlite'];
const counts = list(values.agents!);
const latencyAt = new Set(list(values.latency!));
const everyMs = Number(values.every) * 1000;
const windowMs = Number(values.window) * 1000;
const breaches = Number(values.breaches);
const breachSeconds = Number(values['breach-seconds']);

/** RSS after two full collections (the second finishes what the first's finalizers freed). */
async function settledRss(): Promise<number> {
  gc();
  await sleep(200);
  gc();
  return process.memoryUsage().rss;
}

/** Machine-wide kernel memory of TCP buffers, bytes (pages of 4 KiB). */
function tcpKernelBytes(): number {
  const line =
    readFileSync('/proc/net/sockstat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('TCP:')) ?? '';
  return Number(/mem (\d+)/.exec(line)?.[1] ?? 0) * 4096;
}

const cpuSeconds = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

interface Result {
  store: 'sqlite' | 'postgres';
  agents: number;
  processes: number;
  connected: number;
  connectS: number;
  rssBefore: number;
  rssAfter: number;
  tcpKernel: number;
  reports: number;
  cpuPerReportUs: number;
  loadCpuPerReportUs: number;
  eventLoopNote: string;
  latency?: { breach: ReturnType<typeof stats>; ack: ReturnType<typeof stats>; missing: number };
}

async function runOne(n: number, store: 'sqlite' | 'postgres'): Promise<Result> {
  const committed = new Map<string, number>(); // hostname -> epoch ms the ticket's transaction committed
  const collector = await startBenchCollector({
    name: 'wp-scale-bench',
    store,
    onCommit: (host, at) => committed.set(host, performance.timeOrigin + at),
  });
  let fleet: LoadFleet | undefined;
  try {
    const agents = enrollAgents(collector.store, BENCH_TENANT, n);
    const rssBefore = await settledRss();
    const tcpBefore = tcpKernelBytes();
    fleet = await startLoad(`ws://127.0.0.1:${collector.port}/agent/v1`, agents);
    const { connected } = fleet;
    console.error(
      `${n} agents (${store}): ${connected.count} connected from ${fleet.processes} processes in ${(connected.ms / 1000).toFixed(1)} s${connected.failed ? `, ${connected.failed} failed (${connected.firstError})` : ''}`,
    );
    await sleep(IDLE_SETTLE_MS);
    const rssAfter = await settledRss();
    const tcpKernel = tcpKernelBytes() - tcpBefore;

    const tickMs: number[] = [];
    const stepMs: number[] = [];
    let measuring = false;
    watchEngine(collector.built, new Map(), { tick: (ms, longest) => measuring && tickMs.push(ms) && stepMs.push(longest) });
    fleet.load(everyMs);
    await sleep(everyMs); // every agent has sent once
    const [c0, l0, a0] = [cpuSeconds(), fleet.cpuSeconds(), (await fleet.counts()).acked];
    measuring = true;
    await sleep(windowMs);
    const [c1, l1, a1] = [cpuSeconds(), fleet.cpuSeconds(), (await fleet.counts()).acked];
    const reports = a1 - a0;
    console.error(`  ${reports} reports acked in ${windowMs / 1000} s: collector ${(c1 - c0).toFixed(1)} CPU s, load processes ${(l1 - l0).toFixed(1)} CPU s`);
    const result: Result = {
      store,
      agents: n,
      processes: fleet.processes,
      connected: connected.count,
      connectS: connected.ms / 1000,
      rssBefore,
      rssAfter,
      tcpKernel,
      reports,
      cpuPerReportUs: ((c1 - c0) / reports) * 1e6,
      loadCpuPerReportUs: ((l1 - l0) / reports) * 1e6,
      eventLoopNote: '',
    };

    if (latencyAt.has(n)) {
      await fleet.ackTimes(); // from here on: the baseline, ordinary reports' send -> ack during the breaches
      const sentAt = new Map<string, number>();
      const spacing = (breachSeconds * 1000) / breaches;
      for (let i = 0; i < breaches; i++) {
        const { hostname, at } = await fleet.breach(Math.floor((i * n) / breaches));
        sentAt.set(hostname, at);
        await sleep(spacing);
      }
      const deadline = Date.now() + SETTLE_MS;
      while ([...sentAt.keys()].some((h) => !committed.has(h)) && Date.now() < deadline) await sleep(100);
      const latency = [...sentAt].flatMap(([host, at]) => (committed.has(host) ? [committed.get(host)! - at] : []));
      const ack = (await fleet.ackTimes()).sort((a, b) => a - b);
      result.latency = { breach: stats(latency), ack: stats(ack), missing: breaches - latency.length };
    }
    result.eventLoopNote = tickMs.length ? `engine tick ${fmt(stats(tickMs))}; longest step ${fmt(stats(stepMs))}` : '';
    return result;
  } finally {
    await fleet?.stop();
    await collector.close();
  }
}

const loadAtStart = loadavg()[0]!.toFixed(2);
const results: Result[] = [];
for (const store of stores) for (const n of counts) results.push(await runOne(n, store));

const kb = (bytes: number): string => (bytes / 1024).toFixed(1);
console.log(`machine   ${machine()}`);
console.log(`load      1-minute load average ${loadavg()[0]!.toFixed(2)} at the end (before: ${loadAtStart})`);
if (stores.length > 1)
  console.log(
    'store     SQLite (WAL, synchronous=FULL, /tmp) and PostgreSQL (private server on loopback, fsync and synchronous_commit on, pg client in a worker thread)',
  );
console.log(
  `setup     one collector in this process (${stores.length > 1 ? 'SQLite, then PostgreSQL' : 'SQLite'}, real influxd on loopback); load processes of up to 5000 agents, each from its own 127.0.0.x; report every ${everyMs / 1000} s per agent; CPU window ${windowMs / 1000} s`,
);
console.log('results');
for (const r of results) {
  const perConnection = (r.rssAfter - r.rssBefore) / r.connected;
  console.log(
    `  ${r.agents} agents on ${r.store === 'postgres' ? 'PostgreSQL' : 'SQLite'} (${r.processes} load processes): ${r.connected} connected in ${r.connectS.toFixed(1)} s`,
  );
  console.log(
    `    (b) idle: collector RSS ${(r.rssBefore / 1048576).toFixed(1)} MB before (baseline) -> ${(r.rssAfter / 1048576).toFixed(1)} MB connected: ${kb(perConnection)} KB per connection (goal <= ${GOAL_RSS_PER_CONNECTION_KB}: ${perConnection / 1024 <= GOAL_RSS_PER_CONNECTION_KB ? 'met' : 'NOT met'}); kernel TCP buffers +${kb(r.tcpKernel / r.connected)} KB per connection`,
  );
  console.log(
    `    (d) ${r.reports} reports in the window: collector ${r.cpuPerReportUs.toFixed(0)} us CPU per report (load processes ${r.loadCpuPerReportUs.toFixed(0)} us); ${r.eventLoopNote}`,
  );
  if (r.latency) {
    console.log(
      `    (c) breach -> ticket committed ${fmt(r.latency.breach)}${r.latency.missing ? `  MISSING ${r.latency.missing}` : ''} (goal p99 <= ${GOAL_P99_MS} ms: ${r.latency.breach.p99 <= GOAL_P99_MS && !r.latency.missing ? 'met' : 'NOT met'})`,
    );
    console.log(
      `        baseline: ordinary report send -> ack (after its InfluxDB write) ${fmt(r.latency.ack)}; ratio p99 ${(r.latency.breach.p99 / r.latency.ack.p99).toFixed(2)}x`,
    );
  }
}
for (const pg of results.filter((r) => r.store === 'postgres' && r.latency)) {
  const base = results.find((r) => r.store === 'sqlite' && r.agents === pg.agents)?.latency;
  if (base)
    console.log(
      `ratio     PostgreSQL over SQLite (the baseline), breach -> ticket committed at ${pg.agents} agents: p50 ${(pg.latency!.breach.p50 / base.breach.p50).toFixed(2)}x, p99 ${(pg.latency!.breach.p99 / base.breach.p99).toFixed(2)}x`,
    );
}
const first = results[0];
if (first && results.length > 1 && stores.length === 1) {
  console.log(
    `ratio     CPU per report against ${first.agents} agents (the baseline): ${results.map((r) => `${r.agents}: ${(r.cpuPerReportUs / first.cpuPerReportUs).toFixed(2)}x`).join(', ')}`,
  );
}

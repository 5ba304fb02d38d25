// Cluster ingest benchmark: points/s acked after the InfluxDB write, with
//   (a) one collector on SQLite (the baseline, same run): a `watchpost-collector serve` process, agents straight to
//       its port;
//   (b) one collector on PostgreSQL behind HAProxy: scripts/lib/cluster.ts with two collectors, the second put in
//       HAProxy's maintenance state (it runs, idle, and takes no agent);
//   (c) two collectors on PostgreSQL behind HAProxy (leastconn: the agents split between them).
// The same load generator every time (lib/loadgen.ts flood mode: --agents agents in their own process, each
// sending --batches batches of --collections collections of 11 points with 4 unacked, the next on each Ack; a batch
// answered "unavailable" is resent after 5 s), the same points; in (b) and (c) the agents connect to the balancer's
// port and HAProxy sends a PROXY v2 header to the collectors (agents.proxyProtocol on). One influxd on the same
// machine (continuous queries on, every second, as in the cluster) takes all phases. A fresh tenant per phase and
// round; each phase's points are counted in InfluxDB afterwards.
// CPU per process over each phase comes from /proc/PID/stat (collectors, influxd, HAProxy, PostgreSQL, the load
// generator, this process): with 2 cores, it says which process holds the ceiling.
//
//   npx tsx scripts/bench/cluster-ingest.ts [--agents 200] [--batches 50] [--collections 10] [--rounds 1]
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../collector/src/config/config.js';
import { storeLocation } from '../../collector/src/commands/context.js';
import { openStore, type Store } from '../../collector/src/store/index.js';
import { startCluster, type Cluster } from '../lib/cluster.js';
import { freePort, startInfluxd, type Influxd } from '../lib/influxd.js';
import { COLLECT_EVERY_MS, SAMPLES_PER_COLLECTION } from './lib/host-points.js';
import { enrollAgents, startLoad, type WorkerAgent } from './lib/loadgen.js';
import { cpuBetween, cpuSnapshot, describeCpu, describeMachine, machineSnapshot, type CpuUse } from './lib/proc-cpu.js';
import { machine, sleep } from './lib/stats.js';

const ROOT = resolve(import.meta.dirname, '../..');
const COLLECTOR_BIN = join(ROOT, 'collector/src/bin.ts');
const IN_FLIGHT = 4; // the agent link's window with no backlog waiting (agent/src/delivery/send-window.ts BASE_WINDOW)
const UNAVAILABLE_RETRY_MS = 5_000; // agent/src/delivery/link.ts: a batch answered "unavailable" is resent after this
const START_TIMEOUT_MS = 120_000;
const GOAL_RATIO = 1.6;
/** Measurement -> a field every point of it has (for counting). */
const COUNTED: Record<string, string> = { cpu: 'usage_idle', mem: 'used_percent', disk: 'used_percent', net: 'bytes_recv', system: 'uptime' };
/** Agents connect from 127.0.0.2, .3, ...: the per-IP attempt limit (5/s, burst 100) would throttle the fleet's connects. */
const LIMITS = { WATCHPOST_LIMITS_IP_ATTEMPTS_PER_SECOND: '1000000', WATCHPOST_LIMITS_IP_ATTEMPT_BURST: '1000000' };

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '200' },
    batches: { type: 'string', default: '50' },
    collections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
  },
});
const a = { agents: Number(values.agents), batches: Number(values.batches), collections: Number(values.collections), rounds: Number(values.rounds) };
for (const [key, value] of Object.entries(a)) if (!(Number.isInteger(value) && value > 0)) throw new Error(`--${key}: expected a positive integer`);
const pointsPerPhase = a.agents * a.batches * a.collections * SAMPLES_PER_COLLECTION;

interface Phase {
  name: string;
  tenant: string;
  seconds: number;
  resent: number;
  stored: number;
  cpu: CpuUse;
  /** The whole machine over the flood (other people's processes included). */
  machine: string;
  /** Agents per collector while flooding (HAProxy's sessions), when behind it. */
  split?: string;
}

async function influxQuery(url: string, q: string): Promise<unknown> {
  const response = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q }) });
  if (!response.ok) throw new Error(`${q}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/** Points of `tenant` in the watchpost database's default policy, counted by one field each point of a measurement has. */
async function countPoints(url: string, tenant: string): Promise<number> {
  let total = 0;
  for (const [measurement, field] of Object.entries(COUNTED)) {
    const body = (await influxQuery(url, `SELECT count("${field}") FROM "watchpost".."${measurement}" WHERE "tenant" = '${tenant}'`)) as {
      results: { series?: { values: [string, number][] }[] }[];
    };
    total += body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
  }
  return total;
}

/** Enrolls one fleet per tenant (same hostnames, other tenants), in the store every collector of the phase reads. */
function enrollTenants(store: Store, tenants: string[]): Map<string, WorkerAgent[]> {
  const fleets = new Map<string, WorkerAgent[]>();
  for (const tenant of tenants) {
    store.tenants.add({ id: tenant, name: tenant });
    fleets.set(tenant, enrollAgents(store, tenant, a.agents));
  }
  return fleets;
}

/** One phase: connect the tenant's fleet to `url`, flood, count. CPU per process over the flood alone. */
async function flood(name: string, url: string, tenant: string, agents: WorkerAgent[], influxUrl: string, split?: () => Promise<string>): Promise<Phase> {
  const load = await startLoad(url, agents);
  try {
    if (load.connected.failed > 0) throw new Error(`${load.connected.failed} agents did not connect (first: ${load.connected.firstError})`);
    const shares = split ? await split() : undefined;
    // Agent time: the collections end about now, so every point is inside the raw policy.
    const startMs = Math.floor(Date.now() / 1000) * 1000 - a.batches * a.collections * COLLECT_EVERY_MS;
    const [before, machineBefore] = [cpuSnapshot(), machineSnapshot()];
    const result = await load.flood({ batches: a.batches, collections: a.collections, startMs, inFlight: IN_FLIGHT, retryMs: UNAVAILABLE_RETRY_MS });
    const cpu = cpuBetween(before, cpuSnapshot());
    const machineAfter = machineSnapshot();
    if (result.firstError) throw new Error(`batches were answered with an error (first ${result.firstError})`);
    const phase: Phase = {
      name,
      tenant,
      seconds: result.ms / 1000,
      resent: result.resent,
      stored: 0,
      cpu,
      machine: describeMachine(machineBefore, machineAfter, cpu, result.ms / 1000),
      ...(shares ? { split: shares } : {}),
    };
    await sleep(1_500); // the points are acked after their write; let influxd settle before counting
    phase.stored = await countPoints(influxUrl, tenant);
    console.error(`${name}: ${k(pointsPerPhase / phase.seconds)} points/s (${phase.seconds.toFixed(1)} s)`);
    return phase;
  } finally {
    await load.stop();
  }
}

const k = (n: number): string => `${(n / 1000).toFixed(1)}k`;

/** (a): one `serve` process on SQLite, agents straight to its port (no balancer, no PROXY header). */
async function sqlitePhases(tenants: string[]): Promise<Phase[]> {
  const dir = mkdtempSync(join(tmpdir(), 'wp-cluster-ingest-'));
  const logFile = join(dir, 'collector.log');
  let influx: Influxd | undefined;
  let child: ChildProcess | undefined;
  try {
    mkdirSync(join(dir, 'influxdb'));
    influx = await startInfluxd({ dir: join(dir, 'influxdb'), continuousQueries: { runInterval: '1s' } });
    const port = await freePort();
    const env = {
      ...process.env,
      WATCHPOST_DATA_DIR: join(dir, 'data'),
      WATCHPOST_INFLUX_URL: influx.url,
      WATCHPOST_LISTEN: `127.0.0.1:${port}`,
      WATCHPOST_ADMIN_KEY: 'cluster-admin-key-0123456789',
      WATCHPOST_LOG_LEVEL: 'info',
      ...LIMITS,
    };
    mkdirSync(env.WATCHPOST_DATA_DIR, { recursive: true });
    // Enrolled before the collector starts (the same SQLite file it then opens).
    const store = openStore(storeLocation(loadConfig({ env })));
    const fleets = enrollTenants(store, tenants);
    store.close();
    child = spawn(process.execPath, ['--import', 'tsx', COLLECTOR_BIN, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => appendFileSync(logFile, chunk));
    child.stderr!.on('data', (chunk: Buffer) => appendFileSync(logFile, chunk));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (
      (await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.status,
        () => 0,
      )) !== 200
    ) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`the SQLite collector did not serve; its log ends:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
      await sleep(200);
    }
    const phases: Phase[] = [];
    for (const tenant of tenants)
      phases.push(await flood('(a) 1 collector, SQLite', `ws://127.0.0.1:${port}/agent/v1`, tenant, fleets.get(tenant)!, influx.url));
    return phases;
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((done) => child!.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    await influx?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** (b) and (c): two collectors on PostgreSQL behind HAProxy; in (b) the second is in maintenance. */
async function clusterPhases(bTenants: string[], cTenants: string[]): Promise<{ b: Phase[]; c: Phase[] }> {
  let cluster: Cluster | undefined;
  try {
    cluster = await startCluster({ collectors: 2, env: LIMITS });
    const c = cluster;
    const store = openStore(c.storeUrl);
    const fleets = enrollTenants(store, [...bTenants, ...cTenants]);
    store.close();
    const split = async (): Promise<string> => (await c.haproxy.servers()).map((s) => `${s.name} ${s.status} ${s.sessions}`).join(', ');
    const b: Phase[] = [];
    await c.haproxy.command('set server collectors/c2 state maint');
    for (const tenant of bTenants) b.push(await flood('(b) 1 collector, PostgreSQL, HAProxy', c.wsUrl, tenant, fleets.get(tenant)!, c.influx.url, split));
    await c.haproxy.command('set server collectors/c2 state ready');
    await c.waitAllUp();
    const two: Phase[] = [];
    for (const tenant of cTenants) two.push(await flood('(c) 2 collectors, PostgreSQL, HAProxy', c.wsUrl, tenant, fleets.get(tenant)!, c.influx.url, split));
    for (const collector of c.collectors) {
      const bad = collector.logLines().filter((l) => l.level >= 50);
      if (bad.length > 0) console.error(`${collector.name} logged ${bad.length} errors; first: ${JSON.stringify(bad[0])}`);
    }
    return { b, c: two };
  } finally {
    await cluster?.stop();
  }
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)]!;

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!.toFixed(2);
  const rounds = Array.from({ length: a.rounds }, (_, r) => r + 1);
  const phasesA = await sqlitePhases(rounds.map((r) => `ingest-a${r}`));
  const { b: phasesB, c: phasesC } = await clusterPhases(
    rounds.map((r) => `ingest-b${r}`),
    rounds.map((r) => `ingest-c${r}`),
  );
  const rate = (p: Phase): number => pointsPerPhase / p.seconds;
  console.log(`machine   ${machine()}`);
  console.log(`load      1-minute load average ${loadBefore} at the start, ${loadavg()[0]!.toFixed(2)} at the end`);
  console.log(
    `setup     ${a.agents} agents (one load-generator process) x ${a.batches} batches x ${a.collections} collections x ${SAMPLES_PER_COLLECTION} points = ${pointsPerPhase} points per phase, ${IN_FLIGHT} batches unacked per agent;`,
  );
  console.log(
    '          one influxd (InfluxDB 1.x, continuous queries every 1 s) on the same machine; collectors are `watchpost-collector serve` processes (tsx), log level info;',
  );
  console.log(
    '          (a) SQLite store, agents straight to the collector; (b)/(c) PostgreSQL store (private server on loopback, fsync off) via HAProxy (leastconn, send-proxy-v2)',
  );
  console.log('results');
  for (const p of [...phasesA, ...phasesB, ...phasesC]) {
    console.log(
      `  ${p.name} [${p.tenant}]  ${k(rate(p))} points/s acked (${p.seconds.toFixed(1)} s; stored ${p.stored}${p.stored === pointsPerPhase ? '' : ` MISMATCH, expected ${pointsPerPhase}`}; resent after "unavailable" ${p.resent})${p.split ? `; HAProxy sessions ${p.split}` : ''}`,
    );
    console.log(`      CPU over the phase: ${describeCpu(p.cpu, p.seconds)}`);
    console.log(`      ${p.machine}`);
  }
  const [ra, rb, rc] = [median(phasesA.map(rate)), median(phasesB.map(rate)), median(phasesC.map(rate))];
  console.log(`baseline  (a) one collector on SQLite: ${k(ra)} points/s${a.rounds > 1 ? ` (median of ${a.rounds})` : ''}`);
  console.log(`ratio     (b)/(a) ${(rb / ra).toFixed(2)}   (c)/(a) ${(rc / ra).toFixed(2)}   (c)/(b) ${(rc / rb).toFixed(2)}`);
  console.log(`goal      two collectors >= ${GOAL_RATIO}x one: ${rc / ra >= GOAL_RATIO ? 'met' : 'NOT met'} ((c)/(a) ${(rc / ra).toFixed(2)})`);
}

await main();

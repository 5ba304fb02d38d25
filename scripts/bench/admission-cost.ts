// What admitting an agent's samples costs the collector (collector/src/agent-link/admission/): CPU per point, against the
// line-protocol mapping alone, and the series budget's memory per agent at fleet scale.
//   1. CPU: the frames of mapping-cost.ts (--hosts hosts, 10 collections of the core measurements each), decoded
//      once; each round maps every batch with samplesToLines (the mapping alone, as before admission existed),
//      then admits it (schema, mapping and series budget: what ingest does now). Best of --rounds, us per point.
//   2. Memory: --agents agents, each with the series of a real server (cpu-total and 16 cores, mem, system, 4
//      disks, 4 interfaces, inventory, services with 5 stopped, 100 eventlog channel/level/source sets, eventlog
//      counts, antivirus, patches, the agent's own: about 160 series), admitted into one budget. Heap and
//      ArrayBuffer growth after a forced GC, divided by the agents; and the tables' own bytes.
//
//   node --expose-gc --import tsx scripts/bench/admission-cost.ts [--hosts 500] [--rounds 20] [--agents 20000]
import { parseArgs } from 'node:util';
import { wire, type watchpost } from '../../proto/index.js';
import { samplesToLines } from '../../collector/src/influx/line-protocol.js';
import { createAdmission } from '../../collector/src/agent-link/admission/admission.js';
import { createSeriesBudget, DEFAULT_SERIES_PER_AGENT, DEFAULT_SERIES_PER_MEASUREMENT } from '../../collector/src/agent-link/admission/series-budget.js';
import { batchSamples, SAMPLES_PER_COLLECTION } from './lib/host-points.js';
import { machine } from './lib/stats.js';
import { probes } from '../../agent/src/probes/index.js';

const COLLECTIONS = 10;
const DAY_MS = 86_400_000;

const { values } = parseArgs({
  options: { hosts: { type: 'string', default: '500' }, rounds: { type: 'string', default: '20' }, agents: { type: 'string', default: '20000' } },
});
const hosts = Number(values.hosts);
const rounds = Number(values.rounds);
const agents = Number(values.agents);

function cpuCost(): void {
  const startMs = Date.now() - 3_600_000;
  const batches = Array.from({ length: hosts }, (_, h) =>
    wire.Batch.decode(wire.Batch.encode({ seq: 1, samples: batchSamples(h, 0, COLLECTIONS, startMs) }).finish()),
  );
  const points = hosts * COLLECTIONS * SAMPLES_PER_COLLECTION;
  const admission = createAdmission({ series: { perMeasurement: DEFAULT_SERIES_PER_MEASUREMENT, perAgent: DEFAULT_SERIES_PER_AGENT, windowMs: 30 * DAY_MS } });
  const round = (admit: boolean): number => {
    const started = process.hrtime.bigint();
    let lines = 0;
    for (let h = 0; h < batches.length; h++) {
      const identity = { host: `bench-${h}`, tenant: 'bench' };
      const samples = batches[h]!.samples;
      lines += admit ? admission.admit(`agent-${h}`, identity, samples, Date.now()).lines.length : samplesToLines(samples, identity).lines.length;
    }
    if (lines !== points) throw new Error(`${lines} lines, expected ${points}`);
    return Number(process.hrtime.bigint() - started) / 1e3 / points;
  };
  round(true);
  round(false);
  let map = Infinity;
  let admit = Infinity;
  for (let r = 0; r < rounds; r++) {
    map = Math.min(map, round(false));
    admit = Math.min(admit, round(true));
  }
  console.log(`${hosts} hosts x ${COLLECTIONS * SAMPLES_PER_COLLECTION} points per batch, best of ${rounds} rounds (decoding not included)`);
  console.log(`mapping alone:                     ${map.toFixed(3)} us/point`);
  console.log(`schema + mapping + series budget:  ${admit.toFixed(3)} us/point (admission adds ${(admit - map).toFixed(3)} us/point)`);
}

/** One real server's series, as its agent's samples (fields do not matter to the budget). */
function serverSamples(): watchpost.v1.ISample[] {
  const s = (measurement: string, tags: Record<string, string> = {}): watchpost.v1.ISample => ({
    measurement,
    timeMs: 0,
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    fields: [],
  });
  const out = [
    s('mem'),
    s('system'),
    s('swap'),
    s('processes'),
    s('kernel'),
    s('netstat'),
    s('inventory'),
    s('services'),
    s('patches', { source: 'wua' }),
    s('patches_pending', { source: 'wua' }),
    s('agent', { version: '1.4.2' }),
  ];
  out.push(s('cpu', { cpu: 'cpu-total' }), ...Array.from({ length: 16 }, (_, i) => s('cpu', { cpu: `cpu${i}` })));
  for (const [i, letter] of ['C', 'D', 'E', 'F'].entries())
    out.push(s('disk', { path: `\\${letter}:`, device: `${letter}:` }), s('diskio', { name: `${letter}:` }), s('net', { interface: `Ethernet ${i}` }));
  for (const name of ['Spooler', 'wuauserv', 'BITS', 'MSSQLSERVER', 'SQLSERVERAGENT']) out.push(s('services', { service_name: name }));
  for (let i = 0; i < 100; i++)
    out.push(s('eventlog', { channel: ['System', 'Application'][i % 2]!, level: ['error', 'warning'][i % 2]!, source: `Microsoft-Windows-Provider-${i}` }));
  for (const channel of ['System', 'Application', 'Security']) for (const level of ['error', 'warning']) out.push(s('eventlog_counts', { channel, level }));
  out.push(s('antivirus', { product: 'Windows Defender' }), s('antivirus', { product: 'CylancePROTECT' }));
  for (const probe of Object.keys(probes)) out.push(s('agent_probe', { probe }));
  return out;
}

function memoryCost(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const samples = serverSamples();
  gc();
  const before = process.memoryUsage();
  const budget = createSeriesBudget({ perMeasurement: DEFAULT_SERIES_PER_MEASUREMENT, perAgent: DEFAULT_SERIES_PER_AGENT, windowMs: 30 * DAY_MS });
  const now = Date.now();
  for (let a = 0; a < agents; a++) {
    const agent = budget.forAgent(`ag_${a.toString(16).padStart(32, '0')}`, now);
    for (const sample of samples) agent.admit(sample);
  }
  gc();
  const after = process.memoryUsage();
  const usage = budget.usage();
  const grown = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
  console.log(`${agents} agents x ${samples.length} series: ${usage.series} series held`);
  console.log(
    `heap + ArrayBuffers grew ${(grown / 2 ** 20).toFixed(1)} MiB: ${(grown / agents / 1024).toFixed(2)} KiB per agent (tables alone ${(usage.bytes / agents / 1024).toFixed(2)} KiB)`,
  );
}

console.log(machine());
cpuCost();
memoryCost();

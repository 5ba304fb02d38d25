// Mapping cost per point: what the collector spends turning one received Batch frame into line
// protocol, against decoding the same frame alone (the baseline every collector pays), measured in one run.
// Each round decodes every frame of `--hosts` hosts with the generated decoder; the mapping round then maps each
// decoded batch with the collector's samplesToLines under the host's identity.
//
//   npx tsx scripts/bench/mapping-cost.ts [--hosts 500] [--rounds 20]
import { parseArgs } from 'node:util';
import { wire } from '../../proto/index.js';
import { samplesToLines } from '../../collector/src/influx/line-protocol.js';
import { batchSamples, SAMPLES_PER_COLLECTION } from './lib/host-points.js';
import { machine } from './lib/stats.js';

const COLLECTIONS = 10; // per batch, as ingest-throughput.ts sends by default

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '500' }, rounds: { type: 'string', default: '20' } } });
const hosts = Number(values.hosts);
const rounds = Number(values.rounds);
const startMs = Date.now() - 3_600_000;
const frames = Array.from({ length: hosts }, (_, h) => wire.Batch.encode({ seq: 1, samples: batchSamples(h, 0, COLLECTIONS, startMs) }).finish());
const points = hosts * COLLECTIONS * SAMPLES_PER_COLLECTION;

function round(map: boolean): number {
  const started = process.hrtime.bigint();
  let lines = 0;
  for (let h = 0; h < frames.length; h++) {
    const batch = wire.Batch.decode(frames[h]!);
    if (map) lines += samplesToLines(batch.samples, { host: `bench-${h}`, tenant: 'bench' }).lines.length;
  }
  if (map && lines !== points) throw new Error(`mapped ${lines} lines, expected ${points}`);
  return Number(process.hrtime.bigint() - started) / 1e3 / points; // us per point
}

const best = (map: boolean): number => Math.min(...Array.from({ length: rounds }, () => round(map)));
round(true); // warm both paths
const decode = best(false);
const both = best(true);
console.log(machine());
console.log(`${hosts} hosts x ${COLLECTIONS * SAMPLES_PER_COLLECTION} points per frame, best of ${rounds} rounds`);
console.log(`decode only (baseline): ${decode.toFixed(2)} us/point`);
console.log(
  `decode + map:           ${both.toFixed(2)} us/point; mapping alone ${(both - decode).toFixed(2)} us/point = ${((both - decode) / decode).toFixed(2)}x the decode`,
);

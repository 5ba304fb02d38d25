// Cost of one run of each probe on this machine: wall time and this process's CPU time per collect(), median of
// RUNS runs after one warm-up run, and beside it, in the same run, the cost of an empty async function (the
// baseline). Child processes a probe starts (apt, journalctl) are included in wall time, not in CPU time: their
// CPU is reported by the probe's own notes in the README.
//   npx tsx scripts/bench/probe-cost.ts [--runs 5]
import { parseArgs } from 'node:util';
import { probes } from '../../agent/src/probes/index.js';
import { execRunner } from '../../agent/src/exec/runner.js';
import { throwawayCheckpoints } from '../../agent/src/checkpoints/store.js';
import type { ProbeContext } from '../../agent/src/probes/probe.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function cost(run: () => Promise<unknown>, runs: number): Promise<{ wallMs: number; cpuMs: number }> {
  await run(); // warm-up: first-run baselines (cpu waits 1 s for its first delta), caches
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
  const runs = Number(values.runs);
  const ctx = (): ProbeContext => ({
    signal: new AbortController().signal,
    runner: execRunner,
    now: Date.now,
    checkpoints: throwawayCheckpoints().session('bench'),
  });
  const baseline = await cost(async () => undefined, runs);
  console.log(`probe cost per run on ${process.platform}, median of ${runs} (baseline: empty async call ${baseline.wallMs.toFixed(3)} ms wall)`);
  console.log('probe       wall ms   cpu ms   samples');
  for (const [name, create] of Object.entries(probes)) {
    const probe = create();
    let samples = 0;
    const result = await cost(async () => (samples = (await probe.collect(ctx())).length), runs);
    console.log(`${name.padEnd(10)} ${result.wallMs.toFixed(2).padStart(8)} ${result.cpuMs.toFixed(2).padStart(8)} ${String(samples).padStart(9)}`);
  }
}

void main();

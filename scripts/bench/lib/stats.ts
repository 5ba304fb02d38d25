// Numbers the latency benches share: nearest-rank percentiles, one line per distribution, and the machine line
// that goes with every published result.
import { cpus, release, totalmem } from 'node:os';

export interface Stats {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of an ascending array; NaN when it is empty. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export function stats(values: readonly number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s.at(-1) ?? NaN };
}

export function fmt(st: Stats): string {
  return `p50 ${st.p50.toFixed(1)}  p90 ${st.p90.toFixed(1)}  p99 ${st.p99.toFixed(1)}  max ${st.max.toFixed(1)} ms  (n=${st.n})`;
}

/** "2 x AMD EPYC ..., 24 GiB, Linux 6.1.0, Node v20.20.2" */
export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} x ${cpu[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}`;
}

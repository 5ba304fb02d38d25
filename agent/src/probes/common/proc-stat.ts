// Pure parsing of Linux /proc/stat (the CPU lines for cpu, the kernel counters for kernel, btime for system) and the
// CPU usage arithmetic Telegraf's cpu plugin applies to it.

/** Cumulative CPU time per state, in any one unit (jiffies from /proc/stat, ms from os.cpus()). */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
  guest: number;
  guestNice: number;
}

export interface ProcStat {
  /** Keyed by Telegraf's tag value: `cpu-total` for the aggregate line, `cpu0`.. per core. */
  cpus: Map<string, CpuTimes>;
  /** `btime`: boot time in unix seconds, when present. */
  bootTime?: number;
  /** `intr`: its first column, all interrupts serviced since boot (the per-IRQ columns after it are not kept). */
  interrupts?: number;
  /** `ctxt`: context switches since boot. */
  contextSwitches?: number;
  /** `processes`: forks since boot. */
  processesForked?: number;
  /** `page in out`: pages paged in and out from disk since boot; only kernels before 2.6 print this line. */
  pagesIn?: number;
  pagesOut?: number;
}

export const TOTAL_CPU = 'cpu-total';

const CPU_STATES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'guest', 'guestNice'] as const;

export function emptyCpuTimes(): CpuTimes {
  return { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0, guest: 0, guestNice: 0 };
}

/** The single-number lines of /proc/stat and the ProcStat key each one fills. */
const COUNTER_LINES: ReadonlyMap<string, 'bootTime' | 'interrupts' | 'contextSwitches' | 'processesForked'> = new Map([
  ['btime', 'bootTime'],
  ['intr', 'interrupts'],
  ['ctxt', 'contextSwitches'],
  ['processes', 'processesForked'],
]);

/** A whole non-negative decimal, or undefined: a counter line that does not hold one is left out, not read as 0. */
function counter(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

export function parseProcStat(text: string): ProcStat {
  const cpus = new Map<string, CpuTimes>();
  const stat: ProcStat = { cpus };
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    const key = parts[0];
    if (key === undefined) continue;
    const counterKey = COUNTER_LINES.get(key);
    if (counterKey !== undefined) {
      const value = counter(parts[1]);
      if (value !== undefined) stat[counterKey] = value;
    } else if (key === 'page') {
      const [pagesIn, pagesOut] = [counter(parts[1]), counter(parts[2])];
      if (pagesIn !== undefined && pagesOut !== undefined) Object.assign(stat, { pagesIn, pagesOut });
    } else if (key.startsWith('cpu')) {
      // Older kernels have fewer columns (steal since 2.6.11, guest_nice since 2.6.33): missing ones stay 0.
      const times = emptyCpuTimes();
      CPU_STATES.forEach((state, i) => {
        const value = Number(parts[i + 1]);
        if (Number.isFinite(value)) times[state] = value;
      });
      cpus.set(key === 'cpu' ? TOTAL_CPU : key, times);
    }
  }
  return stat;
}

/** Telegraf's total: guest and guest_nice are already counted inside user and nice, so they are left out. */
function totalTime(t: CpuTimes): number {
  return t.user + t.system + t.nice + t.iowait + t.irq + t.softirq + t.steal + t.idle;
}

/**
 * Percent of the elapsed CPU time spent in each state between two readings, with Telegraf's field names.
 * Returns undefined when no time elapsed or the counters went backwards (a CPU hot-plug or counter reset):
 * no honest percentage exists then.
 */
export function cpuUsageFields(prev: CpuTimes, cur: CpuTimes): Record<string, number> | undefined {
  const delta = totalTime(cur) - totalTime(prev);
  if (!(delta > 0)) return undefined;
  const pct = (a: number, b: number): number => (100 * (a - b)) / delta;
  return {
    usage_user: pct(cur.user - cur.guest, prev.user - prev.guest),
    usage_system: pct(cur.system, prev.system),
    usage_idle: pct(cur.idle, prev.idle),
    usage_nice: pct(cur.nice - cur.guestNice, prev.nice - prev.guestNice),
    usage_iowait: pct(cur.iowait, prev.iowait),
    usage_irq: pct(cur.irq, prev.irq),
    usage_softirq: pct(cur.softirq, prev.softirq),
    usage_steal: pct(cur.steal, prev.steal),
    usage_guest: pct(cur.guest, prev.guest),
    usage_guest_nice: pct(cur.guestNice, prev.guestNice),
  };
}

/** The shape of one entry of node's os.cpus(): times in milliseconds. */
export interface OsCpuInfo {
  times: { user: number; nice: number; sys: number; idle: number; irq: number };
}

/** Per-core and total CPU times from os.cpus() (Windows, macOS): only user, nice, sys, idle and irq exist there. */
export function cpuTimesFromOsCpus(cpus: readonly OsCpuInfo[]): Map<string, CpuTimes> {
  const result = new Map<string, CpuTimes>();
  const total = emptyCpuTimes();
  cpus.forEach((cpu, i) => {
    const { user, nice, sys, idle, irq } = cpu.times;
    const t: CpuTimes = { ...emptyCpuTimes(), user, nice, system: sys, idle, irq };
    result.set(`cpu${i}`, t);
    for (const state of CPU_STATES) total[state] += t[state];
  });
  if (cpus.length > 0) result.set(TOTAL_CPU, total);
  return result;
}

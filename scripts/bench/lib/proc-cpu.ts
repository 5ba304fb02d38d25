// CPU time per process class from /proc: the bench's own descendants (collectors, influxd, HAProxy, PostgreSQL,
// load-generator workers), read as utime + stime of /proc/PID/stat (fields 14 and 15, clock ticks of 1/100 s).
// PostgreSQL's postmaster also counts cutime + cstime (fields 16 and 17): the backends that already exited.
// A snapshot is taken before and after a phase; the difference per class is the CPU each used in it.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

interface Stat {
  pid: number;
  ppid: number;
  comm: string;
  cpu: number;
  childrenCpu: number;
}

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    return {
      pid,
      ppid: Number(fields[1]),
      comm: text.slice(text.indexOf('(') + 1, close),
      cpu: (Number(fields[11]) + Number(fields[12])) / 100,
      childrenCpu: (Number(fields[13]) + Number(fields[14])) / 100,
    };
  } catch {
    return null;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Every process under `root` (not root itself). */
function descendants(root: number): Stat[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => readStat(Number(name)) ?? []);
  const children = new Map<number, Stat[]>();
  for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const out: Stat[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

export type CpuClass = 'bench' | 'collector' | 'influxd' | 'haproxy' | 'postgres' | 'loadgen' | 'other';
/** CPU seconds per process (key `class:pid`), from one reading. */
export type CpuSnapshot = Map<string, number>;

/**
 * Reads every descendant of this process (and this process as `bench`). `collectorPids` name the collectors
 * (collector processes are otherwise told apart from the load generator by their command line).
 */
export function cpuSnapshot(collectorPids: readonly number[] = []): CpuSnapshot {
  const snap: CpuSnapshot = new Map();
  const self = readStat(process.pid);
  if (self) snap.set(`bench:${self.pid}`, self.cpu);
  for (const s of descendants(process.pid)) {
    const line = cmdline(s.pid);
    let cls: CpuClass = 'other';
    if (collectorPids.includes(s.pid) || line.includes('collector/src/bin.ts serve')) cls = 'collector';
    else if (s.comm === 'influxd') cls = 'influxd';
    else if (s.comm === 'haproxy') cls = 'haproxy';
    else if (s.comm === 'postgres' || s.comm.startsWith('postgres')) cls = 'postgres';
    else if (line.includes('loadgen-worker')) cls = 'loadgen';
    // The postmaster (its parent is not a postgres process) also carries the backends that exited.
    const own = cls === 'postgres' && !readStat(s.ppid)?.comm.startsWith('postgres') ? s.cpu + s.childrenCpu : s.cpu;
    snap.set(`${cls}:${s.pid}`, own);
  }
  return snap;
}

export interface CpuUse {
  /** CPU seconds per class over the interval. */
  byClass: Record<CpuClass, number>;
  /** CPU seconds per collector process (pid -> seconds). */
  collectors: Map<number, number>;
}

/** What each class used between two snapshots (processes that started in between count from zero). */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  const byClass: Record<CpuClass, number> = { bench: 0, collector: 0, influxd: 0, haproxy: 0, postgres: 0, loadgen: 0, other: 0 };
  const collectors = new Map<number, number>();
  for (const [key, seconds] of after) {
    const [cls, pid] = key.split(':') as [CpuClass, string];
    const used = seconds - (before.get(key) ?? 0);
    byClass[cls] += used;
    if (cls === 'collector') collectors.set(Number(pid), used);
  }
  return { byClass, collectors };
}

/** "collectors 1.62 (81 %), influxd ..." : CPU seconds and share of one core over `seconds`. */
export function describeCpu(use: CpuUse, seconds: number): string {
  const core = (s: number): string => `${s.toFixed(1)} s = ${((s / seconds) * 100).toFixed(0)} % of a core`;
  const parts = (Object.entries(use.byClass) as [CpuClass, number][]).filter(([, s]) => s > 0.005).map(([cls, s]) => `${cls} ${core(s)}`);
  const each = [...use.collectors.values()].map((s) => `${((s / seconds) * 100).toFixed(0)} %`).join(' + ');
  const total = Object.values(use.byClass).reduce((a, b) => a + b, 0);
  return `${parts.join('; ')}${use.collectors.size > 1 ? ` (collectors: ${each})` : ''}; all ${core(total)} (the machine has ${cpus().length} cores = ${cpus().length * 100} %)`;
}

/** The machine's CPU time by state, seconds, summed over its cores (/proc/stat's `cpu` line, clock ticks of 1/100 s). */
export interface MachineCpu {
  busy: number;
  idle: number;
  iowait: number;
  steal: number;
}

export function machineSnapshot(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  return { busy: (user! + nice! + system! + irq! + softirq!) / 100, idle: idle! / 100, iowait: iowait! / 100, steal: (steal ?? 0) / 100 };
}

/** "busy 190 % of 200 % (the bench's processes 117 %, everything else 73 %), iowait 3 %, steal 0 %" over `seconds`. */
export function describeMachine(before: MachineCpu, after: MachineCpu, ours: CpuUse, seconds: number): string {
  const pct = (s: number): string => `${((s / seconds) * 100).toFixed(0)} %`;
  const busy = after.busy - before.busy;
  const mine = Object.values(ours.byClass).reduce((a, b) => a + b, 0);
  return `machine busy ${pct(busy)} of ${cpus().length * 100} % (the bench's processes ${pct(mine)}, other processes on the machine ${pct(Math.max(0, busy - mine))}), idle ${pct(after.idle - before.idle)}, iowait ${pct(after.iowait - before.iowait)}, steal ${pct(after.steal - before.steal)}`;
}

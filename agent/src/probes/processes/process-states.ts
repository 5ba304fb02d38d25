// Pure parsers of process states on each OS, all producing Telegraf's `processes` fields (its processes plugin,
// v1.39: processes_notwindows.go), and the count arithmetic they share.
import { int, type FieldValue } from '../../sample.js';

/** Telegraf's fields per OS, all present (0 when no process is in that state). `parked` is the exception: Telegraf
 *  writes it only when a parked process is seen (the state exists on Linux 3.9 to 3.13 only). */
const LINUX_FIELDS = ['blocked', 'zombies', 'stopped', 'running', 'sleeping', 'total', 'unknown', 'dead', 'paging', 'total_threads', 'idle'] as const;
const DARWIN_FIELDS = ['blocked', 'zombies', 'stopped', 'running', 'sleeping', 'total', 'unknown', 'idle'] as const;

/**
 * Linux state letters (proc(5), /proc/[pid]/stat field 3) as Telegraf maps them: `t` (tracing stop) is stopped, `W`
 * paging (kernels before 2.6), `P` parked. Letters Telegraf does not map (`K`, `x`, `W` as "waking" on 2.6.33 to 3.13)
 * count as unknown here, where Telegraf only logs them: so the states always add up to total.
 */
const LINUX_STATES: ReadonlyMap<string, string> = new Map([
  ['R', 'running'],
  ['S', 'sleeping'],
  ['D', 'blocked'],
  ['Z', 'zombies'],
  ['X', 'dead'],
  ['T', 'stopped'],
  ['t', 'stopped'],
  ['W', 'paging'],
  ['I', 'idle'],
  ['P', 'parked'],
]);

/** macOS ps(1) STAT first letters as Telegraf maps them for `ps`: U (uninterruptible wait) is blocked; `?` and anything
 *  else unknown. */
const DARWIN_STATES: ReadonlyMap<string, string> = new Map([
  ['R', 'running'],
  ['S', 'sleeping'],
  ['I', 'idle'],
  ['T', 'stopped'],
  ['U', 'blocked'],
  ['D', 'blocked'],
  ['L', 'blocked'],
  ['Z', 'zombies'],
]);

/** One process as read from /proc/[pid]/stat: its state letter and thread count (undefined when unreadable). */
export interface ProcState {
  state: string;
  threads?: number;
}

/**
 * One /proc/[pid]/stat line: `pid (comm) state ppid ... num_threads ...`. comm may hold spaces and parentheses, so
 * the fields are read after the LAST `)`, as Telegraf and procps do; num_threads is field 20, the 18th after it.
 * Returns undefined for text that is not a stat line.
 */
export function parsePidStat(text: string): ProcState | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const state = fields[0]?.[0];
  if (state === undefined || fields.length < 18) return undefined;
  const threads = Number(fields[17]);
  return Number.isInteger(threads) ? { state, threads } : { state };
}

function tally(states: readonly string[], mapping: ReadonlyMap<string, string>, names: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>(names.map((n) => [n, 0]));
  for (const state of states) {
    const field = mapping.get(state) ?? 'unknown';
    counts.set(field, (counts.get(field) ?? 0) + 1);
  }
  counts.set('total', states.length);
  return counts;
}

const toFields = (counts: Map<string, number>): Record<string, FieldValue> => Object.fromEntries([...counts].map(([k, v]) => [k, int(v)]));

/** Telegraf's Linux fields from every process's stat line; total_threads adds num_threads where it was readable. */
export function linuxProcessFields(procs: readonly ProcState[]): Record<string, FieldValue> {
  const counts = tally(
    procs.map((p) => p.state),
    LINUX_STATES,
    LINUX_FIELDS,
  );
  counts.set(
    'total_threads',
    procs.reduce((sum, p) => sum + (p.threads ?? 0), 0),
  );
  if (counts.get('parked') === 0) counts.delete('parked');
  return toFields(counts);
}

/**
 * `ps` output with a STAT column (`ps -axo stat`, or `ps aux`): the first letter of each row's STAT value. The column
 * is found by its header; the columns before it never hold spaces.
 */
export function parsePsStates(text: string): string[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const column = lines[0]?.trim().split(/\s+/).indexOf('STAT') ?? -1;
  if (column < 0) throw new Error('ps: no STAT column in the header');
  return lines.slice(1).flatMap((line) => {
    const stat = line.trim().split(/\s+/)[column];
    return stat ? [stat[0]!] : [];
  });
}

/** Telegraf's darwin fields from the ps STAT letters. */
export function darwinProcessFields(states: readonly string[]): Record<string, FieldValue> {
  return toFields(tally(states, DARWIN_STATES, DARWIN_FIELDS));
}

/** What the Windows script returns: the System performance object's Processes and Threads gauges. */
export interface WindowsProcessCounts {
  processes: number;
  threads: number;
}

/** Windows: total and total_threads only; the System object keeps no per-state counts. */
export function windowsProcessFields(reply: unknown): Record<string, FieldValue> {
  const r = reply as Partial<WindowsProcessCounts> | null;
  if (!r || !Number.isInteger(r.processes) || !Number.isInteger(r.threads)) throw new Error(`processes: unexpected reply ${JSON.stringify(reply)}`);
  return { total: int(r.processes!), total_threads: int(r.threads!) };
}

// probes/cpu/: this probe; its /proc/stat parser, shared with system, is ../common/proc-stat.ts.
//
// cpu: Telegraf's cpu plugin. Percent of CPU time per state between two readings, per core (`cpu0`..) and in
// total (`cpu-total`). Linux reads /proc/stat (steal, iowait, guest included); Windows and macOS read os.cpus().
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SampleDraft } from '../../sample.js';
import type { Probe } from '../probe.js';
import { cpuTimesFromOsCpus, cpuUsageFields, parseProcStat, TOTAL_CPU, type CpuTimes } from '../common/proc-stat.js';

/** How long the first collection waits between its baseline and its reading, so a one-shot run has values. */
export const CPU_BASELINE_MS = 1000;
const DEFAULT_SCHEDULE = '0 * * * * *'; // every minute, on the minute

type CpuReader = () => Promise<Map<string, CpuTimes>>;

export interface CpuProbeOptions {
  /** Where Linux's proc filesystem is mounted (tests point it at captured files). */
  procRoot?: string;
  platform?: NodeJS.Platform;
  baselineMs?: number;
}

const readers: Partial<Record<NodeJS.Platform, (o: CpuProbeOptions) => CpuReader>> = {
  linux: (o) => async () => parseProcStat(await readFile(`${o.procRoot ?? '/proc'}/stat`, 'utf8')).cpus,
};
const osCpusReader: CpuReader = async () => cpuTimesFromOsCpus(os.cpus());

/** Per-core samples first, then cpu-total, as Telegraf orders them. */
function usageDrafts(prev: Map<string, CpuTimes>, cur: Map<string, CpuTimes>): SampleDraft[] {
  const names = [...cur.keys()].filter((n) => n !== TOTAL_CPU).concat(cur.has(TOTAL_CPU) ? [TOTAL_CPU] : []);
  const drafts: SampleDraft[] = [];
  for (const name of names) {
    const before = prev.get(name);
    const after = cur.get(name);
    const fields = before && after ? cpuUsageFields(before, after) : undefined;
    if (fields) drafts.push({ measurement: 'cpu', tags: { cpu: name }, fields });
  }
  return drafts;
}

export function createCpuProbe(options: CpuProbeOptions = {}): Probe {
  const read = readers[options.platform ?? process.platform]?.(options) ?? osCpusReader;
  let previous: Map<string, CpuTimes> | undefined;
  return {
    name: 'cpu',
    schedule: DEFAULT_SCHEDULE,
    async collect(ctx) {
      if (!previous) {
        previous = await read();
        await sleep(options.baselineMs ?? CPU_BASELINE_MS, undefined, { signal: ctx.signal });
      }
      const current = await read();
      const drafts = usageDrafts(previous, current);
      previous = current;
      return drafts;
    },
  };
}

// probes/mem/: this probe and its parsers: Linux /proc/meminfo (meminfo.ts), macOS vm_stat (vm-stat.ts).
//
// mem: Telegraf's mem plugin, with the platform's field set (Telegraf writes many more fields on Linux).
// Linux reads /proc/meminfo; macOS runs `vm_stat` once (os.freemem() counts only free pages there, which would
// show a healthy Mac as nearly full); Windows uses os.totalmem()/os.freemem() (available physical memory).
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { FieldValue } from '../../sample.js';
import type { Probe, ProbeContext } from '../probe.js';
import { basicMemFields, linuxMemFields } from './meminfo.js';
import { darwinMemFields } from './vm-stat.js';

const DEFAULT_SCHEDULE = '0 * * * * *'; // every minute, on the minute
const VM_STAT_TIMEOUT_MS = 10_000;

export interface MemProbeOptions {
  procRoot?: string;
  platform?: NodeJS.Platform;
}

type MemReader = (ctx: ProbeContext) => Promise<Record<string, FieldValue>>;

const readers: Partial<Record<NodeJS.Platform, (o: MemProbeOptions) => MemReader>> = {
  linux: (o) => async () => linuxMemFields(await readFile(`${o.procRoot ?? '/proc'}/meminfo`, 'utf8')),
  darwin: () => async (ctx) => {
    const { stdout } = await ctx.runner('vm_stat', [], { timeoutMs: VM_STAT_TIMEOUT_MS, signal: ctx.signal });
    return darwinMemFields(stdout, os.totalmem());
  },
};
const osReader: MemReader = async () => basicMemFields(os.totalmem(), os.freemem());

export function createMemProbe(options: MemProbeOptions = {}): Probe {
  const read = readers[options.platform ?? process.platform]?.(options) ?? osReader;
  return {
    name: 'mem',
    schedule: DEFAULT_SCHEDULE,
    async collect(ctx) {
      return [{ measurement: 'mem', fields: await read(ctx) }];
    },
  };
}

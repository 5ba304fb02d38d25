// probes/net/: this probe and its parsers of per-interface counters on each OS (net-counters.ts).
//
// net: Telegraf's net plugin (per-interface counters since boot; Grafana takes the derivative). Like Telegraf,
// only interfaces that are up are reported and loopback is skipped unless asked for.
// Linux reads /proc/net/dev and /sys/class/net/<if>/flags; Windows asks the PowerShell worker once per collection; macOS
// runs `netstat -ibdnW` once.
import { readFile } from 'node:fs/promises';
import type { Probe, ProbeContext } from '../probe.js';
import { netFields, parseNetAdapterStatistics, parseNetstatIbdn, parseProcNetDev, type NetCounters } from './net-counters.js';

const DEFAULT_SCHEDULE = '0 * * * * *'; // every minute, on the minute
const COMMAND_TIMEOUT_MS = 20_000;
const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;

/**
 * Format-List rather than ConvertTo-Json: the parser is tested against real captured Format-List output, and
 * Out-String -Width keeps long adapter names on one line. UTF-8 output keeps non-ASCII adapter names intact.
 */
export const WINDOWS_NET_SCRIPT =
  '[Console]::OutputEncoding=[Text.Encoding]::UTF8; Get-NetAdapterStatistics | Format-List ' +
  'Name,ReceivedBytes,SentBytes,ReceivedUnicastPackets,ReceivedMulticastPackets,ReceivedBroadcastPackets,' +
  'SentUnicastPackets,SentMulticastPackets,SentBroadcastPackets,ReceivedPacketErrors,OutboundPacketErrors,' +
  'ReceivedDiscardedPackets,OutboundDiscardedPackets | Out-String -Width 4096';

export interface NetProbeOptions {
  includeLoopback?: boolean;
  procRoot?: string;
  sysRoot?: string;
  platform?: NodeJS.Platform;
}

type NetReader = (ctx: ProbeContext) => Promise<NetCounters[]>;

async function linuxFlags(sysRoot: string, name: string): Promise<Pick<NetCounters, 'up' | 'loopback'>> {
  const text = await readFile(`${sysRoot}/class/net/${name}/flags`, 'utf8').catch(() => undefined);
  const flags = text === undefined ? NaN : parseInt(text.trim(), 16);
  if (Number.isNaN(flags)) return { loopback: name === 'lo' }; // unknown state: report it
  return { up: (flags & IFF_UP) !== 0, loopback: (flags & IFF_LOOPBACK) !== 0 };
}

const readers: Partial<Record<NodeJS.Platform, (o: NetProbeOptions) => NetReader>> = {
  linux: (o) => async () => {
    const counters = parseProcNetDev(await readFile(`${o.procRoot ?? '/proc'}/net/dev`, 'utf8'));
    return Promise.all(counters.map(async (c) => ({ ...c, ...(await linuxFlags(o.sysRoot ?? '/sys', c.name)) })));
  },
  darwin: () => async (ctx) => {
    const { stdout } = await ctx.runner('netstat', ['-ibdnW'], { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal });
    return parseNetstatIbdn(stdout);
  },
  // Get-NetAdapterStatistics lists visible adapters only: no loopback pseudo-interface, no hidden filters.
  // Through the agent's long-lived PowerShell worker (the text travels as one JSON string); a process of its own
  // only when no worker was given (collect --once outside the service).
  win32: () => async (ctx) => {
    if (ctx.powershell) {
      const text = await ctx.powershell.run<string>(`${WINDOWS_NET_SCRIPT} | ConvertTo-Json -Compress`, { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal });
      return parseNetAdapterStatistics(text);
    }
    const args = ['-NoProfile', '-NonInteractive', '-Command', WINDOWS_NET_SCRIPT];
    const { stdout } = await ctx.runner('powershell.exe', args, { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal });
    return parseNetAdapterStatistics(stdout);
  },
};

export function createNetProbe(options: NetProbeOptions = {}): Probe {
  const platform = options.platform ?? process.platform;
  const read = readers[platform]?.(options);
  return {
    name: 'net',
    schedule: DEFAULT_SCHEDULE,
    async collect(ctx) {
      if (!read) throw new Error(`net: no reader for ${platform}`);
      const counters = await read(ctx);
      return counters
        .filter((c) => c.up !== false && (options.includeLoopback || !c.loopback))
        .map((c) => ({ measurement: 'net', tags: { interface: c.name }, fields: netFields(c) }));
    },
  };
}

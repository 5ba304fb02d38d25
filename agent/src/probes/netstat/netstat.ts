// probes/netstat/: this probe and its parsers of each OS's socket tables (socket-states.ts).
//
// netstat: Telegraf's netstat plugin (v1.39): TCP sockets per state and UDP sockets, one point per run.
// Linux reads /proc/net/tcp, tcp6, udp and udp6. Telegraf (gopsutil) reads the same files but first walks
// /proc/[pid]/fd of every process to map socket inodes to processes, which the counts never use: here the four files
// are all. Windows asks the PowerShell worker once (.NET's IPGlobalProperties: the IP Helper tables gopsutil reads
// too, no CIM provider); macOS runs one `netstat -an` (Telegraf runs `lsof -i`, which walks every process).
import { readFile } from 'node:fs/promises';
import type { Probe, ProbeContext } from '../probe.js';
import { darwinSocketCounts, linuxSocketCounts, netstatFields, windowsSocketCounts, type SocketCounts } from './socket-states.js';

const DEFAULT_SCHEDULE = '0 * * * * *'; // every minute, on the minute
const COMMAND_TIMEOUT_MS = 20_000;

/**
 * Windows PowerShell 5.1, through the worker. GetActiveTcpConnections lists IPv4 and IPv6 connections in every state
 * but Listen (GetTcpTable / GetExtendedTcpTable, as gopsutil calls them); listeners and UDP endpoints are counted from
 * their own lists. States travel as .NET TcpState names ([string]: an enum would be written as its number).
 */
export const WINDOWS_NETSTAT_SCRIPT = [
  '$g = [System.Net.NetworkInformation.IPGlobalProperties]::GetIPGlobalProperties()',
  '$tcp = @{}',
  'foreach ($c in $g.GetActiveTcpConnections()) { $n = [string]$c.State; if ($tcp.ContainsKey($n)) { $tcp[$n] += 1 } else { $tcp[$n] = 1 } }',
  '@{ tcp = $tcp; listen = @($g.GetActiveTcpListeners()).Count; udp = @($g.GetActiveUdpListeners()).Count } | ConvertTo-Json -Depth 3 -Compress',
].join('\n');

export const DARWIN_NETSTAT_ARGS = ['-an'];

export interface NetstatProbeOptions {
  procRoot?: string;
  platform?: NodeJS.Platform;
}

type Reader = (ctx: ProbeContext) => Promise<SocketCounts>;

/** A missing tcp6/udp6 (IPv6 disabled) is an empty table, as in gopsutil. */
const readTable = (path: string): Promise<string> =>
  readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' && path.endsWith('6')) return '';
    throw error;
  });

const readers: Partial<Record<NodeJS.Platform, (o: NetstatProbeOptions) => Reader>> = {
  linux: (o) => async () => {
    const net = `${o.procRoot ?? '/proc'}/net`;
    const [tcp, tcp6, udp, udp6] = await Promise.all(['tcp', 'tcp6', 'udp', 'udp6'].map((f) => readTable(`${net}/${f}`)));
    return linuxSocketCounts({ tcp: [tcp!, tcp6!], udp: [udp!, udp6!] });
  },
  darwin: () => async (ctx) => {
    const { stdout } = await ctx.runner('netstat', DARWIN_NETSTAT_ARGS, { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal });
    return darwinSocketCounts(stdout);
  },
  win32: () => async (ctx) => {
    if (!ctx.powershell) throw new Error('netstat: no PowerShell worker');
    return windowsSocketCounts(await ctx.powershell.run(WINDOWS_NETSTAT_SCRIPT, { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal }));
  },
};

export function createNetstatProbe(options: NetstatProbeOptions = {}): Probe {
  const platform = options.platform ?? process.platform;
  const read = readers[platform]?.(options);
  return {
    name: 'netstat',
    schedule: DEFAULT_SCHEDULE,
    async collect(ctx) {
      if (!read) throw new Error(`netstat: no reader for ${platform}`);
      return [{ measurement: 'netstat', fields: netstatFields(await read(ctx)) }];
    },
  };
}

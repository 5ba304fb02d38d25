// Pure parsers of each OS's socket tables, all producing Telegraf's `netstat` fields (its netstat plugin, v1.39):
// TCP sockets per state and the number of UDP sockets.
import { int, type FieldValue } from '../../sample.js';

/** Telegraf's TCP state fields, in its order; every one is written, 0 when no socket is in that state. */
export const TCP_STATES = [
  'established',
  'syn_sent',
  'syn_recv',
  'fin_wait1',
  'fin_wait2',
  'time_wait',
  'close',
  'close_wait',
  'last_ack',
  'listen',
  'closing',
  'none',
] as const;
export type TcpState = (typeof TCP_STATES)[number];

/** Sockets counted: TCP per state, UDP in all. */
export interface SocketCounts {
  tcp: Record<TcpState, number>;
  udp: number;
}

const emptyTcp = (): Record<TcpState, number> => Object.fromEntries(TCP_STATES.map((s) => [s, 0])) as Record<TcpState, number>;

export function netstatFields(counts: SocketCounts): Record<string, FieldValue> {
  const fields: Record<string, FieldValue> = {};
  for (const state of TCP_STATES) fields[`tcp_${state}`] = int(counts.tcp[state]);
  fields.udp_socket = int(counts.udp);
  return fields;
}

/** The kernel's TCP states as /proc/net/tcp prints them (include/net/tcp_states.h), 01 to 0B. */
const LINUX_TCP_STATES: ReadonlyMap<string, TcpState> = new Map([
  ['01', 'established'],
  ['02', 'syn_sent'],
  ['03', 'syn_recv'],
  ['04', 'fin_wait1'],
  ['05', 'fin_wait2'],
  ['06', 'time_wait'],
  ['07', 'close'],
  ['08', 'close_wait'],
  ['09', 'last_ack'],
  ['0A', 'listen'],
  ['0B', 'closing'],
]);

/** The socket rows of one /proc/net/{tcp,tcp6,udp,udp6} file: local and remote address (hex, as printed) and state. */
export function parseProcNetSockets(text: string): { local: string; remote: string; state: string }[] {
  return text
    .split('\n')
    .slice(1)
    .flatMap((line) => {
      const f = line.trim().split(/\s+/);
      // gopsutil skips rows with fewer than 10 columns (sl, addresses, st, queues, timers, retransmits, uid, timeout, inode).
      return f.length >= 10 ? [{ local: f[1]!, remote: f[2]!, state: f[3]!.toUpperCase() }] : [];
    });
}

/**
 * Linux: the four files' rows counted as Telegraf counts gopsutil's connection list: a row with the same protocol,
 * addresses and state as one already counted is counted once (two SO_REUSEPORT listeners on one port are one
 * `listen`), UDP rows whatever their state. A TCP state outside the kernel's eleven counts as `none`.
 */
export function linuxSocketCounts(files: { tcp: readonly string[]; udp: readonly string[] }): SocketCounts {
  const tcp = emptyTcp();
  const seen = new Set<string>();
  for (const text of files.tcp) {
    for (const row of parseProcNetSockets(text)) {
      const key = `tcp ${row.local} ${row.remote} ${row.state}`;
      if (seen.has(key)) continue;
      seen.add(key);
      tcp[LINUX_TCP_STATES.get(row.state) ?? 'none'] += 1;
    }
  }
  let udp = 0;
  for (const text of files.udp) {
    for (const row of parseProcNetSockets(text)) {
      const key = `udp ${row.local} ${row.remote}`;
      if (seen.has(key)) continue;
      seen.add(key);
      udp += 1;
    }
  }
  return { tcp, udp };
}

/** BSD's tcpstates[] as macOS `netstat` prints them (SYN_RECEIVED accepted too). */
const BSD_TCP_STATES: ReadonlyMap<string, TcpState> = new Map([
  ['ESTABLISHED', 'established'],
  ['SYN_SENT', 'syn_sent'],
  ['SYN_RCVD', 'syn_recv'],
  ['SYN_RECEIVED', 'syn_recv'],
  ['FIN_WAIT_1', 'fin_wait1'],
  ['FIN_WAIT_2', 'fin_wait2'],
  ['TIME_WAIT', 'time_wait'],
  ['CLOSED', 'close'],
  ['CLOSE_WAIT', 'close_wait'],
  ['LAST_ACK', 'last_ack'],
  ['LISTEN', 'listen'],
  ['CLOSING', 'closing'],
]);

/**
 * macOS `netstat -an`: the rows of "Active Internet connections" whose Proto is tcp4, tcp6, tcp46 (one dual-stack
 * socket, one row), udp4, udp6 or udp46; the state is a TCP row's last column. The other sections (multipath, UNIX
 * domain, kernel control and event sockets) have other first columns and are skipped.
 */
export function darwinSocketCounts(text: string): SocketCounts {
  const tcp = emptyTcp();
  let udp = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (/^udp(4|6|46)?$/.test(f[0] ?? '')) udp += 1;
    else if (/^tcp(4|6|46)?$/.test(f[0] ?? '') && f.length >= 6) tcp[BSD_TCP_STATES.get(f[f.length - 1]!) ?? 'none'] += 1;
  }
  return { tcp, udp };
}

/** What the Windows script returns: TCP connections per .NET TcpState name, listeners and UDP endpoints. */
export interface WindowsSocketReply {
  tcp: Record<string, number>;
  listen: number;
  udp: number;
}

/** .NET's TcpState names (System.Net.NetworkInformation); DeleteTcb and Unknown are none of Telegraf's states. */
const DOTNET_TCP_STATES: ReadonlyMap<string, TcpState> = new Map([
  ['Established', 'established'],
  ['SynSent', 'syn_sent'],
  ['SynReceived', 'syn_recv'],
  ['FinWait1', 'fin_wait1'],
  ['FinWait2', 'fin_wait2'],
  ['TimeWait', 'time_wait'],
  ['Closed', 'close'],
  ['CloseWait', 'close_wait'],
  ['LastAck', 'last_ack'],
  ['Listen', 'listen'],
  ['Closing', 'closing'],
]);

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

export function windowsSocketCounts(reply: unknown): SocketCounts {
  const r = reply as Partial<WindowsSocketReply> | null;
  if (!r || typeof r.tcp !== 'object' || r.tcp === null || !isCount(r.listen) || !isCount(r.udp)) {
    throw new Error(`netstat: unexpected reply ${JSON.stringify(reply)}`);
  }
  const tcp = emptyTcp();
  for (const [name, count] of Object.entries(r.tcp)) {
    if (isCount(count)) tcp[DOTNET_TCP_STATES.get(name) ?? 'none'] += count;
  }
  tcp.listen += r.listen;
  return { tcp, udp: r.udp };
}

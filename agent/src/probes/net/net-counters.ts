// Pure parsers for per-interface network counters on each OS, all producing Telegraf's `net` fields.
import { int, type FieldValue } from '../../sample.js';

/** Counters since boot for one interface; a counter the OS does not report is left out. */
export interface NetCounters {
  name: string;
  bytes_sent?: number;
  bytes_recv?: number;
  packets_sent?: number;
  packets_recv?: number;
  err_in?: number;
  err_out?: number;
  drop_in?: number;
  drop_out?: number;
  /** Set by parsers that can tell (Linux flags, macOS netstat's `*`); undefined when unknown. */
  up?: boolean;
  loopback?: boolean;
}

const NET_FIELDS = ['bytes_sent', 'bytes_recv', 'packets_sent', 'packets_recv', 'err_in', 'err_out', 'drop_in', 'drop_out'] as const;

/** Telegraf's `net` fields (all integers) for one interface. */
export function netFields(c: NetCounters): Record<string, FieldValue> {
  const fields: Record<string, FieldValue> = {};
  for (const name of NET_FIELDS) {
    const value = c[name];
    if (value !== undefined) fields[name] = int(value);
  }
  return fields;
}

/** Linux /proc/net/dev: two header lines, then `name: 8 receive columns 8 transmit columns`. */
export function parseProcNetDev(text: string): NetCounters[] {
  const result: NetCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const v = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (v.length < 16 || v.some((n) => !Number.isFinite(n))) continue;
    const [bytesRecv, packetsRecv, errIn, dropIn] = v;
    const [bytesSent, packetsSent, errOut, dropOut] = v.slice(8);
    result.push({
      name,
      bytes_recv: bytesRecv,
      packets_recv: packetsRecv,
      err_in: errIn,
      drop_in: dropIn,
      bytes_sent: bytesSent,
      packets_sent: packetsSent,
      err_out: errOut,
      drop_out: dropOut,
    });
  }
  return result;
}

/**
 * macOS `netstat -ibdnW`: one `<Link#N>` row per interface carries its counters (the other rows repeat them per
 * address). A trailing `*` on the name marks an interface that is down. netstat has no input-drop column, so
 * drop_in is 0 as in Telegraf (gopsutil). Numeric columns are read from the right because Address may be empty.
 */
export function parseNetstatIbdn(text: string): NetCounters[] {
  const lines = text.split('\n');
  const header = lines[0]?.trim().split(/\s+/) ?? [];
  const numeric = header.slice(header.indexOf('Address') + 1);
  if (header[0] !== 'Name' || !numeric.includes('Ibytes')) throw new Error('netstat: unexpected header');
  const seen = new Set<string>();
  const result: NetCounters[] = [];
  for (const line of lines.slice(1)) {
    const parts = line.trim().split(/\s+/);
    if (!parts[2]?.startsWith('<Link#')) continue;
    const rawName = parts[0] ?? '';
    const name = rawName.replace(/\*$/, '');
    if (seen.has(name)) continue; // truncated duplicate names: keep the first
    seen.add(name);
    const values = parts.slice(parts.length - numeric.length).map(Number);
    const col = (label: string): number | undefined => {
      const i = numeric.indexOf(label);
      return i < 0 ? undefined : values[i];
    };
    result.push({
      name,
      bytes_recv: col('Ibytes'),
      packets_recv: col('Ipkts'),
      err_in: col('Ierrs'),
      drop_in: 0,
      bytes_sent: col('Obytes'),
      packets_sent: col('Opkts'),
      err_out: col('Oerrs'),
      drop_out: col('Drop') ?? 0,
      up: !rawName.endsWith('*'),
      loopback: name.startsWith('lo'),
    });
  }
  return result;
}

/** Records of PowerShell `Format-List` output: `Key : Value` lines; a blank line or a repeated key starts a new one. */
export function parseFormatList(text: string): Map<string, string>[] {
  const records: Map<string, string>[] = [];
  let current = new Map<string, string>();
  const flush = (): void => {
    if (current.size > 0) records.push(current);
    current = new Map();
  };
  for (const line of text.split(/\r?\n/)) {
    const match = /^(\S+)\s*: ?(.*)$/.exec(line);
    if (!match?.[1]) {
      if (line.trim() === '') flush();
      continue;
    }
    if (current.has(match[1])) flush();
    current.set(match[1], (match[2] ?? '').trim());
  }
  flush();
  return records;
}

/**
 * Windows `Get-NetAdapterStatistics | Format-List ...`. Packet totals add unicast, multicast and broadcast, as
 * gopsutil does on Windows (InUcastPkts + InNUcastPkts); a property missing from the output is left out.
 */
export function parseNetAdapterStatistics(text: string): NetCounters[] {
  return parseFormatList(text)
    .filter((record) => record.has('Name'))
    .map((record) => {
      const num = (key: string): number | undefined => {
        const raw = record.get(key);
        return raw === undefined || raw === '' || !/^\d+$/.test(raw) ? undefined : Number(raw);
      };
      const sum = (...keys: string[]): number | undefined => {
        const values = keys.map(num);
        return values.every((v) => v === undefined) ? undefined : values.reduce<number>((a, v) => a + (v ?? 0), 0);
      };
      return {
        name: record.get('Name') ?? '',
        bytes_recv: num('ReceivedBytes'),
        bytes_sent: num('SentBytes'),
        packets_recv: sum('ReceivedUnicastPackets', 'ReceivedMulticastPackets', 'ReceivedBroadcastPackets'),
        packets_sent: sum('SentUnicastPackets', 'SentMulticastPackets', 'SentBroadcastPackets'),
        err_in: num('ReceivedPacketErrors'),
        err_out: num('OutboundPacketErrors'),
        drop_in: num('ReceivedDiscardedPackets'),
        drop_out: num('OutboundDiscardedPackets'),
      };
    });
}

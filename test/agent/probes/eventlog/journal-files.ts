// Real journal files for the eventlog probe's journald tests: entries are written in the Journal Export Format
// (https://systemd.io/JOURNAL_EXPORT_FORMATS/) and turned into a .journal file by systemd-journal-remote (Debian
// package systemd-journal-remote), which journalctl then reads with --directory/--file like the system journal.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const JOURNAL_REMOTE = ['/lib/systemd/systemd-journal-remote', '/usr/lib/systemd/systemd-journal-remote'].find((p) => existsSync(p));

export interface ExportEntry {
  /** Unix microseconds. */
  realtimeUs: bigint;
  priority: number;
  identifier?: string;
  /** Text, or raw bytes (written as a binary field, which journalctl -o json shows as a byte array). */
  message: string | Buffer;
  unit?: string;
}

const BOOT_ID = '5e1f0c3a9b2d4e6f8a7b6c5d4e3f2a1b';
const MONOTONIC_ORIGIN_US = 1_600_000_000_000_000n; // "booted" in September 2020

function field(name: string, value: string | Buffer): Buffer {
  const data = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const textual = typeof value === 'string' && !value.includes('\n');
  if (textual) return Buffer.concat([Buffer.from(`${name}=`), data, Buffer.from('\n')]);
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(data.length));
  return Buffer.concat([Buffer.from(`${name}\n`), size, data, Buffer.from('\n')]);
}

export function exportFormat(entries: readonly ExportEntry[]): Buffer {
  return Buffer.concat(
    entries.map((e) =>
      Buffer.concat([
        field('__REALTIME_TIMESTAMP', String(e.realtimeUs)),
        // One boot for every file: journalctl orders a boot's entries by monotonic time, so derive it from realtime.
        field('__MONOTONIC_TIMESTAMP', String(e.realtimeUs - MONOTONIC_ORIGIN_US)),
        field('_BOOT_ID', BOOT_ID),
        field('PRIORITY', String(e.priority)),
        ...(e.identifier ? [field('SYSLOG_IDENTIFIER', e.identifier)] : []),
        ...(e.unit ? [field('_SYSTEMD_UNIT', e.unit)] : []),
        field('MESSAGE', e.message),
        Buffer.from('\n'),
      ]),
    ),
  );
}

/** Writes `entries` to `file` (must end in .journal) with systemd-journal-remote. */
export function writeJournal(file: string, entries: readonly ExportEntry[]): void {
  if (!JOURNAL_REMOTE) throw new Error('systemd-journal-remote is not installed (apt-get install systemd-journal-remote)');
  const result = spawnSync(JOURNAL_REMOTE, ['-o', file, '-'], { input: exportFormat(entries) });
  if (result.status !== 0) throw new Error(`systemd-journal-remote failed: ${result.stderr.toString()}`);
}

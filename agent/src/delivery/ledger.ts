// The delivery ledger (`run --ledger FILE`, or WATCHPOST_LEDGER): an append-only text file that says which points
// this agent produced and which it gave up on, so an MSP can audit delivery against what InfluxDB holds. Opt-in:
// it costs one write(2) per batch and grows by about 60 bytes per point (an agent at default schedules writes a few
// MiB a day); nothing rotates it.
//
// Lines (fields separated by one space; measurement, tag keys and values escaped as below):
//   # start <iso time> agent=<agentId> version=<version> pid=<pid>   each start of `run`
//   # stop <iso time>                                                 a clean stop (absent after a crash)
//   + <seq> <measurement> <time_ms> <tag=value,...|->               a point, once its batch is in the spool
//   - <seq> <points> <reason>                                        a batch the spool dropped (full, disk_full,
//                                                                    io_error, corrupt)
//   - ? <points> corrupt                                             damaged batches found at start whose seqs
//                                                                    could not be read (all of them, one line)
// Tags are sorted by key, without `host` and `tenant` (the collector sets those from the enrollment); `-` means no
// tags. A `+` line is written after the spool's append returned: for the disk spool the batch is fsynced by then,
// so every `+` point is either delivered, or covered by a `-` line, or still in the spool. A batch dropped while
// being appended (a full disk) gets its `-` line before its `+` lines. The ledger itself is not fsynced: a crash of
// the process loses nothing (the kernel has the lines), a power cut may lose its last lines. A write error is
// logged once and the agent carries on without the ledger's later lines.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { DropReason } from './spool/contract.js';
import type { Sample } from '../sample.js';
import type { Logger } from '../base/log.js';

/** Tags the ledger leaves out: the collector forces them from the agent's identity. */
const IDENTITY_TAGS = new Set(['host', 'tenant']);
const NO_TAGS = '-';
const UNKNOWN_SEQ = '?';

/** Escapes the ledger's separators (space, comma, equals), backslash and line breaks. */
export function escapeToken(text: string): string {
  return text.replace(/[\\ ,=\n\r]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\${c}`));
}

function unescapeToken(text: string): string {
  return text.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/** Splits on `sep` where it is not escaped. */
function splitUnescaped(text: string, sep: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === sep) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** The instance tags of a point as the ledger writes them: sorted, escaped, without host and tenant. */
export function formatTags(tags: Record<string, string>): string {
  const pairs = Object.keys(tags)
    .filter((k) => !IDENTITY_TAGS.has(k))
    .sort()
    .map((k) => `${escapeToken(k)}=${escapeToken(tags[k]!)}`);
  return pairs.length ? pairs.join(',') : NO_TAGS;
}

export function formatPointLines(seq: number, samples: readonly Sample[]): string {
  return samples.map((s) => `+ ${seq} ${escapeToken(s.measurement)} ${s.time} ${formatTags(s.tags)}\n`).join('');
}

export function formatDropLine(seq: number | null, points: number, reason: DropReason): string {
  return `- ${seq ?? UNKNOWN_SEQ} ${points} ${reason}\n`;
}

export type LedgerLine =
  | { kind: 'point'; seq: number; measurement: string; time: number; tags: Record<string, string> }
  | { kind: 'drop'; seq: number | null; points: number; reason: DropReason }
  | { kind: 'start'; at: string; fields: Record<string, string> }
  | { kind: 'stop'; at: string };

const REASONS: ReadonlySet<string> = new Set<DropReason>(['full', 'disk_full', 'io_error', 'corrupt']);

/** Parses one line (without its newline). Throws with the line on anything it does not recognise. */
export function parseLedgerLine(line: string): LedgerLine {
  const parts = splitUnescaped(line, ' ');
  const bad = () => new Error(`ledger: cannot parse line "${line}"`);
  const int = (text: string | undefined) => {
    if (text === undefined || !/^\d+$/.test(text)) throw bad();
    return Number(text);
  };
  if (parts[0] === '+' && parts.length === 5) {
    const tags: Record<string, string> = {};
    if (parts[4] !== NO_TAGS) {
      for (const pair of splitUnescaped(parts[4]!, ',')) {
        const kv = splitUnescaped(pair, '=');
        if (kv.length !== 2) throw bad();
        tags[unescapeToken(kv[0]!)] = unescapeToken(kv[1]!);
      }
    }
    return { kind: 'point', seq: int(parts[1]), measurement: unescapeToken(parts[2]!), time: int(parts[3]), tags };
  }
  if (parts[0] === '-' && parts.length === 4 && REASONS.has(parts[3]!)) {
    return { kind: 'drop', seq: parts[1] === UNKNOWN_SEQ ? null : int(parts[1]), points: int(parts[2]), reason: parts[3] as DropReason };
  }
  if (parts[0] === '#' && parts[1] === 'start' && parts[2]) {
    return { kind: 'start', at: parts[2], fields: Object.fromEntries(parts.slice(3).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)])) };
  }
  if (parts[0] === '#' && parts[1] === 'stop' && parts[2]) return { kind: 'stop', at: parts[2] };
  throw bad();
}

export interface Ledger {
  /** The points of a batch the spool accepted (called after append returned). */
  appended(seq: number, samples: readonly Sample[]): void;
  /** A batch the spool dropped; seq null for damaged batches found at start whose seqs are unknown. */
  dropped(seq: number | null, points: number, reason: DropReason): void;
  /** Writes the stop line and closes the file. Idempotent. */
  close(): void;
}

/** Opens (creating, mode 0600) the ledger for appending and writes the start line. Throws if it cannot be opened
 *  (run reports that as a usage-level failure: the operator asked for an audit trail). */
export function openLedger(file: string, start: { agentId: string; version: string }, log: Logger): Ledger {
  let fd: number | null;
  try {
    fd = openSync(file, 'a', 0o600);
  } catch (error) {
    throw new Error(`cannot open the ledger ${file}: ${(error as Error).message}`, { cause: error });
  }
  let failed = false;
  const write = (text: string) => {
    if (fd === null || failed) return;
    try {
      writeSync(fd, text);
    } catch (error) {
      failed = true;
      log.error('ledger: write failed; later lines are missing from the ledger', { file, err: (error as Error).message });
    }
  };
  write(`# start ${new Date().toISOString()} agent=${escapeToken(start.agentId)} version=${escapeToken(start.version)} pid=${process.pid}\n`);
  return {
    appended: (seq, samples) => write(formatPointLines(seq, samples)),
    dropped: (seq, points, reason) => write(formatDropLine(seq, points, reason)),
    close() {
      if (fd === null) return;
      write(`# stop ${new Date().toISOString()}\n`);
      closeSync(fd);
      fd = null;
    },
  };
}

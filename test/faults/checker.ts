// The fault tests' one judge: what the agent's delivery ledger says it produced, against what InfluxDB holds.
// A point is identified by measurement, time (ms) and its sorted instance tags (host and tenant are the same for
// every point of one agent). Every produced point must be stored, be in a batch the ledger records as dropped, or
// still be in the agent's spool (unacked, to be sent at its next start) — nothing else may be missing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTags, parseLedgerLine, type LedgerLine } from '../../agent/src/delivery/ledger.js';
import { ackName, decodeAcks, parseSegmentName, scanSegment } from '../../agent/src/delivery/spool/codec.js';
import { DROP_REASONS, type DropReason } from '../../agent/src/delivery/spool/contract.js';
import type { Stack } from './harness.js';

/** Missing keys shown in a failure message. */
const SHOW_MISSING = 10;

export function pointKey(measurement: string, time: number, tags: Record<string, string>): string {
  // Empty tag values cannot exist in line protocol; leave them out on both sides.
  const kept = Object.fromEntries(Object.entries(tags).filter(([, v]) => v !== ''));
  return `${measurement} ${time} ${formatTags(kept)}`;
}

export interface Ledger {
  lines: LedgerLine[];
  /** Every produced point's key, with the seq of its (last) batch. */
  points: Map<string, number>;
  /** Seqs of batches the ledger records as dropped, with their reason. */
  droppedSeqs: Map<number, DropReason>;
  /** Index in `lines` of each dropped batch's `-` line (when it was dropped, relative to other lines). */
  dropAt: Map<number, number>;
  measurements: Set<string>;
  /** Index in `lines` of each `# start` line (one per run). */
  starts: number[];
}

export function readLedger(file: string): Ledger {
  const text = readFileSync(file, 'utf8');
  // A SIGKILL cannot cut a line (each batch is one write), but be exact about what a partial last line would mean.
  if (text.length && !text.endsWith('\n')) throw new Error(`ledger ${file} ends inside a line`);
  const lines = text.split('\n').filter(Boolean).map(parseLedgerLine);
  const ledger: Ledger = { lines, points: new Map(), droppedSeqs: new Map(), dropAt: new Map(), measurements: new Set(), starts: [] };
  lines.forEach((line, i) => {
    if (line.kind === 'point') {
      ledger.points.set(pointKey(line.measurement, line.time, line.tags), line.seq);
      ledger.measurements.add(line.measurement);
    } else if (line.kind === 'drop' && line.seq !== null) {
      ledger.droppedSeqs.set(line.seq, line.reason);
      ledger.dropAt.set(line.seq, i);
    } else if (line.kind === 'start') ledger.starts.push(i);
  });
  return ledger;
}

/** Points dropped per reason according to the ledger's `-` lines of one run (default: the last). */
export function droppedByRun(ledger: Ledger, run = ledger.starts.length - 1): Record<DropReason, number> {
  const from = ledger.starts[run] ?? 0;
  const to = ledger.starts[run + 1] ?? ledger.lines.length;
  const out = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  for (const line of ledger.lines.slice(from, to)) if (line.kind === 'drop') out[line.reason] += line.points;
  return out;
}

/** Seqs of the batches still unsettled in a spool directory, read without changing anything there. */
export function spooledSeqs(spoolDir: string): Set<number> {
  const out = new Set<number>();
  for (const name of readdirSync(spoolDir)) {
    const id = parseSegmentName(name);
    if (id === undefined) continue;
    let acks = new Set<number>();
    try {
      acks = decodeAcks(readFileSync(join(spoolDir, ackName(id))));
    } catch {
      // no sidecar: nothing in the segment settled
    }
    for (const r of scanSegment(readFileSync(join(spoolDir, name))).records) if (!acks.has(r.seq)) out.add(r.seq);
  }
  return out;
}

/** Keys of every point InfluxDB holds for this host and tenant in these measurements. */
export async function storedKeys(stack: Stack, host: string, tenant: string, measurements: Iterable<string>): Promise<Set<string>> {
  const out = new Set<string>();
  for (const m of measurements) {
    const q = `SELECT * FROM "${m.replace(/"/g, '\\"')}" WHERE "host" = '${host}' AND "tenant" = '${tenant}' GROUP BY *`;
    for (const series of await stack.query<[number, ...unknown[]][]>(q)) {
      const { host: _h, tenant: _t, ...tags } = series.tags ?? {};
      for (const row of series.values) out.add(pointKey(m, row[0], tags));
    }
  }
  return out;
}

export interface Comparison {
  produced: number;
  stored: number;
  /** Produced points in batches the ledger records as dropped, and in batches still spooled. */
  dropped: string[];
  spooled: string[];
  /** Produced, not stored, not dropped, not spooled: lost without a trace. Must be empty. */
  missing: { key: string; seq: number }[];
  /** Points of dropped batches that are not stored (what the drops really cost). */
  droppedMissing: string[];
  /** Points of batches still spooled that are not stored: a spooled batch may be stored already when the agent
   *  stopped between the write and its Ack (at-least-once: it is sent again). */
  spooledMissing: string[];
}

export async function compare(stack: Stack, ledger: Ledger, host: string, tenant: string, spoolDir: string): Promise<Comparison> {
  const stored = await storedKeys(stack, host, tenant, ledger.measurements);
  const spooled = spooledSeqs(spoolDir);
  const out: Comparison = { produced: ledger.points.size, stored: 0, dropped: [], spooled: [], missing: [], droppedMissing: [], spooledMissing: [] };
  for (const [key, seq] of ledger.points) {
    const isStored = stored.has(key);
    if (isStored) out.stored += 1;
    if (ledger.droppedSeqs.has(seq)) {
      out.dropped.push(key);
      if (!isStored) out.droppedMissing.push(key);
    } else if (spooled.has(seq)) {
      out.spooled.push(key);
      if (!isStored) out.spooledMissing.push(key);
    } else if (!isStored) out.missing.push({ key, seq });
  }
  return out;
}

/** A one-line account for failure messages and the test log. */
export function describeComparison(c: Comparison): string {
  const head = `produced ${c.produced}, stored ${c.stored}, in dropped batches ${c.dropped.length} (${c.droppedMissing.length} not stored), still spooled ${c.spooled.length}, missing ${c.missing.length}`;
  const first = c.missing.slice(0, SHOW_MISSING).map((m) => `${m.key} (seq ${m.seq})`);
  return c.missing.length ? `${head}; first missing: ${first.join(' | ')}` : head;
}

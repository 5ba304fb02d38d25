// Moves the raw points left in the former raw policy `watchpost_raw` into the policy raw points are written to now
// (autogen: database.ts says why), then drops the former policy. The writer starts it in the background after
// ensureDatabase and writes into autogen meanwhile, so dashboards show new points at once and older ones as they
// arrive, newest first.
//
// Each pass walks the old policy's shard groups, newest first, in time ranges:
//   1. Count the range's values per measurement and field in the old policy (SELECT count(*)), then in autogen.
//   2. Copy each measurement that has fewer values in autogen: SELECT * INTO "db"."autogen".:MEASUREMENT FROM
//      "db"."watchpost_raw"."<measurement>" WHERE <range> GROUP BY *. GROUP BY * keeps tags as tags; SELECT INTO
//      writes every value with its type (integer, float, string, boolean) at its timestamp. One measurement per
//      query, so a query opens the series of one measurement only.
//   3. Count autogen again: every field must hold at least the old count (equal, unless the collector wrote points
//      of that range meanwhile), or the move stops with the old policy kept.
// Ranges are sized from the counts so that one copy moves at most MAX_VALUES_PER_COPY values: a big database times
// out no request and InfluxDB holds little in memory. A range whose query times out anyway is split.
// The old policy is dropped only after a whole pass found every range already in autogen (so after a pass that
// copied, one more checks): points that reached the old policy meanwhile (a collector of an earlier version still
// writing there) are copied by that pass, and if they keep coming the old policy is kept and a warning says so.
//
// Safe to interrupt anywhere (a killed collector, close(), InfluxDB going away): InfluxDB keeps one value per series,
// field and time, so a range copied twice holds the same points, not two copies, and the counts show the next
// start which ranges are done. Nothing is deleted before the final check. Points within EXPIRY_MARGIN_MS of leaving
// autogen's retention are left behind: autogen would refuse them, and they would be gone within minutes anyway.
import { escape, type InfluxDB } from 'influx';
import { execute, goDurationMs, LEGACY_RAW_POLICY, select } from './database.js';
import type { WriterLogger } from './writer-contract.js';

/** Field values one SELECT INTO copies at most: about 2 s on a 2-core VM running influxd, far inside the writer's 10 s request timeout. */
export const MAX_VALUES_PER_COPY = 250_000;
/** The first range of a pass; later ones are sized from the counts of the previous one. */
export const FIRST_SPAN_MS = 10 * 60_000;
export const MIN_SPAN_MS = 1000;
/** A range grows at most this much over the previous one, so one sparse range cannot make the next one huge. */
const MAX_GROWTH = 8;
export const EXPIRY_MARGIN_MS = 10 * 60_000;
/** One pass copies, the next one verifies; a third copying pass means points keep arriving in the old policy. */
export const MAX_PASSES = 3;
export const PROGRESS_LOG_MS = 60_000;

export interface MigrationOptions {
  log: Pick<WriterLogger, 'info' | 'warn'>;
  /** Stops the move between two queries (the writer's close()); the next start resumes it. */
  signal?: AbortSignal;
  now?: () => number;
  maxValuesPerCopy?: number;
  /** Called after each range is verified, with the points it copied (0: already in autogen, or none). */
  onRange?: (range: { from: number; to: number; copied: number }) => void;
}

/** none: there was no old policy. moved: its points are in autogen and it is dropped. kept: it is still there (reason). */
export interface MigrationReport {
  outcome: 'none' | 'moved' | 'kept';
  /** Points the first pass found in the old policy (per measurement, its most-counted field). */
  points: number;
  /** Points copied over all passes. */
  copied: number;
  passes: number;
  reason?: string;
}

/** measurement -> field -> values counted */
type Counts = Map<string, Map<string, number>>;

interface Move {
  influx: InfluxDB;
  database: string;
  target: string;
  /** autogen's retention (0: forever): older points are not copied. */
  retentionMs: number;
  options: MigrationOptions;
  maxValues: number;
  span: number;
  lastLog: number;
  copied: number;
}

/** Moves LEGACY_RAW_POLICY into `target` when it exists. Never throws: a failure is a `kept` report, logged. */
export async function migrateLegacyRaw(influx: InfluxDB, database: string, target: string, options: MigrationOptions): Promise<MigrationReport> {
  const report: MigrationReport = { outcome: 'none', points: 0, copied: 0, passes: 0 };
  const { log } = options;
  const now = options.now ?? Date.now;
  const startedAt = now();
  const summary = () => ({ points: report.points, copied: report.copied, passes: report.passes, seconds: Math.round((now() - startedAt) / 1000) });
  try {
    const policies = await influx.showRetentionPolicies(database);
    const targetPolicy = policies.find((rp) => rp.name === target);
    if (target === LEGACY_RAW_POLICY || !targetPolicy || !policies.some((rp) => rp.name === LEGACY_RAW_POLICY)) return report;
    const move: Move = {
      influx,
      database,
      target,
      retentionMs: goDurationMs(targetPolicy.duration),
      options,
      maxValues: options.maxValuesPerCopy ?? MAX_VALUES_PER_COPY,
      span: FIRST_SPAN_MS,
      lastLog: startedAt,
      copied: 0,
    };
    log.info({ from: LEGACY_RAW_POLICY, to: target }, `moving raw points from the former policy ${LEGACY_RAW_POLICY} into ${target}, newest first`);
    while (report.passes < MAX_PASSES) {
      const { points, copied } = await pass(move);
      if (report.passes === 0) report.points = points;
      report.passes += 1;
      report.copied += copied;
      if (copied > 0) continue; // verified by the next pass
      await execute(influx, `DROP RETENTION POLICY ${escape.quoted(LEGACY_RAW_POLICY)} ON ${escape.quoted(database)}`, database);
      log.info(summary(), `moved the raw points of ${LEGACY_RAW_POLICY} into ${target} and dropped ${LEGACY_RAW_POLICY}`);
      return { ...report, outcome: 'moved' };
    }
    const reason = `points kept arriving in ${LEGACY_RAW_POLICY} (is a collector of an earlier version still writing there?)`;
    log.warn(summary(), `kept ${LEGACY_RAW_POLICY}: ${reason}; the move is tried again at the next start`);
    return { ...report, outcome: 'kept', reason };
  } catch (error) {
    const reason = options.signal?.aborted ? 'stopped' : (error as Error).message;
    log.warn(
      { ...summary(), reason },
      `moving raw points from ${LEGACY_RAW_POLICY} into ${target} stopped; ${LEGACY_RAW_POLICY} is kept and the move resumes at the next start`,
    );
    return { ...report, outcome: 'kept', reason };
  }
}

/** One walk over the old policy's shard groups, newest first; returns the points found and the points copied. */
async function pass(move: Move): Promise<{ points: number; copied: number }> {
  const now = move.options.now ?? Date.now;
  let points = 0;
  let copied = 0;
  for (const group of await shardGroups(move)) {
    let to = group.end;
    for (;;) {
      // Recomputed per range: a long move must not copy points that autogen's retention has meanwhile passed.
      const floor = move.retentionMs > 0 ? now() - move.retentionMs + EXPIRY_MARGIN_MS : -Infinity;
      const from = Math.max(group.start, floor, to - move.span);
      if (from >= to) break;
      const result = await range(move, from, to);
      if (result === 'smaller') continue;
      points += result.points;
      copied += result.copied;
      move.span = Math.max(MIN_SPAN_MS, Math.min((to - from) * MAX_GROWTH, Math.floor(((to - from) * move.maxValues) / Math.max(result.values, 1))));
      move.options.onRange?.({ from, to, copied: result.copied });
      progress(move, from);
      to = from;
    }
  }
  return { points, copied };
}

/** The range [from, to) moved and verified, or 'smaller' after shrinking move.span (too many values, or timed out). */
async function range(move: Move, from: number, to: number): Promise<{ points: number; copied: number; values: number } | 'smaller'> {
  const splittable = to - from > MIN_SPAN_MS;
  try {
    const old = await count(move, LEGACY_RAW_POLICY, from, to);
    const values = sum(old);
    if (values === 0) return { points: 0, copied: 0, values };
    const missing = short(old, await count(move, move.target, from, to));
    if (missing.length === 0) return { points: pointsOf(old), copied: 0, values };
    if (values > move.maxValues && splittable) {
      move.span = Math.max(MIN_SPAN_MS, Math.floor(((to - from) * move.maxValues) / values));
      return 'smaller';
    }
    for (const measurement of missing) await copy(move, measurement, from, to);
    const after = await count(move, move.target, from, to);
    const still = short(old, after);
    if (still.length > 0) throw new Error(`verification failed for ${still.join(', ')} in ${iso(from)}..${iso(to)}: ${describe(old, after, still)}`);
    const copied = pointsOf(new Map(missing.map((m) => [m, old.get(m)!])));
    move.copied += copied;
    return { points: pointsOf(old), copied, values };
  } catch (error) {
    if (!splittable || move.options.signal?.aborted || !/timed out/i.test((error as Error).message)) throw error;
    move.span = Math.max(MIN_SPAN_MS, Math.floor((to - from) / 4));
    return 'smaller';
  }
}

async function copy(move: Move, measurement: string, from: number, to: number): Promise<void> {
  const q = escape.quoted;
  const into = `${q(move.database)}.${q(move.target)}.:MEASUREMENT`;
  const source = `${q(move.database)}.${q(LEGACY_RAW_POLICY)}.${q(measurement)}`;
  move.options.signal?.throwIfAborted();
  await execute(move.influx, `SELECT * INTO ${into} FROM ${source} WHERE ${between(from, to)} GROUP BY *`, move.database);
}

/** Values per measurement and field of one policy in [from, to). */
async function count(move: Move, policy: string, from: number, to: number): Promise<Counts> {
  move.options.signal?.throwIfAborted();
  const q = escape.quoted;
  const result = await select(move.influx, `SELECT count(*) FROM ${q(move.database)}.${q(policy)}./.*/ WHERE ${between(from, to)}`, move.database);
  const counts: Counts = new Map();
  for (const series of result.series ?? []) {
    const fields = new Map<string, number>();
    const row = series.values?.[0] ?? [];
    series.columns.forEach((column, i) => {
      const n = row[i];
      if (column.startsWith('count_') && typeof n === 'number' && n > 0) fields.set(column.slice('count_'.length), n);
    });
    counts.set(series.name, fields);
  }
  return counts;
}

/** Measurements with a field that has fewer values in `target` than in `old`. */
function short(old: Counts, target: Counts): string[] {
  return [...old].filter(([m, fields]) => [...fields].some(([field, n]) => (target.get(m)?.get(field) ?? 0) < n)).map(([m]) => m);
}

function describe(old: Counts, target: Counts, measurements: string[]): string {
  return measurements
    .flatMap((m) => [...old.get(m)!].map(([field, n]) => `${m}.${field} ${target.get(m)?.get(field) ?? 0} of ${n}`))
    .slice(0, 10)
    .join(', ');
}

const sum = (counts: Counts): number => [...counts.values()].reduce((total, fields) => total + [...fields.values()].reduce((a, b) => a + b, 0), 0);
/** A measurement's points are at least its most-counted field's values (each point has one value per field it has). */
const pointsOf = (counts: Counts): number => [...counts.values()].reduce((total, fields) => total + Math.max(0, ...fields.values()), 0);
const between = (from: number, to: number): string => `time >= ${from}ms AND time < ${to}ms`;
const iso = (ms: number): string => new Date(ms).toISOString();

/** The old policy's shard groups as [start, end) in ms, newest first: only where points can be, gaps skipped. */
async function shardGroups(move: Move): Promise<{ start: number; end: number }[]> {
  const shards = await move.influx.showShards(move.database);
  const groups = new Map<number, { start: number; end: number }>();
  for (const shard of shards.filter((s) => s.retention_policy === LEGACY_RAW_POLICY)) {
    groups.set(shard.shard_group, { start: Date.parse(shard.start_time), end: Date.parse(shard.end_time) });
  }
  return [...groups.values()].sort((a, b) => b.end - a.end);
}

function progress(move: Move, reached: number): void {
  const now = (move.options.now ?? Date.now)();
  if (now - move.lastLog < PROGRESS_LOG_MS) return;
  move.lastLog = now;
  move.options.log.info({ copied: move.copied, reached: iso(reached) }, `moving raw points from ${LEGACY_RAW_POLICY}: back to ${iso(reached)}`);
}

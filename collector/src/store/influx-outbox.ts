// Points waiting for InfluxDB that must survive a collector restart and an InfluxDB outage (alert and ticket
// transitions; agent batches do not need this: the agents keep theirs until acked). Bounded: past MAX_ROWS the
// oldest rows are dropped and counted, so a week-long InfluxDB outage cannot fill the disk.
import type { Db } from './db.js';

export const MAX_OUTBOX_ROWS = 1_000_000;

export interface InfluxOutbox {
  append(lines: readonly string[]): void;
  /** The oldest `limit` rows, in order. */
  peek(limit: number): Array<{ id: number; line: string }>;
  /** Removes every row up to and including `id` (after InfluxDB stored them, or refused them for good). */
  remove(throughId: number): void;
  size(): number;
  /** Rows dropped because the outbox was full, since this process opened the store. */
  dropped(): number;
}

export function createInfluxOutbox(db: Db, maxRows = MAX_OUTBOX_ROWS): InfluxOutbox {
  const insert = db.prepare('INSERT INTO influx_outbox (line) VALUES (?)');
  const select = db.prepare('SELECT id, line FROM influx_outbox ORDER BY id LIMIT ?');
  const del = db.prepare('DELETE FROM influx_outbox WHERE id <= ?');
  const count = db.prepare('SELECT count(*) AS n FROM influx_outbox');
  const trim = db.prepare('DELETE FROM influx_outbox WHERE id IN (SELECT id FROM influx_outbox ORDER BY id LIMIT ?)');
  let dropped = 0;
  let rows = (count.get() as { n: number }).n;
  return {
    append(lines) {
      for (const line of lines) insert.run(line);
      rows += lines.length;
      // The running count can be high after a rolled-back transition: recount before dropping anything.
      if (rows > maxRows) rows = (count.get() as { n: number }).n;
      if (rows > maxRows) {
        const excess = rows - maxRows;
        dropped += trim.run(excess).changes;
        rows = maxRows;
      }
    },
    peek: (limit) => select.all(limit) as Array<{ id: number; line: string }>,
    remove(throughId) {
      del.run(throughId);
      rows = (count.get() as { n: number }).n;
    },
    size: () => (count.get() as { n: number }).n,
    dropped: () => dropped,
  };
}

// The drain of the InfluxDB outbox (its feed: influx-outbox-feed.ts): moves alert and ticket points from the store's
// outbox to InfluxDB, oldest first, one batch at a time. A batch leaves the outbox only once InfluxDB stored it or
// refused it for good (logged with the count); while InfluxDB is unavailable the points wait, through restarts too.
//
// Every collector sharing the store runs one: each batch is claimed in the store (store/influx-outbox.ts) for
// SHIP_LEASE_MS, so two shippers never send the same rows. A shipper that dies mid-write leaves its batch claimed
// until the lease lapses; then any shipper sends it again (InfluxDB rewrites the same points).
import { randomUUID } from 'node:crypto';
import type { PointSink } from '../influx/writer-contract.js';
import type { InfluxOutbox } from '../store/index.js';
import type { EngineLog } from './engine.js';

export const SHIP_BATCH = 5_000;
export const SHIP_INTERVAL_MS = 1_000;
/** How long a claimed batch is this shipper's alone: past one write with the writer's retries (under a minute). A
 *  write that outlives it is harmless: the next claim sends the same points again, and InfluxDB rewrites them. */
export const SHIP_LEASE_MS = 2 * 60_000;

export interface ShipperOptions {
  intervalMs?: number;
  /** Names this collector in the claims it makes (its collector id); default a random id per shipper. */
  owner?: string;
  now?: () => number;
}

export interface Shipper {
  /** Ships until the outbox has nothing left to claim or a write fails; resolves with the number of points stored. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/** `options` as a number: the interval alone. */
export function startShipper(outbox: InfluxOutbox, sink: PointSink, log: EngineLog, options: ShipperOptions | number = {}): Shipper {
  if (typeof options === 'number') options = { intervalMs: options };
  const owner = options.owner ?? randomUUID();
  const now = options.now ?? Date.now;
  let running: Promise<number> | null = null;
  let stopped = false;

  const drainOnce = async (): Promise<number> => {
    let stored = 0;
    for (;;) {
      const claim = `${owner}/${randomUUID()}`;
      const t = now();
      const rows = outbox.claim(SHIP_BATCH, claim, t, t + SHIP_LEASE_MS);
      if (rows.length === 0) return stored;
      const result = await sink.write(rows.map((r) => r.line));
      if (!result.ok && result.retryable) {
        outbox.release(rows, claim); // for whichever shipper tries next, this one included
        return stored;
      }
      if (!result.ok) log.error({ points: rows.length, reason: result.reason }, 'InfluxDB refused alert/ticket points; dropped');
      else stored += rows.length;
      outbox.removeClaimed(rows, claim);
    }
  };
  const drain = (): Promise<number> => {
    running ??= drainOnce().finally(() => (running = null));
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) drain().catch((error: Error) => log.error({ err: error.message }, 'shipping alert points failed'));
  }, options.intervalMs ?? SHIP_INTERVAL_MS);
  timer.unref();
  return {
    drain,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

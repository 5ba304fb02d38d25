// The drain of the InfluxDB outbox (its feed: influx-outbox-feed.ts): moves alert and ticket points from the store's
// outbox to InfluxDB, oldest first, one batch at a time. A batch leaves the outbox only once InfluxDB stored it or
// refused it for good (logged with the count); while InfluxDB is unavailable the points wait, through restarts too.
import type { PointSink } from '../influx/writer-contract.js';
import type { InfluxOutbox } from '../store/index.js';
import type { EngineLog } from './engine.js';

export const SHIP_BATCH = 5_000;
export const SHIP_INTERVAL_MS = 1_000;

export interface Shipper {
  /** Ships until the outbox is empty or a write fails; resolves with the number of points stored. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

export function startShipper(outbox: InfluxOutbox, sink: PointSink, log: EngineLog, intervalMs = SHIP_INTERVAL_MS): Shipper {
  let running: Promise<number> | null = null;
  let stopped = false;

  const drainOnce = async (): Promise<number> => {
    let stored = 0;
    for (;;) {
      const rows = outbox.peek(SHIP_BATCH);
      if (rows.length === 0) return stored;
      const result = await sink.write(rows.map((r) => r.line));
      if (!result.ok && result.retryable) return stored;
      if (!result.ok) log.error({ points: rows.length, reason: result.reason }, 'InfluxDB refused alert/ticket points; dropped');
      else stored += rows.length;
      outbox.remove(rows[rows.length - 1]!.id);
    }
  };
  const drain = (): Promise<number> => {
    running ??= drainOnce().finally(() => (running = null));
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) drain().catch((error: Error) => log.error({ err: error.message }, 'shipping alert points failed'));
  }, intervalMs);
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

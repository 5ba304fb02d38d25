// Exponential backoff with jitter: the one retry wait of the collector (the InfluxDB writer, the desk dispatcher).
// The step doubles from baseMs with each retry up to maxMs; the jitter spreads the waits so that many callers that
// failed together do not come back together. Callers differ only in the shape they pass:
//   full:  a wait in [0, step)      (the writer: short, many retries, a collector that restarts must not stampede)
//   equal: a wait in [step/2, step) (the dispatcher: a desk that failed is never called again at once)

export interface BackoffShape {
  baseMs: number;
  maxMs: number;
  jitter: 'full' | 'equal';
}

/** The wait before retry number `retry` (0 for the first): min(maxMs, baseMs * 2^retry), jittered, in whole ms. */
export function backoffMs(retry: number, shape: BackoffShape, random: () => number = Math.random): number {
  const step = Math.min(shape.maxMs, shape.baseMs * 2 ** retry);
  return Math.round(step * (shape.jitter === 'full' ? random() : 0.5 + random() / 2));
}

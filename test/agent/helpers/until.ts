// Bounded waiting for tests that run against real sockets and processes: poll a condition and fail with a message
// that says what was awaited (and the last observed value) instead of hanging until the test timeout.
import { setTimeout as sleep } from 'node:timers/promises';

export const DEFAULT_WAIT_MS = 5_000;
const POLL_MS = 10;

/** Resolves with the first truthy value of `probe()`; throws `timed out waiting for <what>` after `waitMs`. */
export async function until<T>(what: string, probe: () => T | Promise<T>, waitMs = DEFAULT_WAIT_MS, describe?: () => unknown): Promise<NonNullable<T>> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) {
      const seen = describe ? ` (last seen: ${JSON.stringify(describe())})` : '';
      throw new Error(`timed out after ${waitMs} ms waiting for ${what}${seen}`);
    }
    await sleep(POLL_MS);
  }
}

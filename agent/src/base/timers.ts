// The timer functions the agent's core uses, behind an interface so tests drive time with a manual clock instead of
// waiting on the wall clock. Production code passes `realTimers`.

/** Opaque handle returned by setTimeout/setInterval; only ever passed back to the matching clear function. */
export type TimerHandle = unknown;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

/** Node's timers, looked up at call time (so vitest's fake timers, when installed, apply to them too). */
export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

// The maintenance windows and silences the engine checks holds against, read from the store again only when the
// store says they changed (store.maintenance.version(): the API or the CLI, in this process or another).
import type { Store } from '../store/index.js';
import { holdAt, type Hold, type HoldSource } from './holds.js';

export interface HoldCache {
  /** Reads the windows and silences again if they changed since the last read. */
  refresh(): void;
  /** The hold on `target` at `time`, or null; a window created a moment ago already holds. */
  at(target: Parameters<typeof holdAt>[0], time: number): Hold | null;
  /** What the other source tried, for the ticket of an alert it held (HoldSource.releaseNote). */
  releaseNote(target: Parameters<typeof holdAt>[0], time: number): string | null;
}

/** `source`: holds placed by another part of the collector, consulted beside the windows and silences. */
export function createHoldCache(store: Store, source?: HoldSource): HoldCache {
  let version = -1;
  let windows = store.maintenance.listWindows();
  let silences = store.maintenance.listSilences();
  const refresh = (): void => {
    const v = store.maintenance.version();
    if (v === version) return;
    version = v;
    windows = store.maintenance.listWindows();
    silences = store.maintenance.listSilences();
  };
  refresh();
  // One cheap version read per question: a window created through the API a moment ago already holds.
  const at = (target: Parameters<typeof holdAt>[0], time: number): Hold | null => {
    refresh();
    const own = holdAt(target, time, windows, silences);
    const other = source?.at(target, time) ?? null;
    return other !== null && (own === null || other.until > own.until) ? other : own;
  };
  return { refresh, at, releaseNote: (target, time) => source?.releaseNote(target, time) ?? null };
}

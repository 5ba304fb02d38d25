// The maintenance windows and silences the engine checks holds against, read from the store again only when the
// store says they changed (store.maintenance.version(): the API or the CLI, in this process or another).
import type { Store } from '../store/index.js';
import { holdAt, type Hold } from './holds.js';

export interface HoldCache {
  /** Reads the windows and silences again if they changed since the last read. */
  refresh(): void;
  /** The hold on `target` at `time`, or null; a window created a moment ago already holds. */
  at(target: Parameters<typeof holdAt>[0], time: number): Hold | null;
}

export function createHoldCache(store: Store): HoldCache {
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
    return holdAt(target, time, windows, silences);
  };
  return { refresh, at };
}

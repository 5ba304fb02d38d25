// Where probes' checkpoints live: <stateDir>/checkpoints.json, one object per probe. A run stages values through
// a session; the agent commits a session's values when the batch carrying that run's samples is settled (see
// AckCheckpoints), so a checkpoint never runs ahead of data the collector holds.
import { join } from 'node:path';
import { readJson, writeJsonAtomic } from '../identity/state.js';
import type { Checkpoints } from '../probes/probe.js';

export const CHECKPOINTS_FILE = 'checkpoints.json';

type Values = Record<string, Record<string, unknown>>;

/** One probe run's view: committed values to read, staged values to commit later. */
export interface CheckpointSession extends Checkpoints {
  /** What this run staged (empty: nothing to commit). */
  staged(): Record<string, unknown>;
}

export interface CheckpointStore {
  session(probe: string): CheckpointSession;
  /** Makes `values` the committed ones for `probe` and writes the file (atomically, owner-only). */
  commit(probe: string, values: Record<string, unknown>): void;
}

function sessionOver(committed: () => Record<string, unknown>): CheckpointSession {
  const staged: Record<string, unknown> = {};
  return {
    get: <T>(key: string) => (key in staged ? staged[key] : committed()[key]) as T | undefined,
    stage: (key, value) => {
      staged[key] = JSON.parse(JSON.stringify(value ?? null)) as unknown;
    },
    staged: () => ({ ...staged }),
  };
}

/** Checkpoints persisted in the state directory. */
export function fileCheckpointStore(stateDir: string): CheckpointStore {
  const file = join(stateDir, CHECKPOINTS_FILE);
  const values: Values = readJson<Values>(file) ?? {};
  return {
    session: (probe) => sessionOver(() => values[probe] ?? {}),
    commit(probe, staged) {
      values[probe] = { ...values[probe], ...staged };
      writeJsonAtomic(file, values);
    },
  };
}

/** Checkpoints that are read but never kept: `collect --once` must not move anything. */
export function throwawayCheckpoints(): CheckpointStore {
  return { session: () => sessionOver(() => ({})), commit: () => undefined };
}

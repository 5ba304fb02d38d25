// What the agent remembers about updates, in its state directory (shared by the old and the new version, so each
// can read what the other wrote):
//   update.json          the update in progress: written just before the swap, read at every start, deleted when
//                        the new version confirms (its first Welcome) or when the old one runs again after a
//                        rollback and has reported it;
//   update-refused.json  offers not to try again: a version rolled back (never re-accepted, whatever the offer),
//                        and offers refused after a download (bad signature, sha256, smoke test), by fingerprint so
//                        that a re-signed or rebuilt release of the same version is tried again.
// The decision at start is a pure function (startupAction) over the marker, our version and the clock.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { readJson, StateError, writeJsonAtomic } from '../identity/state.js';

export const MARKER_FILE = 'update.json';
export const REMEMBERED_FILE = 'update-refused.json';
/** Starts of the new version without a confirmation before it is swapped back: a crash loop ends here. */
export const MAX_START_ATTEMPTS = 3;
/** Remembered offers kept (the oldest go first): a fleet sees a handful of releases a year. */
const MAX_REMEMBERED = 50;

export interface UpdateMarker {
  /** The version that swapped the new one in, and swaps back to. */
  from: string;
  /** The version swapped in. */
  to: string;
  /** Where `from` is: what swapBack points the installation at again (swap.ts). */
  previousPath: string;
  /** ISO 8601: the new version must have a session with the collector by then. */
  deadline: string;
  /** Starts of the new version so far. */
  attempts: number;
}

export interface RememberedOffer {
  version: string;
  status: 'refused' | 'rolled_back';
  /** offerFingerprint of the refused offer; null for a rollback, which bars the version itself. */
  offer: string | null;
  reason: string;
  /** ISO 8601. */
  at: string;
}

/** What the agent does about a marker when `run` starts. */
export type StartupAction =
  | { kind: 'none' }
  /** We are the new version, within bounds: the marker with this start counted; confirm before the deadline. */
  | { kind: 'pending'; marker: UpdateMarker; deadlineMs: number }
  /** We are the new version and out of time or starts: swap back now. */
  | { kind: 'roll-back'; marker: UpdateMarker; reason: string }
  /** We are the old version and the marker is still there: the new one was swapped back (or never confirmed). */
  | { kind: 'rolled-back'; marker: UpdateMarker }
  /** A marker naming neither our version as `from` nor as `to` (a manual reinstall): nothing to do but remove it. */
  | { kind: 'stale'; marker: UpdateMarker };

export function startupAction(marker: UpdateMarker | null, ourVersion: string, now: number): StartupAction {
  if (!marker) return { kind: 'none' };
  if (marker.to === ourVersion) {
    const counted = { ...marker, attempts: marker.attempts + 1 };
    const deadlineMs = Date.parse(marker.deadline);
    if (counted.attempts > MAX_START_ATTEMPTS) {
      return { kind: 'roll-back', marker: counted, reason: `no session with the collector after ${MAX_START_ATTEMPTS} starts` };
    }
    if (!(now < deadlineMs)) return { kind: 'roll-back', marker: counted, reason: `no session with the collector by the deadline ${marker.deadline}` };
    return { kind: 'pending', marker: counted, deadlineMs };
  }
  if (marker.from === ourVersion) return { kind: 'rolled-back', marker };
  return { kind: 'stale', marker };
}

function isMarker(value: unknown): value is UpdateMarker {
  const m = value as Partial<UpdateMarker> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.from === 'string' &&
    typeof m.to === 'string' &&
    typeof m.previousPath === 'string' &&
    m.previousPath !== '' &&
    typeof m.deadline === 'string' &&
    !Number.isNaN(Date.parse(m.deadline)) &&
    Number.isInteger(m.attempts) &&
    (m.attempts as number) >= 0
  );
}

/** The marker, or null when there is none. Throws StateError for a file that is not a marker. */
export function readMarker(stateDir: string): UpdateMarker | null {
  const file = join(stateDir, MARKER_FILE);
  const value = readJson<unknown>(file);
  if (value === undefined) return null;
  if (!isMarker(value)) throw new StateError(`${file}: not an update marker`);
  return value;
}

export function writeMarker(stateDir: string, marker: UpdateMarker): void {
  writeJsonAtomic(join(stateDir, MARKER_FILE), marker);
}

export function removeMarker(stateDir: string): void {
  rmSync(join(stateDir, MARKER_FILE), { force: true });
}

/** Identifies one offer's content: the same version, target, hash and signature give the same verdict again. */
export function offerFingerprint(offer: { version: string; target: string; sha256: string; signature: Uint8Array }): string {
  return createHash('sha256')
    .update(`${offer.version}\n${offer.target}\n${offer.sha256.toLowerCase()}\n${Buffer.from(offer.signature).toString('hex')}\n`)
    .digest('hex');
}

/** The entry that bars this offer, if any: a rollback of its version, or a refusal of this very offer. */
export function rememberedFor(list: readonly RememberedOffer[], version: string, fingerprint: string): RememberedOffer | undefined {
  return list.find((e) => (e.status === 'rolled_back' && e.version === version) || (e.offer !== null && e.offer === fingerprint));
}

/** The list with `entry` added last (replacing an entry for the same thing), at most MAX_REMEMBERED long. */
export function remember(list: readonly RememberedOffer[], entry: RememberedOffer): RememberedOffer[] {
  const same = (e: RememberedOffer) => e.status === entry.status && e.version === entry.version && e.offer === entry.offer;
  return [...list.filter((e) => !same(e)), entry].slice(-MAX_REMEMBERED);
}

function isRemembered(value: unknown): value is RememberedOffer {
  const e = value as Partial<RememberedOffer> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.version === 'string' &&
    (e.status === 'refused' || e.status === 'rolled_back') &&
    (e.offer === null || typeof e.offer === 'string') &&
    typeof e.reason === 'string' &&
    typeof e.at === 'string'
  );
}

/** The remembered offers; a damaged file reads as empty (the worst outcome is one more download that is refused
 *  again), and its entries that do not parse are left out. */
export function readRemembered(stateDir: string): RememberedOffer[] {
  let value: unknown;
  try {
    value = readJson<unknown>(join(stateDir, REMEMBERED_FILE));
  } catch (error) {
    if (error instanceof StateError) return [];
    throw error;
  }
  return Array.isArray(value) ? value.filter(isRemembered) : [];
}

export function writeRemembered(stateDir: string, list: readonly RememberedOffer[]): void {
  writeJsonAtomic(join(stateDir, REMEMBERED_FILE), list);
}

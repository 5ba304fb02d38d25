// The update marker and the remembered offers: the start-up decision as a pure function stepped through a timeline,
// and the files in a real state directory.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MARKER_FILE,
  MAX_START_ATTEMPTS,
  REMEMBERED_FILE,
  offerFingerprint,
  readMarker,
  readRemembered,
  remember,
  rememberedFor,
  removeMarker,
  startupAction,
  writeMarker,
  writeRemembered,
  type RememberedOffer,
  type UpdateMarker,
} from '../../../agent/src/update/marker.js';
import { StateError } from '../../../agent/src/identity/state.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const marker: UpdateMarker = {
  from: '0.1.0',
  to: '0.2.0',
  previousPath: '/opt/watchpost-agent/versions/0.1.0',
  deadline: new Date(T0 + 600_000).toISOString(),
  attempts: 0,
};

describe('startupAction', () => {
  it('no marker: nothing to do', () => {
    expect(startupAction(null, '0.2.0', T0)).toEqual({ kind: 'none' });
  });

  it('the new version before the deadline counts its start and waits for the deadline', () => {
    expect(startupAction(marker, '0.2.0', T0 + 1_000)).toEqual({ kind: 'pending', marker: { ...marker, attempts: 1 }, deadlineMs: T0 + 600_000 });
  });

  it('steps through crash-loop starts: the start after the last allowed one rolls back', () => {
    let m = marker;
    for (let start = 1; start <= MAX_START_ATTEMPTS; start++) {
      const action = startupAction(m, '0.2.0', T0 + start * 1_000);
      expect(action.kind).toBe('pending');
      if (action.kind === 'pending') m = action.marker; // what atStart writes back
    }
    const last = startupAction(m, '0.2.0', T0 + 10_000);
    expect(last).toEqual({
      kind: 'roll-back',
      marker: { ...marker, attempts: MAX_START_ATTEMPTS + 1 },
      reason: `no session with the collector after ${MAX_START_ATTEMPTS} starts`,
    });
  });

  it.each([
    ['at the deadline', T0 + 600_000],
    ['after the deadline', T0 + 3_600_000],
  ])('the new version %s rolls back', (_name, now) => {
    const action = startupAction(marker, '0.2.0', now);
    expect(action.kind === 'roll-back' && action.reason).toBe(`no session with the collector by the deadline ${marker.deadline}`);
  });

  it('the old version with a marker: the new one was rolled back or never confirmed', () => {
    expect(startupAction(marker, '0.1.0', T0)).toEqual({ kind: 'rolled-back', marker });
  });

  it('a third version (reinstalled by hand): the marker is stale', () => {
    expect(startupAction(marker, '0.3.0', T0)).toEqual({ kind: 'stale', marker });
  });
});

describe('remembered offers', () => {
  const offer = { version: '0.2.0', target: 'linux-x64', sha256: 'ab'.repeat(32), signature: Buffer.alloc(64, 1) };
  const fp = offerFingerprint(offer);
  const refused: RememberedOffer = { version: '0.2.0', status: 'refused', offer: fp, reason: 'bad signature', at: '2026-03-01T12:00:00Z' };
  const rolledBack: RememberedOffer = { version: '0.3.0', status: 'rolled_back', offer: null, reason: 'deadline', at: '2026-03-01T12:00:00Z' };

  it('fingerprints the whole offer: any field changed is another offer', () => {
    expect(offerFingerprint({ ...offer, sha256: offer.sha256.toUpperCase() })).toBe(fp);
    for (const changed of [{ version: '0.2.1' }, { target: 'win-x64' }, { sha256: 'cd'.repeat(32) }, { signature: Buffer.alloc(64, 2) }]) {
      expect(offerFingerprint({ ...offer, ...changed })).not.toBe(fp);
    }
  });

  it('a refusal bars that very offer; a rollback bars the version whatever the offer', () => {
    const list = [refused, rolledBack];
    expect(rememberedFor(list, '0.2.0', fp)).toBe(refused);
    expect(rememberedFor(list, '0.2.0', offerFingerprint({ ...offer, signature: Buffer.alloc(64, 9) }))).toBeUndefined(); // re-signed
    expect(rememberedFor(list, '0.3.0', 'any')).toBe(rolledBack);
  });

  it('remember replaces an entry for the same thing and keeps the newest 50', () => {
    expect(remember([refused, rolledBack], { ...refused, reason: 'again' })).toEqual([rolledBack, { ...refused, reason: 'again' }]);
    let list: RememberedOffer[] = [];
    for (let i = 0; i < 60; i++) list = remember(list, { ...rolledBack, version: `1.0.${i}` });
    expect(list).toHaveLength(50);
    expect(list[0]!.version).toBe('1.0.10');
  });
});

describe('files in the state directory', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'watchpost-marker-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('marker: write, read, remove', () => {
    expect(readMarker(dir)).toBeNull();
    writeMarker(dir, marker);
    expect(readMarker(dir)).toEqual(marker);
    removeMarker(dir);
    removeMarker(dir); // idempotent
    expect(readMarker(dir)).toBeNull();
  });

  it.each([
    ['not JSON', '{'],
    ['no deadline', JSON.stringify({ ...marker, deadline: 'soon' })],
    ['attempts not a count', JSON.stringify({ ...marker, attempts: -1 })],
    ['null', 'null'],
  ])('a damaged marker (%s) is a StateError', (_name, text) => {
    writeFileSync(join(dir, MARKER_FILE), text);
    expect(() => readMarker(dir)).toThrow(StateError);
  });

  it('remembered offers: round trip; a damaged file reads as empty, bad entries are skipped', () => {
    const entry: RememberedOffer = { version: '0.2.0', status: 'rolled_back', offer: null, reason: 'x', at: '2026-03-01T12:00:00Z' };
    expect(readRemembered(dir)).toEqual([]);
    writeRemembered(dir, [entry]);
    expect(readRemembered(dir)).toEqual([entry]);
    writeFileSync(join(dir, REMEMBERED_FILE), JSON.stringify([entry, { version: 1 }, null]));
    expect(readRemembered(dir)).toEqual([entry]);
    writeFileSync(join(dir, REMEMBERED_FILE), '[');
    expect(readRemembered(dir)).toEqual([]);
  });
});

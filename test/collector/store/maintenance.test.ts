import { describe, expect, it } from 'vitest';
import type { NewMaintenanceWindow, NewSilence, Store } from '../../../collector/src/store/index.js';
import { clock, codeOf, HOUR, open, tempDbPath, T0 } from './helpers.js';

const ONE_OFF: NewMaintenanceWindow = { tenant: 'acme', host: 'sql01', reason: 'disk swap', startsAt: T0, endsAt: T0 + 2 * HOUR, createdBy: 'k1' };
const WEEKLY: NewMaintenanceWindow = {
  tenant: 'acme',
  site: 'berlin',
  reason: 'patch night',
  startsAt: T0,
  createdBy: 'k1',
  recurrence: { cron: '0 22 * * 6', durationMs: 4 * HOUR, timezone: 'Europe/Berlin' },
};
const SILENCE: NewSilence = {
  tenant: 'acme',
  host: 'ws-1',
  ruleId: 'av-disabled',
  startsAt: T0,
  endsAt: T0 + HOUR,
  comment: 'known, re-imaging',
  createdBy: 'k1',
};

function setup(file = tempDbPath()): Store {
  const store = open(file, clock(T0 - 1000));
  store.tenants.add({ id: 'acme', name: 'Acme' });
  store.tenants.add({ id: 'other', name: 'Other' });
  return store;
}

describe('maintenance windows', () => {
  it('adds one-off and recurring windows and reads them back', () => {
    const store = setup();
    const once = store.maintenance.addWindow(ONE_OFF);
    expect(once).toEqual({
      id: expect.stringMatching(/^mw_[0-9a-f]{16}$/),
      tenant: 'acme',
      site: null,
      host: 'sql01',
      reason: 'disk swap',
      startsAt: T0,
      endsAt: T0 + 2 * HOUR,
      recurrence: null,
      createdAt: T0 - 1000,
      createdBy: 'k1',
      deletedAt: null,
    });
    const weekly = store.maintenance.addWindow(WEEKLY);
    expect(weekly).toMatchObject({ site: 'berlin', host: null, endsAt: null, recurrence: WEEKLY.recurrence });
    expect(store.maintenance.getWindow(weekly.id)).toEqual(weekly);
    expect(store.maintenance.getWindow('mw_nope')).toBeNull();
    expect(store.maintenance.listWindows().map((w) => w.id)).toEqual([once.id, weekly.id]);
    expect(store.maintenance.listWindows({ tenant: 'other' })).toEqual([]);
  });

  it.each<[string, Partial<NewMaintenanceWindow>, string]>([
    ['no end on a one-off', { endsAt: null }, 'endsAt: a one-off window needs an end'],
    ['end before start', { endsAt: T0 }, 'endsAt: must be after startsAt'],
    ['both site and host', { site: 'berlin' }, 'host: a window is scoped to a site or to a host, not both'],
    ['an empty reason', { reason: ' ' }, 'reason: expected 1-1000 characters'],
    ['an empty host', { host: '' }, 'host: expected 1-255 characters'],
    ['a fractional start', { startsAt: T0 + 0.5 }, 'startsAt: expected unix milliseconds'],
    ['a bad cron', { recurrence: { cron: 'every saturday', durationMs: HOUR, timezone: 'UTC' } }, 'recurrence.cron: "every saturday" is not a cron expression'],
    ['an empty cron', { recurrence: { cron: ' ', durationMs: HOUR, timezone: 'UTC' } }, 'recurrence.cron: expected a cron expression'],
    ['a day that never comes', { recurrence: { cron: '0 0 30 2 *', durationMs: HOUR, timezone: 'UTC' } }, 'recurrence.cron:'],
    ['a zero duration', { recurrence: { cron: '0 22 * * 6', durationMs: 0, timezone: 'UTC' } }, 'recurrence.durationMs: expected milliseconds > 0'],
    [
      'an unknown time zone',
      { recurrence: { cron: '0 22 * * 6', durationMs: HOUR, timezone: 'Mars/Olympus' } },
      'recurrence.timezone: expected an IANA time zone',
    ],
  ])('refuses %s, naming the field', (_what, change, message) => {
    const store = setup();
    const error = (() => {
      try {
        store.maintenance.addWindow({ ...ONE_OFF, ...change });
      } catch (e) {
        return e as Error & { code?: string };
      }
      return null;
    })();
    expect(error?.code).toBe('invalid_argument');
    expect(error?.message.startsWith(message)).toBe(true);
    expect(store.maintenance.listWindows()).toEqual([]);
  });

  it('refuses an unknown tenant', () => {
    expect(codeOf(() => setup().maintenance.addWindow({ ...ONE_OFF, tenant: 'nobody' }))).toBe('tenant_unknown');
  });

  it('soft-deletes: hidden from the default list, kept with includeDeleted, deleted once', () => {
    const store = setup();
    const w = store.maintenance.addWindow(ONE_OFF);
    expect(store.maintenance.deleteWindow(w.id, T0 + 5)).toBe(true);
    expect(store.maintenance.deleteWindow(w.id, T0 + 6)).toBe(false);
    expect(store.maintenance.deleteWindow('mw_nope', T0)).toBe(false);
    expect(store.maintenance.listWindows()).toEqual([]);
    expect(store.maintenance.listWindows({ includeDeleted: true })).toEqual([{ ...w, deletedAt: T0 + 5 }]);
  });
});

describe('silences', () => {
  it('adds, lists the active ones at a time, and expires once', () => {
    const store = setup();
    const s = store.maintenance.addSilence(SILENCE);
    expect(s).toEqual({ id: expect.stringMatching(/^sil_[0-9a-f]{16}$/), ...SILENCE, createdAt: T0 - 1000, expiredAt: null });
    const tenantWide = store.maintenance.addSilence({ ...SILENCE, host: null, ruleId: null, startsAt: T0 + HOUR, endsAt: T0 + 2 * HOUR });
    expect(tenantWide).toMatchObject({ host: null, ruleId: null });
    const active = (at: number) => store.maintenance.listSilences({ activeAt: at }).map((x) => x.id);
    expect(active(T0 - 1)).toEqual([]);
    expect(active(T0)).toEqual([s.id]);
    expect(active(T0 + HOUR)).toEqual([tenantWide.id]);
    expect(store.maintenance.listSilences({ tenant: 'other' })).toEqual([]);
    expect(store.maintenance.expireSilence(s.id, T0 + 10)).toBe(true);
    expect(store.maintenance.expireSilence(s.id, T0 + 20)).toBe(false);
    expect(store.maintenance.expireSilence('sil_nope', T0)).toBe(false);
    expect(store.maintenance.getSilence(s.id)?.expiredAt).toBe(T0 + 10);
    expect(active(T0 + 11)).toEqual([]);
    expect(store.maintenance.listSilences().map((x) => x.id)).toEqual([s.id, tenantWide.id]);
  });

  it.each<[Partial<NewSilence>, string, string]>([
    [{ endsAt: T0 }, 'invalid_argument', 'endsAt: must be after startsAt'],
    [{ comment: '' }, 'invalid_argument', 'comment:'],
    [{ ruleId: 'x'.repeat(300) }, 'invalid_argument', 'ruleId:'],
    [{ tenant: 'nobody' }, 'tenant_unknown', 'unknown tenant'],
  ])('refuses %j', (change, code, message) => {
    const store = setup();
    expect(codeOf(() => store.maintenance.addSilence({ ...SILENCE, ...change }))).toBe(code);
    expect(() => store.maintenance.addSilence({ ...SILENCE, ...change })).toThrow(message);
  });
});

describe('maintenance version', () => {
  it('moves with every write by any connection, and not on reads', () => {
    const file = tempDbPath();
    const collector = setup(file);
    const cli = open(file);
    const v0 = collector.maintenance.version();
    collector.maintenance.listWindows();
    expect(collector.maintenance.version()).toBe(v0);
    const w = cli.maintenance.addWindow(ONE_OFF);
    const v1 = collector.maintenance.version();
    expect(v1).not.toBe(v0);
    const s = cli.maintenance.addSilence(SILENCE);
    const v2 = collector.maintenance.version();
    expect(v2).not.toBe(v1);
    cli.maintenance.deleteWindow(w.id, T0);
    const v3 = collector.maintenance.version();
    expect(v3).not.toBe(v2);
    cli.maintenance.deleteWindow(w.id, T0); // already deleted: no write
    expect(collector.maintenance.version()).toBe(v3);
    cli.maintenance.expireSilence(s.id, T0);
    expect(collector.maintenance.version()).not.toBe(v3);
  });
});

// The waivers store over a real SQLite file: what a waiver must carry (a reason, who agreed it, an expiry at most
// two years ahead, a known standard, a live agent of the tenant), which are in force at a time, revocation kept as
// history, and a database from before waivers keeping its verdicts.
import { describe, expect, it } from 'vitest';
import { latestWaiverExpiry, type NewWaiver } from '../../../collector/src/store/index.js';
import { clock, codeOf, HOUR, open, tempDbPath, T0 } from './helpers.js';

const DAY = 24 * HOUR;

function setup(file = tempDbPath()) {
  const c = clock(T0);
  const store = open(file, c);
  store.tenants.add({ id: 'acme', name: 'Acme' });
  store.tenants.add({ id: 'other', name: 'Other' });
  const { agentId } = store.agents.enroll({ tenant: 'acme', hostname: 'SQL01', os: 'win32', arch: 'x64', agentVersion: '1' });
  const base: NewWaiver = {
    tenant: 'acme',
    agentId,
    standard: 'backup',
    reason: 'backed up by the client’s own NAS job',
    createdBy: 'Jane',
    expiresAt: T0 + 90 * DAY,
  };
  return { store, c, agentId, base, file };
}

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
};

describe('compliance waivers store', () => {
  it('records a host waiver with the hostname as it was, and a tenant-wide one', () => {
    const { store, agentId, base } = setup();
    const host = store.waivers.create(base);
    expect(host).toEqual({
      id: host.id,
      tenant: 'acme',
      agentId,
      host: 'SQL01',
      standard: 'backup',
      reason: 'backed up by the client’s own NAS job',
      createdBy: 'Jane',
      createdAt: T0,
      expiresAt: T0 + 90 * DAY,
      revokedAt: null,
      revokedBy: null,
    });
    const tenantWide = store.waivers.create({ ...base, agentId: null, standard: 'ups' });
    expect(tenantWide).toMatchObject({ agentId: null, host: null, standard: 'ups' });
    // The name shown stays the one agreed on, whatever the agent is called later.
    store.agents.rename(agentId, 'sql01-new');
    expect(store.waivers.get(host.id)!.host).toBe('SQL01');
    expect(store.waivers.list({ tenant: 'acme' }).map((w) => w.id)).toEqual([host.id, tenantWide.id]);
    expect(store.waivers.list({ tenant: 'other' })).toEqual([]);
  });

  it.each<[string, Partial<NewWaiver>, string]>([
    ['an expiry in the past', { expiresAt: T0 - 1 }, 'expiresAt: must be in the future'],
    ['an expiry now', { expiresAt: T0 }, 'expiresAt: must be in the future'],
    ['no expiry', { expiresAt: undefined as unknown as number }, 'expiresAt: expected unix milliseconds'],
    ['an expiry past two years', { expiresAt: Date.UTC(2027, 0, 15, 9, 0, 0) + 1 }, 'expiresAt: at most 2 years ahead (2027-01-15)'],
    ['an unknown standard', { standard: 'backups' }, 'standard: unknown standard "backups" (known: os_floor, os_supported, patches'],
    ['an empty reason', { reason: '  ' }, 'reason: expected 1-1000 characters'],
    ['no one who agreed', { createdBy: '' }, 'createdBy: expected 1-255 characters'],
    ['an agent of another tenant', { tenant: 'other' }, 'agentId: no agent'],
  ])('refuses %s, naming the field', (_what, over, expected) => {
    const { store, base } = setup();
    expect(message(() => store.waivers.create({ ...base, ...over }))).toContain(expected);
    expect(codeOf(() => store.waivers.create({ ...base, ...over }))).toBe('invalid_argument');
    expect(store.waivers.list({ tenant: 'acme' })).toEqual([]);
  });

  it('takes an expiry of exactly two calendar years, refuses an unknown tenant and a revoked agent', () => {
    const { store, agentId, base } = setup();
    expect(latestWaiverExpiry(T0)).toBe(Date.UTC(2027, 0, 15, 9, 0, 0));
    expect(store.waivers.create({ ...base, expiresAt: latestWaiverExpiry(T0) }).expiresAt).toBe(latestWaiverExpiry(T0));
    expect(codeOf(() => store.waivers.create({ ...base, tenant: 'nope', agentId: null }))).toBe('tenant_unknown');
    store.agents.revoke(agentId);
    expect(message(() => store.waivers.create(base))).toContain(`agentId: agent ${agentId} (SQL01) is revoked`);
  });

  it('lists those in force at a time: created, not expired, not revoked by then', () => {
    const { store, c, base } = setup();
    const early = store.waivers.create({ ...base, expiresAt: T0 + 10 * DAY });
    c.advance(5 * DAY);
    const later = store.waivers.create({ ...base, standard: 'patches', expiresAt: T0 + 30 * DAY });
    const active = (t: number) => store.waivers.list({ tenant: 'acme', activeAt: t }).map((w) => w.id);
    expect(active(T0 - 1)).toEqual([]);
    expect(active(T0)).toEqual([early.id]);
    expect(active(T0 + 6 * DAY)).toEqual([early.id, later.id]);
    expect(active(T0 + 10 * DAY)).toEqual([later.id]); // the expiry is exclusive
    store.waivers.revoke(later.id, 'Bob', T0 + 20 * DAY);
    expect(active(T0 + 20 * DAY - 1)).toEqual([later.id]);
    expect(active(T0 + 20 * DAY)).toEqual([]);
  });

  it('records who revoked and when; the first revoke stands and nothing is deleted', () => {
    const { store, base, file } = setup();
    const w = store.waivers.create(base);
    expect(store.waivers.revoke(w.id, 'Bob', T0 + HOUR)).toMatchObject({ revokedAt: T0 + HOUR, revokedBy: 'Bob' });
    expect(store.waivers.revoke(w.id, 'Eve', T0 + 2 * HOUR)).toMatchObject({ revokedAt: T0 + HOUR, revokedBy: 'Bob' });
    expect(store.waivers.revoke(999, 'Bob', T0)).toBeNull();
    expect(codeOf(() => store.waivers.revoke(w.id, ' ', T0))).toBe('invalid_argument');
    store.close();
    const again = open(file);
    expect(again.waivers.list({ tenant: 'acme' })).toEqual([{ ...w, revokedAt: T0 + HOUR, revokedBy: 'Bob' }]);
  });
});

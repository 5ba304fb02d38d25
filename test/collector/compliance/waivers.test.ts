// Waivers in the compliance engine over a real SQLite store: a failing standard a waiver covers keeps its verdict and
// carries the waiver (state, `compliance` point, table), a waiver of the host wins over the tenant's, an expired one
// falls back at the next tick, a revoked one at the re-evaluation the API makes; and the expiry forms people write.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { watchpost } from '../../../proto/index.js';
import { HoldInputError } from '../../../collector/src/alerting/hold-input.js';
import { parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { createComplianceEngine } from '../../../collector/src/compliance/engine.js';
import { complianceTable } from '../../../collector/src/compliance/table.js';
import { createWaiver, parseExpiry } from '../../../collector/src/compliance/waivers.js';
import { openStore, type Store } from '../../../collector/src/store/index.js';

const T0 = Date.parse('2026-11-02T08:00:00Z');
const H = 3_600_000;
const D = 24 * H;

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'wp-waivers-'));
  dirs.push(dir);
  let now = T0;
  const clock = { now: () => now, set: (ms: number) => void (now = ms) };
  const store = openStore(join(dir, 'watchpost.db'), { now: clock.now });
  stores.push(store);
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const rules = parseRules('', 'rules.yaml');
  const engine = createComplianceEngine({
    store,
    rules: () => rules,
    now: clock.now,
    onError: (_id, e) => {
      throw e;
    },
  });
  const agents = ['sql01', 'sql02'].map((hostname) => {
    const { agentId } = store.agents.enroll({ tenant: 'acme', hostname, os: 'win32', arch: 'x64', agentVersion: '1' });
    return { id: agentId, tenant: 'acme', hostname };
  });
  // Both servers: a backup 30 hours old fails (the limit is 26 h).
  for (const agent of agents) engine.observe(agent, [inventory(T0 - 60_000), backup(T0 - 60_000, T0 - 30 * H)]);
  return { store, clock, engine, agents };
}

function sample(measurement: string, time: number, fields: Record<string, string | number | boolean>): watchpost.v1.ISample {
  return {
    measurement,
    timeMs: time,
    fields: Object.entries(fields).map(([key, v]) => (typeof v === 'string' ? { key, str: v } : typeof v === 'boolean' ? { key, bool: v } : { key, int: v })),
  };
}
const inventory = (t: number) =>
  sample('inventory', t, { os_family: 'windows', os_name: 'Windows Server 2022 Standard', os_build: '20348', os_product_type: 'server' });
const backup = (t: number, lastSuccess: number) => sample('backup', t, { products: 1, detectable: true, last_success: Math.floor(lastSuccess / 1000) });
const backupOf = (store: Store, agentId: string) => store.compliance.states('acme', agentId).find((s) => s.standard === 'backup')!;
const backupLines = (store: Store, host: string) =>
  store.influxOutbox
    .peek(1000)
    .map((r) => r.line)
    .filter((l) => l.startsWith(`compliance,host=${host},standard=backup,`));

describe('waivers in the compliance engine', () => {
  it('marks a waived fail beside its verdict, in the state, the point and the table; a revoke falls back at once', () => {
    const { store, clock, engine, agents } = setup();
    const [sql01, sql02] = agents as [(typeof agents)[0], (typeof agents)[0]];
    expect(backupOf(store, sql01.id)).toMatchObject({ verdict: 'fail', since: T0, waiver: null });
    expect(backupLines(store, 'sql01').at(-1)).toMatch(/,waived=false /);

    clock.set(T0 + H);
    const w = createWaiver(
      store,
      { tenant: 'acme', host: 'SQL01', standard: 'backup', reason: 'client NAS job, contract annex 3', expires: '2027-03-31' },
      'Jane',
      T0 + H,
    );
    expect(w).toMatchObject({ agentId: sql01.id, host: 'sql01', expiresAt: Date.parse('2027-04-01T00:00:00Z') });
    expect(engine.reevaluate('acme')).toBe(1);
    // The verdict and its since are the standard's; the waiver is beside them.
    expect(backupOf(store, sql01.id)).toMatchObject({
      verdict: 'fail',
      since: T0,
      waiver: { id: w.id, reason: 'client NAS job, contract annex 3', by: 'Jane', expiresAt: Date.parse('2027-04-01T00:00:00Z') },
    });
    expect(backupOf(store, sql02.id).waiver).toBeNull();
    expect(backupLines(store, 'sql01').at(-1)).toMatch(
      new RegExp(`^compliance,host=sql01,standard=backup,tenant=acme,verdict=fail .*previous="fail".*,waived=true,waiver_id=${w.id}i `),
    );
    const rows = complianceTable(store, 'acme').rows.filter((r) => r.standard === 'backup');
    expect(rows.map((r) => [r.host, r.verdict, r.waiver])).toEqual([
      ['sql01', 'fail', { id: w.id, reason: 'client NAS job, contract annex 3', by: 'Jane', expiresAt: '2027-04-01T00:00:00.000Z' }],
      ['sql02', 'fail', null],
    ]);
    // Nothing changed since: a tick writes nothing.
    expect(engine.tick()).toBe(0);

    store.waivers.revoke(w.id, 'Bob', T0 + 2 * H);
    clock.set(T0 + 2 * H);
    expect(engine.reevaluate('acme')).toBe(1);
    expect(backupOf(store, sql01.id)).toMatchObject({ verdict: 'fail', since: T0, waiver: null });
    expect(backupLines(store, 'sql01').at(-1)).toMatch(/,waived=false /);
  });

  it('falls back to the verdict at the first tick after the waiver expires', () => {
    const { store, clock, engine, agents } = setup();
    const w = createWaiver(store, { tenant: 'acme', standard: 'backup', reason: 'no backups on test servers', expires: '2d' }, 'Jane', T0);
    expect(w).toMatchObject({ agentId: null, host: null, expiresAt: T0 + 2 * D });
    expect(engine.reevaluate('acme')).toBe(2);
    clock.set(T0 + 2 * D - 1);
    expect(engine.tick()).toBe(0);
    expect(agents.map((a) => backupOf(store, a.id).waiver?.id)).toEqual([w.id, w.id]);
    clock.set(T0 + 2 * D);
    expect(engine.tick()).toBe(2);
    expect(agents.map((a) => backupOf(store, a.id))).toEqual([
      expect.objectContaining({ verdict: 'fail', waiver: null }),
      expect.objectContaining({ verdict: 'fail', waiver: null }),
    ]);
  });

  it("prefers the host's own waiver to the tenant's, and waives no pass", () => {
    const { store, clock, engine, agents } = setup();
    const tenantWide = createWaiver(store, { tenant: 'acme', standard: 'backup', reason: 'tenant-wide', expires: '300d' }, 'Jane', T0);
    const own = createWaiver(store, { tenant: 'acme', host: 'sql02', standard: 'backup', reason: 'this one', expires: '30d' }, 'Jane', T0);
    engine.reevaluate('acme');
    expect(agents.map((a) => backupOf(store, a.id).waiver?.id)).toEqual([tenantWide.id, own.id]);
    // A fresh backup passes: the waiver no longer shows, the verdict does.
    clock.set(T0 + H);
    engine.observe(agents[0]!, [backup(T0 + H, T0 + H - 60_000)]);
    expect(backupOf(store, agents[0]!.id)).toMatchObject({ verdict: 'pass', waiver: null });
    expect(backupLines(store, 'sql01').at(-1)).toMatch(/verdict=pass .*,waived=false /);
  });

  it('resumes after a restart with the waivers it had applied, writing nothing new', () => {
    const { store, clock, engine } = setup();
    createWaiver(store, { tenant: 'acme', standard: 'backup', reason: 'tenant-wide', expires: '30d' }, 'Jane', T0);
    engine.reevaluate('acme');
    const again = createComplianceEngine({ store, rules: () => parseRules('', 'rules.yaml'), now: clock.now });
    clock.set(T0 + H);
    const lines = store.influxOutbox.size();
    expect(again.tick()).toBe(0);
    expect(store.influxOutbox.size()).toBe(lines);
  });

  it('refuses bad requests naming the field people wrote', () => {
    const { store } = setup();
    const field = (fn: () => unknown): string => {
      try {
        fn();
      } catch (error) {
        return error instanceof HoldInputError ? error.message : `other: ${(error as Error).message}`;
      }
      return 'no error';
    };
    const req = { tenant: 'acme', standard: 'backup', reason: 'r', expires: '90d' };
    expect(field(() => createWaiver(store, { ...req, host: 'nope' }, 'Jane', T0))).toBe('host: no live agent named "nope" in tenant acme');
    expect(field(() => createWaiver(store, { ...req, standard: 'backups' }, 'Jane', T0))).toMatch(/^standard: unknown standard "backups"/);
    expect(field(() => createWaiver(store, { ...req, expires: '3y' }, 'Jane', T0))).toBe('expires: at most 2 years ahead (2028-11-02)');
    expect(field(() => createWaiver(store, { ...req, expires: 'soon' }, 'Jane', T0))).toMatch(/^expires: expected a date \(2027-03-31\)/);
    expect(field(() => createWaiver(store, { ...req, expires: '2026-01-01' }, 'Jane', T0))).toBe('expires: must be in the future');
    expect(field(() => createWaiver(store, req, ' ', T0))).toBe('by: expected 1-255 characters');
    expect(store.waivers.list({ tenant: 'acme' })).toEqual([]);
  });
});

describe('parseExpiry', () => {
  it.each([
    ['2027-03-31', Date.parse('2027-04-01T00:00:00Z')],
    ['2027-03-31T18:00:00+02:00', Date.parse('2027-03-31T16:00:00Z')],
    ['90d', T0 + 90 * D],
    ['12h', T0 + 12 * H],
  ])('%s', (text, expected) => {
    expect(parseExpiry(text, T0)).toBe(expected);
  });

  it.each([
    ['2027-02-30', 'expires: not a calendar date: "2027-02-30"'],
    ['2027-03-31T18:00', 'expires: expected an ISO 8601 time with a zone'],
    ['0d', 'expires: must be longer than 0'],
    ['next year', 'expires: expected a date (2027-03-31), an ISO time with a zone, or a duration like 90d; got "next year"'],
  ])('refuses %s', (text, message) => {
    expect(() => parseExpiry(text, T0)).toThrow(message);
  });
});

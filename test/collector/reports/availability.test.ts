// The report's server availability section over a real SQLite store seeded with connection sessions, rendered by the
// real report and read back with node-html-parser: October 2026 in Berlin (745 h, the clocks go back on the 25th, in
// the middle of an offline period), a server enrolled mid-month, a month the history covers only from its 15th (with
// more offline periods than are listed), a month before the history (unavailable) and a tenant with no server (no-data).
// The expected figures are UTC arithmetic written out here, not the section's code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, type HTMLElement } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRules, type RuleSet } from '../../../collector/src/alerting/rules/rules-file.js';
import { renderReportHtml, reportInput } from '../../../collector/src/reports/report.js';
import { offlineSpans } from '../../../collector/src/reports/sections/availability.js';
import { openStore, type Store } from '../../../collector/src/store/index.js';

const MIN = 60_000;
const Z = (text: string) => Date.parse(`${text}:00Z`);
const NOW = Z('2026-11-05T12:00');
const HISTORY_START = Z('2026-09-15T08:00');

const RULES = `
tenants:
  acme:
    calendars:
      business: { timezone: Europe/Berlin, days: [mon, tue, wed, thu, fri], hours: [{ start: "08:00", end: "17:00" }] }
    terms: { sla_profile: standard-8x5 }
  globex:
    terms: { sla_profile: co-managed-24x7 }
`;

let dir: string;
let store: Store;
let rules: RuleSet;
let clock = Z('2026-09-01T00:00');

function enroll(tenant: string, hostname: string, os: string, at: number): string {
  clock = at;
  return store.agents.enroll({ tenant, hostname, os, arch: 'x64', agentVersion: '1' }).agentId;
}

function connect(agentId: string, tenant: string, spans: [number, number | null][]): void {
  for (const [from, to] of spans) {
    store.sessions.open(agentId, tenant, from);
    if (to !== null) store.sessions.close(agentId, to);
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wp-availability-'));
  store = openStore(join(dir, 'watchpost.db'), { now: () => clock });
  rules = parseRules(RULES, 'rules.yaml');
  store.tenants.add({ id: 'acme', name: 'Acme Ltd' });
  store.tenants.add({ id: 'globex', name: 'Globex' });
  store.sessions.recover(HISTORY_START);

  // fs01 (Linux: a server): offline 08:00-10:30 on Oct 10, 3 minutes on Oct 12 (a reconnect), and 01:30 CEST to
  // 03:30 CET on Oct 25, three real hours across the change back; connected since, into November.
  const fs01 = enroll('acme', 'fs01', 'linux', Z('2026-09-01T00:00'));
  connect(fs01, 'acme', [
    [HISTORY_START, Z('2026-10-10T06:00')],
    [Z('2026-10-10T08:30'), Z('2026-10-12T10:00')],
    [Z('2026-10-12T10:03'), Z('2026-10-24T23:30')],
    [Z('2026-10-25T02:30'), null],
  ]);
  // app01: twelve outages of 6 to 17 minutes in September, on successive days at 12:00 UTC; connected through October.
  const app01 = enroll('acme', 'app01', 'linux', Z('2026-09-01T00:00'));
  const outages = Array.from({ length: 12 }, (_, i) => ({ from: Z(`2026-09-${16 + i}T12:00`), minutes: 6 + i }));
  connect(app01, 'acme', [
    [HISTORY_START, outages[0]!.from],
    ...outages.map((o, i): [number, number | null] => [o.from + o.minutes * MIN, outages[i + 1]?.from ?? null]),
  ]);
  // dc01: a Windows domain controller enrolled on Oct 20 at 12:00 CEST, connected from 12:05.
  const dc01 = enroll('acme', 'dc01', 'win32', Z('2026-10-20T10:00'));
  store.osIdentities.put(dc01, { family: 'windows', name: 'Windows Server 2022', version: '10.0', productType: 'domain_controller' }, Z('2026-10-20T10:05'));
  connect(dc01, 'acme', [[Z('2026-10-20T10:05'), null]]);
  // old01: a server revoked on Sep 20, never connected after the history began.
  const old01 = enroll('acme', 'old01', 'linux', Z('2026-09-01T00:00'));
  clock = Z('2026-09-20T08:00');
  store.agents.revoke(old01);
  // ws-7: a Windows workstation, connected a little: not a server, not in the section.
  const ws7 = enroll('acme', 'ws-7', 'win32', Z('2026-09-01T00:00'));
  connect(ws7, 'acme', [[Z('2026-10-01T08:00'), Z('2026-10-01T09:00')]]);
  // globex has only a workstation.
  enroll('globex', 'reception', 'win32', Z('2026-09-01T00:00'));
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function section(tenant: string, month: string): Promise<HTMLElement> {
  const doc = parse(renderReportHtml(await reportInput({ store, rules }, tenant, month, NOW)));
  return doc.querySelector('section#availability')!;
}

const cells = (row: HTMLElement) => row.querySelectorAll('td').map((td) => td.text.trim());
const hostRows = (s: HTMLElement) => Object.fromEntries(s.querySelectorAll('table.availability tbody tr').map((r) => [r.getAttribute('data-host'), cells(r)]));
const offline = (s: HTMLElement, host: string) => s.querySelectorAll(`table.offline[data-host="${host}"] tbody tr`).map(cells);

describe('availability section', () => {
  it('counts October 2026 in Berlin (745 h) per server, with the offline periods across the DST change', async () => {
    const s = await section('acme', '2026-10');
    expect(s.getAttribute('data-state')).toBe('ok');
    expect(s.querySelector('.source')!.text).toContain('agent_sessions');
    expect(s.querySelector('.partial')).toBeNull();
    const rows = hostRows(s);
    expect(Object.keys(rows).sort()).toEqual(['app01', 'dc01', 'fs01']);
    // Offline 2:30 + 0:03 + 3:00 = 5:33 of 745:00; connected 739:27 = 99.26 %.
    expect(rows.fs01).toEqual(['fs01', '2026-10-01 00:00', '2026-11-01 00:00', '745:00', '739:27', '99.3 %', '2']);
    expect(offline(s, 'fs01')).toEqual([
      ['2026-10-10 08:00', '2026-10-10 10:30', '2:30'],
      ['2026-10-25 01:30', '2026-10-25 03:30', '3:00'],
    ]);
    expect(rows.app01).toEqual(['app01', '2026-10-01 00:00', '2026-11-01 00:00', '745:00', '745:00', '100.0 %', '0']);
    expect(offline(s, 'app01')).toEqual([]);
    // Enrolled Oct 20 12:00 CEST: to Nov 1 00:00 CET is 11 days 12 h plus the hour the clocks went back.
    expect(rows.dc01).toEqual(['dc01', '2026-10-20 12:00', '2026-11-01 00:00', '277:00', '276:55', '100.0 %', '1']);
    expect(offline(s, 'dc01')).toEqual([['2026-10-20 12:00', '2026-10-20 12:05', '0:05']]);
  });

  it('covers a month from the start of the history, lists the longest offline periods, and shows a revoked server until then', async () => {
    const s = await section('acme', '2026-09');
    expect(s.getAttribute('data-state')).toBe('ok');
    expect(s.querySelector('.partial')!.text).toContain('the connection history begins on 2026-09-15 10:00');
    const rows = hostRows(s);
    // Sep 15 10:00 CEST to Oct 1 00:00 CEST: 15 days 14 h = 374 h. app01 was off 6 + 7 + ... + 17 = 138 min.
    expect(rows.fs01).toEqual(['fs01', '2026-09-15 10:00', '2026-10-01 00:00', '374:00', '374:00', '100.0 %', '0']);
    expect(rows.app01).toEqual([
      'app01',
      '2026-09-15 10:00',
      '2026-10-01 00:00',
      '374:00',
      '371:42',
      `${((100 * (374 * 60 - 138)) / (374 * 60)).toFixed(1)} %`,
      '12',
    ]);
    const app01 = s.querySelector('table.offline[data-host="app01"]')!;
    expect(app01.querySelector('thead')!.text).toContain('(the longest 10 of 12)');
    // The two shortest (Sep 16: 6 min, Sep 17: 7 min) are left out; the rest in time order.
    expect(offline(s, 'app01').map((r) => [r[0], r[2]])).toEqual(
      Array.from({ length: 10 }, (_, i) => [`2026-09-${18 + i} 14:00`, `0:${8 + i}`.replace(/:(\d)$/, ':0$1')]),
    );
    // old01: revoked Sep 20 10:00 CEST, no session: monitored 120 h, connected none. Zero here is the measurement.
    expect(rows.old01).toEqual(['old01', '2026-09-15 10:00', '2026-09-20 10:00', '120:00', '0:00', '0.0 %', '1']);
  });

  it("gives the trend the servers' availability together, October against September", async () => {
    const doc = parse(renderReportHtml(await reportInput({ store, rules }, 'acme', '2026-10', NOW)));
    const row = doc.querySelector('section#trend tr[data-key="availability"]')!;
    // October: 745 h + 745 h + 277 h monitored, 5:33 + 0:05 offline. September: 374 h + 374 h + 120 h, 138 min + 120 h.
    const october = (100 * (1767 * 60 - 338)) / (1767 * 60);
    const september = (100 * (868 * 60 - 138 - 120 * 60)) / (868 * 60);
    expect(cells(row).slice(1)).toEqual([`${october.toFixed(1)} %`, `${september.toFixed(1)} %`, `+${(october - september).toFixed(1)} pts`]);
    const august = parse(renderReportHtml(await reportInput({ store, rules }, 'acme', '2026-09', NOW))).querySelector(
      'section#trend tr[data-key="availability"]',
    )!;
    expect(cells(august).slice(2)).toEqual(['unavailable', 'n/a']);
  });

  it('says unavailable for a month before the history, and no-data for a tenant without servers', async () => {
    const august = await section('acme', '2026-08');
    expect(august.getAttribute('data-state')).toBe('unavailable');
    expect(august.querySelector('.notice')!.text).toContain('it begins on 2026-09-15 10:00 (Europe/Berlin)');
    expect(august.querySelector('table')).toBeNull();

    const globex = await section('globex', '2026-10');
    expect(globex.getAttribute('data-state')).toBe('no-data');
    expect(globex.querySelector('.notice')!.text).toContain('No server of this tenant was monitored in 2026-10');
  });

  it('marks an offline period that runs at the time of the report as ongoing', async () => {
    clock = Z('2026-11-02T00:00');
    const id = store.agents.enroll({ tenant: 'acme', hostname: 'nas01', os: 'linux', arch: 'x64', agentVersion: '1' }).agentId;
    connect(id, 'acme', [[Z('2026-11-02T00:00'), Z('2026-11-04T12:00')]]);
    const s = await section('acme', '2026-11');
    expect(hostRows(s).nas01!.slice(3, 7)).toEqual(['84:00', '60:00', '71.4 %', '1']);
    expect(offline(s, 'nas01')).toEqual([['2026-11-04 13:00', '2026-11-05 13:00 (ongoing)', '24:00']]);
  });
});

describe('offlineSpans', () => {
  it('is the range minus the sessions, an open session running past it', () => {
    const r = { from: 0, to: 100 };
    expect(offlineSpans([], r)).toEqual([r]);
    expect(
      offlineSpans(
        [
          { from: 10, to: 20 },
          { from: 50, to: null },
        ],
        r,
      ),
    ).toEqual([
      { from: 0, to: 10 },
      { from: 20, to: 50 },
    ]);
    expect(
      offlineSpans(
        [
          { from: -50, to: 30 },
          { from: 30, to: 150 },
        ],
        r,
      ),
    ).toEqual([]);
    expect(offlineSpans([{ from: 90, to: 120 }], r)).toEqual([{ from: 0, to: 90 }]);
  });
});

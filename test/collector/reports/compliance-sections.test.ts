// The report's minimum-standard sections (standards, patches, coverage) and the trend, over the real parts: a real
// influxd holding a past month's points as the collector writes them (the engine's `compliance` points and the
// probes' `patches`, `patches_pending`, `antivirus`, `backup` samples through the collector's line-protocol mapping),
// a real SQLite store holding the running month's states, pending updates and the exceptions (waivers), and the HTML
// parsed with node-html-parser. Every figure expected here is counted by hand from the seeded scenario below.
//
// Tenant acme counts in UTC (24x7 profile). October 2026 is the past month (read from InfluxDB at 2026-11-01 00:00),
// November the running one (read from the store at NOW), September the month before October.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxDB } from 'influx';
import { parse, type HTMLElement } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { watchpost } from '../../../proto/index.js';
import { loadRules, type RuleSet } from '../../../collector/src/alerting/rules/rules-file.js';
import type { Verdict } from '../../../collector/src/compliance/contract.js';
import { compliancePoint } from '../../../collector/src/compliance/engine.js';
import { postLines } from '../../../collector/src/influx/http.js';
import { samplesToLines } from '../../../collector/src/influx/line-protocol.js';
import { createReportInflux, type ReportInflux } from '../../../collector/src/reports/influx-reader.js';
import { renderReportHtml, reportInput } from '../../../collector/src/reports/report.js';
import { openStore, type Store } from '../../../collector/src/store/index.js';
import { acknowledgeTicket, syncTicket } from '../../../collector/src/tickets/lifecycle.js';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';

const utc = (text: string): number => Date.parse(`${text}:00Z`);
/** When the reports are made: Tuesday 10 November 2026, 12:00 UTC. */
const NOW = utc('2026-11-10T12:00');
const DATABASE = 'watchpost';

const RULES = `
tenants:
  acme:
    terms:
      sla_profile: co-managed-24x7
      patches: { window: { cron: "0 0 2 * * 6", duration: 4h }, rings: { pilot: {}, broad: { deferral: 7d } } }
    hosts:
      srv01: { patch_ring: pilot }
`;

type FieldValue = string | number | boolean | { int: number };
const sample = (measurement: string, at: string, tags: Record<string, string>, fields: Record<string, FieldValue>): watchpost.v1.ISample => ({
  measurement,
  timeMs: utc(at),
  tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  fields: Object.entries(fields).map(([key, v]) =>
    typeof v === 'object' ? { key, int: v.int } : typeof v === 'string' ? { key, str: v } : typeof v === 'boolean' ? { key, bool: v } : { key, float: v },
  ),
});
const unix = (at: string) => ({ int: utc(at) / 1000 });

/** A verdict change as the compliance engine writes it (compliancePoint), at `at`. */
const verdict = (standard: string, v: Verdict, at: string, reason: string) =>
  compliancePoint({ standard, verdict: v, reason, since: utc(at) }, undefined, { verdict: v, reason }, utc(at));

/** A patches run: the summary and one patches_pending point per update, 1 ms apart, as the agent writes them. */
function patchRun(at: string, updates: { kb: string; title: string; security: boolean }[], lastSuccess: string): watchpost.v1.ISample[] {
  const security = updates.filter((u) => u.security).length;
  const summary = sample(
    'patches',
    at,
    { source: 'wua' },
    { pending_total: { int: updates.length }, pending_security: { int: security }, pending_critical: { int: 0 }, last_success: unix(lastSuccess) },
  );
  return [
    summary,
    ...updates.map((u, i) => ({
      ...sample('patches_pending', at, { source: 'wua' }, { title: u.title, kb: u.kb, security: u.security, critical: false }),
      timeMs: utc(at) + i + 1,
    })),
  ];
}

const KB1 = { kb: 'KB5001', title: '2026-10 Cumulative Update <Server 2022>', security: true };
const KB2 = { kb: 'KB5002', title: '2026-10 .NET security update', security: true };
const KB3 = { kb: 'KB5003', title: '2026-09 Cumulative Update for Windows 11', security: true };
const KB4 = { kb: 'KB5004', title: 'Feature update (not security)', security: false };
const KB9 = { kb: 'KB5009', title: 'Installed since', security: true };
const KB10 = { kb: 'KB5010', title: 'After the month', security: true };

/** InfluxDB's points per host (September and October, and a few after October's end that must not count). */
const INFLUX: Record<string, watchpost.v1.ISample[]> = {
  srv01: [
    verdict('patches', 'pass', '2026-09-15T10:00', 'no security or critical update pending'),
    verdict('patches', 'pass', '2026-10-02T10:00', 'no security or critical update pending'),
    verdict('patches', 'fail', '2026-10-20T08:00', '1 security/critical update pending longer than 14 days (oldest: KB5001)'),
    verdict('patches', 'pass', '2026-11-03T08:00', 'after the month'),
    verdict('antivirus', 'pass', '2026-10-01T09:00', 'Windows Defender is on, real-time, signatures current'),
    verdict('backup', 'pass', '2026-10-01T09:00', 'last successful backup 3 hours ago'),
    ...patchRun('2026-10-05T08:00', [KB1], '2026-10-01T03:00'),
    ...patchRun('2026-10-20T08:00', [KB1], '2026-10-01T03:00'),
    ...patchRun('2026-10-31T20:00', [KB1, KB2], '2026-10-01T03:00'),
    ...patchRun('2026-11-01T04:00', [KB1, KB2, KB10], '2026-10-01T03:00'),
    sample('antivirus', '2026-10-31T23:00', { product: 'Windows Defender' }, { state: 'on', realtime: true, signature_updated: unix('2026-10-31T10:00') }),
    sample('backup', '2026-10-31T23:23', {}, { products: { int: 1 }, detectable: true, last_success: unix('2026-10-31T02:00') }),
    sample(
      'backup',
      '2026-10-31T23:23',
      { product: 'Windows Server Backup' },
      { detected_by: 'events', last_result: 'success', last_success: unix('2026-10-31T02:00') },
    ),
  ],
  ws01: [
    verdict('patches', 'pass', '2026-09-20T10:00', 'no security or critical update pending'),
    verdict('backup', 'fail', '2026-09-25T10:00', 'no successful backup recorded'),
    verdict('patches', 'pass', '2026-10-05T10:00', '1 security/critical update pending, none longer than 14 days'),
    verdict('antivirus', 'pass', '2026-10-01T09:00', 'Windows Defender is on, real-time, signatures current'),
    verdict('backup', 'fail', '2026-10-29T03:00', 'last successful backup 7 days ago (Veeam Agent for Microsoft Windows); the limit is 7 days'),
    ...patchRun('2026-09-25T12:00', [KB3], '2026-09-01T03:00'),
    ...patchRun('2026-10-10T12:00', [KB3, KB9], '2026-09-01T03:00'),
    ...patchRun('2026-10-31T16:00', [KB3], '2026-10-12T03:00'),
    sample('antivirus', '2026-10-31T16:00', { product: 'Windows Defender' }, { state: 'on', realtime: true, signature_age_days: 1.5 }),
    sample('backup', '2026-10-31T23:23', {}, { products: { int: 1 }, detectable: true, last_success: unix('2026-10-22T02:00') }),
    sample('backup', '2026-10-31T23:23', { product: 'Veeam Agent for Microsoft Windows' }, { detected_by: 'events', last_success: unix('2026-10-22T02:00') }),
  ],
  ws02: [
    verdict('patches', 'unknown', '2026-10-01T00:30', 'no patches point yet'),
    verdict('antivirus', 'fail', '2026-10-15T11:00', 'Windows Defender has real-time protection off'),
    verdict('backup', 'pass', '2026-10-01T00:30', 'last successful backup 20 hours ago (Time Machine)'),
    sample('antivirus', '2026-10-02T09:00', { product: 'Sophos <Endpoint>' }, { state: 'on', realtime: true }),
    sample('antivirus', '2026-10-31T22:00', { product: 'Windows Defender' }, { state: 'on', realtime: false, signature_updated: unix('2026-10-27T22:00') }),
    ...patchRun('2026-10-31T12:00', [KB4], '2026-10-30T03:00'),
  ],
  // Revoked on 20 September: left out of September's and October's end.
  old01: [verdict('patches', 'fail', '2026-09-10T10:00', 'decommissioned host')],
};

let dir: string;
let store: Store;
let rules: RuleSet;
let influxd: Influxd;
let influx: ReportInflux;
let clock = utc('2026-07-01T00:00');
const agents: Record<string, string> = {};

async function write(host: string, samples: watchpost.v1.ISample[]): Promise<void> {
  const { lines, rejected } = samplesToLines(samples, { tenant: 'acme', host }, { nowMs: NOW });
  expect(rejected).toEqual([]);
  const body = new TextEncoder().encode(lines.map((l) => `${l}\n`).join('')) as Uint8Array<ArrayBuffer>;
  expect(await postLines({ url: influxd.url, database: DATABASE, retentionPolicy: 'autogen' }, body, 10_000)).toEqual({ kind: 'ok' });
}

/** The running month's store: states, the latest points and the pending updates as the engine keeps them. */
function seedStore(): void {
  const state = (host: string, standard: string, v: Verdict, since: string, reason: string) =>
    store.compliance.putState({
      tenant: 'acme',
      agentId: agents[host]!,
      host,
      standard,
      verdict: v,
      reason,
      evidence: null,
      since: utc(since),
      evaluatedAt: NOW,
      waiver: null,
    });
  state('srv01', 'os_supported', 'pass', '2026-08-01T00:00', 'Windows Server 2022 is supported until 2031-10-14');
  state('srv01', 'patches', 'pass', '2026-11-03T08:00', 'no security or critical update pending');
  state('srv01', 'antivirus', 'pass', '2026-10-01T09:00', 'Windows Defender is on, real-time, signatures current');
  state('srv01', 'backup', 'pass', '2026-10-01T09:00', 'last successful backup 9 hours ago');
  state('ws01', 'patches', 'fail', '2026-11-05T10:00', '1 security/critical update pending longer than 14 days (oldest: KB5003)');
  state('ws02', 'patches', 'pass', '2026-11-02T10:00', 'no security or critical update pending');
  state('ws02', 'antivirus', 'fail', '2026-10-15T11:00', 'Windows Defender has real-time protection off');
  state('ws02', 'backup', 'fail', '2026-11-09T10:00', 'last successful backup 8 days ago (Time Machine), on 2026-11-01; the limit is 7 days');
  state('old01', 'patches', 'fail', '2026-09-10T10:00', 'decommissioned host');
  const point = (host: string, p: { measurement: string; tags: Record<string, string>; fields: Record<string, number | string | boolean>; time: number }) =>
    store.compliance.putPoint({ agentId: agents[host]!, tenant: 'acme', host, series: `${p.measurement}\u0000${JSON.stringify(p.tags)}`, point: p });
  point('ws01', {
    measurement: 'patches',
    tags: { source: 'wua' },
    fields: { pending_total: 1, pending_security: 1, last_success: utc('2026-10-12T03:00') / 1000 },
    time: utc('2026-11-10T08:00'),
  });
  store.compliance.seePending(agents.ws01!, 'kb:KB5003', KB3.title, utc('2026-09-25T12:00'));
  store.compliance.seePending(agents.ws01!, 'kb:KB5003', KB3.title, utc('2026-11-10T08:00'));
  store.compliance.seePending(agents.ws01!, 'kb:KB5009', KB9.title, utc('2026-10-10T12:00'));
  point('srv01', { measurement: 'patches', tags: { source: 'wua' }, fields: { pending_total: 0, pending_security: 0 }, time: utc('2026-11-10T08:00') });
  point('srv01', {
    measurement: 'antivirus',
    tags: { product: 'Windows Defender' },
    fields: { state: 'on', realtime: true, signature_updated: utc('2026-11-10T06:00') / 1000 },
    time: utc('2026-11-10T11:00'),
  });
}

/** Tickets (24x7 respond targets of 1 to 24 hours): October one met, one breached; September one met. */
function seedTickets(): void {
  const terms = rules.terms('acme');
  const open = (host: string, opened: string, ack: string) => {
    const facts = { tenant: 'acme', host, agentId: agents[host]!, role: 'server' as const, critical: false, tags: [] };
    const firing = [{ instance: '/', impact: 'high' as const, summary: `${host} disk 95 %` }];
    const cause = { kind: 'fired' as const, instance: '/', summary: firing[0]!.summary, at: utc(opened) };
    const t = syncTicket(store.tickets, { facts, ruleId: 'disk_space', title: `disk on ${host}`, onClear: 'resolve', terms, firing, cause })!.ticket;
    acknowledgeTicket(store.tickets, t, 'tech', utc(ack));
  };
  open('srv01', '2026-09-10T00:00', '2026-09-10T00:30');
  open('ws01', '2026-10-04T03:00', '2026-10-04T03:40');
  open('ws02', '2026-10-25T00:30', '2026-10-26T02:10');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wp-report-compliance-'));
  writeFileSync(join(dir, 'rules.yaml'), RULES);
  rules = loadRules(join(dir, 'rules.yaml'));
  store = openStore(join(dir, 'watchpost.db'), { now: () => clock });
  store.tenants.add({ id: 'acme', name: 'Acme' });
  for (const host of ['srv01', 'ws01', 'ws02', 'old01'])
    agents[host] = store.agents.enroll({ tenant: 'acme', hostname: host, os: 'win32', arch: 'x64', agentVersion: '1' }).agentId;
  clock = utc('2026-09-20T00:00');
  store.agents.revoke(agents.old01!);
  // Exceptions: #1 in force over October's end and now; #2 revoked before October's end; #3 made in November.
  clock = utc('2026-10-20T09:00');
  store.waivers.create({
    tenant: 'acme',
    agentId: agents.ws02,
    standard: 'antivirus',
    reason: 'EDR <pilot> replaces Defender',
    createdBy: 'jane',
    expiresAt: utc('2026-12-31T00:00'),
  });
  const revoked = store.waivers.create({
    tenant: 'acme',
    agentId: agents.srv01,
    standard: 'patches',
    reason: 'vendor freeze',
    createdBy: 'jane',
    expiresAt: utc('2026-12-31T00:00'),
  });
  store.waivers.revoke(revoked.id, 'jane', utc('2026-10-25T00:00'));
  clock = utc('2026-11-08T09:00');
  store.waivers.create({ tenant: 'acme', agentId: null, standard: 'backup', reason: 'backup migration', createdBy: 'tom', expiresAt: utc('2026-11-30T00:00') });
  clock = NOW;
  seedStore();
  seedTickets();

  influxd = await startInfluxd();
  // No retention: the seeded months are old for the wall clock.
  await new InfluxDB({ host: '127.0.0.1', port: influxd.port }).createDatabase(DATABASE);
  for (const [host, samples] of Object.entries(INFLUX)) await write(host, samples);
  influx = createReportInflux({ url: influxd.url, database: DATABASE, retentionPolicy: 'autogen' });
}, 60_000);

afterAll(async () => {
  await influxd?.stop();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

// --- reading the report ------------------------------------------------------------------------------------------

const cells = (row: HTMLElement): string[] => row.querySelectorAll('td').map((td) => td.text.trim());
const rows = (doc: HTMLElement, selector: string): string[][] => doc.querySelectorAll(`${selector} tbody tr`).map(cells);
const section = (doc: HTMLElement, id: string): HTMLElement => doc.querySelector(`section#${id}`)!;
const report = async (month: string, reader: ReportInflux | null = influx) =>
  parse(renderReportHtml(await reportInput({ store, rules, ...(reader ? { influx: reader } : {}) }, 'acme', month, NOW)));

describe('minimum-standard sections of a past month (InfluxDB)', () => {
  it('standards: counts per standard, failing hosts with reason, since and exception; exceptions in force at the end', async () => {
    const doc = await report('2026-10');
    const s = section(doc, 'standards');
    expect(s.getAttribute('data-state')).toBe('ok');
    expect(s.querySelector('.source')!.text).toContain('InfluxDB (`compliance`');
    expect(s.querySelector('.source')!.text).toContain('before 2026-11-01 00:00 UTC; 1 verdict unchanged since before');
    // srv01: patches fail, antivirus pass, backup pass, os_supported pass (the store's, since August);
    // ws01: patches pass, antivirus pass, backup fail; ws02: patches unknown, antivirus fail, backup pass. old01 revoked.
    expect(rows(doc, 'section#standards table.standards')).toEqual([
      ["OS within its vendor's support", '1', '0', '0', '0'],
      ['Security patches current', '1', '1', '1', '0'],
      ['Anti-malware on and current', '2', '1', '0', '1'],
      ['Backup succeeded recently', '2', '1', '0', '0'],
    ]);
    expect(s.querySelector('.rate')!.text).toBe('60.0 %');
    expect(rows(doc, 'section#standards table.failing')).toEqual([
      ['srv01', 'patches', '1 security/critical update pending longer than 14 days (oldest: KB5001)', '2026-10-20 08:00', ''],
      ['ws02', 'antivirus', 'Windows Defender has real-time protection off', '2026-10-15 11:00', expect.stringMatching(/^#\d+ until 2026-12-31 00:00$/)],
      ['ws01', 'backup', 'last successful backup 7 days ago (Veeam Agent for Microsoft Windows); the limit is 7 days', '2026-10-29 03:00', ''],
    ]);
    expect(rows(doc, 'section#standards table.waivers').map((r) => r.slice(1))).toEqual([
      ['ws02', 'antivirus', 'EDR <pilot> replaces Defender', 'jane', '2026-10-20 09:00', '2026-12-31 00:00'],
    ]);
  });

  it('patches: hosts current, pending updates by age at the month end, the hosts with the oldest', async () => {
    const doc = await report('2026-10');
    const s = section(doc, 'patches');
    expect(s.getAttribute('data-state')).toBe('ok');
    expect([
      s.querySelector('.current')!.text,
      s.querySelector('.not-current')!.text,
      s.querySelector('.unknown')!.text,
      s.querySelector('.total')!.text,
    ]).toEqual(['1', '1', '1', '3']);
    // At 2026-11-01 00:00: KB5002 pending 3 days (srv01), KB5001 since 5 October (26 days), KB5003 since 25 September
    // (36 days, ws01). KB5009 was no longer listed by ws01's last run; KB5004 is no security update; KB5010 came later.
    expect(rows(doc, 'section#patches table.pending-ages')).toEqual([
      ['up to 7 days', '1', '1'],
      ['over 7, up to 14 days', '0', '0'],
      ['over 14, up to 30 days', '1', '1'],
      ['over 30 days', '1', '1'],
    ]);
    expect(rows(doc, 'section#patches table.oldest')).toEqual([
      ['ws01', 'pass', '1', KB3.title, '2026-09-25 12:00', '36 days', '2026-10-12 03:00'],
      ['srv01', 'fail', '2', KB1.title, '2026-10-05 08:00', '26 days', '2026-10-01 03:00'],
    ]);
  });

  it('coverage: products, real-time, definitions and last success per host; covered of total; failing ones', async () => {
    const doc = await report('2026-10');
    expect(section(doc, 'coverage').getAttribute('data-state')).toBe('ok');
    expect(rows(doc, 'section#coverage table.coverage')).toEqual([
      ['antivirus', '2', '3', '1', '0'],
      ['backup', '2', '3', '1', '0'],
    ]);
    expect(rows(doc, 'section#coverage table.failing')).toEqual([
      ['ws02', 'antivirus', 'Windows Defender has real-time protection off'],
      ['ws01', 'backup', 'last successful backup 7 days ago (Veeam Agent for Microsoft Windows); the limit is 7 days'],
    ]);
    expect(rows(doc, 'section#coverage table.hosts')).toEqual([
      ['srv01', 'Windows Defender (on)', 'on', '14 hours', 'pass', 'Windows Server Backup', '2026-10-31 02:00 (22 hours before)', 'pass'],
      // 1.5 days at 16:00 on the 31st, plus the 8 hours to the end: 44 hours.
      ['ws01', 'Windows Defender (on)', 'on', '44 hours', 'pass', 'Veeam Agent for Microsoft Windows', '2026-10-22 02:00 (9 days before)', 'fail'],
      // Sophos's last point is a month older than the host's last run: it is gone.
      ['ws02', 'Windows Defender (on)', 'off', '4 days', 'fail', 'not reported', '', 'pass'],
    ]);
  });

  it('trend: October against September, both from the same functions', async () => {
    const doc = await report('2026-10');
    const trend = new Map(doc.querySelectorAll('section#trend table.trend tbody tr').map((tr) => [tr.getAttribute('data-key'), cells(tr).slice(1)]));
    expect(Object.fromEntries(trend)).toEqual({
      'sla-respond': ['50.0 %', '100.0 %', '-50.0 pts'],
      'sla-plan': ['n/a', 'n/a', 'n/a'],
      'sla-resolve': ['n/a', 'n/a', 'n/a'],
      tickets: ['2', '1', '+1'],
      breaches: ['1', '0', '+1'],
      // September: srv01 patches pass, ws01 patches pass and backup fail, srv01 os_supported pass (store): 3 of 4.
      standards: ['60.0 %', '75.0 %', '-15.0 pts'],
      // No connection history in this store: not counted, never 100 %.
      availability: ['unavailable', 'unavailable', 'n/a'],
    });
  });
});

describe('the running month (store) and InfluxDB down', () => {
  it('November reads the store: live agents only, pending from compliance_pending, exceptions in force now', async () => {
    const doc = await report('2026-11');
    const s = section(doc, 'standards');
    expect(s.querySelector('.source')!.text).toContain("the collector's store when the report was made");
    expect(rows(doc, 'section#standards table.failing').map((r) => [r[0], r[1], r[4] !== ''])).toEqual([
      ['ws01', 'patches', false],
      ['ws02', 'antivirus', true],
      ['ws02', 'backup', true],
    ]);
    expect(rows(doc, 'section#standards table.waivers').map((r) => [r[1], r[2]])).toEqual([
      ['ws02', 'antivirus'],
      ['every host', 'backup'],
    ]);
    expect(rows(doc, 'section#patches table.pending-ages').map((r) => r[1])).toEqual(['0', '0', '0', '1']);
    expect(rows(doc, 'section#patches table.oldest')).toEqual([['ws01', 'fail', '1', KB3.title, '2026-09-25 12:00', '46 days', '2026-10-12 03:00']]);
    const trend = section(doc, 'trend').querySelector('tr[data-key="standards"]')!;
    // November: 8 live verdicts, 5 pass; October: 60 % from InfluxDB.
    expect(cells(trend).slice(1)).toEqual(['62.5 %', '60.0 %', '+2.5 pts']);
  });

  it("patch runs: per ring the month's runs, hosts, installed and failed updates from the store, and what waits for approval in the running month", async () => {
    const result = (host: string, planId: string, installId: string, outcome: 'installed' | 'failed' | 'not_started', at: string) =>
      store.patches.putResult({
        agentId: agents[host]!,
        tenant: 'acme',
        host,
        planId,
        manager: 'wua',
        installId,
        title: installId,
        outcome,
        code: null,
        detail: null,
        at: utc(at),
      });
    const plan = (host: string, planId: string, ring: string, start: string) =>
      store.patches.putPlan(
        { planId, agentId: agents[host]!, tenant: 'acme', host, ring, windowStart: utc(start), windowEnd: utc(start) + 4 * 3_600_000, items: [] },
        utc(start),
      );
    plan('srv01', 'pl_oct_srv01', 'pilot', '2026-10-10T02:00');
    result('srv01', 'pl_oct_srv01', 'KB5001', 'installed', '2026-10-10T02:30');
    result('srv01', 'pl_oct_srv01', 'KB5002', 'failed', '2026-10-10T02:40');
    plan('ws01', 'pl_oct_ws01', 'broad', '2026-10-17T02:00');
    result('ws01', 'pl_oct_ws01', 'KB5003', 'installed', '2026-10-17T02:20');
    result('ws01', 'pl_oct_ws01', 'KB5004', 'not_started', '2026-10-17T06:00');
    plan('ws02', 'pl_nov_ws02', 'broad', '2026-11-07T02:00');
    result('ws02', 'pl_nov_ws02', 'KB5010', 'installed', '2026-11-07T02:10');
    // ws02 lists a security update first seen 8 November: broad waits 7 days for it.
    const kb = {
      key: 'kb:KB5011',
      manager: 'wua' as const,
      installId: 'KB5011',
      title: 'KB5011',
      kb: 'KB5011',
      package: null,
      version: '',
      security: true,
      critical: false,
    };
    store.patches.seePending({ id: agents.ws02!, tenant: 'acme', hostname: 'ws02' }, kb, utc('2026-11-08T08:00'));

    expect(rows(await report('2026-10'), 'section#patches table.patch-runs')).toEqual([
      ['pilot', '1', '1', '1', '1', '—'],
      ['broad', '1', '1', '1', '1', '—'],
    ]);
    expect(rows(await report('2026-11'), 'section#patches table.patch-runs')).toEqual([
      ['pilot', '0', '0', '0', '0', '0'],
      ['broad', '1', '1', '1', '0', '1'],
    ]);
  });

  it('InfluxDB stopped: the past month says unavailable with the reason, never zeros; the rest still renders', async () => {
    await influxd.stop();
    const doc = await report('2026-10');
    for (const id of ['standards', 'patches', 'coverage']) {
      const s = section(doc, id);
      expect(s.getAttribute('data-state')).toBe('unavailable');
      expect(s.querySelector('.notice')!.text).toMatch(/^InfluxDB could not be read: .*ECONNREFUSED/);
      expect(s.querySelectorAll('table')).toHaveLength(0);
    }
    expect(section(doc, 'sla').getAttribute('data-state')).toBe('ok');
    const standards = section(doc, 'trend').querySelector('tr[data-key="standards"]')!;
    expect(cells(standards).slice(1)).toEqual(['unavailable', 'unavailable', 'n/a']);
    // The running month still comes from the store; only its previous month needs InfluxDB.
    const november = await report('2026-11');
    expect(section(november, 'patches').getAttribute('data-state')).toBe('ok');
    expect(cells(section(november, 'trend').querySelector('tr[data-key="standards"]')!).slice(1)).toEqual(['62.5 %', 'unavailable', 'n/a']);
    // Without a reader at all, a past month says so too.
    expect(section(await report('2026-10', null), 'standards').querySelector('.notice')!.text).toContain('made without it');
  });
});

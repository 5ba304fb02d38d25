// The monthly client report, end to end over the real parts: tickets opened, acknowledged, planned and resolved
// through the real ticket lifecycle into a real SQLite store, the shipped SLA profiles (standard-8x5 in a Berlin
// calendar, co-managed-24x7) across October 2026 (weekends, a holiday on Monday 26, the change back from summer
// time on Sunday 25), the HTML parsed with node-html-parser, the PDF printed by the system's Chromium and read back
// with pdftotext, and page 1 kept as a PNG under .cache/test-artifacts/reports/ (gitignored).
//
// The expected figures come from an independent calculation written here: a minute-by-minute walk over local time
// read with Intl (not luxon, not tickets/calendar.ts), and a plain count of the outcomes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, type HTMLElement } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Impact, Priority } from '../../../collector/src/alerting/contract.js';
import { loadRules, type RuleSet } from '../../../collector/src/alerting/rules/rules-file.js';
import { findChromium, createPdfPrinter, type PdfPrinter } from '../../../collector/src/reports/print.js';
import { renderReportHtml, reportInput } from '../../../collector/src/reports/report.js';
import { registerReportRoutes } from '../../../collector/src/routes/reports.js';
import { openStore, type Store } from '../../../collector/src/store/index.js';
import { acknowledgeTicket, planTicket, resolveTicket, syncTicket } from '../../../collector/src/tickets/lifecycle.js';
import type { SlaTarget } from '../../../collector/src/tickets/model.js';
import { collectorCli } from '../../helpers/collector-cli.js';
import { AUTH, fixedClock, routeApp } from '../routes/helpers.js';

const ARTIFACTS = resolve('.cache/test-artifacts/reports');
const MIN = 60_000;

// --- the independent calculation -------------------------------------------------------------------------------

/** A Berlin wall time (summer or winter time as it was then) as an instant, found by asking Intl for the offset. */
function berlin(text: string): number {
  const guess = Date.parse(`${text}:00Z`);
  for (const offsetHours of [2, 1]) {
    const at = guess - offsetHours * 3_600_000;
    if (localParts(at, 'Europe/Berlin').stamp === text.replace('T', ' ')) return at;
  }
  throw new Error(`no Berlin instant for ${text}`);
}

const formats = new Map<string, Intl.DateTimeFormat>();
function localParts(at: number, zone: string): { weekday: string; date: string; minute: number; stamp: string } {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  const date = `${p.year}-${p.month}-${p.day}`;
  return { weekday: p.weekday!, date, minute: Number(p.hour) * 60 + Number(p.minute), stamp: `${date} ${p.hour}:${p.minute}` };
}

interface Terms {
  zone: string;
  /** Whether the minute starting at `at` is working time. */
  working(at: number): boolean;
}
const BERLIN_8X5: Terms = {
  zone: 'Europe/Berlin',
  working(at) {
    const l = localParts(at, 'Europe/Berlin');
    return !['Sat', 'Sun'].includes(l.weekday) && l.date !== '2026-10-26' && l.minute >= 8 * 60 && l.minute < 17 * 60;
  },
};
const AROUND_THE_CLOCK: Terms = { zone: 'UTC', working: () => true };

/** Working minutes in [from, to), minute by minute (all times here are whole minutes). */
const usedMinutes = (t: Terms, from: number, to: number): number => {
  let n = 0;
  for (let m = from; m < to; m += MIN) if (t.working(m)) n++;
  return n;
};
/** The end of the minute in which `minutes` of working time are used up. */
function dueAt(t: Terms, from: number, minutes: number): number {
  let m = from;
  for (let n = 0; n < minutes; m += MIN) if (t.working(m)) n++;
  return m;
}

/** The shipped profiles' targets in minutes (collector/data/rules.yaml). */
const GOALS: Record<string, Partial<Record<SlaTarget, Record<Priority, number>>>> = {
  'standard-8x5': {
    respond: { P1: 12, P2: 12, P3: 12, P4: 12 },
    plan: { P1: 30, P2: 60, P3: 120, P4: 240 },
    resolve: { P1: 240, P2: 480, P3: 1440, P4: 173 * 60 },
  },
  'co-managed-24x7': { respond: { P1: 60, P2: 120, P3: 14 * 60, P4: 24 * 60 } },
};

interface Scenario {
  host: string;
  impact: Impact;
  opened: number;
  ack?: number;
  plan?: number;
  resolved?: number;
}

interface Expected {
  met: number;
  breached: number;
  running: number;
  used: number[];
}

/** Per "priority target": the outcomes at `now` of the clocks of tickets opened in [from, to), counted by hand. */
function expected(terms: Terms, profile: string, tickets: { s: Scenario; priority: Priority }[], from: number, to: number, now: number): Map<string, Expected> {
  const rows = new Map<string, Expected>();
  for (const { s, priority } of tickets) {
    if (s.opened < from || s.opened >= to) continue;
    for (const [target, goals] of Object.entries(GOALS[profile]!) as [SlaTarget, Record<Priority, number>][]) {
      const stop = { respond: s.ack ?? s.plan ?? s.resolved, plan: s.plan ?? s.resolved, resolve: s.resolved }[target];
      const due = dueAt(terms, s.opened, goals[priority]);
      const outcome = stop !== undefined ? (stop <= due ? 'met' : 'breached') : now >= due ? 'breached' : 'running';
      const row = rows.get(`${priority} ${target}`) ?? { met: 0, breached: 0, running: 0, used: [] };
      row[outcome]++;
      if (outcome !== 'running') row.used.push(usedMinutes(terms, s.opened, stop ?? now));
      rows.set(`${priority} ${target}`, row);
    }
  }
  return rows;
}

const hm = (minutes: number): string => `${Math.floor(minutes / 60)}:${String(Math.round(minutes % 60)).padStart(2, '0')}`;
function figures(e: Expected): string[] {
  const sorted = [...e.used].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length === 0 ? 'n/a' : hm(sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2);
  const decided = e.met + e.breached;
  const percent = decided === 0 ? 'n/a' : `${((e.met / decided) * 100).toFixed(1)} %`;
  return [String(e.met), String(e.breached), String(e.running), percent, median, sorted.length ? hm(sorted[sorted.length - 1]!) : 'n/a'];
}

// --- the seeded store --------------------------------------------------------------------------------------------

const RULES = `
tenants:
  acme:
    calendars:
      business: { timezone: Europe/Berlin, days: [mon, tue, wed, thu, fri], hours: [{ start: "08:00", end: "17:00" }], holidays: [2026-10-26] }
    terms: { sla_profile: standard-8x5 }
  globex:
    terms: { sla_profile: co-managed-24x7 }
`;

const ACME: Scenario[] = [
  // Friday before closing, acknowledged Monday morning: 5 + 5 min over the weekend.
  {
    host: 'fs01',
    impact: 'high',
    opened: berlin('2026-10-02T16:55'),
    ack: berlin('2026-10-05T08:05'),
    plan: berlin('2026-10-05T08:20'),
    resolved: berlin('2026-10-05T11:00'),
  },
  // Acknowledged 30 min in: respond breached; planned and resolved in time.
  {
    host: 'sql01',
    impact: 'high',
    opened: berlin('2026-10-14T10:00'),
    ack: berlin('2026-10-14T10:30'),
    plan: berlin('2026-10-14T10:40'),
    resolved: berlin('2026-10-14T15:00'),
  },
  { host: 'ws-7', impact: 'low', opened: berlin('2026-10-14T11:00'), ack: berlin('2026-10-14T11:04'), resolved: berlin('2026-10-15T09:00') },
  // Friday 16:50 over the DST weekend and the Monday holiday: acknowledged Tuesday 08:10 = 20 business minutes.
  {
    host: 'dc01',
    impact: 'medium',
    opened: berlin('2026-10-23T16:50'),
    ack: berlin('2026-10-27T08:10'),
    plan: berlin('2026-10-27T09:00'),
    resolved: berlin('2026-10-27T12:00'),
  },
  // Saturday night in summer time: the clock starts Tuesday 08:00 (Monday is the holiday).
  { host: 'ws-9', impact: 'medium', opened: berlin('2026-10-24T22:00'), ack: berlin('2026-10-27T08:11') },
  // Never acknowledged: breached while running at the time of the report.
  { host: 'fs02', impact: 'high', opened: berlin('2026-10-29T16:00') },
  // Saturday 23:30 Berlin is still October there (22:30 UTC): counts in October.
  { host: 'ws-3', impact: 'low', opened: berlin('2026-10-31T23:30'), ack: berlin('2026-11-02T08:05') },
  // Outside the month: September, and November before the report.
  { host: 'old01', impact: 'high', opened: berlin('2026-09-30T10:00'), ack: berlin('2026-09-30T10:05') },
  { host: 'new01', impact: 'high', opened: berlin('2026-11-02T08:30') },
];

const utc = (text: string): number => Date.parse(`${text}:00Z`);
const GLOBEX: Scenario[] = [
  { host: 'app01', impact: 'high', opened: utc('2026-10-04T03:00'), ack: utc('2026-10-04T03:40'), resolved: utc('2026-10-04T05:00') },
  { host: 'app02', impact: 'high', opened: utc('2026-10-25T00:30'), ack: utc('2026-10-25T02:10') },
  { host: 'ws-1', impact: 'low', opened: utc('2026-10-31T23:30'), ack: utc('2026-11-01T01:00') },
  { host: 'ws-2', impact: 'medium', opened: utc('2026-10-20T12:00'), ack: utc('2026-10-20T13:59') },
];

/** When the report is made: Monday 2 November 2026, 10:00 Berlin (09:00 UTC). */
const NOW = berlin('2026-11-02T10:00');
const OCTOBER_BERLIN = [berlin('2026-10-01T00:00'), berlin('2026-11-01T00:00')] as const;
const OCTOBER_UTC = [utc('2026-10-01T00:00'), utc('2026-11-01T00:00')] as const;

/** Opens, acknowledges, plans and resolves each scenario through the ticket lifecycle; returns each ticket's priority. */
function seed(store: Store, rules: RuleSet, tenant: string, scenarios: Scenario[]): { s: Scenario; priority: Priority }[] {
  const terms = rules.terms(tenant);
  return scenarios.map((s, i) => {
    const facts = {
      tenant,
      host: s.host,
      agentId: `ag_${tenant}_${i}`,
      role: s.host.startsWith('ws') ? ('workstation' as const) : ('server' as const),
      critical: false,
      tags: [],
    };
    const firing = [{ instance: '/', impact: s.impact, summary: `${s.host} disk 95 %` }];
    const ruleId = i % 2 === 0 ? 'disk_space' : 'service_down';
    const opened = syncTicket(store.tickets, {
      facts,
      ruleId,
      title: `${ruleId} on ${s.host}`,
      onClear: 'resolve',
      terms,
      firing,
      cause: { kind: 'fired', instance: '/', summary: firing[0]!.summary, at: s.opened },
    })!.ticket;
    let t = opened;
    if (s.ack !== undefined) t = acknowledgeTicket(store.tickets, t, 'tech', s.ack);
    if (s.plan !== undefined) t = planTicket(store.tickets, t, 'tech', s.plan, 'replace the disk');
    if (s.resolved !== undefined) t = resolveTicket(store.tickets, t, 'tech', s.resolved, 'fixed');
    return { s, priority: t.priority };
  });
}

let dir: string;
let store: Store;
let rules: RuleSet;
let acme: { s: Scenario; priority: Priority }[];
let globex: { s: Scenario; priority: Priority }[];
let printer: PdfPrinter;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wp-report-'));
  writeFileSync(join(dir, 'rules.yaml'), RULES);
  rules = loadRules(join(dir, 'rules.yaml'));
  store = openStore(join(dir, 'watchpost.db'));
  store.tenants.add({ id: 'acme', name: 'Acme <GmbH> & Co' });
  store.tenants.add({ id: 'globex', name: 'Globex' });
  acme = seed(store, rules, 'acme', ACME);
  globex = seed(store, rules, 'globex', GLOBEX);
  printer = createPdfPrinter();
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await printer?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

// --- reading the report ------------------------------------------------------------------------------------------

const cells = (row: HTMLElement): string[] => row.querySelectorAll('td').map((td) => td.text.trim());

/** The SLA table as "priority target" -> [met, breached, running, met %, median, worst]. */
function slaTable(doc: HTMLElement): Map<string, string[]> {
  return new Map(doc.querySelectorAll('section#sla table.sla tbody tr').map((tr) => [`${cells(tr)[0]} ${cells(tr)[1]}`, cells(tr).slice(3)]));
}

function expectedTable(rows: Map<string, Expected>): Map<string, string[]> {
  return new Map([...rows].map(([key, e]) => [key, figures(e)]));
}

const sortedEntries = (m: Map<string, string[]>) => [...m].sort(([a], [b]) => a.localeCompare(b));

describe('monthly client report', () => {
  it('standard-8x5 in Berlin: the SLA figures in the HTML match the independent count, breaches listed, text escaped', async () => {
    const html = renderReportHtml(await reportInput({ store, rules }, 'acme', '2026-10', NOW));
    const doc = parse(html);
    const want = expected(BERLIN_8X5, 'standard-8x5', acme, ...OCTOBER_BERLIN, NOW);
    // The scenarios are meant to cover met, breached and running clocks; make sure they still do.
    const totals = [...want.values()].reduce((a, e) => ({ met: a.met + e.met, breached: a.breached + e.breached, running: a.running + e.running }), {
      met: 0,
      breached: 0,
      running: 0,
    });
    expect(totals.met).toBeGreaterThan(5);
    expect(totals.breached).toBeGreaterThanOrEqual(3);
    expect(totals.running).toBeGreaterThanOrEqual(1);
    expect(sortedEntries(slaTable(doc))).toEqual(sortedEntries(expectedTable(want)));
    // The DST and holiday ticket: 20 business minutes to acknowledge, listed as a breach with its local due time.
    const dc01 = doc.querySelectorAll('section#breaches tbody tr').find((tr) => cells(tr)[1] === 'dc01' && tr.getAttribute('data-target') === 'respond');
    expect(dc01 && cells(dc01).slice(6)).toEqual(['2026-10-27 08:02', '2026-10-27 08:10', '0:20']);
    const fs02 = doc.querySelectorAll('section#breaches tbody tr').filter((tr) => cells(tr)[1] === 'fs02');
    expect(fs02.map((tr) => cells(tr)[7])).toEqual(['still running', 'still running', 'still running']);
    // Tickets by priority count the seven October tickets (not September's, not November's).
    const byPriority = doc.querySelectorAll('table.counts[data-by="priority"] tbody tr').map(cells);
    expect(byPriority.reduce((n, r) => n + Number(r[1]), 0)).toBe(7);
    expect(doc.querySelector('h1')!.text).toBe('Monthly report: Acme <GmbH> & Co');
    expect(html).not.toContain('Acme <GmbH>');
    expect(doc.querySelector('section#availability')!.getAttribute('data-state')).toBe('unavailable');
    expect(doc.querySelectorAll('section#sla svg rect').length).toBeGreaterThan(0);
  });

  it('co-managed-24x7: real hours in a UTC month; the PDF carries the same figures and page 1 is kept as a PNG', async () => {
    const html = renderReportHtml(await reportInput({ store, rules }, 'globex', '2026-10', NOW));
    const want = expectedTable(expected(AROUND_THE_CLOCK, 'co-managed-24x7', globex, ...OCTOBER_UTC, NOW));
    expect(sortedEntries(slaTable(parse(html)))).toEqual(sortedEntries(want));

    const acmeHtml = renderReportHtml(await reportInput({ store, rules }, 'acme', '2026-10', NOW));
    const acmeWant = expectedTable(expected(BERLIN_8X5, 'standard-8x5', acme, ...OCTOBER_BERLIN, NOW));
    for (const [name, page, rows] of [
      ['globex', html, want],
      ['acme', acmeHtml, acmeWant],
    ] as const) {
      const pdf = join(dir, `${name}.pdf`);
      writeFileSync(pdf, await printer.print(page));
      const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
      const lines = text.split('\n').map((l) => l.trim().split(/\s{1,}/));
      for (const [key, figs] of rows) {
        const [priority, target] = key.split(' ');
        // A row of the table: priority, target, goal, then the six figures ("75.0 %" is two words in the text).
        const line = lines.find((w) => w[0] === priority && w[1] === target);
        expect(line?.slice(3).join(' '), `${name} ${key}`).toBe(figs.join(' '));
      }
      expect(text).toContain('October 2026');
      execFileSync('pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', '1', '-singlefile', pdf, join(ARTIFACTS, `${name}-2026-10-page1`)]);
      expect(statSync(join(ARTIFACTS, `${name}-2026-10-page1.png`)).size).toBeGreaterThan(10_000);
    }
  });

  it('a month with no tickets says so in every ticket section instead of showing zeros', async () => {
    const doc = parse(renderReportHtml(await reportInput({ store, rules }, 'globex', '2026-08', NOW)));
    for (const id of ['sla', 'tickets', 'breaches']) {
      const section = doc.querySelector(`section#${id}`)!;
      expect(section.getAttribute('data-state')).toBe('no-data');
      expect(section.querySelector('.notice')!.text).toContain('nothing to measure');
      expect(section.querySelectorAll('table')).toHaveLength(0);
    }
  });
});

describe('report API and CLI', () => {
  it('serves HTML and PDF to a reader, refuses another tenant and a bad month', async () => {
    const { app, store: routeStore } = await routeApp(
      (a, deps) => registerReportRoutes(a, { store: deps.store, rules: () => rules, now: deps.now, printer }),
      fixedClock(NOW),
    );
    seed(routeStore, rules, 'acme', ACME.slice(0, 2));
    const html = await app.inject({ url: '/api/v1/reports/acme/2026-10.html', headers: AUTH });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(parse(html.body).querySelectorAll('section#sla tbody tr').length).toBeGreaterThan(0);
    const pdf = await app.inject({ url: '/api/v1/reports/acme/2026-10.pdf', headers: AUTH });
    expect([pdf.statusCode, pdf.headers['content-type'], pdf.rawPayload.subarray(0, 5).toString()]).toEqual([200, 'application/pdf', '%PDF-']);
    expect((await app.inject({ url: '/api/v1/reports/acme/2026-13.html', headers: AUTH })).json()).toMatchObject({ error: 'invalid_argument' });
    expect((await app.inject({ url: '/api/v1/reports/acme/2026-10.txt', headers: AUTH })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/v1/reports/nobody/2026-10.html', headers: AUTH })).statusCode).toBe(404);
    const key = routeStore.apiKeys.create({ name: 'acme-read', tenant: 'acme', role: 'read' });
    const other = await app.inject({ url: '/api/v1/reports/globex/2026-10.html', headers: { authorization: `Bearer ${key.key}` } });
    expect(other.statusCode).toBe(403);
  });

  it('the CLI writes the HTML file; --format pdf without Chromium names the package', async () => {
    const dataDir = join(dir, 'cli');
    mkdirSync(dataDir);
    const cliStore = openStore(join(dataDir, 'watchpost.db'));
    cliStore.tenants.add({ id: 'acme', name: 'Acme' });
    cliStore.close();
    const env = { WATCHPOST_DATA_DIR: dataDir, WATCHPOST_RULES_FILE: join(dir, 'rules.yaml') };
    const out = join(dir, 'acme.html');
    const ok = await collectorCli(['report', '--tenant', 'acme', '--month', '2026-10', '--out', out], env);
    expect([ok.code, ok.stdout]).toEqual([0, `wrote ${out}\n`]);
    expect(
      parse(execFileSync('cat', [out], { encoding: 'utf8' }))
        .querySelector('section#sla')!
        .getAttribute('data-state'),
    ).toBe('no-data');
    const missing = await collectorCli(['report', '--tenant', 'acme', '--month', '2026-10', '--format', 'pdf', '--out', join(dir, 'x.pdf')], {
      ...env,
      WATCHPOST_CHROMIUM: join(dir, 'no-chromium'),
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("install Debian's chromium package (apt-get install chromium)");
    expect(() => findChromium({ WATCHPOST_CHROMIUM: '/nonexistent' })).toThrow(/chromium package/);
  });
});

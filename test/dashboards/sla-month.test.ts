// The tickets dashboard's SLA attainment panels against the monthly report, for the same tickets at the same time:
// tickets opened, acknowledged, planned, resolved and reopened through the real ticket lifecycle in a real SQLite
// store during the current month (one reopened this month after a cycle last month, one last month only), the
// collector's `sla_month` writer run at `now`, its points moved to a real influxd by the collector's shipper and
// writer, and the panels' queries run with Grafana's substitutions. Every row the report's SLA table prints (met,
// breached, running, met %) must be what the panels show, and the bars must carry the same percentages.
//
// The tenant counts its month in a zone whose month began at least a few hours ago (UTC, or UTC+14 on the first
// hours of a UTC month), so every ticket of the scenario falls in it whatever day the test runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Impact } from '../../collector/src/alerting/contract.js';
import { loadRules, type RuleSet } from '../../collector/src/alerting/rules/rules-file.js';
import { monthOf, parseMonth } from '../../collector/src/reports/month.js';
import { renderReportHtml, reportInput } from '../../collector/src/reports/report.js';
import { openStore, type Store } from '../../collector/src/store/index.js';
import { acknowledgeTicket, planTicket, reopenTicket, resolveTicket, syncTicket } from '../../collector/src/tickets/lifecycle.js';
import type { Ticket } from '../../collector/src/tickets/model.js';
import { createSlaMonthWriter } from '../../collector/src/tickets/sla-month.js';
import { ticketsSla } from '../../dashboards/src/tickets-sla.js';
import { forScope, panelQuery, startCollectorInflux, type CollectorInflux, type Row } from './collector-points.js';

const MIN = 60_000;
const H = 60 * MIN;
const NOW = Date.now();
const ZONE = ['UTC', 'Pacific/Kiritimati'].find((zone) => NOW - parseMonth(monthOf(NOW, zone), zone)!.from >= 8 * H)!;
const MONTH = parseMonth(monthOf(NOW, ZONE), ZONE)!;

const RULES = `
tenants:
  acme:
    calendars:
      allday: { timezone: ${ZONE}, days: [mon, tue, wed, thu, fri, sat, sun], hours: [{ start: "00:00", end: "24:00" }] }
    sla_profiles:
      quick:
        hours: allday
        respond: { P1: 10m, P2: 15m, P3: 20m, P4: 30m }
        plan: { P1: 30m, P2: 45m, P3: 1h, P4: 2h }
        resolve: { P1: 1h, P2: 2h, P3: 3h, P4: 4h }
    terms: { sla_profile: quick }
`;

interface Scenario {
  host: string;
  impact: Impact;
  opened: number;
  ack?: number;
  plan?: number;
  resolved?: number;
  reopened?: number;
  /** After the reopen. */
  ack2?: number;
  /** A critical host: its tickets are more urgent. */
  critical?: boolean;
}

const SCENARIOS: Scenario[] = [
  // Acknowledged, planned and resolved in time.
  { host: 'srv1', impact: 'high', opened: NOW - 6 * H, ack: NOW - 6 * H + 5 * MIN, plan: NOW - 6 * H + 20 * MIN, resolved: NOW - 5.5 * H },
  // Acknowledged late, resolved late.
  { host: 'srv2', impact: 'high', opened: NOW - 5 * H, ack: NOW - 5 * H + 40 * MIN, resolved: NOW - 2 * H },
  { host: 'ws1', impact: 'low', opened: NOW - 4 * H, ack: NOW - 4 * H + 10 * MIN, plan: NOW - 3 * H },
  // Never acknowledged: every clock breached while it runs.
  { host: 'srv3', impact: 'medium', opened: NOW - 4 * H },
  // Resolved before anyone acknowledged: its clocks stop at the resolution.
  { host: 'ws2', impact: 'medium', opened: NOW - 3 * H, resolved: NOW - 3 * H + 12 * MIN },
  // Just opened: running, not yet due (on a critical host, alone at its priority: nothing decided there).
  { host: 'srv4', impact: 'high', opened: NOW - 5 * MIN, critical: true },
  { host: 'ws3', impact: 'low', opened: NOW - 8 * MIN, ack: NOW - 6 * MIN },
  // Last month's ticket reopened this month: counts here, from the reopen.
  {
    host: 'srv5',
    impact: 'high',
    opened: MONTH.from - 2 * 24 * H,
    ack: MONTH.from - 2 * 24 * H + 5 * MIN,
    resolved: MONTH.from - 2 * 24 * H + H,
    reopened: NOW - 90 * MIN,
    ack2: NOW - 70 * MIN,
  },
  // Last month only: not counted.
  { host: 'srv6', impact: 'high', opened: MONTH.from - 24 * H, ack: MONTH.from - 24 * H + 30 * MIN },
];

function seed(store: Store, rules: RuleSet): Ticket[] {
  const terms = rules.terms('acme');
  return SCENARIOS.map((s, i) => {
    const role = s.host.startsWith('ws') ? ('workstation' as const) : ('server' as const);
    const facts = { tenant: 'acme', host: s.host, agentId: `ag_${i}`, role, critical: s.critical === true, tags: [] };
    const firing = [{ instance: '/', impact: s.impact, summary: `${s.host} disk 95 %` }];
    let t = syncTicket(store.tickets, {
      facts,
      ruleId: 'disk_space',
      title: `disk_space on ${s.host}`,
      onClear: 'resolve',
      terms,
      firing,
      cause: { kind: 'fired', instance: '/', summary: firing[0]!.summary, at: s.opened },
    })!.ticket;
    if (s.ack !== undefined) t = acknowledgeTicket(store.tickets, t, 'tech', s.ack);
    if (s.plan !== undefined) t = planTicket(store.tickets, t, 'tech', s.plan, 'replace the disk');
    if (s.resolved !== undefined) t = resolveTicket(store.tickets, t, 'tech', s.resolved, 'fixed');
    if (s.reopened !== undefined) t = reopenTicket(store.tickets, terms, t, 'tech', s.reopened, 'back again')!.ticket;
    if (s.ack2 !== undefined) t = acknowledgeTicket(store.tickets, t, 'tech', s.ack2);
    return t;
  });
}

let dir: string;
let store: Store;
let rules: RuleSet;
let influx: CollectorInflux;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wp-sla-month-dash-'));
  writeFileSync(join(dir, 'rules.yaml'), RULES);
  rules = loadRules(join(dir, 'rules.yaml'));
  store = openStore(join(dir, 'watchpost.db'));
  store.tenants.add({ id: 'acme', name: 'Acme' });
  seed(store, rules);
  influx = await startCollectorInflux();
  const written = createSlaMonthWriter({ store, rules: () => rules, host: 'collector-1' }).maybeWrite(NOW);
  expect(written).toBe(12);
  await influx.ship(store);
}, 120_000);

afterAll(async () => {
  await influx?.stop();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const TABLE = 'SLA attainment this month (per tenant, priority and clock; running = not yet due)';
const BARS = 'Met this month, % of decided clocks';
const dashboard = ticketsSla();
const run = (title: string) => influx.rows(forScope(panelQuery(dashboard, title), { variables: { tenant: ['acme'], host: [] } }));

/** The report's SLA table: "priority clock" -> [met, breached, running, met %]. */
async function reportFigures(): Promise<Map<string, string[]>> {
  const html = renderReportHtml(await reportInput({ store, rules }, 'acme', MONTH.id, NOW));
  const rows = parse(html).querySelectorAll('section#sla table.sla tbody tr');
  return new Map(
    rows.map((tr) => [
      `${tr.getAttribute('data-priority')} ${tr.getAttribute('data-target')}`,
      tr
        .querySelectorAll('td.num')
        .map((td) => td.text.trim())
        .slice(0, 4),
    ]),
  );
}

/** The report prints a percentage with one decimal and a space before %, "n/a" with none. */
const percentText = (v: unknown) => (typeof v === 'number' ? `${v.toFixed(1)} %` : 'n/a');

describe('the SLA attainment panels against the monthly report', () => {
  it('every row of the report is a row of the panel, with the same met, breached, running and met %', async () => {
    const report = await reportFigures();
    // The scenario covers every outcome (else the comparison proves little).
    const sum = (i: number) => [...report.values()].reduce((n, r) => n + Number(r[i]), 0);
    expect([sum(0), sum(1), sum(2)].every((n) => n >= 2)).toBe(true);
    expect([...report.values()].some((r) => r[3] === 'n/a')).toBe(true);

    const rows: Row[] = await run(TABLE);
    expect(rows.every((r) => r.month === MONTH.id && r.tenant === 'acme')).toBe(true);
    const panel = new Map(
      rows.map((r) => [`${String(r.priority)} ${String(r.clock)}`, [String(r.met), String(r.breached), String(r.running), percentText(r['% met'])]]),
    );
    // The report leaves out priorities with no clock this month; the panel has every target of the profile, at zero.
    for (const [k, figures] of report) expect(panel.get(k), k).toEqual(figures);
    for (const [k, figures] of panel) if (!report.has(k)) expect(figures, k).toEqual(['0', '0', '0', 'n/a']);
  });

  it('the bars show the same percentages, and nothing for a clock with nothing decided', async () => {
    const report = await reportFigures();
    const bars = await run(BARS);
    for (const r of bars) {
      const k = `${String(r.priority)} ${String(r.clock)}`;
      expect(percentText(r['% met']), k).toBe(report.get(k)?.[3] ?? 'n/a');
    }
    expect(bars.filter((r) => typeof r['% met'] === 'number').length).toBe([...report.values()].filter((r) => r[3] !== 'n/a').length);
  });
});

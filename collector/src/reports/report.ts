// The monthly client report of one tenant: gathers what the sections need from the store, the rules and InfluxDB
// once (for the month and the one before it), asks each section of the registry for its content, and renders the
// page as HTML (Eta, escaping by default). PDF is print.ts. Read-only: making a report changes nothing.
import { Eta } from 'eta';
import type { RuleSet } from '../alerting/rules/rules-file.js';
import type { Store } from '../store/index.js';
import { localTime, monthTitle } from './format.js';
import { LAYOUT } from './layout.js';
import type { ReportInflux } from './influx-reader.js';
import { monthEnd } from './month-end.js';
import { monthZone, parseMonth, type ReportMonth } from './month.js';
import { cycleStart, monthTickets } from './month-tickets.js';
import type { MonthFacts, ReportInput, SectionContent } from './section.js';
import type { PdfPrinter } from './print.js';
import { SECTIONS } from './sections/index.js';
import { monthClocks } from './sla-attainment.js';

export type ReportFormat = 'html' | 'pdf';
export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'pdf'];

export class ReportError extends Error {
  constructor(
    readonly code: 'tenant_unknown' | 'invalid_month',
    message: string,
  ) {
    super(message);
    this.name = 'ReportError';
  }
}

export interface ReportDeps {
  store: Store;
  rules: RuleSet;
  /** Where a past month's minimum-standard state is read (month-end.ts); without it those sections say unavailable. */
  influx?: ReportInflux;
}

/** A section as the page shows it. */
export type RenderedSection = { id: string; title: string; source: string } & (
  { state: 'ok'; body: string } | { state: 'no-data' | 'unavailable'; note: string }
);

const eta = new Eta({ autoEscape: true, autoTrim: [false, 'nl'], cache: true });
eta.loadTemplate('@layout', LAYOUT);
for (const [id, section] of Object.entries(SECTIONS)) eta.loadTemplate(`@section-${id}`, section.template);

/** Everything the sections read. Rejects with ReportError for an unknown tenant or a month that is not YYYY-MM. */
export async function reportInput(deps: ReportDeps, tenantId: string, monthText: string, now: number): Promise<ReportInput> {
  const tenant = deps.store.tenants.get(tenantId);
  if (!tenant) throw new ReportError('tenant_unknown', `unknown tenant: ${tenantId}`);
  const inForce = deps.rules.inForce(tenantId);
  const terms = inForce.terms;
  const month = parseMonth(monthText, monthZone(terms.hours));
  if (!month) throw new ReportError('invalid_month', `month: expected YYYY-MM (e.g. 2026-11); got "${monthText}"`);
  const before = parseMonth(month.previous, month.zone)!;
  // One pass over the tickets for both months; both months' end states read at once.
  const tickets = monthTickets(deps.store, tenantId, { from: before.from, to: month.to });
  const facts = async (m: ReportMonth): Promise<MonthFacts> => {
    const mine = tickets.filter((t) => cycleStart(t) >= m.from && cycleStart(t) < m.to);
    return { month: m, tickets: mine, clocks: monthClocks(mine, terms.hours, m.from, m.to, now), end: await monthEnd(deps, tenantId, m, terms, now) };
  };
  const [current, previous] = await Promise.all([facts(month), facts(before)]);
  const waivers = deps.store.waivers.list({ tenant: tenantId, activeAt: Math.min(month.to - 1, now) });
  return { ...current, tenant, terms, calendarName: inForce.calendarName, now, waivers, previous, store: deps.store, rules: deps.rules };
}

/** Each section's content, in the registry's order. */
export function sectionsOf(input: ReportInput): RenderedSection[] {
  return Object.entries(SECTIONS).map(([id, section]) => {
    const { source, ...content }: SectionContent<unknown> = section.build(input);
    const head = { id, title: section.title, source: source ?? section.source };
    return content.state === 'ok' ? { ...head, state: 'ok', body: eta.render(`@section-${id}`, content.data as object) } : { ...head, ...content };
  });
}

/** The report as one HTML page (inline CSS and SVG, nothing fetched). */
export function renderReportHtml(input: ReportInput): string {
  const { month, tenant } = input;
  return eta.render('@layout', {
    tenantId: tenant.id,
    tenantName: tenant.name,
    monthTitle: monthTitle(month.from, month.zone),
    fromText: localTime(month.from, month.zone),
    toText: localTime(month.to, month.zone),
    zone: month.zone,
    madeText: `${localTime(input.now, month.zone)} ${month.zone}`,
    sections: sectionsOf(input),
  });
}

/** The report in `format`: HTML text, or a PDF printed by `printer` (needed only for pdf). */
export async function makeReport(
  deps: ReportDeps,
  request: { tenant: string; month: string; format: ReportFormat; now: number },
  printer?: () => PdfPrinter,
): Promise<string | Buffer> {
  const html = renderReportHtml(await reportInput(deps, request.tenant, request.month, request.now));
  if (request.format === 'html') return html;
  if (!printer) throw new Error('makeReport: a PDF needs a printer');
  return printer().print(html);
}

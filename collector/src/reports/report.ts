// The monthly client report of one tenant: gathers what the sections need from the store and the rules once,
// asks each section of the registry for its content, and renders the page as HTML (Eta, escaping by default).
// PDF is print.ts. Read-only: making a report changes nothing.
import { Eta } from 'eta';
import type { RuleSet } from '../alerting/rules/rules-file.js';
import { MAX_LIST_LIMIT, type Store } from '../store/index.js';
import type { Ticket } from '../tickets/model.js';
import { localTime, monthTitle } from './format.js';
import { LAYOUT } from './layout.js';
import { monthZone, parseMonth, type ReportMonth } from './month.js';
import type { ReportInput, SectionContent } from './section.js';
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
}

/** A section as the page shows it. */
export type RenderedSection = { id: string; title: string; source: string } & (
  { state: 'ok'; body: string } | { state: 'no-data' | 'unavailable'; note: string }
);

const eta = new Eta({ autoEscape: true, autoTrim: [false, 'nl'], cache: true });
eta.loadTemplate('@layout', LAYOUT);
for (const [id, section] of Object.entries(SECTIONS)) eta.loadTemplate(`@section-${id}`, section.template);

/** When a ticket's current cycle started: its last reopening (its clocks' start), or its opening. */
const cycleStart = (t: Ticket): number => t.sla.reduce((start, c) => Math.max(start, c.startedAt), t.openedAt);

/**
 * The tenant's tickets whose current cycle started in the month. The store lists a tenant's tickets newest first
 * by id; a reopened ticket can be old and still count, so every page is read (a report is made once a month).
 */
function monthTickets(store: Store, tenant: string, month: ReportMonth): Ticket[] {
  const found: Ticket[] = [];
  for (let beforeId: number | undefined; ;) {
    const page = store.tickets.list({ tenant, limit: MAX_LIST_LIMIT, ...(beforeId ? { beforeId } : {}) });
    for (const t of page) if (cycleStart(t) >= month.from && cycleStart(t) < month.to) found.push(t);
    if (page.length < MAX_LIST_LIMIT) return found;
    beforeId = page[page.length - 1]!.id;
  }
}

/** Everything the sections read. Throws ReportError for an unknown tenant or a month that is not YYYY-MM. */
export function reportInput(deps: ReportDeps, tenantId: string, monthText: string, now: number): ReportInput {
  const tenant = deps.store.tenants.get(tenantId);
  if (!tenant) throw new ReportError('tenant_unknown', `unknown tenant: ${tenantId}`);
  const inForce = deps.rules.inForce(tenantId);
  const terms = inForce.terms;
  const month = parseMonth(monthText, monthZone(terms.hours));
  if (!month) throw new ReportError('invalid_month', `month: expected YYYY-MM (e.g. 2026-11); got "${monthText}"`);
  const tickets = monthTickets(deps.store, tenantId, month);
  return { tenant, month, terms, calendarName: inForce.calendarName, tickets, clocks: monthClocks(tickets, terms.hours, month.from, month.to, now), now };
}

/** Each section's content, in the registry's order. */
export function sectionsOf(input: ReportInput): RenderedSection[] {
  return Object.entries(SECTIONS).map(([id, section]) => {
    const content: SectionContent<unknown> = section.build(input);
    const head = { id, title: section.title, source: section.source };
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
  const html = renderReportHtml(reportInput(deps, request.tenant, request.month, request.now));
  if (request.format === 'html') return html;
  if (!printer) throw new Error('makeReport: a PDF needs a printer');
  return printer().print(html);
}

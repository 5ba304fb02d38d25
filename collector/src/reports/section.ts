// One section of the monthly client report. The report (report.ts) gathers a ReportInput once, asks every section
// of the registry (sections/index.ts) for its content in order, and renders each with the section's own template.
// A section says where its numbers come from (`source`, printed under its title), and says so when it has nothing
// to show: `no-data` (the source exists, the month has nothing in it) or `unavailable` (the collector does not keep
// what the section needs, or InfluxDB could not be read). Never zeros that would read as success.
import type { RuleSet, TenantTerms } from '../alerting/rules/rules-file.js';
import type { Store, Tenant, Waiver } from '../store/index.js';
import type { Ticket } from '../tickets/model.js';
import type { Loaded, MonthEnd } from './month-end.js';
import type { ReportMonth } from './month.js';
import type { ClockResult } from './sla-attainment.js';

/** One month's facts, for the report's month and the one before it (the trend). */
export interface MonthFacts {
  month: ReportMonth;
  /** Every ticket of the tenant with a clock that counts in the month (sla-attainment.ts, rule 1). */
  tickets: readonly Ticket[];
  /** Their clocks that count in the month, judged at the report's `now`. */
  clocks: readonly ClockResult[];
  /** The minimum-standard verdicts and points at the month's end moment (month-end.ts). */
  end: Loaded<MonthEnd>;
}

export interface ReportInput extends MonthFacts {
  tenant: Tenant;
  terms: TenantTerms;
  /** The calendar the SLA clocks count in, by name (or 24x7). */
  calendarName: string;
  /** When the report is made: running clocks are judged at this time. */
  now: number;
  /** Read-only, for sections that read their own tables (availability: the connection history and each host's role). */
  store: Store;
  rules: RuleSet;
  /** The exceptions (waivers) in force at the month's end moment (end.at), from the store. */
  waivers: readonly Waiver[];
  /** The month before, made by the same functions. */
  previous: MonthFacts;
}

/** `source`, when set, replaces the section's own for this report (a running month read from the store, a past one from InfluxDB). */
export type SectionContent<T> = ({ state: 'ok'; data: T } | { state: 'no-data' | 'unavailable'; note: string }) & { source?: string };

export interface Section<T> {
  title: string;
  /** Where the numbers come from, for the reader. */
  source: string;
  /** An Eta template (templates escape by default); gets `it` = the `data` of an `ok` content. */
  template: string;
  /** Called once per report; may not write anything. */
  build(input: ReportInput): SectionContent<T>;
}

/** The store's tickets and their SLA clocks: what the ticket sections cite as their source. */
export const TICKET_SOURCE = "the collector's ticket store (tickets and their SLA clocks, SQLite)";

export const noTickets = (input: ReportInput): SectionContent<never> => ({
  state: 'no-data',
  note: `No ticket had an SLA clock start in ${input.month.id}: there is nothing to measure, which is not the same as every target met.`,
});

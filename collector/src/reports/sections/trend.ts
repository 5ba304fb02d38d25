// The month against the one before: SLA attainment per target, tickets, breached targets, the minimum-standard
// pass rate and the servers' availability, each month computed by the same functions (its own tickets and clocks judged at the report's time, its
// own end state), never estimated. A figure a month cannot give (no clock decided, InfluxDB unreadable) is shown
// as such, and its change as n/a.
import { SLA_TARGETS } from '../../tickets/model.js';
import { percentText } from '../format.js';
import type { MonthFacts, ReportInput, Section } from '../section.js';
import { fleetPercent, monthAvailability } from './availability.js';
import { passRate } from './standards.js';

/** A figure of one month: a number, or why there is none. */
type Figure = { value: number } | { missing: string };

export interface TrendRow {
  key: string;
  label: string;
  current: string;
  previous: string;
  change: string;
}

export interface TrendData {
  currentMonth: string;
  previousMonth: string;
  rows: TrendRow[];
}

interface Metric {
  key: string;
  label: string;
  percent: boolean;
  /** The month's figure; `input` is the report's (its store and rules, for what MonthFacts does not hold). */
  of(m: MonthFacts, input: ReportInput): Figure;
}

/** met / (met + breached) over every priority of one target. */
const attainmentOf =
  (target: string) =>
  (m: MonthFacts): Figure => {
    const mine = m.clocks.filter((c) => c.clock.target === target);
    const met = mine.filter((c) => c.outcome === 'met').length;
    const decided = met + mine.filter((c) => c.outcome === 'breached').length;
    return decided === 0 ? { missing: 'n/a' } : { value: (met / decided) * 100 };
  };

const METRICS: readonly Metric[] = [
  ...SLA_TARGETS.map((target) => ({ key: `sla-${target}`, label: `SLA ${target} targets met`, percent: true, of: attainmentOf(target) })),
  { key: 'tickets', label: 'Tickets', percent: false, of: (m) => ({ value: m.tickets.length }) },
  { key: 'breaches', label: 'Breached targets', percent: false, of: (m) => ({ value: m.clocks.filter((c) => c.outcome === 'breached').length }) },
  {
    key: 'standards',
    label: 'Minimum-standard verdicts passing',
    percent: true,
    of: (m) => {
      if (m.end.state !== 'ok') return { missing: m.end.state === 'unavailable' ? 'unavailable' : 'n/a' };
      const rate = passRate(m.end.data.states);
      return rate === null ? { missing: 'n/a' } : { value: rate };
    },
  },
  {
    key: 'availability',
    label: 'Server availability (all servers: connected / monitored time)',
    percent: true,
    of: (m, input) => {
      const found = monthAvailability(input, m.month);
      return found.state === 'ok' ? { value: fleetPercent(found.servers) } : { missing: found.state === 'unavailable' ? 'unavailable' : 'n/a' };
    },
  },
];

const text = (f: Figure, percent: boolean): string => ('missing' in f ? f.missing : percent ? percentText(f.value) : String(f.value));

function change(now: Figure, before: Figure, percent: boolean): string {
  if ('missing' in now || 'missing' in before) return 'n/a';
  const d = now.value - before.value;
  const sign = d > 0 ? '+' : d < 0 ? '-' : '±';
  return percent ? `${sign}${Math.abs(d).toFixed(1)} pts` : `${sign}${Math.abs(d)}`;
}

export const trend: Section<TrendData> = {
  title: 'Against the previous month',
  source:
    "the ticket store for both months; the minimum-standard verdicts at each month's end as in Minimum standards (the store for the running month, InfluxDB `compliance` for a past one); availability from the connection history as in Server availability",
  build(input) {
    const rows = METRICS.map((m) => {
      const now = m.of(input, input);
      const before = m.of(input.previous, input);
      return { key: m.key, label: m.label, current: text(now, m.percent), previous: text(before, m.percent), change: change(now, before, m.percent) };
    });
    return { state: 'ok', data: { currentMonth: input.month.id, previousMonth: input.previous.month.id, rows } };
  },
  template: `
<table class="trend">
  <thead><tr><th></th><th><%= it.currentMonth %></th><th><%= it.previousMonth %></th><th>Change</th></tr></thead>
  <tbody>
  <% it.rows.forEach(function (r) { %>
    <tr data-key="<%= r.key %>"><td><%= r.label %></td><td class="num current"><%= r.current %></td><td class="num previous"><%= r.previous %></td><td class="num change"><%= r.change %></td></tr>
  <% }) %>
  </tbody>
</table>
<p class="legend">SLA: targets met / (met + breached), every priority; n/a when no target was decided. Verdicts passing: of all host-standard verdicts at the month's end, unknown counted as not passing.</p>
`,
};

// SLA attainment per priority and target (respond, plan, resolve): met and breached counts, the percentage met,
// and the median and worst time used, in the clock's own hours; with a bar chart of the percentages.
import { barChart, type BarChart } from '../chart.js';
import { hoursText, percentText } from '../format.js';
import { noTickets, TICKET_SOURCE, type ReportInput, type Section } from '../section.js';
import { attainment } from '../sla-attainment.js';

export interface SlaRow {
  priority: string;
  target: string;
  goal: string;
  met: number;
  breached: number;
  running: number;
  percent: string;
  median: string;
  worst: string;
}

export interface SlaData {
  profile: string;
  hoursNote: string;
  rows: SlaRow[];
  chart: BarChart;
}

function hoursNote(input: ReportInput): string {
  const { hours } = input.terms;
  if (hours === '24x7') return 'Times are in real hours (around the clock), as h:mm.';
  const days = hours.days.join(', ');
  const ranges = hours.hours.map((h) => `${h.start}-${h.end}`).join(', ');
  return `Times are in business hours of the calendar "${input.calendarName}" (${days} ${ranges}, ${hours.timezone}, holidays excluded), as h:mm.`;
}

export const sla: Section<SlaData> = {
  title: 'SLA attainment',
  source: `${TICKET_SOURCE}, judged against the tenant's SLA profile in the rules file`,
  build(input) {
    if (input.clocks.length === 0) return noTickets(input);
    const rows = attainment(input.clocks, input.terms.slaProfile).filter((r) => r.met + r.breached + r.running > 0);
    const view = rows.map((r) => ({
      priority: r.priority,
      target: r.target,
      goal: r.goal ?? 'none',
      met: r.met,
      breached: r.breached,
      running: r.running,
      percent: percentText(r.metPercent),
      median: hoursText(r.medianMs),
      worst: hoursText(r.worstMs),
    }));
    const decided = rows.filter((r) => r.metPercent !== null);
    const chart = barChart(decided.map((r) => ({ label: `${r.priority} ${r.target}`, percent: r.metPercent!, valueText: percentText(r.metPercent) })));
    return { state: 'ok', data: { profile: input.terms.slaProfileName, hoursNote: hoursNote(input), rows: view, chart } };
  },
  template: `
<p>SLA profile <strong><%= it.profile %></strong>. <%= it.hoursNote %></p>
<table class="sla">
  <thead><tr><th>Priority</th><th>Target</th><th>Goal</th><th>Met</th><th>Breached</th><th>Running</th><th>Met %</th><th>Median</th><th>Worst</th></tr></thead>
  <tbody>
  <% it.rows.forEach(function (r) { %>
    <tr data-priority="<%= r.priority %>" data-target="<%= r.target %>"><td><%= r.priority %></td><td><%= r.target %></td><td><%= r.goal %></td><td class="num met"><%= r.met %></td><td class="num breached"><%= r.breached %></td><td class="num running"><%= r.running %></td><td class="num percent"><%= r.percent %></td><td class="num median"><%= r.median %></td><td class="num worst"><%= r.worst %></td></tr>
  <% }) %>
  </tbody>
</table>
<% if (it.chart.bars.length > 0) { %>
<svg class="chart" role="img" aria-label="Percentage of targets met" width="<%= it.chart.width %>" height="<%= it.chart.height %>" viewBox="0 0 <%= it.chart.width %> <%= it.chart.height %>">
  <% it.chart.bars.forEach(function (b) { %>
  <g transform="translate(0 <%= b.y %>)">
    <text x="0" y="<%= it.chart.barHeight - 4 %>" font-size="11"><%= b.label %></text>
    <rect x="<%= it.chart.barX %>" y="0" width="<%= it.chart.barWidth %>" height="<%= it.chart.barHeight %>" fill="#d9534f"></rect>
    <rect x="<%= it.chart.barX %>" y="0" width="<%= b.metWidth %>" height="<%= it.chart.barHeight %>" fill="#3c8d40"></rect>
    <text x="<%= it.chart.valueX %>" y="<%= it.chart.barHeight - 4 %>" font-size="11"><%= b.valueText %></text>
  </g>
  <% }) %>
</svg>
<p class="legend">Green: met in time; red: breached. Clocks still running and not yet due are not in the bars.</p>
<% } %>
`,
};

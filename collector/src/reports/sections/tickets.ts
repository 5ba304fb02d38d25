// Tickets of the month by priority and by rule: how many, how many resolved, and how many had a target breached.
import { PRIORITIES } from '../../alerting/contract.js';
import { noTickets, TICKET_SOURCE, type ReportInput, type Section } from '../section.js';

export interface CountRow {
  key: string;
  tickets: number;
  resolved: number;
  breached: number;
}

export interface TicketsData {
  byPriority: CountRow[];
  byRule: CountRow[];
}

function countBy(input: ReportInput, keyOf: (t: ReportInput['tickets'][number]) => string, order: readonly string[]): CountRow[] {
  const rows = new Map<string, CountRow>(order.map((key) => [key, { key, tickets: 0, resolved: 0, breached: 0 }]));
  const breached = new Set(input.clocks.filter((c) => c.outcome === 'breached').map((c) => c.ticket.id));
  for (const t of input.tickets) {
    const key = keyOf(t);
    const row = rows.get(key) ?? { key, tickets: 0, resolved: 0, breached: 0 };
    rows.set(key, {
      key,
      tickets: row.tickets + 1,
      resolved: row.resolved + (t.status === 'resolved' ? 1 : 0),
      breached: row.breached + (breached.has(t.id) ? 1 : 0),
    });
  }
  return [...rows.values()];
}

export const tickets: Section<TicketsData> = {
  title: 'Tickets by priority and by rule',
  source: TICKET_SOURCE,
  build(input) {
    if (input.tickets.length === 0) return noTickets(input);
    const ruleIds = [...new Set(input.tickets.map((t) => t.ruleId))].sort();
    const byRule = countBy(input, (t) => t.ruleId, ruleIds).sort((a, b) => b.tickets - a.tickets || a.key.localeCompare(b.key));
    return { state: 'ok', data: { byPriority: countBy(input, (t) => t.priority, PRIORITIES), byRule } };
  },
  template: `
<div class="columns">
<% [['Priority', it.byPriority, 'priority'], ['Rule', it.byRule, 'rule']].forEach(function (part) { %>
<table class="counts" data-by="<%= part[2] %>">
  <thead><tr><th><%= part[0] %></th><th>Tickets</th><th>Resolved</th><th>With a breach</th></tr></thead>
  <tbody>
  <% part[1].forEach(function (r) { %>
    <tr data-key="<%= r.key %>"><td><%= r.key %></td><td class="num tickets"><%= r.tickets %></td><td class="num resolved"><%= r.resolved %></td><td class="num breached"><%= r.breached %></td></tr>
  <% }) %>
  </tbody>
</table>
<% }) %>
</div>
`,
};

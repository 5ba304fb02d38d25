// Every breached target of the month, one line each: which ticket, which target, when it was due, when it stopped
// (or that it still runs), and the time it used in the clock's hours.
import { hoursText, localTime } from '../format.js';
import { noTickets, TICKET_SOURCE, type Section } from '../section.js';

export interface BreachRow {
  ticket: number;
  host: string;
  rule: string;
  title: string;
  priority: string;
  target: string;
  due: string;
  stopped: string;
  used: string;
}

export const breaches: Section<{ rows: BreachRow[]; zone: string }> = {
  title: 'Breached targets',
  source: TICKET_SOURCE,
  build(input) {
    if (input.clocks.length === 0) return noTickets(input);
    const zone = input.month.zone;
    const rows = input.clocks
      .filter((c) => c.outcome === 'breached')
      .sort((a, b) => a.clock.dueAt - b.clock.dueAt || a.ticket.id - b.ticket.id)
      .map((c) => ({
        ticket: c.ticket.id,
        host: c.ticket.host,
        rule: c.ticket.ruleId,
        title: c.ticket.title,
        priority: c.ticket.priority,
        target: c.clock.target,
        due: localTime(c.clock.dueAt, zone),
        stopped: c.stillRunning
          ? 'still running'
          : c.clock.metAt === null
            ? `${localTime(c.ticket.resolvedAt!, zone)} (resolved)`
            : localTime(c.clock.metAt, zone),
        used: hoursText(c.usedMs),
      }));
    return { state: 'ok', data: { rows, zone } };
  },
  template: `
<% if (it.rows.length === 0) { %>
<p class="none">No target was breached.</p>
<% } else { %>
<table class="breaches">
  <thead><tr><th>Ticket</th><th>Host</th><th>Rule</th><th>Title</th><th>Priority</th><th>Target</th><th>Due (<%= it.zone %>)</th><th>Stopped</th><th>Time used</th></tr></thead>
  <tbody>
  <% it.rows.forEach(function (r) { %>
    <tr data-ticket="<%= r.ticket %>" data-target="<%= r.target %>"><td>#<%= r.ticket %></td><td><%= r.host %></td><td><%= r.rule %></td><td><%= r.title %></td><td><%= r.priority %></td><td><%= r.target %></td><td><%= r.due %></td><td><%= r.stopped %></td><td class="num"><%= r.used %></td></tr>
  <% }) %>
  </tbody>
</table>
<% } %>
`,
};

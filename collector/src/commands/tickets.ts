import { UsageError } from '../errors.js';
import { byStatus, slaStanding, TICKET_STATUS_FILTERS, type Ticket, type TicketStatusFilter } from '../store/index.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { flag, noPositionals } from './hold-common.js';
import { isoTime, printJson, printTable } from './table.js';

const DEFAULT_STATUS: TicketStatusFilter = 'unresolved';

function due(ticket: Ticket, target: 'respond' | 'resolve', now: number): string {
  const clock = ticket.sla.find((c) => c.target === target);
  if (!clock) return '-';
  const standing = slaStanding(clock, now);
  return standing === 'ok' ? isoTime(clock.dueAt) : `${isoTime(clock.dueAt)} ${standing}`;
}

export const tickets: Command = {
  usage: '[--status open|acknowledged|resolved|unresolved|all] [--tenant ID] [--host H] [--limit 100] [--json] [--config FILE]',
  summary: 'list tickets, newest first (default: unresolved)',
  options: {
    ...CONFIG_OPTION,
    status: { type: 'string' },
    tenant: { type: 'string' },
    host: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: (input) =>
    withStore(input, (store) => {
      noPositionals(input.positionals);
      const status = (flag(input.values.status) ?? DEFAULT_STATUS) as TicketStatusFilter;
      if (!TICKET_STATUS_FILTERS.includes(status)) throw new UsageError(`--status: expected one of ${TICKET_STATUS_FILTERS.join(', ')}; got "${status}"`);
      const limitText = flag(input.values.limit);
      const limit = limitText === undefined ? undefined : Number(limitText);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError(`--limit: expected a whole number >= 1, got "${limitText}"`);
      const tenant = flag(input.values.tenant);
      const host = flag(input.values.host);
      const list = store.tickets.list({
        ...byStatus(status),
        ...(tenant ? { tenant } : {}),
        ...(host ? { host } : {}),
        ...(limit ? { limit } : {}),
      });
      const now = Date.now();
      if (input.values.json) {
        const withStanding = list.map((t) => ({ ...t, sla: t.sla.map((c) => ({ ...c, standing: slaStanding(c, now) })) }));
        printJson(withStanding);
        return 0;
      }
      const rows = [['ID', 'TENANT', 'HOST', 'RULE', 'PRIORITY', 'STATUS', 'OPENED', 'RESPOND DUE', 'RESOLVE DUE', 'TITLE']];
      for (const t of list) {
        rows.push([
          String(t.id),
          t.tenant,
          t.host,
          t.ruleId,
          t.priority,
          t.status,
          isoTime(t.openedAt),
          due(t, 'respond', now),
          due(t, 'resolve', now),
          t.title,
        ]);
      }
      printTable(rows);
      return 0;
    }),
};

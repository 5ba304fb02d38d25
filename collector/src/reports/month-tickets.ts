// Which tickets a month's SLA figures are made of: those whose current cycle started in the month
// (sla-attainment.ts, rule 1). The monthly report and the collector's month-to-date `sla_month` points
// (tickets/sla-month.ts) both select them here, so Grafana and the report count the same tickets.
import { MAX_LIST_LIMIT, type Store } from '../store/index.js';
import type { Ticket } from '../tickets/model.js';
import type { ReportMonth } from './month.js';

/** When a ticket's current cycle started: its last reopening (its clocks' start), or its opening. */
export const cycleStart = (t: Ticket): number => t.sla.reduce((start, c) => Math.max(start, c.startedAt), t.openedAt);

/**
 * The tenant's tickets whose current cycle started in the month. The store lists a tenant's tickets newest first
 * by id; a reopened ticket can be old and still count, so every page is read.
 */
export function monthTickets(store: Pick<Store, 'tickets'>, tenant: string, month: Pick<ReportMonth, 'from' | 'to'>): Ticket[] {
  const found: Ticket[] = [];
  for (let beforeId: number | undefined; ;) {
    const page = store.tickets.list({ tenant, limit: MAX_LIST_LIMIT, ...(beforeId ? { beforeId } : {}) });
    for (const t of page) if (cycleStart(t) >= month.from && cycleStart(t) < month.to) found.push(t);
    if (page.length < MAX_LIST_LIMIT) return found;
    beforeId = page[page.length - 1]!.id;
  }
}

// `tickets_open`: how many tickets are open now, per tenant, priority and status, with SLA targets approaching or
// breached, written every GAUGE_EVERY_MS, and at the next tick after any ticket changed (so a new ticket shows
// within seconds, not a minute). Grafana needs it because the ticket's state "now" cannot be derived from
// the `tickets` transition points in InfluxQL (a ticket id is a field, and fields cannot be grouped by). A
// combination that drops to zero is written once as zero, so last() never shows a stale count.
//
// tickets_open: tags tenant, host (the collector's hostname), priority, status (open | acknowledged);
//               fields count, sla_approaching, sla_breached (integer).
import type { watchpost } from '../../../proto/index.js';
import { samplesToLines } from '../influx/line-protocol.js';
import type { InfluxOutbox, TicketStore } from '../store/index.js';

export const GAUGE_EVERY_MS = 60_000;

export interface TicketGauge {
  /** A ticket changed: the next maybeWrite writes. */
  changed(): void;
  /** Writes the counts when a ticket changed or GAUGE_EVERY_MS has passed since the last write. */
  maybeWrite(now: number): void;
}

export function createTicketGauge(tickets: TicketStore, outbox: InfluxOutbox, host: string): TicketGauge {
  let lastAt = -Infinity;
  let previous = new Set<string>();
  let dirty = false;
  return {
    changed() {
      dirty = true;
    },
    maybeWrite(now) {
      if (!dirty && now - lastAt < GAUGE_EVERY_MS) return;
      lastAt = now;
      dirty = false;
      const rows = tickets.openSummary(now);
      const seen = new Set<string>();
      const lines: string[] = [];
      const put = (tenant: string, priority: string, status: string, count: number, approaching: number, breached: number) => {
        const sample: watchpost.v1.ISample = {
          measurement: 'tickets_open',
          timeMs: now,
          tags: [
            { key: 'priority', value: priority },
            { key: 'status', value: status },
          ],
          fields: [
            { key: 'count', int: count },
            { key: 'sla_approaching', int: approaching },
            { key: 'sla_breached', int: breached },
          ],
        };
        lines.push(...samplesToLines([sample], { tenant, host }, { nowMs: now }).lines);
      };
      for (const r of rows) {
        const key = `${r.tenant}\u0000${r.priority}\u0000${r.status}`;
        seen.add(key);
        put(r.tenant, r.priority, r.status, r.count, r.slaApproaching, r.slaBreached);
      }
      for (const key of previous) {
        if (seen.has(key)) continue;
        const [tenant = '', priority = '', status = ''] = key.split('\u0000');
        put(tenant, priority, status, 0, 0, 0);
      }
      previous = seen;
      if (lines.length > 0) outbox.append(lines);
    },
  };
}

// The feed of the InfluxDB outbox: every alert and ticket transition as an InfluxDB point (`alerts`, `tickets`), for
// Grafana. The points go into the store's outbox in the same transaction as the transition itself, and the outbox's
// drain (influx-outbox-drain.ts) moves them to InfluxDB when it can: a dead InfluxDB delays them, it loses none.
//
// alerts:  tags rule, instance, event (pending|firing|escalated|deescalated|resolved|pending_cleared), level,
//          impact; fields state, summary, value (float) or value_text (string), held (boolean), held_by (string).
// tickets: tags rule, event (opened|updated|escalated|deescalated|reopened|note|acknowledged|plan|resolved|
//          sla_approaching|sla_breached), priority, status; fields ticket_id, reopen_count (integer), summary,
//          target (string, SLA events), respond_due / plan_due / resolve_due (integer, unix seconds),
//          open_seconds (integer, on resolved: time from opening to resolution, reopened periods included).
import type { watchpost } from '../../../proto/index.js';
import { samplesToLines } from '../influx/line-protocol.js';
import type { InfluxOutbox } from '../store/index.js';
import type { Transitions } from './transitions.js';
import { eventAt } from '../tickets/model.js';

type Field = watchpost.v1.IField;
const str = (key: string, value: string): Field => ({ key, str: value });

export function createTransitions(outbox: InfluxOutbox, now: () => number = Date.now): Transitions {
  const put = (sample: watchpost.v1.ISample, tenant: string, host: string): void => {
    const { lines } = samplesToLines([sample], { tenant, host }, { nowMs: now() });
    if (lines.length > 0) outbox.append(lines);
  };
  return {
    alert(key, event, record, hold) {
      const fields: Field[] = [str('state', record.status), str('summary', event.summary)];
      if (typeof event.value === 'number') fields.push({ key: 'value', float: event.value });
      else if (event.value !== undefined) fields.push(str('value_text', String(event.value)));
      if (event.kind === 'firing') fields.push({ key: 'held', bool: hold !== null });
      if (hold) fields.push(str('held_by', `${hold.kind} ${hold.id}`));
      const tags = { rule: key.ruleId, instance: key.instance, event: event.kind, level: event.level, impact: event.impact };
      put(
        {
          measurement: 'alerts',
          timeMs: event.at,
          tags: Object.entries(tags)
            .filter(([, v]) => v !== '')
            .map(([k, v]) => ({ key: k, value: v })),
          fields,
        },
        key.tenant,
        key.host,
      );
    },
    ticket({ ticket, kind }, target) {
      const fields: Field[] = [{ key: 'ticket_id', int: ticket.id }, { key: 'reopen_count', int: ticket.reopenCount }, str('summary', ticket.summary)];
      if (target) fields.push(str('target', target));
      if (kind === 'resolved' && ticket.resolvedAt !== null)
        fields.push({ key: 'open_seconds', int: Math.round((ticket.resolvedAt - ticket.openedAt) / 1000) });
      for (const clock of ticket.sla) fields.push({ key: `${clock.target}_due`, int: Math.floor(clock.dueAt / 1000) });
      const tags = [
        { key: 'rule', value: ticket.ruleId },
        { key: 'event', value: kind },
        { key: 'priority', value: ticket.priority },
        { key: 'status', value: ticket.status },
      ];
      // An SLA mark's point is at the mark (the ticket's updatedAt does not move for it), one per target.
      put({ measurement: 'tickets', timeMs: eventAt(ticket, kind, target), tags, fields }, ticket.tenant, ticket.host);
    },
  };
}

// ServiceNow: an outbound REST message (System Web Services > Outbound > REST Message) sent by an after-update
// business rule on incident, into desk changes. ServiceNow has no fixed push: the rule's script builds the body,
// so Watchpost names the body it reads (README "Two-way"), and the REST message authenticates with Basic auth or a
// header of the admin's choice ("Configure a REST message with basic auth", ServiceNow docs:
// https://www.servicenow.com/docs/r/api-reference/web-services/t_ConfigureRESTMsgBasicAuth.html).
//
// The body: { sys_id, number?, state, previous_state?, priority?, previous_priority?, sys_updated_by?,
// sys_updated_on? } (current.* and previous.* of the rule; sys_id is the remote id the connector records). Incident
// states (ServiceNow's incident state model: New 1, In Progress 2, On Hold 3, Resolved 6, Closed 7, Canceled 8):
// 2 = acknowledged, 6 and 7 = resolved, and leaving 6 or 7 (previous_state) for an open state = reopened. A
// priority different from previous_priority is recorded. Without the previous values the body is read as a
// snapshot (snapshot.ts).
//
// Poll: GET incident/{sys_id} with state, priority, sys_updated_by and sys_updated_on (the connector's readTicket),
// read as a snapshot with the same states.
import { Type } from '@sinclair/typebox';
import { readTicket, type ServiceNowSettings } from '../connectors/servicenow.js';
import { checkPayload, listed, Open, text, timeOf, verifySecret, type DeskTicketChange, type InboundSettings, type InboundVendor } from './contract.js';
import { snapshotChanges, type StatusLists } from './snapshot.js';

export const SN_ACKNOWLEDGED = ['2'];
export const SN_RESOLVED = ['6', '7'];
const Value = Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Integer()]));

const SnPush = Open({
  sys_id: Type.String({ pattern: '^[0-9a-f]{32}$' }),
  state: Type.Union([Type.String({ maxLength: 100 }), Type.Integer()]),
  previous_state: Value,
  priority: Value,
  previous_priority: Value,
  sys_updated_by: Type.Optional(Type.String({ maxLength: 200 })),
  sys_updated_on: Type.Optional(Type.String({ maxLength: 50 })),
});

const SnIncident = Open({
  result: Open({
    state: Type.Union([Type.String({ maxLength: 100 }), Type.Integer()]),
    priority: Value,
    sys_updated_by: Type.Optional(Type.String({ maxLength: 200 })),
    sys_updated_on: Type.Optional(Type.String({ maxLength: 50 })),
  }),
});

const lists = (settings: InboundSettings): StatusLists => ({
  acknowledged: settings.statuses?.acknowledged ?? SN_ACKNOWLEDGED,
  planned: settings.statuses?.planned ?? [],
  resolved: settings.statuses?.resolved ?? SN_RESOLVED,
});

export const servicenowInbound: InboundVendor = {
  schemes: ['basic', 'header'],
  verify: (request, settings) => Promise.resolve(verifySecret(request, settings, settings.auth ?? 'basic')),
  parse(body, settings, now) {
    const push = checkPayload(SnPush, body, 'servicenow message');
    const l = lists(settings);
    const state = text(push.state);
    const previous = text(push.previous_state);
    const priority = text(push.priority);
    const previousPriority = text(push.previous_priority);
    const by = text(push.sys_updated_by);
    const base = { remoteId: push.sys_id, at: timeOf(push.sys_updated_on, now), ...(by ? { by } : {}) };
    if (previous === undefined) {
      return snapshotChanges({ ...base, ...(state ? { status: state } : {}), ...(priority ? { deskPriority: priority } : {}) }, l);
    }
    const out: DeskTicketChange[] = [];
    const shown = state ? { status: `state ${state}` } : {};
    if (state !== previous) {
      if (listed(l.resolved, state)) out.push({ ...base, change: 'resolved', ...shown });
      else {
        if (listed(l.resolved, previous)) out.push({ ...base, change: 'reopened', ...shown });
        if (listed(l.planned, state)) out.push({ ...base, change: 'planned', ...shown });
        else if (listed(l.acknowledged, state)) out.push({ ...base, change: 'acknowledged', ...shown });
      }
    }
    if (priority && priority !== (previousPriority ?? priority)) out.push({ ...base, change: 'priority', deskPriority: priority });
    return out;
  },
  poll: {
    reader: (settings, deps) => readTicket(settings as ServiceNowSettings, deps),
    changes(read, remoteId, settings, now) {
      const { result } = checkPayload(SnIncident, read.answer, 'servicenow incident');
      const state = text(result.state);
      const priority = text(result.priority);
      const by = text(result.sys_updated_by);
      return snapshotChanges(
        {
          remoteId,
          at: timeOf(result.sys_updated_on, now),
          ...(by ? { by } : {}),
          ...(state ? { status: state, statusName: `state ${state}` } : {}),
          ...(priority ? { deskPriority: priority } : {}),
        },
        lists(settings),
      );
    },
  },
};

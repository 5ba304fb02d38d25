// HaloPSA webhooks (Configuration > Integrations > Webhooks) into desk changes. Halo sends the ticket (and the
// action, where there is one) as JSON to the payload URL; its authentication is configurable: Basic (user name and
// password) or a header (Halo's "API Key"/"Bearer Token" types, or a custom header) — the usehalo.com guide
// "Webhook Integration" (https://usehalo.com/guide/webhook-integration/) and Halo's Webhook API object
// (authentication_type, basic_username: https://kb.dtctoday.com/books/halopsa-api-reference/page/automation-endpoints-part-3).
// With batching on, a delivery is an array of such objects; each is read.
//
// What is read: ticket.id (the remote id the connector records), ticket.status_id, ticket.priority_id, the
// action's `who` and `datetime` (else the ticket's lastactiondate). Statuses are Halo status ids: by default 2 (In
// Progress) = acknowledged and 9 (Closed, the connector's closed_status) = resolved, as Halo's lookups ship.
// NOT CONFIRMED against a live Halo: the default payload's key names (`ticket`, `action`) beyond the guide's words
// "containing the ticket and action objects"; a custom payload can be shaped to match.
//
// Poll: GET /api/Tickets/{id} (the connector's readTicket) answers the ticket with the same status_id, priority_id
// and lastactiondate, read as a snapshot with the same statuses.
import { Type } from '@sinclair/typebox';
import { readTicket, type HaloSettings } from '../connectors/halopsa.js';
import { checkPayload, Open, text, timeOf, verifySecret, type InboundSettings, type InboundVendor } from './contract.js';
import { snapshotChanges, type StatusLists } from './snapshot.js';

export const HALO_ACKNOWLEDGED = [2];
export const HALO_RESOLVED = [9];

const Id = Type.Union([Type.Integer(), Type.String({ pattern: '^[0-9]{1,18}$' })]);
const HaloEntry = Open({
  ticket: Open({
    id: Id,
    status_id: Type.Optional(Id),
    status_name: Type.Optional(Type.String()),
    priority_id: Type.Optional(Id),
    lastactiondate: Type.Optional(Type.String()),
  }),
  action: Type.Optional(Open({ who: Type.Optional(Type.String()), datetime: Type.Optional(Type.String()) })),
});
const HaloPush = Type.Union([HaloEntry, Type.Array(HaloEntry, { maxItems: 500 })]);

const HaloTicket = Open({
  id: Id,
  status_id: Type.Optional(Id),
  status_name: Type.Optional(Type.String()),
  priority_id: Type.Optional(Id),
  lastactiondate: Type.Optional(Type.String()),
});

const lists = (settings: InboundSettings): StatusLists => ({
  acknowledged: settings.statuses?.acknowledged ?? HALO_ACKNOWLEDGED,
  planned: settings.statuses?.planned ?? [],
  resolved: settings.statuses?.resolved ?? HALO_RESOLVED,
});

export const haloInbound: InboundVendor = {
  schemes: ['basic', 'header'],
  verify: (request, settings) => Promise.resolve(verifySecret(request, settings, settings.auth ?? 'basic')),
  parse(body, settings, now) {
    const push = checkPayload(HaloPush, body, 'halopsa webhook');
    return (Array.isArray(push) ? push : [push]).flatMap(({ ticket, action }) => {
      const by = text(action?.who);
      const status = text(ticket.status_id);
      const deskPriority = text(ticket.priority_id);
      return snapshotChanges(
        {
          remoteId: String(ticket.id),
          at: timeOf(action?.datetime ?? ticket.lastactiondate, now),
          ...(by ? { by } : {}),
          ...(status ? { status } : {}),
          ...(ticket.status_name ? { statusName: `${ticket.status_name} (${status ?? '?'})` } : {}),
          ...(deskPriority ? { deskPriority } : {}),
        },
        lists(settings),
      );
    });
  },
  poll: {
    reader: (settings, deps) => readTicket(settings as HaloSettings, deps),
    changes(read, remoteId, settings, now) {
      const ticket = checkPayload(HaloTicket, read.answer, 'halopsa ticket');
      const status = text(ticket.status_id);
      const deskPriority = text(ticket.priority_id);
      return snapshotChanges(
        {
          remoteId,
          at: timeOf(ticket.lastactiondate, now),
          ...(status ? { status } : {}),
          ...(ticket.status_name ? { statusName: `${ticket.status_name} (${status ?? '?'})` } : {}),
          ...(deskPriority ? { deskPriority } : {}),
        },
        lists(settings),
      );
    },
  },
};

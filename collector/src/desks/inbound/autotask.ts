// Autotask ticket webhooks (the TicketWebhooks entity of the REST API) into desk changes, and the poll's read of one
// ticket (GET Tickets/{id}) into the same changes.
//
// Push. An Autotask admin (or a script) creates a TicketWebhooks record with WebhookUrl
// https://<collector>/api/v1/desks/<desk>/inbound, a SecretKey (at most 64 characters), IsSubscribedToUpdateEvents,
// and TicketWebhookFields for Status and Priority (IsSubscribedField: a change to it triggers a callout); the API
// user Watchpost delivers with goes under ExcludedResources so Watchpost's own writes trigger nothing
// (https://www.autotask.net/help/developerhelp/Content/APIs/Webhooks/WEBHOOKS.htm; the entity and its Fields and
// ExcludedResources children: https://ww1.autotask.net/help/DeveloperHelp/Content/APIs/Webhooks/REST_WebhooksEntity.htm,
// .../REST_WebhookFieldsEntity.htm). Each callout is signed: X-Hook-Signature: sha1=<base64 of HMAC-SHA1 of the raw
// body under the SecretKey>, as Autotask's "Secret key and payload verification" section is quoted by public
// receivers (a Go client's webhook design, github.com search "X-Hook-Signature: sha1=<base64-encoded-HMAC-SHA1>",
// and Nango's Autotask guide, https://nango.dev/docs/api-integrations/autotask/webhooks: "x-hook-signature HMAC-SHA1").
// The page itself could not be read here: the "sha1=" prefix and base64 come from those receivers, NOT CONFIRMED
// against a live instance; a bare base64 value (no prefix) is accepted too.
//
// The callout body: { Action (Create, Update, Delete, Deactivated), Guid, EntityType ("Ticket"), Id (the ticket id:
// the remote id the connector records), Fields { the changed subscribed fields and the display-always ones },
// EventTime (ISO), SequenceNumber, PersonID (the resource who made the change) } (same sources; Nango's test
// fixtures write PersonId and a status as the text "5"). Field names are read without regard to case, values as
// numbers or text.
//
// Statuses. Autotask sends a status as its picklist id, and the picklist is the instance's (Tickets
// entityInformation/fields). A push is read without any call back to the desk, so statuses.* are ids there, by
// default 8 (In Progress) = acknowledged and 5 (Complete, a system status in every instance; the connector's
// status_complete) = resolved, the ids of a freshly provisioned instance. A poll reads the picklist with the ticket
// (the connector's cached field information), so there a status may also be named by its label.
import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { readTicket, type AutotaskSettings } from '../connectors/autotask.js';
import {
  checkPayload,
  isRecord,
  Open,
  sameSecret,
  text,
  timeOf,
  type DeskTicketChange,
  type InboundPoll,
  type InboundSettings,
  type InboundVendor,
  type TicketRead,
} from './contract.js';
import { snapshotChanges, type StatusLists } from './snapshot.js';

export const AT_ACKNOWLEDGED = [8];
export const AT_RESOLVED = [5];

const Value = Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 100 }), Type.Null()]));
const AtPush = Open({
  Action: Type.String({ maxLength: 50 }),
  EntityType: Type.String({ maxLength: 100 }),
  Id: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]{1,18}$' })]),
  Fields: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  EventTime: Type.Optional(Type.String({ maxLength: 50 })),
  PersonID: Value,
  PersonId: Value,
});
const AtTicket = Open({
  item: Open({
    id: Type.Integer({ minimum: 0 }),
    status: Value,
    priority: Value,
    lastActivityDate: Type.Optional(Type.Union([Type.String({ maxLength: 50 }), Type.Null()])),
    lastActivityResourceID: Value,
  }),
});

/** The X-Hook-Signature of `rawBody` under the webhook's SecretKey. */
export function autotaskSignature(rawBody: Buffer, secret: string): string {
  return `sha1=${createHmac('sha1', secret).update(rawBody).digest('base64')}`;
}

/** A key of the callout's Fields, whatever its case. */
const field = (fields: Record<string, unknown>, name: string): unknown => {
  const key = Object.keys(fields).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : fields[key];
};

/** The status lists with any label (a poll has the picklist) turned into its id; ids stay as they are. */
function lists(settings: InboundSettings, picklist?: TicketRead['statuses']): StatusLists {
  const ids = (list: ReadonlyArray<string | number>) =>
    list.map((v) => {
      if (typeof v === 'number' || /^\d+$/.test(v) || !picklist) return v;
      return picklist.find((p) => p.label.trim().toLowerCase() === v.trim().toLowerCase())?.id ?? v;
    });
  return {
    acknowledged: ids(settings.statuses?.acknowledged ?? AT_ACKNOWLEDGED),
    planned: ids(settings.statuses?.planned ?? []),
    resolved: ids(settings.statuses?.resolved ?? AT_RESOLVED),
  };
}

/** The status as the ticket's history shows it: its label and id when the picklist is known. */
const statusName = (status: string | undefined, picklist?: TicketRead['statuses']): string | undefined => {
  const label = status === undefined ? undefined : picklist?.find((p) => String(p.id) === status)?.label;
  return label ? `${label} (${status})` : undefined;
};

const resource = (id: unknown): string | undefined => (text(id) ? `resource ${text(id)}` : undefined);

export const autotaskPoll: InboundPoll = {
  reader: (settings, deps) => readTicket(settings as AutotaskSettings, deps),
  changes(read, remoteId, settings, now) {
    const { item } = checkPayload(AtTicket, read.answer, 'autotask ticket');
    const status = text(item.status);
    const name = statusName(status, read.statuses);
    const by = resource(item.lastActivityResourceID);
    const priority = text(item.priority);
    return snapshotChanges(
      {
        remoteId,
        at: timeOf(item.lastActivityDate ?? undefined, now),
        ...(by ? { by } : {}),
        ...(status ? { status } : {}),
        ...(name ? { statusName: name } : {}),
        ...(priority ? { deskPriority: priority } : {}),
      },
      lists(settings, read.statuses),
    );
  },
};

export const autotaskInbound: InboundVendor = {
  schemes: ['signature'],
  verify(request, settings) {
    const presented = request.headers['x-hook-signature'];
    if (typeof presented !== 'string' || !settings.secret) return Promise.resolve(false);
    const expected = autotaskSignature(request.rawBody, settings.secret);
    return Promise.resolve(sameSecret(presented.startsWith('sha1=') ? presented : `sha1=${presented}`, expected));
  },
  parse(body, settings, now) {
    const push = checkPayload(AtPush, body, 'autotask webhook');
    if (push.EntityType.toLowerCase() !== 'ticket' || push.Action.toLowerCase() !== 'update') return [];
    const fields = isRecord(push.Fields) ? push.Fields : {};
    const status = text(field(fields, 'status'));
    const priority = text(field(fields, 'priority'));
    const by = resource(push.PersonID ?? push.PersonId);
    const base = { remoteId: String(push.Id), at: timeOf(push.EventTime, now), ...(by ? { by } : {}) };
    // An update callout carries the fields that changed (and the display-always ones): a status in it is the
    // ticket's status now, read as a snapshot; a priority is recorded once per value (apply.ts).
    const out: DeskTicketChange[] = status ? snapshotChanges({ ...base, status, statusName: `status ${status}` }, lists(settings)) : [];
    if (priority) out.push({ ...base, change: 'priority', deskPriority: priority });
    return out;
  },
  poll: autotaskPoll,
};

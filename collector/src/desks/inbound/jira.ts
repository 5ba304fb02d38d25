// Jira Cloud webhooks (jira:issue_updated) into desk changes. A webhook registered by a Jira admin with a secret
// (System > WebHooks, or POST /rest/webhooks/1.0/webhook) signs each delivery: X-Hub-Signature: sha256=<hex of
// HMAC-SHA256 of the raw body under the secret> (Atlassian, "Webhooks", section "Secure admin webhooks":
// https://developer.atlassian.com/cloud/jira/platform/webhooks/). Webhooks registered by Connect or OAuth apps are
// not signed, so only the signature scheme is offered.
//
// What is read: the changelog's status and priority items (what changed, and from what), the issue's current
// status category, the acting user and the event's timestamp. The remote id is the issue key (what the connector
// records). A status listed under statuses.* decides first; else the status category does: indeterminate (In
// Progress) = acknowledged, done = resolved. Leaving a resolved status (or Jira clearing the resolution) is a
// reopen. Comments are not read as acknowledgements: Watchpost's own notes arrive as comments too.
//
// Poll: GET issue?fields=status,priority,resolution,updated (the connector's readTicket) is a snapshot: a status
// that resolves (as above) is resolved; any other is open (an inferred reopen, apply.ts), acknowledged or planned as
// above; the priority is recorded once per value.
import { Type } from '@sinclair/typebox';
import { readTicket, type JiraSettings } from '../connectors/jira.js';
import { checkPayload, listed, Open, text, timeOf, verifyHubSignature, type DeskTicketChange, type InboundSettings, type InboundVendor } from './contract.js';

/** Status names that count as resolved when statuses.resolved is not set (to recognise leaving one: a reopen). */
export const JIRA_RESOLVED_NAMES = ['Done', 'Resolved', 'Closed', 'Completed'];

const NullableText = Type.Optional(Type.Union([Type.String(), Type.Null()]));
const JiraPush = Open({
  webhookEvent: Type.String({ maxLength: 200 }),
  timestamp: Type.Optional(Type.Number()),
  user: Type.Optional(Open({ accountId: Type.Optional(Type.String()), displayName: Type.Optional(Type.String()) })),
  issue: Type.Optional(
    Open({
      key: Type.String({ minLength: 1, maxLength: 255 }),
      fields: Type.Optional(Open({ status: Type.Optional(Open({ name: Type.String(), statusCategory: Type.Optional(Open({ key: Type.String() })) })) })),
    }),
  ),
  changelog: Type.Optional(
    Open({
      items: Type.Array(Open({ field: Type.String(), from: NullableText, fromString: NullableText, to: NullableText, toString: NullableText }), {
        maxItems: 500,
      }),
    }),
  ),
});

function statusChanges(settings: InboundSettings, from: string | undefined, to: string | undefined, category: string | undefined, resolutionCleared: boolean) {
  const s = settings.statuses ?? {};
  const resolvedNames = s.resolved ?? JIRA_RESOLVED_NAMES;
  const changes: DeskTicketChange['change'][] = [];
  const resolved = s.resolved ? listed(s.resolved, to) : category === 'done' || listed(resolvedNames, to);
  if (resolved) return ['resolved' as const];
  if (resolutionCleared || listed(resolvedNames, from)) changes.push('reopened');
  if (listed(s.planned, to)) changes.push('planned');
  else if (s.acknowledged ? listed(s.acknowledged, to) : category === 'indeterminate') changes.push('acknowledged');
  return changes;
}

const JiraIssue = Open({
  key: Type.Optional(Type.String({ maxLength: 255 })),
  fields: Open({
    status: Type.Optional(Open({ name: Type.String(), statusCategory: Type.Optional(Open({ key: Type.String() })) })),
    priority: Type.Optional(Type.Union([Open({ name: Type.String() }), Type.Null()])),
    updated: Type.Optional(Type.String({ maxLength: 50 })),
  }),
});

export const jiraInbound: InboundVendor = {
  schemes: ['signature'],
  verify: (request, settings) => Promise.resolve(verifyHubSignature(request, settings.secret)),
  parse(body, settings, now) {
    const push = checkPayload(JiraPush, body, 'jira webhook');
    if (!push.issue || !push.changelog || !push.webhookEvent.startsWith('jira:issue_')) return [];
    const base = {
      remoteId: push.issue.key,
      at: push.timestamp ?? now,
      ...(text(push.user?.displayName ?? push.user?.accountId) ? { by: text(push.user?.displayName ?? push.user?.accountId)! } : {}),
    };
    const items = push.changelog.items;
    const status = items.find((i) => i.field === 'status');
    const resolution = items.find((i) => i.field === 'resolution');
    const resolutionCleared = resolution !== undefined && !!resolution.from && !resolution.to;
    const out: DeskTicketChange[] = [];
    if (status || resolutionCleared) {
      const to = text(status?.toString) ?? push.issue.fields?.status?.name;
      const category = push.issue.fields?.status?.statusCategory?.key;
      for (const change of statusChanges(settings, text(status?.fromString), to, category, resolutionCleared))
        out.push({ ...base, change, ...(to ? { status: to } : {}) });
    }
    const priority = items.find((i) => i.field === 'priority');
    const deskPriority = text(priority?.toString);
    if (deskPriority) out.push({ ...base, change: 'priority', deskPriority });
    return out;
  },
  poll: {
    reader: (settings, deps) => readTicket(settings as JiraSettings, deps),
    changes(read, remoteId, settings, now) {
      const { fields } = checkPayload(JiraIssue, read.answer, 'jira issue');
      const base = { remoteId, at: timeOf(fields.updated, now) };
      const out: DeskTicketChange[] = [];
      const status = fields.status?.name;
      if (status) {
        const s = settings.statuses ?? {};
        const category = fields.status?.statusCategory?.key;
        const resolved = s.resolved ? listed(s.resolved, status) : category === 'done' || listed(JIRA_RESOLVED_NAMES, status);
        if (resolved) out.push({ ...base, change: 'resolved', status });
        else {
          out.push({ ...base, change: 'reopened', inferred: true, status });
          if (listed(s.planned, status)) out.push({ ...base, change: 'planned', status });
          else if (s.acknowledged ? listed(s.acknowledged, status) : category === 'indeterminate') out.push({ ...base, change: 'acknowledged', status });
        }
      }
      const deskPriority = text(fields.priority?.name);
      if (deskPriority) out.push({ ...base, change: 'priority', deskPriority });
      return out;
    },
  },
};

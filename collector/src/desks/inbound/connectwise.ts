// ConnectWise PSA callbacks (POST /system/callbacks with type ticket) into desk changes. CW posts a summary of the
// saved record: { MessageId, FromUrl, CompanyId, MemberId, Action (added, updated, deleted), Type, ID, Entity, Metadata }
// where Entity is the record as JSON text (ConnectWise developer docs "PSA Callbacks"; the ConnectWise REST
// reference for /system/callbacks: https://developer.connectwise.com/Products/ConnectWise_PSA/REST).
//
// Signature (auth: signature, the default): CW signs each callback with a key it provides. The header
// x-content-signature holds base64(HMAC-SHA256(body)) keyed with the SHA-256 of the `signing_key` that a GET of
// Metadata.key_url answers. As read from a public CW client (not from CW's own pages, which could not be read
// here): NOT CONFIRMED against a live CW. Because key_url arrives in the very body it is meant to prove, it is only
// fetched over https from the desk's own host (inbound.key_host, default the host of the desk's url): a forged body
// cannot point it at a key of its own. Keys are cached per URL for KEY_TTL_MS. Where that cannot be used, auth:
// query puts a secret in the callback URL (?secret=...; query strings are never logged) and auth: basic
// expects Authorization: Basic from a proxy in front.
//
// What is read from Entity: id, status.name, closedFlag, priority.name, _info.updatedBy and _info.lastUpdated.
// Statuses are board status names: by default "In Progress" = acknowledged; "Completed" (the connector's
// status_resolved), "Closed", "Resolved" or closedFlag = resolved.
//
// Poll: GET service/tickets/{id} with those fields (the connector's readTicket) answers the same ticket model.
import { createHash, createHmac } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { readTicket, type ConnectWiseSettings } from '../connectors/connectwise.js';
import {
  checkPayload,
  isRecord,
  Open,
  sameSecret,
  text,
  timeOf,
  verifySecret,
  type DeskTicketChange,
  type InboundDeps,
  type InboundSettings,
  type InboundVendor,
} from './contract.js';
import { snapshotChanges } from './snapshot.js';

export const CW_ACKNOWLEDGED = ['In Progress'];
export const CW_RESOLVED = ['Completed', 'Closed', 'Resolved', '>Closed'];
export const KEY_TTL_MS = 3_600_000;
const KEY_FETCH_TIMEOUT_MS = 5_000;
const MAX_CACHED_KEYS = 16;

const CwPush = Open({
  Action: Type.String({ maxLength: 50 }),
  Type: Type.String({ maxLength: 50 }),
  ID: Type.Union([Type.Integer(), Type.String({ pattern: '^[0-9]{1,18}$' })]),
  Entity: Type.Optional(Type.Union([Type.String({ maxLength: 1_000_000 }), Type.Object({}, { additionalProperties: true }), Type.Null()])),
  Metadata: Type.Optional(Open({ key_url: Type.Optional(Type.String({ maxLength: 2000 })) })),
});
const CwTicket = Open({
  id: Type.Optional(Type.Integer()),
  closedFlag: Type.Optional(Type.Boolean()),
  status: Type.Optional(Open({ name: Type.String() })),
  priority: Type.Optional(Open({ name: Type.String() })),
  _info: Type.Optional(Open({ updatedBy: Type.Optional(Type.String()), lastUpdated: Type.Optional(Type.String()) })),
});

/** The CW signature of `rawBody` under `signingKey`. */
export function cwSignature(rawBody: Buffer, signingKey: string): string {
  const key = createHash('sha256').update(signingKey, 'utf8').digest();
  return createHmac('sha256', key).update(rawBody).digest('base64');
}

const keys = new Map<string, { key: string; until: number }>();

async function signingKey(url: URL, deps: InboundDeps): Promise<string | null> {
  const cached = keys.get(url.href);
  if (cached && cached.until > deps.now()) return cached.key;
  try {
    const answer = await deps.fetch(url, { redirect: 'error', signal: AbortSignal.timeout(KEY_FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
    if (!answer.ok) return null;
    const body: unknown = await answer.json();
    const key = isRecord(body) ? text(body.signing_key) : undefined;
    if (!key) return null;
    if (keys.size >= MAX_CACHED_KEYS) keys.clear();
    keys.set(url.href, { key, until: deps.now() + KEY_TTL_MS });
    return key;
  } catch {
    return null;
  }
}

/** The key URL of the body when it is https on the expected host; null otherwise (never fetched then). */
function keyUrl(rawBody: Buffer, host: string | undefined): URL | null {
  if (!host) return null;
  try {
    const body: unknown = JSON.parse(rawBody.toString('utf8'));
    const raw = isRecord(body) && isRecord(body.Metadata) ? text(body.Metadata.key_url) : undefined;
    const url = raw ? new URL(raw) : null;
    return url && url.protocol === 'https:' && url.hostname.toLowerCase() === host.toLowerCase() && !url.username && !url.password ? url : null;
  } catch {
    return null;
  }
}

const hostOf = (url: string | undefined): string | undefined => {
  try {
    return url ? new URL(url).hostname : undefined;
  } catch {
    return undefined;
  }
};

/** A ticket as the callout's Entity or a GET shows it, as a snapshot's changes. */
function ticketChanges(remoteId: string, ticket: Static<typeof CwTicket>, settings: InboundSettings, now: number): DeskTicketChange[] {
  const by = text(ticket._info?.updatedBy);
  return snapshotChanges(
    {
      remoteId,
      at: timeOf(ticket._info?.lastUpdated, now),
      ...(by ? { by } : {}),
      ...(ticket.status ? { status: ticket.status.name } : {}),
      ...(ticket.closedFlag !== undefined ? { closed: ticket.closedFlag } : {}),
      ...(ticket.priority ? { deskPriority: ticket.priority.name } : {}),
    },
    {
      acknowledged: settings.statuses?.acknowledged ?? CW_ACKNOWLEDGED,
      planned: settings.statuses?.planned ?? [],
      resolved: settings.statuses?.resolved ?? CW_RESOLVED,
    },
  );
}

export const connectwiseInbound: InboundVendor = {
  schemes: ['signature', 'query', 'basic'],
  async verify(request, settings, deskUrl, deps) {
    const scheme = settings.auth ?? 'signature';
    if (scheme !== 'signature') return verifySecret(request, settings, scheme);
    const presented = request.headers['x-content-signature'];
    if (typeof presented !== 'string') return false;
    const url = keyUrl(request.rawBody, settings.key_host ?? hostOf(deskUrl));
    const key = url ? await signingKey(url, deps) : null;
    return key !== null && sameSecret(presented, cwSignature(request.rawBody, key));
  },
  parse(body, settings, now) {
    const push = checkPayload(CwPush, body, 'connectwise callback');
    if (push.Type.toLowerCase() !== 'ticket' || push.Action.toLowerCase() !== 'updated') return [];
    let entity: unknown = push.Entity;
    if (typeof entity === 'string') {
      try {
        entity = JSON.parse(entity);
      } catch {
        return [];
      }
    }
    const ticket = checkPayload(CwTicket, entity ?? {}, 'connectwise callback Entity');
    return ticketChanges(String(push.ID), ticket, settings, now);
  },
  poll: {
    reader: (settings, deps) => readTicket(settings as ConnectWiseSettings, deps),
    changes: (read, remoteId, settings, now) => ticketChanges(remoteId, checkPayload(CwTicket, read.answer, 'connectwise ticket'), settings, now),
  },
};

// The inbound side of the service desks: what a desk's own push (Jira webhook, HaloPSA webhook, ConnectWise
// callback, ServiceNow outbound REST message, Autotask ticket webhook) says happened to its ticket, after the push
// was proved to come from the desk, or what a poll of the desk's ticket (poll.ts) reads of it now. Each vendor file
// (jira.ts, halopsa.ts, connectwise.ts, servicenow.ts, autotask.ts) checks its vendor's signature or shared secret
// (verify), reads its vendor's payload (parse) and, for polling, its ticket as one GET answers it (poll) into
// DeskTicketChange values; apply.ts applies them to Watchpost's tickets. Webhook and email desks only receive.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { firstSchemaError } from '../../config/schema-errors.js';
import type { ConnectorDeps } from '../contract.js';
import type { Step } from '../desk-flow.js';

/** What happened to the desk's ticket, in Watchpost's terms. */
export type DeskChangeKind = 'acknowledged' | 'planned' | 'resolved' | 'reopened' | 'priority';

export interface DeskTicketChange {
  /** The desk's id of its ticket (the one the outbox recorded when it created it). */
  remoteId: string;
  change: DeskChangeKind;
  /** priority: the desk's own priority name or id, recorded as it is (Watchpost's priority is its matrix's). */
  deskPriority?: string;
  /** Who did it in the desk (its user name or id), when the push says. */
  by?: string;
  /** When (unix ms), when the push says; else when it arrived. */
  at: number;
  /** The desk's status as it named it (for the ticket's history). */
  status?: string;
  /** reopened: the push shows the ticket open but not that it was closed before (a snapshot, not a transition):
   *  applied only when the desk has been told everything of the ticket (apply.ts). */
  inferred?: boolean;
}

const StatusList = (what: string) =>
  Type.Array(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Integer()]), { maxItems: 50, description: `desk statuses meaning ${what}` });

/** The `inbound:` block of a desk in the desks file. */
export const InboundSchema = Type.Object(
  {
    auth: Type.Optional(
      Type.Union([Type.Literal('signature'), Type.Literal('basic'), Type.Literal('header'), Type.Literal('query')], {
        description:
          "how a push proves it comes from the desk: signature (Jira's X-Hub-Signature HMAC, ConnectWise's x-content-signature, Autotask's X-Hook-Signature), basic (Authorization: Basic), header (a header of your choice holds the secret), query (?secret= in the URL)",
      }),
    ),
    secret: Type.Optional(Type.String({ minLength: 16, maxLength: 1024, description: 'the shared secret (write it as ${ENV_VAR}); at least 16 characters' })),
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'basic: the user name the desk sends (default watchpost)' })),
    header: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9-]{1,100}$', description: 'header: the name of the header that holds the secret' })),
    key_host: Type.Optional(
      Type.String({ pattern: '^[a-z0-9.-]+$', description: "connectwise signature: the host the signing key is fetched from (default: the desk url's host)" }),
    ),
    poll: Type.Optional(
      Type.String({
        pattern: '^[0-9]+(\\.[0-9]+)?\\s*(s|m|h|d)$',
        description:
          "read the desk's tickets every this long (at least 1m): the fallback for a desk whose push is not set up. With only poll (and statuses) in the block, pushes are refused",
        examples: ['5m'],
      }),
    ),
    poll_max: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'tickets read per poll pass, those read longest ago first (default 50)' })),
    statuses: Type.Optional(
      Type.Object(
        {
          acknowledged: Type.Optional(StatusList('acknowledged')),
          planned: Type.Optional(StatusList('planned')),
          resolved: Type.Optional(StatusList('resolved')),
        },
        {
          additionalProperties: false,
          description: "the desk's statuses (names, or ids for HaloPSA, ServiceNow and Autotask) per Watchpost change; default per vendor",
        },
      ),
    ),
  },
  {
    additionalProperties: false,
    description: "changes made in the desk come back to Watchpost through the desk's push (POST /api/v1/desks/<desk>/inbound), or by polling it (poll)",
  },
);
export type InboundSettings = Static<typeof InboundSchema>;
export type AuthScheme = NonNullable<InboundSettings['auth']>;

/** A push as it arrived: headers, the raw body (signatures are over its bytes), the query's secret if any. */
export interface InboundRequest {
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  querySecret?: string;
}

export interface InboundDeps {
  fetch: typeof fetch;
  now: () => number;
}

/** Tickets one poll pass reads at most when the desk's inbound block does not say. */
export const DEFAULT_POLL_MAX = 50;
/** The shortest poll interval: a desk's API is shared with the outbox, and its limits are per hour or per minute. */
export const MIN_POLL_MS = 60_000;

/** What one harmless GET of a desk's ticket answered: its JSON, and the desk's status picklist when the vendor
 *  names statuses by id and the connector has read the labels (Autotask). */
export interface TicketRead {
  answer: unknown;
  statuses?: ReadonlyArray<{ id: number; label: string }>;
}
/** One read of one ticket by its desk id; a Step like every connector call (retryable: 429, 5xx, network). */
export type ReadTicket = (remoteId: string, signal: AbortSignal) => Promise<Step<TicketRead>>;

/** A vendor's polling: the connector's read of one ticket, and that answer read as a snapshot's changes. */
export interface InboundPoll {
  /** A reader for one route's connector settings (the desk's auth and base URL, as its connector uses them). */
  reader(settings: Record<string, unknown>, deps: ConnectorDeps): ReadTicket;
  /** The changes the ticket's current state shows (snapshot.ts); throws InboundPayloadError for an answer that is
   *  not the vendor's ticket. */
  changes(read: TicketRead, remoteId: string, settings: InboundSettings, now: number): DeskTicketChange[];
}

/** One vendor's push. */
export interface InboundVendor {
  /** The auth schemes the vendor can be set up with; the first is the default. */
  schemes: readonly AuthScheme[];
  /** Whether the push is the desk's; never throws. `deskUrl` is the desk's `url` setting. */
  verify(request: InboundRequest, settings: InboundSettings, deskUrl: string | undefined, deps: InboundDeps): Promise<boolean>;
  /** The changes a verified push reports; throws InboundPayloadError for a body that is not the vendor's push. */
  parse(body: unknown, settings: InboundSettings, now: number): DeskTicketChange[];
  /** Polling, for vendors whose ticket one GET can read. */
  poll?: InboundPoll;
}

/** A verified push whose body is not what the vendor documents (answered 400). */
export class InboundPayloadError extends Error {}

/** Checks the parts of a push a parser reads (the schemas allow every other key); throws InboundPayloadError. */
export function checkPayload<T extends TSchema>(schema: T, body: unknown, what: string): Static<T> {
  const problem = firstSchemaError(schema, body, { at: what, hideValue: true });
  if (problem) throw new InboundPayloadError(problem);
  return body as Static<T>;
}

/** A schema for an object of which only the listed keys are read. */
export const Open = <P extends Parameters<typeof Type.Object>[0]>(properties: P) => Type.Object(properties, { additionalProperties: true });

/** Constant-time equality of two strings (their SHA-256 digests are compared, so lengths leak nothing either). */
export function sameSecret(presented: string | undefined, expected: string | undefined): boolean {
  if (presented === undefined || expected === undefined || expected === '') return false;
  const digest = (v: string) => createHash('sha256').update(v, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

/** The shared-secret schemes every vendor that lets its sender be configured can use (basic, header, query). */
export function verifySecret(request: InboundRequest, settings: InboundSettings, scheme: AuthScheme): boolean {
  const { secret } = settings;
  switch (scheme) {
    case 'basic': {
      const auth = header(request.headers, 'authorization');
      const match = auth ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(auth) : null;
      const expected = `${settings.user ?? 'watchpost'}:${secret ?? ''}`;
      return sameSecret(match ? Buffer.from(match[1]!, 'base64').toString('utf8') : undefined, secret ? expected : undefined);
    }
    case 'header':
      return settings.header !== undefined && sameSecret(header(request.headers, settings.header), secret);
    case 'query':
      return sameSecret(request.querySecret, secret);
    default:
      return false;
  }
}

/** `sha256=<hex>` of the body under the secret (WebSub's X-Hub-Signature, as Jira sends it). */
export function hubSignature(rawBody: Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export function verifyHubSignature(request: InboundRequest, secret: string | undefined): boolean {
  if (!secret) return false;
  return sameSecret(header(request.headers, 'x-hub-signature'), hubSignature(request.rawBody, secret));
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string or number field as a string; undefined otherwise. */
export const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;

/**
 * A time the desk wrote (ISO text, unix ms, or ServiceNow's "YYYY-MM-DD hh:mm:ss") in ms; `fallback` when none. A
 * time without a zone is read as UTC (what these APIs return), never as the collector's local time.
 */
export function timeOf(v: unknown, fallback: number): number {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
  if (typeof v !== 'string' || v === '') return fallback;
  const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(v) ? `${v.replace(' ', 'T')}Z` : v;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : fallback;
}

/** Whether `value` is one of `list` (names compared without regard to case, ids as text). */
export function listed(list: ReadonlyArray<string | number> | undefined, value: string | undefined): boolean {
  if (!list || value === undefined) return false;
  const v = value.toLowerCase();
  return list.some((x) => String(x).toLowerCase() === v);
}

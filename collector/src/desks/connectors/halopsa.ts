// HaloPSA: tickets over the Halo REST API with OAuth2 client credentials; impact and urgency are sent natively
// (Halo's own matrix then sets priority and SLA), a priority_id only when priority_map is configured.
//
// Read: https://halopsa.com/apidoc (resource server <url>/api, authorisation server <url>/auth, Bearer tokens),
// https://halocrm.io/guides/article?kbid=1823 (API applications, "Client ID and Secret (Services)"),
// https://docs.stigg.io/documentation/workflows/halopsa (client credentials, scope "all", tenant for hosted Halo),
// https://kb.dtctoday.com/books/halopsa-api-reference/page/ticket-endpoints (GET /Tickets parameters; POST bodies
// are arrays; tickets are "Faults"), https://kb.dtctoday.com/books/halopsa-api-reference/page/ticket-configuration-endpoints
// (outcomes of actions).
//
// Correlation: the key is a token "[watchpost-acme-42]" at the end of the ticket's summary, found with GET
// /api/Tickets?search=<key> and confirmed by an exact match on the summary. Why the summary: it is the one field
// Halo's documented ticket `search` certainly covers; whether `search` reaches custom fields or any third-party
// reference field is not documented in anything I could read, and a custom field must first be created per
// instance. With `correlation_field` set, the key is also written to that custom field (for reports and rules).
// NOT CONFIRMED against a live Halo: the default impact/urgency numbers (1 = highest, as Halo's lookups ship), the
// outcome name "Private Note", the list answer's `tickets` key, and whether `search` includes closed tickets.
import { Type, type Static } from '@sinclair/typebox';
import type { ConnectorType, DeskEvent, DeskTicket } from '../contract.js';
import { request, type HttpOutcome } from '../http.js';
import { TokenCache } from '../auth.js';
import { checkAnswer, deliverTo, done, inOrder, isRecord, lacking, type DeskOps } from '../desk-flow.js';
import { noteText, ticketDescription, titleLine } from '../desk-text.js';

export const HALO_SUMMARY_MAX = 250;
export const HALO_SEARCH_PAGE = 20;

const Level = (description: string, dflt: number) => Type.Integer({ minimum: 0, default: dflt, description });
const LevelMap = (what: string) =>
  Type.Object(
    { high: Level(`Halo ${what} id for high`, 1), medium: Level(`Halo ${what} id for medium`, 2), low: Level(`Halo ${what} id for low`, 3) },
    { additionalProperties: false, description: `Watchpost ${what} -> Halo ${what} id (Configuration > Tickets lookups)` },
  );

const Settings = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', description: 'Halo web app; the API is <url>/api', examples: ['https://acme-msp.halopsa.com'] }),
    auth_url: Type.Optional(Type.String({ pattern: '^https?://', description: 'authorisation server (default <url>/auth); tokens from <auth_url>/token' })),
    tenant: Type.Optional(Type.String({ minLength: 1, description: 'tenant name for Halo-hosted instances (sent as ?tenant= on the token request)' })),
    client_id: Type.String({ minLength: 1, description: 'API application client id (authentication method: Client ID and Secret)', examples: ['watchpost'] }),
    client_secret: Type.String({ minLength: 1, description: 'API application client secret (write it as ${ENV_VAR})', examples: ['${HALO_CLIENT_SECRET}'] }),
    scope: Type.Optional(Type.String({ minLength: 1, default: 'all', description: 'OAuth2 scope of the token request' })),
    client: Type.Optional(Type.Integer({ minimum: 1, description: 'Halo client_id of the tenant (customer)' })),
    site: Type.Optional(Type.Integer({ minimum: 1, description: 'Halo site_id' })),
    ticket_type: Type.Optional(Type.Integer({ minimum: 1, description: 'Halo tickettype_id (e.g. Incident)' })),
    new_status: Type.Optional(Type.Integer({ minimum: 1, default: 1, description: 'status_id of a new ticket' })),
    closed_status: Type.Optional(Type.Integer({ minimum: 1, default: 9, description: 'status_id that closes a ticket' })),
    reopen_status: Type.Optional(Type.Integer({ minimum: 1, default: 1, description: 'status_id of a reopened ticket' })),
    impact_map: Type.Optional(LevelMap('impact')),
    urgency_map: Type.Optional(LevelMap('urgency')),
    priority_map: Type.Optional(
      Type.Object(
        { P1: Type.Integer(), P2: Type.Integer(), P3: Type.Integer(), P4: Type.Integer() },
        { additionalProperties: false, description: 'only if set: Watchpost priority -> priority_id (else Halo derives it)' },
      ),
    ),
    note_outcome: Type.Optional(Type.String({ minLength: 1, default: 'Private Note', description: 'action outcome of Watchpost notes' })),
    close_outcome: Type.Optional(Type.String({ minLength: 1, description: 'action outcome of the closing note (default note_outcome)' })),
    correlation_field: Type.Optional(Type.String({ minLength: 1, description: 'also write the key to this custom field (e.g. CFWatchpostKey)' })),
  },
  { additionalProperties: true },
);
export type HaloSettings = Static<typeof Settings>;

const DEFAULT_LEVELS = { high: 1, medium: 2, low: 3 } as const;
const trim = (url: string): string => url.replace(/\/+$/, '');
export const haloToken = (key: string): string => ` [${key}]`;

/** Impact and urgency as Halo's ids (Halo's matrix then sets priority), a priority_id only when mapped. */
const levels = (t: DeskTicket, s: HaloSettings) => ({
  impact: (s.impact_map ?? DEFAULT_LEVELS)[t.impact],
  urgency: (s.urgency_map ?? DEFAULT_LEVELS)[t.urgency],
  ...(s.priority_map ? { priority_id: s.priority_map[t.priority] } : {}),
});

/** The ticket as POST /api/Tickets takes it (one element of the array body). */
export function haloTicket(event: DeskEvent, s: HaloSettings): Record<string, unknown> {
  const t = event.ticket;
  return {
    summary: titleLine(t.title, HALO_SUMMARY_MAX, haloToken(t.correlationKey)),
    details: ticketDescription(t),
    ...(s.client !== undefined ? { client_id: s.client } : {}),
    ...(s.site !== undefined ? { site_id: s.site } : {}),
    ...(s.ticket_type !== undefined ? { tickettype_id: s.ticket_type } : {}),
    status_id: s.new_status ?? 1,
    ...levels(t, s),
    ...(s.correlation_field ? { customfields: [{ name: s.correlation_field, value: t.correlationKey }] } : {}),
  };
}

const idOf = (v: unknown): string | null => {
  const one = Array.isArray(v) ? v[0] : v;
  return isRecord(one) && (typeof one.id === 'number' || typeof one.id === 'string') ? String(one.id) : null;
};

export const halopsa: ConnectorType<HaloSettings> = {
  schema: Settings,
  create(s, deps) {
    const api = `${trim(s.url)}/api`;
    const tokenUrl = new URL(`${trim(s.auth_url ?? `${trim(s.url)}/auth`)}/token`);
    if (s.tenant) tokenUrl.searchParams.set('tenant', s.tenant);
    const tokens = new TokenCache({ tokenUrl: tokenUrl.toString(), clientId: s.client_id, clientSecret: s.client_secret, scope: s.scope ?? 'all' }, deps);

    /** One API call with a Bearer token; a 401 drops the token and tries once more with a fresh one. */
    async function send(method: string, path: string, signal: AbortSignal, body?: unknown): Promise<HttpOutcome> {
      for (let attempt = 1; ; attempt++) {
        const token = await tokens.get(signal);
        if (!token.ok) return token;
        let status = 0;
        const seen: typeof fetch = async (input, init) => {
          const response = await deps.fetch(input, init);
          status = response.status;
          return response;
        };
        const outcome = await request({
          method,
          url: `${api}${path}`,
          headers: { authorization: `Bearer ${token.value}` },
          body,
          signal,
          fetch: seen,
          now: deps.now,
          secrets: tokens.secrets(),
        });
        if (outcome.ok || status !== 401 || attempt > 1) return outcome;
        tokens.invalidate();
      }
    }
    const call = async (method: string, path: string, what: string, signal: AbortSignal, body?: unknown, expect?: 'json-or-empty') =>
      checkAnswer(await send(method, path, signal, body), what, tokens.secrets(), expect);
    const note = (id: string, text: string, signal: AbortSignal, outcome = s.note_outcome ?? 'Private Note') =>
      call('POST', '/Actions', 'action', signal, [{ ticket_id: Number(id), note: text, outcome, hiddenfromuser: true }], 'json-or-empty');
    const update = (fields: Record<string, unknown>, signal: AbortSignal) => call('POST', '/Tickets', 'ticket update', signal, [fields], 'json-or-empty');

    const ops: DeskOps = {
      async find(key, { signal }) {
        const query = new URLSearchParams({ search: key, pageinate: 'true', page_size: String(HALO_SEARCH_PAGE), page_no: '1' });
        const answer = await call('GET', `/Tickets?${query}`, 'ticket search', signal);
        if (!answer.ok) return answer;
        const json = answer.value.json;
        const list = Array.isArray(json) ? json : isRecord(json) && Array.isArray(json.tickets) ? json.tickets : [];
        const token = haloToken(key).trim();
        const ids = list
          .filter((t): t is Record<string, unknown> => isRecord(t) && typeof t.summary === 'string' && t.summary.includes(token))
          .map((t) => Number(t.id));
        return done(ids.length ? String(Math.min(...ids)) : null);
      },
      async create(e, { signal }) {
        const answer = await call('POST', '/Tickets', 'ticket create', signal, [haloTicket(e, s)]);
        if (!answer.ok) return answer;
        const id = idOf(answer.value.json);
        return id ? done(id) : lacking('ticket create', 'ticket id', answer.value, tokens.secrets());
      },
      note: (id, e, { signal }) => note(id, noteText(e), signal),
      reprioritize: (id, e, { signal }) =>
        inOrder(
          () => update({ id: Number(id), ...levels(e.ticket, s) }, signal),
          () => note(id, noteText(e), signal),
        ),
      resolve: (id, e, { signal }) =>
        inOrder(
          () => update({ id: Number(id), status_id: s.closed_status ?? 9 }, signal),
          () => note(id, noteText(e), signal, s.close_outcome ?? s.note_outcome ?? 'Private Note'),
        ),
      reopen: (id, e, { signal }) =>
        inOrder(
          () => update({ id: Number(id), status_id: s.reopen_status ?? 1 }, signal),
          () => note(id, noteText(e), signal),
        ),
    };
    return { deliver: (event, ctx) => deliverTo(ops, event, ctx) };
  },
};

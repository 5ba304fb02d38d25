// HaloPSA: tickets over the Halo REST API with OAuth2 client credentials; impact and urgency are sent natively
// (Halo's own matrix then sets priority and SLA), a priority_id only when priority_map is configured.
//
// Read: https://halopsa.com/apidoc (resource server <url>/api, authorisation server <url>/auth, Bearer tokens),
// https://halocrm.io/guides/article?kbid=1823 (API applications, "Client ID and Secret (Services)"),
// https://docs.stigg.io/documentation/workflows/halopsa (client credentials, scope "all", tenant for hosted Halo),
// https://kb.dtctoday.com/books/halopsa-api-reference/page/ticket-endpoints (GET /Tickets parameters; POST bodies
// are arrays; tickets are "Faults"), https://kb.dtctoday.com/books/halopsa-api-reference/page/ticket-configuration-endpoints
// (outcomes of actions), and the HaloAPI PowerShell module, https://github.com/homotechsual/HaloAPI: GET api/tickets
// takes `search`, `pageinate`, `page_size`, `page_no` (Public/Get/Get-HaloTicket.ps1; open and closed tickets alike
// unless open_only/closed_only is sent); a paged answer is {record_count, tickets}, walked page by page until page_no
// reaches ceil(record_count / page_size) (Private/New-HaloGETRequest.ps1); api/client/{id}, api/site/{id} and
// api/tickettype/{id} read one record (Get-HaloClient.ps1, Get-HaloSite.ps1, Get-HaloTicketType.ps1); the token
// request as sent here, with ?tenant= for hosted Halo (Public/Connect-HaloAPI.ps1). The module retries 429 only, and
// neither it nor Halo's pages describe a 409, so a 409 keeps the default class (failed).
//
// Correlation: the key is a token "[watchpost-acme-42]" at the end of the ticket's summary, found with GET
// /api/Tickets?search=<key>] and confirmed by the whole token in the summary. Why the summary: it is the one field
// Halo's documented ticket `search` certainly covers; whether `search` reaches custom fields or any third-party
// reference field is not documented in anything I could read, and a custom field must first be created per
// instance. With `correlation_field` set, the key is also written to that custom field (for reports and rules).
// Why "<key>]": the "]" ends the key, so the search for watchpost-acme-4 is not also answered by watchpost-acme-40..49
// and 400..499, which could fill the first pages and hide the real ticket. The "[" is left out: were the search a
// SQL Server LIKE (Halo's database engine; assumed, not read in Halo's pages), "[" would open a character class and
// match nearly every ticket, while a lone "]" is literal there and in any plain substring match.
// Halo does not say how `search` splits its term: if it matched word by word the "]" would not narrow anything, so
// every page is read (at most HALO_SEARCH_MAX_PAGES), the whole token is matched here, and the lowest id wins (the
// first ticket made for the key); when the pages run out before the matches do, the delivery fails rather than
// open a ticket that may already exist.
// NOT CONFIRMED against a live Halo: how `search` matches its term (substring or words), whether page_size is
// honoured in full (the paging does not depend on it), the default impact/urgency numbers (1 = highest, as Halo's
// lookups ship), the outcome name "Private Note", and the answer to a lookup of an id that does not exist.
import { Type, type Static } from '@sinclair/typebox';
import type { ConnectorDeps, ConnectorType, DeskCheck, DeskEvent, DeskTicket } from '../contract.js';
import type { ReadTicket } from '../inbound/contract.js';
import { request, type HttpOutcome } from '../http.js';
import { TokenCache } from '../auth.js';
import { checkAnswer, deliverTo, done, inOrder, isRecord, lacking, refused, type DeskOps, type Step } from '../desk-flow.js';
import { noteText, ticketDescription, titleLine } from '../desk-text.js';

export const HALO_SUMMARY_MAX = 250;
/** Rows asked per page of the key search, and the pages read before the search is called inconclusive. */
export const HALO_SEARCH_PAGE = 100;
export const HALO_SEARCH_MAX_PAGES = 10;
/** A search term no Watchpost key can hold (keys end in the ticket's number), for the desk test. */
export const IMPOSSIBLE_KEY = 'watchpost-desk-test-none';

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
/** The key search's term: the key and the "]" that ends it (see the header for why not the "[" too). */
export const haloSearchTerm = (key: string): string => `${key}]`;

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

/** The instance's API with a client-credentials token: the delivery's calls and the inbound poll's read. */
function haloApi(s: HaloSettings, deps: ConnectorDeps) {
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
  return { tokens, call };
}

/** The inbound poll's read of one ticket (desks/inbound/poll.ts): GET /api/Tickets/{id}, which answers the ticket. */
export function readTicket(s: HaloSettings, deps: ConnectorDeps): ReadTicket {
  const { call } = haloApi(s, deps);
  return async (id, signal) => {
    if (!/^\d+$/.test(id)) return refused(`not a Halo ticket id: "${id}"`);
    const answer = await call('GET', `/Tickets/${id}`, 'ticket read', signal);
    return answer.ok ? done({ answer: answer.value.json }) : answer;
  };
}

export const halopsa: ConnectorType<HaloSettings> = {
  schema: Settings,
  create(s, deps) {
    const { tokens, call } = haloApi(s, deps);
    const note = (id: string, text: string, signal: AbortSignal, outcome = s.note_outcome ?? 'Private Note') =>
      call('POST', '/Actions', 'action', signal, [{ ticket_id: Number(id), note: text, outcome, hiddenfromuser: true }], 'json-or-empty');
    const update = (fields: Record<string, unknown>, signal: AbortSignal) => call('POST', '/Tickets', 'ticket update', signal, [fields], 'json-or-empty');

    const search = (term: string, page: number, size: number) =>
      `/Tickets?${new URLSearchParams({ search: term, pageinate: 'true', page_size: String(size), page_no: String(page) })}`;
    /** The tickets of a search answer: a paged answer's `tickets`, or the bare list an unpaged one may be. */
    const ticketsOf = (json: unknown): unknown[] | null => (Array.isArray(json) ? json : isRecord(json) && Array.isArray(json.tickets) ? json.tickets : null);
    /** One record of a lookup (client, site, ticket type) for the desk test: it must answer that id. */
    const lookup = async (check: string, path: string, id: number, signal: AbortSignal): Promise<DeskCheck> => {
      const answer = await call('GET', `${path}/${id}`, check, signal);
      if (!answer.ok) return { check, ok: false, detail: answer.result.reason };
      const json = answer.value.json;
      if (!isRecord(json) || Number(json.id) !== id) return { check, ok: false, detail: `the answer is not record ${id}` };
      return { check, ok: true, detail: typeof json.name === 'string' ? json.name : `id ${id}` };
    };

    const ops: DeskOps = {
      // Reads every page (record_count says how many rows there are; a short or empty page also ends the list),
      // keeps the rows whose summary holds the whole token, and answers the lowest id.
      async find(key, { signal }): Promise<Step<string | null>> {
        const token = haloToken(key).trim();
        const ids: number[] = [];
        let seen = 0;
        for (let page = 1; page <= HALO_SEARCH_MAX_PAGES; page++) {
          const answer = await call('GET', search(haloSearchTerm(key), page, HALO_SEARCH_PAGE), 'ticket search', signal);
          if (!answer.ok) return answer;
          const json = answer.value.json;
          const rows = ticketsOf(json);
          if (!rows) return lacking('ticket search', 'tickets list', answer.value, tokens.secrets());
          for (const t of rows)
            if (isRecord(t) && typeof t.summary === 'string' && t.summary.includes(token) && Number.isInteger(Number(t.id))) ids.push(Number(t.id));
          seen += rows.length;
          const total = isRecord(json) && typeof json.record_count === 'number' ? json.record_count : null;
          const last = Array.isArray(json) || rows.length === 0 || (total !== null ? seen >= total : rows.length < HALO_SEARCH_PAGE);
          if (last) return done(ids.length ? String(Math.min(...ids)) : null);
        }
        if (ids.length) return done(String(Math.min(...ids)));
        return refused(
          `ticket search: more than ${seen} tickets answer search=${haloSearchTerm(key)} and none has ${token} in its summary; ` +
            'not creating a ticket that may already exist',
        );
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
    return {
      deliver: (event, ctx) => deliverTo(ops, event, ctx),
      // Reads only: a token, each configured lookup the tickets name, and a search no key can answer. A token that
      // cannot be had ends the test: every later call would fail the same way.
      async test(signal) {
        const auth = 'token (client credentials)';
        const token = await tokens.get(signal);
        if (!token.ok) return [{ check: auth, ok: false, detail: token.result.reason }];
        const checks: DeskCheck[] = [{ check: auth, ok: true, detail: `issued to API application ${s.client_id}` }];
        if (s.client !== undefined) checks.push(await lookup(`client ${s.client}`, '/Client', s.client, signal));
        if (s.site !== undefined) checks.push(await lookup(`site ${s.site}`, '/Site', s.site, signal));
        if (s.ticket_type !== undefined) checks.push(await lookup(`ticket type ${s.ticket_type}`, '/TicketType', s.ticket_type, signal));
        const probe = await call('GET', search(haloSearchTerm(IMPOSSIBLE_KEY), 1, 1), 'ticket search', signal);
        const rows = probe.ok ? ticketsOf(probe.value.json) : null;
        checks.push(
          !probe.ok
            ? { check: 'ticket search', ok: false, detail: probe.result.reason }
            : rows
              ? { check: 'ticket search', ok: true, detail: `search=${haloSearchTerm(IMPOSSIBLE_KEY)} answered ${rows.length} tickets` }
              : { check: 'ticket search', ok: false, detail: 'the answer has no tickets list' },
        );
        return checks;
      },
    };
  },
};

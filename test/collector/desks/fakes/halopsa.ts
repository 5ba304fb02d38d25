// A fake HaloPSA: the OAuth2 client-credentials token endpoint, the ticket endpoints the connector uses over an
// in-memory table, and the client, site and ticket type lookups of the desk test, checking the Bearer token on every
// API call and the request shapes.
// Built from: https://halopsa.com/apidoc (authorisation server <url>/auth, resource server <url>/api, Bearer
// tokens), https://docs.stigg.io/documentation/workflows/halopsa (client credentials, scope "all", tenant),
// https://kb.dtctoday.com/books/halopsa-api-reference/page/ticket-endpoints (GET /Tickets with search, paging; POST
// /Tickets takes an array and creates or, with an id, updates), https://kb.dtctoday.com/books/halopsa-api-reference/page/ticket-configuration-endpoints
// (actions and outcomes), and the HaloAPI PowerShell module, https://github.com/homotechsual/HaloAPI: GET
// api/tickets with pageinate=true, page_size and page_no answers {record_count, tickets} and is walked page by page
// until page_no reaches ceil(record_count / page_size) (Private/New-HaloGETRequest.ps1); open and closed tickets
// alike unless open_only/closed_only is given (Public/Get/Get-HaloTicket.ps1); api/client/{id}, api/site/{id} and
// api/tickettype/{id} read one record (Get-HaloClient.ps1, Get-HaloSite.ps1, Get-HaloTicketType.ps1), and so does
// api/tickets/{id} (Get-HaloTicket.ps1): the ticket with its status_id, priority_id and lastactiondate (Halo's
// datetimes are UTC without a zone, "2026-11-23T09:05:00.000").
// The search: Halo documents `search` only as a search term. This fake matches it as a case-insensitive substring of
// the summary (or the ticket id), which is how a SQL LIKE '%term%' behaves; with searchMode 'words' it splits the
// term at every character that is not a letter or digit and needs each word somewhere in the summary, as a
// tokenizing search would, so that the connector is tested against both. maxPageSize caps the rows of a page
// whatever page_size asks. Assumptions (not from Halo's pages): a page_size of 20 when none is given, the 404 for a
// lookup of an id that does not exist, and the 400 wording.
import { randomBytes } from 'node:crypto';
import type { HaloSettings } from '../../../../collector/src/desks/connectors/halopsa.js';
import { reply, startFakeDesk, type FakeDesk, type FakeRequest } from './fake-desk.js';

export const HALO_APP = { clientId: 'watchpost-app', clientSecret: 'halo-client-secret-9f3a', tenant: 'acme-msp' } as const;

/** Connector settings for the fake at its URL: HALO_APP's credentials and client 12 (HALO_LOOKUPS). */
export const haloTestSettings = (halo: { url: string }): HaloSettings => ({
  url: halo.url,
  tenant: HALO_APP.tenant,
  client_id: HALO_APP.clientId,
  client_secret: HALO_APP.clientSecret,
  client: 12,
});

export interface HaloTicketRow {
  id: number;
  summary: string;
  details: string;
  client_id?: number;
  site_id?: number;
  tickettype_id?: number;
  status_id: number;
  impact?: number;
  urgency?: number;
  priority_id?: number;
  customfields?: unknown;
  /** When the ticket last had an action, as Halo writes it (UTC, no zone). */
  lastactiondate?: string;
}

export interface HaloActionRow {
  ticket_id: number;
  note: string;
  outcome: string;
  hiddenfromuser: boolean;
}

export interface HaloFake extends FakeDesk {
  tickets: Map<number, HaloTicketRow>;
  actions: HaloActionRow[];
  tokensIssued: number;
  /** Every token issued so far stops working (as when they expire on the server's clock). */
  revokeTokens(): void;
  /** Adds a ticket as if someone had made it in Halo (no request logged); answers it. */
  seed(summary: string): HaloTicketRow;
}

export interface HaloFakeOptions {
  expiresIn?: number;
  searchMode?: 'substring' | 'words';
  maxPageSize?: number;
}

/** The instance's clients, sites and ticket types by id (the connector tests configure client 12, site 34, type 3). */
export const HALO_LOOKUPS = {
  client: new Map([[12, 'Acme Ltd']]),
  site: new Map([[34, 'Acme Main Office']]),
  tickettype: new Map([[3, 'Incident']]),
} as const;

const isInt = (v: unknown): v is number => Number.isInteger(v);
const bad = (message: string) => reply(400, { message });

/** Whether a ticket answers the search term, as `mode` reads it. */
function matches(t: HaloTicketRow, term: string, mode: 'substring' | 'words'): boolean {
  const summary = t.summary.toLowerCase();
  if (!term || String(t.id) === term) return true;
  if (mode === 'substring') return summary.includes(term.toLowerCase());
  const words = term
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.length > 0 && words.every((w) => summary.includes(w));
}

export async function startHaloFake(options: HaloFakeOptions = {}): Promise<HaloFake> {
  const tickets = new Map<number, HaloTicketRow>();
  const actions: HaloActionRow[] = [];
  const tokens = new Set<string>();
  let nextId = 1001;
  const fake = { tokensIssued: 0 } as HaloFake;

  function token(r: FakeRequest) {
    const form = new URLSearchParams(r.text);
    if (r.headers['content-type'] !== 'application/x-www-form-urlencoded') return bad('expected a form-encoded body');
    if (r.query.get('tenant') !== HALO_APP.tenant) return bad('unknown tenant');
    if (form.get('grant_type') !== 'client_credentials' || form.get('scope') !== 'all') return reply(400, { error: 'unsupported_grant_type' });
    if (form.get('client_id') !== HALO_APP.clientId || form.get('client_secret') !== HALO_APP.clientSecret) return reply(401, { error: 'invalid_client' });
    const access = randomBytes(16).toString('hex');
    tokens.add(access);
    fake.tokensIssued++;
    return reply(200, { access_token: access, token_type: 'Bearer', expires_in: options.expiresIn ?? 3600, scope: 'all' });
  }

  function upsertTicket(t: Record<string, unknown>) {
    for (const k of ['client_id', 'site_id', 'tickettype_id', 'status_id', 'priority_id', 'impact', 'urgency'] as const) {
      if (t[k] !== undefined && !isInt(t[k])) return bad(`${k} must be an integer`);
    }
    if (t.id !== undefined) {
      const row = isInt(t.id) ? tickets.get(t.id) : undefined;
      if (!row) return reply(404, { message: `Ticket ${String(t.id)} not found` });
      Object.assign(row, t);
      return reply(201, row);
    }
    if (typeof t.summary !== 'string' || !t.summary) return bad('summary is required');
    const row: HaloTicketRow = {
      ...(t as Omit<HaloTicketRow, 'id'>),
      id: nextId++,
      status_id: isInt(t.status_id) ? t.status_id : 1,
      details: String(t.details ?? ''),
    };
    tickets.set(row.id, row);
    return reply(201, row);
  }

  function api(r: FakeRequest) {
    const auth = r.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !tokens.has(auth.slice(7))) return reply(401, { message: 'Unauthorized' });
    if (r.method === 'GET' && r.path === '/api/Tickets') {
      const found = [...tickets.values()].filter((t) => matches(t, r.query.get('search') ?? '', options.searchMode ?? 'substring'));
      if (r.query.get('pageinate') !== 'true') return reply(200, { record_count: found.length, tickets: found });
      const size = Math.min(Number(r.query.get('page_size') ?? 20), options.maxPageSize ?? Infinity);
      const page = Number(r.query.get('page_no') ?? 1);
      if (!Number.isInteger(size) || size < 1 || !Number.isInteger(page) || page < 1) return bad('page_size and page_no must be whole numbers from 1');
      return reply(200, { page_no: page, page_size: size, record_count: found.length, tickets: found.slice((page - 1) * size, page * size) });
    }
    const one = /^\/api\/tickets\/(\d+)$/i.exec(r.path);
    if (r.method === 'GET' && one) {
      const row = tickets.get(Number(one[1]));
      return row ? reply(200, row) : reply(404, { message: `Ticket ${one[1]} not found` });
    }
    const lookup = /^\/api\/(client|site|tickettype)\/(\d+)$/i.exec(r.path);
    if (r.method === 'GET' && lookup) {
      const kind = lookup[1]!.toLowerCase() as keyof typeof HALO_LOOKUPS;
      const name = HALO_LOOKUPS[kind].get(Number(lookup[2]));
      return name === undefined ? reply(404, { message: `${kind} ${lookup[2]} not found` }) : reply(200, { id: Number(lookup[2]), name });
    }
    if (r.method === 'POST' && r.path === '/api/Tickets') {
      if (!Array.isArray(r.json) || r.json.length !== 1 || typeof r.json[0] !== 'object') return bad('expected an array of one ticket');
      return upsertTicket(r.json[0] as Record<string, unknown>);
    }
    if (r.method === 'POST' && r.path === '/api/Actions') {
      const a = Array.isArray(r.json) ? (r.json[0] as Record<string, unknown> | undefined) : undefined;
      if (!a || !isInt(a.ticket_id) || !tickets.has(a.ticket_id)) return bad('ticket_id is required and must exist');
      if (typeof a.note !== 'string' || !a.note || typeof a.outcome !== 'string' || typeof a.hiddenfromuser !== 'boolean')
        return bad('note, outcome and hiddenfromuser are required');
      actions.push({ ticket_id: a.ticket_id, note: a.note, outcome: a.outcome, hiddenfromuser: a.hiddenfromuser });
      return reply(201, { id: actions.length, ...a });
    }
    return reply(404, { message: `no route ${r.method} ${r.path}` });
  }

  const desk = await startFakeDesk((r) => (r.method === 'POST' && r.path === '/auth/token' ? token(r) : r.path.startsWith('/api/') ? api(r) : reply(404, {})));
  const seed = (summary: string): HaloTicketRow => {
    const row: HaloTicketRow = { id: nextId++, summary, details: '', status_id: 1 };
    tickets.set(row.id, row);
    return row;
  };
  return Object.assign(fake, desk, { tickets, actions, revokeTokens: () => tokens.clear(), seed });
}

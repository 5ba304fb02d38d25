// ConnectWise PSA (Manage) REST v3: one service ticket per Watchpost ticket on a configured board and company,
// notes for updates, priority changes on escalation, close with a resolution note, reopen by status.
//
// Sources read (with the search tool), and what each settled:
// - ConnectWise developer docs "PSA API Requests" (HTTP methods; 201 on create; 400 = do not repeat unchanged;
//   429 carries a numeric Retry-After), mirrored at https://gitea.resolutionflow.com/chihlasm/resolutionflow/src/commit/ecb9dd77dc1bd9fd66a1e79c62f059b43136db72/docs/connectwise/best-practices/PSA-API-Requests.md
//   (original https://developer.connectwise.com/@api/deki/pages/1291/pdf/PSA%2bAPI%2bRequests.pdf).
// - ConnectWise clientId page (the clientId header on every call; treat it like a password), mirrored at
//   https://app.preshmarketingsolutions.com/help/connectwise-developer-documentation
// - The PSA OpenAPI document (v2025.16), summarised at https://gitea.resolutionflow.com/chihlasm/resolutionflow/src/branch/main/docs/connectwise/CONNECTWISE-API-REFERENCE.md:
//   base https://{site}/v4_6_release/apis/3.0, Basic base64(companyId+publicKey:privateKey), `conditions`
//   syntax field="value"; POST service/tickets (summary required, max 100; company required; externalXRef
//   string max 100; initialDescription POST only); POST service/tickets/{id}/notes (text, detailDescriptionFlag,
//   internalAnalysisFlag, resolutionFlag).
// - A working integration, https://github.com/slartimitvar/zabbix-connectwise-webhook (zbx_mediatype_cwpsa-6.4.yaml):
//   PATCH service/tickets/{id} takes a JSON-Patch array [{op:"replace",path:"status/name",value}], conditions
//   quote strings in double quotes and escape a double quote as \".
// - ConnectWise's Developer Guide, mirrored at https://gitea.resolutionflow.com/chihlasm/resolutionflow/src/branch/main/docs/connectwise/Developer-Guide.md:
//   `conditions` "search results based on the fields returned in a GET", shown only by example (board/name,
//   board/id, status/name, summary, closedFlag, lastUpdated; `Summary Not Contains "Low Priority"`), operators =,
//   !=, <, >, contains, like, in, not; strings accept * as a wildcard, and in URL parameters a literal `[` is
//   written `[[]` (read here as SQL Server's LIKE escape: `[` opens a character class); pageSize defaults to 25,
//   at most 1000; the model version is pinned with `Accept: application/vnd.connectwise.com+json; version=<version>`
//   ("for all production level integrations we recommend"), models resolve to the newest at or before the version
//   asked, a superseded one is supported 12 months; 409 is "record possibly in use or another conflict with the
//   record".
// - How integrations send the header: the ConnectWiseManageAPI PowerShell module, https://github.com/christaylorcodes/ConnectWiseManageAPI
//   (Public/Authentication/Connect-CWM.ps1: `application/vnd.connectwise.com+json; version=<Version>`; it proves a
//   login with GET system/info). The 400 body {code, message, errors:[{code, message, resource, field}]}:
//   https://github.com/christaylorcodes/ConnectWiseManageAPI/issues/30. Boards searched by name:
//   https://github.com/dsrosen6/go-connectwise-psa (README). system/info answers {version, isCloud, serverTimeZone}
//   in the OpenAPI-generated https://github.com/vc3/connectwise-rest-api (src/api/systemAPI.ts).
//
// Correlation: the summary ends in the token "[<key>]", and the search is `summary contains "<key>]"` (ordered by
// id, paged, at most SEARCH_MAX_PAGES pages) with the whole token matched here. Why the summary: it is a field the
// guide itself shows in conditions, and it needs no setup (a custom field must be created by an admin first). Why
// "<key>]" and not "[<key>]": the "]" ends the key, so watchpost-acme-4 does not also match watchpost-acme-40..49
// and 400..499, while an unescaped "[" would turn the term into a LIKE character class matching nearly every
// ticket. The key is also written to externalXRef (a plain string on the ticket, <= 100) for reports; it is not
// searched, since no published example filters on it and a refused condition would fail every first delivery.
// A ticket whose summary a technician rewrote loses its token: the dispatcher keeps the desk's id after the first
// delivery, so that only matters when the id was never stored. NOT confirmed in ConnectWise's own pages: the exact
// text of a refused condition (the shape is), that contains is LIKE-based on every instance (the search avoids "["
// either way), and the default names below (priorities as commonly shipped; board statuses vary per board).
import { Type, type Static } from '@sinclair/typebox';
import type { ConnectorDeps, ConnectorType, DeliveryContext, DeskCheck, DeskEvent } from '../contract.js';
import type { ReadTicket } from '../inbound/contract.js';
import { basicAuth } from '../auth.js';
import { excerpt, type DeliveryFailure } from '../http.js';
import { apiCalls, done, inOrder, isRecord, lacking, priorityMap, refused, ticketingDesk, type ApiCall, type DeskOps, type Step } from '../desk-flow.js';
import { noteText, ticketDescription, titleLine } from '../desk-text.js';

/** ConnectWise's documented cap on a ticket summary. */
export const SUMMARY_MAX = 100;
export const DEFAULT_CODEBASE = 'v4_6_release';
export const DEFAULT_PRIORITIES = {
  P1: 'Priority 1 - Emergency Response',
  P2: 'Priority 2 - Quick Response',
  P3: 'Priority 3 - Normal Response',
  P4: 'Priority 4 - Scheduled Maintenance',
} as const;
export const DEFAULT_STATUS_NEW = 'New';
export const DEFAULT_STATUS_RESOLVED = 'Completed';
/** The model version the fields sent and read here were checked against (the PSA OpenAPI document v2025.16). */
export const DEFAULT_API_VERSION = '2025.16';
export const VENDOR_JSON = 'application/vnd.connectwise.com+json';
/** Rows per page of the key search, and the pages read before the search is called inconclusive. */
export const SEARCH_PAGE_SIZE = 100;
export const SEARCH_MAX_PAGES = 5;
/** A search term no Watchpost key can contain (keys end in the ticket's number), for the desk test. */
export const IMPOSSIBLE_KEY = 'watchpost-desk-test-none';

const Name = (description: string, options: { default?: string; examples?: string[] } = {}) => Type.String({ minLength: 1, description, ...options });

const Settings = Type.Object(
  {
    site_url: Type.String({ pattern: '^https?://[^/]+/?$', description: 'the PSA API host only', examples: ['https://api-na.myconnectwise.net'] }),
    codebase: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]+$', default: DEFAULT_CODEBASE, description: 'path segment before /apis/3.0' })),
    api_version: Type.Optional(
      Type.String({
        pattern: '^[0-9]{4}\\.[0-9]{1,2}$',
        default: DEFAULT_API_VERSION,
        description: 'API model version pinned in the Accept header (ConnectWise serves the newest models at or before it)',
        examples: ['2025.16'],
      }),
    ),
    company_id: Name('the PSA company id used at login (the part before "+" in the API user)', { examples: ['mymsp'] }),
    public_key: Name('API member public key', { examples: ['Ab12Cd34Ef56Gh78'] }),
    private_key: Name('API member private key (write it as ${ENV_VAR})', { examples: ['${CONNECTWISE_PRIVATE_KEY}'] }),
    client_id: Name('clientId from developer.connectwise.com (write it as ${ENV_VAR})', { examples: ['${CONNECTWISE_CLIENT_ID}'] }),
    board: Name('service board name', { examples: ['Service Desk'] }),
    company: Name("the tenant's company identifier (set it in each tenant's route)", { examples: ['ACME'] }),
    type: Type.Optional(Name("service type name on the board (set it in a tenant's route: a desk's own `type` is its connector type)")),
    status_new: Type.Optional(Name('status of a new ticket', { default: DEFAULT_STATUS_NEW })),
    status_resolved: Type.Optional(Name("the board's closed/resolved status", { default: DEFAULT_STATUS_RESOLVED })),
    status_reopened: Type.Optional(Name('status of a reopened ticket (default: status_new)')),
    priority_map: Type.Optional(
      priorityMap((p) => Type.Optional(Name(`priority name for ${p}`)), {
        default: { ...DEFAULT_PRIORITIES },
        description: 'Watchpost priority -> priority name',
      }),
    ),
    internal_notes: Type.Optional(Type.Boolean({ default: true, description: 'notes as Internal Analysis (true) or Detail Description (false)' })),
  },
  { additionalProperties: true },
);
export type ConnectWiseSettings = Static<typeof Settings>;

/** A string in the conditions syntax: double quotes, a double quote inside written \". */
const quoted = (value: string): string => `"${value.replace(/"/g, '\\"')}"`;

/** The token at the end of a ticket's summary that ties it to Watchpost's ticket. */
export const summaryToken = (key: string): string => `[${key}]`;

/** The key search: the key and the "]" that ends it (see the header for why not the "[" too). */
export const keyCondition = (key: string): string => `summary contains ${quoted(`${key}]`)}`;

const list = (path: string, params: Record<string, string>): string =>
  `${path}?${Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&')}`;

/** The PSA API with the member's keys and the pinned model version: the delivery's calls and the inbound poll's read. */
function cwApi(settings: ConnectWiseSettings, deps: ConnectorDeps) {
  const base = `${settings.site_url.replace(/\/+$/, '')}/${settings.codebase ?? DEFAULT_CODEBASE}/apis/3.0/`;
  const auth = basicAuth(`${settings.company_id}+${settings.public_key}`, settings.private_key);
  const secrets = [...auth.secrets, settings.client_id];
  const version = settings.api_version ?? DEFAULT_API_VERSION;
  // Lower-case `accept` replaces request()'s default; a second, capitalised key would be joined to it.
  const headers = { clientId: settings.client_id, authorization: auth.header, accept: `${VENDOR_JSON}; version=${version}` };
  // 409 "record possibly in use" (a technician has the ticket open, another update is being saved) passes: retry it.
  const refine = (status: number, text: string): DeliveryFailure | undefined =>
    status === 409 ? { kind: 'retryable', reason: `HTTP 409 (record in use or in conflict): ${excerpt(text, secrets)}` } : undefined;
  const call: ApiCall = apiCalls(base, headers, secrets, deps, refine);
  return { secrets, version, call };
}

/** The fields the inbound poll reads of a ticket (desks/inbound/connectwise.ts). */
export const POLL_FIELDS = 'id,status/name,closedFlag,priority/name,_info/lastUpdated,_info/updatedBy';

/** The inbound poll's read of one ticket (desks/inbound/poll.ts): GET service/tickets/{id}?fields=POLL_FIELDS. */
export function readTicket(settings: ConnectWiseSettings, deps: ConnectorDeps): ReadTicket {
  const { call } = cwApi(settings, deps);
  return async (id, signal) => {
    if (!/^\d+$/.test(id)) return refused(`not a ConnectWise ticket id: "${id}"`);
    const answer = await call('GET', `service/tickets/${id}?fields=${encodeURIComponent(POLL_FIELDS)}`, 'ticket read', signal);
    return answer.ok ? done({ answer: answer.value.json }) : answer;
  };
}

function ops(settings: ConnectWiseSettings, deps: ConnectorDeps): DeskOps {
  const { secrets, version, call } = cwApi(settings, deps);
  const priorities = { ...DEFAULT_PRIORITIES, ...settings.priority_map };
  const noteFlags = settings.internal_notes === false ? { detailDescriptionFlag: true } : { internalAnalysisFlag: true };
  const ticket = (id: string) => `service/tickets/${encodeURIComponent(id)}`;
  const patch = (id: string, path: string, value: string, ctx: DeliveryContext) =>
    call('PATCH', ticket(id), 'ticket update', ctx.signal, [{ op: 'replace', path, value }], 'json-or-empty');
  const postNote = (id: string, body: object, ctx: DeliveryContext) => call('POST', `${ticket(id)}/notes`, 'ticket note', ctx.signal, body, 'json-or-empty');
  const note = (id: string, event: DeskEvent, ctx: DeliveryContext) => postNote(id, { text: noteText(event), ...noteFlags }, ctx);
  const idOf = (value: unknown): string | null => {
    const id = (value as { id?: unknown } | null)?.id;
    return typeof id === 'number' && Number.isInteger(id) ? String(id) : null;
  };
  /** One page of a list, which must be a JSON array. */
  const rows = async (path: string, what: string, signal: AbortSignal): Promise<Step<unknown[]>> => {
    const answer = await call('GET', path, what, signal);
    if (!answer.ok) return answer;
    return Array.isArray(answer.value.json) ? done(answer.value.json) : lacking(what, 'list', answer.value, secrets);
  };
  /** A desk-test check that a list answers at least one record for `conditions`. */
  const exists = async (check: string, path: string, conditions: string, missing: string, signal: AbortSignal): Promise<DeskCheck> => {
    const found = await rows(list(path, { conditions, fields: 'id', pageSize: '1' }), check, signal);
    if (!found.ok) return { check, ok: false, detail: found.result.reason };
    const id = idOf(found.value[0]);
    return id === null ? { check, ok: false, detail: missing } : { check, ok: true, detail: `id ${id}` };
  };

  return {
    // Pages in id order until a row's summary holds the whole token (the lowest id: the first ticket made for the
    // key), a short page ends the list, or SEARCH_MAX_PAGES pages passed without an answer: then failed, since
    // creating could open a second ticket for the key.
    async find(key, ctx) {
      const token = summaryToken(key);
      for (let page = 1; page <= SEARCH_MAX_PAGES; page++) {
        const params = { conditions: keyCondition(key), orderBy: 'id asc', fields: 'id,summary', page: String(page), pageSize: String(SEARCH_PAGE_SIZE) };
        const found = await rows(list('service/tickets', params), 'ticket search', ctx.signal);
        if (!found.ok) return found;
        const hit = found.value.find((row) => isRecord(row) && typeof row.summary === 'string' && row.summary.includes(token));
        if (hit !== undefined) {
          const id = idOf(hit);
          return id === null ? refused(`ticket search: a matching row has no ticket id: ${excerpt(JSON.stringify(hit), secrets)}`) : done(id);
        }
        if (found.value.length < SEARCH_PAGE_SIZE) return done(null);
      }
      return refused(
        `ticket search: more than ${SEARCH_MAX_PAGES * SEARCH_PAGE_SIZE} tickets match ${keyCondition(key)} and none has ${token} in its summary; ` +
          'not creating a ticket that may already exist',
      );
    },
    async create(event, ctx) {
      const t = event.ticket;
      const body = {
        summary: titleLine(`[${t.priority}] ${t.title}`, SUMMARY_MAX, ` ${summaryToken(t.correlationKey)}`),
        recordType: 'ServiceTicket',
        board: { name: settings.board },
        status: { name: settings.status_new ?? DEFAULT_STATUS_NEW },
        company: { identifier: settings.company },
        priority: { name: priorities[t.priority] },
        ...(settings.type ? { type: { name: settings.type } } : {}),
        initialDescription: ticketDescription(t),
        externalXRef: t.correlationKey,
      };
      const answer = await call('POST', 'service/tickets', 'ticket create', ctx.signal, body);
      if (!answer.ok) return answer;
      const id = idOf(answer.value.json);
      return id === null ? lacking('ticket create', 'ticket id', answer.value, secrets) : done(id);
    },
    note,
    reprioritize: (id, event, ctx) =>
      inOrder(
        () => patch(id, 'priority/name', priorities[event.ticket.priority], ctx),
        () => note(id, event, ctx),
      ),
    // The resolution note goes first: a board can require a resolution before it accepts a closed status.
    resolve: (id, event, ctx) =>
      inOrder(
        () => postNote(id, { text: noteText(event), resolutionFlag: true }, ctx),
        () => patch(id, 'status/name', settings.status_resolved ?? DEFAULT_STATUS_RESOLVED, ctx),
      ),
    reopen: (id, event, ctx) =>
      inOrder(
        () => patch(id, 'status/name', settings.status_reopened ?? settings.status_new ?? DEFAULT_STATUS_NEW, ctx),
        () => note(id, event, ctx),
      ),
    // Reads only: the login (and that the pinned version is served), the board and company the tickets name, and
    // that the key search's condition is accepted (a term no key can hold answers an empty list). A failed login
    // ends the test: every later call would fail the same way.
    async test(signal) {
      const login = `API login (GET system/info, models of version ${version})`;
      const info = await call('GET', 'system/info', login, signal);
      if (!info.ok) return [{ check: login, ok: false, detail: info.result.reason }];
      const server = isRecord(info.value.json) && typeof info.value.json.version === 'string' ? info.value.json.version : 'version not stated';
      const board = await exists(
        `service board "${settings.board}"`,
        'service/boards',
        `name=${quoted(settings.board)}`,
        `no service board is named "${settings.board}"`,
        signal,
      );
      const company = await exists(
        `company "${settings.company}"`,
        'company/companies',
        `identifier=${quoted(settings.company)}`,
        `no company has the identifier "${settings.company}"`,
        signal,
      );
      const search = 'ticket search (summary contains)';
      const probe = await rows(list('service/tickets', { conditions: keyCondition(IMPOSSIBLE_KEY), fields: 'id', pageSize: '1' }), search, signal);
      return [
        { check: login, ok: true, detail: `PSA ${server}` },
        board,
        company,
        probe.ok
          ? { check: search, ok: true, detail: `${keyCondition(IMPOSSIBLE_KEY)} accepted (${probe.value.length} tickets)` }
          : { check: search, ok: false, detail: probe.result.reason },
      ];
    },
  };
}

export const connectwise: ConnectorType<ConnectWiseSettings> = ticketingDesk(Settings, ops);

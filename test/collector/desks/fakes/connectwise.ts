// A local ConnectWise PSA (Manage) REST v3 for connector tests: the endpoints the connector uses, over an in-memory
// ticket table. It checks what the real API checks on these calls, as far as the sources below say:
// - every call: the clientId header and Basic base64("<companyId>+<publicKey>:<privateKey>"), else 401;
// - every call: the versioned Accept header `application/vnd.connectwise.com+json; version=<instance.apiVersion>`.
//   ConnectWise itself answers the latest models when the header has no version; this fake refuses instead (406),
//   so a connector that forgets to pin the models it was written against fails its tests;
// - GET lists (service/tickets, service/boards, company/companies) take `conditions` of the documented syntax
//   (field op value [AND ...]; strings in double quotes with \" inside; operators =, !=, contains, like), `page`,
//   `pageSize` (default 25, at most 1000), `orderBy=id asc|desc` and `fields`. A condition on a field that is not
//   among the few this fake models per list is refused with 400 in ConnectWise's error shape: ConnectWise documents
//   conditions by example only, and externalXRef is in none of them (see below), so a connector must not rely on it;
// - `contains`, `like` and `=` with `*` compare like SQL Server's LIKE, case-insensitively: `%` and `*` stand for any
//   run, `_` for one character, and `[...]` is a character class (ConnectWise's guide tells callers to write a
//   literal `[` as `[[]`), so a search for "[key]" matches far more than the key;
// - GET system/info: the Info model ({version, isCloud, serverTimeZone});
// - GET service/tickets/{id}: the ticket, limited by `fields` like a list (a nested path such as status/name answers
//   {status: {name}}), with closedFlag (set by a status the board marks closed) and _info {lastUpdated, updatedBy};
//   404 {code: "NotFound", message: "Ticket <id> not found"} for an id the instance does not have;
// - POST service/tickets: summary (required, <= 100), company (required, a known identifier), board, status and
//   priority by name (known on this instance), externalXRef <= 100; else 400; answers 201 with the ticket;
// - POST service/tickets/{id}/notes: text required; 404 for an unknown ticket;
// - PATCH service/tickets/{id}: a JSON-Patch array of replace ops on status/name or priority/name with known names.
//
// Sources: ConnectWise's Developer Guide (conditions: "search results based on the fields returned in a GET", the
// example fields board/name, board/id, status/name, summary, closedFlag, lastUpdated, the operators, strings in
// double quotes accepting * as a wildcard, `[` written `[[]` in URL parameters, customFieldConditions, pageSize
// default 25 and max 1000, the versioned Accept header, 409 "record possibly in use"), mirrored at
// https://gitea.resolutionflow.com/chihlasm/resolutionflow/src/branch/main/docs/connectwise/Developer-Guide.md and
// (statuses) https://gitea.resolutionflow.com/chihlasm/resolutionflow/src/commit/ecb9dd77dc1bd9fd66a1e79c62f059b43136db72/docs/connectwise/best-practices/PSA-API-Requests.md;
// the 400 body {code:"InvalidObject", message, errors:[{code, message, resource, field}]} as ConnectWise answered it
// in https://github.com/christaylorcodes/ConnectWiseManageAPI/issues/30 (the message texts below are this fake's);
// boards searched by name as in https://github.com/dsrosen6/go-connectwise-psa (README); the Info model from the
// OpenAPI-generated client https://github.com/vc3/connectwise-rest-api (src/api/systemAPI.ts); the PATCH
// JSON-Patch form from https://github.com/slartimitvar/zabbix-connectwise-webhook (zbx_mediatype_cwpsa-6.4.yaml); the
// 404 code and message as a ticket read answered them in https://github.com/LabtechConsulting/ConnectWise-Manage-Powershell/issues/13.
import type { ConnectWiseSettings } from '../../../../collector/src/desks/connectors/connectwise.js';
import { reply, startFakeDesk, type FakeAnswer, type FakeDesk, type FakeRequest } from './fake-desk.js';

export const API_PATH = '/v4_6_release/apis/3.0/';
export const VENDOR_JSON = 'application/vnd.connectwise.com+json';

export interface CwNote {
  text: string;
  detailDescriptionFlag: boolean;
  internalAnalysisFlag: boolean;
  resolutionFlag: boolean;
}

export interface CwTicket {
  id: number;
  summary: string;
  board: string;
  status: string;
  company: string;
  priority: string;
  type: string | null;
  externalXRef: string | null;
  initialDescription: string;
  notes: CwNote[];
  /** _info.lastUpdated, as ConnectWise writes it (ISO 8601 in UTC, "2026-11-23T09:05:00Z"); a fixed time when unset. */
  lastUpdated?: string;
  /** _info.updatedBy: the member identifier of the last update. */
  updatedBy?: string;
}

export interface CwInstance {
  companyId: string;
  publicKey: string;
  privateKey: string;
  clientId: string;
  /** The model version the Accept header must pin. */
  apiVersion: string;
  board: string;
  statuses: string[];
  /** The board's statuses marked closed: a ticket in one answers closedFlag true. */
  closedStatuses?: string[];
  priorities: string[];
  companies: string[];
}

const PRIVATE_KEY = 'cw-private-key-5f3a9c1e';
const CLIENT_ID = '0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6';
/** The instance the connector tests, the contract suite and the inbound poll tests run against: one board, one
 *  company, the priorities as commonly shipped. */
export const CW_TEST_INSTANCE: CwInstance = {
  companyId: 'acmemsp',
  publicKey: 'cw-public-key-77',
  privateKey: PRIVATE_KEY,
  clientId: CLIENT_ID,
  // The models the connector pins in its Accept header (the fake refuses any other version).
  apiVersion: '2025.16',
  board: 'Alerts',
  statuses: ['New', 'In Progress', 'Completed', 'Re-Opened'],
  closedStatuses: ['Completed'],
  priorities: ['Priority 1 - Emergency Response', 'Priority 2 - Quick Response', 'Priority 3 - Normal Response', 'Priority 4 - Scheduled Maintenance'],
  companies: ['ACME'],
};

/** Connector settings for a fake started with CW_TEST_INSTANCE, at its URL. */
export const cwTestSettings = (cw: { url: string }): ConnectWiseSettings => ({
  site_url: cw.url,
  company_id: CW_TEST_INSTANCE.companyId,
  public_key: CW_TEST_INSTANCE.publicKey,
  private_key: PRIVATE_KEY,
  client_id: CLIENT_ID,
  board: CW_TEST_INSTANCE.board,
  company: 'ACME',
});

export interface FakeConnectWise extends FakeDesk {
  tickets: CwTicket[];
  /** Adds a ticket as if someone had made it in the PSA (no request logged); answers it. */
  seed(ticket: Partial<CwTicket> & { summary: string }): CwTicket;
}

/** The list fields whose conditions this fake evaluates, per list; any other field is refused. */
const FILTERABLE: Record<string, readonly string[]> = {
  'service/tickets': ['id', 'summary', 'board/name', 'status/name'],
  'service/boards': ['id', 'name'],
  'company/companies': ['id', 'identifier', 'name'],
};
const RESOURCE: Record<string, string> = { 'service/tickets': 'ticket', 'service/boards': 'board', 'company/companies': 'company' };

const invalid = (resource: string, field: string, message: string): FakeAnswer =>
  reply(400, { code: 'InvalidObject', message: `${resource} object is invalid`, errors: [{ code: 'InvalidField', message, resource, field }] });

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const nameOf = (v: unknown): unknown => (v as { name?: unknown } | null | undefined)?.name;

type Value = string | number | boolean;
interface Condition {
  field: string;
  op: '=' | '!=' | 'contains' | 'like';
  value: Value;
}

/** `field op value [AND field op value ...]`, or the reason it is not that. */
export function parseConditions(text: string): Condition[] | string {
  const out: Condition[] = [];
  let rest = text.trim();
  for (;;) {
    const head = /^([A-Za-z_][A-Za-z0-9_/]*)(?:\s*(!=|=)\s*|\s+(contains|like)\s+)/i.exec(rest);
    if (!head) return `expected "field operator value" at: ${rest}`;
    rest = rest.slice(head[0].length);
    let value: Value;
    if (rest.startsWith('"')) {
      const m = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
      if (!m) return 'unterminated string';
      value = m[1]!.replace(/\\(.)/g, '$1');
      rest = rest.slice(m[0].length);
    } else {
      const m = /^(-?\d+(?:\.\d+)?|true|false)\b/i.exec(rest);
      if (!m) return `expected a value at: ${rest}`;
      value = /^(true|false)$/i.test(m[1]!) ? m[1]!.toLowerCase() === 'true' : Number(m[1]);
      rest = rest.slice(m[0].length);
    }
    out.push({ field: head[1]!, op: (head[2] ?? head[3]!).toLowerCase() as Condition['op'], value });
    rest = rest.trim();
    if (!rest) return out;
    const and = /^and\s+/i.exec(rest);
    if (!and) return `expected AND at: ${rest}`;
    rest = rest.slice(and[0].length);
  }
}

const regexEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** SQL Server LIKE as a RegExp: % and * any run, _ one character, [...] a class of those characters (no ranges). */
export function likeRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '%' || c === '*') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else if (c === '[' && pattern.indexOf(']', i + 2) > i) {
      const end = pattern.indexOf(']', i + 2);
      const body = pattern.slice(i + 1, end);
      const negate = body.startsWith('^') && body.length > 1;
      re += `[${negate ? '^' : ''}${[...(negate ? body.slice(1) : body)].map(regexEscape).join('')}]`;
      i = end;
    } else re += regexEscape(c);
  }
  return new RegExp(`^${re}$`, 'i');
}

function holds(c: Condition, actual: unknown): boolean {
  if (c.op === 'contains' || c.op === 'like' || (c.op === '=' && typeof c.value === 'string' && c.value.includes('*'))) {
    const pattern = c.op === 'contains' ? `%${String(c.value)}%` : String(c.value);
    return typeof actual === 'string' && likeRegex(pattern).test(actual);
  }
  const same = typeof actual === 'string' && typeof c.value === 'string' ? actual.toLowerCase() === c.value.toLowerCase() : actual === c.value;
  return c.op === '=' ? same : !same;
}

export async function startFakeConnectWise(instance: CwInstance): Promise<FakeConnectWise> {
  const tickets: CwTicket[] = [];
  const basic = `Basic ${Buffer.from(`${instance.companyId}+${instance.publicKey}:${instance.privateKey}`).toString('base64')}`;
  const accept = `${VENDOR_JSON}; version=${instance.apiVersion}`;
  const boards = [{ id: 1, name: instance.board }];
  const companies = instance.companies.map((identifier, i) => ({ id: 250 + i, identifier, name: `${identifier} Inc.` }));
  const ticketRow = (t: CwTicket): Record<string, unknown> => ({
    id: t.id,
    summary: t.summary,
    board: { id: 1, name: t.board },
    status: { id: 1, name: t.status },
    company: { identifier: t.company },
    priority: { name: t.priority },
    externalXRef: t.externalXRef,
    closedFlag: (instance.closedStatuses ?? []).includes(t.status),
    _info: { lastUpdated: t.lastUpdated ?? '2026-01-01T00:00:00Z', updatedBy: t.updatedBy ?? instance.publicKey },
  });
  const fieldOf = (row: Record<string, unknown>, path: string): unknown =>
    path.split('/').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), row);
  /** The row limited to `fields` (comma-separated paths; a nested path keeps its parents: status/name -> {status: {name}}). */
  const pick = (row: Record<string, unknown>, fields: string | null): Record<string, unknown> => {
    if (fields === null) return row;
    const out: Record<string, unknown> = {};
    for (const path of fields.split(',').map((f) => f.trim())) {
      const value = fieldOf(row, path);
      if (value === undefined) continue;
      const keys = path.split('/');
      let at = out;
      for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
      at[keys[keys.length - 1]!] = value;
    }
    return out;
  };

  function seed(t: Partial<CwTicket> & { summary: string }): CwTicket {
    const ticket: CwTicket = {
      id: 1000 + tickets.length + 1,
      board: instance.board,
      status: instance.statuses[0]!,
      company: instance.companies[0]!,
      priority: instance.priorities[0]!,
      type: null,
      externalXRef: null,
      initialDescription: '',
      notes: [],
      ...t,
    };
    tickets.push(ticket);
    return ticket;
  }

  function create(body: Record<string, unknown>): FakeAnswer {
    if (!str(body.summary)) return invalid('ticket', 'summary', 'The summary field is required.');
    if (body.summary.length > 100) return invalid('ticket', 'summary', 'summary must be 100 characters or fewer.');
    const company = (body.company as { identifier?: unknown } | undefined)?.identifier;
    if (!str(company)) return invalid('ticket', 'company', 'The company field is required.');
    if (!instance.companies.includes(company)) return invalid('ticket', 'company', `Company ${company} not found.`);
    if (nameOf(body.board) !== instance.board) return invalid('ticket', 'board', 'Board not found.');
    const status = nameOf(body.status);
    if (!str(status) || !instance.statuses.includes(status)) return invalid('ticket', 'status', 'Status not found on this board.');
    const priority = nameOf(body.priority);
    if (!str(priority) || !instance.priorities.includes(priority)) return invalid('ticket', 'priority', 'Priority not found.');
    if (body.externalXRef !== undefined && (typeof body.externalXRef !== 'string' || body.externalXRef.length > 100))
      return invalid('ticket', 'externalXRef', 'externalXRef must be 100 characters or fewer.');
    const ticket = seed({
      summary: body.summary,
      status,
      company,
      priority,
      type: str(nameOf(body.type)) ? (nameOf(body.type) as string) : null,
      externalXRef: (body.externalXRef as string | undefined) ?? null,
      initialDescription: typeof body.initialDescription === 'string' ? body.initialDescription : '',
    });
    return reply(201, { ...ticketRow(ticket), company: { id: 1, identifier: company }, priority: { id: 1, name: priority } });
  }

  /** A GET list: conditions on the modelled fields, orderBy id, page and pageSize, fields. */
  function list(path: string, rows: Array<Record<string, unknown>>, q: URLSearchParams): FakeAnswer {
    const resource = RESOURCE[path]!;
    const text = q.get('conditions');
    let conditions: Condition[] = [];
    if (text !== null) {
      const parsed = parseConditions(text);
      if (typeof parsed === 'string') return invalid(resource, 'conditions', parsed);
      const refused = parsed.find((c) => !FILTERABLE[path]!.includes(c.field));
      if (refused) return invalid(resource, 'conditions', `${refused.field} is not a field this list can be searched on.`);
      conditions = parsed;
    }
    const pageSize = Number(q.get('pageSize') ?? 25);
    const page = Number(q.get('page') ?? 1);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) return invalid(resource, 'pageSize', 'pageSize must be between 1 and 1000.');
    if (!Number.isInteger(page) || page < 1) return invalid(resource, 'page', 'page must be 1 or more.');
    const order = (q.get('orderBy') ?? 'id asc').trim().toLowerCase();
    if (order !== 'id asc' && order !== 'id desc') return invalid(resource, 'orderBy', `this fake orders by id only, not ${order}`);
    const found = rows.filter((row) => conditions.every((c) => holds(c, fieldOf(row, c.field))));
    found.sort((a, b) => (order === 'id asc' ? 1 : -1) * (Number(a.id) - Number(b.id)));
    const fields = q.get('fields');
    const shown = found.slice((page - 1) * pageSize, page * pageSize).map((row) => pick(row, fields));
    return reply(200, shown);
  }

  function patch(ticket: CwTicket, ops: unknown): FakeAnswer {
    if (!Array.isArray(ops) || ops.length === 0) return reply(400, { code: 'InvalidObject', message: 'Expected a JSON Patch array' });
    for (const op of ops as Array<{ op?: unknown; path?: unknown; value?: unknown }>) {
      if (op.op !== 'replace' || !str(op.value)) return reply(400, { code: 'InvalidObject', message: 'Unsupported patch operation' });
      if (op.path === 'status/name' && instance.statuses.includes(op.value)) ticket.status = op.value;
      else if (op.path === 'priority/name' && instance.priorities.includes(op.value)) ticket.priority = op.value;
      else return invalid('ticket', String(op.path), `Cannot set ${String(op.path)} to ${op.value}`);
    }
    return reply(200, { id: ticket.id, status: { name: ticket.status }, priority: { name: ticket.priority } });
  }

  function handle(r: FakeRequest): FakeAnswer {
    if (!r.path.startsWith(API_PATH)) return reply(404, { code: 'NotFound', message: 'no such path' });
    if (r.headers.clientid !== instance.clientId || r.headers.authorization !== basic)
      return reply(401, { code: 'Unauthorized', message: 'The credentials supplied are not valid.' });
    if (r.headers.accept !== accept)
      return reply(406, { code: 'NotAcceptable', message: `fake ConnectWise: expected Accept: ${accept}, got ${r.headers.accept}` });
    const path = r.path.slice(API_PATH.length);
    if (path === 'system/info' && r.method === 'GET')
      return reply(200, { version: `v${instance.apiVersion}.100234`, isCloud: true, serverTimeZone: 'Eastern Standard Time' });
    if (path === 'service/boards' && r.method === 'GET') return list(path, boards, r.query);
    if (path === 'company/companies' && r.method === 'GET') return list(path, companies, r.query);
    if (path === 'service/tickets' && r.method === 'GET') return list(path, tickets.map(ticketRow), r.query);
    if (path === 'service/tickets' && r.method === 'POST')
      return typeof r.json === 'object' && r.json !== null
        ? create(r.json as Record<string, unknown>)
        : reply(400, { code: 'InvalidObject', message: 'Body is not JSON' });
    const m = /^service\/tickets\/(\d+)(\/notes)?$/.exec(path);
    const ticket = m ? tickets.find((t) => t.id === Number(m[1])) : undefined;
    if (!m || !ticket) return reply(404, { code: 'NotFound', message: m ? `Ticket ${m[1]} not found` : 'Ticket not found' });
    if (!m[2] && r.method === 'GET') return reply(200, pick(ticketRow(ticket), r.query.get('fields')));
    if (m[2] && r.method === 'POST') {
      const body = (r.json ?? {}) as Record<string, unknown>;
      if (!str(body.text))
        return reply(400, {
          code: 'InvalidObject',
          message: 'serviceNote object is invalid',
          errors: [{ code: 'NullValue', message: 'The text field is required.', resource: 'serviceNote', field: 'text' }],
        });
      const note: CwNote = {
        text: body.text,
        detailDescriptionFlag: body.detailDescriptionFlag === true,
        internalAnalysisFlag: body.internalAnalysisFlag === true,
        resolutionFlag: body.resolutionFlag === true,
      };
      ticket.notes.push(note);
      return reply(201, { id: ticket.notes.length, ticketId: ticket.id, ...note });
    }
    if (!m[2] && r.method === 'PATCH') return patch(ticket, r.json);
    return reply(405, { code: 'MethodNotAllowed', message: `${r.method} not allowed` });
  }

  const desk = await startFakeDesk(handle);
  return Object.assign(desk, { tickets, seed });
}

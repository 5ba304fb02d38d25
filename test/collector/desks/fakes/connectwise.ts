// A local ConnectWise PSA (Manage) REST v3 for connector tests: the endpoints the connector uses, over an in-memory
// ticket table. It checks what the real API checks on these calls, as far as the sources below say:
// - every call: the clientId header and Basic base64("<companyId>+<publicKey>:<privateKey>"), else 401;
// - GET service/tickets?conditions=...: only the externalXRef="..." condition is understood (400 otherwise);
// - POST service/tickets: summary (required, <= 100), company (required, a known identifier), board, status and
//   priority by name (known on this instance), externalXRef <= 100; else 400; answers 201 with the ticket;
// - POST service/tickets/{id}/notes: text required; 404 for an unknown ticket;
// - PATCH service/tickets/{id}: a JSON-Patch array of replace ops on status/name or priority/name with known names.
// The 400 body's shape ({code, message, errors:[{code, message, resource, field}]}) is as ConnectWise answers are
// commonly seen; its exact text is not from ConnectWise's pages.
//
// Sources: ConnectWise "PSA API Requests" (statuses, Retry-After on 429), mirrored at
// https://gitea.resolutionflow.com/chihlasm/resolutionflow/src/commit/ecb9dd77dc1bd9fd66a1e79c62f059b43136db72/docs/connectwise/best-practices/PSA-API-Requests.md;
// the PSA OpenAPI summary at https://gitea.resolutionflow.com/chihlasm/resolutionflow/src/branch/main/docs/connectwise/CONNECTWISE-API-REFERENCE.md
// (paths, conditions syntax, Ticket and ServiceNote fields); clientId header:
// https://app.preshmarketingsolutions.com/help/connectwise-developer-documentation; the PATCH JSON-Patch form:
// https://github.com/slartimitvar/zabbix-connectwise-webhook/blob/main/zbx_mediatype_cwpsa-6.4.yaml
import { reply, startFakeDesk, type FakeAnswer, type FakeDesk, type FakeRequest } from './fake-desk.js';

export const API_PATH = '/v4_6_release/apis/3.0/';

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
}

export interface CwInstance {
  companyId: string;
  publicKey: string;
  privateKey: string;
  clientId: string;
  board: string;
  statuses: string[];
  priorities: string[];
  companies: string[];
}

export interface FakeConnectWise extends FakeDesk {
  tickets: CwTicket[];
}

const invalid = (field: string, message: string): FakeAnswer =>
  reply(400, { code: 'InvalidObject', message: 'ticket object is invalid', errors: [{ code: 'InvalidField', message, resource: 'ticket', field }] });

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const nameOf = (v: unknown): unknown => (v as { name?: unknown } | null | undefined)?.name;

export async function startFakeConnectWise(instance: CwInstance): Promise<FakeConnectWise> {
  const tickets: CwTicket[] = [];
  const basic = `Basic ${Buffer.from(`${instance.companyId}+${instance.publicKey}:${instance.privateKey}`).toString('base64')}`;

  function create(body: Record<string, unknown>): FakeAnswer {
    if (!str(body.summary)) return invalid('summary', 'The summary field is required.');
    if (body.summary.length > 100) return invalid('summary', 'summary must be 100 characters or fewer.');
    const company = (body.company as { identifier?: unknown } | undefined)?.identifier;
    if (!str(company)) return invalid('company', 'The company field is required.');
    if (!instance.companies.includes(company)) return invalid('company', `Company ${company} not found.`);
    if (nameOf(body.board) !== instance.board) return invalid('board', 'Board not found.');
    const status = nameOf(body.status);
    if (!str(status) || !instance.statuses.includes(status)) return invalid('status', 'Status not found on this board.');
    const priority = nameOf(body.priority);
    if (!str(priority) || !instance.priorities.includes(priority)) return invalid('priority', 'Priority not found.');
    if (body.externalXRef !== undefined && (typeof body.externalXRef !== 'string' || body.externalXRef.length > 100))
      return invalid('externalXRef', 'externalXRef must be 100 characters or fewer.');
    const ticket: CwTicket = {
      id: 1000 + tickets.length + 1,
      summary: body.summary,
      board: instance.board,
      status,
      company,
      priority,
      type: str(nameOf(body.type)) ? (nameOf(body.type) as string) : null,
      externalXRef: (body.externalXRef as string | undefined) ?? null,
      initialDescription: typeof body.initialDescription === 'string' ? body.initialDescription : '',
      notes: [],
    };
    tickets.push(ticket);
    return reply(201, {
      ...ticket,
      notes: undefined,
      board: { id: 1, name: ticket.board },
      status: { id: 1, name: status },
      company: { id: 1, identifier: company },
      priority: { id: 1, name: priority },
    });
  }

  function search(conditions: string | null): FakeAnswer {
    const match = conditions === null ? null : /^externalXRef\s*=\s*"((?:[^"\\]|\\.)*)"$/.exec(conditions.trim());
    if (!match) return reply(400, { code: 'InvalidCondition', message: `conditions not understood by this fake: ${conditions}` });
    const key = match[1]!.replace(/\\(.)/g, '$1');
    return reply(
      200,
      tickets.filter((t) => t.externalXRef === key).map((t) => ({ id: t.id, summary: t.summary, externalXRef: t.externalXRef })),
    );
  }

  function patch(ticket: CwTicket, ops: unknown): FakeAnswer {
    if (!Array.isArray(ops) || ops.length === 0) return reply(400, { code: 'InvalidObject', message: 'Expected a JSON Patch array' });
    for (const op of ops as Array<{ op?: unknown; path?: unknown; value?: unknown }>) {
      if (op.op !== 'replace' || !str(op.value)) return reply(400, { code: 'InvalidObject', message: 'Unsupported patch operation' });
      if (op.path === 'status/name' && instance.statuses.includes(op.value)) ticket.status = op.value;
      else if (op.path === 'priority/name' && instance.priorities.includes(op.value)) ticket.priority = op.value;
      else return invalid(String(op.path), `Cannot set ${String(op.path)} to ${op.value}`);
    }
    return reply(200, { id: ticket.id, status: { name: ticket.status }, priority: { name: ticket.priority } });
  }

  function handle(r: FakeRequest): FakeAnswer {
    if (!r.path.startsWith(API_PATH)) return reply(404, { code: 'NotFound', message: 'no such path' });
    if (r.headers.clientid !== instance.clientId || r.headers.authorization !== basic)
      return reply(401, { code: 'Unauthorized', message: 'The credentials supplied are not valid.' });
    const path = r.path.slice(API_PATH.length);
    if (path === 'service/tickets' && r.method === 'GET') return search(r.query.get('conditions'));
    if (path === 'service/tickets' && r.method === 'POST')
      return typeof r.json === 'object' && r.json !== null
        ? create(r.json as Record<string, unknown>)
        : reply(400, { code: 'InvalidObject', message: 'Body is not JSON' });
    const m = /^service\/tickets\/(\d+)(\/notes)?$/.exec(path);
    const ticket = m ? tickets.find((t) => t.id === Number(m[1])) : undefined;
    if (!m || !ticket) return reply(404, { code: 'NotFound', message: 'Ticket not found' });
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
  return Object.assign(desk, { tickets });
}

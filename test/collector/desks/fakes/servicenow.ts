// A fake ServiceNow instance: the Table API on the incident table over an in-memory table, checking Basic auth and
// the fields written, computing priority from impact x urgency as an instance's priority lookup rules do.
// Built from: https://www.servicenow.com/docs/r/api-reference/rest-apis/c_TableAPI.html (GET with sysparm_query,
// sysparm_limit, sysparm_fields -> {result: [...]}; POST -> 201 {result}; PATCH /{sys_id} -> 200 {result}; errors
// as {error: {message, detail}, status: "failure"}),
// https://docs.servicenow.com/bundle/geneva-servicenow-platform/page/integrate/inbound_rest/reference/r_TableAPI-GET.html
// (an invalid part of sysparm_query is ignored: modelled, so a connector must check what it gets),
// https://docs.servicenow.com/bundle/london-it-service-management/page/product/incident-management/concept/c_IncidentManagementStateModel.html
// (states 1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed). The data policy requiring close_code and
// close_notes on resolve is an instance setting, modelled here as on.
import { randomBytes } from 'node:crypto';
import { reply, startFakeDesk, type FakeDesk, type FakeRequest } from './fake-desk.js';

export const SN_USER = { username: 'watchpost.integration', password: 'sn-P4ssw0rd-for-tests' } as const;
const FIELDS = [
  'sys_id',
  'number',
  'short_description',
  'description',
  'impact',
  'urgency',
  'priority',
  'state',
  'correlation_id',
  'correlation_display',
  'caller_id',
  'assignment_group',
  'category',
  'close_code',
  'close_notes',
] as const;
const WRITABLE = new Set<string>([...FIELDS.filter((f) => f !== 'sys_id' && f !== 'number'), 'work_notes']);
/** The out-of-box priority lookup: impact + urgency 2 -> 1 Critical ... 6 -> 5 Planning. */
const priorityOf = (impact: string, urgency: string): string => String(Math.max(1, Math.min(5, Number(impact) + Number(urgency) - 1)));

export type IncidentRow = Record<(typeof FIELDS)[number], string> & { work_notes: string[] };

export interface ServiceNowFake extends FakeDesk {
  incidents: Map<string, IncidentRow>;
  /** The keys of the JSON bodies of every POST and PATCH, to check what was (not) written. */
  written: string[][];
}

const failure = (status: number, message: string, detail = '') => reply(status, { error: { message, detail }, status: 'failure' });

export async function startServiceNowFake(): Promise<ServiceNowFake> {
  const incidents = new Map<string, IncidentRow>();
  const written: string[][] = [];
  let number = 10001;
  const expected = `Basic ${Buffer.from(`${SN_USER.username}:${SN_USER.password}`).toString('base64')}`;

  function write(row: IncidentRow, body: Record<string, unknown>) {
    for (const [k, v] of Object.entries(body)) {
      if (!WRITABLE.has(k)) continue;
      if (typeof v !== 'string') return failure(400, 'Invalid value', `${k} must be a string`);
      if (k === 'work_notes') row.work_notes.push(v);
      else row[k as (typeof FIELDS)[number]] = v;
    }
    if (!['1', '2', '3'].includes(row.impact) || !['1', '2', '3'].includes(row.urgency))
      return failure(400, 'Invalid value', 'impact and urgency take 1, 2 or 3');
    if (!row.short_description) return failure(403, 'Operation Failed', 'Data Policy Exception: Short description is mandatory');
    if (row.state === '6' && (!row.close_code || !row.close_notes))
      return failure(403, 'Operation Failed', 'Data Policy Exception: Resolution code, Resolution notes are mandatory');
    row.priority = priorityOf(row.impact, row.urgency);
    return null;
  }

  function list(r: FakeRequest) {
    let rows = [...incidents.values()];
    for (const term of (r.query.get('sysparm_query') ?? '').split('^')) {
      const m = /^([a-z_]+)=(.*)$/.exec(term);
      if (m && (FIELDS as readonly string[]).includes(m[1]!)) rows = rows.filter((x) => x[m[1] as (typeof FIELDS)[number]] === m[2]);
    }
    const fields = r.query.get('sysparm_fields')?.split(',');
    const pick = (x: IncidentRow) => (fields ? Object.fromEntries(fields.map((f) => [f, (x as Record<string, unknown>)[f] ?? ''])) : x);
    return reply(200, { result: rows.slice(0, Number(r.query.get('sysparm_limit') ?? 10000)).map(pick) });
  }

  function handle(r: FakeRequest) {
    if (r.headers.authorization !== expected) return failure(401, 'User Not Authenticated', 'Required to provide Auth information');
    const m = /^\/api\/now\/table\/incident(?:\/([0-9a-f]{32}))?$/.exec(r.path);
    if (!m) return failure(400, 'Invalid table or path', r.path);
    if (r.method === 'GET' && !m[1]) return list(r);
    if ((r.method === 'POST' || r.method === 'PATCH') && (typeof r.json !== 'object' || r.json === null))
      return failure(400, 'Exception while reading request', 'The payload is not valid JSON.');
    const body = r.json as Record<string, unknown>;
    if (r.method === 'POST' && !m[1]) {
      written.push(Object.keys(body));
      const row = {
        ...Object.fromEntries(FIELDS.map((f) => [f, ''])),
        sys_id: randomBytes(16).toString('hex'),
        number: `INC00${number++}`,
        impact: '3',
        urgency: '3',
        state: '1',
        work_notes: [],
      } as unknown as IncidentRow;
      const refused = write(row, body);
      if (refused) return refused;
      incidents.set(row.sys_id, row);
      return reply(201, { result: row });
    }
    if (r.method === 'PATCH' && m[1]) {
      written.push(Object.keys(body));
      const row = incidents.get(m[1]);
      if (!row) return failure(404, 'No Record found', "Record doesn't exist or ACL restricts the record retrieval");
      const copy = { ...row, work_notes: [...row.work_notes] };
      const refused = write(copy, body);
      if (refused) return refused;
      incidents.set(row.sys_id, copy);
      return reply(200, { result: copy });
    }
    return failure(405, 'Method not supported', `${r.method} ${r.path}`);
  }

  const desk = await startFakeDesk(handle);
  return Object.assign(desk, { incidents, written });
}

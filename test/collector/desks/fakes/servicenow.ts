// A fake ServiceNow instance: the Table API over in-memory incident, sys_user and sys_user_group tables, checking
// Basic auth and the fields written, computing priority from impact x urgency as an instance's priority lookup rules do.
// Built from: https://www.servicenow.com/docs/r/api-reference/rest-apis/c_TableAPI.html (GET with sysparm_query,
// sysparm_limit, sysparm_fields -> {result: [...]}; GET /{sys_id} -> {result} or 404; POST -> 201 {result}; PATCH
// /{sys_id} -> 200 {result}; reference fields answered as {link, value} unless sysparm_exclude_reference_link=true;
// "Invalid fields are ignored" in sysparm_fields; errors as {error: {message, detail}, status: "failure"}),
// https://docs.servicenow.com/bundle/geneva-servicenow-platform/page/integrate/inbound_rest/reference/r_TableAPI-GET.html
// (an invalid part of sysparm_query is ignored: modelled, so a connector must check what it gets),
// https://www.servicenow.com/docs/r/api-reference/rest-api-explorer/c_RESTAPI.html and KB0534905
// (https://support.servicenow.com/kb_view.do?sysparm_article=KB0534905): a write stores its values as given unless
// sysparm_input_display_value=true, when "if you send the display name for a reference field, the endpoint stores
// the sys_id". Modelled on caller_id (sys_user), assignment_group (sys_user_group) and parent_incident (incident):
// without the parameter a name is stored as is, a reference to no record (the documented GET example shows such a
// value, opened_by "glide.maint"); with it the display value (sys_user.name, sys_user_group.name, incident.number)
// is looked up, and one that matches no record leaves the field empty (the documentation does not say; this is the
// behaviour reported for it, NOT CONFIRMED). Display values of other field types (choices, dates) are not modelled.
// States (KB0564465, https://support.servicenow.com/kb_view.do?sysparm_article=KB0564465): 1 New, 2 In Progress,
// 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled; active is false in 7 and 8 (the incident table's close_states, applied
// by the Task Active State Management business rule). A Closed or Canceled incident is read-only to a non-admin
// ("Closed incidents are read-only. Only administrators can change the state value":
// https://docs.servicenow.com/bundle/istanbul-it-service-management/page/product/incident-management/concept/c_IncidentManagementStateModel.html):
// modelled as the Table API does for fields an ACL denies, the write of every field is ignored and the answer is
// 200 with the record unchanged; work notes are still added (NOT CONFIRMED for every instance). The data policy
// requiring close_code and close_notes on resolve is an instance setting, modelled here as on.
import { randomBytes } from 'node:crypto';
import type { ServiceNowSettings } from '../../../../collector/src/desks/connectors/servicenow.js';
import { reply, startFakeDesk, type FakeDesk, type FakeRequest } from './fake-desk.js';

export const SN_USER = { username: 'watchpost.integration', password: 'sn-P4ssw0rd-for-tests' } as const;

/** Connector settings for the fake instance at its URL, as SN_USER. */
export const snTestSettings = (sn: { url: string }): ServiceNowSettings => ({ url: sn.url, username: SN_USER.username, password: SN_USER.password });

const FIELDS = [
  'sys_id',
  'number',
  'sys_created_on',
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
  'parent_incident',
  'category',
  'close_code',
  'close_notes',
] as const;
type Field = (typeof FIELDS)[number];
const SYSTEM = new Set<string>(['sys_id', 'number', 'sys_created_on', 'priority']);
const WRITABLE = new Set<string>([...FIELDS.filter((f) => !SYSTEM.has(f)), 'work_notes']);
/** Reference fields of the incident table and the table each points to. */
const REFERENCES: Partial<Record<Field, TableName>> = { caller_id: 'sys_user', assignment_group: 'sys_user_group', parent_incident: 'incident' };
/** States in which an incident is inactive (the incident table's close_states). */
const CLOSED_STATES = new Set(['7', '8']);
/** The out-of-box priority lookup: impact + urgency 2 -> 1 Critical ... 6 -> 5 Planning. */
const priorityOf = (impact: string, urgency: string): string => String(Math.max(1, Math.min(5, Number(impact) + Number(urgency) - 1)));

export type IncidentRow = Record<Field, string> & { work_notes: string[] };
export interface UserRow {
  sys_id: string;
  user_name: string;
  name: string;
}
export interface GroupRow {
  sys_id: string;
  name: string;
}
type TableName = 'incident' | 'sys_user' | 'sys_user_group';

/** The users and groups every fake instance starts with; the integration user is the first. */
export const SEEDED_USERS: ReadonlyArray<Omit<UserRow, 'sys_id'>> = [
  { user_name: SN_USER.username, name: 'Watchpost Integration' },
  { user_name: 'abel.tuter', name: 'Abel Tuter' },
];
export const SEEDED_GROUPS: ReadonlyArray<Omit<GroupRow, 'sys_id'>> = [{ name: 'Service Desk' }, { name: 'Network' }];

export interface ServiceNowFake extends FakeDesk {
  incidents: Map<string, IncidentRow>;
  users: UserRow[];
  groups: GroupRow[];
  /** The keys of the JSON bodies of every POST and PATCH, to check what was (not) written. */
  written: string[][];
  /** What the instance does on its own: an incident left Resolved is Closed after a while (auto-close). */
  closeIncident(sysId: string): void;
  /** The sys_id of a seeded user (by user_name) or group (by name). */
  userId(userName: string): string;
  groupId(name: string): string;
}

const failure = (status: number, message: string, detail = '') => reply(status, { error: { message, detail }, status: 'failure' });
const newSysId = (): string => randomBytes(16).toString('hex');
const isActive = (row: IncidentRow): boolean => !CLOSED_STATES.has(row.state);
/** sys_created_on as ServiceNow stores it: UTC, whole seconds, so records made in the same second tie. */
const createdOn = (): string => new Date().toISOString().slice(0, 19).replace('T', ' ');

export async function startServiceNowFake(): Promise<ServiceNowFake> {
  const incidents = new Map<string, IncidentRow>();
  const users: UserRow[] = SEEDED_USERS.map((u) => ({ ...u, sys_id: newSysId() }));
  const groups: GroupRow[] = SEEDED_GROUPS.map((g) => ({ ...g, sys_id: newSysId() }));
  const written: string[][] = [];
  let number = 10001;
  const expected = `Basic ${Buffer.from(`${SN_USER.username}:${SN_USER.password}`).toString('base64')}`;

  /** A reference field's stored value from what a write sent: as given, or looked up by display value. */
  function reference(table: TableName, value: string, asDisplayValue: boolean): string {
    if (!asDisplayValue || value === '') return value;
    const found =
      table === 'sys_user'
        ? users.find((u) => u.name === value)
        : table === 'sys_user_group'
          ? groups.find((g) => g.name === value)
          : [...incidents.values()].find((i) => i.number === value);
    return found?.sys_id ?? '';
  }

  function write(row: IncidentRow, body: Record<string, unknown>, asDisplayValue: boolean) {
    const readOnly = row.sys_id !== '' && incidents.has(row.sys_id) && !isActive(incidents.get(row.sys_id)!);
    for (const [k, v] of Object.entries(body)) {
      if (!WRITABLE.has(k)) continue;
      if (typeof v !== 'string') return failure(400, 'Invalid value', `${k} must be a string`);
      if (k === 'work_notes') row.work_notes.push(v);
      else if (readOnly) continue;
      else row[k as Field] = REFERENCES[k as Field] ? reference(REFERENCES[k as Field]!, v, asDisplayValue) : v;
    }
    if (!['1', '2', '3'].includes(row.impact) || !['1', '2', '3'].includes(row.urgency))
      return failure(400, 'Invalid value', 'impact and urgency take 1, 2 or 3');
    if (!row.short_description) return failure(403, 'Operation Failed', 'Data Policy Exception: Short description is mandatory');
    if (row.state === '6' && (!row.close_code || !row.close_notes))
      return failure(403, 'Operation Failed', 'Data Policy Exception: Resolution code, Resolution notes are mandatory');
    row.priority = priorityOf(row.impact, row.urgency);
    return null;
  }

  /** A record as the Table API answers it: reference fields as {link, value} unless the request excludes links. */
  function render(table: TableName, record: Record<string, unknown>, r: FakeRequest, base: string): Record<string, unknown> {
    const links = r.query.get('sysparm_exclude_reference_link') !== 'true';
    const out: Record<string, unknown> = { ...record };
    if (table === 'incident') {
      const row = record as unknown as IncidentRow;
      out.active = String(isActive(row));
      delete out.work_notes;
      for (const [field, target] of Object.entries(REFERENCES))
        if (links && row[field as Field]) out[field] = { link: `${base}/api/now/table/${target}/${row[field as Field]}`, value: row[field as Field] };
    }
    const fields = r.query.get('sysparm_fields')?.split(',');
    return fields ? Object.fromEntries(fields.filter((f) => Object.hasOwn(out, f)).map((f) => [f, out[f]])) : out;
  }

  function rowsOf(table: TableName): Array<Record<string, unknown>> {
    if (table === 'sys_user') return users as unknown as Array<Record<string, unknown>>;
    if (table === 'sys_user_group') return groups as unknown as Array<Record<string, unknown>>;
    return [...incidents.values()].map((row) => ({ ...row, active: String(isActive(row)) }));
  }

  /**
   * sysparm_query as far as the connector uses it: field=value terms joined by ^ (AND) and ^OR, then ORDERBY and
   * ORDERBYDESC clauses. A term on a field the table does not have is ignored, as the instance does; any other form
   * answers 400, so a connector that starts using one shows up here instead of being answered wrongly.
   */
  function list(table: TableName, r: FakeRequest, base: string) {
    const all = rowsOf(table);
    const known = new Set(all.length ? Object.keys(all[0]!) : table === 'incident' ? [...FIELDS, 'active'] : ['sys_id', 'name', 'user_name']);
    const groupsOfOr: Array<Array<[string, string]>> = [];
    const order: Array<[string, 'asc' | 'desc']> = [];
    for (const term of (r.query.get('sysparm_query') ?? '').split('^').filter(Boolean)) {
      const sort = /^ORDERBY(DESC)?([a-z_]+)$/.exec(term);
      if (sort) {
        order.push([sort[2]!, sort[1] ? 'desc' : 'asc']);
        continue;
      }
      const m = /^(OR)?([a-z_]+)=(.*)$/.exec(term);
      if (!m) return failure(400, 'fake: unsupported query term', term);
      if (!known.has(m[2]!)) continue;
      if (m[1] && groupsOfOr.length) groupsOfOr.at(-1)!.push([m[2]!, m[3]!]);
      else groupsOfOr.push([[m[2]!, m[3]!]]);
    }
    let rows = all.filter((x) => groupsOfOr.every((any) => any.some(([f, v]) => x[f] === v)));
    if (order.length)
      rows = rows.sort((a, b) => {
        for (const [f, dir] of order) {
          const c = String(a[f] ?? '').localeCompare(String(b[f] ?? ''));
          if (c) return dir === 'asc' ? c : -c;
        }
        return 0;
      });
    return reply(200, { result: rows.slice(0, Number(r.query.get('sysparm_limit') ?? 10000)).map((x) => render(table, x, r, base)) });
  }

  function handle(r: FakeRequest, base: string) {
    if (r.headers.authorization !== expected) return failure(401, 'User Not Authenticated', 'Required to provide Auth information');
    const m = /^\/api\/now\/table\/(incident|sys_user|sys_user_group)(?:\/([0-9a-f]{32}))?$/.exec(r.path);
    if (!m) return failure(400, 'Invalid table or path', r.path);
    const table = m[1] as TableName;
    if (r.method === 'GET' && !m[2]) return list(table, r, base);
    if (table !== 'incident') return failure(405, 'fake: only reads of this table are modelled', `${r.method} ${r.path}`);
    if (r.method === 'GET') {
      const row = incidents.get(m[2]!);
      return row
        ? reply(200, { result: render(table, row, r, base) })
        : failure(404, 'No Record found', "Record doesn't exist or ACL restricts the record retrieval");
    }
    if ((r.method === 'POST' || r.method === 'PATCH') && (typeof r.json !== 'object' || r.json === null))
      return failure(400, 'Exception while reading request', 'The payload is not valid JSON.');
    const body = r.json as Record<string, unknown>;
    const asDisplayValue = r.query.get('sysparm_input_display_value') === 'true';
    if (r.method === 'POST' && !m[2]) {
      written.push(Object.keys(body));
      const row = {
        ...Object.fromEntries(FIELDS.map((f) => [f, ''])),
        sys_id: '',
        number: `INC00${number++}`,
        sys_created_on: createdOn(),
        impact: '3',
        urgency: '3',
        state: '1',
        work_notes: [],
      } as unknown as IncidentRow;
      const refused = write(row, body, asDisplayValue);
      if (refused) return refused;
      row.sys_id = newSysId();
      incidents.set(row.sys_id, row);
      return reply(201, { result: render(table, row, r, base) });
    }
    if (r.method === 'PATCH' && m[2]) {
      written.push(Object.keys(body));
      const row = incidents.get(m[2]);
      if (!row) return failure(404, 'No Record found', "Record doesn't exist or ACL restricts the record retrieval");
      const copy = { ...row, work_notes: [...row.work_notes] };
      const refused = write(copy, body, asDisplayValue);
      if (refused) return refused;
      incidents.set(row.sys_id, copy);
      return reply(200, { result: render(table, copy, r, base) });
    }
    return failure(405, 'Method not supported', `${r.method} ${r.path}`);
  }

  const desk = await startFakeDesk(handle);
  const idOf = <T extends { sys_id: string }>(rows: T[], match: (row: T) => boolean, what: string): string => {
    const found = rows.find(match);
    if (!found) throw new Error(`fake ServiceNow: no ${what}`);
    return found.sys_id;
  };
  return Object.assign(desk, {
    incidents,
    users,
    groups,
    written,
    closeIncident(sysId: string) {
      const row = incidents.get(sysId);
      if (!row) throw new Error(`fake ServiceNow: no incident ${sysId}`);
      incidents.set(sysId, { ...row, state: '7' });
    },
    userId: (userName: string) => idOf(users, (u) => u.user_name === userName, `user ${userName}`),
    groupId: (name: string) => idOf(groups, (g) => g.name === name, `group ${name}`),
  });
}

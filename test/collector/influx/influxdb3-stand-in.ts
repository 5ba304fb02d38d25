// A local stand-in for InfluxDB 3 Core's v1-compatible HTTP API (/ping, /write, /query), to test what the collector
// sends to an InfluxDB 3 and how it takes the answers. Not a database: it keeps written points in memory and answers
// the few InfluxQL statements below. It ENFORCES each rule listed here, with the page it comes from (docs-v2 read at
// commit 79332006):
//   [compat]   docs-v2 content/shared/influxdb3-write-guides/http-api/compatibility-apis.md (the v1 /write: params,
//              authentication, "Compatibility APIs differ from native APIs")
//   [v1query]  docs-v2 content/shared/influxdb3-query-guides/execute-queries/influxdb-v1-api.md (the v1 /query)
//   [openapi]  docs-v2 api-docs/influxdb3/core/influxdb3-core-openapi.yaml: GetPing, GetV1ExecuteQuery, PostV1Write
//   [identify] docs-v2 content/shared/identify-version.md (the /ping headers per product)
//   [features] docs-v2 content/shared/influxql-v3-reference/feature-support.md (supported metaqueries)
//   [dbrp]     docs-v2 content/shared/influxdb3-admin/databases/create.md, "InfluxQL DBRP naming convention"
//   [src]      influxdata/influxdb 3.10.0-nightly (commit d7834110), where the docs give no wording or no rule:
//              influxdb3_server/src/http.rs, core/iox_http/src/write/{v1.rs,params.rs}, core/iox_v1_query_api/src/
//              {handler.rs,error.rs,lib.rs}, core/influxdb_influxql_parser/src/{lib.rs,statement.rs,create.rs,show.rs,
//              drop.rs}, core/iox_query_influxql_rewrite/src/lib.rs ("rewrite": resolve_dbrp),
//              core/iox_query_influxql/src/plan/planner.rs, influxdb3_internal_api/src/query_executor.rs
//
// Rules:
//   1. Every request needs a token [compat][v1query][openapi], unless the stand-in is started like
//      `influxdb3 serve --disable-authz ping` (then /ping needs none). Accepted: `Authorization: Bearer T`,
//      `Authorization: Token T`, `Authorization: Basic base64(ANY:T)` (the user is ignored), or `p=T` in the query
//      string of /write and /query. No token or an unknown one: 401 {"error": "the request was not authenticated"};
//      another scheme or a malformed header: 400 [src http.rs].
//   2. /ping (GET or POST): 200, JSON {version, revision, process_id}, headers X-Influxdb-Version (3.x) and
//      X-Influxdb-Build (Core) [openapi][identify]; HEAD: 404 [openapi].
//   3. POST /write: `db` required; `precision` s, ms, us, u, ns, n (absent: ns) [compat][src params.rs: the docs also
//      list m and h, which the server's parser refuses with 400]; `rp` honoured: autogen, default or empty write to
//      `db`, any other name to the database `db/rp` [compat][dbrp][src v1.rs; the docs' DBRP table shows
//      `telegraf/autogen`, but the server maps autogen to the database itself]; `u` ignored. A missing database is
//      created by the write [src]. Body: line protocol. A tag and a field cannot share a name in a table, and a
//      field keeps its type [compat]. Some lines refused: 400 {"error": "partial write of line protocol occurred",
//      "data": [{original_line, line_number, error_message}]} (at most 100), the others are written; every line
//      refused: the same with "write of line protocol failed" [openapi]. Success: 204.
//   4. /query (GET, or POST form): query-string values are decoded strictly [src lib.rs, serde_urlencoded]: an
//      empty `epoch=` is refused with 400 {"error": "error decoding params from url: unknown variant ``, ..."}. The
//      database comes from `db`, or from the statement (`"db"."rp"."m"` reads `db/rp`; a policy named without its
//      database is dropped and `db` is read) [v1query][src rewrite]. Statement errors come as HTTP 200 with
//      {"results": [{"statement_id": 0, "error": "..."}]} [src handler.rs]; a statement that does not parse fails the
//      whole request that way:
//        - SHOW CONTINUOUS QUERIES, SHOW SHARDS, any SHOW other than DATABASES, MEASUREMENTS, TAG KEYS, TAG VALUES,
//          FIELD KEYS, RETENTION POLICIES [features]: "error in InfluxQL statement: parsing error: invalid SHOW
//          statement, expected DATABASES, FIELD KEYS, MEASUREMENTS, TAG KEYS, TAG VALUES, or RETENTION POLICIES
//          following SHOW at pos 5" [src show.rs, error.rs];
//        - CREATE RETENTION POLICY, CREATE CONTINUOUS QUERY: "... Invalid CREATE statement, expected DATABASE
//          following CREATE at pos 7" [src create.rs]; DROP other than MEASUREMENT: "... invalid DROP statement,
//          expected MEASUREMENT at pos 5" [src drop.rs];
//        - ALTER ..., SELECT ... INTO and every other statement: "... invalid InfluxQL statement at pos 0" [src lib.rs]
//          (the server appends the parser's detail, not reproduced);
//        - CREATE DATABASE, DROP MEASUREMENT, DELETE parse but are not implemented: "datafusion error: This feature
//          is not implemented: CREATE DATABASE" once a database is resolved [src planner.rs].
//      Answered: SHOW DATABASES, SHOW RETENTION POLICIES (one row: the database, its retention, default) [src
//      query_executor.rs], SHOW MEASUREMENTS, and `SELECT * | field, ... FROM [db.[rp.]]measurement` (no WHERE, no
//      GROUP BY: enough to read back what was written); SHOW TAG KEYS/VALUES and FIELD KEYS answer an empty result.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export const STAND_IN_TOKEN = 'apiv3_stand-in-token';

type FieldValue = number | bigint | string | boolean;
type ColumnKind = 'tag' | 'float' | 'integer' | 'uinteger' | 'string' | 'boolean';

export interface StoredPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  /** Each field's line-protocol type. */
  kinds: Record<string, Exclude<ColumnKind, 'tag'>>;
  /** Nanoseconds since the epoch, after the request's precision was applied. */
  timeNs: bigint;
}

export interface RecordedRequest {
  method: string;
  path: string;
  params: URLSearchParams;
  /** How the request authenticated ('none' when it did not). */
  auth: 'Bearer' | 'Token' | 'Basic' | 'p' | 'none';
  status: number;
  /** The InfluxQL of a /query request. */
  q?: string;
}

export interface StandInOptions {
  /** Like `--disable-authz ping`. */
  pingWithoutAuth?: boolean;
  /** X-Influxdb-Version / X-Influxdb-Build; null leaves both headers out (a proxy that strips them). */
  identity?: { version: string; build: string } | null;
}

export interface InfluxDB3StandIn {
  url: string;
  port: number;
  token: string;
  requests: RecordedRequest[];
  /** Points of a database (`db` or `db/rp`), in the order written. */
  points(database: string): StoredPoint[];
  databases(): string[];
  close(): Promise<void>;
}

interface Table {
  columns: Map<string, ColumnKind>;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(body);
  }
}

const json = (value: unknown): string => JSON.stringify(value);
const UNAUTHENTICATED = new Refusal(401, json({ error: 'the request was not authenticated' }));
const MALFORMED = new Refusal(
  400,
  json({
    error:
      "Authorization header was malformed, the request was not in the form of 'Authorization: <auth-scheme> <token>', supported auth-schemes are Bearer, Token and Basic",
  }),
);
const NS_PER: Record<string, bigint> = { s: 1_000_000_000n, ms: 1_000_000n, us: 1000n, u: 1000n, ns: 1n, n: 1n };
for (const [name, unit] of [
  ['second', 's'],
  ['millisecond', 'ms'],
  ['microsecond', 'us'],
  ['nanosecond', 'ns'],
] as const) {
  NS_PER[name] = NS_PER[unit]!;
}
const EPOCHS = ['ns', 'u', 'µ', 'ms', 's', 'm', 'h', 'd', 'w'];
const parseError = (message: string, pos: number): string => `error in InfluxQL statement: parsing error: ${message} at pos ${pos}`;
const SHOW_ERROR = parseError(
  'invalid SHOW statement, expected DATABASES, FIELD KEYS, MEASUREMENTS, TAG KEYS, TAG VALUES, or RETENTION POLICIES following SHOW',
  5,
);
const NO_DATABASE = "must specify a 'db' parameter, or provide the database in the InfluxQL query";

export async function startInfluxDB3StandIn(options: StandInOptions = {}): Promise<InfluxDB3StandIn> {
  const identity = options.identity === undefined ? { version: '3.8.0', build: 'Core' } : options.identity;
  const stored = new Map<string, { tables: Map<string, Table>; points: StoredPoint[] }>();
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const record: RecordedRequest = { method: req.method ?? '', path: url.pathname, params: url.searchParams, auth: 'none', status: 0 };
      requests.push(record);
      let answer: { status: number; body: string; headers?: Record<string, string> };
      try {
        answer = route(req, url, Buffer.concat(chunks), record);
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        answer = { status: error.status, body: error.body };
      }
      record.status = answer.status;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.status === 204 ? undefined : answer.body);
    });
  });

  function route(req: IncomingMessage, url: URL, raw: Buffer, record: RecordedRequest): { status: number; body: string; headers?: Record<string, string> } {
    const method = req.method ?? '';
    if (url.pathname === '/ping' && method === 'HEAD') return { status: 404, body: '' };
    if (!(url.pathname === '/ping' && options.pingWithoutAuth)) authenticate(req, url, record);
    if (url.pathname === '/ping' && (method === 'GET' || method === 'POST')) {
      const headers: Record<string, string> = { 'request-id': randomUUID(), 'x-request-id': randomUUID() };
      if (identity) Object.assign(headers, { 'x-influxdb-version': identity.version, 'x-influxdb-build': identity.build });
      return { status: 200, headers, body: json({ version: identity?.version ?? '3.8.0', revision: 'd7834110', process_id: randomUUID() }) };
    }
    if (url.pathname === '/write' && method === 'POST') return write(url, req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw);
    if (url.pathname === '/query' && (method === 'GET' || method === 'POST')) {
      const params = method === 'GET' ? url.search.slice(1) : raw.toString('utf8');
      if (method === 'GET' && url.search === '') throw new Refusal(400, json({ error: "missing query parameters 'db' and 'q'" }));
      const form = strictForm(params);
      record.q = form.get('q') ?? undefined;
      return { status: 200, body: json({ results: query(form) }) };
    }
    return { status: 404, body: 'Not found' };
  }

  /** Rule 1. The `p` parameter wins over the header, as in the server. */
  function authenticate(req: IncomingMessage, url: URL, record: RecordedRequest): void {
    let token: string | undefined;
    const p = url.pathname === '/write' || url.pathname === '/query' ? url.searchParams.get('p') : null;
    if (p !== null) {
      token = p;
      record.auth = 'p';
    } else if (req.headers.authorization !== undefined) {
      const parts = req.headers.authorization.split(' ');
      const [scheme, value] = parts;
      if (parts.length !== 2 || (scheme !== 'Bearer' && scheme !== 'Token' && scheme !== 'Basic')) throw MALFORMED;
      record.auth = scheme;
      if (scheme === 'Basic') {
        const decoded = Buffer.from(value!, 'base64').toString('utf8');
        const colon = decoded.lastIndexOf(':');
        if (colon < 0 || decoded.slice(0, colon).includes(':')) throw MALFORMED;
        token = decoded.slice(colon + 1);
      } else {
        token = value;
      }
    }
    if (token !== STAND_IN_TOKEN) throw UNAUTHENTICATED;
  }

  /** Rule 3. */
  function write(url: URL, body: Buffer): { status: number; body: string } {
    if (url.search === '') throw new Refusal(400, json({ error: 'no db destination provided' }));
    const db = url.searchParams.get('db');
    if (db === null) throw new Refusal(400, json({ error: 'failed to deserialize db/rp/precision in request: missing field `db`' }));
    const precision = url.searchParams.get('precision') ?? 'ns';
    const perUnit = NS_PER[precision];
    if (perUnit === undefined) throw new Refusal(400, json({ error: `failed to deserialize db/rp/precision in request: unknown variant \`${precision}\`` }));
    const rp = (url.searchParams.get('rp') ?? '').toLowerCase();
    const database = rp === '' || rp === "''" || rp === 'autogen' || rp === 'default' ? db : `${db}/${rp}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*(\/[A-Za-z0-9_-]+)?$/.test(database) || database.length > 64) {
      throw new Refusal(400, json({ error: `error validating database name: invalid database name ${database}` }));
    }
    const target = stored.get(database) ?? { tables: new Map<string, Table>(), points: [] };
    stored.set(database, target);
    const refused: { original_line: string; line_number: number; error_message: string }[] = [];
    let lines = 0;
    body
      .toString('utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '' || line.startsWith('#')) return;
        lines++;
        try {
          const point = parseLine(line, perUnit);
          checkSchema(target.tables, point);
          target.points.push(point);
        } catch (error) {
          refused.push({ original_line: line, line_number: i + 1, error_message: (error as Error).message });
        }
      });
    if (refused.length === 0) return { status: 204, body: '' };
    const error = refused.length === lines ? 'write of line protocol failed' : 'partial write of line protocol occurred';
    return { status: 400, body: json({ error, data: refused.slice(0, 100) }) };
  }

  /** Rule 4: the statements of one request, as the results array. */
  function query(form: URLSearchParams): object[] {
    const q = form.get('q');
    if (q === null || q === '') throw new Refusal(400, json({ error: 'expected a query to be provided in the query string or body' }));
    const statements = q
      .split(';')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const parsed = statements.map(parseStatement);
    const failed = parsed.find((p): p is { error: string } => 'error' in p);
    if (failed) return [{ statement_id: 0, error: failed.error }];
    return parsed.map((statement, id) => {
      try {
        return { statement_id: id, ...answer(statement as Statement, form.get('db') || undefined) };
      } catch (error) {
        return { statement_id: id, error: (error as Error).message };
      }
    });
  }

  function answer(statement: Statement, paramDb: string | undefined): object {
    const resolved = statement.db ? dbrp(statement.db, statement.rp) : paramDb;
    if (statement.kind === 'show databases')
      return series(
        'databases',
        ['name'],
        [...stored.keys()].map((n) => [n]),
      );
    if (!resolved) throw new Error(NO_DATABASE);
    const target = stored.get(resolved);
    if (statement.kind === 'show retention policies') {
      if (!target) throw new Error(`datafusion error: Error during planning: database not found: ${resolved}`);
      return series('retention_policies', ['name', 'duration', 'default'], [[resolved, '0s', true]]);
    }
    if (!target) throw new Error(`Database ${resolved} not found`);
    if (statement.kind === 'not implemented') throw new Error(`datafusion error: This feature is not implemented: ${statement.feature}`);
    if (statement.kind === 'show measurements')
      return series(
        'measurements',
        ['name'],
        [...target.tables.keys()].sort().map((n) => [n]),
      );
    if (statement.kind === 'select') return select(target, statement);
    return {};
  }

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        token: STAND_IN_TOKEN,
        requests,
        points: (database) => stored.get(database)?.points ?? [],
        databases: () => [...stored.keys()],
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

type Statement =
  | { kind: 'show databases' | 'show retention policies' | 'show measurements' | 'empty'; db?: string; rp?: string }
  | { kind: 'not implemented'; feature: string; db?: string; rp?: string }
  | { kind: 'select'; fields: string[]; measurement: string; db?: string; rp?: string };

/** `db/rp` as the server names it: autogen and default are the database itself [src rewrite resolve_dbrp]. */
const dbrp = (db: string, rp: string | undefined): string => (rp === undefined || rp === 'autogen' || rp === 'default' ? db : `${db}/${rp}`);
const unquote = (s: string): string => s.replace(/^"(.*)"$/, '$1');

function parseStatement(text: string): Statement | { error: string } {
  const words = text.toUpperCase().split(/\s+/);
  const [first, second, third] = words;
  const on = /\bON\s+("[^"]+"|\w+)/i.exec(text)?.[1];
  if (first === 'SHOW') {
    if (second === 'DATABASES') return { kind: 'show databases' };
    if (second === 'RETENTION' && third === 'POLICIES') return { kind: 'show retention policies', ...(on ? { db: unquote(on) } : {}) };
    if (second === 'MEASUREMENTS') return { kind: 'show measurements', ...(on ? { db: unquote(on) } : {}) };
    if ((second === 'TAG' && (third === 'KEYS' || third === 'VALUES')) || (second === 'FIELD' && third === 'KEYS')) return { kind: 'empty' };
    return { error: SHOW_ERROR };
  }
  if (first === 'CREATE') {
    if (second === 'DATABASE') return { kind: 'not implemented', feature: 'CREATE DATABASE' };
    return { error: parseError('Invalid CREATE statement, expected DATABASE following CREATE', 7) };
  }
  if (first === 'DROP') {
    if (second === 'MEASUREMENT') return { kind: 'not implemented', feature: 'DROP MEASUREMENT' };
    return { error: parseError('invalid DROP statement, expected MEASUREMENT', 5) };
  }
  if (first === 'DELETE') return { kind: 'not implemented', feature: 'DELETE' };
  const select = /^SELECT\s+(.+?)\s+FROM\s+((?:"[^"]+"|[\w]+)(?:\.(?:"[^"]+"|[\w]+)){0,2})\s*$/i.exec(text);
  if (first === 'SELECT' && select) {
    const names = select[2]!.match(/"[^"]+"|[\w]+/g)!.map(unquote);
    const measurement = names.pop()!;
    const [db, rp] = names.length === 2 ? names : [undefined, names[0]];
    const fields = select[1]!.split(',').map((f) => unquote(f.trim()));
    // A policy named without its database is dropped: the request's database is read [src rewrite resolve_dbrp].
    return { kind: 'select', fields, measurement, ...(db ? { db, ...(rp ? { rp } : {}) } : {}) };
  }
  if (first === 'SELECT' && !/\bINTO\b/i.test(text)) return { error: 'stand-in: only SELECT <fields> FROM <measurement> is modelled' };
  return { error: parseError('invalid InfluxQL statement', 0) };
}

function select(target: { points: StoredPoint[] }, statement: Extract<Statement, { kind: 'select' }>): object {
  const points = target.points.filter((p) => p.measurement === statement.measurement);
  if (points.length === 0) return {};
  const all = [...new Set(points.flatMap((p) => [...Object.keys(p.tags), ...Object.keys(p.fields)]))].sort();
  const columns = ['time', ...(statement.fields.length === 1 && statement.fields[0] === '*' ? all : statement.fields)];
  const rows = points.map((p) => [rfc3339(p.timeNs), ...columns.slice(1).map((c) => p.tags[c] ?? toJson(p.fields[c]) ?? null)]);
  return series(statement.measurement, columns, rows);
}

const series = (name: string, columns: string[], values: unknown[][]): object => (values.length === 0 ? {} : { series: [{ name, columns, values }] });
const toJson = (v: FieldValue | undefined): unknown => (typeof v === 'bigint' ? Number(v) : v);
function rfc3339(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return new Date(Number(ms)).toISOString().replace(/\.\d{3}Z$/, frac ? `.${frac}Z` : 'Z');
}

/** Query-string values as the server decodes them: a parameter it types must hold a valid value, empty included. */
function strictForm(text: string): URLSearchParams {
  const form = new URLSearchParams(text);
  const epoch = form.get('epoch');
  if (epoch !== null && !EPOCHS.includes(epoch)) {
    const expected = EPOCHS.filter((e) => e !== 'µ')
      .map((e) => `\`${e}\``)
      .join(', ');
    throw new Refusal(400, json({ error: `error decoding params from url: unknown variant \`${epoch}\`, expected one of ${expected}` }));
  }
  for (const flag of ['chunked', 'pretty']) {
    const value = form.get(flag);
    if (value !== null && value !== 'true' && value !== 'false') {
      throw new Refusal(400, json({ error: `error decoding params from url: provided string was not \`true\` or \`false\`` }));
    }
  }
  return form;
}

/** A column keeps its role and type within a table [compat: a tag and a field cannot share a name]. */
function checkSchema(tables: Map<string, Table>, point: StoredPoint): void {
  const table = tables.get(point.measurement) ?? { columns: new Map<string, ColumnKind>() };
  const wanted = new Map<string, ColumnKind>(Object.keys(point.tags).map((k) => [k, 'tag']));
  for (const [k, kind] of Object.entries(point.kinds)) {
    if (wanted.has(k)) throw new Error(`tag and field with the same name: ${k}`);
    wanted.set(k, kind);
  }
  for (const [name, kind] of wanted) {
    const had = table.columns.get(name);
    if (had && had !== kind) throw new Error(`invalid column type for column '${name}', expected ${had}, got ${kind}`);
  }
  for (const [name, kind] of wanted) table.columns.set(name, kind);
  tables.set(point.measurement, table);
}

/** One line of line protocol (escapes: `\,` `\ ` `\=` in names and tags, `\"` `\\` in strings). */
function parseLine(line: string, nsPerUnit: bigint): StoredPoint {
  let i = 0;
  const until = (stops: string): string => {
    let out = '';
    while (i < line.length && !stops.includes(line[i]!)) {
      if (line[i] === '\\' && i + 1 < line.length && ',= \\'.includes(line[i + 1]!)) i++;
      out += line[i++];
    }
    return out;
  };
  const measurement = until(', ');
  if (measurement === '') throw new Error('missing measurement');
  const tags: Record<string, string> = {};
  while (line[i] === ',') {
    i++;
    const key = until('=');
    i++;
    const value = until(', ');
    if (key === '' || value === '') throw new Error('invalid tag set');
    tags[key] = value;
  }
  if (line[i] !== ' ') throw new Error('No fields were provided');
  i++;
  const fields: Record<string, FieldValue> = {};
  const kinds: StoredPoint['kinds'] = {};
  for (;;) {
    const key = until('=');
    if (line[i] !== '=' || key === '') throw new Error('No fields were provided');
    i++;
    if (line[i] === '"') {
      let value = '';
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) i++;
        value += line[i];
      }
      if (line[i] !== '"') throw new Error('unterminated string');
      i++;
      fields[key] = value;
      kinds[key] = 'string';
    } else {
      [fields[key], kinds[key]] = scalar(until(', '));
    }
    if (line[i] !== ',') break;
    i++;
  }
  const rest = line.slice(i).trim();
  if (rest !== '' && !/^-?\d+$/.test(rest)) throw new Error(`invalid timestamp: ${rest}`);
  const timeNs = rest === '' ? ((BigInt(Date.now()) * 1_000_000n) / nsPerUnit) * nsPerUnit : BigInt(rest) * nsPerUnit;
  return { measurement, tags, fields, kinds, timeNs };
}

function scalar(text: string): [FieldValue, Exclude<ColumnKind, 'tag' | 'string'>] {
  if (/^-?\d+i$/.test(text)) return [BigInt(text.slice(0, -1)), 'integer'];
  if (/^\d+u$/.test(text)) return [BigInt(text.slice(0, -1)), 'uinteger'];
  if (/^(t|T|true|True|TRUE)$/.test(text)) return [true, 'boolean'];
  if (/^(f|F|false|False|FALSE)$/.test(text)) return [false, 'boolean'];
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return [Number(text), 'float'];
  throw new Error(`invalid field value: ${text}`);
}

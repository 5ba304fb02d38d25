// The PostgreSQL schema (store/postgres/schema.ts) against SQLite's after every migration: both are built for real
// (a private PostgreSQL 15, an in-memory better-sqlite3) and compared table by table from their
// catalogues, then the same inserts, updates and deletes are run on both and must be accepted or refused alike.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../collector/src/store/migrations.js';
import { POSTGRES_MIGRATIONS, ROWID_TABLES } from '../../../collector/src/store/postgres/schema.js';
import { startPostgres, type Postgres } from '../../../scripts/lib/postgres.js';

const STORE_DIR = join(import.meta.dirname, '../../../collector/src/store');
const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const HASH = Buffer.alloc(32, 7);

/** One table as both catalogues can describe it. */
interface Column {
  name: string;
  type: string;
  notNull: boolean;
  default: string | null;
  identity: boolean;
}
interface Index {
  table: string;
  unique: boolean;
  columns: string[];
  where: string | null;
}
interface ForeignKey {
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
  /** SQLite's foreign keys (none declared DEFERRABLE) are checked at the end of each statement. */
  deferrable: boolean;
}
interface Trigger {
  name: string;
  table: string;
  timing: string;
  event: string;
  /** SQLite's triggers always run once per row. */
  level: string;
}
interface Schema {
  columns: Map<string, Column[]>;
  primaryKeys: Map<string, string[]>;
  /** Unique constraints other than the primary key, as column lists per table. */
  uniques: Map<string, string[][]>;
  /** Indexes made by CREATE INDEX, by name. */
  indexes: Map<string, Index>;
  foreignKeys: Map<string, ForeignKey[]>;
  triggers: Trigger[];
}

const SQLITE_TYPES: Record<string, string> = { INTEGER: 'bigint', REAL: 'double precision', TEXT: 'text', BLOB: 'bytea' };
const PG_ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

/** A partial index's WHERE or a default as comparable text: PostgreSQL's deparsed form and SQLite's source agree. */
function normalize(expr: string | null): string | null {
  if (expr === null) return null;
  return expr
    .replace(/::(text|bigint)\b/g, '')
    .replace(/= ANY \(ARRAY\[(.*?)\]\)/g, 'IN ($1)')
    .replace(/<>/g, '!=')
    .replace(/[()]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

const byKey = <T>(rows: T[], key: (row: T) => string): Map<string, T[]> => {
  const map = new Map<string, T[]>();
  for (const row of rows) map.set(key(row), [...(map.get(key(row)) ?? []), row]);
  return map;
};

type Sqlite = Database.Database;

/** SQLite after every migration, with foreign keys enforced as the store opens it. */
function sqliteAfterMigrations(): Sqlite {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  for (const sql of MIGRATIONS) db.exec(sql);
  return db;
}

const tablesOf = (db: Sqlite): string[] =>
  db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];

function sqliteSchema(db: Sqlite): Schema {
  const tables = tablesOf(db);
  const schema: Schema = { columns: new Map(), primaryKeys: new Map(), uniques: new Map(), indexes: new Map(), foreignKeys: new Map(), triggers: [] };
  for (const table of tables) {
    type Info = { name: string; type: string; notnull: number; dflt_value: string | null; pk: number };
    const info = db.pragma(`table_info(${table})`) as Info[];
    const pk = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
    // SQLite's rowid alias: a lone INTEGER PRIMARY KEY, never NULL (a NULL asks for the next id).
    const rowidAlias = pk.length === 1 && pk[0]!.type === 'INTEGER' ? pk[0]!.name : undefined;
    schema.columns.set(
      table,
      info.map((c) => ({
        name: c.name,
        type: SQLITE_TYPES[c.type] ?? `unmapped ${c.type}`,
        notNull: c.notnull === 1 || c.name === rowidAlias,
        default: normalize(c.dflt_value),
        identity: c.name === rowidAlias,
      })),
    );
    schema.primaryKeys.set(
      table,
      pk.map((c) => c.name),
    );
    type IndexRow = { name: string; unique: number; origin: string; partial: number };
    const uniques: string[][] = [];
    for (const index of db.pragma(`index_list(${table})`) as IndexRow[]) {
      const columns = (db.pragma(`index_info(${index.name})`) as { seqno: number; name: string }[]).sort((a, b) => a.seqno - b.seqno).map((c) => c.name);
      if (index.origin === 'u') uniques.push(columns);
      if (index.origin !== 'c') continue;
      const sql = db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`).pluck().get(index.name) as string;
      const where = index.partial ? (/\bWHERE\b(.*)$/is.exec(sql)?.[1] ?? 'unparsed') : null;
      schema.indexes.set(index.name, { table, unique: index.unique === 1, columns, where: normalize(where) });
    }
    schema.uniques.set(table, uniques);
    type FkRow = { id: number; seq: number; table: string; from: string; to: string; on_update: string; on_delete: string };
    const fks = [...byKey(db.pragma(`foreign_key_list(${table})`) as FkRow[], (r) => String(r.id)).values()].map((rows) => {
      rows.sort((a, b) => a.seq - b.seq);
      return {
        columns: rows.map((r) => r.from),
        refTable: rows[0]!.table,
        refColumns: rows.map((r) => r.to),
        onDelete: rows[0]!.on_delete,
        onUpdate: rows[0]!.on_update,
        deferrable: false,
      };
    });
    schema.foreignKeys.set(table, fks);
  }
  for (const sql of db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'trigger'`).pluck().all() as string[]) {
    const m = /CREATE TRIGGER (\w+) (BEFORE|AFTER|INSTEAD OF) (INSERT|UPDATE|DELETE)\b.*? ON (\w+)/is.exec(sql);
    schema.triggers.push(
      m
        ? { name: m[1]!, timing: m[2]!.toUpperCase(), event: m[3]!.toUpperCase(), table: m[4]!, level: 'ROW' }
        : { name: sql, table: '', timing: '', event: '', level: '' },
    );
  }
  return schema;
}

async function postgresSchema(client: pg.Client): Promise<Schema> {
  const schema: Schema = { columns: new Map(), primaryKeys: new Map(), uniques: new Map(), indexes: new Map(), foreignKeys: new Map(), triggers: [] };
  const tables = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  for (const { table_name: table } of tables.rows) {
    schema.columns.set(table, []);
    schema.primaryKeys.set(table, []);
    schema.uniques.set(table, []);
    schema.foreignKeys.set(table, []);
  }
  const columns = await client.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
    column_default: string | null;
    identity_generation: string | null;
  }>(
    `SELECT table_name, column_name, data_type, is_nullable, column_default, identity_generation
     FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  );
  for (const c of columns.rows) {
    // BY DEFAULT, as SQLite takes an explicit id: a copy from SQLite keeps its ids.
    const identity = c.identity_generation === 'BY DEFAULT';
    schema.columns
      .get(c.table_name)
      ?.push({ name: c.column_name, type: c.data_type, notNull: c.is_nullable === 'NO', default: normalize(c.column_default), identity });
  }
  const constraints = await client.query<{
    table_name: string;
    contype: string;
    columns: string[];
    ref_table: string | null;
    ref_columns: string[] | null;
    confdeltype: string;
    confupdtype: string;
    condeferrable: boolean;
  }>(
    `SELECT con.conrelid::regclass::text AS table_name, con.contype,
       (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS columns,
       nullif(con.confrelid, 0)::regclass::text AS ref_table,
       (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS ref_columns,
       con.confdeltype, con.confupdtype, con.condeferrable
     FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
     WHERE n.nspname = 'public' AND con.contype IN ('p', 'u', 'f')`,
  );
  for (const con of constraints.rows) {
    if (con.contype === 'p') schema.primaryKeys.set(con.table_name, con.columns);
    if (con.contype === 'u') schema.uniques.get(con.table_name)?.push(con.columns);
    if (con.contype === 'f') {
      schema.foreignKeys.get(con.table_name)?.push({
        columns: con.columns,
        refTable: con.ref_table ?? '',
        refColumns: con.ref_columns ?? [],
        onDelete: PG_ACTIONS[con.confdeltype] ?? con.confdeltype,
        onUpdate: PG_ACTIONS[con.confupdtype] ?? con.confupdtype,
        deferrable: con.condeferrable,
      });
    }
  }
  const indexes = await client.query<{ name: string; table_name: string; unique: boolean; columns: string[]; predicate: string | null; expressions: boolean }>(
    `SELECT i.indexrelid::regclass::text AS name, i.indrelid::regclass::text AS table_name, i.indisunique AS unique,
       (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) AS columns,
       pg_get_expr(i.indpred, i.indrelid) AS predicate, i.indexprs IS NOT NULL AS expressions
     FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
  );
  for (const i of indexes.rows) {
    schema.indexes.set(i.name, { table: i.table_name, unique: i.unique, columns: i.expressions ? ['(expression)'] : i.columns, where: normalize(i.predicate) });
  }
  const triggers = await client.query<{
    trigger_name: string;
    event_object_table: string;
    action_timing: string;
    event_manipulation: string;
    action_orientation: string;
  }>(
    `SELECT trigger_name, event_object_table, action_timing, event_manipulation, action_orientation FROM information_schema.triggers WHERE trigger_schema = 'public'`,
  );
  for (const t of triggers.rows) {
    schema.triggers.push({
      name: t.trigger_name,
      table: t.event_object_table,
      timing: t.action_timing,
      event: t.event_manipulation,
      level: t.action_orientation,
    });
  }
  return schema;
}

/** A client that reads BIGINT as a number, as the store's adapter does. */
function connect(url: string): pg.Client {
  const bigintAsNumber = (oid: number, format?: unknown): ((value: string) => unknown) =>
    oid === pg.types.builtins.INT8 ? Number : (pg.types.getTypeParser(oid, format as 'text') as (value: string) => unknown);
  return new pg.Client({ connectionString: url, types: { getTypeParser: bigintAsNumber } as pg.CustomTypesConfig });
}

async function migratedDatabase(url: string): Promise<pg.Client> {
  const client = connect(url);
  await client.connect();
  await client.query('BEGIN');
  for (const sql of POSTGRES_MIGRATIONS) await client.query(sql);
  await client.query('COMMIT');
  return client;
}

const sorted = <T>(items: T[], key: (item: T) => string): T[] => [...items].sort((a, b) => key(a).localeCompare(key(b)));

let server: Postgres;

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await server?.destroy();
});

describe('PostgreSQL schema: the catalogues compared with SQLite after every migration', () => {
  const sqlite = sqliteAfterMigrations();
  let client: pg.Client;
  let lite: Schema;
  let post: Schema;

  beforeAll(async () => {
    client = await migratedDatabase(await server.createDatabase('catalogue'));
    lite = sqliteSchema(sqlite);
    post = await postgresSchema(client);
  });
  afterAll(async () => {
    sqlite.close();
    await client?.end();
  });

  it('has the same tables', () => {
    expect([...post.columns.keys()].sort()).toEqual([...lite.columns.keys()].sort());
  });

  it('has the same columns in the same order, types mapped, with the same NOT NULL, defaults and generated ids; rowid only where listed', () => {
    for (const [table, columns] of lite.columns) {
      const expected = ROWID_TABLES.includes(table) ? [...columns, { name: 'rowid', type: 'bigint', notNull: true, default: null, identity: true }] : columns;
      expect(post.columns.get(table), table).toEqual(expected);
    }
  });

  it('gives every text column the byte-wise "C" collation, which is how SQLite compares text', async () => {
    const { rows } = await client.query<{ column: string; collation_name: string | null }>(
      `SELECT table_name || '.' || column_name AS column, collation_name FROM information_schema.columns
       WHERE table_schema = 'public' AND data_type = 'text' AND collation_name IS DISTINCT FROM 'C'`,
    );
    expect(rows).toEqual([]);
  });

  it('has the same primary keys and unique constraints', () => {
    expect(Object.fromEntries(post.primaryKeys)).toEqual(Object.fromEntries(lite.primaryKeys));
    expect(Object.fromEntries(post.uniques)).toEqual(Object.fromEntries(lite.uniques));
  });

  it('has the same indexes: names, tables, columns, uniqueness and partial WHERE', () => {
    expect(Object.fromEntries(post.indexes)).toEqual(Object.fromEntries(lite.indexes));
    expect([...lite.indexes.values()].filter((i) => i.where !== null).length).toBeGreaterThanOrEqual(6);
  });

  it('has the same foreign keys with the same ON DELETE and ON UPDATE, none deferred', () => {
    const key = (fk: ForeignKey): string => fk.columns.join();
    for (const [table, fks] of lite.foreignKeys) expect(sorted(post.foreignKeys.get(table) ?? [], key), table).toEqual(sorted(fks, key));
  });

  it('has the same triggers, by name, table, timing, event and once per row', () => {
    const key = (t: Trigger): string => `${t.table}.${t.name}`;
    expect(sorted(post.triggers, key)).toEqual(sorted(lite.triggers, key));
  });

  it('starts with the same rows (the seeded maintenance_version)', async () => {
    for (const table of lite.columns.keys()) {
      const liteRows = sqlite.prepare(`SELECT * FROM ${table}`).all();
      const { rows } = await client.query(`SELECT * FROM ${table}`);
      const postRows = rows.map(({ rowid: _rowid, ...row }: Record<string, unknown>) => row);
      expect(postRows, table).toEqual(liteRows);
    }
    expect(sqlite.prepare('SELECT * FROM maintenance_version').all()).toEqual([{ id: 1, version: 0 }]);
  });

  it('lists every table whose rows the store orders by rowid', () => {
    const ordered = new Set<string>();
    for (const file of readdirSync(STORE_DIR).filter((f) => f.endsWith('.ts') && f !== 'migrations.ts')) {
      const source = readFileSync(join(STORE_DIR, file), 'utf8');
      // Each SQL string literal that names rowid, by the first table it reads.
      for (const [literal] of source.matchAll(/`[^`]*`|'(?:[^'\\\n]|\\.)*'/g)) {
        const table = /\browid\b/.test(literal) ? /\bFROM (\w+)/i.exec(literal)?.[1] : undefined;
        if (table) ordered.add(table);
      }
    }
    expect(ordered.size).toBeGreaterThan(0);
    for (const table of ordered) expect(ROWID_TABLES, `${table} is ordered by rowid`).toContain(table);
  });
});

/** How a statement ended, in terms both engines report. */
type Outcome = 'accepted' | 'check' | 'unique' | 'foreign key' | 'not null' | 'type';

const SQLITE_OUTCOMES: Record<string, Outcome> = {
  SQLITE_CONSTRAINT_CHECK: 'check',
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign key',
  SQLITE_CONSTRAINT_NOTNULL: 'not null',
  SQLITE_CONSTRAINT_DATATYPE: 'type',
};
const POSTGRES_OUTCOMES: Record<string, Outcome> = { '23514': 'check', '23505': 'unique', '23503': 'foreign key', '23502': 'not null', '22P02': 'type' };

interface Statement {
  sql: string;
  params: unknown[];
}
const st = (sql: string, ...params: unknown[]): Statement => ({ sql, params });
/** better-sqlite3's `?` placeholders as pg's `$n`. */
const numbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

type Row = Record<string, unknown>;
/** A row each table accepts once BASE is in (every table but the seeded maintenance_version): cases change it. */
const VALID: Record<string, Row> = {
  tenants: { id: 'beta', name: 'Beta', created_at: T0 },
  enrollment_tokens: { id: 'tok2', tenant: 'acme', secret_hash: HASH, created_at: T0, expires_at: T0 + 1, max_uses: 2, uses_left: 2 },
  agents: { id: 'ag3', tenant: 'acme', secret_hash: HASH, hostname: 'h3', os: 'linux', arch: 'x64', agent_version: '1.0.0', token_id: 'tok1', enrolled_at: T0 },
  agent_revocations: { agent_id: 'ag1', revoked_at: T0 },
  api_keys: { id: 'k', name: 'n', secret_hash: HASH, created_at: T0, role: 'read', tenant: 'acme' },
  agent_os: { agent_id: 'ag1', identity: '{}', observed_at: T0 },
  alert_states: { rule_id: 'r', tenant: 'acme', agent_id: 'ag1', instance: 'i', host: 'h', state: '{}', updated_at: T0 },
  tickets: {
    ...{ tenant: 'acme', host: 'h', agent_id: 'ag2', rule_id: 'disk', title: 't', summary: 's', status: 'open', priority: 'P2', urgency: 'high' },
    ...{ impact: 'medium', sla_profile: 'default', opened_at: T0, updated_at: T0 },
  },
  ticket_sla: { ticket_id: 1, target: 'respond', started_at: T0, due_at: T0 + 2, warn_at: T0 + 1 },
  ticket_events: { ticket_id: 1, at: T0, kind: 'opened', detail: 'd' },
  maintenance_windows: { id: 'w', tenant: 'acme', reason: 'r', starts_at: T0, ends_at: T0 + 1, created_at: T0, created_by: 'me' },
  silences: { id: 's', tenant: 'acme', starts_at: T0, ends_at: T0 + 1, comment: 'c', created_at: T0, created_by: 'me' },
  influx_outbox: { line: 'm v=1' },
  desk_outbox: { desk: 'jira', ticket_id: 1, kind: 'opened', at: T0, detail: 'd', ticket: '{}', state: 'pending', next_attempt_at: T0 },
  desk_tickets: { desk: 'jira', ticket_id: 1, remote_id: 'J-1', created_at: T0 },
  compliance_waivers: { tenant: 'acme', agent_id: 'ag1', host: 'h', standard: 'av', reason: 'r', created_by: 'me', created_at: T0, expires_at: T0 + 1 },
  compliance_states: { tenant: 'acme', agent_id: 'ag1', host: 'h', standard: 'av', verdict: 'pass', reason: 'r', since: T0, evaluated_at: T0, waiver_id: 1 },
  compliance_points: { agent_id: 'ag1', tenant: 'acme', host: 'h', series: 'av', time: T0, point: '{}' },
  compliance_pending: { agent_id: 'ag1', update_key: 'k', title: 't', first_seen: T0, last_seen: T0 },
  compliance_tickets: { agent_id: 'ag1', tenant: 'acme', standards: '[]' },
  agent_sessions: { agent_id: 'ag1', tenant: 'acme', connected_at: T0, disconnected_at: null, end_reason: null },
  agent_session_history: { id: 1, started_at: T0 },
  collectors: { id: 'c1', hostname: 'collector-a', started_at: T0, seen_at: T0, stopped_at: null },
  report_deliveries: { tenant: 'acme', month: '2026-01', state: 'pending', attempts: 0, next_attempt_at: T0, recipients: '[]', updated_at: T0 },
  av_actions: {
    ...{ id: 'av', tenant: 'acme', agent_id: 'ag1', host: 'h', action: 'quick_scan', origin: 'schedule', by_name: null, asked_at: T0 },
    ...{ deliver_by: T0 + 1, status: 'queued' },
  },
  av_defender: { agent_id: 'ag1', tenant: 'acme', state: '{}', seen_at: T0 },
  patch_pending: {
    ...{ agent_id: 'ag1', tenant: 'acme', host: 'h', update_key: 'k', manager: 'apt', install_id: 'i', title: 't', version: '1', security: 1 },
    ...{ critical: 0, first_seen: T0, last_seen: T0 },
  },
  patch_sightings: { tenant: 'acme', update_key: 'k', version: '1', first_seen: T0 },
  patch_decisions: { tenant: 'acme', update_key: 'k', decision: 'approve', reason: 'r', created_by: 'me', created_at: T0 },
  patch_plans: {
    ...{ plan_id: 'p', agent_id: 'ag1', tenant: 'acme', host: 'h', ring: 'r', window_start: T0, window_end: T0 + 1, items: '[]' },
    ...{ first_offered_at: T0, offered_at: T0 },
  },
  patch_results: { agent_id: 'ag1', tenant: 'acme', host: 'h', plan_id: 'p', manager: 'apt', install_id: 'i', title: 't', outcome: 'installed', at: T0 },
  patch_runs: {
    ...{ agent_id: 'ag1', tenant: 'acme', host: 'h', plan_id: 'p', window_start: T0, window_end: T0 + 1, approved: 1, installed: 1, failed: 0 },
    ...{ not_applicable: 0, not_started: 0, reboot_required: 0, rebooted: 0, at: T0 },
  },
};

/** INSERT of `table`'s valid row with `changes` (a column changed to undefined is left out, to take its default). */
function insert(table: string, changes: Row = {}): Statement {
  const entries = Object.entries({ ...VALID[table], ...changes }).filter(([, value]) => value !== undefined);
  const columns = entries.map(([column]) => column).join(', ');
  return st(`INSERT INTO ${table} (${columns}) VALUES (${entries.map(() => '?').join(', ')})`, ...entries.map(([, value]) => value));
}

/** Tenant acme with token tok1, agents ag1 and ag2, ticket 1 (ag1, disk, open), waiver 1 (tenant-wide). */
const BASE: Statement[] = [
  insert('tenants', { id: 'acme', name: 'Acme' }),
  insert('enrollment_tokens', { id: 'tok1' }),
  insert('agents', { id: 'ag1', hostname: 'h1' }),
  insert('agents', { id: 'ag2', hostname: 'h2' }),
  insert('tickets', { agent_id: 'ag1' }),
  insert('compliance_waivers', { agent_id: null, host: null, standard: 'bitlocker' }),
];

interface Case {
  name: string;
  expected: Outcome;
  statement: Statement;
  setup: Statement[];
}
const c = (name: string, expected: Outcome, statement: Statement, setup: Statement[] = []): Case => ({ name, expected, statement, setup });
const RESOLVE_TICKET_1 = st(`UPDATE tickets SET status = 'resolved' WHERE id = 1`);
const RECURRING: Row = { ends_at: null, cron: '0 2 * * *', duration_ms: 3_600_000, timezone: 'Europe/Berlin' };
const ENDED: Row = { disconnected_at: T0 + 1, end_reason: 'disconnect' };

const CASES: Case[] = [
  ...Object.keys(VALID).map((table) => c(`${table}: a valid row`, 'accepted', insert(table))),
  c('tenants: a duplicate id', 'unique', insert('tenants', { id: 'acme' })),
  c('tenants: a NULL name', 'not null', insert('tenants', { name: null })),
  c('tenants: a fractional time', 'type', insert('tenants', { created_at: 1.5 })),
  c('tenants: text in a time column', 'type', insert('tenants', { created_at: 'soon' })),
  c('tenants: a negative time (no CHECK on either)', 'accepted', insert('tenants', { created_at: -1 })),
  c('tenants: a time past 32 bits', 'accepted', insert('tenants', { created_at: 2 ** 52 })),
  c('tenants: deleting one that agents reference', 'foreign key', st(`DELETE FROM tenants WHERE id = 'acme'`)),
  c('enrollment_tokens: max_uses 0', 'check', insert('enrollment_tokens', { max_uses: 0, uses_left: 0 })),
  c('enrollment_tokens: uses_left above max_uses', 'check', insert('enrollment_tokens', { uses_left: 3 })),
  c('enrollment_tokens: negative uses_left', 'check', insert('enrollment_tokens', { uses_left: -1 })),
  c('enrollment_tokens: an unknown tenant', 'foreign key', insert('enrollment_tokens', { tenant: 'nobody' })),
  c('agents: an unknown enrollment token', 'foreign key', insert('agents', { token_id: 'nope' })),
  c('agents: a NULL secret hash', 'not null', insert('agents', { secret_hash: null })),
  c('agent_revocations: an unknown agent', 'foreign key', insert('agent_revocations', { agent_id: 'nobody' })),
  c('agent_os: an unknown agent', 'foreign key', insert('agent_os', { agent_id: 'nobody' })),
  c('api_keys: an unknown role', 'check', insert('api_keys', { role: 'owner' })),
  c('api_keys: an admin key of one tenant', 'check', insert('api_keys', { role: 'admin' })),
  c('api_keys: a read key of no tenant', 'check', insert('api_keys', { tenant: null })),
  c('api_keys: the default role (admin) with no tenant', 'accepted', insert('api_keys', { role: undefined, tenant: null })),
  c('api_keys: the default role (admin) with a tenant', 'check', insert('api_keys', { role: undefined })),
  c('api_keys: an unknown tenant', 'foreign key', insert('api_keys', { tenant: 'nobody' })),
  c('alert_states: a duplicate key', 'unique', insert('alert_states', { host: 'h2' }), [insert('alert_states')]),
  c('tickets: an unknown status', 'check', insert('tickets', { status: 'closed' })),
  c('tickets: an unknown priority', 'check', insert('tickets', { priority: 'P5' })),
  c('tickets: an unknown urgency', 'check', insert('tickets', { urgency: 'urgent' })),
  c('tickets: an unknown impact', 'check', insert('tickets', { impact: 'none' })),
  c('tickets: an unknown tenant', 'foreign key', insert('tickets', { tenant: 'nobody' })),
  c('tickets: a second unresolved one of a (tenant, agent, rule)', 'unique', insert('tickets', { agent_id: 'ag1', status: 'acknowledged' })),
  c('tickets: a resolved one beside the unresolved one', 'accepted', insert('tickets', { agent_id: 'ag1', status: 'resolved' })),
  c('tickets: a new one once the first is resolved', 'accepted', insert('tickets', { agent_id: 'ag1' }), [RESOLVE_TICKET_1]),
  c('tickets: reopening the first beside a newer unresolved one', 'unique', st(`UPDATE tickets SET status = 'open' WHERE id = 1`), [
    RESOLVE_TICKET_1,
    insert('tickets', { agent_id: 'ag1' }),
  ]),
  c('tickets: an explicit id (copied data)', 'accepted', insert('tickets', { id: 10 })),
  c('tickets: a taken id', 'unique', insert('tickets', { id: 1 })),
  c('ticket_sla: an unknown target', 'check', insert('ticket_sla', { target: 'close' })),
  c('ticket_sla: an unknown ticket', 'foreign key', insert('ticket_sla', { ticket_id: 99 })),
  c('ticket_events: an unknown ticket', 'foreign key', insert('ticket_events', { ticket_id: 99 })),
  c('ticket_events: deleting a ticket that has events', 'foreign key', st('DELETE FROM tickets WHERE id = 1'), [insert('ticket_events')]),
  c('maintenance_windows: one-off without an end', 'check', insert('maintenance_windows', { ends_at: null })),
  c('maintenance_windows: one-off with a duration', 'check', insert('maintenance_windows', { duration_ms: 60_000 })),
  c('maintenance_windows: recurring without a time zone', 'check', insert('maintenance_windows', { ...RECURRING, timezone: null })),
  c('maintenance_windows: recurring', 'accepted', insert('maintenance_windows', RECURRING)),
  c('maintenance_windows: an unknown tenant', 'foreign key', insert('maintenance_windows', { tenant: 'nobody' })),
  c('silences: an unknown tenant', 'foreign key', insert('silences', { tenant: 'nobody' })),
  c('maintenance_version: a second row', 'check', st('INSERT INTO maintenance_version (id, version) VALUES (2, 0)')),
  c('maintenance_version: the one row again', 'unique', st('INSERT INTO maintenance_version (id, version) VALUES (1, 0)')),
  c('influx_outbox: a NULL line', 'not null', insert('influx_outbox', { line: null })),
  c('influx_outbox: claimed, with a lease', 'accepted', insert('influx_outbox', { claimed_by: 'collector-a/1', lease_until: T0 })),
  c('desk_outbox: an unknown state', 'check', insert('desk_outbox', { state: 'lost' })),
  c('desk_outbox: discarded', 'accepted', insert('desk_outbox', { state: 'discarded' })),
  c('desk_outbox: claimed, with a lease', 'accepted', insert('desk_outbox', { claimed_by: 'collector-a/1', lease_until: T0 })),
  c('desk_outbox: an unknown ticket', 'foreign key', insert('desk_outbox', { ticket_id: 99 })),
  c('desk_tickets: a second id of one ticket in one desk', 'unique', insert('desk_tickets', { remote_id: 'J-2' }), [insert('desk_tickets')]),
  c('compliance_waivers: expiring when made', 'check', insert('compliance_waivers', { expires_at: T0 })),
  c('compliance_waivers: an agent without its host', 'check', insert('compliance_waivers', { host: null })),
  c('compliance_waivers: a host without its agent', 'check', insert('compliance_waivers', { agent_id: null })),
  c('compliance_waivers: revoked by nobody', 'check', insert('compliance_waivers', { revoked_at: T0 })),
  c('compliance_waivers: revoked by someone', 'accepted', insert('compliance_waivers', { revoked_at: T0, revoked_by: 'me' })),
  c('compliance_waivers: an unknown agent', 'foreign key', insert('compliance_waivers', { agent_id: 'nobody' })),
  c('compliance_states: an unknown verdict', 'check', insert('compliance_states', { verdict: 'maybe' })),
  c('compliance_states: an unknown waiver', 'foreign key', insert('compliance_states', { waiver_id: 99 })),
  c('compliance_points: a duplicate (agent, series)', 'unique', insert('compliance_points', { time: T0 + 1 }), [insert('compliance_points')]),
  c('compliance_pending: a duplicate (agent, update)', 'unique', insert('compliance_pending', { title: 'u' }), [insert('compliance_pending')]),
  c('compliance_tickets: a duplicate agent', 'unique', insert('compliance_tickets', { standards: '["av"]' }), [insert('compliance_tickets')]),
  c('agent_sessions: an unknown end reason', 'check', insert('agent_sessions', { ...ENDED, end_reason: 'crash' })),
  c('agent_sessions: ended without a reason', 'check', insert('agent_sessions', { ...ENDED, end_reason: null })),
  c('agent_sessions: a reason while open', 'check', insert('agent_sessions', { end_reason: 'restart' })),
  c('agent_sessions: ended before it began', 'check', insert('agent_sessions', { ...ENDED, disconnected_at: T0 - 1 })),
  c('agent_sessions: a second open session of one agent', 'unique', insert('agent_sessions', { connected_at: T0 + 5 }), [insert('agent_sessions')]),
  c('agent_sessions: open again once the first ended', 'accepted', insert('agent_sessions', { connected_at: T0 + 5 }), [insert('agent_sessions', ENDED)]),
  c('agent_sessions: an unknown agent', 'foreign key', insert('agent_sessions', { agent_id: 'nobody' })),
  c('agent_session_history: a second row', 'check', insert('agent_session_history', { id: 2 })),
  c('collectors: a second collector under the same id', 'unique', insert('collectors', { hostname: 'collector-b' }), [insert('collectors')]),
  c('collectors: no hostname', 'not null', insert('collectors', { hostname: null })),
  c('agent_session_history: the one row twice', 'unique', insert('agent_session_history'), [insert('agent_session_history')]),
  c('report_deliveries: an unknown state', 'check', insert('report_deliveries', { state: 'queued' })),
  c('report_deliveries: a second row of a (tenant, month)', 'unique', insert('report_deliveries', { state: 'sent' }), [insert('report_deliveries')]),
  c('av_actions: an unknown action', 'check', insert('av_actions', { action: 'full_scan' })),
  c('av_actions: an unknown origin', 'check', insert('av_actions', { origin: 'cron' })),
  c('av_actions: an unknown status', 'check', insert('av_actions', { status: 'done' })),
  c('av_actions: a person not named', 'check', insert('av_actions', { origin: 'person' })),
  c('av_actions: a schedule with a name', 'check', insert('av_actions', { by_name: 'me' })),
  c('av_actions: a named person', 'accepted', insert('av_actions', { origin: 'person', by_name: 'me' })),
  c('av_actions: an unknown agent', 'foreign key', insert('av_actions', { agent_id: 'nobody' })),
  c('av_defender: an unknown agent', 'foreign key', insert('av_defender', { agent_id: 'nobody' })),
  c('patch_pending: a NULL flag', 'not null', insert('patch_pending', { security: null })),
  c('patch_pending: a flag other than 0 or 1 (no CHECK on either)', 'accepted', insert('patch_pending', { security: 2 })),
  c('patch_sightings: a duplicate', 'unique', insert('patch_sightings', { first_seen: T0 + 1 }), [insert('patch_sightings')]),
  c('patch_decisions: an unknown decision', 'check', insert('patch_decisions', { decision: 'defer' })),
  c('patch_decisions: an unknown tenant', 'foreign key', insert('patch_decisions', { tenant: 'nobody' })),
  c('patch_plans: a window ending as it starts', 'check', insert('patch_plans', { window_end: T0 })),
  c('patch_results: a duplicate item', 'unique', insert('patch_results', { outcome: 'failed' }), [insert('patch_results')]),
  c('patch_runs: a NULL count', 'not null', insert('patch_runs', { failed: null })),
  c('patch_runs: a duplicate (agent, plan)', 'unique', insert('patch_runs', { at: T0 + 1 }), [insert('patch_runs')]),
];

describe('PostgreSQL schema: the same writes accepted and refused as on SQLite', () => {
  const sqlite = sqliteAfterMigrations();
  let client: pg.Client;

  const inBoth = async (s: Statement): Promise<void> => {
    sqlite.prepare(s.sql).run(...s.params);
    await client.query(numbered(s.sql), s.params);
  };
  const outcomes = async (s: Statement): Promise<{ sqlite: string; postgres: string }> => {
    const code = (error: unknown): string => (error as { code?: string }).code ?? String(error);
    let lite: string = 'accepted';
    let post: string = 'accepted';
    try {
      sqlite.prepare(s.sql).run(...s.params);
    } catch (error) {
      lite = SQLITE_OUTCOMES[code(error)] ?? code(error);
    }
    try {
      await client.query(numbered(s.sql), s.params);
    } catch (error) {
      post = POSTGRES_OUTCOMES[code(error)] ?? `${code(error)}: ${(error as Error).message}`;
    }
    return { sqlite: lite, postgres: post };
  };
  /** Runs `body` in a transaction on both and rolls both back, so every case starts from BASE. */
  const isolated = async <T>(body: () => Promise<T>): Promise<T> => {
    sqlite.exec('BEGIN');
    await client.query('BEGIN');
    try {
      return await body();
    } finally {
      sqlite.exec('ROLLBACK');
      await client.query('ROLLBACK');
    }
  };

  beforeAll(async () => {
    client = await migratedDatabase(await server.createDatabase('behaviour'));
    for (const s of BASE) await inBoth(s);
  });
  afterAll(async () => {
    sqlite.close();
    await client?.end();
  });

  it.each(CASES)('$name: $expected on both', async ({ setup, statement, expected }) => {
    const seen = await isolated(async () => {
      for (const s of setup) await inBoth(s);
      return outcomes(statement);
    });
    expect(seen).toEqual({ sqlite: expected, postgres: expected });
  });

  it('has a valid row for every table and a refused case for every table with a CHECK', () => {
    expect(Object.keys(VALID).sort()).toEqual(tablesOf(sqlite).filter((t) => t !== 'maintenance_version'));
    const checked = sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%CHECK (%'`).pluck().all() as string[];
    expect(checked.length).toBeGreaterThanOrEqual(15);
    for (const table of checked)
      expect(
        CASES.some((k) => k.name.startsWith(`${table}:`) && k.expected === 'check'),
        table,
      ).toBe(true);
  });

  it('bumps maintenance_version once per row inserted, updated or deleted in maintenance_windows and silences', async () => {
    const steps: Statement[] = [
      insert('maintenance_windows', { id: 'w1' }),
      insert('maintenance_windows', { id: 'w2', ...RECURRING }),
      st('UPDATE maintenance_windows SET deleted_at = ?', T0), // two rows
      st(`UPDATE maintenance_windows SET deleted_at = ? WHERE id = 'none'`, T0), // no row
      st(`DELETE FROM maintenance_windows WHERE id = 'w1'`),
      insert('silences', { id: 's1' }),
      insert('silences', { id: 's2' }),
      st(`UPDATE silences SET expired_at = ?`, T0), // two rows
      st(`UPDATE silences SET expired_at = ? WHERE id = 'none'`, T0), // no row
      st(`DELETE FROM silences`), // two rows
      st(`UPDATE tenants SET name = 'Acme Ltd'`), // another table
    ];
    const versions = await isolated(async () => {
      const seen = { sqlite: [] as unknown[], postgres: [] as unknown[] };
      const select = 'SELECT version FROM maintenance_version WHERE id = 1';
      for (const s of steps) {
        await inBoth(s);
        seen.sqlite.push(sqlite.prepare(select).pluck().get());
        seen.postgres.push((await client.query(select)).rows[0]?.version);
      }
      return seen;
    });
    const expected = [1, 2, 4, 4, 5, 6, 7, 9, 9, 11, 11];
    expect(versions).toEqual({ sqlite: expected, postgres: expected });
  });

  it('orders rows of equal time by rowid, in insertion order, as SQLite does', async () => {
    const selects: Record<string, string> = {
      maintenance_windows: 'SELECT id FROM maintenance_windows ORDER BY created_at, rowid',
      silences: 'SELECT id FROM silences ORDER BY created_at, rowid',
      av_actions: 'SELECT id FROM av_actions ORDER BY asked_at DESC, rowid DESC',
    };
    expect(Object.keys(selects).sort()).toEqual([...ROWID_TABLES].sort());
    const ids = ['m', 'c', 'x', 'a'];
    for (const [table, select] of Object.entries(selects)) {
      const orders = await isolated(async () => {
        for (const id of ids) await inBoth(insert(table, { id }));
        return { sqlite: sqlite.prepare(select).pluck().all(), postgres: (await client.query(select)).rows.map((r: { id: string }) => r.id) };
      });
      const inserted = select.includes('DESC') ? [...ids].reverse() : ids;
      expect(orders, table).toEqual({ sqlite: inserted, postgres: inserted });
    }
  });

  it('generates ids in insertion order and takes explicit ones; unlike SQLite, PostgreSQL neither follows an explicit id nor reuses a rolled-back one', async () => {
    const lines = async (statements: Statement[]): Promise<{ sqlite: unknown[]; postgres: unknown[] }> =>
      isolated(async () => {
        for (const s of statements) await inBoth(s);
        const select = `SELECT id || ':' || line AS row FROM influx_outbox ORDER BY id`;
        return { sqlite: sqlite.prepare(select).pluck().all(), postgres: (await client.query(select)).rows.map((r: { row: string }) => r.row) };
      });
    // Earlier cases took (and rolled back) ids of this table's sequence: start it over.
    await client.query(`SELECT setval(pg_get_serial_sequence('influx_outbox', 'id'), 1, false)`);
    const line = (text: string, id?: number): Statement => insert('influx_outbox', { line: text, id });
    // SQLite's next id is one past the largest; a sequence goes on from its own last value.
    expect(await lines([line('a'), line('b'), line('c', 7), line('d')])).toEqual({
      sqlite: ['1:a', '2:b', '7:c', '8:d'],
      postgres: ['1:a', '2:b', '3:d', '7:c'],
    });
    // A sequence is not transactional: the ids the rolled-back transaction took stay taken.
    expect(await lines([line('e')])).toEqual({ sqlite: ['1:e'], postgres: ['4:e'] });
  });
});

describe('PostgreSQL schema: text sorts as in SQLite in a database whose locale sorts otherwise', () => {
  const SQLITE_ORDER = ['A', 'B', 'Z', '_x', 'a', 'b', 'é'];
  const sqlite = sqliteAfterMigrations();
  let client: pg.Client;

  beforeAll(async () => {
    const admin = connect(server.url);
    await admin.connect();
    try {
      // ICU's en-US order puts '_' first and 'a' beside 'A'; SQLite compares bytes ('A' < 'Z' < '_' < 'a').
      await admin.query(`CREATE DATABASE icu_en_us TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`);
    } finally {
      await admin.end();
    }
    client = await migratedDatabase(server.urlOf('icu_en_us'));
    for (const id of ['b', 'B', 'a', 'A', '_x', 'Z', 'é']) {
      const s = insert('tenants', { id, name: id });
      sqlite.prepare(s.sql).run(...s.params);
      await client.query(numbered(s.sql), s.params);
    }
  });
  afterAll(async () => {
    sqlite.close();
    await client?.end();
  });

  it('orders and compares tenant ids byte by byte', async () => {
    const queries = ['SELECT id FROM tenants ORDER BY id', `SELECT id FROM tenants WHERE id > 'Z' ORDER BY name DESC`];
    for (const select of queries) {
      expect(
        (await client.query(select)).rows.map((r: { id: string }) => r.id),
        select,
      ).toEqual(sqlite.prepare(select).pluck().all());
    }
    expect(sqlite.prepare(queries[0]!).pluck().all()).toEqual(SQLITE_ORDER);
    // The database's own order differs: without the columns' "C" this test would fail.
    const { rows } = await client.query(`SELECT id FROM tenants ORDER BY id COLLATE "default"`);
    expect(rows.map((r: { id: string }) => r.id)).not.toEqual(SQLITE_ORDER);
  });
});

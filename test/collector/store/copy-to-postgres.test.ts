// `watchpost-collector store migrate --to postgres://...`: an installation's SQLite state moves into an empty
// PostgreSQL database, every table counted on both sides, a ticket's history read back through the store, ids
// going on where SQLite's ended; a database that already holds data is refused and left as it was.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../collector/src/store/index.js';
import { startPostgres, type Postgres } from '../../../scripts/lib/postgres.js';
import { collectorCli } from '../../helpers/collector-cli.js';
import { newTicket } from '../../helpers/collector-tickets.js';

const T0 = Date.UTC(2026, 10, 2, 9);
const HOUR = 3_600_000;
let server: Postgres;
let dir: string;

beforeAll(async () => {
  server = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'watchpost-copy-'));
});
afterAll(async () => {
  await server?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** An installation with rows in the tables a year of use fills: agents, tickets with clocks and events, holds, outboxes. */
function seed(file: string): { ticketId: number; agentId: string } {
  let t = T0;
  mkdirSync(join(file, '..'), { recursive: true });
  const store = openStore(file, { now: () => t });
  try {
    store.tenants.add({ id: 'acme', name: 'Acme GmbH' });
    store.tenants.add({ id: 'beta', name: 'Beta KG' });
    const { token } = store.tokens.create({ tenant: 'acme', expiresAt: T0 + 24 * HOUR, uses: 5 });
    const enrolled = store.enrollWithToken(token, { hostname: 'SQL01', os: 'win32', arch: 'x64', agentVersion: '1.2.0' });
    if (!enrolled.ok) throw new Error(enrolled.reason);
    const agentId = enrolled.agentId;
    store.enrollWithToken(token, { hostname: 'ws-02', os: 'win32', arch: 'x64', agentVersion: '1.2.0' });
    store.apiKeys.create({ name: 'grafana', tenant: 'acme', role: 'read' });
    const sla = [{ target: 'respond' as const, startedAt: T0, dueAt: T0 + HOUR, warnAt: T0 + HOUR / 2 }];
    const first = store.tickets.open(newTicket({ host: 'SQL01', agentId, sla }), T0, 'disk fired');
    store.tickets.update(
      first.id,
      { status: 'acknowledged', acknowledgedAt: T0 + 60_000, acknowledgedBy: 'kim' },
      { kind: 'acknowledged', at: T0 + 60_000, detail: 'kim' },
    );
    store.tickets.addEvent(first.id, { kind: 'note', at: T0 + 120_000, detail: 'disk replaced tonight' });
    for (let i = 0; i < 40; i++) store.tickets.open(newTicket({ host: `h${i}`, ruleId: 'cpu' }), T0 + i, 'cpu fired');
    t = T0 + HOUR;
    store.maintenance.addWindow({ tenant: 'acme', host: 'SQL01', reason: 'firmware', startsAt: T0 + 2 * HOUR, endsAt: T0 + 3 * HOUR, createdBy: 'kim' });
    store.maintenance.addWindow({ tenant: 'acme', reason: 'same time', startsAt: T0 + 2 * HOUR, endsAt: T0 + 3 * HOUR, createdBy: 'kim' });
    store.maintenance.addSilence({ tenant: 'acme', host: 'SQL01', ruleId: 'cpu', startsAt: T0, endsAt: T0 + HOUR, comment: 'noisy', createdBy: 'kim' });
    store.deskOutbox.enqueue('psa', { ticket: { ...first, correlationKey: `watchpost-acme-${first.id}` }, kind: 'opened', at: T0, detail: 'disk fired' });
    store.sessions.recover(T0);
    store.sessions.open(agentId, 'acme', T0 + 5_000);
    return { ticketId: first.id, agentId };
  } finally {
    store.close();
  }
}

function sqliteCounts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'")
      .pluck()
      .all() as string[];
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number]));
  } finally {
    db.close();
  }
}

describe('store migrate --to postgres://', () => {
  it('copies every row, counted per table, keeps ids and history, and new ids go on past the copied ones', async () => {
    const dataDir = join(dir, 'install-a');
    const { ticketId, agentId } = seed(join(dataDir, 'watchpost.db'));
    const url = await server.createDatabase('copy_a');
    const secretUrl = url.replace('watchpost@', 'watchpost:s3cret-pw@');
    const run = await collectorCli(['store', 'migrate', '--to', secretUrl, '--json'], { WATCHPOST_DATA_DIR: dataDir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('s3cret-pw');
    const report = JSON.parse(run.stdout) as { tables: { table: string; rows: number }[]; rows: number; to: string };
    expect(report.to).toContain('***');
    const expected = sqliteCounts(join(dataDir, 'watchpost.db'));
    expect(Object.fromEntries(report.tables.map((t) => [t.table, t.rows]))).toEqual(expected);
    expect(expected.tickets).toBe(41);
    expect(expected.maintenance_windows).toBe(2);

    const before = openStore(join(dataDir, 'watchpost.db'));
    const after: Store = openStore(url);
    try {
      expect(after.tickets.get(ticketId)).toEqual(before.tickets.get(ticketId));
      expect(after.tickets.events(ticketId)).toEqual(before.tickets.events(ticketId));
      expect(after.tickets.list({ limit: 1000 })).toEqual(before.tickets.list({ limit: 1000 }));
      expect(after.agents.list()).toEqual(before.agents.list());
      expect(after.maintenance.listWindows({})).toEqual(before.maintenance.listWindows({}));
      expect(after.sessions.overlapping(agentId, T0, T0 + HOUR)).toEqual(before.sessions.overlapping(agentId, T0, T0 + HOUR));
      expect(after.deskOutbox.due('psa', T0 + HOUR, 10)).toEqual(before.deskOutbox.due('psa', T0 + HOUR, 10));
      // The identity sequences were moved past the copied ids.
      const next = after.tickets.open(newTicket({ host: 'new01' }), T0 + 2 * HOUR, 'fired');
      expect(next.id).toBeGreaterThan(Math.max(...before.tickets.list({ limit: 1000 }).map((t) => t.id)));
      expect(after.tickets.addEvent(next.id, { kind: 'note', at: T0 + 2 * HOUR, detail: 'n' }).id).toBeGreaterThan(
        Math.max(...before.tickets.events(ticketId).map((e) => e.id)),
      );
      // The token's uses were copied as consumed: two of five.
      expect(after.tokens.list('acme')[0]).toMatchObject({ usesLeft: 3 });
    } finally {
      before.close();
      after.close();
    }
  });

  it('refuses a database that already holds data, naming the table, and changes nothing', async () => {
    const dataDir = join(dir, 'install-b');
    seed(join(dataDir, 'watchpost.db'));
    const url = await server.createDatabase('copy_b');
    const other = openStore(url);
    other.tenants.add({ id: 'other', name: 'Another installation' });
    other.close();
    const run = await collectorCli(['store', 'migrate', '--to', url], { WATCHPOST_DATA_DIR: dataDir });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/already holds data \(table tenants: 1 rows\)/);
    const check = openStore(url);
    try {
      expect(check.tenants.list().map((t) => t.id)).toEqual(['other']);
      expect(check.agents.list()).toEqual([]);
    } finally {
      check.close();
    }
  });

  it('says what to pass when --to is missing or not a PostgreSQL URL', async () => {
    const run = await collectorCli(['store', 'migrate', '--to', 'mysql://x'], { WATCHPOST_DATA_DIR: join(dir, 'install-a') });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--to takes the PostgreSQL URL/);
  });
});

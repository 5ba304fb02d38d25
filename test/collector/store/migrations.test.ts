// Migrations that move existing data, tested on a database built at the schema before them with the rows a
// collector in the field has written.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { appliedVersions, migrate } from '../../../collector/src/store/db.js';
import { MIGRATIONS } from '../../../collector/src/store/migrations.js';
import { createAlertStateStore } from '../../../collector/src/store/alert-states.js';
import { createTicketStore } from '../../../collector/src/store/tickets.js';
import { StoreError } from '../../../collector/src/store/errors.js';
import { open, tempDbPath, T0 } from './helpers.js';
import { formatApiKey, hashSecret, newSecret } from '../../../collector/src/store/secrets.js';
import { newTicket } from '../../helpers/collector-tickets.js';

/** The migration that keys alert states and tickets on the agent. */
const AGENT_KEYS = MIGRATIONS.findIndex((sql) => sql.includes('ALTER TABLE alert_states RENAME TO alert_states_by_host'));

describe('migration: alerts and tickets keyed on the agent', () => {
  /** A database at the schema before the migration, with agents, alert states and tickets keyed by hostname. */
  function before(): Database.Database {
    const db = new Database(tempDbPath());
    migrate(db, MIGRATIONS.slice(0, AGENT_KEYS), () => T0);
    db.exec("INSERT INTO tenants (id, name, created_at) VALUES ('acme', 'Acme', 0), ('beta', 'Beta', 0)");
    const agent = db.prepare(`INSERT INTO agents (id, tenant, secret_hash, hostname, os, arch, agent_version, enrolled_at, revoked_at)
      VALUES (?, ?, x'00', ?, 'linux', 'x64', '1.0.0', 0, ?)`);
    agent.run('ag_a', 'acme', 'sql01', null);
    agent.run('ag_b', 'beta', 'sql01', null); // the same name in another tenant
    agent.run('ag_r', 'acme', 'web01-new', null); // reported as web01 first, then as web01-new
    agent.run('ag_s', 'acme', 'app1', null); // reported as app1-tmp for a while, then as app1 again
    agent.run('ag_old', 'acme', 'ws07', T0); // revoked; its machine replaced by ag_new under the same name
    agent.run('ag_new', 'acme', 'ws07', null);
    agent.run('ag_x1', 'acme', 'dup', null); // two live agents that said the same name
    agent.run('ag_x2', 'acme', 'dup', null);
    agent.run('ag_rev', 'acme', 'old01', T0); // revoked, nobody took the name
    agent.run('ag_t1', 'acme', 'twin', T0); // two revoked agents of one name
    agent.run('ag_t2', 'acme', 'twin', T0);

    const state = db.prepare('INSERT INTO alert_states (rule_id, tenant, host, instance, state, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    state.run('disk', 'acme', 'sql01', 'C:', '"a"', T0);
    state.run('disk', 'beta', 'sql01', 'C:', '"b"', T0);
    state.run('disk', 'acme', 'web01', '/', '"r old name, newer"', T0 + 5);
    state.run('disk', 'acme', 'web01-new', '/', '"r current name"', T0 + 1);
    state.run('disk', 'acme', 'web01', '/var', '"r only under the old name"', T0);
    state.run('cpu', 'acme', 'ws07', '', '"ticketed by the revoked agent"', T0);
    state.run('mem', 'acme', 'ws07', '', '"no ticket"', T0);
    state.run('cpu', 'acme', 'dup', '', '"ticketed by x2"', T0);
    state.run('disk', 'acme', 'dup', '/', '"ambiguous"', T0);
    state.run('disk', 'acme', 'old01', '/', '"only a revoked agent"', T0);
    state.run('disk', 'acme', 'twin', '/', '"two revoked agents"', T0);
    state.run('disk', 'acme', 'gone', '/', '"no agent"', T0);

    const ticket = db.prepare(`INSERT INTO tickets (id, tenant, host, agent_id, rule_id, title, summary, status, priority, urgency, impact,
      sla_profile, opened_at, updated_at, resolved_at, resolved_by) VALUES (?, 'acme', ?, ?, ?, ?, 's', ?, 'P2', 'medium', 'high', 'x', ?, ?, ?, ?)`);
    const put = (id: number, host: string, agentId: string, rule: string, status = 'open') =>
      ticket.run(
        id,
        host,
        agentId,
        rule,
        `${rule} on ${host}`,
        status,
        T0 + id,
        T0 + id,
        status === 'resolved' ? T0 + id : null,
        status === 'resolved' ? 'auto' : null,
      );
    put(1, 'sql01', 'ag_a', 'disk');
    put(2, 'web01', 'ag_r', 'disk'); // the same agent and rule under two names
    put(3, 'web01-new', 'ag_r', 'disk', 'acknowledged');
    put(4, 'app1', 'ag_s', 'cpu'); // older, but under the current name
    put(5, 'app1-tmp', 'ag_s', 'cpu');
    put(6, 'ws07', 'ag_old', 'cpu');
    put(7, 'dup', 'ag_x2', 'cpu');
    put(8, 'web01', 'ag_r', 'mem', 'resolved'); // history is left alone
    db.prepare("INSERT INTO ticket_sla (ticket_id, target, started_at, due_at, warn_at) VALUES (2, 'resolve', ?, ?, ?)").run(T0, T0 + 9, T0 + 8);
    return db;
  }

  it('gives every alert state its agent, drops the ones no agent can be told for, and keeps one ticket per agent and rule', () => {
    expect(AGENT_KEYS).toBeGreaterThan(0);
    const db = before();
    const startedAt = Date.now();
    migrate(db, MIGRATIONS.slice(0, AGENT_KEYS + 1), () => T0 + 100);
    expect(appliedVersions(db)).toEqual(MIGRATIONS.slice(0, AGENT_KEYS + 1).map((_, i) => i + 1));

    const states = db
      .prepare('SELECT rule_id, tenant, agent_id, host, instance, state FROM alert_states ORDER BY tenant, agent_id, rule_id, instance')
      .raw()
      .all();
    // Dropped: 'dup' disk (two live agents, no ticket), 'twin' (two revoked agents), 'gone' (no agent).
    expect(states).toEqual([
      ['disk', 'acme', 'ag_a', 'sql01', 'C:', '"a"'],
      ['mem', 'acme', 'ag_new', 'ws07', '', '"no ticket"'], // the one live agent of the name
      ['cpu', 'acme', 'ag_old', 'ws07', '', '"ticketed by the revoked agent"'], // follows its ticket
      ['disk', 'acme', 'ag_r', 'web01-new', '/', '"r current name"'], // of two, the one under the current name
      ['disk', 'acme', 'ag_r', 'web01-new', '/var', '"r only under the old name"'], // shown under the current name
      ['disk', 'acme', 'ag_rev', 'old01', '/', '"only a revoked agent"'],
      ['cpu', 'acme', 'ag_x2', 'dup', '', '"ticketed by x2"'], // follows its ticket
      ['disk', 'beta', 'ag_b', 'sql01', 'C:', '"b"'],
    ]);

    const tickets = db.prepare('SELECT id, host, agent_id, status, resolved_by FROM tickets ORDER BY id').raw().all();
    expect(tickets).toEqual([
      [1, 'sql01', 'ag_a', 'open', null],
      [2, 'web01', 'ag_r', 'resolved', 'watchpost'],
      [3, 'web01-new', 'ag_r', 'acknowledged', null],
      [4, 'app1', 'ag_s', 'open', null],
      [5, 'app1-tmp', 'ag_s', 'resolved', 'watchpost'],
      [6, 'ws07', 'ag_old', 'open', null],
      [7, 'dup', 'ag_x2', 'open', null],
      [8, 'web01', 'ag_r', 'resolved', 'auto'],
    ]);
    const resolvedAt = db.prepare('SELECT resolved_at FROM tickets WHERE id = 2').pluck().get() as number;
    expect(resolvedAt).toBeGreaterThanOrEqual(startedAt - 1);
    const events = db.prepare('SELECT ticket_id, at, kind, detail, data FROM ticket_events ORDER BY ticket_id').all();
    expect(events).toEqual([
      {
        ticket_id: 2,
        at: resolvedAt,
        kind: 'resolved',
        detail: 'resolved on upgrade: ticket 3 carries on for the same agent and rule',
        data: '{"keptTicketId":3}',
      },
      {
        ticket_id: 5,
        at: expect.any(Number),
        kind: 'resolved',
        detail: 'resolved on upgrade: ticket 4 carries on for the same agent and rule',
        data: '{"keptTicketId":4}',
      },
    ]);

    // The stores read the migrated tables: the agent's open ticket is found by its id, whatever name it shows.
    const alertStates = createAlertStateStore(db);
    const ticketStore = createTicketStore(db);
    expect(alertStates.forAgent('acme', 'ag_r').map((s) => [s.key.instance, s.key.host, s.state])).toEqual([
      ['/', 'web01-new', 'r current name'],
      ['/var', 'web01-new', 'r only under the old name'],
    ]);
    expect(ticketStore.findOpen('acme', 'ag_r', 'disk')?.id).toBe(3);
    expect(ticketStore.findOpen('acme', 'ag_new', 'cpu')).toBeNull();
    expect(ticketStore.findRenamed('acme', 'ag_s', 'app1')).toEqual([]);
    expect(ticketStore.get(2)?.sla).toHaveLength(1); // the resolved duplicate keeps its clocks and history
    // The new index: one unresolved ticket per (tenant, agent, rule), whatever the host; another agent may share a name.
    const input = newTicket({ agentId: 'ag_a', ruleId: 'disk' });
    expect(() => ticketStore.open({ ...input, host: 'sql01-renamed' }, T0 + 200, 'fired')).toThrow(StoreError);
    expect(ticketStore.open({ ...input, host: 'sql01', agentId: 'ag_other' }, T0 + 200, 'fired').agentId).toBe('ag_other');
    db.close();
  });
});

describe('migrations: older rows in newer tables', () => {
  it('turns keys made before scopes into admin keys when the database is migrated', () => {
    const file = tempDbPath();
    const scopes = MIGRATIONS.findIndex((sql) => /ALTER TABLE api_keys ADD COLUMN role/.test(sql));
    expect(scopes).toBeGreaterThan(0);
    // The database as the collector before scopes left it, with a key it created (the row it wrote).
    const db = new Database(file);
    migrate(db, MIGRATIONS.slice(0, scopes), () => T0);
    const secret = newSecret();
    db.prepare('INSERT INTO api_keys (id, name, secret_hash, created_at) VALUES (?, ?, ?, ?)').run('0123456789abcdef', 'grafana', hashSecret(secret), T0);
    db.close();
    const store = open(file);
    const info = { id: '0123456789abcdef', name: 'grafana', tenant: null, role: 'admin', createdAt: T0, revokedAt: null };
    expect(store.apiKeys.list()).toEqual([info]);
    expect(store.apiKeys.authenticate(formatApiKey('0123456789abcdef', secret))).toEqual(info);
  });

  it('migrates a database with verdicts from before waivers: each state has no waiver', () => {
    const file = tempDbPath();
    const db = new Database(file);
    const before = MIGRATIONS.findIndex((sql) => sql.includes('CREATE TABLE compliance_waivers'));
    migrate(db, MIGRATIONS.slice(0, before), () => T0);
    db.prepare(
      `INSERT INTO compliance_states (tenant, agent_id, host, standard, verdict, reason, evidence, since, evaluated_at)
       VALUES ('acme', 'a1', 'sql01', 'backup', 'fail', 'too old', NULL, ?, ?)`,
    ).run(T0, T0);
    db.close();
    const store = open(file);
    expect(store.compliance.states('acme')).toEqual([expect.objectContaining({ standard: 'backup', verdict: 'fail', waiver: null })]);
  });
});

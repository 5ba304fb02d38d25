// Tickets: at most one unresolved ticket per (tenant, agent, rule), its SLA clocks and its event log. The unique
// partial index tickets_one_unresolved enforces the "one unresolved" rule in the database, so two collectors (or a
// collector and a retry) racing to open the same ticket get one ticket and one StoreError `conflict`. The key is the
// enrolled agent, not its hostname: `host` is the agent's name for people (the desk, the API) and may change.
//
// Contract: every write is one IMMEDIATE transaction that also appends its event, so a ticket never changes
// without a trace. The store does no ticket logic (no priority, no SLA arithmetic, no clock stopping on ack): the
// ticket manager decides, the store records. Times are unix ms. The ticket itself is tickets/model.ts; the input
// checks are ticket-checks.ts; this file is the SQL.
import type { Priority } from '../alerting/contract.js';
import {
  SLA_TARGETS,
  TICKET_STATUSES,
  type NewTicket,
  type NewTicketEvent,
  type SlaClockInput,
  type SlaClockRow,
  type SlaTarget,
  type Ticket,
  type TicketEvent,
  type TicketPatch,
  type TicketStatus,
} from '../tickets/model.js';
import type { Db, RowOf } from './db.js';
import { dialectOf, type Dialect } from './sql.js';
import { StoreError } from './errors.js';
import { checkTime, clip, isUniqueViolation, oneOf } from './checks.js';
import { checkEvent, checkNew, checkPatch } from './ticket-checks.js';

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

export interface TicketListFilter {
  status?: TicketStatus | 'unresolved';
  tenant?: string;
  host?: string;
  /** Default DEFAULT_LIST_LIMIT, at most MAX_LIST_LIMIT. */
  limit?: number;
  /** Only tickets with a smaller id: pass the last id of a page to get the next. */
  beforeId?: number;
}

export interface TicketStore {
  /**
   * Opens a ticket (status open, updatedAt = openedAt = at) with its clocks and its 'opened' event, in one
   * transaction. Throws StoreError `conflict` when an unresolved ticket exists for (tenant, agentId, ruleId),
   * `tenant_unknown`, or `invalid_argument` naming the field. Title, summary and detail longer than their
   * maximum are cut, never refused: a ticket is worth more than its last characters.
   */
  open(input: NewTicket, at: number, detail: string): Ticket;
  get(id: number): Ticket | null;
  /** The unresolved ticket of the key, if any. */
  findOpen(tenant: string, agentId: string, ruleId: string): Ticket | null;
  /** The most recently opened resolved ticket of the key (to reopen within a window instead of opening anew). */
  lastResolved(tenant: string, agentId: string, ruleId: string): Ticket | null;
  /**
   * The key of every unresolved ticket, read from the partial index alone (its cost follows the open tickets): the
   * engine's tick compares it with the firing alerts to find tickets a person resolved while their alert fired.
   */
  unresolvedKeys(): Array<{ tenant: string; agentId: string; ruleId: string }>;
  /** The agent's unresolved tickets that show a hostname other than `host` (the agent was renamed since). */
  findRenamed(tenant: string, agentId: string, host: string): Ticket[];
  /** Newest first. */
  list(filter?: TicketListFilter): Ticket[];
  /**
   * Applies the patch (only the keys present; an explicit null clears), sets updatedAt = event.at and appends
   * the event, in one transaction; returns the new ticket. `sla`, when given, replaces all clock rows. Throws
   * StoreError `not_found`, `conflict` (a status change that would make a second unresolved ticket of the key)
   * or `invalid_argument`.
   */
  update(id: number, patch: TicketPatch, event: NewTicketEvent): Ticket;
  /** Appends an event (a note, an SLA mark, a hold); the ticket itself is unchanged. Throws `not_found`. */
  addEvent(id: number, event: NewTicketEvent): TicketEvent;
  /** Oldest first; [] for an unknown ticket. */
  events(id: number): TicketEvent[];
  /**
   * Clocks of unresolved tickets that are not met and have a mark due: warnAt <= now with approachedAt unset,
   * or dueAt <= now with breachedAt unset. Reads only unresolved tickets (the partial index), so its cost
   * follows the open tickets, not the history.
   */
  slaDue(now: number): Array<{ ticket: Ticket; clock: SlaClockRow }>;
  /** Sets the mark if unset (idempotent: the first time stays). Throws `not_found` for a missing clock. */
  markSla(id: number, target: SlaTarget, field: 'metAt' | 'approachedAt' | 'breachedAt', at: number): void;
  countByStatus(tenant?: string): Record<TicketStatus, number>;
  /** Unresolved tickets per tenant, priority and status, with how many have a clock approaching or breached now. */
  openSummary(now: number): OpenSummaryRow[];
}

export interface OpenSummaryRow {
  tenant: string;
  priority: Priority;
  status: Exclude<TicketStatus, 'resolved'>;
  count: number;
  slaApproaching: number;
  slaBreached: number;
}

/** A ticket's row: its clocks as one JSON column (SLA_JSON). */
type TicketRow = RowOf<Omit<Ticket, 'sla'>> & { sla: string };

/** An event's row: its data as JSON text. */
type EventRow = RowOf<Omit<TicketEvent, 'data'>> & { data: string | null };

const SLA_FIELDS = `'target', target, 'startedAt', started_at, 'dueAt', due_at, 'warnAt', warn_at, 'metAt', met_at,
  'approachedAt', approached_at, 'breachedAt', breached_at`;
/**
 * Each ticket's clocks ride along as one JSON column, so a list is one query whatever its length (in the order of
 * ticket_sla's key, as SQLite reads them).
 */
const SLA_JSON: Record<Dialect, string> = {
  sqlite: `(SELECT json_group_array(json_object(${SLA_FIELDS})) FROM ticket_sla WHERE ticket_id = t.id) AS sla`,
  postgres: `(SELECT coalesce(json_agg(json_build_object(${SLA_FIELDS}) ORDER BY target), '[]')::text FROM ticket_sla WHERE ticket_id = t.id) AS sla`,
};
/**
 * SQLite is told to read the unresolved tickets through the partial unique index (it refuses to prepare the
 * statement rather than fall back to scanning every ticket ever opened); PostgreSQL's planner picks that index
 * for the same WHERE by itself.
 */
const THROUGH_UNRESOLVED: Record<Dialect, string> = { sqlite: 'INDEXED BY tickets_one_unresolved', postgres: '' };
/** SQLite's CROSS JOIN keeps the tickets as the outer loop (through that index); PostgreSQL plans a JOIN itself. */
const OUTER_FIRST: Record<Dialect, string> = { sqlite: 'CROSS JOIN', postgres: 'JOIN' };
/** The exact term of the partial unique index, so SQLite can read that index (only unresolved tickets). */
const UNRESOLVED = "t.status != 'resolved'";
/** The same set for list(): through tickets_status (status, id), so a page never scans the resolved history. */
const UNRESOLVED_LIST = "t.status IN ('open', 'acknowledged')";

/** Patch key -> column. Every mutable column is listed once; update() sets only the keys present. */
const MUTABLE = {
  host: 'host',
  title: 'title',
  summary: 'summary',
  status: 'status',
  priority: 'priority',
  urgency: 'urgency',
  impact: 'impact',
  acknowledgedAt: 'acknowledged_at',
  acknowledgedBy: 'acknowledged_by',
  planAt: 'plan_at',
  planBy: 'plan_by',
  resolvedAt: 'resolved_at',
  resolvedBy: 'resolved_by',
  reopenCount: 'reopen_count',
} as const;
type MutableKey = keyof typeof MUTABLE;
const MUTABLE_KEYS = Object.keys(MUTABLE) as MutableKey[];
const MARK_COLUMNS = { metAt: 'met_at', approachedAt: 'approached_at', breachedAt: 'breached_at' } as const;

function toTicket(row: TicketRow): Ticket {
  const sla = (JSON.parse(row.sla) as SlaClockRow[]).sort((a, b) => SLA_TARGETS.indexOf(a.target) - SLA_TARGETS.indexOf(b.target));
  return {
    id: row.id,
    tenant: row.tenant,
    host: row.host,
    agentId: row.agent_id,
    ruleId: row.rule_id,
    title: row.title,
    summary: row.summary,
    status: row.status,
    priority: row.priority,
    urgency: row.urgency,
    impact: row.impact,
    slaProfile: row.sla_profile,
    openedAt: row.opened_at,
    updatedAt: row.updated_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    planAt: row.plan_at,
    planBy: row.plan_by,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
    reopenCount: row.reopen_count,
    sla,
  };
}

function toEvent(row: EventRow): TicketEvent {
  const data = row.data === null ? null : (JSON.parse(row.data) as Record<string, unknown>);
  return { id: row.id, ticketId: row.ticket_id, at: row.at, kind: row.kind, detail: row.detail, data };
}

function prepare(db: Db) {
  const dialect = dialectOf(db);
  const slaJson = SLA_JSON[dialect];
  const SELECT = `SELECT t.*, ${slaJson} FROM tickets t`;
  const unresolvedIndex = THROUGH_UNRESOLVED[dialect];
  const setClause = MUTABLE_KEYS.map((k) => `${MUTABLE[k]} = CASE WHEN @set_${k} = 1 THEN @${k} ELSE ${MUTABLE[k]} END`).join(', ');
  const mark = (column: string) => db.prepare(`UPDATE ticket_sla SET ${column} = coalesce(${column}, ?) WHERE ticket_id = ? AND target = ?`);
  return {
    select: SELECT,
    tenantExists: db.prepare('SELECT 1 FROM tenants WHERE id = ?').pluck(),
    insert: db
      .prepare(
        `INSERT INTO tickets (tenant, host, agent_id, rule_id, title, summary, status, priority, urgency,
      impact, sla_profile, opened_at, updated_at) VALUES (@tenant, @host, @agentId, @ruleId, @title, @summary, 'open',
      @priority, @urgency, @impact, @slaProfile, @at, @at)
      ON CONFLICT (tenant, agent_id, rule_id) WHERE status != 'resolved' DO NOTHING RETURNING id`,
      )
      .pluck(),
    update: db.prepare(`UPDATE tickets SET ${setClause}, updated_at = @updatedAt WHERE id = @id`),
    deleteClocks: db.prepare('DELETE FROM ticket_sla WHERE ticket_id = ?'),
    insertClock: db.prepare(`INSERT INTO ticket_sla (ticket_id, target, started_at, due_at, warn_at, met_at, approached_at,
      breached_at) VALUES (@ticketId, @target, @startedAt, @dueAt, @warnAt, @metAt, @approachedAt, @breachedAt)`),
    insertEvent: db.prepare('INSERT INTO ticket_events (ticket_id, at, kind, detail, data) VALUES (?, ?, ?, ?, ?) RETURNING id').pluck(),
    byId: db.prepare(`${SELECT} WHERE t.id = ?`),
    exists: db.prepare('SELECT 1 FROM tickets WHERE id = ?').pluck(),
    findOpen: db.prepare(`${SELECT} WHERE t.tenant = ? AND t.agent_id = ? AND t.rule_id = ? AND ${UNRESOLVED}`),
    lastResolved: db.prepare(`${SELECT} WHERE t.tenant = ? AND t.agent_id = ? AND t.rule_id = ? AND t.status = 'resolved'
      ORDER BY t.id DESC LIMIT 1`),
    unresolvedKeys: db.prepare(`SELECT t.tenant, t.agent_id AS "agentId", t.rule_id AS "ruleId" FROM tickets t ${unresolvedIndex}
      WHERE ${UNRESOLVED}`),
    // Read at start for every agent: through the unresolved tickets only, never the agent's whole history.
    findRenamed: db.prepare(`SELECT t.*, ${slaJson} FROM tickets t ${unresolvedIndex}
      WHERE t.tenant = ? AND t.agent_id = ? AND ${UNRESOLVED} AND t.host != ? ORDER BY t.id`),
    events: db.prepare('SELECT * FROM ticket_events WHERE ticket_id = ? ORDER BY id'),
    slaDue: db.prepare(`SELECT t.*, ${slaJson}, s.target AS due_target FROM tickets t ${unresolvedIndex}
      ${OUTER_FIRST[dialect]} ticket_sla s ON s.ticket_id = t.id WHERE ${UNRESOLVED} AND s.met_at IS NULL AND ((s.approached_at IS NULL AND s.warn_at <= @now)
      OR (s.breached_at IS NULL AND s.due_at <= @now)) ORDER BY t.id, s.target`),
    mark: { metAt: mark(MARK_COLUMNS.metAt), approachedAt: mark(MARK_COLUMNS.approachedAt), breachedAt: mark(MARK_COLUMNS.breachedAt) },
    countAll: db.prepare('SELECT status, count(*) AS n FROM tickets GROUP BY status'),
    openSummary: db.prepare(`SELECT t.tenant, t.priority, t.status, count(*) AS count,
        sum(CASE WHEN EXISTS (SELECT 1 FROM ticket_sla c WHERE c.ticket_id = t.id AND c.met_at IS NULL AND c.warn_at <= @now AND c.due_at > @now)
          THEN 1 ELSE 0 END) AS "slaApproaching",
        sum(CASE WHEN EXISTS (SELECT 1 FROM ticket_sla c WHERE c.ticket_id = t.id AND c.met_at IS NULL AND c.due_at <= @now) THEN 1 ELSE 0 END) AS "slaBreached"
      FROM tickets t WHERE t.status != 'resolved' GROUP BY t.tenant, t.priority, t.status ORDER BY t.tenant, t.priority, t.status`),
    countTenant: db.prepare('SELECT status, count(*) AS n FROM tickets WHERE tenant = ? GROUP BY status'),
  };
}

type Statements = ReturnType<typeof prepare>;

function writeClocks(s: Statements, ticketId: number, clocks: readonly SlaClockInput[]): void {
  for (const c of clocks) {
    s.insertClock.run({
      ticketId,
      target: c.target,
      startedAt: c.startedAt,
      dueAt: c.dueAt,
      warnAt: c.warnAt,
      metAt: c.metAt ?? null,
      approachedAt: c.approachedAt ?? null,
      breachedAt: c.breachedAt ?? null,
    });
  }
}

function insertEvent(s: Statements, id: number, event: NewTicketEvent): number {
  const data = event.data === undefined ? null : JSON.stringify(event.data);
  return Number(s.insertEvent.get(id, event.at, event.kind, clip(event.detail), data));
}

function patchParams(patch: TicketPatch): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const k of MUTABLE_KEYS) {
    const present = k in patch && patch[k] !== undefined;
    const value = patch[k];
    params[`set_${k}`] = present ? 1 : 0;
    params[k] = k === 'title' || k === 'summary' ? clip((value as string | undefined) ?? '', k) : (value ?? null);
  }
  return params;
}

function rethrowConflict(error: unknown, what: string): never {
  if (isUniqueViolation(error)) throw new StoreError('conflict', what);
  throw error;
}

/** Statements are prepared once here (list: once per filter shape); the methods are plain closures. */
export function createTicketStore(db: Db): TicketStore {
  const s = prepare(db);
  const get = (id: number): Ticket | null => {
    const row = s.byId.get(id) as TicketRow | undefined;
    return row ? toTicket(row) : null;
  };
  const mustGet = (id: number): Ticket => {
    const t = get(id);
    if (!t) throw new StoreError('not_found', `unknown ticket: ${id}`);
    return t;
  };
  const listStatements = new Map<string, ReturnType<Db['prepare']>>();

  const open = db.transaction((input: NewTicket, at: number, detail: string): Ticket => {
    checkNew(input, at);
    if (!s.tenantExists.get(input.tenant)) throw new StoreError('tenant_unknown', `unknown tenant: ${input.tenant}`);
    const { tenant, host, agentId, ruleId, priority, urgency, impact, slaProfile } = input;
    // The partial unique index decides: a second unresolved ticket for the key inserts nothing (whichever connection
    // or collector wrote the first), and the caller hears `conflict`.
    let inserted: unknown;
    try {
      inserted = s.insert.get({
        tenant,
        host,
        agentId,
        ruleId,
        priority,
        urgency,
        impact,
        slaProfile,
        at,
        title: clip(input.title, 'title'),
        summary: clip(input.summary, 'summary'),
      });
    } catch (error) {
      rethrowConflict(error, `an unresolved ticket exists for ${tenant}/${agentId} (${host})/${ruleId}`);
    }
    if (inserted === undefined) throw new StoreError('conflict', `an unresolved ticket exists for ${tenant}/${agentId} (${host})/${ruleId}`);
    const id = Number(inserted);
    writeClocks(s, id, input.sla);
    insertEvent(s, id, { kind: 'opened', at, detail });
    return mustGet(id);
  });

  const update = db.transaction((id: number, patch: TicketPatch, event: NewTicketEvent): Ticket => {
    checkPatch(patch);
    checkEvent(event);
    try {
      if (s.update.run({ ...patchParams(patch), updatedAt: event.at, id }).changes === 0) mustGet(id);
    } catch (error) {
      rethrowConflict(error, `ticket ${id}: another unresolved ticket exists for its agent and rule`);
    }
    if (patch.sla) {
      s.deleteClocks.run(id);
      writeClocks(s, id, patch.sla);
    }
    insertEvent(s, id, event);
    return mustGet(id);
  });

  const listStatement = (f: TicketListFilter) => {
    const where = [
      f.status === 'unresolved' ? UNRESOLVED_LIST : f.status !== undefined ? 't.status = @status' : '',
      f.tenant !== undefined ? 't.tenant = @tenant' : '',
      f.host !== undefined ? 't.host = @host' : '',
      f.beforeId !== undefined ? 't.id < @beforeId' : '',
    ].filter(Boolean);
    const sql = `${s.select}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY t.id DESC LIMIT @limit`;
    let statement = listStatements.get(sql);
    if (!statement) listStatements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };

  return {
    open: (input, at, detail) => open.immediate(input, at, detail),
    get,
    findOpen: (tenant, agentId, ruleId) => {
      const row = s.findOpen.get(tenant, agentId, ruleId) as TicketRow | undefined;
      return row ? toTicket(row) : null;
    },
    lastResolved: (tenant, agentId, ruleId) => {
      const row = s.lastResolved.get(tenant, agentId, ruleId) as TicketRow | undefined;
      return row ? toTicket(row) : null;
    },
    unresolvedKeys: () => s.unresolvedKeys.all() as Array<{ tenant: string; agentId: string; ruleId: string }>,
    findRenamed: (tenant, agentId, host) => (s.findRenamed.all(tenant, agentId, host) as TicketRow[]).map(toTicket),
    list: (filter = {}) => {
      const limit = filter.limit ?? DEFAULT_LIST_LIMIT;
      if (!Number.isInteger(limit) || limit < 1) throw new StoreError('invalid_argument', 'limit: expected a whole number >= 1');
      if (filter.status !== undefined && filter.status !== 'unresolved') oneOf('status', filter.status, TICKET_STATUSES);
      const params = { status: filter.status, tenant: filter.tenant, host: filter.host, beforeId: filter.beforeId, limit: Math.min(limit, MAX_LIST_LIMIT) };
      const bound = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== 'unresolved'));
      return (listStatement(filter).all(bound) as TicketRow[]).map(toTicket);
    },
    update: (id, patch, event) => update.immediate(id, patch, event),
    addEvent: (id, event) => {
      checkEvent(event);
      if (!s.exists.get(id)) throw new StoreError('not_found', `unknown ticket: ${id}`);
      const eventId = insertEvent(s, id, event);
      return { id: eventId, ticketId: id, at: event.at, kind: event.kind, detail: clip(event.detail), data: event.data ?? null };
    },
    events: (id) => (s.events.all(id) as EventRow[]).map(toEvent),
    slaDue: (now) =>
      (s.slaDue.all({ now }) as (TicketRow & { due_target: SlaTarget })[]).flatMap((row) => {
        const ticket = toTicket(row);
        const clock = ticket.sla.find((c) => c.target === row.due_target);
        return clock ? [{ ticket, clock }] : [];
      }),
    markSla: (id, target, field, at) => {
      oneOf('target', target, SLA_TARGETS);
      checkTime('at', at);
      const statement = s.mark[field];
      if (!statement) throw new StoreError('invalid_argument', `field: expected metAt, approachedAt or breachedAt; got ${String(field)}`);
      if (statement.run(at, id, target).changes === 0) throw new StoreError('not_found', `ticket ${id} has no ${target} clock`);
    },
    openSummary: (now) => s.openSummary.all({ now }) as OpenSummaryRow[],
    countByStatus: (tenant) => {
      const rows = (tenant === undefined ? s.countAll.all() : s.countTenant.all(tenant)) as { status: TicketStatus; n: number }[];
      const counts: Record<TicketStatus, number> = { open: 0, acknowledged: 0, resolved: 0 };
      for (const r of rows) counts[r.status] = r.n;
      return counts;
    },
  };
}

// Maintenance windows and silences: what holds tickets back (the hold check itself is alerting/holds.ts).
// A window is one-off ([startsAt, endsAt)) or recurring (a cron in a time zone, each occurrence lasting
// durationMs, from startsAt until endsAt or forever), scoped to a tenant, one of its sites or one host. A silence
// mutes one tenant, optionally narrowed to a host and/or a rule, for [startsAt, endsAt).
//
// Contract: deleting a window and expiring a silence keep the row (an audit trail) and mark it; marked rows
// never hold. version() changes with every write to either table, by whatever process (triggers in migration 4),
// so a collector can cache the lists and re-read them only when the number moved.
import { randomBytes } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import { IANAZone } from 'luxon';
import type { Db } from './db.js';
import { StoreError } from './errors.js';
import { checkKey, checkNote, checkOptionalKey, checkTime, invalid } from './checks.js';

export const WINDOW_ID_PREFIX = 'mw_';
export const SILENCE_ID_PREFIX = 'sil_';
const ID_BYTES = 8;
export const MAX_CRON_LENGTH = 100;

export interface Recurrence {
  /** 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first, as cron-parser reads them. */
  cron: string;
  durationMs: number;
  /** IANA zone the cron is read in, e.g. Europe/Berlin: "Saturdays 22:00" stays 22:00 local across DST. */
  timezone: string;
}

export interface MaintenanceWindow {
  id: string;
  tenant: string;
  site: string | null;
  host: string | null;
  reason: string;
  /** One-off: the start. Recurring: the earliest time an occurrence may start. */
  startsAt: number;
  /** One-off: the end (exclusive). Recurring: nothing holds from here on; null = forever. */
  endsAt: number | null;
  recurrence: Recurrence | null;
  createdAt: number;
  createdBy: string;
  deletedAt: number | null;
}

export interface NewMaintenanceWindow {
  tenant: string;
  /** Scope: a site or a host (not both); neither = the whole tenant. */
  site?: string | null;
  host?: string | null;
  reason: string;
  startsAt: number;
  endsAt?: number | null;
  recurrence?: Recurrence | null;
  createdBy: string;
}

export interface Silence {
  id: string;
  tenant: string;
  host: string | null;
  ruleId: string | null;
  startsAt: number;
  endsAt: number;
  comment: string;
  createdAt: number;
  createdBy: string;
  expiredAt: number | null;
}

export type NewSilence = Omit<Silence, 'id' | 'host' | 'ruleId' | 'createdAt' | 'expiredAt'> & { host?: string | null; ruleId?: string | null };

export interface MaintenanceStore {
  /** Throws StoreError `tenant_unknown`, or `invalid_argument` naming the field. */
  addWindow(input: NewMaintenanceWindow): MaintenanceWindow;
  /** Oldest first (creation order); deleted windows only with includeDeleted. */
  listWindows(filter?: { tenant?: string; includeDeleted?: boolean }): MaintenanceWindow[];
  getWindow(id: string): MaintenanceWindow | null;
  /** Marks the window deleted; false when it is unknown or already deleted. */
  deleteWindow(id: string, at: number): boolean;
  /** Throws StoreError `tenant_unknown`, or `invalid_argument` naming the field. */
  addSilence(input: NewSilence): Silence;
  /** Oldest first; with activeAt only those in force then (started, not ended, not expired). */
  listSilences(filter?: { tenant?: string; activeAt?: number }): Silence[];
  getSilence(id: string): Silence | null;
  /** Ends the silence now; false when it is unknown or already expired. */
  expireSilence(id: string, at: number): boolean;
  /** Changes with every write to windows or silences, by any process. */
  version(): number;
}

interface WindowRow {
  id: string;
  tenant: string;
  site: string | null;
  host: string | null;
  reason: string;
  starts_at: number;
  ends_at: number | null;
  cron: string | null;
  duration_ms: number | null;
  timezone: string | null;
  created_at: number;
  created_by: string;
  deleted_at: number | null;
}

interface SilenceRow {
  id: string;
  tenant: string;
  host: string | null;
  rule_id: string | null;
  starts_at: number;
  ends_at: number;
  comment: string;
  created_at: number;
  created_by: string;
  expired_at: number | null;
}

function toWindow(r: WindowRow): MaintenanceWindow {
  const recurrence =
    r.cron !== null && r.duration_ms !== null && r.timezone !== null ? { cron: r.cron, durationMs: r.duration_ms, timezone: r.timezone } : null;
  return {
    id: r.id,
    tenant: r.tenant,
    site: r.site,
    host: r.host,
    reason: r.reason,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    recurrence,
    createdAt: r.created_at,
    createdBy: r.created_by,
    deletedAt: r.deleted_at,
  };
}

function toSilence(r: SilenceRow): Silence {
  return {
    id: r.id,
    tenant: r.tenant,
    host: r.host,
    ruleId: r.rule_id,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    comment: r.comment,
    createdAt: r.created_at,
    createdBy: r.created_by,
    expiredAt: r.expired_at,
  };
}

/** A cron cron-parser reads and that has occurrences; throws `invalid_argument` naming the field otherwise. */
export function checkRecurrence(r: Recurrence): void {
  if (typeof r.timezone !== 'string' || !IANAZone.isValidZone(r.timezone)) {
    throw invalid('recurrence.timezone', `expected an IANA time zone like Europe/Berlin; got ${JSON.stringify(r.timezone)}`);
  }
  if (typeof r.cron !== 'string' || r.cron.trim() === '' || r.cron.length > MAX_CRON_LENGTH) {
    throw invalid('recurrence.cron', `expected a cron expression of 1-${MAX_CRON_LENGTH} characters`);
  }
  try {
    // An empty field list parses as "every minute"; a date that never occurs (30 Feb) throws here.
    CronExpressionParser.parse(r.cron, { tz: r.timezone }).next();
  } catch (error) {
    throw invalid('recurrence.cron', `${JSON.stringify(r.cron)} is not a cron expression: ${(error as Error).message}`);
  }
  if (!Number.isSafeInteger(r.durationMs) || r.durationMs <= 0) throw invalid('recurrence.durationMs', 'expected milliseconds > 0');
}

function checkWindow(w: NewMaintenanceWindow): void {
  checkKey('tenant', w.tenant);
  checkOptionalKey('site', w.site);
  checkOptionalKey('host', w.host);
  if (w.site != null && w.host != null) throw invalid('host', 'a window is scoped to a site or to a host, not both');
  checkNote('reason', w.reason);
  checkKey('createdBy', w.createdBy);
  checkTime('startsAt', w.startsAt);
  checkTime('endsAt', w.endsAt ?? null, true);
  if (w.recurrence) checkRecurrence(w.recurrence);
  else if (w.endsAt == null) throw invalid('endsAt', 'a one-off window needs an end');
  if (w.endsAt != null && w.endsAt <= w.startsAt) throw invalid('endsAt', 'must be after startsAt');
}

function checkSilence(s: NewSilence): void {
  checkKey('tenant', s.tenant);
  checkOptionalKey('host', s.host);
  checkOptionalKey('ruleId', s.ruleId);
  checkNote('comment', s.comment);
  checkKey('createdBy', s.createdBy);
  checkTime('startsAt', s.startsAt);
  checkTime('endsAt', s.endsAt);
  if (s.endsAt <= s.startsAt) throw invalid('endsAt', 'must be after startsAt');
}

const newId = (prefix: string): string => prefix + randomBytes(ID_BYTES).toString('hex');

export function createMaintenanceStore(db: Db, now: () => number): MaintenanceStore {
  const tenantExists = db.prepare('SELECT 1 FROM tenants WHERE id = ?').pluck();
  const insertWindow = db.prepare(`INSERT INTO maintenance_windows (id, tenant, site, host, reason, starts_at, ends_at, cron,
    duration_ms, timezone, created_at, created_by) VALUES (@id, @tenant, @site, @host, @reason, @startsAt, @endsAt, @cron,
    @durationMs, @timezone, @createdAt, @createdBy)`);
  const windowById = db.prepare('SELECT * FROM maintenance_windows WHERE id = ?');
  const windows = db.prepare(`SELECT * FROM maintenance_windows WHERE (CAST(@tenant AS TEXT) IS NULL OR tenant = @tenant)
    AND (@all = 1 OR deleted_at IS NULL) ORDER BY created_at, rowid`);
  const deleteWindow = db.prepare('UPDATE maintenance_windows SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL');
  const insertSilence = db.prepare(`INSERT INTO silences (id, tenant, host, rule_id, starts_at, ends_at, comment, created_at,
    created_by) VALUES (@id, @tenant, @host, @ruleId, @startsAt, @endsAt, @comment, @createdAt, @createdBy)`);
  const silenceById = db.prepare('SELECT * FROM silences WHERE id = ?');
  const silences = db.prepare(`SELECT * FROM silences WHERE (CAST(@tenant AS TEXT) IS NULL OR tenant = @tenant) AND (CAST(@activeAt AS BIGINT) IS NULL
    OR (starts_at <= @activeAt AND ends_at > @activeAt AND expired_at IS NULL)) ORDER BY created_at, rowid`);
  const expireSilence = db.prepare('UPDATE silences SET expired_at = ? WHERE id = ? AND expired_at IS NULL');
  const version = db.prepare('SELECT version FROM maintenance_version WHERE id = 1').pluck();

  const requireTenant = (tenant: string): void => {
    if (!tenantExists.get(tenant)) throw new StoreError('tenant_unknown', `unknown tenant: ${tenant}`);
  };
  const getWindow = (id: string): MaintenanceWindow | null => {
    const row = windowById.get(id) as WindowRow | undefined;
    return row ? toWindow(row) : null;
  };
  const getSilence = (id: string): Silence | null => {
    const row = silenceById.get(id) as SilenceRow | undefined;
    return row ? toSilence(row) : null;
  };

  return {
    addWindow(input) {
      checkWindow(input);
      requireTenant(input.tenant);
      const r = input.recurrence ?? null;
      const id = newId(WINDOW_ID_PREFIX);
      insertWindow.run({
        id,
        tenant: input.tenant,
        site: input.site ?? null,
        host: input.host ?? null,
        reason: input.reason.trim(),
        startsAt: input.startsAt,
        endsAt: input.endsAt ?? null,
        cron: r?.cron.trim() ?? null,
        durationMs: r?.durationMs ?? null,
        timezone: r?.timezone ?? null,
        createdAt: now(),
        createdBy: input.createdBy,
      });
      return getWindow(id)!;
    },
    listWindows: (filter = {}) => (windows.all({ tenant: filter.tenant ?? null, all: filter.includeDeleted ? 1 : 0 }) as WindowRow[]).map(toWindow),
    getWindow,
    deleteWindow: (id, at) => deleteWindow.run(at, id).changes === 1,
    addSilence(input) {
      checkSilence(input);
      requireTenant(input.tenant);
      const id = newId(SILENCE_ID_PREFIX);
      insertSilence.run({
        id,
        tenant: input.tenant,
        host: input.host ?? null,
        ruleId: input.ruleId ?? null,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        comment: input.comment.trim(),
        createdAt: now(),
        createdBy: input.createdBy,
      });
      return getSilence(id)!;
    },
    listSilences: (filter = {}) => (silences.all({ tenant: filter.tenant ?? null, activeAt: filter.activeAt ?? null }) as SilenceRow[]).map(toSilence),
    getSilence,
    expireSilence: (id, at) => expireSilence.run(at, id).changes === 1,
    version: () => version.get() as number,
  };
}

// Exceptions to the minimum standards, as the contracts allow them "under written agreement": a waiver of one
// standard for one agent (its hostname as it was then kept beside it, for people) or for the whole tenant (agentId
// null), with the reason, who agreed it, and until when. An exception without an end is not an agreement, so the
// expiry is required and at most MAX_WAIVER_YEARS ahead. A revoke records who and when; no row is ever deleted, so
// the monthly report can ask which exceptions were in force during a month.
//
// Contract: the store checks every input (StoreError `invalid_argument` naming the field, `tenant_unknown`); the
// compliance engine reads list({ tenant, activeAt }) at each evaluation, so a waiver written by another process
// (the CLI) applies at the serving collector's next evaluation of the host. Times are unix ms.
import { STANDARD_IDS } from '../compliance/standards/index.js';
import type { Db, RowOf } from './db.js';
import { StoreError } from './errors.js';
import { checkKey, checkNote, checkTime, invalid } from './checks.js';

/** The longest a waiver may run from its creation: the contracts are reviewed at least that often. */
export const MAX_WAIVER_YEARS = 2;

export interface Waiver {
  id: number;
  tenant: string;
  /** The agent the waiver covers; null: every host of the tenant. */
  agentId: string | null;
  /** The agent's hostname when the waiver was made (null with agentId null). */
  host: string | null;
  standard: string;
  reason: string;
  createdBy: string;
  createdAt: number;
  /** The waiver holds until this time (exclusive). */
  expiresAt: number;
  revokedAt: number | null;
  revokedBy: string | null;
}

export interface NewWaiver {
  tenant: string;
  /** A live agent of the tenant; null or absent: the whole tenant. */
  agentId?: string | null;
  standard: string;
  reason: string;
  createdBy: string;
  expiresAt: number;
}

export interface WaiverStore {
  /** The tenant's waivers, oldest first; with activeAt those in force then (created <= t < expires, not revoked by t). */
  list(q: { tenant: string; activeAt?: number }): Waiver[];
  get(id: number): Waiver | null;
  /** Records a waiver created now. Throws StoreError `tenant_unknown` or `invalid_argument` naming the field. */
  create(input: NewWaiver): Waiver;
  /** Ends the waiver at `at`; the first revoke stands (a second returns it unchanged). Null for an unknown id. */
  revoke(id: number, by: string, at: number): Waiver | null;
}

/** The latest expiry a waiver made at `now` may have: MAX_WAIVER_YEARS calendar years on. */
export function latestWaiverExpiry(now: number): number {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() + MAX_WAIVER_YEARS);
  return d.getTime();
}

type WaiverRow = RowOf<Waiver>;

const toWaiver = (r: WaiverRow): Waiver => ({
  id: r.id,
  tenant: r.tenant,
  agentId: r.agent_id,
  host: r.host,
  standard: r.standard,
  reason: r.reason,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  revokedBy: r.revoked_by,
});

function checkWaiver(w: NewWaiver, now: number): void {
  checkKey('tenant', w.tenant);
  if (w.agentId != null) checkKey('agentId', w.agentId);
  if (!STANDARD_IDS.includes(w.standard)) throw invalid('standard', `unknown standard "${w.standard}" (known: ${STANDARD_IDS.join(', ')})`);
  checkNote('reason', w.reason);
  checkKey('createdBy', w.createdBy);
  checkTime('expiresAt', w.expiresAt);
  if (w.expiresAt <= now) throw invalid('expiresAt', 'must be in the future');
  const latest = latestWaiverExpiry(now);
  if (w.expiresAt > latest) throw invalid('expiresAt', `at most ${MAX_WAIVER_YEARS} years ahead (${new Date(latest).toISOString().slice(0, 10)})`);
}

export function createWaiverStore(db: Db, now: () => number): WaiverStore {
  const tenantExists = db.prepare('SELECT 1 FROM tenants WHERE id = ?').pluck();
  const agentOf = db.prepare('SELECT tenant, hostname, revoked_at FROM agents WHERE id = ?');
  const insert = db
    .prepare(
      `INSERT INTO compliance_waivers (tenant, agent_id, host, standard, reason, created_by, created_at, expires_at)
    VALUES (@tenant, @agentId, @host, @standard, @reason, @createdBy, @createdAt, @expiresAt) RETURNING id`,
    )
    .pluck();
  const byId = db.prepare('SELECT * FROM compliance_waivers WHERE id = ?');
  const byTenant = db.prepare(`SELECT * FROM compliance_waivers WHERE tenant = @tenant AND (CAST(@activeAt AS BIGINT) IS NULL
    OR (created_at <= @activeAt AND expires_at > @activeAt AND (revoked_at IS NULL OR revoked_at > @activeAt))) ORDER BY id`);
  const revoke = db.prepare('UPDATE compliance_waivers SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL');

  const get = (id: number): Waiver | null => {
    const row = byId.get(id) as WaiverRow | undefined;
    return row ? toWaiver(row) : null;
  };
  /** The agent's hostname, after checking it is a live agent of the tenant. */
  const hostOf = (tenant: string, agentId: string): string => {
    const agent = agentOf.get(agentId) as { tenant: string; hostname: string; revoked_at: number | null } | undefined;
    if (!agent || agent.tenant !== tenant) throw invalid('agentId', `no agent ${agentId} in tenant ${tenant}`);
    if (agent.revoked_at !== null) throw invalid('agentId', `agent ${agentId} (${agent.hostname}) is revoked`);
    return agent.hostname;
  };

  return {
    list: (q) => (byTenant.all({ tenant: q.tenant, activeAt: q.activeAt ?? null }) as WaiverRow[]).map(toWaiver),
    get,
    create(input) {
      const at = Math.trunc(now());
      checkWaiver(input, at);
      if (!tenantExists.get(input.tenant)) throw new StoreError('tenant_unknown', `unknown tenant: ${input.tenant}`);
      const agentId = input.agentId ?? null;
      const host = agentId === null ? null : hostOf(input.tenant, agentId);
      const id = insert.get({
        tenant: input.tenant,
        agentId,
        host,
        standard: input.standard,
        reason: input.reason.trim(),
        createdBy: input.createdBy,
        createdAt: at,
        expiresAt: input.expiresAt,
      });
      return get(Number(id))!;
    },
    revoke(id, by, at) {
      checkKey('revokedBy', by);
      checkTime('revokedAt', at);
      revoke.run(Math.trunc(at), by, id);
      return get(id);
    },
  };
}

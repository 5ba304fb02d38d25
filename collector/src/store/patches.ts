// Patch management's tables: the updates each agent lists pending, the first sighting of each update version in the
// tenant, people's approvals and declines, the plans offered to agents, and the results and runs the agents report.
//
// Contract: every method is synchronous; decide() checks its input (StoreError `invalid_argument` naming the field,
// `tenant_unknown`). A pending row is never deleted while its agent lives: an update the latest run no longer lists
// is marked gone (gone_at) and listed again if it comes back. Decisions are never deleted either: the latest one that
// applies to a ring is in force, the earlier ones are its history. Times are unix ms.
import type { PatchManager, PlanItem } from '../patching/contract.js';
import type { PendingUpdate } from '../patching/keys.js';
import type { Db, RowOf } from './db.js';
import { StoreError } from './errors.js';
import { scalarMinMax } from './sql.js';
import { checkKey, checkNote, checkOptionalKey, checkTime, invalid, oneOf } from './checks.js';

export const PATCH_DECISIONS = ['approve', 'decline'] as const;
export type PatchDecisionKind = (typeof PATCH_DECISIONS)[number];

export interface PendingPatch extends Omit<PendingUpdate, 'version'> {
  agentId: string;
  tenant: string;
  host: string;
  version: string;
  firstSeen: number;
  lastSeen: number;
  /** When a run of the agent's first no longer listed it; null while listed. */
  goneAt: number | null;
  /** The first sighting of this update version on any host of the tenant: deferrals count from it. */
  tenantFirstSeen: number;
}

export interface PatchDecision {
  id: number;
  tenant: string;
  updateKey: string;
  /** The ring it applies to; null: every ring. */
  ring: string | null;
  decision: PatchDecisionKind;
  reason: string;
  createdBy: string;
  createdAt: number;
}

export type NewPatchDecision = Omit<PatchDecision, 'id' | 'createdAt' | 'ring'> & { ring?: string | null };

export interface StoredPlan {
  planId: string;
  agentId: string;
  tenant: string;
  host: string;
  ring: string;
  windowStart: number;
  windowEnd: number;
  items: PlanItem[];
  firstOfferedAt: number;
  offeredAt: number;
}

export interface PatchResult {
  agentId: string;
  tenant: string;
  host: string;
  planId: string;
  manager: PatchManager;
  installId: string;
  title: string;
  outcome: 'installed' | 'failed' | 'not_applicable' | 'not_started';
  code: number | null;
  detail: string | null;
  at: number;
}

export interface PatchRun {
  agentId: string;
  tenant: string;
  host: string;
  planId: string;
  windowStart: number;
  windowEnd: number;
  approved: number;
  installed: number;
  failed: number;
  notApplicable: number;
  notStarted: number;
  rebootRequired: boolean;
  rebooted: boolean;
  at: number;
}

export interface PatchStore {
  /** Records one sighting of a pending update on the agent: first_seen stays, last_seen moves forward, gone clears. */
  seePending(agent: { id: string; tenant: string; hostname: string }, update: PendingUpdate, at: number): void;
  /** Marks gone the agent's updates last seen before `before` (a newer run does not list them); returns how many. */
  markGone(agentId: string, before: number, at: number): number;
  /** Pending updates of the tenant (or of one agent), gone ones only with includeGone; oldest sighting first. */
  pending(q: { tenant: string; agentId?: string; includeGone?: boolean }): PendingPatch[];
  /** Records an approval or a decline made now. */
  decide(input: NewPatchDecision): PatchDecision;
  /** The tenant's decisions (of one update), oldest first. */
  decisions(tenant: string, updateKey?: string): PatchDecision[];
  /** Records a plan offered at `at` (again: its offered_at moves, the rest stays). */
  putPlan(plan: Omit<StoredPlan, 'firstOfferedAt' | 'offeredAt'>, at: number): void;
  plan(planId: string): StoredPlan | null;
  /** The agent's plans whose window ends after `since`, oldest first. */
  plansOf(agentId: string, since: number): StoredPlan[];
  /** The tenant's plans with a window overlapping [from, to), oldest first. */
  plansIn(tenant: string, from: number, to: number): StoredPlan[];
  putResult(result: PatchResult): void;
  putRun(run: PatchRun): void;
  /** The agent's results, newest first. */
  resultsOf(agentId: string): PatchResult[];
  /** The tenant's results reported in [from, to), oldest first. */
  resultsIn(tenant: string, from: number, to: number): PatchResult[];
  runsIn(tenant: string, from: number, to: number): PatchRun[];
}

interface PendingRow {
  agent_id: string;
  tenant: string;
  host: string;
  update_key: string;
  manager: PatchManager;
  install_id: string;
  title: string;
  kb: string | null;
  package: string | null;
  version: string;
  security: number;
  critical: number;
  first_seen: number;
  last_seen: number;
  gone_at: number | null;
  tenant_first_seen: number | null;
}

const toPending = (r: PendingRow): PendingPatch => ({
  agentId: r.agent_id,
  tenant: r.tenant,
  host: r.host,
  key: r.update_key,
  manager: r.manager,
  installId: r.install_id,
  title: r.title,
  kb: r.kb,
  package: r.package,
  version: r.version,
  security: r.security === 1,
  critical: r.critical === 1,
  firstSeen: r.first_seen,
  lastSeen: r.last_seen,
  goneAt: r.gone_at,
  tenantFirstSeen: r.tenant_first_seen ?? r.first_seen,
});

const toDecision = (r: RowOf<PatchDecision>): PatchDecision => ({
  id: r.id,
  tenant: r.tenant,
  updateKey: r.update_key,
  ring: r.ring,
  decision: r.decision,
  reason: r.reason,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

const toPlan = (r: Omit<RowOf<StoredPlan>, 'items'> & { items: string }): StoredPlan => ({
  planId: r.plan_id,
  agentId: r.agent_id,
  tenant: r.tenant,
  host: r.host,
  ring: r.ring,
  windowStart: r.window_start,
  windowEnd: r.window_end,
  items: JSON.parse(r.items) as PlanItem[],
  firstOfferedAt: r.first_offered_at,
  offeredAt: r.offered_at,
});

const toResult = (r: RowOf<PatchResult>): PatchResult => ({
  agentId: r.agent_id,
  tenant: r.tenant,
  host: r.host,
  planId: r.plan_id,
  manager: r.manager,
  installId: r.install_id,
  title: r.title,
  outcome: r.outcome,
  code: r.code,
  detail: r.detail,
  at: r.at,
});

type RunRow = Omit<RowOf<PatchRun>, 'reboot_required' | 'rebooted'> & { reboot_required: number; rebooted: number };
const toRun = (r: RunRow): PatchRun => ({
  agentId: r.agent_id,
  tenant: r.tenant,
  host: r.host,
  planId: r.plan_id,
  windowStart: r.window_start,
  windowEnd: r.window_end,
  approved: r.approved,
  installed: r.installed,
  failed: r.failed,
  notApplicable: r.not_applicable,
  notStarted: r.not_started,
  rebootRequired: r.reboot_required === 1,
  rebooted: r.rebooted === 1,
  at: r.at,
});

const PENDING_SELECT = `SELECT p.*, (SELECT first_seen FROM patch_sightings s WHERE s.tenant = p.tenant AND s.update_key = p.update_key AND s.version = p.version) AS tenant_first_seen
  FROM patch_pending p`;

export function createPatchStore(db: Db, now: () => number): PatchStore {
  const { least } = scalarMinMax(db);
  const see =
    db.prepare(`INSERT INTO patch_pending (agent_id, tenant, host, update_key, manager, install_id, title, kb, package, version, security, critical, first_seen, last_seen)
    VALUES (@agentId, @tenant, @host, @key, @manager, @installId, @title, @kb, @package, @version, @security, @critical, @at, @at)
    ON CONFLICT (agent_id, update_key) DO UPDATE SET tenant = excluded.tenant, host = excluded.host, manager = excluded.manager,
      install_id = excluded.install_id, title = excluded.title, kb = excluded.kb, package = excluded.package, version = excluded.version,
      security = excluded.security, critical = excluded.critical, first_seen = ${least}(patch_pending.first_seen, excluded.first_seen), last_seen = excluded.last_seen, gone_at = NULL
    WHERE excluded.last_seen >= patch_pending.last_seen`);
  const sight = db.prepare(`INSERT INTO patch_sightings (tenant, update_key, version, first_seen) VALUES (?, ?, ?, ?)
    ON CONFLICT (tenant, update_key, version) DO UPDATE SET first_seen = ${least}(patch_sightings.first_seen, excluded.first_seen)`);
  const gone = db.prepare('UPDATE patch_pending SET gone_at = ? WHERE agent_id = ? AND last_seen < ? AND gone_at IS NULL');
  const pendingOf = db.prepare(`${PENDING_SELECT} WHERE p.tenant = @tenant AND (CAST(@agentId AS TEXT) IS NULL OR p.agent_id = @agentId)
    AND (@includeGone = 1 OR p.gone_at IS NULL) ORDER BY p.first_seen, p.update_key, p.host`);
  const tenantExists = db.prepare('SELECT 1 FROM tenants WHERE id = ?').pluck();
  const insertDecision = db
    .prepare(
      `INSERT INTO patch_decisions (tenant, update_key, ring, decision, reason, created_by, created_at)
    VALUES (@tenant, @updateKey, @ring, @decision, @reason, @createdBy, @createdAt) RETURNING id`,
    )
    .pluck();
  const decisionById = db.prepare('SELECT * FROM patch_decisions WHERE id = ?');
  const decisionsOf = db.prepare(
    'SELECT * FROM patch_decisions WHERE tenant = @tenant AND (CAST(@key AS TEXT) IS NULL OR update_key = @key) ORDER BY created_at, id',
  );
  const upsertPlan = db.prepare(`INSERT INTO patch_plans (plan_id, agent_id, tenant, host, ring, window_start, window_end, items, first_offered_at, offered_at)
    VALUES (@planId, @agentId, @tenant, @host, @ring, @windowStart, @windowEnd, @items, @at, @at)
    ON CONFLICT (plan_id) DO UPDATE SET offered_at = excluded.offered_at`);
  const planById = db.prepare('SELECT * FROM patch_plans WHERE plan_id = ?');
  const plansOfAgent = db.prepare('SELECT * FROM patch_plans WHERE agent_id = ? AND window_end > ? ORDER BY window_start, first_offered_at');
  const plansOfTenant = db.prepare(
    'SELECT * FROM patch_plans WHERE tenant = ? AND window_end > ? AND window_start < ? ORDER BY window_start, first_offered_at',
  );
  const upsertResult = db.prepare(`INSERT INTO patch_results (agent_id, tenant, host, plan_id, manager, install_id, title, outcome, code, detail, at)
    VALUES (@agentId, @tenant, @host, @planId, @manager, @installId, @title, @outcome, @code, @detail, @at)
    ON CONFLICT (agent_id, plan_id, manager, install_id) DO UPDATE SET outcome = excluded.outcome, code = excluded.code, detail = excluded.detail, at = excluded.at
    WHERE excluded.at >= patch_results.at`);
  const upsertRun =
    db.prepare(`INSERT INTO patch_runs (agent_id, tenant, host, plan_id, window_start, window_end, approved, installed, failed, not_applicable, not_started, reboot_required, rebooted, at)
    VALUES (@agentId, @tenant, @host, @planId, @windowStart, @windowEnd, @approved, @installed, @failed, @notApplicable, @notStarted, @rebootRequired, @rebooted, @at)
    ON CONFLICT (agent_id, plan_id) DO UPDATE SET approved = excluded.approved, installed = excluded.installed, failed = excluded.failed,
      not_applicable = excluded.not_applicable, not_started = excluded.not_started, reboot_required = excluded.reboot_required, rebooted = excluded.rebooted, at = excluded.at
    WHERE excluded.at >= patch_runs.at`);
  const resultsOfAgent = db.prepare('SELECT * FROM patch_results WHERE agent_id = ? ORDER BY at DESC');
  const resultsOfTenant = db.prepare('SELECT * FROM patch_results WHERE tenant = ? AND at >= ? AND at < ? ORDER BY at, agent_id');
  const runsOfTenant = db.prepare('SELECT * FROM patch_runs WHERE tenant = ? AND at >= ? AND at < ? ORDER BY at, agent_id');

  return {
    seePending(agent, u, at) {
      const t = Math.trunc(at);
      const row = { ...u, agentId: agent.id, tenant: agent.tenant, host: agent.hostname, security: u.security ? 1 : 0, critical: u.critical ? 1 : 0, at: t };
      see.run(row);
      sight.run(agent.tenant, u.key, u.version, t);
    },
    markGone: (agentId, before, at) => gone.run(Math.trunc(at), agentId, Math.trunc(before)).changes,
    pending: (q) => (pendingOf.all({ tenant: q.tenant, agentId: q.agentId ?? null, includeGone: q.includeGone ? 1 : 0 }) as PendingRow[]).map(toPending),
    decide(input) {
      checkKey('tenant', input.tenant);
      checkKey('updateKey', input.updateKey);
      checkOptionalKey('ring', input.ring);
      oneOf('decision', input.decision, PATCH_DECISIONS);
      checkNote('reason', input.reason);
      checkKey('createdBy', input.createdBy);
      if (!tenantExists.get(input.tenant)) throw new StoreError('tenant_unknown', `unknown tenant: ${input.tenant}`);
      const createdAt = Math.trunc(now());
      checkTime('createdAt', createdAt);
      const id = insertDecision.get({ ...input, ring: input.ring ?? null, reason: input.reason.trim(), createdAt });
      return toDecision(decisionById.get(Number(id)) as RowOf<PatchDecision>);
    },
    decisions: (tenant, key) => (decisionsOf.all({ tenant, key: key ?? null }) as RowOf<PatchDecision>[]).map(toDecision),
    putPlan(plan, at) {
      if (plan.windowEnd <= plan.windowStart) throw invalid('windowEnd', 'must be after windowStart');
      upsertPlan.run({ ...plan, items: JSON.stringify(plan.items), at: Math.trunc(at) });
    },
    plan(planId) {
      const row = planById.get(planId) as Parameters<typeof toPlan>[0] | undefined;
      return row ? toPlan(row) : null;
    },
    plansOf: (agentId, since) => (plansOfAgent.all(agentId, Math.trunc(since)) as Parameters<typeof toPlan>[0][]).map(toPlan),
    plansIn: (tenant, from, to) => (plansOfTenant.all(tenant, Math.trunc(from), Math.trunc(to)) as Parameters<typeof toPlan>[0][]).map(toPlan),
    putResult: (r) => void upsertResult.run({ ...r, at: Math.trunc(r.at) }),
    putRun: (r) => void upsertRun.run({ ...r, rebootRequired: r.rebootRequired ? 1 : 0, rebooted: r.rebooted ? 1 : 0, at: Math.trunc(r.at) }),
    resultsOf: (agentId) => (resultsOfAgent.all(agentId) as RowOf<PatchResult>[]).map(toResult),
    resultsIn: (tenant, from, to) => (resultsOfTenant.all(tenant, Math.trunc(from), Math.trunc(to)) as RowOf<PatchResult>[]).map(toResult),
    runsIn: (tenant, from, to) => (runsOfTenant.all(tenant, Math.trunc(from), Math.trunc(to)) as RunRow[]).map(toRun),
  };
}

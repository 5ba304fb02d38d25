// Minimum-standard state (compliance/engine.ts): each host's current verdict per standard and since when, the latest
// point of each series the standards read, the first sighting of each pending security or critical update, and the
// failing standards each agent's compliance ticket was last told of (compliance/tickets.ts).
import type { RuleSample } from '../alerting/contract.js';
import type { Db } from './db.js';
import { scalarMinMax } from './sql.js';

export type ComplianceVerdict = 'pass' | 'fail' | 'unknown';

/** The exception (store/compliance-waivers.ts) that covers a failing or unknown verdict: which, why, who agreed, until when. */
export interface StateWaiver {
  id: number;
  reason: string;
  by: string;
  expiresAt: number;
}

export interface ComplianceState {
  tenant: string;
  agentId: string;
  host: string;
  standard: string;
  verdict: ComplianceVerdict;
  reason: string;
  /** The point the verdict rests on (compliance/contract.ts Evidence), null when there was none. */
  evidence: unknown;
  /** When the verdict last changed (unix ms). */
  since: number;
  evaluatedAt: number;
  /** The waiver covering the verdict (fail or unknown only), null when none does. The verdict stays the standard's. */
  waiver: StateWaiver | null;
}

export interface StoredPoint {
  agentId: string;
  tenant: string;
  host: string;
  series: string;
  point: RuleSample;
}

export interface PendingRow {
  key: string;
  title: string;
  firstSeen: number;
  lastSeen: number;
}

export interface ComplianceStore {
  /** The tenant's states (one agent's with agentId), ordered by host then standard. */
  states(tenant: string, agentId?: string): ComplianceState[];
  /** Every state (read once at start). */
  allStates(): ComplianceState[];
  putState(state: ComplianceState): void;
  deleteState(tenant: string, agentId: string, standard: string): void;
  /** Keeps the point if it is not older than the stored one of its series. */
  putPoint(p: StoredPoint): void;
  allPoints(): StoredPoint[];
  /** Records a pending update sighting: first_seen stays, last_seen moves forward. */
  seePending(agentId: string, key: string, title: string, at: number): void;
  pending(agentId: string): PendingRow[];
  /** Forgets the agent's updates last seen before `before` (no longer pending as of the latest patches run). */
  prunePending(agentId: string, before: number): void;
  /** Every agent's standards its compliance ticket was last told of (read once at start). */
  allTicketed(): Array<{ agentId: string; tenant: string; standards: string[] }>;
  putTicketed(agentId: string, tenant: string, standards: readonly string[]): void;
}

interface StateRow {
  tenant: string;
  agent_id: string;
  host: string;
  standard: string;
  verdict: ComplianceVerdict;
  reason: string;
  evidence: string | null;
  since: number;
  evaluated_at: number;
  waiver_id: number | null;
  waiver_reason: string | null;
  waiver_by: string | null;
  waiver_expires: number | null;
}

const toState = (r: StateRow): ComplianceState => ({
  tenant: r.tenant,
  agentId: r.agent_id,
  host: r.host,
  standard: r.standard,
  verdict: r.verdict,
  reason: r.reason,
  evidence: r.evidence === null ? null : (JSON.parse(r.evidence) as unknown),
  since: r.since,
  evaluatedAt: r.evaluated_at,
  waiver: r.waiver_id === null ? null : { id: r.waiver_id, reason: r.waiver_reason ?? '', by: r.waiver_by ?? '', expiresAt: r.waiver_expires ?? 0 },
});

const STATE_COLUMNS = 'tenant, agent_id, host, standard, verdict, reason, evidence, since, evaluated_at, waiver_id';
/** A state with its waiver's terms, read from the waiver's own row. */
const SELECT_STATES = `SELECT s.tenant, s.agent_id, s.host, s.standard, s.verdict, s.reason, s.evidence, s.since, s.evaluated_at, s.waiver_id,
  w.reason AS waiver_reason, w.created_by AS waiver_by, w.expires_at AS waiver_expires
  FROM compliance_states s LEFT JOIN compliance_waivers w ON w.id = s.waiver_id`;

export function createComplianceStore(db: Db): ComplianceStore {
  const { least, greatest } = scalarMinMax(db);
  const upsertState = db.prepare(`INSERT INTO compliance_states (${STATE_COLUMNS})
    VALUES (@tenant, @agentId, @host, @standard, @verdict, @reason, @evidence, @since, @evaluatedAt, @waiverId)
    ON CONFLICT (tenant, agent_id, standard) DO UPDATE SET host = excluded.host, verdict = excluded.verdict, reason = excluded.reason,
      evidence = excluded.evidence, since = excluded.since, evaluated_at = excluded.evaluated_at, waiver_id = excluded.waiver_id`);
  const byTenant = db.prepare(`${SELECT_STATES} WHERE s.tenant = ? ORDER BY s.host, s.agent_id, s.standard`);
  const byAgent = db.prepare(`${SELECT_STATES} WHERE s.tenant = ? AND s.agent_id = ? ORDER BY s.standard`);
  const all = db.prepare(`${SELECT_STATES} ORDER BY s.tenant, s.host, s.agent_id, s.standard`);
  const delState = db.prepare('DELETE FROM compliance_states WHERE tenant = ? AND agent_id = ? AND standard = ?');
  const upsertPoint = db.prepare(`INSERT INTO compliance_points (agent_id, tenant, host, series, time, point) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (agent_id, series) DO UPDATE SET tenant = excluded.tenant, host = excluded.host, time = excluded.time, point = excluded.point
    WHERE excluded.time >= compliance_points.time`);
  const points = db.prepare('SELECT agent_id, tenant, host, series, point FROM compliance_points');
  const see = db.prepare(`INSERT INTO compliance_pending (agent_id, update_key, title, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (agent_id, update_key) DO UPDATE
    SET first_seen = ${least}(compliance_pending.first_seen, excluded.first_seen), last_seen = ${greatest}(compliance_pending.last_seen, excluded.last_seen)`);
  const pending = db.prepare('SELECT update_key, title, first_seen, last_seen FROM compliance_pending WHERE agent_id = ? ORDER BY first_seen, update_key');
  const prune = db.prepare('DELETE FROM compliance_pending WHERE agent_id = ? AND last_seen < ?');
  const ticketed = db.prepare('SELECT agent_id, tenant, standards FROM compliance_tickets');
  const putTicketed = db.prepare(`INSERT INTO compliance_tickets (agent_id, tenant, standards) VALUES (?, ?, ?)
    ON CONFLICT (agent_id) DO UPDATE SET tenant = excluded.tenant, standards = excluded.standards`);
  return {
    states: (tenant, agentId) => ((agentId === undefined ? byTenant.all(tenant) : byAgent.all(tenant, agentId)) as StateRow[]).map(toState),
    allStates: () => (all.all() as StateRow[]).map(toState),
    putState: ({ waiver, ...s }) =>
      void upsertState.run({
        ...s,
        waiverId: waiver?.id ?? null,
        evidence: s.evidence === null || s.evidence === undefined ? null : JSON.stringify(s.evidence),
        since: Math.trunc(s.since),
        evaluatedAt: Math.trunc(s.evaluatedAt),
      }),
    deleteState: (tenant, agentId, standard) => void delState.run(tenant, agentId, standard),
    putPoint: (p) => void upsertPoint.run(p.agentId, p.tenant, p.host, p.series, Math.trunc(p.point.time), JSON.stringify(p.point)),
    allPoints: () =>
      (points.all() as { agent_id: string; tenant: string; host: string; series: string; point: string }[]).map((r) => ({
        agentId: r.agent_id,
        tenant: r.tenant,
        host: r.host,
        series: r.series,
        point: JSON.parse(r.point) as RuleSample,
      })),
    seePending: (agentId, key, title, at) => void see.run(agentId, key, title, Math.trunc(at), Math.trunc(at)),
    pending: (agentId) =>
      (pending.all(agentId) as { update_key: string; title: string; first_seen: number; last_seen: number }[]).map((r) => ({
        key: r.update_key,
        title: r.title,
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
      })),
    prunePending: (agentId, before) => void prune.run(agentId, Math.trunc(before)),
    allTicketed: () =>
      (ticketed.all() as { agent_id: string; tenant: string; standards: string }[]).map((r) => ({
        agentId: r.agent_id,
        tenant: r.tenant,
        standards: JSON.parse(r.standards) as string[],
      })),
    putTicketed: (agentId, tenant, standards) => void putTicketed.run(agentId, tenant, JSON.stringify(standards)),
  };
}

// Antivirus actions the collector asked agents for (antivirus/manager.ts): one row per request, from the moment it
// was asked (by the tenant's schedule, by a person, or by the definitions-age rule before a ticket) through its
// delivery to the agent's live link to the result the agent reported (its `av_action` point carrying the request
// id). Beside them, each agent's latest Microsoft Defender status as its antivirus runs showed it, so the serving
// collector after a restart, and the CLI in another process, know which hosts Defender actions apply to.
//
// Contract: the store checks every input (StoreError `invalid_argument` naming the field); rows are never deleted
// (the API shows the history). A request moves queued -> sent -> succeeded | failed, or queued -> expired (not
// delivered in time), or sent -> unanswered (no result in time); a result arriving late still completes it.
import { randomBytes } from 'node:crypto';
import type { AvActionKind } from '../patching/contract.js';
import type { Db, RowOf } from './db.js';
import { checkKey, checkTime, clip, oneOf } from './checks.js';

export const AV_ACTIONS: readonly AvActionKind[] = ['signature_update', 'quick_scan'];
/** Who asked: the tenant's schedule, a person (by = their name), or the definitions-age rule before a ticket. */
export type AvOrigin = 'schedule' | 'person' | 'definitions_age';
export const AV_ORIGINS: readonly AvOrigin[] = ['schedule', 'person', 'definitions_age'];
export type AvStatus = 'queued' | 'sent' | 'succeeded' | 'failed' | 'expired' | 'unanswered';
/** Rows listed at most per call. */
export const MAX_AV_LIST = 500;

export interface AvActionRequest {
  /** Sent to the agent with the action; the agent's av_action point carries it back as its request_id field. */
  id: string;
  tenant: string;
  agentId: string;
  /** The agent's hostname when the request was made. */
  host: string;
  action: AvActionKind;
  origin: AvOrigin;
  /** The person's name (origin person), else null. */
  by: string | null;
  askedAt: number;
  /** Not delivered by then: expired. */
  deliverBy: number;
  sentAt: number | null;
  /** Sent and no result by then: unanswered. */
  answerBy: number | null;
  status: AvStatus;
  /** The agent's time of the result. */
  answeredAt: number | null;
  /** The failure's HRESULT, unsigned. */
  code: number | null;
  detail: string | null;
  signatureVersion: string | null;
  /** Defender's signatures after the action (unix ms). */
  signatureUpdated: number | null;
  quickScanEnd: number | null;
}

export type NewAvAction = Pick<AvActionRequest, 'tenant' | 'agentId' | 'host' | 'action' | 'origin' | 'by' | 'askedAt' | 'deliverBy'>;

export interface AvResult {
  outcome: 'succeeded' | 'failed';
  at: number;
  code?: number;
  detail?: string;
  signatureVersion?: string;
  signatureUpdated?: number;
  quickScanEnd?: number;
}

/** Defender on one agent as its latest antivirus run showed it; state 'absent' when that run had no Defender point. */
export interface DefenderHost {
  agentId: string;
  tenant: string;
  state: string;
  /** When the signatures were built or updated (unix ms), null when unknown. */
  signatureUpdated: number | null;
  /** The run's time (the agent's clock). */
  seenAt: number;
}

export interface AvActionStore {
  /** Records a request (status queued) with a fresh id. */
  create(input: NewAvAction): AvActionRequest;
  get(id: string): AvActionRequest | null;
  /** The tenant's requests (one agent's with agentId), newest first, at most `limit` (default and cap MAX_AV_LIST). */
  list(q: { tenant: string; agentId?: string; limit?: number }): AvActionRequest[];
  /** Every queued request, oldest first (the serving collector delivers them). */
  queued(): AvActionRequest[];
  markSent(id: string, at: number, answerBy: number): void;
  /** Completes the request with the agent's result (also an expired or unanswered one: the result is what happened). Null for an unknown id. */
  complete(id: string, result: AvResult): AvActionRequest | null;
  /** Queued requests past deliverBy become expired, sent ones past answerBy unanswered; returns how many changed. */
  expire(now: number): number;
  /** The agent's newest request of `origin`, or null. */
  latest(agentId: string, origin: AvOrigin): AvActionRequest | null;
  /** The newest askedAt of scheduled requests per agent and action, keyed `${agentId}/${action}`. */
  lastScheduled(): Map<string, number>;
  putDefender(host: DefenderHost): void;
  defender(agentId: string): DefenderHost | null;
  defenders(): DefenderHost[];
}

type Row = RowOf<AvActionRequest> & { by_name: string | null };
type DefenderRow = RowOf<DefenderHost>;

const toRequest = (r: Row): AvActionRequest => ({
  id: r.id,
  tenant: r.tenant,
  agentId: r.agent_id,
  host: r.host,
  action: r.action,
  origin: r.origin,
  by: r.by_name,
  askedAt: r.asked_at,
  deliverBy: r.deliver_by,
  sentAt: r.sent_at,
  answerBy: r.answer_by,
  status: r.status,
  answeredAt: r.answered_at,
  code: r.code,
  detail: r.detail,
  signatureVersion: r.signature_version,
  signatureUpdated: r.signature_updated,
  quickScanEnd: r.quick_scan_end,
});

const toDefender = (r: DefenderRow): DefenderHost => ({
  agentId: r.agent_id,
  tenant: r.tenant,
  state: r.state,
  signatureUpdated: r.signature_updated,
  seenAt: r.seen_at,
});

const optTime = (field: string, v: number | undefined) => {
  if (v === undefined) return null;
  checkTime(field, Math.trunc(v));
  return Math.trunc(v);
};

export function createAvActionStore(db: Db): AvActionStore {
  const insert = db.prepare(`INSERT INTO av_actions (id, tenant, agent_id, host, action, origin, by_name, asked_at, deliver_by, status)
    VALUES (@id, @tenant, @agentId, @host, @action, @origin, @by, @askedAt, @deliverBy, 'queued')`);
  const byId = db.prepare('SELECT * FROM av_actions WHERE id = ?');
  const byTenant = db.prepare(`SELECT * FROM av_actions WHERE tenant = @tenant AND (CAST(@agentId AS TEXT) IS NULL OR agent_id = @agentId)
    ORDER BY asked_at DESC, rowid DESC LIMIT @limit`);
  const queued = db.prepare(`SELECT * FROM av_actions WHERE status = 'queued' ORDER BY asked_at, rowid`);
  const sent = db.prepare(`UPDATE av_actions SET status = 'sent', sent_at = ?, answer_by = ? WHERE id = ? AND status = 'queued'`);
  const complete = db.prepare(`UPDATE av_actions SET status = @outcome, answered_at = @at, code = @code, detail = @detail,
    signature_version = @signatureVersion, signature_updated = @signatureUpdated, quick_scan_end = @quickScanEnd
    WHERE id = @id AND status IN ('queued', 'sent', 'expired', 'unanswered')`);
  const expireQueued = db.prepare(`UPDATE av_actions SET status = 'expired' WHERE status = 'queued' AND deliver_by <= ?`);
  const expireSent = db.prepare(`UPDATE av_actions SET status = 'unanswered' WHERE status = 'sent' AND answer_by <= ?`);
  const latest = db.prepare('SELECT * FROM av_actions WHERE agent_id = ? AND origin = ? ORDER BY asked_at DESC, rowid DESC LIMIT 1');
  const lastScheduled = db.prepare(`SELECT agent_id, action, MAX(asked_at) AS at FROM av_actions WHERE origin = 'schedule' GROUP BY agent_id, action`);
  const putDefender = db.prepare(`INSERT INTO av_defender (agent_id, tenant, state, signature_updated, seen_at)
    VALUES (@agentId, @tenant, @state, @signatureUpdated, @seenAt)
    ON CONFLICT (agent_id) DO UPDATE SET tenant = excluded.tenant, state = excluded.state, signature_updated = excluded.signature_updated,
      seen_at = excluded.seen_at WHERE excluded.seen_at >= av_defender.seen_at`);
  const defender = db.prepare('SELECT * FROM av_defender WHERE agent_id = ?');
  const defenders = db.prepare('SELECT * FROM av_defender ORDER BY agent_id');

  const get = (id: string): AvActionRequest | null => {
    const row = byId.get(id) as Row | undefined;
    return row ? toRequest(row) : null;
  };
  return {
    create(input) {
      checkKey('tenant', input.tenant);
      checkKey('agentId', input.agentId);
      checkKey('host', input.host);
      oneOf('action', input.action, AV_ACTIONS);
      oneOf('origin', input.origin, AV_ORIGINS);
      if (input.origin === 'person') checkKey('by', input.by);
      checkTime('askedAt', input.askedAt);
      checkTime('deliverBy', input.deliverBy);
      const id = `av-${randomBytes(9).toString('base64url')}`;
      insert.run({ ...input, id, by: input.origin === 'person' ? input.by : null });
      return get(id)!;
    },
    get,
    list: (q) => (byTenant.all({ tenant: q.tenant, agentId: q.agentId ?? null, limit: Math.min(q.limit ?? MAX_AV_LIST, MAX_AV_LIST) }) as Row[]).map(toRequest),
    queued: () => (queued.all() as Row[]).map(toRequest),
    markSent(id, at, answerBy) {
      checkTime('sentAt', at);
      checkTime('answerBy', answerBy);
      sent.run(at, answerBy, id);
    },
    complete(id, r) {
      oneOf('outcome', r.outcome, ['succeeded', 'failed'] as const);
      checkTime('at', Math.trunc(r.at));
      complete.run({
        id,
        outcome: r.outcome,
        at: Math.trunc(r.at),
        code: r.code !== undefined && Number.isSafeInteger(r.code) ? r.code : null,
        detail: r.detail !== undefined ? clip(r.detail) : null,
        signatureVersion: r.signatureVersion !== undefined ? clip(r.signatureVersion) : null,
        signatureUpdated: optTime('signatureUpdated', r.signatureUpdated),
        quickScanEnd: optTime('quickScanEnd', r.quickScanEnd),
      });
      return get(id);
    },
    expire: (now) => expireQueued.run(now).changes + expireSent.run(now).changes,
    latest(agentId, origin) {
      const row = latest.get(agentId, origin) as Row | undefined;
      return row ? toRequest(row) : null;
    },
    lastScheduled: () =>
      new Map((lastScheduled.all() as Array<{ agent_id: string; action: string; at: number }>).map((r) => [`${r.agent_id}/${r.action}`, r.at])),
    putDefender(h) {
      checkKey('agentId', h.agentId);
      checkKey('state', h.state);
      checkTime('seenAt', h.seenAt);
      putDefender.run({ ...h, signatureUpdated: h.signatureUpdated === null ? null : Math.trunc(h.signatureUpdated) });
    },
    defender(agentId) {
      const row = defender.get(agentId) as DefenderRow | undefined;
      return row ? toDefender(row) : null;
    },
    defenders: () => (defenders.all() as DefenderRow[]).map(toDefender),
  };
}

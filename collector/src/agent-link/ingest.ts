// What happens to one batch: admit its samples (measurement schema, line-protocol mapping under the agent's
// authenticated identity, series budget: admission/), write what was admitted with the points the collector derives
// from it, and decide the answer: an Ack that says how many of the batch's samples were refused for good and why,
// or an error that leaves the batch with the agent.
import { wire, type watchpost } from '../../../proto/index.js';
import type { CollectorMetrics } from '../metrics.js';
import { samplesToLines, type Identity } from '../influx/line-protocol.js';
import type { FastifyBaseLogger } from 'fastify';
import type { PointSink } from '../influx/writer-contract.js';
import type { Admission, Refusal } from './admission/admission.js';
import { byReason, rejectionSamples } from './admission/refusals.js';

/** The authenticated agent, as the session knows it. */
export interface AgentRecord {
  id: string;
  tenant: string;
  hostname: string;
  lastAckedSeq: number;
}

export interface IngestDeps {
  sink: PointSink;
  metrics: CollectorMetrics;
  log: FastifyBaseLogger;
  /** The measurement schema and the agents' series budgets (one per collector: it holds every agent's counts). */
  admission: Admission;
  /** Records that every batch up to seq is stored (for status; acks never depend on it). */
  onAcked(agent: AgentRecord, seq: number): void;
  onHello(agent: AgentRecord, hello: watchpost.v1.IHello): void;
  /**
   * Sees every batch's admitted samples (and the collector's `rejections` points for what was refused) before they
   * are written and returns points derived from them (os_support from inventory), written and acked with the batch
   * under the same identity. Optional.
   */
  observe?(agent: AgentRecord, samples: readonly watchpost.v1.ISample[]): watchpost.v1.ISample[];
  /**
   * Whether the state store can be written now (store.available()). While it cannot (known before the batch, or
   * found by a store call the batch's evaluation made), the batch is answered UNAVAILABLE and nothing of it is
   * written: the rules saw it without being able to record an alert or a ticket, so the agent keeps it and sends it
   * again once the store is back. A batch whose evaluation needed no store call is written and acked. Default: always.
   */
  storeReady?(): boolean;
}

/** The Ack: `rejected` of the batch's samples were refused for good, `reason` names the first (both absent: none). */
export interface AckAnswer {
  seq: number;
  rejected?: number;
  reason?: string;
}

export interface BatchAnswer {
  ack?: AckAnswer;
  error?: watchpost.v1.IError;
}

/** A batch mapped to line protocol, or refused before anything was written. */
export type PreparedBatch = { seq: number; lines: string[]; samples: number; refused: number; reason?: string } | { answer: BatchAnswer };

/** Longest `reason` in an Ack: the first refusal, not a transcript. */
const MAX_ACK_REASON = 200;

/**
 * Admits and maps the batch (and what observe derives from it), synchronously: the decoded samples are garbage
 * once this returns, so they never wait for InfluxDB in memory (the writer holds the encoded lines instead).
 */
export function prepareBatch(agent: AgentRecord, batch: watchpost.v1.IBatch, deps: IngestDeps): PreparedBatch {
  const seq = batch.seq ?? 0;
  if (seq <= 0) return { answer: { error: { code: wire.ErrorCode.ERROR_CODE_BAD_BATCH, message: 'batch without a sequence number' } } };
  if (deps.storeReady?.() === false) return storeUnavailable(seq, deps);
  const samples = batch.samples ?? [];
  const nowMs = Date.now();
  const identity: Identity = { host: agent.hostname, tenant: agent.tenant };
  const { lines, stored, refusals } = deps.admission.admit(agent.id, identity, samples, nowMs);
  const own = refusals.length > 0 ? rejectionSamples(refusals, nowMs) : [];
  const derived = [...own, ...observe(agent, own.length > 0 ? [...stored, ...own] : stored, deps)];
  // A store call the evaluation needed failed for an unreachable database: what it would have recorded is lost
  // unless the agent sends the batch again.
  if (deps.storeReady?.() === false) return storeUnavailable(seq, deps);
  if (derived.length > 0) lines.push(...samplesToLines(derived, identity, { nowMs }).lines);
  if (refusals.length === 0) return { seq, lines, samples: samples.length, refused: 0 };
  report(agent, seq, refusals, deps, nowMs);
  return { seq, lines, samples: samples.length, refused: refusals.length, reason: describe(refusals[0]!) };
}

function storeUnavailable(seq: number, deps: IngestDeps): PreparedBatch {
  deps.metrics.batchesNotAcked.inc({ reason: 'store_unavailable' });
  return { answer: { error: { code: wire.ErrorCode.ERROR_CODE_UNAVAILABLE, message: 'cannot store now: the state store is unavailable', seq } } };
}

/** Counts every refusal by reason; logs them when the agent's log gate lets it (see refusals.ts). */
function report(agent: AgentRecord, seq: number, refusals: readonly Refusal[], deps: IngestDeps, nowMs: number): void {
  const reasons = byReason(refusals);
  for (const [reason, { samples }] of reasons) deps.metrics.reject(reason, samples);
  const told = deps.admission.logGate.pass(agent.id, refusals.length, nowMs);
  if (!told) return;
  const counts = Object.fromEntries([...reasons].map(([reason, { samples }]) => [reason, samples]));
  deps.log.warn({ agentId: agent.id, seq, refused: counts, first: refusals[0]!.detail, since: told }, 'samples refused');
}

const describe = (refusal: Refusal): string => `${refusal.reason}: ${refusal.detail}`.slice(0, MAX_ACK_REASON);

/**
 * Writes a prepared batch and decides the answer: an Ack once InfluxDB answered for it (with the count of samples
 * refused for good, InfluxDB's partial-write `dropped=N` included), UNAVAILABLE when it cannot be stored now.
 */
export async function writeBatch(agent: AgentRecord, prepared: PreparedBatch, deps: IngestDeps): Promise<BatchAnswer> {
  if ('answer' in prepared) return prepared.answer;
  const { seq, lines } = prepared;
  const result = lines.length > 0 ? await deps.sink.write(lines) : ({ ok: true } as const);
  if (!result.ok && result.retryable) {
    deps.metrics.batchesNotAcked.inc({ reason: 'influx_unavailable' });
    return { error: { code: wire.ErrorCode.ERROR_CODE_UNAVAILABLE, message: `cannot store now: ${result.reason}`, seq } };
  }
  deps.metrics.batchesAcked.inc();
  deps.onAcked(agent, seq);
  let { refused, reason } = prepared;
  let written = lines.length;
  if (!result.ok) {
    // Refused for good (a type conflict, say): resending would be refused again and block the agent's spool, so
    // the batch is acked. InfluxDB names how many points it dropped, not which: they may include the collector's
    // own points, so the count is capped at the batch's samples.
    const dropped = Math.min(result.rejected ?? lines.length, lines.length);
    written -= dropped;
    deps.metrics.reject('influx_rejected', dropped);
    refused = Math.min(prepared.samples, refused + dropped);
    reason ??= `influx_rejected: ${result.reason}`.slice(0, MAX_ACK_REASON);
    if (deps.admission.logGate.pass(agent.id, dropped, Date.now()))
      deps.log.error({ agentId: agent.id, seq, dropped, reason: result.reason }, 'InfluxDB refused points');
  }
  deps.metrics.pointsWritten.inc(written);
  return { ack: refused > 0 ? { seq, rejected: refused, reason } : { seq } };
}

/** Derived points never cost the batch: a failing observer is logged and the batch goes on without them. */
function observe(agent: AgentRecord, samples: readonly watchpost.v1.ISample[], deps: IngestDeps): watchpost.v1.ISample[] {
  if (!deps.observe) return [];
  try {
    return deps.observe(agent, samples);
  } catch (error) {
    deps.log.error({ agentId: agent.id, err: (error as Error).message }, 'deriving points from a batch failed');
    return [];
  }
}

// What happens to one batch: map its samples to line protocol under the agent's authenticated identity, write
// them, and decide the answer (ack, or an error that leaves the batch with the agent).
import { wire, type watchpost } from '../../proto/index.js';
import type { CollectorMetrics } from './metrics.js';
import { samplesToLines } from './line-protocol.js';
import type { FastifyBaseLogger } from 'fastify';

/** The authenticated agent, as the session knows it. */
export interface AgentRecord {
  id: string;
  tenant: string;
  hostname: string;
  lastAckedSeq: number;
}

import type { WriteResult } from './influx-writer-contract.js';

/** Where points go (the InfluxDB writer). Resolves when the lines are stored or definitively refused. */
export interface PointSink {
  write(lines: string[]): Promise<WriteResult>;
}

export interface IngestDeps {
  sink: PointSink;
  metrics: CollectorMetrics;
  log: FastifyBaseLogger;
  /** Records that every batch up to seq is stored (for status; acks never depend on it). */
  onAcked(agent: AgentRecord, seq: number): void;
  onHello(agent: AgentRecord, hello: watchpost.v1.IHello): void;
  /**
   * Sees every batch's samples before they are written and returns points derived from them (os_support from
   * inventory), written and acked with the batch under the same identity. Optional.
   */
  observe?(agent: AgentRecord, samples: readonly watchpost.v1.ISample[]): watchpost.v1.ISample[];
}

export interface BatchAnswer {
  ack?: number;
  error?: watchpost.v1.IError;
}

/** A batch mapped to line protocol, or refused before anything was written. */
export type PreparedBatch = { seq: number; lines: string[] } | { answer: BatchAnswer };

/**
 * Maps the batch (and what observe derives from it) to lines, synchronously: the decoded samples are garbage once
 * this returns, so they never wait for InfluxDB in memory (the writer holds the encoded lines instead).
 */
export function prepareBatch(agent: AgentRecord, batch: watchpost.v1.IBatch, deps: IngestDeps): PreparedBatch {
  const seq = batch.seq ?? 0;
  if (seq <= 0) return { answer: { error: { code: wire.ErrorCode.ERROR_CODE_BAD_BATCH, message: 'batch without a sequence number' } } };
  const samples = batch.samples ?? [];
  const derived = observe(agent, samples, deps);
  const { lines, rejected } = samplesToLines(derived.length > 0 ? [...samples, ...derived] : samples, { host: agent.hostname, tenant: agent.tenant });
  if (rejected.length > 0) {
    deps.metrics.reject('bad_sample', rejected.length);
    deps.log.warn({ agentId: agent.id, seq, rejected: rejected.length, first: rejected[0]?.reason }, 'samples refused');
  }
  return { seq, lines };
}

/** Writes a prepared batch and decides the answer: ack once stored, UNAVAILABLE when it cannot be stored now. */
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
  if (!result.ok) {
    // Refused for good (a field type conflict, say): resending would be refused again and block the agent's
    // spool, so the batch is acked, and the loss is counted here and reported to the agent.
    deps.metrics.reject('influx_rejected', lines.length);
    deps.log.error({ agentId: agent.id, seq, reason: result.reason }, 'InfluxDB refused a batch');
    return { ack: seq, error: { code: wire.ErrorCode.ERROR_CODE_BAD_BATCH, message: `points refused: ${result.reason}`, seq } };
  }
  deps.metrics.pointsWritten.inc(lines.length);
  return { ack: seq };
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

// How the collector tells of what it refused from an agent: every refusal is counted
// (watchpost_rejections_total{reason}), becomes part of a `rejections` point of that agent's host (the collector's
// own measurement, which dashboards and the shipped agent_rejected_samples rule read), is summed into the Ack's
// `rejected`, and is logged, at most once per LOG_INTERVAL_MS per agent so a hostile agent cannot flood the log.
import type { watchpost } from '../../../../proto/index.js';
import type { RejectionReason } from '../../errors.js';
import type { Refusal } from './admission.js';

export const REJECTIONS_MEASUREMENT = 'rejections';
/** At most one log line per agent this often; the line says how many batches and samples it stands for. */
export const LOG_INTERVAL_MS = 60_000;
/** Past this many agents remembered, those not logged for an interval are forgotten (at most once an interval). */
const LOG_GATE_AGENTS = 1_000;

/** Refusals by reason, in the order each reason first appears; the first refusal's detail for each. */
export function byReason(refusals: readonly Refusal[]): Map<RejectionReason, { samples: number; first: string }> {
  const out = new Map<RejectionReason, { samples: number; first: string }>();
  for (const { reason, detail } of refusals) {
    const seen = out.get(reason);
    if (seen) seen.samples++;
    else out.set(reason, { samples: 1, first: detail });
  }
  return out;
}

/** One `rejections` point per reason of the batch (tag reason; fields samples, message), at the collector's time. */
export function rejectionSamples(refusals: readonly Refusal[], nowMs: number): watchpost.v1.ISample[] {
  return [...byReason(refusals)].map(([reason, { samples, first }]) => ({
    measurement: REJECTIONS_MEASUREMENT,
    timeMs: nowMs,
    tags: [{ key: 'reason', value: reason }],
    fields: [
      { key: 'samples', int: samples },
      { key: 'message', str: `${samples} samples refused: ${first}` },
    ],
  }));
}

/** Says whether an agent's refusals may be logged now, and how many batches and samples the line stands for. */
export interface LogGate {
  pass(agentId: string, samples: number, nowMs: number): { batches: number; samples: number } | undefined;
}

export function createLogGate(intervalMs = LOG_INTERVAL_MS): LogGate {
  const agents = new Map<string, { at: number; batches: number; samples: number }>();
  let sweptAt = 0;
  return {
    pass(agentId, samples, nowMs) {
      if (agents.size > LOG_GATE_AGENTS && nowMs - sweptAt >= intervalMs) {
        sweptAt = nowMs;
        for (const [id, entry] of agents) if (nowMs - entry.at >= intervalMs) agents.delete(id);
      }
      const entry = agents.get(agentId);
      if (entry && nowMs - entry.at < intervalMs) {
        entry.batches++;
        entry.samples += samples;
        return undefined;
      }
      const told = { batches: (entry?.batches ?? 0) + 1, samples: (entry?.samples ?? 0) + samples };
      agents.set(agentId, { at: nowMs, batches: 0, samples: 0 });
      return told;
    },
  };
}

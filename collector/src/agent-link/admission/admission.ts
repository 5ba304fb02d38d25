// What of an agent's batch the collector writes: each sample passes the measurement schema, then the line-protocol
// mapping, then the agent's series budget, in that order, or is refused with a reason. Refusals are per sample:
// the rest of the batch is written.
//
// The order is the point: the schema runs first so nothing outside it reaches the mapping or derived points; the
// budget runs last so that only samples that will be written take a place in it (and only names the mapping
// accepted are remembered).
import type { watchpost } from '../../../../proto/index.js';
import type { RejectionReason } from '../../errors.js';
import { samplesToLines, type Identity } from '../../influx/line-protocol.js';
import { createMeasurementSchema, clip, type MeasurementSchema } from './measurement-schema.js';
import { createSeriesBudget, type SeriesBudget, type SeriesBudgetOptions } from './series-budget.js';
import { createLogGate, type LogGate } from './refusals.js';

type Sample = watchpost.v1.ISample;

/** One refused sample: the metrics label, and one line for the log, the Ack and the `rejections` point. */
export interface Refusal {
  reason: RejectionReason;
  detail: string;
}

export interface Admitted {
  /** The line protocol of the samples written, in batch order. */
  lines: string[];
  /** Those samples (for derived points and the alert engine, which see only what is written). */
  stored: Sample[];
  /** One per refused sample, schema refusals first. */
  refusals: Refusal[];
}

export interface Admission {
  admit(agentId: string, identity: Identity, samples: readonly Sample[], nowMs: number): Admitted;
  readonly schema: MeasurementSchema;
  readonly budget: SeriesBudget;
  /** Limits the log lines about one agent's refusals. */
  readonly logGate: LogGate;
}

export interface AdmissionOptions {
  series: SeriesBudgetOptions;
  maxPinnedFields?: number;
}

export function createAdmission(options: AdmissionOptions): Admission {
  const schema = createMeasurementSchema({ ...(options.maxPinnedFields ? { maxPinnedFields: options.maxPinnedFields } : {}) });
  const budget = createSeriesBudget(options.series);
  return {
    schema,
    budget,
    logGate: createLogGate(),
    admit(agentId, identity, samples, nowMs) {
      const refusals: Refusal[] = [];
      const inSchema: Sample[] = [];
      for (const sample of samples) {
        const refusal = schema.check(sample);
        if (refusal) refusals.push(refusal);
        else inSchema.push(sample);
      }
      const mapped = samplesToLines(inSchema, identity, { nowMs });
      const lines: string[] = [];
      const stored: Sample[] = [];
      const agentBudget = budget.forAgent(agentId, nowMs);
      let next = 0; // mapping refusals, in index order
      let line = 0;
      for (let i = 0; i < inSchema.length; i++) {
        const sample = inSchema[i]!;
        const refused = mapped.rejected[next];
        if (refused?.index === i) {
          next++;
          refusals.push({ reason: 'bad_sample', detail: `${refused.reason}: ${clip(sample.measurement ?? '')}` });
          continue;
        }
        const text = mapped.lines[line++]!;
        const over = agentBudget.admit(sample);
        if (over) refusals.push(over);
        else {
          lines.push(text);
          stored.push(sample);
        }
      }
      return { lines, stored, refusals };
    },
  };
}

// The probe contract. A probe measures one thing and returns samples; everything else (scheduling, jitter,
// timeouts, the overlap guard, error capture, host/tenant tags, self-metrics) is the scheduler's job.
import type { SampleDraft } from '../sample.js';
import type { Runner } from '../runner.js';

export interface ProbeContext {
  /** Aborted when the scheduler's timeout for this run expires or the agent stops; long work should honour it. */
  signal: AbortSignal;
  /** Runs OS commands from an allow-list, with a timeout. The only way a probe may start a process. */
  runner: Runner;
  /** Clock in unix milliseconds (injectable for tests). */
  now(): number;
}

export interface Probe {
  /** Registry key = config key = log prefix. */
  readonly name: string;
  /** Default schedule: a node-cron expression (six fields allowed: seconds first). */
  readonly schedule: string;
  /**
   * Called by the scheduler, never concurrently with itself for the same instance. May keep state between calls
   * (counters for rates). Throwing is allowed: the scheduler captures and counts the error.
   * Returns samples without the host/tenant tags.
   */
  collect(ctx: ProbeContext): Promise<SampleDraft[]>;
}

/** Probes are created per agent process so that stateful probes (cpu deltas) start fresh. */
export type ProbeFactory = () => Probe;

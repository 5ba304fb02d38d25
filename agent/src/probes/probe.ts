// The probe contract. A probe measures one thing and returns samples; everything else (scheduling, jitter,
// timeouts, the overlap guard, error capture, host/tenant tags, self-metrics) is the scheduler's job.
import type { SampleDraft } from '../sample.js';
import type { Runner } from '../exec/runner.js';

/**
 * Durable per-probe state for positions in a source (an event log's last record id, a journald cursor).
 * `get` returns the last COMMITTED value. `stage` records a value that commits only once the batch carrying this
 * run's samples is acked by the collector (or dropped and counted); a run that returns no samples commits what it
 * staged at once. A crash before the ack means the next run starts from the previous value and reads again
 * (at-least-once; the points are the same). Values must be JSON.
 */
export interface Checkpoints {
  get<T = unknown>(key: string): T | undefined;
  stage(key: string, value: unknown): void;
}

/**
 * The long-lived PowerShell worker (Windows only). Never start powershell.exe per metric: send scripts here.
 * `run` executes a script whose output is ONE JSON document (end it with `| ConvertTo-Json -Depth N -Compress`)
 * and resolves with it parsed; it rejects on a timeout (the worker is then recycled), a script error or output
 * that is not JSON.
 */
export interface PowerShell {
  run<T = unknown>(script: string, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<T>;
}

export interface ProbeContext {
  /** Aborted when the scheduler's timeout for this run expires or the agent stops; long work should honour it. */
  signal: AbortSignal;
  /** Runs OS commands from an allow-list, with a timeout. The only way a probe may start a process. */
  runner: Runner;
  /** Clock in unix milliseconds (injectable for tests). */
  now(): number;
  /** This probe's checkpoints (see Checkpoints). */
  checkpoints: Checkpoints;
  /** Present on Windows only. */
  powershell?: PowerShell;
}

export interface Probe {
  /** Registry key = config key = log prefix. */
  readonly name: string;
  /** Default schedule: a cron expression (six fields allowed: seconds first). */
  readonly schedule: string;
  /** Optional: how long a run may take when the scheduler's config names no timeout for this probe (slow OS
   *  queries such as a Windows Update search). The scheduler's `timeoutsMs[name]` still wins. */
  readonly timeoutMs?: number;
  /**
   * Called by the scheduler, never concurrently with itself for the same instance. May keep state between calls
   * (counters for rates). Throwing is allowed: the scheduler captures and counts the error.
   * Returns samples without the host/tenant tags.
   */
  collect(ctx: ProbeContext): Promise<SampleDraft[]>;
}

/** Probes are created per agent process so that stateful probes (cpu deltas) start fresh. */
export type ProbeFactory = () => Probe;

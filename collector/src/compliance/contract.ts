// A minimum standard of an MSP contract, checked per host: which hosts it applies to, which points it reads, and a
// pure evaluate() from the host's latest points to a verdict. The engine (engine.ts) keeps the points, calls
// evaluate() as data arrives and on a slow tick, and records each change; a standard never does I/O.
import type { Role, RuleSample } from '../alerting/contract.js';
import type { ComplianceThresholds } from './thresholds.js';

export type Verdict = 'pass' | 'fail' | 'unknown';

/** The point a verdict rests on: its measurement, time (unix ms) and the fields that decided. */
export interface Evidence {
  measurement: string;
  time: number;
  fields: Readonly<Record<string, number | string | boolean>>;
}

export interface Judgement {
  verdict: Verdict;
  /** One sentence naming the value that decided ("last successful backup 3 days ago (Veeam Agent)"). */
  reason: string;
  /** Absent only when there is no point to show (no data yet). */
  evidence?: Evidence;
}

/** A security or critical update seen pending on the host, and since when (the first point that listed it). */
export interface PendingUpdate {
  key: string;
  title: string;
  firstSeen: number;
  lastSeen: number;
}

/** What a standard may read about one host. */
export interface HostView {
  role: Role;
  critical: boolean;
  /** inventory os_family (windows, linux, macos), '' before the first inventory. */
  family: string;
  /** inventory os_product_type (workstation, server, domain_controller), '' when not reported. */
  productType: string;
  /** The latest point of each series the standards read, by measurement (every tag set of it). */
  points(measurement: string): readonly RuleSample[];
  /** The newest point of a measurement without an item tag (product, array, ups, service, probe): a probe's per-host summary. */
  summary(measurement: string): RuleSample | undefined;
  /** Security and critical updates pending, as of the latest `patches` point. */
  pendingUpdates: readonly PendingUpdate[];
  /** The tenant's zone: its business-hours calendar's, UTC for around-the-clock terms. */
  zone: string;
  /** The agent's connected periods of the last nights the thresholds look at, oldest first; `to` null while connected. */
  sessions: readonly { from: number; to: number | null }[];
  /** Since when those are known: the later of the agent's enrollment and the start of the connection history; null: none. */
  sessionsKnownFrom: number | null;
}

export interface Standard {
  /** The registry key, the `standard` tag of the compliance point and the key under terms.compliance. */
  id: string;
  title: string;
  /** The measurements it reads: the engine keeps the latest point of each of their series. */
  reads: readonly string[];
  /** False: the standard does not apply to this host (no row at all, not a verdict); some ask the tenant's thresholds. */
  appliesTo(host: Pick<HostView, 'role' | 'family' | 'productType' | 'critical'>, thresholds: ComplianceThresholds): boolean;
  evaluate(host: HostView, thresholds: ComplianceThresholds, now: number): Judgement;
}

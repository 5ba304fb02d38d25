// The alerting contract: the words the rule kinds, the alert state machine, priority/SLA and the ticket store
// share. Times are unix milliseconds, durations milliseconds.
//
// Data flow: a batch arrives -> each rule kind turns the host's samples into Observations (is the condition
// active for this instance, at which level) -> the state machine steps each (rule, tenant, agent, instance) alert
// -> firing/escalated/resolved events drive the one ticket per (tenant, agent, rule).
//
// Alerts and tickets belong to the enrolled agent, not to its hostname: a rename keeps them with the agent, and a
// name that moves to another agent (the old one revoked, a new machine enrolled under it) takes none of them along.
// The hostname is what people read (InfluxDB's host tag, the desk, the API) and what they type (maintenance
// windows, silences, per-host rule settings): it is always the agent's current one.

export type Impact = 'high' | 'medium' | 'low';
export type Urgency = 'high' | 'medium' | 'low';
export type Priority = 'P1' | 'P2' | 'P3' | 'P4';
/** The endpoint's role, for urgency: a workstation affects one user, a server a department. */
export type Role = 'workstation' | 'server';

export const IMPACTS: readonly Impact[] = ['high', 'medium', 'low'];
export const URGENCIES: readonly Urgency[] = ['high', 'medium', 'low'];
export const PRIORITIES: readonly Priority[] = ['P1', 'P2', 'P3', 'P4'];

/** One point as the rules see it: tags and fields flattened, time set by the agent. */
export interface RuleSample {
  measurement: string;
  tags: Readonly<Record<string, string>>;
  fields: Readonly<Record<string, number | string | boolean>>;
  time: number;
}

/** What the collector knows of the endpoint an alert is about (from enrollment, inventory and the rules file). */
export interface HostFacts {
  tenant: string;
  host: string;
  agentId: string;
  role: Role;
  /** Tagged critical: a server whose failure stops the whole company (urgency high). */
  critical: boolean;
  site?: string;
  tags: readonly string[];
}

/**
 * Identifies one alert by (ruleId, tenant, agentId, instance). `instance` names the thing inside the host (a disk
 * path, an AV product); '' for none. `host` is not part of the identity: it is the agent's hostname as last seen,
 * for display and for the host tag of the alert's points.
 */
export interface AlertKey {
  ruleId: string;
  tenant: string;
  agentId: string;
  host: string;
  instance: string;
}

/**
 * What a rule kind says about one instance at one moment. `active` already includes the rule's hysteresis (the
 * kind is told whether the alert was active before). `at` is the sample's time (or the evaluation time for
 * absence and window rules); an observation not newer than the last one for the same alert is ignored, so a
 * replayed batch changes nothing.
 */
export interface Observation {
  instance: string;
  active: boolean;
  /** Name of the highest level breached (rules with levels), else the rule's single level 'default'. */
  level: string;
  impact: Impact;
  value?: number | string | boolean;
  at: number;
  /** One line for the ticket: what was seen, e.g. "C:\\ 96.2 % used (threshold 95 %)". */
  summary: string;
}

// What a rules file means for one host, shown the same way by GET /api/v1/rules and `rules show`: every rule in
// force after tenant and host overrides with its levels (thresholds, clear, impact and the priority that gives on
// this host), for, keep_firing_for and where it was last written; the host's urgency; the tenant's terms with the
// SLA profile's targets and the calendar its clocks count in (time zone, days, hours, holidays). A technician
// checks an override here without reading every layer. Also the check of the tenant ids a rules file names
// against the tenants that exist: a misspelled one would otherwise run silently on the top-level terms.
import type { Impact, Priority, Urgency } from '../contract.js';
import { priorityOf } from '../../tickets/priority.js';
import type { Calendar, PriorityMatrix } from '../../tickets/service-schema.js';
import type { MetricRule } from './kinds/metric.js';
import type { CompiledRule, RuleInForce, RuleSet, RulesInForce } from './rules-file.js';

/** The keys every rule has; the rest of a rule's merged YAML are its kind's settings. */
const COMMON_KEYS = new Set(['id', 'kind', 'title', 'description', 'enabled', 'for', 'keep_firing_for', 'on_clear', 'impact', 'roles']);
/** A metric rule's thresholds, shown per level instead of among its settings. */
const METRIC_LEVEL_KEYS = new Set(['levels', 'above', 'below', 'equals', 'in', 'clear']);

export interface LevelView {
  name: string;
  above?: number;
  below?: number;
  equals?: number | string | boolean;
  in?: readonly string[];
  clear?: number;
  impact: Impact | null;
  /** matrix[impact][urgency] on this host; null when the urgency depends on the role the agent reports. */
  priority: Priority | null;
  /** With priority null: the priority on a server and on a workstation. */
  priority_by_role?: { server: Priority; workstation: Priority };
}

export interface RuleView {
  id: string;
  kind: string;
  title: string;
  for_ms: number;
  keep_firing_for_ms: number;
  on_clear: 'resolve' | 'note';
  impact?: Impact;
  roles?: readonly string[];
  /** The file and key of the last layer that wrote this rule (`rules.yaml: tenants.acme.rules[0]`). */
  defined_at: string;
  /** The kind's own keys as merged (measurement, field, where, after, check, ...). */
  settings: Record<string, unknown>;
  levels: LevelView[];
}

/** A calendar after every override; holidays as the merged calendar gives them (dates, or a region with dates added and removed). */
export type CalendarView =
  | { name: '24x7' }
  | { name: string; timezone: string; days: readonly string[]; hours: readonly { start: string; end: string }[]; holidays: NonNullable<Calendar['holidays']> };

export interface EffectiveRules {
  tenant: string;
  host: string | null;
  /** Whether the rules file has an entry under tenants: for this tenant (false: the top level applies unchanged). */
  tenant_entry: boolean;
  /** The host entry that matched (exact name or glob), or null. */
  host_entry: string | null;
  host_settings: RulesInForce['settings'];
  /** The host's urgency from the rules file; null when it comes from the role the agent reports. */
  urgency: Urgency | null;
  urgency_from: string;
  terms: {
    sla_profile: string;
    /** The calendar's time zone, or 24x7 (kept for clients that read only this). */
    hours: string;
    calendar: CalendarView;
    sla: { respond: Record<string, string>; plan: Record<string, string>; resolve: Record<string, string>; approaching: number };
    on_clear: 'resolve' | 'note';
    reopen_window_ms: number;
    maintenance_exit_grace_ms: number;
    priority_matrix: PriorityMatrix;
  };
  rules: RuleView[];
}

const DEFAULT_APPROACHING = 0.75;

function urgencyOfSettings(settings: RulesInForce['settings']): { urgency: Urgency | null; from: string } {
  if (settings.urgency) return { urgency: settings.urgency, from: 'host entry: urgency' };
  if (settings.critical) return { urgency: 'high', from: 'host entry: critical' };
  if (settings.role) return { urgency: settings.role === 'server' ? 'medium' : 'low', from: `host entry: role ${settings.role}` };
  return { urgency: null, from: 'the role the agent reports: a server medium, a workstation low' };
}

function levelsOf(rule: CompiledRule): Omit<LevelView, 'priority' | 'priority_by_role'>[] {
  if (rule.kind !== 'metric') return [{ name: 'default', impact: rule.impact ?? null }];
  return (rule as MetricRule).levels.map((level) => {
    const c = level.condition;
    const condition = c.op === 'equals' ? { equals: c.value } : c.op === 'in' ? { in: c.values } : { [c.op]: c.threshold, clear: c.clear };
    return { name: level.name, ...condition, impact: level.impact };
  });
}

function ruleView(r: RuleInForce, onClear: 'resolve' | 'note', matrix: PriorityMatrix, urgency: Urgency | null): RuleView {
  const { rule } = r;
  const skip = rule.kind === 'metric' ? METRIC_LEVEL_KEYS : new Set<string>();
  const settings = Object.fromEntries(Object.entries(r.raw).filter(([key]) => !COMMON_KEYS.has(key) && !skip.has(key)));
  const levels = levelsOf(rule).map((level): LevelView => {
    if (level.impact === null) return { ...level, priority: null };
    if (urgency) return { ...level, priority: priorityOf(matrix, level.impact, urgency) };
    return {
      ...level,
      priority: null,
      priority_by_role: { server: priorityOf(matrix, level.impact, 'medium'), workstation: priorityOf(matrix, level.impact, 'low') },
    };
  });
  return {
    id: rule.id,
    kind: rule.kind,
    title: rule.title,
    for_ms: rule.forMs,
    keep_firing_for_ms: rule.keepFiringForMs,
    on_clear: rule.onClear ?? onClear,
    ...(rule.impact ? { impact: rule.impact } : {}),
    ...(rule.roles ? { roles: rule.roles } : {}),
    defined_at: `${r.source}: ${r.path}`,
    settings,
    levels,
  };
}

/** The rules, host settings and terms in force for `host` of `tenant` (no host: the tenant's, before host entries). */
export function effectiveRules(set: RuleSet, tenant: string, host?: string): EffectiveRules {
  const f = set.inForce(tenant, host);
  const { terms } = f;
  const { urgency, from } = urgencyOfSettings(f.settings);
  const calendar: CalendarView =
    terms.hours === '24x7'
      ? { name: '24x7' }
      : { name: f.calendarName, timezone: terms.hours.timezone, days: terms.hours.days, hours: terms.hours.hours, holidays: terms.hours.holidays ?? [] };
  const profile = terms.slaProfile;
  return {
    tenant,
    host: host ?? null,
    tenant_entry: f.tenantEntry,
    host_entry: f.hostPattern ?? null,
    host_settings: f.settings,
    urgency,
    urgency_from: from,
    terms: {
      sla_profile: terms.slaProfileName,
      hours: terms.hours === '24x7' ? '24x7' : terms.hours.timezone,
      calendar,
      sla: {
        respond: profile.respond ?? {},
        plan: profile.plan ?? {},
        resolve: profile.resolve ?? {},
        approaching: profile.approaching ?? DEFAULT_APPROACHING,
      },
      on_clear: terms.onClear,
      reopen_window_ms: terms.reopenWindowMs,
      maintenance_exit_grace_ms: terms.maintenanceExitGraceMs,
      priority_matrix: terms.matrix,
    },
    rules: f.rules.map((r) => ruleView(r, terms.onClear, terms.matrix, urgency)),
  };
}

/** Edit distance between two ids (insertions, deletions, substitutions), for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The known id closest to `id` (fewest edits; ties: the first in `known`), or null when there are none. */
export function nearestId(id: string, known: readonly string[]): string | null {
  let best: { id: string; d: number } | null = null;
  for (const k of known) {
    const d = distance(id, k);
    if (best === null || d < best.d) best = { id: k, d };
  }
  return best?.id ?? null;
}

export interface UnknownTenant {
  tenant: string;
  /** The existing tenant id nearest to it (a likely misspelling), or null when there is no tenant yet. */
  nearest: string | null;
}

/**
 * The tenants the rules file has entries for that do not exist (yet). Not an error: a rules file may be deployed
 * before `tenant add`; but a misspelled id runs that tenant on the top-level terms, so callers warn loudly.
 */
export function unknownTenants(set: RuleSet, known: readonly string[]): UnknownTenant[] {
  const exists = new Set(known);
  return set
    .tenantIds()
    .filter((t) => !exists.has(t))
    .map((tenant) => ({ tenant, nearest: nearestId(tenant, known) }));
}

/** One line per unknown tenant, for the log and the CLI. */
export function unknownTenantMessage(u: UnknownTenant): string {
  const hint = u.nearest ? `; did you mean "${u.nearest}"?` : '';
  return `the rules file has an entry for tenant "${u.tenant}", which does not exist (yet); if it is a misspelling, the tenant meant runs on the top-level rules and terms${hint}`;
}

/** Why a silence's rule id is refused, or null when the rules in force know it for the tenant. */
export function unknownRuleProblem(set: RuleSet, tenant: string, ruleId: string): string | null {
  const known = set.ruleIds(tenant);
  if (known.includes(ruleId)) return null;
  const nearest = nearestId(ruleId, known);
  return `unknown rule "${ruleId}" for tenant ${tenant}${nearest ? ` (did you mean "${nearest}"?)` : ''}; known: ${known.join(', ') || 'none'}`;
}

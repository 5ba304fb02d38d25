// The tenant's antivirus policy: `terms.antivirus` in the rules file, merged per key across layers (a tenant's
// `quick_scan` replaces the top level's quick_scan settings and keeps its signature_update ones).
//
//   terms:
//     antivirus:
//       signature_update: { cron: "0 0 */6 * * *" }   # croner (seconds field allowed), in the tenant's time zone
//       quick_scan: { cron: "0 30 12 * * 3" }         # Wednesdays 12:30
//       update_before_ticket: true                    # default true once terms.antivirus is set
//   tenants: { acme: { terms: { antivirus: { quick_scan: { disabled: true } } } } }
//
// Only Microsoft Defender Antivirus is driven (the agent's two fixed actions, agent/src/patching/windows/defender.ts).
// Third-party products are reported by the antivirus probe and never driven: each has its own console and policy.
// Without terms.antivirus the collector asks for nothing by itself; people can still ask (API, CLI).
import { Type, type Static } from '@sinclair/typebox';
import { Cron } from 'croner';
import { ConfigError } from '../errors.js';
import type { AvActionKind } from '../patching/contract.js';

/** Defender checks for signatures itself several times a day: a schedule more often than hourly is a mistake. */
export const MIN_INTERVAL_MS = 60 * 60_000;
/** Occurrences looked at to find a schedule's shortest interval. */
const INTERVAL_SAMPLE = 8;

const ActionSchedule = (what: string) =>
  Type.Object(
    {
      cron: Type.Optional(Type.String({ minLength: 1, description: `when to ${what}: cron (seconds field allowed; croner), in the tenant's time zone` })),
      disabled: Type.Optional(Type.Boolean({ description: 'true: no scheduled action (a layer below may have set a cron)' })),
    },
    { additionalProperties: false },
  );

export const AntivirusTermsSchema = Type.Object(
  {
    signature_update: Type.Optional(ActionSchedule("update Defender's signatures (Update-MpSignature)")),
    quick_scan: Type.Optional(ActionSchedule('run a Defender quick scan (Start-MpScan -ScanType QuickScan)')),
    update_before_ticket: Type.Optional(
      Type.Boolean({ description: 'Defender definitions too old: ask for a signature update, and ticket only if they stay old (default true)' }),
    ),
  },
  { additionalProperties: false },
);
export type AntivirusTerms = Static<typeof AntivirusTermsSchema>;

export interface AvSchedule {
  action: AvActionKind;
  cron: string;
  /** Paused croner job: only asked for occurrences. */
  pattern: Cron;
}

export interface AntivirusPolicy {
  /** The tenant's time zone (its business-hours calendar's; UTC for 24x7): the crons are read in it. */
  timezone: string;
  schedules: readonly AvSchedule[];
  updateBeforeTicket: boolean;
}

/** Later layers' settings win per key; an action's cron and disabled merge one by one. */
export function mergeAntivirusTerms(base: AntivirusTerms, over: AntivirusTerms): AntivirusTerms {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = value && typeof value === 'object' && prev && typeof prev === 'object' ? { ...prev, ...value } : value;
  }
  return out as AntivirusTerms;
}

/** Schema-checked terms -> the policy. Throws ConfigError at `path` (terms.antivirus or tenants.T.terms.antivirus). */
export function resolveAntivirusPolicy(terms: AntivirusTerms, path: string, timezone: string, now = Date.now()): AntivirusPolicy {
  const schedules: AvSchedule[] = [];
  for (const action of ['signature_update', 'quick_scan'] as const) {
    const entry = terms[action];
    if (!entry || entry.disabled === true) continue;
    if (entry.cron === undefined) throw new ConfigError(`${path}.${action}.cron: required (or disabled: true)`);
    schedules.push({ action, cron: entry.cron, pattern: parseSchedule(entry.cron, timezone, `${path}.${action}.cron`, now) });
  }
  return { timezone, schedules, updateBeforeTicket: terms.update_before_ticket ?? true };
}

function parseSchedule(cron: string, timezone: string, path: string, now: number): Cron {
  let pattern: Cron;
  try {
    pattern = new Cron(cron, { timezone, paused: true });
  } catch (error) {
    throw new ConfigError(`${path}: ${(error as Error).message}`);
  }
  const runs = pattern.nextRuns(INTERVAL_SAMPLE, new Date(now)).map((d) => d.getTime());
  if (runs.length === 0) throw new ConfigError(`${path}: "${cron}" never runs`);
  for (let i = 1; i < runs.length; i++) {
    if (runs[i]! - runs[i - 1]! < MIN_INTERVAL_MS) throw new ConfigError(`${path}: "${cron}" runs more often than hourly`);
  }
  return pattern;
}

/** The latest occurrence at or before `at`, and the next one after it (null: none). */
export function occurrenceAt(schedule: Pick<AvSchedule, 'pattern'>, at: number): { due: number; next: number | null } | null {
  const [prev] = schedule.pattern.previousRuns(1, new Date(at + 1));
  if (!prev) return null;
  const next = schedule.pattern.nextRun(prev);
  return { due: prev.getTime(), next: next ? next.getTime() : null };
}

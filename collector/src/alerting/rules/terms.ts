// Service terms in the rules file: which SLA profile and hours a tenant has, its priority matrix, what a clear does
// to a ticket, and the reopen and maintenance-exit windows. Calendars, profiles and terms merge by name/key across
// layers; each value remembers where it was written so a bad reference names the file and key that made it.
import { ConfigError } from '../../errors.js';
import { calendarFromEntry, type Hours } from '../../tickets/calendar.js';
import type { Calendar, CalendarEntry, PriorityMatrix, SlaProfile } from '../../tickets/service-schema.js';
import { checkSlaProfile, hoursOf } from '../../tickets/sla.js';
import { durationAt, inFile } from './common.js';
import type { Terms } from './rules-schema.js';
import { mergeComplianceTerms, resolveThresholds, type ComplianceTerms, type ComplianceThresholds } from '../../compliance/thresholds.js';
import { STANDARD_IDS } from '../../compliance/standards/index.js';
import { floorProblem } from '../../compliance/standards/os.js';
import { mergeAntivirusTerms, resolveAntivirusPolicy, type AntivirusPolicy, type AntivirusTerms } from '../../antivirus/policy.js';
import { mergePatchTerms, resolvePatchPolicy, type PatchPolicy, type PatchTerms } from '../../patching/policy.js';
import { addReportLayer, resolveReportTerms, type ReportLayers, type ReportTerms, type ReportTermsEntry } from '../../reports/delivery-terms.js';

const DEFAULT_PROFILE = 'standard-8x5';
const DEFAULT_REOPEN_WINDOW_MS = 60 * 60_000;
const DEFAULT_MAINTENANCE_EXIT_GRACE_MS = 5 * 60_000;
/** The source name of the built-in defaults (tickets/priority.ts, tickets/sla.ts) in error messages. */
export const BUILT_IN = '(built-in)';

export interface TenantTerms {
  matrix: PriorityMatrix;
  slaProfileName: string;
  slaProfile: SlaProfile;
  hours: Hours;
  onClear: 'resolve' | 'note';
  reopenWindowMs: number;
  maintenanceExitGraceMs: number;
  /** Minimum-standard thresholds (compliance/thresholds.ts); absent when no layer sets terms.compliance: the defaults apply. */
  compliance?: ComplianceThresholds;
  /** Monthly report delivery by email (reports/delivery-terms.ts); absent when no layer sets terms.report. */
  report?: ReportTerms;
  /** Defender actions by schedule and before a ticket (antivirus/policy.ts); absent when no layer sets terms.antivirus: none. */
  antivirus?: AntivirusPolicy;
  /** The patch policy (patching/policy.ts); absent when no layer sets terms.patches or the last says enabled: false. */
  patches?: PatchPolicy;
}

/** A value and where it was written, for error messages about references to it. */
export interface At<T> {
  value: T;
  source: string;
  path: string;
}

/** What is in scope at one level (the top, or a tenant). */
export interface TermsScope {
  calendars: Map<string, At<Calendar>>;
  profiles: Map<string, At<SlaProfile>>;
  matrix: PriorityMatrix;
  terms: Map<keyof Terms, At<unknown>>;
}

export const entriesOf = <T>(record: Record<string, T> | undefined): [string, T][] => Object.entries(record ?? {});

/** Adds calendars: a whole one replaces any of its name in scope, one with `holidays` alone extends it. */
export function addCalendars(into: Map<string, At<Calendar>>, calendars: Record<string, CalendarEntry> | undefined, prefix: string, source: string): void {
  for (const [name, entry] of entriesOf(calendars)) {
    const path = `${prefix}.${name}`;
    if (name === '24x7') throw new ConfigError(`${source}: ${path}: the name 24x7 is reserved for around the clock`);
    const calendar = inFile(source, () => calendarFromEntry(entry, into.get(name)?.value, path));
    into.set(name, { value: calendar, source, path });
  }
}

/** Adds profiles and checks them against the calendars in scope at that level. */
export function addProfiles(
  into: Map<string, At<SlaProfile>>,
  profiles: Record<string, SlaProfile> | undefined,
  prefix: string,
  source: string,
  calendars: Map<string, At<Calendar>>,
): void {
  const known = calendarRecord(calendars);
  for (const [name, profile] of entriesOf(profiles)) {
    const path = `${prefix}.${name}`;
    inFile(source, () => checkSlaProfile(profile, known, path));
    into.set(name, { value: profile, source, path });
  }
}

export function addTerms(into: Map<keyof Terms, At<unknown>>, terms: Terms | undefined, prefix: string, source: string): void {
  for (const [key, value] of entriesOf(terms as Record<string, unknown> | undefined)) {
    // compliance merges per standard across layers (a tenant's backup settings keep the top level's patches ones).
    const before = key === 'compliance' || key === 'antivirus' || key === 'patches' ? into.get(key) : undefined;
    // report keeps every layer's entry: its keys merge one by one, each remembering the file that wrote it.
    const merged =
      key === 'report'
        ? addReportLayer(into.get('report')?.value, value as ReportTermsEntry, source, `${prefix}.${key}`)
        : before
          ? key === 'patches'
            ? mergePatchTerms(before.value as PatchTerms, value as PatchTerms)
            : key === 'antivirus'
              ? mergeAntivirusTerms(before.value as AntivirusTerms, value as AntivirusTerms)
              : mergeComplianceTerms(before.value as ComplianceTerms, value as ComplianceTerms)
          : value;
    into.set(key as keyof Terms, { value: merged, source, path: `${prefix}.${key}` });
  }
}

const calendarRecord = (calendars: Map<string, At<Calendar>>): Record<string, Calendar> => Object.fromEntries([...calendars].map(([n, c]) => [n, c.value]));

/** The name of the calendar the terms count in: terms.calendar, else the SLA profile's hours (a name or 24x7). */
export function calendarNameOf(ctx: TermsScope): string {
  const calendar = ctx.terms.get('calendar')?.value as string | undefined;
  if (calendar !== undefined) return calendar;
  const profile = (ctx.terms.get('sla_profile')?.value as string | undefined) ?? DEFAULT_PROFILE;
  return ctx.profiles.get(profile)?.value.hours ?? '24x7';
}

export function resolveTerms(ctx: TermsScope): TenantTerms {
  const term = (key: keyof Terms) => ctx.terms.get(key);
  const profileAt = term('sla_profile') as At<string> | undefined;
  const slaProfileName = profileAt?.value ?? DEFAULT_PROFILE;
  const profile = ctx.profiles.get(slaProfileName);
  if (!profile) {
    const where = profileAt ? `${profileAt.source}: ${profileAt.path}` : `${BUILT_IN}: terms.sla_profile`;
    throw new ConfigError(`${where}: unknown sla profile "${slaProfileName}" (known: ${[...ctx.profiles.keys()].join(', ')})`);
  }
  const calendarAt = term('calendar') as At<string> | undefined;
  let hours: Hours;
  if (calendarAt) {
    const calendar = calendarAt.value === '24x7' ? '24x7' : ctx.calendars.get(calendarAt.value)?.value;
    if (!calendar)
      throw new ConfigError(
        `${calendarAt.source}: ${calendarAt.path}: unknown calendar "${calendarAt.value}" (known: ${[...ctx.calendars.keys(), '24x7'].join(', ')})`,
      );
    hours = calendar;
  } else {
    hours = inFile(profile.source, () => hoursOf(profile.value, calendarRecord(ctx.calendars), profile.path));
  }
  const duration = (key: keyof Terms, fallback: number) => {
    const at = term(key);
    return at ? inFile(at.source, () => durationAt(at.value, at.path, fallback)) : fallback;
  };
  const complianceAt = term('compliance') as At<ComplianceTerms> | undefined;
  const antivirusAt = term('antivirus') as At<AntivirusTerms> | undefined;
  const patchesAt = term('patches') as At<PatchTerms> | undefined;
  const patches = patchesAt && inFile(patchesAt.source, () => resolvePatchPolicy(patchesAt.value, hours === '24x7' ? 'UTC' : hours.timezone, patchesAt.path));
  return {
    ...(patches ? { patches } : {}),
    ...(antivirusAt
      ? { antivirus: inFile(antivirusAt.source, () => resolveAntivirusPolicy(antivirusAt.value, antivirusAt.path, hours === '24x7' ? 'UTC' : hours.timezone)) }
      : {}),
    ...(complianceAt
      ? { compliance: inFile(complianceAt.source, () => resolveThresholds(complianceAt.value, complianceAt.path, STANDARD_IDS, floorProblem)) }
      : {}),
    ...(term('report') ? { report: resolveReportTerms(term('report')!.value as ReportLayers) } : {}),
    matrix: ctx.matrix,
    slaProfileName,
    slaProfile: profile.value,
    hours,
    onClear: (term('on_clear')?.value as 'resolve' | 'note' | undefined) ?? 'resolve',
    reopenWindowMs: duration('reopen_window', DEFAULT_REOPEN_WINDOW_MS),
    maintenanceExitGraceMs: duration('maintenance_exit_grace', DEFAULT_MAINTENANCE_EXIT_GRACE_MS),
  };
}

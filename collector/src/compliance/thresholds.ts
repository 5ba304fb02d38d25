// The tenant's minimum-standard thresholds: `terms.compliance` in the rules file, merged per standard across layers
// (a tenant's `compliance: { backup: {...} }` replaces the top level's backup settings, not its patches settings).
//
//   terms:
//     compliance:
//       os_floor: { windows_server: "2012", windows: "10", macos: "13", debian: "11", ubuntu: "22.04", rhel: "8" }
//       patches: { max_pending_age: 14d, max_since_install: 35d }
//       antivirus: { max_signature_age: 3d }
//       backup: { server_max_age: 26h, workstation_max_age: 7d }
//       password_policy: { min_length: 8, complexity: true, max_lockout_threshold: 10 }
//       remote_access: { services: [rdp, ssh] }
//       powered_on_overnight: { window: "02:00-04:00", nights: 5, of: 7, workstations: false, min_coverage: 0.9 }
//       disabled: [ups]      # standards the tenant's contract does not ask for
//       tickets: { enabled: false, urgency: low, impact: low, after: 24h }   # one ticket per host failing longer than `after`
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../errors.js';
import { DurationText, durationAt } from '../alerting/rules/common.js';
import type { Impact, Urgency } from '../alerting/contract.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** powered_on_overnight looks back at most this many nights (the engine reads that much connection history per host). */
export const MAX_OVERNIGHT_NIGHTS = 31;
const WINDOW_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$';

export const OS_FLOOR_KEYS = 'windows_server, windows, macos, or a Linux os-release ID (debian, ubuntu, rhel, ...)';

export const ComplianceTermsSchema = Type.Object(
  {
    os_floor: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_.-]*$' }), Type.String({ minLength: 1 }), {
        description: `the oldest OS release the contract accepts, per ${OS_FLOOR_KEYS}`,
      }),
    ),
    patches: Type.Optional(
      Type.Object(
        {
          max_pending_age: Type.Optional(DurationText('a security or critical update pending longer fails (default 14d)')),
          max_since_install: Type.Optional(DurationText('no update installed for longer, with updates pending, fails (default 35d)')),
        },
        { additionalProperties: false },
      ),
    ),
    antivirus: Type.Optional(
      Type.Object({ max_signature_age: Type.Optional(DurationText('older signatures fail (default 3d)')) }, { additionalProperties: false }),
    ),
    backup: Type.Optional(
      Type.Object(
        {
          server_max_age: Type.Optional(DurationText('servers and critical hosts: the last success must be newer (default 26h)')),
          workstation_max_age: Type.Optional(DurationText('workstations: the last success must be newer (default 7d)')),
        },
        { additionalProperties: false },
      ),
    ),
    password_policy: Type.Optional(
      Type.Object(
        {
          min_length: Type.Optional(Type.Integer({ minimum: 0, description: 'the policy must require at least this length (default 8)' })),
          complexity: Type.Optional(Type.Boolean({ description: 'the policy must require 3 character classes (default true)' })),
          max_lockout_threshold: Type.Optional(
            Type.Integer({ minimum: 0, description: 'accounts must lock after at most this many failures; 0: lockout not required (default 10)' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    remote_access: Type.Optional(
      Type.Object(
        {
          services: Type.Optional(
            Type.Array(Type.Union([Type.Literal('rdp'), Type.Literal('ssh')]), {
              uniqueItems: true,
              description: 'services that must not listen on their standard port when enabled (default [rdp, ssh])',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    powered_on_overnight: Type.Optional(
      Type.Object(
        {
          window: Type.Optional(
            Type.String({
              pattern: WINDOW_PATTERN,
              description: "HH:MM-HH:MM in the tenant's zone (its business-hours calendar's; UTC for 24x7), may cross midnight (default 02:00-04:00)",
            }),
          ),
          nights: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_OVERNIGHT_NIGHTS, description: 'nights the host must be on (default 5)' })),
          of: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_OVERNIGHT_NIGHTS, description: 'out of the last this many nights (default 7)' })),
          workstations: Type.Optional(Type.Boolean({ description: 'workstations must stay on too; servers always must (default false)' })),
          min_coverage: Type.Optional(
            Type.Number({
              exclusiveMinimum: 0,
              maximum: 1,
              description: 'fraction of the window the agent must be connected for the night to count (default 0.9)',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    disabled: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { uniqueItems: true, description: 'standard ids the contract does not ask for' })),
    tickets: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean({ description: 'one ticket per host with a standard failing, not waived, longer than `after` (default false)' })),
          urgency: Type.Optional(Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')], { description: 'default low' })),
          impact: Type.Optional(Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')], { description: 'default low' })),
          after: Type.Optional(DurationText('a standard failing this long is ticketed (default 24h)')),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ComplianceTerms = Static<typeof ComplianceTermsSchema>;

export interface ComplianceThresholds {
  osFloor: Readonly<Record<string, string>>;
  patchMaxPendingMs: number;
  patchMaxSinceInstallMs: number;
  avMaxSignatureAgeMs: number;
  backupServerMaxAgeMs: number;
  backupWorkstationMaxAgeMs: number;
  passwordMinLength: number;
  passwordComplexity: boolean;
  passwordMaxLockoutThreshold: number;
  remoteAccessServices: readonly string[];
  /** powered_on_overnight: the nightly window as minutes after local midnight; `to` <= `from` crosses midnight. */
  overnightWindow: Readonly<{ from: number; to: number }>;
  overnightNights: number;
  overnightOf: number;
  overnightWorkstations: boolean;
  overnightMinCoverage: number;
  disabled: readonly string[];
  /** The compliance ticket (compliance/tickets.ts): off by default; priority = the tenant's matrix(impact, urgency). */
  tickets: Readonly<{ enabled: boolean; urgency: Urgency; impact: Impact; afterMs: number }>;
}

/**
 * The defaults, as the contracts state them (patches, antivirus, backup) or as "strong" is commonly read (password):
 * 8 characters is the floor of NIST SP 800-63B and of the CIS benchmarks' older editions; complexity is what Windows
 * calls it; a lockout after at most 10 failures is the CIS Windows benchmark's limit. The OS floor is the contracts'
 * common Windows Server 2012 / Windows 10; other OSes have none until the tenant sets one.
 */
export const DEFAULT_THRESHOLDS: ComplianceThresholds = Object.freeze({
  osFloor: Object.freeze({ windows_server: '2012', windows: '10' }),
  patchMaxPendingMs: 14 * DAY_MS,
  patchMaxSinceInstallMs: 35 * DAY_MS,
  avMaxSignatureAgeMs: 3 * DAY_MS,
  backupServerMaxAgeMs: 26 * HOUR_MS,
  backupWorkstationMaxAgeMs: 7 * DAY_MS,
  passwordMinLength: 8,
  passwordComplexity: true,
  passwordMaxLockoutThreshold: 10,
  remoteAccessServices: Object.freeze(['rdp', 'ssh']),
  overnightWindow: Object.freeze({ from: 2 * 60, to: 4 * 60 }),
  overnightNights: 5,
  overnightOf: 7,
  overnightWorkstations: false,
  overnightMinCoverage: 0.9,
  disabled: Object.freeze([]),
  tickets: Object.freeze({ enabled: false, urgency: 'low', impact: 'low', afterMs: 24 * HOUR_MS }),
});

/** Later layers' settings win per standard (their keys merge); os_floor merges per OS; `disabled` is replaced. */
export function mergeComplianceTerms(base: ComplianceTerms, over: ComplianceTerms): ComplianceTerms {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    const mergeable = value && typeof value === 'object' && !Array.isArray(value) && prev && typeof prev === 'object' && !Array.isArray(prev);
    out[key] = mergeable ? { ...(prev as object), ...(value as object) } : value;
  }
  return out as ComplianceTerms;
}

/**
 * Schema-checked terms -> thresholds, defaults filled in. `known` lists the standard ids (and `floor` checks the
 * OS floor's text): a misspelled id in `disabled` or a floor that is not a release would otherwise pass silently.
 * Throws ConfigError at `path` (terms.compliance or tenants.T.terms.compliance).
 */
export function resolveThresholds(
  terms: ComplianceTerms | undefined,
  path: string,
  known: readonly string[],
  floor: (key: string, text: string) => string | null,
): ComplianceThresholds {
  if (!terms) return DEFAULT_THRESHOLDS;
  const d = DEFAULT_THRESHOLDS;
  for (const [i, id] of (terms.disabled ?? []).entries()) {
    if (!known.includes(id)) throw new ConfigError(`${path}.disabled[${i}]: unknown standard "${id}" (known: ${known.join(', ')})`);
  }
  for (const [key, text] of Object.entries(terms.os_floor ?? {})) {
    const problem = floor(key, text);
    if (problem) throw new ConfigError(`${path}.os_floor.${key}: ${problem}`);
  }
  const ms = (group: string, key: string, value: string | undefined, fallback: number) => durationAt(value, `${path}.${group}.${key}`, fallback);
  const p = terms.patches ?? {};
  const b = terms.backup ?? {};
  const pw = terms.password_policy ?? {};
  const tk = terms.tickets ?? {};
  const on = terms.powered_on_overnight ?? {};
  const nights = on.nights ?? d.overnightNights;
  const of = on.of ?? d.overnightOf;
  if (nights > of) throw new ConfigError(`${path}.powered_on_overnight.nights: ${nights} is more than of (${of}): no host could pass`);
  return {
    osFloor: terms.os_floor ? { ...d.osFloor, ...terms.os_floor } : d.osFloor,
    patchMaxPendingMs: ms('patches', 'max_pending_age', p.max_pending_age, d.patchMaxPendingMs),
    patchMaxSinceInstallMs: ms('patches', 'max_since_install', p.max_since_install, d.patchMaxSinceInstallMs),
    avMaxSignatureAgeMs: ms('antivirus', 'max_signature_age', terms.antivirus?.max_signature_age, d.avMaxSignatureAgeMs),
    backupServerMaxAgeMs: ms('backup', 'server_max_age', b.server_max_age, d.backupServerMaxAgeMs),
    backupWorkstationMaxAgeMs: ms('backup', 'workstation_max_age', b.workstation_max_age, d.backupWorkstationMaxAgeMs),
    passwordMinLength: pw.min_length ?? d.passwordMinLength,
    passwordComplexity: pw.complexity ?? d.passwordComplexity,
    passwordMaxLockoutThreshold: pw.max_lockout_threshold ?? d.passwordMaxLockoutThreshold,
    remoteAccessServices: terms.remote_access?.services ?? d.remoteAccessServices,
    overnightWindow: on.window === undefined ? d.overnightWindow : overnightWindow(on.window, `${path}.powered_on_overnight.window`),
    overnightNights: nights,
    overnightOf: of,
    overnightWorkstations: on.workstations ?? d.overnightWorkstations,
    overnightMinCoverage: on.min_coverage ?? d.overnightMinCoverage,
    disabled: terms.disabled ?? d.disabled,
    tickets: {
      enabled: tk.enabled ?? d.tickets.enabled,
      urgency: tk.urgency ?? d.tickets.urgency,
      impact: tk.impact ?? d.tickets.impact,
      afterMs: ms('tickets', 'after', tk.after, d.tickets.afterMs),
    },
  };
}

/** "22:30-05:00" -> minutes after midnight; throws ConfigError at `path` for an empty window (the schema checked the form). */
function overnightWindow(text: string, path: string): { from: number; to: number } {
  const [from, to] = text.split('-').map((hm) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5))) as [number, number];
  if (from === to) throw new ConfigError(`${path}: "${text}" is empty; give a start and an end that differ (e.g. 02:00-04:00)`);
  return { from, to };
}

/** The window as the reasons print it, "02:00-04:00". */
export const windowText = (w: { from: number; to: number }): string =>
  [w.from, w.to].map((m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`).join('-');

// When and to whom a tenant's monthly report is mailed: `terms.report` in the rules file. Its keys merge one by one
// across layers (the top level may set desk, day and time for everyone, a tenant its recipients), each key keeping
// the file and path that wrote it, so an error names where the bad value is.
//
//   terms:
//     report:
//       recipients: [it@acme.example, "Jane Roe <ceo@acme.example>"]   # none: the report is not mailed
//       cc: [account-manager@msp.example]
//       day: 3            # day of the month, 1-28 (default 3)
//       at: "08:00"       # local time in the zone of the tenant's SLA calendar (UTC for 24x7; default 08:00)
//       desk: mail        # an email desk of the desks file: its SMTP server, login and sender send the report
//       format: pdf       # or html (default pdf)
//
// The rules file does not know the desks file: whether `desk` names an email desk is checked where both are loaded
// (deskProblems, called by the scheduler at start and after a reload of either, and by `report send`).
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../errors.js';
import type { DeskSet } from '../desks/desks-file.js';
import { addressOf } from '../desks/connectors/email.js';
import type { RuleSet } from '../alerting/rules/rules-file.js';
import type { ReportFormat } from './report.js';

export const DEFAULT_DAY = 3;
export const DEFAULT_AT = '08:00';
export const DEFAULT_FORMAT: ReportFormat = 'pdf';
/** The last day every month has: a report due on the 29th-31st would skip February. */
export const MAX_DAY = 28;
/** The connector type whose SMTP settings send reports. */
export const EMAIL_DESK_TYPE = 'email';

const Address = Type.String({ minLength: 3, expected: 'an email address like it@client.example' });

export const ReportTermsSchema = Type.Object(
  {
    recipients: Type.Optional(Type.Array(Address, { description: 'who gets the monthly report; none: it is not mailed' })),
    cc: Type.Optional(Type.Array(Address, { description: 'copies' })),
    day: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DAY, description: `day of the month it is sent, 1-${MAX_DAY} (default ${DEFAULT_DAY})` })),
    at: Type.Optional(
      Type.String({
        pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
        expected: 'a time HH:MM (00:00-23:59)',
        description: `local time it is sent, in the zone of the tenant's SLA calendar (default ${DEFAULT_AT})`,
      }),
    ),
    desk: Type.Optional(Type.String({ minLength: 1, description: 'an email desk of the desks file, whose SMTP settings send it' })),
    format: Type.Optional(Type.Union([Type.Literal('pdf'), Type.Literal('html')], { description: `attached as pdf or html (default ${DEFAULT_FORMAT})` })),
  },
  { additionalProperties: false },
);
export type ReportTermsEntry = Static<typeof ReportTermsSchema>;

/** Every layer's `terms.report` in order, as the rules loader collects them. */
export type ReportLayers = readonly { entry: ReportTermsEntry; source: string; path: string }[];

/** Where a key was written: `rules.yaml: tenants.acme.terms.report.desk`. */
export interface Written {
  source: string;
  path: string;
}

export interface ReportTerms {
  recipients: readonly string[];
  cc: readonly string[];
  day: number;
  /** "08:00" */
  at: string;
  format: ReportFormat;
  /** The email desk that sends it, and where it was named; undefined when no layer names one. */
  desk?: { name: string } & Written;
}

/** The layers after one more `terms.report`; never mutates `layers`. */
export const addReportLayer = (layers: unknown, entry: ReportTermsEntry, source: string, path: string): ReportLayers => [
  ...((layers as ReportLayers | undefined) ?? []),
  { entry, source, path },
];

/** The merged terms: each key from the last layer that sets it; addresses checked. Throws ConfigError naming file and key. */
export function resolveReportTerms(layers: ReportLayers): ReportTerms {
  const last = <K extends keyof ReportTermsEntry>(key: K) => {
    for (let i = layers.length - 1; i >= 0; i--) {
      const value = layers[i]!.entry[key];
      if (value !== undefined) return { value: value as NonNullable<ReportTermsEntry[K]>, source: layers[i]!.source, path: `${layers[i]!.path}.${key}` };
    }
    return undefined;
  };
  const addresses = (key: 'recipients' | 'cc'): string[] => {
    const at = last(key);
    at?.value.forEach((text, i) => {
      if (!addressOf(text)) throw new ConfigError(`${at.source}: ${at.path}[${i}]: expected an email address like it@client.example; got "${text}"`);
    });
    return at ? [...at.value] : [];
  };
  const recipients = addresses('recipients');
  const desk = last('desk');
  if (recipients.length > 0 && !desk) {
    const at = last('recipients')!;
    throw new ConfigError(
      `${at.source}: ${at.path.replace(/recipients$/, 'desk')}: required with recipients (the email desk whose SMTP settings send the report)`,
    );
  }
  return {
    recipients,
    cc: addresses('cc'),
    day: last('day')?.value ?? DEFAULT_DAY,
    at: last('at')?.value ?? DEFAULT_AT,
    format: last('format')?.value ?? DEFAULT_FORMAT,
    ...(desk ? { desk: { name: desk.value, source: desk.source, path: desk.path } } : {}),
  };
}

/** Why `desk` cannot send reports, or null: an unknown name, another type, or settings that do not load. */
export function deskProblem(desk: NonNullable<ReportTerms['desk']>, desks: DeskSet, desksFile: string): string | null {
  const where = `${desk.source}: ${desk.path}`;
  if (!desksFile) return `${where}: "${desk.name}" cannot send reports: no desks file is configured (desks.file)`;
  const emailDesks = () => desks.names().filter((n) => safeType(desks, n) === EMAIL_DESK_TYPE);
  const known = () => `email desks in ${desksFile}: ${emailDesks().join(', ') || 'none'}`;
  let found;
  try {
    found = desks.desk?.(desk.name);
  } catch (error) {
    return `${where}: desk "${desk.name}" does not load: ${(error as Error).message}`;
  }
  if (!found) return `${where}: unknown desk "${desk.name}" (${known()})`;
  if (found.type !== EMAIL_DESK_TYPE) return `${where}: desk "${desk.name}" is a ${found.type} desk, not an email desk (${known()})`;
  return null;
}

function safeType(desks: DeskSet, name: string): string | undefined {
  try {
    return desks.desk?.(name)?.type;
  } catch {
    return undefined;
  }
}

/** The tenants (of `tenants`) whose report desk cannot send, with why: what the scheduler logs and skips. */
export function deskProblems(rules: RuleSet, tenants: readonly string[], desks: DeskSet, desksFile: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const tenant of tenants) {
    const terms = rules.terms(tenant).report;
    if (!terms?.desk || terms.recipients.length === 0) continue;
    const problem = deskProblem(terms.desk, desks, desksFile);
    if (problem) out.set(tenant, problem);
  }
  return out;
}

// The rules file's schema (everything but the rules' own keys, which each kind declares) and the one place that
// turns a TypeBox error into a path a person can find: `tenants.acme.hosts.sql01.role: expected one of ...`.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import { CalendarSchema, PriorityMatrixSchema, SlaProfileSchema } from '../service-schema.js';
import { DurationText, RoleSchema } from './common.js';

const Urgency = Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')]);

export const TermsSchema = Type.Object(
  {
    sla_profile: Type.Optional(Type.String({ minLength: 1, description: 'a name from sla_profiles (default standard-8x5)' })),
    calendar: Type.Optional(Type.String({ minLength: 1, description: "a calendar name, or 24x7: replaces the profile's hours" })),
    on_clear: Type.Optional(Type.Union([Type.Literal('resolve'), Type.Literal('note')], { description: 'what a cleared alert does to its ticket (default resolve)' })),
    reopen_window: Type.Optional(DurationText('duration: a re-trigger within this time after a resolution reopens the ticket (default 1h)')),
    maintenance_exit_grace: Type.Optional(DurationText('duration: alerts still firing this long after a maintenance window ends are ticketed (default 5m)')),
  },
  { additionalProperties: false },
);
export type Terms = Static<typeof TermsSchema>;

/** Rule entries are checked per kind by rule-layers.ts; here only "a mapping". */
const RuleList = Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'rules; an entry whose id exists overrides that rule' });
const Calendars = Type.Record(Type.String({ minLength: 1 }), CalendarSchema);
const SlaProfiles = Type.Record(Type.String({ minLength: 1 }), SlaProfileSchema);

export const HostSchema = Type.Object(
  {
    role: Type.Optional(RoleSchema),
    critical: Type.Optional(Type.Boolean({ description: 'the whole company depends on it (urgency high); tag critical does the same' })),
    urgency: Type.Optional(Urgency),
    site: Type.Optional(Type.String({ minLength: 1 })),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    rules: Type.Optional(RuleList),
  },
  { additionalProperties: false },
);
export type HostEntry = Static<typeof HostSchema>;

export const TenantSchema = Type.Object(
  {
    terms: Type.Optional(TermsSchema),
    calendars: Type.Optional(Calendars),
    sla_profiles: Type.Optional(SlaProfiles),
    priority_matrix: Type.Optional(PriorityMatrixSchema),
    rules: Type.Optional(RuleList),
    hosts: Type.Optional(Type.Record(Type.String({ minLength: 1 }), HostSchema, { description: "host name or glob ('*'); exact beats glob, longer glob beats shorter" })),
  },
  { additionalProperties: false },
);
export type TenantEntry = Static<typeof TenantSchema>;

export const RulesFileSchema = Type.Object(
  {
    priority_matrix: Type.Optional(PriorityMatrixSchema),
    calendars: Type.Optional(Calendars),
    sla_profiles: Type.Optional(SlaProfiles),
    terms: Type.Optional(TermsSchema),
    rules: Type.Optional(RuleList),
    tenants: Type.Optional(Type.Record(Type.String({ minLength: 1 }), TenantSchema)),
  },
  { additionalProperties: false },
);
export type RulesDoc = Static<typeof RulesFileSchema>;

/** `rules[3]` + `/levels/0/above` -> `rules[3].levels[0].above`. */
export function joinPath(prefix: string, pointer: string): string {
  let out = prefix;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(segment) ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  }
  return out || '(root)';
}

const literals = (schema: TSchema): unknown[] | undefined => {
  const anyOf = (schema as { anyOf?: Record<string, unknown>[] }).anyOf;
  return anyOf && anyOf.every((s) => 'const' in s) ? anyOf.map((s) => s.const) : undefined;
};

const isDuration = (schema: TSchema): boolean => typeof schema.description === 'string' && schema.description.startsWith('duration');

/** "a duration or a mapping (server, workstation)": what a union accepts, in words. */
function expected(schema: TSchema): string {
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf;
  if (anyOf) {
    const parts = anyOf.map(expected);
    return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}` : (parts[0] ?? 'a value');
  }
  if ('const' in schema) return JSON.stringify(schema.const);
  if (isDuration(schema)) return 'a duration';
  const keys = schema.type === 'object' && schema.properties ? ` (${Object.keys(schema.properties as object).join(', ')})` : '';
  return { string: 'a string', number: 'a number', integer: 'an integer', boolean: 'true/false', array: 'a list', object: `a mapping${keys}` }[String(schema.type)] ?? 'a value';
}

function describe(e: ValueError): string {
  const got = `got ${JSON.stringify(e.value)}`;
  if (e.type === ValueErrorType.ObjectRequiredProperty) return 'required';
  if (e.type === ValueErrorType.ObjectAdditionalProperties) return 'unknown key';
  const choices = literals(e.schema);
  if (choices) return `expected one of ${choices.join(', ')}; ${got}`;
  if (isDuration(e.schema)) return `expected a duration like 30s, 5m, 7d; ${got}`;
  if (e.type === ValueErrorType.Union) return `expected ${expected(e.schema)}; ${got}`;
  return `${e.message}; ${got}`;
}

/** The first schema error as `path: what`, or undefined when `value` fits. */
export function firstError(schema: TSchema, value: unknown, prefix: string): string | undefined {
  const e = Value.Errors(schema, value).First();
  return e ? `${joinPath(prefix, e.path)}: ${describe(e)}` : undefined;
}

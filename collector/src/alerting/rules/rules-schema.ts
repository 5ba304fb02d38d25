// The rules file's schema (everything but the rules' own keys, which each kind declares). Its errors read as every
// schema error does (config/schema-errors.ts): `tenants.acme.hosts.sql01.role: expected one of ...`.
import { Type, type Static } from '@sinclair/typebox';
import { CalendarEntrySchema, PriorityMatrixSchema, SlaProfileSchema } from '../../tickets/service-schema.js';
import { DurationText, RoleSchema } from './common.js';
import { ComplianceTermsSchema } from '../../compliance/thresholds.js';
import { ReportTermsSchema } from '../../reports/delivery-terms.js';
import { AntivirusTermsSchema } from '../../antivirus/policy.js';
import { HostPatchKeys, PatchTermsSchema } from '../../patching/policy.js';

const Urgency = Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')]);

export const TermsSchema = Type.Object(
  {
    sla_profile: Type.Optional(Type.String({ minLength: 1, description: 'a name from sla_profiles (default standard-8x5)' })),
    calendar: Type.Optional(Type.String({ minLength: 1, description: "a calendar name, or 24x7: replaces the profile's hours" })),
    on_clear: Type.Optional(
      Type.Union([Type.Literal('resolve'), Type.Literal('note')], { description: 'what a cleared alert does to its ticket (default resolve)' }),
    ),
    reopen_window: Type.Optional(DurationText('duration: a re-trigger within this time after a resolution reopens the ticket (default 1h)')),
    maintenance_exit_grace: Type.Optional(DurationText('duration: alerts still firing this long after a maintenance window ends are ticketed (default 5m)')),
    compliance: Type.Optional(ComplianceTermsSchema),
    report: Type.Optional(ReportTermsSchema),
    antivirus: Type.Optional(AntivirusTermsSchema),
    patches: Type.Optional(PatchTermsSchema),
  },
  { additionalProperties: false },
);
export type Terms = Static<typeof TermsSchema>;

/** Rule entries are checked per kind by rule-layers.ts; here only "a mapping". */
const RuleList = Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'rules; an entry whose id exists overrides that rule' });
/** A whole calendar, or `holidays` alone over the calendar of that name in scope (tickets/calendar.ts calendarFromEntry). */
const Calendars = Type.Record(Type.String({ minLength: 1 }), CalendarEntrySchema);
const SlaProfiles = Type.Record(Type.String({ minLength: 1 }), SlaProfileSchema);

/** What the top level and each tenant may set: service terms, their calendars, profiles and matrix, and rules. */
const LAYER_KEYS = {
  priority_matrix: Type.Optional(PriorityMatrixSchema),
  calendars: Type.Optional(Calendars),
  sla_profiles: Type.Optional(SlaProfiles),
  terms: Type.Optional(TermsSchema),
  rules: Type.Optional(RuleList),
};

export const HostSchema = Type.Object(
  {
    role: Type.Optional(RoleSchema),
    critical: Type.Optional(Type.Boolean({ description: 'the whole company depends on it (urgency high); tag critical does the same' })),
    urgency: Type.Optional(Urgency),
    site: Type.Optional(Type.String({ minLength: 1 })),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    ...HostPatchKeys,
    rules: Type.Optional(RuleList),
  },
  { additionalProperties: false },
);
export type HostEntry = Static<typeof HostSchema>;

export const TenantSchema = Type.Object(
  {
    ...LAYER_KEYS,
    hosts: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), HostSchema, { description: "host name or glob ('*'); exact beats glob, longer glob beats shorter" }),
    ),
  },
  { additionalProperties: false },
);
export type TenantEntry = Static<typeof TenantSchema>;

export const RulesFileSchema = Type.Object(
  {
    ...LAYER_KEYS,
    tenants: Type.Optional(Type.Record(Type.String({ minLength: 1 }), TenantSchema)),
  },
  { additionalProperties: false },
);
export type RulesDoc = Static<typeof RulesFileSchema>;

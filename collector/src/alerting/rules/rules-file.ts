// The rules file: alert rules and the MSP's service terms (priority matrix, business calendars, SLA profiles), with
// per-tenant and per-host overrides. The shipped defaults (collector/data/rules.yaml) load first; the user's file
// layers over them the same way a tenant layers over the top level.
//
//   priority_matrix: {high: {high: P1, medium: P2, low: P3}, medium: {...}, low: {...}}   # matrix[impact][urgency]
//   calendars: { business: {timezone: UTC, days: [mon, tue, wed, thu, fri], hours: [{start: "08:00", end: "17:00"}], holidays: []} }
//   sla_profiles: { standard-8x5: {hours: business, respond: {P1: 12m, ...}, plan: {...}, resolve: {...}}, ... }
//   terms: { sla_profile: standard-8x5, on_clear: resolve, reopen_window: 1h, maintenance_exit_grace: 5m }
//   rules: [ {id, kind, title, ...} ]                 # an existing id overrides that rule's keys; a new id adds one
//   tenants:
//     acme:
//       terms: { sla_profile: co-managed-24x7, calendar: acme-office }  # calendar replaces the profile's hours
//       calendars: {...}  sla_profiles: {...}  priority_matrix: {...}   # tenant-local, over the top level's
//       rules: [ {id: disk_space, for: 10m}, {id: av_disabled, enabled: false}, {id: new_rule, kind: metric, ...} ]
//       hosts:
//         sql01: { role: server, critical: true, urgency: high, site: hq, tags: [sql], rules: [...] }
//         "ws-*": { role: workstation }   # '*' globs; exact beats glob, longer glob beats shorter; case-insensitive
//
// Layering, later wins: the built-in matrix, `business` calendar and two SLA profiles (tickets/priority.ts, tickets/sla.ts), the
// shipped file, the user's file; then per tenant its entries in each file, then the one host entry that matches.
// Mappings (calendars, sla_profiles, terms, host settings) merge by key; priority_matrix is replaced whole; rules
// merge by id. A top-level SLA profile must name a top-level calendar (or 24x7); a tenant-local one may also name
// the tenant's calendars, which shadow top-level ones of the same name.
//
// Everything is checked and compiled when the file is parsed: a bad file throws ConfigError with the file and the
// path of the bad key (`rules.yaml: tenants.acme.rules[1].for: expected a duration like 30s, 5m, 7d; got "soon"`)
// and nothing else changes. A RuleSet is immutable and the module keeps no state: a reload is a new RuleSet,
// swapped in by its owner only when it parsed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../errors.js';
import type { Role, Urgency } from '../contract.js';
import { DEFAULT_MATRIX } from '../../tickets/priority.js';
import { DEFAULT_CALENDARS, DEFAULT_SLA_PROFILES } from '../../tickets/sla.js';
import { hostMatcher, type HostPattern } from './host-match.js';
import type { CompiledRule } from './kinds/index.js';
import { applyRuleLayer, compileScope, createCompiler, type RawRules, type Scope } from './rule-layers.js';
import { firstSchemaError } from '../../config/schema-errors.js';
import { RulesFileSchema, type HostEntry, type RulesDoc, type TenantEntry } from './rules-schema.js';
import { checkHostEntries, type HostPatchEntry } from '../../patching/policy.js';
import { addCalendars, addProfiles, addTerms, BUILT_IN, calendarNameOf, entriesOf, resolveTerms, type TenantTerms, type TermsScope } from './terms.js';

export type { CompiledRule } from './kinds/index.js';
export type { TenantTerms } from './terms.js';

/** The shipped default pack (copied beside the compiled code by scripts/copy-generated.mjs). */
export const DEFAULT_RULES_FILE = fileURLToPath(new URL('../../../data/rules.yaml', import.meta.url));

/** Host -> matched entry lookups remembered per RuleSet; the memo starts over past this many hosts. */
const MAX_MEMO_HOSTS = 100_000;

export interface HostRuleSettings extends HostPatchEntry {
  role?: Role;
  critical?: boolean;
  urgency?: Urgency;
  site?: string;
  tags: readonly string[];
}

/** One rule in force: compiled, and as its layers merged it (its YAML keys, and the layer that last wrote it). */
export interface RuleInForce {
  rule: CompiledRule;
  raw: Readonly<Record<string, unknown>>;
  source: string;
  path: string;
}

/** Everything that applies to one host (or, without a host, to the tenant before any host entry), for showing. */
export interface RulesInForce {
  /** Whether the rules file has an entry for the tenant (else the top level applies as it is). */
  tenantEntry: boolean;
  /** The pattern of the host entry that matched (an exact name or a glob); undefined when none did. */
  hostPattern?: string;
  settings: HostRuleSettings;
  terms: TenantTerms;
  /** The calendar the SLA clocks count in, by name (or 24x7); terms.hours is its content. */
  calendarName: string;
  rules: readonly RuleInForce[];
}

export interface RuleSet {
  /** Every enabled rule for this host after tenant and host overrides, compiled. Cached: cheap to call per batch. */
  rulesFor(tenant: string, host: string): readonly CompiledRule[];
  /** One enabled rule for one host, or undefined (unknown id, or disabled there). */
  rule(tenant: string, host: string, id: string): CompiledRule | undefined;
  /**
   * Rule ids enabled anywhere (top level, any tenant or host entry), sorted; with a tenant, those enabled for some
   * host of that tenant (its own entry and its host entries, or the top level when it has no entry).
   */
  ruleIds(tenant?: string): readonly string[];
  /** The tenants that have an entry under `tenants:` in any layer, sorted. */
  tenantIds(): readonly string[];
  /** The host's settings from its matching host entry; critical is also true with the tag `critical`. */
  hostSettings(tenant: string, host: string): HostRuleSettings;
  terms(tenant: string): TenantTerms;
  /** The rules, settings and terms in force for a host after every override (no host: the tenant's, no host entry). */
  inForce(tenant: string, host?: string): RulesInForce;
}

interface Layer {
  doc: RulesDoc;
  source: string;
}

interface Context extends TermsScope {
  rules: RawRules;
}

interface HostScope {
  settings: HostRuleSettings;
  scope: Scope;
}

interface TenantScope {
  terms: TenantTerms;
  calendar: string;
  scope: Scope;
  match: (host: string) => HostPattern<HostScope> | undefined;
  /** Every rule id enabled in the tenant's entry or one of its host entries, sorted. */
  ruleIds: readonly string[];
}

const LAYERS = new WeakMap<RuleSet, readonly Layer[]>();

/** Parses one rules file over `base` (its layers come first). Throws ConfigError naming the file and key. */
export function parseRules(text: string, source: string, base?: RuleSet): RuleSet {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${source}: not valid YAML: ${(error as Error).message}`);
  }
  doc ??= {};
  const problem = firstSchemaError(RulesFileSchema, doc);
  if (problem) throw new ConfigError(`${source}: ${problem}`);
  const below = base ? LAYERS.get(base) : [];
  if (!below) throw new Error('parseRules: base must be a RuleSet from parseRules or loadRules');
  return build([...below, { doc: doc as RulesDoc, source }]);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${file}: cannot read the rules file: ${(error as Error).message}`);
  }
}

/** The shipped defaults (unless includeDefaults is false), then `file` over them. */
export function loadRules(file?: string, options: { includeDefaults?: boolean } = {}): RuleSet {
  let set = options.includeDefaults === false ? undefined : parseRules(readText(DEFAULT_RULES_FILE), DEFAULT_RULES_FILE);
  if (file) set = parseRules(readText(file), file, set);
  return set ?? parseRules('', BUILT_IN);
}

function topLevel(layers: readonly Layer[]): Context {
  const builtIn = <T>(record: Record<string, T>, prefix: string) =>
    new Map(Object.entries(record).map(([n, v]) => [n, { value: v, source: BUILT_IN, path: `${prefix}.${n}` }]));
  const ctx: Context = {
    calendars: builtIn(DEFAULT_CALENDARS, 'calendars'),
    profiles: builtIn(DEFAULT_SLA_PROFILES, 'sla_profiles'),
    matrix: DEFAULT_MATRIX,
    terms: new Map(),
    rules: new Map(),
  };
  for (const { doc, source } of layers) addCalendars(ctx.calendars, doc.calendars, 'calendars', source);
  for (const { doc, source } of layers) {
    addProfiles(ctx.profiles, doc.sla_profiles, 'sla_profiles', source, ctx.calendars);
    addTerms(ctx.terms, doc.terms, 'terms', source);
    if (doc.priority_matrix) ctx.matrix = doc.priority_matrix;
    ctx.rules = applyRuleLayer(ctx.rules, doc.rules, 'rules', source);
  }
  return ctx;
}

function tenantContext(top: Context, name: string, entries: readonly { t: TenantEntry; source: string }[]): Context {
  const ctx: Context = { ...top, calendars: new Map(top.calendars), profiles: new Map(top.profiles), terms: new Map(top.terms) };
  const prefix = `tenants.${name}`;
  for (const { t, source } of entries) addCalendars(ctx.calendars, t.calendars, `${prefix}.calendars`, source);
  for (const { t, source } of entries) {
    addProfiles(ctx.profiles, t.sla_profiles, `${prefix}.sla_profiles`, source, ctx.calendars);
    addTerms(ctx.terms, t.terms, `${prefix}.terms`, source);
    if (t.priority_matrix) ctx.matrix = t.priority_matrix;
    ctx.rules = applyRuleLayer(ctx.rules, t.rules, `${prefix}.rules`, source);
  }
  return ctx;
}

function hostSettingsOf(settings: Omit<HostEntry, 'rules'>): HostRuleSettings {
  const tags = settings.tags ?? [];
  const critical = settings.critical ?? (tags.includes('critical') ? true : undefined);
  return {
    ...(settings.role !== undefined ? { role: settings.role } : {}),
    ...(critical !== undefined ? { critical } : {}),
    ...(settings.urgency !== undefined ? { urgency: settings.urgency } : {}),
    ...(settings.site !== undefined ? { site: settings.site } : {}),
    ...(settings.patch_ring !== undefined ? { patch_ring: settings.patch_ring } : {}),
    ...(settings.patch_window !== undefined ? { patch_window: settings.patch_window } : {}),
    ...(settings.patch_reboot !== undefined ? { patch_reboot: settings.patch_reboot } : {}),
    tags,
  };
}

/** A tenant's host entries across layers: settings merge by key, rules layer over the tenant's. */
function hostScopes(
  tenant: Context,
  name: string,
  entries: readonly { t: TenantEntry; source: string }[],
  compile: ReturnType<typeof createCompiler>,
): HostPattern<HostScope>[] {
  const byKey = new Map<string, { pattern: string; settings: Omit<HostEntry, 'rules'>; rules: RawRules }>();
  for (const { t, source } of entries) {
    const inLayer = new Map<string, string>();
    for (const [pattern, { rules, ...settings }] of entriesOf(t.hosts)) {
      const key = pattern.toLowerCase();
      const path = `tenants.${name}.hosts.${pattern}`;
      if (inLayer.has(key)) throw new ConfigError(`${source}: ${path}: the same host as "${inLayer.get(key)}" (host names ignore case)`);
      inLayer.set(key, pattern);
      const prev = byKey.get(key) ?? { pattern, settings: {}, rules: tenant.rules };
      byKey.set(key, { pattern: prev.pattern, settings: { ...prev.settings, ...settings }, rules: applyRuleLayer(prev.rules, rules, `${path}.rules`, source) });
    }
  }
  return [...byKey.values()].map((h) => ({ pattern: h.pattern, value: { settings: hostSettingsOf(h.settings), scope: compileScope(h.rules, compile) } }));
}

function build(layers: readonly Layer[]): RuleSet {
  const compile = createCompiler();
  const top = topLevel(layers);
  const global = { terms: resolveTerms(top), calendar: calendarNameOf(top), scope: compileScope(top.rules, compile) };
  const tenants = new Map<string, TenantScope>();
  const ids = new Set(global.scope.enabled.map((r) => r.id));
  const names = new Set(layers.flatMap((l) => Object.keys(l.doc.tenants ?? {})));
  for (const name of names) {
    const entries = layers.flatMap(({ doc, source }) => (doc.tenants?.[name] ? [{ t: doc.tenants[name], source }] : []));
    const ctx = tenantContext(top, name, entries);
    const hosts = hostScopes(ctx, name, entries, compile);
    const scope = compileScope(ctx.rules, compile);
    const terms = resolveTerms(ctx);
    // A host entry's patch_ring must name a ring of the tenant's policy (checked per layer, so the error names its file).
    checkHostEntries(
      terms.patches,
      entries.flatMap(({ t, source }) => entriesOf(t.hosts).map(([pattern, entry]) => ({ source, path: `tenants.${name}.hosts.${pattern}`, entry }))),
    );
    const tenantIds = new Set([scope, ...hosts.map((h) => h.value.scope)].flatMap((s) => s.enabled.map((r) => r.id)));
    for (const id of tenantIds) ids.add(id);
    tenants.set(name, { terms, calendar: calendarNameOf(ctx), scope, match: hostMatcher(hosts), ruleIds: [...tenantIds].sort() });
  }
  const sortedIds = [...ids].sort();
  const globalIds = global.scope.enabled.map((r) => r.id).sort();
  const sortedTenants = [...tenants.keys()].sort();
  const memo = new Map<string, HostScope | null>();
  const hostScope = (tenant: string, host: string): HostScope | null => {
    const t = tenants.get(tenant);
    if (!t) return null;
    const key = `${tenant}\u0000${host}`;
    let found = memo.get(key);
    if (found === undefined) {
      if (memo.size >= MAX_MEMO_HOSTS) memo.clear();
      memo.set(key, (found = t.match(host)?.value ?? null));
    }
    return found;
  };
  const scopeOf = (tenant: string, host: string): Scope => hostScope(tenant, host)?.scope ?? tenants.get(tenant)?.scope ?? global.scope;
  const set: RuleSet = {
    rulesFor: (tenant, host) => scopeOf(tenant, host).enabled,
    rule: (tenant, host, id) => scopeOf(tenant, host).byId.get(id),
    ruleIds: (tenant) => (tenant === undefined ? sortedIds : (tenants.get(tenant)?.ruleIds ?? globalIds)),
    tenantIds: () => sortedTenants,
    hostSettings: (tenant, host) => hostScope(tenant, host)?.settings ?? { tags: [] },
    terms: (tenant) => tenants.get(tenant)?.terms ?? global.terms,
    inForce(tenant, host) {
      const t = tenants.get(tenant);
      const matched = host === undefined ? undefined : t?.match(host);
      const scope = matched?.value.scope ?? t?.scope ?? global.scope;
      const rules = scope.enabled.map((rule) => {
        const raw = scope.raw.get(rule.id)!;
        return { rule, raw: raw.raw, source: raw.source, path: raw.path };
      });
      return {
        tenantEntry: t !== undefined,
        ...(matched ? { hostPattern: matched.pattern } : {}),
        settings: matched?.value.settings ?? { tags: [] },
        terms: (t ?? global).terms,
        calendarName: (t ?? global).calendar,
        rules,
      };
    },
  };
  LAYERS.set(set, layers);
  return Object.freeze(set);
}

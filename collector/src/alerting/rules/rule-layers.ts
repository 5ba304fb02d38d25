// Rules in layers: shipped defaults, the user's top-level rules, a tenant's, a host entry's. In each layer an entry
// whose id already exists overrides that rule (the keys it gives replace the rule's keys: a new `levels` replaces
// the whole list), and a new id adds a rule. Every entry is checked where it is written, so an error names the
// file and key that caused it.
import { Type, type TObject } from '@sinclair/typebox';
import { ConfigError } from '../../errors.js';
import { COMMON_PROPS, compileCommon, inFile, RULE_ID_PATTERN } from './common.js';
import { isRuleKindName, kindNamed, RULE_KINDS, type CompiledRule, type RuleKindName } from './kinds/index.js';
import { firstSchemaError } from '../../config/schema-errors.js';

/** One rule's merged YAML and where its latest layer wrote it. */
export interface RawRule {
  raw: Readonly<Record<string, unknown>>;
  kind: RuleKindName;
  source: string;
  path: string;
}

export type RawRules = ReadonlyMap<string, RawRule>;

const fail = (source: string, message: string): never => {
  throw new ConfigError(`${source}: ${message}`);
};

const SCHEMAS = new Map<RuleKindName, { full: TObject; partial: TObject }>();
function schemasOf(kind: RuleKindName): { full: TObject; partial: TObject } {
  let s = SCHEMAS.get(kind);
  if (!s) {
    const full = Type.Object({ ...COMMON_PROPS, ...RULE_KINDS[kind].schema.properties }, { additionalProperties: false });
    SCHEMAS.set(kind, (s = { full, partial: Type.Partial(full, { additionalProperties: false }) }));
  }
  return s;
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const KNOWN = Object.keys(RULE_KINDS).join(', ');
const SLUG = new RegExp(RULE_ID_PATTERN);

/** The rules after one layer's list (`listPath` e.g. `tenants.acme.rules`). Never mutates `rules`. */
export function applyRuleLayer(rules: RawRules, entries: readonly unknown[] | undefined, listPath: string, source: string): RawRules {
  if (!entries || entries.length === 0) return rules;
  const out = new Map(rules);
  const seen = new Map<string, string>();
  entries.forEach((entry, i) => {
    const path = `${listPath}[${i}]`;
    if (!isMapping(entry)) return fail(source, `${path}: expected a mapping with id and kind`);
    const id = entry.id;
    if (typeof id !== 'string' || !SLUG.test(id))
      return fail(source, `${path}.id: expected a rule id (lower-case letters, digits and _, starting with a letter); got ${JSON.stringify(id)}`);
    if (seen.has(id)) return fail(source, `${path}.id: duplicate id "${id}" (also ${seen.get(id)})`);
    seen.set(id, path);
    const base = out.get(id);
    if (base && entry.kind !== undefined && entry.kind !== base.kind) {
      return fail(
        source,
        `${path}.kind: rule "${id}" is a ${base.kind} rule (${base.source}: ${base.path}); a kind cannot be changed, give the new rule another id`,
      );
    }
    const kind = base ? base.kind : entry.kind;
    if (kind === undefined) return fail(source, `${path}.kind: required: no rule "${id}" is defined before this, so this entry is a new rule`);
    if (!isRuleKindName(kind)) return fail(source, `${path}.kind: unknown rule kind ${JSON.stringify(kind)} (known: ${KNOWN})`);
    const schemas = schemasOf(kind);
    const raw = base ? { ...base.raw, ...entry } : entry;
    const problem = firstSchemaError(base ? schemas.partial : schemas.full, entry, { at: path }) ?? firstSchemaError(schemas.full, raw, { at: path });
    if (problem) return fail(source, problem);
    out.set(id, { raw, kind, source, path });
  });
  return out;
}

/** Compiles rules, reusing the result for a RawRule's `raw` object already compiled (layers share unchanged rules). */
export function createCompiler(): (rule: RawRule) => CompiledRule {
  const cache = new WeakMap<object, CompiledRule>();
  return (rule) => {
    let compiled = cache.get(rule.raw);
    if (!compiled) {
      compiled = inFile(rule.source, () => {
        const common = compileCommon(rule.raw, rule.path);
        return kindNamed(rule.kind).compile(rule.raw, common, rule.path);
      });
      cache.set(rule.raw, compiled);
    }
    return compiled;
  };
}

/** A scope's rules: the enabled ones compiled (for the engine) and every merged entry as written (for showing). */
export interface Scope {
  enabled: readonly CompiledRule[];
  byId: ReadonlyMap<string, CompiledRule>;
  raw: RawRules;
}

export function compileScope(rules: RawRules, compile: (rule: RawRule) => CompiledRule): Scope {
  const enabled = [...rules.values()].map(compile).filter((r) => r.enabled);
  return { enabled, byId: new Map(enabled.map((r) => [r.id, r])), raw: rules };
}

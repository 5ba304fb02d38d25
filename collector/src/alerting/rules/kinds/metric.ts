// metric: a field of a measurement against thresholds, per instance (a disk path, or one per host).
//
//   - id: disk_space
//     kind: metric
//     measurement: disk
//     field: used_percent
//     instance: path                 # tag(s) naming the instance; default '' (one per host)
//     where: { fstype: [ext4, xfs] } # tag filters (equals / one of)
//     value: raw                     # or age_days: the field is unix seconds, the value its age at the sample time;
//                                    # or rate: the field is a cumulative counter, the value its increase per second
//     levels:                        # in order of severity: the LAST is the most severe
//       - { name: warning, above: 90, clear: 85, impact: medium }
//       - { name: critical, above: 95, clear: 92, impact: high }
//
// A level is one of above / below (numbers), equals (number, string, boolean) or in (strings). `clear` is the
// hysteresis: a level that is active stays active until the value passes `clear` (default: the threshold). One
// level can be written at the top instead (above/below/equals/in/clear/impact; its name is 'default'). The
// observation's level is the most severe breached level; a sample without the field (or of the wrong type for
// the thresholds) says nothing.
//
// `value: rate` is for Telegraf's counters (diskio's weighted_io_time, swap's in, kernel's context_switches): the
// value is the counter's increase per second since the previous sample of the same instance, kept in the engine's
// per-host memory. The first sample after a collector start says nothing, and neither does one whose counter went
// backwards (the host rebooted, the counter wrapped): the rate starts over from it instead of going negative.
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../../../errors.js';
import type { Impact, Observation, RuleSample } from '../../contract.js';
import {
  compileInstance,
  compileTagFilter,
  formatNumber,
  ImpactSchema,
  instanceOf,
  InstanceSchema,
  matchesTags,
  RULE_ID_PATTERN,
  TagFilterSchema,
  type TagFilter,
} from '../common.js';
import type { ObserveContext, RuleCommon, RuleKind } from '../kind.js';

const DAY_S = 86_400;
const OPS = ['above', 'below', 'equals', 'in'] as const;

const Threshold = {
  above: Type.Optional(Type.Number({ description: 'active while the value is greater' })),
  below: Type.Optional(Type.Number({ description: 'active while the value is smaller' })),
  equals: Type.Optional(Type.Union([Type.Number(), Type.String(), Type.Boolean()])),
  in: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
  clear: Type.Optional(Type.Number({ description: 'above/below only: an active level stays active until the value passes this' })),
  impact: Type.Optional(ImpactSchema),
};
const LevelSchema = Type.Object({ name: Type.String({ pattern: RULE_ID_PATTERN }), ...Threshold }, { additionalProperties: false });
type RawLevel = Partial<Static<typeof LevelSchema>>;

const schema = Type.Object({
  measurement: Type.String({ minLength: 1 }),
  field: Type.String({ minLength: 1 }),
  where: Type.Optional(TagFilterSchema),
  instance: Type.Optional(InstanceSchema),
  value: Type.Optional(Type.Union([Type.Literal('raw'), Type.Literal('age_days'), Type.Literal('rate')])),
  levels: Type.Optional(Type.Array(LevelSchema, { minItems: 1, description: 'least severe first' })),
  ...Threshold,
});

export type Condition =
  { op: 'above' | 'below'; threshold: number; clear: number } | { op: 'equals'; value: number | string | boolean } | { op: 'in'; values: readonly string[] };

export interface MetricLevel {
  name: string;
  impact: Impact;
  condition: Condition;
}

export interface MetricRule extends RuleCommon {
  kind: 'metric';
  measurement: string;
  field: string;
  where: TagFilter;
  instance: readonly string[];
  value: 'raw' | 'age_days' | 'rate';
  /** Least severe first. */
  levels: readonly MetricLevel[];
}

function compileCondition(raw: RawLevel, path: string): Condition {
  const given = OPS.filter((op) => raw[op] !== undefined);
  if (given.length !== 1) throw new ConfigError(`${path}: give exactly one of above, below, equals, in (got ${given.join(', ') || 'none'})`);
  const op = given[0]!;
  if (op === 'equals' || op === 'in') {
    if (raw.clear !== undefined) throw new ConfigError(`${path}.clear: only with above or below`);
    return op === 'equals' ? { op, value: raw.equals! } : { op, values: raw.in! };
  }
  const threshold = raw[op]!;
  const clear = raw.clear ?? threshold;
  if (op === 'above' ? clear > threshold : clear < threshold) {
    throw new ConfigError(
      `${path}.clear: ${clear} is ${op === 'above' ? 'above' : 'below'} the threshold (${op} ${threshold}): it would clear before it triggers`,
    );
  }
  return { op, threshold, clear };
}

function compileLevel(raw: RawLevel, name: string, path: string, ruleImpact: Impact | undefined): MetricLevel {
  const impact = raw.impact ?? ruleImpact;
  if (impact === undefined) throw new ConfigError(`${path}.impact: required: neither the level nor the rule names an impact`);
  return { name, impact, condition: compileCondition(raw, path) };
}

function compileLevels(raw: Static<typeof schema>, common: RuleCommon, path: string): MetricLevel[] {
  const top = (Object.keys(Threshold) as (keyof typeof Threshold)[]).filter((k) => k !== 'impact' && raw[k] !== undefined);
  if (raw.levels === undefined) return [compileLevel(raw, 'default', path, common.impact)];
  if (top.length > 0) throw new ConfigError(`${path}.${top[0]}: give either levels or a single level at the top (above, below, equals, in, clear), not both`);
  const seen = new Set<string>();
  return raw.levels.map((level, i) => {
    if (seen.has(level.name)) throw new ConfigError(`${path}.levels[${i}].name: duplicate level "${level.name}"`);
    seen.add(level.name);
    return compileLevel(level, level.name, `${path}.levels[${i}]`, common.impact);
  });
}

type Value = number | string | boolean;

/** A counter's last reading per instance, in the engine's memory of the host (`value: rate`). */
interface CounterReading {
  value: number;
  time: number;
}

/** Per second since the previous reading; undefined for the first, a replayed older one, or a counter reset. The
 *  newest reading is remembered either way, except a replayed one (it is older than what is kept). */
function rateOf(memory: Map<string, unknown>, instance: string, value: number, time: number): number | undefined {
  const key = `rate:${instance}`;
  const prev = memory.get(key) as CounterReading | undefined;
  if (prev && time <= prev.time) return undefined;
  memory.set(key, { value, time } satisfies CounterReading);
  if (!prev || value < prev.value) return undefined;
  return (value - prev.value) / ((time - prev.time) / 1000);
}

/** The value a rule compares, or undefined when the sample says nothing usable. */
function valueOf(rule: MetricRule, s: RuleSample, numeric: boolean, instance: string, memory: Map<string, unknown>): Value | undefined {
  const v = s.fields[rule.field];
  if (v === undefined) return undefined;
  if (rule.value === 'age_days') return typeof v === 'number' ? (s.time / 1000 - v) / DAY_S : undefined;
  if (rule.value === 'rate') return typeof v === 'number' ? rateOf(memory, instance, v, s.time) : undefined;
  return numeric && typeof v !== 'number' ? undefined : v;
}

function breached(c: Condition, v: Value, held: boolean): boolean {
  switch (c.op) {
    case 'above':
      return typeof v === 'number' && v > (held ? c.clear : c.threshold);
    case 'below':
      return typeof v === 'number' && v < (held ? c.clear : c.threshold);
    case 'equals':
      return v === c.value;
    case 'in':
      return typeof v === 'string' && c.values.includes(v);
  }
}

function conditionText(c: Condition): string {
  if (c.op === 'equals') return `is ${String(c.value)}`;
  if (c.op === 'in') return `in ${c.values.join(', ')}`;
  return `${c.op} ${c.threshold}`;
}

function summary(rule: MetricRule, instance: string, v: Value, level: MetricLevel | undefined): string {
  const shown = typeof v === 'number' ? formatNumber(v) : String(v);
  const unit = rule.value === 'age_days' ? ' days old' : rule.value === 'rate' ? '/s' : '';
  const head = `${instance ? `${instance} ` : ''}${rule.field} ${shown}${unit}`;
  if (!level) return `${head} (ok)`;
  const c = level.condition;
  const holding = (c.op === 'above' || c.op === 'below') && !breached(c, v, false) ? `, holding until ${c.clear}` : '';
  return `${head} (${level.name === 'default' ? '' : `${level.name} `}${conditionText(c)}${holding})`;
}

export const metric: RuleKind<MetricRule> = {
  schema,
  compile(raw, common, path) {
    const r = raw as Static<typeof schema>;
    return {
      ...common,
      kind: 'metric',
      measurement: r.measurement,
      field: r.field,
      where: compileTagFilter(r.where, path),
      instance: compileInstance(r.instance),
      value: r.value ?? 'raw',
      levels: compileLevels(r, common, path),
    };
  },
  measurements: (rule) => [rule.measurement],
  observe(rule, samples, ctx: ObserveContext): Observation[] {
    const numeric = rule.levels.some((l) => l.condition.op === 'above' || l.condition.op === 'below');
    // Within one batch the engine's view is the state before it: later samples see what earlier ones concluded.
    const seen = new Map<string, { active: boolean; level: string }>();
    const out: Observation[] = [];
    for (const s of samples) {
      if (s.measurement !== rule.measurement || !matchesTags(rule.where, s.tags)) continue;
      const instance = instanceOf(rule.instance, s.tags);
      const v = valueOf(rule, s, numeric, instance, ctx.memory);
      if (v === undefined) continue;
      const prev = seen.get(instance) ?? ctx.current(instance);
      // An active alert holds its level and every less severe one: those use their clear thresholds.
      const heldUpTo = prev?.active ? rule.levels.findIndex((l) => l.name === prev.level) : -1;
      let hit = -1;
      rule.levels.forEach((l, i) => {
        if (breached(l.condition, v, i <= heldUpTo)) hit = i;
      });
      const level = rule.levels[hit];
      const shown = level ?? rule.levels[0]!;
      seen.set(instance, { active: level !== undefined, level: shown.name });
      // The summary is read only by an alert that is or was active; a healthy value of a quiet one skips the text.
      const text = level !== undefined || prev?.active ? summary(rule, instance, v, level) : '';
      out.push({ instance, active: level !== undefined, level: shown.name, impact: shown.impact, value: v, at: s.time, summary: text });
    }
    return out;
  },
};

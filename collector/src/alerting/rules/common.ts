// What the rule kinds share: the common rule keys (schema and compilation), the small building blocks several
// kinds use (tag filters, instance naming, durations) and the formatting of ticket summaries.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ConfigError } from '../../errors.js';
import { DURATION } from '../../config/schema-errors.js';
import { DurationError, parseDuration } from '../../config/duration.js';
import type { Impact } from '../contract.js';
import type { RuleCommon } from './kind.js';

export const RULE_ID_PATTERN = '^[a-z][a-z0-9_]*$';

/** A duration string for parseDuration; its errors read "expected a duration" (config/schema-errors.ts). */
export const DurationText = (what?: string) =>
  Type.String({ ...DURATION, description: what === undefined ? 'duration, e.g. 30s, 5m, 7d' : what.startsWith('duration') ? what : `duration: ${what}` });
export const ImpactSchema = Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')]);
export const RoleSchema = Type.Union([Type.Literal('server'), Type.Literal('workstation')]);

/** Keys of every rule. Required ones (id, kind, title) are required only of a rule's first definition. */
export const COMMON_PROPS = {
  id: Type.String({ pattern: RULE_ID_PATTERN, description: 'slug: lower-case letters, digits, _' }),
  kind: Type.String({ description: 'a key of RULE_KINDS' }),
  title: Type.String({ minLength: 1, description: 'ticket title' }),
  description: Type.Optional(Type.String()),
  enabled: Type.Optional(Type.Boolean({ default: true })),
  for: Type.Optional(DurationText('how long the condition must hold before the alert fires (default 0)')),
  keep_firing_for: Type.Optional(DurationText('duration: how long a cleared condition keeps firing, flap damping (default 0)')),
  on_clear: Type.Optional(Type.Union([Type.Literal('resolve'), Type.Literal('note')])),
  impact: Type.Optional(ImpactSchema),
  roles: Type.Optional(Type.Array(RoleSchema, { minItems: 1, uniqueItems: true, description: 'only hosts of these roles' })),
} satisfies Record<string, TSchema>;

/** "12m" at `path` -> ms; undefined -> fallback. Throws ConfigError naming the key. */
export function durationAt(text: unknown, path: string, fallback: number): number {
  if (text === undefined) return fallback;
  try {
    return parseDuration(String(text));
  } catch (error) {
    if (error instanceof DurationError) throw new ConfigError(`${path}: ${error.message}`);
    throw error;
  }
}

/** Rethrows a ConfigError from `fn` with the file name in front: kinds and checks name keys, the loader the file. */
export function inFile<T>(source: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${source}: ${error.message}`);
    throw error;
  }
}

export function compileCommon(raw: Record<string, unknown>, path: string): RuleCommon {
  const r = raw as {
    id: string;
    kind: string;
    title: string;
    description?: string;
    enabled?: boolean;
    on_clear?: 'resolve' | 'note';
    impact?: Impact;
    roles?: ('server' | 'workstation')[];
  };
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    ...(r.description !== undefined ? { description: r.description } : {}),
    enabled: r.enabled ?? true,
    forMs: durationAt(raw.for, `${path}.for`, 0),
    keepFiringForMs: durationAt(raw.keep_firing_for, `${path}.keep_firing_for`, 0),
    ...(r.on_clear !== undefined ? { onClear: r.on_clear } : {}),
    ...(r.impact !== undefined ? { impact: r.impact } : {}),
    ...(r.roles !== undefined ? { roles: r.roles } : {}),
  };
}

/** The rule's impact, or a ConfigError at `path` for kinds that need one and have no level to carry it. */
export function requireImpact(common: RuleCommon, path: string): Impact {
  if (common.impact === undefined) throw new ConfigError(`${path}.impact: required (high, medium or low)`);
  return common.impact;
}

/** `where: {cpu: cpu-total, fstype: [ext4, xfs], name: ["sd[a-z]", "nvme*n[0-9]"]}`: every named tag must equal the
 *  value or one of the list. A value with `*` (any characters), `?` (one character) or `[...]` (one of these
 *  characters, `[a-z]` ranges, `[!0-9]` none of them) is a glob over the whole tag value, as in a shell. */
export const TagFilterSchema = Type.Record(Type.String({ minLength: 1 }), Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })]), {
  description: 'tag filters: tag: value, or tag: [values]; *, ? and [a-z] glob',
});
export type TagFilter = Readonly<Record<string, readonly string[]>>;

const GLOB_CHARS = /[*?[]/;

/** A shell glob as an anchored RegExp: `*`, `?` and bracket classes; everything else literal. A `[` without its `]`
 *  is a literal `[`. */
export function globRegExp(glob: string): RegExp {
  let body = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    const close = c === '[' ? glob.indexOf(']', i + 2) : -1;
    if (c === '*') body += '.*';
    else if (c === '?') body += '.';
    else if (close > 0) {
      const inner = glob.slice(i + 1, close);
      const negated = inner.startsWith('!') || inner.startsWith('^');
      body += `[${negated ? '^' : ''}${(negated ? inner.slice(1) : inner).replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else body += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${body}$`, 's');
}

/** The filter as lists; a glob that is no valid pattern (`[z-a]`) is a ConfigError at `path`.where.tag. */
export function compileTagFilter(where: Static<typeof TagFilterSchema> | undefined, path: string): TagFilter {
  const out: Record<string, readonly string[]> = {};
  for (const [tag, value] of Object.entries(where ?? {})) {
    const values = typeof value === 'string' ? [value] : value;
    for (const v of values.filter((w) => GLOB_CHARS.test(w))) {
      try {
        globRegExp(v);
      } catch {
        throw new ConfigError(`${path}.where.${tag}: "${v}" is not a valid glob (*, ?, [a-z], [!0-9])`);
      }
    }
    out[tag] = values;
  }
  return out;
}

/** Compiled globs by their text: a rules file names a handful, and every sample of the measurement tests them. */
const globs = new Map<string, RegExp>();

function globMatches(glob: string, value: string): boolean {
  let re = globs.get(glob);
  if (!re) globs.set(glob, (re = globRegExp(glob)));
  return re.test(value);
}

export function matchesTags(filter: TagFilter, tags: Readonly<Record<string, string>>): boolean {
  for (const tag in filter) {
    const value = tags[tag];
    if (value === undefined) return false;
    const wanted = filter[tag]!;
    if (!wanted.includes(value) && !wanted.some((w) => GLOB_CHARS.test(w) && globMatches(w, value))) return false;
  }
  return true;
}

/** `instance: path` or `instance: [channel, source]`: the tags whose values name the instance inside a host. */
export const InstanceSchema = Type.Union([Type.String(), Type.Array(Type.String({ minLength: 1 }))], {
  description: "tag name(s) forming the instance; '' for one per host",
});

export function compileInstance(instance: string | string[] | undefined): readonly string[] {
  if (instance === undefined) return [];
  return (typeof instance === 'string' ? [instance] : instance).filter((t) => t !== '');
}

/** Tag values joined with '/'; a missing tag counts as ''. No tags: ''. */
export function instanceOf(tagNames: readonly string[], tags: Readonly<Record<string, string>>): string {
  return tagNames.map((t) => tags[t] ?? '').join('/');
}

/** 96.2341 -> "96.2", 0.0431 -> "0.043", 12 -> "12": enough digits for a ticket line. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3)));
}

/** 840000 -> "14 min", 7200000 -> "2 h", 604800000 -> "7 d" (whole units, rounded down). */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.floor(ms / 1000)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} d`;
}

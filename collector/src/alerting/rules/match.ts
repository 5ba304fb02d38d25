// Which event points an event or event_count rule counts. The eventlog probe sends one point per event: tags
// channel (Windows channel, `journal`, `unified`), level, source (Windows provider, journald identifier, macOS
// subsystem); fields message, event_id (Windows), record_id. The shutdowns probe sends one point per unexpected
// shutdown (tag kind; fields message, event_id): `measurement: shutdowns` makes each of those an event too.
// Every matcher given must match (AND); a list matches any of its values (OR). Text comparisons ignore case.
import { Type, type Static, type TObject } from '@sinclair/typebox';
import type { RuleSample } from '../contract.js';
import { compileTagFilter, matchesTags, TagFilterSchema, type TagFilter } from './common.js';

const DEFAULT_MEASUREMENT = 'eventlog';
const EVENT_LEVELS = ['critical', 'error', 'warning', 'info', 'verbose', 'audit_failure', 'audit_success'] as const;

const OneOrMany = (description: string) =>
  Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], { description });

export const EVENT_MATCH_PROPS = {
  measurement: Type.Optional(Type.String({ minLength: 1, description: 'default eventlog; shutdowns for unexpected shutdowns' })),
  channel: Type.Optional(OneOrMany('tag channel: System, Application, journal, ...')),
  source: Type.Optional(OneOrMany('tag source: the Windows provider (e.g. Microsoft-Windows-Kernel-Power), journald identifier')),
  levels: Type.Optional(Type.Array(Type.Union(EVENT_LEVELS.map((l) => Type.Literal(l))), { minItems: 1, uniqueItems: true, description: 'tag level' })),
  event_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1, description: 'field event_id' })),
  message_contains: Type.Optional(OneOrMany('field message contains (any of) this text')),
  where: Type.Optional(TagFilterSchema),
};
type RawMatch = Static<TObject<typeof EVENT_MATCH_PROPS>>;

export interface EventMatcher {
  measurement: string;
  channels?: ReadonlySet<string>;
  sources?: ReadonlySet<string>;
  levels?: ReadonlySet<string>;
  eventIds?: ReadonlySet<number>;
  /** Lower-cased. */
  messageContains?: readonly string[];
  where: TagFilter;
}

const lowerList = (v: string | string[]): string[] => (typeof v === 'string' ? [v] : v).map((s) => s.toLowerCase());

export function compileMatcher(raw: RawMatch, path: string): EventMatcher {
  return {
    measurement: raw.measurement ?? DEFAULT_MEASUREMENT,
    ...(raw.channel !== undefined ? { channels: new Set(lowerList(raw.channel)) } : {}),
    ...(raw.source !== undefined ? { sources: new Set(lowerList(raw.source)) } : {}),
    ...(raw.levels !== undefined ? { levels: new Set(raw.levels) } : {}),
    ...(raw.event_ids !== undefined ? { eventIds: new Set(raw.event_ids) } : {}),
    ...(raw.message_contains !== undefined ? { messageContains: lowerList(raw.message_contains) } : {}),
    where: compileTagFilter(raw.where, path),
  };
}

const inSet = (set: ReadonlySet<string> | undefined, value: string | undefined): boolean => !set || (value !== undefined && set.has(value.toLowerCase()));

export function matchesEvent(m: EventMatcher, s: RuleSample): boolean {
  if (s.measurement !== m.measurement || !matchesTags(m.where, s.tags)) return false;
  if (!inSet(m.channels, s.tags.channel) || !inSet(m.sources, s.tags.source)) return false;
  if (m.levels && !m.levels.has(s.tags.level ?? '')) return false;
  if (m.eventIds) {
    const id = s.fields.event_id;
    if (typeof id !== 'number' || !m.eventIds.has(id)) return false;
  }
  if (m.messageContains) {
    const message = typeof s.fields.message === 'string' ? s.fields.message.toLowerCase() : '';
    if (!m.messageContains.some((text) => message.includes(text))) return false;
  }
  return true;
}

/** "System/disk 7: The device, \Device\Harddisk0\DR0, has a bad block." */
export function describeEvent(s: RuleSample): string {
  const where = [s.tags.channel, s.tags.source].filter((t) => t !== undefined && t !== '').join('/') || s.measurement;
  const id = typeof s.fields.event_id === 'number' ? ` ${s.fields.event_id}` : '';
  const message = typeof s.fields.message === 'string' && s.fields.message !== '' ? `: ${s.fields.message}` : '';
  return `${where}${id}${message}`;
}

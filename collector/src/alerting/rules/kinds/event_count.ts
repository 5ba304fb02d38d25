// event_count: more than `count` matching events within `window` on one host (an error storm). Active while the
// count in the window ending at an event is > count; an active alert stays active until the count drops to
// `clear_count` or below (default: count). The tick slides the window with the clock, so a storm that stopped
// clears without new events.
//
//   - id: error_burst
//     kind: event_count
//     levels: [critical, error]   # the same matchers as the event kind
//     count: 20
//     window: 10m
//     clear_count: 5
//
// The window's event times live in the engine's per-host scratch memory, not on disk: a collector restart
// starts the count again (the alert's state itself is persisted by the engine). An alert active across a
// restart, whose events are gone, clears once `window` has passed since its last active observation. The
// memory keeps at most MAX_EVENTS_PER_WINDOW events per instance (the newest): enough to judge any sane count.
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../../../errors.js';
import type { Impact, Observation, RuleSample } from '../../contract.js';
import { compileInstance, DurationText, durationAt, formatDuration, instanceOf, InstanceSchema, requireImpact } from '../common.js';
import type { RuleCommon, RuleKind, TickObservation } from '../kind.js';
import { compileMatcher, EVENT_MATCH_PROPS, matchesEvent, type EventMatcher } from '../match.js';

const MAX_EVENTS_PER_WINDOW = 10_000;
const MEMORY_KEY = 'event_count.windows';
const LEVEL = 'default';

const schema = Type.Object({
  ...EVENT_MATCH_PROPS,
  instance: Type.Optional(InstanceSchema),
  count: Type.Integer({ minimum: 0, description: 'active when MORE than this many events fall in the window' }),
  window: DurationText('duration of the sliding window, e.g. 10m'),
  clear_count: Type.Optional(Type.Integer({ minimum: 0, description: 'an active alert clears when the count drops to this or below (default: count)' })),
});

export interface EventCountRule extends RuleCommon {
  kind: 'event_count';
  impact: Impact;
  match: EventMatcher;
  instance: readonly string[];
  count: number;
  clearCount: number;
  windowMs: number;
}

/** Events of one instance, oldest first; `keys` makes a replayed batch count once. */
interface Window {
  entries: { t: number; key: string }[];
  keys: Set<string>;
}

function windowsOf(memory: Map<string, unknown>): Map<string, Window> {
  let windows = memory.get(MEMORY_KEY) as Map<string, Window> | undefined;
  if (!windows) memory.set(MEMORY_KEY, (windows = new Map()));
  return windows;
}

const eventKey = (s: RuleSample): string => `${s.time}|${s.tags.channel ?? ''}|${s.tags.source ?? ''}|${String(s.fields.record_id ?? s.fields.message ?? '')}`;

/** Index of the first entry with t > time (entries sorted by t). */
function firstAfter(entries: readonly { t: number }[], time: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.t > time) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function add(w: Window, s: RuleSample): boolean {
  const key = eventKey(s);
  if (w.keys.has(key)) return false;
  w.keys.add(key);
  w.entries.splice(firstAfter(w.entries, s.time), 0, { t: s.time, key });
  return true;
}

/** Drops entries at or before `limit`, and the oldest beyond the cap. */
function prune(w: Window, limit: number): void {
  const drop = Math.max(firstAfter(w.entries, limit), w.entries.length - MAX_EVENTS_PER_WINDOW);
  for (const e of w.entries.splice(0, drop)) w.keys.delete(e.key);
}

/** Events with from < t <= to. */
const countIn = (w: Window, from: number, to: number): number => firstAfter(w.entries, to) - firstAfter(w.entries, from);

function observation(rule: EventCountRule, instance: string, count: number, active: boolean, at: number): Observation {
  const summary = `${count} matching events in ${formatDuration(rule.windowMs)}${active ? ` (more than ${rule.count})` : ''}`;
  return { instance, active, level: LEVEL, impact: rule.impact, value: count, at, summary };
}

export const event_count: RuleKind<EventCountRule> = {
  schema,
  compile(raw, common, path) {
    const r = raw as Static<typeof schema>;
    const windowMs = durationAt(r.window, `${path}.window`, 0);
    if (windowMs <= 0) throw new ConfigError(`${path}.window: must be longer than 0`);
    const clearCount = r.clear_count ?? r.count;
    if (clearCount > r.count) throw new ConfigError(`${path}.clear_count: ${clearCount} is above count (${r.count}): it would clear before it triggers`);
    const base = { ...common, kind: 'event_count' as const, impact: requireImpact(common, path) };
    return { ...base, match: compileMatcher(r, path), instance: compileInstance(r.instance), count: r.count, clearCount, windowMs };
  },
  measurements: (rule) => [rule.match.measurement],
  observe(rule, samples, ctx) {
    const windows = windowsOf(ctx.memory);
    const state = new Map<string, boolean>();
    const pending = new Map<string, Observation>();
    const out: Observation[] = [];
    for (const s of samples) {
      if (!matchesEvent(rule.match, s)) continue;
      const instance = instanceOf(rule.instance, s.tags);
      let w = windows.get(instance);
      if (!w) windows.set(instance, (w = { entries: [], keys: new Set() }));
      if (!add(w, s)) continue;
      const was = state.get(instance) ?? ctx.current(instance)?.active ?? false;
      const count = countIn(w, s.time - rule.windowMs, s.time);
      const active = count > (was ? rule.clearCount : rule.count);
      state.set(instance, active);
      // Every change of state is observed at the event that caused it; otherwise only the batch's last word.
      const obs = observation(rule, instance, count, active, s.time);
      if (active !== was) {
        out.push(obs);
        pending.delete(instance);
      } else pending.set(instance, obs);
    }
    out.push(...pending.values());
    // Keep one window more than the newest event needs: channels are read separately, so an older event can
    // still arrive in a later batch and its window must find its neighbours.
    for (const instance of state.keys()) {
      const w = windows.get(instance)!;
      prune(w, w.entries[w.entries.length - 1]!.t - 2 * rule.windowMs);
    }
    return out;
  },
  tick(rule, ctx) {
    const out: TickObservation[] = [];
    for (const a of ctx.active) {
      const w = windowsOf(ctx.memory(a.tenant, a.host)).get(a.instance);
      if (!w) {
        // Events lost with a restart: let the window run out from the last time the storm was seen.
        if (ctx.now - a.lastActiveAt < rule.windowMs) continue;
        out.push({ tenant: a.tenant, host: a.host, observation: observation(rule, a.instance, 0, false, ctx.now) });
        continue;
      }
      // Everything newer than the window's start counts, also events stamped ahead of the collector's clock.
      const count = w.entries.length - firstAfter(w.entries, ctx.now - rule.windowMs);
      out.push({ tenant: a.tenant, host: a.host, observation: observation(rule, a.instance, count, count > rule.clearCount, ctx.now) });
    }
    return out;
  },
};

// event: given events happened (an NTFS corruption, an unexpected shutdown). Each batch's matching events make the
// alert active (one observation per instance, at the newest event's time, with the first event's message); it
// clears once no matching event came for `clear_after` (default 1 h), seen by the tick.
//
//   - id: disk_errors
//     kind: event
//     channel: System
//     source: [disk, Ntfs, Microsoft-Windows-Ntfs]
//     event_ids: [7, 11, 51, 55, 153]
//     instance: source          # optional: tag(s) naming the instance; default '' (one alert per host)
//     clear_after: 1h
//
// Events are timestamped by the agent, so a backlog (an agent's first start reads up to 24 h back) is judged by
// the events' own times: an old event fires and clears at the next tick; on_clear: note keeps its ticket open.
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../../../errors.js';
import type { Impact, Observation, RuleSample } from '../../contract.js';
import { compileInstance, DurationText, durationAt, formatDuration, instanceOf, InstanceSchema, requireImpact } from '../common.js';
import type { RuleCommon, RuleKind, TickObservation } from '../kind.js';
import { compileMatcher, describeEvent, EVENT_MATCH_PROPS, matchesEvent, type EventMatcher } from '../match.js';

const DEFAULT_CLEAR_AFTER_MS = 60 * 60_000;
const LEVEL = 'default';

const schema = Type.Object({
  ...EVENT_MATCH_PROPS,
  instance: Type.Optional(InstanceSchema),
  clear_after: Type.Optional(DurationText('duration: the alert clears once no matching event came for this long (default 1h)')),
});

export interface EventRule extends RuleCommon {
  kind: 'event';
  impact: Impact;
  match: EventMatcher;
  instance: readonly string[];
  clearAfterMs: number;
}

export const event: RuleKind<EventRule> = {
  schema,
  compile(raw, common, path) {
    const r = raw as Static<typeof schema>;
    const clearAfterMs = durationAt(r.clear_after, `${path}.clear_after`, DEFAULT_CLEAR_AFTER_MS);
    if (clearAfterMs <= 0) throw new ConfigError(`${path}.clear_after: must be longer than 0`);
    return {
      ...common,
      kind: 'event',
      impact: requireImpact(common, path),
      match: compileMatcher(r, path),
      instance: compileInstance(r.instance),
      clearAfterMs,
    };
  },
  measurements: (rule) => [rule.match.measurement],
  observe(rule, samples) {
    const byInstance = new Map<string, { first: RuleSample; last: number; count: number }>();
    for (const s of samples) {
      if (!matchesEvent(rule.match, s)) continue;
      const instance = instanceOf(rule.instance, s.tags);
      const seen = byInstance.get(instance);
      if (seen) {
        seen.count++;
        seen.last = Math.max(seen.last, s.time);
      } else byInstance.set(instance, { first: s, last: s.time, count: 1 });
    }
    return [...byInstance].map(([instance, { first, last, count }]): Observation => ({
      instance,
      active: true,
      level: LEVEL,
      impact: rule.impact,
      value: count,
      at: last,
      summary: `${describeEvent(first)}${count > 1 ? ` (+${count - 1} more)` : ''}`,
    }));
  },
  tick(rule, ctx) {
    const out: TickObservation[] = [];
    for (const a of ctx.active) {
      if (ctx.now - a.lastActiveAt < rule.clearAfterMs) continue;
      const summary = `no matching event for ${formatDuration(ctx.now - a.lastActiveAt)} (clears after ${formatDuration(rule.clearAfterMs)})`;
      out.push({
        tenant: a.tenant,
        host: a.host,
        observation: { instance: a.instance, active: false, level: LEVEL, impact: rule.impact, at: ctx.now, summary },
      });
    }
    return out;
  },
};

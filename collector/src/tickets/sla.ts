// SLA clocks: when a ticket's respond, resolution-plan and resolve targets are due, and when they count as
// approaching, both in the profile's hours (a business calendar or around the clock). Pure; the ticket store
// keeps the clocks and records the standing each time it changes.
import { ConfigError } from '../errors.js';
import { parseDuration, DurationError } from '../config/duration.js';
import type { Priority } from '../alerting/contract.js';
import { PRIORITIES } from '../alerting/contract.js';
import { addBusinessTime, type Hours } from './calendar.js';
import type { Calendar, SlaProfile } from './service-schema.js';
import { SLA_TARGETS, type SlaTarget } from './model.js';

/** Fraction of a target's duration after which it is "approaching", unless the profile sets `approaching`. */
export const DEFAULT_APPROACHING = 0.75;

/** One target of one ticket. `warnAt` <= `dueAt`; both are unix ms computed in the profile's hours. */
export interface SlaClock {
  target: SlaTarget;
  startedAt: number;
  dueAt: number;
  warnAt: number;
}

export type SlaStanding = 'ok' | 'approaching' | 'breached';

/** The calendar every tenant gets unless it defines its own `business`: Mon-Fri 08:00-17:00 UTC. */
export const DEFAULT_CALENDARS: Record<string, Calendar> = {
  business: { timezone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: [{ start: '08:00', end: '17:00' }] },
};

/** The two contracts of DESIGN.md. */
export const DEFAULT_SLA_PROFILES: Record<string, SlaProfile> = {
  'standard-8x5': {
    description: 'standard 8x5: counted in business hours',
    hours: 'business',
    respond: { P1: '12m', P2: '12m', P3: '12m', P4: '12m' },
    plan: { P1: '0.5h', P2: '1h', P3: '2h', P4: '4h' },
    resolve: { P1: '4h', P2: '8h', P3: '24h', P4: '173h' },
  },
  'co-managed-24x7': {
    description: 'co-managed 24x7: respond around the clock',
    hours: '24x7',
    respond: { P1: '1h', P2: '2h', P3: '14h', P4: '24h' },
  },
};

/**
 * The hours a profile counts in: '24x7' (always, even if a calendar has that name) or the named calendar.
 * Throws ConfigError naming `path` when the calendar does not exist.
 */
export function hoursOf(profile: SlaProfile, calendars: Record<string, Calendar>, path = 'sla'): Hours {
  if (profile.hours === '24x7') return '24x7';
  const calendar = Object.hasOwn(calendars, profile.hours) ? calendars[profile.hours] : undefined;
  if (!calendar) {
    const known = [...Object.keys(calendars), '24x7'].join(', ');
    throw new ConfigError(`${path}.hours: unknown calendar "${profile.hours}" (known: ${known})`);
  }
  return calendar;
}

/** Load-time check of a profile: its calendar exists and every target is a duration. Throws ConfigError naming the key. */
export function checkSlaProfile(profile: SlaProfile, calendars: Record<string, Calendar>, path: string): void {
  hoursOf(profile, calendars, path);
  for (const target of SLA_TARGETS) {
    for (const priority of PRIORITIES) {
      const text = profile[target]?.[priority];
      if (text === undefined) continue;
      try {
        parseDuration(text);
      } catch (error) {
        if (error instanceof DurationError) throw new ConfigError(`${path}.${target}.${priority}: ${error.message}`);
        throw error;
      }
    }
  }
}

/**
 * One clock per target the profile defines for `priority` (respond, plan, resolve order; a target the profile
 * leaves out has no clock). dueAt is `startedAt` plus the target in business time, warnAt plus `approaching` of it
 * (rounded to the ms). Durations are assumed checked (checkSlaProfile); a bad one throws DurationError.
 */
export function slaClocks(profile: SlaProfile, hours: Hours, priority: Priority, startedAt: number): SlaClock[] {
  const approaching = profile.approaching ?? DEFAULT_APPROACHING;
  return SLA_TARGETS.flatMap((target) => {
    const text = profile[target]?.[priority];
    if (text === undefined) return [];
    const ms = parseDuration(text);
    const dueAt = addBusinessTime(hours, startedAt, ms);
    const warnAt = addBusinessTime(hours, startedAt, Math.round(ms * approaching));
    return [{ target, startedAt, dueAt, warnAt }];
  });
}

/** 'breached' from dueAt on (100 % used), 'approaching' from warnAt on, else 'ok'. */
export function standing(clock: SlaClock, now: number): SlaStanding {
  if (now >= clock.dueAt) return 'breached';
  return now >= clock.warnAt ? 'approaching' : 'ok';
}

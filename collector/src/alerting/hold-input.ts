// Maintenance windows and silences as people write them (REST bodies, CLI flags): ISO times and durations as
// text, turned into the store's input. Pure; the store then checks what is left (tenant, cron, time zone).
import { DurationError, parseDuration } from '../config/duration.js';
import type { NewMaintenanceWindow, NewSilence } from '../store/index.js';

/** A bad field: `field` is the REST body key (the CLI flag has the same name, `ruleId` aside). */
export class HoldInputError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'HoldInputError';
  }
}

export interface WindowRequest {
  tenant: string;
  site?: string;
  host?: string;
  reason: string;
  /** ISO time with a zone; default now. Recurring: the first time an occurrence may start. */
  start?: string;
  /** One-off: the end (or give duration instead). */
  end?: string;
  /** One-off: the length (instead of end). Recurring: the length of each occurrence (required). */
  duration?: string;
  /** Recurring: cron expression, read in `timezone` (required with cron). */
  cron?: string;
  timezone?: string;
  /** Recurring: no occurrence holds from this time on; default forever. */
  until?: string;
}

export interface SilenceRequest {
  tenant: string;
  host?: string;
  ruleId?: string;
  comment: string;
  start?: string;
  end?: string;
  duration?: string;
}

/** A date and time with an explicit zone (Z or ±hh:mm), so the server's own zone never decides. */
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseIsoTime(field: string, text: string): number {
  const ms = ISO_RE.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (!Number.isFinite(ms)) throw new HoldInputError(field, `expected an ISO 8601 time with a zone, like 2025-03-29T22:00:00+01:00 or …Z; got "${text}"`);
  return ms;
}

function positiveDuration(field: string, text: string): number {
  let value: number;
  try {
    value = parseDuration(text);
  } catch (error) {
    if (error instanceof DurationError) throw new HoldInputError(field, error.message);
    throw error;
  }
  if (value <= 0) throw new HoldInputError(field, 'must be longer than 0');
  return Math.round(value);
}

/** start, and an end from `end` or start + `duration` (exactly one of them). */
function span(req: { start?: string; end?: string; duration?: string }, now: number): { startsAt: number; endsAt: number } {
  const startsAt = req.start === undefined ? now : parseIsoTime('start', req.start);
  if ((req.end === undefined) === (req.duration === undefined)) throw new HoldInputError('end', 'give either end or duration');
  const endsAt = req.end !== undefined ? parseIsoTime('end', req.end) : startsAt + positiveDuration('duration', req.duration!);
  if (endsAt <= startsAt) throw new HoldInputError('end', 'must be after start');
  return { startsAt, endsAt };
}

const scope = (value: string | undefined): string | null => (value === undefined || value === '' ? null : value);

export function windowFromRequest(req: WindowRequest, now: number, createdBy: string): NewMaintenanceWindow {
  const base = { tenant: req.tenant, site: scope(req.site), host: scope(req.host), reason: req.reason, createdBy };
  if (req.cron === undefined) {
    if (req.timezone !== undefined) throw new HoldInputError('timezone', 'only for a recurring window (with cron)');
    if (req.until !== undefined) throw new HoldInputError('until', 'only for a recurring window (with cron); a one-off window has end');
    return { ...base, ...span(req, now) };
  }
  if (req.end !== undefined) throw new HoldInputError('end', 'a recurring window has a duration per occurrence, and until for its last day');
  if (req.duration === undefined) throw new HoldInputError('duration', 'required with cron: how long each occurrence lasts');
  if (req.timezone === undefined) throw new HoldInputError('timezone', 'required with cron: the IANA zone the cron is read in, e.g. Europe/Berlin');
  const startsAt = req.start === undefined ? now : parseIsoTime('start', req.start);
  const endsAt = req.until === undefined ? null : parseIsoTime('until', req.until);
  if (endsAt !== null && endsAt <= startsAt) throw new HoldInputError('until', 'must be after start');
  const recurrence = { cron: req.cron, durationMs: positiveDuration('duration', req.duration), timezone: req.timezone };
  return { ...base, startsAt, endsAt, recurrence };
}

export function silenceFromRequest(req: SilenceRequest, now: number, createdBy: string): NewSilence {
  return { tenant: req.tenant, host: scope(req.host), ruleId: scope(req.ruleId), comment: req.comment, createdBy, ...span(req, now) };
}

// The service terms of a contract, as they appear in the rules file: the urgency x impact priority matrix,
// business-hours calendars and SLA profiles. Schemas only; the arithmetic lives in priority.ts, calendar.ts and
// sla.ts.
import { Type, type Static } from '@sinclair/typebox';
import { DURATION } from '../config/schema-errors.js';

const PriorityValue = Type.Union([Type.Literal('P1'), Type.Literal('P2'), Type.Literal('P3'), Type.Literal('P4')]);
const ByUrgency = Type.Object({ high: PriorityValue, medium: PriorityValue, low: PriorityValue }, { additionalProperties: false });

/** matrix[impact][urgency] = priority. */
export const PriorityMatrixSchema = Type.Object(
  { high: ByUrgency, medium: ByUrgency, low: ByUrgency },
  { additionalProperties: false, description: 'priority by impact (outer key) and urgency (inner key)' },
);
export type PriorityMatrix = Static<typeof PriorityMatrixSchema>;

const Weekday = Type.Union(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => Type.Literal(d)));
export type Weekday = Static<typeof Weekday>;

const HolidayDates = Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), { description: 'local dates (YYYY-MM-DD)' });

/**
 * A calendar's days off: a list of local dates, or a region's public holidays (every year, from the date-holidays
 * package's data) with dates added and removed, e.g. `{region: DE-BY, add: [2026-12-24], remove: [2026-08-15]}`.
 */
export const HolidaysSchema = Type.Union([
  HolidayDates,
  Type.Object(
    {
      region: Type.Optional(
        Type.String({ pattern: '^[A-Za-z]{2}(-[A-Za-z0-9]+){0,2}$', description: 'country[-state[-region]] code of date-holidays, e.g. DE-BY, US, GB-SCT' }),
      ),
      add: Type.Optional(HolidayDates),
      remove: Type.Optional(HolidayDates),
    },
    { additionalProperties: false },
  ),
]);
export type Holidays = Static<typeof HolidaysSchema>;

export const CalendarSchema = Type.Object(
  {
    timezone: Type.String({ minLength: 1, description: 'IANA time zone, e.g. Europe/Berlin' }),
    days: Type.Array(Weekday, { minItems: 1, uniqueItems: true, description: 'working days' }),
    hours: Type.Array(
      Type.Object(
        {
          start: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
          end: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$' }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, description: 'working hours of a working day, local time, e.g. [{start: "08:00", end: "17:00"}]' },
    ),
    holidays: Type.Optional(HolidaysSchema),
  },
  { additionalProperties: false },
);
export type Calendar = Static<typeof CalendarSchema>;

/**
 * A calendar as the rules file gives it: a whole calendar (timezone, days and hours), or `holidays` alone, which
 * adds to the holidays of the calendar of that name in scope (a tenant's extra days over the MSP's calendar).
 */
export const CalendarEntrySchema = Type.Partial(CalendarSchema);
export type CalendarEntry = Static<typeof CalendarEntrySchema>;

const Duration = Type.String({ ...DURATION, pattern: '^\\d+(\\.\\d+)?\\s*(ms|s|m|h|d|w)$', description: 'duration, e.g. 12m, 0.5h, 173h' });
const ByPriority = Type.Partial(Type.Object({ P1: Duration, P2: Duration, P3: Duration, P4: Duration }, { additionalProperties: false }));

export const SlaProfileSchema = Type.Object(
  {
    description: Type.Optional(Type.String()),
    /** A calendar name from `calendars`, or '24x7' for around the clock. */
    hours: Type.String({ minLength: 1, description: "a calendar name from `calendars`, or '24x7'" }),
    respond: Type.Optional(ByPriority),
    plan: Type.Optional(ByPriority),
    resolve: Type.Optional(ByPriority),
    approaching: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'fraction of a target after which it is "approaching" (default 0.75)' }),
    ),
  },
  { additionalProperties: false },
);
export type SlaProfile = Static<typeof SlaProfileSchema>;

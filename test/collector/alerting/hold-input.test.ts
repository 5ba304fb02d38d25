import { describe, expect, it } from 'vitest';
import { HoldInputError, parseIsoTime, silenceFromRequest, windowFromRequest, type WindowRequest } from '../../../collector/src/alerting/hold-input.js';

const NOW = Date.parse('2025-03-20T09:00:00Z');
const HOUR = 3_600_000;
const BASE = { tenant: 'acme', reason: 'patching' };

describe('parseIsoTime', () => {
  it.each([
    ['2025-03-29T22:00:00+01:00', Date.parse('2025-03-29T21:00:00Z')],
    ['2025-03-29T21:00Z', Date.parse('2025-03-29T21:00:00Z')],
    [' 2025-03-29T21:00:00.5Z ', Date.parse('2025-03-29T21:00:00.500Z')],
  ])('%s', (text, ms) => expect(parseIsoTime('start', text)).toBe(ms));

  it.each(['2025-03-29T22:00:00', '2025-03-29', 'tomorrow', '2025-13-01T00:00:00Z', ''])('refuses %j (no zone, no time, or no date)', (text) => {
    expect(() => parseIsoTime('start', text)).toThrow(/^start: expected an ISO 8601 time with a zone/);
  });
});

describe('windowFromRequest', () => {
  it.each<[string, Partial<WindowRequest>, object]>([
    [
      'one-off with end',
      { start: '2025-03-22T10:00:00Z', end: '2025-03-22T12:00:00Z', host: 'sql01' },
      { startsAt: Date.parse('2025-03-22T10:00:00Z'), endsAt: Date.parse('2025-03-22T12:00:00Z'), host: 'sql01', site: null },
    ],
    ['one-off from now for a duration', { duration: '2h', site: 'berlin' }, { startsAt: NOW, endsAt: NOW + 2 * HOUR, site: 'berlin', host: null }],
    [
      'recurring, forever',
      { cron: '0 22 * * 6', duration: '4h', timezone: 'Europe/Berlin' },
      { startsAt: NOW, endsAt: null, recurrence: { cron: '0 22 * * 6', durationMs: 4 * HOUR, timezone: 'Europe/Berlin' } },
    ],
    [
      'recurring until',
      { cron: '0 22 * * 6', duration: '0.5h', timezone: 'UTC', start: '2025-04-01T00:00:00Z', until: '2025-12-31T00:00:00Z' },
      {
        startsAt: Date.parse('2025-04-01T00:00:00Z'),
        endsAt: Date.parse('2025-12-31T00:00:00Z'),
        recurrence: { cron: '0 22 * * 6', durationMs: HOUR / 2, timezone: 'UTC' },
      },
    ],
  ])('%s', (_name, req, expected) => {
    expect(windowFromRequest({ ...BASE, ...req }, NOW, 'k1')).toMatchObject({ ...BASE, createdBy: 'k1', ...expected });
  });

  it.each<[Partial<WindowRequest>, string]>([
    [{}, 'end: give either end or duration'],
    [{ end: '2025-03-22T12:00:00Z', duration: '2h' }, 'end: give either end or duration'],
    [{ start: '2025-03-22T12:00:00Z', end: '2025-03-22T12:00:00Z' }, 'end: must be after start'],
    [{ duration: 'soon' }, 'duration: expected a duration like 30s, 5m, 7d; got "soon"'],
    [{ duration: '0s' }, 'duration: must be longer than 0'],
    [{ duration: '1h', timezone: 'UTC' }, 'timezone: only for a recurring window'],
    [{ duration: '1h', until: '2025-12-31T00:00:00Z' }, 'until: only for a recurring window'],
    [{ cron: '0 22 * * 6', timezone: 'UTC' }, 'duration: required with cron'],
    [{ cron: '0 22 * * 6', duration: '4h' }, 'timezone: required with cron'],
    [{ cron: '0 22 * * 6', duration: '4h', timezone: 'UTC', end: '2025-12-31T00:00:00Z' }, 'end: a recurring window has a duration per occurrence'],
    [{ cron: '0 22 * * 6', duration: '4h', timezone: 'UTC', until: '2025-01-01T00:00:00Z' }, 'until: must be after start'],
  ])('refuses %j', (req, message) => {
    const call = () => windowFromRequest({ ...BASE, ...req }, NOW, 'k1');
    expect(call).toThrow(HoldInputError);
    expect(call).toThrow(message);
  });
});

describe('silenceFromRequest', () => {
  it('from now for a duration, or between two times; empty scopes are none', () => {
    expect(silenceFromRequest({ tenant: 'acme', host: 'ws-1', ruleId: '', comment: 'x', duration: '2h' }, NOW, 'k1')).toEqual({
      tenant: 'acme',
      host: 'ws-1',
      ruleId: null,
      comment: 'x',
      createdBy: 'k1',
      startsAt: NOW,
      endsAt: NOW + 2 * HOUR,
    });
    expect(silenceFromRequest({ tenant: 'acme', comment: 'x', start: '2025-03-21T00:00:00Z', end: '2025-03-22T00:00:00Z' }, NOW, 'k1')).toMatchObject({
      host: null,
      ruleId: null,
      startsAt: Date.parse('2025-03-21T00:00:00Z'),
      endsAt: Date.parse('2025-03-22T00:00:00Z'),
    });
    expect(() => silenceFromRequest({ tenant: 'acme', comment: 'x' }, NOW, 'k1')).toThrow('end: give either end or duration');
  });
});

// powered_on_overnight as a pure function of the host's connection history: the nights in the tenant's zone (a DST
// night as long as it really is), a window across midnight, partial coverage, the unknown before enough history,
// which hosts it applies to, and the thresholds' validation with the key path.
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import type { HostView } from '../../../collector/src/compliance/contract.js';
import { lastWindows, poweredOnOvernight } from '../../../collector/src/compliance/standards/overnight.js';
import { DEFAULT_THRESHOLDS, type ComplianceThresholds } from '../../../collector/src/compliance/thresholds.js';
import { ConfigError } from '../../../collector/src/errors.js';

const MIN = 60_000;
const H = 60 * MIN;
const BERLIN = 'Europe/Berlin';

type Span = { from: number; to: number | null };

function host(sessions: Span[], over: Partial<HostView> = {}): HostView {
  return {
    role: 'server',
    critical: false,
    family: 'windows',
    productType: 'server',
    points: () => [],
    summary: () => undefined,
    pendingUpdates: [],
    zone: BERLIN,
    sessions,
    sessionsKnownFrom: Date.parse('2026-01-01T00:00:00Z'),
    ...over,
  };
}

const judge = (h: HostView, now: number, t: Partial<ComplianceThresholds> = {}) => poweredOnOvernight.evaluate(h, { ...DEFAULT_THRESHOLDS, ...t }, now);

/** The 02:00-04:00 Berlin (CET, UTC+1) window of local day `day` of November 2026: 01:00-03:00 UTC. */
const novNight = (day: number): Span => ({ from: Date.UTC(2026, 10, day, 1, 0), to: Date.UTC(2026, 10, day, 3, 0) });

describe('powered_on_overnight', () => {
  // Nov 20 12:00 UTC: the last 7 complete windows are those of Nov 14..20.
  const NOW = Date.UTC(2026, 10, 20, 12, 0);

  it('passes with the host connected on at least 5 of the last 7 nights, and names the count, the window and the zone', () => {
    const j = judge(host([14, 15, 17, 18, 20].map(novNight)), NOW);
    expect(j).toEqual({
      verdict: 'pass',
      reason: 'connected overnight on 5 of the last 7 nights (window 02:00-04:00 Europe/Berlin)',
      evidence: { measurement: 'agent_sessions', time: Date.UTC(2026, 10, 20, 3, 0), fields: { nights_on: 5, nights: 7 } },
    });
  });

  it('fails below the count; nights before the last seven do not count', () => {
    const j = judge(host([10, 11, 12, 13, 15, 18, 20].map(novNight)), NOW);
    expect(j.verdict).toBe('fail');
    expect(j.reason).toBe('connected overnight on 3 of the last 7 nights (window 02:00-04:00 Europe/Berlin); at least 5 required');
    expect(j.evidence?.fields).toEqual({ nights_on: 3, nights: 7 });
  });

  it('counts a night only with min_coverage of the window connected; one long session covers every night it spans', () => {
    const short = (day: number, missing: number): Span => ({ from: novNight(day).from + missing, to: novNight(day).to });
    // 2 h window, 0.9 -> 108 min needed: 12 minutes missing still counts, 15 do not.
    const nights = [short(14, 12 * MIN), short(15, 15 * MIN), novNight(16), novNight(17), short(18, 12 * MIN)];
    expect(judge(host(nights), NOW).reason).toMatch(/^connected overnight on 4 of the last 7 nights/);
    expect(judge(host(nights), NOW, { overnightMinCoverage: 0.5 }).reason).toMatch(/^connected overnight on 5 of/);
    // Two sessions that together cover the window (a reconnect at 02:30) count as one night on.
    const split: Span[] = [
      { from: novNight(19).from, to: novNight(19).from + 30 * MIN },
      { from: novNight(19).from + 31 * MIN, to: novNight(19).to },
    ];
    expect(judge(host(split), NOW).evidence?.fields.nights_on).toBe(1);
    // Connected since Nov 1 and still connected (to: null runs to now).
    expect(judge(host([{ from: Date.UTC(2026, 10, 1), to: null }]), NOW)).toMatchObject({ verdict: 'pass', evidence: { fields: { nights_on: 7 } } });
  });

  it('takes each night in the tenant zone across DST: spring forward is a 1 h window, fall back a 3 h one', () => {
    // Berlin, 2026-03-29: 02:00 does not exist; the window is 03:00-04:00 CEST (01:00-02:00 UTC).
    const spring = lastWindows({ from: 120, to: 240 }, BERLIN, Date.UTC(2026, 2, 29, 12), 2);
    expect(spring.map((n) => [n.from, n.to])).toEqual([
      [Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 2, 29, 2)],
      [Date.UTC(2026, 2, 28, 1), Date.UTC(2026, 2, 28, 3)],
    ]);
    // 2026-10-25: 02:00 CEST to 04:00 CET is three hours (00:00-03:00 UTC).
    const autumn = lastWindows({ from: 120, to: 240 }, BERLIN, Date.UTC(2026, 9, 25, 12), 1);
    expect(autumn).toEqual([{ from: Date.UTC(2026, 9, 25, 0), to: Date.UTC(2026, 9, 25, 3) }]);

    // Connected 01:00-02:00 UTC every night of the week up to the spring night: only that night is covered.
    const week = Array.from({ length: 7 }, (_, i) => ({ from: Date.UTC(2026, 2, 23 + i, 1), to: Date.UTC(2026, 2, 23 + i, 2) }));
    expect(judge(host(week), Date.UTC(2026, 2, 29, 12)).evidence?.fields.nights_on).toBe(1);
    // Connected 00:00-02:00 UTC on the autumn night: 2 h of its 3 h, below 0.9; the CET nights after need 01:00-03:00 UTC.
    const autumnNights = [{ from: Date.UTC(2026, 9, 25, 0), to: Date.UTC(2026, 9, 25, 2) }];
    expect(judge(host(autumnNights), Date.UTC(2026, 9, 25, 12), { overnightMinCoverage: 0.6 }).evidence?.fields.nights_on).toBe(1);
    expect(judge(host(autumnNights), Date.UTC(2026, 9, 25, 12)).evidence?.fields.nights_on).toBe(0);
  });

  it('a window across midnight belongs to the evening it starts on and counts only once it has ended', () => {
    const t = { overnightWindow: { from: 22 * 60, to: 6 * 60 }, overnightNights: 2, overnightOf: 3 };
    const ny = (h: HostView) => ({ ...h, zone: 'America/New_York' });
    // New York (EST, UTC-5) in November: 22:00-06:00 local is 03:00-11:00 UTC, the night of Nov 1 (DST ends) is 9 h.
    const evenings = [Date.UTC(2026, 10, 1, 2), Date.UTC(2026, 10, 2, 3)].map((from, i) => ({ from, to: from + (i === 0 ? 9 : 8) * H }));
    expect(judge(ny(host(evenings)), Date.UTC(2026, 10, 3, 10, 59), t)).toMatchObject({
      verdict: 'pass',
      reason: 'connected overnight on 2 of the last 3 nights (window 22:00-06:00 America/New_York)',
      evidence: { time: Date.UTC(2026, 10, 2, 11), fields: { nights_on: 2, nights: 3 } },
    });
    // At 11:00 UTC the evening of Nov 2 has ended (off), the evening of Oct 30 leaves the last three: still 2 of 3.
    expect(judge(ny(host(evenings)), Date.UTC(2026, 10, 3, 11), t)).toMatchObject({ verdict: 'pass', evidence: { time: Date.UTC(2026, 10, 3, 11) } });
    // A day later the evening of Oct 31 leaves too: 1 of 3.
    expect(judge(ny(host(evenings)), Date.UTC(2026, 10, 4, 11), t)).toMatchObject({ verdict: 'fail', evidence: { fields: { nights_on: 1 } } });
  });

  it('is unknown until the last M nights all lie after enrollment and the start of the history', () => {
    const nights = [14, 15, 16, 17, 18, 19, 20].map(novNight);
    expect(judge(host(nights, { sessionsKnownFrom: null }), NOW)).toEqual({ verdict: 'unknown', reason: 'no connection history recorded yet' });
    // Enrolled on Nov 15 at 12:00 (local day 15's window already past): the nights of Nov 16..20 are 5 of 7.
    expect(judge(host(nights, { sessionsKnownFrom: Date.UTC(2026, 10, 15, 12) }), NOW)).toEqual({
      verdict: 'unknown',
      reason: '5 of the last 7 nights (window 02:00-04:00 Europe/Berlin) lie after the connection history of this host begins on 2026-11-15',
    });
    // Known from exactly the start of the 7th-last window: enough.
    expect(judge(host(nights, { sessionsKnownFrom: novNight(14).from }), NOW).verdict).toBe('pass');
  });

  it('applies to servers always and to workstations only when the tenant asks', () => {
    const ws = { role: 'workstation' as const, family: 'windows', productType: 'workstation', critical: false };
    expect(poweredOnOvernight.appliesTo({ ...ws, role: 'server' }, DEFAULT_THRESHOLDS)).toBe(true);
    expect(poweredOnOvernight.appliesTo(ws, DEFAULT_THRESHOLDS)).toBe(false);
    expect(poweredOnOvernight.appliesTo(ws, { ...DEFAULT_THRESHOLDS, overnightWorkstations: true })).toBe(true);
  });
});

describe('terms.compliance.powered_on_overnight', () => {
  it('reads the settings from the rules file, a tenant merging over the top level', () => {
    const rules = parseRules(
      `terms: { compliance: { powered_on_overnight: { window: "23:30-05:00", nights: 3 } } }
tenants: { acme: { terms: { compliance: { powered_on_overnight: { of: 4, workstations: true, min_coverage: 0.5 } } } } }`,
      'rules.yaml',
    );
    expect(rules.terms('acme').compliance).toMatchObject({
      overnightWindow: { from: 23 * 60 + 30, to: 5 * 60 },
      overnightNights: 3,
      overnightOf: 4,
      overnightWorkstations: true,
      overnightMinCoverage: 0.5,
    });
    expect(rules.terms('other').compliance).toMatchObject({ overnightNights: 3, overnightOf: 7, overnightWorkstations: false });
    expect(DEFAULT_THRESHOLDS).toMatchObject({ overnightWindow: { from: 120, to: 240 }, overnightNights: 5, overnightOf: 7, overnightMinCoverage: 0.9 });
  });

  it.each([
    ['{ window: "2:00-4:00" }', 'rules.yaml: terms.compliance.powered_on_overnight.window'],
    ['{ window: "24:00-04:00" }', 'rules.yaml: terms.compliance.powered_on_overnight.window'],
    ['{ window: "03:00-03:00" }', 'rules.yaml: terms.compliance.powered_on_overnight.window: "03:00-03:00" is empty'],
    ['{ nights: 8 }', 'rules.yaml: terms.compliance.powered_on_overnight.nights: 8 is more than of (7)'],
    ['{ of: 40 }', 'rules.yaml: terms.compliance.powered_on_overnight.of'],
    ['{ min_coverage: 0 }', 'rules.yaml: terms.compliance.powered_on_overnight.min_coverage'],
    ['{ servers: true }', 'rules.yaml: terms.compliance.powered_on_overnight'],
  ])('refuses %s naming the key', (settings, message) => {
    let error: unknown;
    try {
      parseRules(`terms: { compliance: { powered_on_overnight: ${settings} } }`, 'rules.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
  });
});

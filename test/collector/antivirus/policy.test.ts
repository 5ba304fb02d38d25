// terms.antivirus in the rules file: validated with errors naming the key, merged per key across layers, crons read
// in the tenant's zone (its business calendar's).
import { describe, expect, it } from 'vitest';
import { loadRules, parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { occurrenceAt } from '../../../collector/src/antivirus/policy.js';

const base = loadRules();
const policyOf = (yaml: string, tenant = 'acme') => parseRules(yaml, 'test-rules.yaml', base).terms(tenant).antivirus;

describe('terms.antivirus', () => {
  it('is absent unless a layer sets it: nothing is scheduled', () => {
    expect(policyOf('')).toBeUndefined();
  });

  it("merges per key across layers, and reads the crons in the tenant's zone", () => {
    const yaml = `
terms:
  antivirus:
    signature_update: { cron: "0 0 */6 * * *" }
    quick_scan: { cron: "0 30 12 * * 3" }
tenants:
  acme:
    calendars: { business: { timezone: Europe/Berlin, days: [mon, tue, wed, thu, fri], hours: [{ start: "08:00", end: "17:00" }] } }
    terms: { antivirus: { quick_scan: { disabled: true }, update_before_ticket: false } }
`;
    const acme = policyOf(yaml)!;
    expect(acme).toMatchObject({ timezone: 'Europe/Berlin', updateBeforeTicket: false });
    expect(acme.schedules.map((s) => [s.action, s.cron])).toEqual([['signature_update', '0 0 */6 * * *']]);
    // 06:00 Berlin = 05:00Z in November.
    expect(occurrenceAt(acme.schedules[0]!, Date.parse('2026-11-25T05:30:00Z'))).toEqual({
      due: Date.parse('2026-11-25T05:00:00Z'),
      next: Date.parse('2026-11-25T11:00:00Z'),
    });
    const other = policyOf(yaml, 'globex')!;
    expect(other).toMatchObject({ timezone: 'UTC', updateBeforeTicket: true });
    expect(other.schedules.map((s) => s.action)).toEqual(['signature_update', 'quick_scan']);
  });

  it.each([
    ['a bad cron', 'quick_scan: { cron: "0 61 * * * *" }', /test-rules\.yaml: terms\.antivirus\.quick_scan\.cron: .*minute/],
    [
      'a cron more often than hourly',
      'signature_update: { cron: "0 */10 * * * *" }',
      /terms\.antivirus\.signature_update\.cron: "0 \*\/10 \* \* \* \*" runs more often than hourly/,
    ],
    ['no cron', 'signature_update: {}', /terms\.antivirus\.signature_update\.cron: required/],
    ['an unknown key', 'full_scan: { cron: "0 0 1 * * *" }', /terms\.antivirus.*full_scan/],
    ['update_before_ticket as text', 'update_before_ticket: sometimes', /terms\.antivirus\.update_before_ticket/],
  ])('refuses %s, naming the key', (_what, entry, message) => {
    expect(() => policyOf(`terms:\n  antivirus: { ${entry} }\n`)).toThrow(message);
  });
});

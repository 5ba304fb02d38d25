// terms.patches as the rules loader reads it: merged across layers and files, host entries' ring and window, and
// errors that name the file and the key.
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { hostPatchSettings } from '../../../collector/src/patching/policy.js';

const H = 3_600_000;
const load = (yaml: string) => parseRules(yaml, 'rules.yaml');
const fails = (yaml: string) => () => load(yaml);

describe('terms.patches', () => {
  it('merges the top level and a tenant key by key, window by its own keys, and reads the tenant zone', () => {
    const set = load(`
calendars:
  office: { timezone: Europe/Vienna, days: [mon, tue, wed, thu, fri], hours: [{ start: "08:00", end: "17:00" }] }
terms:
  patches: { window: { cron: "0 0 2 * * 6", duration: 4h }, rings: { pilot: {}, broad: { deferral: 7d } } }
tenants:
  acme:
    terms: { calendar: office, patches: { window: { duration: 2h }, exclude: ["KB50*"], reboot: { mode: never } } }
  globex:
    terms: { patches: { enabled: false } }
`);
    const p = set.terms('acme').patches!;
    expect(p.window).toEqual({ cron: '0 0 2 * * 6', durationMs: 2 * H, timezone: 'Europe/Vienna' });
    expect(p.rings).toEqual([
      { name: 'pilot', deferralMs: 0 },
      { name: 'broad', deferralMs: 7 * 24 * H },
    ]);
    expect(p).toMatchObject({ autoApprove: ['security', 'critical'], catchUp: false, maxItems: 200, reboot: { mode: 'never' } });
    expect(p.exclude.map((x) => x.glob)).toEqual(['KB50*']);
    expect(p.exclude[0]!.re.test('kb5034441')).toBe(true);
    // enabled: false switches a top-level policy off for the tenant; a tenant without an entry has the top level's.
    expect(set.terms('globex').patches).toBeUndefined();
    expect(set.terms('other').patches?.window.timezone).toBeDefined();
  });

  it('has no policy without terms.patches', () => {
    expect(load('tenants: { acme: { terms: { calendar: 24x7 } } }').terms('acme').patches).toBeUndefined();
  });

  it('gives a host its ring, window and reboot from its entry; else the last ring and the role default', () => {
    const set = load(`
tenants:
  acme:
    terms: { calendar: 24x7, patches: { window: { cron: "0 0 2 * * 6", duration: 4h }, rings: { pilot: {}, broad: {} } } }
    hosts:
      sql01: { role: server, patch_ring: pilot, patch_window: { cron: "0 0 3 * * 0" }, patch_reboot: { mode: warn, warn_minutes: 5 } }
`);
    const policy = set.terms('acme').patches!;
    expect(hostPatchSettings(policy, set.hostSettings('acme', 'SQL01'), 'server')).toMatchObject({
      ring: { name: 'pilot' },
      window: { cron: '0 0 3 * * 0', durationMs: 4 * H, timezone: 'UTC' },
      reboot: { mode: 'warn', warnMinutes: 5 },
    });
    expect(hostPatchSettings(policy, set.hostSettings('acme', 'ws7'), 'workstation')).toMatchObject({
      ring: { name: 'broad' },
      reboot: { mode: 'warn', warnMinutes: 15 },
    });
    expect(hostPatchSettings(policy, set.hostSettings('acme', 'db2'), 'server').reboot).toEqual({ mode: 'if_required' });
  });

  it('refuses what cannot work, naming the file and the key', () => {
    const base = 'tenants:\n  acme:\n    terms:\n      calendar: 24x7\n      patches: ';
    expect(fails(`${base}{ rings: { pilot: {} } }`)).toThrow('rules.yaml: tenants.acme.terms.patches.window.cron: required');
    expect(fails(`${base}{ window: { cron: "0 0 2 * * 6", duration: 25h } }`)).toThrow(
      'rules.yaml: tenants.acme.terms.patches.window.duration: expected more than 0 and at most 24h; got 25h',
    );
    expect(fails(`${base}{ window: { cron: "every saturday", duration: 4h } }`)).toThrow('rules.yaml: tenants.acme.terms.patches.window.cron: not a cron');
    expect(fails(`${base}{ window: { cron: "0 0 2 * * 6", duration: 4h }, max_items: 501 }`)).toThrow('tenants.acme.terms.patches.max_items');
    expect(fails(`${base}{ window: { cron: "0 0 2 * * 6", duration: 4h }, auto_approve: [bugfix] }`)).toThrow('tenants.acme.terms.patches.auto_approve');
    expect(fails(`${base}{ window: { cron: "0 0 2 * * 6", duration: 4h }, reboot: { mode: never, warn_minutes: 5 } }`)).toThrow(
      'rules.yaml: tenants.acme.terms.patches.reboot: warn_minutes and message only with mode warn',
    );
    expect(fails(`${base}{ window: { cron: "0 0 2 * * 6", duration: 4h }, rings: { pilot: {} } }\n    hosts: { sql01: { patch_ring: canary } }`)).toThrow(
      'rules.yaml: tenants.acme.hosts.sql01.patch_ring: unknown ring "canary" (rings: pilot)',
    );
    expect(fails('tenants: { acme: { hosts: { sql01: { patch_ring: pilot } } } }')).toThrow(
      'rules.yaml: tenants.acme.hosts.sql01.patch_ring: the tenant has no terms.patches',
    );
  });
});

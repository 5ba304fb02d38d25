// The rules file: the shipped pack, layering (defaults, user file, tenant, host), service terms, and every class of
// bad input refused with the file and the path of the bad key.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../collector/src/errors.js';
import { DEFAULT_MATRIX } from '../../../../collector/src/tickets/priority.js';
import { DEFAULT_CALENDARS, DEFAULT_SLA_PROFILES } from '../../../../collector/src/tickets/sla.js';
import { addBusinessTime } from '../../../../collector/src/tickets/calendar.js';
import { RULE_KINDS } from '../../../../collector/src/alerting/rules/kinds/index.js';
import { DEFAULT_RULES_FILE, loadRules, parseRules, type RuleSet } from '../../../../collector/src/alerting/rules/rules-file.js';

const defaults = loadRules();
const over = (yaml: string): RuleSet => parseRules(yaml, 'user.yaml', defaults);
const ids = (set: RuleSet, tenant: string, host: string) => set.rulesFor(tenant, host).map((r) => r.id);

describe('the shipped default pack', () => {
  it('loads and compiles, using every rule kind', () => {
    const rules = defaults.rulesFor('any', 'host');
    expect(rules.map((r) => r.id)).toEqual(
      defaults
        .ruleIds()
        .slice()
        .sort((a, b) => rules.findIndex((r) => r.id === a) - rules.findIndex((r) => r.id === b)),
    );
    expect(new Set(rules.map((r) => r.kind))).toEqual(new Set(Object.keys(RULE_KINDS)));
    expect(defaults.ruleIds()).toEqual([
      'agent_offline_server',
      'agent_offline_workstation',
      'agent_rejected_samples',
      'agent_watchdog',
      'av_definitions_old',
      'av_disabled',
      'av_passive_alone',
      'cpu_high',
      'disk_errors',
      'disk_queue',
      'disk_space',
      'error_burst',
      'firewall_app',
      'logon_failures',
      'memory_high',
      'os_end_of_support',
      'patch_failed',
      'patch_reboot_pending',
      'patches_critical_pending',
      'patches_stale',
      'reboot_pending',
      'services_stopped',
      'swap_in',
      'systemd_failed_units',
      'unexpected_shutdown',
    ]);
    for (const r of rules) expect(r.title.length, r.id).toBeGreaterThan(0);
  });

  it('states the same matrix, calendar and SLA profiles as the built-in defaults (DESIGN.md)', () => {
    const doc = parseYaml(readFileSync(DEFAULT_RULES_FILE, 'utf8'));
    expect(doc.priority_matrix).toEqual(DEFAULT_MATRIX);
    expect(doc.calendars).toEqual(DEFAULT_CALENDARS);
    expect(doc.sla_profiles).toEqual(DEFAULT_SLA_PROFILES);
  });

  it('gives the default terms', () => {
    expect(defaults.terms('anyone')).toEqual({
      matrix: DEFAULT_MATRIX,
      slaProfileName: 'standard-8x5',
      slaProfile: DEFAULT_SLA_PROFILES['standard-8x5'],
      hours: DEFAULT_CALENDARS.business,
      onClear: 'resolve',
      reopenWindowMs: 3_600_000,
      maintenanceExitGraceMs: 300_000,
    });
  });

  it('a rule compiled once is the same object wherever it is not overridden', () => {
    const set = over('tenants: { acme: { rules: [ { id: cpu_high, for: 30m } ] } }');
    expect(set.rule('acme', 'x', 'disk_space')).toBe(set.rule('other', 'y', 'disk_space'));
    expect(set.rule('acme', 'x', 'cpu_high')).not.toBe(set.rule('other', 'y', 'cpu_high'));
  });
});

describe('layering: user file, tenant, host', () => {
  const set = over(`
rules:
  - { id: disk_space, for: 10m }                       # override a default
  - { id: uptime_long, kind: metric, title: Not rebooted for 90 days, measurement: system, field: uptime, above: 7776000, impact: low }
tenants:
  acme:
    rules:
      - { id: disk_space, levels: [ { name: critical, above: 98, impact: high } ] }
      - { id: av_disabled, enabled: false }
      - { id: acme_only, kind: event, title: Backup failed, channel: Application, source: Veeam, levels: [error], impact: medium }
    hosts:
      sql01: { role: server, critical: true, site: hq, tags: [sql], rules: [ { id: disk_space, for: 1m } ] }
      "sql*": { role: server, rules: [ { id: cpu_high, enabled: false } ] }
      "*": { site: branch }
      "ws-*": { role: workstation, tags: [critical] }
      "ws-ceo": { urgency: high, critical: false, tags: [critical, vip] }
`);

  it('a user-file override and a new rule apply to every tenant', () => {
    const disk = set.rule('other', 'h', 'disk_space');
    expect(disk?.forMs).toBe(600_000);
    expect(disk?.kind === 'metric' && disk.levels.map((l) => l.name)).toEqual(['warning', 'critical']); // other keys kept
    expect(set.rule('other', 'h', 'uptime_long')?.title).toBe('Not rebooted for 90 days');
  });

  it('a tenant override replaces the keys it gives, on top of the user file', () => {
    const disk = set.rule('acme', 'fs01', 'disk_space');
    expect(disk?.kind === 'metric' && disk.levels.map((l) => [l.name, l.condition])).toEqual([['critical', { op: 'above', threshold: 98, clear: 98 }]]);
    expect(disk?.forMs).toBe(600_000);
  });

  it('disabling and adding per tenant', () => {
    expect(ids(set, 'acme', 'fs01')).not.toContain('av_disabled');
    expect(ids(set, 'acme', 'fs01')).toContain('acme_only');
    expect(ids(set, 'other', 'fs01')).toContain('av_disabled');
    expect(ids(set, 'other', 'fs01')).not.toContain('acme_only');
    expect(set.rule('acme', 'fs01', 'av_disabled')).toBeUndefined();
    expect(set.ruleIds()).toContain('av_disabled'); // still enabled elsewhere
    expect(set.ruleIds()).toContain('acme_only');
  });

  it('an exact host name beats a glob, a longer glob a shorter one; case does not matter', () => {
    expect(set.rule('acme', 'sql01', 'disk_space')?.forMs).toBe(60_000); // exact: its own override...
    expect(ids(set, 'acme', 'sql01')).toContain('cpu_high'); // ...and not the sql* entry's
    expect(set.rule('acme', 'SQL01', 'disk_space')?.forMs).toBe(60_000);
    expect(ids(set, 'acme', 'sql02')).not.toContain('cpu_high'); // sql* beats *
    expect(set.rule('acme', 'sql02', 'disk_space')?.forMs).toBe(600_000);
    expect(set.hostSettings('acme', 'sql01')).toEqual({ role: 'server', critical: true, site: 'hq', tags: ['sql'] });
    expect(set.hostSettings('acme', 'sql02')).toEqual({ role: 'server', tags: [] });
    expect(set.hostSettings('acme', 'fs01')).toEqual({ site: 'branch', tags: [] });
  });

  it('the tag critical counts as critical; an explicit critical: false wins', () => {
    expect(set.hostSettings('acme', 'ws-07')).toEqual({ role: 'workstation', critical: true, tags: ['critical'] });
    expect(set.hostSettings('acme', 'WS-CEO')).toEqual({ critical: false, urgency: 'high', tags: ['critical', 'vip'] });
    expect(set.hostSettings('other', 'sql01')).toEqual({ tags: [] });
  });

  it('a rule enabled only on one host entry is among the rule ids', () => {
    const s = over('rules: [ { id: cpu_high, enabled: false } ]\ntenants: { acme: { hosts: { build01: { rules: [ { id: cpu_high, enabled: true } ] } } } }');
    expect(ids(s, 'acme', 'web01')).not.toContain('cpu_high');
    expect(ids(s, 'acme', 'build01')).toContain('cpu_high');
    expect(s.ruleIds()).toContain('cpu_high');
  });

  it('host entries of the same tenant in two files merge by key', () => {
    const base = parseRules('tenants: { acme: { hosts: { sql01: { role: server, site: hq } } } }', 'a.yaml', defaults);
    const top = parseRules('tenants: { acme: { hosts: { SQL01: { critical: true, rules: [ { id: disk_space, for: 2m } ] } } } }', 'b.yaml', base);
    expect(top.hostSettings('acme', 'sql01')).toEqual({ role: 'server', critical: true, site: 'hq', tags: [] });
    expect(top.rule('acme', 'sql01', 'disk_space')?.forMs).toBe(120_000);
  });

  it('includeDefaults: false leaves only the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'watchpost-rules-'));
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, 'rules: [ { id: mem, kind: metric, title: Memory, measurement: mem, field: used_percent, above: 99, impact: low } ]\n');
    expect(loadRules(file, { includeDefaults: false }).ruleIds()).toEqual(['mem']);
    expect(loadRules(file).ruleIds()).toContain('disk_space');
  });
});

describe('service terms per tenant', () => {
  const set = over(`
calendars:
  uk: { timezone: Europe/London, days: [mon, tue, wed, thu, fri], hours: [{ start: "09:00", end: "17:30" }], holidays: ["2026-12-25"] }
sla_profiles:
  gold: { hours: uk, respond: { P1: 30m, P2: 1h, P3: 4h, P4: 8h } }
terms: { reopen_window: 2h }
tenants:
  acme:
    terms: { sla_profile: co-managed-24x7, on_clear: note }
  globex:
    calendars:
      business: { timezone: America/New_York, days: [mon, tue, wed, thu, fri], hours: [{ start: "08:00", end: "18:00" }] }
    terms: { maintenance_exit_grace: 15m }
    priority_matrix:
      high: { high: P1, medium: P1, low: P2 }
      medium: { high: P2, medium: P2, low: P3 }
      low: { high: P3, medium: P3, low: P4 }
  initech:
    terms: { sla_profile: gold, calendar: 24x7 }
`);

  it('a tenant picks a profile and what a clear does; top-level terms still apply', () => {
    expect(set.terms('acme')).toMatchObject({
      slaProfileName: 'co-managed-24x7',
      hours: '24x7',
      onClear: 'note',
      reopenWindowMs: 7_200_000,
      maintenanceExitGraceMs: 300_000,
    });
  });

  it('a tenant calendar shadows the top-level one of the same name; a tenant matrix replaces the default', () => {
    const t = set.terms('globex');
    expect(t.slaProfileName).toBe('standard-8x5');
    expect(t.hours).toMatchObject({ timezone: 'America/New_York' });
    expect(t.matrix.high.medium).toBe('P1');
    expect(t.maintenanceExitGraceMs).toBe(900_000);
    expect(set.terms('other').hours).toEqual(DEFAULT_CALENDARS.business);
    expect(set.terms('other').matrix).toEqual(DEFAULT_MATRIX);
  });

  it("terms.calendar replaces the profile's hours", () => {
    expect(set.terms('initech')).toMatchObject({ slaProfileName: 'gold', hours: '24x7' });
    expect(over('sla_profiles: { gold: { hours: business } }\ntenants: { a: { terms: { sla_profile: gold } } }').terms('a').hours).toEqual(
      DEFAULT_CALENDARS.business,
    );
  });
});

describe('regional holidays and per-tenant additions', () => {
  const set = over(`
calendars:
  business: { timezone: Europe/Berlin, days: [mon, tue, wed, thu, fri], hours: [{ start: "08:00", end: "17:00" }], holidays: { region: DE-BY, add: [2025-12-24] } }
tenants:
  acme:
    calendars:
      business: { holidays: { add: [2025-10-06], remove: [2025-12-24] } }
  globex: {}
`);

  it('a tenant adds days to the calendar in scope without repeating it; the SLA clock skips them', () => {
    expect(set.terms('acme').hours).toEqual({
      timezone: 'Europe/Berlin',
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      hours: [{ start: '08:00', end: '17:00' }],
      holidays: { region: 'DE-BY', add: ['2025-10-06'], remove: ['2025-12-24'] },
    });
    // Thursday 16:00 + 3 h: German Unity Day (Fri 3 Oct 2025), the weekend, and acme's own Monday off.
    const start = Date.parse('2025-10-02T16:00:00+02:00');
    expect(new Date(addBusinessTime(set.terms('acme').hours, start, 3 * 3_600_000)).toISOString()).toBe('2025-10-07T08:00:00.000Z');
    expect(new Date(addBusinessTime(set.terms('globex').hours, start, 3 * 3_600_000)).toISOString()).toBe('2025-10-06T08:00:00.000Z');
  });

  it('a user file extends the shipped business calendar with a region alone', () => {
    const hours = over('calendars: { business: { holidays: { region: US } } }').terms('any').hours;
    expect(hours).toEqual({ ...DEFAULT_CALENDARS.business, holidays: { region: 'US', add: [], remove: [] } });
  });

  it.each([
    [
      'an unknown region',
      'calendars: { business: { holidays: { region: DE-XY } } }',
      'user.yaml: calendars.business.holidays.region: unknown subdivision "XY" of DE',
    ],
    [
      'holidays alone for a calendar that does not exist',
      'tenants: { acme: { calendars: { office: { holidays: [2026-07-17] } } } }',
      'user.yaml: tenants.acme.calendars.office: holidays alone extend a calendar of the same name, and there is none above',
    ],
    [
      'half a calendar',
      'calendars: { business: { timezone: Europe/Berlin } }',
      'user.yaml: calendars.business: give timezone, days and hours (a whole calendar), or holidays alone',
    ],
  ])('refuses %s', (_name, yaml, message) => {
    expect(() => over(yaml)).toThrow(ConfigError);
    expect(() => over(yaml)).toThrow(message);
  });
});

describe('bad input is refused with the file and the path of the bad key', () => {
  it.each([
    ['a bad duration', 'rules: [ { id: disk_space, for: soon } ]', 'user.yaml: rules[0].for: expected a duration like 30s, 5m, 7d; got "soon"'],
    ['a number for a duration', 'rules: [ { id: cpu_high, for: 5 } ]', 'user.yaml: rules[0].for: expected a duration like 30s, 5m, 7d; got 5'],
    [
      'a bad duration deep down',
      'tenants: { acme: { hosts: { sql01: { rules: [ { id: x, kind: absence, title: x, impact: low }, { id: disk_space, keep_firing_for: a while } ] } } } }',
      'user.yaml: tenants.acme.hosts.sql01.rules[1].keep_firing_for: expected a duration like 30s, 5m, 7d; got "a while"',
    ],
    [
      'a bad role',
      'tenants: { acme: { hosts: { sql01: { role: srv } } } }',
      'user.yaml: tenants.acme.hosts.sql01.role: expected one of server, workstation; got "srv"',
    ],
    [
      'an unknown kind',
      'rules: [ { id: x, kind: threshold, title: x } ]',
      'user.yaml: rules[0].kind: unknown rule kind "threshold" (known: metric, event, event_count, absence, antivirus, patch)',
    ],
    [
      'a duplicate id',
      'rules: [ { id: x, kind: absence, title: x, impact: low }, { id: x, kind: absence, title: y, impact: low } ]',
      'user.yaml: rules[1].id: duplicate id "x" (also rules[0])',
    ],
    [
      'an override of a rule that does not exist (typo)',
      'tenants: { acme: { rules: [ { id: disk_spase, for: 10m } ] } }',
      'user.yaml: tenants.acme.rules[0].kind: required: no rule "disk_spase" is defined before this, so this entry is a new rule',
    ],
    [
      'a bad id',
      'rules: [ { id: Disk-Space, kind: absence, title: x, impact: low } ]',
      'user.yaml: rules[0].id: expected a rule id (lower-case letters, digits and _, starting with a letter); got "Disk-Space"',
    ],
    [
      'a level impact',
      'rules: [ { id: disk_space, levels: [ { name: full, above: 99, impact: urgent } ] } ]',
      'user.yaml: rules[0].levels[0].impact: expected one of high, medium, low; got "urgent"',
    ],
    ['an unknown rule key', 'rules: [ { id: disk_space, threshold: 80 } ]', 'user.yaml: rules[0].threshold: unknown key'],
    ['an unknown top-level key', 'rule: []', 'user.yaml: rule: unknown key'],
    ['a missing title', 'rules: [ { id: x, kind: absence, impact: low } ]', 'user.yaml: rules[0].title: required'],
    ['a rule that is not a mapping', 'rules: [ disk_space ]', 'user.yaml: rules[0]: Expected object; got "disk_space"'],
    [
      'changing a kind',
      'rules: [ { id: disk_space, kind: event } ]',
      `user.yaml: rules[0].kind: rule "disk_space" is a metric rule (${DEFAULT_RULES_FILE}: rules[0]); a kind cannot be changed, give the new rule another id`,
    ],
    [
      'both levels and a single threshold',
      'rules: [ { id: disk_space, above: 80 } ]',
      'user.yaml: rules[0].above: give either levels or a single level at the top (above, below, equals, in, clear), not both',
    ],
    [
      'an unknown sla profile',
      'tenants: { acme: { terms: { sla_profile: gold } } }',
      'user.yaml: tenants.acme.terms.sla_profile: unknown sla profile "gold" (known: standard-8x5, co-managed-24x7)',
    ],
    ['an unknown calendar in terms', 'terms: { calendar: office }', 'user.yaml: terms.calendar: unknown calendar "office" (known: business, 24x7)'],
    [
      'an unknown calendar in a profile',
      'sla_profiles: { gold: { hours: office } }',
      'user.yaml: sla_profiles.gold.hours: unknown calendar "office" (known: business, 24x7)',
    ],
    [
      'a bad profile target',
      'sla_profiles: { gold: { hours: 24x7, respond: { P1: soon } } }',
      'user.yaml: sla_profiles.gold.respond.P1: expected a duration like 30s, 5m, 7d; got "soon"',
    ],
    [
      'a calendar time zone',
      'calendars: { office: { timezone: Mars/Base, days: [mon], hours: [ { start: "08:00", end: "17:00" } ] } }',
      'user.yaml: calendars.office.timezone: unknown IANA time zone "Mars/Base"',
    ],
    [
      'a tenant calendar',
      'tenants: { acme: { calendars: { office: { timezone: UTC, days: [mon], hours: [ { start: "17:00", end: "08:00" } ] } } } }',
      'user.yaml: tenants.acme.calendars.office.hours[0]: end 08:00 is not after start 17:00',
    ],
    [
      'a calendar day',
      'calendars: { office: { timezone: UTC, days: [monday], hours: [ { start: "08:00", end: "17:00" } ] } }',
      'user.yaml: calendars.office.days[0]: expected one of mon, tue, wed, thu, fri, sat, sun; got "monday"',
    ],
    [
      'a calendar named 24x7',
      'calendars: { 24x7: { timezone: UTC, days: [mon], hours: [ { start: "00:00", end: "24:00" } ] } }',
      'user.yaml: calendars.24x7: the name 24x7 is reserved for around the clock',
    ],
    [
      'a matrix cell',
      'priority_matrix: { high: { high: P5, medium: P2, low: P3 }, medium: { high: P2, medium: P3, low: P4 }, low: { high: P3, medium: P4, low: P4 } }',
      'user.yaml: priority_matrix.high.high: expected one of P1, P2, P3, P4; got "P5"',
    ],
    [
      'an incomplete matrix',
      'tenants: { acme: { priority_matrix: { high: { high: P1, medium: P2, low: P3 } } } }',
      'user.yaml: tenants.acme.priority_matrix.medium: required',
    ],
    ['on_clear', 'terms: { on_clear: close }', 'user.yaml: terms.on_clear: expected one of resolve, note; got "close"'],
    [
      'reopen_window',
      'tenants: { acme: { terms: { reopen_window: an hour } } }',
      'user.yaml: tenants.acme.terms.reopen_window: expected a duration like 30s, 5m, 7d; got "an hour"',
    ],
    [
      'the same host twice (case)',
      'tenants: { acme: { hosts: { sql01: {}, SQL01: {} } } }',
      'user.yaml: tenants.acme.hosts.SQL01: the same host as "sql01" (host names ignore case)',
    ],
    ['a host key', 'tenants: { acme: { hosts: { sql01: { criticality: high } } } }', 'user.yaml: tenants.acme.hosts.sql01.criticality: unknown key'],
    ['a tags list', 'tenants: { acme: { hosts: { sql01: { tags: sql } } } }', 'user.yaml: tenants.acme.hosts.sql01.tags: Expected array; got "sql"'],
    ['not a mapping at the top', '- rules', 'user.yaml: (root): Expected object; got ["rules"]'],
  ])('%s', (_label, yaml, message) => {
    expect(() => over(yaml)).toThrow(ConfigError);
    expect(() => over(yaml)).toThrow(message);
    try {
      over(yaml);
    } catch (error) {
      expect((error as Error).message).toBe(message);
    }
  });

  it('YAML that does not parse', () => {
    expect(() => over('rules: [ { id: x')).toThrow(/^user\.yaml: not valid YAML: /);
  });

  it('a file that cannot be read', () => {
    const missing = join(tmpdir(), 'watchpost-no-such-dir', 'rules.yaml');
    expect(() => loadRules(missing)).toThrow(`${missing}: cannot read the rules file: ENOENT`);
  });
});

describe('reloading', () => {
  it('a bad user file throws; the RuleSet loaded before keeps working; a fixed file loads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'watchpost-rules-'));
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, 'rules: [ { id: disk_space, for: 10m } ]\n');
    const inForce = loadRules(file);
    expect(inForce.rule('acme', 'h', 'disk_space')?.forMs).toBe(600_000);

    writeFileSync(file, 'rules: [ { id: disk_space, for: 10m }, { id: cpu_high, for: soon } ]\n');
    expect(() => loadRules(file)).toThrow(`${file}: rules[1].for: expected a duration like 30s, 5m, 7d; got "soon"`);
    // Nothing global changed: the set loaded before answers as before.
    expect(inForce.rule('acme', 'h', 'disk_space')?.forMs).toBe(600_000);
    expect(inForce.rule('acme', 'h', 'cpu_high')?.forMs).toBe(900_000);
    expect(inForce.rulesFor('acme', 'h').length).toBe(defaults.ruleIds().length);

    writeFileSync(file, 'rules: [ { id: disk_space, for: 20m } ]\n');
    expect(loadRules(file).rule('acme', 'h', 'disk_space')?.forMs).toBe(1_200_000);
    expect(inForce.rule('acme', 'h', 'disk_space')?.forMs).toBe(600_000);
  });

  it('a RuleSet cannot be changed by its users', () => {
    expect(Object.isFrozen(defaults)).toBe(true);
  });
});

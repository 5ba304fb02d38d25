// antivirus rules: one run = the points sharing one time, judged per check. The points below have the shapes the
// agent's antivirus probe produces (agent/src/probes/antivirus/antivirus.ts; e.g. the real SecurityCenter2 capture in
// test/fixtures/windows/securitycenter2-antivirusproduct-cylance-defender.json gives "CylancePROTECT" on and
// "Windows Defender" off beside it).
import { describe, expect, it } from 'vitest';
import type { RuleSample } from '../../../../collector/src/alerting/contract.js';
import { at, brief, Harness, ruleFrom, sample, shippedRule } from './harness.js';

type Fields = Record<string, number | string | boolean>;
const av = (minute: number, product: string, fields: Fields) => sample('antivirus', at(minute), { product }, fields);
const fw = (minute: number, product: string, fields: Fields) => sample('firewall_products', at(minute), { product }, fields);

// SecurityCenter2 products (productState decoded), Defender from Get-MpComputerStatus, the Windows Server fallback.
const cylanceOn = (m: number) =>
  av(m, 'CylancePROTECT', { state: 'on', source: 'securitycenter', enabled: true, realtime: true, up_to_date: true, reported_at: 1529311354 });
const cylanceExpired = (m: number) =>
  av(m, 'CylancePROTECT', { state: 'expired', source: 'securitycenter', enabled: false, realtime: false, up_to_date: false });
const scDefenderOff = (m: number) => av(m, 'Windows Defender', { state: 'off', source: 'securitycenter', enabled: false, realtime: false, up_to_date: true });
const mpDefender = (m: number, state: string, signature_age_days = 0.4) =>
  av(m, 'Microsoft Defender Antivirus', {
    enabled: state === 'on',
    state,
    source: 'defender',
    realtime: state === 'on',
    up_to_date: signature_age_days <= 7,
    signature_age_days,
    signature_updated: 1767500000,
  });
const registrySophos = (m: number) => av(m, 'Sophos Endpoint Agent', { state: 'unknown', source: 'registry' });
const clamav = (m: number, signature_age_days: number) =>
  av(m, 'ClamAV', { state: 'unknown', source: 'clamav', signature_updated: 1767500000, signature_age_days, up_to_date: signature_age_days <= 3 });

const judge = (ruleId: string, run: RuleSample[]) => new Harness(shippedRule(ruleId)).observe(run).map((o) => [o.instance, o.active]);

describe('antivirus disabled', () => {
  it.each([
    [
      'Defender off beside Cylance on (normal on Windows)',
      [cylanceOn(0), scDefenderOff(0)],
      [
        ['CylancePROTECT', false],
        ['Windows Defender', false],
      ],
    ],
    ['the only product off', [scDefenderOff(0)], [['Windows Defender', true]]],
    [
      'Cylance expired, Defender off',
      [cylanceExpired(0), scDefenderOff(0)],
      [
        ['CylancePROTECT', true],
        ['Windows Defender', true],
      ],
    ],
    [
      'Server: Defender off beside an AV found among programs (unknown state)',
      [mpDefender(0, 'off'), registrySophos(0)],
      [
        ['Microsoft Defender Antivirus', false],
        ['Sophos Endpoint Agent', false],
      ],
    ],
    ['Defender passive is not "disabled" (enabled=false comes with any state but on)', [mpDefender(0, 'passive')], [['Microsoft Defender Antivirus', false]]],
    ['Defender snoozed by the user', [mpDefender(0, 'snoozed')], [['Microsoft Defender Antivirus', true]]],
    ['no state, enabled=false', [av(0, 'Old AV', { enabled: false })], [['Old AV', true]]],
  ])('%s', (_label, run, expected) => {
    expect(judge('av_disabled', run)).toEqual(expected);
  });

  it('summary and impact', () => {
    expect(new Harness(shippedRule('av_disabled')).observe([scDefenderOff(0)])[0]).toMatchObject({
      level: 'default',
      impact: 'high',
      value: 'off',
      at: at(0),
      summary: 'Windows Defender is off and no other antivirus is active',
    });
  });

  it('a product that a later run no longer reports clears on the tick', () => {
    const h = new Harness(shippedRule('av_disabled'));
    expect(h.observe([cylanceExpired(0), scDefenderOff(0)]).map((o) => o.active)).toEqual([true, true]);
    expect(h.tick(at(30))).toEqual([]); // no later run yet
    // Cylance uninstalled: Defender takes over.
    expect(
      h
        .observe([mpDefender(60, 'on'), av(60, 'Windows Defender', { state: 'on', source: 'securitycenter', enabled: true })])
        .map((o) => [o.instance, o.active]),
    ).toEqual([
      ['Microsoft Defender Antivirus', false],
      ['Windows Defender', false],
    ]);
    expect(h.tick(at(61)).map((t) => [t.observation.instance, t.observation.active, t.observation.summary])).toEqual([
      ['CylancePROTECT', false, 'CylancePROTECT no longer reported'],
    ]);
  });
});

describe('antivirus passive_alone', () => {
  it.each([
    ['Defender passive alone', [mpDefender(0, 'passive')], true],
    ['passive beside an off product', [mpDefender(0, 'passive'), scDefenderOff(0)], true],
    ['passive beside Cylance on', [mpDefender(0, 'passive'), cylanceOn(0)], false],
    ['passive beside an unknown product (it may be protecting)', [mpDefender(0, 'passive'), registrySophos(0)], false],
    ['everything off is "disabled", not passive', [scDefenderOff(0)], false],
  ])('%s', (_label, run, active) => {
    expect(judge('av_passive_alone', run)).toEqual([['', active]]);
  });

  it('summary lists the products', () => {
    expect(new Harness(shippedRule('av_passive_alone')).observe([mpDefender(0, 'passive'), scDefenderOff(0)])[0]!.summary).toBe(
      'only passive protection: Microsoft Defender Antivirus (passive), Windows Defender (off)',
    );
  });

  it('judges each run of a batch on its own (runs are told apart by their time)', () => {
    const h = new Harness(shippedRule('av_passive_alone'));
    // A spooled backlog: the 10:00 run saw Defender passive alone, the 11:00 run Cylance back on.
    const out = h.observe([mpDefender(0, 'passive'), scDefenderOff(0), mpDefender(60, 'passive'), cylanceOn(60)]);
    expect(out.map(brief)).toEqual([
      { instance: '', active: true, level: 'default', at: at(0) },
      { instance: '', active: false, level: 'default', at: at(60) },
    ]);
  });
});

describe('antivirus definitions_old (more than 3 days)', () => {
  it.each([
    ['Defender 0.4 days', [mpDefender(0, 'on', 0.4)], [['Microsoft Defender Antivirus', false]]],
    ['Defender 5.25 days', [mpDefender(0, 'on', 5.25)], [['Microsoft Defender Antivirus', true]]],
    ['ClamAV (state unknown) 4 days', [clamav(0, 4)], [['ClamAV', true]]],
    ['a passive Defender still needs current definitions', [mpDefender(0, 'passive', 9)], [['Microsoft Defender Antivirus', true]]],
    ['an off product is not judged stale (av_disabled speaks for it)', [mpDefender(0, 'off', 129)], [['Microsoft Defender Antivirus', false]]],
    ['Security Center reports no age: nothing to say', [cylanceOn(0), scDefenderOff(0)], []],
  ])('%s', (_label, run, expected) => {
    expect(judge('av_definitions_old', run)).toEqual(expected);
  });

  it('max_age_days and the summary', () => {
    const rule = ruleFrom({ id: 'defs', kind: 'antivirus', title: 'x', check: 'definitions_old', max_age_days: 7, impact: 'low' });
    const h = new Harness(rule);
    expect(h.observe([mpDefender(0, 'on', 6.5)])[0]).toMatchObject({
      active: false,
      value: 6.5,
      summary: 'Microsoft Defender Antivirus definitions 6.5 days old',
    });
    expect(h.observe([mpDefender(60, 'on', 7.25)])[0]).toMatchObject({
      active: true,
      summary: 'Microsoft Defender Antivirus definitions 7.25 days old (max 7)',
    });
  });
});

describe('antivirus firewall_app', () => {
  const zoneAlarm = (m: number) => fw(m, 'ZoneAlarm Firewall', { state: 'on', third_party: true, enabled: true });

  it('a third-party firewall point is active; a later Security Center run without it clears it on the tick', () => {
    const h = new Harness(shippedRule('firewall_app'));
    const rows: [string, RuleSample[] | number, string][] = [
      // what -> observed
      ['run with ZoneAlarm', [cylanceOn(0), scDefenderOff(0), zoneAlarm(0)], 'ZoneAlarm Firewall:active'],
      ['tick', 1, '-'],
      ['server-style run: no Security Center, says nothing about firewalls', [mpDefender(60, 'on')], '-'],
      ['tick', 61, '-'],
      ['run without ZoneAlarm', [cylanceOn(120), scDefenderOff(120)], '-'],
      ['tick', 121, 'ZoneAlarm Firewall:cleared'],
      ['tick', 122, '-'],
    ];
    const got = rows.map(([, input]) => {
      const out = typeof input === 'number' ? h.tick(at(input)).map((t) => t.observation) : h.observe(input);
      return out.map((o) => `${o.instance}:${o.active ? 'active' : 'cleared'}`).join(',') || '-';
    });
    expect(got).toEqual(rows.map((r) => r[2]));
  });

  it('reads firewall_products with the antivirus points', () => {
    const rule = shippedRule('firewall_app');
    const h = new Harness(rule);
    expect(h.observe([zoneAlarm(0)])[0]).toMatchObject({
      instance: 'ZoneAlarm Firewall',
      impact: 'low',
      summary: 'third-party firewall registered: ZoneAlarm Firewall (on)',
    });
    expect(h.observe([fw(60, 'Some Microsoft Firewall', { state: 'on', third_party: false, enabled: true })])[0]).toMatchObject({ active: false });
  });
});

describe('antivirus: compile errors', () => {
  it('max_age_days only with definitions_old; check required', () => {
    expect(() => ruleFrom({ id: 'a', kind: 'antivirus', title: 'x', check: 'disabled', max_age_days: 3, impact: 'high' })).toThrow(
      'test.yaml: rules[0].max_age_days: only for check definitions_old',
    );
    expect(() => ruleFrom({ id: 'a', kind: 'antivirus', title: 'x', impact: 'high' })).toThrow('test.yaml: rules[0].check: required');
    expect(() => ruleFrom({ id: 'a', kind: 'antivirus', title: 'x', check: 'off', impact: 'high' })).toThrow(
      'test.yaml: rules[0].check: expected one of disabled, passive_alone, definitions_old, firewall_app; got "off"',
    );
  });
});

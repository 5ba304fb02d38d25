// The ups probe's pure parts on real captured output (test/fixtures/*/ups/, labelled in test/fixtures/README.md):
// `upsc` of three UPSes (on line charging, on battery), `apcaccess status` on line, on battery and from a 2007 Net
// Master, USB HID report descriptors of two UPSes and the HID specification's keyboard, `pmset -g batt` with a UPS,
// Win32_Battery of a UPS on a Hyper-V server and of an HP laptop, and the summary rule.
import { describe, expect, it } from 'vitest';
import { apcupsdReading, parseApcaccess } from '../../../../agent/src/probes/ups/apcupsd.js';
import { applicationCollections, isPowerDevice } from '../../../../agent/src/probes/ups/hid-power.js';
import { nutFailure, nutReading, parseUpsc, parseUpscList, parseUpsmonMonitors } from '../../../../agent/src/probes/ups/nut.js';
import { parsePmsetBatt } from '../../../../agent/src/probes/ups/pmset.js';
import { upsSamples, upsStatus, type UpsReading } from '../../../../agent/src/probes/ups/ups-reading.js';
import { upsReason, windowsUpsFindings, type WindowsBattery } from '../../../../agent/src/probes/ups/windows-battery.js';
import { int } from '../../../../agent/src/sample.js';
import { fixture, formatList } from '../fixtures.js';

/** `od -tx1` / NUT debug hex -> bytes. */
const hex = (file: string) => Uint8Array.from(fixture(`linux/ups/${file}`).trim().split(/\s+/), (b) => parseInt(b, 16));

describe('NUT', () => {
  it.each([
    [
      'upsc-cyberpower-cp850avrlcd-ol-chrg.txt',
      {
        name: 'ups',
        source: 'nut',
        state: 'online',
        attached: true,
        onBattery: false,
        lowBattery: false,
        replaceBattery: false,
        chargePercent: 48,
        runtimeSeconds: 1092,
        loadPercent: 17,
        osStatus: 'OL CHRG',
        model: 'UPS CP850AVRLCD',
      },
    ],
    [
      'upsc-apc-br1000ms-ol-chrg.txt',
      expect.objectContaining({ state: 'online', chargePercent: 96, runtimeSeconds: 2076, loadPercent: 18, model: 'Back-UPS RS 1000MS' }),
    ],
    // no battery.runtime, no device.model: left out
    [
      'upsc-sweex-p220-ob.txt',
      {
        name: 'ups',
        source: 'nut',
        state: 'on_battery',
        attached: true,
        onBattery: true,
        lowBattery: false,
        replaceBattery: false,
        chargePercent: 12,
        loadPercent: 3,
        osStatus: 'OB',
      },
    ],
  ])('%s', (file, expected) => {
    expect(nutReading('ups', parseUpsc(fixture(`linux/ups/${file}`)))).toEqual(expected);
  });

  it('reads the low and replace-battery flags and skips lines that are no variable', () => {
    const values = parseUpsc('Init SSL without certificate database\nups.status: OB LB RB\nbattery.charge: 9\n');
    expect(nutReading('ups@nas', values)).toMatchObject({ state: 'low_battery', onBattery: true, lowBattery: true, replaceBattery: true, chargePercent: 9 });
    expect([...values.keys()]).toEqual(['ups.status', 'battery.charge']);
  });

  it('upsmon.conf MONITOR lines (in the form upsmon.conf(5) documents; written here) and `upsc -l`', () => {
    const conf = [
      '# MONITOR <system> <powervalue> <username> <password> ("primary"|"secondary")',
      'MONITOR myups@bigserver 1 upsmon mypass primary',
      '  MONITOR "su2200@10.0.0.2:3493" 1 upsmon mypass secondary',
      'MINSUPPLIES 1',
      '#MONITOR old@host 1 u p secondary',
    ].join('\n');
    expect(parseUpsmonMonitors(conf)).toEqual(['myups@bigserver', 'su2200@10.0.0.2:3493']);
    expect(parseUpscList('myups\nserverroom-2\n')).toEqual(['myups', 'serverroom-2']);
  });

  it('a UPS upsd reports lost is comm_lost, anything else unknown; neither is attached', () => {
    const failure = 'Command failed: upsc myups@localhost\nInit SSL without certificate database\nError: Data stale\n';
    expect(nutFailure('myups@localhost', failure)).toEqual({
      name: 'myups@localhost',
      source: 'nut',
      state: 'comm_lost',
      attached: false,
      detail: 'upsc: Error: Data stale',
    });
    expect(nutFailure('x', 'Error: Driver not connected')).toMatchObject({ state: 'comm_lost' });
    expect(nutFailure('x', 'Error: Connection failure: Connection refused')).toMatchObject({ state: 'unknown', attached: false });
  });
});

describe('apcupsd', () => {
  it('on line, then on battery after the plug was pulled (the same UPS, minutes apart)', () => {
    const online = apcupsdReading(parseApcaccess(fixture('linux/ups/apcaccess-bk650m2-online.txt')));
    expect(online).toEqual({
      name: 'ups1',
      source: 'apcupsd',
      state: 'online',
      attached: true,
      onBattery: false,
      lowBattery: false,
      replaceBattery: false,
      chargePercent: 100,
      runtimeSeconds: 46.8 * 60,
      loadPercent: 14,
      osStatus: 'ONLINE',
      model: 'Back-UPS BK650M2-CH',
    });
    expect(apcupsdReading(parseApcaccess(fixture('linux/ups/apcaccess-bk650m2-onbatt.txt')))).toMatchObject({
      state: 'on_battery',
      onBattery: true,
      loadPercent: 15,
    });
  });

  it('a Net Master of 2007: ONBATT SLAVEDOWN, STATFLAG with its label', () => {
    const values = parseApcaccess(fixture('linux/ups/apcaccess-2007-net-master-onbatt-slavedown.txt'));
    expect(values.get('STATFLAG')).toBe('0x07060810 Status Flag');
    expect(apcupsdReading(values)).toEqual({
      name: 'TerryLab',
      source: 'apcupsd',
      state: 'on_battery',
      attached: true,
      onBattery: true,
      lowBattery: false,
      replaceBattery: false,
      osStatus: 'ONBATT SLAVEDOWN',
      model: 'DUMB UPS Driver',
    });
  });

  it('SHUTTING DOWN names no state: STATFLAG decides (0x10 on battery, 0x40 battery low)', () => {
    const text = fixture('linux/ups/apcaccess-bk650m2-onbatt.txt')
      .replace('STATUS   : ONBATT', 'STATUS   : SHUTTING DOWN')
      .replace('END APC', 'STATFLAG : 0x05060250\nEND APC');
    expect(apcupsdReading(parseApcaccess(text))).toMatchObject({
      state: 'low_battery',
      onBattery: true,
      lowBattery: true,
      attached: true,
      osStatus: 'SHUTTING DOWN',
    });
  });

  it('COMMLOST: not attached, the stale values left out', () => {
    const text = fixture('linux/ups/apcaccess-bk650m2-online.txt').replace('STATUS   : ONLINE', 'STATUS   : COMMLOST');
    expect(apcupsdReading(parseApcaccess(text))).toEqual({
      name: 'ups1',
      source: 'apcupsd',
      state: 'comm_lost',
      attached: false,
      osStatus: 'COMMLOST',
      model: 'Back-UPS BK650M2-CH',
    });
  });
});

describe('USB HID report descriptors', () => {
  it.each([
    ['hid-report-descriptor-cyberpower-prefix.txt', true, [{ page: 0x84, usage: 0x04 }]],
    ['hid-report-descriptor-mge-ellipse-prefix.txt', true, [{ page: 0x84, usage: 0x04 }]],
    ['hid-report-descriptor-boot-keyboard-spec.txt', false, [{ page: 0x01, usage: 0x06 }]],
  ])('%s: power device %s', (file, power, collections) => {
    expect(applicationCollections(hex(file))).toEqual(collections);
    expect(isPowerDevice(hex(file))).toBe(power);
  });

  it('a nested power collection under a keyboard is no power device; a 4-byte usage carries its page', () => {
    // Usage Page (Generic Desktop), Usage (Keyboard), Collection (Application), Usage Page (Power Device), Usage (UPS), Collection (Application), End, End
    expect(isPowerDevice(Uint8Array.from([0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x05, 0x84, 0x09, 0x04, 0xa1, 0x01, 0xc0, 0xc0]))).toBe(false);
    // Usage (Power Device:UPS) as one extended usage, Collection (Application)
    expect(applicationCollections(Uint8Array.from([0x0b, 0x04, 0x00, 0x84, 0x00, 0xa1, 0x01, 0xc0]))).toEqual([{ page: 0x84, usage: 0x04 }]);
  });
});

describe('pmset -g batt', () => {
  it.each([
    [
      'pmset-g-batt-back-ups-charging.txt',
      [
        {
          name: 'Back-UPS RS1000G FW:868.L5 -P.D USB FW:L5 -P',
          source: 'pmset',
          state: 'online',
          attached: true,
          onBattery: false,
          chargePercent: 85,
          osStatus: 'charging',
          model: 'Back-UPS RS1000G FW:868.L5 -P.D USB FW:L5 -P',
        },
      ],
    ],
    [
      'pmset-g-batt-ups-power-discharging.txt',
      [
        {
          name: 'UPS CP600',
          source: 'pmset',
          state: 'on_battery',
          attached: true,
          onBattery: true,
          chargePercent: 100,
          runtimeSeconds: 37 * 60,
          osStatus: 'discharging',
          model: 'UPS CP600',
        },
      ],
    ],
    // a laptop's own battery is no UPS
    ['pmset-g-batt-laptop-not-charging.txt', []],
  ])('%s', (file, expected) => {
    expect(parsePmsetBatt(fixture(`darwin/ups/${file}`))).toEqual(expected);
  });
});

describe('Windows batteries', () => {
  const ups = formatList(fixture('windows/ups/get-wmiobject-win32-battery-back-ups-es-500.txt'));
  const laptop = formatList(fixture('windows/ups/get-ciminstance-win32-battery-hp-laptop.txt'));
  /** The script's row of a Format-List capture. */
  const row = (c: Record<string, string>): WindowsBattery => ({
    name: c.Name,
    device_id: c.DeviceID,
    chemistry: Number(c.Chemistry),
    battery_status: Number(c.BatteryStatus),
    charge: Number(c.EstimatedChargeRemaining),
    runtime: Number(c.EstimatedRunTime),
    status: c.Status,
  });

  it('which battery is a UPS: any battery off a portable chassis; on a laptop, lead acid or a UPS name', () => {
    expect(upsReason(row(ups), false)).toBe('a battery on a machine that is not portable');
    expect(upsReason(row(ups), true)).toBe('lead-acid chemistry');
    expect(upsReason({ ...row(ups), chemistry: 2 }, true)).toBe('named as a UPS');
    expect(upsReason(row(laptop), true)).toBeUndefined();
  });

  it('the Back-UPS on the Hyper-V server (rack chassis): on line, 84 %, 19 minutes', () => {
    expect(windowsUpsFindings({ batteries: [row(ups)], chassis: [23], software: [] }).readings).toEqual([
      {
        name: 'Back-UPS ES 500 FW:824.B1.D USB FW:B1',
        source: 'win32_battery',
        state: 'online',
        attached: true,
        onBattery: false,
        lowBattery: false,
        chargePercent: 84,
        runtimeSeconds: 19 * 60,
        osStatus: 'BatteryStatus 2, OK',
        model: 'Back-UPS ES 500 FW:824.B1.D USB FW:B1',
      },
    ]);
  });

  it("the HP laptop's discharging battery is no UPS: not seen; PowerChute without a battery: unknown", () => {
    const laptopHost = windowsUpsFindings({ batteries: row(laptop), chassis: 10, software: null });
    expect(upsStatus(laptopHost)).toEqual({
      status: 'not_seen',
      reason: 'no UPS seen: 1 battery of this portable machine, no UPS (Win32_Battery), no UPS software among the services',
    });
    const agentOnly = windowsUpsFindings({ batteries: null, chassis: [17], software: 'PowerChute Network Shutdown' });
    expect(upsStatus(agentOnly)).toEqual({ status: 'unknown', reason: "UPS software installed (PowerChute Network Shutdown); its UPS's state is not read" });
    // 71582788 minutes is "no estimate"
    expect(windowsUpsFindings({ batteries: [{ ...row(ups), runtime: 71582788 }], chassis: [3] }).readings[0]).not.toHaveProperty('runtimeSeconds');
  });
});

describe('the summary rule', () => {
  const online: UpsReading = { name: 'ups', source: 'nut', state: 'online', attached: true, chargePercent: 100 };
  const lost: UpsReading = { name: 'ups@nas', source: 'nut', state: 'comm_lost', attached: false, detail: 'upsc: Error: Data stale' };
  const hid: UpsReading = { name: 'American Power Conversion Back-UPS', source: 'usb_hid', state: 'unknown', attached: true };

  it.each([
    ['a UPS reporting', { readings: [online], hints: [], checked: [] }, 'present', 'ups (nut): online'],
    [
      'a USB UPS no daemon reads: attached, state unknown',
      { readings: [hid], hints: [], checked: [] },
      'present',
      'American Power Conversion Back-UPS (usb_hid): unknown',
    ],
    ['configured, lost', { readings: [lost], hints: [], checked: [] }, 'unknown', 'ups@nas (nut): comm_lost, upsc: Error: Data stale'],
    [
      'software not answering',
      { readings: [], hints: ['apcupsd installed, not answering'], checked: ['NUT not installed'] },
      'unknown',
      'apcupsd installed, not answering',
    ],
    [
      'nothing anywhere',
      { readings: [], hints: [], checked: ['NUT not installed', 'apcupsd not installed'] },
      'not_seen',
      'no UPS seen: NUT not installed, apcupsd not installed',
    ],
  ])('%s', (_what, findings, status, reason) => {
    expect(upsStatus(findings)).toEqual({ status, reason });
  });

  it('one point per UPS and the summary', () => {
    expect(upsSamples({ readings: [online, lost], hints: [], checked: [] })).toEqual([
      { measurement: 'ups', tags: { ups: 'ups', source: 'nut' }, fields: { state: 'online', charge_percent: 100 } },
      { measurement: 'ups', tags: { ups: 'ups@nas', source: 'nut' }, fields: { state: 'comm_lost', detail: 'upsc: Error: Data stale' } },
      { measurement: 'ups', fields: { status: 'present', seen: int(1), reason: 'ups (nut): online' } },
    ]);
  });
});

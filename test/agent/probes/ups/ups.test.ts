// The ups probe on Linux and macOS: a runner that answers `upsc` and `apcaccess` with captured output (or fails as a
// missing or unanswering program does), /sys trees built here in the kernel's layout (a power_supply entry of type
// UPS; a HID device with a captured UPS report descriptor, written as the binary file sysfs serves, and its uevent),
// and, last, the probe on this machine with the real runner.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execRunner, type Runner } from '../../../../agent/src/exec/runner.js';
import { createUpsProbe } from '../../../../agent/src/probes/ups/ups.js';
import type { SampleDraft } from '../../../../agent/src/sample.js';
import { context, fixture } from '../fixtures.js';

type Answer = { stdout: string } | { error: string; code?: string };

/** A runner answering by command line; anything else fails as a program that is not installed. */
function scripted(answers: Record<string, Answer>): { runner: Runner; calls: string[] } {
  const calls: string[] = [];
  const runner: Runner = async (command, args) => {
    const line = [command, ...args].join(' ');
    calls.push(line);
    const answer = answers[line] ?? { error: `spawn ${command} ENOENT`, code: 'ENOENT' };
    if ('stdout' in answer) return { stdout: answer.stdout, stderr: '' };
    throw Object.assign(new Error(`Command failed: ${line}\n${answer.error}`), { code: answer.code ?? 1 });
  };
  return { runner, calls };
}

/** /sys with optional power_supply entries and HID devices; upsmon.conf files beside it. */
function sys(spec: { powerSupply?: Record<string, Record<string, string>>; hid?: Record<string, { descriptorHex: string; name: string }> } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'wp-ups-'));
  mkdirSync(join(root, 'class/power_supply'), { recursive: true });
  for (const [name, files] of Object.entries(spec.powerSupply ?? {})) {
    mkdirSync(join(root, 'class/power_supply', name), { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(root, 'class/power_supply', name, file), `${text}\n`);
  }
  for (const [id, device] of Object.entries(spec.hid ?? {})) {
    const dir = join(root, 'bus/hid/devices', id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'report_descriptor'), Buffer.from(device.descriptorHex.trim().split(/\s+/).join(''), 'hex'));
    writeFileSync(join(dir, 'uevent'), `DRIVER=hid-generic\nHID_ID=0003:0000051D:00000002\nHID_NAME=${device.name}\nHID_PHYS=usb-0000:00:14.0-2/input0\n`);
  }
  return root;
}

function upsmonConf(lines: string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'wp-nut-')), 'upsmon.conf');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const collect = (runner: Runner, sysRoot: string, nutConfigPaths: string[] = []) =>
  createUpsProbe({ platform: 'linux', sysRoot, nutConfigPaths }).collect(context(runner));
const summary = (samples: SampleDraft[]) => samples.find((s) => !s.tags)!.fields;
const NOTHING = 'no UPS seen: NUT not installed, apcupsd not installed, no power supply of type UPS, no USB HID power device';
const CYBERPOWER_HID = fixture('linux/ups/hid-report-descriptor-cyberpower-prefix.txt');

describe('ups on Linux', () => {
  it('neither NUT nor apcupsd installed, no UPS in /sys: not_seen, naming every source checked', async () => {
    const { runner, calls } = scripted({});
    const samples = await collect(runner, sys());
    expect(calls).toEqual(['upsc -l', 'apcaccess status']);
    expect(samples).toEqual([{ measurement: 'ups', fields: { status: 'not_seen', seen: expect.objectContaining({ value: 0 }), reason: NOTHING } }]);
  });

  it('NUT watching a UPS on another host (upsmon.conf MONITOR): its state from `upsc ups@host`', async () => {
    const conf = upsmonConf(['MONITOR serverroom@nas.example 1 upsmon secret secondary']);
    const { runner, calls } = scripted({ 'upsc serverroom@nas.example': { stdout: fixture('linux/ups/upsc-apc-br1000ms-ol-chrg.txt') } });
    const samples = await collect(runner, sys(), [conf, '/nonexistent/upsmon.conf']);
    expect(calls).toEqual(['upsc serverroom@nas.example', 'apcaccess status']);
    expect(samples[0]).toEqual({
      measurement: 'ups',
      tags: { ups: 'serverroom@nas.example', source: 'nut' },
      fields: {
        state: 'online',
        on_battery: false,
        low_battery: false,
        replace_battery: false,
        charge_percent: 96,
        runtime_seconds: expect.objectContaining({ value: 2076 }),
        load_percent: 18,
        os_status: 'OL CHRG',
        model: 'Back-UPS RS 1000MS',
      },
    });
    expect(summary(samples)).toMatchObject({ status: 'present', reason: 'serverroom@nas.example (nut): online' });
  });

  it('NUT serving a local UPS (no MONITOR line): `upsc -l` names it; on battery', async () => {
    const { runner } = scripted({ 'upsc -l': { stdout: 'sweex\n' }, 'upsc sweex': { stdout: fixture('linux/ups/upsc-sweex-p220-ob.txt') } });
    const samples = await collect(runner, sys());
    expect(samples[0]!.fields).toMatchObject({ state: 'on_battery', on_battery: true, charge_percent: 12 });
    expect(summary(samples)).toMatchObject({ status: 'present' });
  });

  it("the driver lost the UPS (Data stale): comm_lost, and the host's status unknown", async () => {
    const conf = upsmonConf(['MONITOR myups@localhost 1 upsmon secret primary']);
    const { runner } = scripted({ 'upsc myups@localhost': { error: 'Init SSL without certificate database\nError: Data stale' } });
    const samples = await collect(runner, sys(), [conf]);
    expect(samples[0]!.fields).toEqual({ state: 'comm_lost', detail: 'upsc: Error: Data stale' });
    expect(summary(samples)).toMatchObject({ status: 'unknown', reason: 'myups@localhost (nut): comm_lost, upsc: Error: Data stale' });
  });

  it('NUT installed, upsd not running and nothing configured: it watches nothing; a MONITOR-less box is not_seen', async () => {
    const { runner } = scripted({ 'upsc -l': { error: 'Error: Connection failure: Connection refused' } });
    expect(summary(await collect(runner, sys(), [upsmonConf(['# nothing configured'])]))).toMatchObject({
      status: 'not_seen',
      reason: expect.stringContaining('NUT monitors no UPS'),
    });
    // Without an upsmon.conf the probe cannot tell a client of another host from an unused install.
    expect(summary(await collect(runner, sys()))).toMatchObject({
      status: 'unknown',
      reason: expect.stringContaining('upsd not answering (upsc -l: Error: Connection failure: Connection refused)'),
    });
  });

  it('apcupsd on battery; apcupsd installed but not answering is unknown', async () => {
    const onbatt = scripted({ 'apcaccess status': { stdout: fixture('linux/ups/apcaccess-bk650m2-onbatt.txt') } });
    const samples = await collect(onbatt.runner, sys());
    expect(samples[0]).toMatchObject({ tags: { ups: 'ups1', source: 'apcupsd' }, fields: { state: 'on_battery', charge_percent: 100, load_percent: 15 } });
    expect(summary(samples)).toMatchObject({ status: 'present' });
    const down = scripted({ 'apcaccess status': { error: 'Error contacting host localhost port 3551: Connection refused' } });
    expect(summary(await collect(down.runner, sys()))).toMatchObject({
      status: 'unknown',
      reason: 'apcupsd installed, not answering (apcaccess: Error contacting host localhost port 3551: Connection refused)',
    });
  });

  it('a USB UPS no daemon reads (its HID report descriptor declares a power device): present, state unknown', async () => {
    const root = sys({
      hid: {
        '0003:0764:0501.0002': { descriptorHex: CYBERPOWER_HID, name: 'CPS CP1500PFCRM2U' },
        '0003:046D:C52B.0001': { descriptorHex: fixture('linux/ups/hid-report-descriptor-boot-keyboard-spec.txt'), name: 'Logitech USB Receiver' },
      },
    });
    const samples = await collect(scripted({}).runner, root);
    expect(samples).toEqual([
      {
        measurement: 'ups',
        tags: { ups: 'CPS CP1500PFCRM2U', source: 'usb_hid' },
        fields: { state: 'unknown', model: 'CPS CP1500PFCRM2U', detail: 'a USB HID power device; no NUT or apcupsd reads its state' },
      },
      { measurement: 'ups', fields: { status: 'present', seen: expect.objectContaining({ value: 1 }), reason: 'CPS CP1500PFCRM2U (usb_hid): unknown' } },
    ]);
  });

  it('the same USB UPS read by apcupsd is reported once, by apcupsd', async () => {
    const root = sys({ hid: { '0003:051D:0002.0001': { descriptorHex: CYBERPOWER_HID, name: 'American Power Conversion Back-UPS BK650M2-CH' } } });
    const { runner } = scripted({ 'apcaccess status': { stdout: fixture('linux/ups/apcaccess-bk650m2-online.txt') } });
    expect((await collect(runner, root)).map((s) => s.tags?.source)).toEqual(['apcupsd', undefined]);
  });

  it('a power_supply of type UPS', async () => {
    const root = sys({
      powerSupply: {
        ups0: { type: 'UPS', status: 'Discharging', capacity: '71', time_to_empty_now: '1260', model_name: 'Eaton 5E' },
        BAT0: { type: 'Battery', status: 'Full', capacity: '100' },
      },
    });
    const samples = await collect(scripted({}).runner, root);
    expect(samples[0]).toEqual({
      measurement: 'ups',
      tags: { ups: 'ups0', source: 'power_supply' },
      fields: {
        state: 'on_battery',
        on_battery: true,
        charge_percent: 71,
        runtime_seconds: expect.objectContaining({ value: 1260 }),
        os_status: 'Discharging',
        model: 'Eaton 5E',
      },
    });
  });

  it('on this machine, with the real runner: a summary, and not_seen naming what is not installed', async () => {
    const installed = (command: string) => {
      try {
        execFileSync('sh', ['-c', `command -v ${command}`]);
        return true;
      } catch {
        return false;
      }
    };
    const samples = await createUpsProbe({ platform: 'linux' }).collect(context(execRunner));
    const fields = summary(samples);
    expect(['present', 'unknown', 'not_seen']).toContain(fields.status);
    if (!installed('upsc')) expect(fields.reason).toContain('NUT not installed');
    if (!installed('apcaccess')) expect(fields.reason).toContain('apcupsd not installed');
  });
});

describe('ups on macOS', () => {
  it('`pmset -g batt` lists the UPS macOS talks to; NUT and apcupsd are asked too', async () => {
    const { runner, calls } = scripted({ 'pmset -g batt': { stdout: fixture('darwin/ups/pmset-g-batt-ups-power-discharging.txt') } });
    const samples = await createUpsProbe({ platform: 'darwin', nutConfigPaths: [] }).collect(context(runner));
    expect(calls).toEqual(['pmset -g batt', 'upsc -l', 'apcaccess status']);
    expect(samples[0]).toMatchObject({ tags: { ups: 'UPS CP600', source: 'pmset' }, fields: { state: 'on_battery', charge_percent: 100 } });
    expect(summary(samples)).toMatchObject({ status: 'present' });
  });

  it("a laptop's own battery only: not_seen", async () => {
    const { runner } = scripted({ 'pmset -g batt': { stdout: fixture('darwin/ups/pmset-g-batt-laptop-not-charging.txt') } });
    const samples = await createUpsProbe({ platform: 'darwin', nutConfigPaths: [] }).collect(context(runner));
    expect(summary(samples)).toMatchObject({
      status: 'not_seen',
      reason: 'no UPS seen: no UPS among the power sources (pmset), NUT not installed, apcupsd not installed',
    });
  });
});

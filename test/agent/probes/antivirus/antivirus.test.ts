import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAntivirusProbe, windowsAvSamples, WINDOWS_AV_SCRIPT, type WindowsAvReport } from '../../../../agent/src/probes/antivirus/antivirus.js';
import { defenderSample } from '../../../../agent/src/probes/antivirus/defender-status.js';
import { recogniseAvProducts } from '../../../../agent/src/probes/antivirus/av-vendors.js';
import { parseMdatpHealth, parseSigtoolInfo, parseSigtoolTime, plistString } from '../../../../agent/src/probes/antivirus/unix-av.js';
import { Int } from '../../../../agent/src/sample.js';
import type { Runner } from '../../../../agent/src/exec/runner.js';
import { context, fixture, formatList } from '../fixtures.js';

const NOW = Date.UTC(2018, 5, 18, 12, 0, 0);
const fields = (samples: { tags?: Record<string, string>; fields: Record<string, unknown> }[], product: string) =>
  samples.find((s) => s.tags?.product === product)?.fields;

describe('Windows client: SecurityCenter2 + Defender', () => {
  const sc = JSON.parse(fixture('windows/securitycenter2-antivirusproduct-cylance-defender.json'));

  it('reports every registered product, decoded (Cylance on, Defender off beside it)', () => {
    const samples = windowsAvSamples({ sc, fw: [], scError: null, mp: null }, NOW);
    expect(samples).toHaveLength(2);
    expect(fields(samples, 'CylancePROTECT')).toMatchObject({ state: 'on', enabled: true, up_to_date: true, source: 'securitycenter' });
    expect(fields(samples, 'Windows Defender')).toMatchObject({ state: 'off', enabled: false, up_to_date: true });
    expect((fields(samples, 'CylancePROTECT')?.reported_at as Int).value).toBe(Date.parse('Mon, 18 Jun 2018 08:42:34 GMT') / 1000);
  });

  it('a single instance (ConvertTo-Json emits an object, not an array) and firewall products', () => {
    const report: WindowsAvReport = { sc: sc[0], fw: { displayName: 'ZoneAlarm Firewall', productState: 266240 }, scError: null };
    const samples = windowsAvSamples(report, NOW);
    expect(samples.map((s) => s.measurement)).toEqual(['antivirus', 'firewall_products']);
    expect(fields(samples, 'ZoneAlarm Firewall')).toEqual({ state: 'on', enabled: true, third_party: true });
  });

  it('an undecodable productState is reported as unknown and counted', () => {
    const samples = windowsAvSamples({ sc: [{ displayName: 'X', productState: 'garbage' }] }, NOW);
    expect(fields(samples, 'X')).toMatchObject({ state: 'unknown', source: 'securitycenter' });
    expect((fields(samples, 'X')?.parse_errors as Int).value).toBe(1);
  });

  it('Defender from the documented Get-MpComputerStatus sample (no AMRunningMode: before 4.18.2001)', () => {
    const mp = formatList(fixture('windows/get-mpcomputerstatus-docs.txt'));
    const s = defenderSample({ ...mp, AntivirusSignatureLastUpdated: undefined }, NOW);
    expect(s.fields).toMatchObject({ state: 'on', enabled: true, realtime: true, up_to_date: true, signature_age_days: 0, source: 'defender' });
  });

  it('Defender on a Server 2019 capture with signatures 129 days old', () => {
    const mp = formatList(fixture('windows/get-mpcomputerstatus-server2019-ec2.txt'));
    // The script sends the last update as unix seconds; the capture's "9/4/2023 7:28:08 AM" is local time (UTC on EC2).
    const updated = Date.UTC(2023, 8, 4, 7, 28, 8) / 1000;
    const s = defenderSample({ ...mp, AntivirusSignatureLastUpdated: updated }, Date.UTC(2024, 0, 11, 7, 28, 8));
    expect(s.fields).toMatchObject({ state: 'on', up_to_date: false, signature_age_days: 129 });
    expect((s.fields.signature_updated as Int).value).toBe(updated);
    expect(s.fields.realtime).toBeUndefined(); // not in that capture
  });

  it.each([
    ['Passive Mode', 'passive'],
    ['SxS Passive Mode', 'passive'],
    ['EDR Block Mode', 'passive'],
    ['Not running', 'off'],
    ['Normal', 'on'],
  ])('AMRunningMode %s -> %s', (mode, state) => {
    const s = defenderSample({ AMRunningMode: mode, AMServiceEnabled: true, AntivirusEnabled: true, RealTimeProtectionEnabled: true }, NOW);
    expect(s.fields.state).toBe(state);
    expect(s.fields.enabled).toBe(state === 'on');
  });

  it('real-time protection off makes Defender off', () => {
    expect(defenderSample({ AMRunningMode: 'Normal', AntivirusEnabled: true, RealTimeProtectionEnabled: false }, NOW).fields.state).toBe('off');
  });
});

describe('Windows Server: no SecurityCenter2', () => {
  it('Defender plus products recognised from installed software, status unknown', () => {
    const report: WindowsAvReport = {
      scError: 'Invalid namespace ',
      mp: { AMRunningMode: 'Passive Mode', AMServiceEnabled: true, AntivirusEnabled: true, RealTimeProtectionEnabled: false },
      sw: ['Sophos Endpoint Agent', '7-Zip 23.01', 'Microsoft Edge', 'Sophos Endpoint Agent', 'Bitdefender Endpoint Security Tools'],
    };
    const samples = windowsAvSamples(report, NOW);
    expect(samples.map((s) => [s.tags?.product, s.fields.state, s.fields.source])).toEqual([
      ['Microsoft Defender Antivirus', 'passive', 'defender'],
      ['Sophos Endpoint Agent', 'unknown', 'registry'],
      ['Bitdefender Endpoint Security Tools', 'unknown', 'registry'],
    ]);
  });

  it('vendor recognition skips tools that are not protection', () => {
    expect(recogniseAvProducts(['ESET Uninstaller', 'Kaspersky VPN', 'Malwarebytes version 4.6', 'Notepad++', 42])).toEqual(['Malwarebytes version 4.6']);
  });

  it('the probe sends one PowerShell script to the worker and refuses to run without it', async () => {
    const probe = createAntivirusProbe({ platform: 'win32' });
    await expect(probe.collect(context())).rejects.toThrow(/PowerShell worker/);
    const scripts: string[] = [];
    const ctx = { ...context(), powershell: { run: async <T>(script: string) => (scripts.push(script), { scError: 'Invalid namespace', sw: [] } as T) } };
    expect(await probe.collect(ctx)).toEqual([]);
    expect(scripts).toEqual([WINDOWS_AV_SCRIPT]);
    expect(WINDOWS_AV_SCRIPT).toContain('ConvertTo-Json -Depth 4 -Compress');
  });
});

describe('Linux: ClamAV and mdatp', () => {
  it('sigtool --info (real capture): build time with its offset', () => {
    const info = parseSigtoolInfo(fixture('linux/sigtool-info-daily.txt'));
    expect(info).toEqual({ file: '/var/lib/clamav/daily.cvd', buildTime: Date.UTC(2016, 5, 13, 13, 53) / 1000, version: '21723' });
    expect(parseSigtoolTime('03 May 2026 06:24 +0000')).toBe(Date.UTC(2026, 4, 3, 6, 24) / 1000);
    expect(parseSigtoolInfo("LibClamAV Error: cl_cvdhead: Can't open file")).toBeNull();
  });

  it('the probe reads a real database file: sigtool answer, else its mtime; mdatp absent is no product', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clamav-'));
    writeFileSync(join(dir, 'daily.cld'), 'x');
    const mtime = Date.UTC(2026, 0, 1) / 1000;
    utimesSync(join(dir, 'daily.cld'), mtime, mtime);
    const now = Date.UTC(2026, 0, 5);
    const enoent = Object.assign(new Error('spawn mdatp ENOENT'), { code: 'ENOENT' });
    const calls: string[] = [];
    const runner =
      (sigtool: string | null): Runner =>
      async (command, args) => {
        calls.push([command, ...args].join(' '));
        if (command === 'sigtool' && sigtool !== null) return { stdout: sigtool, stderr: '' };
        throw command === 'mdatp' ? enoent : Object.assign(new Error('exit 1'), { code: 1 });
      };
    const probe = createAntivirusProbe({ platform: 'linux', clamavDir: dir });
    const viaMtime = await probe.collect({ ...context(runner(null)), now: () => now });
    expect(viaMtime).toEqual([
      {
        measurement: 'antivirus',
        tags: { product: 'ClamAV' },
        fields: expect.objectContaining({ state: 'unknown', source: 'clamav', signature_age_days: 4, up_to_date: false }),
      },
    ]);
    const viaSigtool = await probe.collect({ ...context(runner(fixture('linux/sigtool-info-daily.txt'))), now: () => now });
    expect((viaSigtool[0]!.fields.signature_updated as Int).value).toBe(Date.UTC(2016, 5, 13, 13, 53) / 1000);
    expect(viaSigtool[0]!.fields.signature_version).toBe('21723');
    expect(calls).toContain(`sigtool --info ${dir}/daily.cld`);
    expect(calls).toContain('mdatp health --output json');
  });

  it('no ClamAV database and no mdatp: no samples (this machine has neither)', async () => {
    const probe = createAntivirusProbe({ platform: 'linux', clamavDir: mkdtempSync(join(tmpdir(), 'empty-')) });
    const enoent: Runner = async () => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    };
    expect(await probe.collect(context(enoent))).toEqual([]);
  });

  it('mdatp health JSON, plain and {value} shapes (documented fields; no real capture was found)', () => {
    const now = Date.UTC(2026, 1, 7, 12);
    expect(
      parseMdatpHealth(
        '{"healthy":true,"real_time_protection_enabled":{"value":true,"scope":"local"},"definitions_status":{"value":"up_to_date"},"definitions_updated_minutes_ago":15}',
        now,
      ),
    ).toEqual({
      healthy: true,
      realtime: true,
      definitionsStatus: 'up_to_date',
      definitionsUpdated: now / 1000 - 900,
    });
    expect(() => parseMdatpHealth('ATTENTION: No license found', now)).toThrow(/not JSON: ATTENTION/);
  });
});

describe('macOS: XProtect', () => {
  it('reads CFBundleShortVersionString from an XML plist (Apple plist DTD; no real capture was found)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xprotect-'));
    const plist = join(dir, 'Info.plist');
    writeFileSync(
      plist,
      '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n\t<key>CFBundleShortVersionString</key>\n\t<string>5328</string>\n</dict>\n</plist>\n',
    );
    expect(plistString('<key>A</key><string>b</string>', 'A')).toBe('b');
    const enoent: Runner = async () => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    };
    const samples = await createAntivirusProbe({ platform: 'darwin', xprotectPlist: plist }).collect(context(enoent));
    expect(samples).toEqual([
      { measurement: 'antivirus', tags: { product: 'XProtect' }, fields: expect.objectContaining({ source: 'xprotect', signature_version: '5328' }) },
    ]);
  });
});

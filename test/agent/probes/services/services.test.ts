import { existsSync, mkdtempSync, mkdirSync } from 'node:fs';
import { execRunner } from '../../../../agent/src/exec/runner.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServicesProbe, selectWindows, SYSTEMCTL_ARGS, WINDOWS_SERVICES_SCRIPT } from '../../../../agent/src/probes/services/services.js';
import { parseSystemctlFailed, parseWindowsServices } from '../../../../agent/src/probes/services/stopped-services.js';
import type { PowerShell } from '../../../../agent/src/probes/probe.js';
import { Int } from '../../../../agent/src/sample.js';
import { context, fixture, replayRunner } from '../fixtures.js';

// Rows in the shape WINDOWS_SERVICES_SCRIPT emits. Service names, display names, states and exit codes are the ones
// Windows 10/11 ships (sppsvc and gupdate are delayed + trigger start there); NOT a capture from a Windows machine.
const WINDOWS_ROWS = [
  { name: 'sppsvc', display_name: 'Software Protection', state: 'Stopped', exit_code: 0, delayed: true, trigger: true },
  { name: 'gupdate', display_name: 'Google Update Service (gupdate)', state: 'Stopped', exit_code: 0, delayed: true, trigger: true },
  { name: 'RemoteRegistry', display_name: 'Remote Registry', state: 'Stopped', exit_code: 1077, delayed: false, trigger: false },
  { name: 'Spooler', display_name: 'Print Spooler', state: 'Stopped', exit_code: 1067, delayed: false, trigger: false },
  { name: 'MapsBroker', display_name: 'Downloaded Maps Manager', state: 'Stopped', exit_code: 0, delayed: true, trigger: false },
];

const worker = (value: unknown, scripts: string[] = []): PowerShell => ({
  run: async <T>(script: string) => {
    scripts.push(script);
    return value as T;
  },
});

describe('services: Windows', () => {
  it('selects auto-start services that should run: no trigger-start, no known exclusions, delayed ones after the grace', () => {
    const rows = parseWindowsServices(WINDOWS_ROWS);
    expect(selectWindows(rows, 3600).report.map((s) => s.name)).toEqual(['Spooler', 'MapsBroker']);
    expect(selectWindows(rows, 60).report.map((s) => s.name)).toEqual(['Spooler']);
    expect(selectWindows(rows, 3600).triggerSkipped).toBe(2);
  });

  it('reports a summary and one point per service, tagged service_name', async () => {
    const scripts: string[] = [];
    const probe = createServicesProbe({ platform: 'win32', uptime: () => 3600 });
    const samples = await probe.collect({ ...context(), powershell: worker(WINDOWS_ROWS, scripts) });
    expect(scripts).toEqual([WINDOWS_SERVICES_SCRIPT]);
    expect(samples[0]).toEqual({ measurement: 'services', fields: { auto_not_running: new Int(2), trigger_start_skipped: new Int(2) } });
    expect(samples[1]).toEqual({
      measurement: 'services',
      tags: { service_name: 'Spooler' },
      fields: { display_name: 'Print Spooler', state: 'Stopped', exit_code: new Int(1067), delayed: false },
    });
  });

  it('a single service (ConvertTo-Json of one hashtable) and none at all', () => {
    expect(parseWindowsServices(WINDOWS_ROWS[3]).map((s) => s.name)).toEqual(['Spooler']);
    expect(parseWindowsServices([])).toEqual([]);
  });

  it.each([['"text"'], [42], [[{ display_name: 'x' }]]])('rejects %j with an excerpt', (value) => {
    expect(() => parseWindowsServices(value)).toThrow(/^services: /);
  });

  it('the script is one JSON document even for one or zero rows', () => {
    expect(WINDOWS_SERVICES_SCRIPT).toContain("-Filter \"StartMode='Auto' AND State<>'Running'\"");
    expect(WINDOWS_SERVICES_SCRIPT.trim().endsWith('ConvertTo-Json -InputObject $rows -Depth 3 -Compress')).toBe(true);
  });
});

describe('services: Linux', () => {
  // Documented shape of `systemctl list-units --output=json` (systemd >= 250); not a capture: systemd is not PID 1 here.
  it.each([
    ['json', '[{"unit":"nginx.service","load":"loaded","active":"failed","sub":"failed","description":"A high performance web server"}]\n'],
    ['plain table (systemd < 250)', 'nginx.service loaded failed failed A high performance web server\n'],
    ['plain table with the bullet', '● nginx.service loaded failed failed A high performance web server\n'],
  ])('parses %s', (_name, output) => {
    expect(parseSystemctlFailed(output)).toEqual([{ name: 'nginx.service', displayName: 'A high performance web server', state: 'failed', sub: 'failed' }]);
  });

  // Real captures (Fedora CoreOS, coreos/console-login-helper-messages PR #83): `systemctl list-units --state=failed
  // --no-legend` before and after systemd started printing the bullet; see test/fixtures/README.md.
  it.each([['linux/services/systemctl-failed-no-legend-fcos-old.txt'], ['linux/services/systemctl-failed-no-legend-fcos-bullet.txt']])(
    'parses the real capture %s',
    (file) => {
      expect(parseSystemctlFailed(fixture(file))).toEqual([{ name: 'fail-test-unit.service', displayName: 'Failing unit', state: 'failed', sub: 'failed' }]);
    },
  );

  it('no failed units', () => {
    expect(parseSystemctlFailed('[]\n')).toEqual([]);
    expect(parseSystemctlFailed('')).toEqual([]);
  });

  it('runs systemctl once when systemd is init, and reports the failed units', async () => {
    const runtime = mkdtempSync(join(tmpdir(), 'wp-systemd-'));
    mkdirSync(join(runtime, 'system'));
    const { runner, calls } = replayRunner('[{"unit":"nginx.service","load":"loaded","active":"failed","sub":"failed","description":"nginx"}]');
    const samples = await createServicesProbe({ platform: 'linux', systemdRuntimeDir: join(runtime, 'system') }).collect(context(runner));
    expect(calls).toEqual([{ command: 'systemctl', args: SYSTEMCTL_ARGS }]);
    expect(samples).toEqual([
      { measurement: 'services', fields: { failed_units: new Int(1) } },
      { measurement: 'services', tags: { service_name: 'nginx.service' }, fields: { display_name: 'nginx', state: 'failed', sub: 'failed' } },
    ]);
  });

  it('live on this machine through the real runner: a summary where systemd is init, nothing where it is not', async () => {
    const samples = await createServicesProbe({ platform: 'linux' }).collect(context(execRunner));
    if (existsSync('/run/systemd/system')) expect(samples[0]?.fields.failed_units).toBeInstanceOf(Int);
    else expect(samples).toEqual([]); // the development machine: systemd installed but not PID 1
  });

  it('macOS: not implemented, returns nothing', async () => {
    expect(await createServicesProbe({ platform: 'darwin' }).collect(context())).toEqual([]);
  });
});

// probes/services/: this probe and its parser of stopped services (stopped-services.ts: Windows auto-start
// services, failed systemd units).
//
// services: what should be running and is not. Windows: services set to start automatically that are not running
// (Win32_Service through the PowerShell worker). Linux: failed systemd units. macOS: not implemented (launchd has
// no "should be running" state comparable to an auto-start service), so the probe returns nothing there.
// Measurement `services`: one summary point (no service_name tag) and one point per stopped service, tagged
// `service_name` like Telegraf's win_services (bounded per host: a few hundred services at most).
//
// Which Windows auto-start services are NOT reported, and why:
//   1. trigger-start services (a TriggerInfo key: services.msc shows "Automatic (Trigger Start)", e.g. sppsvc,
//      gupdate, edgeupdate): Windows starts them on an event and they stop themselves when idle, so "stopped" is
//      their normal state; they are counted in `trigger_start_skipped`;
//   2. delayed auto-start services during the first DELAYED_GRACE_S after boot: the SCM starts them about two
//      minutes after the other auto-start services;
//   3. the few auto-start services that stop by design on older Windows, the default exclusions of Zabbix's
//      "Windows services" template (RemoteRegistry, MMCSS, gupdate, SysmonLog, clr_optimization_*).
import os from 'node:os';
import { access } from 'node:fs/promises';
import { int, type SampleDraft } from '../../sample.js';
import type { Probe, ProbeContext } from '../probe.js';
import { parseSystemctlFailed, parseWindowsServices, type StoppedService } from './stopped-services.js';

const DEFAULT_SCHEDULE = '0 17 * * * *'; // hourly, off the full hour
const SCRIPT_TIMEOUT_MS = 60_000;
const COMMAND_TIMEOUT_MS = 20_000;
const DELAYED_GRACE_S = 15 * 60;
const EXCLUDED = /^(?:RemoteRegistry|MMCSS|gupdate|SysmonLog|clr_optimization_v\d.*)$/i;
/** sd_booted(3): the system runs systemd as init iff this directory exists. */
const SYSTEMD_RUNTIME_DIR = '/run/systemd/system';

/** Windows PowerShell 5.1. DelayedAutoStart is a Win32_Service property since Windows 10 / Server 2016 (absent,
 *  hence false, before). Test-Path on the registry is what `sc qtriggerinfo` reads.
 *  -ErrorAction Stop: a failing WMI query (a broken repository, a quota) must fail the run, not read as "no service
 *  stopped". ExitCode goes out as the uint32 it is (or null): a service may report 4294967295 (a .NET service's
 *  ExitCode -1), which an [int] cast refuses, losing every row. */
export const WINDOWS_SERVICES_SCRIPT = [
  "$rows = @(Get-CimInstance -ClassName Win32_Service -Filter \"StartMode='Auto' AND State<>'Running'\" -ErrorAction Stop | ForEach-Object {",
  '  @{ name = $_.Name; display_name = $_.DisplayName; state = $_.State; exit_code = $_.ExitCode;',
  '     delayed = [bool]$_.DelayedAutoStart; trigger = (Test-Path -LiteralPath "HKLM:\\SYSTEM\\CurrentControlSet\\Services\\$($_.Name)\\TriggerInfo") }',
  '})',
  'ConvertTo-Json -InputObject $rows -Depth 3 -Compress',
].join('\n');

export const SYSTEMCTL_ARGS = ['list-units', '--failed', '--plain', '--no-legend', '--no-pager', '--output=json'];

export interface ServicesProbeOptions {
  platform?: NodeJS.Platform;
  /** Seconds since boot (injectable for tests). */
  uptime?: () => number;
  systemdRuntimeDir?: string;
}

/** Windows rule (see the file comment). Pure. */
export function selectWindows(services: StoppedService[], uptimeSeconds: number): { report: StoppedService[]; triggerSkipped: number } {
  const report = services.filter((s) => !s.triggerStart && !EXCLUDED.test(s.name) && !(s.delayed && uptimeSeconds < DELAYED_GRACE_S));
  return { report, triggerSkipped: services.filter((s) => s.triggerStart).length };
}

const serviceSample = (s: StoppedService): SampleDraft => ({
  measurement: 'services',
  tags: { service_name: s.name },
  fields: {
    display_name: s.displayName,
    state: s.state,
    ...(s.exitCode === undefined ? {} : { exit_code: int(s.exitCode) }),
    ...(s.delayed === undefined ? {} : { delayed: s.delayed }),
    ...(s.sub === undefined ? {} : { sub: s.sub }),
  },
});

type Reader = (ctx: ProbeContext) => Promise<SampleDraft[]>;

const readers: Partial<Record<NodeJS.Platform, (o: ServicesProbeOptions) => Reader>> = {
  win32: (o) => async (ctx) => {
    if (!ctx.powershell) throw new Error('services: no PowerShell worker');
    const rows = parseWindowsServices(await ctx.powershell.run(WINDOWS_SERVICES_SCRIPT, { timeoutMs: SCRIPT_TIMEOUT_MS, signal: ctx.signal }));
    const { report, triggerSkipped } = selectWindows(rows, (o.uptime ?? os.uptime)());
    const summary = { auto_not_running: int(report.length), trigger_start_skipped: int(triggerSkipped) };
    return [{ measurement: 'services', fields: summary }, ...report.map(serviceSample)];
  },
  linux: (o) => async (ctx) => {
    const booted = await access(o.systemdRuntimeDir ?? SYSTEMD_RUNTIME_DIR).then(
      () => true,
      () => false,
    );
    if (!booted) return []; // no systemd as init (a container, SysV init): nothing comparable to report
    const { stdout } = await ctx.runner('systemctl', SYSTEMCTL_ARGS, { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal });
    const failed = parseSystemctlFailed(stdout);
    return [{ measurement: 'services', fields: { failed_units: int(failed.length) } }, ...failed.map(serviceSample)];
  },
};

export function createServicesProbe(options: ServicesProbeOptions = {}): Probe {
  const read = readers[options.platform ?? process.platform]?.(options);
  return {
    name: 'services',
    schedule: DEFAULT_SCHEDULE,
    async collect(ctx) {
      return read ? read(ctx) : []; // macOS: not implemented (see above)
    },
  };
}

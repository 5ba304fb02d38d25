// probes/ups/: this probe, the reading model and summary rule (ups-reading.ts) and the sources' parsers: NUT (nut.ts),
// apcupsd (apcupsd.ts), USB HID report descriptors (hid-power.ts), Windows batteries (windows-battery.ts), macOS pmset
// (pmset.ts).
//
// ups: whether a UPS is attached and its state. One `ups` point per UPS (tags ups, source) and one summary point per
// host (no tags) whose `status` (present | unknown | not_seen) says what the sources prove (ups-reading.ts).
//   Linux:   NUT (the UPSes upsmon.conf MONITORs, else `upsc -l`; then `upsc <ups>` each), apcupsd (`apcaccess
//            status`), /sys/class/power_supply entries of type UPS, and USB HID power devices in /sys/bus/hid.
//   Windows: ONE PowerShell request: Win32_Battery, the chassis type, UPS software services.
//   macOS:   `pmset -g batt`, and NUT and apcupsd as on Linux when installed.
import { readdir, readFile } from 'node:fs/promises';
import type { SampleDraft } from '../../sample.js';
import type { Probe, ProbeContext } from '../probe.js';
import { apcupsdReading, parseApcaccess } from './apcupsd.js';
import { isPowerDevice } from './hid-power.js';
import { nutFailure, nutReading, parseUpsc, parseUpscList, parseUpsmonMonitors } from './nut.js';
import { parsePmsetBatt } from './pmset.js';
import { leadingNumber, stateOf, upsSamples, type UpsFindings, type UpsReading } from './ups-reading.js';
import { WINDOWS_UPS_SCRIPT, windowsUpsFindings, type WindowsUpsReport } from './windows-battery.js';

/** Hourly, at minute 29 (a minute no other hourly probe uses): attachment changes rarely. A power cut is on battery
 *  for minutes; the central policy can run the probe more often where outages should be seen as they happen. */
const DEFAULT_SCHEDULE = '0 29 * * * *';
const COMMAND_TIMEOUT_MS = 10_000;
const POWERSHELL_TIMEOUT_MS = 60_000;
const NUT_CONFIG: Partial<Record<NodeJS.Platform, string[]>> = {
  linux: ['/etc/nut/upsmon.conf', '/etc/ups/upsmon.conf'], // Debian/Ubuntu, RHEL/Fedora/SUSE
  darwin: ['/usr/local/etc/nut/upsmon.conf', '/opt/homebrew/etc/nut/upsmon.conf'], // Homebrew on Intel, Apple silicon
};

export interface UpsProbeOptions {
  platform?: NodeJS.Platform;
  sysRoot?: string;
  nutConfigPaths?: string[];
}

type Part = Pick<UpsFindings, 'readings' | 'hints' | 'checked'>;
const part = (p: Partial<Part>): Part => ({ readings: p.readings ?? [], hints: p.hints ?? [], checked: p.checked ?? [] });
const read = (path: string) => readFile(path, 'utf8').catch(() => undefined);
const isMissingCommand = (error: unknown) => (error as { code?: unknown }).code === 'ENOENT';
const lastLine = (error: unknown) =>
  String((error as Error).message ?? error)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .pop() ?? '';

async function nut(ctx: ProbeContext, configPaths: string[]): Promise<Part> {
  const configs = (await Promise.all(configPaths.map(read))).filter((t): t is string => t !== undefined);
  let systems = configs.flatMap(parseUpsmonMonitors);
  if (systems.length === 0) {
    try {
      systems = parseUpscList((await ctx.runner('upsc', ['-l'], { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal })).stdout);
    } catch (error) {
      if (isMissingCommand(error)) return part({ checked: ['NUT not installed'] });
      // No MONITOR line and no local upsd: NUT is installed but set up to watch nothing.
      if (configs.length > 0) return part({ checked: ['NUT monitors no UPS'] });
      return part({ hints: [`NUT installed, upsd not answering (upsc -l: ${lastLine(error)})`] });
    }
    if (systems.length === 0) return part({ checked: ['NUT has no UPS configured'] });
  }
  const readings = await Promise.all(
    systems.map((system) =>
      ctx.runner('upsc', [system], { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal }).then(
        (r) => nutReading(system, parseUpsc(r.stdout)),
        (error) => nutFailure(system, isMissingCommand(error) ? 'upsc is not installed' : String((error as Error).message)),
      ),
    ),
  );
  return part({ readings });
}

async function apcupsd(ctx: ProbeContext): Promise<Part> {
  try {
    const { stdout } = await ctx.runner('apcaccess', ['status'], { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal });
    return part({ readings: [apcupsdReading(parseApcaccess(stdout))] });
  } catch (error) {
    if (isMissingCommand(error)) return part({ checked: ['apcupsd not installed'] });
    return part({ hints: [`apcupsd installed, not answering (apcaccess: ${lastLine(error)})`] });
  }
}

/** /sys/class/power_supply entries of type UPS (POWER_SUPPLY_TYPE_UPS). */
async function powerSupplies(sysRoot: string): Promise<Part> {
  const readings: UpsReading[] = [];
  for (const name of await readdir(`${sysRoot}/class/power_supply`).catch(() => [] as string[])) {
    const dir = `${sysRoot}/class/power_supply/${name}`;
    if ((await read(`${dir}/type`))?.trim() !== 'UPS') continue;
    const [status, capacity, toEmpty, model] = await Promise.all(['status', 'capacity', 'time_to_empty_now', 'model_name'].map((f) => read(`${dir}/${f}`)));
    const onBattery = status?.trim() === 'Discharging';
    const charge = leadingNumber(capacity);
    const runtime = leadingNumber(toEmpty);
    readings.push({
      name,
      source: 'power_supply',
      state: status ? stateOf({ online: !onBattery, onBattery }) : 'unknown',
      attached: true,
      ...(status ? { onBattery, osStatus: status.trim() } : {}),
      ...(charge === undefined ? {} : { chargePercent: charge }),
      ...(runtime === undefined ? {} : { runtimeSeconds: runtime }),
      ...(model?.trim() ? { model: model.trim() } : {}),
    });
  }
  return part({ readings, checked: readings.length === 0 ? ['no power supply of type UPS'] : [] });
}

/** USB HID devices whose report descriptor declares a power device (hid-power.ts). */
async function hidPowerDevices(sysRoot: string): Promise<Part> {
  const readings: UpsReading[] = [];
  for (const id of await readdir(`${sysRoot}/bus/hid/devices`).catch(() => [] as string[])) {
    const descriptor = await readFile(`${sysRoot}/bus/hid/devices/${id}/report_descriptor`).catch(() => undefined);
    if (!descriptor || !isPowerDevice(descriptor)) continue;
    const name = /^HID_NAME=(.+)$/m.exec((await read(`${sysRoot}/bus/hid/devices/${id}/uevent`)) ?? '')?.[1]?.trim() || id;
    readings.push({
      name,
      source: 'usb_hid',
      state: 'unknown',
      attached: true,
      model: name,
      detail: 'a USB HID power device; no NUT or apcupsd reads its state',
    });
  }
  return part({ readings, checked: readings.length === 0 ? ['no USB HID power device'] : [] });
}

function merge(parts: Part[]): UpsFindings {
  return { readings: parts.flatMap((p) => p.readings), hints: parts.flatMap((p) => p.hints), checked: parts.flatMap((p) => p.checked) };
}

/** NUT and apcupsd first; the kernel's HID devices only when they found nothing attached (the same UPS otherwise). */
async function unixFindings(ctx: ProbeContext, o: UpsProbeOptions, platform: NodeJS.Platform): Promise<UpsFindings> {
  const sysRoot = o.sysRoot ?? '/sys';
  const daemons = [await nut(ctx, o.nutConfigPaths ?? NUT_CONFIG[platform] ?? []), await apcupsd(ctx)];
  if (platform !== 'linux') return merge(daemons);
  const kernel = [await powerSupplies(sysRoot)];
  if (!daemons.some((d) => d.readings.some((r) => r.attached))) kernel.push(await hidPowerDevices(sysRoot));
  return merge([...daemons, ...kernel]);
}

type Reader = (ctx: ProbeContext) => Promise<SampleDraft[]>;

const readers: Partial<Record<NodeJS.Platform, (o: UpsProbeOptions) => Reader>> = {
  linux: (o) => async (ctx) => upsSamples(await unixFindings(ctx, o, 'linux')),
  win32: () => async (ctx) => {
    if (!ctx.powershell) throw new Error('ups: the PowerShell worker is not available');
    const report = await ctx.powershell.run<WindowsUpsReport>(WINDOWS_UPS_SCRIPT, { timeoutMs: POWERSHELL_TIMEOUT_MS, signal: ctx.signal });
    return upsSamples(windowsUpsFindings(report));
  },
  darwin: (o) => async (ctx) => {
    const { stdout } = await ctx.runner('pmset', ['-g', 'batt'], { timeoutMs: COMMAND_TIMEOUT_MS, signal: ctx.signal });
    const pmset = parsePmsetBatt(stdout);
    const others = await unixFindings(ctx, o, 'darwin');
    return upsSamples({
      ...others,
      readings: [...pmset, ...others.readings],
      checked: [...(pmset.length === 0 ? ['no UPS among the power sources (pmset)'] : []), ...others.checked],
    });
  },
};

export function createUpsProbe(options: UpsProbeOptions = {}): Probe {
  const read = readers[options.platform ?? process.platform]?.(options);
  return {
    name: 'ups',
    schedule: DEFAULT_SCHEDULE,
    async collect(ctx) {
      return read ? read(ctx) : [];
    },
  };
}

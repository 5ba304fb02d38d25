// probes/antivirus/: this probe and its parsers: Security Center (security-center.ts, av-product-state.ts),
// Defender (defender-status.ts), vendors known from installed software (av-vendors.ts), Linux/macOS (unix-av.ts).
//
// antivirus: which protection products a machine has and whether they are on and current, one `antivirus` point
// per product (tag product) plus `firewall_products` points for third-party firewalls (Windows clients).
//   Windows: ONE PowerShell request: SecurityCenter2 AntiVirusProduct + FirewallProduct (clients only: Windows
//            Server has no SecurityCenter2 and the CIM call fails with "Invalid namespace"), Defender's
//            Get-MpComputerStatus, and on servers the Uninstall keys' names matched against known AV vendors.
//   Linux:   ClamAV database age (`sigtool --info`, else the file's mtime) and `mdatp health` when installed.
//   macOS:   XProtect's bundle version and age (its Info.plist; never system_profiler, which takes seconds), mdatp.
import { readFile, stat } from 'node:fs/promises';
import { int, type FieldValue, type SampleDraft } from '../../sample.js';
import type { Probe, ProbeContext } from '../probe.js';
import { defenderSample, type MpStatus } from './defender-status.js';
import { antivirusProductSamples, asList, firewallProductSamples, type ScProduct } from './security-center.js';
import { recogniseAvProducts } from './av-vendors.js';
import { parseMdatpHealth, parseSigtoolInfo, plistString } from './unix-av.js';

const DEFAULT_SCHEDULE = '0 0 * * * *'; // hourly, on the hour
const POWERSHELL_TIMEOUT_MS = 60_000;
/** freshclam checks several times a day; a daily database older than this means updates are failing. */
export const CLAMAV_MAX_AGE_DAYS = 3;
const CLAMAV_DIR = '/var/lib/clamav';
const XPROTECT_PLIST = '/Library/Apple/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist';

/** PowerShell 5.1. Each part fails on its own; its error text is returned instead of its data. Unix seconds are
 *  computed by hand: DateTimeOffset.ToUnixTimeSeconds needs .NET Framework 4.6, and WMF 5.1 runs on 4.5.2 (Server
 *  2012 R2 as installed). */
export const WINDOWS_AV_SCRIPT = `
$ErrorActionPreference = 'Stop'
$r = [ordered]@{ sc = $null; fw = $null; scError = $null; mp = $null; mpError = $null; sw = $null }
try {
  $r.sc = @(Get-CimInstance -Namespace root/SecurityCenter2 -ClassName AntiVirusProduct | Select-Object displayName, productState, timestamp)
  $r.fw = @(Get-CimInstance -Namespace root/SecurityCenter2 -ClassName FirewallProduct | Select-Object displayName, productState, timestamp)
} catch { $r.scError = [string]$_.Exception.Message }
try {
  $s = Get-MpComputerStatus
  if ($null -eq $s) { throw 'Get-MpComputerStatus returned no status' }
  $updated = $null
  if ($s.AntivirusSignatureLastUpdated) { $updated = [long][Math]::Floor(([DateTimeOffset]$s.AntivirusSignatureLastUpdated).UtcDateTime.Subtract([datetime]'1970-01-01').TotalSeconds) }
  $r.mp = [ordered]@{ AMRunningMode = [string]$s.AMRunningMode; AMServiceEnabled = $s.AMServiceEnabled; AntivirusEnabled = $s.AntivirusEnabled; RealTimeProtectionEnabled = $s.RealTimeProtectionEnabled; AntivirusSignatureAge = $s.AntivirusSignatureAge; DefenderSignaturesOutOfDate = $s.DefenderSignaturesOutOfDate; AntivirusSignatureLastUpdated = $updated }
} catch { $r.mpError = [string]$_.Exception.Message }
if ($r.scError) {
  $keys = 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*', 'HKLM:\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*'
  $r.sw = @(Get-ItemProperty -Path $keys -ErrorAction SilentlyContinue | Where-Object { $_.DisplayName } | ForEach-Object { [string]$_.DisplayName } | Sort-Object -Unique)
}
[pscustomobject]$r | ConvertTo-Json -Depth 4 -Compress
`;

export interface WindowsAvReport {
  sc?: ScProduct | ScProduct[] | null;
  fw?: ScProduct | ScProduct[] | null;
  scError?: string | null;
  mp?: MpStatus | null;
  mpError?: string | null;
  sw?: string | string[] | null;
}

/** Pure: the Windows report -> samples. Exported for the table tests. */
export function windowsAvSamples(report: WindowsAvReport, nowMs: number): SampleDraft[] {
  if (report === null || typeof report !== 'object') throw new Error(`antivirus: unexpected PowerShell output: ${JSON.stringify(report).slice(0, 200)}`);
  const samples: SampleDraft[] = [];
  if (!report.scError) {
    for (const result of [antivirusProductSamples(asList(report.sc)), firewallProductSamples(asList(report.fw))]) {
      if (result.parseErrors > 0) result.samples.forEach((s) => s.fields.state === 'unknown' && (s.fields.parse_errors = int(1)));
      samples.push(...result.samples);
    }
  }
  if (report.mp) samples.push(defenderSample(report.mp, nowMs));
  // Windows Server (no SecurityCenter2): products found among installed programs, state unknown.
  if (report.scError) {
    for (const product of recogniseAvProducts(asList(report.sw))) {
      samples.push({ measurement: 'antivirus', tags: { product }, fields: { state: 'unknown', source: 'registry' } });
    }
  }
  return samples;
}

function ageFields(updatedSec: number, nowMs: number, maxAgeDays?: number): Record<string, FieldValue> {
  const age = Math.max(0, (nowMs / 1000 - updatedSec) / 86400);
  return {
    signature_updated: int(updatedSec),
    signature_age_days: Math.round(age * 1000) / 1000,
    ...(maxAgeDays !== undefined ? { up_to_date: age <= maxAgeDays } : {}),
  };
}

const exists = (path: string) =>
  stat(path).then(
    (s) => s,
    () => undefined,
  );
const isMissingCommand = (error: unknown) => (error as { code?: unknown }).code === 'ENOENT';

export interface AntivirusProbeOptions {
  platform?: NodeJS.Platform;
  clamavDir?: string;
  xprotectPlist?: string;
}

async function clamav(ctx: ProbeContext, dir: string): Promise<SampleDraft[]> {
  for (const name of ['daily.cld', 'daily.cvd', 'main.cld', 'main.cvd']) {
    const path = `${dir}/${name}`;
    const st = await exists(path);
    if (!st) continue;
    const info = await ctx.runner('sigtool', ['--info', path], { signal: ctx.signal }).then(
      (r) => parseSigtoolInfo(r.stdout),
      () => null,
    );
    const updated = info?.buildTime ?? Math.round(st.mtimeMs / 1000);
    const fields: Record<string, FieldValue> = { state: 'unknown', source: 'clamav', ...ageFields(updated, ctx.now(), CLAMAV_MAX_AGE_DAYS) };
    if (info?.version) fields.signature_version = info.version;
    return [{ measurement: 'antivirus', tags: { product: 'ClamAV' }, fields }];
  }
  return [];
}

async function mdatp(ctx: ProbeContext): Promise<SampleDraft[]> {
  let stdout: string;
  try {
    ({ stdout } = await ctx.runner('mdatp', ['health', '--output', 'json'], { signal: ctx.signal }));
  } catch (error) {
    if (isMissingCommand(error)) return []; // not installed
    throw error;
  }
  const h = parseMdatpHealth(stdout, ctx.now());
  const state = h.passive ? 'passive' : h.realtime === true ? 'on' : h.realtime === false ? 'off' : 'unknown';
  const fields: Record<string, FieldValue> = { state, enabled: state === 'on', source: 'mdatp' };
  if (h.realtime !== undefined) fields.realtime = h.realtime;
  if (h.definitionsUpdated !== undefined) Object.assign(fields, ageFields(h.definitionsUpdated, ctx.now()));
  if (h.definitionsStatus !== undefined) fields.up_to_date = h.definitionsStatus === 'up_to_date';
  if (h.definitionsVersion) fields.signature_version = h.definitionsVersion;
  if (h.healthy !== undefined) fields.healthy = h.healthy;
  return [{ measurement: 'antivirus', tags: { product: 'Microsoft Defender for Endpoint' }, fields }];
}

async function xprotect(ctx: ProbeContext, path: string): Promise<SampleDraft[]> {
  const st = await exists(path);
  if (!st) return [];
  const raw = await readFile(path);
  // Apple ships most bundle plists as XML; a binary one is read through plutil.
  const version =
    raw.subarray(0, 6).toString('latin1') === 'bplist'
      ? (await ctx.runner('plutil', ['-extract', 'CFBundleShortVersionString', 'raw', '-o', '-', path], { signal: ctx.signal })).stdout.trim()
      : plistString(raw.toString('utf8'), 'CFBundleShortVersionString');
  if (!version) throw new Error(`antivirus: no CFBundleShortVersionString in ${path}: ${raw.toString('utf8').slice(0, 200)}`);
  const fields: Record<string, FieldValue> = {
    state: 'unknown',
    source: 'xprotect',
    signature_version: version,
    ...ageFields(Math.round(st.mtimeMs / 1000), ctx.now()),
  };
  return [{ measurement: 'antivirus', tags: { product: 'XProtect' }, fields }];
}

type Collector = (ctx: ProbeContext) => Promise<SampleDraft[]>;

const collectors: Partial<Record<NodeJS.Platform, (o: AntivirusProbeOptions) => Collector>> = {
  win32: () => async (ctx) => {
    if (!ctx.powershell) throw new Error('antivirus: the PowerShell worker is not available');
    const report = await ctx.powershell.run<WindowsAvReport>(WINDOWS_AV_SCRIPT, { timeoutMs: POWERSHELL_TIMEOUT_MS, signal: ctx.signal });
    return windowsAvSamples(report, ctx.now());
  },
  linux: (o) => async (ctx) => [...(await clamav(ctx, o.clamavDir ?? CLAMAV_DIR)), ...(await mdatp(ctx))],
  darwin: (o) => async (ctx) => [...(await xprotect(ctx, o.xprotectPlist ?? XPROTECT_PLIST)), ...(await mdatp(ctx))],
};

export function createAntivirusProbe(options: AntivirusProbeOptions = {}): Probe {
  const collect = collectors[options.platform ?? process.platform]?.(options) ?? (async () => []);
  return { name: 'antivirus', schedule: DEFAULT_SCHEDULE, collect };
}

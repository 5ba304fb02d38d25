// probes/activation/: this probe and its mapping of SoftwareLicensingProduct to samples (license-status.ts).
//
// activation: whether Windows is activated, one `activation` point per Windows license with a product key (the
// edition's, and add-ons such as Extended Security Updates), Windows only.
//   Windows: ONE PowerShell request: SoftwareLicensingProduct WHERE ApplicationID = Windows' and a partial product
//            key is installed, selecting only the properties used (the class computes some properties, such as
//            OfflineInstallationId, at some cost when they are asked for: slmgr selects the same way).
//   Linux, macOS: nothing (no activation).
import type { SampleDraft } from '../../sample.js';
import type { Probe, ProbeContext } from '../probe.js';
import { activationSample, noKeySample, type LicensedProduct } from './license-status.js';

const DEFAULT_SCHEDULE = '0 0 */12 * * *'; // twice a day: activation changes with a key, a KMS renewal or a grace end
/** The Software Protection service answers this query in seconds on a busy machine, and starts on demand first. */
const POWERSHELL_TIMEOUT_MS = 120_000;
const PROBE_TIMEOUT_MS = POWERSHELL_TIMEOUT_MS + 30_000;
/** Windows' application id in the Software Licensing classes (Office's is another). */
export const WINDOWS_APPLICATION_ID = '55c92734-d682-4d71-983e-d6ec3f16059f';

/** PowerShell 5.1. LicenseStatusReason is a uint32 HRESULT, written as its number. */
export const WINDOWS_ACTIVATION_SCRIPT = `
$ErrorActionPreference = 'Stop'
$query = "SELECT Name, Description, LicenseStatus, LicenseStatusReason, GracePeriodRemaining, LicenseIsAddon, PartialProductKey FROM SoftwareLicensingProduct WHERE ApplicationID = '${WINDOWS_APPLICATION_ID}' AND PartialProductKey <> NULL"
$products = @(Get-CimInstance -Query $query | ForEach-Object { [ordered]@{ name = [string]$_.Name; description = [string]$_.Description; status = $_.LicenseStatus; reason = $_.LicenseStatusReason; grace = $_.GracePeriodRemaining; addon = $_.LicenseIsAddon } })
[pscustomobject]@{ products = $products } | ConvertTo-Json -Depth 3 -Compress
`;

export interface WindowsActivationReport {
  products?: LicensedProduct | LicensedProduct[] | null;
}

/** Pure: the report -> samples; no product with a key is one `none` sample, never silence. */
export function activationSamples(report: WindowsActivationReport): SampleDraft[] {
  if (report === null || typeof report !== 'object') throw new Error(`activation: unexpected PowerShell output: ${JSON.stringify(report).slice(0, 200)}`);
  const products = report.products === null || report.products === undefined ? [] : Array.isArray(report.products) ? report.products : [report.products];
  return products.length === 0 ? [noKeySample()] : products.map(activationSample);
}

async function windows(ctx: ProbeContext): Promise<SampleDraft[]> {
  if (!ctx.powershell) throw new Error('activation: the PowerShell worker is not available');
  return activationSamples(
    await ctx.powershell.run<WindowsActivationReport>(WINDOWS_ACTIVATION_SCRIPT, { timeoutMs: POWERSHELL_TIMEOUT_MS, signal: ctx.signal }),
  );
}

export interface ActivationProbeOptions {
  platform?: NodeJS.Platform;
}

export function createActivationProbe(options: ActivationProbeOptions = {}): Probe {
  const onWindows = (options.platform ?? process.platform) === 'win32';
  return { name: 'activation', schedule: DEFAULT_SCHEDULE, timeoutMs: PROBE_TIMEOUT_MS, collect: onWindows ? windows : async () => [] };
}

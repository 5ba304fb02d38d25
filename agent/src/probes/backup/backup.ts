// probes/backup/: this probe and its parts: the Windows script and its reply (windows-backup.ts), the products known
// by presence (backup-products.ts), the Time Machine parsers (time-machine.ts).
//
// backup: which backup products or mechanisms a machine has and when each last succeeded. Measurement `backup`: one
// point per product (tag product) and one summary point without tags, written on every platform, so that "no
// backup product detected" (products 0, detectable true) differs from "this probe did not run" (no point) and from
// "nothing here can be detected" (detectable false).
//   Windows: ONE PowerShell request (windows-backup.ts): Windows Server Backup, Veeam Agent and Veeam Backup &
//            Replication from their own event logs, File History's logs, and presence-only products from the
//            installed programs and their services.
//   macOS:   Time Machine from `tmutil destinationinfo` and `tmutil latestbackup`.
//   Linux:   nothing is read (restic, borg and their like keep no local record of a run that can be read without the
//            repository's password); the summary says detectable false.
// Decision: hourly, at minute 23. Backups run daily or less often and the policies are 26 h and 7 days, so an hour of
// delay costs nothing; a run reads at most two events per log (newest first) and never the Application log, and the
// minute keeps it off the antivirus (:00) and services (:17) runs.
import { excerpt } from '../common/event-record.js';
import { int, type FieldValue, type SampleDraft } from '../../sample.js';
import type { Probe, ProbeContext } from '../probe.js';
import { windowsFindings, WINDOWS_BACKUP_SCRIPT, type BackupFinding, type WindowsBackupReply } from './windows-backup.js';
import { parseDestinationInfo, parseLatestBackup } from './time-machine.js';

const DEFAULT_SCHEDULE = '0 23 * * * *';
const SCRIPT_TIMEOUT_MS = 60_000;
const TMUTIL_TIMEOUT_MS = 30_000;
/** Above the script's own timeout (and two tmutil calls), so that the worker's timeout, which recycles it, fires first. */
const PROBE_TIMEOUT_MS = 90_000;

const seconds = (ms: number) => int(Math.floor(ms / 1000));

export function findingSample(f: BackupFinding): SampleDraft {
  const fields: Record<string, FieldValue> = { detected_by: f.detectedBy, last_result: f.lastResult };
  if (f.lastSuccess !== undefined) fields.last_success = seconds(f.lastSuccess);
  if (f.lastAttempt !== undefined) fields.last_attempt = seconds(f.lastAttempt);
  if (f.message) fields.message = f.message;
  if (f.serviceState) {
    fields.service_state = f.serviceState;
    fields.running = f.serviceState === 'running';
  }
  if (f.version) fields.version = f.version;
  if (f.displayName) fields.display_name = f.displayName;
  if (f.destinations !== undefined) fields.destinations = int(f.destinations);
  return { measurement: 'backup', tags: { product: f.product }, fields };
}

/** The summary point: how many products, whether this platform can show any, what could not be read. */
export function summarySample(findings: readonly BackupFinding[], detectable: boolean, errors: readonly string[]): SampleDraft {
  const fields: Record<string, FieldValue> = { products: int(findings.length), detectable, read_errors: int(errors.length) };
  const successes = findings.flatMap((f) => (f.lastSuccess === undefined ? [] : [f.lastSuccess]));
  if (successes.length > 0) fields.last_success = seconds(Math.max(...successes));
  if (errors[0]) fields.message = errors[0];
  return { measurement: 'backup', fields };
}

const samples = (findings: BackupFinding[], detectable: boolean, errors: string[]): SampleDraft[] => [
  summarySample(findings, detectable, errors),
  ...findings.map(findingSample),
];

type Tmutil = { output: string; failed: boolean } | 'missing';

/** One tmutil verb: its stdout and stderr together; a non-zero exit keeps Node's message (it carries stderr). */
async function tmutil(ctx: ProbeContext, verb: string): Promise<Tmutil> {
  try {
    const r = await ctx.runner('tmutil', [verb], { timeoutMs: TMUTIL_TIMEOUT_MS, signal: ctx.signal });
    return { output: `${r.stdout}\n${r.stderr}`, failed: false };
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return 'missing';
    if (ctx.signal.aborted) throw error;
    return { output: error instanceof Error ? error.message : String(error), failed: true };
  }
}

/** macOS: a Time Machine point when a destination is configured (or, with destinationinfo failing, a backup is listed). */
export async function timeMachine(ctx: ProbeContext): Promise<SampleDraft[]> {
  const info = await tmutil(ctx, 'destinationinfo');
  if (info === 'missing') return samples([], false, []);
  const destinations = info.failed ? null : parseDestinationInfo(info.output);
  const errors = destinations === null ? [`tmutil destinationinfo: ${excerpt(info.output)}`] : [];
  if (destinations !== null && destinations.length === 0) return samples([], true, errors);
  const latest = await tmutil(ctx, 'latestbackup');
  const backup = latest === 'missing' ? { problem: 'unrecognised' as const, message: 'tmutil not found' } : parseLatestBackup(latest.output);
  if (destinations === null && !('time' in backup)) return samples([], true, errors);
  const finding: BackupFinding = { product: 'Time Machine', detectedBy: 'tmutil', lastResult: 'unknown' };
  if (destinations !== null) finding.destinations = destinations.length;
  if ('time' in backup) {
    finding.lastResult = 'success';
    finding.lastSuccess = backup.time;
  } else finding.message = `tmutil latestbackup (${backup.problem}): ${backup.message}`;
  return samples([finding], true, errors);
}

type Collector = (ctx: ProbeContext) => Promise<SampleDraft[]>;

const collectors: Partial<Record<NodeJS.Platform, Collector>> = {
  win32: async (ctx) => {
    if (!ctx.powershell) throw new Error('backup: the PowerShell worker is not available');
    const reply = await ctx.powershell.run<WindowsBackupReply>(WINDOWS_BACKUP_SCRIPT, { timeoutMs: SCRIPT_TIMEOUT_MS, signal: ctx.signal });
    const { findings, errors } = windowsFindings(reply);
    return samples(findings, true, errors);
  },
  darwin: timeMachine,
};

export interface BackupProbeOptions {
  platform?: NodeJS.Platform;
}

export function createBackupProbe(options: BackupProbeOptions = {}): Probe {
  const collect = collectors[options.platform ?? process.platform] ?? (async () => samples([], false, []));
  return { name: 'backup', schedule: DEFAULT_SCHEDULE, timeoutMs: PROBE_TIMEOUT_MS, collect };
}

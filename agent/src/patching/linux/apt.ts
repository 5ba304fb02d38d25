// Debian/Ubuntu: one `apt-get install --only-upgrade` per approved package. The outcome is read from dpkg's own
// database before and after (`dpkg-query -W`) together with apt-get's exit code, not from apt's translated messages:
// apt-get exits 100 for a failure anywhere in its run (a package left half-configured by an earlier failure is
// retried, and fails again, in every later run), so a non-zero exit alone does not say this package failed.
import { readFile } from 'node:fs/promises';
import type { Runner } from '../../exec/runner.js';
import type { Installer, InstallContext } from '../installer.js';
import type { PatchItem } from '../plan.js';
import { excerpt, installOneByOne, type ItemOutcomeReport } from '../results.js';
import { linuxReboot, rebootPending } from './reboot.js';
import { errorLines, runTool, timeLeftMs, type ToolRun } from './tool.js';

/** 1. no debconf question can block an unattended run; 2. apt-listchanges neither pages nor mails. */
const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive', APT_LISTCHANGES_FRONTEND: 'none' };
/** apt-get's own failures exit 100; anything else rejects (the runner's error carries the code). */
const APT_ANSWERS = [1, 100];
/** The longest wait for dpkg's lock one install asks apt for, in seconds (the window's end bounds it first). */
export const MAX_LOCK_WAIT_SECONDS = 3600;
const DPKG_QUERY_TIMEOUT_MS = 30_000;
const STATE_FORMAT = '${Version}\\t${db:Status-Abbrev}\\n';
/** Written by Debian's and Ubuntu's reboot hooks (update-notifier-common, the kernel's postinst.d): the flag and
 *  the packages that asked for it. */
const REBOOT_FLAG = '/run/reboot-required';
const REBOOT_PKGS = '/run/reboot-required.pkgs';

/**
 * `apt-get install --only-upgrade` of one package: upgrades it when it is installed, never installs a new one.
 * The conffile options keep an administrator's changed configuration files (--force-confold) and take the
 * package's new default only for files nobody changed (--force-confdef), never asking. DPkg::Lock::Timeout makes
 * apt wait for a lock held by unattended-upgrades or an administrator instead of failing at once; rounded up, so
 * apt is still waiting when the window ends and the run stops it there (rather than giving up a moment before and
 * letting the next item start on a lock that is still held).
 */
export function aptInstallArgs(pkg: string, lockWaitSeconds: number): string[] {
  const wait = Math.max(0, Math.min(Math.ceil(lockWaitSeconds), MAX_LOCK_WAIT_SECONDS));
  return [
    'install',
    '--only-upgrade',
    '-y',
    '-q',
    '-o',
    'Dpkg::Options::=--force-confdef',
    '-o',
    'Dpkg::Options::=--force-confold',
    '-o',
    `DPkg::Lock::Timeout=${wait}`,
    pkg,
  ];
}

/** A package as dpkg records it: its version(s) and whether every instance is installed and configured (`ii `). */
export interface DpkgState {
  version: string;
  installed: boolean;
  ok: boolean;
}

/**
 * `dpkg-query -W -f '${Version}\t${db:Status-Abbrev}\n' <pkg>`: one line per architecture instance; undefined
 * when dpkg does not know the package. Status-Abbrev is want, state, error flag: `ii ` installed and configured,
 * `iF ` half-configured (a failed postinst), `iU ` unpacked, `rc ` only configuration files left, `un ` not installed.
 */
export function parseDpkgState(stdout: string): DpkgState | undefined {
  const rows = stdout
    .split('\n')
    .filter((l) => l.includes('\t'))
    .map((l) => {
      const [version = '', status = ''] = l.split('\t');
      return { version, state: status.charAt(1), error: status.charAt(2).trim() };
    });
  if (rows.length === 0) return undefined;
  return {
    version: rows.map((r) => r.version).join(','),
    installed: rows.some((r) => r.state !== 'n' && r.state !== 'c' && r.state !== ''),
    ok: rows.every((r) => r.state === 'i' && r.error === ''),
  };
}

/**
 * One item's outcome from dpkg's state before and after and apt-get's run:
 * 1. the version changed and dpkg has it configured: installed (a non-zero exit then came from another package);
 * 2. the version changed but dpkg has it unpacked or half-configured: failed (its maintainer script failed);
 * 3. the version did not change and apt-get exited 0: not_applicable (already the newest version);
 * 4. otherwise: failed with apt-get's exit code and its error lines.
 */
export function classifyApt(before: DpkgState, after: DpkgState | undefined, run: ToolRun): Omit<ItemOutcomeReport, 'rebootRequired'> {
  const changed = after !== undefined && after.version !== before.version;
  const detail = excerpt(errorLines(`${run.stderr}\n${run.stdout}`, /^(?:E: |dpkg: |Errors were|\s*\S.* returned (?:an )?error)/, /^(?:debconf: |W: )/));
  if (changed && after.ok) return { outcome: 'installed', ...(run.exitCode === 0 ? {} : { code: run.exitCode, detail }) };
  if (!changed && run.exitCode === 0) return { outcome: 'not_applicable', detail: `already the newest version (${before.version})` };
  return { outcome: 'failed', code: run.exitCode, detail: detail || `apt-get exited ${run.exitCode}` };
}

export interface AptInstallerOptions {
  runner: Runner;
  /** Prefix for the reboot flag files read; tests point it at the root the runner runs in. */
  root?: string;
}

export function createAptInstaller(o: AptInstallerOptions): Installer {
  const readRoot = (path: string) => readFile(`${o.root ?? ''}${path}`, 'utf8').catch(() => undefined);

  const dpkgState = async (pkg: string, ctx: InstallContext): Promise<DpkgState | undefined> => {
    const args = ['-W', `-f=${STATE_FORMAT}`, pkg];
    const r = await o.runner('dpkg-query', args, { timeoutMs: DPKG_QUERY_TIMEOUT_MS, signal: ctx.signal, okExitCodes: [1], env: { LC_ALL: 'C' } });
    return r.exitCode === 1 ? undefined : parseDpkgState(r.stdout);
  };

  const installOne = async (item: PatchItem, ctx: InstallContext): Promise<ItemOutcomeReport> => {
    const before = await dpkgState(item.id, ctx);
    // --only-upgrade would skip it anyway; not running apt at all keeps a plan from ever installing a new package.
    if (!before?.installed) return { outcome: 'not_applicable', detail: 'not installed on this machine', rebootRequired: false };
    const flagBefore = (await readRoot(REBOOT_FLAG)) !== undefined;
    const args = aptInstallArgs(item.id, timeLeftMs(ctx) / 1000);
    const run = await runTool(o.runner, 'apt-get', args, ctx, { answers: APT_ANSWERS, env: APT_ENV });
    const after = await dpkgState(item.id, ctx);
    const result = classifyApt(before, after, run);
    // This package asked for a reboot: it is listed in reboot-required.pkgs, or it raised the flag itself.
    const listed = ((await readRoot(REBOOT_PKGS)) ?? '').split('\n').some((l) => l.trim() === item.id);
    const raised = !flagBefore && (await readRoot(REBOOT_FLAG)) !== undefined;
    const rebootRequired = result.outcome === 'installed' && (listed || raised);
    ctx.log.info(`apt ${item.id}: ${result.outcome}`, { from: before.version, to: after?.version, exit: run.exitCode });
    return { ...result, rebootRequired };
  };

  return {
    managers: ['apt'],
    install: (items, ctx) => installOneByOne(items, ctx, installOne),
    rebootPending: (ctx) => rebootPending(o.runner, 'apt', o.root, ctx),
    reboot: (policy, ctx) => linuxReboot(o.runner, policy, ctx),
  };
}

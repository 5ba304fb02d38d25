// RHEL, Fedora and their relatives: `dnf -y upgrade <package>` or `--advisory=<id>` per approved item, `yum` alike
// where dnf is absent (RHEL/CentOS 7). Upgrade only: `upgrade` never installs a package that is not installed.
import type { Runner } from '../../exec/runner.js';
import type { Installer, InstallContext } from '../installer.js';
import type { PatchItem } from '../plan.js';
import { excerpt, installOneByOne, type ItemOutcomeReport } from '../results.js';
import { linuxReboot, rebootPending } from './reboot.js';
import { errorLines, runTool } from './tool.js';

/** An advisory id as plan.ts admits one for dnf and yum (RHSA-2024:1234, FEDORA-2024-1a2b3c, ALSA-2024:0001). */
const ADVISORY = /^[A-Z][A-Z0-9]{1,15}-\d{4}[:-][A-Za-z0-9]{1,32}$/;
/** dnf: 1 an error, 3 an unhandled error, 200 a lock problem; yum 3: 1. Anything else rejects with its code. */
const RPM_ANSWERS = [1, 3, 200];
/** What dnf and yum print (in the C locale) when the item needs nothing: already current, not installed, no such
 *  package or advisory, or nothing of the advisory applies. */
const NOTHING_TO_DO = /Nothing to do|No packages marked for (?:update|upgrade)|No match for argument|No security updates needed|No package \S+ available/;

export function rpmUpgradeArgs(id: string): string[] {
  return ['-y', 'upgrade', ADVISORY.test(id) ? `--advisory=${id}` : id];
}

/**
 * The outcome from the exit code, and dnf's or yum's own words in the C locale for "nothing to do" (which they
 * print with exit 0 or 1 depending on version). Per-item reboot needs are not reported by either tool: the run
 * asks `needs-restarting -r` once after its installs.
 */
export function classifyRpm(run: { exitCode: number; stdout: string; stderr: string }): ItemOutcomeReport {
  const text = `${run.stdout}\n${run.stderr}`;
  const nothing = NOTHING_TO_DO.test(text);
  if (run.exitCode === 0) return nothing ? { outcome: 'not_applicable', rebootRequired: false } : { outcome: 'installed', rebootRequired: false };
  if (run.exitCode === 1 && nothing && !/Error (?:in|unpacking)|scriptlet failed|Transaction (?:check|test) error/.test(text))
    return { outcome: 'not_applicable', rebootRequired: false };
  const detail = excerpt(errorLines(text, /^(?:Error|error:|warning: %\w+\(|Non-fatal|Problem)/));
  return { outcome: 'failed', code: run.exitCode, detail: detail || `exited ${run.exitCode}`, rebootRequired: false };
}

export function createRpmInstaller(o: { runner: Runner; tool: 'dnf' | 'yum'; root?: string }): Installer {
  const installOne = async (item: PatchItem, ctx: InstallContext): Promise<ItemOutcomeReport> => {
    const run = await runTool(o.runner, o.tool, rpmUpgradeArgs(item.id), ctx, { answers: RPM_ANSWERS });
    const result = classifyRpm(run);
    ctx.log.info(`${o.tool} ${item.id}: ${result.outcome}`, { exit: run.exitCode });
    return result;
  };
  return {
    managers: [o.tool],
    install: (items, ctx) => installOneByOne(items, ctx, installOne),
    rebootPending: (ctx) => rebootPending(o.runner, o.tool, o.root, ctx),
    reboot: (policy, ctx) => linuxReboot(o.runner, policy, ctx),
  };
}

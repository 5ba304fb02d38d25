// SUSE: `zypper --non-interactive install -t patch <name>` per approved patch. zypper says what happened in its
// documented exit codes (zypper(8), EXIT CODES), read here; ZYPP_LOCK_TIMEOUT makes it wait for a held lock.
import type { Runner } from '../../exec/runner.js';
import type { Installer, InstallContext } from '../installer.js';
import type { PatchItem } from '../plan.js';
import { excerpt, installOneByOne, type ItemOutcomeReport } from '../results.js';
import { linuxReboot, rebootPending } from './reboot.js';
import { errorLines, runTool, timeLeftMs } from './tool.js';

/** zypper(8) EXIT CODES. */
export const ZYPPER_EXIT = {
  ok: 0,
  zyppLocked: 7,
  commit: 8,
  updateNeeded: 100,
  securityUpdateNeeded: 101,
  rebootNeeded: 102,
  restartNeeded: 103,
  capNotFound: 104,
  onSignal: 105,
  reposSkipped: 106,
  rpmScriptFailed: 107,
} as const;
const ZYPPER_ANSWERS = [1, 2, 3, 4, 5, 6, 7, 8, 100, 101, 102, 103, 104, 105, 106, 107];
/** The longest lock wait asked of zypper, in seconds (the window's end bounds it first). */
const MAX_LOCK_WAIT_SECONDS = 3600;

export function zypperPatchArgs(name: string): string[] {
  return ['--non-interactive', 'install', '-t', 'patch', name];
}

/**
 * 0, 100, 101, 106: done (or nothing to do, when zypper says so); 102: installed and a reboot is needed; 103: installed,
 * and zypper updated itself (the package stack), so later items run with the new one; 104: no such patch here
 * (not_applicable); 107 and any other code: failed.
 */
export function classifyZypper(run: { exitCode: number; stdout: string; stderr: string }): ItemOutcomeReport {
  const text = `${run.stdout}\n${run.stderr}`;
  const e = ZYPPER_EXIT;
  switch (run.exitCode) {
    case e.ok:
    case e.updateNeeded:
    case e.securityUpdateNeeded:
    case e.reposSkipped:
      return { outcome: /Nothing to do/.test(text) ? 'not_applicable' : 'installed', rebootRequired: false };
    case e.rebootNeeded:
      return { outcome: 'installed', code: run.exitCode, rebootRequired: true };
    case e.restartNeeded:
      return { outcome: 'installed', code: run.exitCode, rebootRequired: false };
    case e.capNotFound:
      return { outcome: 'not_applicable', code: run.exitCode, detail: excerpt(errorLines(text, /not found|No provider/i)), rebootRequired: false };
    default:
      return {
        outcome: 'failed',
        code: run.exitCode,
        detail: excerpt(errorLines(text, /error|failed|Problem|locked/i)) || `zypper exited ${run.exitCode}`,
        rebootRequired: false,
      };
  }
}

export function createZypperInstaller(o: { runner: Runner; root?: string }): Installer {
  const installOne = async (item: PatchItem, ctx: InstallContext): Promise<ItemOutcomeReport> => {
    const wait = String(Math.min(Math.floor(timeLeftMs(ctx) / 1000), MAX_LOCK_WAIT_SECONDS));
    const run = await runTool(o.runner, 'zypper', zypperPatchArgs(item.id), ctx, { answers: ZYPPER_ANSWERS, env: { ZYPP_LOCK_TIMEOUT: wait } });
    const result = classifyZypper(run);
    ctx.log.info(`zypper ${item.id}: ${result.outcome}`, { exit: run.exitCode });
    return result;
  };
  return {
    managers: ['zypper'],
    install: (items, ctx) => installOneByOne(items, ctx, installOne),
    rebootPending: (ctx) => rebootPending(o.runner, 'zypper', o.root, ctx),
    reboot: (policy, ctx) => linuxReboot(o.runner, policy, ctx),
  };
}

// Installer for macOS `softwareupdate`: `softwareupdate --install --no-scan <label>`, one approved label per call
// (each label one argument, validated by plan.ts: no leading dash, no shell syntax), so one failing update does not
// hide the others and the window's end stops the next one. --no-scan installs from the catalogue the last scan cached
// (the patches probe's daily `--list`, whose labels the collector approved) instead of scanning Apple's servers again
// for every label. The reboot is `shutdown -r`, never softwareupdate's own --restart (which restarts at once, without
// the policy's warning).
import type { Runner } from '../exec/runner.js';
import type { InstallContext, Installer } from './installer.js';
import type { ItemResult, PatchItem, RebootPolicy } from './plan.js';

/** Below this much time before the deadline no label starts: one install (download and all) takes minutes. */
export const MIN_LABEL_MS = 2 * 60_000;
/** A single label: a Safari or Command Line Tools install takes minutes; a macOS point update longer. */
export const LABEL_TIMEOUT_MS = 60 * 60_000;

export interface SoftwareUpdateRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const cut = (text: string, max = 200): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};

/**
 * Pure: one label's result from softwareupdate's exit code and output (stdout and stderr together). Read in order:
 * 1. a non-zero exit is a failure (its code and the last lines);
 * 2. `Done with <title>` (captured on 10.11 to 15): installed; it needs a restart when the list said `Action: restart`
 *    (`restartListed`) or the output says so ("... requires that you restart your computer", "Please restart");
 * 3. `Downloaded` without `Done with`: a restart-only update (macOS itself on Big Sur and later, captured) that
 *    softwareupdate installs only with its own --restart (and on Apple silicon only with a volume owner's password):
 *    not installed, a failure that says why;
 * 4. "No such update" / "No updates are available" (Apple's documented wording, not captured here): not_applicable;
 * 5. anything else: a failure with an excerpt, never counted as installed.
 */
export function softwareUpdateResult(item: PatchItem, run: SoftwareUpdateRun, restartListed: boolean, durationMs: number): ItemResult {
  const base = { id: item.id, manager: item.manager, title: item.title, durationMs };
  const text = `${run.stdout}\n${run.stderr}`;
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (run.exitCode !== 0)
    return { ...base, outcome: 'failed', code: run.exitCode, detail: cut(lines.filter(Boolean).slice(-3).join(' | ')), rebootRequired: false };
  if (lines.some((l) => l.startsWith('Done with '))) {
    const restartSaid = /requires that you restart|please restart|restart is required/i.test(text);
    return { ...base, outcome: 'installed', code: 0, rebootRequired: restartListed || restartSaid };
  }
  if (lines.some((l) => /^Downloaded:? /.test(l))) {
    return {
      ...base,
      outcome: 'failed',
      code: 0,
      detail: 'downloaded only: softwareupdate installs this update only while restarting the Mac (its --restart), which the agent does not use',
      rebootRequired: false,
    };
  }
  if (/no such update|no updates are available/i.test(text)) return { ...base, outcome: 'not_applicable', code: 0, rebootRequired: false };
  return {
    ...base,
    outcome: 'failed',
    code: 0,
    detail: cut(`unrecognised softwareupdate output: ${lines.filter(Boolean).slice(-3).join(' | ')}`),
    rebootRequired: false,
  };
}

/** `shutdown -r +N "message"` (warn) or `shutdown -r +1` (if_required: a minute for the installer's last writes);
 *  the message is one argument, shown by shutdown(8) to logged-in users. */
export function darwinRebootArgs(policy: Exclude<RebootPolicy, { mode: 'never' }>): string[] {
  return policy.mode === 'warn' ? ['-r', `+${policy.warnMinutes}`, policy.message] : ['-r', '+1'];
}

export interface DarwinInstallerOptions {
  runner: Runner;
  /** Labels whose `softwareupdate --list` line said `Action: restart` (or `[restart]`): from the patches probe's list. */
  restartLabels?: ReadonlySet<string>;
}

export function createSoftwareUpdateInstaller(options: DarwinInstallerOptions): Installer {
  const { runner } = options;
  let restartInstalled = false;
  return {
    managers: ['softwareupdate'],

    async install(items: readonly PatchItem[], ctx: InstallContext): Promise<ItemResult[]> {
      const results: ItemResult[] = [];
      for (const item of items) {
        const left = ctx.deadline - ctx.now();
        if (ctx.signal.aborted || left < MIN_LABEL_MS) {
          results.push({ id: item.id, manager: item.manager, title: item.title, outcome: 'not_started', rebootRequired: false, durationMs: 0 });
          continue;
        }
        const started = ctx.now();
        let result: ItemResult;
        try {
          const run = await runner('softwareupdate', ['--install', '--no-scan', item.id], {
            timeoutMs: Math.min(LABEL_TIMEOUT_MS, left),
            signal: ctx.signal,
            // Any exit code is read by softwareUpdateResult; the runner still rejects on a timeout or an abort.
            okExitCodes: Array.from({ length: 255 }, (_, i) => i + 1),
          });
          result = softwareUpdateResult(
            item,
            { stdout: run.stdout, stderr: run.stderr, exitCode: run.exitCode ?? 0 },
            options.restartLabels?.has(item.id) ?? false,
            ctx.now() - started,
          );
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          result = {
            id: item.id,
            manager: item.manager,
            title: item.title,
            outcome: 'failed',
            detail: cut(`softwareupdate did not finish: ${message}`),
            rebootRequired: false,
            durationMs: ctx.now() - started,
          };
        }
        ctx.log.info('patching: softwareupdate', { label: item.id, outcome: result.outcome });
        if (result.rebootRequired) restartInstalled = true;
        results.push(result);
      }
      return results;
    },

    // macOS has no reboot-pending marker the agent can read (see the patches probe): pending is what this run installed.
    async rebootPending(): Promise<boolean> {
      return restartInstalled;
    },

    async reboot(policy, ctx: InstallContext): Promise<void> {
      await runner('shutdown', darwinRebootArgs(policy), { signal: ctx.signal });
    },
  };
}

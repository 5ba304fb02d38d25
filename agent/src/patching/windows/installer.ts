// patching/windows/: the Windows Update Agent installer (this file, wua-install.ts) and Defender's two fixed actions
// (defender.ts).
//
// Installer for `wua`: ONE powershell.exe of its own per run (exec/powershell-process.ts, the mechanism the patches
// probe's search uses), never the shared worker: a WUA download or install runs for many minutes behind wuauserv, and
// only a process of its own can be killed at the window's end without taking the probes' PowerShell down with it.
// The approved ids reach the script as base64 JSON data; the only other command is shutdown.exe, with fixed options.
import { runPowerShellProcess, withRequest } from '../../exec/powershell-process.js';
import type { Runner } from '../../exec/runner.js';
import { WINDOWS_REBOOT_STATE_PS, windowsRebootPending, type WindowsRebootState } from '../../exec/windows-reboot-state.js';
import type { InstallContext, Installer } from '../installer.js';
import type { ItemResult, PatchItem, RebootPolicy } from '../plan.js';
import { WUA_INSTALL_SCRIPT, wuaItemResults } from './wua-install.js';

/** Below this much time before the deadline no install starts: WUA cannot download and install anything in less, and a
 *  process killed mid-install only leaves its updates to roll back. */
export const MIN_INSTALL_MS = 5 * 60_000;
/** The reboot markers are read in seconds; more means wuauserv or the registry hangs. */
const REBOOT_STATE_TIMEOUT_MS = 2 * 60_000;
/** if_required warns nobody, but shutdown.exe forces applications closed only with a delay (/t > 0 implies /f), and an
 *  application with unsaved work would otherwise hold the reboot off indefinitely. */
export const IF_REQUIRED_DELAY_SECONDS = 60;
export const IF_REQUIRED_MESSAGE = 'Watchpost: restarting to finish installing updates.';
/** Planned, Operating System: Hot fix (SHTDN_REASON_MAJOR_OPERATINGSYSTEM | SHTDN_REASON_MINOR_HOTFIX): what the event log
 *  and Shutdown Event Tracker record as the reason. */
export const SHUTDOWN_REASON = 'p:2:17';
/** ERROR_SHUTDOWN_IS_SCHEDULED: a reboot is already scheduled (by Windows Update itself, or an admin); that one stands. */
const SHUTDOWN_ALREADY_SCHEDULED = 1190;

/** shutdown.exe's arguments for a policy: each value one argument, the message never parsed by a shell. */
export function windowsRebootArgs(policy: Exclude<RebootPolicy, { mode: 'never' }>): string[] {
  const [seconds, message] = policy.mode === 'warn' ? [policy.warnMinutes * 60, policy.message] : [IF_REQUIRED_DELAY_SECONDS, IF_REQUIRED_MESSAGE];
  return ['/r', '/t', String(seconds), '/c', message, '/d', SHUTDOWN_REASON];
}

/** The reboot markers alone, in a process of their own (the shared fragment the patches probe reads them with). */
export const WINDOWS_REBOOT_STATE_SCRIPT = `$ErrorActionPreference = 'Stop'\n${WINDOWS_REBOOT_STATE_PS}\n[pscustomobject]$rebootState | ConvertTo-Json -Compress\n`;

export function createWuaInstaller(runner: Runner): Installer {
  return {
    managers: ['wua'],

    async install(items: readonly PatchItem[], ctx: InstallContext): Promise<ItemResult[]> {
      const started = ctx.now();
      const timeoutMs = ctx.deadline - started;
      const notStarted = (detail: string): ItemResult[] =>
        items.map((i) => ({ id: i.id, manager: i.manager, title: i.title, outcome: 'not_started', detail, rebootRequired: false, durationMs: 0 }));
      if (items.length === 0) return [];
      if (ctx.signal.aborted) return notStarted('the run was stopped before the install started');
      if (timeoutMs < MIN_INSTALL_MS) return notStarted(`less than ${MIN_INSTALL_MS / 60_000} minutes left in the window`);
      const script = withRequest({ ids: items.map((i) => i.id) }, WUA_INSTALL_SCRIPT);
      ctx.log.info('patching: Windows Update install', { updates: items.length, timeoutMs });
      try {
        const doc = await runPowerShellProcess(runner, script, { timeoutMs, signal: ctx.signal, what: 'WUA install' });
        return wuaItemResults(items, doc, ctx.now() - started);
      } catch (err) {
        // Killed at the deadline, aborted, or no JSON: WUA may have installed some of them; the next search tells.
        const detail = `Windows Update install did not report: ${(err instanceof Error ? err.message : String(err)).slice(0, 200)}`;
        ctx.log.warn('patching: Windows Update install failed', { err });
        const durationMs = ctx.now() - started;
        return items.map((i) => ({ id: i.id, manager: i.manager, title: i.title, outcome: 'failed', detail, rebootRequired: false, durationMs }));
      }
    },

    async rebootPending(ctx: InstallContext): Promise<boolean> {
      const state = await runPowerShellProcess(runner, WINDOWS_REBOOT_STATE_SCRIPT, {
        timeoutMs: REBOOT_STATE_TIMEOUT_MS,
        signal: ctx.signal,
        what: 'reboot state',
      });
      return windowsRebootPending(state as WindowsRebootState);
    },

    async reboot(policy, ctx: InstallContext): Promise<void> {
      const args = windowsRebootArgs(policy);
      ctx.log.info('patching: reboot scheduled', { seconds: Number(args[2]) });
      await runner('shutdown.exe', args, { signal: ctx.signal, okExitCodes: [SHUTDOWN_ALREADY_SCHEDULED] });
    },
  };
}

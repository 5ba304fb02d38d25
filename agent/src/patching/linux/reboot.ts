// Reboot on Linux: whether one is pending (the patches probe's own check, shared), and asking for one through
// `shutdown`, which warns logged-on users (wall) and, for a delayed reboot, blocks new logins in its last minutes.
import type { Runner } from '../../exec/runner.js';
import { linuxRebootPending, type LinuxManager } from '../../probes/patches/linux.js';
import type { InstallContext } from '../installer.js';
import type { RebootPolicy } from '../plan.js';

const SHUTDOWN_TIMEOUT_MS = 60_000;

/** if_required reboots this many minutes after the run: the agent has written the run's results to its spool by then
 *  (the run hands them over before it asks for the reboot) and gets a minute to deliver them before systemd stops it. */
export const IF_REQUIRED_DELAY_MINUTES = 1;

/**
 * `shutdown -r -- +N message` (warn) or `shutdown -r -- +1` (if_required; never `now`, see above). The `--` ends the
 * options, so the plan's message (already validated as printable text) is one argument that can never be read as an
 * option, even when it starts with a dash.
 */
export function shutdownArgs(policy: Exclude<RebootPolicy, { mode: 'never' }>): string[] {
  if (policy.mode === 'if_required') return ['-r', '--', `+${IF_REQUIRED_DELAY_MINUTES}`];
  return ['-r', '--', `+${Math.max(1, policy.warnMinutes)}`, ...(policy.message === '' ? [] : [policy.message])];
}

export async function linuxReboot(runner: Runner, policy: Exclude<RebootPolicy, { mode: 'never' }>, ctx: InstallContext): Promise<void> {
  ctx.log.info('patching: asking the OS to reboot', { args: shutdownArgs(policy).join(' ') });
  await runner('shutdown', shutdownArgs(policy), { timeoutMs: SHUTDOWN_TIMEOUT_MS, signal: ctx.signal });
}

export function rebootPending(runner: Runner, manager: LinuxManager, root: string | undefined, ctx: InstallContext): Promise<boolean> {
  return linuxRebootPending(runner, { manager, signal: ctx.signal, ...(root === undefined ? {} : { root }) });
}

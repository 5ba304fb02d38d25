// The one interface each platform's installer implements (patching/linux/, patching/windows/, patching/darwin.ts),
// and that the patch run (run.ts) drives: the run decides what and when (one item at a time, only inside the
// window, stopping new installs when it closes), the installer only how, for one tool.
import type { Logger } from '../base/log.js';
import type { ItemResult, PatchItem, PatchManager, RebootPolicy } from './plan.js';

export interface InstallContext {
  /** Aborted when the window closes for good, the run's time runs out, or the agent stops: kill the tool, report. */
  signal: AbortSignal;
  /** Unix ms after which nothing may still be running (the window's end). */
  deadline: number;
  log: Logger;
  now(): number;
}

export interface Installer {
  /** The tools this installer handles on this machine (apt; dnf or yum; zypper; wua; softwareupdate). */
  readonly managers: readonly PatchManager[];
  /**
   * Installs the items given (all of one manager, in the run's order) and answers one result per item, in order.
   * An installer may install them in one tool call when the tool reports per item (WUA's IInstallationResult.
   * GetUpdateResult), or one by one; it never installs anything not in `items`.
   */
  install(items: readonly PatchItem[], ctx: InstallContext): Promise<ItemResult[]>;
  /** Whether the OS says a reboot is pending now (after the installs). */
  rebootPending(ctx: InstallContext): Promise<boolean>;
  /** Asks the OS to reboot through its own command, after `delayMinutes`, with the policy's message to logged-on users. */
  reboot(policy: Exclude<RebootPolicy, { mode: 'never' }>, ctx: InstallContext): Promise<void>;
}

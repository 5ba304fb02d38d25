// The contract of a service host (systemd, launchd, WinSW): the files that define the service, and the service
// manager commands that register, start, stop and remove it. One file per host (systemd.ts, launchd.ts,
// winsw.ts), one map of them (index.ts); the installer (installer.ts) does every file operation and calls a host
// in this order:
//   install:   prepare (nothing written yet) -> [files written] -> activate
//   uninstall: deactivate -> [files removed] -> afterRemoval
// Hosts start commands only through the agent's allow-listed runner.
import type { Runner, RunOptions } from '../exec/runner.js';
import type { InstallPaths } from './paths.js';

/** Shared by every host, so the three platforms restart and stop the agent alike. */
export const RESTART_DELAY_SECONDS = 10;
/** Time between the stop request (SIGTERM, Ctrl+C) and the kill: the agent closes its spool and link in far less. */
export const STOP_TIMEOUT_SECONDS = 30;

/** A file of the service definition at its system path: text written by install, or a copy of a shipped file. */
export type ServiceFile = { path: string; text: string } | { path: string; copyOf: string };

/** What install found: nothing of ours, exactly what it would write, or something that differs. */
export type InstallChange = 'new' | 'changed' | 'unchanged';

/** What the service manager knows of the service before install writes anything; undefined: not asked. */
export interface ServiceState {
  registered: boolean;
  running: boolean;
}

export interface HostContext {
  paths: InstallPaths;
  /** --root: files go under it, and no running service manager is asked to load, start or stop anything. */
  root: string | undefined;
  runner: Runner;
  /** One line of progress for the person installing. */
  say(line: string): void;
}

export interface ServiceHost {
  /** For messages: "systemd unit watchpost-agent.service". */
  readonly describe: string;
  /** The service definition; `sourceDir` is where the executable being installed is (WinSW ships beside it). */
  files(paths: InstallPaths, sourceDir: string): ServiceFile[];
  /** The paths files() writes, for uninstall (which has no source). */
  filePaths(paths: InstallPaths): string[];
  /** Directories the service manager itself may create when enabling; uninstall removes them if install saw them absent. */
  managerDirs(paths: InstallPaths): string[];
  /** Before anything is written: what is registered and running, stopping what holds a file about to change. */
  prepare(ctx: HostContext, change: InstallChange): Promise<ServiceState | undefined>;
  /** After the files are in place: register, enable, and (when `start`) start or restart. */
  activate(ctx: HostContext, change: InstallChange, before: ServiceState | undefined, start: boolean): Promise<void>;
  /** Stop and unregister; tolerates a service that is not registered. */
  deactivate(ctx: HostContext): Promise<void>;
  /** After the files are gone (systemd: daemon-reload). */
  afterRemoval(ctx: HostContext): Promise<void>;
  /** Narrows a directory to the service account and administrators where mode bits do not (Windows ACLs). */
  restrictDir?(ctx: HostContext, dir: string): Promise<void>;
  /** The command that starts the installed service by hand. */
  startHint(paths: InstallPaths): string;
}

/** A service manager command failed; the installer prints it and exits 1. */
export class ServiceCommandError extends Error {}

/** Runs one service manager command, saying it first; a failure names the command and carries its output. */
export async function step(ctx: HostContext, command: string, args: readonly string[], options?: RunOptions): Promise<string> {
  ctx.say(`${command} ${args.join(' ')}`);
  try {
    return (await ctx.runner(command, args, options)).stdout;
  } catch (error) {
    throw new ServiceCommandError(`${command} ${args.join(' ')} failed: ${(error as Error).message.trim()}`);
  }
}

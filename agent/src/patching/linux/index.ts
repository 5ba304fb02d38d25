// The installers of this Linux machine: the one for the package manager the patches probe finds (the same lookup),
// so a plan's items of another manager are reported "not handled on this machine" by the run.
import type { Runner } from '../../exec/runner.js';
import { detectManager, type LinuxManager } from '../../probes/patches/linux.js';
import type { Installer } from '../installer.js';
import { createAptInstaller } from './apt.js';
import { createRpmInstaller } from './rpm.js';
import { createZypperInstaller } from './zypper.js';

export interface LinuxInstallerOptions {
  runner: Runner;
  /** Skip detection (tests). */
  manager?: LinuxManager;
  /** Prefix for the state files read (reboot flags); tests point it at the root the runner runs in. */
  root?: string;
}

const factories: Record<LinuxManager, (o: LinuxInstallerOptions) => Installer> = {
  apt: (o) => createAptInstaller(o),
  dnf: (o) => createRpmInstaller({ ...o, tool: 'dnf' }),
  yum: (o) => createRpmInstaller({ ...o, tool: 'yum' }),
  zypper: (o) => createZypperInstaller(o),
};

export async function createLinuxInstallers(o: LinuxInstallerOptions): Promise<Installer[]> {
  const manager = o.manager ?? (await detectManager());
  return manager ? [factories[manager](o)] : [];
}

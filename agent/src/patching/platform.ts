// This machine's installers, by platform: the Linux package manager the patches probe finds, the Windows Update
// Agent, or macOS softwareupdate. Created when a plan runs, not at start (Linux detection runs a command).
import type { Runner } from '../exec/runner.js';
import { createSoftwareUpdateInstaller } from './darwin.js';
import type { Installer } from './installer.js';
import { createLinuxInstallers } from './linux/index.js';
import { createWuaInstaller } from './windows/installer.js';

export async function platformInstallers(runner: Runner, platform: NodeJS.Platform = process.platform): Promise<Installer[]> {
  if (platform === 'linux') return createLinuxInstallers({ runner });
  if (platform === 'win32') return [createWuaInstaller(runner)];
  if (platform === 'darwin') return [createSoftwareUpdateInstaller({ runner })];
  return [];
}

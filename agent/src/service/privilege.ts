// Whether this process may install a system service: root on Linux and macOS, an elevated Administrator (or
// SYSTEM, as under an RMM or a GPO startup script) on Windows.
import type { Runner } from '../exec/runner.js';
import type { ServicePlatform } from './paths.js';

/** Mandatory integrity levels of an elevated token: High (S-1-16-12288) and System (S-1-16-16384). Listed by SID
 *  in `whoami /groups` in every display language; an unelevated administrator has only Medium (S-1-16-8192). */
const ELEVATED_LEVELS = ['S-1-16-12288', 'S-1-16-16384'];

export async function isPrivileged(platform: ServicePlatform, runner: Runner): Promise<boolean> {
  if (platform !== 'win32') return process.getuid?.() === 0;
  const { stdout } = await runner('whoami.exe', ['/groups']);
  return ELEVATED_LEVELS.some((sid) => stdout.includes(sid));
}

export function privilegeHint(platform: ServicePlatform): string {
  return platform === 'win32' ? 'run it as Administrator (an elevated prompt) or as SYSTEM' : 'run it as root (sudo)';
}

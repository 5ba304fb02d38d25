// Where an installed agent lives on each platform, as the service sees it, and where
// those paths land under `install --root DIR` (tests and image builds: every absolute path prefixed by DIR).
//   Linux    /opt/watchpost-agent/versions/<version>/watchpost-agent, /opt/watchpost-agent/current -> versions/<version>,
//            state /var/lib/watchpost-agent, unit /etc/systemd/system/watchpost-agent.service, logs: the journal.
//   macOS    /Library/Application Support/Watchpost/{versions,current} as on Linux, state <that>/state,
//            plist /Library/LaunchDaemons/com.watchpost.agent.plist, logs /Library/Logs/Watchpost.
//   Windows  %ProgramFiles%\Watchpost\watchpost-agent.exe (one fixed path; self-update renames it aside) with
//            the WinSW service host beside it, state %ProgramData%\Watchpost, logs <state>\logs.
// The self-update (update/swap.ts) relies on the same names: POSIX_EXE, VERSIONS_DIR, CURRENT_LINK, WINDOWS_EXE.
import { posix, win32 } from 'node:path';

export type ServicePlatform = 'linux' | 'darwin' | 'win32';

export const SYSTEMD_UNIT = 'watchpost-agent.service';
export const LAUNCHD_LABEL = 'com.watchpost.agent';
export const WINDOWS_SERVICE_ID = 'watchpost-agent';
export const SERVICE_DISPLAY_NAME = 'Watchpost agent';
export const SERVICE_DESCRIPTION = "Watchpost endpoint monitoring agent: reports this machine to the MSP's collector";

export const POSIX_EXE = 'watchpost-agent';
export const WINDOWS_EXE = 'watchpost-agent.exe';
export const VERSIONS_DIR = 'versions';
export const CURRENT_LINK = 'current';
/** What install made, for uninstall to remove only that (installer.ts). Inside the prefix. */
export const INSTALL_RECORD = 'install.json';

const LINUX_PREFIX = '/opt/watchpost-agent';
const LINUX_STATE = '/var/lib/watchpost-agent';
const MACOS_PREFIX = '/Library/Application Support/Watchpost';
const MACOS_LOGS = '/Library/Logs/Watchpost';
const WINDOWS_DIR = 'Watchpost';

export interface InstallPaths {
  platform: ServicePlatform;
  /** The directory install owns: POSIX its versions/ and current, Windows the executable and its service host. */
  prefix: string;
  /** What the service starts: <prefix>/current/watchpost-agent (the symlink), or <prefix>\watchpost-agent.exe. */
  serviceExecutable: string;
  /** WATCHPOST_STATE_DIR of the service: identity, spool, status. */
  stateDir: string;
  /** Where the service host writes the agent's output; undefined: the system journal. */
  logDir: string | undefined;
  /** The service definition: the unit, the plist, the WinSW XML. */
  serviceFile: string;
}

/** The platform's path functions: the paths of an OS are computed the same way on any machine (tests). */
export function pathApi(platform: ServicePlatform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}

export function servicePlatform(platform: NodeJS.Platform): ServicePlatform | undefined {
  return platform === 'linux' || platform === 'darwin' || platform === 'win32' ? platform : undefined;
}

/** The installed layout as the service sees it. `env` supplies %ProgramFiles% and %ProgramData% on Windows. */
export function installPaths(platform: ServicePlatform, env: NodeJS.ProcessEnv = process.env): InstallPaths {
  if (platform === 'win32') {
    const prefix = win32.join(env.ProgramFiles || 'C:\\Program Files', WINDOWS_DIR);
    const stateDir = win32.join(env.ProgramData || 'C:\\ProgramData', WINDOWS_DIR);
    return {
      platform,
      prefix,
      serviceExecutable: win32.join(prefix, WINDOWS_EXE),
      stateDir,
      logDir: win32.join(stateDir, 'logs'),
      serviceFile: win32.join(prefix, 'watchpost-agent-service.xml'),
    };
  }
  const prefix = platform === 'darwin' ? MACOS_PREFIX : LINUX_PREFIX;
  return {
    platform,
    prefix,
    serviceExecutable: posix.join(prefix, CURRENT_LINK, POSIX_EXE),
    stateDir: platform === 'darwin' ? posix.join(prefix, 'state') : LINUX_STATE,
    logDir: platform === 'darwin' ? MACOS_LOGS : undefined,
    serviceFile: platform === 'darwin' ? `/Library/LaunchDaemons/${LAUNCHD_LABEL}.plist` : `/etc/systemd/system/${SYSTEMD_UNIT}`,
  };
}

/** Where `version`'s executable is installed: POSIX versions/<version>/, Windows the one fixed path. */
export function versionExecutable(paths: InstallPaths, version: string): string {
  if (paths.platform === 'win32') return paths.serviceExecutable;
  return posix.join(paths.prefix, VERSIONS_DIR, version, POSIX_EXE);
}

/**
 * Where a system path is on disk: itself, or under `root` (--root). A Windows drive becomes a directory
 * (C:\Program Files -> <root>\C\Program Files) so that paths on different drives stay apart.
 */
export function onDisk(root: string | undefined, path: string, platform: ServicePlatform): string {
  if (root === undefined) return path;
  const api = pathApi(platform);
  return api.join(root, platform === 'win32' ? path.replace(/^([A-Za-z]):/, '$1') : path);
}

// Putting a verified executable in place of the running one, and back, so that the service host's next start runs
// the other one. Two layouts behind one interface:
//   POSIX    <prefix>/versions/<version>/watchpost-agent, and the symlink <prefix>/current -> versions/<version>
//            that the service runs (<prefix>/current/watchpost-agent run). A swap writes a temporary symlink and
//            renames it over `current`: rename(2) replaces it atomically, so a start at any moment runs one whole
//            version or the other.
//   Windows  one fixed path, %ProgramFiles%\Watchpost\watchpost-agent.exe (the WinSW XML names it). Windows lets a
//            running executable be renamed but not replaced or deleted, so a swap renames it to
//            watchpost-agent.exe.previous and moves the new file in; a swap back renames the failed one to
//            watchpost-agent.exe.failed (deleted at a later start, once it no longer runs) and the previous one back.
// Downloads are staged beside the executables (same file system), so moving one in is a rename, never a copy.
import { existsSync, fsyncSync, lstatSync, mkdirSync, openSync, closeSync, readdirSync, realpathSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, relative, win32 } from 'node:path';

import { CURRENT_LINK, POSIX_EXE, VERSIONS_DIR, WINDOWS_EXE } from '../service/paths.js';

// The installed layout's names are the installer's (service/paths.ts): an update must find what install made.
export { CURRENT_LINK, POSIX_EXE, VERSIONS_DIR, WINDOWS_EXE };
const STAGING_PREFIX = '.download-';
const TEMP_LINK = '.current.tmp';

export type InstallKind = 'posix' | 'windows';

export interface Installation {
  readonly kind: InstallKind;
  /** Where the executable of `version` is downloaded to before it is verified (not yet started by anything). */
  stagingPath(version: string): string;
  /** Where the running version will be once swapIn has moved a new one in: the path swapBack takes to undo it
   *  (the update marker's previousPath). Known before the swap, so that the marker is written first. */
  previousPath(): string;
  /** Moves the verified staged file in as `version`, so that the next start runs it. Throws with nothing changed,
   *  or with the swap undone. */
  swapIn(staged: string, version: string): void;
  /** Makes `previousPath` (from swapIn) what the next start runs again. */
  swapBack(previousPath: string): void;
  /** Removes what no start needs any more: staged downloads, failed executables, and on POSIX every version but
   *  the current one and `keep`. Best effort: what cannot be removed now is removed by a later call. */
  prune(keep: string | null): void;
}

/** fsync of a directory makes a rename in it durable; not possible on Windows, and not needed for correctness. */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Best effort (EISDIR/EPERM on some platforms).
  }
}

export function posixInstallation(prefix: string): Installation {
  const versions = join(prefix, VERSIONS_DIR);
  const current = join(prefix, CURRENT_LINK);
  /** Repoints `current` at `dir` (absolute, under versions/) with the atomic rename of a fresh symlink. */
  const point = (dir: string) => {
    const temp = join(prefix, TEMP_LINK);
    rmSync(temp, { force: true });
    symlinkSync(relative(prefix, dir), temp);
    renameSync(temp, current);
    syncDir(prefix);
  };
  return {
    kind: 'posix',
    stagingPath: (version) => join(versions, `${STAGING_PREFIX}${version}`),
    previousPath: () => realpathSync(current),
    swapIn(staged, version) {
      const dir = join(versions, version);
      const previous = realpathSync(current);
      if (existsSync(dir) && realpathSync(dir) === previous) throw new Error(`${current} already points at ${dir}`);
      rmSync(dir, { recursive: true, force: true }); // what an earlier, unfinished attempt left
      mkdirSync(dir, { mode: 0o755 });
      renameSync(staged, join(dir, POSIX_EXE));
      syncDir(dir);
      point(dir);
    },
    swapBack(previousPath) {
      // Never point the service at nothing: then it could not start any version.
      if (!existsSync(join(previousPath, POSIX_EXE))) throw new Error(`no ${POSIX_EXE} in ${previousPath} to swap back to`);
      point(previousPath);
    },
    prune(keep) {
      let live: string;
      try {
        live = realpathSync(current);
      } catch {
        return; // no current version: not a state to delete anything in
      }
      const kept = keep && existsSync(keep) ? realpathSync(keep) : null;
      for (const name of readdirSync(versions)) {
        const path = join(versions, name);
        const real = existsSync(path) ? realpathSync(path) : path;
        if (real === live || real === kept) continue;
        rmSync(path, { recursive: true, force: true });
      }
    },
  };
}

export function windowsInstallation(exe: string): Installation {
  const dir = dirname(exe);
  const previous = `${exe}.previous`;
  const failed = `${exe}.failed`;
  return {
    kind: 'windows',
    // .exe last: Windows starts a file by its extension, and the smoke test starts the staged file.
    stagingPath: (version) => join(dir, `${STAGING_PREFIX}${version}.exe`),
    previousPath: () => previous,
    swapIn(staged) {
      rmSync(previous, { force: true });
      renameSync(exe, previous);
      try {
        renameSync(staged, exe);
      } catch (error) {
        renameSync(previous, exe);
        throw error;
      }
    },
    swapBack(previousPath) {
      if (!existsSync(previousPath)) throw new Error(`no ${previousPath} to swap back to`);
      rmSync(failed, { force: true });
      if (existsSync(exe)) renameSync(exe, failed);
      renameSync(previousPath, exe);
    },
    prune() {
      for (const name of readdirSync(dir)) {
        if (name.startsWith(STAGING_PREFIX) || join(dir, name) === failed) {
          try {
            rmSync(join(dir, name), { force: true });
          } catch {
            // Still running (a failed version that has not exited yet): a later start removes it.
          }
        }
      }
    },
  };
}

/** The installation the running executable belongs to, or why it cannot update itself (a tsx run, an executable
 *  started from dist/bin, a layout the installer did not make). Only an installed agent swaps executables. */
export function detectInstallation(execPath: string, platform: string): Installation | { unsupported: string } {
  if (platform === 'win32') {
    if (win32.basename(execPath).toLowerCase() === WINDOWS_EXE) return windowsInstallation(execPath);
    return { unsupported: `not an installed agent: the executable is ${execPath}, not ${WINDOWS_EXE}` };
  }
  const versionDir = dirname(execPath);
  const versions = dirname(versionDir);
  const prefix = dirname(versions);
  const layout = `${prefix}/${VERSIONS_DIR}/<version>/${POSIX_EXE} with ${prefix}/${CURRENT_LINK} pointing at it`;
  if (basename(execPath) !== POSIX_EXE || basename(versions) !== VERSIONS_DIR) {
    return { unsupported: `not an installed agent: the executable is ${execPath}, not in a versions/<version>/ directory` };
  }
  try {
    if (!lstatSync(join(prefix, CURRENT_LINK)).isSymbolicLink() || realpathSync(join(prefix, CURRENT_LINK)) !== realpathSync(versionDir)) {
      return { unsupported: `not an installed agent: expected ${layout}` };
    }
  } catch {
    return { unsupported: `not an installed agent: expected ${layout}` };
  }
  return posixInstallation(prefix);
}

// `watchpost-agent uninstall`: stop and unregister the service, then remove what install made: the service
// definition, the executables (every version, also those a self-update added), `current`, the install record,
// and the directories the record says install created, if they are empty by then. The state directory (identity,
// spool) and the logs stay unless `purge`.
import { existsSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { CURRENT_LINK, INSTALL_RECORD, VERSIONS_DIR } from './paths.js';
import { readRecord, removeIfEmpty } from './files.js';
import { serviceSetting, type InstallerDeps } from './installer.js';

export interface UninstallRequest {
  root: string | undefined;
  purge: boolean;
}

/** Names beside the Windows executable that a self-update leaves: the previous and failed versions, downloads. */
const WINDOWS_LEFTOVERS = /^watchpost-agent\.exe\.(previous|failed)$|^\.download-/;

/** Whether anything was found to remove (false: nothing installed, nothing done). After a plain uninstall,
 *  `purge` still removes the state and logs it kept. */
export async function uninstallAgent(request: UninstallRequest, deps: InstallerDeps): Promise<boolean> {
  const { platform, api, paths, host, place, ctx } = serviceSetting(request.root, deps);
  const record = readRecord(place(paths.prefix));
  const executables = platform === 'win32' ? [paths.serviceExecutable] : [api.join(paths.prefix, VERSIONS_DIR), api.join(paths.prefix, CURRENT_LINK)];
  const ours = [...host.filePaths(paths), ...executables];
  const leftState = request.purge && [paths.stateDir, paths.logDir].some((dir) => dir !== undefined && present(place(dir)));
  if (!record && !ours.some((path) => present(place(path))) && !leftState) return false;

  if (existsSync(place(paths.serviceFile))) await host.deactivate(ctx);
  const remove = (path: string) => {
    if (!present(place(path))) return;
    try {
      rmSync(place(path), { recursive: true, force: true });
      deps.say(`removed ${path}`);
    } catch (error) {
      // Windows: a running executable cannot be deleted (uninstall started from the installed one).
      deps.say(`cannot remove ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): delete it once this command has exited`);
    }
  };
  for (const path of ours) remove(path);
  if (platform === 'win32' && existsSync(place(paths.prefix))) {
    for (const name of readdirSync(place(paths.prefix))) if (WINDOWS_LEFTOVERS.test(name)) remove(api.join(paths.prefix, name));
  }
  if (request.purge) for (const dir of [paths.stateDir, paths.logDir]) if (dir) remove(dir);
  remove(api.join(paths.prefix, INSTALL_RECORD));
  for (const dir of [...(record?.createdDirs ?? [])].reverse()) removeIfEmpty(place(dir));
  await host.afterRemoval(ctx);
  if (!request.purge && existsSync(place(paths.stateDir))) deps.say(`kept the state directory ${paths.stateDir} (identity, spool): --purge removes it`);
  return true;
}

/** existsSync follows symlinks: `current` is dangling once the versions are gone, and must still be removed. */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

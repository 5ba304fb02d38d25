// The file operations of install and uninstall: compare before writing (a second install writes nothing), write by
// temp file + rename (a crash never leaves half a file where a service manager would read it), and a record of the
// directories install created, so that uninstall removes those and nothing else.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  createReadStream,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { INSTALL_RECORD } from './paths.js';

/** What install made that was not there before: the directories, parents first (system paths). */
export interface InstallRecord {
  createdDirs: string[];
}

const OWNER_ONLY_FILE = 0o600;

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Whether `path` holds exactly the bytes of `source` (sizes first: executables are ~100 MB). */
export async function sameAsFile(path: string, source: string): Promise<boolean> {
  if (!existsSync(path) || !statSync(path).isFile()) return false;
  if (statSync(path).size !== statSync(source).size) return false;
  return (await sha256(path)) === (await sha256(source));
}

export function sameAsText(path: string, text: string): boolean {
  return existsSync(path) && statSync(path).isFile() && readFileSync(path, 'utf8') === text;
}

function replace(temp: string, path: string, mode: number): void {
  try {
    chmodSync(temp, mode); // the umask may have narrowed the mode given at creation
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

export function writeTextAtomic(path: string, text: string, mode = OWNER_ONLY_FILE): void {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, text, { mode });
  replace(temp, path, mode);
}

export function copyFileAtomic(source: string, path: string, mode: number): void {
  const temp = `${path}.tmp-${process.pid}`;
  copyFileSync(source, temp);
  replace(temp, path, mode);
}

export function linkTarget(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : undefined;
  } catch {
    return undefined;
  }
}

/** Points the symlink `path` at `target` by renaming a fresh symlink over it: rename(2) replaces atomically, so
 *  a service start at any moment finds the old target or the new one. */
export function pointSymlink(path: string, target: string): void {
  const temp = `${path}.tmp-${process.pid}`;
  rmSync(temp, { force: true });
  symlinkSync(target, temp);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** `dirs` and the ancestors of each that do not exist (on disk through `place`), parents first, no duplicates. */
export function missingDirs(dirs: readonly string[], place: (path: string) => string, parent: (path: string) => string): string[] {
  const missing: string[] = [];
  for (const dir of dirs) {
    const chain: string[] = [];
    for (let d = dir; !existsSync(place(d)); d = parent(d)) {
      chain.unshift(d);
      if (parent(d) === d) break;
    }
    for (const d of chain) if (!missing.includes(d)) missing.push(d);
  }
  return missing;
}

export function makeDir(path: string, mode: number): void {
  mkdirSync(path, { recursive: true, mode });
  chmodSync(path, mode);
}

export function readRecord(prefixOnDisk: string): InstallRecord | undefined {
  const file = join(prefixOnDisk, INSTALL_RECORD);
  if (!existsSync(file)) return undefined;
  const record = JSON.parse(readFileSync(file, 'utf8')) as Partial<InstallRecord>;
  return { createdDirs: Array.isArray(record.createdDirs) ? record.createdDirs.filter((d): d is string => typeof d === 'string') : [] };
}

export function recordText(record: InstallRecord): string {
  return JSON.stringify(record, null, 2) + '\n';
}

/** Removes the directory if it is empty; a directory with anything in it (state kept, a file of someone else's)
 *  stays. Whether it went. */
export function removeIfEmpty(path: string): boolean {
  try {
    rmdirSync(path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') return false;
    throw error;
  }
}

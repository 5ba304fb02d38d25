// Fetches official Node binaries from the npm registry into a local cache, once. The tarball is fetched with
// `npm pack` (the ordinary npm client: it honours the user's registry and proxy settings), checked against the
// integrity pinned in targets.ts, and only the node binary is kept. A cached binary is reused without any network.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { NodePackagePin } from './targets.js';
import { readTarEntry } from './tar.js';

const execFileAsync = promisify(execFile);
const NPM_PACK_TIMEOUT_MS = 10 * 60_000;
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Where the binary of `pin` lives in the cache (it may not exist yet). */
export function cachedNodePath(cacheDir: string, pin: NodePackagePin): string {
  const exe = pin.binPath.endsWith('.exe') ? 'node.exe' : 'node';
  return join(cacheDir, `${pin.name}-${pin.version}`, exe);
}

/** `sha512-<base64>` of the bytes, the form npm's `dist.integrity` uses. */
export function integrityOf(bytes: Buffer): string {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

/**
 * Returns the path of the cached node binary of `pin`, downloading and verifying it first if needed.
 * The binary appears in the cache only after its tarball's integrity matched, so a cached file is trusted.
 */
export async function ensureNodeBinary(cacheDir: string, pin: NodePackagePin, log: (line: string) => void): Promise<string> {
  const target = cachedNodePath(cacheDir, pin);
  if (await exists(target)) return target;

  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, '.fetch-'));
  try {
    log(`fetching ${pin.name}@${pin.version} from the npm registry`);
    const tarball = await npmPack(pin, work);
    const bytes = await readFile(tarball);
    const actual = integrityOf(bytes);
    if (actual !== pin.integrity) {
      throw new Error(`${pin.name}@${pin.version}: integrity mismatch (expected ${pin.integrity}, got ${actual})`);
    }
    const binary = readTarEntry(gunzipSync(bytes), pin.binPath);
    if (!binary) throw new Error(`${pin.name}@${pin.version}: tarball has no ${pin.binPath}`);
    const tmp = join(work, 'node.tmp');
    await writeFile(tmp, binary);
    await chmod(tmp, 0o755);
    await mkdir(join(target, '..'), { recursive: true });
    await rename(tmp, target); // atomic: a half-written binary is never seen as cached
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function npmPack(pin: NodePackagePin, dir: string): Promise<string> {
  const { stdout } = await execFileAsync(NPM, ['pack', `${pin.name}@${pin.version}`, '--pack-destination', dir, '--json', '--silent'], {
    cwd: dir,
    timeout: NPM_PACK_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
    shell: process.platform === 'win32',
  });
  const report = JSON.parse(stdout) as Array<{ filename: string }>;
  const fileName = report[0]?.filename;
  if (!fileName) throw new Error(`npm pack ${pin.name}@${pin.version} reported no file`);
  return join(dir, fileName);
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

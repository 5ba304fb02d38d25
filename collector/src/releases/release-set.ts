// The releases in releases.dir: every <dir>/<version>/manifest.json, read at start and on SIGHUP.
//
// Two kinds of trouble, treated differently:
//  1. a manifest that does not parse or validate is a bad edit: loadReleases throws (ConfigError naming the file
//     and the field), so the collector does not start, or a reload keeps the releases in force;
//  2. a release whose files are missing, differ from their manifest (size, SHA-256) or whose signature does not
//     verify with releases.publicKey is refused: never offered nor served, with the reason kept for the log and
//     GET /api/v1/updates. A directory without a manifest yet (an upload in progress) is refused the same way.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { ConfigError } from '../errors.js';
import type { HashCache } from './file-hash.js';
import { MANIFEST_FILE, parseManifest, type Manifest } from './manifest.js';
import { verifyRelease } from './signature.js';
import { SERVICE_HOST_FILE, type Target } from './targets.js';
import { compareVersions, isVersion } from './versions.js';

/** A file the collector serves: where it is and what a client checks it against. */
export interface ReleaseFile {
  path: string;
  file: string;
  sha256: string;
  bytes: number;
}

export interface ReleaseExecutable extends ReleaseFile {
  target: Target;
  signature: Buffer;
}

export interface Release {
  version: string;
  created: string;
  executables: ReadonlyMap<Target, ReleaseExecutable>;
  /** WinSW for Windows installs: from the manifest's serviceHost, else watchpost-agent-service.exe if present. */
  serviceHost: ReleaseFile | null;
  /** Whether every signature was checked against releases.publicKey (false: no key configured). */
  verified: boolean;
}

export interface RefusedRelease {
  version: string;
  reason: string;
}

export interface ReleaseSet {
  get(version: string): Release | undefined;
  /** The highest version (semver precedence), if any. */
  newest(): Release | undefined;
  /** Newest first. */
  list(): readonly Release[];
  refused: readonly RefusedRelease[];
}

export const NO_RELEASES: ReleaseSet = { get: () => undefined, newest: () => undefined, list: () => [], refused: [] };

export interface LoadOptions {
  dir: string;
  /** releases.publicKey, loaded; null: signatures are left to the agents. */
  publicKey: KeyObject | null;
  hashes: HashCache;
}

class Refusal extends Error {}

/** The file as it is on disk, checked against what the manifest says of it. */
function checkedFile(dir: string, entry: { file: string; sha256: string; bytes: number }, hashes: HashCache): ReleaseFile {
  const path = join(dir, entry.file);
  const found = hashes.digest(path);
  if (!found) throw new Refusal(`${entry.file} is missing`);
  if (found.bytes !== entry.bytes) throw new Refusal(`${entry.file} has ${found.bytes} bytes, the manifest says ${entry.bytes}`);
  if (found.sha256 !== entry.sha256) throw new Refusal(`${entry.file} has SHA-256 ${found.sha256}, the manifest says ${entry.sha256}`);
  return { path, file: entry.file, sha256: entry.sha256, bytes: entry.bytes };
}

function serviceHostOf(dir: string, manifest: Manifest, hashes: HashCache): ReleaseFile | null {
  if (manifest.serviceHost) return checkedFile(dir, manifest.serviceHost, hashes);
  const path = join(dir, SERVICE_HOST_FILE);
  const found = hashes.digest(path);
  return found ? { path, file: SERVICE_HOST_FILE, ...found } : null;
}

/** The release, or a Refusal saying why it cannot be offered. */
function checkRelease(dir: string, manifest: Manifest, options: LoadOptions): Release {
  const executables = new Map<Target, ReleaseExecutable>();
  for (const entry of manifest.executables) {
    if (options.publicKey && !verifyRelease(options.publicKey, manifest.version, entry.target, entry.sha256, entry.signature)) {
      throw new Refusal(`the signature of ${entry.target} does not verify with releases.publicKey`);
    }
    executables.set(entry.target, { ...checkedFile(dir, entry, options.hashes), target: entry.target, signature: entry.signature });
  }
  return {
    version: manifest.version,
    created: manifest.created,
    executables,
    serviceHost: serviceHostOf(dir, manifest, options.hashes),
    verified: options.publicKey !== null,
  };
}

function readManifest(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError(`${path}: cannot read: ${(error as Error).message}`);
  }
}

/** Reads every release under dir. Throws ConfigError for an unreadable dir or a malformed manifest. */
export function loadReleases(options: LoadOptions): ReleaseSet {
  let names: string[];
  try {
    names = readdirSync(options.dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch (error) {
    throw new ConfigError(`releases.dir: cannot read ${options.dir}: ${(error as Error).message}`);
  }
  const releases: Release[] = [];
  const refused: RefusedRelease[] = [];
  // Other directories (keys, staging areas) are not releases and are left alone.
  for (const version of names.filter(isVersion)) {
    const dir = join(options.dir, version);
    const file = join(dir, MANIFEST_FILE);
    const text = readManifest(file);
    if (text === null) {
      refused.push({ version, reason: `no ${MANIFEST_FILE}` });
      continue;
    }
    const manifest = parseManifest(text, file, version);
    try {
      releases.push(checkRelease(dir, manifest, options));
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      refused.push({ version, reason: error.message });
    }
  }
  releases.sort((a, b) => compareVersions(b.version, a.version));
  const byVersion = new Map(releases.map((r) => [r.version, r]));
  return { get: (version) => byVersion.get(version), newest: () => releases[0], list: () => releases, refused };
}

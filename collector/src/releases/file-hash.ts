// SHA-256 of release files, computed once per file version: a reload re-hashes only files whose identity (inode,
// size, modification time) changed, so SIGHUP stays cheap with many releases of ~100 MB executables on disk.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';

const CHUNK_BYTES = 1024 * 1024;

export interface FileDigest {
  sha256: string;
  bytes: number;
}

export interface HashCache {
  /** The file's digest and size, or null when it is missing or not a regular file. */
  digest(path: string): FileDigest | null;
}

function hashFile(path: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

export function createHashCache(): HashCache {
  const known = new Map<string, { identity: string; digest: FileDigest }>();
  return {
    digest(path) {
      let stat;
      try {
        stat = statSync(path);
      } catch {
        return null;
      }
      if (!stat.isFile()) return null;
      const identity = `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
      const cached = known.get(path);
      if (cached?.identity === identity) return cached.digest;
      const digest = { sha256: hashFile(path), bytes: stat.size };
      known.set(path, { identity, digest });
      return digest;
    },
  };
}

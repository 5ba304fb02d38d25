// Builds release directories as scripts/release-sign.ts lays them out (manifest.json and the files beside it), with
// real Ed25519 signatures from a key generated here, for the collector's release tests.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseSigningMessage } from '../../../collector/src/releases/signature.js';
import { SERVICE_HOST_FILE, type Target } from '../../../collector/src/releases/targets.js';

export interface ReleaseKey {
  privateKey: KeyObject;
  /** SPKI PEM written to a file, as releases.publicKey takes it. */
  publicKeyFile: string;
}

export function releaseKey(dir = mkdtempSync(join(tmpdir(), 'wp-key-'))): ReleaseKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyFile = join(dir, 'release-key.pub');
  writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  return { privateKey, publicKeyFile };
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

export const fileNameOf = (target: Target): string => `watchpost-agent-${target}${target.startsWith('win') ? '.exe' : ''}`;

export interface ReleaseSpec {
  version: string;
  /** Each target's executable bytes. */
  files: Partial<Record<Target, Buffer | string>>;
  /** Signs with this key (default: a throwaway key, i.e. a signature no configured key accepts). */
  key?: KeyObject;
  /** Writes watchpost-agent-service.exe beside the executables. */
  serviceHost?: Buffer | string;
  /** Edits the manifest object before it is written. */
  edit?: (manifest: Record<string, unknown>) => void;
}

const THROWAWAY = generateKeyPairSync('ed25519').privateKey;

/** Writes <root>/<version>/ with its files and a signed manifest; returns the release directory. */
export function writeRelease(root: string, spec: ReleaseSpec): string {
  const dir = join(root, spec.version);
  mkdirSync(dir, { recursive: true });
  const executables: Record<string, unknown> = {};
  for (const [target, data] of Object.entries(spec.files) as [Target, Buffer | string][]) {
    const file = fileNameOf(target);
    writeFileSync(join(dir, file), data, { mode: 0o755 });
    const hash = sha256(data);
    const signature = sign(null, releaseSigningMessage(spec.version, target, hash), spec.key ?? THROWAWAY).toString('base64');
    executables[target] = { file, sha256: hash, bytes: Buffer.byteLength(data), signature };
  }
  if (spec.serviceHost !== undefined) writeFileSync(join(dir, SERVICE_HOST_FILE), spec.serviceHost);
  const manifest: Record<string, unknown> = { version: spec.version, created: '2025-01-31T12:00:00.000Z', executables };
  spec.edit?.(manifest);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix));

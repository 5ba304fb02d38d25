// The release signature: Ed25519 (node:crypto) over one fixed message per executable. The message is the
// contract with scripts/release-sign.ts and the agent (agent/src/update/signature.ts keeps its own copy: agent and
// collector never import each other; a test holds the bytes to the documented form).
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

export const SIGNATURE_BYTES = 64;

/** UTF-8 `watchpost-release v1\n<version>\n<target>\n<sha256 lowercase hex>\n`. */
export function releaseSigningMessage(version: string, target: string, sha256: string): Buffer {
  return Buffer.from(`watchpost-release v1\n${version}\n${target}\n${sha256.toLowerCase()}\n`, 'utf8');
}

/** Whether `signature` is the release key's Ed25519 signature of this executable. Never throws. */
export function verifyRelease(key: KeyObject, version: string, target: string, sha256: string, signature: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES) return false;
  try {
    return verify(null, releaseSigningMessage(version, target, sha256), key, signature);
  } catch {
    return false;
  }
}

/** Reads releases.publicKey (SPKI PEM of an Ed25519 key); throws ConfigError naming the key and the file. */
export function loadReleasePublicKey(file: string): KeyObject {
  let key: KeyObject;
  try {
    const pem = readFileSync(file, 'utf8');
    // createPublicKey would derive the public half of a private key: the signing key must never sit here.
    if (pem.includes('PRIVATE KEY')) throw new Error('this is a private key; give the release-key.pub file');
    key = createPublicKey(pem);
  } catch (error) {
    throw new ConfigError(`releases.publicKey: ${file}: not a readable public key: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ConfigError(`releases.publicKey: ${file}: expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  return key;
}

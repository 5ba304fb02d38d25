// The release signature: Ed25519 (node:crypto) over one fixed message per executable, made by
// scripts/release-sign.ts with the release key and checked here against the public key the build embedded.
// The message is the contract between the signer, the collector (which keeps its own copy) and the agent:
//   UTF-8 `watchpost-release v1\n<version>\n<target>\n<sha256 lowercase hex>\n`
// It binds the version and the target too, so a genuine executable cannot be offered as another version (a
// downgrade to a known-bad one) or to another platform.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

export const SIGNATURE_BYTES = 64;
const SHA256_HEX = /^[0-9a-f]{64}$/i;

export function releaseSigningMessage(version: string, target: string, sha256: string): Buffer {
  return Buffer.from(`watchpost-release v1\n${version}\n${target}\n${sha256.toLowerCase()}\n`, 'utf8');
}

/** What an offer (or a manifest entry) claims about one executable. */
export interface SignedRelease {
  version: string;
  target: string;
  /** Hex SHA-256 the offer announces. */
  sha256: string;
  signature: Uint8Array;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/**
 * Whether the file whose SHA-256 is `sha256OfFile` is the release `offer` describes, signed with `publicKey`: the
 * hash must equal the offered one and the signature must verify over the message built from the file's own hash.
 * A value, never an exception: every failure is a reason for the log and the report.
 */
export function verifyRelease(offer: SignedRelease, sha256OfFile: string, publicKey: KeyObject): Verdict {
  if (!SHA256_HEX.test(offer.sha256)) return { ok: false, reason: 'the offered sha256 is not a hex SHA-256' };
  if (sha256OfFile.toLowerCase() !== offer.sha256.toLowerCase()) {
    return { ok: false, reason: `sha256 mismatch: offered ${offer.sha256.toLowerCase()}, file has ${sha256OfFile.toLowerCase()}` };
  }
  if (offer.signature.length !== SIGNATURE_BYTES) {
    return { ok: false, reason: `signature is ${offer.signature.length} bytes, an Ed25519 signature has ${SIGNATURE_BYTES}` };
  }
  try {
    if (verify(null, releaseSigningMessage(offer.version, offer.target, sha256OfFile), publicKey, offer.signature)) return { ok: true };
  } catch (error) {
    return { ok: false, reason: `signature check failed: ${(error as Error).message}` };
  }
  return { ok: false, reason: 'signature does not verify with the release key' };
}

/** An Ed25519 public key from SPKI PEM (release-key.pub). Throws Error saying why not; a private key is refused so
 *  that the signing key never ends up embedded in an executable. */
export function parseReleasePublicKey(pem: string): KeyObject {
  if (pem.includes('PRIVATE KEY')) throw new Error('this is a private key; give the public key (release-key.pub)');
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

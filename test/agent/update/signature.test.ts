// The release signature as the agent checks it: Ed25519 over the documented message, bound to version, target and
// the file's hash. Keys are generated per run with node:crypto; the signatures are made the way release-sign makes
// them (sign(null, message, privateKey)).
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseReleasePublicKey, releaseSigningMessage, verifyRelease, type SignedRelease } from '../../../agent/src/update/signature.js';
import { NO_RELEASE_KEY, embeddedReleaseKeyPem, releaseKey } from '../../../agent/src/update/release-key.js';

const release = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const SHA = 'ab'.repeat(32);
const signed = (version: string, target: string, sha256: string, key = release.privateKey): SignedRelease => ({
  version: '0.2.0',
  target: 'linux-x64',
  sha256: SHA,
  signature: sign(null, releaseSigningMessage(version, target, sha256), key),
});

describe('releaseSigningMessage', () => {
  it('is the documented UTF-8 text with the hash in lower case', () => {
    expect(releaseSigningMessage('0.2.0', 'win-x64', 'AB'.repeat(32)).toString('utf8')).toBe(`watchpost-release v1\n0.2.0\nwin-x64\n${'ab'.repeat(32)}\n`);
  });
});

describe('verifyRelease', () => {
  const good = signed('0.2.0', 'linux-x64', SHA);
  it.each<[string, SignedRelease, string, string | null]>([
    ['a valid signature over the file hash', good, SHA, null],
    ['the same, hashes in upper case', { ...good, sha256: SHA.toUpperCase() }, SHA.toUpperCase(), null],
    ['a file other than the offered one (tampered)', good, 'cd'.repeat(32), 'sha256 mismatch'],
    ['an offer whose sha256 was changed to the tampered file', { ...good, sha256: 'cd'.repeat(32) }, 'cd'.repeat(32), 'does not verify'],
    ['a signature made for another version', { ...signed('0.3.0', 'linux-x64', SHA) }, SHA, 'does not verify'],
    ['a signature made for another target', { ...signed('0.2.0', 'win-x64', SHA) }, SHA, 'does not verify'],
    ['a signature by another key', signed('0.2.0', 'linux-x64', SHA, other.privateKey), SHA, 'does not verify'],
    ['a truncated signature', { ...good, signature: good.signature.subarray(0, 63) }, SHA, '63 bytes'],
    ['no signature', { ...good, signature: new Uint8Array() }, SHA, '0 bytes'],
    ['an offered sha256 that is not hex', { ...good, sha256: 'zz'.repeat(32) }, 'zz'.repeat(32), 'not a hex SHA-256'],
  ])('%s', (_name, offer, fileSha, failure) => {
    const verdict = verifyRelease(offer, fileSha, release.publicKey);
    if (failure === null) expect(verdict).toEqual({ ok: true });
    else expect(verdict.ok === false && verdict.reason).toContain(failure);
  });

  it('a flipped bit anywhere in the signature fails', () => {
    for (const index of [0, 31, 63]) {
      const signature = Buffer.from(good.signature);
      signature[index]! ^= 1;
      expect(verifyRelease({ ...good, signature }, SHA, release.publicKey).ok).toBe(false);
    }
  });
});

describe('release keys', () => {
  const pub = release.publicKey.export({ type: 'spki', format: 'pem' }).toString();

  it('parses an Ed25519 SPKI PEM and refuses a private key or another algorithm', () => {
    expect(parseReleasePublicKey(pub).asymmetricKeyType).toBe('ed25519');
    expect(() => parseReleasePublicKey(release.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).toThrow(/private key/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => parseReleasePublicKey(rsa)).toThrow(/expected an Ed25519 key, got rsa/);
  });

  it('a run from source embeds none and refuses with the documented reason; a bad embedded key refuses too', () => {
    expect(embeddedReleaseKeyPem()).toBeUndefined();
    expect(releaseKey()).toEqual({ key: null, reason: NO_RELEASE_KEY });
    expect(releaseKey(pub).key?.asymmetricKeyType).toBe('ed25519');
    const broken = releaseKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');
    expect(broken.key === null && broken.reason).toMatch(/^the embedded release key is unusable/);
  });
});

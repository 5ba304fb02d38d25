// The release signature message is one contract between the signer, the agent and the collector, which each keep
// a copy: the bytes are pinned here to the documented form, and the collector's copy to the agent's. Verification
// runs with real generated Ed25519 keys.
import { generateKeyPairSync, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadReleasePublicKey, releaseSigningMessage, verifyRelease } from '../../../collector/src/releases/signature.js';
import { releaseSigningMessage as agentMessage } from '../../../agent/src/update/signature.js';
import { releaseKey, tempDir } from './release-fixture.js';

const HASH = 'AB'.repeat(32);

describe('release signatures', () => {
  it('signs the documented message, the same bytes as the agent builds', () => {
    const message = releaseSigningMessage('0.2.0', 'linux-x64', HASH);
    expect(message.toString('utf8')).toBe(`watchpost-release v1\n0.2.0\nlinux-x64\n${'ab'.repeat(32)}\n`);
    expect(message.equals(agentMessage('0.2.0', 'linux-x64', HASH))).toBe(true);
  });

  it('verifies a real Ed25519 signature and nothing else', () => {
    const key = releaseKey();
    const publicKey = loadReleasePublicKey(key.publicKeyFile);
    const signature = sign(null, releaseSigningMessage('0.2.0', 'win-x64', HASH), key.privateKey);
    expect(verifyRelease(publicKey, '0.2.0', 'win-x64', HASH, signature)).toBe(true);
    // The version and the target are bound: the same signature does not pass for another of either.
    expect(verifyRelease(publicKey, '0.1.0', 'win-x64', HASH, signature)).toBe(false);
    expect(verifyRelease(publicKey, '0.2.0', 'linux-x64', HASH, signature)).toBe(false);
    expect(verifyRelease(publicKey, '0.2.0', 'win-x64', 'cd'.repeat(32), signature)).toBe(false);
    const other = sign(null, releaseSigningMessage('0.2.0', 'win-x64', HASH), generateKeyPairSync('ed25519').privateKey);
    expect(verifyRelease(publicKey, '0.2.0', 'win-x64', HASH, other)).toBe(false);
    expect(verifyRelease(publicKey, '0.2.0', 'win-x64', HASH, signature.subarray(0, 63))).toBe(false);
  });

  it('refuses a public key file that is missing, private, or not Ed25519, naming the key', () => {
    const dir = tempDir('wp-keys-');
    expect(() => loadReleasePublicKey(join(dir, 'absent.pub'))).toThrow(/^releases\.publicKey: .*absent\.pub: not a readable public key/);
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(join(dir, 'private.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => loadReleasePublicKey(join(dir, 'private.pem'))).toThrow(/this is a private key/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    writeFileSync(join(dir, 'rsa.pub'), rsa.export({ type: 'spki', format: 'pem' }));
    expect(() => loadReleasePublicKey(join(dir, 'rsa.pub'))).toThrow(/expected an Ed25519 key, got rsa/);
  });
});

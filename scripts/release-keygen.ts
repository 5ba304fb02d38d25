// Makes the release signing key: an Ed25519 key pair, the private half for scripts/release-sign.ts and
// the public half for the agent build (`scripts/build-agent.ts --release-key release-key.pub`) and the collector
// (`releases.publicKey`).
//
//   npx tsx scripts/release-keygen.ts --out DIR
//
// Writes DIR/release-key.pem (PKCS#8 PEM, mode 0600) and DIR/release-key.pub (SPKI PEM). Refuses to overwrite
// either: a new key pair orphans every agent built with the old public key (they would refuse every update).
// Keep the private key offline; whoever holds it can push code to every endpoint of every tenant.
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { publicKeyFingerprint } from './release-sign.js';

export const PRIVATE_KEY_FILE = 'release-key.pem';
export const PUBLIC_KEY_FILE = 'release-key.pub';

export interface GeneratedKey {
  privateKeyPath: string;
  publicKeyPath: string;
  publicKeyPem: string;
}

/** Writes a new key pair into `outDir` (created 0700 if missing). Throws if either file exists. */
export function generateReleaseKey(outDir: string): GeneratedKey {
  const privateKeyPath = join(outDir, PRIVATE_KEY_FILE);
  const publicKeyPath = join(outDir, PUBLIC_KEY_FILE);
  const existing = [privateKeyPath, publicKeyPath].filter((p) => existsSync(p));
  if (existing.length > 0)
    throw new Error(`refusing to overwrite ${existing.join(' and ')}: agents built with that key would refuse every update signed with a new one`);
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  // 'wx': fails rather than replace a file that appeared since the check.
  writeFileSync(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  chmodSync(privateKeyPath, 0o600);
  writeFileSync(publicKeyPath, publicKeyPem, { mode: 0o644, flag: 'wx' });
  return { privateKeyPath, publicKeyPath, publicKeyPem };
}

function main(): number {
  let out: string | undefined;
  try {
    out = parseArgs({ args: process.argv.slice(2), options: { out: { type: 'string' } }, strict: true }).values.out;
  } catch (error) {
    console.error(`release-keygen: ${(error as Error).message}`);
    return 2;
  }
  if (!out) {
    console.error('usage: release-keygen --out DIR');
    return 2;
  }
  const key = generateReleaseKey(resolve(out));
  console.log(`private key ${key.privateKeyPath} (0600: keep it offline, never on the collector)`);
  console.log(`public key  ${key.publicKeyPath} (sha256 ${publicKeyFingerprint(key.publicKeyPem)})`);
  console.log('build agents with: npx tsx scripts/build-agent.ts --version X --release-key ' + key.publicKeyPath);
  console.log('collector config:  releases.publicKey: ' + key.publicKeyPath);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main();
  } catch (error) {
    console.error(`release-keygen: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}

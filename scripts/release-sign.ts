// Signs a release of the agent executables into the layout the collector serves (`releases.dir`):
//
//   npx tsx scripts/release-sign.ts --key release-key.pem --version X [--from dist/bin] [--out releases]
//
// writes <out>/<version>/ with a copy of every executable found in --from (named as scripts/build/targets.ts names
// them), and manifest.json:
//   { "version": "0.2.0", "created": ISO, "executables": { "<target>": { "file", "sha256", "bytes", "signature" } },
//     "serviceHost": { "file", "sha256", "bytes" } }           // only with a win-x64 executable
// Each signature is Ed25519 over releaseSigningMessage(version, target, sha256) (agent/src/update/signature.ts, the
// function the agent verifies with), made over the hash of the copy, and checked with the public key derived from
// the private one before anything is written. A Windows release also carries WinSW (from the node-windows package)
// as watchpost-agent-service.exe: not ours to sign, checked by its sha256 in the deployment script.
//
// Safety: the release directory is assembled beside the final one and renamed into place, so the collector never
// reads half a release; an existing release is never overwritten (agents remember versions, so a version's bytes
// must not change); the executable that runs here must print `watchpost-agent <version>` (a build made without
// --version X would fail every agent's smoke test); the private key is never printed.
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { releaseSigningMessage, verifyRelease } from '../agent/src/update/signature.js';
import { smokeTest } from '../agent/src/update/smoke.js';
import { agentTarget } from '../agent/src/update/target.js';
import { isReleaseVersion } from '../agent/src/update/versions.js';
import { ALL_TARGETS, TARGETS, type Target } from './build/targets.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_FROM = join(REPO_ROOT, 'dist/bin');
export const DEFAULT_OUT = join(REPO_ROOT, 'releases');
export const WINSW_SOURCE = join(REPO_ROOT, 'node_modules/node-windows/bin/winsw/winsw.exe');
export const SERVICE_HOST_FILE = 'watchpost-agent-service.exe';
export const MANIFEST_FILE = 'manifest.json';

export interface ManifestEntry {
  file: string;
  sha256: string;
  bytes: number;
  /** base64 of the 64-byte Ed25519 signature. */
  signature: string;
}

export interface ReleaseManifest {
  version: string;
  created: string;
  executables: Partial<Record<Target, ManifestEntry>>;
  serviceHost?: { file: string; sha256: string; bytes: number };
}

export interface SignOptions {
  keyFile: string;
  version: string;
  from?: string;
  out?: string;
  /** WinSW to ship with a win-x64 executable. */
  winsw?: string;
  log?: (line: string) => void;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** SHA-256 of the key's SPKI DER, hex: to compare the key a build embeds with the collector's releases.publicKey. */
export function publicKeyFingerprint(key: KeyObject | string): string {
  const object = typeof key === 'string' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(object.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** The Ed25519 private key in `file`; errors name the file, never its content. */
async function loadPrivateKey(file: string): Promise<KeyObject> {
  let key: KeyObject;
  try {
    key = createPrivateKey(await readFile(file));
  } catch (error) {
    throw new Error(`--key ${file}: not a readable private key (${(error as NodeJS.ErrnoException).code ?? 'unparsable'})`, { cause: error });
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`--key ${file}: expected an Ed25519 key (release-keygen), got ${key.asymmetricKeyType ?? 'unknown'}`);
  return key;
}

/** Signs the executables found in `from` into `<out>/<version>/`; returns that directory and the manifest. */
export async function signRelease(options: SignOptions): Promise<{ dir: string; manifest: ReleaseManifest }> {
  const log = options.log ?? ((line: string) => console.log(line));
  const { version } = options;
  if (!isReleaseVersion(version)) throw new Error(`--version: "${version}" is not a release version (MAJOR.MINOR.PATCH[-pre][+build])`);
  const from = resolve(options.from ?? DEFAULT_FROM);
  const out = resolve(options.out ?? DEFAULT_OUT);
  const privateKey = await loadPrivateKey(options.keyFile);
  const publicKey = createPublicKey(privateKey);
  const found = ALL_TARGETS.filter((t) => existsSync(join(from, TARGETS[t].fileName)));
  if (found.length === 0) throw new Error(`no agent executables in ${from} (expected ${ALL_TARGETS.map((t) => TARGETS[t].fileName).join(', ')})`);
  const host = agentTarget(process.platform, process.arch);
  if (host && found.includes(host)) {
    const smoke = await smokeTest(join(from, TARGETS[host].fileName), version);
    if (!smoke.ok) throw new Error(`${smoke.reason}; build with: npx tsx scripts/build-agent.ts --version ${version} --release-key release-key.pub`);
  }
  const dir = join(out, version);
  if (existsSync(dir)) throw new Error(`${dir} exists: a release is never overwritten (agents remember versions); pick a new version`);
  const partial = join(out, `.${version}.partial-${process.pid}`);
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  try {
    const manifest: ReleaseManifest = { version, created: new Date().toISOString(), executables: {} };
    for (const target of found) {
      const file = TARGETS[target].fileName;
      await copyFile(join(from, file), join(partial, file));
      const sha256 = await sha256File(join(partial, file)); // the bytes served, not the ones copied from
      const signature = sign(null, releaseSigningMessage(version, target, sha256), privateKey);
      const verdict = verifyRelease({ version, target, sha256, signature }, sha256, publicKey);
      if (!verdict.ok) throw new Error(`${file}: the new signature does not verify: ${verdict.reason}`);
      const { size } = await stat(join(partial, file));
      manifest.executables[target] = { file, sha256, bytes: size, signature: signature.toString('base64') };
      log(`${target.padEnd(12)} ${file}  ${size} bytes  sha256 ${sha256}`);
    }
    if (found.includes('win-x64')) {
      const winsw = options.winsw ?? WINSW_SOURCE;
      await copyFile(winsw, join(partial, SERVICE_HOST_FILE));
      const { size } = await stat(join(partial, SERVICE_HOST_FILE));
      manifest.serviceHost = { file: SERVICE_HOST_FILE, sha256: await sha256File(join(partial, SERVICE_HOST_FILE)), bytes: size };
      log(`${'service'.padEnd(12)} ${SERVICE_HOST_FILE}  ${size} bytes  (WinSW from ${winsw}, not signed by us)`);
    }
    await writeFile(join(partial, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    await rename(partial, dir);
    log(`release ${version} in ${dir}, signed by the key with public sha256 ${publicKeyFingerprint(publicKey)}`);
    return { dir, manifest };
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}

/** Parses the CLI; the options or an error message. Pure. */
export function parseSignCli(argv: readonly string[]): { options: SignOptions } | { error: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { key: { type: 'string' }, version: { type: 'string' }, from: { type: 'string' }, out: { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (!values.key || !values.version) return { error: 'usage: release-sign --key release-key.pem --version X [--from dist/bin] [--out releases]' };
  const options: SignOptions = { keyFile: values.key, version: values.version };
  if (values.from) options.from = values.from;
  if (values.out) options.out = values.out;
  return { options };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cli = parseSignCli(process.argv.slice(2));
  if ('error' in cli) {
    console.error(`release-sign: ${cli.error}`);
    process.exitCode = 2;
  } else {
    signRelease(cli.options).catch((error: unknown) => {
      console.error(`release-sign: ${(error as Error).message}`);
      process.exitCode = 1;
    });
  }
}

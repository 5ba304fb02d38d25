// The release scripts end to end on real files: release-keygen makes the key pair, release-sign signs stand-in
// executables into <out>/<version>/, the agent's verifyRelease accepts every signature with the public key, and
// the collector's own release loader (collector/src/releases) accepts the release as verified: the two sides of
// the manifest contract checked against each other. The CLIs run once each through tsx for their output.
import { execFile } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyRelease } from '../../../agent/src/update/signature.js';
import { PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, generateReleaseKey } from '../../../scripts/release-keygen.js';
import { SERVICE_HOST_FILE, WINSW_SOURCE, parseSignCli, signRelease, type ReleaseManifest } from '../../../scripts/release-sign.js';
import { createHashCache } from '../../../collector/src/releases/file-hash.js';
import { loadReleases } from '../../../collector/src/releases/release-set.js';
import { loadReleasePublicKey } from '../../../collector/src/releases/signature.js';
import { executableScript } from './helpers.js';

const execFileAsync = promisify(execFile);
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

let root = '';
let keys = '';
let from = '';
let out = '';
const lines: string[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'watchpost-release-'));
  keys = join(root, 'keys');
  from = join(root, 'dist/bin');
  out = join(root, 'releases');
  mkdirSync(from, { recursive: true });
  lines.length = 0;
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** dist/bin as the build leaves it: linux-x64 runs here (a script), the others are bytes. */
function distBin(version: string, targets = ['linux-x64', 'win-x64', 'darwin-arm64']): void {
  const names: Record<string, string> = {
    'linux-x64': 'watchpost-agent-linux-x64',
    'win-x64': 'watchpost-agent-win-x64.exe',
    'darwin-arm64': 'watchpost-agent-darwin-arm64',
  };
  for (const target of targets) {
    writeFileSync(join(from, names[target]!), target === 'linux-x64' ? executableScript(version) : `MZ stand-in for ${target} ${version}`, { mode: 0o755 });
  }
}

describe('release-keygen', () => {
  it('writes an Ed25519 pair, the private key 0600, and refuses to overwrite either file', () => {
    const key = generateReleaseKey(keys);
    expect(statSync(key.privateKeyPath).mode & 0o777).toBe(0o600);
    expect(createPublicKey(readFileSync(key.privateKeyPath)).export({ type: 'spki', format: 'pem' })).toBe(readFileSync(key.publicKeyPath, 'utf8'));
    expect(createPublicKey(key.publicKeyPem).asymmetricKeyType).toBe('ed25519');
    const before = readFileSync(key.privateKeyPath);
    expect(() => generateReleaseKey(keys)).toThrow(/refusing to overwrite/);
    rmSync(key.privateKeyPath);
    expect(() => generateReleaseKey(keys)).toThrow(new RegExp(`refusing to overwrite .*${PUBLIC_KEY_FILE}`));
    expect(existsSync(key.privateKeyPath)).toBe(false); // nothing written by the refused run
    expect(before.length).toBeGreaterThan(0);
  });
});

describe('release-sign', () => {
  it('signs every executable into <out>/<version>/ with WinSW beside the Windows one, verifiable by agent and collector', async () => {
    const key = generateReleaseKey(keys);
    distBin('0.2.0');
    const { dir, manifest } = await signRelease({ keyFile: key.privateKeyPath, version: '0.2.0', from, out, log: (l) => lines.push(l) });
    expect(dir).toBe(join(out, '0.2.0'));
    expect(readdirSync(out)).toEqual(['0.2.0']); // no staging directory left
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))).toEqual(manifest);
    expect(Object.keys(manifest.executables).sort()).toEqual(['darwin-arm64', 'linux-x64', 'win-x64']);
    const publicKey = createPublicKey(key.publicKeyPem);
    for (const [target, entry] of Object.entries(manifest.executables)) {
      expect(readFileSync(join(dir, entry.file))).toEqual(readFileSync(join(from, entry.file)));
      expect(entry.sha256).toBe(sha256(join(dir, entry.file)));
      expect(entry.bytes).toBe(statSync(join(dir, entry.file)).size);
      const signature = Buffer.from(entry.signature, 'base64');
      expect(verifyRelease({ version: '0.2.0', target, sha256: entry.sha256, signature }, entry.sha256, publicKey)).toEqual({ ok: true });
      expect(verifyRelease({ version: '0.2.1', target, sha256: entry.sha256, signature }, entry.sha256, publicKey).ok).toBe(false);
    }
    expect(manifest.serviceHost).toEqual({ file: SERVICE_HOST_FILE, sha256: sha256(WINSW_SOURCE), bytes: statSync(WINSW_SOURCE).size });
    expect(readFileSync(join(dir, SERVICE_HOST_FILE))).toEqual(readFileSync(WINSW_SOURCE));

    const releases = loadReleases({ dir: out, publicKey: loadReleasePublicKey(key.publicKeyPath), hashes: createHashCache() });
    expect(releases.refused).toEqual([]);
    expect(releases.get('0.2.0')).toMatchObject({ version: '0.2.0', verified: true });
    expect([...releases.get('0.2.0')!.executables.keys()].sort()).toEqual(['darwin-arm64', 'linux-x64', 'win-x64']);
  });

  it('a release without a Windows executable carries no service host', async () => {
    const key = generateReleaseKey(keys);
    distBin('0.2.0', ['linux-x64']);
    const { dir, manifest } = await signRelease({ keyFile: key.privateKeyPath, version: '0.2.0', from, out, log: () => {} });
    expect(manifest).not.toHaveProperty('serviceHost');
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'watchpost-agent-linux-x64']);
  });

  it.each<[string, (keyFile: string) => Parameters<typeof signRelease>[0], RegExp]>([
    [
      'an executable built for another version (its smoke test)',
      (keyFile) => (distBin('0.1.0'), { keyFile, version: '0.2.0', from, out }),
      /printed "watchpost-agent 0.1.0", expected "watchpost-agent 0.2.0"/,
    ],
    [
      'a release that exists already',
      (keyFile) => (distBin('0.2.0'), mkdirSync(join(out, '0.2.0'), { recursive: true }), { keyFile, version: '0.2.0', from, out }),
      /is never overwritten/,
    ],
    ['no executables', (keyFile) => ({ keyFile, version: '0.2.0', from, out }), /no agent executables/],
    ['a version that is not one', (keyFile) => (distBin('0.2.0'), { keyFile, version: '0.2', from, out }), /not a release version/],
    [
      'the public key given as --key',
      () => (distBin('0.2.0'), { keyFile: join(keys, PUBLIC_KEY_FILE), version: '0.2.0', from, out }),
      /not a readable private key/,
    ],
  ])('refuses %s and writes no release', async (_name, make, error) => {
    const key = generateReleaseKey(keys);
    await expect(signRelease({ ...make(key.privateKeyPath), log: () => {} })).rejects.toThrow(error);
    expect(existsSync(out) ? readdirSync(out).filter((n) => n !== '0.2.0') : []).toEqual([]);
    if (existsSync(join(out, '0.2.0'))) expect(readdirSync(join(out, '0.2.0'))).toEqual([]); // the pre-existing one, untouched
  });

  it('parseSignCli requires --key and --version', () => {
    expect(parseSignCli(['--key', 'k.pem', '--version', '1.0.0', '--from', 'f', '--out', 'o'])).toEqual({
      options: { keyFile: 'k.pem', version: '1.0.0', from: 'f', out: 'o' },
    });
    expect(parseSignCli(['--version', '1.0.0'])).toHaveProperty('error');
    expect(parseSignCli(['--key', 'k', '--version', '1.0.0', '--bogus'])).toHaveProperty('error');
  });

  it('the CLIs: keygen then sign print paths and hashes, never the private key', async () => {
    const script = (name: string) => fileURLToPath(new URL(`../../../scripts/${name}`, import.meta.url));
    const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
    const keygen = await execFileAsync(tsx, [script('release-keygen.ts'), '--out', keys]);
    distBin('0.2.0', ['linux-x64']);
    const sign = await execFileAsync(tsx, [
      script('release-sign.ts'),
      '--key',
      join(keys, PRIVATE_KEY_FILE),
      '--version',
      '0.2.0',
      '--from',
      from,
      '--out',
      out,
    ]);
    const secret = readFileSync(join(keys, PRIVATE_KEY_FILE), 'utf8').split('\n')[1]!; // the base64 body
    for (const output of [keygen.stdout, keygen.stderr, sign.stdout, sign.stderr]) {
      expect(output).not.toContain(secret);
      expect(output).not.toContain('PRIVATE KEY-----');
    }
    const manifest = JSON.parse(readFileSync(join(out, '0.2.0/manifest.json'), 'utf8')) as ReleaseManifest;
    expect(sign.stdout).toContain(manifest.executables['linux-x64']!.sha256);
    const again = await execFileAsync(tsx, [script('release-keygen.ts'), '--out', keys]).catch((e: { code: number; stderr: string }) => e);
    expect(again).toMatchObject({ code: 1, stderr: expect.stringMatching(/refusing to overwrite/) });
  });
});

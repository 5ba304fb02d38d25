// manifest.json parsing (pure) and the release set read from a real directory: malformed manifests are errors that
// name the file and the field; releases whose files or signatures do not hold are refused with the reason.
import { mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../collector/src/releases/manifest.js';
import { loadReleases } from '../../../collector/src/releases/release-set.js';
import { createHashCache } from '../../../collector/src/releases/file-hash.js';
import { loadReleasePublicKey } from '../../../collector/src/releases/signature.js';
import { releaseKey, sha256, tempDir, writeRelease } from './release-fixture.js';

const SIG = Buffer.alloc(64, 7).toString('base64');
const HASH = 'ab'.repeat(32);
const valid = () => ({
  version: '0.2.0',
  created: '2025-01-31T12:00:00Z',
  executables: { 'linux-x64': { file: 'watchpost-agent-linux-x64', sha256: HASH, bytes: 10, signature: SIG } },
});
const parse = (doc: unknown, dir = '0.2.0') => parseManifest(typeof doc === 'string' ? doc : JSON.stringify(doc), 'r/0.2.0/manifest.json', dir);
const edited = (edit: (m: ReturnType<typeof valid> & Record<string, unknown>) => void) => {
  const m = valid() as ReturnType<typeof valid> & Record<string, unknown>;
  edit(m);
  return m;
};

describe('parseManifest', () => {
  it('reads a valid manifest', () => {
    const manifest = parse(valid());
    expect(manifest).toMatchObject({
      version: '0.2.0',
      serviceHost: null,
      executables: [{ target: 'linux-x64', file: 'watchpost-agent-linux-x64', sha256: HASH, bytes: 10 }],
    });
    expect(manifest.executables[0]!.signature).toEqual(Buffer.alloc(64, 7));
  });

  it.each([
    ['not JSON', '{', 'r/0.2.0/manifest.json: not valid JSON'],
    [
      'an unknown target',
      edited((m) => ((m.executables as Record<string, unknown>)['solaris-sparc'] = m.executables['linux-x64'])),
      'r/0.2.0/manifest.json: executables.solaris-sparc: unknown key',
    ],
    [
      'a path as file name',
      edited((m) => (m.executables['linux-x64'].file = '../../etc/passwd')),
      'executables.linux-x64.file: expected a file name beside manifest.json (no path); got "../../etc/passwd"',
    ],
    ['a dot file name', edited((m) => (m.executables['linux-x64'].file = '..')), 'executables.linux-x64.file: expected a file name'],
    [
      'an upper-case hash',
      edited((m) => (m.executables['linux-x64'].sha256 = HASH.toUpperCase())),
      'executables.linux-x64.sha256: expected a lowercase hex SHA-256',
    ],
    [
      'a short signature',
      edited((m) => (m.executables['linux-x64'].signature = Buffer.alloc(32).toString('base64'))),
      'executables.linux-x64.signature: expected base64 of a 64-byte Ed25519 signature',
    ],
    ['zero bytes', edited((m) => (m.executables['linux-x64'].bytes = 0)), 'executables.linux-x64.bytes: Expected integer to be greater or equal to 1'],
    ['no executables', edited((m) => (m.executables = {} as never)), 'executables: Expected object to have at least 1 properties'],
    ['a bad version', edited((m) => (m.version = 'latest')), 'version: expected a release version like 1.2.3; got "latest"'],
    ['a version of another directory', edited((m) => (m.version = '0.3.0')), 'version: "0.3.0" does not match its directory "0.2.0"'],
    ['a bad time', edited((m) => (m.created = 'yesterday')), 'created: expected an ISO 8601 time, got "yesterday"'],
    ['an unknown key', edited((m) => (m.channel = 'beta')), 'channel: unknown key'],
    [
      'a file named twice',
      edited((m) => ((m.executables as Record<string, unknown>)['linux-arm64'] = m.executables['linux-x64'])),
      'executables: "watchpost-agent-linux-x64" is named twice',
    ],
  ])('refuses %s, naming the file and the field', (_what, doc, message) => {
    expect(() => parse(doc)).toThrow(message);
  });
});

describe('loadReleases', () => {
  const load = (dir: string, publicKeyFile?: string) =>
    loadReleases({ dir, publicKey: publicKeyFile ? loadReleasePublicKey(publicKeyFile) : null, hashes: createHashCache() });

  it('reads every version directory, newest first, and ignores other directories', () => {
    const root = tempDir('wp-releases-');
    writeRelease(root, { version: '0.10.0', files: { 'linux-x64': 'ten' } });
    writeRelease(root, { version: '0.9.1', files: { 'linux-x64': 'nine', 'win-x64': 'nine-win' }, serviceHost: 'winsw' });
    mkdirSync(join(root, 'staging'));
    writeFileSync(join(root, 'README'), 'not a release');
    const set = load(root);
    expect(set.list().map((r) => r.version)).toEqual(['0.10.0', '0.9.1']);
    expect(set.newest()?.version).toBe('0.10.0');
    expect(set.refused).toEqual([]);
    const older = set.get('0.9.1')!;
    expect(older.executables.get('win-x64')).toMatchObject({ file: 'watchpost-agent-win-x64.exe', sha256: sha256('nine-win'), bytes: 8 });
    expect(older.serviceHost).toMatchObject({ file: 'watchpost-agent-service.exe', sha256: sha256('winsw'), bytes: 5 });
    expect(set.get('0.10.0')!.serviceHost).toBeNull();
    expect(older.verified).toBe(false);
  });

  it('checks a serviceHost the manifest lists against its hash', () => {
    const root = tempDir('wp-releases-');
    writeRelease(root, {
      version: '0.2.0',
      files: { 'win-x64': 'exe' },
      serviceHost: 'winsw',
      edit: (m) => (m.serviceHost = { file: 'watchpost-agent-service.exe', sha256: sha256('other winsw'), bytes: 5 }),
    });
    expect(load(root).refused).toEqual([
      { version: '0.2.0', reason: `watchpost-agent-service.exe has SHA-256 ${sha256('winsw')}, the manifest says ${sha256('other winsw')}` },
    ]);
  });

  it('refuses releases whose files are missing or differ from the manifest, and keeps the others', () => {
    const root = tempDir('wp-releases-');
    writeRelease(root, { version: '0.1.0', files: { 'linux-x64': 'good' } });
    const missing = writeRelease(root, { version: '0.2.0', files: { 'linux-x64': 'gone' } });
    rmSync(join(missing, 'watchpost-agent-linux-x64'));
    const tampered = writeRelease(root, { version: '0.3.0', files: { 'linux-x64': 'original' } });
    writeFileSync(join(tampered, 'watchpost-agent-linux-x64'), 'tampered');
    const shorter = writeRelease(root, { version: '0.4.0', files: { 'linux-x64': 'longer' } });
    truncateSync(join(shorter, 'watchpost-agent-linux-x64'), 2);
    mkdirSync(join(root, '0.5.0'));
    const set = load(root);
    expect(set.list().map((r) => r.version)).toEqual(['0.1.0']);
    expect(set.refused).toEqual(
      expect.arrayContaining([
        { version: '0.2.0', reason: 'watchpost-agent-linux-x64 is missing' },
        { version: '0.3.0', reason: `watchpost-agent-linux-x64 has SHA-256 ${sha256('tampered')}, the manifest says ${sha256('original')}` },
        { version: '0.4.0', reason: 'watchpost-agent-linux-x64 has 2 bytes, the manifest says 6' },
        { version: '0.5.0', reason: 'no manifest.json' },
      ]),
    );
    expect(set.get('0.3.0')).toBeUndefined();
  });

  it('with releases.publicKey, refuses a release any of whose signatures does not verify', () => {
    const root = tempDir('wp-releases-');
    const key = releaseKey();
    writeRelease(root, { version: '0.2.0', files: { 'linux-x64': 'a', 'win-x64': 'b' }, key: key.privateKey });
    writeRelease(root, { version: '0.3.0', files: { 'linux-x64': 'c' } }); // another key
    // A genuine signature moved to another version: the message binds the version, so it fails.
    const moved = writeRelease(root, { version: '0.4.0', files: { 'linux-x64': 'a' }, key: key.privateKey });
    const genuine = load(root).get('0.2.0')!.executables.get('linux-x64')!.signature.toString('base64');
    const manifestFile = join(moved, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    manifest.executables['linux-x64'].signature = genuine;
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const set = load(root, key.publicKeyFile);
    expect(set.list().map((r) => [r.version, r.verified])).toEqual([['0.2.0', true]]);
    expect(set.refused).toEqual(
      expect.arrayContaining([
        { version: '0.3.0', reason: 'the signature of linux-x64 does not verify with releases.publicKey' },
        { version: '0.4.0', reason: 'the signature of linux-x64 does not verify with releases.publicKey' },
      ]),
    );
    // Without a key the collector does not judge signatures (the agents do).
    expect(
      load(root)
        .list()
        .map((r) => r.version),
    ).toEqual(['0.4.0', '0.3.0', '0.2.0']);
  });

  it('throws for a malformed manifest, naming the file and the field', () => {
    const root = tempDir('wp-releases-');
    writeRelease(root, {
      version: '0.2.0',
      files: { 'linux-x64': 'a' },
      edit: (m) => ((m.executables as Record<string, { bytes: unknown }>)['linux-x64']!.bytes = 'ten'),
    });
    expect(() => load(root)).toThrow(`${join(root, '0.2.0', 'manifest.json')}: executables.linux-x64.bytes: Expected integer`);
    expect(() => load(join(root, 'absent'))).toThrow(/^releases\.dir: cannot read .*absent/);
  });
});

// The state directory on real files: where it is, owner-only permissions for the credential, atomic writes, and
// errors that name the file when the identity cannot be used.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTITY_FILE, StateError, loadIdentity, resolveStateDir, saveIdentity, writeJsonAtomic, type Identity } from '../../../agent/src/identity/state.js';

const isRoot = process.getuid?.() === 0;

const identity: Identity = {
  server: 'https://collector.example.net:8443',
  agentId: 'ag_00112233445566778899aabbccddeeff',
  tenant: 'acme',
  credential: 'wpa_ag_00112233445566778899aabbccddeeff.secret',
  enrolledAt: '2026-11-21T10:00:00.000Z',
};

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'wp-state-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('resolveStateDir', () => {
  const env = { WATCHPOST_STATE_DIR: '/srv/from-env', ProgramData: 'D:\\Data', XDG_STATE_HOME: '/xdg/state' };

  it('takes --state-dir over WATCHPOST_STATE_DIR and the platform default', () => {
    expect(resolveStateDir('/srv/from-flag', env, 'linux')).toBe('/srv/from-flag');
    expect(resolveStateDir('C:\\wp', env, 'win32')).toBe('C:\\wp');
  });

  it('takes WATCHPOST_STATE_DIR over the platform default', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) expect(resolveStateDir(undefined, env, platform)).toBe('/srv/from-env');
  });

  it('treats an empty flag or variable as not given', () => {
    expect(resolveStateDir('', { WATCHPOST_STATE_DIR: '' }, 'win32')).toBe('C:\\ProgramData\\Watchpost');
  });

  it('uses %ProgramData%\\Watchpost on Windows, with Windows separators', () => {
    expect(resolveStateDir(undefined, { ProgramData: 'D:\\Data' }, 'win32')).toBe('D:\\Data\\Watchpost');
    expect(resolveStateDir(undefined, {}, 'win32')).toBe('C:\\ProgramData\\Watchpost');
  });

  // This process is either root or not; the test checks the branch it can observe (see the report for the other).
  it(`uses the ${isRoot ? 'system' : 'per-user'} location on macOS (this process is ${isRoot ? '' : 'not '}root)`, () => {
    expect(resolveStateDir(undefined, {}, 'darwin')).toBe(
      isRoot ? '/Library/Application Support/Watchpost/state' : join(homedir(), 'Library', 'Application Support', 'Watchpost'),
    );
  });

  it(`uses the ${isRoot ? 'system' : 'XDG'} location on Linux (this process is ${isRoot ? '' : 'not '}root)`, () => {
    expect(resolveStateDir(undefined, { XDG_STATE_HOME: '/xdg/state' }, 'linux')).toBe(isRoot ? '/var/lib/watchpost-agent' : '/xdg/state/watchpost-agent');
    expect(resolveStateDir(undefined, {}, 'linux')).toBe(isRoot ? '/var/lib/watchpost-agent' : join(homedir(), '.local', 'state', 'watchpost-agent'));
  });
});

describe('saveIdentity / loadIdentity', () => {
  it('writes identity.json readable by the owner only, in a directory only the owner can enter', () => {
    const dir = join(tmp, 'new', 'state');
    saveIdentity(dir, identity);
    expect(mode(join(dir, IDENTITY_FILE))).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
    expect(JSON.parse(readFileSync(join(dir, IDENTITY_FILE), 'utf8'))).toEqual(identity);
  });

  it('narrows an existing directory and an existing identity file to the owner', () => {
    const dir = join(tmp, 'state');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, IDENTITY_FILE), '{}', { mode: 0o644 });
    chmodSync(join(dir, IDENTITY_FILE), 0o644);
    saveIdentity(dir, identity);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, IDENTITY_FILE))).toBe(0o600);
  });

  it('leaves no temporary file behind, and replaces the previous identity whole', () => {
    saveIdentity(tmp, identity);
    saveIdentity(tmp, { ...identity, agentId: 'ag_ffffffffffffffffffffffffffffffff' });
    expect(readdirSync(tmp)).toEqual([IDENTITY_FILE]);
    expect(loadIdentity(tmp)?.agentId).toBe('ag_ffffffffffffffffffffffffffffffff');
  });

  it('writeJsonAtomic applies the requested mode and leaves only the target file', () => {
    writeJsonAtomic(join(tmp, 'status.json'), { a: 1 }, 0o644);
    expect(readdirSync(tmp)).toEqual(['status.json']);
    expect(mode(join(tmp, 'status.json'))).toBe(0o644);
  });

  it('loads what it saved', () => {
    saveIdentity(tmp, identity);
    expect(loadIdentity(tmp)).toEqual(identity);
  });

  it('returns undefined when there is no identity (not enrolled)', () => {
    expect(loadIdentity(tmp)).toBeUndefined();
    expect(loadIdentity(join(tmp, 'does-not-exist'))).toBeUndefined();
  });

  it('throws StateError naming the file when identity.json is corrupt', () => {
    writeFileSync(join(tmp, IDENTITY_FILE), '{"server": "http://x", "agentI');
    expect(() => loadIdentity(tmp)).toThrow(StateError);
    expect(() => loadIdentity(tmp)).toThrow(join(tmp, IDENTITY_FILE));
    expect(() => loadIdentity(tmp)).toThrow(/unreadable/);
  });

  it.each([
    ['without a credential', JSON.stringify({ ...identity, credential: undefined })],
    ['without a server', JSON.stringify({ ...identity, server: '' })],
    ['without an agent id', JSON.stringify({ ...identity, agentId: undefined })],
    ['without a tenant', JSON.stringify({ ...identity, tenant: undefined })],
    ['that is an empty object', '{}'],
    ['that is null', 'null'],
    ['that is an array', '[]'],
  ])('throws StateError naming the file for an identity %s', (_name, text) => {
    writeFileSync(join(tmp, IDENTITY_FILE), text);
    expect(() => loadIdentity(tmp)).toThrow(StateError);
    expect(() => loadIdentity(tmp)).toThrow(`${join(tmp, IDENTITY_FILE)}: incomplete identity; enroll again`);
  });
});

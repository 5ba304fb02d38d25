// install and uninstall for real on Linux, into scratch roots (--root): the files, their modes, the `current`
// symlink, the real `systemctl --root=DIR enable` symlink in etc/systemd/system/multi-user.target.wants,
// enrollment against a real collector (and a bad token writing nothing), idempotence, a version switch, and
// uninstall leaving the root as it was. A stand-in file is the executable (--binary): the commands run in this
// process under tsx, where the running executable is Node.
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { systemdUnit } from '../../../agent/src/service/systemd.js';
import { installPaths } from '../../../agent/src/service/paths.js';
import { loadIdentity } from '../../../agent/src/identity/state.js';
import { install, layout, snapshot, standIn, tempDir, uninstall } from './helpers.js';

let collector: TestCollector;
beforeAll(async () => {
  collector = await startCollector({ sink: new RecordingSink() });
});
afterAll(async () => collector.close());
afterEach(() => collector.retire(hostname())); // each test's root is another machine of this name

const bin = tempDir('wp-bin-');
const v1 = standIn(bin, '0.1.0');
const v2 = standIn(bin, '0.2.0');
const token = () => collector.store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 }).token;
const mode = (path: string) => (lstatSync(path).mode & 0o777).toString(8);

const PREFIX = 'opt/watchpost-agent';
const STATE = 'var/lib/watchpost-agent';
const UNIT = 'etc/systemd/system/watchpost-agent.service';
const WANTS = 'etc/systemd/system/multi-user.target.wants/watchpost-agent.service';

describe('install --root on Linux', () => {
  it('installs the executable, current, the unit and the enable symlink, owner-only; a second install changes nothing', async () => {
    const root = tempDir('wp-root-');
    const first = await install(['--root', root, '--binary', v1]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`systemctl --root=${root} enable watchpost-agent.service`);
    expect(first.stdout).toContain('not enrolled, so not started');
    expect(first.stdout).toMatch(/installed watchpost-agent 0\.1\.0 as systemd unit watchpost-agent\.service; state in (\S+)\n$/);
    // Every path it names is where it wrote, under the root.
    expect(first.stdout).toContain(`installed ${join(root, PREFIX, 'versions/0.1.0/watchpost-agent')}\n`);
    expect(first.stdout).toContain(`${join(root, PREFIX, 'current')} -> versions/0.1.0\n`);
    expect(first.stdout).toContain(`wrote ${join(root, UNIT)}\n`);
    expect(first.stdout).toContain(`--state-dir '${join(root, STATE)}'`);
    expect(first.stdout).toContain(`state in ${join(root, STATE)}\n`);
    expect(first.stdout).not.toMatch(/ \/(opt|var|etc)\//);

    const exe = join(root, PREFIX, 'versions/0.1.0/watchpost-agent');
    expect(readFileSync(exe)).toEqual(readFileSync(v1));
    expect(mode(exe)).toBe('755');
    for (const dir of [PREFIX, `${PREFIX}/versions`, `${PREFIX}/versions/0.1.0`, STATE]) expect(mode(join(root, dir))).toBe('700');
    expect(mode(join(root, UNIT))).toBe('600');
    expect(mode(join(root, PREFIX, 'install.json'))).toBe('600');
    expect(readlinkSync(join(root, PREFIX, 'current'))).toBe('versions/0.1.0');
    expect(readFileSync(join(root, PREFIX, 'current/watchpost-agent'))).toEqual(readFileSync(v1));
    const paths = installPaths('linux');
    expect(readFileSync(join(root, UNIT), 'utf8')).toBe(systemdUnit({ executable: paths.serviceExecutable, stateDir: paths.stateDir }));
    // Made by systemctl itself, pointing where the unit is when the root is /.
    expect(readlinkSync(join(root, WANTS))).toBe('/etc/systemd/system/watchpost-agent.service');
    expect(readdirSync(join(root, STATE))).toEqual([]);

    const before = snapshot(root);
    const second = await install(['--root', root, '--binary', v1]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('watchpost-agent 0.1.0 as systemd unit watchpost-agent.service is installed already; nothing changed');
    expect(second.stdout).not.toMatch(/^(installed|wrote) /m);
    expect(snapshot(root)).toEqual(before);

    const removed = await uninstall(['--root', root]);
    expect(removed).toMatchObject({ code: 0, stderr: '' });
    expect(removed.stdout).toContain(`systemctl --root=${root} disable watchpost-agent.service`);
    expect(readdirSync(root)).toEqual([]);
  });

  it('enrolls with a token against a real collector first; uninstall keeps the state, --purge removes it', async () => {
    const root = tempDir('wp-root-');
    const t = token();
    const r = await install(['--root', root, '--binary', v1, '--server', collector.baseUrl, '--token', t]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const identity = loadIdentity(join(root, STATE))!;
    expect(identity).toMatchObject({ server: collector.baseUrl, tenant: 'acme' });
    expect(r.stdout).toContain(`enrolled as ${identity.agentId} (tenant acme)`);
    expect(collector.store.agents.get(identity.agentId)).not.toBeNull();
    expect(mode(join(root, STATE, 'identity.json'))).toBe('600');
    expect(r.stdout).not.toContain('not enrolled');

    const kept = await uninstall(['--root', root]);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain('kept the state directory /var/lib/watchpost-agent');
    expect(Object.keys(layout(root))).toEqual(['var', 'var/lib', 'var/lib/watchpost-agent', 'var/lib/watchpost-agent/identity.json']);

    const purged = await uninstall(['--root', root, '--purge']);
    expect(purged.code).toBe(0);
    expect(purged.stdout).toContain('removed /var/lib/watchpost-agent');
    expect(existsSync(join(root, STATE))).toBe(false);
  });

  it('uninstall --purge right away leaves the root as it was before install', async () => {
    const root = tempDir('wp-root-');
    expect((await install(['--root', root, '--binary', v1, '--server', collector.baseUrl, '--token', token()])).code).toBe(0);
    const r = await uninstall(['--root', root, '--purge']);
    expect(r.code).toBe(0);
    expect(readdirSync(root)).toEqual([]);
    expect((await uninstall(['--root', root])).stdout).toBe('watchpost-agent is not installed; nothing to remove\n');
  });

  const usedUp = () => {
    const t = token();
    collector.store.enrollWithToken(t, { hostname: 'other', os: 'linux', arch: 'x64', agentVersion: 'test' });
    return t;
  };
  it.each([
    ['malformed', () => 'wpe_not-a-token', /HTTP 401\): enrollment token refused: malformed/],
    ['used up', usedUp, /HTTP 401\): enrollment token refused: used up/],
  ])('a %s token fails with exit 1 before anything is written', async (_what, bad, reason) => {
    const root = tempDir('wp-root-');
    const r = await install(['--root', root, '--binary', v1, '--server', collector.baseUrl, '--token', bad()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^watchpost-agent install: enrollment refused by the collector \(HTTP \d+\): .*; nothing was installed\n$/);
    expect(r.stderr).toMatch(reason);
    expect(r.stdout).toBe('');
    expect(readdirSync(root)).toEqual([]);
  });

  it('an unreachable collector fails the same way', async () => {
    const root = tempDir('wp-root-');
    const r = await install(['--root', root, '--binary', v1, '--server', 'http://127.0.0.1:1', '--token', token()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('watchpost-agent install: cannot reach the collector at http://127.0.0.1:1: ECONNREFUSED; nothing was installed\n');
    expect(readdirSync(root)).toEqual([]);
  });

  it('a bad token over an existing installation changes nothing', async () => {
    const root = tempDir('wp-root-');
    await install(['--root', root, '--binary', v1, '--server', collector.baseUrl, '--token', token()]);
    const before = snapshot(root);
    const r = await install(['--root', root, '--binary', v2, '--server', collector.baseUrl, '--token', 'wpe_not-a-token'], { version: '0.2.0' });
    expect(r.code).toBe(1);
    expect(snapshot(root)).toEqual(before);
  });

  it('keeps an existing identity without a token and replaces it with a new one', async () => {
    const root = tempDir('wp-root-');
    await install(['--root', root, '--binary', v1, '--server', collector.baseUrl, '--token', token()]);
    const first = loadIdentity(join(root, STATE))!;
    await install(['--root', root, '--binary', v1]);
    expect(loadIdentity(join(root, STATE))).toEqual(first);
    const r = await install(['--root', root, '--binary', v1, '--server', collector.baseUrl, '--token', token()]);
    expect(r.stdout).not.toContain('nothing changed');
    expect(loadIdentity(join(root, STATE))!.agentId).not.toBe(first.agentId);
  });

  it('installs another version beside the first and switches current; back again without copying', async () => {
    const root = tempDir('wp-root-');
    await install(['--root', root, '--binary', v1]);
    const unit = readFileSync(join(root, UNIT), 'utf8');
    const r = await install(['--root', root, '--binary', v2], { version: '0.2.0' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`installed ${join(root, PREFIX, 'versions/0.2.0/watchpost-agent')}`);
    expect(r.stdout).toContain(`${join(root, PREFIX, 'current')} -> versions/0.2.0`);
    expect(readdirSync(join(root, PREFIX, 'versions')).sort()).toEqual(['0.1.0', '0.2.0']);
    expect(readFileSync(join(root, PREFIX, 'current/watchpost-agent'))).toEqual(readFileSync(v2));
    expect(readFileSync(join(root, UNIT), 'utf8')).toBe(unit);

    const v1Stat = statSync(join(root, PREFIX, 'versions/0.1.0/watchpost-agent'));
    const back = await install(['--root', root, '--binary', v1]);
    expect(back.stdout).toContain(`${join(root, PREFIX, 'current')} -> versions/0.1.0`);
    expect(back.stdout).not.toContain(`installed ${root}`);
    expect(statSync(join(root, PREFIX, 'versions/0.1.0/watchpost-agent')).mtimeMs).toBe(v1Stat.mtimeMs);

    expect((await uninstall(['--root', root])).code).toBe(0);
    expect(readdirSync(root)).toEqual([]);
  });

  it('replaces an executable of the same version whose bytes differ (a rebuilt release)', async () => {
    const root = tempDir('wp-root-');
    await install(['--root', root, '--binary', v1]);
    const r = await install(['--root', root, '--binary', v2]);
    expect(r.stdout).toContain(`installed ${join(root, PREFIX, 'versions/0.1.0/watchpost-agent')}`);
    expect(readFileSync(join(root, PREFIX, 'current/watchpost-agent'))).toEqual(readFileSync(v2));
  });
});

describe('install refusals (nothing written)', () => {
  it('without root and without --root: says how to run it, before anything else', async () => {
    let asked = 0;
    const r = await install(['--binary', v1], { privileged: () => Promise.resolve(asked++ < 0) });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "watchpost-agent install: changing the system's services needs privileges: run it as root (sudo), or give --root DIR to install under DIR\n",
    );
    expect(asked).toBe(1);
    const u = await uninstall([], { privileged: () => Promise.resolve(false) });
    expect(u.stderr).toBe(
      "watchpost-agent uninstall: changing the system's services needs privileges: run it as root (sudo), or give --root DIR to uninstall under DIR\n",
    );
  });

  it.each([
    ['no --binary under Node', [], /install copies the running agent executable, but this is Node \(.+\) running the agent as a script: pass --binary PATH/],
    ['a file that is not an agent executable', ['--binary', '/bin/sh'], /--binary \/bin\/sh: not a watchpost-agent executable/],
    ['a missing file', ['--binary', '/nonexistent/watchpost-agent'], /--binary \/nonexistent\/watchpost-agent: ENOENT/],
    ['a directory', ['--binary', '/tmp'], /--binary \/tmp: not a file/],
  ])('%s', async (_what, args, message) => {
    const root = tempDir('wp-root-');
    const r = await install(['--root', root, ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(readdirSync(root)).toEqual([]);
  });

  it.each([
    [['--token', 'x'], '--token needs --server'],
    [['--server', 'http://127.0.0.1:1'], '--server is for enrolling and needs --token'],
    [['--fingerprint', 'AA'], '--fingerprint is for enrolling and needs --token'],
    [['--server', 'http://127.0.0.1:1', '--token', 'x', '--ca', '/etc/hosts'], '--ca pins the collector'],
  ])('usage error for %j', async (args, message) => {
    const root = tempDir('wp-root-');
    await expect(install(['--root', root, '--binary', v1, ...args])).rejects.toThrow(message);
    expect(readdirSync(root)).toEqual([]);
  });

  it('a --root that does not exist', async () => {
    const r = await install(['--root', '/nonexistent/root', '--binary', v1]);
    expect(r).toMatchObject({ code: 1, stderr: 'watchpost-agent install: --root /nonexistent/root: not a directory\n' });
  });
});

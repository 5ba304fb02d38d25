// The patch run and the apt installer against real apt-get and dpkg, inside a minimal Debian root (debootstrap
// minbase, cached per machine; see test/helpers/debian-root.ts) so this machine's own packages are never touched.
// Real packages built here with dpkg-deb: version 1.0 installed in the root, 1.1 in a local file: repository the
// root's apt knows (apt-get update once, in setup). Every command of the installer runs as `chroot <root> ...`;
// only `shutdown` is recorded instead of run.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../agent/src/base/log.js';
import { createLinuxInstallers } from '../../../../agent/src/patching/linux/index.js';
import type { PatchItem, PatchPlan, RebootPolicy } from '../../../../agent/src/patching/plan.js';
import { runPatchPlan } from '../../../../agent/src/patching/run.js';
import { buildDeb, cachedDebianRoot, canChroot, ChrootCopy, chrootRunner, useLocalRepository } from '../../../helpers/debian-root.js';

/** What Debian's reboot hooks do: raise the flag and name the package that asked. */
const REBOOT_HOOK = 'touch /run/reboot-required; echo wp-kernel >> /run/reboot-required.pkgs';
const apt = (id: string): PatchItem => ({ id, manager: 'apt', title: `${id} 1.1` });
const log = createLogger({ level: 'error' });

describe.skipIf(!canChroot)('patch run with real apt in an isolated Debian root', () => {
  let base: ChrootCopy | undefined;
  /** The prepared root's layers, top first. */
  let layers: string[] = [];
  let debs: string | undefined;
  let root: ChrootCopy | undefined;
  let holder: ChildProcess | undefined;

  beforeAll(() => {
    const cache = cachedDebianRoot();
    debs = mkdtempSync(join(tmpdir(), 'watchpost-debs-'));
    const out = debs;
    const installed = [...['wp-tools', 'wp-broken', 'wp-kernel', 'wp-other'].map((name) => buildDeb(out, { name, version: '1.0' }))];
    const current = buildDeb(out, { name: 'wp-current', version: '1.1' });
    const repository = [
      buildDeb(out, { name: 'wp-tools', version: '1.1' }),
      buildDeb(out, { name: 'wp-broken', version: '1.1', postinst: 'echo "wp-broken: cannot configure" >&2; exit 1' }),
      buildDeb(out, { name: 'wp-kernel', version: '1.1', postinst: REBOOT_HOOK }),
      buildDeb(out, { name: 'wp-other', version: '1.1' }),
      buildDeb(out, { name: 'wp-absent', version: '1.1' }),
      current,
    ];
    layers = [cache];
    base = new ChrootCopy(layers);
    mkdirSync(join(base.root, 'tmp/debs'));
    for (const deb of [...installed, current]) cpSync(deb, join(base.root, 'tmp/debs', basename(deb)));
    base.exec('dpkg', ['-i', ...[...installed, current].map((d) => `/tmp/debs/${basename(d)}`)]);
    rmSync(join(base.root, 'tmp/debs'), { recursive: true });
    useLocalRepository(base.root, repository);
    base.exec('apt-get', ['update', '-q']);
    base.unmount();
    layers = [base.upper, cache];
  }, 900_000);

  afterAll(() => {
    base?.remove();
    if (debs) rmSync(debs, { recursive: true, force: true });
  });

  afterEach(() => {
    holder?.kill('SIGKILL');
    holder = undefined;
    root?.remove();
    root = undefined;
  });

  const version = (pkg: string): string => root!.exec('dpkg-query', ['-W', '-f=${Version} ${db:Status-Abbrev}', pkg]).trim();

  async function run(items: PatchItem[], o: { windowMs?: number; reboot?: RebootPolicy } = {}) {
    root = new ChrootCopy(layers);
    const shutdowns: string[][] = [];
    const installers = await createLinuxInstallers({ runner: chrootRunner(root.root, shutdowns), manager: 'apt', root: root.root });
    const now = Date.now();
    const plan: PatchPlan = { planId: 'p-1', windowStart: now - 1000, windowEnd: now + (o.windowMs ?? 120_000), reboot: o.reboot ?? { mode: 'never' }, items };
    const outcome = await runPatchPlan(plan, { installers, log, now: Date.now });
    return { ...outcome, shutdowns, byId: new Map(outcome.results.map((r) => [r.id, r])) };
  }

  /** Holds dpkg's frontend lock in the root the way apt and dpkg take it: an fcntl write lock (flock(1) takes a BSD
   *  flock lock, which apt does not see). Resolves once the lock is held; closing stdin releases it. */
  function holdLock(): Promise<ChildProcess> {
    const script = 'import fcntl,sys\nf=open(sys.argv[1],"a")\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint("locked",flush=True)\nsys.stdin.read()';
    const child = spawn('python3', ['-c', script, join(root!.root, 'var/lib/dpkg/lock-frontend')], { stdio: ['pipe', 'pipe', 'inherit'] });
    holder = child;
    return new Promise((resolve, reject) => {
      child.stdout!.once('data', () => resolve(child));
      child.once('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
    });
  }

  it('installs the approved upgrades, leaves what the plan does not name, reports a failing postinst and goes on', async () => {
    const items = [
      apt('wp-tools'),
      apt('wp-current'),
      apt('wp-absent'),
      apt('wp-broken'),
      apt('wp-kernel'),
      { id: 'bash', manager: 'dnf' as const, title: 'bash' },
    ];
    const { results, summary, samples, byId, shutdowns } = await run(items);

    expect(results.map((r) => [r.id, r.outcome])).toEqual([
      ['wp-tools', 'installed'],
      ['wp-current', 'not_applicable'],
      ['wp-absent', 'not_applicable'],
      ['wp-broken', 'failed'],
      ['wp-kernel', 'installed'],
      ['bash', 'failed'],
    ]);
    expect(version('wp-tools')).toBe('1.1 ii');
    expect(version('wp-kernel')).toBe('1.1 ii');
    expect(version('wp-other')).toBe('1.0 ii'); // not in the plan: never touched
    expect(() => version('wp-absent')).toThrow(); // --only-upgrade never installs a new package
    // The failing postinst: dpkg has 1.1 unpacked but half-configured; apt-get's exit code and its error lines.
    expect(version('wp-broken')).toBe('1.1 iF');
    expect(byId.get('wp-broken')).toMatchObject({ code: 100, rebootRequired: false });
    expect(byId.get('wp-broken')!.detail).toMatch(/wp-broken.*post-installation script.*exit status 1/);
    // Installed after the failure: apt-get exits 100 again (it retries wp-broken), dpkg says wp-kernel is configured.
    expect(byId.get('wp-kernel')).toMatchObject({ outcome: 'installed', code: 100, rebootRequired: true });
    expect(byId.get('wp-tools')).toMatchObject({ rebootRequired: false });
    expect(byId.get('wp-tools')!.code).toBeUndefined();
    expect(byId.get('bash')!.detail).toBe('not handled on this machine');
    expect(summary).toMatchObject({ approved: 6, installed: 2, failed: 2, notApplicable: 2, notStarted: 0, rebootRequired: true, rebooted: false });
    expect(shutdowns).toEqual([]); // reboot policy never
    expect(samples.map((s) => s.measurement)).toEqual(['patch_run', ...items.map(() => 'patch_result')]);
  }, 120_000);

  it('reboots with the warning when a package asks for it and the policy allows it, the message as one argument', async () => {
    const { summary, shutdowns } = await run([apt('wp-kernel')], { reboot: { mode: 'warn', warnMinutes: 5, message: '-h now; rebooting for updates' } });
    expect(version('wp-kernel')).toBe('1.1 ii');
    expect(summary).toMatchObject({ installed: 1, rebootRequired: true, rebooted: true });
    expect(shutdowns).toEqual([['-r', '--', '+5', '-h now; rebooting for updates']]);
  }, 60_000);

  it('waits for a held dpkg lock and installs once it is released', async () => {
    root = new ChrootCopy(layers);
    const copy = root;
    const lock = await holdLock();
    setTimeout(() => lock.stdin!.end(), 3000);
    const installers = await createLinuxInstallers({ runner: chrootRunner(copy.root), manager: 'apt', root: copy.root });
    const now = Date.now();
    const plan: PatchPlan = { planId: 'p-2', windowStart: now, windowEnd: now + 60_000, reboot: { mode: 'never' }, items: [apt('wp-tools')] };
    const { results } = await runPatchPlan(plan, { installers, log, now: Date.now });
    expect(results[0]).toMatchObject({ outcome: 'installed' });
    expect(results[0]!.durationMs).toBeGreaterThanOrEqual(2500);
    expect(version('wp-tools')).toBe('1.1 ii');
  }, 60_000);

  it('a window that closes while the lock is held: the waiting install is stopped, the rest not started', async () => {
    root = new ChrootCopy(layers);
    const copy = root;
    await holdLock();
    const installers = await createLinuxInstallers({ runner: chrootRunner(copy.root), manager: 'apt', root: copy.root });
    const now = Date.now();
    const plan: PatchPlan = {
      planId: 'p-3',
      windowStart: now - 1000,
      windowEnd: now + 4000,
      reboot: { mode: 'if_required' },
      items: [apt('wp-tools'), apt('wp-kernel')],
    };
    const { results, summary, samples } = await runPatchPlan(plan, { installers, log, now: Date.now });
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'not_started']);
    expect(results[0]!.detail).toMatch(/stopped at the window's end/);
    expect(Date.now() - now).toBeLessThan(15_000);
    expect(summary).toMatchObject({ failed: 1, notStarted: 1, rebooted: false });
    expect(samples.find((s) => s.tags?.outcome === 'not_started')?.fields).toMatchObject({ id: 'wp-kernel' });
    expect(version('wp-tools')).toBe('1.0 ii');
    expect(version('wp-kernel')).toBe('1.0 ii');
  }, 60_000);
});

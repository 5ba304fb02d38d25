// dnf, yum and zypper installers: no such package manager runs on this Debian machine, so their argument building
// and result classification are tested on real captured (and documented) outputs from test/fixtures/linux/patching
// (see test/fixtures/README.md), and the installers' calls through a runner that answers with them.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../../agent/src/base/log.js';
import type { Runner } from '../../../../agent/src/exec/runner.js';
import type { InstallContext } from '../../../../agent/src/patching/installer.js';
import { classifyRpm, createRpmInstaller, rpmUpgradeArgs } from '../../../../agent/src/patching/linux/rpm.js';
import { classifyZypper, createZypperInstaller, zypperPatchArgs } from '../../../../agent/src/patching/linux/zypper.js';
import { shutdownArgs } from '../../../../agent/src/patching/linux/reboot.js';
import { ITEM_ID_PATTERNS } from '../../../../agent/src/patching/plan.js';
import { fixture } from '../../probes/fixtures.js';

const out = (exitCode: number, name: string) => ({ exitCode, stdout: fixture(`linux/patching/${name}`), stderr: '' });
const ctx = (deadline = Date.now() + 600_000): InstallContext => ({
  signal: new AbortController().signal,
  deadline,
  log: createLogger({ level: 'error' }),
  now: Date.now,
});

/** Answers each call with the next of `answers` and records the command, arguments and options. */
function answering(answers: { exitCode: number; stdout: string }[]) {
  const calls: { command: string; args: readonly string[]; env?: Readonly<Record<string, string>>; timeoutMs?: number }[] = [];
  const runner: Runner = async (command, args, options) => {
    calls.push({ command, args, ...(options?.env ? { env: options.env } : {}), ...(options?.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
    const a = answers.shift()!;
    if (a.exitCode !== 0 && !options?.okExitCodes?.includes(a.exitCode)) throw Object.assign(new Error(`exit ${a.exitCode}`), { code: a.exitCode });
    return { stdout: a.stdout, stderr: '', ...(a.exitCode === 0 ? {} : { exitCode: a.exitCode }) };
  };
  return { runner, calls };
}

describe('dnf and yum', () => {
  it('upgrades a package by name, an advisory with --advisory; every id the plan admits is one argument', () => {
    expect(rpmUpgradeArgs('openssl-libs')).toEqual(['-y', 'upgrade', 'openssl-libs']);
    expect(rpmUpgradeArgs('RHSA-2024:1234')).toEqual(['-y', 'upgrade', '--advisory=RHSA-2024:1234']);
    expect(rpmUpgradeArgs('FEDORA-2024-1a2b3c')).toEqual(['-y', 'upgrade', '--advisory=FEDORA-2024-1a2b3c']);
    expect(ITEM_ID_PATTERNS.dnf.test('-y')).toBe(false);
  });

  it.each([
    ['yum-update-sudo-rhel7.txt', 0, 'installed'],
    ['dnf-upgrade-nothing-to-do.txt', 0, 'not_applicable'],
    ['dnf5-already-installed-azurelinux.txt', 0, 'not_applicable'],
    ['yum-not-available-rhel7.txt', 1, 'not_applicable'],
  ] as const)('%s (exit %i): %s', (file, code, outcome) => {
    expect(classifyRpm(out(code, file)).outcome).toBe(outcome);
  });

  it('a failing exit with an error is failed, with the code and the error lines', () => {
    const run = { exitCode: 1, stdout: 'Error: Transaction test error:\n  file /usr/bin/x conflicts between attempted installs\n', stderr: '' };
    expect(classifyRpm(run)).toMatchObject({ outcome: 'failed', code: 1, detail: expect.stringContaining('Transaction test error') });
    expect(classifyRpm({ exitCode: 200, stdout: '', stderr: '' })).toMatchObject({ outcome: 'failed', code: 200 });
  });

  it('runs dnf in the C locale, bounded by the window, one item at a time', async () => {
    const { runner, calls } = answering([out(0, 'yum-update-sudo-rhel7.txt'), out(0, 'dnf-upgrade-nothing-to-do.txt')]);
    const installer = createRpmInstaller({ runner, tool: 'dnf' });
    const c = ctx(Date.now() + 90_000);
    const results = await installer.install(
      [
        { id: 'sudo', manager: 'dnf', title: 'sudo' },
        { id: 'RHSA-2024:1234', manager: 'dnf', title: 'openssl' },
      ],
      c,
    );
    expect(results.map((r) => r.outcome)).toEqual(['installed', 'not_applicable']);
    expect(calls.map((x) => [x.command, ...x.args])).toEqual([
      ['dnf', '-y', 'upgrade', 'sudo'],
      ['dnf', '-y', 'upgrade', '--advisory=RHSA-2024:1234'],
    ]);
    expect(calls[0]!.env).toMatchObject({ LC_ALL: 'C' });
    expect(calls[0]!.timeoutMs).toBeLessThanOrEqual(90_000);
  });
});

describe('zypper', () => {
  it('installs one patch by name, non-interactively', () => {
    expect(zypperPatchArgs('SUSE-SLE-Module-Basesystem-15-SP5-2024-1234')).toEqual([
      '--non-interactive',
      'install',
      '-t',
      'patch',
      'SUSE-SLE-Module-Basesystem-15-SP5-2024-1234',
    ]);
  });

  it('reads the documented exit codes', () => {
    const done = fixture('linux/patching/zypper-update-sudo-sles12.txt');
    expect(classifyZypper({ exitCode: 0, stdout: done, stderr: '' })).toMatchObject({ outcome: 'installed', rebootRequired: false });
    expect(classifyZypper({ exitCode: 102, stdout: done, stderr: '' })).toMatchObject({ outcome: 'installed', code: 102, rebootRequired: true });
    expect(classifyZypper({ exitCode: 103, stdout: done, stderr: '' })).toMatchObject({ outcome: 'installed', code: 103 });
    expect(
      classifyZypper({
        exitCode: 0,
        stdout: 'Loading repository data...\nReading installed packages...\nResolving package dependencies...\n\nNothing to do.\n',
        stderr: '',
      }).outcome,
    ).toBe('not_applicable');
    expect(classifyZypper({ exitCode: 104, stdout: '', stderr: '' }).outcome).toBe('not_applicable');
    expect(classifyZypper({ exitCode: 7, stdout: '', stderr: 'System management is locked by the application with pid 1234 (zypper).' })).toMatchObject({
      outcome: 'failed',
      code: 7,
      detail: expect.stringContaining('locked'),
    });
    expect(classifyZypper({ exitCode: 107, stdout: '', stderr: '' })).toMatchObject({ outcome: 'failed', code: 107 });
  });

  it('asks zypper to wait for a held lock until the window ends', async () => {
    const { runner, calls } = answering([{ exitCode: 102, stdout: fixture('linux/patching/zypper-update-sudo-sles12.txt') }]);
    const [result] = await createZypperInstaller({ runner }).install(
      [{ id: 'openSUSE-SLE-15.5-2024-1234', manager: 'zypper', title: 't' }],
      ctx(Date.now() + 120_000),
    );
    expect(result).toMatchObject({ outcome: 'installed', rebootRequired: true });
    expect(Number(calls[0]!.env!.ZYPP_LOCK_TIMEOUT)).toBeGreaterThan(100);
    expect(Number(calls[0]!.env!.ZYPP_LOCK_TIMEOUT)).toBeLessThanOrEqual(120);
  });
});

describe('reboot', () => {
  it('shutdown -r with the delay and the message as one argument after --, or now without a warning', () => {
    expect(shutdownArgs({ mode: 'warn', warnMinutes: 10, message: 'Updates installed; this PC restarts in 10 minutes' })).toEqual([
      '-r',
      '--',
      '+10',
      'Updates installed; this PC restarts in 10 minutes',
    ]);
    expect(shutdownArgs({ mode: 'warn', warnMinutes: 1, message: '' })).toEqual(['-r', '--', '+1']);
    expect(shutdownArgs({ mode: 'if_required' })).toEqual(['-r', '--', '+1']);
  });
});

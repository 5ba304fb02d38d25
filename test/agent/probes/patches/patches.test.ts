import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPatchesProbe, PATCHES_TIMEOUT_MS } from '../../../../agent/src/probes/patches/patches.js';
import { WINDOWS_PATCHES_ARGS, WINDOWS_PATCHES_SCRIPT } from '../../../../agent/src/probes/patches/windows.js';
import { SOFTWAREUPDATE_MAX_AGE_MS } from '../../../../agent/src/probes/patches/darwin.js';
import { ALLOWED_COMMANDS, execRunner, type Runner } from '../../../../agent/src/exec/runner.js';
import { Int, type SampleDraft } from '../../../../agent/src/sample.js';
import { context, fixture, replayRunner } from '../fixtures.js';

const value = (v: unknown): unknown => (v instanceof Int ? v.value : v);
const summary = (samples: SampleDraft[]): Record<string, unknown> =>
  Object.fromEntries(Object.entries(samples.find((s) => s.measurement === 'patches')?.fields ?? {}).map(([k, v]) => [k, value(v)]));

/** Answers by command (and first distinguishing argument), recording the calls. */
function scriptedRunner(answers: Record<string, { stdout: string; exitCode?: number } | Error>): { runner: Runner; calls: string[] } {
  const calls: string[] = [];
  const runner: Runner = async (command, args, options) => {
    const key = `${command} ${args.join(' ')}`;
    calls.push(key);
    const answer = Object.entries(answers).find(([prefix]) => key.startsWith(prefix))?.[1];
    if (!answer) throw new Error(`unexpected command: ${key}`);
    if (answer instanceof Error) throw answer;
    if (answer.exitCode && !options?.okExitCodes?.includes(answer.exitCode)) throw new Error(`exit ${answer.exitCode}`);
    return { stdout: answer.stdout, stderr: '', ...(answer.exitCode ? { exitCode: answer.exitCode } : {}) };
  };
  return { runner, calls };
}

describe('patches probe on this Debian machine (live apt)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'watchpost-patches-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reports exactly what `apt list --upgradable` lists, with a reboot-required file under an injected root', async () => {
    mkdirSync(join(root, 'run'));
    writeFileSync(join(root, 'run/reboot-required'), '*** System restart required ***\n');
    writeFileSync(join(root, 'run/reboot-required.pkgs'), 'linux-image-6.1.0-40-amd64\n');
    mkdirSync(join(root, 'var/lib/apt/lists'), { recursive: true });
    utimesSync(join(root, 'var/lib/apt/lists'), 1_700_000_000, 1_700_000_000);
    mkdirSync(join(root, 'var/log/apt'), { recursive: true });
    writeFileSync(join(root, 'var/log/apt/history.log'), fixture('linux/patches/apt-history-log.txt'));

    const samples = await createPatchesProbe({ platform: 'linux', root }).collect({ ...context(execRunner), now: () => 42_000 });

    const listed = execFileSync('apt', ['list', '--upgradable'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter((l) => l.includes('/'))
      .map((l) => l.split('/')[0]);
    const pending = samples.filter((s) => s.measurement === 'patches_pending');
    expect(pending.map((s) => s.fields.package)).toEqual(listed);
    expect(listed.length).toBeGreaterThan(0); // this machine's snapshot lists are older than its packages' candidates
    expect(summary(samples)).toMatchObject({
      pending_total: listed.length,
      pending_critical: 0,
      reboot_pending: true,
      parse_errors: 0,
      last_search: 1_700_000_000,
      last_success: new Date(2026, 10, 22, 1, 4, 33).getTime() / 1000,
    });
    expect(samples.every((s) => Object.keys(s.tags ?? {}).join() === 'source' && s.tags?.source === 'apt')).toBe(true);
    expect(new Set(samples.map((s) => s.time)).size).toBe(samples.length);
  });

  it('no reboot file, no history, no stamps: reboot_pending false and the times omitted', async () => {
    const samples = await createPatchesProbe({ platform: 'linux', root, manager: 'apt' }).collect(context(execRunner));
    const s = summary(samples);
    expect(s.reboot_pending).toBe(false);
    expect('last_success' in s || 'last_search' in s).toBe(false);
  });

  it('the runner returns allowed non-zero exits as answers and still rejects the others', async () => {
    await expect(execRunner('apt', ['list', '--no-such-option'], { okExitCodes: [100] })).resolves.toMatchObject({ exitCode: 100 });
    await expect(execRunner('apt', ['list', '--no-such-option'])).rejects.toThrow();
  });
});

describe('patches probe, other platforms (captured output replayed)', () => {
  it('dnf: cache-only queries, security from updateinfo, reboot from needs-restarting -r exit 1', async () => {
    const { runner, calls } = scriptedRunner({
      'dnf -C -q list --upgrades': { stdout: 'curl.x86_64  7.76.1-7.fc34  updates\nkernel-core.x86_64  5.13.4-200.fc34  updates\n', exitCode: 100 },
      'dnf -C -q updateinfo list --security': { stdout: fixture('linux/patches/dnf-updateinfo-security-fedora34.txt') },
      'needs-restarting -r': { stdout: 'Reboot is required to fully utilize these updates.\n', exitCode: 1 },
    });
    const samples = await createPatchesProbe({ platform: 'linux', manager: 'dnf', root: '/nonexistent' }).collect(context(runner));
    expect(calls).toHaveLength(3);
    expect(summary(samples)).toMatchObject({ pending_total: 2, pending_security: 2, pending_critical: 1, reboot_pending: true });
    expect(samples.every((s) => s.tags?.source === 'dnf')).toBe(true);
    for (const c of ['dnf', 'yum', 'needs-restarting', 'zypper', 'apt', 'softwareupdate']) expect(ALLOWED_COMMANDS.has(c)).toBe(true);
  });

  it('zypper: --no-refresh list-patches, an exit 101 is an answer', async () => {
    const { runner, calls } = scriptedRunner({
      'zypper --non-interactive --no-refresh --xmlout list-patches': {
        stdout: fixture('linux/patches/zypper-list-patches-security-leap16.xml'),
        exitCode: 101,
      },
    });
    const samples = await createPatchesProbe({ platform: 'linux', manager: 'zypper', root: '/nonexistent' }).collect(context(runner));
    expect(calls).toHaveLength(1);
    expect(summary(samples)).toMatchObject({ pending_total: 2, pending_security: 2, pending_critical: 0, reboot_pending: false });
  });

  it('Windows: one separate powershell.exe with the encoded script, parsed into points', async () => {
    const { runner, calls } = replayRunner(`WARNING: some profile noise\r\n${fixture('windows/wua-patches-documented.json')}`);
    const samples = await createPatchesProbe({ platform: 'win32' }).collect(context(runner));
    expect(calls).toEqual([{ command: 'powershell.exe', args: WINDOWS_PATCHES_ARGS }]);
    const encoded = WINDOWS_PATCHES_ARGS[WINDOWS_PATCHES_ARGS.indexOf('-EncodedCommand') + 1] ?? '';
    expect(Buffer.from(encoded, 'base64').toString('utf16le')).toBe(WINDOWS_PATCHES_SCRIPT);
    expect(WINDOWS_PATCHES_SCRIPT).toContain('$searcher.Online = $false');
    expect(WINDOWS_PATCHES_SCRIPT).toContain("Search('IsInstalled=0 and IsHidden=0')");
    expect(WINDOWS_PATCHES_SCRIPT).toContain('QueryHistory(0, [Math]::Min($count, 500))');
    expect(summary(samples)).toMatchObject({ pending_total: 3, pending_security: 1, pending_critical: 1, reboot_pending: true, pending_file_rename: true });
  });

  it('Windows: output without JSON is an error with an excerpt', async () => {
    const { runner } = replayRunner('New-Object : Retrieving the COM class factory failed');
    await expect(createPatchesProbe({ platform: 'win32' }).collect(context(runner))).rejects.toThrow(/no JSON in WUA script output: New-Object/);
  });

  it('macOS: softwareupdate at most once a day, restart-required items counted', async () => {
    const { runner, calls } = replayRunner(fixture('darwin/softwareupdate-list-bigsur.txt'));
    let now = 1_000_000;
    const probe = createPatchesProbe({ platform: 'darwin' });
    const ctx = { ...context(runner), now: () => now };
    const first = await probe.collect(ctx);
    now += SOFTWAREUPDATE_MAX_AGE_MS - 1;
    const second = await probe.collect(ctx);
    expect(calls).toHaveLength(1);
    expect(summary(second)).toEqual(summary(first));
    expect(summary(first)).toMatchObject({ pending_total: 1, pending_restart_required: 1, last_search: 1000, reboot_pending: false });
    now += 1;
    await probe.collect(ctx);
    expect(calls).toHaveLength(2);
  });

  it('asks the scheduler for a longer timeout than the default 30 s, on a 4-hour schedule', () => {
    const probe = createPatchesProbe();
    expect(probe.timeoutMs).toBe(PATCHES_TIMEOUT_MS);
    expect(PATCHES_TIMEOUT_MS).toBeGreaterThan(10 * 60_000);
    expect(probe.schedule).toBe('0 0 */4 * * *');
  });
});

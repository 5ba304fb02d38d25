// The softwareupdate installer on real captured `softwareupdate --install` output (test/fixtures/darwin/patching/, see
// the fixtures README): a Command Line Tools install on 12+ and on El Capitan, and Big Sur's OS update that
// softwareupdate only downloads. Restart flags come from real `--list` captures through the patches probe's parser.
// The runner is a replay: there is no Mac here; what is asserted is the argument list and the reading of the output.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../agent/src/base/log.js';
import type { RunOptions, Runner } from '../../../agent/src/exec/runner.js';
import { createSoftwareUpdateInstaller, darwinRebootArgs, softwareUpdateResult } from '../../../agent/src/patching/darwin.js';
import type { InstallContext } from '../../../agent/src/patching/installer.js';
import { validatePlan, type PatchItem } from '../../../agent/src/patching/plan.js';
import { parseSoftwareUpdateList } from '../../../agent/src/probes/patches/softwareupdate.js';
import { fixture } from '../probes/fixtures.js';

const BIG_SUR = 'macOS Big Sur 11.1 Beta 2-20C5061b';
const CLT = 'Command Line Tools for Xcode-11.3';
const item = (id: string): PatchItem => ({ id, manager: 'softwareupdate', title: id });
const ctx = (deadlineMs = 3_600_000): InstallContext => ({
  signal: new AbortController().signal,
  deadline: Date.now() + deadlineMs,
  log: createLogger({ write: () => {} }),
  now: () => Date.now(),
});

/** Answers each label with a captured output and records every call. */
function replay(outputs: Record<string, { stdout: string; stderr?: string; exitCode?: number }>) {
  const calls: { command: string; args: readonly string[]; options?: RunOptions }[] = [];
  const runner: Runner = async (command, args, options) => {
    calls.push({ command, args, ...(options ? { options } : {}) });
    const out = outputs[args[args.length - 1] ?? ''] ?? { stdout: '' };
    return { stdout: out.stdout, stderr: out.stderr ?? '', ...(out.exitCode ? { exitCode: out.exitCode } : {}) };
  };
  return { runner, calls };
}

describe('softwareupdate installer', () => {
  it('installs one label per call with --no-scan; a restart-only macOS update is reported as downloaded, not installed', async () => {
    const restartLabels = new Set(
      [
        ...parseSoftwareUpdateList(fixture('darwin/softwareupdate-list-bigsur.txt')).updates,
        ...parseSoftwareUpdateList(fixture('darwin/softwareupdate-list-catalina-clt.txt')).updates,
      ]
        .filter((u) => u.restart)
        .map((u) => u.package!),
    );
    expect([...restartLabels]).toEqual([BIG_SUR]);
    const { runner, calls } = replay({
      [CLT]: { stdout: fixture('darwin/patching/softwareupdate-install-clt-xcode13.txt') },
      [BIG_SUR]: { stdout: fixture('darwin/patching/softwareupdate-install-bigsur-downloaded-only.txt') },
    });
    const plan = validatePlan({
      planId: 'p1',
      windowStart: 0,
      windowEnd: 3_600_000,
      reboot: { mode: 'if_required' },
      items: [item(CLT), item(BIG_SUR)],
    });
    const installer = createSoftwareUpdateInstaller({ runner, restartLabels });
    const results = await installer.install(plan.items, ctx());
    expect(calls.map((c) => [c.command, c.args])).toEqual([
      ['softwareupdate', ['--install', '--no-scan', CLT]],
      ['softwareupdate', ['--install', '--no-scan', BIG_SUR]],
    ]);
    expect(results.map(({ durationMs: _, ...r }) => r)).toEqual([
      { id: CLT, manager: 'softwareupdate', title: CLT, outcome: 'installed', code: 0, rebootRequired: false },
      {
        id: BIG_SUR,
        manager: 'softwareupdate',
        title: BIG_SUR,
        outcome: 'failed',
        code: 0,
        detail: 'downloaded only: softwareupdate installs this update only while restarting the Mac (its --restart), which the agent does not use',
        rebootRequired: false,
      },
    ]);
    expect(await installer.rebootPending(ctx())).toBe(false);
  });

  it('reads El Capitan output, a listed restart, a non-zero exit and Apple documented wording; no time left starts nothing', async () => {
    const elCapitan = fixture('darwin/patching/softwareupdate-install-clt-el-capitan.txt');
    expect(softwareUpdateResult(item('CLTools_Executables'), { stdout: elCapitan, stderr: '', exitCode: 0 }, true, 5)).toMatchObject({
      outcome: 'installed',
      rebootRequired: true,
    });
    // Not a capture: the sentence softwareupdate prints after an update that needs a restart, as Apple words it.
    const restart = `${elCapitan}\nYou have installed one or more updates that requires that you restart your computer.  Please restart immediately.\n`;
    expect(softwareUpdateResult(item('x'), { stdout: restart, stderr: '', exitCode: 0 }, false, 5)).toMatchObject({
      outcome: 'installed',
      rebootRequired: true,
    });
    expect(
      softwareUpdateResult(item('x'), { stdout: 'Software Update Tool\n', stderr: 'x: No such update\nNo updates are available.\n', exitCode: 0 }, false, 5),
    ).toMatchObject({
      outcome: 'not_applicable',
    });
    expect(
      softwareUpdateResult(
        item('x'),
        { stdout: 'Software Update Tool\n\nFinding available software\n', stderr: 'Error: the operation could not be completed\n', exitCode: 1 },
        false,
        5,
      ),
    ).toEqual({
      id: 'x',
      manager: 'softwareupdate',
      title: 'x',
      outcome: 'failed',
      code: 1,
      detail: 'Software Update Tool | Finding available software | Error: the operation could not be completed',
      rebootRequired: false,
      durationMs: 5,
    });
    expect(softwareUpdateResult(item('x'), { stdout: 'Software Update Tool\n', stderr: '', exitCode: 0 }, false, 5)).toMatchObject({ outcome: 'failed' });

    const { runner, calls } = replay({});
    expect(await createSoftwareUpdateInstaller({ runner }).install([item(CLT)], ctx(30_000))).toMatchObject([{ outcome: 'not_started' }]);
    expect(calls).toEqual([]);
  });

  it('a restart installed makes the reboot pending; the reboot is shutdown -r with the message as one argument', async () => {
    const { runner, calls } = replay({ [CLT]: { stdout: fixture('darwin/patching/softwareupdate-install-clt-xcode13.txt') } });
    const installer = createSoftwareUpdateInstaller({ runner, restartLabels: new Set([CLT]) });
    await installer.install([item(CLT)], ctx());
    expect(await installer.rebootPending(ctx())).toBe(true);
    const message = 'Updates installed: "restart" in 15 minutes; $(save) your work';
    await installer.reboot({ mode: 'warn', warnMinutes: 15, message }, ctx());
    expect(calls[1]).toMatchObject({ command: 'shutdown', args: ['-r', '+15', message] });
    expect(darwinRebootArgs({ mode: 'if_required' })).toEqual(['-r', '+1']);
  });
});

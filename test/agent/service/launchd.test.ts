// The launchd plist, read back by Python's plistlib (a real parser of Apple's XML property list format), with
// every string surviving escaping exactly; and the launchctl commands the host gives, with a scripted runner
// standing in for launchctl (no macOS here). `launchctl print` answers by exit status only (its output is not an
// interface), which is all the scripted runner models.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchdHost, launchdPlist } from '../../../agent/src/service/launchd.js';
import { installPaths } from '../../../agent/src/service/paths.js';
import type { HostContext, InstallChange } from '../../../agent/src/service/host.js';
import type { Runner } from '../../../agent/src/exec/runner.js';
import { tempDir } from './helpers.js';

const scratch = tempDir('wp-plist-');
let n = 0;
function plistlib(text: string): unknown {
  const file = join(scratch, `${n++}.plist`);
  writeFileSync(file, text);
  return JSON.parse(
    execFileSync('python3', ['-c', 'import plistlib,sys,json; print(json.dumps(plistlib.load(open(sys.argv[1], "rb"))))', file], { encoding: 'utf8' }),
  );
}

const input = {
  label: 'com.watchpost.agent',
  executable: '/Library/Application Support/Watchpost/current/watchpost-agent',
  stateDir: '/Library/Application Support/Watchpost/state',
  logFile: '/Library/Logs/Watchpost/watchpost-agent.log',
};

describe('launchdPlist', () => {
  it('parses to exactly these keys and values', () => {
    expect(plistlib(launchdPlist(input))).toEqual({
      Label: 'com.watchpost.agent',
      ProgramArguments: ['/Library/Application Support/Watchpost/current/watchpost-agent', 'run'],
      EnvironmentVariables: { WATCHPOST_STATE_DIR: '/Library/Application Support/Watchpost/state' },
      WorkingDirectory: '/Library/Application Support/Watchpost/state',
      RunAtLoad: true,
      KeepAlive: true,
      ThrottleInterval: 10,
      ExitTimeOut: 30,
      ProcessType: 'Background',
      LowPriorityIO: true,
      Nice: 10,
      Umask: 0o077,
      StandardOutPath: '/Library/Logs/Watchpost/watchpost-agent.log',
      StandardErrorPath: '/Library/Logs/Watchpost/watchpost-agent.log',
    });
  });

  it.each([
    ['XML specials', `/Volumes/R&D <"it's">/watchpost-agent`],
    ['an entity-looking text', '/opt/&amp;/&#x41;/watchpost-agent'],
    ['non-ASCII and astral characters', '/Users/Shared/Überwachung 監視 🛰/watchpost-agent'],
    ['a CDATA end and a comment end', '/a]]>b--c/watchpost-agent'],
  ])('every string survives: %s', (_what, text) => {
    const parsed = plistlib(launchdPlist({ ...input, executable: text, stateDir: text, logFile: text })) as Record<string, unknown>;
    expect((parsed.ProgramArguments as string[])[0]).toBe(text);
    expect(parsed.EnvironmentVariables).toEqual({ WATCHPOST_STATE_DIR: text });
    expect([parsed.WorkingDirectory, parsed.StandardOutPath, parsed.StandardErrorPath]).toEqual([text, text, text]);
  });

  it.each([
    ['a control character', '/a\u0001b'],
    ['a newline', '/a\nb'],
    ['a lone surrogate', '/a\ud800b'],
  ])('refuses %s (XML 1.0 cannot carry it, or it would change the value)', (_what, text) => {
    expect(() => launchdPlist({ ...input, stateDir: text })).toThrow('contains a character that cannot be written');
  });

  it('is what install writes for the macOS layout', () => {
    const paths = installPaths('darwin');
    const [file] = launchdHost.files(paths, '/tmp');
    expect(file).toEqual({ path: '/Library/LaunchDaemons/com.watchpost.agent.plist', text: launchdPlist(input) });
  });
});

describe('launchd host commands (a scripted runner stands in for launchctl)', () => {
  const scripted = (loaded: boolean) => {
    const calls: string[] = [];
    const runner: Runner = (command, args) => {
      calls.push([command, ...args].join(' '));
      if (args[0] === 'print' && !loaded) return Promise.reject(new Error('Command failed: launchctl print system/com.watchpost.agent'));
      return Promise.resolve({ stdout: '', stderr: '' });
    };
    const ctx: HostContext = { paths: installPaths('darwin'), root: undefined, runner, say: () => {} };
    return { calls, ctx };
  };
  const PLIST = '/Library/LaunchDaemons/com.watchpost.agent.plist';

  it.each<[string, boolean, InstallChange, boolean, string[]]>([
    ['first install', false, 'new', true, ['enable system/com.watchpost.agent', `bootstrap system ${PLIST}`]],
    ['loaded, nothing changed: KeepAlive keeps it running', true, 'unchanged', true, []],
    [
      'loaded, changed: bootout first',
      true,
      'changed',
      true,
      ['bootout system/com.watchpost.agent', 'enable system/com.watchpost.agent', `bootstrap system ${PLIST}`],
    ],
    ['not loaded, unchanged: loads it', false, 'unchanged', true, ['enable system/com.watchpost.agent', `bootstrap system ${PLIST}`]],
    ['--no-start: loaded at the next boot', false, 'new', false, []],
  ])('%s', async (_what, loaded, change, start, expected) => {
    const { calls, ctx } = scripted(loaded);
    await launchdHost.activate(ctx, change, await launchdHost.prepare(ctx, change), start);
    expect(calls).toEqual(['launchctl print system/com.watchpost.agent', ...expected.map((c) => `launchctl ${c}`)]);
  });

  it.each([
    [true, ['launchctl print system/com.watchpost.agent', 'launchctl bootout system/com.watchpost.agent']],
    [false, ['launchctl print system/com.watchpost.agent']],
  ])('uninstall when loaded=%s', async (loaded, expected) => {
    const { calls, ctx } = scripted(loaded);
    await launchdHost.deactivate(ctx);
    expect(calls).toEqual(expected);
  });

  it('under --root launchctl is never run', async () => {
    const { calls, ctx } = scripted(true);
    const rooted = { ...ctx, root: '/scratch' };
    await launchdHost.activate(rooted, 'new', await launchdHost.prepare(rooted, 'new'), true);
    await launchdHost.deactivate(rooted);
    expect(calls).toEqual([]);
  });
});

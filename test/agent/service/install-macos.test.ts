// The macOS layout installed for real into a scratch root (the installer with platform darwin: file operations
// are POSIX, and under --root launchctl is never asked): the plist where launchd reads it, read back by Python's
// plistlib (a real parser of Apple's XML format), the state inside the prefix, the log directory, and uninstall.
import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { install, standIn, tempDir, uninstall } from './helpers.js';

const bin = tempDir('wp-bin-');
const v1 = standIn(bin, '0.1.0');
const darwin = { platform: 'darwin' as const };
const PREFIX = 'Library/Application Support/Watchpost';
const PLIST = 'Library/LaunchDaemons/com.watchpost.agent.plist';
const mode = (path: string) => (lstatSync(path).mode & 0o777).toString(8);

const plistlib = (file: string): unknown =>
  JSON.parse(
    execFileSync('python3', ['-c', 'import plistlib,sys,json; print(json.dumps(plistlib.load(open(sys.argv[1], "rb"))))', file], { encoding: 'utf8' }),
  );

describe('install --root with the macOS layout', () => {
  it('writes the daemon plist, the versioned executable and owner-only state and log directories; loads nothing', async () => {
    const root = tempDir('wp-root-');
    const r = await install(['--root', root, '--binary', v1], darwin);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('not loaded into launchd (--root): at boot launchd loads /Library/LaunchDaemons/com.watchpost.agent.plist');
    expect(r.stdout).toContain('installed watchpost-agent 0.1.0 as launchd daemon com.watchpost.agent');
    expect(r.stdout).toContain(`--state-dir '${join(root, 'Library/Application Support/Watchpost/state')}'`);
    expect(r.stdout).toContain(`wrote ${join(root, PLIST)}\n`);
    expect(readlinkSync(join(root, PREFIX, 'current'))).toBe('versions/0.1.0');
    expect(readFileSync(join(root, PREFIX, 'current/watchpost-agent'))).toEqual(readFileSync(v1));
    for (const dir of [PREFIX, `${PREFIX}/state`, `${PREFIX}/versions/0.1.0`, 'Library/Logs/Watchpost']) expect(mode(join(root, dir))).toBe('700');
    expect(mode(join(root, PLIST))).toBe('600');
    expect(plistlib(join(root, PLIST))).toMatchObject({
      Label: 'com.watchpost.agent',
      ProgramArguments: ['/Library/Application Support/Watchpost/current/watchpost-agent', 'run'],
      EnvironmentVariables: { WATCHPOST_STATE_DIR: '/Library/Application Support/Watchpost/state' },
      StandardErrorPath: '/Library/Logs/Watchpost/watchpost-agent.log',
      KeepAlive: true,
      RunAtLoad: true,
    });

    const removed = await uninstall(['--root', root], darwin);
    expect(removed.code).toBe(0);
    // Never enrolled: the state and log directories are empty, so nothing is kept and the root is as it was.
    expect(readdirSync(root)).toEqual([]);
  });
});

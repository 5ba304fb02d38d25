// Swapping executables on real files in a scratch directory. POSIX is the real thing here (symlink + rename). The
// Windows installation's renames run here too, with Linux semantics: that checks the sequence of renames, not that
// Windows allows renaming a running executable (it does; documented in swap.ts), which needs a Windows machine.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectInstallation, posixInstallation, windowsInstallation, type Installation } from '../../../agent/src/update/swap.js';
import { executableScript, installPosix, writeExecutable } from './helpers.js';

let root = '';
beforeEach(() => (root = realpathSync(mkdtempSync(join(tmpdir(), 'watchpost-swap-')))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

const runCurrent = (prefix: string) => execFileSync(join(prefix, 'current', 'watchpost-agent'), ['--version'], { encoding: 'utf8' }).trim();

describe('detectInstallation', () => {
  it('recognises the installed POSIX layout from the executable path', () => {
    const exe = installPosix(join(root, 'opt'), '0.1.0');
    const found = detectInstallation(exe, 'linux');
    expect('kind' in found && found.kind).toBe('posix');
  });

  it.each([
    ['a tsx run (the executable is node)', (prefix: string) => (installPosix(prefix, '0.1.0'), process.execPath)],
    [
      'an executable from dist/bin',
      (prefix: string) => {
        mkdirSync(join(prefix, 'dist/bin'), { recursive: true });
        writeExecutable(join(prefix, 'dist/bin/watchpost-agent'), '0.1.0');
        return join(prefix, 'dist/bin/watchpost-agent');
      },
    ],
    [
      'a version directory that current does not point at',
      (prefix: string) => {
        installPosix(prefix, '0.1.0');
        mkdirSync(join(prefix, 'versions/0.0.9'));
        writeExecutable(join(prefix, 'versions/0.0.9/watchpost-agent'), '0.0.9');
        return join(prefix, 'versions/0.0.9/watchpost-agent');
      },
    ],
    [
      'current as a directory, not a symlink',
      (prefix: string) => {
        mkdirSync(join(prefix, 'versions/0.1.0'), { recursive: true });
        writeExecutable(join(prefix, 'versions/0.1.0/watchpost-agent'), '0.1.0');
        mkdirSync(join(prefix, 'current'));
        return join(prefix, 'versions/0.1.0/watchpost-agent');
      },
    ],
  ])('refuses %s', (_name, make) => {
    const found = detectInstallation(make(join(root, 'opt')), 'linux');
    expect('unsupported' in found && found.unsupported).toMatch(/^not an installed agent/);
  });

  it('Windows: the fixed watchpost-agent.exe, any case; anything else is not installed', () => {
    expect('kind' in detectInstallation('C:\\Program Files\\Watchpost\\WATCHPOST-AGENT.EXE', 'win32')).toBe(true);
    expect('unsupported' in detectInstallation('C:\\Program Files\\nodejs\\node.exe', 'win32')).toBe(true);
  });
});

describe('posixInstallation', () => {
  let prefix = '';
  let install: Installation;
  beforeEach(() => {
    prefix = join(root, 'opt');
    installPosix(prefix, '0.1.0');
    install = posixInstallation(prefix);
  });

  const stage = (version: string) => {
    const staged = install.stagingPath(version);
    writeFileSync(staged, executableScript(version), { mode: 0o755 });
    return staged;
  };

  it('swapIn moves the staged file into versions/<v> and repoints current with a relative symlink; swapBack undoes it', () => {
    expect(install.previousPath()).toBe(join(prefix, 'versions/0.1.0'));
    const staged = stage('0.2.0');
    expect(staged.startsWith(join(prefix, 'versions') + '/')).toBe(true); // same file system: a rename
    install.swapIn(staged, '0.2.0');
    expect(existsSync(staged)).toBe(false);
    expect(lstatSync(join(prefix, 'current')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(prefix, 'current'))).toBe('versions/0.2.0');
    expect(runCurrent(prefix)).toBe('watchpost-agent 0.2.0');
    expect(existsSync(join(prefix, '.current.tmp'))).toBe(false);

    install.swapBack(join(prefix, 'versions/0.1.0'));
    expect(readlinkSync(join(prefix, 'current'))).toBe('versions/0.1.0');
    expect(runCurrent(prefix)).toBe('watchpost-agent 0.1.0');
  });

  it('swapIn over what an unfinished attempt left in versions/<v> replaces it', () => {
    mkdirSync(join(prefix, 'versions/0.2.0'));
    writeFileSync(join(prefix, 'versions/0.2.0/junk'), 'x');
    install.swapIn(stage('0.2.0'), '0.2.0');
    expect(existsSync(join(prefix, 'versions/0.2.0/junk'))).toBe(false);
    expect(runCurrent(prefix)).toBe('watchpost-agent 0.2.0');
  });

  it('refuses to swap in the version current already points at, and to swap back to nothing', () => {
    expect(() => install.swapIn(stage('0.1.0'), '0.1.0')).toThrow(/already points at/);
    expect(runCurrent(prefix)).toBe('watchpost-agent 0.1.0');
    expect(() => install.swapBack(join(prefix, 'versions/9.9.9'))).toThrow(/no watchpost-agent in/);
    expect(runCurrent(prefix)).toBe('watchpost-agent 0.1.0');
  });

  it('prune keeps the current version and the one named, removes other versions and staged downloads', () => {
    install.swapIn(stage('0.2.0'), '0.2.0');
    install.swapIn(stage('0.3.0'), '0.3.0');
    stage('0.4.0'); // a download left by a refused offer
    install.prune(join(prefix, 'versions/0.2.0'));
    expect(readdir(join(prefix, 'versions'))).toEqual(['0.2.0', '0.3.0']);
    install.prune(null);
    expect(readdir(join(prefix, 'versions'))).toEqual(['0.3.0']);
    expect(runCurrent(prefix)).toBe('watchpost-agent 0.3.0');
  });

  it('prune works through a symlinked prefix (the paths compared are real paths)', () => {
    symlinkSync(prefix, join(root, 'link'));
    const viaLink = posixInstallation(join(root, 'link'));
    install.swapIn(stage('0.2.0'), '0.2.0');
    viaLink.prune(join(root, 'link/versions/0.1.0'));
    expect(readdir(join(prefix, 'versions'))).toEqual(['0.1.0', '0.2.0']);
  });
});

function readdir(dir: string): string[] {
  return execFileSync('ls', ['-A', dir], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
}

describe('windowsInstallation (renames run with Linux semantics)', () => {
  it('swapIn keeps the old executable as .previous; swapBack moves the new one to .failed; prune removes leftovers', () => {
    const dir = join(root, 'Watchpost');
    mkdirSync(dir);
    const exe = join(dir, 'watchpost-agent.exe');
    writeFileSync(exe, 'old');
    const install = windowsInstallation(exe);
    const staged = install.stagingPath('0.2.0');
    expect(staged.endsWith('.exe')).toBe(true);
    writeFileSync(staged, 'new');
    install.swapIn(staged, '0.2.0');
    expect(readFileSync(exe, 'utf8')).toBe('new');
    expect(readFileSync(install.previousPath(), 'utf8')).toBe('old');

    install.swapBack(install.previousPath());
    expect(readFileSync(exe, 'utf8')).toBe('old');
    expect(readFileSync(`${exe}.failed`, 'utf8')).toBe('new');
    writeFileSync(install.stagingPath('0.3.0'), 'partial');
    install.prune(null);
    expect(readdir(dir)).toEqual(['watchpost-agent.exe']);
  });

  it('a swapIn whose second rename fails puts the old executable back', () => {
    const dir = join(root, 'Watchpost');
    mkdirSync(dir);
    const exe = join(dir, 'watchpost-agent.exe');
    writeFileSync(exe, 'old');
    const install = windowsInstallation(exe);
    expect(() => install.swapIn(join(dir, 'missing.exe'), '0.2.0')).toThrow(/ENOENT/);
    expect(readFileSync(exe, 'utf8')).toBe('old');
  });
});

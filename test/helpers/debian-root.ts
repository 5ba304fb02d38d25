// A minimal Debian root for tests that run real apt and dpkg without touching this machine's own packages:
// `debootstrap --variant=minbase` once per machine (cached under CACHE_DIR, keyed by debootstrap's version and the
// suite, so every test run and CI on the machine reuse it), given to each test as an overlay (nothing copied), with
// /proc and /dev/pts mounted in it while the test runs commands there through `chroot`. Needs root (chroot, mount); Debian's debootstrap and
// dpkg-dev (dpkg-scanpackages) come from scripts/install-test-tools.sh.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runner } from '../../agent/src/exec/runner.js';

export const CACHE_DIR = '/var/cache/watchpost-test';
const SUITE = 'bookworm';
const DEBOOTSTRAP_TIMEOUT_MS = 15 * 60_000;
const CHROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const canChroot = process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/etc/debian_version');

/** The Debian mirror this machine's apt uses (deb822 `URIs:` or a one-line `deb` entry for the suite). */
export function machineMirror(): string {
  const files = ['/etc/apt/sources.list', ...readdirSync('/etc/apt/sources.list.d').map((f) => join('/etc/apt/sources.list.d', f))];
  for (const file of files) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    for (const stanza of text.split(/\n\s*\n/)) {
      const uri = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
      if (uri && new RegExp(`^Suites:.*\\b${SUITE}\\b(?!-)`, 'm').test(stanza) && !uri.includes('security')) return uri;
    }
    const line = new RegExp(`^deb\\s+(?:\\[[^\\]]*\\]\\s+)?(\\S+)\\s+${SUITE}\\s`, 'm').exec(text);
    if (line?.[1] && !line[1].includes('security')) return line[1];
  }
  throw new Error(`no Debian ${SUITE} mirror in /etc/apt/sources.list*`);
}

/** The cached minbase root, made by debootstrap the first time (under flock, so parallel test files wait for one). */
export function cachedDebianRoot(): string {
  const version = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'debootstrap'], { encoding: 'utf8' }).trim();
  const dir = join(CACHE_DIR, `${SUITE}-minbase-debootstrap-${version}`);
  const marker = join(dir, '.watchpost-complete');
  if (existsSync(marker)) return dir;
  mkdirSync(CACHE_DIR, { recursive: true });
  const script =
    'test -e "$1/.watchpost-complete" && exit 0; rm -rf --one-file-system "$1.tmp" && debootstrap --variant=minbase "$2" "$1.tmp" "$3" >"$1.log" 2>&1 && touch "$1.tmp/.watchpost-complete" && rm -rf --one-file-system "$1" && mv "$1.tmp" "$1"';
  execFileSync('flock', [join(CACHE_DIR, '.lock'), 'sh', '-c', script, 'sh', dir, SUITE, machineMirror()], {
    timeout: DEBOOTSTRAP_TIMEOUT_MS,
    stdio: 'ignore',
  });
  return dir;
}

const mountsUnder = (root: string): string[] =>
  readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m === root || m.startsWith(`${root}/`));

/**
 * A writable copy of a root without copying it: an overlay mount in a temp dir whose lower layers are `layers`
 * (top first: the cached root last, a prepared copy's `upper` above it), with /proc and /dev/pts mounted inside.
 * What a test changes lands in `upper`; `remove()` unmounts and deletes it.
 */
export class ChrootCopy {
  readonly dir: string;
  readonly root: string;
  readonly upper: string;

  constructor(layers: readonly string[]) {
    this.dir = mkdtempSync(join(tmpdir(), 'watchpost-chroot-'));
    this.root = join(this.dir, 'root');
    this.upper = join(this.dir, 'upper');
    const work = join(this.dir, 'work');
    for (const d of [this.root, this.upper, work]) mkdirSync(d);
    try {
      execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${layers.join(':')},upperdir=${this.upper},workdir=${work}`, this.root]);
      execFileSync('mount', ['-t', 'proc', 'proc', join(this.root, 'proc')]);
      execFileSync('mount', ['--bind', '/dev/pts', join(this.root, 'dev/pts')]);
    } catch (error) {
      this.remove();
      throw error;
    }
  }

  /** Runs a command inside the root (setup and assertions; the installers use `runner`). */
  exec(command: string, args: readonly string[]): string {
    return execFileSync('chroot', [this.root, command, ...args], { encoding: 'utf8', env: { ...process.env, PATH: CHROOT_PATH, LC_ALL: 'C' } });
  }

  /** Unmounts /proc, /dev/pts and the overlay (lazily when busy); `upper` keeps what changed. */
  unmount(): void {
    for (const mount of mountsUnder(this.root).reverse()) {
      try {
        execFileSync('umount', [mount]);
      } catch {
        execFileSync('umount', ['-l', mount]);
      }
    }
  }

  /** Unmounts and deletes the copy; refuses to delete while anything is still mounted in it. */
  remove(): void {
    this.unmount();
    const left = mountsUnder(this.root);
    if (left.length > 0) throw new Error(`still mounted, not deleting ${this.dir}: ${left.join(', ')}`);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The agent's Runner contract, but every command runs inside `root` as `chroot <root> <command> ...` (same timeout,
 * abort, exit-code answers and environment handling as exec/runner.ts). `shutdown` is never run: its arguments are
 * recorded in `shutdowns` instead, so no test can reboot the machine.
 */
export function chrootRunner(root: string, shutdowns: string[][] = []): Runner {
  return (command, args, options = {}) => {
    if (command === 'shutdown') {
      shutdowns.push([...args]);
      return Promise.resolve({ stdout: '', stderr: '' });
    }
    return new Promise((resolve, reject) => {
      execFile(
        'chroot',
        [root, command, ...args],
        {
          timeout: options.timeoutMs ?? 30_000,
          maxBuffer: 16 * 1024 * 1024,
          encoding: 'buffer',
          env: { ...process.env, PATH: CHROOT_PATH, ...options.env },
          ...(options.signal ? { signal: options.signal } : {}),
        },
        (error, stdout, stderr) => {
          const code = error && typeof error.code === 'number' ? error.code : undefined;
          if (error && (code === undefined || !options.okExitCodes?.includes(code))) return reject(error);
          resolve({ stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8'), ...(code === undefined ? {} : { exitCode: code }) });
        },
      );
    });
  };
}

export interface DebSpec {
  name: string;
  version: string;
  /** The body of a /bin/sh postinst. */
  postinst?: string;
}

/** Builds a real binary package (Architecture: all, one file under /usr/share/<name>) with dpkg-deb; returns its path. */
export function buildDeb(outDir: string, spec: DebSpec): string {
  const tree = mkdtempSync(join(tmpdir(), 'watchpost-deb-'));
  try {
    mkdirSync(join(tree, 'DEBIAN'));
    mkdirSync(join(tree, 'usr/share', spec.name), { recursive: true });
    writeFileSync(join(tree, 'usr/share', spec.name, 'version'), `${spec.version}\n`);
    const control = [`Package: ${spec.name}`, `Version: ${spec.version}`, 'Architecture: all', 'Maintainer: Watchpost tests <tests@example.invalid>'];
    writeFileSync(join(tree, 'DEBIAN/control'), [...control, `Description: ${spec.name} for the patching tests`, ''].join('\n'));
    if (spec.postinst !== undefined) writeFileSync(join(tree, 'DEBIAN/postinst'), `#!/bin/sh\n${spec.postinst}\n`, { mode: 0o755 });
    const out = join(outDir, `${spec.name}_${spec.version}_all.deb`);
    execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', tree, out], { stdio: 'ignore' });
    return out;
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

/** A local apt repository inside `root` at /srv/repo made of `debs` (dpkg-scanpackages), the root's only source. */
export function useLocalRepository(root: string, debs: readonly string[]): void {
  const repo = join(root, 'srv/repo');
  mkdirSync(repo, { recursive: true });
  for (const deb of debs) cpSync(deb, join(repo, deb.split('/').pop()!));
  const packages = execFileSync('dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], {
    cwd: repo,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  writeFileSync(join(repo, 'Packages'), packages);
  writeFileSync(join(root, 'etc/apt/sources.list'), 'deb [trusted=yes] file:/srv/repo ./\n');
  rmSync(join(root, 'etc/apt/sources.list.d'), { recursive: true, force: true });
  mkdirSync(join(root, 'etc/apt/sources.list.d'));
  for (const f of readdirSync(join(root, 'var/lib/apt/lists')))
    if (f !== 'partial' && f !== 'lock') rmSync(join(root, 'var/lib/apt/lists', f), { force: true });
}

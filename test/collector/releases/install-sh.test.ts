// install.sh run for real: fetched from a real collector with an enrollment token, piped into sh as the one-liner
// does, against a release whose "executable" is a stand-in shell script that records how it was called. It
// downloads, checks the SHA-256 (sha256sum, or shasum as on macOS), runs `install --server --token --root` and
// cleans up; a file that differs from its hash is never run; without root it stops before downloading.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { installSh, oneLiner } from '../../../collector/src/releases/deploy-scripts.js';
import { tempDir, writeRelease } from './release-fixture.js';

/** Writes every argument on its own line, then its own path, into $WATCHPOST_TEST_RECORD. */
const STAND_IN =
  '#!/bin/sh\n# stand-in for watchpost-agent (v1)\n{ for arg in "$@"; do printf \'%s\\n\' "$arg"; done; printf \'%s\\n\' "$0"; } > "$WATCHPOST_TEST_RECORD"\n';
const UNIX = { 'linux-x64': STAND_IN, 'linux-arm64': STAND_IN, 'darwin-x64': STAND_IN, 'darwin-arm64': STAND_IN } as const;

const releases = tempDir('wp-releases-');
writeRelease(releases, { version: '0.2.0', files: UNIX });
let c: TestCollector;
beforeAll(async () => {
  c = await startCollector({ sink: new RecordingSink(), env: { WATCHPOST_RELEASES_DIR: releases } });
});
afterAll(async () => c.close());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: Record<string, string>, stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

function scratch() {
  const dir = tempDir('wp-install-');
  mkdirSync(join(dir, 'tmp'));
  return { root: join(dir, 'root'), record: join(dir, 'record.txt'), tmp: join(dir, 'tmp') };
}

const token = () => c.store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 5 }).token;
const usesLeft = (t: string) => c.store.tokens.list('acme').find((info) => t.includes(info.id))!.usesLeft;

/** A PATH of symlinks to exactly these tools, to run the script as on a machine that has only them. */
function pathWith(tools: string[]): string {
  const bin = tempDir('wp-bin-');
  for (const tool of tools) symlinkSync(join('/usr/bin', tool), join(bin, tool));
  return bin;
}
const BASE_TOOLS = ['id', 'uname', 'mktemp', 'rm', 'chmod', 'cut', 'cat'];

describe('install.sh', () => {
  it('runs as the one-liner: downloads, verifies, installs with the server and token, cleans up', async () => {
    const t = token();
    const s = scratch();
    const line = oneLiner('linux', c.baseUrl, t).replace('sudo sh "$f"', 'sh "$f"'); // no sudo here; the test runs as root
    const result = await run('sh', ['-c', line], { PATH: process.env.PATH!, WATCHPOST_INSTALL_ROOT: s.root, WATCHPOST_TEST_RECORD: s.record });
    expect(result.stderr).toContain('watchpost install: done');
    expect(result.code).toBe(0);
    const [install, ...rest] = readFileSync(s.record, 'utf8').trimEnd().split('\n');
    const exePath = rest.pop()!;
    expect([install, ...rest]).toEqual(['install', '--server', c.baseUrl, '--token', t, '--root', s.root]);
    expect(exePath).toMatch(/\/watchpost-agent$/);
    expect(existsSync(dirname(exePath))).toBe(false);
    // The script's downloads use the token without consuming it: only the agent's enrollment will.
    expect(usesLeft(t)).toBe(5);
  });

  it('fails as a whole (non-zero, nothing run, no temp file left) when the collector refuses the token', async () => {
    const s = scratch();
    const line = oneLiner('linux', c.baseUrl, 'wpe_0000000000000000_' + 'A'.repeat(43)).replace('sudo sh "$f"', 'sh "$f"');
    const result = await run('sh', ['-c', line], { PATH: process.env.PATH!, TMPDIR: s.tmp, WATCHPOST_INSTALL_ROOT: s.root, WATCHPOST_TEST_RECORD: s.record });
    expect(result.code).toBe(22); // curl -f on an HTTP error: an RMM sees the failure, not an empty script's success
    expect(result.stderr).toContain('401');
    expect(existsSync(s.record)).toBe(false);
    expect(readdirSync(s.tmp)).toEqual([]);
  });

  it.each([
    ['wget and sha256sum', ['wget', 'sha256sum']],
    ['curl and shasum (macOS has no sha256sum)', ['curl', 'shasum']],
  ])('works with only %s', async (_what, tools) => {
    const t = token();
    const s = scratch();
    const script = await (await fetch(`${c.baseUrl}/api/v1/deploy/install.sh`, { headers: { authorization: `Bearer ${t}` } })).text();
    const PATH = pathWith([...BASE_TOOLS, ...tools]);
    const result = await run('/bin/sh', [], { PATH, TMPDIR: s.tmp, WATCHPOST_INSTALL_ROOT: s.root, WATCHPOST_TEST_RECORD: s.record }, script);
    expect(result.stderr).toContain('watchpost install: done');
    // Only these tools (and the base ones) are on PATH, so the download and the hash check that succeeded used them
    // (a trace with sh -x cannot show it reliably: the two sides of `shasum ... | cut` trace concurrently).
    expect(readFileSync(s.record, 'utf8').split('\n').slice(0, 5)).toEqual(['install', '--server', c.baseUrl, '--token', t]);
  });

  it('stops before running anything when the download does not match its SHA-256', async () => {
    const t = token();
    const s = scratch();
    const script = await (await fetch(`${c.baseUrl}/api/v1/deploy/install.sh`, { headers: { authorization: `Bearer ${t}` } })).text();
    // Same size (the collector serves it), different bytes: as if changed on disk or on the way.
    const files = ['linux-x64', 'linux-arm64'].map((target) => join(releases, '0.2.0', `watchpost-agent-${target}`));
    for (const file of files) writeFileSync(file, STAND_IN.replace('(v1)', '(v2)'));
    try {
      const result = await run('sh', [], { PATH: process.env.PATH!, TMPDIR: s.tmp, WATCHPOST_INSTALL_ROOT: s.root, WATCHPOST_TEST_RECORD: s.record }, script);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/watchpost install: SHA-256 mismatch for linux-(x64|arm64) .*nothing was installed/);
      expect(existsSync(s.record)).toBe(false);
    } finally {
      for (const file of files) writeFileSync(file, STAND_IN);
    }
  });

  it('refuses to run without root, before downloading', async () => {
    const s = scratch();
    const script = await (await fetch(`${c.baseUrl}/api/v1/deploy/install.sh`, { headers: { authorization: `Bearer ${token()}` } })).text();
    const result = await run(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh'],
      { PATH: process.env.PATH!, WATCHPOST_TEST_RECORD: s.record },
      script,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('watchpost install: run as root (sudo)\n');
  });

  it('parses under sh -n and bash -n, and fails clearly for a target the release lacks', async () => {
    const input = { server: c.baseUrl, token: token(), tenant: 'acme', version: '0.2.0', serviceHostSha256: null };
    const full = installSh({ ...input, executables: { 'linux-x64': 'a'.repeat(64), 'darwin-arm64': 'b'.repeat(64) } });
    for (const shell of ['sh', 'bash']) expect(await run(shell, ['-n'], { PATH: process.env.PATH! }, full)).toMatchObject({ code: 0, stderr: '' });
    const none = installSh({ ...input, executables: {} });
    expect(await run('bash', ['-n'], { PATH: process.env.PATH! }, none)).toMatchObject({ code: 0 });
    const result = await run('sh', [], { PATH: process.env.PATH! }, none);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^watchpost install: release 0\.2\.0 has no executable for linux-(x64|arm64)\n$/);
  });
});

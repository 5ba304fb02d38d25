// `watchpost-collector deploy` as a user runs it: a subprocess on a real SQLite store; the token it creates and the
// one-liners it prints (the token in a header, in no URL).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { openStore } from '../../../collector/src/store/index.js';
import { main } from '../../../collector/src/cli.js';
import { tempDir, writeRelease } from './release-fixture.js';
import type { Target } from '../../../collector/src/releases/targets.js';
import { collectorCli, type CliOutcome } from '../../helpers/collector-cli.js';

const ALL_TARGETS: Target[] = ['win-x64', 'linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64'];

/** A data dir with tenant acme, and a releases dir holding one release of `targets` (none: an empty releases dir). */
function dataDirWithTenant(
  targets: Target[] = ALL_TARGETS,
  serviceHost = true,
): { env: Record<string, string>; tokens: () => ReturnType<ReturnType<typeof openStore>['tokens']['list']> } {
  const dir = tempDir('wp-deploy-');
  const store = openStore(join(dir, 'watchpost.db'));
  store.tenants.add({ id: 'acme', name: 'Acme' });
  store.close();
  const releases = join(dir, 'releases');
  if (targets.length > 0) {
    const files = Object.fromEntries(targets.map((t) => [t, `agent ${t}`]));
    writeRelease(releases, { version: '0.2.0', files, ...(serviceHost ? { serviceHost: 'winsw' } : {}) });
  } else mkdirSync(releases);
  return {
    env: { WATCHPOST_DATA_DIR: dir, WATCHPOST_RELEASES_DIR: releases },
    tokens: () => {
      const s = openStore(join(dir, 'watchpost.db'));
      try {
        return s.tokens.list('acme');
      } finally {
        s.close();
      }
    },
  };
}

/** Runs the CLI's main() here, keeping what it writes to stdout and stderr. */
async function inProcess(argv: string[]): Promise<CliOutcome> {
  const out = { stdout: '', stderr: '' };
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  process.stdout.write = ((chunk: string) => ((out.stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((out.stderr += chunk), true)) as typeof process.stderr.write;
  try {
    return { code: await main(argv), ...out };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
  }
}

const TOKEN_RE = /wpe_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/;

const writeConfig = (env: Record<string, string>): string => {
  const file = join(env.WATCHPOST_DATA_DIR!, 'collector.yaml');
  writeFileSync(file, JSON.stringify({ dataDir: env.WATCHPOST_DATA_DIR, releases: { dir: env.WATCHPOST_RELEASES_DIR } }));
  return file;
};

describe('watchpost-collector deploy', () => {
  it('creates a 2-hour, 500-use token and prints the Windows and the Linux/macOS one-liners', async () => {
    const { env, tokens } = dataDirWithTenant();
    const result = await collectorCli(['deploy', '--tenant', 'acme', '--server', 'https://watch.example.com'], env);
    expect(result.code).toBe(0);
    const token = TOKEN_RE.exec(result.stdout)![0];
    expect(result.stdout).toBe(
      '# Windows (PowerShell 5.1+, as Administrator or SYSTEM: an RMM script or a GPO startup script)\n' +
        `powershell -NoProfile -ExecutionPolicy Bypass -Command "[Net.ServicePointManager]::SecurityProtocol='Tls12'; iex (irm -UseBasicParsing -Headers @{Authorization='Bearer ${token}'} 'https://watch.example.com/api/v1/deploy/windows.ps1')"\n` +
        '\n# Linux and macOS (as root, or as a user who may sudo: the line uses sudo only when not root)\n' +
        `sh -c 'f=$(mktemp) && curl -fsSL -H "Authorization: Bearer ${token}" -o "$f" "https://watch.example.com/api/v1/deploy/install.sh" && if [ "$(id -u)" -eq 0 ]; then sh "$f"; else sudo sh "$f"; fi; s=$?; rm -f "$f"; exit $s'\n`,
    );
    for (const url of result.stdout.match(/https?:\/\/[^\s'")]+/g)!) expect(url).not.toContain(token.slice(-43));
    const [info] = tokens();
    expect(token).toContain(info!.id);
    expect(info).toMatchObject({ maxUses: 500, usesLeft: 500 });
    // expiresAt is taken a moment before the store stamps createdAt: 2 h, less that moment.
    expect(info!.expiresAt - info!.createdAt).toBeLessThanOrEqual(2 * 3_600_000);
    expect(info!.expiresAt - info!.createdAt).toBeGreaterThan(2 * 3_600_000 - 60_000);
    expect(result.stderr).toContain(`token ${info!.id} for tenant acme: enrolls up to 500 agent(s)`);
  });

  it('prints the bare line for one --os, with the --expires and --uses given, and server.publicUrl as the server', async () => {
    const { env, tokens } = dataDirWithTenant();
    const result = await collectorCli(['deploy', '--tenant', 'acme', '--os', 'windows', '--expires', '30m', '--uses', '10'], {
      ...env,
      WATCHPOST_SERVER_PUBLIC_URL: 'https://watch.example.com:8443/',
    });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toHaveLength(2);
    expect(result.stdout).toMatch(/^powershell .*'https:\/\/watch\.example\.com:8443\/api\/v1\/deploy\/windows\.ps1'\)"\n$/);
    expect(tokens()[0]).toMatchObject({ maxUses: 10 });
    expect(tokens()[0]!.expiresAt - tokens()[0]!.createdAt).toBeLessThanOrEqual(30 * 60_000);
    const mac = await inProcess(['deploy', '--tenant', 'acme', '--os', 'macos', '--server', 'http://10.0.0.5:8420', '--config', writeConfig(env)]);
    expect(mac.stdout).toMatch(
      /^sh -c 'f=\$\(mktemp\) && curl -fsSL -H "Authorization: Bearer wpe_\S+" -o "\$f" "http:\/\/10\.0\.0\.5:8420\/api\/v1\/deploy\/install\.sh" && if \[ "\$\(id -u\)" -eq 0 \]; then sh "\$f"; else sudo sh "\$f"; fi; s=\$\?; rm -f "\$f"; exit \$s'\n$/,
    );
  });

  it('takes the listen address when nothing else is given, warning that loopback reaches no other machine', async () => {
    const { env } = dataDirWithTenant();
    const result = await collectorCli(['deploy', '--tenant', 'acme', '--os', 'linux'], { ...env, WATCHPOST_LISTEN: '127.0.0.1:9999' });
    expect(result.stdout).toContain(' "http://127.0.0.1:9999/api/v1/deploy/install.sh" && if [ "$(id -u)" -eq 0 ]; then sh "$f"; else sudo sh "$f"; fi;');
    expect(result.stderr).toContain('warning: 127.0.0.1 is this machine');
  });

  describe('the release the tenant gets must install on the OS asked for', () => {
    /** deploy in this process with the dir's releases; the settings as the config file gives them. */
    const deployWith = async (dirs: ReturnType<typeof dataDirWithTenant>, args: string[], settings: Record<string, unknown> = {}) => {
      const config = join(dirs.env.WATCHPOST_DATA_DIR!, 'collector.yaml');
      writeFileSync(config, JSON.stringify({ dataDir: dirs.env.WATCHPOST_DATA_DIR, releases: { dir: dirs.env.WATCHPOST_RELEASES_DIR }, ...settings }));
      return inProcess(['deploy', '--tenant', 'acme', '--server', 'https://watch.example.com', ...args, '--config', config]);
    };

    it('no release at all: refused with the fix on stderr, nothing printed, no token', async () => {
      for (const [dirs, settings] of [
        [dataDirWithTenant([]), {}],
        [dataDirWithTenant(), { releases: { dir: '' } }],
      ] as const) {
        const result = await deployWith(dirs, [], settings);
        expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
        expect(result.stderr).toContain('nothing to install: no release is available (releases.dir); the one-liners would fail with 503 no_release');
        expect(result.stderr).toContain('Fix: put a signed release in releases.dir');
        expect(dirs.tokens()).toEqual([]);
      }
    });

    it("a rollout naming a release that is not there: refused, naming the tenant's rollout", async () => {
      const dirs = dataDirWithTenant();
      const updates = join(dirs.env.WATCHPOST_DATA_DIR!, 'updates.yaml');
      writeFileSync(updates, 'rollouts:\n  - { tenant: acme, version: 0.3.0 }\n');
      const result = await deployWith(dirs, [], { updates: { file: updates } });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('the rollout for tenant acme names release 0.3.0, which is not available');
      expect(dirs.tokens()).toEqual([]);
    });

    it('--os for an OS the release lacks: refused, saying what is missing', async () => {
      const linuxOnly = dataDirWithTenant(['linux-x64'], false);
      const windows = await deployWith(linuxOnly, ['--os', 'windows']);
      expect({ code: windows.code, stdout: windows.stdout }).toEqual({ code: 1, stdout: '' });
      expect(windows.stderr).toContain(
        "release 0.2.0 (the one tenant acme's installs get) cannot install on Windows (Windows: no win-x64 executable and no Windows service host",
      );
      const mac = await deployWith(linuxOnly, ['--os', 'macos']);
      expect(mac.code).toBe(1);
      expect(mac.stderr).toContain('cannot install on macOS (macOS: no darwin-x64 or darwin-arm64 executable)');
      expect(linuxOnly.tokens()).toEqual([]);
    });

    it('another OS has a release: every line printed, a warning on stderr for each OS that would fail', async () => {
      const dirs = dataDirWithTenant(['linux-x64', 'darwin-arm64'], false);
      const result = await deployWith(dirs, []);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('# Windows');
      expect(result.stdout).toContain('/api/v1/deploy/install.sh');
      expect(result.stderr).toContain("warning: release 0.2.0 (the one tenant acme's installs get) has no win-x64 executable");
      expect(result.stderr).toContain('the Windows line fails until a release with it is loaded');
      expect(result.stderr).toContain('has no linux-arm64 executable: the Linux line fails on such machines');
      expect(result.stderr).toContain('has no darwin-x64 executable: the macOS line fails on such machines');
      expect(dirs.tokens()).toHaveLength(1);
      const linux = await deployWith(dirs, ['--os', 'linux']);
      expect(linux.code).toBe(0);
      expect(linux.stderr).not.toContain('Windows');
    });
  });

  it('refuses bad input naming it, and creates no token', async () => {
    const cases: [string[], Record<string, unknown>, number, string][] = [
      [['--os', 'linux'], {}, 2, '--tenant is required'],
      [['--tenant', 'acme', '--os', 'bsd'], {}, 2, '--os: expected one of windows, linux, macos, got "bsd"'],
      [['--tenant', 'acme', '--server', "https://x'y"], {}, 2, '--server: server URL not usable in a one-liner'],
      [['--tenant', 'acme'], { listen: '0.0.0.0:8420' }, 2, '--server is required: the listen address 0.0.0.0:8420'],
      [['--tenant', 'acme', '--uses', 'many'], {}, 2, '--uses: expected a whole number >= 1'],
      [['--tenant', 'nobody', '--server', 'https://x.example'], {}, 1, 'unknown tenant: nobody'],
    ];
    // In this process through the CLI's own entry point (a subprocess per case would cost a second each): the
    // settings come from a --config file, the output from the writes to stdout and stderr.
    for (const [args, settings, code, message] of cases) {
      const { env, tokens } = dataDirWithTenant();
      const config = join(env.WATCHPOST_DATA_DIR!, 'collector.yaml');
      writeFileSync(config, JSON.stringify({ dataDir: env.WATCHPOST_DATA_DIR, releases: { dir: env.WATCHPOST_RELEASES_DIR }, ...settings }));
      const result = await inProcess(['deploy', ...args, '--config', config]);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code, stdout: '' });
      expect(result.stderr).toContain(message);
      expect(tokens()).toEqual([]);
    }
  });
});

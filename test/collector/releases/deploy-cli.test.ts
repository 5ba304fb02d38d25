// `watchpost-collector deploy` as a user runs it: a subprocess on a real SQLite store; the token it creates and the
// one-liners it prints (the token in a header, in no URL).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { openStore } from '../../../collector/src/store/index.js';
import { main } from '../../../collector/src/cli.js';
import { tempDir } from './release-fixture.js';
import { collectorCli, type CliOutcome } from '../../helpers/collector-cli.js';

function dataDirWithTenant(): { env: Record<string, string>; tokens: () => ReturnType<ReturnType<typeof openStore>['tokens']['list']> } {
  const dir = tempDir('wp-deploy-');
  const store = openStore(join(dir, 'watchpost.db'));
  store.tenants.add({ id: 'acme', name: 'Acme' });
  store.close();
  return {
    env: { WATCHPOST_DATA_DIR: dir },
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
  writeFileSync(file, JSON.stringify({ dataDir: env.WATCHPOST_DATA_DIR }));
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
        '\n# Linux and macOS (as root; without sudo when the RMM already runs as root)\n' +
        `sh -c 'f=$(mktemp) && curl -fsSL -H "Authorization: Bearer ${token}" -o "$f" "https://watch.example.com/api/v1/deploy/install.sh" && sudo sh "$f"; s=$?; rm -f "$f"; exit $s'\n`,
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
      /^sh -c 'f=\$\(mktemp\) && curl -fsSL -H "Authorization: Bearer wpe_\S+" -o "\$f" "http:\/\/10\.0\.0\.5:8420\/api\/v1\/deploy\/install\.sh" && sudo sh "\$f"; s=\$\?; rm -f "\$f"; exit \$s'\n$/,
    );
  });

  it('takes the listen address when nothing else is given, warning that loopback reaches no other machine', async () => {
    const { env } = dataDirWithTenant();
    const result = await collectorCli(['deploy', '--tenant', 'acme', '--os', 'linux'], { ...env, WATCHPOST_LISTEN: '127.0.0.1:9999' });
    expect(result.stdout).toContain(' "http://127.0.0.1:9999/api/v1/deploy/install.sh" && sudo sh "$f"');
    expect(result.stderr).toContain('warning: 127.0.0.1 is this machine');
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
      writeFileSync(config, JSON.stringify({ dataDir: env.WATCHPOST_DATA_DIR, ...settings }));
      const result = await inProcess(['deploy', ...args, '--config', config]);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code, stdout: '' });
      expect(result.stderr).toContain(message);
      expect(tokens()).toEqual([]);
    }
  });
});

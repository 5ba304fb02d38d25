// watchpost-collector as a user runs it: a subprocess, real SQLite in a temp data dir, exit codes and output.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/influxd.js';
import { until } from '../helpers/until.js';
import { openStore } from '../../collector/src/store/index.js';
import { collectorCli } from '../helpers/collector-cli.js';

const dataDir = () => ({ WATCHPOST_DATA_DIR: mkdtempSync(join(tmpdir(), 'wp-cli-')) });

// Each test runs the CLI as a child process up to eight times (a tsx start each, 1-2 s on an idle 2-core machine, 7-9 s
// when other test files load it): bounded at 3 minutes per test instead of the suite's 60 s.
describe('watchpost-collector CLI', { timeout: 180_000 }, () => {
  it('prints its version', async () => {
    expect(await collectorCli(['--version'])).toMatchObject({ code: 0, stdout: 'watchpost-collector 0.1.0\n' });
  });

  it.each([
    [['serve', '--bogus'], "Unknown option '--bogus'"],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['token', 'create'], '--tenant is required'],
    [['token', 'create', '--tenant', 'acme', '--expires', 'soon'], 'expected a duration'],
    [['token', 'create', '--tenant', 'acme', '--uses', '0'], '--uses: expected a whole number >= 1'],
    [['tenant', 'add', 'acme'], '--name is required'],
  ])('exits 2 naming the problem: %j', async (args, message) => {
    const result = await collectorCli(args, dataDir());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('exits 2 naming the config key that is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-cli-'));
    const file = join(dir, 'collector.yaml');
    writeFileSync(file, 'influx:\n  batchSize: many\n');
    const result = await collectorCli(['agents', '--config', file], dataDir());
    expect(result).toMatchObject({ code: 2, stderr: expect.stringContaining(`influx.batchSize: Expected integer (in ${file})`) });
    const fromEnv = await collectorCli(['agents'], { ...dataDir(), WATCHPOST_LISTEN: 'nowhere' });
    expect(fromEnv).toMatchObject({ code: 2, stderr: expect.stringContaining('listen:') });
  });

  it('takes --config FILE before or after the command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-cli-'));
    const file = join(dir, 'collector.yaml');
    // An empty variable is no override (config.ts), so the data directory is the file's whatever the environment says.
    const FILE_DATA_DIR = { WATCHPOST_DATA_DIR: '' };
    writeFileSync(file, `dataDir: ${JSON.stringify(join(dir, 'data'))}\n`);
    expect(await collectorCli(['--config', file, 'tenant', 'add', 'acme', '--name', 'Acme'], FILE_DATA_DIR)).toMatchObject({ code: 0 });
    // The tenant is found only in the data directory the file names: the same file was read both ways.
    expect(await collectorCli(['token', 'create', '--tenant', 'acme', '--config', file], FILE_DATA_DIR)).toMatchObject({ code: 0 });
    expect(await collectorCli([`--config=${file}`, 'token', 'create', '--tenant', 'acme'], FILE_DATA_DIR)).toMatchObject({ code: 0 });
    expect(await collectorCli(['-c', file, 'tickets'], FILE_DATA_DIR)).toMatchObject({ code: 0, stdout: expect.stringContaining('TENANT') });
    expect(await collectorCli(['tickets', '--config', file], FILE_DATA_DIR)).toMatchObject({ code: 0, stdout: expect.stringContaining('TENANT') });
    expect(await collectorCli(['--config', file, 'tickets', '--config', file], FILE_DATA_DIR)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--config given both before and after the command'),
    });
    expect(await collectorCli(['--config'], FILE_DATA_DIR)).toMatchObject({ code: 2, stderr: expect.stringContaining('--config needs a file') });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'influx:\n  batchSize: many\n');
    for (const args of [
      ['--config', bad, 'tickets'],
      ['tickets', '--config', bad],
    ]) {
      expect(await collectorCli(args, FILE_DATA_DIR)).toMatchObject({
        code: 2,
        stderr: expect.stringContaining(`influx.batchSize: Expected integer (in ${bad})`),
      });
    }
  });

  it('adds a tenant, refuses it twice, and prints only the token on stdout', async () => {
    const env = dataDir();
    expect(await collectorCli(['tenant', 'add', 'acme', '--name', 'Acme Ltd'], env)).toMatchObject({ code: 0 });
    expect(await collectorCli(['tenant', 'add', 'acme', '--name', 'Acme Ltd'], env)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('tenant exists'),
    });
    const token = await collectorCli(['token', 'create', '--tenant', 'acme', '--expires', '1h', '--uses', '5'], env);
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^wpe_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n$/);
    expect(token.stderr).toContain('5 use(s)');
    expect(await collectorCli(['token', 'create', '--tenant', 'nobody'], env)).toMatchObject({ code: 1 });
    expect(await collectorCli(['agents'], env)).toMatchObject({ code: 0, stdout: expect.stringContaining('AGENT') });
  });

  it('lists and revokes tokens, revokes agents and shows them revoked', async () => {
    const env = dataDir();
    await collectorCli(['tenant', 'add', 'acme', '--name', 'Acme'], env);
    await collectorCli(['tenant', 'add', 'other', '--name', 'Other'], env);
    const token = (await collectorCli(['token', 'create', '--tenant', 'acme'], env)).stdout.trim();
    await collectorCli(['token', 'create', '--tenant', 'other'], env);
    const id = token.slice(4, 20);
    const listed = await collectorCli(['token', 'list', '--tenant', 'acme'], env);
    expect(listed.stdout).toMatch(new RegExp(`^TOKEN .*\n${id}\\s+acme .* 1/1 .*active\n$`));
    expect(listed.stdout).not.toContain(token.slice(21));
    expect(await collectorCli(['token', 'revoke', id], env)).toMatchObject({ code: 0, stdout: `token ${id} revoked\n` });
    expect((await collectorCli(['token', 'list', '--json'], env)).stdout).toContain('"state": "revoked"');
    expect(await collectorCli(['token', 'revoke', 'ffffffffffffffff'], env)).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown token') });
    expect(await collectorCli(['token', 'revoke'], env)).toMatchObject({ code: 2 });

    const store = openStore(join(env.WATCHPOST_DATA_DIR, 'watchpost.db'));
    const agent = store.agents.enroll({ tenant: 'acme', hostname: 'ws-01', os: 'linux', arch: 'x64', agentVersion: '1' });
    store.close();
    expect(await collectorCli(['agent', 'revoke', agent.agentId], env)).toMatchObject({ code: 0, stdout: `agent ${agent.agentId} revoked\n` });
    expect((await collectorCli(['agents'], env)).stdout).toMatch(new RegExp(`${agent.agentId} .* revoked \\d{4}-`));
    expect(await collectorCli(['agent', 'revoke', 'ag_nope'], env)).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown agent') });
  });

  it('creates an API key shown once on stdout, lists it without the secret, and revokes it', async () => {
    const env = dataDir();
    const created = await collectorCli(['api-key', 'create', '--name', 'grafana'], env);
    expect(created.stdout).toMatch(/^wpk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n$/);
    const id = created.stdout.slice(4, 20);
    const listed = await collectorCli(['api-key', 'list'], env);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+grafana .*active`));
    expect(listed.stdout).not.toContain(created.stdout.trim().slice(21));
    expect(await collectorCli(['api-key', 'revoke', id], env)).toMatchObject({ code: 0 });
    expect((await collectorCli(['api-key', 'list'], env)).stdout).toContain('revoked');
    expect(await collectorCli(['api-key', 'create'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('--name is required') });
  });

  it.each([
    [{ WATCHPOST_LISTEN: '0.0.0.0:0' }, /listen: 0\.0\.0\.0 is not a loopback address.*agents\.allowPlainRemote/],
    [
      { WATCHPOST_TLS_CERT: '/nonexistent/server.crt', WATCHPOST_TLS_KEY: '/nonexistent/server.key' },
      /tls\.cert: cannot read \/nonexistent\/server\.crt: ENOENT/,
    ],
    [{ WATCHPOST_TLS_CERT: '/nonexistent/server.crt' }, /tls\.key: required when tls\.cert is set/],
  ])('serve refuses to start, exit 2 naming the key: %j', async (extra, message) => {
    const result = await collectorCli(['serve'], { ...dataDir(), ...extra });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('serves with InfluxDB unreachable: starts, /healthz is 503 with the reason, and stops on SIGTERM', async () => {
    const [port, deadInflux] = await Promise.all([freePort(), freePort()]);
    const env = {
      ...process.env,
      ...dataDir(),
      WATCHPOST_LISTEN: `127.0.0.1:${port}`,
      WATCHPOST_INFLUX_URL: `http://127.0.0.1:${deadInflux}`,
      WATCHPOST_LOG_LEVEL: 'warn',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'collector/src/bin.ts', 'serve'], { env, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      let body: { status?: string; checks?: { influxdb?: string } } = {};
      await until(
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/healthz`);
          body = (await res.json()) as typeof body;
          return res.status === 503;
        },
        30_000,
        '/healthz to answer 503',
      );
      expect(body.status).toBe('unhealthy');
      expect(body.checks?.influxdb).toMatch(/^unavailable: /);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});

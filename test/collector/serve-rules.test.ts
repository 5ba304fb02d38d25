// The rules file as an operator meets it: serve refuses a bad one at start naming the key, and on SIGHUP a bad
// edit is refused while the rules in force stay in force; a good edit applies without a restart.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/influxd.js';
import { until } from '../helpers/until.js';
import { openStore } from '../../collector/src/store/index.js';

const exec = promisify(execFile);
const KEY = 'serve-rules-admin-key';

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'wp-serve-rules-'));
  // GET /api/v1/rules answers only for a tenant that exists.
  const store = openStore(join(dir, 'watchpost.db'));
  store.tenants.add({ id: 'acme', name: 'Acme' });
  store.close();
  const rulesFile = join(dir, 'rules.yaml');
  return { dir, rulesFile, env: { WATCHPOST_DATA_DIR: dir, WATCHPOST_RULES_FILE: rulesFile, WATCHPOST_ADMIN_KEY: KEY } };
}

describe('serve and the rules file', () => {
  it('refuses to start on a bad rules file, exit 2 naming the file and the key', async () => {
    const { rulesFile, env } = setup();
    writeFileSync(rulesFile, 'rules:\n  - { id: disk_space, for: soon }\n');
    const result = await exec(process.execPath, ['--import', 'tsx', 'collector/src/bin.ts', 'serve'], { env: { ...process.env, ...env } }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/rules\.yaml: rules\[0\]\.for: expected a duration/);
  });

  it('refuses to start on a desks file whose secret is not in the environment, naming the key', async () => {
    const { dir, env } = setup();
    const desksFile = join(dir, 'desks.yaml');
    writeFileSync(
      desksFile,
      'desks: { hook: { type: webhook, url: "https://hooks.example.net/x", secret: "${WP_TEST_UNSET_SECRET}" } }\ndefault_desks: [ { desk: hook } ]\n',
    );
    const { WATCHPOST_RULES_FILE: _rules, ...rest } = env;
    const result = await exec(process.execPath, ['--import', 'tsx', 'collector/src/bin.ts', 'serve'], {
      env: { ...process.env, ...rest, WATCHPOST_DESKS_FILE: desksFile },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('desks.yaml: default_desks[0].secret: environment variable WP_TEST_UNSET_SECRET is not set');
  });

  it('reloads on SIGHUP: a bad edit keeps the rules in force, a good one applies', async () => {
    const { rulesFile, env } = setup();
    writeFileSync(rulesFile, 'rules:\n  - { id: disk_space, for: 10m }\n');
    const [port, deadInflux] = await Promise.all([freePort(), freePort()]);
    const child = spawn(process.execPath, ['--import', 'tsx', 'collector/src/bin.ts', 'serve'], {
      env: {
        ...process.env,
        ...env,
        WATCHPOST_LISTEN: `127.0.0.1:${port}`,
        WATCHPOST_INFLUX_URL: `http://127.0.0.1:${deadInflux}`,
        WATCHPOST_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const diskFor = async (): Promise<number | undefined> => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/rules?tenant=acme&host=srv1`, { headers: { authorization: `Bearer ${KEY}` } });
      const body = (await res.json()) as { rules: Array<{ id: string; for_ms: number }> };
      return body.rules.find((r) => r.id === 'disk_space')?.for_ms;
    };
    try {
      await until(async () => (await diskFor().catch(() => undefined)) === 600_000, 30_000, 'the rules file in force');
      writeFileSync(rulesFile, 'rules:\n  - { id: disk_space, kind: nonsense }\n');
      child.kill('SIGHUP');
      await until(() => log.includes('rules reload failed'), 10_000, 'the reload failure in the log');
      expect(log).toMatch(/rules\.yaml: rules\[0\]\.kind/);
      expect(await diskFor()).toBe(600_000);
      writeFileSync(rulesFile, 'rules:\n  - { id: disk_space, for: 20m }\n');
      child.kill('SIGHUP');
      await until(async () => (await diskFor()) === 1_200_000, 10_000, 'the edited rules in force');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('reloads the config file on SIGHUP: file paths and the log level apply, a key that needs a restart is logged and keeps its value', async () => {
    const { dir } = setup();
    const [rulesA, rulesB, releases, configFile] = ['rules-a.yaml', 'rules-b.yaml', 'releases', 'collector.yaml'].map((f) => join(dir, f)) as [
      string,
      string,
      string,
      string,
    ];
    writeFileSync(rulesA, 'rules:\n  - { id: disk_space, for: 10m }\ntenants:\n  acmee: { terms: { on_clear: note } }\n');
    writeFileSync(rulesB, 'rules:\n  - { id: disk_space, for: 20m }\n');
    mkdirSync(releases);
    const [port, otherPort, deadInflux] = await Promise.all([freePort(), freePort(), freePort()]);
    const writeConfig = (lines: string[]) => writeFileSync(configFile, [`dataDir: ${JSON.stringify(dir)}`, `adminKey: ${KEY}`, ...lines].join('\n') + '\n');
    writeConfig([`listen: 127.0.0.1:${port}`, 'logLevel: info', `rules: { file: ${JSON.stringify(rulesA)} }`]);
    // The keys under test come from the file alone: an empty variable is no override.
    const env = { WATCHPOST_INFLUX_URL: `http://127.0.0.1:${deadInflux}`, WATCHPOST_DATA_DIR: '', WATCHPOST_LISTEN: '', WATCHPOST_ADMIN_KEY: '' };
    const child = spawn(process.execPath, ['--import', 'tsx', 'collector/src/bin.ts', '--config', configFile, 'serve'], {
      env: { ...process.env, WATCHPOST_RULES_FILE: '', WATCHPOST_LOG_LEVEL: '', WATCHPOST_RELEASES_DIR: '', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const diskFor = async (): Promise<number | undefined> => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/rules?tenant=acme&host=srv1`, { headers: { authorization: `Bearer ${KEY}` } });
      const body = (await res.json()) as { rules: Array<{ id: string; for_ms: number }> };
      return body.rules.find((r) => r.id === 'disk_space')?.for_ms;
    };
    try {
      await until(async () => (await diskFor().catch(() => undefined)) === 600_000, 30_000, 'the rules file the config names');
      // The rules file's entry for a tenant that does not exist is warned about with the nearest one.
      expect(log).toMatch(/"tenant":"acmee","nearest":"acme".*which does not exist/);

      // New file paths apply (releases.dir added, another rules file); a new listen address waits for a restart.
      writeConfig([
        `listen: 127.0.0.1:${otherPort}`,
        'logLevel: info',
        `rules: { file: ${JSON.stringify(rulesB)} }`,
        `releases: { dir: ${JSON.stringify(releases)} }`,
      ]);
      child.kill('SIGHUP');
      await until(async () => (await diskFor()) === 1_200_000, 10_000, 'the rules file the edited config names (served on the old port)');
      await until(() => log.includes('releases reloaded'), 10_000, 'the releases reloaded');
      expect(log).toContain('"keys":["rules.file","releases.dir"],"msg":"config reloaded"');
      expect(log).toContain('"keys":["listen"],"msg":"config keys changed that need a restart; their running values stay until then"');
      expect(log).toContain(`"dir":${JSON.stringify(releases)},"releases":[],"msg":"releases reloaded"`);

      // A quieter log level applies at once: the rules reload's info line is no longer written, its warning is.
      const infoLines = log.split('rules reloaded').length;
      const warnings = log.split('which does not exist').length;
      writeConfig([
        `listen: 127.0.0.1:${otherPort}`,
        'logLevel: warn',
        `rules: { file: ${JSON.stringify(rulesA)} }`,
        `releases: { dir: ${JSON.stringify(releases)} }`,
      ]);
      child.kill('SIGHUP');
      await until(() => log.includes('"keys":["logLevel","rules.file"],"msg":"config reloaded"'), 10_000, 'the config reload naming logLevel');
      await until(() => log.split('which does not exist').length > warnings, 10_000, "the reloaded rules file's warning");
      expect(log.split('rules reloaded').length).toBe(infoLines);
      expect(await diskFor()).toBe(600_000);

      writeFileSync(configFile, 'listen: [not, a, string]\n');
      child.kill('SIGHUP');
      await until(() => log.includes('config reload failed; keeping the config in force'), 10_000, 'the config reload failure');
      expect(await diskFor()).toBe(600_000);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});

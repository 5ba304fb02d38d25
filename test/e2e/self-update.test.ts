// Self-update end to end, with every real part: two real builds of the Linux executable (0.1.0 and
// 0.2.0, both embedding a release public key made by scripts/release-keygen.ts), installed by the agent's own
// `install --root` into a scratch root, enrolled with a real token; a real collector (through its CLI, over a real
// influxd) serving releases signed by scripts/release-sign.ts and a rollout file, reloaded with SIGHUP. The service
// host is played by this test as systemd would (Restart=always): it runs the unit's ExecStart and starts it again
// whenever it exits 75; the restart can be held, so the test can take the collector away at a chosen moment.
// In order, as an MSP would meet them:
//   1. a release signed with another key is refused: reported, and 0.1.0 keeps running (the offer has the
//      collector make the delta from 0.1.0 meanwhile);
//   2. the same version signed with the release key is installed from that delta (a few hundred bytes instead of
//      121 MiB): 0.2.0 runs, confirms at its first Welcome;
//   3. a version that cannot reach the collector within its rollback deadline is swapped back, and the rollback is
//      reported once the collector is back (here: 0.1.0 offered to 0.2.0 while the collector is down). Its rollout
//      is staged at 0 % first, which has the collector compress 0.1.0; the delta to it in the collector's cache is
//      hostile, so the agent drops it and installs the compressed file.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgent } from '../../scripts/build-agent.js';
import { generateReleaseKey } from '../../scripts/release-keygen.js';
import { signRelease } from '../../scripts/release-sign.js';
import { startInfluxd, freePort, type Influxd } from '../helpers/influxd.js';
import { startProc, stopProc, type Proc } from '../helpers/proc.js';
import { until } from '../helpers/until.js';
import { serveEnv } from '../helpers/collector-cli.js';
import { deltaHeader } from '../../collector/src/releases/delta-format.js';

const run = promisify(execFile);
const COLLECTOR = ['--import', 'tsx', 'collector/src/bin.ts'];
const TENANT = 'e2e-update';
const ADMIN_KEY = 'e2e-update-admin-key';
const TARGET = 'linux-x64';
const WAIT_MS = 90_000; // an offer waits 1-15 s of jitter, then download, smoke test and swap
const ROLLBACK_SECONDS = 30; // the smallest deadline a rollout may set
const EXIT_RESTART = 75;
const TEST_MS = WAIT_MS + 30_000;

interface Row {
  status?: string;
  from?: string;
  to?: string;
  reason?: string;
}

describe('signed self-update of the installed agent: refusal, installation, rollback', () => {
  let dir = '';
  let root = '';
  let releases = '';
  let updatesFile = '';
  let influx: Influxd | undefined;
  let collector: Proc | undefined;
  let env: NodeJS.ProcessEnv = {};
  let server = '';
  const builds: Record<string, string> = {};
  let keys = { privateKeyPath: '', publicKeyPath: '' };
  let otherKey = '';

  // The stand-in service host: what systemd does with Restart=always, for the unit the installer wrote.
  const runs: { version: string; code: number | null; log: string }[] = [];
  let agent: Proc | undefined;
  let hold: Promise<void> | null = null;
  let stopped = false;
  let execStart: string[] = [];
  let unitEnv: NodeJS.ProcessEnv = {};
  const current = (): string => readlinkSync(join(root, 'opt/watchpost-agent/current'));
  const startAgent = (): void => {
    const version = current();
    const proc = startProc(execStart[0]!, execStart.slice(1), unitEnv);
    agent = proc;
    void proc.exited.then(async (code) => {
      runs.push({ version, code, log: proc.log() });
      if (stopped || code !== EXIT_RESTART) return;
      await hold;
      if (!stopped) startAgent();
    });
  };

  const cli = (args: string[]) => run(process.execPath, [...COLLECTOR, ...args], { env });
  const startCollector = async (): Promise<void> => {
    collector = startProc(process.execPath, [...COLLECTOR, 'serve'], env);
    await waitFor(async () => (await fetch(`${server}/healthz`).catch(() => null))?.status === 200, 'collector /healthz');
  };
  const logs = () =>
    `\n--- collector log (tail) ---\n${collector?.log().slice(-3_000) ?? ''}\n--- agent runs ---\n${runs.map((r) => `${r.version} exit ${r.code}\n${r.log.slice(-1_500)}`).join('\n')}\n--- running agent ---\n${agent?.log().slice(-3_000) ?? ''}`;
  const waitFor = async (check: () => boolean | Promise<boolean>, what: string): Promise<void> => {
    try {
      await until(check, WAIT_MS, what);
    } catch (error) {
      throw new Error(`${(error as Error).message}${logs()}`, { cause: error });
    }
  };
  const updates = async (): Promise<Row[]> => {
    const q = `SELECT * FROM agent_update WHERE tenant = '${TENANT}'`;
    const body = (await (await fetch(`${influx!.url}/query?db=watchpost&q=${encodeURIComponent(q)}`)).json()) as {
      results: { series?: { columns: string[]; values: unknown[][] }[] }[];
    };
    const series = body.results[0]?.series ?? [];
    return series.flatMap((s) => s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) as Row));
  };
  const rollout = (version: string, percent = 100) =>
    writeFile(
      updatesFile,
      ['rollouts:', `  - tenant: ${TENANT}`, `    version: ${version}`, `    percent: ${percent}`, `    rollback_seconds: ${ROLLBACK_SECONDS}`, ''].join('\n'),
    );
  /** What the collector's transfer cache holds for a release (GET /api/v1/updates). */
  const transfers = async (version: string) => {
    const body = (await (await fetch(`${server}/api/v1/updates`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as {
      releases: { version: string; transfers: { compressed: string[]; deltas: { from: string; target: string }[] } }[];
    };
    return body.releases.find((r) => r.version === version)?.transfers ?? { compressed: [], deltas: [] };
  };
  /** The collector's `release download` log lines for a version: how each download went out. */
  const downloads = (version: string) =>
    (collector?.log() ?? '')
      .split('\n')
      .filter((line) => line.includes('"msg":"release download"') && line.includes(`"version":"${version}"`))
      .map((line) => JSON.parse(line) as { transfer: string; bytes: number });
  const executable = (version: string) =>
    (JSON.parse(readFileSync(join(releases, version, 'manifest.json'), 'utf8')) as { executables: Record<string, { sha256: string; bytes: number }> })
      .executables[TARGET]!;
  const release = async (version: string, keyFile: string): Promise<void> => {
    rmSync(join(releases, version), { recursive: true, force: true });
    await signRelease({ keyFile, version, from: builds[version]!, out: releases, log: () => undefined });
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wp-e2e-update-'));
    root = join(dir, 'root');
    releases = join(dir, 'releases');
    updatesFile = join(dir, 'updates.yaml');
    keys = generateReleaseKey(join(dir, 'keys'));
    otherKey = generateReleaseKey(join(dir, 'other-keys')).privateKeyPath;
    // One build at a time: each injects into a 120 MB copy of Node; their own output directories.
    for (const version of ['0.1.0', '0.2.0']) {
      const [built] = await buildAgent({
        targets: ['linux-x64'],
        version,
        releaseKey: keys.publicKeyPath,
        outDir: join(dir, `build-${version}`),
        log: () => undefined,
      });
      expect(built!.path).toContain(`build-${version}`);
      builds[version] = join(dir, `build-${version}`);
    }
    await release('0.1.0', keys.privateKeyPath); // what the agents run: the collector makes deltas from it
    await release('0.2.0', otherKey); // signed, but not with the key the agents trust
    await rollout('0.2.0');

    const port = await freePort();
    influx = await startInfluxd();
    server = `http://127.0.0.1:${port}`;
    env = serveEnv(
      { port, influxUrl: influx.url, dataDir: join(dir, 'collector'), adminKey: ADMIN_KEY },
      { WATCHPOST_RELEASES_DIR: releases, WATCHPOST_UPDATES_FILE: updatesFile, WATCHPOST_LOG_LEVEL: 'info' },
    );
    await cli(['tenant', 'add', TENANT, '--name', 'Self-update end to end']);
    await startCollector();

    // Installed as an MSP would: the executable's own install, enrolling with a token; nothing started (--root).
    const { stdout: token } = await cli(['token', 'create', '--tenant', TENANT, '--expires', '10m']);
    const exe = join(builds['0.1.0']!, 'watchpost-agent-linux-x64');
    await run('mkdir', ['-p', root]);
    await run(exe, ['install', '--root', root, '--server', server, '--token', token.trim()], { env: { PATH: process.env.PATH } });
    const unit = readFileSync(join(root, 'etc/systemd/system/watchpost-agent.service'), 'utf8');
    // ExecStart and Environment as systemd would run them, with the scratch root in front of every absolute path.
    const rooted = (path: string) => (path.startsWith('/') ? join(root, path) : path);
    execStart = /^ExecStart=(.+)$/m.exec(unit)![1]!.split(' ').map(rooted);
    unitEnv = { PATH: process.env.PATH };
    for (const [, key, value] of unit.matchAll(/^Environment=(\w+)=(.+)$/gm)) unitEnv[key!] = rooted(value!);
    expect(current()).toBe('versions/0.1.0');
    startAgent();
  }, 300_000);

  afterAll(async () => {
    stopped = true;
    try {
      await stopProc(agent);
      await stopProc(collector);
      await influx?.stop();
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  it(
    'refuses a release signed with another key, reports it, and 0.1.0 keeps running',
    async () => {
      await waitFor(async () => (await updates()).some((r) => r.status === 'refused'), 'an agent_update "refused" point in InfluxDB');
      const [refused] = (await updates()).filter((r) => r.status === 'refused');
      expect(refused).toMatchObject({ from: '0.1.0', to: '0.2.0' });
      expect(refused!.reason).toMatch(/signature/i);
      expect(current()).toBe('versions/0.1.0');
      expect(runs).toEqual([]); // never restarted
    },
    TEST_MS,
  );

  it(
    'installs 0.2.0 signed with the release key from a delta: swapped in, restarted by the service host, confirmed at Welcome',
    async () => {
      // The refused offer had the collector make the delta; the re-signed release has the same bytes, so it holds.
      await waitFor(async () => (await transfers('0.2.0')).deltas.some((d) => d.from === '0.1.0' && d.target === TARGET), 'the delta 0.1.0 -> 0.2.0');
      await release('0.2.0', keys.privateKeyPath);
      collector!.child.kill('SIGHUP'); // the reload offers the re-signed release to the live agent
      await waitFor(async () => (await updates()).some((r) => r.status === 'installed'), 'an agent_update "installed" point in InfluxDB');
      const sent = downloads('0.2.0');
      expect(
        sent.map((d) => d.transfer),
        logs(),
      ).toEqual(['delta']);
      expect(sent[0]!.bytes).toBeLessThan(10_000); // for a 121 MiB executable
      expect(runs[0]!.log).toMatch(/info update: 0\.2\.0 received transfer=delta wireBytes=\d+ bytes=\d+/);
      expect((await updates()).filter((r) => r.status === 'installed')).toEqual([expect.objectContaining({ from: '0.1.0', to: '0.2.0' })]);
      expect(current()).toBe('versions/0.2.0');
      expect(runs.map((r) => [r.version, r.code])).toEqual([['versions/0.1.0', EXIT_RESTART]]);
      const { stdout } = await run(join(root, 'opt/watchpost-agent/current/watchpost-agent'), ['--version']);
      expect(stdout.trim()).toBe('watchpost-agent 0.2.0');
    },
    TEST_MS,
  );

  it(
    'swaps back a version that cannot connect within its deadline, and reports the rollback once the collector is back',
    async () => {
      // Staged at 0 %: nobody is offered 0.1.0 yet, and the collector compresses it.
      await rollout('0.1.0', 0);
      collector!.child.kill('SIGHUP');
      await waitFor(async () => (await transfers('0.1.0')).compressed.includes(TARGET), 'the compressed 0.1.0');
      // A hostile delta 0.2.0 -> 0.1.0 in the collector's cache: a copy from past the end of the running executable.
      const [from, to] = [executable('0.2.0'), executable('0.1.0')];
      const header = deltaHeader({ sourceBytes: from.bytes, targetBytes: to.bytes, sourceSha256: from.sha256, targetSha256: to.sha256 });
      const copyPastTheEnd = Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x10, 0x00]);
      mkdirSync(join(dir, 'collector/release-cache'), { recursive: true });
      writeFileSync(join(dir, 'collector/release-cache', `${from.sha256}-${to.sha256}.wpd.br`), brotliCompressSync(Buffer.concat([header, copyPastTheEnd])));

      await rollout('0.1.0');
      let release1: () => void = () => undefined;
      hold = new Promise((resolve) => (release1 = resolve)); // the service host waits before starting what was swapped in
      collector!.child.kill('SIGHUP');
      await waitFor(() => runs.length === 2, '0.2.0 to swap in 0.1.0 and exit for the restart');
      expect(runs[1]).toMatchObject({ version: 'versions/0.2.0', code: EXIT_RESTART });
      expect(current()).toBe('versions/0.1.0');
      expect(
        downloads('0.1.0').map((d) => d.transfer),
        logs(),
      ).toEqual(['delta', 'compressed']);
      expect(downloads('0.1.0')[1]!.bytes).toBeLessThan(to.bytes / 2);
      expect(runs[1]!.log).toMatch(
        /warn update: the delta for 0\.1\.0 was not used; downloading the full file reason="a copy of \d+ bytes at \d+ reaches past/,
      );
      expect(runs[1]!.log).toMatch(/info update: 0\.1\.0 received transfer=compressed/);

      await stopProc(collector, 'SIGKILL'); // the new version will find no collector
      hold = null;
      release1();
      await waitFor(() => runs.length === 3, `0.1.0 to give up after its ${ROLLBACK_SECONDS} s deadline and exit`);
      expect(runs[2]).toMatchObject({ version: 'versions/0.1.0', code: EXIT_RESTART });
      expect(current()).toBe('versions/0.2.0'); // swapped back

      await startCollector(); // same data dir, same influxd: 0.2.0 reports what happened
      await waitFor(async () => (await updates()).some((r) => r.status === 'rolled_back'), 'an agent_update "rolled_back" point in InfluxDB');
      expect((await updates()).filter((r) => r.status === 'rolled_back')).toEqual([expect.objectContaining({ from: '0.2.0', to: '0.1.0' })]);
      expect(current()).toBe('versions/0.2.0');
      expect(runs).toHaveLength(3); // 0.2.0 runs on; the offer of 0.1.0 that came back with the collector is not taken again
    },
    3 * TEST_MS,
  );
});

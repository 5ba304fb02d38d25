// End to end with every real part: a real influxd, the collector run through its CLI, and the compiled Linux
// agent executable (Node SEA) enrolled with a real token. The points must land in InfluxDB with the right tags.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, freePort, type Influxd } from '../helpers/influxd.js';
import { buildAgent } from '../../scripts/build-agent.js';
import { until } from '../helpers/until.js';
import { serveEnv } from '../helpers/collector-cli.js';

const run = promisify(execFile);
const CORE_MEASUREMENTS = ['cpu', 'mem', 'disk', 'system', 'net'];
const ADMIN_KEY = 'e2e-admin-key';

let influx: Influxd;
let dir: string;
let agentBin: string;
let collector: ChildProcess;
let server: string;
let env: NodeJS.ProcessEnv;

const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'collector/src/bin.ts', ...args], { env });
const agentCli = (args: string[]) => run(agentBin, args, { env: { PATH: process.env.PATH } }).catch((e: { code: number; stdout: string; stderr: string }) => e);

async function influxQuery(q: string): Promise<{ series?: { name: string; tags?: Record<string, string>; values: unknown[][] }[] }> {
  const url = `${influx.url}/query?db=watchpost&q=${encodeURIComponent(q)}`;
  const body = (await (await fetch(url)).json()) as { results: { series?: never[] }[] };
  return body.results[0] ?? {};
}

beforeAll(async () => {
  const [started, built] = await Promise.all([startInfluxd(), buildAgent({ targets: ['linux-x64'], log: () => undefined })]);
  influx = started;
  agentBin = built[0]!.path;
  dir = mkdtempSync(join(tmpdir(), 'wp-e2e-'));
  const port = await freePort();
  server = `http://127.0.0.1:${port}`;
  env = serveEnv({ port, influxUrl: influx.url, dataDir: join(dir, 'collector'), adminKey: ADMIN_KEY });
  await cli(['tenant', 'add', 'acme', '--name', 'Acme Ltd']);
  collector = spawn(process.execPath, ['--import', 'tsx', 'collector/src/bin.ts', 'serve'], { env, stdio: 'ignore' });
  await until(async () => (await fetch(`${server}/healthz`).catch(() => null))?.status === 200, 30_000, 'collector /healthz');
}, 300_000);

afterAll(async () => {
  collector?.kill('SIGTERM');
  await influx?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the compiled agent against a real collector and InfluxDB', () => {
  it('is a real executable embedding Node 24', async () => {
    expect(statSync(agentBin).mode & 0o111).not.toBe(0);
    const { stdout } = await run(agentBin, ['--version', '--verbose']);
    expect(stdout).toMatch(/^watchpost-agent \d+\.\d+\.\d+ \(node 24\.\d+\.\d+, linux-x64\)/);
  });

  it('refuses an unknown token and an expired one with a clear message, creating no agent', async () => {
    const stateDir = join(dir, 'refused');
    const unknown = await agentCli([
      'enroll',
      '--server',
      server,
      '--token',
      'wpe_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '--state-dir',
      stateDir,
    ]);
    expect(unknown).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('enrollment refused by the collector (HTTP 401): enrollment token refused: unknown'),
    });
    const { stdout: expired } = await cli(['token', 'create', '--tenant', 'acme', '--expires', '1s']);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // let it expire (the store refuses past expiries at creation)
    const refused = await agentCli(['enroll', '--server', server, '--token', expired.trim(), '--state-dir', stateDir]);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('expired') });
    const { stdout } = await cli(['agents', '--json']);
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it('enrolls with a token, runs, and its cpu/mem/disk/system/net points land in InfluxDB with host and tenant', async () => {
    const { stdout: tokenOut, stderr } = await cli(['token', 'create', '--tenant', 'acme', '--expires', '10m', '--uses', '1']);
    expect(tokenOut).toMatch(/^wpe_[0-9a-f]+_[A-Za-z0-9_-]+\n$/); // only the token on stdout
    expect(stderr).toContain('for tenant acme');
    const stateDir = join(dir, 'agent');
    const enrolled = await agentCli(['enroll', '--server', server, '--token', tokenOut.trim(), '--state-dir', stateDir]);
    expect(enrolled).toMatchObject({ stdout: expect.stringContaining('enrolled as ag_') });
    expect(statSync(join(stateDir, 'identity.json')).mode & 0o777).toBe(0o600);

    const agent = spawn(agentBin, ['run', '--state-dir', stateDir, '--every', '2s'], { stdio: 'ignore' });
    try {
      await until(
        async () => {
          const result = await influxQuery(`SELECT count(*) FROM ${CORE_MEASUREMENTS.join(',')} WHERE tenant = 'acme' GROUP BY host`);
          return new Set((result.series ?? []).filter((s) => s.tags?.host === hostname()).map((s) => s.name)).size === CORE_MEASUREMENTS.length;
        },
        60_000,
        'core measurements in InfluxDB',
      );
      const cpu = await influxQuery(`SELECT last(usage_idle) FROM cpu WHERE cpu = 'cpu-total' AND host = '${hostname()}' AND tenant = 'acme'`);
      expect(cpu.series?.[0]?.values[0]?.[1]).toEqual(expect.any(Number));
      const fields = await influxQuery('SHOW FIELD KEYS FROM mem');
      expect(fields.series?.[0]?.values).toEqual(
        expect.arrayContaining([
          ['total', 'integer'],
          ['used_percent', 'float'],
        ]),
      );
      const disk = await influxQuery(`SELECT last(used_percent) FROM disk WHERE path = '/' AND host = '${hostname()}'`);
      expect(disk.series?.[0]?.values.length).toBe(1);

      await until(
        async () => {
          const status = await agentCli(['status', '--json', '--state-dir', stateDir]);
          const report = JSON.parse((status as { stdout: string }).stdout);
          return report.running && report.connected && report.counters.pointsAcked > 0;
        },
        30_000,
        'agent status connected with acked points',
      );

      const listed = await fetch(`${server}/api/v1/agents`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      const { agents } = (await listed.json()) as { agents: { hostname: string; connected: boolean; tenant: string }[] };
      expect(agents).toEqual([expect.objectContaining({ hostname: hostname(), connected: true, tenant: 'acme' })]);
    } finally {
      agent.kill('SIGTERM');
      const code = await new Promise((resolve) => agent.once('exit', (c) => resolve(c)));
      expect(code).toBe(0);
    }
  });
});

// npm run demo: a local InfluxDB, the collector, a demo tenant and token, and the compiled agent reporting this
// machine; prints where everything is, then (once the first points are in) the machine's minimum-standard verdicts
// and this month's client report as HTML and PDF, and a live summary until Ctrl-C; then stops every process it started.
//   --until-data   exit 0 once every core measurement has points, after the verdicts and the report (a smoke test of
//                  the whole path)
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { arch, hostname, platform } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs, promisify } from 'node:util';
import { findInfluxd, freePort, startInfluxd, type Influxd } from './lib/influxd.js';
import { buildAgent } from './build-agent.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const DEMO_DIR = join(ROOT, '.demo');
const TENANT = 'demo';
const SUMMARY_EVERY_MS = 5_000;
const START_TIMEOUT_MS = 60_000;
const UNTIL_DATA_TIMEOUT_MS = 180_000;
const CORE_MEASUREMENTS = ['cpu', 'mem', 'disk', 'system', 'net', 'diskio', 'swap', 'processes', 'kernel', 'netstat'];
/** How long the first evaluation may take: the standards read the first inventory, patch and antivirus runs. */
const COMPLIANCE_TIMEOUT_MS = 120_000;
/** The verdict table counts as complete when it has not changed for this long. */
const COMPLIANCE_SETTLE_MS = 10_000;

const children: ChildProcess[] = [];
let influx: Influxd | undefined;

const say = (line = '') => process.stdout.write(line + '\n');

async function ensureInfluxd(): Promise<void> {
  try {
    findInfluxd();
  } catch {
    say('influxd not found; installing InfluxDB 1.x with scripts/install-influxdb.sh ...');
    await new Promise<void>((done, fail) =>
      spawn('bash', [join(ROOT, 'scripts/install-influxdb.sh')], { stdio: 'inherit' }).once('exit', (code) =>
        code === 0 ? done() : fail(new Error('could not install influxd (see above); install it and run npm run demo again')),
      ),
    );
  }
}

/** True when a Chromium is there for the report's PDF (installed like influxd when missing); false says why not. */
async function ensureChromium(): Promise<boolean> {
  const install = spawn('bash', [join(ROOT, 'scripts/install-chromium.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((done) => install.once('exit', done));
  if (code === 0) return true;
  say('(the report is written as HTML only: see above for the browser its PDF needs)');
  return false;
}

function agentTarget(): 'linux-x64' | 'linux-arm64' | 'darwin-x64' | 'darwin-arm64' {
  const target = `${platform()}-${arch()}`;
  if (target === 'linux-x64' || target === 'linux-arm64' || target === 'darwin-x64' || target === 'darwin-arm64') return target;
  throw new Error(`the demo runs the agent executable for this machine, and ${target} has none (Windows: run the steps in the README by hand)`);
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = START_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const child = spawn('bash', ['-c', `exec "$0" "$@" >>"${logFile}" 2>&1`, command, ...args], { env, stdio: 'ignore' });
  children.push(child);
  return child;
}

async function stopAll(): Promise<void> {
  for (const child of children.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await influx?.stop();
}

async function pointsByMeasurement(): Promise<Map<string, number>> {
  const q = encodeURIComponent('SELECT count(*) FROM /.*/');
  const body = (await (await fetch(`${influx!.url}/query?db=watchpost&q=${q}`)).json()) as {
    results: { series?: { name: string; values: number[][] }[] }[];
  };
  const counts = new Map<string, number>();
  for (const s of body.results[0]?.series ?? []) counts.set(s.name, Math.max(...(s.values[0] ?? [0]).slice(1).map(Number).filter(Number.isFinite)));
  return counts;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'until-data': { type: 'boolean' } }, strict: true });
  await ensureInfluxd();
  rmSync(DEMO_DIR, { recursive: true, force: true });
  mkdirSync(DEMO_DIR, { recursive: true });
  const target = agentTarget();
  say(`building the agent executable for ${target} (cached after the first time) ...`);
  const [built] = await buildAgent({ targets: [target], log: () => undefined });
  mkdirSync(join(DEMO_DIR, 'influxdb'));
  // Continuous queries on (tests keep them off): the collector's 5-minute rollups fill the 90-day panels. influxd
  // checks every second whether one is due, so a bucket is written as soon as its 5 minutes have passed.
  influx = await startInfluxd({ dir: join(DEMO_DIR, 'influxdb'), continuousQueries: { runInterval: '1s' } });

  const port = await freePort();
  const server = `http://127.0.0.1:${port}`;
  const adminKey = randomBytes(18).toString('base64url');
  const env = {
    ...process.env,
    WATCHPOST_LISTEN: `127.0.0.1:${port}`,
    WATCHPOST_INFLUX_URL: influx.url,
    WATCHPOST_DATA_DIR: join(DEMO_DIR, 'collector'),
    WATCHPOST_ADMIN_KEY: adminKey,
  };
  const collectorCli = [process.execPath, '--import', 'tsx', join(ROOT, 'collector/src/bin.ts')];
  await run(collectorCli[0]!, [...collectorCli.slice(1), 'tenant', 'add', TENANT, '--name', 'Demo tenant'], { env });
  const { stdout: token } = await run(collectorCli[0]!, [...collectorCli.slice(1), 'token', 'create', '--tenant', TENANT, '--expires', '1h'], { env });
  start(collectorCli[0]!, [...collectorCli.slice(1), 'serve'], env, join(DEMO_DIR, 'collector.log'));
  await waitFor(async () => (await fetch(`${server}/healthz`)).status === 200, 'the collector to answer /healthz');

  const stateDir = join(DEMO_DIR, 'agent');
  await run(built!.path, ['enroll', '--server', server, '--token', token.trim(), '--state-dir', stateDir]);
  // Default schedules, as an MSP runs it: every probe once at start, then performance every minute, disk every
  // 5 min, patches every 4 h... (`--every` would also run the patch search every few seconds).
  start(built!.path, ['run', '--state-dir', stateDir], { PATH: process.env.PATH }, join(DEMO_DIR, 'agent.log'));

  say();
  say(`Watchpost demo: this machine (${hostname()}) reports to a local collector.`);
  say(`  collector     ${server}   (API key: ${adminKey})`);
  say(`                curl -H 'Authorization: Bearer ${adminKey}' ${server}/api/v1/agents`);
  say(`                ${server}/metrics   ${server}/healthz`);
  say(`  tickets       curl -H 'Authorization: Bearer ${adminKey}' ${server}/api/v1/tickets?status=unresolved   (alerts: /api/v1/alerts)`);
  say(`                WATCHPOST_DATA_DIR=${env.WATCHPOST_DATA_DIR} npm run collector -- tickets   (rules: collector/data/rules.yaml)`);
  say(`  InfluxDB      ${influx.url}   database "watchpost"   (influx -port ${influx.port} -database watchpost)`);
  say(`  agent         ${built!.path} status --state-dir ${stateDir}`);
  say(`  dashboards    ${join(ROOT, 'dashboards')} (Grafana JSON; add an InfluxDB datasource at ${influx.url})`);
  say(`  logs          ${DEMO_DIR}/collector.log, ${DEMO_DIR}/agent.log`);
  say();
  const pdf = await ensureChromium();
  say('Waiting for every core measurement to arrive ...');
  await waitFor(
    async () => {
      const counts = await pointsByMeasurement();
      return CORE_MEASUREMENTS.every((m) => (counts.get(m) ?? 0) > 0);
    },
    'points of every core measurement',
    UNTIL_DATA_TIMEOUT_MS,
  );
  await printSummary(server, adminKey);
  const api = (path: string) => fetch(`${server}${path}`, { headers: { authorization: `Bearer ${adminKey}` } });
  await printCompliance(api);
  await writeReports(api, pdf, env.WATCHPOST_DATA_DIR);
  if (values['until-data']) return 0;
  say();
  say('Live summary (Ctrl-C stops everything):');
  const timer = setInterval(() => void printSummary(server, adminKey).catch((e: Error) => say(`summary failed: ${e.message}`)), SUMMARY_EVERY_MS);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  clearInterval(timer);
  return 0;
}

type Api = (path: string) => Promise<Response>;

interface ComplianceTable {
  counts: { pass: number; fail: number; unknown: number };
  rows: { host: string; standard: string; verdict: string; reason: string }[];
}

/** The machine's minimum-standard verdicts (GET /api/v1/compliance), once the table has settled after the first runs. */
async function printCompliance(api: Api): Promise<void> {
  say();
  say('Minimum standards (waiting for the first inventory, patch and antivirus runs to be judged) ...');
  let table: ComplianceTable = { counts: { pass: 0, fail: 0, unknown: 0 }, rows: [] };
  let shape = '';
  let stableSince = Date.now();
  const deadline = Date.now() + COMPLIANCE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    table = (await (await api(`/api/v1/compliance?tenant=${TENANT}`)).json()) as ComplianceTable;
    const now = table.rows.map((r) => `${r.standard}=${r.verdict}:${r.reason}`).join('\n');
    if (now !== shape) [shape, stableSince] = [now, Date.now()];
    else if (table.rows.length > 0 && Date.now() - stableSince >= COMPLIANCE_SETTLE_MS) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  if (table.rows.length === 0) {
    say('  no verdicts yet (see the collector log); later: curl .../api/v1/compliance?tenant=demo');
    return;
  }
  const width = Math.max(...table.rows.map((r) => r.standard.length));
  for (const r of table.rows) say(`  ${r.standard.padEnd(width)}  ${r.verdict.padEnd(7)}  ${r.reason}`);
  say(`  ${table.counts.pass} pass, ${table.counts.fail} fail, ${table.counts.unknown} unknown   (npm run collector -- compliance --tenant ${TENANT})`);
}

/** This month's client report (GET /api/v1/reports/...), as HTML and, with a browser, as PDF, into .demo/. */
async function writeReports(api: Api, pdf: boolean, dataDir: string): Promise<void> {
  const month = new Date().toISOString().slice(0, 7); // the demo tenant's calendar is the default, in UTC
  say();
  say(`Monthly client report for ${month}:`);
  for (const format of pdf ? ['html', 'pdf'] : ['html']) {
    const res = await api(`/api/v1/reports/${TENANT}/${month}.${format}`);
    if (!res.ok) {
      say(`  ${format}: the collector answered ${res.status}: ${await res.text()}`);
      continue;
    }
    const file = join(DEMO_DIR, `watchpost-report-${TENANT}-${month}.${format}`);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    say(`  ${file}`);
  }
  say(`  (the same from the command line: WATCHPOST_DATA_DIR=${dataDir} npm run collector -- report --tenant ${TENANT} --month ${month} --format pdf)`);
}

async function printSummary(server: string, adminKey: string): Promise<void> {
  const res = await fetch(`${server}/api/v1/agents`, { headers: { authorization: `Bearer ${adminKey}` } });
  const { agents } = (await res.json()) as { agents: { connected: boolean }[] };
  const alerts = await fetch(`${server}/api/v1/alerts`, { headers: { authorization: `Bearer ${adminKey}` } });
  const firing = ((await alerts.json()) as { alerts: { state: string }[] }).alerts.filter((a) => a.state === 'firing').length;
  const open = await fetch(`${server}/api/v1/tickets?status=unresolved`, { headers: { authorization: `Bearer ${adminKey}` } });
  const { tickets } = (await open.json()) as { tickets: unknown[] };
  const counts = await pointsByMeasurement();
  const parts = [...counts].map(([m, n]) => `${m} ${n}`).join(', ');
  const now = new Date().toISOString().slice(11, 19);
  say(
    `${now}  agents connected ${agents.filter((a) => a.connected).length}/${agents.length}  alerts firing ${firing}  open tickets ${tickets.length}  points: ${parts || 'none yet'}`,
  );
}

main()
  .then(async (code) => {
    say('stopping the demo ...');
    await stopAll();
    process.exit(code);
  })
  .catch(async (error: Error) => {
    process.stderr.write(`demo failed: ${error.message}\n`);
    if (existsSync(join(DEMO_DIR, 'collector.log'))) process.stderr.write(`see ${DEMO_DIR}/collector.log and agent.log\n`);
    await stopAll();
    process.exit(1);
  });

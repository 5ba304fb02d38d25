// The whole stack as real processes for fault tests: influxd, the collector (its CLI, so it can be SIGKILLed and
// restarted on the same port and data), and the compiled agent. Everything listens on loopback only.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startInfluxd, freePort, type Influxd } from '../helpers/influxd.js';
import { until } from '../helpers/until.js';
import { buildAgent } from '../../scripts/build-agent.js';
import type { DropReason } from '../../agent/src/delivery/spool/contract.js';
import { startProc, stopProc, type Proc } from '../helpers/proc.js';

export { stopProc, type Proc };

const exec = promisify(execFile);
const COLLECTOR = ['--import', 'tsx', 'collector/src/bin.ts'];
const DEFAULT_TENANT = 'faults';

/** What `watchpost-agent status --json` prints (the fields the fault tests read). */
export interface AgentStatusJson {
  running: boolean;
  connected?: boolean;
  lastAckAt?: string | null;
  updatedAt?: string;
  spool?: { batches: number; bytes: number; kind: string };
  counters?: { pointsProduced: number; pointsAcked: number; pointsDropped: number; pointsRejected: number; pointsDroppedBy: Record<DropReason, number> };
}

export interface Stack {
  dir: string;
  influx: Influxd;
  server: string;
  env: NodeJS.ProcessEnv;
  agentBin: string;
  collector?: Proc;
  startCollector(): Promise<Proc>;
  /** Adds a tenant; each scenario uses its own, so its points are told apart from the others' (same host). */
  addTenant(id: string): Promise<void>;
  /** Enrolls a new agent of `tenant` (default: `faults`, added at start) in its own state directory and returns
   *  that directory. */
  enrollAgent(name: string, tenant?: string, stateDir?: string): Promise<string>;
  /**
   * Enrolls through the HTTP API with a fresh token of `tenant` under `hostname` (the name is bound at enrollment),
   * for a test client that speaks the protocol itself; returns its id and credential.
   */
  enrollCredential(hostname: string, tenant?: string, os?: string): Promise<{ agentId: string; credential: string }>;
  /** `watchpost-agent status --json` for that state directory. */
  agentStatus(stateDir: string): Promise<AgentStatusJson>;
  /** The collector's /healthz status code, or null when nothing answers. */
  healthz(): Promise<number | null>;
  startAgent(stateDir: string, args?: string[], env?: NodeJS.ProcessEnv): Proc;
  /** Stops influxd; `resumeInflux` starts it again on the same port and data. */
  stopInflux(): Promise<void>;
  resumeInflux(): Promise<void>;
  query<T = unknown[][]>(q: string): Promise<{ name: string; tags?: Record<string, string>; columns: string[]; values: T }[]>;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'wp-faults-'));
  const influxDir = join(dir, 'influxdb');
  mkdirSync(influxDir);
  const [influx, built, port] = await Promise.all([
    startInfluxd({ dir: influxDir }),
    // Its own output directory: another test file building into dist/bin at the same time would share a .partial.
    buildAgent({ targets: ['linux-x64'], outDir: join(dir, 'bin'), log: () => undefined }),
    freePort(),
  ]);
  const stack: Stack = {
    dir,
    influx,
    server: `http://127.0.0.1:${port}`,
    agentBin: built[0]!.path,
    env: {
      ...process.env,
      WATCHPOST_LISTEN: `127.0.0.1:${port}`,
      WATCHPOST_INFLUX_URL: influx.url,
      WATCHPOST_DATA_DIR: join(dir, 'collector'),
      WATCHPOST_ADMIN_KEY: 'faults-admin-key',
      WATCHPOST_INFLUX_FLUSH_INTERVAL: '200ms',
      WATCHPOST_LOG_LEVEL: 'info',
    },
    async startCollector() {
      const proc = startProc(process.execPath, [...COLLECTOR, 'serve'], stack.env);
      stack.collector = proc;
      await until(async () => (await fetch(`${stack.server}/healthz`).catch(() => null)) !== null, 30_000, 'collector to listen');
      return proc;
    },
    async addTenant(id) {
      await exec(process.execPath, [...COLLECTOR, 'tenant', 'add', id, '--name', `Fault test ${id}`], { env: stack.env });
    },
    async enrollAgent(name, tenant = DEFAULT_TENANT, stateDir = join(dir, name)) {
      const { stdout: token } = await exec(process.execPath, [...COLLECTOR, 'token', 'create', '--tenant', tenant], { env: stack.env });
      await exec(stack.agentBin, ['enroll', '--server', stack.server, '--token', token.trim(), '--state-dir', stateDir]);
      return stateDir;
    },
    async enrollCredential(hostname, tenant = DEFAULT_TENANT, os = 'linux') {
      const { stdout: token } = await exec(process.execPath, [...COLLECTOR, 'token', 'create', '--tenant', tenant], { env: stack.env });
      const res = await fetch(`${stack.server}/api/v1/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: token.trim(), hostname, os, arch: 'x64', agentVersion: '0.0.0' }),
      });
      if (res.status !== 200) throw new Error(`enrollment of ${hostname} answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as { agentId: string; credential: string };
    },
    async agentStatus(stateDir) {
      const { stdout } = await exec(stack.agentBin, ['status', '--json', '--state-dir', stateDir]);
      return JSON.parse(stdout) as AgentStatusJson;
    },
    async healthz() {
      const res = await fetch(`${stack.server}/healthz`).catch(() => null);
      return res ? res.status : null;
    },
    startAgent(stateDir, args = [], env = {}) {
      return startProc(stack.agentBin, ['run', '--state-dir', stateDir, '--every', '1s', ...args], { PATH: process.env.PATH, ...env });
    },
    async stopInflux() {
      await stack.influx.stop();
    },
    async resumeInflux() {
      stack.influx = await startInfluxd({ dir: influxDir, port: stack.influx.port });
    },
    async query(q) {
      const url = `${stack.influx.url}/query?db=watchpost&epoch=ms&q=${encodeURIComponent(q)}`;
      const body = (await (await fetch(url)).json()) as { results: { series?: never[]; error?: string }[] };
      if (body.results[0]?.error) throw new Error(`InfluxDB: ${body.results[0].error}`);
      return body.results[0]?.series ?? [];
    },
    async close() {
      await stopProc(stack.collector);
      await stack.influx.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await stack.addTenant(DEFAULT_TENANT);
  return stack;
}

export const HOST = hostname();

// A whole Watchpost cluster on loopback, for tests and the cluster demo: one PostgreSQL (a database of its own is
// the collectors' shared state store), one influxd (continuous queries on, as in the demo), N collectors
// (`watchpost-collector serve` processes on that store, each with its own port and data directory) and HAProxy in
// front of them (mode tcp, leastconn, /healthz checks; send-proxy-v2 and check-send-proxy).
//
// Contract:
//   - startCluster() resolves once every collector answers /healthz with 200 and HAProxy marks each UP; a start that
//     fails stops what it started and rejects with the collectors' last log lines.
//   - A collector is `node --import tsx collector/src/bin.ts serve` spawned directly (no shell, no npm, no tsx CLI
//     wrapper: tsx's loader runs inside that one process), so `pid` is the process that serves and kill('SIGKILL') is
//     a real crash of it. Its port and data directory are kept across restart().
//   - Every collector has the same store URL, InfluxDB, admin key and agents.proxyProtocol on; `env`, then
//     `collectorEnv(index)`, go over that, so one collector can be given a setting of its own.
//   - Because each collector reads a PROXY protocol header first, a plain HTTP client cannot talk to one directly
//     (the connection is closed): request() and healthz() send a v1 `PROXY UNKNOWN` header first, as
//     `curl --haproxy-protocol` does. Through the balancer (`url`) any client works.
//   - logs(): everything a collector wrote (pino JSON lines on stdout, anything on stderr) over all its runs, read
//     back from <dir>/<name>.log, which is written as the output arrives.
//   - stop(): HAProxy, the collectors (SIGTERM; SIGKILL after STOP_TIMEOUT_MS), influxd, PostgreSQL; the directory is
//     removed when startCluster() made it.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startHaproxy, type Haproxy } from './haproxy.js';
import { freePort, startInfluxd, type Influxd } from './influxd.js';
import { startPostgres, type Postgres } from './postgres.js';

const ROOT = resolve(import.meta.dirname, '../..');
const COLLECTOR_BIN = join(ROOT, 'collector/src/bin.ts');
/** A collector's first start compiles its sources through tsx: seconds on an idle machine, far more on a loaded one. */
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;
const POLL_MS = 100;
const REQUEST_TIMEOUT_MS = 5_000;
/** Log lines of each collector shown when a start fails. */
const FAILURE_LOG_LINES = 30;
const DATABASE = 'watchpost';
const DEFAULT_ADMIN_KEY = 'cluster-admin-key-0123456789';

export interface StartClusterOptions {
  collectors: 2 | 3;
  /** Where data directories and logs go; default a new temporary directory, removed by stop(). */
  dir?: string;
  /** The API's admin key, the same on every collector. */
  adminKey?: string;
  /** Environment over every collector's (e.g. WATCHPOST_INFLUX_FLUSH_INTERVAL, WATCHPOST_POLICY_FILE). */
  env?: Record<string, string>;
  /** Environment over collector `index`'s (0-based), after `env`. */
  collectorEnv?: (index: number) => Record<string, string>;
  /** Keep influxd's data here (kept by stop() when given). Default: inside `dir`. */
  influxDir?: string;
}

/** How a collector process ended: its exit code, or the signal that ended it. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LogLine {
  /** pino's numbers: 30 info, 40 warn, 50 error, 60 fatal. */
  level: number;
  time: number;
  msg: string;
  [key: string]: unknown;
}

export interface DirectResponse {
  status: number;
  body: string;
}

export interface ClusterCollector {
  /** c1, c2, ...: its server name in HAProxy (haproxy.servers(), admin commands) and of its log file. */
  name: string;
  index: number;
  /** http://127.0.0.1:PORT, reachable only with a PROXY header first (request(), curl --haproxy-protocol). */
  url: string;
  port: number;
  dataDir: string;
  logFile: string;
  /** The pid of the serving process (the last one started); throws when it never started. */
  readonly pid: number;
  running(): boolean;
  /**
   * Sends `signal` (default SIGTERM) to the serving process. SIGTERM, SIGINT and SIGKILL wait for it to exit (a
   * SIGTERM/SIGINT that is not obeyed within STOP_TIMEOUT_MS is followed by SIGKILL); other signals (SIGHUP) return
   * at once. Resolves with how it exited, or null when it was not running or still runs.
   */
  kill(signal?: NodeJS.Signals): Promise<Exit | null>;
  /** Starts it again on the same port, data directory and environment; resolves once /healthz is 200 and HAProxy marks it UP. */
  restart(): Promise<void>;
  /** Everything it wrote, over all its runs. */
  logs(): string;
  /** Its JSON log lines (pino: level, time, msg and the line's own keys), over all its runs; other lines left out. */
  logLines(): LogLine[];
  /** An HTTP request to it directly (a PROXY v1 UNKNOWN header first); the admin key is sent unless `auth` is false. */
  request(path: string, init?: { method?: string; body?: unknown; auth?: boolean }): Promise<DirectResponse>;
  /** Its /healthz status, or null when nothing answers. */
  healthz(): Promise<number | null>;
}

export interface Cluster {
  /** The balancer's http URL: what agents, people and tools use. */
  url: string;
  /** The agents' WebSocket URL through the balancer. */
  wsUrl: string;
  adminKey: string;
  /** The PostgreSQL URL of the store every collector shares. */
  storeUrl: string;
  dir: string;
  collectors: ClusterCollector[];
  postgres: Postgres;
  influx: Influxd;
  haproxy: Haproxy;
  /** Resolves once every running collector answers /healthz 200 and HAProxy marks it UP. */
  waitAllUp(timeoutMs?: number): Promise<void>;
  /** `watchpost-collector ARGS` against the shared store (tenant add, token create, ...); never rejects. */
  cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/** An HTTP request to a collector that reads the PROXY protocol: a v1 UNKNOWN header (the sender's own address stays), then the request. */
export function requestWithProxyHeader(port: number, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<DirectResponse>((done, fail) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: init.method ?? 'GET',
        headers: { ...init.headers, ...(init.body !== undefined ? { 'content-length': String(Buffer.byteLength(init.body)) } : {}) },
        timeout: REQUEST_TIMEOUT_MS,
        // Used only when no agent is given (an agent, even `agent: false`, opens its own connections).
        createConnection: () => {
          const socket = connect(port, '127.0.0.1');
          // Written before the request: a socket keeps the order of writes made before it connects.
          socket.write('PROXY UNKNOWN\r\n');
          return socket;
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => done({ status: res.statusCode ?? 0, body }));
        res.on('error', fail);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from 127.0.0.1:${port}${path} within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', fail);
    req.end(init.body);
  });
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
}

interface Run {
  child: ChildProcess;
  exited: Promise<Exit>;
}

function parseLogLine(line: string): LogLine[] {
  if (!line.startsWith('{')) return [];
  try {
    const parsed = JSON.parse(line) as Partial<LogLine>;
    return typeof parsed.level === 'number' && typeof parsed.msg === 'string' ? [parsed as LogLine] : [];
  } catch {
    return [];
  }
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** One collector: a fixed port, data directory, environment and log file, and its process run after run. */
function collectorSlot(
  index: number,
  env: NodeJS.ProcessEnv,
  port: number,
  dir: string,
  adminKey: string,
  haproxy: () => Haproxy | undefined,
): { collector: ClusterCollector; start(): Run } {
  const name = `c${index + 1}`;
  const logFile = join(dir, `${name}.log`);
  let run: Run | undefined;
  const isRunning = () => run !== undefined && run.child.exitCode === null && run.child.signalCode === null;

  const start = (): Run => {
    const child = spawn(process.execPath, ['--import', 'tsx', COLLECTOR_BIN, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    // Appended synchronously as it arrives, so logs() (which reads the file) sees every chunk received so far.
    const keep = (chunk: Buffer) => appendFileSync(logFile, chunk);
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<Exit>((done) => {
      child.once('exit', (code, signal) => done({ code, signal }));
      child.once('error', (error) => {
        appendFileSync(logFile, `could not start the collector: ${error.message}\n`);
        done({ code: null, signal: null });
      });
    });
    run = { child, exited };
    return run;
  };

  const collector: ClusterCollector = {
    name,
    index,
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir: env.WATCHPOST_DATA_DIR!,
    logFile,
    get pid() {
      if (run?.child.pid === undefined) throw new Error(`collector ${name} has no process`);
      return run.child.pid;
    },
    running: isRunning,
    async kill(signal = 'SIGTERM') {
      const current = run;
      if (!current || !isRunning()) return null;
      current.child.kill(signal);
      if (!['SIGTERM', 'SIGINT', 'SIGKILL'].includes(signal)) return null;
      const timer = setTimeout(() => current.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      try {
        return await current.exited;
      } finally {
        clearTimeout(timer);
      }
    },
    async restart() {
      if (isRunning()) throw new Error(`collector ${name} is running (pid ${run!.child.pid}); kill it first`);
      try {
        await waitServing(collector, start(), haproxy());
      } catch (error) {
        throw new Error(`${(error as Error).message}; its log ends:\n${tail(collector.logs(), FAILURE_LOG_LINES)}`, { cause: error });
      }
    },
    logs: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    logLines: () => collector.logs().split('\n').flatMap(parseLogLine),
    request: (path, init = {}) =>
      requestWithProxyHeader(port, path, {
        method: init.method ?? 'GET',
        headers: {
          ...(init.auth === false ? {} : { authorization: `Bearer ${adminKey}` }),
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      }),
    healthz: async () => {
      const answer = await requestWithProxyHeader(port, '/healthz').catch(() => null);
      return answer ? answer.status : null;
    },
  };
  return { collector, start };
}

/** Waits until `c` answers /healthz 200 and, when there is a balancer, HAProxy marks it UP; fails at once if it exits. */
async function waitServing(c: ClusterCollector, run: Run, haproxy: Haproxy | undefined, timeoutMs = START_TIMEOUT_MS): Promise<void> {
  let exit: Exit | undefined;
  void run.exited.then((e) => (exit = e));
  const waitingFor = () => `collector ${c.name} (${c.url}) to answer /healthz 200${haproxy ? ' and HAProxy to mark it UP' : ''}`;
  await until(async () => exit !== undefined || (await c.healthz()) === 200, timeoutMs, waitingFor);
  if (exit) throw new Error(`collector ${c.name} exited (${exit.code ?? exit.signal}) before it served`);
  if (haproxy) await until(async () => (await haproxy.servers()).find((s) => s.name === c.name)?.status === 'UP', timeoutMs, waitingFor);
}

/** Every running collector answers /healthz 200, then HAProxy marks each of them UP. */
async function waitAllUp(collectors: ClusterCollector[], haproxy: Haproxy, timeoutMs: number): Promise<void> {
  const running = collectors.filter((c) => c.running());
  for (const c of running)
    await until(
      async () => (await c.healthz()) === 200,
      timeoutMs,
      () => `collector ${c.name} to answer /healthz 200`,
    );
  const names = running.map((c) => c.name);
  await until(
    async () => {
      const servers = await haproxy.servers();
      return names.every((n) => servers.find((s) => s.name === n)?.status === 'UP');
    },
    timeoutMs,
    () => `HAProxy to mark ${names.join(', ')} UP`,
  );
}

/** The collector CLI in a child process; never rejects (a failure is its exit code). */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(process.execPath, ['--import', 'tsx', COLLECTOR_BIN, ...args], { cwd: ROOT, env }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    ),
  );
}

export async function startCluster(options: StartClusterOptions): Promise<Cluster> {
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'watchpost-cluster-')));
  mkdirSync(dir, { recursive: true });
  const adminKey = options.adminKey ?? DEFAULT_ADMIN_KEY;
  const influxDir = options.influxDir ?? join(dir, 'influxdb');
  mkdirSync(influxDir, { recursive: true });

  let postgres: Postgres | undefined;
  let influx: Influxd | undefined;
  let haproxy: Haproxy | undefined;
  const slots: { collector: ClusterCollector; start(): Run }[] = [];
  const collectors: ClusterCollector[] = [];
  const stop = async () => {
    await haproxy?.stop();
    await Promise.all(collectors.map((c) => c.kill('SIGTERM')));
    await influx?.stop();
    await postgres?.destroy();
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    // Continuous queries on, checked every second, as in the demo: the collectors' rollups run as in production.
    [postgres, influx] = await Promise.all([startPostgres(), startInfluxd({ dir: influxDir, continuousQueries: { runInterval: '1s' } })]);
    const storeUrl = await postgres.createDatabase(DATABASE);
    const shared: Record<string, string> = {
      WATCHPOST_STORE_URL: storeUrl,
      WATCHPOST_INFLUX_URL: influx.url,
      WATCHPOST_ADMIN_KEY: adminKey,
      WATCHPOST_AGENTS_PROXY_PROTOCOL: 'true',
      WATCHPOST_LOG_LEVEL: 'info',
    };
    for (let index = 0; index < options.collectors; index++) {
      const port = await freePort();
      const env = {
        ...process.env,
        ...shared,
        WATCHPOST_LISTEN: `127.0.0.1:${port}`,
        WATCHPOST_DATA_DIR: join(dir, `c${index + 1}`),
        ...options.env,
        ...options.collectorEnv?.(index),
      };
      const slot = collectorSlot(index, env, port, dir, adminKey, () => haproxy);
      slots.push(slot);
      collectors.push(slot.collector);
    }
    // The first one alone, then the others at once. The first start creates the schema, and collectors that start at
    // the same instant on an empty database can both run `CREATE TABLE IF NOT EXISTS schema_migrations` (the store
    // runs it before it takes its lock); PostgreSQL then fails one of them on pg_type's unique index.
    const [first, ...others] = slots;
    await waitServing(first!.collector, first!.start(), undefined);
    await Promise.all(others.map((slot) => waitServing(slot.collector, slot.start(), undefined)));
    haproxy = await startHaproxy({ servers: collectors.map((c) => ({ name: c.name, address: `127.0.0.1:${c.port}` })), sendProxy: 'v2', checkSendProxy: true });
    const balancer = haproxy;
    const cluster: Cluster = {
      url: `http://${balancer.host}:${balancer.port}`,
      wsUrl: `ws://${balancer.host}:${balancer.port}/agent/v1`,
      adminKey,
      storeUrl,
      dir,
      collectors,
      postgres,
      influx,
      haproxy: balancer,
      waitAllUp: (timeoutMs = START_TIMEOUT_MS) => waitAllUp(collectors, balancer, timeoutMs),
      cli: (args) => runCli(args, { ...process.env, ...shared, WATCHPOST_DATA_DIR: join(dir, 'cli'), ...options.env }),
      stop,
    };
    await cluster.waitAllUp();
    return cluster;
  } catch (error) {
    const logs = collectors.map((c) => `--- ${c.name} (${c.logFile}) ---\n${tail(c.logs(), FAILURE_LOG_LINES)}`).join('\n');
    await stop().catch(() => undefined);
    throw new Error(`${(error as Error).message}${collectors.length ? `\n${logs}` : ''}`, { cause: error });
  }
}

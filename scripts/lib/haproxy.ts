// A real, throwaway HAProxy in front of collectors, for tests and demos: Debian's `haproxy` in the foreground
// (`haproxy -db -f <generated cfg>`, a child process, never a daemon) balancing TCP (`mode tcp`, `balance leastconn`)
// from one loopback port to the collectors given, with HTTP health checks on /healthz.
//
// Contract:
//   - startHaproxy() resolves once HAProxy answers on its admin socket (its listener is bound by then); it rejects
//     with HAProxy's stderr if it exits or does not answer within START_TIMEOUT_MS, and with install instructions
//     if /usr/sbin/haproxy (or haproxy on PATH) is missing.
//   - The frontend port is found by binding port 0; another process can take it before HAProxy binds it, so a start
//     that fails to bind is retried with a new port (START_ATTEMPTS).
//   - Relayed connections carry a PROXY header (send-proxy-v2 by default, send-proxy for v1, none); health checks
//     carry one too when asked (check-send-proxy: for v2 a LOCAL header, HAProxy's own address). Health checks are
//     fast (inter 500ms, fall 2, rise 1) so failover shows within about a second; client, server and tunnel
//     timeouts are an hour, so an agent's WebSocket is never cut by HAProxy.
//   - With `tls`, the collectors speak TLS: relayed connections stay TCP passthrough (the PROXY header, then the
//     client's own ClientHello), and only the health checks do TLS themselves (check-ssl, verify none).
//   - servers() reads each backend server's state from the admin socket (`show stat`); command() sends any other
//     admin command (`set server collectors/c1 state maint`, `show servers state`).
//   - stop() sends SIGTERM (HAProxy's hard stop: open connections are cut), waits for the exit (SIGKILL after
//     STOP_TIMEOUT_MS), and removes the temporary directory of the config and the socket.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './influxd.js';
import { findExecutable, startKeepingStderr, terminate } from './processes.js';

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const POLL_MS = 50;
const START_ATTEMPTS = 3;
const ADMIN_TIMEOUT_MS = 2_000;
/** The backend's name in HAProxy's config and in servers(). */
export const BACKEND = 'collectors';
const DEFAULT_CHECK = { interMs: 500, fall: 2, rise: 1 };

export const HAPROXY_INSTALL_HINT = 'haproxy is not installed (no /usr/sbin/haproxy). Install it with `sudo apt-get install haproxy` (Debian/Ubuntu).';

export interface HaproxyServer {
  /** host:port of a collector. */
  address: string;
  /** Its name in HAProxy (servers(), admin commands); default c1, c2, ... in order. */
  name?: string;
}

export interface HaproxyConfigOptions {
  frontendPort: number;
  adminSocket: string;
  servers: HaproxyServer[];
  /** The PROXY header on relayed connections; default 'v2'. */
  sendProxy?: 'v1' | 'v2' | false;
  /** Health checks send a PROXY header too (check-send-proxy); default: whenever sendProxy is on. */
  checkSendProxy?: boolean;
  /** The collectors speak TLS: health checks over check-ssl (verify none); relayed traffic stays passthrough. */
  tls?: boolean;
  /** The health check's path; default /healthz. */
  healthPath?: string;
  check?: { interMs: number; fall: number; rise: number };
}

/** The haproxy.cfg for a foreground, loopback-only TCP balancer over `servers` (see the contract above). */
export function haproxyConfig(options: HaproxyConfigOptions): string {
  const sendProxy = options.sendProxy ?? 'v2';
  const checkSendProxy = options.checkSendProxy ?? sendProxy !== false;
  const check = options.check ?? DEFAULT_CHECK;
  const serverOptions = [
    ...(sendProxy === 'v2' ? ['send-proxy-v2'] : sendProxy === 'v1' ? ['send-proxy'] : []),
    'check',
    ...(checkSendProxy ? ['check-send-proxy'] : []),
    ...(options.tls ? ['check-ssl', 'verify none'] : []),
    `inter ${check.interMs}ms fall ${check.fall} rise ${check.rise}`,
  ].join(' ');
  return [
    'global',
    `  stats socket ${options.adminSocket} mode 600 level admin`,
    '  stats timeout 10s',
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout check 2s',
    // An agent's WebSocket lives for days: its pings keep it active, and these only cut a connection silent this long.
    '  timeout client 1h',
    '  timeout server 1h',
    '  timeout tunnel 1h',
    // A connection sent to a collector that is down but not yet marked so goes to another one.
    '  retries 2',
    '  option redispatch',
    'frontend watchpost',
    `  bind 127.0.0.1:${options.frontendPort}`,
    `  default_backend ${BACKEND}`,
    `backend ${BACKEND}`,
    '  balance leastconn',
    '  option httpchk',
    `  http-check send meth GET uri ${options.healthPath ?? '/healthz'} ver HTTP/1.1 hdr Host localhost`,
    '  http-check expect status 200',
    ...options.servers.map((s, i) => `  server ${s.name ?? `c${i + 1}`} ${s.address} ${serverOptions}`),
    '',
  ].join('\n');
}

export type StartHaproxyOptions = Omit<HaproxyConfigOptions, 'frontendPort' | 'adminSocket'>;

export interface ServerState {
  name: string;
  /** HAProxy's status column: UP, DOWN, MAINT, NOLB, or a transition such as "UP 1/2" or "DOWN 1/1". */
  status: string;
  /** The last health check's result: L7OK (the expected status), L4CON (connection refused), L7STS (another status)... */
  check: string;
  /** Connections open to it now. */
  sessions: number;
}

export interface Haproxy {
  /** The frontend on 127.0.0.1 clients connect to. */
  port: number;
  host: string;
  /** The state of each server of the backend, in config order. */
  servers(): Promise<ServerState[]>;
  /** An admin-socket command and its answer. */
  command(line: string): Promise<string>;
  stop(): Promise<void>;
}

/** The path of the haproxy executable, or throws HAPROXY_INSTALL_HINT. */
export function findHaproxy(): string {
  return findExecutable('haproxy', HAPROXY_INSTALL_HINT, ['/usr/sbin']);
}

export async function startHaproxy(options: StartHaproxyOptions): Promise<Haproxy> {
  const bin = findHaproxy();
  const dir = await mkdtemp(join(tmpdir(), 'watchpost-haproxy-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(bin, dir, options);
    } catch (error) {
      lastError = error;
      if (!String(error).includes('cannot bind socket')) break;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

async function startOnce(bin: string, dir: string, options: StartHaproxyOptions): Promise<Haproxy> {
  const frontendPort = await freePort();
  const adminSocket = join(dir, 'admin.sock');
  const configPath = join(dir, 'haproxy.cfg');
  await writeFile(configPath, haproxyConfig({ ...options, frontendPort, adminSocket }));
  const { child, stderr, exited } = startKeepingStderr(bin, ['-db', '-f', configPath]);
  const command = (line: string) => adminCommand(adminSocket, line);
  try {
    await waitForAdmin(command, child, stderr);
  } catch (error) {
    await terminate(child, exited, STOP_TIMEOUT_MS);
    throw error;
  }
  return {
    port: frontendPort,
    host: '127.0.0.1',
    command,
    servers: async () => parseServers(await command('show stat')),
    stop: async () => {
      await terminate(child, exited, STOP_TIMEOUT_MS);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The backend's servers from `show stat` CSV (its header line names the columns: "# pxname,svname,..."). */
export function parseServers(csv: string): ServerState[] {
  const [header, ...rows] = csv.split('\n').filter((line) => line.trim() !== '');
  const columns = (header ?? '').replace(/^#\s*/, '').split(',');
  const at = (row: string[], name: string) => row[columns.indexOf(name)] ?? '';
  return rows
    .map((line) => line.split(','))
    .filter((row) => at(row, 'pxname') === BACKEND && !['BACKEND', 'FRONTEND'].includes(at(row, 'svname')))
    .map((row) => ({ name: at(row, 'svname'), status: at(row, 'status'), check: at(row, 'check_status'), sessions: Number(at(row, 'scur')) }));
}

/** Sends one command to HAProxy's admin socket; resolves with the answer (HAProxy closes after it). */
function adminCommand(socketPath: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let answer = '';
    socket.setEncoding('utf8');
    socket.setTimeout(ADMIN_TIMEOUT_MS, () => socket.destroy(new Error(`no answer to "${line}" within ${ADMIN_TIMEOUT_MS} ms`)));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.once('error', reject);
    socket.once('close', (hadError) => {
      if (!hadError) resolve(answer);
    });
    socket.once('connect', () => socket.write(`${line}\n`));
  });
}

async function waitForAdmin(command: (line: string) => Promise<string>, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`haproxy could not be started: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`haproxy exited (${child.exitCode ?? child.signalCode}) before it answered on its admin socket:\n${stderr()}`);
    }
    const answer = await command('show info').catch(() => '');
    if (answer.includes('Name: HAProxy')) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`haproxy did not answer on its admin socket within ${START_TIMEOUT_MS} ms:\n${stderr()}`);
}

// A real, throwaway InfluxDB 1.x server for tests and the demo: `influxd run -config <generated toml>` on loopback
// ports, data in a temporary directory.
//
// Contract:
//   - startInfluxd() resolves once GET /ping answers 204; it rejects with influxd's stderr if the server exits or
//     does not answer within START_TIMEOUT_MS, and with install instructions if influxd is not on PATH.
//   - Each call starts its own server, so test files may run in parallel. Free ports are found by binding port 0;
//     another process can take the port before influxd binds it, so a start that fails with "address already in
//     use" is retried with new ports (START_ATTEMPTS).
//   - stop() sends SIGTERM, waits for the exit (SIGKILL after STOP_TIMEOUT_MS), and removes the data directory
//     if startInfluxd created it. A directory passed in by the caller is kept, so a test can restart a server
//     on the same data and port.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable, startKeepingStderr, terminate } from './processes.js';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const PING_EVERY_MS = 50;
const START_ATTEMPTS = 3;

export const INSTALL_HINT =
  'influxd (InfluxDB 1.x) is not on PATH. Install it with `sudo apt-get install influxdb` ' + '(Debian/Ubuntu) or `bash scripts/install-influxdb.sh`.';

export interface InfluxdConfigOptions {
  /** Directory holding meta/, data/ and wal/. */
  dir: string;
  httpPort: number;
  /** The RPC (backup/restore) port; bound to loopback too so nothing listens on public interfaces. */
  rpcPort: number;
  /**
   * Run continuous queries (the collector's rollups), checking every `runInterval` (an influxd duration, e.g. "1s")
   * whether one is due. Off when absent: tests write their rollups themselves and need no background queries.
   */
  continuousQueries?: { runInterval: string };
}

/** The TOML for a quiet, loopback-only influxd whose state lives under `dir`. */
export function influxdConfig({ dir, httpPort, rpcPort, continuousQueries }: InfluxdConfigOptions): string {
  const q = (s: string): string => JSON.stringify(s);
  return [
    'reporting-disabled = true',
    `bind-address = ${q(`127.0.0.1:${rpcPort}`)}`,
    '[meta]',
    `  dir = ${q(join(dir, 'meta'))}`,
    '  logging-enabled = false',
    '[data]',
    `  dir = ${q(join(dir, 'data'))}`,
    `  wal-dir = ${q(join(dir, 'wal'))}`,
    '  index-version = "inmem"',
    '  query-log-enabled = false',
    '[monitor]',
    '  store-enabled = false',
    '[http]',
    `  bind-address = ${q(`127.0.0.1:${httpPort}`)}`,
    '  log-enabled = false',
    '  pprof-enabled = false',
    '[logging]',
    '  level = "error"',
    '  suppress-logo = true',
    '[continuous_queries]',
    ...(continuousQueries ? ['  enabled = true', '  log-enabled = false', `  run-interval = ${q(continuousQueries.runInterval)}`] : ['  enabled = false']),
    '',
  ].join('\n');
}

export interface StartInfluxdOptions {
  /** Reuse this data directory (kept on stop). Default: a new temporary directory, removed on stop. */
  dir?: string;
  /** Listen on this HTTP port (e.g. to restart a stopped server at the same URL). Default: a free port. */
  port?: number;
  /** Run continuous queries (InfluxdConfigOptions.continuousQueries); default off. */
  continuousQueries?: { runInterval: string };
}

export interface Influxd {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/** The path of the influxd executable, or throws INSTALL_HINT. */
export function findInfluxd(): string {
  return findExecutable('influxd', INSTALL_HINT);
}

export async function startInfluxd(options: StartInfluxdOptions = {}): Promise<Influxd> {
  const bin = findInfluxd();
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'watchpost-influxd-')));
  let lastError: unknown;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(bin, dir, ownsDir, options.port, options.continuousQueries);
    } catch (error) {
      lastError = error;
      // Only a lost port race is worth another try; a fixed port cannot change.
      if (options.port !== undefined || !String(error).includes('address already in use')) break;
    }
  }
  if (ownsDir) await rm(dir, { recursive: true, force: true });
  throw lastError;
}

async function startOnce(
  bin: string,
  dir: string,
  ownsDir: boolean,
  fixedPort: number | undefined,
  continuousQueries: StartInfluxdOptions['continuousQueries'],
): Promise<Influxd> {
  // A fixed port must be free now: otherwise /ping would be answered by whatever holds it, not by our influxd.
  const httpPort = fixedPort === undefined ? await freePort() : await freePort(fixedPort);
  const rpcPort = await freePort();
  const configPath = join(dir, 'influxd.toml');
  await writeFile(configPath, influxdConfig({ dir, httpPort, rpcPort, ...(continuousQueries ? { continuousQueries } : {}) }));
  const { child, stderr, exited } = startKeepingStderr(bin, ['run', '-config', configPath]);
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    await waitForPing(url, child, stderr);
  } catch (error) {
    await terminate(child, exited, STOP_TIMEOUT_MS);
    throw error;
  }
  return {
    url,
    port: httpPort,
    dir,
    stop: async () => {
      await terminate(child, exited, STOP_TIMEOUT_MS);
      if (ownsDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPing(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`influxd could not be started: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`influxd exited (${child.exitCode ?? child.signalCode}) before answering /ping:\n${stderr()}`);
    }
    if ((await pingAnswers(url)) && child.exitCode === null && child.signalCode === null) return;
    await new Promise((resolve) => setTimeout(resolve, PING_EVERY_MS));
  }
  throw new Error(`influxd did not answer ${url}/ping within ${START_TIMEOUT_MS} ms:\n${stderr()}`);
}

async function pingAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) });
    return response.status === 204;
  } catch {
    return false;
  }
}

/** A loopback port that was free a moment ago: `port`, or one the OS picks. Rejects when `port` is taken. */
export function freePort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error) => reject(new Error(`port ${port} is not free: ${error.message}`)));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

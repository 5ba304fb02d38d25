// A real, throwaway PostgreSQL server for tests, benches and the cluster demo: Debian's `postgresql` binaries
// (initdb, postgres) run on a loopback port with their data in a temporary directory.
//
// Contract:
//   - startPostgres() resolves once the server accepts connections as the `watchpost` superuser (trust
//     authentication, loopback only); it rejects with the server's log if it exits or does not answer within
//     START_TIMEOUT_MS, and with install instructions if the binaries are missing.
//   - As root, initdb and the server run as the `postgres` system user the Debian package creates (PostgreSQL
//     refuses to run as root); the data directory is given to that user.
//   - Each call starts its own server; createDatabase() makes a fresh database on it, so one server can serve
//     many tests. `fast` turns off fsync and synchronous commit (tests: nothing has to survive a power cut).
//   - stop() sends SIGTERM (a "smart" shutdown that waits for no client: fast mode, SIGINT), kill() SIGKILLs the
//     postmaster (a crash), start() brings a stopped server back on the same port and data.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './influxd.js';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const LOG_KEEP_CHARS = 4_000;
export const POSTGRES_USER = 'watchpost';

export const POSTGRES_INSTALL_HINT =
  'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres). Install it with `sudo apt-get install postgresql` (Debian/Ubuntu).';

/** The newest installed PostgreSQL's bin directory (Debian keeps each major version under /usr/lib/postgresql). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(POSTGRES_INSTALL_HINT);
  return join(root, versions[0]!, 'bin');
}

export interface StartPostgresOptions {
  /** Turn off fsync and synchronous_commit: for tests, never for data anyone keeps. Default true. */
  fast?: boolean;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
}

export interface Postgres {
  /** postgres://watchpost@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  dir: string;
  /** The URL of database `name` on this server. */
  urlOf(name: string): string;
  /** Creates database `name` (a fresh, empty one) and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown: open sessions are ended); its data is kept for start(). */
  stop(): Promise<void>;
  /** SIGKILL to the postmaster: a crash. Its data is kept for start(). */
  kill(): Promise<void>;
  /** Starts the stopped server again, same port and data. */
  start(): Promise<void>;
  /** Stops the server and removes its data. */
  destroy(): Promise<void>;
}

interface Owner {
  uid: number;
  gid: number;
}

/** As root: the `postgres` user's ids (PostgreSQL will not run as root). Otherwise: run as ourselves. */
function serverOwner(): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error(`running as root, and there is no "postgres" user to run PostgreSQL as. ${POSTGRES_INSTALL_HINT}`);
  return { uid, gid };
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<Postgres> {
  const bin = postgresBinDir();
  const owner = serverOwner();
  const dir = await mkdtemp(join(tmpdir(), 'watchpost-postgres-'));
  const data = join(dir, 'data');
  if (owner) await chown(dir, owner.uid, owner.gid);
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', POSTGRES_USER, '-E', 'UTF8', '--locale=C', '--no-sync'], {
    encoding: 'utf8',
    ...(owner ?? {}),
  });
  if (init.status !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status ?? init.signal}): ${init.stderr || init.error?.message}`);
  }
  const fast = options.fast ?? true;
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    max_connections: '200',
    ...(fast ? { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } : {}),
    ...options.settings,
  };
  const port = await freePort();
  const url = `postgres://${POSTGRES_USER}@127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async (): Promise<void> => {
    const args = ['-D', data, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    const running = spawn(join(bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], ...(owner ?? {}) });
    let log = '';
    running.stderr?.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-LOG_KEEP_CHARS)));
    child = running;
    exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (running.exitCode !== null || running.signalCode !== null) throw new Error(`postgres exited before accepting connections:\n${log}`);
      if (await accepts(`${url}/postgres`)) return;
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${START_TIMEOUT_MS} ms:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    running.kill(sig);
    const timer = setTimeout(() => running.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  try {
    await start();
  } catch (error) {
    await signal('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `${url}/postgres`,
    port,
    dir,
    urlOf: (name) => `${url}/${name}`,
    createDatabase: async (name) => {
      const client = new pg.Client({ connectionString: `${url}/postgres` });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return `${url}/${name}`;
    },
    stop: () => signal('SIGINT'),
    kill: async () => {
      await signal('SIGKILL');
      // A killed postmaster leaves its backends to notice and exit; a new one refuses the data directory until
      // they are gone (postmaster.pid's shared memory is still attached).
      await new Promise((resolve) => setTimeout(resolve, 500));
    },
    start,
    destroy: async () => {
      await signal('SIGINT');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function accepts(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

// `watchpost-collector` as a user runs it: a child process through tsx, its exit code and both streams kept.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export type CliOutcome = { code: number; stdout: string; stderr: string };

/** Runs the collector CLI with `env` over this process's environment; never rejects (a failure is its code). */
export function collectorCli(args: string[], env: Record<string, string> = {}): Promise<CliOutcome> {
  return exec(process.execPath, ['--import', 'tsx', 'collector/src/bin.ts', ...args], { env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: CliOutcome) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

/** The environment of a `watchpost-collector serve` under test: loopback port, a real influxd, its own data dir,
 *  an admin key, and a 100 ms writer flush so points are queryable soon after they are acked; `extra` on top. */
export function serveEnv(o: { port: number; influxUrl: string; dataDir: string; adminKey: string }, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    WATCHPOST_LISTEN: `127.0.0.1:${o.port}`,
    WATCHPOST_INFLUX_URL: o.influxUrl,
    WATCHPOST_DATA_DIR: o.dataDir,
    WATCHPOST_ADMIN_KEY: o.adminKey,
    WATCHPOST_INFLUX_FLUSH_INTERVAL: '100ms',
    ...extra,
  };
}

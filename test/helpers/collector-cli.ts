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

// Runs the agent CLI from source as a subprocess (node --import tsx agent/src/cli.ts), asynchronously so a collector
// in the test process keeps answering while the CLI talks to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readStatus } from '../../../agent/src/commands/status.js';
import { until } from './until.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = 'agent/src/cli.ts';
const CLI_TIMEOUT_MS = 20_000;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment for the CLI: this process's, minus anything that would point it at a real state directory. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!('WATCHPOST_STATE_DIR' in extra)) delete env.WATCHPOST_STATE_DIR;
  delete env.WATCHPOST_LOG_LEVEL;
  return env;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv): ChildProcess & { result: Promise<CliResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return Object.assign(child, { result });
}

/** Runs to completion; kills the CLI and fails if it has not exited within the bound. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const child = spawnCli(args, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
  try {
    const result = await child.result;
    if (result.signal === 'SIGKILL') throw new Error(`watchpost-agent ${args.join(' ')} did not exit within ${CLI_TIMEOUT_MS} ms; stderr: ${result.stderr}`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until the agent running on stateDir shows in status.json (rewritten every 5 s, read in-process) that it is
 *  connected and the collector acked points. */
export async function untilDelivering(stateDir: string): Promise<void> {
  await until(
    'status.json to show connected with acked points',
    () => {
      const report = readStatus(stateDir);
      return report.running && report.status?.connected && report.status.counters.pointsAcked > 0;
    },
    20_000,
    () => readStatus(stateDir).status,
  );
}

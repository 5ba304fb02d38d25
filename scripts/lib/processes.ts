// What the scripts that run a real server (influxd, HAProxy, PostgreSQL) share: finding its executable, starting it
// with the tail of its stderr kept for error messages, and stopping it (SIGTERM, then SIGKILL after a bound).
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const STDERR_KEEP_CHARS = 4_000;

/** The path of executable `name` in `dirs` then on PATH, or throws `hint`. */
export function findExecutable(name: string, hint: string, dirs: readonly string[] = []): string {
  for (const folder of [...dirs, ...(process.env.PATH ?? '').split(delimiter)]) {
    if (!folder) continue;
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  throw new Error(hint);
}

export interface Started {
  child: ChildProcess;
  /** The last STDERR_KEEP_CHARS of what it wrote to stderr. */
  stderr(): string;
  exited: Promise<void>;
}

/** Starts `bin` with stdout ignored and the tail of stderr kept. */
export function startKeepingStderr(bin: string, args: readonly string[], options: SpawnOptions = {}): Started {
  const child = spawn(bin, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP_CHARS);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, stderr: () => stderr, exited };
}

/** Sends `signal` (default SIGTERM) and waits for the exit; SIGKILL after `timeoutMs`. */
export async function terminate(child: ChildProcess, exited: Promise<void>, timeoutMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

// Child processes of a test (collector, agent) with their whole output kept, stopped politely then firmly.
import { spawn, type ChildProcess } from 'node:child_process';

const STOP_TIMEOUT_MS = 15_000;

export interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Everything the process wrote (its log). */
  log(): string;
}

export function startProc(command: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  // The collector logs JSON lines on stdout (pino), the agent text lines on stderr: keep both.
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, log: () => log };
}

/** Sends `signal`, and SIGKILL after STOP_TIMEOUT_MS; resolves with the exit code (null when killed by a signal). */
export async function stopProc(proc: Proc | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return proc?.child.exitCode ?? null;
  proc.child.kill(signal);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    return await proc.exited;
  } finally {
    clearTimeout(timer);
  }
}

// The long-lived PowerShell worker (Windows): ONE `powershell.exe -Command -` process that runs probe scripts one at
// a time, so a collection costs a line on stdin instead of a 200-600 ms powershell.exe start per metric.
// Contract (PowerShell in probes/probe.ts): `run` queues the script; requests never overlap; each resolves with the
// script's JSON parsed, or rejects (timeout, abort, crash, script error, non-JSON, oversize). After a timeout, an
// abort of the running request, a crash or an oversize result the process is killed and the NEXT request starts a
// fresh one; it is also recycled after MAX_REQUESTS requests or MAX_AGE_MS to bound leaks in WMI/CIM clients.
// Started lazily by the first request. After `stop` every request rejects.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../base/log.js';
import type { PowerShell } from '../probes/probe.js';
import { excerpt, frameResult, scanFrame, WORKER_PRELUDE, wrapRequest, type ScanPosition } from './powershell-framing.js';
import { realTimers, type TimerHandle, type Timers } from '../base/timers.js';

export const DEFAULT_TIMEOUT_MS = 30_000;
export const MAX_REQUESTS = 500;
export const MAX_AGE_MS = 60 * 60_000;
/** Largest result, in characters of decoded stdout (about bytes for JSON, which is mostly ASCII). */
export const MAX_RESULT_CHARS = 16 * 1024 * 1024;
/** stderr lines logged per process; the rest are counted and the count logged when the process ends. */
const STDERR_LOG_LINES = 20;
/** Windows PowerShell 5.1's CLI (about_PowerShell_exe): `-Command -` reads commands from stdin. Bypass, not
 *  Unrestricted: scripts come from the agent itself, and Unrestricted on every start is what EDR heuristics flag. */
export const POWERSHELL_ARGS: readonly string[] = ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', '-'];
/** By full path: the agent runs as LocalSystem, and PATH must not choose which powershell.exe that is. */
export const POWERSHELL_EXE = `${process.env.SystemRoot ?? 'C:\\Windows'}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`;

export interface PowerShellWorkerOptions {
  log: Logger;
  /** Executable and arguments; tests inject a stand-in (PowerShell cannot run on the build machine). */
  command?: string;
  args?: readonly string[];
  timers?: Timers;
  now?: () => number;
  maxRequests?: number;
  maxAgeMs?: number;
  maxResultChars?: number;
}

export interface PowerShellWorker extends PowerShell {
  /** Rejects queued and running requests, ends the process; later `run` calls reject. */
  stop(): void;
  /** Processes started so far (self-metrics and tests). */
  readonly starts: number;
}

interface Job {
  script: string;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onAbort?: () => void;
}

interface Proc {
  child: ChildProcessWithoutNullStreams;
  startedAt: number;
  requests: number;
  stdout: string;
  scan: ScanPosition;
  stderrLines: number;
}

interface Current {
  job: Job;
  nonce: string;
  timer: TimerHandle;
}

export function createPowerShellWorker(options: PowerShellWorkerOptions): PowerShellWorker {
  const { log } = options;
  const timers = options.timers ?? realTimers;
  const now = options.now ?? Date.now;
  const maxRequests = options.maxRequests ?? MAX_REQUESTS;
  const maxAgeMs = options.maxAgeMs ?? MAX_AGE_MS;
  const maxResult = options.maxResultChars ?? MAX_RESULT_CHARS;
  const queue: Job[] = [];
  let proc: Proc | null = null;
  let current: Current | null = null;
  let stopped = false;
  let starts = 0;

  const finish = (outcome: { ok: true; value: unknown } | { ok: false; error: string }) => {
    const running = current;
    if (!running) return;
    current = null;
    timers.clearTimeout(running.timer);
    if (running.job.onAbort) running.job.signal?.removeEventListener('abort', running.job.onAbort);
    if (outcome.ok) running.job.resolve(outcome.value);
    else running.job.reject(new Error(`powershell-worker: ${outcome.error}`));
    queueMicrotask(pump);
  };

  /** Ends the process (it is not reused); the next request starts a fresh one. */
  const kill = (reason: string) => {
    const p = proc;
    if (!p) return;
    proc = null;
    log.debug('powershell-worker: ending process', { reason, pid: p.child.pid, requests: p.requests });
    p.child.stdin.end();
    p.child.kill();
  };

  const onStdout = (p: Proc, chunk: string) => {
    if (proc !== p) return;
    p.stdout += chunk;
    if (!current) {
      if (p.stdout.trim()) log.debug('powershell-worker: output outside a request', { excerpt: excerpt(p.stdout) });
      p.stdout = '';
      return;
    }
    const scan = scanFrame(p.stdout, current.nonce, p.scan);
    if (!scan.found) {
      p.scan = scan.resume;
      if (p.stdout.length - p.scan.from > maxResult) {
        kill('oversize result');
        finish({ ok: false, error: `result larger than ${maxResult} characters` });
      } else if (p.scan.from > 0) {
        p.stdout = p.stdout.slice(p.scan.from); // noise before a possible frame start is dropped
        p.scan = { from: 0, endFrom: p.scan.endFrom - p.scan.from };
      }
      return;
    }
    if (scan.noiseBefore) log.debug('powershell-worker: output before the result', { excerpt: excerpt(scan.noiseBefore) });
    p.stdout = p.stdout.slice(scan.end);
    p.scan = { from: 0, endFrom: 0 };
    finish(frameResult(scan.status, scan.body));
  };

  const onStderr = (p: Proc, chunk: string) => {
    p.stderrLines += 1;
    if (p.stderrLines <= STDERR_LOG_LINES) log.warn('powershell-worker: stderr', { pid: p.child.pid, excerpt: excerpt(chunk) });
  };

  const onExit = (p: Proc, code: number | null, signal: NodeJS.Signals | null) => {
    if (p.stderrLines > STDERR_LOG_LINES) log.warn('powershell-worker: stderr lines not logged', { pid: p.child.pid, count: p.stderrLines - STDERR_LOG_LINES });
    if (proc !== p) return; // killed on purpose; its request was already settled
    proc = null;
    log.warn('powershell-worker: process exited', { pid: p.child.pid, code, signal });
    finish({ ok: false, error: `powershell exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})` });
  };

  const start = (): Proc => {
    const child = spawn(options.command ?? POWERSHELL_EXE, [...(options.args ?? POWERSHELL_ARGS)], { windowsHide: true, stdio: 'pipe' });
    const p: Proc = { child, startedAt: now(), requests: 0, stdout: '', scan: { from: 0, endFrom: 0 }, stderrLines: 0 };
    starts += 1;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => onStdout(p, chunk));
    child.stderr.on('data', (chunk: string) => onStderr(p, chunk));
    child.on('exit', (code, signal) => onExit(p, code, signal));
    child.on('error', (error) => {
      log.error('powershell-worker: process error', { err: error.message });
      if (proc === p) kill('spawn error');
      finish({ ok: false, error: `cannot run powershell: ${error.message}` });
    });
    child.stdin.on('error', () => {}); // EPIPE after a crash: the exit handler reports it
    child.stdin.write(WORKER_PRELUDE);
    return p;
  };

  function pump(): void {
    if (current || stopped) return;
    const job = queue.shift();
    if (!job) return;
    if (proc && (proc.requests >= maxRequests || now() - proc.startedAt >= maxAgeMs)) kill('recycle');
    proc ??= start();
    proc.requests += 1;
    const nonce = randomBytes(16).toString('hex');
    const timer = timers.setTimeout(() => {
      kill('timeout');
      finish({ ok: false, error: `timed out after ${job.timeoutMs} ms` });
    }, job.timeoutMs);
    current = { job, nonce, timer };
    proc.child.stdin.write(wrapRequest(job.script, nonce));
  }

  const run = <T>(script: string, runOptions: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (stopped) return reject(new Error('powershell-worker: stopped'));
      if (runOptions.signal?.aborted) return reject(new Error('powershell-worker: aborted'));
      const job: Job = {
        script,
        timeoutMs: runOptions.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        signal: runOptions.signal,
        resolve: resolve as (v: unknown) => void,
        reject,
      };
      job.onAbort = () => {
        const queued = queue.indexOf(job);
        if (queued >= 0) {
          queue.splice(queued, 1);
          reject(new Error('powershell-worker: aborted'));
        } else if (current?.job === job) {
          kill('aborted');
          finish({ ok: false, error: 'aborted' });
        }
      };
      runOptions.signal?.addEventListener('abort', job.onAbort, { once: true });
      queue.push(job);
      pump();
    });

  return {
    run,
    stop() {
      stopped = true;
      for (const job of queue.splice(0)) job.reject(new Error('powershell-worker: stopped'));
      kill('stop');
      finish({ ok: false, error: 'stopped' });
    },
    get starts() {
      return starts;
    },
  };
}

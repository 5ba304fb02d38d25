// The long-lived PowerShell worker (Windows): ONE `powershell.exe -Command -` process that runs probe scripts one at
// a time, so a collection costs a line on stdin instead of a 200-600 ms powershell.exe start per metric.
// Contract (PowerShell in probes/probe.ts): `run` queues the script; requests never overlap; each resolves with the
// script's JSON parsed, or rejects (timeout, abort, crash, script error, non-JSON, oversize, a script's `exit`). After
// a timeout, an abort of the running request, a crash, an oversize result or an `exit` (see powershell-framing.ts) the
// process is killed and the NEXT request starts a fresh one; it is also recycled after MAX_REQUESTS requests or
// MAX_AGE_MS to bound leaks in WMI/CIM clients. Started lazily by the first request. After `stop` every request rejects.
// Tested against pwsh 7 started with exactly these arguments (test/agent/exec/powershell-worker-pwsh.test.ts).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../base/log.js';
import type { PowerShell } from '../probes/probe.js';
import { excerpt, frameResult, scanFrame, WORKER_PRELUDE, wrapRequest, type ScanPosition } from './powershell-framing.js';
import { realTimers, type TimerHandle, type Timers } from '../base/timers.js';

export const DEFAULT_TIMEOUT_MS = 30_000;
export const MAX_REQUESTS = 500;
export const MAX_AGE_MS = 60 * 60_000;
/** Largest result, in characters of decoded stdout (about bytes for JSON, which is mostly ASCII). Enforced however the
 *  result arrives: a whole frame can come in one pipe read. */
export const MAX_RESULT_CHARS = 16 * 1024 * 1024;
/** Output before a request's frame (Write-Host, warnings) kept to be logged in one piece with the result. */
const NOISE_KEEP_CHARS = 64 * 1024;
/** stderr lines logged per process; the rest are counted and the count logged when its stderr ends. */
const STDERR_LOG_LINES = 20;
/** A stderr "line" this long without a newline is counted (and logged) as one, so the partial line stays bounded. */
const STDERR_LINE_CHARS = 4096;
/** Windows PowerShell 5.1's CLI (about_PowerShell_exe): `-Command -` reads commands from stdin. Bypass, not
 *  Unrestricted: scripts come from the agent itself, and Unrestricted on every start is what EDR heuristics flag. */
export const POWERSHELL_ARGS: readonly string[] = ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', '-'];
/** By full path: the agent runs as LocalSystem, and PATH must not choose which powershell.exe that is. */
export const POWERSHELL_EXE = `${process.env.SystemRoot ?? 'C:\\Windows'}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`;

export interface PowerShellWorkerOptions {
  log: Logger;
  /** Executable and arguments; tests run pwsh 7 with the default arguments, and a stand-in for pipe behaviour. */
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
  /** stderr after its last newline: pipe reads split and join writes anywhere. */
  stderrRest: string;
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

  const logNoise = (text: string) => {
    const noise = excerpt(text);
    if (noise) log.debug('powershell-worker: output before the result', { excerpt: noise });
  };

  const onStdout = (p: Proc, chunk: string) => {
    if (proc !== p) return;
    p.stdout += chunk;
    if (!current) {
      const noise = excerpt(p.stdout);
      if (noise) log.debug('powershell-worker: output outside a request', { excerpt: noise });
      p.stdout = '';
      return;
    }
    const scan = scanFrame(p.stdout, current.nonce, p.scan);
    if (!scan.found) {
      p.scan = scan.resume;
      if (p.stdout.length - p.scan.from > maxResult) {
        kill('oversize result');
        finish({ ok: false, error: `result larger than ${maxResult} characters` });
      } else if (p.scan.from > NOISE_KEEP_CHARS) {
        // Noise before a possible frame start is kept for the log up to a bound, then logged and dropped.
        logNoise(p.stdout.slice(0, p.scan.from));
        p.stdout = p.stdout.slice(p.scan.from);
        p.scan = { from: 0, endFrom: p.scan.endFrom - p.scan.from };
      }
      return;
    }
    logNoise(scan.noiseBefore);
    p.stdout = p.stdout.slice(scan.end);
    p.scan = { from: 0, endFrom: 0 };
    if (scan.body.length > maxResult) {
      kill('oversize result');
      finish({ ok: false, error: `result larger than ${maxResult} characters` });
    } else {
      // After `exit` the process is already ending: the next request must not be written to it.
      if (scan.status === 'EXIT') kill('script ended the wrapper');
      finish(frameResult(scan.status, scan.body));
    }
  };

  const stderrLine = (p: Proc, line: string) => {
    const text = excerpt(line);
    if (!text) return; // blank, or only terminal control sequences
    p.stderrLines += 1;
    if (p.stderrLines <= STDERR_LOG_LINES) log.warn('powershell-worker: stderr', { pid: p.child.pid, excerpt: text });
  };

  const onStderr = (p: Proc, chunk: string) => {
    const lines = (p.stderrRest + chunk).split('\n');
    p.stderrRest = lines.pop() ?? '';
    if (p.stderrRest.length > STDERR_LINE_CHARS) {
      lines.push(p.stderrRest);
      p.stderrRest = '';
    }
    for (const line of lines) stderrLine(p, line);
  };

  const onStderrEnd = (p: Proc) => {
    stderrLine(p, p.stderrRest);
    p.stderrRest = '';
    if (p.stderrLines > STDERR_LOG_LINES) log.warn('powershell-worker: stderr lines not logged', { pid: p.child.pid, count: p.stderrLines - STDERR_LOG_LINES });
  };

  const onExit = (p: Proc, code: number | null, signal: NodeJS.Signals | null) => {
    if (proc !== p) return; // killed on purpose; its request was already settled
    proc = null;
    log.warn('powershell-worker: process exited', { pid: p.child.pid, code, signal });
    finish({ ok: false, error: `powershell exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})` });
  };

  const start = (): Proc => {
    const child = spawn(options.command ?? POWERSHELL_EXE, [...(options.args ?? POWERSHELL_ARGS)], { windowsHide: true, stdio: 'pipe' });
    const p: Proc = { child, startedAt: now(), requests: 0, stdout: '', scan: { from: 0, endFrom: 0 }, stderrLines: 0, stderrRest: '' };
    starts += 1;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => onStdout(p, chunk));
    child.stderr.on('data', (chunk: string) => onStderr(p, chunk));
    child.stderr.on('end', () => onStderrEnd(p));
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

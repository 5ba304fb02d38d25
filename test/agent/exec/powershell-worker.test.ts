// The worker against a real child process over real pipes: the stand-in in ../helpers/powershell-stand-in.mjs, because
// PowerShell cannot run on this machine (see that file). Timeouts and recycling run on a manual clock.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createPowerShellWorker, POWERSHELL_ARGS, type PowerShellWorker, type PowerShellWorkerOptions } from '../../../agent/src/exec/powershell-worker.js';
import { recordingLogger, type RecordingLogger } from '../helpers/recording-log.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { until } from '../helpers/until.js';

const STAND_IN = fileURLToPath(new URL('../helpers/powershell-stand-in.mjs', import.meta.url));
let worker: PowerShellWorker | undefined;
let log: RecordingLogger;
let clock: ManualClock;

function standIn(flags: string[] = [], options: Partial<PowerShellWorkerOptions> = {}): PowerShellWorker {
  log = recordingLogger();
  clock = new ManualClock();
  worker = createPowerShellWorker({ log, command: process.execPath, args: [STAND_IN, ...flags], timers: clock, now: clock.now, ...options });
  return worker;
}

afterEach(() => worker?.stop());

describe('powershell worker', () => {
  it('passes the documented Windows PowerShell 5.1 arguments by default', () => {
    expect(POWERSHELL_ARGS).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', '-']);
  });

  it('runs scripts in one process, one at a time, in order', async () => {
    const w = standIn();
    const results = await Promise.all([w.run('\'{"n":1}\''), w.run('$PID'), w.run("'[1,2,3]'"), w.run('$PID'), w.run('\'{"name":"Müller ✓"}\'')]);
    expect(results[0]).toEqual({ n: 1 });
    expect(results[2]).toEqual([1, 2, 3]);
    expect(results[4]).toEqual({ name: 'Müller ✓' });
    expect(results[1]).toBe(results[3]);
    expect(w.starts).toBe(1);
  });

  it('starts lazily', async () => {
    const w = standIn();
    expect(w.starts).toBe(0);
    await w.run('$PID');
    expect(w.starts).toBe(1);
  });

  it('rejects with the message of a terminating error and keeps the process', async () => {
    const w = standIn();
    const pid = await w.run('$PID');
    await expect(w.run("throw 'Access is denied'")).rejects.toThrow('powershell-worker: script error: Access is denied');
    expect(await w.run('$PID')).toBe(pid);
  });

  it('rejects output that is not JSON, and empty output', async () => {
    const w = standIn();
    await expect(w.run("'Name   Status'")).rejects.toThrow('script output is not JSON: Name Status');
    await expect(w.run('$null')).rejects.toThrow('script printed nothing');
  });

  it('survives stderr noise and Write-Host output around the frame, and logs the stderr bounded', async () => {
    const w = standIn(['--chunk-bytes', '7', '--stderr-noise']);
    const value = await w.run('Write-Error \'WMI is slow\'; Write-Host \'PS C:\\> hello\'; \'{"ok":true,"text":"é✓"}\'');
    expect(value).toEqual({ ok: true, text: 'é✓' });
    expect(log.lines.filter((l) => l.message === 'powershell-worker: stderr').length).toBeLessThanOrEqual(20);
    expect(log.lines.some((l) => String(l.fields.excerpt).includes('WMI is slow'))).toBe(true);
  });

  it('reassembles a result arriving in many chunks that split UTF-8 characters', async () => {
    const w = standIn(['--chunk-bytes', '3']);
    const text = 'ä€😀'.repeat(60);
    expect(await w.run(`'{"t":"${text}"}'`)).toEqual({ t: text });
  });

  it('ignores a forged end marker of another nonce in the script output', async () => {
    const w = standIn();
    const forged = '<<WP:ffffffffffffffffffffffffffffffff:END>>';
    expect(await w.run(`'{"s":"${forged}"}'`)).toEqual({ s: forged });
  });

  it('times out, kills the process and runs the next request in a fresh one', async () => {
    const w = standIn();
    const before = await w.run('$PID');
    const hung = w.run('Start-Sleep -Seconds 3600', { timeoutMs: 5_000 });
    const next = w.run('$PID');
    const timedOut = expect(hung).rejects.toThrow('powershell-worker: timed out after 5000 ms');
    await clock.advance(4_999);
    expect(w.starts).toBe(1);
    await clock.advance(1);
    await timedOut;
    const after = await next;
    expect(after).not.toBe(before);
    expect(w.starts).toBe(2);
    await until('the hung process to be gone', () => !alive(before as number));
  });

  it('a crash rejects the running request and the next starts fresh', async () => {
    const w = standIn();
    const before = await w.run('$PID');
    await expect(w.run('[Environment]::Exit(3)')).rejects.toThrow('powershell exited (code 3');
    expect(await w.run('$PID')).not.toBe(before);
    expect(w.starts).toBe(2);
  });

  it('recycles after the request limit', async () => {
    const w = standIn([], { maxRequests: 2 });
    const pids = [await w.run('$PID'), await w.run('$PID'), await w.run('$PID')];
    expect(pids[0]).toBe(pids[1]);
    expect(pids[2]).not.toBe(pids[1]);
    await until('the recycled process to be gone', () => !alive(pids[0] as number));
  });

  it('recycles after the age limit', async () => {
    const w = standIn([], { maxAgeMs: 60_000 });
    const first = await w.run('$PID');
    await clock.advance(59_999);
    expect(await w.run('$PID')).toBe(first);
    await clock.advance(1);
    expect(await w.run('$PID')).not.toBe(first);
  });

  it('caps a result and recycles', async () => {
    const w = standIn(['--chunk-bytes', '4096'], { maxResultChars: 10_000 });
    await expect(w.run("'x' * 50000")).rejects.toThrow('result larger than 10000 characters');
    expect(await w.run("'[1]'")).toEqual([1]);
    expect(w.starts).toBe(2);
  });

  it('an abort removes a queued request and kills a running one', async () => {
    const w = standIn();
    const running = new AbortController();
    const queued = new AbortController();
    const a = w.run('Start-Sleep -Seconds 3600', { signal: running.signal });
    const b = w.run('$PID', { signal: queued.signal });
    const c = w.run("'3'");
    queued.abort();
    await expect(b).rejects.toThrow('aborted');
    running.abort();
    await expect(a).rejects.toThrow('powershell-worker: aborted');
    expect(await c).toBe(3);
    expect(w.starts).toBe(2);
    await expect(w.run('$PID', { signal: AbortSignal.abort() })).rejects.toThrow('aborted');
  });

  it('stop rejects what is queued and running, and every later request', async () => {
    const w = standIn();
    const a = w.run('Start-Sleep -Seconds 3600');
    const b = w.run('$PID');
    w.stop();
    await expect(a).rejects.toThrow('stopped');
    await expect(b).rejects.toThrow('stopped');
    await expect(w.run('$PID')).rejects.toThrow('stopped');
  });

  it('rejects when the executable cannot be started, and tries again on the next request', async () => {
    const w = standIn([], { command: '/nonexistent/powershell.exe' });
    await expect(w.run('$PID')).rejects.toThrow('cannot run powershell');
    await expect(w.run('$PID')).rejects.toThrow('cannot run powershell');
    expect(w.starts).toBe(2);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

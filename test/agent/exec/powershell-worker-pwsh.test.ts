// The worker against a REAL PowerShell engine: pwsh 7 (test/helpers/pwsh.ts) started with exactly the arguments the
// agent gives Windows PowerShell 5.1's powershell.exe (POWERSHELL_ARGS, `-Command -`), over real pipes and real
// timers. Only the executable differs. What 5.1 does differently and what the worker relies on is in the header of
// agent/src/exec/powershell-framing.ts. Requests that leave the process alive share one worker (a pwsh start costs
// about 0.6-1 s); every test that kills or replaces the process has its own.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_ERROR, WORKER_PRELUDE, wrapRequest } from '../../../agent/src/exec/powershell-framing.js';
import { createPowerShellWorker, POWERSHELL_ARGS, type PowerShellWorker, type PowerShellWorkerOptions } from '../../../agent/src/exec/powershell-worker.js';
import { pwshPath } from '../../helpers/pwsh.js';
import { recordingLogger, type RecordingLogger } from '../helpers/recording-log.js';
import { until } from '../helpers/until.js';

const TEXT = 'Müller 東京 ✓ 🚀';
const HANG = 'Start-Sleep -Seconds 30';
const TIMEOUT_MS = 1_500;

/** The engine itself, one process like powershell.exe (see pwshPath). */
const ENGINE = pwshPath();

function pwshWorker(options: Partial<PowerShellWorkerOptions> = {}): { worker: PowerShellWorker; log: RecordingLogger } {
  const log = recordingLogger();
  return { worker: createPowerShellWorker({ log, command: ENGINE, ...options }), log };
}

/** Pids of the processes the worker ended on purpose, with the reason. */
const ended = (log: RecordingLogger) => log.lines.filter((l) => l.message === 'powershell-worker: ending process').map((l) => [l.fields.reason, l.fields.pid]);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const excerpts = (log: RecordingLogger, message: string) => log.lines.filter((l) => l.message === message).map((l) => String(l.fields.excerpt));

describe('powershell worker on pwsh: one long-lived process', () => {
  let worker: PowerShellWorker;
  let log: RecordingLogger;
  let pid: number;

  beforeAll(async () => {
    ({ worker, log } = pwshWorker());
    expect(worker.starts).toBe(0); // started by the first request, not by creation
    pid = await worker.run<number>('$PID');
  });
  afterAll(() => worker.stop());
  afterEach(() => expect(worker.starts).toBe(1)); // nothing in this block may replace the process

  it('runs many requests in one process, one at a time, in order', async () => {
    const scripts = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? '$PID' : `[pscustomobject]@{ n = ${i} } | ConvertTo-Json -Compress`));
    const results = await Promise.all(scripts.map((script) => worker.run(script)));
    expect(results).toEqual(scripts.map((script, i) => (script === '$PID' ? pid : { n: i })));
  });

  it('a script writing to stderr and the error stream still returns its result; stderr is logged without colours', async () => {
    const script = "Write-Error 'WMI is slow'; [Console]::Error.WriteLine('console stderr ✓'); Get-Item -Path '/nonexistent-wp'; '{\"ok\":true}'";
    expect(await worker.run(script)).toEqual({ ok: true });
    const stderr = await until(
      'three stderr lines',
      () => excerpts(log, 'powershell-worker: stderr').length >= 3 && excerpts(log, 'powershell-worker: stderr'),
    );
    // pwsh 7 writes error records to stderr in its one-line ConciseView, coloured with ANSI sequences the worker drops.
    expect(stderr).toEqual(['Write-Error: WMI is slow', 'console stderr ✓', "Get-Item: Cannot find path '/nonexistent-wp' because it does not exist."]);
  });

  it('rejects with the message of a thrown error and keeps the process', async () => {
    await expect(worker.run("throw 'Access is denied'")).rejects.toThrow(new Error('powershell-worker: script error: Access is denied'));
    await expect(worker.run('throw [System.UnauthorizedAccessException]::new("Zugriff verweigert: Müller")')).rejects.toThrow(
      new Error('powershell-worker: script error: Zugriff verweigert: Müller'),
    );
    expect(await worker.run('$PID')).toBe(pid);
  });

  it('a statement-terminating error ends the whole script, with or without $ErrorActionPreference = Stop', async () => {
    const notFound = /^powershell-worker: script error: The term 'Get-WatchpostMissing' is not recognized as a name of a cmdlet, function, script file/;
    await expect(worker.run("$ErrorActionPreference = 'Stop'; Get-WatchpostMissing; '{\"after\":1}'")).rejects.toThrow(notFound);
    // Inside the wrapper's try an unknown command stops the script even at the default preference (Continue).
    await expect(worker.run('Get-WatchpostMissing; \'{"after":2}\'')).rejects.toThrow(notFound);
    // -ErrorAction Stop and Write-Error under Stop end it too; a plain Write-Error does not (previous test).
    await expect(worker.run("Get-Item -Path '/nonexistent-wp' -ErrorAction Stop; '1'")).rejects.toThrow(
      new Error("powershell-worker: script error: Cannot find path '/nonexistent-wp' because it does not exist."),
    );
    await expect(worker.run("$ErrorActionPreference = 'Stop'; Write-Error 'now terminating'; '1'")).rejects.toThrow(
      new Error('powershell-worker: script error: now terminating'),
    );
    // The preference was the script's own (child scope): the next request runs at the default again.
    expect(await worker.run('ConvertTo-Json ([string]$ErrorActionPreference)')).toBe('Continue');
  });

  it('a script that does not parse is a script error', async () => {
    await expect(worker.run("'unterminated")).rejects.toThrow(
      /^powershell-worker: script error: Exception calling "Create" with "1" argument\(s\): .*The string is missing the terminator: '\./s,
    );
  });

  it('rejects output that is not JSON, and empty output', async () => {
    await expect(worker.run("'Name   Status'")).rejects.toThrow(new Error('powershell-worker: script output is not JSON: Name Status'));
    await expect(worker.run('Get-ChildItem -Path $PSHOME -Filter pwsh.dll | Select-Object Name')).rejects.toThrow(
      new Error('powershell-worker: script output is not JSON: @{Name=pwsh.dll}'),
    );
    for (const empty of ['$null', '@()', "''", '$x = 1']) {
      await expect(worker.run(empty)).rejects.toThrow(new Error('powershell-worker: script printed nothing (expected one JSON document)'));
    }
  });

  it('joins several output objects with newlines, as the strings PowerShell makes of them', async () => {
    expect(await worker.run("'['; '1,'; '2'; ']'")).toEqual([1, 2]);
    await expect(worker.run('1; 2')).rejects.toThrow(new Error('powershell-worker: script output is not JSON: 1 2'));
    await expect(worker.run('\'{"a":1}\'; \'{"b":2}\'')).rejects.toThrow(new Error('powershell-worker: script output is not JSON: {"a":1} {"b":2}'));
    // Objects are not formatted (no table): -join makes strings of them.
    await expect(worker.run('@{ a = 1 }')).rejects.toThrow(new Error('powershell-worker: script output is not JSON: System.Collections.Hashtable'));
    // Write-Output is pipeline output, part of the result, not noise.
    await expect(worker.run("Write-Output 'hello'; '{\"a\":1}'")).rejects.toThrow(new Error('powershell-worker: script output is not JSON: hello {"a":1}'));
  });

  it('skips Write-Host, warnings and [Console]::Out writes before the frame, and logs them', async () => {
    const before = log.lines.length;
    const script = "Write-Host 'PS C:\\> hello'; [Console]::Out.Write('raw text '); Write-Warning 'careful'; Write-Verbose 'chatty' -Verbose; '{\"a\":1}'";
    expect(await worker.run(script)).toEqual({ a: 1 });
    const noise = log.lines.slice(before).filter((l) => l.message === 'powershell-worker: output before the result');
    // Host output reaches stdout before the frame; the pipeline output is collected into the frame.
    expect(noise.map((l) => l.fields.excerpt)).toEqual(['PS C:\\> hello raw text WARNING: careful VERBOSE: chatty']);
  });

  it('passes Unicode both ways: in the script text and in the output, literal or through ConvertTo-Json', async () => {
    expect(await worker.run(`'{"name":"${TEXT}"}'`)).toEqual({ name: TEXT });
    // The script's text reached PowerShell intact: it sees the same UTF-16 length and code points as JavaScript.
    const seen = await worker.run(
      `$s = '${TEXT}'; [pscustomobject]@{ name = $s; length = $s.Length; rocket = [char]::ConvertToUtf32($s, $s.Length - 2) } | ConvertTo-Json -Compress`,
    );
    expect(seen).toEqual({ name: TEXT, length: TEXT.length, rocket: 0x1f680 });
    // Output built from code points in PowerShell (no non-ASCII in the script) arrives intact.
    const built = '[string][char]0x4D + [char]0xFC + "ller " + [char]0x6771 + [char]0x4EAC + " " + [char]0x2713 + " " + [char]::ConvertFromUtf32(0x1F680)';
    expect(await worker.run(`ConvertTo-Json (${built})`)).toBe(TEXT);
    expect(await worker.run(`"""$(${built})"""`)).toBe(TEXT);
  });

  it('frames are UTF-8 whatever a script does to [Console]::OutputEncoding, and a stray BOM is noise', async () => {
    // pwsh writes [Console]::Out in UTF-16 after this; the frame goes to the raw stdout as UTF-8 bytes regardless.
    expect(await worker.run(`[Console]::OutputEncoding = [Text.Encoding]::Unicode; [Console]::Out.Write('utf16 noise'); '"${TEXT}"'`)).toBe(TEXT);
    expect(await worker.run(`'"${TEXT}"'`)).toBe(TEXT); // and for the rest of the process
    expect(await worker.run(`[Console]::OutputEncoding = [Text.Encoding]::GetEncoding(437); Write-Host 'host ü'; '"${TEXT}"'`)).toBe(TEXT);
    expect(await worker.run(`$o = [Console]::OpenStandardOutput(); $o.Write([byte[]](0xEF, 0xBB, 0xBF), 0, 3); $o.Flush(); '"${TEXT}"'`)).toBe(TEXT);
    expect(await worker.run(`[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false; '"${TEXT}"'`)).toBe(TEXT);
  });

  it('runs a multi-line script with here-strings, quotes, backticks, comments and line continuations, LF or CRLF', async () => {
    const script = [
      '# a comment line, then a comment after code',
      '$name = "Mül`"ler"   # a backtick-escaped double quote',
      "$single = 'it''s'",
      "$here = @'",
      'literal $name `n "double" \'single\' # not a comment',
      "'@",
      '$expand = @"',
      'name=$name tick=`` tab=[`t]',
      '"@',
      '$sum = 1 + `',
      '  2',
      '[pscustomobject]@{ name = $name; single = $single; here = $here; expand = $expand; sum = $sum } |',
      '  ConvertTo-Json -Compress `',
      '',
    ];
    const expected = {
      name: 'Mül"ler',
      single: "it's",
      here: 'literal $name `n "double" \'single\' # not a comment',
      expand: 'name=Mül"ler tick=` tab=[\t]',
      sum: 3,
    };
    expect(await worker.run(script.join('\n'))).toEqual(expected);
    expect(await worker.run(script.join('\r\n'))).toEqual(expected);
  });

  it('a forged end marker of another nonce in the output is data, not a frame', async () => {
    const forged = '<<WP:ffffffffffffffffffffffffffffffff:END>>';
    expect(await worker.run(`'{"s":"${forged}"}'`)).toEqual({ s: forged });
    expect(await worker.run(`Write-Host '${forged}'; '{"s":2}'`)).toEqual({ s: 2 });
  });
});

describe('powershell worker on pwsh: replacing the process', () => {
  let current: PowerShellWorker | undefined;
  const fresh = (options: Partial<PowerShellWorkerOptions> = {}) => {
    const made = pwshWorker(options);
    current = made.worker;
    return made;
  };
  afterEach(() => current?.stop());

  it('passes the documented Windows PowerShell 5.1 arguments by default', () => {
    expect(POWERSHELL_ARGS).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', '-']);
  });

  it('sends only ASCII on stdin: the prelude, then one line per request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-stdin-'));
    try {
      const sent = join(dir, 'stdin');
      // sh copies the worker's stdin into a file on its way to pwsh (same arguments).
      const { worker } = fresh({ command: '/bin/sh', args: ['-c', 'f=$1; shift; tee "$f" | "$@"', 'sh', sent, ENGINE, ...POWERSHELL_ARGS] });
      expect(await worker.run(`'{"name":"${TEXT}"}'`)).toEqual({ name: TEXT });
      const bytes = readFileSync(sent);
      expect(bytes.every((b) => b === 0x0a || (b >= 0x20 && b < 0x7f))).toBe(true);
      const lines = bytes.toString('latin1').split('\n');
      expect(lines).toHaveLength(3);
      expect(`${lines[0]}\n`).toBe(WORKER_PRELUDE);
      expect(lines[1]).toMatch(/^\$wpFrame = \$null; try \{ /);
      expect(lines[2]).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(/^[\x20-\x7e]*\n$/.test(wrapRequest(`'${TEXT}'\r\n# ü`, 'abcdef0123456789'))).toBe(true);
  });

  it('times out a script that never ends, kills it, and runs the next request in a fresh process', async () => {
    const { worker, log } = fresh();
    const first = await worker.run<number>('$PID');
    const started = Date.now();
    const hung = worker.run(HANG, { timeoutMs: TIMEOUT_MS });
    const next = worker.run<number>('$PID');
    await expect(hung).rejects.toThrow(new Error(`powershell-worker: timed out after ${TIMEOUT_MS} ms`));
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    const second = await next;
    expect(second).not.toBe(first);
    expect(worker.starts).toBe(2);
    expect(ended(log)).toEqual([['timeout', first]]); // the process the worker kills is the engine that ran the script
    await until('the hung pwsh to be gone', () => !alive(first));
  });

  it('rejects a result larger than maxResultChars, whether it comes in one pipe read or many, and replaces the process', async () => {
    const { worker, log } = fresh({ maxResultChars: 10_000 });
    expect(await worker.run<string>(`ConvertTo-Json ('x' * 9000)`)).toHaveLength(9000); // 9002 characters: under the limit
    const first = await worker.run<number>('$PID');
    await expect(worker.run(`'"' + ('x' * 50000) + '"'`)).rejects.toThrow(new Error('powershell-worker: result larger than 10000 characters'));
    const second = await worker.run<number>('$PID');
    expect(second).not.toBe(first);
    await expect(worker.run(`'"' + ('x' * 500000) + '"'`)).rejects.toThrow(new Error('powershell-worker: result larger than 10000 characters'));
    expect(await worker.run("'[1]'")).toEqual([1]);
    expect(worker.starts).toBe(3);
    expect(ended(log)).toEqual([
      ['oversize result', first],
      ['oversize result', second],
    ]);
    await until('the replaced processes to be gone', () => !alive(first) && !alive(second));
  });

  it('a script that calls exit (even in a function) or break outside a loop rejects clearly and the next request starts fresh', async () => {
    // `exit` ends the process after the wrapper's finally; `break` (and `continue`) outside a loop end the command line
    // without a frame and the process lives on. Either way the EXIT frame arrives at once and the process is replaced.
    const { worker, log } = fresh();
    const pids = [await worker.run<number>('$PID')];
    for (const script of ['exit 3', 'function Stop-Probe { exit 0 }; Stop-Probe', 'break']) {
      await expect(worker.run(`'{"before":1}'; ${script}; '{"after":1}'`)).rejects.toThrow(new Error(`powershell-worker: ${EXIT_ERROR}`));
      pids.push(await worker.run<number>('$PID'));
    }
    expect(new Set(pids).size).toBe(4);
    expect(worker.starts).toBe(4);
    expect(ended(log)).toEqual(pids.slice(0, 3).map((pid) => ['script ended the wrapper', pid]));
    expect(log.count(/process exited/)).toBe(0); // replaced on purpose, not reported as a crash
    await until('the ended processes to be gone', () => pids.slice(0, 3).every((pid) => !alive(pid)));
  });

  it('a crash mid-request ([Environment]::Exit, or the process killed from outside) rejects with the exit reason; the next starts fresh', async () => {
    // Killed with SIGKILL, as Windows ends a process (TerminateProcess): on SIGTERM .NET runs its shutdown and pwsh
    // exits with code 143 while a command runs, or dies of the signal while it waits for stdin.
    const { worker, log } = fresh();
    const first = await worker.run<number>('$PID');
    await expect(worker.run('\'{"before":1}\'; [Environment]::Exit(3)')).rejects.toThrow(
      new Error('powershell-worker: powershell exited (code 3, signal none)'),
    );
    const second = await worker.run<number>('$PID');
    expect(second).not.toBe(first);
    const hung = worker.run(HANG);
    await new Promise((resolve) => setTimeout(resolve, 300)); // let pwsh start sleeping
    process.kill(second, 'SIGKILL');
    await expect(hung).rejects.toThrow(new Error('powershell-worker: powershell exited (code none, signal SIGKILL)'));
    const third = await worker.run<number>('$PID');
    expect(new Set([first, second, third]).size).toBe(3);
    expect(worker.starts).toBe(3);
    expect(log.lines.filter((l) => l.message === 'powershell-worker: process exited').map((l) => [l.fields.code, l.fields.signal])).toEqual([
      [3, null],
      [null, 'SIGKILL'],
    ]);
  });

  it('an abort removes a queued request and kills a running one', async () => {
    const { worker, log } = fresh();
    const first = await worker.run<number>('$PID');
    const running = new AbortController();
    const queued = new AbortController();
    const a = worker.run(HANG, { signal: running.signal });
    const b = worker.run('$PID', { signal: queued.signal });
    const c = worker.run<number>('$PID');
    queued.abort();
    await expect(b).rejects.toThrow(new Error('powershell-worker: aborted'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    running.abort();
    await expect(a).rejects.toThrow(new Error('powershell-worker: aborted'));
    expect(await c).not.toBe(first);
    expect(worker.starts).toBe(2);
    await expect(worker.run('$PID', { signal: AbortSignal.abort() })).rejects.toThrow(new Error('powershell-worker: aborted'));
    expect(worker.starts).toBe(2);
    expect(ended(log)).toEqual([['aborted', first]]);
    await until('the aborted pwsh to be gone', () => !alive(first));
  });

  it('recycles after maxRequests requests and after maxAgeMs on its clock', async () => {
    let now = 1_000_000;
    const { worker, log } = fresh({ maxRequests: 3, maxAgeMs: 60_000, now: () => now });
    const first = await worker.run<number>('$PID');
    now += 59_999;
    expect(await worker.run<number>('$PID')).toBe(first);
    now += 1;
    const second = await worker.run<number>('$PID'); // 60 s old: replaced before its 3rd request
    expect(second).not.toBe(first);
    expect([await worker.run<number>('$PID'), await worker.run<number>('$PID')]).toEqual([second, second]);
    const third = await worker.run<number>('$PID'); // the 4th request on a process allowed 3
    expect(third).not.toBe(second);
    expect(worker.starts).toBe(3);
    expect(ended(log)).toEqual([
      ['recycle', first],
      ['recycle', second],
    ]);
    await until('the recycled processes to be gone', () => !alive(first) && !alive(second));
  });

  it('logs at most 20 stderr lines per process and counts the rest', async () => {
    const { worker, log } = fresh();
    expect(await worker.run('1..30 | ForEach-Object { [Console]::Error.WriteLine("noise $_") }; \'{"ok":true}\'')).toEqual({ ok: true });
    worker.stop();
    const notLogged = await until('the count of stderr lines not logged', () =>
      log.lines.find((l) => l.message === 'powershell-worker: stderr lines not logged'),
    );
    expect(notLogged.fields.count).toBe(10);
    expect(excerpts(log, 'powershell-worker: stderr')).toEqual(Array.from({ length: 20 }, (_, i) => `noise ${i + 1}`));
  });

  it('stop rejects the running and the queued requests and every later one, and ends pwsh', async () => {
    const { worker } = fresh();
    const pid = await worker.run<number>('$PID');
    const a = worker.run(HANG);
    const b = worker.run('$PID');
    worker.stop();
    await expect(a).rejects.toThrow(new Error('powershell-worker: stopped'));
    await expect(b).rejects.toThrow(new Error('powershell-worker: stopped'));
    await expect(worker.run('$PID')).rejects.toThrow(new Error('powershell-worker: stopped'));
    expect(worker.starts).toBe(1);
    await until('pwsh to be gone', () => !alive(pid));
  });

  it('rejects when the executable cannot be started, and tries again on the next request', async () => {
    const { worker } = fresh({ command: '/nonexistent/pwsh' });
    await expect(worker.run('$PID')).rejects.toThrow(new Error('powershell-worker: cannot run powershell: spawn /nonexistent/pwsh ENOENT'));
    await expect(worker.run('$PID')).rejects.toThrow(new Error('powershell-worker: cannot run powershell: spawn /nonexistent/pwsh ENOENT'));
    expect(worker.starts).toBe(2);
  });
});

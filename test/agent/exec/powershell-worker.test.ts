// The worker's handling of how bytes cross the pipe, against a child whose writes the test controls: the stand-in in
// ../helpers/powershell-stand-in.mjs writes each frame in pieces of a few bytes (splitting UTF-8 characters and the
// markers) with stderr lines between them, and its timeouts run on a manual clock to the exact tick. A real engine does
// neither deterministically; everything else runs against pwsh in powershell-worker-pwsh.test.ts.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createPowerShellWorker, type PowerShellWorker } from '../../../agent/src/exec/powershell-worker.js';
import { recordingLogger, type RecordingLogger } from '../helpers/recording-log.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { until } from '../helpers/until.js';

const STAND_IN = fileURLToPath(new URL('../helpers/powershell-stand-in.mjs', import.meta.url));
let worker: PowerShellWorker | undefined;
let log: RecordingLogger;
let clock: ManualClock;

function standIn(flags: string[] = []): PowerShellWorker {
  log = recordingLogger();
  clock = new ManualClock();
  worker = createPowerShellWorker({ log, command: process.execPath, args: [STAND_IN, ...flags], timers: clock, now: clock.now });
  return worker;
}

afterEach(() => worker?.stop());

describe('powershell worker: bytes on the pipe', () => {
  it('reassembles a result arriving in 3-byte pieces that split UTF-8 characters and the markers', async () => {
    const w = standIn(['--chunk-bytes', '3']);
    const text = 'ä€😀 Müller 東京 ✓ 🚀'.repeat(20);
    expect(await w.run(`'{"t":"${text}"}'`)).toEqual({ t: text });
    expect(await w.run(`'["${text}"]'`)).toEqual([text]);
    expect(w.starts).toBe(1);
  });

  it('reads a frame written in 7-byte pieces with a stderr line before each, and logs at most 20 stderr lines', async () => {
    const w = standIn(['--chunk-bytes', '7', '--stderr-noise']);
    const body = `{"ok":true,"text":"${'é✓'.repeat(30)}!"}`;
    // One stderr line before each 7-byte piece of the frame (two markers with a 32-digit nonce around the body). The
    // frame's last piece holds the end of its END marker, so every line is written before the worker can stop it.
    const frameBytes = Buffer.byteLength(`\n<<WP:${'0'.repeat(32)}:OK>>\n${body}\n<<WP:${'0'.repeat(32)}:END>>\n`);
    expect(frameBytes % 7).not.toBe(1);
    expect(await w.run(`'${body}'`)).toEqual(JSON.parse(body));
    w.stop();
    const notLogged = await until('the count of stderr lines not logged', () =>
      log.lines.find((l) => l.message === 'powershell-worker: stderr lines not logged'),
    );
    const logged = log.lines.filter((l) => l.message === 'powershell-worker: stderr').map((l) => l.fields.excerpt);
    expect(logged).toEqual(Array.from({ length: 20 }, (_, i) => `WARNING: noise before piece ${i * 7}`));
    expect(notLogged.fields.count).toBe(Math.ceil(frameBytes / 7) - 20);
  });

  it('times out on the exact tick of its clock, kills the process and runs the next request in a fresh one', async () => {
    const w = standIn();
    const before = await w.run<number>('$PID');
    const hung = w.run('Start-Sleep -Seconds 3600', { timeoutMs: 5_000 });
    const next = w.run<number>('$PID');
    const timedOut = expect(hung).rejects.toThrow(new Error('powershell-worker: timed out after 5000 ms'));
    await clock.advance(4_999);
    expect(w.starts).toBe(1);
    await clock.advance(1);
    await timedOut;
    expect(await next).not.toBe(before);
    expect(w.starts).toBe(2);
    await until('the hung process to be gone', () => !alive(before));
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

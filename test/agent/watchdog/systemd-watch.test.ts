// The loop watch by systemd: the pure decisions, then the real thing as far as it runs without systemd as PID 1: the
// real systemd-notify (systemd 252 on this machine) sends to a real AF_UNIX datagram socket (scripts/lib/notify-socket.ts:
// a python3 receiver that reads the sender's credentials and answers BARRIER=1 as systemd does), standing in for
// systemd's notification socket.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers/cli.js';
import { startNotifySocket, type NotifySocket } from '../../../scripts/lib/notify-socket.js';
import { until } from '../helpers/until.js';
import { recordingLogger } from '../helpers/recording-log.js';
import { pingPlan, serviceWatchdogMs, SERVICE_KILL_FILE } from '../../../agent/src/watchdog/systemd-watch.js';
import { startWatchdog, WATCHDOG_FILE, type Watchdog } from '../../../agent/src/watchdog/watchdog.js';
import { previousTrip } from '../../../agent/src/watchdog/report.js';
import { systemdUnit } from '../../../agent/src/service/systemd.js';

const dir = mkdtempSync(join(tmpdir(), 'wp-systemd-watch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sockets: NotifySocket[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.stop();
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

async function startReceiver(name: string): Promise<NotifySocket> {
  const socket = await startNotifySocket(join(dir, `${name}.sock`));
  sockets.push(socket);
  return socket;
}

describe('serviceWatchdogMs: whether systemd expects keep-alives from this process (sd_watchdog_enabled(3))', () => {
  const SOCKET = '/run/systemd/notify';
  it.each([
    ['not under systemd', {}, null],
    ['a unit without WatchdogSec=', { NOTIFY_SOCKET: SOCKET }, null],
    ['WatchdogSec=60s', { NOTIFY_SOCKET: SOCKET, WATCHDOG_USEC: '60000000' }, 60_000],
    ['WatchdogSec=60s, for this process', { NOTIFY_SOCKET: SOCKET, WATCHDOG_USEC: '60000000', WATCHDOG_PID: '4242' }, 60_000],
    ['inherited from a parent that systemd watches', { NOTIFY_SOCKET: SOCKET, WATCHDOG_USEC: '60000000', WATCHDOG_PID: '1' }, null],
    ['no socket to send to', { WATCHDOG_USEC: '60000000' }, null],
    ['a limit that is no number', { NOTIFY_SOCKET: SOCKET, WATCHDOG_USEC: 'soon' }, null],
    ['a zero limit', { NOTIFY_SOCKET: SOCKET, WATCHDOG_USEC: '0' }, null],
  ])('%s', (_what, env, expected) => {
    expect(serviceWatchdogMs(env, 4242)).toBe(expected);
  });
});

describe('pingPlan: four pings per limit, and the agent tells systemd its own limit', () => {
  it.each([
    ['the same limit as the unit', 60_000, { intervalMs: 15_000, first: ['WATCHDOG=1'], limitMs: 60_000 }],
    ['a shorter one (pings at its pace)', 20_000, { intervalMs: 5_000, first: ['WATCHDOG=1', 'WATCHDOG_USEC=20000000'], limitMs: 20_000 }],
    ['a longer one (pings at the unit pace)', 120_000, { intervalMs: 15_000, first: ['WATCHDOG=1', 'WATCHDOG_USEC=120000000'], limitMs: 120_000 }],
    ['off: ends systemd watch (pings at the unit pace)', 0, { intervalMs: 15_000, first: ['WATCHDOG=1', 'WATCHDOG_USEC=0'], limitMs: 0 }],
  ])('%s', (_what, loopStallMs, expected) => {
    expect(pingPlan(60_000, loopStallMs)).toEqual(expected);
  });
});

describe('the agent under a watching systemd: keep-alives through the real systemd-notify', () => {
  const saved = { NOTIFY_SOCKET: process.env.NOTIFY_SOCKET, WATCHDOG_USEC: process.env.WATCHDOG_USEC, WATCHDOG_PID: process.env.WATCHDOG_PID };
  let watchdog: Watchdog | undefined;
  afterEach(() => {
    watchdog?.stop();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  /** As systemd starts the agent: its notification socket and WatchdogSec=60s for this process. */
  const underSystemd = (socket: string) => Object.assign(process.env, { NOTIFY_SOCKET: socket, WATCHDOG_USEC: '60000000', WATCHDOG_PID: String(process.pid) });
  const start = (loopStallMs: number) => {
    const log = recordingLogger();
    const stateDir = mkdtempSync(join(dir, 'state-'));
    watchdog = startWatchdog({ stateDir, log, delivery: () => ({ connected: false, inFlight: 0, answers: 0 }), restart: () => {}, loopStallMs });
    return log;
  };

  it('pings from the event loop, the first with its own limit; no more once stopped', async () => {
    const receiver = await startReceiver('pings');
    underSystemd(receiver.path);
    const log = start(400); // a ping every 100 ms
    await until(
      'five keep-alives',
      () => receiver.pings().length >= 5,
      10_000,
      () => receiver.received,
    );
    const pings = receiver.pings();
    expect(pings[0]!.text).toBe('WATCHDOG=1\nWATCHDOG_USEC=400000');
    expect(pings.slice(1).map((p) => p.text)).toEqual(Array(pings.length - 1).fill('WATCHDOG=1'));
    // As root, systemd-notify sends in its parent's name, the agent's: systemd would take it even with NotifyAccess=main.
    if (process.getuid?.() === 0) expect(new Set(pings.map((p) => p.pid))).toEqual(new Set([process.pid]));
    expect(log.lines.find((l) => l.message === 'watchdog: started')?.fields).toMatchObject({ loopStall: '400 ms (systemd WatchdogSec)' });

    watchdog!.stop();
    await new Promise((r) => setTimeout(r, 600)); // a ping already started may still arrive
    const count = receiver.pings().length;
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.pings()).toHaveLength(count);
  }, 20_000);

  it('a failing systemd-notify is logged once, and its recovery', async () => {
    const missing = join(dir, 'later.sock');
    underSystemd(missing); // nothing listens yet: systemd-notify exits 1
    const log = start(400);
    await until('the failure logged', () => log.count(/^watchdog: systemd-notify failed/) > 0, 10_000);
    await new Promise((r) => setTimeout(r, 500)); // more failing pings
    expect(log.count(/^watchdog: systemd-notify failed/)).toBe(1);
    const receiver = await startReceiver('later');
    expect(receiver.path).toBe(missing);
    await until('a keep-alive once the socket is there', () => receiver.pings().length > 0, 10_000);
    await until('the recovery logged', () => log.count(/^watchdog: systemd-notify works again$/) === 1, 10_000);
  }, 20_000);
});

describe('a blocked event loop under systemd: the test does what systemd does', () => {
  it('the pings stop, no worker thread is there to kill it; after the kill, ExecStopPost and the next start report it', async () => {
    const receiver = await startReceiver('blocked');
    const stateDir = mkdtempSync(join(dir, 'state-'));
    const limitMs = 400;
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/agent/watchdog/systemd-child.ts', stateDir, String(limitMs)], {
      cwd: REPO,
      env: { ...process.env, NOTIFY_SOCKET: receiver.path, WATCHDOG_USEC: '60000000' }, // no WATCHDOG_PID: it is for any process
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));

    await until(
      'the child to block its loop',
      () => stdout.includes('block\n'),
      20_000,
      () => stdout,
    );
    const threads = JSON.parse(stdout.split('\n')[0]!) as { pid: number; before: string[]; after: string[] };
    expect(threads.after).toHaveLength(threads.before.length); // no worker thread
    expect(receiver.pings()[0]!.text).toBe(`WATCHDOG=1\nWATCHDOG_USEC=${limitMs * 1000}`);

    // systemd: no keep-alive for the limit is a watchdog timeout. The child is still there to be killed: nothing
    // inside it watched its loop (the worker thread of loop.ts kills within the limit and a poll).
    await until('the pings to stop for the limit', () => Date.now() - receiver.pings().at(-1)!.at > 3 * limitMs, 10_000);
    expect(existsSync(`/proc/${threads.pid}`)).toBe(true);
    child.kill('SIGKILL'); // WatchdogSignal=SIGKILL
    expect(await exited).toBe('SIGKILL');

    // ExecStopPost= of the unit, with the environment systemd gives it after a watchdog timeout.
    const stopPost = /^ExecStopPost=\/bin\/sh -c '(.*)'$/m.exec(systemdUnit({ executable: '/opt/wp/agent', stateDir }))![1]!.replace(/\$\$/g, '$');
    await new Promise<void>((resolve, reject) =>
      execFile('/bin/sh', ['-c', stopPost], { env: { SERVICE_RESULT: 'watchdog', WATCHPOST_STATE_DIR: stateDir } }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    expect(readdirSync(stateDir)).toEqual([SERVICE_KILL_FILE]);

    // The next start: the marker becomes the usual trip, reported like the worker's.
    const log = recordingLogger();
    const trip = previousTrip(stateDir, log, limitMs);
    expect(trip?.trip).toMatchObject({
      reason: 'stalled',
      rss_bytes: 0,
      detail: "no keep-alive from the event loop for 400 ms: systemd's watchdog killed the agent",
    });
    expect(Date.now() - Date.parse(trip!.trip.time)).toBeLessThan(60_000);
    expect(readdirSync(stateDir)).toEqual([WATCHDOG_FILE]);
    expect(JSON.parse(readFileSync(join(stateDir, WATCHDOG_FILE), 'utf8'))).toEqual(trip!.trip);
    expect(log.count(/^agent: restarted by its watchdog$/)).toBe(1);
  }, 40_000);
});

describe('without a watching systemd the worker thread watches, as before', () => {
  it('a child with NOTIFY_SOCKET but no WATCHDOG_USEC (a unit without WatchdogSec=) starts the worker and is killed by it', async () => {
    const stateDir = mkdtempSync(join(dir, 'state-'));
    mkdirSync(stateDir, { recursive: true });
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/agent/watchdog/systemd-child.ts', stateDir, '400'], {
      cwd: REPO,
      env: { ...process.env, NOTIFY_SOCKET: join(dir, 'unused.sock'), WATCHDOG_USEC: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
    const threads = JSON.parse(stdout.split('\n')[0]!) as { before: string[]; after: string[] };
    expect(threads.after).toHaveLength(threads.before.length + 1); // the worker thread
    expect(signal).toBe('SIGKILL');
    expect(JSON.parse(readFileSync(join(stateDir, WATCHDOG_FILE), 'utf8'))).toMatchObject({ reason: 'stalled' });
  }, 40_000);
});

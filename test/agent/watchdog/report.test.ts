// The previous run's watchdog.json on the next start: parsed, logged, sent as an agent_watchdog sample through the
// real agent pipeline to a real collector, removed only once that batch is acked, and ticketed there by the
// shipped agent_watchdog rule. Then `run` itself: an ack stall makes it exit 75 with watchdog.json written, and
// the next `run` reports it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent } from '../../../agent/src/agent.js';
import { SPOOL_DIR } from '../../../agent/src/delivery/pipeline.js';
import { createBatcher } from '../../../agent/src/delivery/batcher.js';
import { DiskSpool } from '../../../agent/src/delivery/spool/disk.js';
import { encodeBatch } from '../../../agent/src/delivery/encode.js';
import { Int, type SampleDraft } from '../../../agent/src/sample.js';
import { MemorySpool } from '../../../agent/src/delivery/spool/memory.js';
import { saveIdentity, type Identity } from '../../../agent/src/identity/state.js';
import { WATCHDOG_FILE, type WatchdogTrip } from '../../../agent/src/watchdog/watchdog.js';
import { parseTrip, previousTrip, watchdogSample } from '../../../agent/src/watchdog/report.js';
import { EXIT_RESTART } from '../../../agent/src/base/exit-codes.js';
import { wire } from '../../../proto/index.js';
import type { PointSink, WriteResult } from '../../../collector/src/influx/writer-contract.js';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { freePort } from '../../helpers/influxd.js';
import { cliEnv, runCli, spawnCli } from '../helpers/cli.js';
import { recordingLogger } from '../helpers/recording-log.js';
import { until } from '../helpers/until.js';

const TRIP: WatchdogTrip = {
  reason: 'memory',
  rss_bytes: 172_000_000,
  detail: 'RSS 172.0 MB above the 150.0 MB limit on 3 checks in a row',
  time: '2026-11-22T10:01:40.000Z',
};
const WAIT_MS = 20_000;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function stateDir(trip?: WatchdogTrip | string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wp-watchdog-report-'));
  dirs.push(dir);
  if (trip !== undefined) writeFileSync(join(dir, WATCHDOG_FILE), typeof trip === 'string' ? trip : JSON.stringify(trip));
  return dir;
}

describe('parseTrip', () => {
  it.each([
    ['a trip', JSON.stringify(TRIP), TRIP],
    [
      "the loop worker's",
      JSON.stringify({ reason: 'stalled', rss_bytes: 98869248, detail: 'event loop blocked for 60012 ms (limit 60000 ms)', time: '2026-11-22T05:29:12.915Z' }),
      { reason: 'stalled', rss_bytes: 98869248, detail: 'event loop blocked for 60012 ms (limit 60000 ms)', time: '2026-11-22T05:29:12.915Z' },
    ],
    ['half a file', '{"reason":"memo', { error: expect.stringMatching(/JSON/) }],
    ['null', 'null', { error: 'not an object' }],
    ['an unknown reason', JSON.stringify({ ...TRIP, reason: 'bored' }), { error: 'reason: expected one of memory, stalled, ack_stalled' }],
    ['a negative size', JSON.stringify({ ...TRIP, rss_bytes: -1 }), { error: 'rss_bytes: expected a number of bytes' }],
    ['no detail', JSON.stringify({ ...TRIP, detail: undefined }), { error: 'detail: expected text' }],
    ['a bad time', JSON.stringify({ ...TRIP, time: 'yesterday' }), { error: 'time: expected an ISO 8601 time' }],
  ])('%s', (_label, text, expected) => {
    expect(parseTrip(text)).toEqual(expected);
  });
});

describe('the agent_watchdog sample', () => {
  it("tag reason, integer rss_bytes, detail, a message for the ticket, at the trip's time", () => {
    const s = watchdogSample(TRIP);
    expect(s.fields.rss_bytes).toBeInstanceOf(Int);
    expect(JSON.parse(JSON.stringify(s))).toEqual({
      measurement: 'agent_watchdog',
      tags: { reason: 'memory' },
      fields: { rss_bytes: 172_000_000, detail: TRIP.detail, message: `agent restarted by its watchdog: memory (${TRIP.detail})` },
      time: Date.parse(TRIP.time),
    });
  });
});

describe('previousTrip', () => {
  it('none without watchdog.json', () => {
    expect(previousTrip(stateDir(), recordingLogger())).toBeNull();
  });

  it('a damaged file is logged and removed', () => {
    const dir = stateDir('{"reason":');
    const log = recordingLogger();
    expect(previousTrip(dir, log)).toBeNull();
    expect(log.count(/damaged watchdog\.json removed/)).toBe(1);
    expect(existsSync(join(dir, WATCHDOG_FILE))).toBe(false);
  });

  it("logs the restart; the file goes with the ack of the report's own batch, and not with a newer trip", () => {
    const dir = stateDir(TRIP);
    const file = join(dir, WATCHDOG_FILE);
    const log = recordingLogger();
    const found = previousTrip(dir, log)!;
    expect(found.trip).toEqual(TRIP);
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([
      { level: 'warn', message: 'agent: restarted by its watchdog', fields: { reason: 'memory', detail: TRIP.detail, at: TRIP.time } },
    ]);

    // The agent's wiring (agent.ts): the batcher's onBatch tells the report which seq each batch got.
    const spool = new MemorySpool({ firstSeq: 41 });
    let current = found;
    const batcher = createBatcher({
      onBatch: (samples) => {
        const seq = spool.nextSeq();
        current.batched(seq, samples);
        spool.append({ seq, bytes: encodeBatch(seq, samples), points: samples.length });
      },
    });
    const complete = (drafts: SampleDraft[]) => drafts.map((d) => ({ ...d, tags: { ...d.tags, host: 'h', tenant: 't' }, time: d.time ?? 0 }));
    batcher.add([{ measurement: 'cpu', tags: {}, fields: { usage_idle: 90 }, time: 1 }]); // pending before the report
    found.report(batcher, complete);
    batcher.add([{ measurement: 'cpu', tags: {}, fields: { usage_idle: 80 }, time: 2 }]);
    batcher.flush();
    const batches = spool.pending(0, 10).map((e) => wire.Envelope.decode(e.bytes).batch!);
    expect(batches.map((b) => [Number(b.seq), b.samples!.map((s) => s.measurement)])).toEqual([
      [41, ['cpu', 'agent_watchdog']],
      [42, ['cpu']],
    ]);

    found.acked(42);
    expect(existsSync(file)).toBe(true);
    const newer = { ...TRIP, reason: 'ack_stalled', time: '2026-11-22T11:00:00.000Z' };
    writeFileSync(file, JSON.stringify(newer)); // this run tripped too, before the old report was acked
    found.acked(41);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(newer);

    current = previousTrip(dir, recordingLogger())!;
    current.report(batcher, complete);
    current.acked(43);
    expect(existsSync(file)).toBe(false);
  });
});

describe('through the running agent to a real collector', () => {
  let collector: TestCollector;
  const sink = new RecordingSink();
  beforeAll(async () => {
    collector = await startCollector({ sink });
  });
  afterAll(async () => {
    await collector.close();
  });

  const watchdogLines = () => sink.lines.flat().filter((l) => l.startsWith('agent_watchdog,'));

  it('spooled at start, kept while unacked (across a restart), removed once acked, ticketed by the agent_watchdog rule', async () => {
    const trip = { ...TRIP, time: new Date(Date.now() - 60_000).toISOString() }; // the collector ignores points from the future
    const dir = stateDir(trip);
    const file = join(dir, WATCHDOG_FILE);
    const { agentId, credential } = collector.enroll('acme', hostname());
    const identity: Identity = { server: `http://127.0.0.1:${await freePort()}`, agentId, tenant: 'acme', credential, enrolledAt: new Date().toISOString() };
    const HOUR = 3_600_000;

    // No collector: the report waits in the disk spool, and so does the file.
    const offlineLog = recordingLogger();
    const offline = startAgent({ identity, stateDir: dir, log: offlineLog, everyMs: HOUR, probes: [] });
    expect(offline.status().spool.batches).toBe(1);
    await offline.stop();
    expect(offlineLog.count(/^agent: restarted by its watchdog$/)).toBe(1);
    expect(existsSync(file)).toBe(true);
    const spooled = DiskSpool.open(join(dir, SPOOL_DIR), { log: recordingLogger() });
    const [entry] = spooled.pending(0, 10);
    spooled.close();
    const sample = wire.Envelope.decode(entry!.bytes).batch!.samples![0]!;
    expect([sample.measurement, Number(sample.timeMs), sample.tags!.map((t) => `${t.key}=${t.value}`).sort()]).toEqual([
      'agent_watchdog',
      Date.parse(trip.time),
      ['host=' + sample.tags!.find((t) => t.key === 'host')!.value, 'reason=memory', 'tenant=acme'],
    ]);

    // With the collector: both copies (the spooled one and this start's) arrive as the same point; the file goes.
    const online = startAgent({ identity: { ...identity, server: collector.baseUrl }, stateDir: dir, log: recordingLogger(), everyMs: HOUR, probes: [] });
    try {
      await until(
        'watchdog.json removed after the ack',
        () => !existsSync(file),
        WAIT_MS,
        () => online.status(),
      );
      expect(online.status().counters.pointsAcked).toBe(2);
    } finally {
      await online.stop();
    }
    const lines = watchdogLines();
    expect(new Set(lines).size).toBe(1);
    expect(lines[0]).toBe(
      `agent_watchdog,host=${hostname()},reason=memory,tenant=acme rss_bytes=172000000i,detail="${TRIP.detail}",` +
        `message="agent restarted by its watchdog: memory (${TRIP.detail})" ${Date.parse(trip.time)}`,
    );

    const tickets = collector.store.tickets.list({}).filter((t) => t.ruleId === 'agent_watchdog');
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ tenant: 'acme', status: 'open', priority: 'P4', impact: 'low' });
    expect(tickets[0]!.title).toMatch(/^Agent restarted by its watchdog on /);
    expect(tickets[0]!.summary).toBe(`agent_watchdog: agent restarted by its watchdog: memory (${TRIP.detail})`);
  }, 60_000);
});

/** Holds every write unanswered (a collector whose database hangs) until released. */
class HangingSink implements PointSink {
  private held: ((result: WriteResult) => void)[] = [];
  hanging = true;
  readonly inner = new RecordingSink();
  write(lines: string[]): Promise<WriteResult> {
    if (!this.hanging) return this.inner.write(lines);
    return new Promise((resolve) => this.held.push(resolve));
  }
  release(): void {
    this.hanging = false;
    for (const resolve of this.held.splice(0)) resolve({ ok: true });
  }
  status() {
    return this.inner.status();
  }
}

describe('watchpost-agent run and its watchdog', () => {
  let collector: TestCollector;
  const sink = new HangingSink();
  beforeAll(async () => {
    collector = await startCollector({ sink });
  });
  afterAll(async () => {
    sink.release();
    await collector.close();
  });

  it('a collector that stops answering: run exits 75 with watchdog.json; the next run reports it and removes it', async () => {
    const dir = stateDir();
    const { agentId, credential } = collector.enroll();
    saveIdentity(dir, { server: collector.baseUrl, agentId, tenant: 'acme', credential, enrolledAt: new Date().toISOString() });
    const env = cliEnv({ WATCHPOST_STATE_DIR: dir, WATCHPOST_ACK_STALL: '2s' });

    const tripped = await runCli(['run'], env);
    expect(tripped.code, tripped.stderr).toBe(EXIT_RESTART);
    expect(tripped.stderr).toMatch(
      / error watchdog: no answer from the collector for \d+ ms with \d+ batch(es)? in flight on an open session \(limit 2000 ms\); restarting the agent/,
    );
    expect(tripped.stderr).toContain('agent: stopping for a restart');
    const trip = JSON.parse(readFileSync(join(dir, WATCHDOG_FILE), 'utf8')) as WatchdogTrip;
    expect(trip.reason).toBe('ack_stalled');

    sink.release();
    const next = spawnCli(['run'], cliEnv({ WATCHPOST_STATE_DIR: dir }));
    try {
      await until('the report acked and watchdog.json removed', () => !existsSync(join(dir, WATCHDOG_FILE)), WAIT_MS);
    } finally {
      next.kill('SIGTERM');
    }
    const stopped = await next.result;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toMatch(/ warn agent: restarted by its watchdog reason=ack_stalled /);
    expect(
      sink.inner.lines
        .flat()
        .filter((l) => l.startsWith('agent_watchdog,'))
        .map((l) => l.split(' ')[0]!.replace(/host=[^,]+,/, '')),
    ).toContain('agent_watchdog,reason=ack_stalled,tenant=acme');
  }, 60_000);

  it.each([
    [['--max-rss', '150M'], {}, /--max-rss: invalid size "150M"/],
    [['--max-rss', '10MB'], {}, /--max-rss must be at least 64MiB, got "10MB"/],
    [[], { WATCHPOST_MAX_RSS: 'lots' }, /WATCHPOST_MAX_RSS: invalid size "lots"/],
    [[], { WATCHPOST_ACK_STALL: '10' }, /WATCHPOST_ACK_STALL: invalid duration "10"/],
    [[], { WATCHPOST_LOOP_STALL: 'soon' }, /WATCHPOST_LOOP_STALL: invalid duration "soon"/],
  ])('run %j %j exits 2 naming the flag or variable', async (args, extra, message) => {
    const r = await runCli(['run', ...args], cliEnv({ WATCHPOST_STATE_DIR: stateDir(), ...extra }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('valid limits pass on to the enrollment check', async () => {
    const r = await runCli(['run', '--max-rss', '200MB'], cliEnv({ WATCHPOST_STATE_DIR: stateDir(), WATCHPOST_ACK_STALL: 'off', WATCHPOST_LOOP_STALL: '2m' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not enrolled');
  });
});

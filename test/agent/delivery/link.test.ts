// The agent's link against a real collector app (fastify + WebSocket + SQLite on a loopback port): real sockets,
// no mocked ws. The link's own timers (reconnect backoff, resend pause, silence) run on a ManualClock, so time
// only moves when a test says so; socket events are awaited with bounded polling (`until`).
import { describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { Link, equalJitterBackoff, websocketUrl, type LinkOptions } from '../../../agent/src/delivery/link.js';
import { MemorySpool } from '../../../agent/src/delivery/spool/memory.js';
import { encodeBatch } from '../../../agent/src/delivery/encode.js';
import { int, type Sample } from '../../../agent/src/sample.js';
import { buildApp } from '../../../collector/src/app.js';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { recordingLogger, type RecordingLogger } from '../helpers/recording-log.js';
import { until } from '../helpers/until.js';
import { cleanupsAfterEach } from '../../helpers/cleanups.js';

/** The link's resend pause after Error{UNAVAILABLE} (UNAVAILABLE_RETRY_MS in link.ts). */
const UNAVAILABLE_RETRY_MS = 5_000;

const cleanups = cleanupsAfterEach();

interface Rig {
  collector: TestCollector;
  sink: RecordingSink;
  spool: MemorySpool;
  clock: ManualClock;
  log: RecordingLogger;
  link: Link;
  acked: number[];
  agentId: string;
  /** Appends a batch of `points` samples whose field `seq` carries the batch's seq, so the sink shows what arrived. */
  append(points?: number): number;
}

async function rig(options: Partial<LinkOptions> = {}): Promise<Rig> {
  const sink = new RecordingSink();
  const collector = await startCollector({ sink });
  cleanups.push(() => collector.close());
  const { agentId, credential } = collector.enroll();
  const spool = new MemorySpool();
  const clock = new ManualClock();
  const log = recordingLogger();
  const acked: number[] = [];
  const link = new Link({
    server: collector.baseUrl,
    credential,
    spool,
    log,
    timers: clock,
    now: clock.now,
    random: () => 0, // the shortest backoff: delay/2
    onAck: (seq) => acked.push(seq),
    ...options,
  });
  cleanups.push(() => link.stop());
  const append = (points = 2): number => {
    const seq = spool.nextSeq();
    const samples: Sample[] = Array.from({ length: points }, (_, i) => ({
      measurement: 'custom_link_test', // the agents' own namespace: any field types the test needs
      tags: { cpu: `cpu${i}` },
      fields: { seq: int(seq), usage_idle: 90.5 },
      time: clock.now() + i,
    }));
    spool.append({ seq, bytes: encodeBatch(seq, samples), points });
    return seq;
  };
  return { collector, sink, spool, clock, log, link, acked, agentId, append };
}

/** The seq of every batch the sink stored, in write order (one entry per line). */
const storedSeqs = (sink: RecordingSink): number[] => sink.lines.flat().map((line) => Number(/\bseq=(\d+)i/.exec(line)?.[1] ?? NaN));

/** One entry per stored batch: lines of a batch arrive in one write. */
const storedBatches = (sink: RecordingSink): number[] => sink.lines.map((lines) => Number(/\bseq=(\d+)i/.exec(lines[0] ?? '')?.[1] ?? NaN));

/** Waits for `check`, showing the link's state (or the log) if it never holds. */
const linkUntil = (r: Rig, what: string, check: () => boolean) => until(what, check, undefined, () => r.link.state);
const logUntil = (r: Rig, what: string, check: () => boolean) => until(what, check, undefined, () => r.log.lines);
const connected = (r: Rig) => linkUntil(r, 'the link to be connected', () => r.link.state.connected);
const drained = (r: Rig) =>
  until(
    'the spool to drain',
    () => r.spool.stats().batches === 0,
    undefined,
    () => ({ spool: r.spool.stats(), link: r.link.state }),
  );

describe('websocketUrl', () => {
  it.each([
    ['http://collector.example.net:8080', 'ws://collector.example.net:8080/agent/v1'],
    ['https://collector.example.net', 'wss://collector.example.net/agent/v1'],
    ['https://collector.example.net/', 'wss://collector.example.net/agent/v1'],
    ['http://127.0.0.1:9000/watchpost/', 'ws://127.0.0.1:9000/watchpost/agent/v1'],
  ])('%s -> %s', (server, url) => {
    expect(websocketUrl(server)).toBe(url);
  });

  it.each(['ws://collector.example.net', 'ftp://collector.example.net', 'file:///etc/passwd'])('refuses %s', (server) => {
    expect(() => websocketUrl(server)).toThrow(`server URL must be http(s)://, got ${server}`);
  });

  it('refuses something that is not a URL', () => {
    expect(() => websocketUrl('collector:8080:x')).toThrow();
  });
});

describe('equalJitterBackoff', () => {
  // [attempt, base delay d]: the delay doubles from 1 s and is capped at 60 s; jitter picks within [d/2, d].
  const table: [number, number][] = [
    [0, 1_000],
    [1, 2_000],
    [2, 4_000],
    [3, 8_000],
    [4, 16_000],
    [5, 32_000],
    [6, 60_000],
    [7, 60_000],
    [20, 60_000],
    [1_000, 60_000],
  ];
  it.each(table)('attempt %i: within [d/2, d] for d = %i ms', (attempt, d) => {
    expect(equalJitterBackoff(attempt, () => 0)).toBe(d / 2);
    expect(equalJitterBackoff(attempt, () => 0.5)).toBe((3 * d) / 4);
    expect(equalJitterBackoff(attempt, () => 0.999999)).toBeLessThanOrEqual(d);
    expect(equalJitterBackoff(attempt, () => 0.999999)).toBeGreaterThan((3 * d) / 4);
  });

  it('spreads over the whole window with a real random source', () => {
    const delays = Array.from({ length: 200 }, () => equalJitterBackoff(3, Math.random));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(4_000);
      expect(d).toBeLessThanOrEqual(8_000);
    }
    expect(new Set(delays).size).toBeGreaterThan(50);
  });
});

describe('Link against a real collector', () => {
  it('connects with its credential, says Hello and gets Welcome', async () => {
    const r = await rig();
    r.link.start();
    await connected(r);
    expect(r.link.state).toMatchObject({ connected: true, lastConnectedAt: r.clock.now(), lastError: null, reconnectAttempt: 0, nextRetryAt: null });
    expect(r.collector.hub.sessions.has(r.agentId)).toBe(true);
    // the Hello's hostname reached the collector's agent record (as reported: the enrolled name stays bound)
    expect(r.collector.store.agents.get(r.agentId)?.reportedHostname).toBe(hostname());
    expect(r.log.lines.find((l) => l.message === 'link: connected')?.fields).toMatchObject({ agentId: r.agentId, tenant: 'acme' });
  });

  it('sends what was spooled before it connected, in seq order, and drops each batch on its ack', async () => {
    const r = await rig();
    const seqs = Array.from({ length: 10 }, () => r.append(3)); // more than the in-flight window
    r.link.start();
    await drained(r);
    expect(storedBatches(r.sink)).toEqual(seqs);
    expect(storedSeqs(r.sink)).toHaveLength(30);
    expect(r.acked).toEqual(seqs);
    expect(r.link.state.pointsAcked).toBe(30);
    expect(r.link.state.lastAckAt).toBe(r.clock.now());
    expect(r.spool.stats()).toMatchObject({ batches: 0, bytes: 0, droppedBatches: 0 });
  });

  it('sends batches appended while connected when kicked', async () => {
    const r = await rig();
    r.link.start();
    await connected(r);
    const first = r.append();
    const second = r.append();
    r.link.kick();
    await drained(r);
    const third = r.append();
    r.link.kick();
    await drained(r);
    expect(storedBatches(r.sink)).toEqual([first, second, third]);
    expect(r.link.state.pointsAcked).toBe(6);
  });

  it('keeps batches while the collector cannot store them, and resends them after the pause once it can', async () => {
    const r = await rig();
    r.link.start();
    await connected(r);
    r.sink.result = { ok: false, retryable: true, reason: 'InfluxDB unreachable' };
    const seqs = [r.append(), r.append(), r.append()];
    r.link.kick();
    const refusals = () => r.log.count(/cannot store now: InfluxDB unreachable/);
    await logUntil(r, 'three UNAVAILABLE answers', () => refusals() === 3);
    expect(r.spool.stats().batches).toBe(3);
    expect(r.acked).toEqual([]);
    expect(r.link.state.pointsAcked).toBe(0);

    // still down: the first resend (after the pause) is refused again and the batches stay
    await r.clock.advance(UNAVAILABLE_RETRY_MS);
    await logUntil(r, 'the resent batches to be refused again', () => refusals() === 6);
    expect(r.spool.stats().batches).toBe(3);

    // InfluxDB is back, but nothing is resent before the pause has passed
    r.sink.result = { ok: true };
    r.link.kick();
    await r.clock.advance(UNAVAILABLE_RETRY_MS - 1);
    expect(r.sink.lines).toEqual([]);
    expect(r.spool.stats().batches).toBe(3);
    await r.clock.advance(1);
    await drained(r);
    expect(storedBatches(r.sink)).toEqual(seqs);
    expect(r.acked).toEqual(seqs);
    expect(r.link.state).toMatchObject({ connected: true, pointsAcked: 6 });
  });

  it('shows what the collector said as the last error while it cannot store, and clears it at the next ack', async () => {
    const r = await rig();
    r.link.start();
    await connected(r);
    r.sink.result = { ok: false, retryable: true, reason: 'InfluxDB unreachable' };
    r.append();
    r.link.kick();
    await logUntil(r, 'the UNAVAILABLE answer', () => r.log.count(/cannot store now/) === 1);
    expect(r.link.state).toMatchObject({ connected: true, lastError: 'collector: cannot store now: InfluxDB unreachable' });
    // still down at the resend: still said
    await r.clock.advance(UNAVAILABLE_RETRY_MS);
    await logUntil(r, 'the second UNAVAILABLE answer', () => r.log.count(/cannot store now/) === 2);
    expect(r.link.state.lastError).toBe('collector: cannot store now: InfluxDB unreachable');
    r.sink.result = { ok: true };
    await r.clock.advance(UNAVAILABLE_RETRY_MS);
    await drained(r);
    expect(r.link.state).toMatchObject({ connected: true, lastError: null, pointsAcked: 2 });
  });

  it('counts a batch that InfluxDB refused for good as rejected, not acked, and lets it go', async () => {
    const r = await rig();
    r.link.start();
    await connected(r);
    r.sink.result = { ok: false, retryable: false, reason: 'field type conflict' };
    r.append(4);
    r.link.kick();
    await drained(r);
    r.sink.result = { ok: true };
    r.append(2);
    r.link.kick();
    await drained(r);
    expect(r.link.state).toMatchObject({ pointsRejected: 4, pointsAcked: 2 });
  });

  it('reports a lost collector, retries with backoff, and replays unacked batches in order to a collector on the same port', async () => {
    const r = await rig();
    r.link.start();
    await connected(r);
    const port = Number(new URL(r.collector.baseUrl).port);

    // an unacked batch (InfluxDB down) when the collector goes away
    r.sink.result = { ok: false, retryable: true, reason: 'InfluxDB unreachable' };
    const unacked = r.append();
    r.link.kick();
    await logUntil(r, 'the batch to be refused', () => r.log.count(/cannot store now/) === 1);
    await r.collector.app.close();
    await linkUntil(r, 'the link to notice', () => !r.link.state.connected);
    expect(r.link.state.lastError).toMatch(/closed by collector: 1001 collector shutting down/);
    expect(r.link.state.nextRetryAt).toBe(r.clock.now() + equalJitterBackoff(0, () => 0));
    expect(r.link.state.reconnectAttempt).toBe(1);

    // nobody listens: the retry fails and the next one is further away
    await r.clock.advance(r.link.state.nextRetryAt! - r.clock.now());
    await linkUntil(r, 'the failed retry', () => r.link.state.reconnectAttempt === 2);
    expect(r.link.state.connected).toBe(false);
    expect(r.link.state.lastError).toMatch(/ECONNREFUSED/);
    expect(r.link.state.nextRetryAt).toBe(r.clock.now() + equalJitterBackoff(1, () => 0));

    // appended while disconnected
    const later = [r.append(), r.append()];

    // a collector listens again on the same port, with the same store (so the credential is still valid)
    const sink2 = new RecordingSink();
    const again = await buildApp({ config: r.collector.config, store: r.collector.store, sink: sink2 });
    await again.app.listen({ host: '127.0.0.1', port });
    cleanups.push(() => again.app.close());

    await r.clock.advance(r.link.state.nextRetryAt! - r.clock.now());
    await connected(r);
    await drained(r);
    expect(storedBatches(sink2)).toEqual([unacked, ...later]);
    expect(r.acked).toEqual([unacked, ...later]);
    expect(r.link.state).toMatchObject({ connected: true, lastError: null, reconnectAttempt: 0, nextRetryAt: null });
  });

  it('says the credential was refused when the agent was revoked', async () => {
    const r = await rig();
    r.collector.store.agents.revoke(r.agentId);
    r.link.start();
    await linkUntil(r, 'a refused upgrade', () => r.link.state.nextRetryAt !== null);
    expect(r.link.state.connected).toBe(false);
    expect(r.link.state.lastError).toMatch(/credential refused/);
    expect(r.link.state.lastError).toMatch(/enroll again/);
    // it keeps trying (an operator may un-revoke by re-enrolling on the collector side), and keeps saying why
    await r.clock.advance(r.link.state.nextRetryAt! - r.clock.now());
    await linkUntil(r, 'the second refusal', () => r.link.state.reconnectAttempt === 2);
    expect(r.link.state.lastError).toMatch(/credential refused/);
  });

  it('gives up on a connection where the collector stays silent, and reconnects', async () => {
    const r = await rig();
    r.link.start();
    await connected(r);
    // the collector's heartbeat is 30 s (its pings run on the real clock and do not come within this test);
    // after 2.5 heartbeats without a frame or ping the link drops the connection
    await r.clock.advance(74_999);
    expect(r.link.state.connected).toBe(true);
    await r.clock.advance(1);
    await linkUntil(r, 'the link to drop the silent connection', () => !r.link.state.connected);
    expect(r.log.count(/collector silent/)).toBe(1);
    await r.clock.advance(r.link.state.nextRetryAt! - r.clock.now());
    await connected(r);
  });

  it('stops cleanly: closes the connection, does not reconnect and leaves no timer behind', async () => {
    const r = await rig();
    r.link.start();
    await connected(r);
    await r.link.stop();
    expect(r.link.state.connected).toBe(false);
    expect(r.clock.timerCount).toBe(0);
    await until('the collector to forget the session', () => !r.collector.hub.sessions.has(r.agentId));
  });
});

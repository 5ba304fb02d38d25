// What the link counts and how fast it drains, against a stand-in collector (../helpers/stand-in-collector.ts) on a
// real WebSocket: answers the real collector gives only under conditions a test cannot set up on demand (an Ack
// carrying `rejected`, an older collector's Error{BAD_BATCH} before its Ack, acks held until a flush every second).
// The link's timers and the stand-in's flush run on one ManualClock; socket traffic is awaited with bounded polls.
import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { Link } from '../../../agent/src/delivery/link.js';
import { BASE_WINDOW, MAX_WINDOW } from '../../../agent/src/delivery/send-window.js';
import { MemorySpool } from '../../../agent/src/delivery/spool/memory.js';
import { encodeBatch } from '../../../agent/src/delivery/encode.js';
import { int, type Sample } from '../../../agent/src/sample.js';
import { wire } from '../../../proto/index.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { recordingLogger, type RecordingLogger } from '../helpers/recording-log.js';
import { startStandIn, type Answer, type StandInCollector } from '../helpers/stand-in-collector.js';
import { until } from '../helpers/until.js';
import { cleanupsAfterEach } from '../../helpers/cleanups.js';

const QUIET_WAIT_MS = 5_000;

const cleanups = cleanupsAfterEach();

interface Rig {
  clock: ManualClock;
  collector: StandInCollector;
  spool: MemorySpool;
  link: Link;
  log: RecordingLogger;
  /** Appends a batch of `points` samples and returns its seq. */
  append(points?: number): number;
  /** Batches in the spool that the link has not sent (waiting for room in its window). */
  waiting(): number;
  /** Resolves once nothing is on the wire: every batch in flight reached the stand-in, every answer reached the link. */
  quiet(): Promise<void>;
}

async function rig(options: { flushEveryMs?: number; answer?: Answer } = {}): Promise<Rig> {
  const clock = new ManualClock();
  const collector = await startStandIn({ clock, ...options });
  cleanups.push(() => collector.close());
  const spool = new MemorySpool();
  const log = recordingLogger();
  const link = new Link({ server: collector.baseUrl, credential: 'wpa_stand-in.secret', spool, log, timers: clock, now: clock.now, random: () => 0 });
  cleanups.push(() => link.stop());
  const append = (points = 10): number => {
    const seq = spool.nextSeq();
    const samples: Sample[] = Array.from({ length: points }, (_, i) => ({
      measurement: 'cpu',
      tags: { cpu: `cpu${i}` },
      fields: { seq: int(seq) },
      time: clock.now() + i,
    }));
    spool.append({ seq, bytes: encodeBatch(seq, samples), points });
    return seq;
  };
  const quiet = async () => {
    const deadline = Date.now() + QUIET_WAIT_MS;
    for (;;) {
      const progress = link.deliveryProgress();
      if (progress.answers === collector.answered && progress.inFlight === collector.held.length) return;
      if (Date.now() > deadline)
        throw new Error(`the wire did not go quiet: link ${JSON.stringify(progress)}, stand-in answered ${collector.answered}, held ${collector.held.length}`);
      await sleep(1);
    }
  };
  const waiting = () => spool.stats().batches - link.deliveryProgress().inFlight;
  return { clock, collector, spool, link, log, append, waiting, quiet };
}

const connected = (r: Rig) =>
  until(
    'the link to be connected',
    () => r.link.state.connected,
    undefined,
    () => r.link.state,
  );
const ack = (seq: number, rejected = 0, reason = '') => ({ ack: { seq, rejected, reason } });
const badBatch = (seq: number, message: string) => ({ error: { code: wire.ErrorCode.ERROR_CODE_BAD_BATCH, message, seq } });

describe('samples the collector refuses for good', () => {
  it('an Ack with `rejected` counts those points as rejected and the rest as acked, and shows the refusal', async () => {
    const r = await rig({ answer: (seq) => [seq === 1 ? ack(seq, 3, 'measurement "x" is outside the agent namespace') : ack(seq)] });
    r.link.start();
    await connected(r);
    const refused = r.append(10);
    r.link.kick();
    await until('the first ack', () => r.spool.stats().batches === 0);
    expect(r.link.state).toMatchObject({ pointsAcked: 7, pointsRejected: 3, lastError: null });
    expect(r.link.state.lastRejection).toEqual({ at: r.clock.now(), seq: refused, points: 3, reason: 'measurement "x" is outside the agent namespace' });
    r.append(5);
    r.link.kick();
    await until('the second ack', () => r.spool.stats().batches === 0);
    expect(r.link.state).toMatchObject({ pointsAcked: 12, pointsRejected: 3 });
    expect(r.link.state.lastRejection?.seq).toBe(refused); // the last refusal stays until the next one
  });

  it('never counts more rejected points than the batch holds', async () => {
    const r = await rig({ answer: (seq) => [ack(seq, 1_000, 'over the series budget')] });
    r.link.start();
    await connected(r);
    r.append(4);
    r.link.kick();
    await until('the ack', () => r.spool.stats().batches === 0);
    expect(r.link.state).toMatchObject({ pointsAcked: 0, pointsRejected: 4, lastRejection: expect.objectContaining({ points: 4 }) });
  });

  it('an older collector (Error BAD_BATCH, then a bare Ack) still counts the whole batch as rejected', async () => {
    const r = await rig({ answer: (seq) => [badBatch(seq, 'points refused: field type conflict'), ack(seq)] });
    r.link.start();
    await connected(r);
    const seq = r.append(6);
    r.link.kick();
    await until('the ack', () => r.spool.stats().batches === 0);
    expect(r.link.state).toMatchObject({ pointsAcked: 0, pointsRejected: 6 });
    expect(r.link.state.lastRejection).toEqual({ at: r.clock.now(), seq, points: 6, reason: 'points refused: field type conflict' });
  });

  it('a collector that sends both (BAD_BATCH for older agents, then Ack with `rejected`) is counted once, by the Ack', async () => {
    const r = await rig({ answer: (seq) => [badBatch(seq, 'points refused: 4 of 10'), ack(seq, 4, 'field type conflict')] });
    r.link.start();
    await connected(r);
    r.append(10);
    r.link.kick();
    await until('the ack', () => r.spool.stats().batches === 0);
    expect(r.link.state).toMatchObject({
      pointsAcked: 6,
      pointsRejected: 4,
      lastRejection: expect.objectContaining({ points: 4, reason: 'field type conflict' }),
    });
  });

  it('a BAD_BATCH whose Ack was lost with the connection is counted once, when the replayed batch is acked', async () => {
    let attempts = 0;
    const r = await rig({ answer: (seq) => (attempts++ === 0 ? [badBatch(seq, 'points refused')] : [badBatch(seq, 'points refused'), ack(seq)]) });
    r.link.start();
    await connected(r);
    r.append(5);
    r.link.kick();
    await until(
      'the BAD_BATCH',
      () => r.log.count(/collector error: points refused/) === 1,
      undefined,
      () => r.log.lines,
    );
    r.collector.disconnect();
    await until(
      'the link to notice',
      () => !r.link.state.connected,
      undefined,
      () => r.link.state,
    );
    await r.clock.advance(r.link.state.nextRetryAt! - r.clock.now());
    await until(
      'the replay to be acked',
      () => r.spool.stats().batches === 0,
      undefined,
      () => r.link.state,
    );
    expect(r.collector.received).toEqual([1, 1]);
    expect(r.link.state).toMatchObject({ pointsAcked: 0, pointsRejected: 5 });
  });
});

describe("draining a backlog when acks come only at the collector's flush (every second)", () => {
  it('drains faster than an agent producing 5 batches a second: what waits for the window falls to zero', async () => {
    const r = await rig({ flushEveryMs: 1_000 });
    for (let i = 0; i < 60; i++) r.append(); // the backlog an outage left behind
    r.link.start();
    await connected(r);
    await r.quiet();
    const waitingAfterFlush: number[] = [];
    for (let second = 0; second < 30; second++) {
      for (let i = 0; i < 5; i++) {
        r.append(); // a probe run every 200 ms: ten probes at --every 2s
        r.link.kick();
        await r.quiet();
        await r.clock.advance(200); // the flush falls on each whole second
        await r.quiet();
      }
      waitingAfterFlush.push(r.waiting());
    }
    expect(waitingAfterFlush.slice(-10), `batches waiting after each flush: ${waitingAfterFlush.join(' ')}`).toEqual(Array(10).fill(0));
    expect(r.collector.maxHeld).toBeLessThanOrEqual(MAX_WINDOW);
    expect(r.collector.overLimit).toEqual([]);
    // production stops: what is left is acked at the next flush
    await r.clock.advance(1_000);
    await r.quiet();
    expect(r.spool.stats().batches).toBe(0);
    expect(r.link.state.pointsAcked).toBe((60 + 150) * 10);
  });

  it('keeps the small window when there is no backlog, also after a drain widened it', async () => {
    const r = await rig({ flushEveryMs: 1_000 });
    r.link.start();
    await connected(r);
    // a burst of batches on a link without backlog: the small window, the rest after the next flush
    for (let i = 0; i < 10; i++) r.append();
    r.link.kick();
    await r.quiet();
    expect(r.collector.held).toHaveLength(BASE_WINDOW);
    // a backlog widens the window ...
    for (let i = 0; i < 60; i++) r.append();
    r.link.kick();
    for (let second = 0; second < 15 && r.spool.stats().batches > 0; second++) {
      await r.clock.advance(1_000);
      await r.quiet();
    }
    expect(r.spool.stats().batches).toBe(0);
    expect(r.collector.maxHeld).toBeGreaterThan(BASE_WINDOW);
    // ... and once it is drained, the next burst gets the small window again
    for (let i = 0; i < 10; i++) r.append();
    r.link.kick();
    await r.quiet();
    expect(r.collector.held).toHaveLength(BASE_WINDOW);
  });

  it("paces a backlog inside the collector's per-agent frame limits when acks come at once", async () => {
    const r = await rig({ answer: (seq) => [ack(seq)] });
    for (let i = 0; i < 400; i++) r.append();
    r.link.start();
    await connected(r);
    for (let step = 0; step < 600 && r.spool.stats().batches > 0; step++) {
      await r.quiet();
      await r.clock.advance(100);
    }
    await r.quiet();
    expect(r.spool.stats().batches).toBe(0);
    expect(r.collector.overLimit).toEqual([]);
  });
});

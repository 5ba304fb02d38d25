// The link's send window and pace as plain bookkeeping over a clock that moves only when a test says so.
import { describe, expect, it } from 'vitest';
import {
  BASE_WINDOW,
  MAX_IN_FLIGHT_BYTES,
  MAX_WINDOW,
  PACE_BYTE_BURST,
  PACE_BYTES_PER_SECOND,
  PACE_FRAME_BURST,
  PACE_FRAMES_PER_SECOND,
  SendWindow,
} from '../../../agent/src/delivery/send-window.js';

const KIB = 1024;

function windowAt(start = 0) {
  const clock = { t: start };
  const window = new SendWindow(() => clock.t);
  let seq = 0;
  /** Sends batches of `bytes` while admit() says now; returns how many went. */
  const fill = (bytes = KIB): number => {
    let sent = 0;
    while (window.admit(bytes) === 0) {
      window.sent(++seq, bytes);
      sent++;
    }
    return sent;
  };
  return { clock, window, fill, lastSeq: () => seq };
}

describe('SendWindow: batches in flight', () => {
  it('starts with the base window', () => {
    const w = windowAt();
    expect(w.fill()).toBe(BASE_WINDOW);
    expect(w.window.admit(KIB)).toBeNull();
    expect(w.window.full()).toBe(true);
  });

  it('widens by one for each ack that finds batches waiting, up to the maximum, and is back to the base once none wait', () => {
    const w = windowAt();
    w.fill();
    const limits: number[] = [];
    for (let i = 0; i < 20; i++) {
      w.window.acked(w.lastSeq() - BASE_WINDOW + 1 + i, 1_000); // a thousand batches still in the spool
      limits.push(w.window.limit);
      w.clock.t += 1_000; // keep the pace out of the way
      w.fill();
    }
    expect(limits.slice(0, 3)).toEqual([BASE_WINDOW + 1, BASE_WINDOW + 2, BASE_WINDOW + 3]);
    expect(Math.max(...limits)).toBe(MAX_WINDOW);
    expect(w.window.inFlight).toBe(MAX_WINDOW);
    // the spool holds only what is in flight: nothing waits
    w.window.acked(w.lastSeq(), w.window.inFlight - 1);
    expect(w.window.limit).toBe(BASE_WINDOW);
    expect(w.window.inFlight).toBe(MAX_WINDOW - 1);
    expect(w.window.admit(KIB)).toBeNull(); // more in flight than the base: nothing goes until answers free room
  });

  it('is back to the base after UNAVAILABLE and after a reconnect', () => {
    const w = windowAt();
    w.fill();
    for (let seq = 1; seq <= 3; seq++) w.window.acked(seq, 100);
    expect(w.window.limit).toBe(BASE_WINDOW + 3);
    w.window.refused(4);
    expect(w.window.limit).toBe(BASE_WINDOW);
    for (let seq = 5; seq <= 7; seq++) {
      w.window.sent(seq, KIB);
      w.window.acked(seq, 100);
    }
    expect(w.window.limit).toBe(BASE_WINDOW + 3);
    w.window.reset();
    expect(w.window).toMatchObject({ limit: BASE_WINDOW, inFlight: 0 });
  });

  it('bounds the bytes in flight, but always lets one batch go', () => {
    const w = windowAt();
    const big = MAX_IN_FLIGHT_BYTES / 2;
    expect(w.fill(big)).toBe(2);
    expect(w.window.admit(1)).toBeNull();
    w.window.acked(1, 100);
    w.clock.t += 10_000;
    expect(w.window.admit(big + 1)).toBeNull();
    expect(w.window.admit(big)).toBe(0);
    w.window.acked(2, 100);
    expect(w.window.admit(MAX_IN_FLIGHT_BYTES * 2)).toBe(0);
  });

  it('counts a batch resent while its first copy is unanswered once', () => {
    const w = windowAt();
    w.window.sent(1, MAX_IN_FLIGHT_BYTES / 2);
    w.window.sent(1, MAX_IN_FLIGHT_BYTES / 2);
    expect(w.window.inFlight).toBe(1);
    w.clock.t += 10_000; // keep the pace out of the way
    expect(w.window.admit(MAX_IN_FLIGHT_BYTES / 2)).toBe(0);
  });
});

describe('SendWindow: pace', () => {
  /** A window that never fills: every batch is acked at once with a backlog behind it. */
  const paced = () => {
    const w = windowAt(1_700_000_000_000);
    const send = (bytes: number): number | null => {
      const wait = w.window.admit(bytes);
      if (wait === 0) {
        w.window.sent(1, bytes);
        w.window.acked(1, 1_000);
      }
      return wait;
    };
    return { ...w, send };
  };

  it('lets a burst of frames go at once, then one per 1/rate seconds', () => {
    const p = paced();
    for (let i = 0; i < PACE_FRAME_BURST; i++) expect(p.send(KIB)).toBe(0);
    const gap = Math.ceil(1000 / PACE_FRAMES_PER_SECOND);
    expect(p.send(KIB)).toBe(gap);
    p.clock.t += gap - 1;
    expect(p.send(KIB)).toBeGreaterThan(0);
    p.clock.t += 1;
    expect(p.send(KIB)).toBe(0);
  });

  it('never exceeds the frames it allows over time: burst + rate x seconds', () => {
    const p = paced();
    let sent = 0;
    for (let ms = 0; ms <= 60_000; ms += 10) {
      while (p.send(KIB) === 0) sent++;
      expect(sent).toBeLessThanOrEqual(PACE_FRAME_BURST + Math.floor((ms * PACE_FRAMES_PER_SECOND) / 1000));
      p.clock.t += 10;
    }
    expect(sent).toBeGreaterThanOrEqual(PACE_FRAME_BURST + 60 * PACE_FRAMES_PER_SECOND - 1);
  });

  it('paces bytes: after the byte burst, a batch waits for its bytes to refill', () => {
    const p = paced();
    expect(p.send(PACE_BYTE_BURST)).toBe(0);
    expect(p.send(PACE_BYTES_PER_SECOND / 2)).toBe(500);
    p.clock.t += 500;
    expect(p.send(PACE_BYTES_PER_SECOND / 2)).toBe(0);
  });

  it('lets a batch above the byte burst go once the bucket is full, instead of never', () => {
    const p = paced();
    expect(p.send(PACE_BYTES_PER_SECOND / 2)).toBe(0);
    expect(p.send(PACE_BYTE_BURST * 3)).toBe(500);
    p.clock.t += 500;
    expect(p.send(PACE_BYTE_BURST * 3)).toBe(0);
  });
});

// The disk spool's record format as a table: what decodes, and what each kind of damage is reported as.
import { describe, expect, it } from 'vitest';
import {
  decodeAcks,
  decodeRecord,
  encodeAck,
  encodeRecord,
  HEADER_BYTES,
  parseSegmentName,
  scanSegment,
  segmentName,
  verifyRecord,
} from '../../../../agent/src/delivery/spool/codec.js';

const payload = Buffer.from('an encoded Envelope{batch}');
const record = (seq = 42, points = 3) => encodeRecord(seq, points, payload);
const flip = (buf: Buffer, at: number) => {
  const out = Buffer.from(buf);
  out[at]! ^= 0x01;
  return out;
};

describe('spool record codec', () => {
  it('round-trips seq, points and payload, including seqs past 2^32', () => {
    for (const seq of [1, 42, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
      const decoded = decodeRecord(encodeRecord(seq, 1000, payload), 0);
      expect(decoded).toEqual({ ok: true, record: { seq, points: 1000, offset: 0, length: payload.length } });
    }
  });

  it.each([
    ['a header cut short', record().subarray(0, HEADER_BYTES - 1), { ok: false, damage: 'truncated' }],
    ['a payload cut short', record().subarray(0, HEADER_BYTES + 5), { ok: false, damage: 'truncated', points: 3 }],
    ['a wrong magic', flip(record(), 0), { ok: false, damage: 'bad_magic' }],
    [
      'an absurd length',
      Buffer.concat([record().subarray(0, 4), Buffer.from([0xff, 0xff, 0xff, 0xff]), record().subarray(8)]),
      { ok: false, damage: 'bad_length' },
    ],
    ['a flipped payload bit', flip(record(), HEADER_BYTES + 3), { ok: false, damage: 'crc_mismatch', points: 3 }],
    ['a flipped seq bit', flip(record(), 15), { ok: false, damage: 'crc_mismatch', points: 3 }],
    ['a flipped points bit', flip(record(), 19), { ok: false, damage: 'crc_mismatch', points: 2 }],
  ])('reports %s', (_name, buf, want) => {
    expect(decodeRecord(buf, 0)).toEqual(want);
  });

  it('verifyRecord returns the payload only for an intact record of the expected seq', () => {
    expect(verifyRecord(record(7), 7)?.equals(payload)).toBe(true);
    expect(verifyRecord(record(7), 8)).toBeUndefined();
    expect(verifyRecord(flip(record(7), HEADER_BYTES), 7)).toBeUndefined();
  });

  it('scanSegment stops at the first damage and finds the intact records after it', () => {
    const good = [record(1, 1), record(2, 2), record(3, 3), record(4, 4)];
    const damaged = Buffer.concat([good[0]!, flip(good[1]!, HEADER_BYTES + 1), good[2]!, good[3]!.subarray(0, 30)]);
    const scan = scanSegment(damaged);
    expect(scan.records.map((r) => r.seq)).toEqual([1]);
    expect(scan.damagedAt).toBe(good[0]!.length);
    expect(scan.damage).toBe('crc_mismatch');
    // The flipped record (2 points, from its header), record 3 intact, and record 4's torn head is not a record.
    expect(scan.lost.records.map((r) => r.seq)).toEqual([3]);
    expect(scan.lost).toMatchObject({ unreadable: 1, points: 5 });
    expect(scanSegment(Buffer.concat(good))).toMatchObject({ damagedAt: null, lost: { unreadable: 0, points: 0 } });
  });

  it('ack sidecars ignore a torn last entry', () => {
    const buf = Buffer.concat([encodeAck(5), encodeAck(2 ** 40), Buffer.from([1, 2, 3])]);
    expect([...decodeAcks(buf)]).toEqual([5, 2 ** 40]);
  });

  it('segment names sort by id and parse back; other names do not parse', () => {
    expect(segmentName(12)).toBe('0000000012.seg');
    expect(parseSegmentName('0000000012.seg')).toBe(12);
    for (const name of ['0000000012.ack', '0000000012.seg.24.corrupt', '12.seg', 'seq']) expect(parseSegmentName(name)).toBeUndefined();
  });
});

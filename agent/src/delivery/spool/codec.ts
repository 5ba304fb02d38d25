// The disk spool's file formats, as pure functions over buffers (disk.ts does the I/O).
//
// Segment file `<id>.seg` (id: 10 decimal digits, increasing): records back to back, each
//   magic u32 | length u32 | seq u64 | points u32 | crc32 u32 | payload (length bytes), big-endian.
// The CRC covers length, seq, points and the payload, so a torn write or a flipped bit anywhere past the magic is
// caught, not only in the payload. Ack sidecar `<id>.ack`: the seqs of that segment's records that are settled
// (acked or dropped), u64 each, appended.
import { crc32 } from 'node:zlib';

export const RECORD_MAGIC = 0x57505331; // "WPS1"
export const HEADER_BYTES = 24;
/** Larger than any frame the link may send (4 MiB); a bigger length field is corruption, not a record. */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
const ACK_BYTES = 8;
const SEGMENT_NAME = /^(\d{10})\.seg$/;

export const segmentName = (id: number): string => `${String(id).padStart(10, '0')}.seg`;
export const ackName = (id: number): string => `${String(id).padStart(10, '0')}.ack`;
export function parseSegmentName(name: string): number | undefined {
  const m = SEGMENT_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

function checksum(header: Uint8Array, payload: Uint8Array): number {
  return crc32(payload, crc32(header.subarray(4, 20))) >>> 0;
}

export function encodeRecord(seq: number, points: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.byteLength);
  out.writeUInt32BE(RECORD_MAGIC, 0);
  out.writeUInt32BE(payload.byteLength, 4);
  out.writeBigUInt64BE(BigInt(seq), 8);
  out.writeUInt32BE(points, 16);
  out.set(payload, HEADER_BYTES);
  out.writeUInt32BE(checksum(out, payload), 20);
  return out;
}

export interface RecordInfo {
  seq: number;
  points: number;
  /** Where the record (header) starts in the segment, and its payload length. */
  offset: number;
  length: number;
}

export type Damage = 'truncated' | 'bad_magic' | 'bad_length' | 'crc_mismatch';
export type Decoded = { ok: true; record: RecordInfo } | { ok: false; damage: Damage; /** from the header, when it was readable */ points?: number };

/** Decodes the record at `offset` of a segment's bytes (offset < buf.length). */
export function decodeRecord(buf: Buffer, offset: number): Decoded {
  if (buf.length - offset < HEADER_BYTES) return { ok: false, damage: 'truncated' };
  if (buf.readUInt32BE(offset) !== RECORD_MAGIC) return { ok: false, damage: 'bad_magic' };
  const length = buf.readUInt32BE(offset + 4);
  const points = buf.readUInt32BE(offset + 16);
  if (length > MAX_PAYLOAD_BYTES) return { ok: false, damage: 'bad_length' };
  if (offset + HEADER_BYTES + length > buf.length) return { ok: false, damage: 'truncated', points };
  const header = buf.subarray(offset, offset + HEADER_BYTES);
  const payload = buf.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
  if (checksum(header, payload) !== buf.readUInt32BE(offset + 20)) return { ok: false, damage: 'crc_mismatch', points };
  return { ok: true, record: { seq: Number(buf.readBigUInt64BE(offset + 8)), points, offset, length } };
}

/** Checks one record read back on its own (header + payload): the payload if intact, else undefined. */
export function verifyRecord(buf: Buffer, seq: number): Buffer | undefined {
  const decoded = decodeRecord(buf, 0);
  if (!decoded.ok || decoded.record.seq !== seq || decoded.record.length !== buf.length - HEADER_BYTES) return undefined;
  return buf.subarray(HEADER_BYTES);
}

export interface SegmentScan {
  records: RecordInfo[];
  /** Where the first damage starts (everything from here on is unusable), or null if the segment is whole. */
  damagedAt: number | null;
  damage?: Damage;
  /** What the damaged tail held, as far as it can be told: the damaged record (points from its header if it was
   *  readable) plus every intact record found after it by looking for the next magic. */
  lost: { records: RecordInfo[]; unreadable: number; points: number };
}

/** Reads a segment's records in order; stops at the first damaged one (power loss leaves a torn tail). */
export function scanSegment(buf: Buffer): SegmentScan {
  const records: RecordInfo[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const decoded = decodeRecord(buf, offset);
    if (!decoded.ok) {
      const lost = resync(buf, offset + 1);
      lost.unreadable += 1;
      lost.points += decoded.points ?? 0;
      return { records, damagedAt: offset, damage: decoded.damage, lost };
    }
    records.push(decoded.record);
    offset += HEADER_BYTES + decoded.record.length;
  }
  return { records, damagedAt: null, lost: { records: [], unreadable: 0, points: 0 } };
}

function resync(buf: Buffer, from: number): SegmentScan['lost'] {
  const lost: SegmentScan['lost'] = { records: [], unreadable: 0, points: 0 };
  const magic = Buffer.alloc(4);
  magic.writeUInt32BE(RECORD_MAGIC);
  let at = buf.indexOf(magic, from);
  while (at !== -1) {
    const decoded = decodeRecord(buf, at);
    if (decoded.ok) {
      lost.records.push(decoded.record);
      lost.points += decoded.record.points;
      at = buf.indexOf(magic, at + HEADER_BYTES + decoded.record.length);
    } else {
      at = buf.indexOf(magic, at + 1);
    }
  }
  return lost;
}

export function encodeAck(seq: number): Buffer {
  const out = Buffer.allocUnsafe(ACK_BYTES);
  out.writeBigUInt64BE(BigInt(seq));
  return out;
}

/** The seqs in an ack sidecar; a torn last entry (a crash mid-write) is ignored. */
export function decodeAcks(buf: Buffer): Set<number> {
  const out = new Set<number>();
  for (let at = 0; at + ACK_BYTES <= buf.length; at += ACK_BYTES) out.add(Number(buf.readBigUInt64BE(at)));
  return out;
}

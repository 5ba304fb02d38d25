// The PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1 and 2) a TCP balancer puts in front of each
// connection it relays, so the collector learns the client's address instead of the balancer's. Pure: it judges the
// bytes received so far and says whether they are a complete header (and how long), a valid beginning that needs
// more bytes, or not a header at all; proxy-listener.ts does the socket side.
//
// Strict, as the specification asks of a receiver: anything that does not match exactly is invalid, judged as early
// as the bytes allow (a first byte that begins neither signature is refused at once). Accepted:
//  - v1 `PROXY TCP4|TCP6 <src> <dst> <srcport> <dstport>\r\n`: addresses of the announced family (IPv4 without
//    leading zeros, IPv6 without a zone, given back in the form Node shows a peer), ports 0-65535 without leading
//    zeros, at most V1_MAX_BYTES with the CRLF;
//  - v1 `PROXY UNKNOWN[ <anything>]\r\n`: the sender could not say; the connection's own address stays;
//  - v2 PROXY over TCP/IPv4 or TCP/IPv6: the source address; TLVs after the addresses are skipped once their
//    framing is checked (a CRC32C one is not verified); the whole block is bounded by V2_MAX_BLOCK_BYTES;
//  - v2 LOCAL (a balancer's own health check, HAProxy's check-send-proxy): the connection's own address stays and
//    the address block, whatever its family, is skipped;
//  - v2 PROXY for another valid family or transport (UNSPEC, UNIX, UDP): as HAProxy's own receiver does, the
//    connection's own address stays (the specification lets a receiver fall back so).
import { SocketAddress } from 'node:net';

/** The longest v1 line, CRLF included (the specification's worst case: UNKNOWN with two full IPv6 addresses). */
export const V1_MAX_BYTES = 107;
/**
 * The longest v2 address block (addresses and TLVs) accepted. The length field allows 64 KiB; HAProxy's TLVs, all of
 * them at once (authority, unique id, the TLS details), stay well under 1 KiB, and a balancer that sends more than
 * this is misconfigured or hostile: this bounds what one connection may make the collector buffer.
 */
export const V2_MAX_BLOCK_BYTES = 2_048;

const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
const V1_NOT_PRINTABLE = 'v1 line with a byte outside printable US-ASCII (a lone CR or LF included)';
const V4_OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const V4_PATTERN = new RegExp(`^${V4_OCTET}(\\.${V4_OCTET}){3}$`);
const V6_CHARS = /^[0-9a-fA-F:.]+$/;
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V2_FIXED_BYTES = 16;
/** Address bytes of each v2 family that has them (AF_INET, AF_INET6, AF_UNIX). */
const V2_FAMILY_BYTES: Record<number, number> = { 0x1: 12, 0x2: 36, 0x3: 216 };
const TLV_HEADER_BYTES = 3;

export interface ProxyAddress {
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

export type ProxyHeaderResult =
  /** The bytes so far begin a header; more are needed. */
  | { status: 'incomplete' }
  /** Not a valid header; `reason` says why, for the log. */
  | { status: 'invalid'; reason: string }
  /**
   * A complete header of `length` bytes (what follows belongs to the relayed connection). `source` is the client's
   * address, or null when the connection's own address stands (v2 LOCAL, v1 UNKNOWN, a family without one).
   */
  | { status: 'complete'; version: 1 | 2; length: number; source: ProxyAddress | null };

const invalid = (reason: string): ProxyHeaderResult => ({ status: 'invalid', reason });
const INCOMPLETE: ProxyHeaderResult = { status: 'incomplete' };

/** Judges the first bytes of a connection; `received` is everything read so far, from the first byte on. */
export function parseProxyHeader(received: Buffer): ProxyHeaderResult {
  if (received.length === 0) return INCOMPLETE;
  if (startsLike(received, V1_PREFIX)) return parseV1(received);
  if (startsLike(received, V2_SIGNATURE)) return parseV2(received);
  return invalid('not a PROXY protocol header');
}

/** True when `received` and `expected` agree on the bytes both have. */
function startsLike(received: Buffer, expected: Buffer): boolean {
  const n = Math.min(received.length, expected.length);
  return received.subarray(0, n).equals(expected.subarray(0, n));
}

function parseV1(received: Buffer): ProxyHeaderResult {
  const end = received.indexOf('\r\n', 0, 'latin1');
  if (end === -1 || end + 2 > V1_MAX_BYTES) {
    if (received.length >= V1_MAX_BYTES) return invalid(`v1 line without CRLF in its first ${V1_MAX_BYTES} bytes`);
    // A CR at the end may be the first half of the CRLF still on its way; any other CR or LF is a lone one.
    const body = received[received.length - 1] === 0x0d ? received.subarray(0, -1) : received;
    return printable(body) ? INCOMPLETE : invalid(V1_NOT_PRINTABLE);
  }
  const line = received.subarray(0, end);
  if (!printable(line)) return invalid(V1_NOT_PRINTABLE);
  const length = end + 2;
  const fields = line.toString('latin1').split(' ');
  const proto = fields[1];
  if (proto === 'UNKNOWN') return { status: 'complete', version: 1, length, source: null };
  if (proto !== 'TCP4' && proto !== 'TCP6') return invalid(`v1 protocol "${String(proto).slice(0, 16)}" is not TCP4, TCP6 or UNKNOWN`);
  if (fields.length !== 6) return invalid(`v1 ${proto} line with ${fields.length - 2} fields, expected 4`);
  const family = proto === 'TCP4' ? 'IPv4' : 'IPv6';
  const source = v1Address(fields[2]!, family);
  const destination = v1Address(fields[3]!, family);
  const sourcePort = v1Port(fields[4]!);
  if (source === null || destination === null) return invalid(`v1 ${proto} line with an address that is not ${family}`);
  if (sourcePort === null || v1Port(fields[5]!) === null) return invalid('v1 line with a port outside 0-65535 or with leading zeros');
  return { status: 'complete', version: 1, length, source: { address: source, port: sourcePort, family } };
}

/** The address in Node's canonical form (as socket.remoteAddress shows one), or null if it is not one of `family`. */
function v1Address(text: string, family: 'IPv4' | 'IPv6'): string | null {
  if (family === 'IPv4') return V4_PATTERN.test(text) ? text : null;
  // Hex groups and colons (an IPv4-mapped tail as inet_ntop writes it too); no zone index.
  if (!V6_CHARS.test(text) || !text.includes(':')) return null;
  try {
    return new SocketAddress({ address: text, family: 'ipv6' }).address;
  } catch {
    return null;
  }
}

/** Printable US-ASCII only: the v1 line before its CRLF. */
const printable = (bytes: Buffer): boolean => bytes.every((byte) => byte >= 0x20 && byte <= 0x7e);

function v1Port(text: string): number | null {
  if (!/^(0|[1-9][0-9]{0,4})$/.test(text)) return null;
  const port = Number(text);
  return port <= 65_535 ? port : null;
}

function parseV2(received: Buffer): ProxyHeaderResult {
  if (received.length < V2_FIXED_BYTES) return INCOMPLETE;
  const versionCommand = received[12]!;
  if (versionCommand >> 4 !== 0x2) return invalid(`v2 version ${versionCommand >> 4}, expected 2`);
  const command = versionCommand & 0x0f;
  if (command > 0x1) return invalid(`v2 command ${command} is neither LOCAL nor PROXY`);
  const family = received[13]! >> 4;
  const transport = received[13]! & 0x0f;
  const blockLength = received.readUInt16BE(14);
  if (blockLength > V2_MAX_BLOCK_BYTES) return invalid(`v2 address block of ${blockLength} bytes, more than ${V2_MAX_BLOCK_BYTES}`);
  // PROXY: a family and transport the specification defines, and a block that holds their addresses. LOCAL: neither
  // is looked at, the block is skipped.
  if (command === 0x1) {
    if (family > 0x3 || transport > 0x2) return invalid(`v2 family ${family} or transport ${transport} is not one the specification defines`);
    const addressBytes = V2_FAMILY_BYTES[family] ?? 0;
    if (blockLength < addressBytes) return invalid(`v2 address block of ${blockLength} bytes, too short for its family (${addressBytes})`);
  }
  const length = V2_FIXED_BYTES + blockLength;
  if (received.length < length) return INCOMPLETE;
  const block = received.subarray(V2_FIXED_BYTES, length);
  const tcp = command === 0x1 && transport === 0x1 && (family === 0x1 || family === 0x2);
  if (!tcp) return { status: 'complete', version: 2, length, source: null };
  const addressBytes = V2_FAMILY_BYTES[family]!;
  if (!tlvsFrameExactly(block.subarray(addressBytes))) return invalid('v2 TLVs that do not fit the address block');
  return { status: 'complete', version: 2, length, source: v2Source(block, family === 0x1 ? 'IPv4' : 'IPv6') };
}

/** The source address and port of a TCP/IPv4 (4+4+2+2 bytes) or TCP/IPv6 (16+16+2+2 bytes) block. */
function v2Source(block: Buffer, family: 'IPv4' | 'IPv6'): ProxyAddress {
  if (family === 'IPv4') return { address: [...block.subarray(0, 4)].join('.'), port: block.readUInt16BE(8), family };
  const groups = Array.from({ length: 8 }, (_, i) => block.readUInt16BE(i * 2).toString(16));
  return { address: new SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address, port: block.readUInt16BE(32), family };
}

/** True when the bytes after the addresses are whole TLVs (type, 16-bit length, value), none cut off. */
function tlvsFrameExactly(tlvs: Buffer): boolean {
  let offset = 0;
  while (offset < tlvs.length) {
    if (tlvs.length - offset < TLV_HEADER_BYTES) return false;
    offset += TLV_HEADER_BYTES + tlvs.readUInt16BE(offset + 1);
  }
  return offset === tlvs.length;
}

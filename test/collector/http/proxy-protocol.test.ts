// The PROXY protocol parser, byte for byte: HAProxy's real headers, the specification's limits, and what must be
// refused. Headers the tests build follow proxy-protocol.txt sections 2.1 and 2.2.
import { describe, expect, it } from 'vitest';
import { parseProxyHeader, V1_MAX_BYTES, V2_MAX_BLOCK_BYTES } from '../../../collector/src/http/proxy-protocol.js';

// Captured on this machine (Debian 12, HAProxy 2.6.12) with curl through a HAProxy `mode tcp` frontend whose server
// line had `send-proxy-v2` (v2) or `send-proxy` (v1), curl bound to 127.0.0.2 or ::1 and a fixed local port; the
// v2 LOCAL one is what `check-send-proxy` sends before an `option httpchk` health check. Hex as the backend read it.
const CAPTURED = {
  v2Tcp4: '0d0a0d0a000d0a515549540a2111000c7f0000027f0000019c4149d4',
  v2Tcp6WithRequest:
    '0d0a0d0a000d0a515549540a2121002400000000000000000000000000000001000000000000000000000000000000019c4249d4' +
    '474554202f6220485454502f312e310d0a486f73743a205b3a3a315d3a31383930300d0a557365722d4167656e743a206375726c2f372e38382e310d0a4163636570743a202a2f2a0d0a0d0a',
  v2LocalHealthCheck: '0d0a0d0a000d0a515549540a20000000' + Buffer.from('GET /healthz HTTP/1.0\r\n\r\n').toString('hex'),
  v1Tcp4WithRequest: 'PROXY TCP4 127.0.0.2 127.0.0.1 40003 18903\r\nGET /c HTTP/1.1\r\nHost: 127.0.0.1:18903\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n',
  v1Tcp6WithRequest: 'PROXY TCP6 ::1 ::1 40004 18903\r\nGET /d HTTP/1.1\r\nHost: [::1]:18903\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n',
};

const SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

/** A v2 header: version/command byte, family/transport byte, then the block (its length written from it). */
function v2(versionCommand: number, familyTransport: number, block: Buffer = Buffer.alloc(0), declaredLength = block.length): Buffer {
  const fixed = Buffer.from([versionCommand, familyTransport, declaredLength >> 8, declaredLength & 0xff]);
  return Buffer.concat([SIGNATURE, fixed, block]);
}

const tcp4Block = (src: number[], srcPort: number) => Buffer.from([...src, 192, 0, 2, 10, srcPort >> 8, srcPort & 0xff, 0x01, 0xbb]);
const tlv = (type: number, value: Buffer) => Buffer.concat([Buffer.from([type, value.length >> 8, value.length & 0xff]), value]);
const ascii = (text: string) => Buffer.from(text, 'latin1');

describe('PROXY protocol v1', () => {
  it('reads HAProxy TCP4 and TCP6 lines; what follows the CRLF is not part of the header', () => {
    expect(parseProxyHeader(ascii(CAPTURED.v1Tcp4WithRequest))).toEqual({
      status: 'complete',
      version: 1,
      length: 'PROXY TCP4 127.0.0.2 127.0.0.1 40003 18903\r\n'.length,
      source: { address: '127.0.0.2', port: 40003, family: 'IPv4' },
    });
    expect(parseProxyHeader(ascii(CAPTURED.v1Tcp6WithRequest))).toEqual({
      status: 'complete',
      version: 1,
      length: 'PROXY TCP6 ::1 ::1 40004 18903\r\n'.length,
      source: { address: '::1', port: 40004, family: 'IPv6' },
    });
  });

  it.each([
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
  ])('gives IPv6 source %s in the form Node shows a peer (%s)', (written, shown) => {
    const result = parseProxyHeader(ascii(`PROXY TCP6 ${written} ::1 1 2\r\n`));
    expect(result).toMatchObject({ status: 'complete', source: { address: shown, family: 'IPv6' } });
  });

  it('accepts UNKNOWN, short or with the rest of the line, keeping the real address', () => {
    expect(parseProxyHeader(ascii('PROXY UNKNOWN\r\nGET /'))).toEqual({ status: 'complete', version: 1, length: 15, source: null });
    const worst = `PROXY UNKNOWN ${'ffff:'.repeat(7)}ffff ${'ffff:'.repeat(7)}ffff 65535 65535\r\n`;
    expect(worst.length).toBe(V1_MAX_BYTES);
    expect(parseProxyHeader(ascii(worst))).toEqual({ status: 'complete', version: 1, length: V1_MAX_BYTES, source: null });
  });

  it('accepts the extreme ports and addresses', () => {
    expect(parseProxyHeader(ascii('PROXY TCP4 255.255.255.255 0.0.0.0 65535 0\r\n'))).toMatchObject({
      status: 'complete',
      source: { address: '255.255.255.255', port: 65535 },
    });
  });

  it.each([
    ['a lone LF', 'PROXY TCP4 192.0.2.1 192.0.2.2 1 2\n'],
    ['a lone CR inside', 'PROXY TCP4 192.0.2.1\r 192.0.2.2 1 2\r\n'],
    ['a byte outside US-ASCII', 'PROXY TCP4 192.0.2.1 192.0.2.2 1 2\u00e9\r\n'],
    ['a leading zero in an octet', 'PROXY TCP4 192.0.2.01 192.0.2.2 1 2\r\n'],
    ['an octet over 255', 'PROXY TCP4 192.0.2.256 192.0.2.2 1 2\r\n'],
    ['three octets', 'PROXY TCP4 192.0.2 192.0.2.2 1 2\r\n'],
    ['a bad destination', 'PROXY TCP4 192.0.2.1 example.com 1 2\r\n'],
    ['an IPv6 address in TCP4', 'PROXY TCP4 ::1 ::1 1 2\r\n'],
    ['an IPv4 address in TCP6', 'PROXY TCP6 192.0.2.1 ::1 1 2\r\n'],
    ['an IPv6 zone', 'PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n'],
    ['an impossible IPv6 address', 'PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n'],
    ['a port over 65535', 'PROXY TCP4 192.0.2.1 192.0.2.2 65536 2\r\n'],
    ['a port with a leading zero', 'PROXY TCP4 192.0.2.1 192.0.2.2 1 0443\r\n'],
    ['a negative port', 'PROXY TCP4 192.0.2.1 192.0.2.2 -1 2\r\n'],
    ['a missing field', 'PROXY TCP4 192.0.2.1 192.0.2.2 1\r\n'],
    ['an extra field', 'PROXY TCP4 192.0.2.1 192.0.2.2 1 2 3\r\n'],
    ['two spaces', 'PROXY  TCP4 192.0.2.1 192.0.2.2 1 2\r\n'],
    ['a trailing space', 'PROXY TCP4 192.0.2.1 192.0.2.2 1 2 \r\n'],
    ['another protocol', 'PROXY UDP4 192.0.2.1 192.0.2.2 1 2\r\n'],
    ['a lower-case keyword', 'proxy TCP4 192.0.2.1 192.0.2.2 1 2\r\n'],
    ['UNKNOWN run into a word', 'PROXY UNKNOWNX\r\n'],
  ])('refuses %s', (_what, line) => {
    expect(parseProxyHeader(ascii(line)).status).toBe('invalid');
  });

  it(`refuses a line longer than ${V1_MAX_BYTES} bytes, and ${V1_MAX_BYTES} bytes without a CRLF, without waiting for more`, () => {
    const long = `PROXY UNKNOWN ${'x'.repeat(V1_MAX_BYTES - 15)}\r\n`;
    expect(long.length).toBe(V1_MAX_BYTES + 1);
    expect(parseProxyHeader(ascii(long))).toMatchObject({ status: 'invalid', reason: expect.stringContaining(String(V1_MAX_BYTES)) });
    expect(parseProxyHeader(ascii(`PROXY UNKNOWN ${'x'.repeat(200)}`)).status).toBe('invalid');
    expect(parseProxyHeader(ascii(`PROXY UNKNOWN ${'x'.repeat(V1_MAX_BYTES - 14)}`)).status).toBe('invalid');
    expect(parseProxyHeader(ascii(`PROXY UNKNOWN ${'x'.repeat(V1_MAX_BYTES - 15)}`)).status).toBe('incomplete');
  });
});

describe('PROXY protocol v2', () => {
  it("reads HAProxy's TCP over IPv4 and IPv6 headers", () => {
    const tcp4 = Buffer.from(CAPTURED.v2Tcp4, 'hex');
    expect(parseProxyHeader(tcp4)).toEqual({ status: 'complete', version: 2, length: 28, source: { address: '127.0.0.2', port: 40001, family: 'IPv4' } });
    const tcp6 = Buffer.from(CAPTURED.v2Tcp6WithRequest, 'hex');
    const result = parseProxyHeader(tcp6);
    expect(result).toEqual({ status: 'complete', version: 2, length: 52, source: { address: '::1', port: 40002, family: 'IPv6' } });
    expect(tcp6.subarray(52).toString()).toMatch(/^GET \/b HTTP\/1\.1\r\n/);
  });

  it("keeps the real address for a LOCAL header (HAProxy's health check), whatever its block holds", () => {
    const check = Buffer.from(CAPTURED.v2LocalHealthCheck, 'hex');
    expect(parseProxyHeader(check)).toEqual({ status: 'complete', version: 2, length: 16, source: null });
    // LOCAL with an address block and an undefined family: the block is skipped, the family ignored.
    expect(parseProxyHeader(v2(0x20, 0x11, tcp4Block([10, 0, 0, 1], 1000)))).toEqual({ status: 'complete', version: 2, length: 28, source: null });
    expect(parseProxyHeader(v2(0x20, 0xff, Buffer.alloc(5)))).toEqual({ status: 'complete', version: 2, length: 21, source: null });
  });

  it.each([
    ['UNSPEC', 0x00, Buffer.alloc(0)],
    ['UDP over IPv4', 0x12, tcp4Block([10, 0, 0, 1], 53)],
    ['UNIX stream', 0x31, Buffer.alloc(216)],
  ])('keeps the real address for a PROXY header of %s', (_what, familyTransport, block) => {
    expect(parseProxyHeader(v2(0x21, familyTransport, block))).toEqual({ status: 'complete', version: 2, length: 16 + block.length, source: null });
  });

  it('reads a full IPv6 address and skips TLVs', () => {
    const src = Buffer.from('20010db8000000000001000000000001', 'hex');
    const block = Buffer.concat([src, Buffer.alloc(16), Buffer.from([0xc3, 0x50, 0x01, 0xbb])]);
    const tlvs = Buffer.concat([tlv(0x02, ascii('collector.example')), tlv(0x04, Buffer.alloc(0)), tlv(0x05, Buffer.alloc(128, 7))]);
    const header = v2(0x21, 0x21, Buffer.concat([block, tlvs]));
    const result = parseProxyHeader(Buffer.concat([header, ascii('\x16\x03\x01')]));
    expect(result).toEqual({ status: 'complete', version: 2, length: header.length, source: { address: '2001:db8::1:0:0:1', port: 50000, family: 'IPv6' } });
  });

  it.each([
    ['version 1 in the version nibble', v2(0x11, 0x11, tcp4Block([10, 0, 0, 1], 1))],
    ['an unassigned command', v2(0x22, 0x11, tcp4Block([10, 0, 0, 1], 1))],
    ['an undefined family', v2(0x21, 0x41, tcp4Block([10, 0, 0, 1], 1))],
    ['an undefined transport', v2(0x21, 0x13, tcp4Block([10, 0, 0, 1], 1))],
    ['a block too short for IPv4', v2(0x21, 0x11, Buffer.alloc(8))],
    ['a block too short for IPv6', v2(0x21, 0x21, Buffer.alloc(35))],
    ['a block too short for UNIX', v2(0x21, 0x31, Buffer.alloc(100))],
    ['a TLV cut off', v2(0x21, 0x11, Buffer.concat([tcp4Block([10, 0, 0, 1], 1), tlv(0x02, ascii('abc')).subarray(0, 5)]))],
    ['a stray byte after the TLVs', v2(0x21, 0x11, Buffer.concat([tcp4Block([10, 0, 0, 1], 1), tlv(0x04, Buffer.alloc(0)), Buffer.alloc(1)]))],
    ['a broken signature', Buffer.concat([Buffer.from('0d0a0d0a000d0a515549540b', 'hex'), Buffer.from([0x21, 0x11, 0, 12]), Buffer.alloc(12)])],
  ])('refuses %s', (_what, header) => {
    expect(parseProxyHeader(header).status).toBe('invalid');
  });

  it(`refuses a block over ${V2_MAX_BLOCK_BYTES} bytes from its fixed part alone`, () => {
    expect(parseProxyHeader(v2(0x21, 0x11, Buffer.alloc(0), V2_MAX_BLOCK_BYTES + 1))).toMatchObject({
      status: 'invalid',
      reason: expect.stringContaining(String(V2_MAX_BLOCK_BYTES)),
    });
    expect(parseProxyHeader(v2(0x20, 0x00, Buffer.alloc(0), 0xffff)).status).toBe('invalid');
    const largest = v2(0x21, 0x11, Buffer.concat([tcp4Block([10, 0, 0, 1], 1), tlv(0x04, Buffer.alloc(V2_MAX_BLOCK_BYTES - 12 - 3))]));
    expect(parseProxyHeader(largest)).toMatchObject({ status: 'complete', length: 16 + V2_MAX_BLOCK_BYTES });
  });
});

describe('a header that arrives in pieces', () => {
  it.each([
    ['v1 TCP4', ascii(CAPTURED.v1Tcp4WithRequest)],
    ['v1 TCP6', ascii(CAPTURED.v1Tcp6WithRequest)],
    ['v2 TCP6', Buffer.from(CAPTURED.v2Tcp6WithRequest, 'hex')],
    ['v2 with TLVs', Buffer.concat([v2(0x21, 0x11, Buffer.concat([tcp4Block([10, 0, 0, 1], 1), tlv(0x05, Buffer.alloc(40, 1))])), ascii('GET /')])],
  ])('%s: every shorter prefix is incomplete, and the header is the same at any later cut', (_what, bytes) => {
    const whole = parseProxyHeader(bytes);
    expect(whole.status).toBe('complete');
    const length = whole.status === 'complete' ? whole.length : 0;
    for (let cut = 0; cut < length; cut++) expect(parseProxyHeader(bytes.subarray(0, cut)), `cut at ${cut}`).toEqual({ status: 'incomplete' });
    for (let cut = length; cut <= bytes.length; cut++) expect(parseProxyHeader(bytes.subarray(0, cut))).toEqual(whole);
  });
});

describe('what is not a PROXY header', () => {
  it.each([
    ['an HTTP request', 'GET /healthz HTTP/1.1\r\n'],
    ['a TLS ClientHello', '\x16\x03\x01\x02\x00'],
    ['its first byte alone', 'G'],
    ['a near miss of the v1 keyword', 'PROXX'],
    ['a near miss of the v2 signature', '\r\n\r\n\x00\r\nQUIX'],
    ['a NUL byte', '\x00'],
  ])('refuses %s as soon as it differs', (_what, text) => {
    expect(parseProxyHeader(ascii(text))).toEqual({ status: 'invalid', reason: 'not a PROXY protocol header' });
  });

  it('waits on nothing and on the common beginnings of both signatures', () => {
    for (const text of ['', 'P', 'PROXY', 'PROXY ', '\r', '\r\n\r\n\x00']) expect(parseProxyHeader(ascii(text))).toEqual({ status: 'incomplete' });
  });
});

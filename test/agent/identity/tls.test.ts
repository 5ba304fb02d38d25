// Pinning the collector's certificate, over real TLS: certificates made by openssl at test time, a real collector
// behind a TLS-terminating proxy on a loopback port (tls-proxy.ts), and the agent's real Link over wss. Link timers
// run on a ManualClock; socket events are awaited with bounded polling.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Link } from '../../../agent/src/delivery/link.js';
import { MemorySpool } from '../../../agent/src/delivery/spool/memory.js';
import { encodeBatch } from '../../../agent/src/delivery/encode.js';
import { int } from '../../../agent/src/sample.js';
import { parseCaPem, parseFingerprint, type TlsPin } from '../../../agent/src/identity/tls.js';
import { isLoopbackHost } from '../../../agent/src/commands/enroll.js';
import { IDENTITY_FILE, StateError, loadIdentity, saveIdentity, writeJsonAtomic, type Identity } from '../../../agent/src/identity/state.js';
import { useCollector } from '../../helpers/collector.js';
import { makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { startTlsProxy, type TlsProxy } from '../helpers/tls-proxy.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { recordingLogger } from '../helpers/recording-log.js';
import { until } from '../helpers/until.js';
import { cleanupsAfterEach } from '../../helpers/cleanups.js';

describe('parseFingerprint', () => {
  const hex = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const colons = 'A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F:90:A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F:90';
  it.each([
    [hex, colons],
    [hex.toUpperCase(), colons],
    [colons, colons],
    [colons.toLowerCase(), colons],
    [`  ${colons}\n`, colons],
  ])('%s -> AA:BB:… form', (input, expected) => {
    expect(parseFingerprint(input)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    [hex.slice(2), '31 bytes'],
    [hex + 'ab', '33 bytes'],
    [colons.slice(3), '31 bytes with colons'],
    [hex.replace('a1', 'g1'), 'not hex'],
    ['A1B2:' + colons.slice(6), 'colons at some places only'],
    [colons.replace(/:/g, '-'), 'dashes'],
    ['sha256:' + hex, 'a prefix'],
    ['d41d8cd98f00b204e9800998ecf8427e', 'an MD5'],
  ])('refuses %s (%s)', (input) => {
    expect(parseFingerprint(input)).toBeNull();
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['agent.localhost', true],
    ['127.0.0.1', true],
    ['127.10.20.30', true],
    ['[::1]', true],
    ['::1', true],
    ['collector.example.net', false],
    ['192.0.2.10', false],
    ['0.0.0.0', false],
    ['[::]', false],
    ['127.example.net', false],
    ['localhost.example.net', false],
    ['[2001:db8::1]', false],
  ])('%s -> %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

let dir: string;
let certs: TestCerts;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wp-tls-'));
  certs = makeTestCerts(dir);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('parseCaPem', () => {
  it('keeps every certificate of a bundle and drops text around them', () => {
    const bundle = `# our CA\n${certs.ca.cert}\nsome comment\n${certs.rogue.cert}`;
    const parsed = parseCaPem(bundle);
    expect(parsed.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(parsed).not.toContain('comment');
    expect(parsed).toContain(certs.ca.cert.trim());
  });

  it('refuses a file without a certificate, and names a certificate that does not parse', () => {
    expect(() => parseCaPem(certs.ca.key)).toThrow('no PEM certificate');
    const broken = certs.ca.cert.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
    expect(() => parseCaPem(`${certs.rogue.cert}${broken}`)).toThrow('certificate 2 does not parse');
  });
});

describe('the pin in identity.json', () => {
  const identity = (tls: unknown, server = 'https://collector.example.net'): Identity =>
    ({ server, agentId: 'ag_1', tenant: 'acme', credential: 'wpa_ag_1.secret', enrolledAt: '2026-11-21T10:00:00.000Z', tls }) as Identity;
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'wp-tls-state-'));
  });
  afterEach(() => {
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('round-trips the CA content and the fingerprint', () => {
    const pinned = identity({ ca: certs.ca.cert, fingerprint: certs.server.fingerprint });
    saveIdentity(stateDir, pinned);
    expect(loadIdentity(stateDir)).toEqual(pinned);
  });

  // A damaged pin must not read as "no pin": that would silently fall back to the system store.
  it.each<[string, unknown, string?]>([
    ['null', null],
    ['an empty object', {}],
    ['a CA that is not PEM', { ca: 'not a certificate' }],
    ['a CA that is not a string', { ca: 42 }],
    ['a fingerprint in hex without colons', { fingerprint: 'ab'.repeat(32) }],
    ['a short fingerprint', { fingerprint: 'AB:CD' }],
    ['a pin with an http server', { fingerprint: 'AB:'.repeat(31) + 'AB' }, 'http://collector.example.net'],
  ])('refuses %s', (_what, tls, server) => {
    writeJsonAtomic(join(stateDir, IDENTITY_FILE), identity(tls, server));
    expect(() => loadIdentity(stateDir)).toThrow(StateError);
    expect(() => loadIdentity(stateDir)).toThrow(/tls.*enroll again/);
  });
});

describe('Link over wss to a real collector behind TLS', () => {
  const { collector, sink } = useCollector();
  const cleanups = cleanupsAfterEach();

  async function rig(tls: TlsPin | undefined, served = certs.server) {
    const proxy: TlsProxy = await startTlsProxy(Number(new URL(collector().baseUrl).port), served);
    cleanups.push(() => proxy.close());
    const { credential } = collector().enroll();
    const spool = new MemorySpool();
    const clock = new ManualClock();
    const log = recordingLogger();
    const link = new Link({ server: proxy.baseUrl, credential, tls, spool, log, timers: clock, now: clock.now, random: () => 0 });
    cleanups.push(() => link.stop());
    const seq = spool.nextSeq();
    spool.append({
      seq,
      bytes: encodeBatch(seq, [{ measurement: 'custom_tls', tags: { cpu: 'cpu-total' }, fields: { tls_seq: int(seq) }, time: clock.now() }]),
      points: 1,
    });
    return { proxy, spool, clock, log, link };
  }

  type Rig = Awaited<ReturnType<typeof rig>>;
  /** Waits for `check`, showing the link's state if it never holds. */
  const linkUntil = (r: Rig, what: string, check: () => boolean | undefined) => until(what, check, undefined, () => r.link.state);
  const failedWith = (r: Rig, text: string) => linkUntil(r, `lastError to contain "${text}"`, () => r.link.state.lastError?.includes(text));

  it('connects with the CA and the fingerprint pinned, and delivers', async () => {
    const r = await rig({ ca: certs.ca.cert, fingerprint: certs.server.fingerprint });
    r.link.start();
    await linkUntil(r, 'the spool to drain over wss', () => r.spool.stats().batches === 0);
    expect(r.link.state).toMatchObject({ connected: true, lastError: null, pointsAcked: 1 });
    expect(sink.lines.flat().some((l) => l.startsWith('custom_tls,') && l.includes('tls_seq=1i'))).toBe(true);
  });

  it('a certificate from another CA: lastError says it is not trusted by the pinned CA, and it keeps retrying', async () => {
    const r = await rig({ ca: certs.ca.cert }, certs.rogue);
    r.link.start();
    await failedWith(r, "the collector's certificate is not trusted by the pinned CA (--ca)");
    expect(r.link.state.lastError).toContain('self-signed certificate');
    expect(r.link.state).toMatchObject({ connected: false, reconnectAttempt: 1, nextRetryAt: r.clock.now() + 500 });
    expect(r.log.count(/^link: the collector's certificate is not trusted/)).toBe(1);
    await r.clock.advance(500);
    await linkUntil(r, 'a second attempt', () => r.link.state.reconnectAttempt === 2);
    expect(r.link.state.lastError).toContain('not trusted by the pinned CA');
    expect(r.spool.stats().batches).toBe(1);
  });

  it('a fingerprint mismatch (the collector rotated its certificate) is lastError and retried until the pinned one is back', async () => {
    const r = await rig({ ca: certs.ca.cert, fingerprint: certs.server.fingerprint }, certs.rotated);
    r.link.start();
    const mismatch = `certificate fingerprint mismatch: expected ${certs.server.fingerprint}, got ${certs.rotated.fingerprint}`;
    await failedWith(r, mismatch);
    expect(r.link.state.lastError).toBe(mismatch);
    expect(r.link.state).toMatchObject({ connected: false, reconnectAttempt: 1, nextRetryAt: r.clock.now() + 500 });
    await r.clock.advance(500);
    await linkUntil(r, 'a second attempt', () => r.link.state.reconnectAttempt === 2);
    expect(r.link.state.lastError).toBe(mismatch);
    expect(r.log.count(/^link: certificate fingerprint mismatch/)).toBe(2);
    // the pinned certificate is served again: the next attempt connects and delivers what waited
    r.proxy.useCert(certs.server);
    await r.clock.advance(1_000);
    await linkUntil(r, 'the spool to drain after the pinned certificate came back', () => r.spool.stats().batches === 0);
    expect(r.link.state).toMatchObject({ connected: true, lastError: null, reconnectAttempt: 0 });
  });

  it('a fingerprint pin keeps the host name check: the pinned certificate for another name is refused', async () => {
    const r = await rig({ ca: certs.ca.cert, fingerprint: certs.otherHost.fingerprint }, certs.otherHost);
    r.link.start();
    await failedWith(r, "the collector's certificate does not name this server");
    expect(r.link.state.lastError).toContain("IP: 127.0.0.1 is not in the cert's list");
    expect(r.link.state.connected).toBe(false);
  });

  it('without a pin, a certificate of a private CA is not trusted by the system store', async () => {
    const r = await rig(undefined);
    r.link.start();
    await failedWith(r, "not trusted by the system's CA store");
  });

  it('refuses a pin with a plain http server instead of silently dropping it', () => {
    const log = recordingLogger();
    expect(() => new Link({ server: collector().baseUrl, credential: 'x', tls: { ca: certs.ca.cert }, spool: new MemorySpool(), log })).toThrow(
      `a TLS pin needs an https:// server, got ${collector().baseUrl}`,
    );
  });
});

// Downloads against real local servers (node:http, node:https with test certificates from openssl): the request
// the offer URL makes, the body hashed while streamed to disk (brotli decoded when the response says so), and
// every way it can fail, each leaving no file.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadFile, downloadRequest, type DownloadLimits } from '../../../agent/src/update/download.js';
import { makeTestCerts, type TestCerts } from '../helpers/certs.js';

const BODY = Buffer.alloc(300_000, 'watchpost');
const SHA = createHash('sha256').update(BODY).digest('hex');
const LIMITS: DownloadLimits = { maxBytes: 1_000_000, timeoutMs: 30_000, idleMs: 30_000 };
const BODY_BR = brotliCompressSync(BODY);

describe('downloadRequest', () => {
  const collector = { server: 'https://collector.example.net:8443/watchpost/', credential: 'agent-1.secret' };
  it.each([
    [
      'a path: on the collector, under its base path',
      '/api/v1/releases/0.2.0/linux-x64',
      'https://collector.example.net:8443/watchpost/api/v1/releases/0.2.0/linux-x64',
      true,
    ],
    ['an absolute URL on the collector', 'https://collector.example.net:8443/x/y', 'https://collector.example.net:8443/x/y', true],
    ['an https URL elsewhere: no credential', 'https://cdn.example.com/a/watchpost-agent', 'https://cdn.example.com/a/watchpost-agent', false],
    ['a protocol-relative URL is not a path', '//cdn.example.com/a', null, false],
  ])('%s', (_name, url, expected, withCredential) => {
    const request = downloadRequest(collector, url);
    if (expected === null) return expect('error' in request).toBe(true);
    if ('error' in request) throw new Error(request.error);
    expect(request.url.href).toBe(expected);
    expect(request.headers.authorization).toBe(withCredential ? 'Bearer agent-1.secret' : undefined);
  });

  it.each([
    ['', 'no download URL'],
    ['http://cdn.example.com/a', 'must be https'],
    ['notaurl', 'not a URL'],
  ])('refuses %j', (url, reason) => {
    const request = downloadRequest(collector, url);
    expect('error' in request && request.error).toContain(reason);
  });

  it('the collector pin goes with the collector only', () => {
    const pinned = { ...collector, tls: { fingerprint: 'AA' } };
    expect(downloadRequest(pinned, '/a')).toMatchObject({ tls: { fingerprint: 'AA' } });
    expect(downloadRequest(pinned, 'https://cdn.example.com/a')).not.toHaveProperty('tls');
  });
});

describe('downloadFile over http', () => {
  let server: Server;
  let base = '';
  let dir = '';
  const seen: IncomingMessage[] = [];
  const routes: Record<string, (res: ServerResponse) => void> = {
    '/ok': (res) => res.end(BODY),
    '/missing': (res) => ((res.statusCode = 404), res.end('no such release')),
    '/big-announced': (res) => (res.writeHead(200, { 'content-length': String(LIMITS.maxBytes + 1) }), res.end()),
    '/big-chunked': (res) => {
      res.writeHead(200); // no content-length: the limit is found while streaming
      for (let i = 0; i < 5; i++) res.write(Buffer.alloc(300_000));
      res.end();
    },
    '/stall': (res) => res.writeHead(200, { 'content-length': String(BODY.length) }) && res.write(BODY.subarray(0, 1000)),
    '/cut': (res) => {
      res.writeHead(200, { 'content-length': String(BODY.length) });
      res.write(BODY.subarray(0, 1000), () => res.socket?.destroy());
    },
    '/br': (res) => (res.writeHead(200, { 'content-encoding': 'br', 'content-length': String(BODY_BR.length) }), res.end(BODY_BR)),
    '/gzip': (res) => (res.writeHead(200, { 'content-encoding': 'gzip' }), res.end('whatever')),
    // 5 MB of zeros in a few bytes: the limit holds for what the body decodes to
    '/bomb': (res) => (res.writeHead(200, { 'content-encoding': 'br' }), res.end(brotliCompressSync(Buffer.alloc(5_000_000)))),
    '/br-garbage': (res) => (res.writeHead(200, { 'content-encoding': 'br' }), res.end(Buffer.from('not brotli at all, not at all'))),
    '/delta': (res) => (res.writeHead(200, { 'content-type': 'application/vnd.watchpost.delta', 'content-encoding': 'br' }), res.end(BODY_BR)),
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'watchpost-download-'));
    server = createServer((req, res) => {
      seen.push(req);
      (routes[req.url ?? ''] ?? routes['/missing']!)(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const fetchTo = (path: string, name: string, limits = LIMITS, signal?: AbortSignal) => {
    const request = downloadRequest({ server: base, credential: 'agent-1.secret' }, path);
    if ('error' in request) throw new Error(request.error);
    return downloadFile(request, join(dir, name), { limits, mode: 0o750, ...(signal ? { signal } : {}) });
  };

  it('streams the body to the file with its hash, size and mode, sending the credential as Bearer', async () => {
    expect(await fetchTo('/ok', 'ok')).toEqual({ ok: true, sha256: SHA, bytes: BODY.length, transfer: 'plain', wireBytes: BODY.length });
    expect(readFileSync(join(dir, 'ok')).equals(BODY)).toBe(true);
    expect(statSync(join(dir, 'ok')).mode & 0o777).toBe(0o750);
    expect(seen.at(-1)?.headers.authorization).toBe('Bearer agent-1.secret');
    expect(seen.at(-1)?.headers['accept-encoding']).toBe('br');
    expect(seen.at(-1)?.headers['x-watchpost-delta-from']).toBeUndefined(); // no delta asked for
  });

  it('decodes a brotli-encoded body, hashing and counting the decoded bytes', async () => {
    expect(await fetchTo('/br', 'br')).toEqual({ ok: true, sha256: SHA, bytes: BODY.length, transfer: 'compressed', wireBytes: BODY_BR.length });
    expect(readFileSync(join(dir, 'br')).equals(BODY)).toBe(true);
  });

  it.each([
    ['an HTTP error', '/missing', LIMITS, 'HTTP 404'],
    ['a size announced over the limit', '/big-announced', LIMITS, 'more than the 1000000 allowed'],
    ['a body growing over the limit', '/big-chunked', LIMITS, 'more than the 1000000 bytes allowed'],
    ['a server that stops sending (idle limit)', '/stall', { ...LIMITS, idleMs: 200 }, 'no data for 200 ms'],
    ['a server that stops sending (whole limit)', '/stall', { ...LIMITS, timeoutMs: 200 }, 'not complete within 200 ms'],
    ['a connection cut mid-body', '/cut', LIMITS, /aborted|premature close|socket hang up|ECONNRESET/i],
    ['an encoding it did not ask for', '/gzip', LIMITS, 'content-encoding gzip, not br'],
    ['a brotli body that decodes past the limit', '/bomb', LIMITS, 'more than the 1000000 bytes allowed'],
    ['a brotli body that does not decode', '/br-garbage', LIMITS, /decompression|invalid|corrupt|error/i],
    ['a delta it did not ask for', '/delta', LIMITS, 'a delta, which was not asked for'],
  ])('fails on %s and leaves no file', async (_name, path, limits, reason: string | RegExp) => {
    const name = `f-${path.slice(1)}-${limits.idleMs}-${limits.timeoutMs}`;
    const result = await fetchTo(path, name, limits);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
    expect(existsSync(join(dir, name))).toBe(false);
  });

  it('stops when the agent stops (abort signal)', async () => {
    const stop = new AbortController();
    const pending = fetchTo('/stall', 'aborted', LIMITS, stop.signal);
    stop.abort();
    expect(await pending).toEqual({ ok: false, reason: 'aborted: the agent is stopping' });
    expect(existsSync(join(dir, 'aborted'))).toBe(false);
  });
});

describe('downloadFile over https with the collector pin', () => {
  let certs: TestCerts;
  let dir = '';
  let base = '';
  let server: ReturnType<typeof createHttpsServer>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'watchpost-download-tls-'));
    certs = makeTestCerts(dir);
    server = createHttpsServer({ key: certs.rogue.key, cert: certs.rogue.cert }, (_req, res) => res.end(BODY));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a collector whose certificate the pin does not match, and accepts the pinned one', async () => {
    const refused = downloadRequest({ server: base, credential: 'c', tls: { ca: certs.ca.cert } }, '/x');
    if ('error' in refused) throw new Error(refused.error);
    const bad = await downloadFile(refused, join(dir, 'bad'), { limits: LIMITS });
    expect(bad.ok).toBe(false);
    expect(existsSync(join(dir, 'bad'))).toBe(false);

    const pinned = downloadRequest({ server: base, credential: 'c', tls: { ca: certs.rogue.cert } }, '/x');
    if ('error' in pinned) throw new Error(pinned.error);
    expect(await downloadFile(pinned, join(dir, 'good'), { limits: LIMITS })).toEqual({
      ok: true,
      sha256: SHA,
      bytes: BODY.length,
      transfer: 'plain',
      wireBytes: BODY.length,
    });
  });
});

// GET /api/v1/releases/:version/:target and .../service-host on a real collector over real HTTP: who may download
// (an agent credential, or an enrollment token that is checked, not consumed), what comes back (the bytes, their
// length and SHA-256; brotli or a delta only to a client that asks, the plain file to every other, older agents
// included), and what never does (unknown or refused releases, paths outside the loaded manifests).
import { request, type IncomingHttpHeaders } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDelta } from '../../../agent/src/update/delta.js';
import { acceptsBrotli } from '../../../collector/src/releases/download-route.js';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { releaseKey, sha256, tempDir, writeRelease } from './release-fixture.js';

const key = releaseKey();
const releases = tempDir('wp-releases-');
// Like an executable: a part that compresses (text) and a part that does not (code); 0.1.0 differs in one line.
const CODE = randomBytes(40_000);
const TEXT = '#!/bin/sh\necho linux 0.2.0\n'.repeat(1000);
const LINUX = Buffer.concat([CODE, Buffer.from(TEXT)]);
const LINUX_01 = Buffer.concat([CODE, Buffer.from(TEXT.replace('0.2.0', '0.1.0'))]);
writeRelease(releases, { version: '0.1.0', files: { 'linux-x64': LINUX_01 }, key: key.privateKey });
writeRelease(releases, { version: '0.2.0', files: { 'linux-x64': LINUX, 'win-x64': 'win' }, serviceHost: 'winsw bytes', key: key.privateKey });
writeRelease(releases, { version: '0.3.0', files: { 'linux-x64': 'unsigned by the release key' } });
writeRelease(releases, { version: '0.4.0', files: { 'linux-x64': 'four' }, key: key.privateKey });

let c: TestCollector;
beforeAll(async () => {
  c = await startCollector({ sink: new RecordingSink(), env: { WATCHPOST_RELEASES_DIR: releases, WATCHPOST_RELEASES_PUBLIC_KEY: key.publicKeyFile } });
});
afterAll(async () => c.close());

// identity: fetch would otherwise ask for compression, and decode it out of sight.
const get = (path: string, authorization?: string) =>
  fetch(`${c.baseUrl}${path}`, { headers: { 'accept-encoding': 'identity', ...(authorization ? { authorization } : {}) } });
const bearer = (secret: string) => `Bearer ${secret}`;
const newToken = (expiresAt = Date.now() + 60_000) => c.store.tokens.create({ tenant: 'acme', expiresAt, uses: 1 }).token;

/** A request sent exactly as written (fetch would normalize dot segments and add Accept-Encoding), the body as it
 *  came over the wire. */
function raw(path: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: c.port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}
const rawGet = async (path: string, authorization: string) => {
  const res = await raw(path, { authorization });
  return { status: res.status, body: res.body.toString() };
};

describe('release downloads', () => {
  it('stream the executable to an agent, with its length and SHA-256', async () => {
    const { credential } = c.enroll();
    const res = await get('/api/v1/releases/0.2.0/linux-x64', bearer(credential));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-length')).toBe(String(LINUX.length));
    expect(res.headers.get('x-watchpost-sha256')).toBe(sha256(LINUX));
    expect(Buffer.from(await res.arrayBuffer()).equals(LINUX)).toBe(true);
  });

  it('serve the Windows service host of the release', async () => {
    const res = await get('/api/v1/releases/0.2.0/service-host', bearer(c.enroll().credential));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-watchpost-sha256')).toBe(sha256('winsw bytes'));
    expect(await res.text()).toBe('winsw bytes');
  });

  it('accept a valid enrollment token without using it up', async () => {
    const token = newToken();
    for (let i = 0; i < 2; i++) expect((await get('/api/v1/releases/0.2.0/win-x64', bearer(token))).status).toBe(200);
    expect(c.store.tokens.list('acme').find((t) => token.includes(t.id))).toMatchObject({ usesLeft: 1, lastUsedAt: null });
  });

  it('refuse with 401 without credentials, with a bad or revoked credential, and with a bad or revoked token', async () => {
    const { agentId, credential } = c.enroll();
    c.store.agents.revoke(agentId);
    const revoked = c.store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 });
    c.store.tokens.revoke(revoked.id);
    const cases: [string | undefined, string][] = [
      [undefined, 'unauthorized'],
      ['Basic dXNlcjpwYXNz', 'unauthorized'],
      [bearer(credential), 'unauthorized'],
      [bearer(`wpa_${agentId}.${'A'.repeat(43)}`), 'unauthorized'],
      [bearer('garbage'), 'token_malformed'],
      [bearer(revoked.token), 'token_revoked'],
      [bearer(`wpe_0123456789abcdef_${'A'.repeat(43)}`), 'token_unknown'],
    ];
    for (const [authorization, code] of cases) {
      const res = await get('/api/v1/releases/0.2.0/linux-x64', authorization);
      expect(res.status, String(authorization)).toBe(401);
      expect(await res.json()).toMatchObject({ error: code });
    }
  });

  it('answer 404 for unknown versions and targets, a target the release lacks, and a release refused for its signature', async () => {
    const auth = bearer(c.enroll().credential);
    for (const path of [
      '/api/v1/releases/9.9.9/linux-x64',
      '/api/v1/releases/0.2.0/solaris-sparc',
      '/api/v1/releases/0.2.0/darwin-arm64',
      '/api/v1/releases/0.3.0/linux-x64',
      '/api/v1/releases/0.4.0/service-host',
    ]) {
      const res = await get(path, auth);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ error: 'release_unknown' });
    }
    expect((await get('/api/v1/releases/0.4.0/linux-x64', auth)).status).toBe(200);
  });

  it('never serve a file the manifests do not list, whatever the path says', async () => {
    const auth = bearer(c.enroll().credential);
    writeFileSync(join(releases, 'secret.txt'), 'not for download');
    for (const path of [
      '/api/v1/releases/0.2.0/manifest.json',
      '/api/v1/releases/0.2.0/watchpost-agent-linux-x64',
      '/api/v1/releases/0.2.0/..%2F..%2Fsecret.txt',
      '/api/v1/releases/..%2Fsecret.txt/linux-x64',
      '/api/v1/releases/0.2.0/../secret.txt',
      '/api/v1/releases/0.2.0/../../releases/secret.txt',
      '/api/v1/releases/%2e%2e/secret.txt',
      '/api/v1/releases/0.2.0/%2e%2e%2fmanifest.json',
    ]) {
      const res = await rawGet(path, auth);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain('not for download');
      expect(res.body).not.toContain('executables');
    }
  });

  it('refuse to send a file that changed on disk since it was loaded', async () => {
    const dir = join(releases, '0.4.0');
    writeFileSync(join(dir, 'watchpost-agent-linux-x64'), 'four, but longer now');
    const res = await get('/api/v1/releases/0.4.0/linux-x64', bearer(c.enroll().credential));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'release_changed' });
    writeFileSync(join(dir, 'watchpost-agent-linux-x64'), 'four');
  });
});

describe('what a download carries', () => {
  const PATH = '/api/v1/releases/0.2.0/linux-x64';
  const agent = () => bearer(c.enroll().credential);

  it("is the plain file for a request like an older agent's (no Accept-Encoding), and for gzip-only or br;q=0 clients", async () => {
    for (const extra of [{}, { 'accept-encoding': 'gzip, deflate' }, { 'accept-encoding': 'br;q=0, gzip' }] as Record<string, string>[]) {
      const res = await raw(PATH, { authorization: agent(), accept: 'application/octet-stream', ...extra });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.headers['content-type']).toBe('application/octet-stream');
      expect(res.headers['content-length']).toBe(String(LINUX.length));
      expect(res.headers.vary).toBe('accept-encoding, x-watchpost-delta-from');
      expect(res.body.equals(LINUX)).toBe(true);
    }
  });

  it("is the brotli-compressed file for a client that accepts br, under the executable's own SHA-256", async () => {
    const res = await raw(PATH, { authorization: agent(), 'accept-encoding': 'br' });
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['x-watchpost-sha256']).toBe(sha256(LINUX));
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(res.body.length).toBeLessThan(CODE.length + 1000); // the text part all but vanishes
    expect(brotliDecompressSync(res.body).equals(LINUX)).toBe(true);
  });

  it('is a delta from the executable the agent names, which rebuilds the new one', async () => {
    const res = await raw(PATH, { authorization: agent(), 'accept-encoding': 'gzip, br', 'x-watchpost-delta-from': sha256(LINUX_01) });
    expect(res.headers['content-type']).toBe('application/vnd.watchpost.delta');
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['x-watchpost-delta-from']).toBe(sha256(LINUX_01));
    expect(res.headers['x-watchpost-sha256']).toBe(sha256(LINUX));
    expect(res.body.length).toBeLessThan(300);
    const dir = mkdtempSync(join(tmpdir(), 'wp-delta-route-'));
    writeFileSync(join(dir, 'running'), LINUX_01);
    async function* body() {
      yield brotliDecompressSync(res.body);
    }
    const source = { path: join(dir, 'running'), sha256: sha256(LINUX_01) };
    const applied = await applyDelta(body(), source, join(dir, 'new'), { targetSha256: sha256(LINUX), maxBytes: 1e6, mode: 0o700 });
    expect(applied).toEqual({ sha256: sha256(LINUX), bytes: LINUX.length });
  });

  it('is the compressed file when the named executable is no loaded release, is this very file, or gives no smaller delta', async () => {
    for (const from of [sha256('something else'), sha256(LINUX), sha256('four'), 'not a hash']) {
      const path = from === sha256('four') ? '/api/v1/releases/0.4.0/linux-x64' : PATH;
      const res = await raw(path, { authorization: agent(), 'accept-encoding': 'br', 'x-watchpost-delta-from': from });
      expect(res.headers['content-type'], from).toBe('application/octet-stream');
      expect(res.headers['x-watchpost-delta-from']).toBeUndefined();
    }
  });

  it('is never a delta for a client that does not accept br', async () => {
    const res = await raw(PATH, { authorization: agent(), 'x-watchpost-delta-from': sha256(LINUX_01) });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body.equals(LINUX)).toBe(true);
  });

  it.each([
    ['br', true],
    ['gzip, deflate, br', true],
    ['BR;q=0.5', true],
    [' gzip , br ; q=1 ', true],
    ['br;q=0', false],
    ['br;q=0.0', false],
    ['gzip', false],
    ['brotli', false],
    ['*', false],
    ['', false],
  ])('Accept-Encoding %j accepts br: %s', (header, accepted) => {
    expect(acceptsBrotli(header)).toBe(accepted);
  });
});

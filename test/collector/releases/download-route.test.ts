// GET /api/v1/releases/:version/:target and .../service-host on a real collector over real HTTP: who may download
// (an agent credential, or an enrollment token that is checked, not consumed), what comes back (the bytes, their
// length and SHA-256), and what never does (unknown or refused releases, paths outside the loaded manifests).
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { releaseKey, sha256, tempDir, writeRelease } from './release-fixture.js';

const key = releaseKey();
const releases = tempDir('wp-releases-');
const LINUX = Buffer.from('#!/bin/sh\necho linux 0.2.0\n'.repeat(1000));
writeRelease(releases, { version: '0.2.0', files: { 'linux-x64': LINUX, 'win-x64': 'win' }, serviceHost: 'winsw bytes', key: key.privateKey });
writeRelease(releases, { version: '0.3.0', files: { 'linux-x64': 'unsigned by the release key' } });
writeRelease(releases, { version: '0.4.0', files: { 'linux-x64': 'four' }, key: key.privateKey });

let c: TestCollector;
beforeAll(async () => {
  c = await startCollector({ sink: new RecordingSink(), env: { WATCHPOST_RELEASES_DIR: releases, WATCHPOST_RELEASES_PUBLIC_KEY: key.publicKeyFile } });
});
afterAll(async () => c.close());

const get = (path: string, authorization?: string) => fetch(`${c.baseUrl}${path}`, { headers: authorization ? { authorization } : {} });
const bearer = (secret: string) => `Bearer ${secret}`;
const newToken = (expiresAt = Date.now() + 60_000) => c.store.tokens.create({ tenant: 'acme', expiresAt, uses: 1 }).token;

/** A request line sent exactly as written (fetch would normalize dot segments). */
function rawGet(path: string, authorization: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: c.port, path, headers: { authorization } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

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

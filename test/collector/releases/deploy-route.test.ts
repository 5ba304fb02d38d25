// GET /api/v1/deploy/install.sh and windows.ps1, and GET /api/v1/updates, on real collectors over real HTTP: the
// token is checked (not consumed), the script embeds the URL the client used (or server.publicUrl), the token,
// the release a new install gets (the tenant's rollout version, else the newest) and its hashes.
import { request } from 'node:http';
import { PassThrough } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { PROTOCOL_VERSION } from '../../../proto/index.js';
import { openAgent } from '../../helpers/agent-client.js';
import { selects } from '../../../collector/src/releases/rollouts.js';
import { sha256, tempDir, writeRelease } from './release-fixture.js';

const releases = tempDir('wp-releases-');
writeRelease(releases, { version: '0.2.0', files: { 'linux-x64': 'l2', 'win-x64': 'w2', 'darwin-arm64': 'd2' }, serviceHost: 'winsw' });
writeRelease(releases, { version: '0.10.0', files: { 'linux-x64': 'l10', 'win-x64': 'w10' } });
const updatesFile = join(tempDir('wp-updates-'), 'updates.yaml');
writeFileSync(updatesFile, 'rollouts:\n  - tenant: pinned\n    version: 0.2.0\n    hosts: [pilot-1]\n    percent: 50\n');

const logs = new PassThrough();
let captured = '';
logs.on('data', (chunk: Buffer) => (captured += chunk.toString()));
/** Every token a test presented, to look for in the logs at the end. */
const presented: string[] = [];

let c: TestCollector;
let proxied: TestCollector;
let empty: TestCollector;
beforeAll(async () => {
  const env = { WATCHPOST_RELEASES_DIR: releases, WATCHPOST_UPDATES_FILE: updatesFile };
  c = await startCollector({ sink: new RecordingSink(), env, logStream: logs });
  proxied = await startCollector({ sink: new RecordingSink(), env: { ...env, WATCHPOST_SERVER_PUBLIC_URL: 'https://watch.example.com/wp/' } });
  empty = await startCollector({ sink: new RecordingSink() });
  c.store.tenants.add({ id: 'pinned', name: 'Pinned Ltd' });
});
afterAll(async () => Promise.all([c.close(), proxied.close(), empty.close()]));

const tokenOf = (collector: TestCollector, tenant = 'acme') => {
  const { token } = collector.store.tokens.create({ tenant, expiresAt: Date.now() + 60_000, uses: 3 });
  presented.push(token);
  return token;
};
const get = (collector: TestCollector, script: string, authorization?: string) =>
  fetch(`${collector.baseUrl}/api/v1/deploy/${script}`, { headers: authorization ? { authorization } : {} });

describe('deployment scripts', () => {
  it('serve install.sh for a valid token, with the URL the client used, the newest release and its hashes', async () => {
    const token = tokenOf(c);
    const res = await get(c, 'install.sh', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const script = await res.text();
    expect(script).toContain(`WATCHPOST_SERVER='${c.baseUrl}'\nWATCHPOST_TOKEN='${token}'\nWATCHPOST_VERSION='0.10.0'\n`);
    expect(script).toContain(`linux-x64) expected='${sha256('l10')}' ;;`);
    expect(script).not.toContain('darwin-arm64)');
    expect(c.store.tokens.list('acme').find((t) => token.includes(t.id))).toMatchObject({ usesLeft: 3, lastUsedAt: null });
  });

  it('install the version the tenant rollout names, with the service host for Windows', async () => {
    const sh = await (await get(c, 'install.sh', `Bearer ${tokenOf(c, 'pinned')}`)).text();
    expect(sh).toContain("WATCHPOST_VERSION='0.2.0'");
    expect(sh).toContain(`darwin-arm64) expected='${sha256('d2')}' ;;`);
    const ps = await get(c, 'windows.ps1', `Bearer ${tokenOf(c, 'pinned')}`);
    expect(ps.status).toBe(200);
    const text = await ps.text();
    expect(text).toContain(`$WatchpostVersion = '0.2.0'\n$WatchpostAgentSha256 = '${sha256('w2')}'\n$WatchpostServiceHostSha256 = '${sha256('winsw')}'\n`);
  });

  it('refuse windows.ps1 when the release has no service host, saying so', async () => {
    const res = await get(c, 'windows.ps1', `Bearer ${tokenOf(c)}`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'no_release', message: 'release 0.10.0 has no Windows service host (watchpost-agent-service.exe)' });
  });

  it('write server.publicUrl instead of the client URL when it is set', async () => {
    const script = await (await get(proxied, 'install.sh', `Bearer ${tokenOf(proxied)}`)).text();
    expect(script).toContain("WATCHPOST_SERVER='https://watch.example.com/wp'\n");
  });

  it('refuse without a valid token: none, an agent credential, a revoked or used-up token', async () => {
    const { credential } = c.enroll();
    const revoked = c.store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 });
    c.store.tokens.revoke(revoked.id);
    const usedUp = c.store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 });
    expect(c.store.tokens.redeem(usedUp.token, { hostname: 'h' }).ok).toBe(true);
    presented.push(revoked.token, usedUp.token);
    const cases: [string | undefined, string][] = [
      [undefined, 'unauthorized'],
      [`Bearer ${credential}`, 'token_malformed'],
      [`Bearer ${revoked.token}`, 'token_revoked'],
      [`Bearer ${usedUp.token}`, 'token_used_up'],
    ];
    for (const script of ['install.sh', 'windows.ps1']) {
      for (const [authorization, code] of cases) {
        const res = await get(c, script, authorization);
        expect(res.status, `${script} ${authorization}`).toBe(401);
        expect(await res.json()).toMatchObject({ error: code });
      }
    }
  });

  it('answer 503 when there is no release to install', async () => {
    const res = await get(empty, 'install.sh', `Bearer ${tokenOf(empty)}`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'no_release', message: 'no release is available (releases.dir)' });
  });

  it('refuse a Host header that is not a host name', async () => {
    const token = tokenOf(c);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: c.port, path: '/api/v1/deploy/install.sh', headers: { authorization: `Bearer ${token}`, host: "evil';id;'" } },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'bad_host' });
  });
});

describe('GET /api/v1/updates', () => {
  it('shows releases, and per tenant the rollout, the agents it selects and the versions they run', async () => {
    const hosts = ['pilot-1', ...Array.from({ length: 19 }, (_, i) => `ws-${i}`)];
    const agents = hosts.map((hostname) => {
      const { token } = c.store.tokens.create({ tenant: 'pinned', expiresAt: Date.now() + 60_000, uses: 1 });
      const r = c.store.enrollWithToken(token, { hostname, os: 'linux', arch: 'x64', agentVersion: '0.1.0' });
      if (!r.ok) throw new Error(r.reason);
      return { id: r.agentId, hostname, credential: `wpa_${r.agentId}.${r.secret}` };
    });
    // One agent reports the new version in its Hello: the table follows what agents say.
    const live = await openAgent(c.wsUrl, agents[1]!.credential);
    live.send({ hello: { protocolVersion: PROTOCOL_VERSION, agentVersion: '0.2.0', hostname: agents[1]!.hostname, os: 'linux', arch: 'x64' } });
    await live.next((e) => e.msg === 'welcome');
    live.socket.close();

    const res = await fetch(`${c.baseUrl}/api/v1/updates`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { releases: unknown[]; refused: unknown[]; tenants: Record<string, unknown>[] };
    expect(body.releases).toEqual([
      {
        version: '0.10.0',
        created: '2025-01-31T12:00:00.000Z',
        targets: ['linux-x64', 'win-x64'],
        serviceHost: false,
        verified: false,
        transfers: { compressed: [], deltas: [] }, // no rollout names it, nobody downloaded it
      },
      {
        version: '0.2.0',
        created: '2025-01-31T12:00:00.000Z',
        targets: ['linux-x64', 'darwin-arm64', 'win-x64'],
        serviceHost: true,
        verified: false,
        transfers: { compressed: expect.any(Array), deltas: [] }, // the rollout's: compressed in the background
      },
    ]);
    const rollout = { tenant: 'pinned', version: '0.2.0', hosts: ['pilot-1'], percent: 50, rollbackSeconds: 900, available: true };
    const expectedSelected = agents.filter((a) => selects({ ...rollout, isPilot: (h) => h === 'pilot-1' }, a)).length;
    expect(body.tenants.find((t) => t.tenant === 'pinned')).toEqual({
      tenant: 'pinned',
      rollout,
      agents: 20,
      selected: expectedSelected,
      pilot: 1,
      upToDate: 1,
      versions: { '0.1.0': 19, '0.2.0': 1 },
    });
    expect(body.tenants.find((t) => t.tenant === 'acme')).toMatchObject({ rollout: null, selected: 0 });
    expect((await fetch(`${c.baseUrl}/api/v1/updates`)).status).toBe(401);
  });
});

describe('collector logs', () => {
  it('name the scripts served and the refusals, and hold none of the tokens (this file, run in order)', async () => {
    const token = tokenOf(c);
    expect((await fetch(`${c.baseUrl}/api/v1/releases/0.2.0/linux-x64`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(captured).toContain('deployment script served');
    expect(captured).toContain('release download');
    expect(captured).toContain('request refused: enrollment token');
    expect(presented.length).toBeGreaterThan(5);
    for (const t of presented) expect(captured).not.toContain(t.slice(-43));
  });
});

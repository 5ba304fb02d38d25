// The transfer cache on a real collector (releases written as release-sign lays them out, a rollout, real HTTP
// downloads, a real WebSocket agent): each compressed file and each delta is made once, however many downloads ask
// for it and at once, and a restart on the same data directory makes nothing again; an offer queues the delta from
// the agent's release before any download, and so does a rollout staged at 0 % for the releases its tenant's
// agents run; GET /api/v1/updates says what is ready; a reload drops what no loaded release needs; an executable
// changed on disk is never cached under its manifest's hash.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../../proto/index.js';
import { openAgent } from '../../helpers/agent-client.js';
import { ADMIN_KEY, RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { until } from '../../helpers/until.js';
import { releaseKey, sha256, tempDir, writeRelease } from './release-fixture.js';

const key = releaseKey();
const releases = tempDir('wp-releases-');
const CODE = randomBytes(60_000);
const build = (version: string) => Buffer.concat([CODE, Buffer.from(`watchpost-agent ${version}\n`.repeat(3000))]);
const V1 = build('0.1.0');
const V2 = build('0.2.0');
writeRelease(releases, { version: '0.1.0', files: { 'linux-x64': V1 }, key: key.privateKey });
writeRelease(releases, { version: '0.2.0', files: { 'linux-x64': V2, 'win-x64': build('0.2.0-win') }, key: key.privateKey });
const updatesFile = join(tempDir('wp-updates-'), 'updates.yaml');
writeFileSync(updatesFile, 'rollouts:\n  - tenant: acme\n    version: 0.2.0\n');
const dataDir = mkdtempSync(join(tmpdir(), 'wp-transfer-data-'));
const cacheDir = join(dataDir, 'release-cache');

let captured = '';
async function collector(): Promise<TestCollector> {
  captured = '';
  const logs = new PassThrough();
  logs.on('data', (chunk: Buffer) => (captured += chunk.toString()));
  return startCollector({
    sink: new RecordingSink(),
    logStream: logs,
    dataDir,
    env: { WATCHPOST_RELEASES_DIR: releases, WATCHPOST_RELEASES_PUBLIC_KEY: key.publicKeyFile, WATCHPOST_UPDATES_FILE: updatesFile },
  });
}
const made = (kind: string) => captured.split('\n').filter((line) => line.includes(`release cache: ${kind} file made`)).length;

let c: TestCollector;
beforeAll(async () => (c = await collector()));
afterAll(async () => {
  await c.close();
  rmSync(dataDir, { recursive: true, force: true });
});

let hosts = 0;
function download(path: string, headers: Record<string, string>): Promise<{ type: string; encoding: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: c.port, path, headers: { authorization: `Bearer ${c.enroll('acme', `dl-${++hosts}`).credential}`, ...headers } },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ type: String(res.headers['content-type']), encoding: String(res.headers['content-encoding'] ?? 'identity'), bytes }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
const DELTA = { 'accept-encoding': 'br', 'x-watchpost-delta-from': sha256(V1) };
const updates = async () =>
  (await (await fetch(`${c.baseUrl}/api/v1/updates`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as {
    releases: { version: string; transfers: { compressed: string[]; deltas: { from: string; target: string }[] } }[];
  };
const transfers = async (version: string) => (await updates()).releases.find((r) => r.version === version)!.transfers;

describe('the transfer cache', () => {
  it('compresses the executables of the rollout at start, before anyone asks', async () => {
    await until(async () => (await transfers('0.2.0')).compressed.length === 2, 10_000, 'the compressed 0.2.0 executables');
    expect((await transfers('0.2.0')).compressed.sort()).toEqual(['linux-x64', 'win-x64']);
    expect((await transfers('0.1.0')).compressed).toEqual([]); // no rollout names it
    expect(made('compressed')).toBe(2);
  });

  it('queues the delta from the release an agent runs when it is offered the rollout, with no download', async () => {
    const agent = await openAgent(c.wsUrl, c.enroll('acme', 'ws-offered').credential);
    agent.send({ hello: { protocolVersion: PROTOCOL_VERSION, agentVersion: '0.1.0', hostname: 'ws-offered', os: 'linux', arch: 'x64' } });
    await agent.next((e) => e.msg === 'updateOffer');
    await until(async () => (await transfers('0.2.0')).deltas.length === 1, 10_000, 'the delta from 0.1.0');
    expect((await transfers('0.2.0')).deltas).toEqual([{ from: '0.1.0', target: 'linux-x64' }]);
    agent.socket.close();
    expect(captured).not.toContain('"msg":"release download"');
  });

  it('makes each file once, however many downloads ask for it, and at once', async () => {
    const before = readdirSync(cacheDir).map((name) => [name, statSync(join(cacheDir, name)).mtimeMs] as const);
    const all = await Promise.all([
      ...Array.from({ length: 4 }, () => download('/api/v1/releases/0.2.0/linux-x64', DELTA)),
      ...Array.from({ length: 4 }, () => download('/api/v1/releases/0.2.0/linux-x64', { 'accept-encoding': 'br' })),
    ]);
    expect(all.map((d) => d.type)).toEqual([...Array(4).fill('application/vnd.watchpost.delta'), ...Array(4).fill('application/octet-stream')]);
    expect(all.every((d) => d.encoding === 'br')).toBe(true);
    expect([made('compressed'), made('delta')]).toEqual([2, 1]);
    expect(readdirSync(cacheDir).map((name) => [name, statSync(join(cacheDir, name)).mtimeMs] as const)).toEqual(before);
    expect(readdirSync(cacheDir).sort()).toEqual(
      [`${sha256(V1)}-${sha256(V2)}.wpd.br`, ...[sha256(V2), sha256(build('0.2.0-win'))].map((h) => `${h}.br`)].sort(),
    );
  });

  it('a first download of a file not made yet waits for it (here the 0.1.0 one), and it is made once', async () => {
    const first = await Promise.all([1, 2, 3].map(() => download('/api/v1/releases/0.1.0/linux-x64', { 'accept-encoding': 'br' })));
    expect(first.map((d) => d.encoding)).toEqual(['br', 'br', 'br']);
    expect(made('compressed')).toBe(3);
  });

  it('a collector restarted on the same data directory serves from the cache and makes nothing again', async () => {
    await c.close();
    c = await collector();
    expect((await download('/api/v1/releases/0.2.0/linux-x64', DELTA)).type).toBe('application/vnd.watchpost.delta');
    expect((await download('/api/v1/releases/0.1.0/linux-x64', { 'accept-encoding': 'br' })).encoding).toBe('br');
    expect((await transfers('0.2.0')).compressed.sort()).toEqual(['linux-x64', 'win-x64']);
    expect([made('compressed'), made('delta')]).toEqual([0, 0]);
  });

  it('a reload drops the files of a release no longer loaded, and the deltas from it', async () => {
    rmSync(join(releases, '0.1.0'), { recursive: true });
    c.updates.reload();
    expect(readdirSync(cacheDir).sort()).toEqual([sha256(V2), sha256(build('0.2.0-win'))].map((h) => `${h}.br`).sort());
  });

  it('never caches an executable changed on disk since the load: the job fails, the download is the plain file', async () => {
    const changed = Buffer.concat([CODE, Buffer.from(`watchpost-agent 0.3.0\n`.repeat(3000))]);
    writeRelease(releases, { version: '0.3.0', files: { 'linux-x64': changed }, key: key.privateKey });
    c.updates.reload();
    writeFileSync(join(releases, '0.3.0', 'watchpost-agent-linux-x64'), Buffer.concat([CODE, Buffer.from(`watchpost-agent 0.3.1\n`.repeat(3000))]));
    const got = await download('/api/v1/releases/0.3.0/linux-x64', { 'accept-encoding': 'br' });
    expect(got).toMatchObject({ encoding: 'identity', bytes: changed.length });
    expect(captured).toMatch(/watchpost-agent-linux-x64 changed on disk since the releases were loaded/);
    expect(readdirSync(cacheDir).some((name) => name.startsWith(sha256(changed)))).toBe(false);
  });
});

describe('a rollout staged at 0 %', () => {
  it("has the deltas from the releases its tenant's enrolled agents run made at load, before any offer or download", async () => {
    const staged = join(tempDir('wp-updates-'), 'updates.yaml');
    writeFileSync(staged, 'rollouts:\n  - tenant: acme\n    version: 0.2.0\n    percent: 0\n');
    const dir = mkdtempSync(join(tmpdir(), 'wp-transfer-staged-'));
    const other = tempDir('wp-releases-');
    writeRelease(other, { version: '0.1.0', files: { 'linux-x64': V1 }, key: key.privateKey });
    writeRelease(other, { version: '0.2.0', files: { 'linux-x64': V2 }, key: key.privateKey });
    // An agent enrolled (and last heard of) on 0.1.0, not connected: the store is all the collector knows of it.
    const first = await startCollector({ sink: new RecordingSink(), dataDir: dir, env: { WATCHPOST_RELEASES_DIR: other } });
    const { token } = first.store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 });
    expect(first.store.enrollWithToken(token, { hostname: 'ws-staged', os: 'linux', arch: 'x64', agentVersion: '0.1.0' }).ok).toBe(true);
    await first.close();
    const staging = await startCollector({
      sink: new RecordingSink(),
      dataDir: dir,
      env: { WATCHPOST_RELEASES_DIR: other, WATCHPOST_UPDATES_FILE: staged },
    });
    try {
      const cache = join(dir, 'release-cache');
      await until(() => readdirSync(cache).includes(`${sha256(V1)}-${sha256(V2)}.wpd.br`), 10_000, 'the delta 0.1.0 -> 0.2.0');
    } finally {
      await staging.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

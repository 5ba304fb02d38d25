// Update offers through a real collector and a real WebSocket client speaking the protocol: the offer after
// Welcome for an agent the rollout selects, none otherwise, and the new offer pushed to live agents after a
// reload (what serve does on SIGHUP; the last test sends a real SIGHUP to `watchpost-collector serve`).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type watchpost } from '../../../proto/index.js';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { openAgent, type TestAgent } from '../../helpers/agent-client.js';
import { until } from '../../helpers/until.js';
import { freePort } from '../../helpers/influxd.js';
import { openStore, formatAgentCredential } from '../../../collector/src/store/index.js';
import { loadReleasePublicKey, verifyRelease } from '../../../collector/src/releases/signature.js';
import { releaseKey, sha256, tempDir, writeRelease } from './release-fixture.js';

const key = releaseKey();
const releases = tempDir('wp-releases-');
writeRelease(releases, { version: '0.2.0', files: { 'linux-x64': 'linux 0.2.0', 'win-x64': 'win 0.2.0' }, key: key.privateKey });
writeRelease(releases, { version: '0.3.0', files: { 'linux-x64': 'linux 0.3.0' }, key: key.privateKey });
const updatesFile = join(tempDir('wp-updates-'), 'updates.yaml');
const writeUpdates = (yaml: string) => writeFileSync(updatesFile, yaml);
writeUpdates('rollouts:\n  - tenant: acme\n    version: 0.2.0\n    hosts: ["pilot-*"]\n    rollback_seconds: 600\n');

const logs = new PassThrough();
let captured = '';
logs.on('data', (chunk: Buffer) => (captured += chunk.toString()));
let c: TestCollector;
beforeAll(async () => {
  c = await startCollector({
    sink: new RecordingSink(),
    logStream: logs,
    env: { WATCHPOST_RELEASES_DIR: releases, WATCHPOST_RELEASES_PUBLIC_KEY: key.publicKeyFile, WATCHPOST_UPDATES_FILE: updatesFile },
  });
});
afterAll(async () => c.close());

type HelloFields = Partial<watchpost.v1.IHello>;

let pilots = 0;
/** Enrolls (as `fields.hostname`, else a new pilot-* host: the rollout selects by the enrolled hostname), connects,
 *  says Hello, and waits for Welcome and the answer to a heartbeat sent after it: any offer comes right after
 *  Welcome, before that answer, so frames then holds everything the Hello caused. */
async function connect(fields: HelloFields): Promise<TestAgent> {
  const hostname = fields.hostname ?? `pilot-1${++pilots}`;
  const { credential } = c.enroll('acme', hostname);
  const agent = await openAgent(c.wsUrl, credential);
  agent.send({ hello: { protocolVersion: PROTOCOL_VERSION, agentVersion: '0.1.0', os: 'linux', arch: 'x64', ...fields, hostname } });
  await agent.next((e) => e.msg === 'welcome');
  agent.send({ heartbeat: { timeMs: Date.now() } });
  await agent.next((e) => e.msg === 'heartbeat');
  return agent;
}

const offers = (agent: TestAgent) => agent.frames.filter((e) => e.msg === 'updateOffer').map((e) => e.updateOffer!);

describe('update offers', () => {
  it('follow Welcome for a pilot host, signed, with the download path and the rollback deadline', async () => {
    const agent = await connect({ hostname: 'PILOT-01' });
    const index = agent.frames.findIndex((e) => e.msg === 'updateOffer');
    expect(agent.frames[index - 1]?.msg).toBe('welcome');
    const offer = offers(agent)[0]!;
    expect(offer).toMatchObject({
      version: '0.2.0',
      target: 'linux-x64',
      url: '/api/v1/releases/0.2.0/linux-x64',
      sha256: sha256('linux 0.2.0'),
      rollbackSeconds: 600,
    });
    expect(verifyRelease(loadReleasePublicKey(key.publicKeyFile), '0.2.0', 'linux-x64', offer.sha256!, offer.signature!)).toBe(true);
    agent.socket.close();
  });

  it('maps win32 to the win-x64 executable', async () => {
    const agent = await connect({ os: 'win32', arch: 'x64' });
    expect(offers(agent)).toMatchObject([{ target: 'win-x64', url: '/api/v1/releases/0.2.0/win-x64', sha256: sha256('win 0.2.0') }]);
    agent.socket.close();
  });

  it.each([
    ['the agent already runs the version', { agentVersion: '0.2.0' }],
    ['the release has no executable for its target', { os: 'darwin', arch: 'arm64' }],
    ['no executable is built for its platform', { os: 'freebsd', arch: 'x64' }],
    ['the rollout does not select it', { hostname: 'ws-0042' }],
  ])('are not made when %s', async (_why, fields) => {
    const agent = await connect(fields);
    expect(offers(agent)).toEqual([]);
    agent.socket.close();
  });

  it('reach live agents after a reload that changes them, once, and a bad file changes nothing', async () => {
    const outside = await connect({ hostname: 'ws-0001' });
    const pilot = await connect({ hostname: 'pilot-02' });
    expect(offers(outside)).toEqual([]);
    expect(offers(pilot)).toHaveLength(1);

    writeUpdates('rollouts:\n  - tenant: "*"\n    version: 0.3.0\n');
    c.updates.reload();
    expect(c.hub.pushUpdateOffers()).toBeGreaterThanOrEqual(2);
    await outside.next((e) => e.msg === 'updateOffer');
    await pilot.next((e) => e.msg === 'updateOffer' && e.updateOffer!.version === '0.3.0');
    expect(offers(outside)).toMatchObject([{ version: '0.3.0', rollbackSeconds: 900, sha256: sha256('linux 0.3.0') }]);
    expect(offers(pilot).map((o) => o.version)).toEqual(['0.2.0', '0.3.0']);
    // Same offers again: nobody is sent anything.
    c.updates.reload();
    expect(c.hub.pushUpdateOffers()).toBe(0);

    writeUpdates('rollouts:\n  - tenant: acme\n    version: 0.4.0\n    percent: 200\n');
    c.updates.reload();
    expect(c.hub.pushUpdateOffers()).toBe(0);
    expect(captured).toContain('rollouts reload failed; keeping the rollouts in force');
    expect(captured).toContain('rollouts[0].percent: Expected number to be less or equal to 100');

    // A tampered executable makes its release refused at the next reload: the offer is withdrawn from new Hellos.
    writeFileSync(join(releases, '0.3.0', 'watchpost-agent-linux-x64'), 'tampered');
    c.updates.reload();
    expect(c.hub.pushUpdateOffers()).toBe(0);
    expect(captured).toContain('release refused: not offered nor served');
    const late = await connect({ hostname: 'ws-0003' });
    expect(offers(late)).toEqual([]);
    writeFileSync(join(releases, '0.3.0', 'watchpost-agent-linux-x64'), 'linux 0.3.0');
    c.updates.reload();
    for (const agent of [outside, pilot, late]) agent.socket.close();
  });
});

describe('watchpost-collector serve', () => {
  it('pushes a changed offer to a live agent on SIGHUP', async () => {
    const dataDir = tempDir('wp-serve-');
    const port = await freePort();
    const updates = join(tempDir('wp-updates-'), 'updates.yaml');
    writeFileSync(updates, 'rollouts: []\n');
    const store = openStore(join(dataDir, 'watchpost.db'));
    store.tenants.add({ id: 'acme', name: 'Acme' });
    const { token } = store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 });
    const enrolled = store.enrollWithToken(token, { hostname: 'ws-1', os: 'linux', arch: 'x64', agentVersion: '0.1.0' });
    store.close();
    if (!enrolled.ok) throw new Error(enrolled.reason);
    const env = {
      ...process.env,
      WATCHPOST_DATA_DIR: dataDir,
      WATCHPOST_LISTEN: `127.0.0.1:${port}`,
      WATCHPOST_INFLUX_URL: 'http://127.0.0.1:9', // nothing there: the collector starts anyway and acks nothing
      WATCHPOST_RELEASES_DIR: releases,
      WATCHPOST_RELEASES_PUBLIC_KEY: key.publicKeyFile,
      WATCHPOST_UPDATES_FILE: updates,
    };
    const serve = spawn(process.execPath, ['--import', 'tsx', 'collector/src/bin.ts', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    serve.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    serve.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    try {
      await until(() => log.includes('Server listening'), 20_000, `serve listening (log: ${log})`);
      const agent = await openAgent(`ws://127.0.0.1:${port}/agent/v1`, formatAgentCredential(enrolled.agentId, enrolled.secret));
      agent.send({ hello: { protocolVersion: PROTOCOL_VERSION, agentVersion: '0.1.0', hostname: 'ws-1', os: 'linux', arch: 'x64' } });
      await agent.next((e) => e.msg === 'welcome');
      writeFileSync(updates, 'rollouts:\n  - tenant: acme\n    version: 0.2.0\n    hosts: [ws-1]\n');
      serve.kill('SIGHUP');
      const offer = await agent.next((e) => e.msg === 'updateOffer');
      expect(offer.updateOffer).toMatchObject({ version: '0.2.0', target: 'linux-x64', sha256: sha256('linux 0.2.0') });
      agent.socket.close();
    } finally {
      serve.kill('SIGTERM');
      await new Promise((resolve) => serve.once('exit', resolve));
    }
  });
});

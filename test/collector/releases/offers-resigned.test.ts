// A release re-signed in place (say, first signed with the wrong key) is a new offer: with no releases.publicKey
// the collector serves what the manifest says and leaves the verdict to the agent, which remembers a refusal per
// exact offer. So a reload that changes only the signature must reach live agents, once.
import { generateKeyPairSync } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../../proto/index.js';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { openAgent } from '../../helpers/agent-client.js';
import { tempDir, writeRelease } from './release-fixture.js';

const releases = tempDir('wp-releases-');
const release = (key = generateKeyPairSync('ed25519').privateKey) => {
  rmSync(join(releases, '0.2.0'), { recursive: true, force: true });
  writeRelease(releases, { version: '0.2.0', files: { 'linux-x64': 'linux 0.2.0' }, key });
};
const updatesFile = join(tempDir('wp-updates-'), 'updates.yaml');
writeFileSync(updatesFile, 'rollouts:\n  - tenant: acme\n    version: 0.2.0\n');
release();

let c: TestCollector;
beforeAll(async () => {
  c = await startCollector({ sink: new RecordingSink(), env: { WATCHPOST_RELEASES_DIR: releases, WATCHPOST_UPDATES_FILE: updatesFile } });
});
afterAll(async () => c.close());

describe('a re-signed release', () => {
  it('is offered again to a live agent after a reload; an unchanged release is not', async () => {
    const { credential } = c.enroll();
    const agent = await openAgent(c.wsUrl, credential);
    agent.send({ hello: { protocolVersion: PROTOCOL_VERSION, agentVersion: '0.1.0', hostname: 'ws-1', os: 'linux', arch: 'x64' } });
    const first = (await agent.next((e) => e.msg === 'updateOffer')).updateOffer!;

    c.updates.reload();
    expect(c.hub.pushUpdateOffers()).toBe(0); // same files, same signature: nothing new

    release(); // the same executable, signed with another key
    c.updates.reload();
    expect(c.hub.pushUpdateOffers()).toBe(1);
    const second = (
      await agent.next((e) => e.msg === 'updateOffer' && Buffer.compare(Buffer.from(e.updateOffer!.signature!), Buffer.from(first.signature!)) !== 0)
    ).updateOffer!;
    expect(second).toMatchObject({ version: '0.2.0', target: 'linux-x64', sha256: first.sha256 });
    agent.socket.close();
  });
});

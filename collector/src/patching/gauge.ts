// `patch_status`: where the updates of each tenant with a patch policy stand, per ring, written every
// PATCH_GAUGE_EVERY_MS (the first soon after the collector starts) for Grafana (a state "now" per update and host cannot be derived from the agents' points in
// InfluxQL). Counts are of (update, host) rows as GET /api/v1/patches shows them (status.ts); a ring that drops to
// zero in every count is written once as zeros, so last() never shows a stale count.
//
// patch_status: tags tenant, host (the collector's hostname), ring;
//               fields approved, installed, failed, pending, declined (integer: updates x hosts).
import type { FastifyInstance } from 'fastify';
import { hostname } from 'node:os';
import type { watchpost } from '../../../proto/index.js';
import type { RuleSet } from '../alerting/rules/rules-file.js';
import { samplesToLines } from '../influx/line-protocol.js';
import type { Store } from '../store/index.js';
import { patchStatus, ringSummary } from './status.js';

export const PATCH_STATUS_MEASUREMENT = 'patch_status';
export const PATCH_GAUGE_EVERY_MS = 5 * 60_000;
/** How often the timer looks: the first write comes this long after the start, not PATCH_GAUGE_EVERY_MS. */
export const PATCH_GAUGE_CHECK_MS = 15_000;

export interface PatchGaugeDeps {
  store: Store;
  rules: () => RuleSet;
  /** The host tag of the points; default os.hostname(). */
  host?: string;
  onError?: (tenant: string, error: unknown) => void;
}

/** Returns write(now): the counts of every tenant with a policy into the InfluxDB outbox; returns the lines written. */
export function createPatchGauge(deps: PatchGaugeDeps): (now: number) => number {
  const host = deps.host ?? hostname();
  let previous = new Set<string>();
  return (now) => {
    const rules = deps.rules();
    const lines: string[] = [];
    const seen = new Set<string>();
    for (const tenant of deps.store.tenants.list().map((t) => t.id)) {
      if (!rules.terms(tenant).patches) continue;
      try {
        for (const c of ringSummary(rules, tenant, patchStatus(deps.store, rules, tenant, now))) {
          seen.add(`${tenant}\u0000${c.ring}`);
          lines.push(...toLines(tenant, host, now, patchStatusSample(c.ring, now, c)));
        }
      } catch (error) {
        deps.onError?.(tenant, error);
      }
    }
    for (const key of previous) {
      if (seen.has(key)) continue;
      const [tenant = '', ring = ''] = key.split('\u0000');
      lines.push(...toLines(tenant, host, now, patchStatusSample(ring, now, { approved: 0, installed: 0, failed: 0, pending: 0, declined: 0 })));
    }
    previous = seen;
    if (lines.length > 0) deps.store.influxOutbox.append(lines);
    return lines.length;
  };
}

type Counts = Record<'approved' | 'installed' | 'failed' | 'pending' | 'declined', number>;

/** One ring's point (tenant and host are added as the line's identity). */
export function patchStatusSample(ring: string, now: number, c: Counts): watchpost.v1.ISample {
  return {
    measurement: PATCH_STATUS_MEASUREMENT,
    timeMs: now,
    tags: [{ key: 'ring', value: ring }],
    fields: (['approved', 'installed', 'failed', 'pending', 'declined'] as const).map((key) => ({ key, int: c[key] })),
  };
}

const toLines = (tenant: string, host: string, now: number, sample: watchpost.v1.ISample): string[] =>
  samplesToLines([sample], { tenant, host }, { nowMs: now }).lines;

/** Writes the gauge from onReady to onClose (not when tickMs is 0: tests call the writer themselves). */
export function startPatchGauge(
  app: FastifyInstance,
  deps: PatchGaugeDeps & { now?: () => number; tickMs?: number; active?: () => boolean },
): (now: number) => number {
  const write = createPatchGauge(deps);
  const now = deps.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  let last = -Infinity;
  app.addHook('onReady', async () => {
    if (deps.tickMs === 0) return;
    const every = deps.tickMs ?? PATCH_GAUGE_EVERY_MS;
    timer = setInterval(
      () => {
        const t = now();
        // With several collectors only the leader writes the fleet's gauge (`active`).
        if (t - last < every || deps.active?.() === false) return;
        last = t;
        try {
          write(t);
        } catch (error) {
          app.log.error({ err: (error as Error).message }, 'writing the patch_status gauge failed; trying again at the next check');
        }
      },
      Math.min(every, PATCH_GAUGE_CHECK_MS),
    ).unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
  return write;
}

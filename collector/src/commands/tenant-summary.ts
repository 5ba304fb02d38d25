// What `tenant list` and `tenant show` say about a tenant: its agents (online and offline as the serving collector
// recorded them: agents.ts), its unresolved tickets, usable enrollment tokens, API keys and where its tickets go.
import type { Config } from '../config/config.js';
import { parseDuration } from '../config/duration.js';
import { loadDesks } from '../desks/desks-file.js';
import { recordedOnline, StoreError, type ApiKeyInfo, type Store, type Tenant, type TenantTicketCounts } from '../store/index.js';

export interface TenantSummary extends Tenant {
  /** Agents not revoked, split by whether they are connected now; revoked ones are history. */
  agents: { online: number; offline: number; revoked: number };
  /** Unresolved tickets by status. */
  tickets: TenantTicketCounts;
  /** Enrollment tokens that can still enroll (not revoked, not expired, uses left), and all of them. */
  tokens: { usable: number; total: number };
  /** The tenant's own API keys (admin keys reach it too and are not listed), revoked ones included. */
  apiKeys: ApiKeyInfo[];
}

export interface DeskRouting {
  /** The desks its tickets go to and the events each takes; null when the desks file could not be read. */
  desks: { desk: string; type: string; events: string[] }[] | null;
  /** Why there are no desks to show: no desks file, or the error reading it (its ${ENV} secrets missing here, say). */
  note: string | null;
}

/** The tenant or StoreError `tenant_unknown` (exit 1 naming it). */
export function mustGetTenant(store: Store, id: string): Tenant {
  const tenant = store.tenants.get(id);
  if (!tenant) throw new StoreError('tenant_unknown', `unknown tenant: ${id} (see \`tenant list\`)`);
  return tenant;
}

export function tenantSummary(store: Store, config: Config, tenant: Tenant, now = Date.now()): TenantSummary {
  const agents = { online: 0, offline: 0, revoked: 0 };
  const heartbeatMs = parseDuration(config.agents.heartbeat);
  for (const a of store.agents.list(tenant.id)) agents[a.revokedAt !== null ? 'revoked' : recordedOnline(a, now, heartbeatMs) ? 'online' : 'offline']++;
  const tokens = store.tokens.list(tenant.id);
  const usable = tokens.filter((t) => t.revokedAt === null && t.expiresAt > now && t.usesLeft > 0).length;
  return {
    ...tenant,
    agents,
    tickets: store.tenants.unresolvedTickets(tenant.id),
    tokens: { usable, total: tokens.length },
    apiKeys: store.apiKeys.list().filter((k) => k.tenant === tenant.id),
  };
}

/** The desks the tenant's tickets go to, from the desks file as `serve` loads it. Never throws: a failure is the note. */
export function deskRouting(config: Config, tenant: string): DeskRouting {
  if (!config.desks.file) return { desks: [], note: 'desks.file is not set: tickets stay in Watchpost' };
  try {
    const routes = loadDesks(config.desks.file).routes(tenant);
    return {
      desks: routes.map((r) => ({ desk: r.desk, type: r.type, events: [...r.events] })),
      note: routes.length === 0 ? 'no desk: tickets stay in Watchpost' : null,
    };
  } catch (error) {
    return { desks: null, note: `cannot read the desks file: ${(error as Error).message}` };
  }
}

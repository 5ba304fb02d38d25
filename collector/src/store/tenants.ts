// Tenants: the MSP's clients. Every token and agent belongs to one; the id is the `tenant` tag on every point.
// A removed tenant keeps its row (removedAt set): its agents, tokens, keys and tickets reference it and its ticket
// history is kept. Nothing new can be made for it (tenantCheck), and its id is never given to another tenant.
import type { Db } from './db.js';
import { StoreError } from './errors.js';

export const TENANT_ID_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const MAX_TENANT_NAME_LENGTH = 200;

export interface Tenant {
  id: string;
  name: string;
  createdAt: number;
  /** When `tenant remove` retired it; null while it is a client. */
  removedAt: number | null;
}

/** A tenant's unresolved tickets by status. */
export interface TenantTicketCounts {
  open: number;
  acknowledged: number;
}

export interface TenantStore {
  /** Throws StoreError `invalid_id`, `invalid_argument` (empty or oversized name) or `tenant_exists` (a removed one too). */
  add(input: { id: string; name: string }): Tenant;
  get(id: string): Tenant | null;
  /** Ordered by id, removed ones included. */
  list(): Tenant[];
  /** Counts the tenant's unresolved tickets (one indexed query, however long its history). */
  unresolvedTickets(id: string): TenantTicketCounts;
  /**
   * Marks the tenant removed at `at` (kept if already removed). Only the mark: what happens to its agents, tokens,
   * keys and tickets is decided by the caller in the same transaction. Throws `tenant_unknown`.
   */
  markRemoved(id: string, at: number): void;
}

interface TenantRow {
  id: string;
  name: string;
  created_at: number;
  removed_at: number | null;
}

const COLUMNS = 'id, name, created_at, removed_at';

export function validateTenantId(id: string): void {
  if (!TENANT_ID_RE.test(id)) {
    throw new StoreError('invalid_id', `invalid tenant id ${JSON.stringify(id)}: expected 1-63 lowercase letters, digits or '-', not starting with '-'`);
  }
}

function toTenant(row: TenantRow): Tenant {
  return { id: row.id, name: row.name, createdAt: row.created_at, removedAt: row.removed_at };
}

const removedOn = (at: number): string => new Date(at).toISOString().slice(0, 10);

/**
 * The check the other stores run before they make something for a tenant (an agent, a token, an API key): throws
 * StoreError `tenant_unknown` for an id that does not exist or names a removed tenant (the message says which).
 */
export function tenantCheck(db: Db): (tenant: string) => void {
  const removedAt = db.prepare('SELECT removed_at FROM tenants WHERE id = ?').pluck();
  return (tenant) => {
    const at = removedAt.get(tenant) as number | null | undefined;
    if (at === undefined) throw new StoreError('tenant_unknown', `unknown tenant: ${tenant}`);
    if (at !== null) throw new StoreError('tenant_unknown', `tenant ${tenant} was removed on ${removedOn(at)}`);
  };
}

export function createTenantStore(db: Db, now: () => number): TenantStore {
  const insert = db.prepare('INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  const byId = db.prepare(`SELECT ${COLUMNS} FROM tenants WHERE id = ?`);
  const all = db.prepare(`SELECT ${COLUMNS} FROM tenants ORDER BY id`);
  const remove = db.prepare('UPDATE tenants SET removed_at = coalesce(removed_at, ?) WHERE id = ?');
  // The same term as the partial index tickets_one_unresolved, so only the unresolved tickets are read.
  const unresolved = db.prepare("SELECT status, count(*) AS n FROM tickets WHERE tenant = ? AND status != 'resolved' GROUP BY status");
  const get = (id: string): Tenant | null => {
    const row = byId.get(id) as TenantRow | undefined;
    return row ? toTenant(row) : null;
  };

  return {
    add({ id, name }) {
      validateTenantId(id);
      const trimmed = name.trim();
      if (trimmed === '' || trimmed.length > MAX_TENANT_NAME_LENGTH) {
        throw new StoreError('invalid_argument', `tenant name must be 1-${MAX_TENANT_NAME_LENGTH} characters`);
      }
      const tenant: Tenant = { id, name: trimmed, createdAt: now(), removedAt: null };
      if (insert.run(tenant.id, tenant.name, tenant.createdAt).changes === 0) {
        const removedAt = get(id)?.removedAt;
        const why = removedAt == null ? '' : ` (removed on ${removedOn(removedAt)}; its history keeps the id, so choose another)`;
        throw new StoreError('tenant_exists', `tenant exists: ${id}${why}`);
      }
      return tenant;
    },
    get,
    list() {
      return (all.all() as TenantRow[]).map(toTenant);
    },
    unresolvedTickets(id) {
      const counts: TenantTicketCounts = { open: 0, acknowledged: 0 };
      for (const row of unresolved.all(id) as { status: keyof TenantTicketCounts; n: number }[]) counts[row.status] = row.n;
      return counts;
    },
    markRemoved(id, at) {
      if (remove.run(at, id).changes === 0) throw new StoreError('tenant_unknown', `unknown tenant: ${id}`);
    },
  };
}

// Tenants: the MSP's clients. Every token and agent belongs to one; the id is the `tenant` tag on every point.
import type { Db } from './db.js';
import { StoreError } from './errors.js';

export const TENANT_ID_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const MAX_TENANT_NAME_LENGTH = 200;

export interface Tenant {
  id: string;
  name: string;
  createdAt: number;
}

export interface TenantStore {
  /** Throws StoreError `invalid_id`, `invalid_argument` (empty or oversized name) or `tenant_exists`. */
  add(input: { id: string; name: string }): Tenant;
  get(id: string): Tenant | null;
  /** Ordered by id. */
  list(): Tenant[];
}

interface TenantRow {
  id: string;
  name: string;
  created_at: number;
}

export function validateTenantId(id: string): void {
  if (!TENANT_ID_RE.test(id)) {
    throw new StoreError('invalid_id', `invalid tenant id ${JSON.stringify(id)}: expected 1-63 lowercase letters, digits or '-', not starting with '-'`);
  }
}

function toTenant(row: TenantRow): Tenant {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}

export function createTenantStore(db: Db, now: () => number): TenantStore {
  const insert = db.prepare('INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  const byId = db.prepare('SELECT id, name, created_at FROM tenants WHERE id = ?');
  const all = db.prepare('SELECT id, name, created_at FROM tenants ORDER BY id');

  return {
    add({ id, name }) {
      validateTenantId(id);
      const trimmed = name.trim();
      if (trimmed === '' || trimmed.length > MAX_TENANT_NAME_LENGTH) {
        throw new StoreError('invalid_argument', `tenant name must be 1-${MAX_TENANT_NAME_LENGTH} characters`);
      }
      const tenant: Tenant = { id, name: trimmed, createdAt: now() };
      if (insert.run(tenant.id, tenant.name, tenant.createdAt).changes === 0) {
        throw new StoreError('tenant_exists', `tenant exists: ${id}`);
      }
      return tenant;
    },
    get(id) {
      const row = byId.get(id) as TenantRow | undefined;
      return row ? toTenant(row) : null;
    },
    list() {
      return (all.all() as TenantRow[]).map(toTenant);
    },
  };
}

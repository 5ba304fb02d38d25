// API keys in the real SQLite store: shown once, stored hashed, found by id, revocable; scoped to every tenant
// (admin) or to one tenant with a role (read, operate); named after the person or system that holds them.
import { describe, expect, it } from 'vitest';
import { clock, codeOf, HOUR, open, rawBytes, T0, tempDbPath } from './helpers.js';

describe('api keys', () => {
  it('creates a key shown once, authenticates it, and keeps no plaintext in the file', () => {
    const file = tempDbPath();
    const store = open(file);
    const { key, id } = store.apiKeys.create({ name: ' grafana ' });
    expect(key).toMatch(new RegExp(`^wpk_${id}_[A-Za-z0-9_-]{43}$`));
    expect(store.apiKeys.authenticate(key)).toEqual({ id, name: 'grafana', tenant: null, role: 'admin', createdAt: T0, revokedAt: null });
    store.close();
    expect(rawBytes(file).includes(Buffer.from(key.slice(-43)))).toBe(false);
  });

  it.each([
    ['a wrong secret for a real id', (key: string) => key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A')],
    ['an unknown id', () => 'wpk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a malformed key', () => 'wpk_nope'],
    ['an enrollment-token-shaped key', (key: string) => key.replace('wpk_', 'wpe_')],
    ['an oversized value', () => 'wpk_' + 'a'.repeat(10_000)],
  ])('refuses %s', (_what, mangle) => {
    const store = open(tempDbPath());
    const { key } = store.apiKeys.create({ name: 'ops' });
    expect(store.apiKeys.authenticate(mangle(key))).toBeNull();
  });

  it('revokes idempotently and lists without secrets; counts the active keys', () => {
    const c = clock();
    const store = open(tempDbPath(), c);
    const a = store.apiKeys.create({ name: 'a' });
    c.advance(HOUR);
    const b = store.apiKeys.create({ name: 'b' });
    expect(store.apiKeys.activeCount()).toBe(2);
    store.apiKeys.revoke(a.id);
    c.advance(HOUR);
    store.apiKeys.revoke(a.id);
    expect(store.apiKeys.authenticate(a.key)).toBeNull();
    expect(store.apiKeys.authenticate(b.key)).not.toBeNull();
    expect(store.apiKeys.activeCount()).toBe(1);
    expect(store.apiKeys.list()).toEqual([
      { id: a.id, name: 'a', tenant: null, role: 'admin', createdAt: T0, revokedAt: T0 + HOUR },
      { id: b.id, name: 'b', tenant: null, role: 'admin', createdAt: T0 + HOUR, revokedAt: null },
    ]);
    expect(codeOf(() => store.apiKeys.revoke('0000000000000000'))).toBe('api_key_unknown');
    expect(codeOf(() => store.apiKeys.create({ name: '  ' }))).toBe('invalid_argument');
  });

  it('scopes a key to one tenant with a role, and says so when it authenticates and in the list', () => {
    const c = clock();
    const store = open(tempDbPath(), c);
    store.tenants.add({ id: 'acme', name: 'Acme' });
    const read = store.apiKeys.create({ name: 'Acme IT (contract B)', tenant: 'acme', role: 'read' });
    c.advance(HOUR);
    const operate = store.apiKeys.create({ name: 'Jane Doe', tenant: 'acme', role: 'operate' });
    expect(store.apiKeys.authenticate(read.key)).toMatchObject({ id: read.id, name: 'Acme IT (contract B)', tenant: 'acme', role: 'read' });
    expect(store.apiKeys.authenticate(operate.key)).toMatchObject({ id: operate.id, name: 'Jane Doe', tenant: 'acme', role: 'operate' });
    expect(store.apiKeys.list().map((k) => [k.name, k.tenant, k.role])).toEqual([
      ['Acme IT (contract B)', 'acme', 'read'],
      ['Jane Doe', 'acme', 'operate'],
    ]);
  });

  it.each([
    [{ name: 'x', tenant: 'nobody', role: 'read' }, 'tenant_unknown'],
    [{ name: 'x', tenant: 'acme' }, 'invalid_argument'],
    [{ name: 'x', role: 'read' }, 'invalid_argument'],
    [{ name: 'x', tenant: 'acme', role: 'admin' }, 'invalid_argument'],
    [{ name: 'x', tenant: 'acme', role: 'write' }, 'invalid_argument'],
    [{ name: 'Jane\nDoe' }, 'invalid_argument'],
    [{ name: 'Jane\u0000' }, 'invalid_argument'],
    [{ name: 'J'.repeat(101) }, 'invalid_argument'],
  ])('refuses to create %j', (input, code) => {
    const store = open(tempDbPath());
    store.tenants.add({ id: 'acme', name: 'Acme' });
    expect(codeOf(() => store.apiKeys.create(input as Parameters<typeof store.apiKeys.create>[0]))).toBe(code);
    expect(store.apiKeys.list()).toEqual([]);
  });
});

// Admin API keys in the real SQLite store: shown once, stored hashed, found by id, revocable.
import { describe, expect, it } from 'vitest';
import { clock, codeOf, HOUR, open, rawBytes, T0, tempDbPath } from './helpers.js';

describe('api keys', () => {
  it('creates a key shown once, authenticates it, and keeps no plaintext in the file', () => {
    const file = tempDbPath();
    const store = open(file);
    const { key, id } = store.apiKeys.create({ name: ' grafana ' });
    expect(key).toMatch(new RegExp(`^wpk_${id}_[A-Za-z0-9_-]{43}$`));
    expect(store.apiKeys.authenticate(key)).toEqual({ id, name: 'grafana', createdAt: T0, revokedAt: null });
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
      { id: a.id, name: 'a', createdAt: T0, revokedAt: T0 + HOUR },
      { id: b.id, name: 'b', createdAt: T0 + HOUR, revokedAt: null },
    ]);
    expect(codeOf(() => store.apiKeys.revoke('0000000000000000'))).toBe('api_key_unknown');
    expect(codeOf(() => store.apiKeys.create({ name: '  ' }))).toBe('invalid_argument');
  });
});

import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RedeemResult } from '../../../collector/src/store/index.js';
import { clock, codeOf, HOUR, open, rawBytes, tempDbPath, T0 } from './helpers.js';

const HOST = { hostname: 'ws-01' };

function storeWithTenant(file = tempDbPath(), c = clock()) {
  const store = open(file, c);
  store.tenants.add({ id: 'acme', name: 'Acme' });
  return store;
}

describe('enrollment tokens', () => {
  it('redeems up to its number of uses, then reports used_up', () => {
    const store = storeWithTenant();
    const { token, id } = store.tokens.create({ tenant: 'acme', expiresAt: T0 + HOUR, uses: 2 });
    expect(token).toMatch(new RegExp(`^wpe_${id}_[A-Za-z0-9_-]{43}$`));
    expect(store.tokens.redeem(token, HOST)).toEqual({ ok: true, tenant: 'acme', tokenId: id });
    expect(store.tokens.redeem(token, { hostname: 'ws-02' })).toMatchObject({ ok: true, tenant: 'acme' });
    expect(store.tokens.redeem(token, HOST)).toEqual({ ok: false, reason: 'used_up' });
    expect(store.tokens.list('acme')[0]).toMatchObject({ id, maxUses: 2, usesLeft: 0, lastUsedAt: T0, lastUsedBy: 'ws-02' });
  });

  it('check answers as redeem would without consuming a use', () => {
    const c = clock();
    const store = storeWithTenant(tempDbPath(), c);
    const { token, id } = store.tokens.create({ tenant: 'acme', expiresAt: T0 + HOUR, uses: 1 });
    expect(store.tokens.check(token)).toEqual({ ok: true, tenant: 'acme', tokenId: id });
    expect(store.tokens.check(token)).toEqual({ ok: true, tenant: 'acme', tokenId: id });
    expect(store.tokens.list()[0]).toMatchObject({ usesLeft: 1, lastUsedAt: null });
    expect(store.tokens.check(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))).toEqual({ ok: false, reason: 'unknown' });
    expect(store.tokens.check('garbage')).toEqual({ ok: false, reason: 'malformed' });
    expect(store.tokens.redeem(token, HOST).ok).toBe(true);
    expect(store.tokens.check(token)).toEqual({ ok: false, reason: 'used_up' });
    const other = store.tokens.create({ tenant: 'acme', expiresAt: T0 + HOUR, uses: 5 });
    c.advance(HOUR);
    expect(store.tokens.check(other.token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('expires at expiresAt', () => {
    const c = clock();
    const store = storeWithTenant(tempDbPath(), c);
    const { token } = store.tokens.create({ tenant: 'acme', expiresAt: T0 + HOUR, uses: 5 });
    c.advance(HOUR - 1);
    expect(store.tokens.redeem(token, HOST).ok).toBe(true);
    c.advance(1);
    expect(store.tokens.redeem(token, HOST)).toEqual({ ok: false, reason: 'expired' });
    expect(store.tokens.list()[0]?.usesLeft).toBe(4);
  });

  it('refuses a revoked token; revoking twice keeps the first time', () => {
    const c = clock();
    const store = storeWithTenant(tempDbPath(), c);
    const { token, id } = store.tokens.create({ tenant: 'acme', expiresAt: T0 + HOUR, uses: 5 });
    store.tokens.revoke(id);
    c.advance(1000);
    store.tokens.revoke(id);
    expect(store.tokens.redeem(token, HOST)).toEqual({ ok: false, reason: 'revoked' });
    expect(store.tokens.list()[0]).toMatchObject({ revokedAt: T0, usesLeft: 5 });
    expect(codeOf(() => store.tokens.revoke('0000000000000000'))).toBe('token_unknown');
  });

  it.each([
    ['empty', ''],
    ['garbage', 'hello'],
    ['agent credential shape', `wpa_ag_${'0'.repeat(32)}.${'A'.repeat(43)}`],
    ['truncated', 'wpe_0123456789abcdef_abc'],
  ])('reports malformed for %s', (_name, input) => {
    const store = storeWithTenant(tempDbPath());
    expect(store.tokens.redeem(input, HOST)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('reports unknown for an unknown id and for a known id with the wrong secret', () => {
    const store = storeWithTenant();
    const { token, id } = store.tokens.create({ tenant: 'acme', expiresAt: T0 + HOUR, uses: 1 });
    const otherSecret = `wpe_${id}_${'B'.repeat(43)}`;
    expect(store.tokens.redeem(otherSecret, HOST)).toEqual({ ok: false, reason: 'unknown' });
    expect(store.tokens.redeem(`wpe_${'f'.repeat(16)}_${token.slice(-43)}`, HOST)).toEqual({ ok: false, reason: 'unknown' });
    expect(store.tokens.redeem(token, HOST).ok).toBe(true);
  });

  it.each([
    [{ tenant: 'nobody', expiresAt: T0 + HOUR, uses: 1 }, 'tenant_unknown'],
    [{ tenant: 'acme', expiresAt: T0 + HOUR, uses: 0 }, 'invalid_argument'],
    [{ tenant: 'acme', expiresAt: T0 + HOUR, uses: 1.5 }, 'invalid_argument'],
    [{ tenant: 'acme', expiresAt: T0, uses: 1 }, 'invalid_argument'],
    [{ tenant: 'acme', expiresAt: Number.NaN, uses: 1 }, 'invalid_argument'],
  ])('create(%j) -> %s', (input, code) => {
    const store = storeWithTenant();
    expect(codeOf(() => store.tokens.create(input))).toBe(code);
    expect(store.tokens.list()).toEqual([]);
  });

  it('lists per tenant, newest first, without secrets or hashes', () => {
    const c = clock();
    const store = storeWithTenant(tempDbPath(), c);
    store.tenants.add({ id: 'globex', name: 'Globex' });
    const a = store.tokens.create({ tenant: 'acme', expiresAt: T0 + HOUR, uses: 1 });
    c.advance(1);
    const b = store.tokens.create({ tenant: 'acme', expiresAt: T0 + HOUR, uses: 3 });
    const g = store.tokens.create({ tenant: 'globex', expiresAt: T0 + HOUR, uses: 1 });
    expect(store.tokens.list('acme').map((t) => t.id)).toEqual([b.id, a.id]);
    expect(
      store.tokens
        .list()
        .map((t) => t.id)
        .sort(),
    ).toEqual([a.id, b.id, g.id].sort());
    expect(store.tokens.list('nobody')).toEqual([]);
    for (const info of store.tokens.list()) {
      expect(Object.keys(info).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'lastUsedBy', 'maxUses', 'revokedAt', 'tenant', 'usesLeft']);
    }
  });

  it('stores the hash, never the token or its secret', () => {
    const file = tempDbPath();
    const store = storeWithTenant(file);
    const { token, id } = store.tokens.create({ tenant: 'acme', expiresAt: T0 + HOUR, uses: 1 });
    const secret = token.slice(-43);
    const onDiskWhileOpen = rawBytes(file);
    store.close();
    for (const bytes of [onDiskWhileOpen, rawBytes(file)]) {
      expect(bytes.includes(id)).toBe(true); // the id is stored in clear: proves we read the right bytes
      expect(bytes.includes(secret)).toBe(false);
      expect(bytes.includes(token)).toBe(false);
    }
  });

  it('lets only one of two connections redeem the last use', () => {
    const file = tempDbPath();
    const first = storeWithTenant(file);
    const second = open(file);
    const { token } = first.tokens.create({ tenant: 'acme', expiresAt: T0 + HOUR, uses: 1 });
    const results = [first.tokens.redeem(token, HOST), second.tokens.redeem(token, { hostname: 'ws-02' })];
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results[1]).toEqual({ ok: false, reason: 'used_up' });
    expect(first.tokens.list()[0]?.usesLeft).toBe(0);
  });
});

describe('enrollment tokens under real concurrency', () => {
  it('of 8 processes racing for a 3-use token, exactly 3 succeed', async () => {
    const file = tempDbPath();
    const store = storeWithTenant(file, clock(Date.now()));
    const { token } = store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + HOUR, uses: 3 });
    const script = fileURLToPath(new URL('./redeem-worker.ts', import.meta.url));
    const children = Array.from({ length: 8 }, (_, i) => fork(script, [file, token, `ws-${i}`], { execArgv: ['--import', 'tsx'] }));
    // Every child has opened its connection before any redeems, so the redeems overlap as much as they can.
    let settled: RedeemResult[];
    try {
      await Promise.all(children.map((c) => once(c, 'message')));
      const results = children.map((c) => once(c, 'message').then(([r]) => r as RedeemResult));
      for (const c of children) c.send('go');
      settled = await Promise.all(results);
    } finally {
      for (const c of children) if (c.exitCode === null) c.kill();
    }
    expect(settled.filter((r) => r.ok)).toHaveLength(3);
    expect(settled.filter((r) => !r.ok)).toEqual(Array(5).fill({ ok: false, reason: 'used_up' }));
    expect(store.tokens.list()[0]?.usesLeft).toBe(0);
  });
});

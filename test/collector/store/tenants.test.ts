import { describe, expect, it } from 'vitest';
import { clock, codeOf, open, tempDbPath, T0 } from './helpers.js';

describe('tenants', () => {
  it('adds, gets and lists tenants, persisted across reopen', () => {
    const file = tempDbPath();
    const store = open(file);
    expect(store.tenants.add({ id: 'zeta-corp', name: 'Zeta Corp' })).toEqual({ id: 'zeta-corp', name: 'Zeta Corp', createdAt: T0 });
    store.tenants.add({ id: 'acme', name: '  Acme Ltd ' });
    store.close();
    const reopened = open(file);
    expect(reopened.tenants.get('acme')).toEqual({ id: 'acme', name: 'Acme Ltd', createdAt: T0 });
    expect(reopened.tenants.get('missing')).toBeNull();
    expect(reopened.tenants.list().map((t) => t.id)).toEqual(['acme', 'zeta-corp']);
  });

  it('refuses an existing id with tenant_exists', () => {
    const store = open(tempDbPath());
    store.tenants.add({ id: 'acme', name: 'Acme' });
    expect(() => store.tenants.add({ id: 'acme', name: 'Other' })).toThrow('tenant exists');
    expect(codeOf(() => store.tenants.add({ id: 'acme', name: 'Other' }))).toBe('tenant_exists');
    expect(store.tenants.get('acme')?.name).toBe('Acme');
  });

  it.each([
    ['a', 'no error'],
    ['0', 'no error'],
    ['acme-2', 'no error'],
    ['a'.repeat(63), 'no error'],
    ['a'.repeat(64), 'invalid_id'],
    ['', 'invalid_id'],
    ['-acme', 'invalid_id'],
    ['Acme', 'invalid_id'],
    ['acme_corp', 'invalid_id'],
    ['acme corp', 'invalid_id'],
    ['acme\n', 'invalid_id'],
    ['ácme', 'invalid_id'],
  ])('tenant id %j -> %s', (id, expected) => {
    const store = open(':memory:', clock());
    expect(codeOf(() => store.tenants.add({ id, name: 'Name' }))).toBe(expected);
  });

  it('explains a bad id and refuses an empty name', () => {
    const store = open(':memory:');
    expect(() => store.tenants.add({ id: 'Bad Id', name: 'x' })).toThrow(/invalid tenant id "Bad Id": expected/);
    expect(codeOf(() => store.tenants.add({ id: 'acme', name: '   ' }))).toBe('invalid_argument');
    expect(store.tenants.list()).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { clock, codeOf, open, tempDbPath, T0 } from './helpers.js';
import { newTicket } from '../../helpers/collector-tickets.js';

describe('tenants', () => {
  it('adds, gets and lists tenants, persisted across reopen', () => {
    const file = tempDbPath();
    const store = open(file);
    expect(store.tenants.add({ id: 'zeta-corp', name: 'Zeta Corp' })).toEqual({ id: 'zeta-corp', name: 'Zeta Corp', createdAt: T0, removedAt: null });
    store.tenants.add({ id: 'acme', name: '  Acme Ltd ' });
    store.close();
    const reopened = open(file);
    expect(reopened.tenants.get('acme')).toEqual({ id: 'acme', name: 'Acme Ltd', createdAt: T0, removedAt: null });
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

  it('marks a tenant removed: kept and listed, its id never reused, nothing new made for it', () => {
    const c = clock();
    const store = open(tempDbPath(), c);
    store.tenants.add({ id: 'acme', name: 'Acme' });
    const agent = store.agents.enroll({ tenant: 'acme', hostname: 'ws-01', os: 'linux', arch: 'x64', agentVersion: '1' });
    c.advance(1000);
    store.tenants.markRemoved('acme', T0 + 1000);
    store.tenants.markRemoved('acme', T0 + 5000);
    expect(store.tenants.get('acme')).toEqual({ id: 'acme', name: 'Acme', createdAt: T0, removedAt: T0 + 1000 });
    expect(store.tenants.list().map((t) => t.id)).toEqual(['acme']);
    expect(store.agents.get(agent.agentId)?.tenant).toBe('acme');
    expect(() => store.tenants.add({ id: 'acme', name: 'Acme again' })).toThrow(/tenant exists: acme \(removed on 2025-01-15; its history keeps the id/);
    const removed = /tenant acme was removed on 2025-01-15/;
    expect(() => store.tokens.create({ tenant: 'acme', expiresAt: T0 + 60_000, uses: 1 })).toThrow(removed);
    expect(() => store.apiKeys.create({ name: 'x', tenant: 'acme', role: 'read' })).toThrow(removed);
    expect(() => store.agents.enroll({ tenant: 'acme', hostname: 'ws-02', os: 'linux', arch: 'x64', agentVersion: '1' })).toThrow(removed);
    expect(codeOf(() => store.tokens.create({ tenant: 'acme', expiresAt: T0 + 60_000, uses: 1 }))).toBe('tenant_unknown');
    expect(() => store.tokens.create({ tenant: 'nobody', expiresAt: T0 + 60_000, uses: 1 })).toThrow('unknown tenant: nobody');
    expect(codeOf(() => store.tenants.markRemoved('nobody', T0))).toBe('tenant_unknown');
  });

  it("counts a tenant's unresolved tickets by status", () => {
    const store = open(tempDbPath());
    store.tenants.add({ id: 'acme', name: 'Acme' });
    store.tenants.add({ id: 'other', name: 'Other' });
    expect(store.tenants.unresolvedTickets('acme')).toEqual({ open: 0, acknowledged: 0 });
    const [a, , c] = ['h1', 'h2', 'h3'].map((host) => store.tickets.open(newTicket({ host }), T0, 'fired').id);
    store.tickets.open(newTicket({ tenant: 'other' }), T0, 'fired');
    store.tickets.update(a!, { status: 'acknowledged', acknowledgedAt: T0, acknowledgedBy: 'k' }, { kind: 'acknowledged', at: T0, detail: 'ack' });
    store.tickets.update(c!, { status: 'resolved', resolvedAt: T0, resolvedBy: 'k' }, { kind: 'resolved', at: T0, detail: 'done' });
    expect(store.tenants.unresolvedTickets('acme')).toEqual({ open: 1, acknowledged: 1 });
  });
});

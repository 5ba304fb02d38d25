// The report delivery records, on each store backend: one row per (tenant, month), claimed before a send so two
// processes on the same store never both send, leased so a sender that died is replaced, and forced only on request.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../../collector/src/store/index.js';
import { open, tempDbPath } from './helpers.js';

const T0 = Date.parse('2026-11-03T07:00:00Z');
const LEASE = 15 * 60_000;
const claim = (store: Store, now: number, force = false) =>
  store.reportDeliveries.claim('acme', '2026-10', { now, leaseUntil: now + LEASE, recipients: ['it@acme.example'], force });

/** Two connections to one store, as two collectors (or a collector and the CLI) have. */
function twoStores(): [Store, Store] {
  const location = tempDbPath();
  return [open(location), open(location)];
}

describe('report deliveries', () => {
  it('a claim leases the row: a second process gets nothing until the lease ends or the outcome is recorded', () => {
    const [a, b] = twoStores();
    expect(claim(a, T0)).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: T0 + LEASE, recipients: ['it@acme.example'] });
    expect(claim(b, T0 + 1000)).toBeNull();
    // The sender died: after the lease another takes it.
    expect(claim(b, T0 + LEASE)).toMatchObject({ state: 'pending', attempts: 2 });
    b.reportDeliveries.retry('acme', '2026-10', T0 + LEASE, T0 + LEASE + 60_000, 'SMTP 451 (DATA): 451 greylisted');
    expect(claim(a, T0 + LEASE + 59_999)).toBeNull();
    expect(claim(a, T0 + LEASE + 60_000)).toMatchObject({ attempts: 3, lastError: 'SMTP 451 (DATA): 451 greylisted' });
    a.reportDeliveries.sent('acme', '2026-10', T0 + LEASE + 61_000, '<m@msp.example>');
    expect(b.reportDeliveries.get('acme', '2026-10')).toMatchObject({
      state: 'sent',
      attempts: 3,
      lastError: null,
      sentAt: T0 + LEASE + 61_000,
      messageId: '<m@msp.example>',
    });
    // Sent is final without force; force takes it again, and a failed one too.
    expect(claim(b, T0 + 10 * LEASE)).toBeNull();
    expect(claim(b, T0 + 10 * LEASE, true)).toMatchObject({ state: 'pending', attempts: 4 });
    b.reportDeliveries.failed('acme', '2026-10', T0 + 10 * LEASE, 'SMTP 550 (RCPT): 550 no such user');
    expect(claim(a, T0 + 100 * LEASE)).toBeNull();
    expect(claim(a, T0 + 100 * LEASE, true)).toMatchObject({ attempts: 5 });
  });

  it('lists newest month first, by tenant and state', () => {
    const [a] = twoStores();
    for (const [tenant, month] of [
      ['acme', '2026-09'],
      ['acme', '2026-10'],
      ['globex', '2026-10'],
    ] as const) {
      a.reportDeliveries.claim(tenant, month, { now: T0, leaseUntil: T0, recipients: [] });
    }
    a.reportDeliveries.sent('acme', '2026-09', T0, '<x@y>');
    expect(a.reportDeliveries.list().map((d) => `${d.tenant} ${d.month}`)).toEqual(['acme 2026-10', 'globex 2026-10', 'acme 2026-09']);
    expect(a.reportDeliveries.list({ tenant: 'acme', state: 'pending' }).map((d) => d.month)).toEqual(['2026-10']);
    expect(a.reportDeliveries.list({ state: 'sent' }).map((d) => d.month)).toEqual(['2026-09']);
  });
});

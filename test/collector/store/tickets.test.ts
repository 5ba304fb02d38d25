import { describe, expect, it } from 'vitest';
import type { NewTicket, Store } from '../../../collector/src/store/index.js';
import { slaStanding } from '../../../collector/src/store/index.js';
import { codeOf, HOUR, open, rawDatabase, tempDbPath, T0 } from './helpers.js';

const MIN = 60_000;

function ticketInput(overrides: Partial<NewTicket> = {}): NewTicket {
  return {
    tenant: 'acme',
    host: 'sql01',
    agentId: 'ag_1',
    ruleId: 'disk-full',
    title: 'Disk full on sql01',
    summary: 'C:\\ 96 % used',
    priority: 'P2',
    urgency: 'medium',
    impact: 'high',
    slaProfile: 'standard-8x5',
    sla: [
      { target: 'resolve', startedAt: T0, dueAt: T0 + 8 * HOUR, warnAt: T0 + 6 * HOUR },
      { target: 'respond', startedAt: T0, dueAt: T0 + 12 * MIN, warnAt: T0 + 9 * MIN },
      { target: 'plan', startedAt: T0, dueAt: T0 + HOUR, warnAt: T0 + 45 * MIN },
    ],
    ...overrides,
  };
}

/** Another machine: the key is the agent, so another host means another agent. */
const onHost = (host: string): Partial<NewTicket> => ({ host, agentId: `ag_${host}` });

function setup(file = tempDbPath()): Store {
  const store = open(file);
  store.tenants.add({ id: 'acme', name: 'Acme' });
  store.tenants.add({ id: 'other', name: 'Other' });
  return store;
}

describe('tickets: one unresolved ticket per (tenant, agent, rule)', () => {
  it('opens a ticket with its clocks in target order and an opened event', () => {
    const store = setup();
    const t = store.tickets.open(ticketInput(), T0, 'disk-full fired');
    expect(t).toMatchObject({
      tenant: 'acme',
      host: 'sql01',
      agentId: 'ag_1',
      ruleId: 'disk-full',
      status: 'open',
      priority: 'P2',
      urgency: 'medium',
      impact: 'high',
      slaProfile: 'standard-8x5',
      openedAt: T0,
      updatedAt: T0,
      acknowledgedAt: null,
      resolvedAt: null,
      reopenCount: 0,
    });
    expect(t.sla.map((c) => c.target)).toEqual(['respond', 'plan', 'resolve']);
    expect(t.sla[0]).toEqual({
      target: 'respond',
      startedAt: T0,
      dueAt: T0 + 12 * MIN,
      warnAt: T0 + 9 * MIN,
      metAt: null,
      approachedAt: null,
      breachedAt: null,
    });
    expect(store.tickets.get(t.id)).toEqual(t);
    expect(store.tickets.events(t.id)).toEqual([{ id: expect.any(Number), ticketId: t.id, at: T0, kind: 'opened', detail: 'disk-full fired', data: null }]);
    expect(store.tickets.findOpen('acme', 'ag_1', 'disk-full')?.id).toBe(t.id);
  });

  it('refuses a second unresolved ticket for the key, from any connection, and writes nothing for it', () => {
    const file = tempDbPath();
    const store = setup(file);
    const first = store.tickets.open(ticketInput(), T0, 'fired');
    expect(codeOf(() => store.tickets.open(ticketInput({ title: 'again' }), T0 + 1, 'fired again'))).toBe('conflict');
    const other = open(file);
    expect(codeOf(() => other.tickets.open(ticketInput(), T0 + 2, 'fired elsewhere'))).toBe('conflict');
    // Acknowledged is still unresolved.
    store.tickets.update(
      first.id,
      { status: 'acknowledged', acknowledgedAt: T0 + 3, acknowledgedBy: 'k1' },
      { kind: 'acknowledged', at: T0 + 3, detail: 'ack' },
    );
    expect(codeOf(() => other.tickets.open(ticketInput(), T0 + 4, 'fired'))).toBe('conflict');
    expect(store.tickets.list()).toHaveLength(1);
    const db = rawDatabase(file);
    expect(db.prepare('SELECT count(*) FROM ticket_sla').pluck().get()).toBe(3);
    expect(db.prepare('SELECT count(*) FROM ticket_events').pluck().get()).toBe(2);
    db.close();
    // The same agent under another name is the same key; another agent under the same name is not.
    expect(codeOf(() => store.tickets.open(ticketInput({ host: 'sql01-renamed' }), T0 + 5, 'fired'))).toBe('conflict');
    expect(store.tickets.open(ticketInput({ agentId: 'ag_2' }), T0, 'fired').id).not.toBe(first.id);
    // Other keys are independent.
    expect(store.tickets.open(ticketInput(onHost('sql02')), T0, 'fired').id).not.toBe(first.id);
    expect(store.tickets.open(ticketInput({ ruleId: 'cpu-high' }), T0, 'fired').id).not.toBe(first.id);
    expect(store.tickets.open(ticketInput({ tenant: 'other' }), T0, 'fired').id).not.toBe(first.id);
  });

  it('opens a new ticket after the old one is resolved; lastResolved finds the old one; reopening it conflicts while the new is open', () => {
    const store = setup();
    const first = store.tickets.open(ticketInput(), T0, 'fired');
    expect(store.tickets.lastResolved('acme', 'ag_1', 'disk-full')).toBeNull();
    store.tickets.update(first.id, { status: 'resolved', resolvedAt: T0 + HOUR, resolvedBy: 'engine' }, { kind: 'resolved', at: T0 + HOUR, detail: 'cleared' });
    expect(store.tickets.findOpen('acme', 'ag_1', 'disk-full')).toBeNull();
    expect(store.tickets.lastResolved('acme', 'ag_2', 'disk-full')).toBeNull();
    expect(store.tickets.lastResolved('acme', 'ag_1', 'disk-full')).toMatchObject({ id: first.id, resolvedAt: T0 + HOUR, resolvedBy: 'engine' });
    const second = store.tickets.open(ticketInput(), T0 + 2 * HOUR, 'fired again');
    expect(second.id).toBeGreaterThan(first.id);
    const reopen = () => store.tickets.update(first.id, { status: 'open', reopenCount: 1 }, { kind: 'reopened', at: T0 + 3 * HOUR, detail: 'x' });
    expect(codeOf(reopen)).toBe('conflict');
    expect(store.tickets.get(first.id)?.status).toBe('resolved');
    expect(store.tickets.events(first.id).map((e) => e.kind)).toEqual(['opened', 'resolved']);
  });

  it('reopens a resolved ticket when no other is open', () => {
    const store = setup();
    const t = store.tickets.open(ticketInput(), T0, 'fired');
    store.tickets.update(t.id, { status: 'resolved', resolvedAt: T0 + HOUR, resolvedBy: 'engine' }, { kind: 'resolved', at: T0 + HOUR, detail: 'cleared' });
    const reopened = store.tickets.update(
      t.id,
      { status: 'open', resolvedAt: null, resolvedBy: null, reopenCount: 1 },
      { kind: 'reopened', at: T0 + 2 * HOUR, detail: 'fired again' },
    );
    expect(reopened).toMatchObject({ status: 'open', resolvedAt: null, resolvedBy: null, reopenCount: 1, updatedAt: T0 + 2 * HOUR });
    expect(store.tickets.findOpen('acme', 'ag_1', 'disk-full')?.id).toBe(t.id);
  });

  it("finds the agent's unresolved tickets shown under another name, and moves one to the new name", () => {
    const store = setup();
    const disk = store.tickets.open(ticketInput(), T0, 'fired');
    const cpu = store.tickets.open(ticketInput({ ruleId: 'cpu-high', title: 'CPU busy' }), T0, 'fired');
    const done = store.tickets.open(ticketInput({ ruleId: 'mem' }), T0, 'fired');
    store.tickets.update(done.id, { status: 'resolved', resolvedAt: T0 + 1, resolvedBy: 'auto' }, { kind: 'resolved', at: T0 + 1, detail: 'x' });
    store.tickets.open(ticketInput({ agentId: 'ag_2' }), T0, 'fired'); // another agent with the same name
    expect(store.tickets.findRenamed('acme', 'ag_1', 'sql01')).toEqual([]);
    expect(store.tickets.findRenamed('acme', 'ag_1', 'sql01-new').map((t) => t.id)).toEqual([disk.id, cpu.id]);
    const moved = store.tickets.update(disk.id, { host: 'sql01-new', title: 'Disk full on sql01-new' }, { kind: 'updated', at: T0 + 2, detail: 'renamed' });
    expect(moved).toMatchObject({ host: 'sql01-new', title: 'Disk full on sql01-new', agentId: 'ag_1', status: 'open' });
    expect(store.tickets.findRenamed('acme', 'ag_1', 'sql01-new').map((t) => t.id)).toEqual([cpu.id]);
    expect(() => store.tickets.update(cpu.id, { host: '' }, { kind: 'updated', at: T0 + 3, detail: 'x' })).toThrow(/^host:/);
  });

  it('refuses an unknown tenant and bad fields, naming the field; cuts over-long texts', () => {
    const store = setup();
    expect(codeOf(() => store.tickets.open(ticketInput({ tenant: 'nobody' }), T0, 'x'))).toBe('tenant_unknown');
    expect(() => store.tickets.open(ticketInput({ priority: 'P5' as never }), T0, 'x')).toThrow(/^priority: expected one of P1, P2, P3, P4/);
    expect(() => store.tickets.open(ticketInput({ urgency: 'huge' as never }), T0, 'x')).toThrow(/^urgency:/);
    expect(() => store.tickets.open(ticketInput({ host: '' }), T0, 'x')).toThrow(/^host:/);
    const dup = ticketInput();
    dup.sla.push({ target: 'respond', startedAt: T0, dueAt: T0 + 1, warnAt: T0 });
    expect(() => store.tickets.open(dup, T0, 'x')).toThrow(/^sla\[3\]\.target: respond given twice/);
    expect(() => store.tickets.open(ticketInput(), 1.5, 'x')).toThrow(/^at:/);
    expect(store.tickets.list()).toEqual([]);
    const long = store.tickets.open(ticketInput({ title: 'x'.repeat(1000), summary: 'y'.repeat(10_000) }), T0, 'z'.repeat(10_000));
    expect(long.title).toHaveLength(300);
    expect(long.title.endsWith('…')).toBe(true);
    expect(long.summary).toHaveLength(4000);
    expect(store.tickets.events(long.id)[0]?.detail).toHaveLength(4000);
  });
});

describe('tickets: update and events', () => {
  it('applies only the given keys, sets updatedAt and appends the event; null clears', () => {
    const store = setup();
    const t = store.tickets.open(ticketInput(), T0, 'fired');
    const acked = store.tickets.update(
      t.id,
      { status: 'acknowledged', acknowledgedAt: T0 + MIN, acknowledgedBy: 'key1' },
      { kind: 'acknowledged', at: T0 + MIN, detail: 'ack by key1', data: { by: 'key1' } },
    );
    expect(acked).toEqual({ ...t, status: 'acknowledged', acknowledgedAt: T0 + MIN, acknowledgedBy: 'key1', updatedAt: T0 + MIN });
    const noted = store.tickets.update(t.id, {}, { kind: 'note', at: T0 + 2 * MIN, detail: 'still there' });
    expect(noted).toEqual({ ...acked, updatedAt: T0 + 2 * MIN });
    const cleared = store.tickets.update(t.id, { acknowledgedBy: null, summary: 'new summary' }, { kind: 'updated', at: T0 + 3 * MIN, detail: 'x' });
    expect(cleared).toMatchObject({ acknowledgedBy: null, acknowledgedAt: T0 + MIN, summary: 'new summary', title: t.title });
    expect(store.tickets.events(t.id).map((e) => [e.kind, e.data])).toEqual([
      ['opened', null],
      ['acknowledged', { by: 'key1' }],
      ['note', null],
      ['updated', null],
    ]);
  });

  it('replaces the clocks when sla is given (escalation), keeping what the caller carries over', () => {
    const store = setup();
    const t = store.tickets.open(ticketInput(), T0, 'fired');
    store.tickets.markSla(t.id, 'respond', 'metAt', T0 + MIN);
    store.tickets.markSla(t.id, 'plan', 'approachedAt', T0 + 50 * MIN);
    const escalated = store.tickets.update(
      t.id,
      {
        priority: 'P1',
        sla: [
          { target: 'respond', startedAt: T0, dueAt: T0 + 12 * MIN, warnAt: T0 + 9 * MIN, metAt: T0 + MIN },
          { target: 'plan', startedAt: T0, dueAt: T0 + 30 * MIN, warnAt: T0 + 22 * MIN },
          { target: 'resolve', startedAt: T0, dueAt: T0 + 4 * HOUR, warnAt: T0 + 3 * HOUR },
        ],
      },
      { kind: 'escalated', at: T0 + HOUR, detail: 'P2 -> P1' },
    );
    expect(escalated.priority).toBe('P1');
    expect(escalated.sla).toEqual([
      { target: 'respond', startedAt: T0, dueAt: T0 + 12 * MIN, warnAt: T0 + 9 * MIN, metAt: T0 + MIN, approachedAt: null, breachedAt: null },
      { target: 'plan', startedAt: T0, dueAt: T0 + 30 * MIN, warnAt: T0 + 22 * MIN, metAt: null, approachedAt: null, breachedAt: null },
      { target: 'resolve', startedAt: T0, dueAt: T0 + 4 * HOUR, warnAt: T0 + 3 * HOUR, metAt: null, approachedAt: null, breachedAt: null },
    ]);
  });

  it('is atomic: a refused patch or event changes nothing and logs nothing', () => {
    const store = setup();
    const t = store.tickets.open(ticketInput(), T0, 'fired');
    expect(codeOf(() => store.tickets.update(t.id, { status: 'closed' as never }, { kind: 'updated', at: T0 + 1, detail: 'x' }))).toBe('invalid_argument');
    expect(codeOf(() => store.tickets.update(t.id, { priority: 'P1' }, { kind: 'bogus' as never, at: T0 + 1, detail: 'x' }))).toBe('invalid_argument');
    const badClock = [{ target: 'respond' as const, startedAt: T0, dueAt: Number.NaN, warnAt: T0 }];
    expect(codeOf(() => store.tickets.update(t.id, { priority: 'P1', sla: badClock }, { kind: 'escalated', at: T0 + 1, detail: 'x' }))).toBe(
      'invalid_argument',
    );
    // The UPDATE itself runs, then the event insert fails (a foreign key, a disk error): the transaction rolls back.
    expect(codeOf(() => store.tickets.update(t.id, { priority: 'P1' }, { kind: 'escalated', at: T0 + 1, detail: 'x', data: { self: 1n } as never }))).toBe(
      'other error',
    );
    expect(store.tickets.get(t.id)).toEqual(t);
    expect(store.tickets.events(t.id)).toHaveLength(1);
  });

  it('reports not_found for unknown tickets', () => {
    const store = setup();
    expect(store.tickets.get(999)).toBeNull();
    expect(codeOf(() => store.tickets.update(999, { priority: 'P1' }, { kind: 'escalated', at: T0, detail: 'x' }))).toBe('not_found');
    expect(codeOf(() => store.tickets.addEvent(999, { kind: 'note', at: T0, detail: 'x' }))).toBe('not_found');
    expect(codeOf(() => store.tickets.markSla(999, 'respond', 'metAt', T0))).toBe('not_found');
    expect(store.tickets.events(999)).toEqual([]);
  });

  it('adds events without touching the ticket', () => {
    const store = setup();
    const t = store.tickets.open(ticketInput(), T0, 'fired');
    const e = store.tickets.addEvent(t.id, { kind: 'held', at: T0 + 5, detail: 'maintenance mw_1', data: { until: T0 + HOUR } });
    expect(e).toEqual({ id: expect.any(Number), ticketId: t.id, at: T0 + 5, kind: 'held', detail: 'maintenance mw_1', data: { until: T0 + HOUR } });
    expect(store.tickets.events(t.id).at(-1)).toEqual(e);
    expect(store.tickets.get(t.id)).toEqual(t);
  });
});

describe('tickets: SLA clocks', () => {
  it('slaDue lists each clock once its warn or due time passed, until marked; met clocks and resolved tickets never', () => {
    const store = setup();
    const t = store.tickets.open(ticketInput(), T0, 'fired');
    const due = (now: number) => store.tickets.slaDue(now).map(({ ticket, clock }) => `${ticket.id}:${clock.target}`);
    expect(due(T0 + 8 * MIN)).toEqual([]);
    expect(due(T0 + 9 * MIN)).toEqual([`${t.id}:respond`]);
    store.tickets.markSla(t.id, 'respond', 'approachedAt', T0 + 9 * MIN);
    expect(due(T0 + 11 * MIN)).toEqual([]);
    expect(due(T0 + 12 * MIN)).toEqual([`${t.id}:respond`]);
    store.tickets.markSla(t.id, 'respond', 'breachedAt', T0 + 12 * MIN);
    // Both marks set: done, even later.
    expect(due(T0 + 44 * MIN)).toEqual([]);
    expect(due(T0 + 45 * MIN)).toEqual([`${t.id}:plan`]);
    store.tickets.markSla(t.id, 'plan', 'metAt', T0 + 45 * MIN);
    expect(due(T0 + 6 * HOUR)).toEqual([`${t.id}:resolve`]);
    const [first] = store.tickets.slaDue(T0 + 6 * HOUR);
    expect(first?.ticket.id).toBe(t.id);
    expect(first?.clock).toMatchObject({ target: 'resolve', dueAt: T0 + 8 * HOUR, approachedAt: null });
    store.tickets.update(t.id, { status: 'resolved', resolvedAt: T0 + 7 * HOUR, resolvedBy: 'engine' }, { kind: 'resolved', at: T0 + 7 * HOUR, detail: 'x' });
    expect(due(T0 + 100 * HOUR)).toEqual([]);
  });

  it('markSla keeps the first time (idempotent)', () => {
    const store = setup();
    const t = store.tickets.open(ticketInput(), T0, 'fired');
    store.tickets.markSla(t.id, 'respond', 'metAt', T0 + MIN);
    store.tickets.markSla(t.id, 'respond', 'metAt', T0 + 2 * MIN);
    expect(store.tickets.get(t.id)?.sla[0]?.metAt).toBe(T0 + MIN);
    const noPlan = store.tickets.open(ticketInput({ ...onHost('ws-1'), sla: [{ target: 'respond', startedAt: T0, dueAt: T0 + 1, warnAt: T0 }] }), T0, 'x');
    expect(codeOf(() => store.tickets.markSla(noPlan.id, 'plan', 'metAt', T0))).toBe('not_found');
  });

  it.each([
    [{ metAt: 5, warnAt: 10, dueAt: 20 }, 30, 'met'],
    [{ metAt: null, warnAt: 10, dueAt: 20 }, 9, 'ok'],
    [{ metAt: null, warnAt: 10, dueAt: 20 }, 10, 'approaching'],
    [{ metAt: null, warnAt: 10, dueAt: 20 }, 20, 'breached'],
  ])('slaStanding(%j, %i) = %s', (clock, now, standing) => {
    expect(slaStanding(clock, now)).toBe(standing);
  });
});

describe('tickets: list and counts', () => {
  it('filters by status, tenant and host, newest first, and pages with beforeId', () => {
    const store = setup();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(store.tickets.open(ticketInput(onHost(`h${i}`)), T0 + i, 'x').id);
    const otherTenant = store.tickets.open(ticketInput({ tenant: 'other' }), T0, 'x').id;
    store.tickets.update(ids[1]!, { status: 'acknowledged' }, { kind: 'acknowledged', at: T0 + 10, detail: 'x' });
    store.tickets.update(ids[2]!, { status: 'resolved' }, { kind: 'resolved', at: T0 + 10, detail: 'x' });
    const idsOf = (f: Parameters<Store['tickets']['list']>[0]) => store.tickets.list(f).map((t) => t.id);
    expect(idsOf({})).toEqual([otherTenant, ...[...ids].reverse()]);
    expect(idsOf({ tenant: 'acme' })).toEqual([...ids].reverse());
    expect(idsOf({ status: 'unresolved', tenant: 'acme' })).toEqual([ids[4], ids[3], ids[1], ids[0]]);
    expect(idsOf({ status: 'acknowledged' })).toEqual([ids[1]]);
    expect(idsOf({ status: 'resolved' })).toEqual([ids[2]]);
    expect(idsOf({ status: 'open', tenant: 'acme', host: 'h3' })).toEqual([ids[3]]);
    expect(idsOf({ tenant: 'acme', limit: 2 })).toEqual([ids[4], ids[3]]);
    expect(idsOf({ tenant: 'acme', limit: 2, beforeId: ids[3] })).toEqual([ids[2], ids[1]]);
    expect(idsOf({ tenant: 'acme', limit: 2, beforeId: ids[1] })).toEqual([ids[0]]);
    expect(idsOf({ limit: 5000 })).toHaveLength(6);
    expect(codeOf(() => store.tickets.list({ limit: 0 }))).toBe('invalid_argument');
    expect(codeOf(() => store.tickets.list({ status: 'closed' as never }))).toBe('invalid_argument');
    expect(store.tickets.list({ status: 'open' })[0]?.sla).toHaveLength(3);
    expect(store.tickets.countByStatus()).toEqual({ open: 4, acknowledged: 1, resolved: 1 });
    expect(store.tickets.countByStatus('other')).toEqual({ open: 1, acknowledged: 0, resolved: 0 });
    expect(store.tickets.countByStatus('nobody')).toEqual({ open: 0, acknowledged: 0, resolved: 0 });
  });

  it('caps a page at 1000', () => {
    const store = setup();
    store.transaction(() => {
      for (let i = 0; i < 1001; i++) store.tickets.open(ticketInput(onHost(`h${i}`)), T0, 'x');
    });
    expect(store.tickets.list({ limit: 5000 })).toHaveLength(1000);
    expect(store.tickets.list()).toHaveLength(100);
  });

  it('keeps tickets across a reopen of the file', () => {
    const file = tempDbPath();
    const store = setup(file);
    const t = store.tickets.open(ticketInput(), T0, 'fired');
    store.close();
    expect(open(file).tickets.get(t.id)).toEqual(t);
  });
});

describe('store.transaction', () => {
  it('commits everything inside or nothing, and returns the result', () => {
    const store = setup();
    expect(() =>
      store.transaction(() => {
        store.tickets.open(ticketInput(), T0, 'fired');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.tickets.list()).toEqual([]);
    const id = store.transaction(() => store.tickets.open(ticketInput(), T0, 'fired').id);
    expect(store.tickets.get(id)).not.toBeNull();
  });
});

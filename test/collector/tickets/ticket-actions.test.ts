// People's ticket actions against the real alert engine: a reopen is a new response obligation (acknowledgement and
// plan cleared, every SLA clock from the reopen), a technician's priority (with a reason) recomputes the due times
// and stands against the alerts' own priority, and a ticket resolved while its alert still fires is reopened when
// it still fires after the reopen window. Real SQLite file, the shipped default pack, an injected clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { watchpost } from '../../../proto/index.js';
import { createAlertEngine, type AlertEngine } from '../../../collector/src/alerting/engine.js';
import { createTransitions } from '../../../collector/src/alerting/influx-outbox-feed.js';
import { loadRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { allTransitions, type Transitions } from '../../../collector/src/alerting/transitions.js';
import { openStore, type Store } from '../../../collector/src/store/index.js';
import { DEFAULT_CALENDARS, DEFAULT_SLA_PROFILES, slaClocks } from '../../../collector/src/tickets/sla.js';
import type { Ticket } from '../../../collector/src/tickets/model.js';
import { cleanupsAfterEach } from '../../helpers/cleanups.js';

const MIN = 60_000;
const MONDAY_9 = Date.parse('2026-11-23T09:00:00Z'); // the default business calendar: Mon-Fri 08-17 UTC
const at = (minutes: number) => MONDAY_9 + minutes * MIN;
const STANDARD = DEFAULT_SLA_PROFILES['standard-8x5']!;
const BUSINESS = DEFAULT_CALENDARS.business!;

const cleanups = cleanupsAfterEach();

const log = {
  warn: () => {},
  error: (obj: object, msg: string) => {
    throw new Error(`${msg}: ${JSON.stringify(obj)}`);
  },
};

/** The engine over one SQLite file with a manual clock; `told` is every ticket change the sinks heard of. */
function harness() {
  const dir = mkdtempSync(join(tmpdir(), 'wp-ticket-actions-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'watchpost.db');
  let clock = MONDAY_9;
  const now = () => clock;
  let store: Store = openStore(file, { now });
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const { agentId } = store.agents.enroll({ tenant: 'acme', hostname: 'srv1', os: 'linux', arch: 'x64', agentVersion: '1.0.0' });
  const rules = loadRules();
  const told: Array<{ kind: string; detail: string; priority: string }> = [];
  const recorder: Transitions = { alert() {}, ticket: ({ ticket, kind, detail }) => void told.push({ kind, detail, priority: ticket.priority }) };
  const make = (): AlertEngine =>
    createAlertEngine({
      store,
      rules: () => rules,
      transitions: allTransitions(createTransitions(store.influxOutbox, now), recorder),
      log,
      now,
      connected: () => true,
    });
  let engine = make();
  const agent = { id: agentId, tenant: 'acme', hostname: 'srv1', os: 'linux' };
  return {
    get engine() {
      return engine;
    },
    get store() {
      return store;
    },
    told,
    set: (t: number) => void (clock = t),
    restart() {
      store.close();
      store = openStore(file, { now });
      engine = make();
    },
    send(t: number, usedPercent: number) {
      clock = t;
      const sample: watchpost.v1.ISample = {
        measurement: 'disk',
        timeMs: t,
        tags: [{ key: 'path', value: '/data' }],
        fields: [{ key: 'used_percent', float: usedPercent }],
      };
      engine.observe(agent, [sample]);
    },
    tick(t: number) {
      clock = t;
      engine.tick();
    },
    act(t: number, ...args: Parameters<AlertEngine['act']>) {
      clock = t;
      return engine.act(...args)!;
    },
    ticket: (): Ticket => store.tickets.list({})[0]!,
    events: (id: number) => store.tickets.events(id),
  };
}

const clock = (t: Ticket, target: string) => t.sla.find((c) => c.target === target)!;
/** The clocks the standard profile gives `priority` from `start`, as the ticket stores them (unmarked). */
const fresh = (priority: 'P2' | 'P4', start: number) =>
  slaClocks(STANDARD, BUSINESS, priority, start).map((c) => ({ ...c, metAt: null, approachedAt: null, breachedAt: null }));

/** A P2 disk ticket (a Linux server, critical level), opened at(5). */
function opened(h: ReturnType<typeof harness>): Ticket {
  h.send(at(0), 96);
  h.send(at(5), 96.5);
  const t = h.ticket();
  expect(t).toMatchObject({ status: 'open', priority: 'P2', openedAt: at(5) });
  return t;
}

describe('a reopen is a new response obligation', () => {
  it("a person's reopen clears the acknowledgement and plan and starts every clock from the reopen; the first cycle stays in the history", () => {
    const h = harness();
    const t = opened(h);
    h.act(at(7), t.id, { kind: 'ack' }, 'Jane Doe');
    h.act(at(8), t.id, { kind: 'plan', text: 'move the logs' }, 'Jane Doe');
    h.send(at(10), 80); // the condition clears: resolved by auto
    expect(h.ticket()).toMatchObject({ status: 'resolved', resolvedBy: 'auto' });

    const reopened = h.act(at(120), t.id, { kind: 'reopen', note: 'customer: still slow' }, 'Sam Tech');
    expect(reopened).toMatchObject({
      status: 'open',
      reopenCount: 1,
      priority: 'P2',
      acknowledgedAt: null,
      acknowledgedBy: null,
      planAt: null,
      planBy: null,
      resolvedAt: null,
      resolvedBy: null,
      openedAt: at(5),
    });
    // Monday 11:00: respond 11:12, plan 12:00, resolve 8 business hours = 6 today + 2 Tuesday. Time resolved counts for nothing.
    expect(reopened.sla).toEqual(fresh('P2', at(120)));
    expect(new Date(clock(reopened, 'resolve').dueAt).toISOString()).toBe('2026-11-24T10:00:00.000Z');
    expect(h.events(t.id).map((e) => e.kind)).toEqual(['opened', 'acknowledged', 'plan', 'resolved', 'reopened']);
    expect(h.events(t.id).at(-1)).toMatchObject({ detail: 'customer: still slow', data: { by: 'Sam Tech' } });
    expect(h.told.at(-1)).toMatchObject({ kind: 'reopened', detail: 'customer: still slow' });

    // The new cycle is acknowledged anew, by whoever takes it now.
    expect(h.act(at(125), t.id, { kind: 'ack' }, 'Sam Tech')).toMatchObject({ status: 'acknowledged', acknowledgedAt: at(125), acknowledgedBy: 'Sam Tech' });
    expect(clock(h.ticket(), 'respond').metAt).toBe(at(125));
  });

  it('an alert firing again within the reopen window reopens the same way: clocks from the re-fire, acknowledgement cleared', () => {
    const h = harness();
    const t = opened(h);
    h.act(at(6), t.id, { kind: 'ack' }, 'Jane Doe');
    h.send(at(20), 80);
    h.send(at(30), 96);
    h.send(at(35), 96);
    const reopened = h.ticket();
    expect(reopened).toMatchObject({ id: t.id, status: 'open', reopenCount: 1, acknowledgedAt: null, acknowledgedBy: null });
    expect(reopened.sla).toEqual(fresh('P2', at(35)));
    expect(h.events(t.id).map((e) => e.kind)).toEqual(['opened', 'acknowledged', 'resolved', 'reopened']);
  });

  it('a reopen of a ticket that is not resolved changes nothing', () => {
    const h = harness();
    const t = opened(h);
    expect(h.act(at(6), t.id, { kind: 'reopen' }, 'Jane Doe')).toEqual(t);
    expect(h.told.map((c) => c.kind)).toEqual(['opened']);
  });
});

describe("a technician's priority", () => {
  it('lowers the ticket with a reason: due times recomputed from the opening, a met target kept, the desks told with the reason', () => {
    const h = harness();
    const t = opened(h);
    h.act(at(6), t.id, { kind: 'ack' }, 'Jane Doe');
    const lowered = h.act(at(10), t.id, { kind: 'priority', priority: 'P4', reason: 'lab box, nobody works on it' }, 'Jane Doe');
    expect(lowered.priority).toBe('P4');
    const [respond, plan, resolve] = fresh('P4', at(5));
    expect(clock(lowered, 'respond')).toMatchObject({ metAt: at(6), dueAt: at(17) }); // met under P2: kept as it was
    expect(clock(lowered, 'plan')).toEqual(plan);
    expect(clock(lowered, 'resolve')).toEqual(resolve);
    expect(respond!.dueAt).toBe(at(17));
    const detail = 'priority P2 -> P4 by Jane Doe: lab box, nobody works on it';
    expect(h.events(t.id).at(-1)).toMatchObject({
      kind: 'deescalated',
      detail,
      data: { by: 'Jane Doe', manualPriority: { priority: 'P4', by: 'Jane Doe', reason: 'lab box, nobody works on it', auto: 'P2' } },
    });
    expect(h.told.at(-1)).toEqual({ kind: 'deescalated', detail, priority: 'P4' });

    // The same priority again changes nothing.
    expect(h.act(at(11), t.id, { kind: 'priority', priority: 'P4', reason: 'again' }, 'Jane Doe')).toEqual(lowered);
  });

  it('stands against the alerts while they compute nothing more urgent than when it was set, and is kept on a reopen with its reason', () => {
    const h = harness();
    const t = opened(h);
    h.act(at(10), t.id, { kind: 'priority', priority: 'P4', reason: 'lab box' }, 'Jane Doe');
    h.send(at(12), 91); // critical -> warning: P3 by the matrix, more urgent than P4, but not than the P2 of when it was set
    expect(h.ticket().priority).toBe('P4');
    h.send(at(14), 97); // warning -> critical again: P2, the alerts' priority when it was set
    expect(h.ticket().priority).toBe('P4');
    expect(h.events(t.id).map((e) => e.kind)).toEqual(['opened', 'deescalated', 'deescalated', 'updated']);

    h.send(at(20), 80);
    h.send(at(30), 96);
    h.send(at(35), 96); // fires again within the window: reopened at P4, kept with the technician's reason
    const reopened = h.ticket();
    expect(reopened).toMatchObject({ status: 'open', priority: 'P4', reopenCount: 1 });
    expect(reopened.sla).toEqual(fresh('P4', at(35)));
    expect(h.events(t.id).at(-1)!.detail).toMatch(/; priority P4 kept \(set by Jane Doe: lab box\)$/);

    // A person's reopen keeps it too.
    h.send(at(40), 80);
    expect(h.act(at(200), t.id, { kind: 'reopen', note: 'again' }, 'Sam Tech')).toMatchObject({ priority: 'P4', reopenCount: 2 });
    expect(h.events(t.id).at(-1)!.detail).toBe('again; priority P4 kept (set by Jane Doe: lab box)');
  });

  it('raised by a technician, escalates from the start of the current cycle; a resolved ticket is left alone', () => {
    const h = harness();
    const t = opened(h);
    h.send(at(20), 80);
    h.act(at(100), t.id, { kind: 'reopen', note: 'not fixed' }, 'Sam Tech');
    const raised = h.act(at(110), t.id, { kind: 'priority', priority: 'P1', reason: 'the CEO is waiting' }, 'Sam Tech');
    expect(raised.priority).toBe('P1');
    expect(raised.sla.map((c) => c.startedAt)).toEqual([at(100), at(100), at(100)]);
    expect(clock(raised, 'plan').dueAt).toBe(at(130)); // P1 plan 0.5 h from the reopen
    expect(h.events(t.id).at(-1)).toMatchObject({ kind: 'escalated', detail: 'priority P2 -> P1 by Sam Tech: the CEO is waiting' });

    h.act(at(120), t.id, { kind: 'resolve' }, 'Sam Tech');
    const resolved = h.ticket();
    expect(h.act(at(121), t.id, { kind: 'priority', priority: 'P3', reason: 'late' }, 'Sam Tech')).toEqual(resolved);
  });
});

describe('a ticket resolved by its alert clearing', () => {
  it('stops every clock still running at the clearance, and a clock already met keeps its time', () => {
    const h = harness();
    const t = opened(h);
    h.act(at(7), t.id, { kind: 'ack' }, 'Jane Doe');
    for (let m = 20; m <= 60 && h.ticket().status !== 'resolved'; m += 5) h.send(at(m), 80);
    const resolved = h.ticket();
    expect(resolved).toMatchObject({ status: 'resolved', resolvedBy: 'auto' });
    expect(resolved.sla.map((c) => [c.target, c.metAt])).toEqual([
      ['respond', at(7)],
      ['plan', resolved.resolvedAt],
      ['resolve', resolved.resolvedAt],
    ]);
    h.tick(at(600)); // past every due time: nothing is marked breached on a resolved ticket
    expect(h.ticket().sla.every((c) => c.breachedAt === null)).toBe(true);
  });
});

describe('resolving a ticket whose alert still fires', () => {
  it('records it, and the tick reopens the ticket when the alert still fires after the reopen window (across a restart)', () => {
    const h = harness();
    const t = opened(h);
    h.act(at(6), t.id, { kind: 'ack' }, 'Jane Doe');
    const resolved = h.act(at(10), t.id, { kind: 'resolve', note: 'cleaned up' }, 'Jane Doe');
    expect(resolved.status).toBe('resolved');
    const firing = h.engine.stillFiring(resolved);
    expect(firing).toEqual({ instances: [expect.objectContaining({ instance: '/data', impact: 'high' })], reopensAt: at(70) });
    expect(h.events(t.id).at(-1)).toMatchObject({ kind: 'resolved', data: { by: 'Jane Doe', stillFiring: ['/data'], reopensAt: at(70) } });

    h.tick(at(30));
    h.send(at(40), 97); // still firing: no transition
    h.restart();
    h.tick(at(69));
    expect(h.ticket().status).toBe('resolved');
    h.tick(at(71));
    const reopened = h.ticket();
    expect(reopened).toMatchObject({ id: t.id, status: 'open', reopenCount: 1, acknowledgedAt: null, resolvedAt: null });
    expect(reopened.sla).toEqual(fresh('P2', at(71)));
    const event = h.events(t.id).at(-1)!;
    expect(event).toMatchObject({ kind: 'reopened', data: { by: 'auto', cause: 'still_firing' } });
    expect(event.detail).toMatch(/^still firing 1h 1m after it was resolved by Jane Doe: /);
    expect(h.told.at(-1)).toMatchObject({ kind: 'reopened', detail: event.detail });

    h.tick(at(72));
    expect(h.events(t.id)).toHaveLength(4); // opened, acknowledged, resolved, reopened: once
  });

  it('stays resolved when the condition clears within the window; a resolve with nothing firing records nothing of it', () => {
    const h = harness();
    const t = opened(h);
    h.act(at(10), t.id, { kind: 'resolve' }, 'Jane Doe');
    // Nobody acknowledged or planned: resolving stops those clocks too, not only the resolve clock.
    expect(h.ticket().sla.map((c) => [c.target, c.metAt])).toEqual([
      ['respond', at(10)],
      ['plan', at(10)],
      ['resolve', at(10)],
    ]);
    h.send(at(20), 80);
    expect(h.engine.stillFiring(h.ticket())).toBeNull();
    h.tick(at(80));
    expect(h.ticket()).toMatchObject({ status: 'resolved', resolvedBy: 'Jane Doe', reopenCount: 0 });
    expect(h.events(t.id).map((e) => e.kind)).toEqual(['opened', 'resolved']);

    h.send(at(200), 96);
    h.send(at(205), 96); // fires again long after: a new ticket
    const next = h.ticket();
    expect(next.id).not.toBe(t.id);
    h.send(at(206), 80);
    h.act(at(207), next.id, { kind: 'resolve' }, 'Jane Doe');
    expect(h.events(next.id).at(-1)!.data).toBeNull();
  });
});

// The desk outbox end to end below the network layer of the collector: the real alert engine raises tickets, the
// real dispatcher delivers them through the real webhook connector to a local endpoint that goes down and comes
// back, across a dispatcher restart. Clock injected; passes driven by the test (no timing).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { watchpost } from '../../../proto/index.js';
import { createAlertEngine } from '../../../collector/src/alerting/engine.js';
import { allTransitions } from '../../../collector/src/alerting/transitions.js';
import { createTransitions } from '../../../collector/src/alerting/influx-outbox-feed.js';
import { loadRules, parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { deskTransitions } from '../../../collector/src/desks/desk-outbox-feed.js';
import { BACKOFF_MAX_MS, startDispatcher, type Dispatcher } from '../../../collector/src/desks/desk-outbox-drain.js';
import { parseDesks } from '../../../collector/src/desks/desks-file.js';
import { openStore } from '../../../collector/src/store/index.js';
import { deliveryView } from '../../../collector/src/routes/desks.js';
import { JIRA_ACCOUNT, JIRA_DESK, startJiraFake } from './fakes/jira.js';
import { startReceiver, type Receiver } from './receiver.js';
import { cleanupsAfterEach } from '../../helpers/cleanups.js';

const T0 = Date.parse('2026-11-23T09:00:00Z');
const cleanups = cleanupsAfterEach();
const quiet = {
  info: () => {},
  warn: () => {},
  error: (o: object, m: string) => {
    throw new Error(`${m} ${JSON.stringify(o)}`);
  },
};

const webhookDesk = (receiverUrl: string) => `desks: { hook: { type: webhook, url: "${receiverUrl}/in" } }\ndefault_desks: [ { desk: hook } ]`;

async function setup(hosts: number, desksFile = webhookDesk) {
  const dir = mkdtempSync(join(tmpdir(), 'wp-desks-'));
  const receiver = await startReceiver();
  cleanups.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => receiver.close(),
  );
  let clock = T0;
  const now = () => clock;
  const store = openStore(join(dir, 'watchpost.db'), { now });
  cleanups.push(() => store.close());
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const agents = Array.from({ length: hosts }, (_, i) => {
    const { agentId } = store.agents.enroll({ tenant: 'acme', hostname: `h${i}`, os: 'linux', arch: 'x64', agentVersion: '1' });
    return { id: agentId, tenant: 'acme', hostname: `h${i}`, os: 'linux' };
  });
  const rules = parseRules('rules: [ { id: disk_space, for: 0s } ]', 'rules.yaml', loadRules());
  const desks = parseDesks(desksFile(receiver.url), 'desks.yaml', {});
  const engine = createAlertEngine({
    store,
    rules: () => rules,
    transitions: allTransitions(
      createTransitions(store.influxOutbox, now),
      deskTransitions(
        store.deskOutbox,
        () => desks,
        () => {},
      ),
    ),
    log: quiet,
    now,
  });
  const dispatcher = (fetch?: typeof globalThis.fetch): Dispatcher => {
    const d = startDispatcher({ store, desks: () => desks, log: quiet, now, pollMs: 3_600_000, random: () => 0.5, ...(fetch ? { fetch } : {}) });
    cleanups.push(() => d.stop());
    return d;
  };
  const disk = (i: number, used: number) => {
    const sample: watchpost.v1.ISample = {
      measurement: 'disk',
      timeMs: clock,
      tags: [{ key: 'path', value: '/' }],
      fields: [{ key: 'used_percent', float: used }],
    };
    engine.observe(agents[i]!, [sample]);
  };
  const pending = () => store.deskOutbox.list({ state: 'pending', limit: 1000 }).length;
  /** Passes with the clock moving a second each, until nothing is pending (bounded). */
  const deliverAll = async (d: Dispatcher) => {
    for (let i = 0; i < 2000 && pending() > 0; i++) {
      await d.pass();
      clock += 1000;
    }
  };
  return { store, engine, agents, now, receiver, disk, dispatcher, pending, deliverAll, advance: (ms: number) => void (clock += ms) };
}

/** Each body as these tests read it: Watchpost's event kind and id, and the alert's fingerprint (one alert per message). */
const bodies = (r: Receiver) =>
  r.received.map((q) => {
    const m = JSON.parse(q.body) as { alerts: Array<{ fingerprint: string }>; watchpost: { event: string; eventId: number } };
    return { event: m.watchpost.event, eventId: m.watchpost.eventId, fingerprint: m.alerts[0]!.fingerprint };
  });

/** What a desk at `path` was sent for the host's ticket, in arrival order, as `event#id`. */
const sentFor = (r: Receiver, host: string, path = '/in') =>
  r.received
    .filter((q) => q.path === path && q.body.includes(`"host":"${host}"`))
    .map((q) => {
      const m = JSON.parse(q.body) as { watchpost: { event: string; eventId: number } };
      return `${m.watchpost.event}#${m.watchpost.eventId}`;
    });

describe('desk dispatcher', () => {
  it('a desk down while 100 tickets are raised loses none: each arrives exactly once, in order per ticket, across a restart', async () => {
    const s = await setup(100);
    await s.receiver.down();
    let d = s.dispatcher();
    for (let i = 0; i < 100; i++) {
      s.disk(i, 97);
      s.advance(1000);
    }
    for (let i = 0; i < 10; i++) s.disk(i, 40); // ten resolve while the desk is still down: queued behind their opening
    for (let i = 0; i < 20; i++) {
      await d.pass();
      s.advance(5_000);
    }
    expect(s.receiver.received).toEqual([]);
    expect(s.pending()).toBe(110);
    const probing = s.store.deskOutbox.list({ state: 'pending', limit: 1000 }).filter((r) => r.attempts > 0);
    expect(probing.length).toBeLessThanOrEqual(20); // paused as a desk, not hammered per ticket
    expect(probing[0]!.lastError).toMatch(/ECONNREFUSED|fetch failed/);

    await s.receiver.up();
    s.advance(BACKOFF_MAX_MS);
    for (let i = 0; i < 3; i++) await d.pass();
    await d.stop(); // a collector restart half-way
    d = s.dispatcher();
    await s.deliverAll(d);

    expect(s.pending()).toBe(0);
    expect(s.store.deskOutbox.list({ state: 'dead' })).toEqual([]);
    const got = bodies(s.receiver);
    const opened = got.filter((b) => b.event === 'opened').map((b) => b.fingerprint);
    expect(opened).toHaveLength(100);
    expect(new Set(opened).size).toBe(100);
    const resolved = got.filter((b) => b.event === 'resolved').map((b) => b.fingerprint);
    expect(new Set(resolved).size).toBe(10);
    expect(resolved).toHaveLength(10);
    for (const key of resolved) {
      const order = got.filter((b) => b.fingerprint === key).map((b) => b.event);
      expect(order).toEqual(['opened', 'resolved']);
    }
  });

  it("never has more of a desk's requests in flight than its concurrency", async () => {
    const s = await setup(6, (url) => `desks: { hook: { type: webhook, url: "${url}/in", concurrency: 2 } }\ndefault_desks: [ { desk: hook } ]`);
    let inFlight = 0;
    let most = 0;
    const counting: typeof fetch = async (input, init) => {
      most = Math.max(most, ++inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 20)); // held long enough for the pass to start more
        return await fetch(input, init);
      } finally {
        inFlight -= 1;
      }
    };
    for (let i = 0; i < 6; i++) s.disk(i, 97);
    await s.deliverAll(s.dispatcher(counting));
    expect(s.pending()).toBe(0);
    expect(s.receiver.received).toHaveLength(6);
    expect(most).toBe(2);
  });

  it('dead-letters an event the desk refuses for good, with the reason, and keeps delivering the others', async () => {
    const s = await setup(2);
    s.receiver.answer = (req) => (req.body.includes('"host":"h0"') ? { status: 422, body: '{"error":"unknown company"}' } : { status: 200, body: '{}' });
    const d = s.dispatcher();
    s.disk(0, 97);
    s.disk(1, 97);
    await s.deliverAll(d);
    const dead = s.store.deskOutbox.list({ state: 'dead' });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ ticket: { host: 'h0' }, kind: 'opened', attempts: 1 });
    expect(dead[0]!.lastError).toContain('HTTP 422: {"error":"unknown company"}');
    expect(bodies(s.receiver).filter((b) => b.event === 'opened')).toHaveLength(2); // h0 tried once, h1 delivered
    expect(s.store.deskOutbox.list({ state: 'delivered' }).map((r) => r.ticket.host)).toEqual(['h1']);
  });

  it('holds a ticket’s later events behind its dead one; retried, the dead one arrives first and the rest follow in order', async () => {
    const twoDesks = (url: string) =>
      `desks: { hook: { type: webhook, url: "${url}/in" }, spare: { type: webhook, url: "${url}/spare" } }\ndefault_desks: [ { desk: hook }, { desk: spare } ]`;
    const s = await setup(2, twoDesks);
    let refusing = true; // the hook refuses h0's ticket (a mapping it lacks) until the MSP fixes it
    s.receiver.answer = (req) =>
      refusing && req.path === '/in' && req.body.includes('"host":"h0"') ? { status: 422, body: '{"error":"unknown company"}' } : { status: 200, body: '{}' };
    const d = s.dispatcher();
    const passes = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await d.pass();
        s.advance(1000);
      }
    };
    s.disk(0, 97);
    s.disk(1, 97);
    await passes(3);
    const [dead] = s.store.deskOutbox.list({ state: 'dead' });
    expect(dead).toMatchObject({ desk: 'hook', kind: 'opened', ticket: { host: 'h0' } });

    const h0 = dead!.ticketId;
    s.engine.act(h0, { kind: 'note', text: 'freeing space' }, 'tech1');
    s.disk(0, 40); // resolved
    s.disk(1, 40); // h1 resolves too: not held by h0's dead letter
    await passes(10);
    expect(sentFor(s.receiver, 'h0')).toEqual([`opened#${dead!.id}`]); // tried once, then nothing of h0 reached the hook
    expect(sentFor(s.receiver, 'h1').map((e) => e.split('#')[0])).toEqual(['opened', 'resolved']);
    expect(sentFor(s.receiver, 'h0', '/spare').map((e) => e.split('#')[0])).toEqual(['opened', 'note', 'resolved']); // other desks: not held
    const held = s.store.deskOutbox.list({ desk: 'hook', state: 'pending' }).reverse();
    expect(held.map((r) => [r.kind, r.ticketId, r.heldBehind])).toEqual([
      ['note', h0, dead!.id],
      ['resolved', h0, dead!.id],
    ]);
    // The API's view: pending, and what it waits for.
    expect(deliveryView(held[0]!)).toMatchObject({
      state: 'pending',
      lastError: expect.stringMatching(new RegExp(`^held behind delivery ${dead!.id} \\(dead`)),
    });

    refusing = false;
    expect(s.store.deskOutbox.revive(dead!.id, s.now())).toBe(true); // what POST /api/v1/desk-deliveries/:id/retry does
    await passes(5);
    expect(sentFor(s.receiver, 'h0')).toEqual([`opened#${dead!.id}`, `opened#${dead!.id}`, `note#${held[0]!.id}`, `resolved#${held[1]!.id}`]);
    expect(s.pending()).toBe(0);
    expect(s.store.deskOutbox.list({ state: 'dead' })).toEqual([]);
  });

  it('a retried dead event refused again keeps holding its ticket’s later events until it is delivered', async () => {
    const s = await setup(1);
    let refuse: (kind: string) => boolean = () => true;
    s.receiver.answer = (req) => {
      const kind = (JSON.parse(req.body) as { watchpost: { event: string } }).watchpost.event;
      return refuse(kind) ? { status: 400, body: 'no' } : { status: 200, body: '{}' };
    };
    const d = s.dispatcher();
    const passes = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await d.pass();
        s.advance(1000);
      }
    };
    s.disk(0, 97);
    await passes(2);
    const [opened] = s.store.deskOutbox.list({ state: 'dead' });
    s.disk(0, 40);
    await passes(2);
    const [resolved] = s.store.deskOutbox.list({ state: 'pending' });
    expect(resolved).toMatchObject({ kind: 'resolved', heldBehind: opened!.id, attempts: 0 });

    s.store.deskOutbox.revive(opened!.id, s.now());
    await passes(2); // refused again: dead again, and the resolve still waits
    expect(s.store.deskOutbox.get(opened!.id)).toMatchObject({ state: 'dead', attempts: 2 });
    expect(s.store.deskOutbox.get(resolved!.id)).toMatchObject({ state: 'pending', heldBehind: opened!.id, attempts: 0 });
    expect(sentFor(s.receiver, 'h0').map((e) => e.split('#')[0])).toEqual(['opened', 'opened']);

    refuse = () => false;
    s.store.deskOutbox.revive(opened!.id, s.now());
    await passes(3);
    expect(sentFor(s.receiver, 'h0')).toEqual([`opened#${opened!.id}`, `opened#${opened!.id}`, `opened#${opened!.id}`, `resolved#${resolved!.id}`]);
    expect(s.pending()).toBe(0);
  });

  it('honours Retry-After: nothing is sent to the desk before it has passed', async () => {
    const s = await setup(1);
    let calls = 0;
    s.receiver.answer = () => (++calls === 1 ? { status: 429, headers: { 'retry-after': '120' }, body: 'busy' } : { status: 200, body: '{}' });
    const d = s.dispatcher();
    s.disk(0, 97);
    await d.pass();
    expect(calls).toBe(1);
    for (let i = 0; i < 11; i++) {
      s.advance(10_000);
      await d.pass();
    }
    expect(calls).toBe(1); // 110 s later: still waiting
    s.advance(10_000);
    await d.pass();
    expect(calls).toBe(2);
    expect(s.pending()).toBe(0);
  });

  it('stores the desk id a retryable result carries, so the retry goes to that ticket instead of searching for it', async () => {
    const site = await startJiraFake();
    cleanups.push(() => site.close());
    site.searchLags = true; // Jira's search is eventually consistent: a new issue is not found for a while
    const jsm = `desks: { jsm: { type: jira, url: "${site.url}", email: "${JIRA_ACCOUNT.email}", api_token: "${JIRA_ACCOUNT.apiToken}", service_desk_id: "${JIRA_DESK.serviceDeskId}", request_type_id: "${JIRA_DESK.requestTypeId}", events: [resolved] } }\ndefault_desks: [ { desk: jsm } ]`;
    const s = await setup(1, () => jsm);
    const d = s.dispatcher();
    s.disk(0, 97);
    s.advance(60_000);
    s.disk(0, 40); // the desk takes only 'resolved': its first event creates the issue, then comments and resolves
    site.failNext((r) => r.path.endsWith('/comment'), { status: 503, body: '' });
    await d.pass();
    const [row] = s.store.deskOutbox.list({ state: 'pending' });
    expect(row).toMatchObject({ kind: 'resolved', attempts: 1, lastError: expect.stringContaining('HTTP 503') });
    expect(s.store.deskOutbox.remotes(row!.ticketId)).toEqual([{ desk: 'jsm', remoteId: 'ITS-1', remoteUrl: `${site.url}/browse/ITS-1` }]);

    await s.deliverAll(d);
    expect(s.pending()).toBe(0);
    expect([...site.issues.keys()]).toEqual(['ITS-1']);
    expect(site.issues.get('ITS-1')).toMatchObject({ status: 'Resolved', comments: [{ body: expect.stringMatching(/^Resolved: /) }] });
    expect(site.requests.filter((r) => r.path === '/rest/api/3/search/jql')).toHaveLength(1);
  });
});

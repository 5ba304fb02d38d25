// The feed of the desk outbox: the time each queued event carries. The real alert engine drives one ticket through
// every kind a desk takes, on an injected clock, and each outbox row must carry the moment its event happened
// (as the ticket's own history records it), never the time the ticket last changed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { watchpost } from '../../../proto/index.js';
import { createAlertEngine } from '../../../collector/src/alerting/engine.js';
import { loadRules, parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { deskTransitions } from '../../../collector/src/desks/desk-outbox-feed.js';
import { eventAt } from '../../../collector/src/tickets/model.js';
import { parseDesks } from '../../../collector/src/desks/desks-file.js';
import { openStore } from '../../../collector/src/store/index.js';
import type { SlaClockRow } from '../../../collector/src/tickets/model.js';
import { cleanupsAfterEach } from '../../helpers/cleanups.js';

const MIN = 60_000;
const MONDAY_9 = Date.parse('2026-11-23T09:00:00Z'); // inside the default pack's business hours (Mon-Fri 08-17 UTC)
const at = (minutes: number) => MONDAY_9 + minutes * MIN;
const cleanups = cleanupsAfterEach();
const quiet = {
  info: () => {},
  warn: () => {},
  error: (o: object, m: string) => {
    throw new Error(`${m} ${JSON.stringify(o)}`);
  },
};

function world() {
  const dir = mkdtempSync(join(tmpdir(), 'wp-desk-feed-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  let clock = MONDAY_9;
  const now = () => clock;
  const store = openStore(join(dir, 'watchpost.db'), { now });
  cleanups.push(() => store.close());
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const { agentId } = store.agents.enroll({ tenant: 'acme', hostname: 'srv1', os: 'linux', arch: 'x64', agentVersion: '1' });
  const agent = { id: agentId, tenant: 'acme', hostname: 'srv1', os: 'linux' };
  const rules = parseRules('rules: [ { id: disk_space, for: 0s } ]', 'rules.yaml', loadRules());
  const desks = parseDesks('desks: { hook: { type: webhook, url: "http://127.0.0.1:9/in" } }\ndefault_desks: [ { desk: hook } ]', 'desks.yaml', {});
  const engine = createAlertEngine({
    store,
    rules: () => rules,
    transitions: deskTransitions(
      store.deskOutbox,
      () => desks,
      () => {},
    ),
    log: quiet,
    now,
    connected: () => true,
  });
  const disk = (t: number, path: string, used: number) => {
    clock = t;
    const sample: watchpost.v1.ISample = {
      measurement: 'disk',
      timeMs: t,
      tags: [{ key: 'path', value: path }],
      fields: [{ key: 'used_percent', float: used }],
    };
    engine.observe(agent, [sample]);
  };
  return {
    store,
    engine,
    disk,
    set: (t: number) => void (clock = t),
    tick(t: number) {
      clock = t;
      engine.tick();
    },
  };
}

describe('desk outbox feed: each event carries the time it happened', () => {
  it('every kind a desk takes, from opening to reopening, carries its own time, as the ticket history records it', () => {
    const w = world();
    w.disk(at(0), '/', 91); // warning: impact medium, P3
    const id = w.store.tickets.list({})[0]!.id;
    w.disk(at(2), '/', 97); // critical: impact high, P2 (respond due 09:12, warned at 09:09)
    w.disk(at(3), '/', 91); // back to warning: noted, the priority stays
    w.disk(at(4), '/data', 91); // a second instance fires
    w.set(at(6));
    w.engine.act(id, { kind: 'note', text: 'looking at it' }, 'tech1');
    w.tick(at(9.5)); // respond approaching
    w.tick(at(12.5)); // respond breached: a ticket last changed at 09:06 and opened at 09:00
    w.set(at(20));
    w.engine.act(id, { kind: 'ack' }, 'tech1');
    w.set(at(25));
    w.engine.act(id, { kind: 'plan', text: 'clean up the logs' }, 'tech1');
    w.set(at(27));
    w.engine.act(id, { kind: 'note', text: 'disk in the desk' }, 'desk:jsm:ann', { origin: 'jsm', at: at(26) }); // a push, at the desk's time
    w.disk(at(30), '/', 10);
    w.disk(at(31), '/data', 10); // the last instance clears: resolved
    w.disk(at(40), '/', 97); // within the reopen window: reopened

    const rows = w.store.deskOutbox.list({ ticketId: id, limit: 1000 }).reverse();
    expect(rows.map((r) => [r.kind, (r.at - MONDAY_9) / MIN])).toEqual([
      ['opened', 0],
      ['escalated', 2],
      ['deescalated', 3],
      ['updated', 4],
      ['note', 6],
      ['sla_approaching', 9.5],
      ['sla_breached', 12.5],
      ['acknowledged', 20],
      ['plan', 25],
      ['note', 26],
      ['updated', 30],
      ['resolved', 31],
      ['reopened', 40],
    ]);
    const history = w.store.tickets.events(id).map((e) => [e.kind, e.at]);
    expect(rows.map((r) => [r.kind, r.at])).toEqual(history);
  });

  it('a breach noticed late (the collector was down past the due time) carries the moment it was noticed, its due time in the detail', () => {
    const w = world();
    w.disk(at(0), '/', 97); // P2: respond due 09:12 (warned at 09:09), plan warned at 09:45
    const id = w.store.tickets.list({})[0]!.id;
    w.tick(at(40));
    const rows = w.store.deskOutbox.list({ ticketId: id }).reverse();
    expect(rows.map((r) => r.kind)).toEqual(['opened', 'sla_breached']); // past due when seen: told as breached only
    expect(rows[1]).toMatchObject({ at: at(40), detail: `respond target breached (due ${new Date(at(12)).toISOString()})` });
  });

  describe('eventAt', () => {
    const clock = (target: SlaClockRow['target'], marks: Partial<SlaClockRow>): SlaClockRow => ({
      target,
      startedAt: 0,
      dueAt: 100,
      warnAt: 75,
      metAt: null,
      approachedAt: null,
      breachedAt: null,
      ...marks,
    });
    const ticket = { updatedAt: 10, sla: [clock('respond', { approachedAt: 80, breachedAt: 110 }), clock('resolve', { approachedAt: 90 })] };

    it('an SLA event takes its clock’s mark; any other event the update that made it', () => {
      expect(eventAt(ticket, 'sla_breached', 'respond')).toBe(110);
      expect(eventAt(ticket, 'sla_approaching', 'respond')).toBe(80);
      expect(eventAt(ticket, 'sla_approaching', 'resolve')).toBe(90);
      expect(eventAt(ticket, 'note')).toBe(10);
      expect(eventAt(ticket, 'resolved')).toBe(10);
    });

    it('without a target, the newest mark of the kind; with no mark at all, the ticket’s update time', () => {
      expect(eventAt(ticket, 'sla_approaching')).toBe(90);
      expect(eventAt(ticket, 'sla_breached')).toBe(110);
      expect(eventAt(ticket, 'sla_breached', 'resolve')).toBe(10);
      expect(eventAt({ updatedAt: 10, sla: [] }, 'sla_breached')).toBe(10);
    });
  });
});

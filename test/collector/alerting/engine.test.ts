// The alert engine end to end below the network: real SQLite file, the shipped default pack (plus overrides in
// YAML), an injected clock, wire samples in. Each test reads as a timeline of what an MSP would see in its desk.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { watchpost } from '../../../proto/index.js';
import { createAlertEngine, type AlertEngine } from '../../../collector/src/alerting/engine.js';
import { TICK_SLICE_AGENTS } from '../../../collector/src/alerting/tick-path.js';
import type { AgentIdentity } from '../../../collector/src/alerting/host-facts.js';
import { createTransitions } from '../../../collector/src/alerting/influx-outbox-feed.js';
import { loadRules, parseRules, type RuleSet } from '../../../collector/src/alerting/rules/rules-file.js';
import { openStore, type Store } from '../../../collector/src/store/index.js';

const MIN = 60_000;
const MONDAY_9 = Date.parse('2026-11-23T09:00:00Z'); // business calendar of the default pack: Mon-Fri 08-17 UTC
const at = (minutes: number) => MONDAY_9 + minutes * MIN;
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const silentLog = {
  warn: () => {},
  error: (obj: object, msg: string) => {
    throw new Error(`${msg}: ${JSON.stringify(obj)}`);
  },
};

/** A collector's alerting side over one SQLite file; restart() is a new process on the same file. */
function harness(rulesYaml = '', os = 'linux') {
  const dir = mkdtempSync(join(tmpdir(), 'wp-engine-'));
  dirs.push(dir);
  const file = join(dir, 'watchpost.db');
  let clock = MONDAY_9;
  const now = () => clock;
  let store: Store = openStore(file, { now });
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const { agentId } = store.agents.enroll({ tenant: 'acme', hostname: 'srv1', os, arch: 'x64', agentVersion: '1.0.0' });
  const rules: RuleSet = rulesYaml ? parseRules(rulesYaml, 'test-rules.yaml', loadRules()) : loadRules();
  let connected = true;
  const make = (): AlertEngine =>
    createAlertEngine({ store, rules: () => rules, transitions: createTransitions(store.influxOutbox, now), log: silentLog, now, connected: () => connected });
  let engine = make();
  const agent = { id: agentId, tenant: 'acme', hostname: 'srv1', os };
  return {
    get store() {
      return store;
    },
    get engine() {
      return engine;
    },
    agentId,
    agent,
    set: (ms: number) => void (clock = ms),
    disconnect: () => void (connected = false),
    restart() {
      store.close();
      store = openStore(file, { now });
      engine = make();
    },
    /** One batch at time t (the clock moves there first). */
    send(t: number, samples: watchpost.v1.ISample[]) {
      this.sendAs(agent, t, samples);
    },
    /** One batch from another agent (or the same agent under another name). */
    sendAs(identity: AgentIdentity, t: number, samples: watchpost.v1.ISample[]) {
      clock = t;
      engine.observe(
        identity,
        samples.map((s) => ({ ...s, timeMs: t })),
      );
    },
    tick(t: number) {
      clock = t;
      engine.tick();
    },
    tickets: () => store.tickets.list({}),
    events: (id: number) => store.tickets.events(id).map((e) => e.kind),
  };
}

const disk = (path: string, usedPercent: number): watchpost.v1.ISample => ({
  measurement: 'disk',
  tags: [{ key: 'path', value: path }],
  fields: [{ key: 'used_percent', float: usedPercent }],
});

describe('alert engine: thresholds to tickets', () => {
  it('a filling disk: pending, one P2 ticket with business-hours due times, survives restarts, escalation noted, auto-resolved, reopened', () => {
    const h = harness();
    h.send(at(0), [disk('/data', 96)]);
    expect(h.tickets()).toEqual([]); // pending is never ticketed
    h.restart(); // mid-pending
    h.send(at(5), [disk('/data', 96.5)]);
    const [ticket] = h.tickets();
    expect(h.tickets()).toHaveLength(1);
    // Linux -> server -> urgency medium; critical level -> impact high; matrix -> P2.
    expect(ticket).toMatchObject({
      tenant: 'acme',
      host: 'srv1',
      ruleId: 'disk_space',
      status: 'open',
      priority: 'P2',
      urgency: 'medium',
      impact: 'high',
      slaProfile: 'standard-8x5',
    });
    const due = Object.fromEntries(ticket!.sla.map((c) => [c.target, iso(c.dueAt)]));
    // Opened Monday 09:05: respond 12 min, plan (P2) 1 h, resolve (P2) 8 business hours = 7h55 today + 5 min Tuesday.
    expect(due).toEqual({ respond: '2026-11-23T09:17:00.000Z', plan: '2026-11-23T10:05:00.000Z', resolve: '2026-11-24T08:05:00.000Z' });

    h.restart(); // mid-firing: neither a second ticket nor a second "opened"
    h.send(at(6), [disk('/data', 97)]);
    h.send(at(10), [disk('/data', 91)]); // below critical's clear (92), above warning's (85): de-escalated
    expect(h.tickets()).toHaveLength(1);
    expect(h.tickets()[0]!.priority).toBe('P2'); // a priority never drops by itself
    expect(h.events(ticket!.id)).toEqual(['opened', 'deescalated']);

    h.send(at(20), [disk('/data', 80)]);
    expect(h.tickets()[0]).toMatchObject({ status: 'resolved', resolvedBy: 'auto' });
    expect(h.tickets()[0]!.sla.find((c) => c.target === 'resolve')!.metAt).toBe(at(20));

    h.send(at(30), [disk('/data', 96)]);
    h.send(at(35), [disk('/data', 96)]); // fires again 15 min after the resolution: within reopen_window (1 h)
    expect(h.tickets()).toHaveLength(1);
    expect(h.tickets()[0]).toMatchObject({ id: ticket!.id, status: 'open', reopenCount: 1 });
    expect(h.events(ticket!.id)).toEqual(['opened', 'deescalated', 'resolved', 'reopened']);
  });

  it('a warning that becomes critical raises the ticket from P3 to P2 and shortens its due times', () => {
    const h = harness();
    h.send(at(0), [disk('C:', 91)]);
    h.send(at(5), [disk('C:', 91)]);
    const opened = h.tickets()[0]!;
    expect(opened.priority).toBe('P3');
    h.send(at(7), [disk('C:', 96)]);
    const escalated = h.tickets()[0]!;
    expect(escalated).toMatchObject({ id: opened.id, priority: 'P2', impact: 'high' });
    const resolveDue = (t: typeof opened) => t.sla.find((c) => c.target === 'resolve')!.dueAt;
    expect(resolveDue(escalated)).toBeLessThan(resolveDue(opened));
    expect(h.events(opened.id)).toEqual(['opened', 'escalated']);
  });

  it('one ticket per host and rule: a second disk filling up updates the open ticket, which resolves when both cleared', () => {
    const h = harness();
    h.send(at(0), [disk('/a', 96), disk('/b', 50)]);
    h.send(at(5), [disk('/a', 96), disk('/b', 50)]);
    h.send(at(10), [disk('/a', 96), disk('/b', 97)]);
    h.send(at(15), [disk('/a', 96), disk('/b', 97)]);
    expect(h.tickets()).toHaveLength(1);
    expect(h.tickets()[0]!.summary).toContain('/b');
    h.send(at(20), [disk('/a', 50), disk('/b', 97)]);
    expect(h.tickets()[0]!.status).toBe('open');
    h.send(at(25), [disk('/a', 50), disk('/b', 50)]);
    expect(h.tickets()[0]!.status).toBe('resolved');
    expect(h.events(h.tickets()[0]!.id)).toEqual(['opened', 'updated', 'updated', 'resolved']);
  });

  it('a flapping condition makes one ticket with a history, not a storm', () => {
    const h = harness('rules: [ { id: disk_space, for: 0s } ]');
    for (let i = 0; i < 10; i++) {
      h.send(at(i * 4), [disk('/', 97)]);
      h.send(at(i * 4 + 2), [disk('/', 50)]);
    }
    expect(h.tickets()).toHaveLength(1);
    expect(h.tickets()[0]).toMatchObject({ status: 'resolved', reopenCount: 9 });
  });

  it('on_clear: note leaves the ticket open with a note', () => {
    const h = harness('rules: [ { id: disk_space, on_clear: note } ]');
    h.send(at(0), [disk('/', 97)]);
    h.send(at(5), [disk('/', 97)]);
    h.send(at(6), [disk('/', 10)]);
    expect(h.tickets()[0]!.status).toBe('open');
    expect(h.events(h.tickets()[0]!.id)).toEqual(['opened', 'note']);
  });
});

describe('alert engine: who the host is', () => {
  it('takes the role from the latest inventory: a Windows Server is a server even after being seen as a workstation', () => {
    const h = harness('', 'win32');
    h.send(at(0), [disk('C:', 50)]); // no inventory yet: Windows -> workstation
    h.store.osIdentities.put(h.agentId, { family: 'windows', name: 'Windows Server 2022', version: '10.0.20348', productType: 'server' }, at(1));
    h.send(at(1), [
      {
        measurement: 'inventory',
        tags: [],
        fields: [
          { key: 'os_family', str: 'windows' },
          { key: 'os_product_type', str: 'server' },
        ],
      },
    ]);
    h.send(at(2), [disk('C:', 97)]);
    h.send(at(7), [disk('C:', 97)]);
    expect(h.tickets()[0]).toMatchObject({ urgency: 'medium', priority: 'P2' });
  });

  it('a workstation breach is P3 (impact high, urgency low)', () => {
    const h = harness('', 'win32');
    h.send(at(0), [disk('C:', 97)]);
    h.send(at(5), [disk('C:', 97)]);
    expect(h.tickets()[0]).toMatchObject({ urgency: 'low', priority: 'P3' });
  });
});

describe('alert engine: alerts and tickets follow the agent, not its name', () => {
  const hostTag = (line: string) => /,host=([^,]+)/.exec(line)?.[1];

  it("a second agent saying the first one's name neither resolves, updates nor reopens its ticket", () => {
    const h = harness();
    const b = h.store.agents.enroll({ tenant: 'acme', hostname: 'srv2', os: 'linux', arch: 'x64', agentVersion: '1.0.0' }).agentId;
    const impostor: AgentIdentity = { id: b, tenant: 'acme', hostname: 'srv1', os: 'linux' };
    h.send(at(0), [disk('/data', 97)]);
    h.send(at(5), [disk('/data', 97)]);
    const victim = h.tickets()[0]!;
    expect(victim).toMatchObject({ agentId: h.agentId, host: 'srv1', status: 'open' });

    h.sendAs(impostor, at(6), [disk('/data', 10)]); // a healthy value from the other agent
    h.sendAs(impostor, at(7), [disk('/data', 99), disk('/logs', 99)]);
    h.sendAs(impostor, at(12), [disk('/data', 99), disk('/logs', 99)]); // its own breach fires
    h.tick(at(13));
    h.send(at(14), [disk('/data', 97)]);

    expect(h.store.tickets.get(victim.id)).toMatchObject({ status: 'open', summary: victim.summary, priority: 'P2' });
    expect(h.events(victim.id)).toEqual(['opened']);
    const own = h.tickets().filter((t) => t.agentId === b);
    expect(own).toHaveLength(1);
    expect(own[0]!.summary).toContain('/logs');
    expect(h.tickets()).toHaveLength(2);

    h.sendAs(impostor, at(20), [disk('/data', 10), disk('/logs', 10)]); // the other agent's disks recover
    expect(h.store.tickets.get(own[0]!.id)!.status).toBe('resolved');
    expect(h.store.tickets.get(victim.id)!.status).toBe('open');
    const firing = h.engine
      .alerts()
      .filter(([, r]) => r.status === 'firing')
      .map(([k]) => [k.agentId, k.instance]);
    expect(firing).toEqual([[h.agentId, '/data']]);
  });

  it('a renamed agent keeps its firing alert and its open ticket, shown under the new name from then on', () => {
    const h = harness();
    h.send(at(0), [disk('/data', 97)]);
    h.send(at(5), [disk('/data', 97)]);
    const ticket = h.tickets()[0]!;
    expect(ticket.title).toBe('Disk space low on srv1');

    h.store.agents.rename(h.agentId, 'srv1-new'); // the admin's `agent rename`
    const renamed: AgentIdentity = { ...h.agent, hostname: 'srv1-new' };
    h.sendAs(renamed, at(6), [disk('/data', 97)]);
    h.tick(at(7));
    expect(h.tickets()).toHaveLength(1);
    expect(h.tickets()[0]).toMatchObject({ id: ticket.id, status: 'open', host: 'srv1-new', title: 'Disk space low on srv1-new', agentId: h.agentId });
    expect(h.events(ticket.id)).toEqual(['opened', 'updated']);
    expect(h.store.tickets.events(ticket.id)[1]!.detail).toBe('host renamed: srv1 -> srv1-new');
    expect(h.engine.alerts().map(([k, r]) => [k.host, k.instance, r.status])).toEqual([['srv1-new', '/data', 'firing']]);
    h.send(at(8), [disk('/data', 97)]); // a connection opened before the rename still says the old name: the store's wins
    expect(h.tickets()[0]).toMatchObject({ host: 'srv1-new' });
    expect(h.events(ticket.id)).toEqual(['opened', 'updated']);

    h.restart(); // the name and the state survive a restart
    expect(h.engine.alerts().map(([k, r]) => [k.agentId, k.host, r.status])).toEqual([[h.agentId, 'srv1-new', 'firing']]);
    h.sendAs(renamed, at(10), [disk('/data', 91)]); // de-escalated: the same ticket, no resolution
    h.sendAs(renamed, at(15), [disk('/data', 40)]); // cleared: the same ticket resolves
    expect(h.tickets()).toHaveLength(1);
    expect(h.events(ticket.id)).toEqual(['opened', 'updated', 'deescalated', 'resolved']);

    const lines = h.store.influxOutbox.peek(1000).map((r) => r.line);
    const alertHosts = lines.filter((l) => l.startsWith('alerts,')).map(hostTag);
    const ticketHosts = lines.filter((l) => l.startsWith('tickets,')).map(hostTag);
    expect(alertHosts).toEqual(['srv1', 'srv1', 'srv1-new', 'srv1-new']); // pending, firing | deescalated, resolved
    expect(ticketHosts).toEqual(['srv1', 'srv1-new', 'srv1-new', 'srv1-new']); // opened | renamed, deescalated, resolved
  });

  it('a name that moves to a new agent after the old one was revoked inherits nothing and resolves nothing', () => {
    const h = harness();
    h.send(at(0), [disk('/data', 97)]);
    h.send(at(5), [disk('/data', 97)]);
    const old = h.tickets()[0]!;
    h.store.agents.revoke(h.agentId);
    const fresh = h.store.agents.enroll({ tenant: 'acme', hostname: 'srv1', os: 'linux', arch: 'x64', agentVersion: '1.0.0' }).agentId;
    const successor: AgentIdentity = { id: fresh, tenant: 'acme', hostname: 'srv1', os: 'linux' };

    h.sendAs(successor, at(10), [disk('/data', 40)]);
    h.tick(at(11));
    h.sendAs(successor, at(30), [disk('/data', 41)]);
    h.tick(at(31));
    expect(h.store.tickets.get(old.id)).toMatchObject({ status: 'open', agentId: h.agentId });
    expect(h.events(old.id).filter((k) => !k.startsWith('sla_'))).toEqual(['opened']); // its SLA clocks run on

    h.sendAs(successor, at(40), [disk('/data', 97)]);
    h.sendAs(successor, at(45), [disk('/data', 97)]); // the new machine's own breach: its own ticket
    expect(h.tickets().map((t) => [t.agentId, t.status])).toEqual([
      [fresh, 'open'],
      [h.agentId, 'open'],
    ]);
    expect(h.events(old.id).filter((k) => !k.startsWith('sla_'))).toEqual(['opened']);
  });
});

describe('alert engine: maintenance windows and silences', () => {
  it('holds a ticket during the window, tickets what is still firing after the exit grace, and floods nothing', () => {
    const h = harness();
    h.store.maintenance.addWindow({ tenant: 'acme', host: 'srv1', reason: 'patching', startsAt: at(0), endsAt: at(60), createdBy: 'test' });
    h.send(at(1), [disk('/a', 97), disk('/b', 97)]);
    h.send(at(6), [disk('/a', 97), disk('/b', 97)]); // both fire inside the window: held
    expect(h.tickets()).toEqual([]);
    h.send(at(30), [disk('/a', 97), disk('/b', 40)]); // /b resolves inside the window: nothing to say
    h.tick(at(61)); // window over, exit grace (5 min) not yet
    expect(h.tickets()).toEqual([]);
    h.tick(at(66));
    expect(h.tickets()).toHaveLength(1);
    expect(h.tickets()[0]!.summary).toContain('/a');
    expect(h.tickets()[0]!.summary).not.toContain('/b');
    expect(h.events(h.tickets()[0]!.id)).toEqual(['opened']);
  });

  it('matches the name the agent has now: after a rename, a window on the old name holds nothing, one on the new name does', () => {
    const h = harness('rules: [ { id: disk_space, for: 0s } ]');
    h.store.agents.rename(h.agentId, 'srv1-new');
    h.store.maintenance.addWindow({ tenant: 'acme', host: 'srv1', reason: 'old name', startsAt: at(0), endsAt: at(60), createdBy: 'test' });
    h.tick(at(0)); // the tick reads the new name
    h.send(at(1), [disk('/a', 97)]);
    expect(h.tickets().map((t) => t.host)).toEqual(['srv1-new']);
    h.store.maintenance.addWindow({ tenant: 'acme', host: 'srv1-new', reason: 'new name', startsAt: at(0), endsAt: at(60), createdBy: 'test' });
    h.send(at(2), [disk('/b', 97)]);
    expect(h.engine.alerts().find(([k]) => k.instance === '/b')![1]).toMatchObject({ status: 'firing', ticketed: false });
  });

  it('a silence on one rule holds only that rule', () => {
    const h = harness('rules: [ { id: mem_test, kind: metric, title: Memory, measurement: mem, field: used_percent, above: 90, impact: low } ]');
    h.store.maintenance.addSilence({
      tenant: 'acme',
      ruleId: 'disk_space',
      startsAt: at(0),
      endsAt: at(120),
      comment: 'known, vendor case open',
      createdBy: 'test',
    });
    h.send(at(0), [disk('/', 97), { measurement: 'mem', tags: [], fields: [{ key: 'used_percent', float: 95 }] }]);
    h.send(at(5), [disk('/', 97)]);
    expect(h.tickets().map((t) => t.ruleId)).toEqual(['mem_test']);
    expect(h.engine.alerts().find(([k]) => k.ruleId === 'disk_space')![1]).toMatchObject({ status: 'firing', ticketed: false, heldUntil: at(120) });
  });
});

describe('alert engine: absence and SLA clocks', () => {
  it('a server silent for 10 minutes raises a P2 offline ticket; silence from before the collector started does not count', () => {
    const h = harness();
    h.store.agents.touch(h.agentId, { lastSeenAt: at(-120) }); // last heard two hours before this collector started
    h.disconnect();
    h.tick(at(9));
    expect(h.tickets()).toEqual([]);
    h.tick(at(10));
    expect(h.tickets()).toHaveLength(1);
    expect(h.tickets()[0]).toMatchObject({ ruleId: 'agent_offline_server', priority: 'P2' });
  });

  it('records approaching and breached targets once each; an acknowledgement stops the respond clock', () => {
    const h = harness();
    h.send(at(0), [disk('/', 97)]);
    h.send(at(5), [disk('/', 97)]); // opened 09:05: respond due 09:17, warn at 75 % = 09:14
    const id = h.tickets()[0]!.id;
    h.tick(at(13));
    expect(h.events(id)).toEqual(['opened']);
    h.tick(at(14));
    h.tick(at(15));
    expect(h.events(id)).toEqual(['opened', 'sla_approaching']);
    h.tick(at(17));
    expect(h.events(id)).toEqual(['opened', 'sla_approaching', 'sla_breached']);
    h.engine.act(id, { kind: 'ack' }, 'tech1');
    const ticket = h.store.tickets.get(id)!;
    expect(ticket).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'tech1' });
    expect(ticket.sla.find((c) => c.target === 'respond')).toMatchObject({ metAt: at(17), breachedAt: at(17) });
    // plan (P2: 1 h) approaches at 09:50 and is met by the plan at 09:40: no event for it.
    h.set(at(40));
    h.engine.act(id, { kind: 'plan', text: 'extend the volume tonight' }, 'tech1');
    h.tick(at(55));
    expect(h.events(id)).toEqual(['opened', 'sla_approaching', 'sla_breached', 'acknowledged', 'plan']);
  });

  it('writes tickets_open every minute on the tick, and a count that dropped to zero once as zero', () => {
    const h = harness();
    const gaugeLines = () =>
      h.store.influxOutbox
        .peek(1000)
        .map((r) => r.line)
        .filter((l) => l.startsWith('tickets_open,'));
    h.send(at(0), [disk('/', 97)]);
    h.send(at(5), [disk('/', 97)]); // P2 ticket opened 09:05, respond due 09:17
    h.tick(at(15)); // respond approaching
    expect(gaugeLines()).toHaveLength(1);
    expect(gaugeLines()[0]).toMatch(/^tickets_open,host=\S+,priority=P2,status=open,tenant=acme count=1i,sla_approaching=1i,sla_breached=0i /);
    h.tick(at(15.5)); // within the minute: nothing new
    expect(gaugeLines()).toHaveLength(1);
    h.send(at(16), [disk('/', 10)]); // resolved
    h.tick(at(16.5));
    expect(gaugeLines()[1]).toMatch(/priority=P2,status=open,tenant=acme count=0i,sla_approaching=0i,sla_breached=0i /);
    h.tick(at(18));
    expect(gaugeLines()).toHaveLength(2);
  });

  it('every transition reaches the InfluxDB outbox as alerts and tickets points', () => {
    const h = harness();
    h.send(at(0), [disk('/', 97)]);
    h.send(at(5), [disk('/', 97)]);
    const lines = h.store.influxOutbox.peek(100).map((r) => r.line);
    expect(lines.filter((l) => l.startsWith('alerts,')).map((l) => /event=(\w+)/.exec(l)![1])).toEqual(['pending', 'firing']);
    const ticketLine = lines.find((l) => l.startsWith('tickets,'))!;
    expect(ticketLine).toMatch(/event=opened/);
    expect(ticketLine).toMatch(/priority=P2/);
    expect(ticketLine).toMatch(/host=srv1/);
    expect(ticketLine).toMatch(/tenant=acme/);
  });
});

describe('alert engine: the tick in steps (a tick over a large fleet never holds up a breach)', () => {
  it('visits TICK_SLICE_AGENTS agents per step; a breach observed between steps is ticketed at once; the end state equals a whole tick', () => {
    const h = harness();
    const silent = 2 * TICK_SLICE_AGENTS + 1; // three steps of agents, the harness's srv1 among the first
    for (let i = 0; i < silent; i++) {
      const { agentId } = h.store.agents.enroll({ tenant: 'acme', hostname: `ws-${i}`, os: 'linux', arch: 'x64', agentVersion: '1.0.0' });
      h.store.agents.touch(agentId, { lastSeenAt: at(0) });
    }
    h.disconnect();
    h.set(at(15)); // every server silent for 15 minutes: the offline rule fires for each of them
    const steps = h.engine.tickSteps();
    let visited = 0;
    let breachAfterStep = -1;
    for (const step of steps) {
      void step;
      visited++;
      if (visited === 2) {
        // Between two steps, as serve leaves the event loop free: a disk breach arrives and is handled now.
        h.engine.observe({ id: h.agentId, tenant: 'acme', hostname: 'srv1', os: 'linux' }, [{ ...disk('/', 99), timeMs: at(15) }]);
        breachAfterStep = h.tickets().filter((t) => t.ruleId === 'disk_space').length;
      }
    }
    expect(visited).toBe(Math.ceil((silent + 1) / TICK_SLICE_AGENTS) + 1); // one step per slice, one for the rest
    expect(breachAfterStep).toBe(0); // pending (the disk rule's `for`), decided without waiting for the tick
    const offline = () => h.store.tickets.openSummary(at(15)).reduce((n, row) => n + row.count, 0);
    expect(offline()).toBe(silent + 1);

    // The same fleet ticked whole in a fresh engine over the same store finds nothing more to do.
    h.restart();
    h.engine.tick();
    expect(offline()).toBe(silent + 1);
  });
});

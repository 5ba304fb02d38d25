// The optional compliance ticket through the engine's evaluations and ticks over a real SQLite store, told to the
// real transition sinks (InfluxDB outbox, service-desk outbox): off by default; when enabled, one ticket per host
// after `after`, noted when the set of failing standards changes, resolved when none fails or a waiver covers it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { watchpost } from '../../../proto/index.js';
import { createTransitions } from '../../../collector/src/alerting/influx-outbox-feed.js';
import { parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { allTransitions } from '../../../collector/src/alerting/transitions.js';
import { createComplianceEngine } from '../../../collector/src/compliance/engine.js';
import { COMPLIANCE_TICKET_RULE } from '../../../collector/src/compliance/tickets.js';
import { createWaiver } from '../../../collector/src/compliance/waivers.js';
import { deskTransitions } from '../../../collector/src/desks/desk-outbox-feed.js';
import { parseDesks } from '../../../collector/src/desks/desks-file.js';
import { openStore, type Store } from '../../../collector/src/store/index.js';

const T0 = Date.parse('2026-11-02T08:00:00Z');
const H = 3_600_000;

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const DESKS = `
desks:
  hook: { type: webhook, url: "https://hooks.example.net/watchpost", secret: a-long-webhook-secret-value }
default_desks: [ { desk: hook } ]
`;

function setup(rulesYaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'wp-compliance-tickets-'));
  dirs.push(dir);
  let now = T0;
  const clock = { now: () => now, set: (ms: number) => void (now = ms) };
  const store = openStore(join(dir, 'watchpost.db'), { now: clock.now });
  stores.push(store);
  store.tenants.add({ id: 'acme', name: 'Acme' });
  let rules = parseRules(rulesYaml, 'rules.yaml');
  const desks = parseDesks(DESKS, 'desks.yaml', {});
  const open = () =>
    createComplianceEngine({
      store,
      rules: () => rules,
      now: clock.now,
      transitions: allTransitions(
        createTransitions(store.influxOutbox, clock.now),
        deskTransitions(
          store.deskOutbox,
          () => desks,
          () => {},
        ),
      ),
      onError: (_id, e) => {
        throw e;
      },
    });
  const { agentId } = store.agents.enroll({ tenant: 'acme', hostname: 'sql01', os: 'win32', arch: 'x64', agentVersion: '1' });
  const agent = { id: agentId, tenant: 'acme', hostname: 'sql01' };
  const engine = open();
  // A server whose last backup is 30 hours old: backup fails from T0 (the limit is 26 h); the rest passes or is unknown.
  engine.observe(agent, [inventory(T0 - 60_000), backup(T0 - 60_000, T0 - 30 * H)]);
  // A rules reload (SIGHUP): the same engine reads the new terms.
  const reload = (yaml: string) => void (rules = parseRules(yaml, 'rules.yaml'));
  return { store, clock, engine, agent, open, reload };
}

function sample(measurement: string, time: number, fields: Record<string, string | number | boolean>, tags: Record<string, string> = {}): watchpost.v1.ISample {
  return {
    measurement,
    timeMs: time,
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    fields: Object.entries(fields).map(([key, v]) => (typeof v === 'string' ? { key, str: v } : typeof v === 'boolean' ? { key, bool: v } : { key, int: v })),
  };
}
const inventory = (t: number) =>
  sample('inventory', t, { os_family: 'windows', os_name: 'Windows Server 2022 Standard', os_build: '20348', os_product_type: 'server' });
const backup = (t: number, lastSuccess: number) => sample('backup', t, { products: 1, detectable: true, last_success: Math.floor(lastSuccess / 1000) });
/** The antivirus probe runs and reports no product: antivirus fails. */
const noAntivirus = (t: number) => sample('agent_probe', t, { runs: 2, errors: 0, samples: 0 }, { probe: 'antivirus' });

const complianceTickets = (store: Store) => store.tickets.list({ tenant: 'acme' }).filter((t) => t.ruleId === COMPLIANCE_TICKET_RULE);
const events = (store: Store, id: number) => store.tickets.events(id).map((e) => [e.kind, e.detail]);
const failing = (store: Store) =>
  store.compliance
    .states('acme')
    .filter((s) => s.verdict === 'fail')
    .map((s) => s.standard);

const ENABLED = 'terms: { compliance: { tickets: { enabled: true } } }';

describe('compliance tickets', () => {
  it('opens none while disabled (the default), however long a standard fails', () => {
    const { store, clock, engine } = setup('');
    expect(failing(store)).toEqual(['backup']);
    clock.set(T0 + 72 * H);
    engine.tick();
    expect(complianceTickets(store)).toEqual([]);
    expect(store.tickets.list({})).toEqual([]);
  });

  it('opens one ticket per host after `after`, notes a change of the failing set, and resolves it when all pass', () => {
    const { store, clock, engine, agent } = setup(ENABLED);
    clock.set(T0 + 23 * H);
    engine.tick();
    expect(complianceTickets(store)).toEqual([]);

    clock.set(T0 + 24 * H);
    engine.tick();
    const [ticket, ...others] = complianceTickets(store);
    expect(others).toEqual([]);
    // Priority from the tenant's matrix: low impact x low urgency is P4 in the default matrix, with its SLA clocks.
    expect(ticket).toMatchObject({
      title: 'Minimum standards not met on sql01',
      status: 'open',
      priority: 'P4',
      impact: 'low',
      urgency: 'low',
      agentId: agent.id,
      host: 'sql01',
      openedAt: T0 + 24 * H,
      summary: 'backup: last successful backup 2 days ago, on 2026-11-01; the limit is 26 hours',
    });
    expect(ticket!.sla.map((c) => c.target)).toEqual(['respond', 'plan', 'resolve']);
    expect(events(store, ticket!.id)).toEqual([
      ['opened', 'failing for longer than 1d: backup: last successful backup 2 days ago, on 2026-11-01; the limit is 26 hours'],
    ]);
    // Told like any ticket: a `tickets` point and the desk's delivery.
    expect(store.influxOutbox.peek(1000).map((r) => r.line)).toContainEqual(
      expect.stringMatching(/^tickets,event=opened,host=sql01,priority=P4,rule=minimum-standards,status=open,tenant=acme /),
    );
    expect(store.deskOutbox.list({ ticketId: ticket!.id }).map((d) => [d.desk, d.kind])).toEqual([['hook', 'opened']]);

    // Antivirus fails too (its probe keeps reporting no product), but not yet for a day: the ticket stays as it is.
    const probeAt = (t: number) => {
      clock.set(t);
      engine.observe(agent, [noAntivirus(t)]);
    };
    probeAt(T0 + 25 * H);
    expect(failing(store)).toEqual(['antivirus', 'backup']);
    probeAt(T0 + 48 * H);
    engine.tick();
    expect(events(store, ticket!.id)).toHaveLength(1);
    // A day on, the set changes: one 'updated' event on the same ticket, naming what is new.
    probeAt(T0 + 49 * H);
    expect(complianceTickets(store).map((t) => t.id)).toEqual([ticket!.id]);
    expect(events(store, ticket!.id).at(-1)).toEqual([
      'updated',
      expect.stringMatching(
        /^failing for longer than 1d \(newly: antivirus\): antivirus: the antivirus probe runs and reports no protection product; backup: /,
      ),
    ]);
    // Further ticks with the same set add nothing.
    probeAt(T0 + 50 * H);
    engine.tick();
    expect(events(store, ticket!.id)).toHaveLength(2);

    // Both pass again: resolved by 'auto', and the desk is told.
    const defender = sample('antivirus', T0 + 50 * H, { state: 'on', realtime: true, signature_age_days: 0 }, { product: 'Microsoft Defender' });
    engine.observe(agent, [backup(T0 + 50 * H, T0 + 50 * H - 60_000), defender]);
    expect(failing(store)).toEqual([]);
    expect(store.tickets.get(ticket!.id)).toMatchObject({ status: 'resolved', resolvedBy: 'auto', resolvedAt: T0 + 50 * H });
    expect(events(store, ticket!.id).at(-1)).toEqual([
      'resolved',
      'condition cleared: no minimum standard fails any longer without a waiver (was: antivirus, backup)',
    ]);
    expect(store.deskOutbox.list({ ticketId: ticket!.id }).map((d) => d.kind)).toContain('resolved');
  });

  it('resolves the ticket when a waiver covers what failed, and reopens it when the waiver is revoked', () => {
    const { store, clock, engine } = setup(ENABLED);
    clock.set(T0 + 24 * H);
    engine.tick();
    const [ticket] = complianceTickets(store);
    expect(ticket).toMatchObject({ status: 'open' });

    clock.set(T0 + 25 * H);
    const w = createWaiver(store, { tenant: 'acme', host: 'sql01', standard: 'backup', reason: 'client NAS job', expires: '30d' }, 'Jane', T0 + 25 * H);
    engine.reevaluate('acme');
    expect(store.tickets.get(ticket!.id)).toMatchObject({ status: 'resolved', resolvedBy: 'auto' });
    expect(complianceTickets(store)).toHaveLength(1);

    // Revoked within the reopen window (1h): the same ticket reopens rather than a second one.
    clock.set(T0 + 25 * H + 30 * 60_000);
    store.waivers.revoke(w.id, 'Bob', T0 + 25 * H + 30 * 60_000);
    engine.reevaluate('acme');
    expect(complianceTickets(store)).toEqual([expect.objectContaining({ id: ticket!.id, status: 'open', reopenCount: 1 })]);
  });

  it('takes impact and urgency from the settings, priority from the tenant matrix, and survives a restart without a new note', () => {
    const { store, clock, engine, open } = setup('terms: { compliance: { tickets: { enabled: true, impact: high, urgency: medium, after: 2h } } }');
    clock.set(T0 + 2 * H);
    engine.tick();
    const [ticket] = complianceTickets(store);
    expect(ticket).toMatchObject({ priority: 'P2', impact: 'high', urgency: 'medium' });
    const again = open();
    clock.set(T0 + 3 * H);
    again.tick();
    expect(events(store, ticket!.id)).toHaveLength(1);
  });

  it('resolves the open ticket when the tenant turns the tickets off', () => {
    const { store, clock, engine, agent, reload } = setup(ENABLED);
    clock.set(T0 + 24 * H);
    engine.tick();
    const [ticket] = complianceTickets(store);
    expect(ticket).toMatchObject({ status: 'open', agentId: agent.id });
    reload('');
    clock.set(T0 + 25 * H);
    engine.tick();
    expect(store.tickets.get(ticket!.id)).toMatchObject({ status: 'resolved' });
    expect(events(store, ticket!.id).at(-1)![1]).toContain('compliance tickets are turned off for this tenant');
  });

  it('refuses bad ticket settings naming the key', () => {
    expect(() => parseRules('terms: { compliance: { tickets: { after: soon } } }', 'rules.yaml')).toThrow(
      'rules.yaml: terms.compliance.tickets.after: expected a duration',
    );
    expect(() => parseRules('terms: { compliance: { tickets: { urgency: urgent } } }', 'rules.yaml')).toThrow('terms.compliance.tickets.urgency');
    expect(() => parseRules('terms: { compliance: { tickets: { open: true } } }', 'rules.yaml')).toThrow('terms.compliance.tickets');
  });
});

// The update attempt before a ticket, and the schedules, below the network: the real alert engine with the shipped
// rule pack (av_definitions_old: 3 days), a real SQLite file, the antivirus manager, an injected clock, and wire
// samples in, handed to the manager first and the engine second as app.ts does. The link is a test implementation of
// AgentActions that records what would be sent to a connected agent: the agent link's own sender is tested end to
// end with the compiled agent elsewhere.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { watchpost } from '../../../proto/index.js';
import { createAlertEngine } from '../../../collector/src/alerting/engine.js';
import { createTransitions } from '../../../collector/src/alerting/influx-outbox-feed.js';
import { loadRules, parseRules } from '../../../collector/src/alerting/rules/rules-file.js';
import { createAntivirusManager } from '../../../collector/src/antivirus/manager.js';
import type { AgentActions, AvActionKind } from '../../../collector/src/patching/contract.js';
import { openStore } from '../../../collector/src/store/index.js';

const MIN = 60_000;
const H = 60 * MIN;
const D = 24 * H;
const T0 = Date.parse('2026-11-25T09:00:00Z'); // a Wednesday
const DEFENDER = 'Microsoft Defender Antivirus';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const failOnError = {
  warn: () => {},
  error: (obj: object, msg: string) => {
    throw new Error(`${msg}: ${JSON.stringify(obj)}`);
  },
};

const POLICY = `
terms:
  antivirus: { update_before_ticket: true }
`;

type Field = string | number | boolean;
function sample(measurement: string, tags: Record<string, string>, fields: Record<string, Field>, float: string[] = []): watchpost.v1.ISample {
  return {
    measurement,
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    fields: Object.entries(fields).map(([key, v]) =>
      typeof v === 'string' ? { key, str: v } : typeof v === 'boolean' ? { key, bool: v } : float.includes(key) ? { key, float: v } : { key, int: v },
    ),
  };
}

/** Defender as the antivirus probe reports it (defender-status.ts): on, real-time, signatures `ageDays` old at `t`. */
const defender = (t: number, ageDays: number, state = 'on') =>
  sample(
    'antivirus',
    { product: DEFENDER },
    {
      state,
      source: 'defender',
      enabled: state === 'on',
      realtime: true,
      up_to_date: ageDays <= 7,
      signature_age_days: ageDays,
      signature_updated: Math.floor((t - ageDays * D) / 1000),
    },
    ['signature_age_days'],
  );

/** The agent's av_action point (agent/src/patching/av-actions.ts): the result of one request. */
const result = (requestId: string, action: AvActionKind, outcome: 'succeeded' | 'failed', extra: Record<string, Field> = {}) =>
  sample('av_action', { action, product: DEFENDER }, { outcome, request_id: requestId, duration_ms: 41_000, ...extra });

function harness(rulesYaml = POLICY) {
  const dir = mkdtempSync(join(tmpdir(), 'wp-av-'));
  dirs.push(dir);
  let clock = T0;
  const now = () => clock;
  const store = openStore(join(dir, 'watchpost.db'), { now });
  store.tenants.add({ id: 'acme', name: 'Acme' });
  const enroll = (hostname: string) => store.agents.enroll({ tenant: 'acme', hostname, os: 'win32', arch: 'x64', agentVersion: '1.0.0' }).agentId;
  const rules = parseRules(rulesYaml, 'test-rules.yaml', loadRules());
  const online = new Set<string>();
  const sent: Array<{ agentId: string; action: AvActionKind; requestId: string }> = [];
  // What the link would send: only to a connected agent, as AgentActions promises.
  const actions: AgentActions = {
    sendAvAction(agentId, action, requestId) {
      if (!online.has(agentId)) return false;
      sent.push({ agentId, action, requestId });
      return true;
    },
    refreshPlan: () => {},
  };
  const av = createAntivirusManager({ store, rules: () => rules, actions: () => actions, connected: (id) => online.has(id), log: failOnError, now });
  const engine = createAlertEngine({
    store,
    rules: () => rules,
    transitions: createTransitions(store.influxOutbox, now),
    log: failOnError,
    now,
    connected: (id) => online.has(id),
    holdSource: av.holds,
  });
  const agents = new Map<string, string>();
  return {
    store,
    sent,
    av,
    agent(hostname: string) {
      const id = agents.get(hostname) ?? enroll(hostname);
      agents.set(hostname, id);
      online.add(id);
      return id;
    },
    online: (id: string, up: boolean) => void (up ? online.add(id) : online.delete(id)),
    /** One batch from `id` at t, through the manager first and the engine second (app.ts). */
    send(id: string, t: number, samples: watchpost.v1.ISample[]) {
      clock = t;
      const agent = { id, tenant: 'acme', hostname: store.agents.get(id)!.hostname, os: 'win32' };
      const timed = samples.map((s) => ({ ...s, timeMs: t }));
      av.observe(agent, timed);
      engine.observe(agent, timed);
    },
    tick(t: number) {
      clock = t;
      av.tick();
      engine.tick();
    },
    tickets: () => store.tickets.list({}).filter((t) => t.ruleId === 'av_definitions_old'),
    opening: (ticketId: number) => store.tickets.events(ticketId).find((e) => e.kind === 'opened')!.detail,
  };
}

describe('an update attempt before the old-definitions ticket', () => {
  it('old definitions: asks for a signature update and opens no ticket; fresh definitions after it: no ticket ever', () => {
    const h = harness();
    const pc = h.agent('ws-01');
    h.send(pc, T0, [defender(T0, 5.2)]);
    expect(h.sent).toEqual([{ agentId: pc, action: 'signature_update', requestId: expect.stringMatching(/^av-/) }]);
    const id = h.sent[0]!.requestId;
    expect(h.store.avActions.get(id)).toMatchObject({ origin: 'definitions_age', by: null, status: 'sent', sentAt: T0, host: 'ws-01' });
    h.tick(T0 + MIN);
    expect(h.tickets()).toEqual([]);

    // The agent reports the update: signatures of a minute ago.
    h.send(pc, T0 + 4 * MIN, [
      result(id, 'signature_update', 'succeeded', { signature_version: '1.421.120.0', signature_updated: Math.floor((T0 + 3 * MIN) / 1000) }),
    ]);
    expect(h.store.avActions.get(id)).toMatchObject({
      status: 'succeeded',
      answeredAt: T0 + 4 * MIN,
      signatureVersion: '1.421.120.0',
      signatureUpdated: Math.floor((T0 + 3 * MIN) / 1000) * 1000,
    });
    h.tick(T0 + 5 * MIN);
    h.tick(T0 + 50 * MIN);
    expect(h.tickets()).toEqual([]);
    // The next antivirus run shows them current: the alert clears without ever having been ticketed.
    h.send(pc, T0 + H, [defender(T0 + H, 0.04)]);
    for (const t of [T0 + H + MIN, T0 + 3 * H, T0 + 30 * H]) h.tick(t);
    expect(h.tickets()).toEqual([]);
    expect(h.sent).toHaveLength(1);
  });

  it('the update fails: one ticket, whose opening says the attempt failed and why', () => {
    const h = harness();
    const pc = h.agent('ws-02');
    h.send(pc, T0, [defender(T0, 5.2)]);
    const id = h.sent[0]!.requestId;
    h.send(pc, T0 + 2 * MIN, [
      result(id, 'signature_update', 'failed', {
        code: 0x8024402c,
        detail: 'Update-MpSignature : Virus and spyware definitions update was completed with errors. HRESULT 0x8024402c',
        signature_version: '1.419.5.0',
      }),
    ]);
    expect(h.tickets()).toEqual([]); // opened by the engine's tick, as every released hold is
    h.tick(T0 + 3 * MIN);
    const [ticket, ...more] = h.tickets();
    expect(more).toEqual([]);
    expect(ticket).toMatchObject({ host: 'ws-02', status: 'open' });
    expect(h.opening(ticket!.id)).toMatch(/Microsoft Defender Antivirus definitions 5\.2 days old \(max 3\)/);
    expect(h.opening(ticket!.id)).toContain(
      `an automatic Defender signature update (${id}) asked at 2026-11-25T09:00:00Z failed (0x8024402C): Update-MpSignature`,
    );
    // The next runs still show them old: the same ticket, no second attempt within a day.
    h.send(pc, T0 + H, [defender(T0 + H, 5.25)]);
    h.tick(T0 + H + MIN);
    expect(h.tickets()).toHaveLength(1);
    expect(h.sent).toHaveLength(1);
  });

  it('the definitions stay old after a successful update: one ticket saying so', () => {
    const h = harness();
    const pc = h.agent('ws-03');
    h.send(pc, T0, [defender(T0, 9)]);
    const id = h.sent[0]!.requestId;
    h.send(pc, T0 + 2 * MIN, [result(id, 'signature_update', 'succeeded', { signature_updated: Math.floor((T0 - 9 * D) / 1000) })]);
    h.tick(T0 + 3 * MIN);
    const [ticket] = h.tickets();
    expect(h.opening(ticket!.id)).toMatch(/succeeded, but the definitions are still old \(signatures of 2026-11-16T09:00:00Z\)/);
  });

  it('fresh after the update, but the next antivirus run still shows them old: ticketed then', () => {
    const h = harness();
    const pc = h.agent('ws-04');
    h.send(pc, T0, [defender(T0, 4)]);
    const id = h.sent[0]!.requestId;
    h.send(pc, T0 + 2 * MIN, [result(id, 'signature_update', 'succeeded', { signature_updated: Math.floor((T0 + MIN) / 1000) })]);
    h.tick(T0 + 30 * MIN);
    expect(h.tickets()).toEqual([]);
    h.send(pc, T0 + H, [defender(T0 + H, 4.04)]);
    h.tick(T0 + H + MIN);
    const [ticket] = h.tickets();
    expect(h.opening(ticket!.id)).toContain('succeeded (signatures of 2026-11-25T09:01:00Z), but the antivirus run after it did not show them current');
  });

  it('no answer within the bound: ticketed once the bound passed, saying so', () => {
    const h = harness();
    const pc = h.agent('ws-05');
    h.send(pc, T0, [defender(T0, 5)]);
    h.tick(T0 + 19 * MIN);
    expect(h.tickets()).toEqual([]);
    h.tick(T0 + 20 * MIN);
    const [ticket] = h.tickets();
    expect(h.opening(ticket!.id)).toMatch(/asked at 2026-11-25T09:00:00Z got no answer within 20m/);
    expect(h.store.avActions.get(h.sent[0]!.requestId)!.status).toBe('unanswered');
  });

  it('drives only Defender: a third-party product or a Defender that is off is ticketed at once, nothing asked', () => {
    const h = harness();
    const other = h.agent('ws-06');
    h.send(other, T0, [
      sample('antivirus', { product: 'CylancePROTECT' }, { state: 'on', source: 'securitycenter', enabled: true, signature_age_days: 6 }, [
        'signature_age_days',
      ]),
      defender(T0, 6, 'off'),
    ]);
    h.tick(T0 + MIN);
    expect(h.sent).toEqual([]);
    expect(h.tickets().map((t) => t.host)).toEqual(['ws-06']);
    expect(h.store.avActions.defender(other)).toMatchObject({ state: 'off' });
  });

  it('without terms.antivirus nothing is asked and the ticket opens as before', () => {
    const h = harness('');
    const pc = h.agent('ws-07');
    h.send(pc, T0, [defender(T0, 5)]);
    expect(h.sent).toEqual([]);
    expect(h.tickets()).toHaveLength(1);
  });
});

describe('scheduled Defender actions', () => {
  // The tenant's zone is its business calendar's: Europe/Berlin (UTC+1 in November).
  const SCHEDULED = `
calendars:
  business: { timezone: Europe/Berlin, days: [mon, tue, wed, thu, fri], hours: [{ start: "08:00", end: "17:00" }] }
terms:
  antivirus:
    signature_update: { cron: "0 0 */6 * * *" }
    quick_scan: { cron: "0 30 12 * * 3" }
`;
  const at = (iso: string) => Date.parse(iso);

  it("asks each connected Defender host at the due times in the tenant's zone, once, and completes from the result", () => {
    const h = harness(SCHEDULED);
    const pc = h.agent('ws-10');
    const linux = h.agent('srv-10');
    h.send(pc, at('2026-11-25T10:40:00Z'), [defender(at('2026-11-25T10:40:00Z'), 0.2)]);
    h.send(linux, at('2026-11-25T10:40:00Z'), [
      sample('antivirus', { product: 'ClamAV' }, { state: 'unknown', source: 'clamav', signature_age_days: 0.5 }, ['signature_age_days']),
    ]);
    h.tick(at('2026-11-25T10:59:00Z'));
    expect(h.sent).toEqual([]);
    h.tick(at('2026-11-25T11:00:20Z')); // 12:00 Berlin
    h.tick(at('2026-11-25T11:01:20Z'));
    expect(h.sent.map((s) => s.action)).toEqual(['signature_update']);
    h.tick(at('2026-11-25T11:30:20Z')); // Wednesday 12:30 Berlin
    expect(h.sent.map((s) => [s.agentId, s.action])).toEqual([
      [pc, 'signature_update'],
      [pc, 'quick_scan'],
    ]);
    const scan = h.store.avActions.get(h.sent[1]!.requestId)!;
    expect(scan).toMatchObject({ origin: 'schedule', askedAt: at('2026-11-25T11:30:00Z'), deliverBy: at('2026-11-28T23:30:00Z') });

    h.send(pc, at('2026-11-25T11:48:00Z'), [result(scan.id, 'quick_scan', 'succeeded', { quick_scan_end: Math.floor(at('2026-11-25T11:47:30Z') / 1000) })]);
    expect(h.store.avActions.get(scan.id)).toMatchObject({ status: 'succeeded', quickScanEnd: at('2026-11-25T11:47:30Z') });
  });

  it('a host offline at the due time gets the action when it reconnects within half the interval, not later', () => {
    const h = harness(SCHEDULED);
    const pc = h.agent('ws-11');
    h.send(pc, at('2026-11-25T16:00:00Z'), [defender(at('2026-11-25T16:00:00Z'), 0.2)]);
    h.online(pc, false);
    h.tick(at('2026-11-25T17:00:20Z')); // 18:00 Berlin: offline
    expect(h.sent).toEqual([]);
    h.online(pc, true);
    h.tick(at('2026-11-25T19:30:00Z')); // within 3 h of 18:00 Berlin; within 3.5 days of Wednesday's scan too
    const updates = () => h.sent.filter((s) => s.action === 'signature_update');
    expect(updates()).toHaveLength(1);
    expect(h.sent.map((s) => s.action).sort()).toEqual(['quick_scan', 'signature_update']);
    expect(h.store.avActions.get(updates()[0]!.requestId)).toMatchObject({ askedAt: at('2026-11-25T17:00:00Z'), sentAt: at('2026-11-25T19:30:00Z') });
    h.online(pc, false);
    h.tick(at('2026-11-25T23:00:30Z')); // 00:00 Berlin: offline
    h.online(pc, true);
    h.tick(at('2026-11-26T02:00:30Z')); // past 3 h: that occurrence is skipped
    expect(updates()).toHaveLength(1);
    expect(h.store.avActions.list({ tenant: 'acme' })).toHaveLength(2);
  });

  it("a person's request queued while the host is away is delivered at a tick once it is back, else expires", () => {
    const h = harness('');
    const pc = h.agent('ws-12');
    h.send(pc, T0, [defender(T0, 0.1)]);
    h.online(pc, false);
    const queued = h.store.avActions.create({
      tenant: 'acme',
      agentId: pc,
      host: 'ws-12',
      action: 'quick_scan',
      origin: 'person',
      by: 'Jane',
      askedAt: T0,
      deliverBy: T0 + 15 * MIN,
    });
    const late = h.store.avActions.create({ ...queued, askedAt: T0 - H, deliverBy: T0 - 45 * MIN });
    h.tick(T0 + MIN);
    expect(h.sent).toEqual([]);
    h.online(pc, true);
    h.tick(T0 + 2 * MIN);
    expect(h.sent).toEqual([{ agentId: pc, action: 'quick_scan', requestId: queued.id }]);
    expect(h.store.avActions.get(late.id)!.status).toBe('expired');
  });
});

// Collectors SIGKILLed while work is under way, on real processes (scripts/lib/cluster.ts: one PostgreSQL, one
// influxd, two collectors and HAProxy, all on loopback), with agents that speak the protocol through the balancer,
// a rules file with one short CPU rule and a webhook desk that is a real HTTP server in this process:
//   1. A breach across two kills. The agent's CPU goes past the line; its collector is SIGKILLed while the alert is
//      pending. The other collector takes the agent, reads the pending alert from the store at its Hello and fires it
//      when `for` has run from the first breaching point (not from the failover); one ticket opens and the desk gets
//      its 'opened' event. Once that delivery is recorded, the dead collector is restarted and the agent's new one is
//      SIGKILLed: the agent goes back, keeps breaching, and nothing more happens.
//   2. The leader SIGKILLed while SLA clocks run (a 20 s respond target, approaching at 25 %): the old leader marks
//      the clocks approaching, the kill lands before they are due, and the next leader marks each breach once: one
//      sla_breached in each ticket's history, at the desk, and as a `tickets` point in InfluxDB at the breach.
//
// What the desk assertions cover, and why: a collector killed while a desk request of its own is in flight leaves
// the row claimed until its lease lapses (LEASE_MS, 3 minutes), and another collector then sends it again with the
// same Idempotency-Key, which a receiver dedupes on; the ticket's later events wait behind it. The kills here land
// when no delivery is in flight (before the ticket exists, or after its events are recorded as delivered), so the
// receiver must see every event exactly once, in the ticket's order, with no Idempotency-Key twice.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { watchpost } from '../../proto/index.js';
import type { TicketEventView, TicketView } from '../../collector/src/routes/tickets.js';
import { TICK_MS } from '../../collector/src/alerting/engine.js';
import { startReceiver, type Receiver } from '../collector/desks/receiver.js';
import {
  balancerRequest,
  connectedOn,
  enrollAgents,
  holderOf,
  selfOf,
  startCluster,
  startStreamingAgent,
  type Cluster,
  type ClusterCollector,
  type EnrolledAgent,
  type StreamingAgent,
  untilOrLogs,
} from '../helpers/cluster.js';

const BREACH_TENANT = 'breach';
const SLA_TENANT = 'sla';
const SLA_HOSTS = ['sla-host-1', 'sla-host-2', 'sla-host-3'];
/** The default pack's CPU rule, made short for both tenants: usage_idle under 50 is a breach. */
const RULE = 'cpu_high';
const CALM_IDLE = 90;
const BUSY_IDLE = 10;
/** The breach tenant's `for`: long enough that the kill lands while the alert is pending. */
const FOR_MS = 4_000;
/** The sla tenant's respond target for every priority, and when it counts as approaching. */
const RESPOND_MS = 20_000;
const APPROACHING = 0.25;
/** One batch (one cpu point) per agent this often. */
const EVERY_MS = 250;
/** Bounds on waits for real processes (not assertions about speed). */
const WAIT_MS = 20_000;
/** Batches acked on the agent's last connection before "nothing more happened" means something. */
const ACKED_AFTER_LAST_KILL = 8;

let dir = '';
let cluster: Cluster;
let receiver: Receiver;
const enrolled = new Map<string, EnrolledAgent>();
const agents: StreamingAgent[] = [];

/** until(), with every collector's last log lines in the message when it times out. */
const until = (check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) => untilOrLogs(cluster, check, timeoutMs, what);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wp-cluster-failover-'));
  receiver = await startReceiver();
  const rulesFile = join(dir, 'rules.yaml');
  writeFileSync(
    rulesFile,
    [
      'sla_profiles:',
      `  fast: { hours: 24x7, approaching: ${APPROACHING}, respond: { P1: ${RESPOND_MS / 1000}s, P2: ${RESPOND_MS / 1000}s, P3: ${RESPOND_MS / 1000}s, P4: ${RESPOND_MS / 1000}s } }`,
      'tenants:',
      `  ${BREACH_TENANT}:`,
      // Around the clock, with hours-long targets: no SLA event during the test whatever the day and time.
      '    terms: { sla_profile: co-managed-24x7 }',
      `    rules: [ { id: ${RULE}, below: 50, clear: 60, for: ${FOR_MS / 1000}s } ]`,
      `  ${SLA_TENANT}:`,
      '    terms: { sla_profile: fast }',
      `    rules: [ { id: ${RULE}, below: 50, clear: 60, for: 0s } ]`,
      '',
    ].join('\n'),
  );
  const desksFile = join(dir, 'desks.yaml');
  writeFileSync(desksFile, ['desks:', `  hook: { type: webhook, url: "${receiver.url}/hook" }`, 'default_desks: [ { desk: hook } ]', ''].join('\n'));
  // A 100 ms flush: a batch is acked (and queryable) soon after it arrives.
  cluster = await startCluster({
    collectors: 2,
    env: { WATCHPOST_INFLUX_FLUSH_INTERVAL: '100ms', WATCHPOST_RULES_FILE: rulesFile, WATCHPOST_DESKS_FILE: desksFile },
  });
  // The tenants and their tokens through the CLI on the shared store (the API has no route that makes them).
  const added = await Promise.all([BREACH_TENANT, SLA_TENANT].map((t) => cluster.cli(['tenant', 'add', t, '--name', `Tenant ${t}`])));
  for (const a of added) expect(a.code, a.stderr).toBe(0);
  const [breach, sla] = await Promise.all([enrollAgents(cluster, BREACH_TENANT, ['breach-host']), enrollAgents(cluster, SLA_TENANT, SLA_HOSTS)]);
  for (const e of [...breach!, ...sla!]) enrolled.set(e.hostname, e);
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await cluster?.stop();
  await receiver?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** One cpu-total point whose usage_idle is `idle`. */
function cpuPoint(seq: number, timeMs: number, idle: number): watchpost.v1.IEnvelope {
  return {
    batch: { seq, samples: [{ measurement: 'cpu', timeMs, tags: [{ key: 'cpu', value: 'cpu-total' }], fields: [{ key: 'usage_idle', float: idle }] }] },
  };
}

/** Starts streaming as the enrolled `hostname`; each point's usage_idle is idleOf(seq). */
function stream(hostname: string, idleOf: (seq: number) => number): StreamingAgent {
  const agent = startStreamingAgent({ wsUrl: cluster.wsUrl, ...enrolled.get(hostname)!, everyMs: EVERY_MS, batch: (s, t) => cpuPoint(s, t, idleOf(s)) });
  agents.push(agent);
  return agent;
}

/** An admin GET through the balancer, which must answer 200. */
async function api<T>(path: string): Promise<T> {
  const answer = await balancerRequest(cluster, path);
  if (answer.status !== 200) throw new Error(`GET ${path}: HTTP ${answer.status}: ${answer.body}`);
  return JSON.parse(answer.body) as T;
}

const ticketsOf = async (tenant: string): Promise<TicketView[]> => (await api<{ tickets: TicketView[] }>(`/api/v1/tickets?tenant=${tenant}`)).tickets;
const eventsOf = async (id: number): Promise<TicketEventView[]> => (await api<{ events: TicketEventView[] }>(`/api/v1/tickets/${id}`)).events;

interface DeliveryView {
  event: string;
  state: string;
  attempts: number;
}
const deliveriesOf = async (ticketId: number): Promise<DeliveryView[]> =>
  (await api<{ deliveries: DeliveryView[] }>(`/api/v1/desk-deliveries?ticket=${ticketId}`)).deliveries;

interface AlertView {
  host: string;
  ruleId: string;
  state: string;
  activeSince: string | null;
  firingSince: string | null;
  ticketed: boolean;
}
/** The alerts collector `c` evaluates now (its own engine's book: GET /api/v1/alerts asked of it directly). */
async function alertsOn(c: ClusterCollector, tenant: string): Promise<AlertView[]> {
  const answer = await c.request(`/api/v1/alerts?tenant=${tenant}`);
  if (answer.status !== 200) throw new Error(`${c.name} /api/v1/alerts: HTTP ${answer.status}: ${answer.body}`);
  return (JSON.parse(answer.body) as { alerts: AlertView[] }).alerts;
}

/** What the webhook receiver got for `tenant`, in arrival order. */
function deskRequests(tenant: string): { ticketId: number; event: string; eventId: number; idempotencyKey: string }[] {
  return receiver.received.flatMap((r) => {
    const body = JSON.parse(r.body) as { commonLabels: { tenant: string }; watchpost: { event: string; eventId: number; ticket: { id: number } } };
    if (body.commonLabels.tenant !== tenant) return [];
    return [
      {
        ticketId: body.watchpost.ticket.id,
        event: body.watchpost.event,
        eventId: body.watchpost.eventId,
        idempotencyKey: String(r.headers['idempotency-key']),
      },
    ];
  });
}

/** Every desk event of `tenant` was recorded delivered (nothing pending, nothing dead). */
async function allDelivered(tickets: TicketView[], count: number): Promise<boolean> {
  const rows = (await Promise.all(tickets.map((t) => deliveriesOf(t.id)))).flat();
  return rows.length === count && rows.every((d) => d.state === 'delivered');
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** An InfluxQL query on the watchpost database; the rows of every series as objects keyed by column (time in ms). */
async function influxQuery(q: string): Promise<Record<string, unknown>[]> {
  const url = `${cluster.influx.url}/query?db=watchpost&epoch=ms&q=${encodeURIComponent(q)}`;
  const body = (await (await fetch(url)).json()) as { results: { series?: { columns: string[]; values: unknown[][] }[]; error?: string }[] };
  if (body.results[0]?.error) throw new Error(`InfluxDB: ${body.results[0].error}`);
  return (body.results[0]?.series ?? []).flatMap((s) => s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]]))));
}

describe('collectors SIGKILLed while work is under way', () => {
  it('a breach pending at the SIGKILL fires on the other collector: one ticket, its opened event delivered once, through a second kill', async () => {
    const startedAt = Date.now();
    let breachFrom = Number.POSITIVE_INFINITY;
    const agent = stream('breach-host', (s) => (s >= breachFrom ? BUSY_IDLE : CALM_IDLE));
    await until(() => agent.acked.size >= 4, WAIT_MS, 'calm points acked');
    const first = await holderOf(cluster, agent.agentId);
    const second = cluster.collectors.find((c) => c !== first)!;

    // From the next point on, the agent breaches; its collector sees the alert pending.
    breachFrom = agent.produced.size + 1;
    await until(async () => (await alertsOn(first, BREACH_TENANT)).some((a) => a.state === 'pending'), WAIT_MS, `the alert pending on ${first.name}`);
    const breachStart = agent.produced.get(breachFrom)!;
    const killedAt = Date.now();
    expect(killedAt, 'the kill lands while the alert is pending').toBeLessThan(breachStart + FOR_MS);
    expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

    // The agent reconnects through HAProxy to the other collector and keeps breaching there.
    await until(() => agent.connections.some((c) => c.openedAt > killedAt && c.firstAckAt !== null), WAIT_MS, `${agent.hostname} acked on ${second.name}`);
    expect(await connectedOn(second)).toEqual([agent.agentId]);
    await until(async () => (await ticketsOf(BREACH_TENANT)).length > 0, WAIT_MS, 'the ticket opened');
    const [ticket] = await ticketsOf(BREACH_TENANT);
    expect(ticket).toMatchObject({ agentId: agent.agentId, ruleId: RULE, status: 'open' });

    // It is the alert that was pending on the dead collector: active since the first breaching point, firing at the
    // first point `for` after it (point times, not arrival times: a restarted pending would fire later).
    const firingPoint = [...agent.produced.values()].find((t) => t - breachStart >= FOR_MS)!;
    expect(await alertsOn(second, BREACH_TENANT)).toEqual([
      expect.objectContaining({
        host: 'breach-host',
        ruleId: RULE,
        state: 'firing',
        ticketed: true,
        activeSince: iso(breachStart),
        firingSince: iso(firingPoint),
      }),
    ]);

    // The desk hears 'opened' and the delivery is recorded; only then the agent's new collector is killed (with the
    // first one back, so the agent has somewhere to go).
    await until(() => allDelivered([ticket!], 1), WAIT_MS, "the 'opened' delivery recorded");
    await first.restart();
    const secondKilledAt = Date.now();
    expect(await second.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    await until(
      () =>
        agent.connections.some((c) => c.openedAt > secondKilledAt && [...agent.acked.values()].filter((at) => at > c.openedAt).length >= ACKED_AFTER_LAST_KILL),
      WAIT_MS,
      `${ACKED_AFTER_LAST_KILL} breaching points acked on ${first.name} after the second kill`,
    );
    expect(await connectedOn(first)).toEqual([agent.agentId]);
    // The restarted collector read the firing, ticketed alert at the agent's Hello: the same alert goes on.
    expect(await alertsOn(first, BREACH_TENANT)).toEqual([
      expect.objectContaining({ state: 'firing', ticketed: true, activeSince: iso(breachStart), firingSince: iso(firingPoint) }),
    ]);

    // One ticket for the tenant (any status), unresolved, with one event; one delivery, made once.
    expect(await ticketsOf(BREACH_TENANT)).toEqual([expect.objectContaining({ id: ticket!.id, status: 'open', reopenCount: 0 })]);
    expect((await eventsOf(ticket!.id)).map((e) => e.kind)).toEqual(['opened']);
    expect(await deliveriesOf(ticket!.id)).toEqual([expect.objectContaining({ event: 'opened', state: 'delivered', attempts: 1 })]);
    expect(deskRequests(BREACH_TENANT)).toEqual([expect.objectContaining({ ticketId: ticket!.id, event: 'opened' })]);

    // The ledger holds: every point made was acked (the next test starts the dead collector again).
    agent.stopProducing();
    await until(() => agent.pending().length === 0, WAIT_MS, 'every batch acked');
    console.log(`breach across two kills: ${Date.now() - startedAt} ms`);
  });

  it('the leader SIGKILLed while SLA clocks run: the next leader marks each breach once, and the desk hears it once', async () => {
    const startedAt = Date.now();
    // The collector the previous test left dead starts again meanwhile (the leader needs a successor before it is
    // killed); until it is UP, the agents all connect to the leader, and fail over with it.
    const back = Promise.all(cluster.collectors.filter((c) => !c.running()).map((c) => c.restart()));
    const slaAgents = SLA_HOSTS.map((h) => stream(h, () => BUSY_IDLE));
    await until(async () => (await ticketsOf(SLA_TENANT)).length === SLA_HOSTS.length, WAIT_MS, `${SLA_HOSTS.length} tickets opened`);
    const opened = await ticketsOf(SLA_TENANT);
    for (const t of opened) expect(t.sla).toEqual([expect.objectContaining({ target: 'respond', approachedAt: null, breachedAt: null })]);

    // The leader marks each clock approaching (25 % of 20 s, at its next 5 s tick) and the desk gets those events.
    // Only once they are recorded delivered is the leader killed: a delivery of its own in flight would stay claimed
    // for the lease, and the ticket's later events with it.
    await until(async () => (await ticketsOf(SLA_TENANT)).every((t) => t.sla[0]!.approachedAt !== null), WAIT_MS, 'every clock approaching');
    await until(() => allDelivered(opened, 2 * SLA_HOSTS.length), WAIT_MS, 'the opened and approaching deliveries recorded');
    const approached = await ticketsOf(SLA_TENANT);
    await back;
    const statuses = await Promise.all(cluster.collectors.map(async (c) => ({ c, self: await selfOf(c) })));
    const leaders = statuses.filter((s) => s.self.leader);
    expect(leaders, 'exactly one leader').toHaveLength(1);
    const leader = leaders[0]!.c;
    const next = cluster.collectors.find((c) => c !== leader)!;

    const killedAt = Date.now();
    for (const t of approached) expect(Date.parse(t.sla[0]!.dueAt), 'the kill lands before the clocks are due').toBeGreaterThan(killedAt);
    expect(await leader.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    await until(async () => (await selfOf(next)).leader, WAIT_MS, `${next.name} to lead`);
    const tookLead = next.logLines().find((l) => l.msg === 'cluster: this collector is now the leader' && l.time > killedAt);
    expect(tookLead, `${next.name} logged taking the lead`).toBeDefined();
    console.log(`${next.name} took the lead ${tookLead!.time - killedAt} ms after the leader's SIGKILL`);

    // The next leader marks each breach once (at its first tick past the due time); then one more of its ticks runs.
    await until(async () => (await ticketsOf(SLA_TENANT)).every((t) => t.sla[0]!.breachedAt !== null), WAIT_MS, 'every clock breached');
    const breached = await ticketsOf(SLA_TENANT);
    await until(() => allDelivered(opened, 3 * SLA_HOSTS.length), WAIT_MS, 'the breached deliveries recorded');
    const lastBreach = Math.max(...breached.map((t) => Date.parse(t.sla[0]!.breachedAt!)));
    await new Promise((r) => setTimeout(r, Math.max(0, lastBreach + TICK_MS + 500 - Date.now())));

    const final = await ticketsOf(SLA_TENANT);
    expect(final.map((t) => t.id).sort()).toEqual(opened.map((t) => t.id).sort());
    for (const t of final) {
      const before = approached.find((a) => a.id === t.id)!.sla[0]!;
      const clock = t.sla[0]!;
      // Approaching was marked by the old leader and stays as it marked it; breached by the new one, once it led, at
      // or past the due time, and never marked again.
      expect(clock.approachedAt).toBe(before.approachedAt);
      expect(Date.parse(clock.breachedAt!)).toBeGreaterThanOrEqual(Date.parse(clock.dueAt));
      expect(Date.parse(clock.breachedAt!)).toBeGreaterThanOrEqual(tookLead!.time);
      expect(clock.breachedAt).toBe(breached.find((b) => b.id === t.id)!.sla[0]!.breachedAt);
      const events = await eventsOf(t.id);
      expect(events.map((e) => e.kind)).toEqual(['opened', 'sla_approaching', 'sla_breached']);
      expect(events[2]!.at).toBe(clock.breachedAt);
      const desk = deskRequests(SLA_TENANT).filter((r) => r.ticketId === t.id);
      expect(desk.map((r) => r.event)).toEqual(['opened', 'sla_approaching', 'sla_breached']);
      expect(desk.map((r) => r.eventId)).toEqual([...desk.map((r) => r.eventId)].sort((a, b) => a - b));
    }
    // Every desk request of the file carried its own Idempotency-Key: none was sent twice.
    const keys = receiver.received.map((r) => r.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(keys.length);
    // InfluxDB's `tickets` points (shipped by the one collector left): one sla_breached point per ticket, at the
    // transition (measurements.md: time = the transition), that is its breachedAt. A second marking would be a
    // second point at another time.
    const breachPoints = async () => await influxQuery(`SELECT ticket_id, target FROM tickets WHERE tenant = '${SLA_TENANT}' AND "event" = 'sla_breached'`);
    await until(async () => (await breachPoints()).length >= SLA_HOSTS.length, WAIT_MS, 'sla_breached points in InfluxDB');
    const byTicket = (a: { ticket: unknown }, b: { ticket: unknown }) => Number(a.ticket) - Number(b.ticket);
    expect((await breachPoints()).map((p) => ({ ticket: p.ticket_id, target: p.target, at: iso(p.time as number) })).sort(byTicket)).toEqual(
      final.map((t) => ({ ticket: t.id, target: 'respond', at: t.sla[0]!.breachedAt })).sort(byTicket),
    );
    expect(next.logLines().filter((l) => l.level >= 50)).toEqual([]);

    for (const a of slaAgents) a.stopProducing();
    console.log(`leader killed during SLA clocks: ${Date.now() - startedAt} ms`);
  });
});

// What collectors learn from each other through the shared store, and the store itself going away, on real
// processes (scripts/lib/cluster.ts: one PostgreSQL, one influxd, two collectors and HAProxy, all on loopback) with
// agents that speak the protocol through the balancer:
//   1. An agent revoked through the balancer while its link is on the other collector: the collector that answers
//      has no session to close, and the agent's own collector finds the revocation in the store at its next poll
//      (REVOCATION_POLL_MS) and closes the link with 4004. A reload asked of one collector is told to the other by
//      PostgreSQL NOTIFY, which reloads too and logs how late the news came.
//   2. PostgreSQL stopped under the cluster: every collector answers /healthz 503 naming the store, HAProxy marks
//      them DOWN, no batch is acked (the agents keep them) and no collector exits. Started again: the collectors find
//      the database by themselves (200, UP, one leader), the agents' batches are acked on the links they kept, and
//      every point the agents made is in InfluxDB once (these agents drop nothing, so nothing may be missing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVOCATION_POLL_MS } from '../../collector/src/agent-link/revocation-watcher.js';
import {
  balancerRequest,
  enrollAgents,
  holderOf,
  logTail,
  selfOf,
  startCluster,
  startStreamingAgent,
  storedTimes,
  type Cluster,
  type ClusterCollector,
  type EnrolledAgent,
  type StreamingAgent,
  untilOrLogs,
} from '../helpers/cluster.js';

const TENANT = 'acme';
const REVOKED_HOST = 'revoked-host';
const OUTAGE_HOSTS = ['outage-host-1', 'outage-host-2'];
/** One batch (one point) per agent this often. */
const EVERY_MS = 250;
/** Bounds on waits for real processes (not assertions about speed). */
const WAIT_MS = 20_000;
/**
 * The revoked agent's link is closed within one poll of the store plus this: the poll's own statement, the close
 * handshake over the balancer and a busy event loop on a loaded 2-core machine.
 */
const REVOCATION_SLACK_MS = 1_000;
/** A reload's NOTIFY reaches the other collector within this (PostgreSQL on loopback: milliseconds). */
const NOTIFY_WITHIN_MS = 1_000;
/** How long PostgreSQL stays down once every collector said so. */
const OUTAGE_MS = 3_000;
/** Batches written before the store was found gone may still be acked this long after (a 100 ms flush, and the ack). */
const IN_FLIGHT_MS = 1_000;

let cluster: Cluster;
const enrolled = new Map<string, EnrolledAgent>();
const agents: StreamingAgent[] = [];

/** until(), with every collector's last log lines in the message when it times out. */
const until = (check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) => untilOrLogs(cluster, check, timeoutMs, what);

beforeAll(async () => {
  // A 100 ms flush: a batch is acked (and queryable) soon after it arrives.
  cluster = await startCluster({ collectors: 2, env: { WATCHPOST_INFLUX_FLUSH_INTERVAL: '100ms' } });
  // The tenant and its token through the CLI on the shared store (the API has no route that makes them).
  const added = await cluster.cli(['tenant', 'add', TENANT, '--name', 'Acme Ltd']);
  expect(added.code, added.stderr).toBe(0);
  for (const e of await enrollAgents(cluster, TENANT, [REVOKED_HOST, ...OUTAGE_HOSTS])) enrolled.set(e.hostname, e);
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await cluster?.stop();
});

function stream(hostname: string): StreamingAgent {
  const agent = startStreamingAgent({ wsUrl: cluster.wsUrl, ...enrolled.get(hostname)!, everyMs: EVERY_MS });
  agents.push(agent);
  return agent;
}

/** `c`'s /healthz: its status and body (the PROXY header first, no key). */
async function health(c: ClusterCollector): Promise<{ status: number; checks?: { store?: string; influxdb?: string } }> {
  const answer = await c.request('/healthz', { auth: false });
  return { checks: (JSON.parse(answer.body) as { checks?: { store?: string; influxdb?: string } }).checks, status: answer.status };
}

describe('collectors that share one PostgreSQL store', () => {
  it('an agent revoked through the balancer on the other collector is closed by its own within the revocation poll; a reload reaches the other collector', async () => {
    const startedAt = Date.now();
    const agent = stream(REVOKED_HOST);
    await until(() => agent.acked.size >= 2, WAIT_MS, `${REVOKED_HOST} acked`);
    const holder = await holderOf(cluster, agent.agentId);
    const other = cluster.collectors.find((c) => c !== holder)!;
    // The agent's link is the only session: leastconn sends the next connection, the revoke, to the other collector.
    expect((await cluster.haproxy.servers()).map((s) => [s.name, s.sessions])).toEqual(cluster.collectors.map((c) => [c.name, c === holder ? 1 : 0]));

    const revoked = await balancerRequest(cluster, `/api/v1/agents/${agent.agentId}/revoke`, { method: 'POST' });
    const answeredAt = Date.now();
    expect(revoked.status, revoked.body).toBe(200);
    // Answered by the other collector: it had no session of the agent to close.
    expect(JSON.parse(revoked.body)).toEqual({ agentId: agent.agentId, revoked: true, disconnected: false });
    const [link] = agent.connections;
    await until(() => link!.closedAt !== null, WAIT_MS, `${REVOKED_HOST}'s link closed`);
    const delay = link!.closedAt! - answeredAt;
    console.log(`revoked on ${other.name}, link on ${holder.name} closed ${delay} ms after the revoke was answered`);
    expect(link!.closeCode).toBe(4004);
    expect(delay).toBeLessThanOrEqual(REVOCATION_POLL_MS + REVOCATION_SLACK_MS);
    expect(holder.logLines()).toContainEqual(
      expect.objectContaining({ agentId: agent.agentId, reason: 'revoked', code: 4004, via: 'store', msg: 'closing agent connection: credential revoked' }),
    );
    // It keeps trying (every 200 ms) and is refused: no connection is welcomed again.
    await new Promise((r) => setTimeout(r, REVOCATION_POLL_MS));
    expect(agent.connections).toHaveLength(1);
    await agent.close();

    // A reload asked of c1 directly: c1 reloads and tells c2, which reloads too and logs the delay.
    const [c1, c2] = cluster.collectors as [ClusterCollector, ClusterCollector];
    const seen = c2.logLines().length;
    const reloaded = await c1.request('/api/v1/reload', { method: 'POST' });
    expect(reloaded.status, reloaded.body).toBe(200);
    const c1Id = (await selfOf(c1)).id;
    expect(JSON.parse(reloaded.body)).toEqual({ reloaded: true, collector: c1Id, othersTold: true });
    const told = () =>
      c2
        .logLines()
        .slice(seen)
        .find((l) => l.msg === 'cluster: another collector reloaded; reloading here');
    await until(() => told() !== undefined, WAIT_MS, `${c2.name} to hear of the reload`);
    expect(told()).toMatchObject({ from: c1Id, delayMs: expect.any(Number) });
    console.log(`${c2.name} heard of ${c1.name}'s reload ${told()!.delayMs as number} ms after it was told`);
    expect(told()!.delayMs).toBeLessThan(NOTIFY_WITHIN_MS);
    // It reloaded what SIGHUP reloads (the rules among them), after the news.
    await until(
      () =>
        c2
          .logLines()
          .slice(seen)
          .some((l) => l.msg === 'rules reloaded'),
      WAIT_MS,
      `${c2.name} to reload its rules`,
    );
    const after = c2.logLines().slice(seen);
    expect(after.findIndex((l) => l.msg === 'rules reloaded')).toBeGreaterThan(after.findIndex((l) => l.msg === told()!.msg));
    // The teller does not hear its own news.
    expect(c1.logLines().filter((l) => l.msg === 'cluster: another collector reloaded; reloading here')).toEqual([]);
    console.log(`revocation and reload across collectors: ${Date.now() - startedAt} ms`);
  });

  it('PostgreSQL stopped: every collector unhealthy and nothing acked; started again: the collectors recover by themselves and every point made is stored once', async () => {
    const startedAt = Date.now();
    // One agent on each collector (one at a time, so leastconn counts the first before the second connects).
    const outage: StreamingAgent[] = [];
    for (const host of OUTAGE_HOSTS) {
      const agent = stream(host);
      outage.push(agent);
      await until(() => agent.acked.size >= 4, WAIT_MS, `${host} acked`);
    }
    expect(await Promise.all(outage.map(async (a) => (await holderOf(cluster, a.agentId)).name))).toEqual(
      expect.arrayContaining(cluster.collectors.map((c) => c.name)),
    );

    await cluster.postgres.stop();
    await until(
      async () => (await Promise.all(cluster.collectors.map(health))).every((h) => h.status === 503),
      WAIT_MS,
      'every collector to answer /healthz 503',
    );
    const downAt = Date.now();
    for (const c of cluster.collectors) expect((await health(c)).checks).toEqual({ influxdb: 'ok', store: 'unavailable: PostgreSQL cannot be reached' });
    await until(async () => (await cluster.haproxy.servers()).every((s) => s.status === 'DOWN'), WAIT_MS, 'HAProxy to mark every collector DOWN');

    // Nothing is acked while the store is gone (the agents keep making batches, and keep them).
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    for (const a of outage) {
      expect(
        [...a.acked.values()].filter((at) => at > downAt + IN_FLIGHT_MS),
        `${a.hostname}: acks during the outage`,
      ).toEqual([]);
      expect(a.pending().length, `${a.hostname}: batches kept`).toBeGreaterThanOrEqual(OUTAGE_MS / EVERY_MS - 2);
    }

    // Every collector rode the outage out: none exited (a store error escaping a timer would end the process).
    const exited = cluster.collectors.filter((c) => !c.running());
    expect(exited.map((c) => `${c.name} exited; its log ends:\n${logTail(c)}`)).toEqual([]);

    // Back: the collectors find the database by themselves, HAProxy marks them UP, one of them leads again.
    const restartedAt = Date.now();
    await cluster.postgres.start();
    await cluster.waitAllUp(WAIT_MS);
    console.log(`every collector 200 and UP ${Date.now() - restartedAt} ms after PostgreSQL was started again`);
    await until(async () => (await Promise.all(cluster.collectors.map(selfOf))).filter((s) => s.leader).length === 1, WAIT_MS, 'one leader');
    await until(() => outage.every((a) => [...a.acked.values()].some((at) => at > restartedAt)), WAIT_MS, 'acks again');
    // The links stayed up throughout: HAProxy's DOWN leaves established connections alone and the collectors keep
    // them, answering each batch UNAVAILABLE, so the agents sent the same batches again on the same connection.
    for (const a of outage) expect(a.connections, `${a.hostname}: connections`).toHaveLength(1);

    // Drained: the ledgers against InfluxDB, each point made stored once (those kept through the outage included).
    for (const a of outage) a.stopProducing();
    await until(() => outage.every((a) => a.pending().length === 0), WAIT_MS, 'every batch made to be acked');
    for (const a of outage) {
      const stored = await storedTimes(cluster.influx.url, TENANT, a.hostname);
      const made = [...a.produced.values()];
      expect(
        made.filter((t) => !stored.has(t)),
        `${a.hostname}: made but not stored`,
      ).toEqual([]);
      expect(stored.size, `${a.hostname}: stored points`).toBe(made.length);
    }
    console.log(`PostgreSQL restarted under the cluster: ${Date.now() - startedAt} ms`);
  });
});

// Two collectors on one PostgreSQL behind HAProxy (scripts/lib/cluster.ts: real processes, all on loopback), and
// agents that speak the protocol streaming through the balancer. leastconn spreads the agents over both collectors,
// their points reach InfluxDB, and when one collector is SIGKILLed its agents reconnect through HAProxy to the other
// and are acked again while HAProxy marks the dead one DOWN; restarted, it is UP again and takes the next agent that
// connects. At the end every agent's ledger (each batch it made, and which were acked) is compared with what
// InfluxDB holds: once the agents have drained, every point made is stored.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectedOn,
  enrollAgents,
  startCluster,
  startStreamingAgent,
  storedTimes as storedTimesOf,
  type Cluster,
  type ClusterCollector,
  type StreamingAgent,
} from '../helpers/cluster.js';
import { until } from '../helpers/until.js';

const TENANT = 'acme';
const AGENTS = 6;
/** One batch (one point) per agent this often: 24 batches a second over the cluster. */
const EVERY_MS = 250;
/** Bounds on waits for real processes (not assertions about speed). */
const WAIT_MS = 20_000;
/** Batches each agent must have acked before the kill, and after its failover. */
const ACKED_BEFORE = 4;
const STREAM_AFTER_FAILOVER_MS = 1_500;

let cluster: Cluster;
const agents: StreamingAgent[] = [];

beforeAll(async () => {
  // A 100 ms flush: a batch is acked (and queryable) soon after it arrives.
  cluster = await startCluster({ collectors: 2, env: { WATCHPOST_INFLUX_FLUSH_INTERVAL: '100ms' } });
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await cluster?.stop();
});

/** The times (ms) of the cpu points InfluxDB holds for `hostname` of the tenant. */
const storedTimes = (hostname: string): Promise<Set<number>> => storedTimesOf(cluster.influx.url, TENANT, hostname);

describe('a cluster of two collectors behind HAProxy', () => {
  it('spreads agents over both, fails those of a SIGKILLed one over to the other, takes agents again once restarted, and stores every point made', async () => {
    const [c1, c2] = cluster.collectors as [ClusterCollector, ClusterCollector];
    // The tenant and its token through the CLI on the shared store (the API has no route that makes them); then
    // everything goes through the balancer.
    expect((await cluster.cli(['tenant', 'add', TENANT, '--name', 'Acme Ltd'])).code).toBe(0);
    // Enrolled through the balancer, each on a connection closed after the answer: a kept-alive one would stay a
    // session of one collector for HAProxy's leastconn, and the agents would not be spread evenly.
    const enrolled = await enrollAgents(
      cluster,
      TENANT,
      Array.from({ length: AGENTS }, (_, i) => `cluster-host-${i + 1}`),
    );
    // The enrollments' connections are gone before the first agent connects, so leastconn counts agents only.
    await until(async () => (await cluster.haproxy.servers()).every((s) => s.sessions === 0), WAIT_MS, 'no session open in HAProxy');
    for (const e of enrolled) {
      const agent = startStreamingAgent({ wsUrl: cluster.wsUrl, ...e, everyMs: EVERY_MS });
      agents.push(agent);
      // One at a time, so each new connection finds the previous ones counted by leastconn.
      await until(() => agent.connected(), WAIT_MS, `${e.hostname} to be welcomed`);
    }

    // leastconn: three on each, as each collector's API and HAProxy's session counts say.
    const on1 = await connectedOn(c1);
    const on2 = await connectedOn(c2);
    expect([on1.length, on2.length]).toEqual([AGENTS / 2, AGENTS / 2]);
    expect([...on1, ...on2].sort()).toEqual(agents.map((a) => a.agentId).sort());
    expect((await cluster.haproxy.servers()).map((s) => [s.name, s.sessions])).toEqual([
      ['c1', AGENTS / 2],
      ['c2', AGENTS / 2],
    ]);
    await until(() => agents.every((a) => a.acked.size >= ACKED_BEFORE), WAIT_MS, `${ACKED_BEFORE} acks for every agent`);
    for (const a of agents) expect((await storedTimes(a.hostname)).size).toBeGreaterThanOrEqual(ACKED_BEFORE);

    // The pid is the node process that serves (not a wrapper): SIGKILL it and nothing answers on its port.
    expect(readFileSync(`/proc/${c1.pid}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining([process.execPath, 'serve']));
    const victims = agents.filter((a) => on1.includes(a.agentId));
    const killedAt = Date.now();
    expect(await c1.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await c1.healthz()).toBeNull();
    await until(async () => (await cluster.haproxy.servers())[0]?.status === 'DOWN', WAIT_MS, 'HAProxy to mark c1 DOWN');

    // Its agents reconnect through the balancer, to c2, and are acked there.
    await until(
      () => victims.every((v) => v.connections.some((c) => c.openedAt > killedAt && c.firstAckAt !== null)),
      WAIT_MS,
      "every agent of c1 to be acked on a connection opened after c1's death",
    );
    for (const v of victims) {
      const after = v.connections.find((c) => c.openedAt > killedAt && c.firstAckAt !== null)!;
      console.log(`${v.hostname}: first ack ${after.firstAckAt! - killedAt} ms after the SIGKILL`);
    }
    expect(await connectedOn(c2)).toEqual(agents.map((a) => a.agentId).sort());
    expect(await cluster.haproxy.servers()).toEqual([
      expect.objectContaining({ name: 'c1', status: 'DOWN' }),
      expect.objectContaining({ name: 'c2', status: 'UP', sessions: AGENTS }),
    ]);
    // The agents of c2 never noticed: one connection each.
    for (const a of agents.filter((a) => on2.includes(a.agentId))) expect(a.connections).toHaveLength(1);

    // c1 back on its port and data: HAProxy marks it UP, and the next agent to connect goes to it (leastconn: 0 vs 6).
    await c1.restart();
    expect((await cluster.haproxy.servers())[0]).toEqual(expect.objectContaining({ name: 'c1', status: 'UP' }));
    const mover = agents[0]!;
    const droppedAt = Date.now();
    mover.dropConnection();
    await until(() => mover.connections.some((c) => c.openedAt > droppedAt && c.firstAckAt !== null), WAIT_MS, `${mover.hostname} to be acked again`);
    expect(await connectedOn(c1)).toEqual([mover.agentId]);

    // Stream on a while, then stop making batches and let every agent drain.
    await new Promise((r) => setTimeout(r, STREAM_AFTER_FAILOVER_MS));
    for (const a of agents) a.stopProducing();
    await until(() => agents.every((a) => a.pending().length === 0), WAIT_MS, 'every batch made to be acked');

    // The ledgers against InfluxDB: each point made is stored (those in flight at the kill were sent again to c2).
    for (const a of agents) {
      const stored = await storedTimes(a.hostname);
      const made = [...a.produced.values()];
      expect(
        made.filter((t) => !stored.has(t)),
        `${a.hostname}: made but not stored`,
      ).toEqual([]);
      expect(stored.size, `${a.hostname}: stored points`).toBe(made.length);
    }
    expect(c2.running()).toBe(true);
    // Nothing went wrong on the survivor: no error or fatal log line (pino level 50 and above).
    expect(c2.logLines().filter((l) => l.level >= 50)).toEqual([]);
  });
});

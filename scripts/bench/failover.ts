// Failover benchmark: two collectors on PostgreSQL behind HAProxy (scripts/lib/cluster.ts), --agents simulated agents
// (lib/loadgen.ts: real WebSockets through the balancer's port, real protocol, one report every --every seconds
// each), then SIGKILL of the collector holding about half of them. Each agent whose connection drops connects
// again through the balancer as the agent's link does (lib/loadgen.ts reconnectOnDrop: a jittered backoff whose
// first delay is uniform in [500, 1000] ms, doubling per failed attempt) and sends a report at once on Welcome (the
// agent replays its unacked batches first). Per affected agent: the last Ack from the dead collector -> the first
// Ack from the other one, on the machine's shared clock (epoch ms in every process). Also the kill -> first Ack,
// and the parts: kill -> drop seen by the agent, drop -> Welcome (the backoff and the reconnect), Welcome -> Ack.
// Baseline: the agents' first reconnect delay (what a failover cannot beat), and an ordinary report's send -> ack
// before the kill.
//
//   npx tsx scripts/bench/failover.ts [--agents 1000] [--every 1] [--before 20] [--wait 60]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openStore } from '../../collector/src/store/index.js';
import { startCluster, type Cluster } from '../lib/cluster.js';
import { enrollAgents, startLoad, type LoadFleet, type Move } from './lib/loadgen.js';
import { fmt, machine, sleep, stats } from './lib/stats.js';

/** agent/src/delivery/link.ts BACKOFF_BASE_MS: the first reconnect waits uniform [base / 2, base] (equal jitter). */
const FIRST_RECONNECT_BASE_MS = 1_000;
const TENANT = 'failover';
const LIMITS = { WATCHPOST_LIMITS_IP_ATTEMPTS_PER_SECOND: '1000000', WATCHPOST_LIMITS_IP_ATTEMPT_BURST: '1000000' };

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    every: { type: 'string', default: '1' },
    before: { type: 'string', default: '20' },
    wait: { type: 'string', default: '60' },
  },
});
const agentCount = Number(values.agents);
const everyMs = Number(values.every) * 1000;
const beforeMs = Number(values.before) * 1000;
const waitMs = Number(values.wait) * 1000;
const epochNow = (): number => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!.toFixed(2);
  let cluster: Cluster | undefined;
  let fleet: LoadFleet | undefined;
  try {
    cluster = await startCluster({ collectors: 2, env: LIMITS });
    const store = openStore(cluster.storeUrl);
    store.tenants.add({ id: TENANT, name: 'Failover' });
    const agents = enrollAgents(store, TENANT, agentCount);
    store.close();
    fleet = await startLoad(cluster.wsUrl, agents);
    if (fleet.connected.failed > 0) throw new Error(`${fleet.connected.failed} agents did not connect (first: ${fleet.connected.firstError})`);
    fleet.reconnectOnDrop(FIRST_RECONNECT_BASE_MS);
    fleet.load(everyMs);
    await sleep(beforeMs);
    const split = await cluster.haproxy.servers();
    // The collector holding the most agents (leastconn leaves them about even).
    const victimState = [...split].sort((x, y) => y.sessions - x.sessions)[0]!;
    const victim = cluster.collectors.find((c) => c.name === victimState.name)!;
    const survivor = cluster.collectors.find((c) => c !== victim)!;
    const ackBefore = stats(await fleet.ackTimes());
    console.error(`split before the kill: ${split.map((s) => `${s.name} ${s.sessions}`).join(', ')}; SIGKILL ${victim.name} (pid ${victim.pid})`);
    const killAt = epochNow();
    const exit = await victim.kill('SIGKILL');
    const exitedAt = epochNow();
    const deadline = Date.now() + waitMs;
    let moves: Move[] = [];
    for (;;) {
      await sleep(500);
      moves = await fleet.moves();
      const settled = moves.length >= victimState.sessions && moves.every((m) => m.firstAckAt !== undefined);
      if (settled || Date.now() > deadline) break;
    }
    const done = moves.filter((m) => m.firstAckAt !== undefined);
    const splitAfter = await cluster.haproxy.servers();
    const counts = await fleet.counts();
    const ackAfter = stats(await fleet.ackTimes());

    const gap = stats(done.map((m) => m.firstAckAt! - (m.lastAckAt ?? m.closedAt)));
    console.log(`machine   ${machine()}`);
    console.log(`load      1-minute load average ${loadBefore} at the start, ${loadavg()[0]!.toFixed(2)} at the end`);
    console.log(
      `setup     2 collectors (\`watchpost-collector serve\`) on one PostgreSQL (loopback, fsync off) behind HAProxy (leastconn, send-proxy-v2, checks every 500 ms, fall 2, retries 2, redispatch); one influxd;`,
    );
    console.log(
      `          ${agentCount} simulated agents in ${fleet.processes} load process(es) through the balancer, one report (11 points) every ${everyMs / 1000} s each; ${beforeMs / 1000} s of load, then SIGKILL of the busier collector`,
    );
    console.log('results');
    console.log(
      `  before the kill: ${split.map((s) => `${s.name} ${s.sessions} agents`).join(', ')}; killed ${victim.name} (${exit?.signal ?? exit?.code}), exit seen ${(exitedAt - killAt).toFixed(1)} ms after the signal`,
    );
    console.log(
      `  agents dropped ${moves.length}, moved (acked again) ${done.length}${moves.length > done.length ? `, NOT acked within ${waitMs / 1000} s: ${moves.length - done.length}` : ''}; after: ${splitAfter.map((s) => `${s.name} ${s.status} ${s.sessions}`).join(', ')}`,
    );
    console.log(`  last Ack from ${victim.name} -> first Ack from ${survivor.name}   ${fmt(gap)}`);
    console.log(`    kill -> first Ack                         ${fmt(stats(done.map((m) => m.firstAckAt! - killAt)))}`);
    console.log(`    kill -> the agent sees its connection drop ${fmt(stats(moves.map((m) => m.closedAt - killAt)))}`);
    console.log(`    drop -> Welcome (backoff + reconnect)      ${fmt(stats(done.map((m) => m.welcomeAt! - m.closedAt)))}`);
    console.log(`    Welcome -> first Ack                       ${fmt(stats(done.map((m) => m.firstAckAt! - m.welcomeAt!)))}`);
    console.log(`    last Ack before the kill -> kill           ${fmt(stats(done.flatMap((m) => (m.lastAckAt === undefined ? [] : [killAt - m.lastAckAt]))))}`);
    const attempts = new Map<number, number>();
    for (const m of done) attempts.set(m.attempts, (attempts.get(m.attempts) ?? 0) + 1);
    console.log(
      `    connect attempts per moved agent: ${[...attempts]
        .sort((x, y) => x[0] - y[0])
        .map(([n, c]) => `${n}: ${c} agents`)
        .join(', ')}`,
    );
    console.log(
      `  load: ${counts.sent} reports sent, ${counts.acked} acked, ${counts.refused} refused; ordinary report send -> ack after the kill ${fmt(ackAfter)}`,
    );
    console.log(
      `baseline  the agents' first reconnect delay: uniform ${FIRST_RECONNECT_BASE_MS / 2}-${FIRST_RECONNECT_BASE_MS} ms (agent link: base ${FIRST_RECONNECT_BASE_MS} ms, equal jitter); plus up to one report interval (${everyMs / 1000} s) between the last Ack and the kill; ordinary report send -> ack before the kill ${fmt(ackBefore)}`,
    );
    console.log(
      `ratio     failover p50 / the first reconnect delay's mean (${(FIRST_RECONNECT_BASE_MS * 0.75).toFixed(0)} ms): ${(gap.p50 / (FIRST_RECONNECT_BASE_MS * 0.75)).toFixed(2)}x; p99 ${(gap.p99 / (FIRST_RECONNECT_BASE_MS * 0.75)).toFixed(2)}x`,
    );
    const bad = survivor.logLines().filter((l) => l.level >= 50);
    if (bad.length > 0) console.log(`note      ${survivor.name} logged ${bad.length} errors; first: ${JSON.stringify(bad[0])}`);
  } finally {
    await fleet?.stop();
    await cluster?.stop();
  }
}

await main();

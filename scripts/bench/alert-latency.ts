// Alert latency benchmark: how long from a breaching sample's arrival to its ticket being stored,
// with many agents connected. A real collector (buildApp on a loopback port, SQLite in a temp dir, a real influxd
// when one is on PATH) and N agents speaking the real protocol over real WebSockets, each sending an ordinary
// batch (cpu, mem, two disks) every LOAD_EVERY_MS as background load; then M breaching batches, each from a
// different agent: its /data disk at 97 %, over the default pack's disk_space rule with `for: 0s` (the issue
// excludes hold time). Per breach: from the moment the frame is handed to the client socket to the commit of the
// SQLite transaction that opened the ticket (the store passed to buildApp is wrapped to see it; client and
// collector share one process and clock). Baseline in the same run: ordinary batches from send to the alert
// engine's observe hook (where alerting starts), and to their ack. Goal: p99 <= 100 ms.
//
//   npx tsx scripts/bench/alert-latency.ts [--agents 1000] [--breaches 200] [--seconds 40]
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startBenchCollector, watchEngine } from './lib/collector.js';
import { benchArgs, connectFleet, describeLoad, spreadBreaches, type Fleet } from './lib/fleet.js';
import { fmt, machine, sleep, stats } from './lib/stats.js';

const SETTLE_MS = 15_000; // longest wait for the last tickets after the last breach
const GOAL_P99_MS = 100;

async function main(): Promise<void> {
  const { agentCount, breachCount, seconds } = benchArgs();
  const committed = new Map<string, { commitAt: number; txMs: number }>();
  const txMs: number[] = [];
  let measuring = false;
  const collector = await startBenchCollector({
    name: 'wp-alert-bench',
    onCommit: (host, at, ms) => committed.set(host, { commitAt: at, txMs: ms }),
    onTx: (ms) => measuring && txMs.push(ms),
  });
  const observedAt = new Map<string, number>(); // hostname -> when the breaching batch reached the observe hook
  // tickMs and stepMs: the tick (absence, holds, SLA over every agent) as a whole and per step
  const [arrival, hookMs, tickMs, stepMs]: [number[], number[], number[], number[]] = [[], [], [], []];
  let fleet: Fleet | undefined;
  try {
    const t0 = performance.now();
    fleet = await connectFleet(collector.port, collector.token(agentCount), agentCount);
    watchEngine(collector.built, fleet.byId, {
      observed(agent, sent, start, end) {
        if (sent.breach) observedAt.set(agent.hostname, start);
        else if (measuring) {
          arrival.push(start - sent.at);
          hookMs.push(end - start);
        }
      },
      tick: (ms, longest) => measuring && tickMs.push(ms) && stepMs.push(longest),
    });
    console.error(`${agentCount} agents enrolled and connected in ${((performance.now() - t0) / 1000).toFixed(1)} s; warming up`);
    const ackMs: number[] = [];
    for (const agent of fleet.agents) agent.onAck = (sent) => measuring && !sent.breach && ackMs.push(performance.now() - sent.at);
    await fleet.warmUp();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    measuring = true;
    const sentAt = new Map<string, number>();
    await spreadBreaches(fleet, breachCount, seconds, (host, at) => sentAt.set(host, at));
    const deadline = performance.now() + SETTLE_MS;
    while ([...sentAt.keys()].some((h) => !committed.has(h)) && performance.now() < deadline) await sleep(50);
    measuring = false;
    loop.disable();
    const done = [...sentAt].flatMap(([host, at]) => (committed.has(host) ? [{ at, seen: observedAt.get(host) ?? NaN, ...committed.get(host)! }] : []));
    const latency = done.map((d) => d.commitAt - d.at);
    const [breach, base] = [stats(latency), stats(arrival)];
    console.log(`machine   ${machine()}`);
    const [load, breaches] = describeLoad(agentCount, breachCount, seconds);
    console.log(`setup     ${load}\n          ${breaches}\n          ${collector.describe()}`);
    console.log('results (milliseconds)');
    console.log(`  breach -> ticket committed     ${fmt(breach)}${latency.length < breachCount ? `  MISSING ${breachCount - latency.length}` : ''}`);
    console.log(`    of which send -> observe     ${fmt(stats(done.map((d) => d.seen - d.at)))}`);
    console.log(`    of which observe -> commit   ${fmt(stats(done.map((d) => d.commitAt - d.seen)))}`);
    console.log(`    ticket transaction alone     ${fmt(stats(done.map((d) => d.txMs)))}`);
    console.log(`  baseline: ordinary batch send -> observe hook   ${fmt(base)}`);
    console.log(`  ordinary batch in the observe hook (no change)  ${fmt(stats(hookMs))}`);
    console.log(`  ordinary batch send -> ack (after the InfluxDB write) ${fmt(stats(ackMs))}`);
    console.log(`  alert engine tick (every 5 s: absence, holds, SLA) ${fmt(stats(tickMs))}; its longest step ${fmt(stats(stepMs))}`);
    console.log(
      `  SQLite transactions while measuring: ${fmt(stats(txMs))}; event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)}, max ${(loop.max / 1e6).toFixed(1)} ms`,
    );
    console.log(
      `ratio     breach -> ticket over the baseline (send -> observe hook): p50 ${(breach.p50 / base.p50).toFixed(2)}x, p99 ${(breach.p99 / base.p99).toFixed(2)}x`,
    );
    console.log(`goal      p99 <= ${GOAL_P99_MS} ms: ${breach.p99 <= GOAL_P99_MS && latency.length === breachCount ? 'met' : 'NOT met'}`);
  } finally {
    fleet?.close();
    await collector.close();
  }
}

main().catch((error: Error) => {
  console.error(`alert latency benchmark failed: ${error.stack ?? error.message}`);
  process.exit(1);
});

// Service-desk delivery latency benchmark: how long from a breaching sample's arrival to the
// desk's webhook request reaching the receiver. The same setup as alert-latency.ts (a real collector with SQLite in
// a temp dir and a real influxd, N agents on real WebSockets sending ordinary batches as background load, M
// breaches on disk_space with `for: 0s`), plus a desks file routing the bench tenant to a generic webhook desk whose
// URL is a node:http receiver in this process. Per breach: from the moment the frame is handed to the client socket
// to the moment the receiver sees the 'opened' request for that host (the payload's watchpost.ticket.host), broken down at
// the engine's observe hook and the commit of the ticket's transaction (which queued the outbox row). Baseline in
// the same run, between breaches: a plain fetch POST of the last webhook's body from this process to the same
// receiver, send -> arrival (and the whole round trip). Goal: p99 <= 500 ms on loopback.
//
//   npx tsx scripts/bench/desk-latency.ts [--agents 1000] [--breaches 200] [--seconds 40]
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startBenchCollector, watchEngine } from './lib/collector.js';
import { benchArgs, connectFleet, describeLoad, spreadBreaches, type Fleet } from './lib/fleet.js';
import { fmt, machine, sleep, stats } from './lib/stats.js';

const SETTLE_MS = 15_000; // longest wait for the last deliveries after the last breach
const GOAL_P99_MS = 500;
const BASELINE_HEADER = 'x-bench-baseline';

/** What the receiver saw: when each host's 'opened' webhook arrived, and when each baseline POST did. */
interface Receiver {
  url: string;
  delivered: Map<string, number>;
  baseline: Map<string, number>;
  /** The body of the latest webhook (the baseline sends the same bytes). */
  lastBody: string | null;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req
      .on('data', (chunk: Buffer) => chunks.push(chunk))
      .once('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      .once('error', reject);
  });

/** Stamps each request when its headers arrive (before reading the body), then answers 200. */
async function startReceiver(): Promise<Receiver> {
  const self: Omit<Receiver, 'url' | 'close'> = { delivered: new Map(), baseline: new Map(), lastBody: null };
  const server: Server = createServer((req, res) => {
    const arrivedAt = performance.now();
    void readBody(req)
      .then((body) => {
        const baselineId = req.headers[BASELINE_HEADER];
        if (typeof baselineId === 'string') self.baseline.set(baselineId, arrivedAt);
        else {
          self.lastBody = body;
          const payload = JSON.parse(body) as { watchpost?: { event?: string; ticket?: { host?: string } } };
          const host = payload.watchpost?.ticket?.host;
          if (payload.watchpost?.event === 'opened' && host && !self.delivered.has(host)) self.delivered.set(host, arrivedAt);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      })
      .catch((error: Error) => res.writeHead(400).end(error.message)); // an unreadable body is not a delivery
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(self, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** One baseline POST of `body`: its send time, and when the answer was read (the round trip). */
async function baselinePost(url: string, id: string, body: string): Promise<{ at: number; roundTrip: number }> {
  const at = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [BASELINE_HEADER]: id }, body });
  await response.text();
  return { at, roundTrip: performance.now() - at };
}

async function main(): Promise<void> {
  const { agentCount, breachCount, seconds } = benchArgs();
  const receiver = await startReceiver();
  const committedAt = new Map<string, number>();
  let measuring = false;
  const collector = await startBenchCollector({
    name: 'wp-desk-bench',
    desks: `desks:\n  hook: { type: webhook, url: "${receiver.url}" }\ndefault_desks: [ { desk: hook } ]\n`,
    onCommit: (host, at) => committedAt.set(host, at),
  });
  const observedAt = new Map<string, number>();
  const tickMs: number[] = [];
  let fleet: Fleet | undefined;
  try {
    const t0 = performance.now();
    fleet = await connectFleet(collector.port, collector.token(agentCount), agentCount);
    watchEngine(collector.built, fleet.byId, {
      observed: (agent, sent, start) => sent.breach && observedAt.set(agent.hostname, start),
      tick: (ms) => measuring && tickMs.push(ms),
    });
    console.error(`${agentCount} agents enrolled and connected in ${((performance.now() - t0) / 1000).toFixed(1)} s; warming up`);
    await fleet.warmUp();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    measuring = true;
    const sentAt = new Map<string, number>();
    const baselines: Promise<{ id: string; at: number; roundTrip: number } | null>[] = [];
    const spacing = (seconds * 1000) / breachCount;
    await spreadBreaches(fleet, breachCount, seconds, (host, at, i) => {
      sentAt.set(host, at);
      // Halfway to the next breach, when this one has long been delivered: its body, same bytes, plain POST.
      baselines.push(
        sleep(spacing / 2).then(() =>
          receiver.lastBody === null ? null : baselinePost(receiver.url, String(i), receiver.lastBody).then((r) => ({ id: String(i), ...r })),
        ),
      );
    });
    const deadline = performance.now() + SETTLE_MS;
    while ([...sentAt.keys()].some((h) => !receiver.delivered.has(h)) && performance.now() < deadline) await sleep(50);
    const posts = (await Promise.all(baselines)).flatMap((b) => (b ? [b] : []));
    measuring = false;
    loop.disable();
    const done = [...sentAt].flatMap(([host, at]) => {
      const delivered = receiver.delivered.get(host);
      return delivered === undefined ? [] : [{ at, delivered, seen: observedAt.get(host) ?? NaN, committed: committedAt.get(host) ?? NaN }];
    });
    const latency = stats(done.map((d) => d.delivered - d.at));
    const oneWay = stats(posts.map((p) => (receiver.baseline.get(p.id) ?? NaN) - p.at));
    const missing = breachCount - done.length;
    console.log(`machine   ${machine()}`);
    const [load, breaches] = describeLoad(agentCount, breachCount, seconds);
    console.log(`setup     ${load}\n          ${breaches}\n          ${collector.describe()};`);
    console.log(`          desk 'hook' (generic webhook connector) POSTing to a node:http receiver in this process on loopback`);
    console.log('results (milliseconds)');
    console.log(`  breach -> webhook delivered     ${fmt(latency)}${missing > 0 ? `  MISSING ${missing}` : ''}`);
    console.log(`    of which send -> observe      ${fmt(stats(done.map((d) => d.seen - d.at)))}`);
    console.log(`    of which observe -> commit    ${fmt(stats(done.map((d) => d.committed - d.seen)))}`);
    console.log(`    of which commit -> delivered  ${fmt(stats(done.map((d) => d.delivered - d.committed)))}`);
    console.log(`  baseline: plain POST -> arrival ${fmt(oneWay)}`);
    console.log(`  baseline: plain POST round trip ${fmt(stats(posts.map((p) => p.roundTrip)))}`);
    console.log(
      `  alert engine tick (every 5 s)   ${fmt(stats(tickMs))}; event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)}, max ${(loop.max / 1e6).toFixed(1)} ms`,
    );
    console.log(
      `ratio     breach -> delivered over the baseline (POST -> arrival): p50 ${(latency.p50 / oneWay.p50).toFixed(1)}x, p99 ${(latency.p99 / oneWay.p99).toFixed(1)}x`,
    );
    console.log(`goal      p99 <= ${GOAL_P99_MS} ms: ${latency.p99 <= GOAL_P99_MS && missing === 0 ? 'met' : 'NOT met'}`);
  } finally {
    fleet?.close();
    await collector.close();
    await receiver.close();
  }
}

main().catch((error: Error) => {
  console.error(`desk latency benchmark failed: ${error.stack ?? error.message}`);
  process.exit(1);
});

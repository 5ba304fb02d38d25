// Delivery under faults, with real processes: influxd, the collector CLI (SIGKILL-able) and the compiled agent
// streaming every second with a delivery ledger (run --ledger). Each scenario breaks one thing, lets the system
// recover, and then compares the ledger with what InfluxDB holds (checker.ts): every point the agent produced is
// stored, in a batch the ledger records as dropped, or still in the agent's spool; and the drops the agent reports
// (status --json, pointsDroppedBy) are exactly the ledger's drop lines. The scenarios share one stack and run one
// after another (each has its own tenant, so its points are told apart); moments of the faults come from a seeded
// generator whose seed is printed (FAULTS_SEED=n reproduces the choices).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_BYTES, parseSegmentName, scanSegment, segmentName } from '../../agent/src/delivery/spool/codec.js';
import { stringify } from 'yaml';
import { probes } from '../../agent/src/probes/index.js';
import { until } from '../helpers/until.js';
import { compare, describeComparison, droppedByRun, readLedger, spooledSeqs, type Comparison, type Ledger } from './checker.js';
import { HOST, startStack, stopProc, type AgentStatusJson, type Proc, type Stack } from './harness.js';

/** Bounds on waits for real processes (not assertions about speed). */
const WAIT_MS = 45_000;
/** Batches a live 1 s stream has unacked at any time (each waits for the collector's InfluxDB write, up to 1 s). */
const IN_FLIGHT_BATCHES = 16;
const SCENARIO_MS = 120_000;
/** The collector's flush interval in (a) and (c): the stack's 200 ms acks too fast for a kill to find batches
 *  unacked; with this, points wait in the collector (a) or batches in the agent's spool (c) when the kill lands. */
const SLOW_FLUSH = '1500ms';
const STACK_FLUSH = '200ms';
/** The tiny filesystem of scenario (d): a few pages, filled by the agent's spool within seconds. */
const TMPFS_SIZE = '32k';

const seed = Number(process.env.FAULTS_SEED ?? Date.now() % 2 ** 31);
console.log(`delivery.test.ts: FAULTS_SEED=${seed}`);
/** mulberry32: a tiny seeded generator, so a failing run's fault moments can be replayed. */
const random = (() => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
})();
const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

let stack: Stack;
const running = new Set<Proc>();

/** One enrolled agent of its own tenant, with its ledger, started and stopped as the scenario needs. */
interface Subject {
  tenant: string;
  dir: string;
  spoolDir: string;
  ledgerFile: string;
  proc?: Proc;
  logs: string[];
  start(): Proc;
  status(): Promise<AgentStatusJson>;
}

async function subject(tenant: string): Promise<Subject> {
  await stack.addTenant(tenant);
  const dir = await stack.enrollAgent(`agent-${tenant}`, tenant);
  const s: Subject = {
    tenant,
    dir,
    spoolDir: join(dir, 'spool'),
    ledgerFile: join(stack.dir, `${tenant}.ledger`),
    logs: [],
    start() {
      if (s.proc) s.logs.push(s.proc.log());
      const proc = stack.startAgent(dir, ['--ledger', s.ledgerFile]);
      running.add(proc);
      void proc.exited.then(() => running.delete(proc));
      s.proc = proc;
      return proc;
    },
    status: () => stack.agentStatus(dir),
  };
  return s;
}

const allLogs = (s: Subject) => [...s.logs, s.proc?.log() ?? ''].join('');

/** Points in the ledger so far (the agent's production, read while it runs), of one measurement or all. */
function ledgerPoints(s: Subject, measurement?: string): number {
  if (!existsSync(s.ledgerFile)) return 0;
  const prefix = measurement ? new RegExp(`^\\+ \\d+ ${measurement} `) : /^\+ /;
  return readFileSync(s.ledgerFile, 'utf8')
    .split('\n')
    .filter((l) => prefix.test(l)).length;
}

/** mem points stored for the subject: one per collection, a cheap "is data arriving" gauge. */
async function storedMem(s: Subject): Promise<number> {
  const series = await stack.query(`SELECT count("used") FROM mem WHERE "host" = '${HOST}' AND "tenant" = '${s.tenant}'`);
  return Number(series[0]?.values[0]?.[1] ?? 0);
}

/** Waits for a status.json written after `since` (the agent rewrites it every 5 s) and returns it. */
async function freshStatus(s: Subject, since: number): Promise<AgentStatusJson> {
  let status: AgentStatusJson | undefined;
  await until(
    async () => {
      status = await s.status();
      return Date.parse(status.updatedAt ?? '') > since;
    },
    WAIT_MS,
    `a status.json of ${s.tenant} written after ${new Date(since).toISOString()}`,
  );
  return status!;
}

/** Waits until the agent is connected and its spool directory holds nothing unacked (read directly, since
 *  status.json is only rewritten every 5 s and new batches arrive every second). */
async function drained(s: Subject): Promise<void> {
  await until(
    async () => (await s.status()).connected === true && spooledSeqs(s.spoolDir).size === 0,
    WAIT_MS,
    `agent of ${s.tenant} connected with an empty spool`,
  );
}

/** Stops the agent with SIGTERM (exit 0), then compares its ledger with InfluxDB and its final counters. */
async function stopAndCompare(s: Subject): Promise<{ c: Comparison; ledger: Ledger; status: AgentStatusJson }> {
  expect(await stopProc(s.proc), allLogs(s)).toBe(0);
  const ledger = readLedger(s.ledgerFile);
  const c = await compare(stack, ledger, HOST, s.tenant, s.spoolDir);
  console.log(`${s.tenant}: ${describeComparison(c)}`);
  const status = await s.status();
  expect(status.running).toBe(false);
  // "Counted" is verified too: the last run's drops by reason are exactly the ledger's drop lines of that run.
  expect(status.counters?.pointsDroppedBy).toEqual(droppedByRun(ledger));
  expect(status.counters?.pointsRejected).toBe(0);
  return { c, ledger, status };
}

/** Restarts the collector (SIGTERM) with this flush interval, kept for its later restarts too; nothing if it
 *  already runs with it. */
async function restartCollector(flushInterval: string): Promise<void> {
  const up = stack.collector && stack.collector.child.exitCode === null && stack.collector.child.signalCode === null;
  if (up && stack.env.WATCHPOST_INFLUX_FLUSH_INTERVAL === flushInterval) return;
  await stopProc(stack.collector);
  stack.env.WATCHPOST_INFLUX_FLUSH_INTERVAL = flushInterval;
  await stack.startCollector();
}

function expectNothingLost(c: Comparison): void {
  expect(c.missing, describeComparison(c)).toEqual([]);
}

/** The stream these scenarios compare is eight probes at 1 s: the per-minute host measurements, the checkpointed
 *  event-log and shutdown readers, and patches' many points per run. Every probe run is a batch of its own
 *  (spooled the moment the run ends, so a crash loses nothing), and each batch waits for the collector's InfluxDB write
 *  before its ack: on this 2-core machine a link acks about 20 batches a second, so with every probe at 1 s a
 *  backlog would never drain. The central policy switches the later probes off (the agent applies it at Welcome). */
const STREAMED_PROBES = ['cpu', 'mem', 'disk', 'system', 'net', 'eventlog', 'patches', 'shutdowns'];

beforeAll(async () => {
  stack = await startStack();
  const policy = join(stack.dir, 'policy.yaml');
  const off = Object.keys(probes).filter((p) => !STREAMED_PROBES.includes(p));
  writeFileSync(policy, stringify({ probes: Object.fromEntries(off.map((p) => [p, { disabled: true }])) }));
  stack.env.WATCHPOST_POLICY_FILE = policy;
  await stack.startCollector();
}, 180_000);

afterAll(async () => {
  for (const proc of running) proc.child.kill('SIGKILL');
  await stack?.close();
});

describe.sequential('delivery under faults (ledger vs InfluxDB)', () => {
  it(
    '(a) the collector SIGKILLed and restarted 3 times while the agent streams at 1 s: nothing lost',
    async () => {
      const s = await subject('fa');
      await restartCollector(SLOW_FLUSH);
      let c: Comparison;
      let ledger: Ledger;
      try {
        s.start();
        await until(async () => (await storedMem(s)) > 0, WAIT_MS, 'first points of fa stored');
        for (let round = 0; round < 3; round++) {
          const stored = await storedMem(s);
          const more = between(1, 4);
          await until(async () => (await storedMem(s)) >= stored + more, WAIT_MS, `${more} more mem points of fa stored (round ${round})`);
          // Killed while points the agent produced are not yet in InfluxDB (sent, and queued in the collector's writer).
          await until(async () => ledgerPoints(s, 'mem') > (await storedMem(s)), WAIT_MS, `mem points of fa produced and not yet stored (round ${round})`);
          expect(await stopProc(stack.collector, 'SIGKILL')).toBeNull();
          const produced = ledgerPoints(s);
          const meanwhile = between(3, 20); // about a second: longer outages only grow the agent's reconnect backoff
          await until(() => ledgerPoints(s) >= produced + meanwhile, WAIT_MS, `the agent to produce ${meanwhile} points with the collector down`);
          // The last restart acks fast again, so the spool can be seen empty.
          stack.env.WATCHPOST_INFLUX_FLUSH_INTERVAL = round === 2 ? STACK_FLUSH : SLOW_FLUSH;
          await stack.startCollector();
        }
        const stored = await storedMem(s);
        await until(async () => (await storedMem(s)) >= stored + 2, WAIT_MS, 'fa delivering again after the last restart');
        await drained(s);
        ({ c, ledger } = await stopAndCompare(s));
      } finally {
        await restartCollector(STACK_FLUSH);
      }
      expectNothingLost(c);
      expect(c.dropped).toEqual([]);
      expect(c.stored).toBeGreaterThan(0);
      expect(ledger.starts).toHaveLength(1);
    },
    SCENARIO_MS,
  );

  it(
    '(b) influxd stopped and resumed on the same port and data: acks stop, the spool grows, then drains; nothing lost',
    async () => {
      const s = await subject('fb');
      s.start();
      await until(async () => (await storedMem(s)) > 0, WAIT_MS, 'first points of fb stored');
      await stack.stopInflux();
      await until(async () => (await stack.healthz()) === 503, WAIT_MS, 'collector /healthz to answer 503 with InfluxDB down');
      const first = await freshStatus(s, Date.now());
      const second = await freshStatus(s, Date.parse(first.updatedAt!));
      expect(second.counters!.pointsAcked).toBe(first.counters!.pointsAcked);
      expect(second.lastAckAt).toBe(first.lastAckAt);
      expect(second.counters!.pointsProduced).toBeGreaterThan(first.counters!.pointsProduced);
      expect(second.spool!.batches).toBeGreaterThan(first.spool!.batches);
      await stack.resumeInflux();
      await until(async () => (await stack.healthz()) === 200, WAIT_MS, 'collector /healthz back to 200');
      // status.json (every 5 s) shows the backlog gone down to what a live stream keeps in flight; drained() then
      // reads the spool directory itself for the moment it is empty.
      await until(async () => ((await s.status()).spool?.batches ?? Infinity) <= IN_FLIGHT_BATCHES, WAIT_MS, 'status of fb to show the backlog drained');
      await drained(s);
      const { c } = await stopAndCompare(s);
      expectNothingLost(c);
      expect(c.dropped).toEqual([]);
      expect(c.spooled).toEqual([]);
    },
    SCENARIO_MS,
  );

  it(
    '(c) the agent SIGKILLed mid-stream 3 times and restarted on the same state dir: nothing lost, seqs never reused',
    async () => {
      const s = await subject('fc');
      // A collector that takes its time to write (and so to ack) keeps batches unacked in the agent's spool, so each
      // kill lands while some are spooled and in flight: the restart must replay them.
      await restartCollector(SLOW_FLUSH);
      try {
        s.start();
        let unackedAtKill = 0;
        for (let round = 0; round < 3; round++) {
          const produced = ledgerPoints(s);
          const more = between(10, 60);
          await until(() => ledgerPoints(s) >= produced + more, WAIT_MS, `the agent to produce ${more} points (round ${round})`);
          await until(() => spooledSeqs(s.spoolDir).size >= 2, WAIT_MS, `unacked batches in fc's spool (round ${round})`);
          expect(await stopProc(s.proc, 'SIGKILL')).toBeNull();
          unackedAtKill += spooledSeqs(s.spoolDir).size;
          s.start();
        }
        expect(unackedAtKill).toBeGreaterThanOrEqual(6);
      } finally {
        await restartCollector(STACK_FLUSH); // acks fast again, so the spool can be seen empty
      }
      const stored = await storedMem(s);
      await until(async () => (await storedMem(s)) >= stored + 2, WAIT_MS, 'fc delivering after the last restart');
      await drained(s);
      const { c, ledger } = await stopAndCompare(s);
      expectNothingLost(c);
      expect(c.dropped).toEqual([]);
      expect(ledger.starts).toHaveLength(4);
      expect(ledger.lines.filter((l) => l.kind === 'stop')).toHaveLength(1);
      // Each run's batches have seqs above every earlier run's (the spool's seq lease survives SIGKILL).
      const maxSeqOfRun = ledger.starts.map((from, run) => {
        const to = ledger.starts[run + 1] ?? ledger.lines.length;
        return ledger.lines.slice(from, to).map((l) => (l.kind === 'point' ? l.seq : 0));
      });
      for (let run = 1; run < maxSeqOfRun.length; run++) {
        const seqs = maxSeqOfRun[run]!.filter((seq) => seq > 0);
        if (seqs.length) expect(Math.min(...seqs)).toBeGreaterThan(Math.max(0, ...maxSeqOfRun[run - 1]!));
      }
    },
    SCENARIO_MS,
  );

  // Mounting needs root (or CAP_SYS_ADMIN), as in test/agent/delivery/spool/disk.test.ts.
  const canMount = process.platform === 'linux' && process.getuid?.() === 0;
  if (!canMount) console.warn('delivery.test.ts: not root, so the tiny-filesystem scenario (d) is skipped');
  it.runIf(canMount)(
    '(d) the spool on a tiny tmpfs that fills with the collector down: drops counted, the agent runs on, missing = dropped',
    async () => {
      const s = await subject('fd');
      mkdirSync(s.spoolDir, { mode: 0o700 });
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE},mode=0700`, 'tmpfs', s.spoolDir]);
      try {
        await stopProc(stack.collector);
        s.start();
        await until(async () => ((await s.status()).counters?.pointsDroppedBy.disk_full ?? 0) > 0, WAIT_MS, 'the agent to drop batches as disk_full');
        expect(s.proc!.child.exitCode).toBeNull();
        // The agent runs on: it spools again after the drop.
        const afterDrop = ledgerPoints(s);
        await until(() => ledgerPoints(s) > afterDrop + 10, WAIT_MS, 'the agent to keep producing after the drop');
        const linesBeforeCollector = readLedger(s.ledgerFile).lines.length;
        await stack.startCollector();
        await drained(s);
        const { c, status, ledger } = await stopAndCompare(s);
        expectNothingLost(c);
        expect(allLogs(s)).toMatch(/disk full/);
        expect(status.counters!.pointsDroppedBy.disk_full).toBeGreaterThan(0);
        // The drops are also in the agent's own measurement (its last self-report may predate the last drops).
        const [reported] = await stack.query<[number, number][]>(
          `SELECT last("points_dropped_disk_full") FROM agent WHERE "host" = '${HOST}' AND "tenant" = 'fd'`,
        );
        expect(reported?.values[0]?.[1]).toBeGreaterThan(0);
        expect(reported?.values[0]?.[1]).toBeLessThanOrEqual(status.counters!.pointsDroppedBy.disk_full);
        // What is not in InfluxDB is exactly what was dropped: every point not stored is in a dropped batch (above),
        // and every batch dropped while the collector was down is missing entirely (it was never sent). A batch
        // dropped after the collector came back may have been in flight already and stored: counted as dropped,
        // not as acked, which overstates the loss but never hides one.
        const droppedWhileDown = [...ledger.points].filter(([, seq]) => (ledger.dropAt.get(seq) ?? Infinity) < linesBeforeCollector).map(([key]) => key);
        expect(droppedWhileDown.length).toBeGreaterThan(0);
        const notStored = new Set(c.droppedMissing);
        expect(droppedWhileDown.filter((key) => !notStored.has(key))).toEqual([]);
        expect(c.stored + c.droppedMissing.length + c.spooledMissing.length).toBe(c.produced);
      } finally {
        await stopProc(s.proc, 'SIGKILL');
        execFileSync('umount', [s.spoolDir]);
        if (!stack.collector || stack.collector.child.exitCode !== null || stack.collector.child.signalCode !== null) await stack.startCollector();
      }
    },
    SCENARIO_MS,
  );

  it(
    '(e) a segment truncated mid-record while the agent is stopped: the loss is logged and counted, the rest delivered',
    async () => {
      const s = await subject('fe');
      await stopProc(stack.collector);
      s.start();
      await until(() => new Set(readLedger(s.ledgerFile).points.values()).size >= 8, WAIT_MS, 'the agent to spool 8 batches with the collector down');
      expect(await stopProc(s.proc)).toBe(0);

      const segments = readdirSync(s.spoolDir)
        .map(parseSegmentName)
        .filter((id): id is number => id !== undefined)
        .sort((a, b) => a - b);
      const file = join(s.spoolDir, segmentName(segments.at(-1)!));
      const last = scanSegment(readFileSync(file)).records.at(-1)!;
      truncateSync(file, last.offset + HEADER_BYTES + Math.floor(last.length / 2)); // a torn write of the last batch
      const lostKeys = [...readLedger(s.ledgerFile).points].filter(([, seq]) => seq === last.seq).map(([key]) => key);
      expect(lostKeys).toHaveLength(last.points);

      await stack.startCollector();
      s.start();
      await drained(s);
      const { c, status, ledger } = await stopAndCompare(s);
      expect(allLogs(s)).toMatch(/damaged segment/);
      expect(readdirSync(s.spoolDir).some((name) => name.endsWith('.corrupt'))).toBe(true);
      // Counted: the torn batch's points, in status and as the ledger's "- ? N corrupt" line of the second run.
      expect(status.counters!.pointsDroppedBy.corrupt).toBe(last.points);
      expect(ledger.lines.filter((l) => l.kind === 'drop')).toEqual([{ kind: 'drop', seq: null, points: last.points, reason: 'corrupt' }]);
      // Missing: exactly the torn batch's points, no more (the rest of the spool was delivered).
      expect(c.missing.map((m) => m.key).sort(), describeComparison(c)).toEqual(lostKeys.sort());
      expect(c.missing.length).toBeLessThanOrEqual(status.counters!.pointsDroppedBy.corrupt);
      expect(c.spooled).toEqual([]);
    },
    SCENARIO_MS,
  );
});

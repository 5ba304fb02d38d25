// The running agent: probes -> scheduler -> batcher -> spool -> link. Also reports its own health (the `agent`
// measurement) and keeps status.json current for `watchpost-agent status`.
//
// Durability: each probe run's samples are encoded and fsynced into the disk spool as soon as the run completes
// (onSamples flushes the batcher), before anything is sent. What a crash or power cut can still lose: samples of a
// run that has not completed (they do not exist yet), the self-report being built, and, only if the spool
// directory could not be opened (the memory fallback, logged as an error and shown in status), everything
// unacked.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createScheduler, probeStatsSamples, completeSamples, type Scheduler, type SchedulerOptions } from './scheduler.js';
import { applyPolicy, loadPolicy, samePolicy, savePolicy, type AgentPolicy } from './policy.js';
import { createBatcher } from './batcher.js';
import { encodeBatch } from './encode.js';
import { DEFAULT_MEMORY_SPOOL_BYTES, DROP_REASONS, MemorySpool, type DropReason, type SettleListener, type Spool } from './spool.js';
import { DEFAULT_SPOOL_MAX_BYTES, DiskSpool } from './disk-spool.js';
import { AckCheckpoints } from './ack-checkpoints.js';
import { fileCheckpointStore } from './checkpoint-store.js';
import { Link, type LinkOptions, type LinkState } from './link.js';
import { probes as registry } from './probes/index.js';
import type { Probe } from './probes/probe.js';
import { execRunner } from './runner.js';
import { createPowerShellWorker } from './powershell-worker.js';
import { int, type Sample, type SampleDraft } from './sample.js';
import { withPrefix, type Logger } from './log.js';
import { STATUS_FILE, writeJsonAtomic, type Identity } from './state.js';
import { AGENT_VERSION } from './version.js';
import { openLedger } from './ledger.js';
import { startWatchdog, type WatchdogOptions } from './watchdog.js';
import { previousTrip } from './watchdog-report.js';

/** How often the agent reports its own health and refreshes status.json. */
const SELF_REPORT_MS = 60_000;
const STATUS_WRITE_MS = 5_000;
/** At stop, how long to wait for the collector to ack what is still spooled: a courtesy (fresher data now instead
 *  of at the next start), since the disk spool keeps what is unacked. */
const DRAIN_MS = 2_000;
/** The spool's directory under the state directory. */
export const SPOOL_DIR = 'spool';

export type SpoolKind = 'disk' | 'memory';
interface OpenedSpool {
  spool: Spool;
  kind: SpoolKind;
  /** Why the disk spool could not be used (memory fallback), else null. */
  error: string | null;
}

/** The disk spool in <stateDir>/spool, or, if that directory cannot be used, a memory spool so that the agent
 *  still reports (losing what is unacked at exit), with the reason logged as an error and kept for status. */
export function openSpool(stateDir: string, maxBytes: number, log: Logger, onSettled: SettleListener): OpenedSpool {
  const dir = join(stateDir, SPOOL_DIR);
  try {
    return { spool: DiskSpool.open(dir, { maxBytes, log, onSettled }), kind: 'disk', error: null };
  } catch (error) {
    const reason = `${dir}: ${(error as Error).message}`;
    log.error('agent: cannot open the disk spool; spooling in memory (unacked data is lost at exit)', { err: reason });
    return { spool: new MemorySpool({ maxBytes: Math.min(maxBytes, DEFAULT_MEMORY_SPOOL_BYTES), onSettled }), kind: 'memory', error: reason };
  }
}

async function drain(spool: Spool, link: LinkState, budgetMs: number): Promise<void> {
  const deadline = Date.now() + budgetMs;
  while (link.connected && spool.stats().batches > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface AgentOptions {
  identity: Identity;
  stateDir: string;
  log: Logger;
  /** Overrides every probe's schedule (`run --every 30s`). */
  everyMs?: number;
  /** The spool's size bound (`run --spool-max-size`), default DEFAULT_SPOOL_MAX_BYTES. */
  spoolMaxBytes?: number;
  /** The delivery ledger's file (`run --ledger`), if any: every point spooled and every batch dropped. */
  ledgerFile?: string;
  /** The probes to run; default: one of each in the registry. */
  probes?: Probe[];
  /** The self-update's hooks on the link (update/run-updater.ts). */
  link?: Pick<LinkOptions, 'onUpdateOffer' | 'onWelcome'>;
  /** The watchdog's limits (defaults in watchdog.ts) and its restart; absent: no watchdog. */
  watchdog?: Omit<WatchdogOptions, 'stateDir' | 'log' | 'delivery'>;
}

export interface AgentCounters {
  pointsProduced: number;
  pointsAcked: number;
  pointsDropped: number;
  /** Points of acked batches the collector refused for good and will never store; pointsAcked excludes them. */
  pointsRejected: number;
  /** pointsDropped by reason (spool full, disk full, other I/O error, damaged on disk). */
  pointsDroppedBy: Record<DropReason, number>;
}

export interface AgentStatus {
  agentId: string;
  tenant: string;
  server: string;
  version: string;
  pid: number;
  startedAt: string;
  updatedAt: string;
  connected: boolean;
  lastConnectedAt: string | null;
  lastAckAt: string | null;
  /** Why the link does not deliver (a failed connection, or what the collector answered); null once it does. */
  lastError: string | null;
  /** The last batch with samples the collector refused for good (counted in pointsRejected). */
  lastRejection: { at: string; seq: number; points: number; reason: string } | null;
  nextRetryAt: string | null;
  spool: { batches: number; bytes: number; kind: SpoolKind; error: string | null };
  counters: AgentCounters;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function statusOf(identity: Identity, link: LinkState, opened: OpenedSpool, produced: number, startedAt: number): AgentStatus {
  const s = opened.spool.stats();
  const pointsDroppedBy = Object.fromEntries(DROP_REASONS.map((r) => [r, s.droppedBy[r].points])) as Record<DropReason, number>;
  return {
    agentId: identity.agentId,
    tenant: identity.tenant,
    server: identity.server,
    version: AGENT_VERSION,
    pid: process.pid,
    startedAt: new Date(startedAt).toISOString(),
    updatedAt: new Date().toISOString(),
    connected: link.connected,
    lastConnectedAt: iso(link.lastConnectedAt),
    lastAckAt: iso(link.lastAckAt),
    lastError: link.lastError,
    lastRejection: link.lastRejection && { ...link.lastRejection, at: new Date(link.lastRejection.at).toISOString() },
    nextRetryAt: link.connected ? null : iso(link.nextRetryAt),
    spool: { batches: s.batches, bytes: s.bytes, kind: opened.kind, error: opened.error },
    counters: { pointsProduced: produced, pointsAcked: link.pointsAcked, pointsDropped: s.droppedPoints, pointsRejected: link.pointsRejected, pointsDroppedBy },
  };
}

/** The agent's own health as a Watchpost measurement. */
export function selfSample(status: AgentStatus): SampleDraft {
  const usage = process.resourceUsage();
  return {
    measurement: 'agent',
    tags: { version: status.version },
    fields: {
      connected: status.connected,
      spool_on_disk: status.spool.kind === 'disk',
      spool_batches: int(status.spool.batches),
      spool_bytes: int(status.spool.bytes),
      points_produced: int(status.counters.pointsProduced),
      points_acked: int(status.counters.pointsAcked),
      points_dropped: int(status.counters.pointsDropped),
      ...Object.fromEntries(DROP_REASONS.map((r) => [`points_dropped_${r}`, int(status.counters.pointsDroppedBy[r])])),
      points_rejected: int(status.counters.pointsRejected),
      rss_bytes: int(process.memoryUsage.rss()),
      cpu_user_seconds: usage.userCPUTime / 1e6,
      cpu_system_seconds: usage.systemCPUTime / 1e6,
      uptime_seconds: int(process.uptime()),
    },
  };
}

export interface RunningAgent {
  status(): AgentStatus;
  /** Points of the agent's own (the self-update's `agent_update`) into the pipeline, like a probe's. Not after stop. */
  report(drafts: SampleDraft[]): void;
  stop(): Promise<void>;
}

export function startAgent(options: AgentOptions): RunningAgent {
  const { identity, log } = options;
  const host = hostname();
  const startedAt = Date.now();
  // Checkpoints that advance only when their batch is settled (probes stage them through ctx.checkpoints).
  const checkpoints = new AckCheckpoints((key, error) => log.error('agent: checkpoint commit failed', { key, err: (error as Error).message }));
  const ledger = options.ledgerFile ? openLedger(options.ledgerFile, { agentId: identity.agentId, version: AGENT_VERSION }, log) : null;
  const opened = openSpool(options.stateDir, options.spoolMaxBytes ?? DEFAULT_SPOOL_MAX_BYTES, log, (seq, how, points) => {
    checkpoints.settle(seq, how);
    if (how !== 'acked') ledger?.dropped(seq, points, how);
  });
  const spool = opened.spool;
  const foundDamaged = spool.stats().droppedBy.corrupt; // at open: damaged records whose seqs are unknown
  if (foundDamaged.batches > 0) ledger?.dropped(null, foundDamaged.points, 'corrupt');
  let produced = 0;
  const checkpointStore = fileCheckpointStore(options.stateDir);
  // Windows: the one long-lived PowerShell every probe shares (started by the first script, stopped at stop).
  const powershell = process.platform === 'win32' ? createPowerShellWorker({ log }) : undefined;
  /** The run whose samples are being flushed, if it staged checkpoint values (see onSamples). */
  let flushing: { probe: string; staged: Record<string, unknown>; lastSeq: number } | null = null;
  const lastTrip = previousTrip(options.stateDir, log); // the previous run's watchdog.json: reported below, removed on its ack
  const link = new Link({ server: identity.server, credential: identity.credential, tls: identity.tls, spool, log, onPolicy: (p) => onPolicy(p), onAck: (seq) => lastTrip?.acked(seq), ...options.link });
  const batcher = createBatcher({
    onBatch: (samples: Sample[]) => {
      const seq = spool.nextSeq();
      lastTrip?.batched(seq, samples);
      const run = flushing;
      if (run) {
        // A run's samples may span several batches; its values commit with the last of them, once it and every
        // earlier batch are settled (registered before the append, which may drop the batch at once).
        run.lastSeq = seq;
        checkpoints.register(seq, run.probe, () => {
          if (run.lastSeq === seq) checkpointStore.commit(run.probe, run.staged);
        });
      }
      spool.append({ seq, bytes: encodeBatch(seq, samples), points: samples.length });
      ledger?.appended(seq, samples);
      produced += samples.length;
      link.kick();
    },
  });
  const allProbes = options.probes ?? Object.values(registry).map((create) => create());
  const onSamples: SchedulerOptions['onSamples'] = (probe, samples, staged) => {
    const hasStaged = Object.keys(staged).length > 0;
    if (samples.length === 0) {
      if (hasStaged) checkpointStore.commit(probe, staged); // nothing to wait for
      return;
    }
    batcher.flush(); // whatever is pending belongs to no run's checkpoint
    flushing = hasStaged ? { probe, staged, lastSeq: 0 } : null;
    try {
      batcher.add(samples);
      batcher.flush();
    } finally {
      flushing = null;
    }
  };
  let policy = loadPolicy(options.stateDir);
  const makeScheduler = () => {
    const { probes, schedules } = applyPolicy(allProbes, policy, options.everyMs);
    return createScheduler({
      probes,
      schedules,
      host,
      tenant: identity.tenant,
      runner: execRunner,
      ...(powershell ? { powershell } : {}),
      log: withPrefix(log, 'scheduler'),
      checkpoints: checkpointStore,
      // Flushed at once: a completed run's samples go to the disk spool now, not after the batcher's delay.
      onSamples,
    });
  };
  let scheduler = makeScheduler();
  // A new central policy replaces the scheduler (a bad schedule is refused and the old one kept) and is saved.
  let applying = Promise.resolve();
  const onPolicy = (received: AgentPolicy) => {
    if (samePolicy(received, policy)) return;
    applying = applying.then(async () => {
      const previous = policy;
      policy = received;
      let next: Scheduler;
      try {
        next = makeScheduler();
      } catch (error) {
        policy = previous;
        log.error('agent: central policy refused; keeping the current schedules', { err: (error as Error).message });
        return;
      }
      await scheduler.stop();
      scheduler = next;
      scheduler.start();
      savePolicy(options.stateDir, policy);
      log.info('agent: central policy applied', { probes: policy.probes.map((p) => `${p.name}${p.disabled ? ':off' : p.schedule ? `=${p.schedule}` : ''}`).join(',') || 'defaults' });
    });
  };
  const status = () => statusOf(identity, link.state, opened, produced, startedAt);
  const writeStatus = () => {
    try {
      writeJsonAtomic(join(options.stateDir, STATUS_FILE), status(), 0o644);
    } catch (error) {
      log.warn('agent: cannot write status file', { err: (error as Error).message });
    }
  };
  const selfReport = () => {
    const drafts = [selfSample(status()), ...probeStatsSamples(scheduler.stats())];
    batcher.add(completeSamples(drafts, host, identity.tenant, Date.now()));
    batcher.flush();
  };
  const timers = [setInterval(writeStatus, STATUS_WRITE_MS), setInterval(selfReport, options.everyMs ?? SELF_REPORT_MS)];
  lastTrip?.report(batcher, (drafts) => completeSamples(drafts, host, identity.tenant, startedAt));
  const watchdog = options.watchdog ? startWatchdog({ ...options.watchdog, stateDir: options.stateDir, log, delivery: () => link.deliveryProgress() }) : null;
  link.start();
  scheduler.start();
  writeStatus();
  log.info('agent: started', { agentId: identity.agentId, server: identity.server, probes: allProbes.map((p) => p.name).join(',') });
  return {
    status,
    report(drafts) {
      batcher.add(completeSamples(drafts, host, identity.tenant, Date.now()));
      batcher.flush();
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      await applying; // a policy being applied finishes first, so the scheduler stopped is the current one
      await scheduler.stop();
      powershell?.stop();
      batcher.close();
      await drain(spool, link.state, DRAIN_MS);
      await link.stop();
      spool.close(); // what is unacked stays on disk for the next start
      ledger?.close();
      watchdog?.stop(); // last: a stop that hangs is still a stall
      writeStatus();
    },
  };
}

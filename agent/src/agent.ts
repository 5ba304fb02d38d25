// The running agent: probes -> scheduler -> batcher -> spool -> link. Also reports its own health (the `agent`
// measurement) and keeps status.json current for `watchpost-agent status`.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createScheduler, probeStatsSamples, completeSamples, type Schedule } from './scheduler.js';
import { createBatcher } from './batcher.js';
import { encodeBatch } from './encode.js';
import { MemorySpool, type Spool } from './spool.js';
import { Link, type LinkState } from './link.js';
import { probes as registry } from './probes/index.js';
import { execRunner } from './runner.js';
import { int, type Sample, type SampleDraft } from './sample.js';
import { withPrefix, type Logger } from './log.js';
import { STATUS_FILE, writeJsonAtomic, type Identity } from './state.js';
import { AGENT_VERSION } from './version.js';

/** How often the agent reports its own health and refreshes status.json. */
const SELF_REPORT_MS = 60_000;
const STATUS_WRITE_MS = 5_000;
/** At stop, how long to wait for the collector to ack what is still spooled (the memory spool dies with us). */
const DRAIN_MS = 3_000;

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
}

export interface AgentCounters {
  pointsProduced: number;
  pointsAcked: number;
  pointsDropped: number;
  pointsRejected: number;
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
  lastError: string | null;
  nextRetryAt: string | null;
  spool: { batches: number; bytes: number };
  counters: AgentCounters;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function statusOf(identity: Identity, link: LinkState, spool: Spool, produced: number, startedAt: number): AgentStatus {
  const s = spool.stats();
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
    nextRetryAt: link.connected ? null : iso(link.nextRetryAt),
    spool: { batches: s.batches, bytes: s.bytes },
    counters: { pointsProduced: produced, pointsAcked: link.pointsAcked, pointsDropped: s.droppedPoints, pointsRejected: link.pointsRejected },
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
      spool_batches: int(status.spool.batches),
      spool_bytes: int(status.spool.bytes),
      points_produced: int(status.counters.pointsProduced),
      points_acked: int(status.counters.pointsAcked),
      points_dropped: int(status.counters.pointsDropped),
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
  stop(): Promise<void>;
}

export function startAgent(options: AgentOptions): RunningAgent {
  const { identity, log } = options;
  const host = hostname();
  const startedAt = Date.now();
  const spool = new MemorySpool();
  let produced = 0;
  const link = new Link({ server: identity.server, credential: identity.credential, tls: identity.tls, spool, log });
  const batcher = createBatcher({
    onBatch: (samples: Sample[]) => {
      const seq = spool.nextSeq();
      spool.append({ seq, bytes: encodeBatch(seq, samples), points: samples.length });
      produced += samples.length;
      link.kick();
    },
  });
  const probes = Object.values(registry).map((create) => create());
  const schedules: Record<string, Schedule> = {};
  if (options.everyMs) for (const p of probes) schedules[p.name] = { everyMs: options.everyMs };
  const scheduler = createScheduler({
    probes,
    schedules,
    host,
    tenant: identity.tenant,
    runner: execRunner,
    log: withPrefix(log, 'scheduler'),
    onSamples: (_probe, samples) => batcher.add(samples),
  });
  const status = () => statusOf(identity, link.state, spool, produced, startedAt);
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
  };
  const timers = [setInterval(writeStatus, STATUS_WRITE_MS), setInterval(selfReport, options.everyMs ?? SELF_REPORT_MS)];
  link.start();
  scheduler.start();
  writeStatus();
  log.info('agent: started', { agentId: identity.agentId, server: identity.server, probes: probes.map((p) => p.name).join(',') });
  return {
    status,
    async stop() {
      for (const t of timers) clearInterval(t);
      await scheduler.stop();
      batcher.flush();
      await drain(spool, link.state, DRAIN_MS);
      await link.stop();
      writeStatus();
    },
  };
}

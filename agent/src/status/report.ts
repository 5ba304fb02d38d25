// status/: what the running agent says about itself, for people and for the collector: status.json (read by
// `watchpost-agent status`) and the `agent` measurement, every minute beside the probes' `agent_probe` points.
import { join } from 'node:path';
import { DROP_REASONS, type DropReason } from '../delivery/spool/contract.js';
import type { LinkState } from '../delivery/link.js';
import type { OpenedSpool, SpoolKind } from '../delivery/pipeline.js';
import { probeStatsSamples, type ProbeStats } from '../scheduler/scheduler.js';
import type { Logger } from '../base/log.js';
import { STATUS_FILE, writeJsonAtomic, type Identity } from '../identity/state.js';
import { int, type SampleDraft } from '../sample.js';
import { AGENT_VERSION } from '../version.js';

/** How often the agent reports its own health and refreshes status.json. */
const SELF_REPORT_MS = 60_000;
const STATUS_WRITE_MS = 5_000;

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

export interface StatusReportOptions {
  stateDir: string;
  log: Logger;
  /** The status now. */
  status(): AgentStatus;
  /** The scheduler's counters now, for `agent_probe`. */
  probeStats(): Record<string, ProbeStats>;
  /** Hands drafts to the pipeline like a probe's (the caller adds host, tenant and time). */
  report(drafts: SampleDraft[]): void;
  /** `run --every`: the self-report follows it. */
  everyMs?: number;
}

export interface StatusReport {
  /** Writes status.json now; a failure is logged, never thrown. */
  writeStatus(): void;
  /** Stops the timers; writeStatus still works (the agent writes a last one at stop). */
  stop(): void;
}

/** status.json every STATUS_WRITE_MS, the `agent` and `agent_probe` points every SELF_REPORT_MS (or `--every`). */
export function startStatusReport(options: StatusReportOptions): StatusReport {
  const writeStatus = () => {
    try {
      writeJsonAtomic(join(options.stateDir, STATUS_FILE), options.status(), 0o644);
    } catch (error) {
      options.log.warn('agent: cannot write status file', { err: (error as Error).message });
    }
  };
  const selfReport = () => options.report([selfSample(options.status()), ...probeStatsSamples(options.probeStats())]);
  const timers = [setInterval(writeStatus, STATUS_WRITE_MS), setInterval(selfReport, options.everyMs ?? SELF_REPORT_MS)];
  return {
    writeStatus,
    stop: () => {
      for (const t of timers) clearInterval(t);
    },
  };
}

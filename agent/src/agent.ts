// The running agent: probes -> scheduler -> batcher -> spool -> link, wired here from the parts in scheduler/
// (the probes under the central policy), delivery/ (batcher, spool, link) and status/ (status.json and the `agent`
// measurement), with the watchdog beside them.
//
// Durability: each probe run's samples are encoded and fsynced into the disk spool as soon as the run completes
// (onSamples flushes the batcher), before anything is sent. What a crash or power cut can still lose: samples of a
// run that has not completed (they do not exist yet), the self-report being built, and, only if the spool
// directory could not be opened (the memory fallback, logged as an error and shown in status), everything
// unacked.
import { hostname } from 'node:os';
import { startPipeline, type Pipeline } from './delivery/pipeline.js';
import type { LinkOptions } from './delivery/link.js';
import { completeSamples } from './scheduler/scheduler.js';
import { scheduleUnderPolicy, type PolicyScheduler } from './scheduler/policy-swap.js';
import { statusOf, startStatusReport, type AgentStatus } from './status/report.js';
import { probes as registry } from './probes/index.js';
import type { Probe } from './probes/probe.js';
import { execRunner } from './exec/runner.js';
import { createPowerShellWorker, type PowerShellWorker } from './exec/powershell-worker.js';
import type { SampleDraft } from './sample.js';
import { withPrefix, type Logger } from './base/log.js';
import type { Identity } from './identity/state.js';
import { startWatchdog, type WatchdogOptions } from './watchdog/watchdog.js';
import { previousTrip } from './watchdog/report.js';
import { createPlanKeeper, planFromWire } from './patching/plan-keeper.js';
import { createAvActions } from './patching/av-actions.js';
import { platformInstallers } from './patching/platform.js';

export interface AgentOptions {
  identity: Identity;
  stateDir: string;
  log: Logger;
  /** Overrides every probe's schedule (`run --every 30s`). */
  everyMs?: number;
  /** The spool's size bound (`run --spool-max-size`), default DEFAULT_SPOOL_MAX_BYTES (delivery/spool/disk.ts). */
  spoolMaxBytes?: number;
  /** The delivery ledger's file (`run --ledger`), if any: every point spooled and every batch dropped. */
  ledgerFile?: string;
  /** The probes to run; default: one of each in the registry. */
  probes?: Probe[];
  /** The self-update's hooks on the link (update/run-updater.ts). */
  link?: Pick<LinkOptions, 'onUpdateOffer' | 'onWelcome'>;
  /** The watchdog's limits (defaults in watchdog/watchdog.ts) and its restart; absent: no watchdog. */
  watchdog?: Omit<WatchdogOptions, 'stateDir' | 'log' | 'delivery'>;
}

export interface RunningAgent {
  status(): AgentStatus;
  /** Points of the agent's own (the self-update's `agent_update`) into the pipeline, like a probe's. Not after stop. */
  report(drafts: SampleDraft[]): void;
  stop(): Promise<void>;
}

export function startAgent(options: AgentOptions): RunningAgent {
  const { identity, log, stateDir } = options;
  const host = hostname();
  const startedAt = Date.now();
  const pipeline = startPipeline({
    identity,
    stateDir,
    log,
    spoolMaxBytes: options.spoolMaxBytes,
    ledgerFile: options.ledgerFile,
    link: {
      onPolicy: (p) => scheduler.receive(p),
      onAck: (seq) => lastTrip?.acked(seq),
      onPatchPlan: (plan) => plans.receive(planFromWire(plan)),
      onAvAction: (action) => avActions.receive(action),
      ...options.link,
    },
    onBatch: (seq, samples) => lastTrip?.batched(seq, samples),
  });
  // Windows: the one long-lived PowerShell every probe shares (started by the first script, stopped at stop).
  const powershell = process.platform === 'win32' ? createPowerShellWorker({ log }) : undefined;
  const lastTrip = previousTrip(stateDir, log, options.watchdog?.loopStallMs); // the previous run's watchdog.json: reported below, removed on its ack
  const allProbes = options.probes ?? Object.values(registry).map((create) => create());
  const scheduler = scheduleProbes(options, host, allProbes, pipeline, powershell);
  const report = (drafts: SampleDraft[]) => {
    pipeline.batcher.add(completeSamples(drafts, host, identity.tenant, Date.now()));
    pipeline.batcher.flush();
  };
  // Plans and antivirus actions from the collector: their results go through `report`, spooled before any reboot.
  const plans = createPlanKeeper({ stateDir, log, installers: () => platformInstallers(execRunner), report });
  const avActions = createAvActions({ runner: execRunner, log, report });
  const status = () => statusOf(identity, pipeline.link.state, pipeline.opened, pipeline.produced(), startedAt);
  const statusReport = startStatusReport({ stateDir, log, status, probeStats: () => scheduler.stats(), report, everyMs: options.everyMs });
  lastTrip?.report(pipeline.batcher, (drafts) => completeSamples(drafts, host, identity.tenant, startedAt));
  const watchdog = options.watchdog ? startWatchdog({ ...options.watchdog, stateDir, log, delivery: () => pipeline.link.deliveryProgress() }) : null;
  plans.start();
  pipeline.link.start();
  scheduler.start();
  statusReport.writeStatus();
  log.info('agent: started', { agentId: identity.agentId, server: identity.server, probes: allProbes.map((p) => p.name).join(',') });
  return {
    status,
    report,
    async stop() {
      statusReport.stop();
      await scheduler.stop(); // a policy being applied finishes first
      await Promise.all([plans.stop(), avActions.stop()]); // a cut-short run is reported into the spool first
      powershell?.stop();
      await pipeline.stop(); // what is unacked stays on disk for the next start
      watchdog?.stop(); // last: a stop that hangs is still a stall
      statusReport.writeStatus();
    },
  };
}

/** The probes under the central policy, each completed run's samples into the pipeline. */
function scheduleProbes(
  options: AgentOptions,
  host: string,
  probes: readonly Probe[],
  pipeline: Pipeline,
  powershell: PowerShellWorker | undefined,
): PolicyScheduler {
  return scheduleUnderPolicy({
    stateDir: options.stateDir,
    log: options.log,
    probes,
    everyMs: options.everyMs,
    scheduler: {
      host,
      tenant: options.identity.tenant,
      runner: execRunner,
      ...(powershell ? { powershell } : {}),
      log: withPrefix(options.log, 'scheduler'),
      checkpoints: pipeline.checkpointStore,
      // Flushed at once: a completed run's samples go to the disk spool now, not after the batcher's delay.
      onSamples: pipeline.onSamples,
    },
  });
}

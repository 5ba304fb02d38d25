// delivery/: samples -> batcher -> spool -> link, and the ledger that audits it. Never imports probes/ or commands/:
// samples arrive through onSamples (the scheduler's) and the agent's own report, and leave only through the link.
//
// The pipeline as `run` wires it: each batch gets its seq, is encoded once and appended to the spool (fsynced, for
// the disk spool) before the link is kicked. What the spool settles (acked or dropped) advances the probes'
// checkpoints and, with `run --ledger`, is written to the ledger.
import { join } from 'node:path';
import { createBatcher, type Batcher } from './batcher.js';
import { encodeBatch } from './encode.js';
import { openLedger, type Ledger } from './ledger.js';
import { Link, type LinkOptions, type LinkState } from './link.js';
import type { SettleListener, Spool } from './spool/contract.js';
import { DEFAULT_SPOOL_MAX_BYTES, DiskSpool } from './spool/disk.js';
import { DEFAULT_MEMORY_SPOOL_BYTES, MemorySpool } from './spool/memory.js';
import { AckCheckpoints } from '../checkpoints/ack-checkpoints.js';
import { fileCheckpointStore, type CheckpointStore } from '../checkpoints/store.js';
import type { Logger } from '../base/log.js';
import type { Identity } from '../identity/state.js';
import type { Sample } from '../sample.js';
import { AGENT_VERSION } from '../version.js';

/** At stop, how long to wait for the collector to ack what is still spooled: a courtesy (fresher data now instead
 *  of at the next start), since the disk spool keeps what is unacked. */
const DRAIN_MS = 2_000;
/** The spool's directory under the state directory. */
export const SPOOL_DIR = 'spool';

export type SpoolKind = 'disk' | 'memory';
export interface OpenedSpool {
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

export interface PipelineOptions {
  identity: Identity;
  stateDir: string;
  log: Logger;
  /** The spool's size bound (`run --spool-max-size`), default DEFAULT_SPOOL_MAX_BYTES. */
  spoolMaxBytes?: number;
  /** The delivery ledger's file (`run --ledger`), if any: every point spooled and every batch dropped. */
  ledgerFile?: string;
  /** The link's hooks (central policy, acks, the self-update's). */
  link: Pick<LinkOptions, 'onAck' | 'onPolicy' | 'onUpdateOffer' | 'onWelcome' | 'onPatchPlan' | 'onAvAction'>;
  /** Each batch with the seq it got, before it is spooled. */
  onBatch?(seq: number, samples: readonly Sample[]): void;
}

export interface Pipeline {
  readonly opened: OpenedSpool;
  readonly link: Link;
  readonly batcher: Batcher;
  /** The probes' checkpoints (<stateDir>/checkpoints.json), committed as the spool settles their batches. */
  readonly checkpointStore: CheckpointStore;
  /** Points handed to the spool since start. */
  produced(): number;
  /** The scheduler's onSamples: a completed run's samples go to the spool now, not after the batcher's delay, and
   *  the checkpoint values it staged commit once those samples are settled. */
  onSamples(probe: string, samples: Sample[], staged: Record<string, unknown>): void;
  /** Flushes the batcher, waits up to DRAIN_MS for acks, closes the link, the spool and the ledger. */
  stop(): Promise<void>;
}

/** The run whose samples are being flushed, if it staged checkpoint values (see flushRun). */
interface FlushingRun {
  probe: string;
  staged: Record<string, unknown>;
  lastSeq: number;
}

export function startPipeline(options: PipelineOptions): Pipeline {
  const { identity, log } = options;
  // Checkpoints that advance only when their batch is settled (probes stage them through ctx.checkpoints).
  const checkpoints = new AckCheckpoints((key, error) => log.error('agent: checkpoint commit failed', { key, err: (error as Error).message }));
  const ledger = options.ledgerFile ? openLedger(options.ledgerFile, { agentId: identity.agentId, version: AGENT_VERSION }, log) : null;
  const opened = openSettledSpool(options, checkpoints, ledger);
  const spool = opened.spool;
  const checkpointStore = fileCheckpointStore(options.stateDir);
  const link = new Link({ server: identity.server, credential: identity.credential, tls: identity.tls, spool, log, ...options.link });
  let produced = 0;
  let flushing: FlushingRun | null = null;
  const batcher = createBatcher({
    onBatch: (samples: Sample[]) => {
      const seq = spool.nextSeq();
      options.onBatch?.(seq, samples);
      if (flushing) commitWithLastBatch(flushing, seq, checkpoints, checkpointStore);
      spool.append({ seq, bytes: encodeBatch(seq, samples), points: samples.length });
      ledger?.appended(seq, samples);
      produced += samples.length;
      link.kick();
    },
  });
  return {
    opened,
    link,
    batcher,
    checkpointStore,
    produced: () => produced,
    onSamples: (probe, samples, staged) => flushRun(batcher, checkpointStore, { probe, samples, staged }, (run) => (flushing = run)),
    async stop() {
      batcher.close();
      await drain(spool, link.state, DRAIN_MS);
      await link.stop();
      spool.close(); // what is unacked stays on disk for the next start
      ledger?.close();
    },
  };
}

/** The spool, with what it settles passed on to the checkpoints and the ledger. */
function openSettledSpool(options: PipelineOptions, checkpoints: AckCheckpoints, ledger: Ledger | null): OpenedSpool {
  const opened = openSpool(options.stateDir, options.spoolMaxBytes ?? DEFAULT_SPOOL_MAX_BYTES, options.log, (seq, how, points) => {
    checkpoints.settle(seq, how);
    if (how !== 'acked') ledger?.dropped(seq, points, how);
  });
  const foundDamaged = opened.spool.stats().droppedBy.corrupt; // at open: damaged records whose seqs are unknown
  if (foundDamaged.batches > 0) ledger?.dropped(null, foundDamaged.points, 'corrupt');
  return opened;
}

/** A run's samples may span several batches; its values commit with the last of them, once it and every earlier
 *  batch are settled (registered before the append, which may drop the batch at once). */
function commitWithLastBatch(run: FlushingRun, seq: number, checkpoints: AckCheckpoints, store: CheckpointStore): void {
  run.lastSeq = seq;
  checkpoints.register(seq, run.probe, () => {
    if (run.lastSeq === seq) store.commit(run.probe, run.staged);
  });
}

/** One completed run into the spool: its samples in batches of their own, `track` naming the run while they are
 *  flushed so that each batch registers the run's staged values (commitWithLastBatch). */
function flushRun(
  batcher: Batcher,
  store: CheckpointStore,
  run: { probe: string; samples: Sample[]; staged: Record<string, unknown> },
  track: (run: FlushingRun | null) => void,
): void {
  const { probe, samples, staged } = run;
  const hasStaged = Object.keys(staged).length > 0;
  if (samples.length === 0) {
    if (hasStaged) store.commit(probe, staged); // nothing to wait for
    return;
  }
  batcher.flush(); // whatever is pending belongs to no run's checkpoint
  track(hasStaged ? { probe, staged, lastSeq: 0 } : null);
  try {
    batcher.add(samples);
    batcher.flush();
  } finally {
    track(null);
  }
}

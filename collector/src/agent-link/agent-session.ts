// One agent's WebSocket conversation, after authentication: Hello -> Welcome, then batches -> InfluxDB -> acks.
// The contract with the agent (at-least-once): a batch is acked only after InfluxDB accepted its points; a batch
// that cannot be stored now is answered with Error{UNAVAILABLE} and stays with the agent, which resends it.
//
// The agent is untrusted: nothing it sends may escape this session. A Hello whose identity strings are missing
// or invalid (store/identity.ts) closes with 1008 (`bad_hello`); an unexpected exception in any handler closes this
// connection with 1011 (`internal_error`) and a log line, never the process.
//
// Sequence numbers are observed, never used to drop a batch. A replay (seq at or below the agent's last ack), a
// seq that goes backwards within the connection, or a seq repeated while its first copy is still being written
// is logged at debug and then written and acked like any batch, because:
//  1. acks are per seq, not cumulative: with several batches in flight, seq 5 can fail (UNAVAILABLE) while seq 6
//     is stored and acked, so "5 <= last acked 6" does not mean 5 is stored; skipping it would lose it;
//  2. an agent that lost its spool or restarted its counter sends low seqs that are new data;
//  3. the rewrite is harmless: the agent timestamps its points, so InfluxDB overwrites the same points.
// What is recorded as the agent's lastAckedSeq (ackedSeq, persisted at disconnect) is the highest seq acked on
// this connection, replacing the stored one, and only up to MAX_RECORDED_SEQ:
//  1. a seq above 2^31 - 1 is no counter's: -1 sent as uint32 is 4294967295, and an agent making a batch a
//     second reaches 2^31 after 68 years; such a batch is still written and acked, only not recorded;
//  2. replacing instead of raising means a bogus value lasts only until the agent's next connection acks a
//     batch, and an agent that counts from 1 again (a lost spool) is shown as it is, not as forever replaying.
//
// The session also keeps the agent's live state for people (live()): its latest frame or pong, its latest batch and
// ack, and the spool depth it reports. The spool depth is not in the protocol's Hello or Batch: the agent reports it
// each minute as the `spool_batches`/`spool_bytes` fields of its `agent` point (agent/src/status/report.ts), so it is
// read from there (reportedSpool) as the batch passes, whatever admission later decides about the point.
import type { WebSocket, RawData } from 'ws';
import type { FastifyBaseLogger } from 'fastify';
import { wire, PROTOCOL_VERSION, type watchpost } from '../../../proto/index.js';
import { CLOSE, type RejectionReason } from '../errors.js';
import type { CollectorMetrics } from '../metrics.js';
import type { AgentRecord, IngestDeps } from './ingest.js';
import { prepareBatch, writeBatch, type PreparedBatch } from './ingest.js';
import { createTokenBucket, type BucketRule, type TokenBucket } from '../http/token-bucket.js';
import { identityProblem, type AgentLive, type AgentSpool } from '../store/index.js';

/** Versions this collector accepts: the current one and the previous one (agents upgrade slowly). */
export const ACCEPTED_VERSIONS: ReadonlySet<number> = new Set([PROTOCOL_VERSION, PROTOCOL_VERSION - 1].filter((v) => v > 0));
const HELLO_TIMEOUT_MS = 10_000;
/** The highest seq recorded as an agent's lastAckedSeq (see the file comment). */
export const MAX_RECORDED_SEQ = 0x7fff_ffff;
/** RFC 6455: a close frame's reason is at most 123 bytes of UTF-8. */
const MAX_CLOSE_REASON_BYTES = 123;
/** Hello.features beyond this many are ignored (the agent is untrusted; a real one lists a handful). */
const MAX_FEATURES = 32;

type Envelope = watchpost.v1.Envelope;

export interface SessionDeps extends Omit<IngestDeps, 'onAcked'> {
  log: FastifyBaseLogger;
  metrics: CollectorMetrics;
  heartbeatMs: number;
  /** Per-connection limits on what the agent sends; exceeding either closes with 1008 "rate limit". */
  limits: { frames: BucketRule; bytes: BucketRule };
  /** Checked at Hello, so an agent revoked between its upgrade and its Hello never becomes live. */
  isRevoked(agentId: string): boolean;
  /** The agent's central probe settings (sent in Welcome). */
  policyFor(agent: AgentRecord): watchpost.v1.IProbePolicy[];
  /** The release this agent should run, if its tenant's rollout selects it and it runs another. */
  updateOfferFor?(agent: AgentRecord, hello: watchpost.v1.IHello): watchpost.v1.IUpdateOffer | null;
  /** Called once the agent said Hello (the session is live) and when the socket closes. */
  onOpen(session: AgentSession): void;
  /** Called right after Welcome (and any update offer) went out: what the collector sends a session at its start. */
  onWelcome?(session: AgentSession): void;
  onClose(session: AgentSession): void;
}

/** A count field of the agent's `agent` point: a whole number >= 0, else null (the agent is untrusted). */
function countField(sample: watchpost.v1.ISample, key: string): number | null {
  const field = sample.fields?.find((f) => f.key === key);
  const value = field?.int;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/**
 * The newest spool depth among a batch's `agent` samples (spool_batches, with spool_bytes when present), or null.
 * Its time is the sample's, but never later than `receivedAt`: an agent clock running ahead cannot pin a report
 * that later ones would never replace.
 */
export function reportedSpool(samples: readonly watchpost.v1.ISample[], receivedAt: number): AgentSpool | null {
  let newest: AgentSpool | null = null;
  for (const sample of samples) {
    if (sample.measurement !== 'agent') continue;
    const batches = countField(sample, 'spool_batches');
    if (batches === null) continue;
    const time = sample.timeMs;
    const reportedAt = typeof time === 'number' && Number.isFinite(time) && time > 0 ? Math.min(Math.trunc(time), receivedAt) : receivedAt;
    if (!newest || reportedAt >= newest.reportedAt) newest = { batches, bytes: countField(sample, 'spool_bytes'), reportedAt };
  }
  return newest;
}

/** A close reason of at most 123 UTF-8 bytes, cut at a character boundary (ws throws on a longer one). */
function closeReason(message: string): string {
  let reason = message;
  while (Buffer.byteLength(reason) > MAX_CLOSE_REASON_BYTES) reason = [...reason].slice(0, -1).join('');
  return reason;
}

export class AgentSession {
  private hello = false;
  private alive = true;
  private closing = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly frameBucket: TokenBucket;
  private readonly byteBucket: TokenBucket;
  /** Highest seq received and acked on this connection, and how many copies of each seq are being written. */
  private highestReceived = 0;
  private highestAcked = 0;
  private readonly inFlight = new Map<number, number>();
  /** Highest recordable seq acked on this connection (see the file comment); null before the first. */
  private recorded: number | null = null;
  private warnedSeq = false;
  private readonly ingest: IngestDeps;
  /** Live state for people (live()): unix ms; null before the first on this connection. */
  private connectedAt: number | null = null;
  private lastSeenAt = Date.now();
  private lastBatchAt: number | null = null;
  private lastAckAt: number | null = null;
  private spool: AgentSpool | null = null;
  /** The collector -> agent messages the agent said at Hello it handles (Hello.features); empty before Hello. */
  features: ReadonlySet<string> = new Set();

  constructor(
    readonly socket: WebSocket,
    readonly agent: AgentRecord,
    private readonly deps: SessionDeps,
  ) {
    this.frameBucket = createTokenBucket(deps.limits.frames);
    this.byteBucket = createTokenBucket(deps.limits.bytes);
    this.ingest = { ...deps, onAcked: (_agent, seq) => this.noteAcked(seq) };
    socket.on('message', (data, isBinary) => this.guard('message', () => this.onMessage(data, isBinary)));
    socket.on('pong', () => {
      this.alive = true;
      this.lastSeenAt = Date.now();
    });
    socket.on('close', () => this.guard('close', () => this.onSocketClose()));
    socket.on('error', (error) => this.onSocketError(error as Error & { code?: string }));
    this.timers.push(setTimeout(() => this.hello || this.reject('hello_timeout', CLOSE.helloTimeout, 'no Hello received'), HELLO_TIMEOUT_MS));
    this.timers.push(setInterval(() => this.checkAlive(), deps.heartbeatMs));
  }

  /** ws reports protocol violations it catches itself (an oversize frame: it has already closed with 1009). */
  private onSocketError(error: Error & { code?: string }): void {
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.deps.metrics.reject('too_big');
      this.deps.log.warn({ agentId: this.agent.id, reason: 'too_big', code: CLOSE.tooBig }, `closing agent connection: ${error.message}`);
      return;
    }
    this.deps.log.warn({ agentId: this.agent.id, err: error.message, code: error.code }, 'agent socket error');
  }

  /** Closes with a code and a reason the agent can log; counts and logs the rejection. */
  reject(reason: RejectionReason, code: number, message: string, detail: Record<string, string> = {}): void {
    if (this.closing) return;
    this.deps.metrics.reject(reason);
    this.deps.log.warn({ agentId: this.agent.id, reason, code, ...detail }, `closing agent connection: ${message}`);
    this.close(code, message);
  }

  /** Frames that arrive after this (already buffered, or sent before the agent saw the close) are ignored. */
  close(code: number, message: string): void {
    this.closing = true;
    this.socket.close(code, closeReason(message));
  }

  /** The seq to record as the agent's lastAckedSeq when this connection ends; null when it acked none. */
  get ackedSeq(): number | null {
    return this.recorded;
  }

  /** The agent's link now, as store.agents.recordLive takes it (null fields: nothing yet on this connection). */
  live(): AgentLive {
    return {
      connectedAt: this.connectedAt,
      lastSeenAt: this.lastSeenAt,
      lastBatchAt: this.lastBatchAt,
      lastAckAt: this.lastAckAt,
      lastAckedSeq: this.recorded,
      spool: this.spool,
    };
  }

  /** Runs a handler; an exception closes this connection only (1011), counted and logged with its stack. */
  private guard(handler: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.fail(handler, error);
    }
  }

  private fail(handler: string, error: unknown): void {
    this.deps.metrics.reject('internal_error');
    this.deps.log.error({ agentId: this.agent.id, handler, err: error }, 'agent session handler failed; closing this connection');
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.close(CLOSE.internalError, 'internal error');
    }
  }

  send(message: watchpost.v1.IEnvelope): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(wire.Envelope.encode(message).finish());
  }

  private checkAlive(): void {
    if (!this.alive) {
      this.deps.log.info({ agentId: this.agent.id }, 'agent missed a heartbeat; terminating the connection');
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
  }

  private withinLimits(size: number): boolean {
    const frames = this.frameBucket.take(1);
    const bytes = this.byteBucket.take(size);
    if (frames.ok && bytes.ok) return true;
    this.reject('rate_limited', CLOSE.policyViolation, 'rate limit', { exceeded: frames.ok ? 'bytes per second' : 'frames per second' });
    return false;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
    if (this.closing || !this.withinLimits(size)) return;
    this.lastSeenAt = Date.now();
    if (!isBinary) return this.reject('bad_frame', CLOSE.unsupportedData, 'text frames are not part of the protocol');
    let envelope: Envelope;
    try {
      envelope = wire.Envelope.decode(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer));
    } catch (error) {
      return this.reject('bad_frame', CLOSE.invalidPayload, `undecodable frame: ${(error as Error).message}`);
    }
    this.alive = true;
    if (!this.hello && envelope.msg !== 'hello') return this.reject('unexpected_message', CLOSE.policyViolation, 'the first frame must be Hello');
    switch (envelope.msg) {
      case 'hello':
        return this.onHello(envelope.hello!);
      case 'batch':
        return this.onBatch(envelope.batch!);
      case 'heartbeat':
        return this.send({ heartbeat: { timeMs: Date.now() } });
      default:
        return this.reject('unexpected_message', CLOSE.policyViolation, `unexpected message: ${envelope.msg ?? 'empty envelope'}`);
    }
  }

  private onHello(hello: watchpost.v1.IHello): void {
    if (this.hello) return this.reject('unexpected_message', CLOSE.policyViolation, 'Hello sent twice');
    const version = hello.protocolVersion ?? 0;
    if (!ACCEPTED_VERSIONS.has(version)) {
      this.send({
        error: {
          code: wire.ErrorCode.ERROR_CODE_UNSUPPORTED_VERSION,
          message: `protocol ${version} not supported; accepted: ${[...ACCEPTED_VERSIONS].join(', ')}`,
        },
      });
      return this.reject('unsupported_version', CLOSE.unsupportedVersion, `protocol version ${version} not supported`);
    }
    // proto3 gives "" for a field the agent left out, so a missing field fails here too.
    const problem = (['hostname', 'agentVersion', 'os', 'arch'] as const).map((f) => identityProblem(f, hello[f] ?? '')).find((p) => p !== null);
    if (problem) return this.reject('bad_hello', CLOSE.policyViolation, `bad Hello: ${problem}`);
    if (this.deps.isRevoked(this.agent.id)) return this.reject('revoked', CLOSE.revoked, 'credential revoked');
    this.hello = true;
    this.features = new Set((hello.features ?? []).slice(0, MAX_FEATURES));
    this.connectedAt = Date.now();
    this.deps.onHello(this.agent, hello);
    this.deps.onOpen(this);
    this.send({
      welcome: {
        agentId: this.agent.id,
        tenant: this.agent.tenant,
        lastAckedSeq: this.agent.lastAckedSeq,
        heartbeatSeconds: Math.round(this.deps.heartbeatMs / 1000),
        policy: { probes: this.deps.policyFor(this.agent) },
      },
    });
    const offer = this.deps.updateOfferFor?.(this.agent, hello);
    if (offer) this.send({ updateOffer: offer });
    this.deps.onWelcome?.(this);
  }

  /** Logs (debug) a seq that is not simply the next one; see the file comment for why nothing is skipped. */
  private noteSeq(seq: number): void {
    const log = (what: string) =>
      this.deps.log.debug({ agentId: this.agent.id, seq, lastAckedSeq: this.agent.lastAckedSeq, highestReceived: this.highestReceived }, what);
    if (this.inFlight.has(seq)) log('batch seq repeated while in flight; writing it again');
    else if (seq <= this.agent.lastAckedSeq || seq <= this.highestAcked) log('replayed batch (seq at or below the last ack); writing it again');
    else if (seq < this.highestReceived) log('batch seq went backwards on this connection; writing it');
    this.highestReceived = Math.max(this.highestReceived, seq);
  }

  /** Maps the batch now (sync), then waits for the write holding only its lines: see prepareBatch. */
  private onBatch(batch: watchpost.v1.IBatch): void {
    const seq = batch.seq ?? 0;
    if (seq > 0) this.noteSeq(seq);
    this.lastBatchAt = this.lastSeenAt;
    const spool = reportedSpool(batch.samples ?? [], this.lastBatchAt);
    if (spool && (!this.spool || spool.reportedAt >= this.spool.reportedAt)) this.spool = spool;
    this.finishBatch(seq, prepareBatch(this.agent, batch, this.ingest)).catch((error: unknown) => this.fail('batch', error));
  }

  private noteAcked(seq: number): void {
    if (seq <= MAX_RECORDED_SEQ) {
      this.recorded = Math.max(this.recorded ?? 0, seq);
      return;
    }
    if (this.warnedSeq) return;
    this.warnedSeq = true;
    this.deps.log.warn(
      { agentId: this.agent.id, seq },
      'batch seq beyond any agent counter (a negative number sent as uint32?); written and acked, not recorded',
    );
  }

  private async finishBatch(seq: number, prepared: PreparedBatch): Promise<void> {
    this.inFlight.set(seq, (this.inFlight.get(seq) ?? 0) + 1);
    try {
      const answer = await writeBatch(this.agent, prepared, this.ingest);
      if (answer.error) this.send({ error: answer.error });
      if (answer.ack) {
        this.highestAcked = Math.max(this.highestAcked, answer.ack.seq);
        this.lastAckAt = Date.now();
        this.send({ ack: answer.ack });
      }
    } finally {
      const left = (this.inFlight.get(seq) ?? 1) - 1;
      if (left > 0) this.inFlight.set(seq, left);
      else this.inFlight.delete(seq);
    }
  }

  private onSocketClose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    if (this.hello) this.deps.onClose(this);
  }
}

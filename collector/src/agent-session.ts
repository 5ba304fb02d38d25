// One agent's WebSocket conversation, after authentication: Hello -> Welcome, then batches -> InfluxDB -> acks.
// The contract with the agent (at-least-once): a batch is acked only after InfluxDB accepted its points; a batch
// that cannot be stored now is answered with Error{UNAVAILABLE} and stays with the agent, which resends it. A
// replayed batch is written again rather than skipped by sequence number: the agent timestamps its points, so the
// rewrite is harmless, and skipping would lose a batch whose earlier write failed after a later one succeeded.
import type { WebSocket, RawData } from 'ws';
import type { FastifyBaseLogger } from 'fastify';
import { wire, PROTOCOL_VERSION, type watchpost } from '../../proto/index.js';
import { CLOSE, type RejectionReason } from './errors.js';
import type { CollectorMetrics } from './metrics.js';
import type { AgentRecord, IngestDeps } from './ingest.js';
import { ingestBatch } from './ingest.js';

/** Versions this collector accepts: the current one and the previous one (agents upgrade slowly). */
export const ACCEPTED_VERSIONS: ReadonlySet<number> = new Set([PROTOCOL_VERSION, PROTOCOL_VERSION - 1].filter((v) => v > 0));
const HELLO_TIMEOUT_MS = 10_000;

type Envelope = watchpost.v1.Envelope;

export interface SessionDeps extends IngestDeps {
  log: FastifyBaseLogger;
  metrics: CollectorMetrics;
  heartbeatMs: number;
  /** Called once the agent said Hello (the session is live) and when the socket closes. */
  onOpen(session: AgentSession): void;
  onClose(session: AgentSession): void;
}

export class AgentSession {
  private hello = false;
  private alive = true;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    readonly socket: WebSocket,
    readonly agent: AgentRecord,
    private readonly deps: SessionDeps,
  ) {
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('pong', () => (this.alive = true));
    socket.on('close', () => this.onSocketClose());
    socket.on('error', (error) => deps.log.warn({ agentId: agent.id, err: error.message }, 'agent socket error'));
    this.timers.push(setTimeout(() => this.hello || this.reject('hello_timeout', CLOSE.helloTimeout, 'no Hello received'), HELLO_TIMEOUT_MS));
    this.timers.push(setInterval(() => this.checkAlive(), deps.heartbeatMs));
  }

  /** Closes with a code and a reason the agent can log; counts and logs the rejection. */
  reject(reason: RejectionReason, code: number, message: string): void {
    this.deps.metrics.reject(reason);
    this.deps.log.warn({ agentId: this.agent.id, reason, code }, `closing agent connection: ${message}`);
    this.close(code, message);
  }

  close(code: number, message: string): void {
    this.socket.close(code, message.slice(0, 120));
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

  private onMessage(data: RawData, isBinary: boolean): void {
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
        return void this.onBatch(envelope.batch!);
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
      this.send({ error: { code: wire.ErrorCode.ERROR_CODE_UNSUPPORTED_VERSION, message: `protocol ${version} not supported; accepted: ${[...ACCEPTED_VERSIONS].join(', ')}` } });
      return this.reject('unsupported_version', CLOSE.unsupportedVersion, `protocol version ${version} not supported`);
    }
    this.hello = true;
    this.deps.onHello(this.agent, hello);
    this.deps.onOpen(this);
    this.send({
      welcome: {
        agentId: this.agent.id,
        tenant: this.agent.tenant,
        lastAckedSeq: this.agent.lastAckedSeq,
        heartbeatSeconds: Math.round(this.deps.heartbeatMs / 1000),
      },
    });
  }

  private async onBatch(batch: watchpost.v1.IBatch): Promise<void> {
    const answer = await ingestBatch(this.agent, batch, this.deps);
    if (answer.error) this.send({ error: answer.error });
    if (answer.ack) this.send({ ack: { seq: answer.ack } });
  }

  private onSocketClose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    if (this.hello) this.deps.onClose(this);
  }
}

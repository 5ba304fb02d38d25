// The agent's side of the WebSocket: connect with the credential in the upgrade, Hello/Welcome, send spooled
// batches in order, drop each from the spool only on its Ack, reconnect with exponential backoff and equal jitter,
// and give up on a silent connection (no frame or ping for a while). What the collector answers is counted (acked,
// rejected) and shown (lastError, lastRejection) for status and the `agent` measurement.
//
// Decision: how many batches are on the wire (the numbers are in send-window.ts). The collector acks a batch once
// InfluxDB stored it, and its writer flushes every second (sooner at 5,000 points), so W batches in flight deliver
// about W a second. An agent at --every 2s (ten probes, a batch per run) makes about 5 a second.
//  1. No backlog: at most 4 in flight: an agent's own pace is a few batches a minute, a reconnect replays little,
//     and the collector's write queue is sized for 4 per agent.
//  2. Backlog: each ack that finds batches waiting widens the window by one, up to 16 batches and 1 MiB, so about
//     15 a second go and a 5-a-second agent's backlog shrinks by about 10 a second. An ack that finds none
//     waiting, a new connection or an UNAVAILABLE bring it back to 4 (many agents draining at once fill the
//     collector's write queue, which answers UNAVAILABLE: the fleet backs off by itself).
//  3. A window does not bound the rate (a busy collector acks within milliseconds), and an agent above the
//     collector's per-agent limits (20 frames/s with a burst of 200, 2 MiB/s) is closed with 1008. So sends are
//     paced, across connections, at 15 frames/s with a burst of 50 (at most 50 + 15t frames in t seconds where
//     200 + 20t are allowed, plus a Hello per connection) and 1 MiB/s with a burst of 1 MiB (the largest frame).
import WebSocket from 'ws';
import { hostname } from 'node:os';
import { wire, PROTOCOL_VERSION, subprotocol, type watchpost } from '../../../proto/index.js';
import type { Spool } from './spool/contract.js';
import { fromWire, type AgentPolicy } from '../scheduler/central-policy.js';
import type { Logger } from '../base/log.js';
import { AGENT_VERSION } from '../version.js';
import { realTimers, type Timers, type TimerHandle } from '../base/timers.js';
import { describeTlsFailure, pinnedTlsOptions, type TlsPin } from '../identity/tls.js';
import { SendWindow } from './send-window.js';

export const AGENT_WS_PATH = '/agent/v1';
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;
/** After the collector says it cannot store now (InfluxDB down), wait this long before resending. */
const UNAVAILABLE_RETRY_MS = 5_000;
const HANDSHAKE_TIMEOUT_MS = 15_000;
/** At stop, how long the collector gets to answer our close before the socket is cut. */
const STOP_TIMEOUT_MS = 2_000;
const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
/** A connection with no frame and no ping for this many heartbeats is considered dead. */
const SILENCE_HEARTBEATS = 2.5;
const DEFAULT_HEARTBEAT_S = 30;

/** Samples of one batch the collector refused for good (it acked the batch; they will never be stored). */
export interface Rejection {
  at: number;
  seq: number;
  points: number;
  /** The collector's first reason. */
  reason: string;
}

export interface LinkState {
  connected: boolean;
  lastConnectedAt: number | null;
  lastAckAt: number | null;
  /** Why the link is not delivering: a failed connection, or what the collector answered (cannot store now);
   *  cleared by the next Welcome or Ack. */
  lastError: string | null;
  lastRejection: Rejection | null;
  reconnectAttempt: number;
  nextRetryAt: number | null;
  pointsAcked: number;
  pointsRejected: number;
}

export interface LinkOptions {
  /** Collector base URL (http(s)://host:port); the WebSocket URL is derived from it. */
  server: string;
  credential: string;
  /** The collector's TLS pin (enroll --ca/--fingerprint), checked on every connect; https servers only. */
  tls?: TlsPin;
  spool: Spool;
  log: Logger;
  timers?: Timers;
  random?: () => number;
  now?: () => number;
  /** Called when an ack removed a batch (for checkpoints that advance only with acks). */
  onAck?(seq: number): void;
  /** Called with the central probe policy, from Welcome (when the collector sends one) and from Policy frames. */
  onPolicy?(policy: AgentPolicy): void;
  /** Called with a release the collector offers (after Welcome); the handler verifies before trusting anything. */
  onUpdateOffer?(offer: watchpost.v1.IUpdateOffer): void;
  /** Called at every Welcome (a session is open): a newly installed version confirms itself on its first. */
  onWelcome?(welcome: watchpost.v1.IWelcome): void;
  /** Called with each patch plan the collector sends (patching/ validates it); set, the Hello lists `patch_plan`. */
  onPatchPlan?(plan: watchpost.v1.IPatchPlan): void;
  /** Called with each antivirus action the collector asks for; set, the Hello lists `av_action`. */
  onAvAction?(action: watchpost.v1.IAvAction): void;
}

export function websocketUrl(server: string): string {
  const url = new URL(server);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`server URL must be http(s)://, got ${server}`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = url.pathname.replace(/\/$/, '') + AGENT_WS_PATH;
  return url.toString();
}

/** Exponential backoff with equal jitter: uniform in [delay/2, delay], delay = base * 2^attempt capped (half of each
 *  delay is kept, so reconnects never come sooner than delay/2; full jitter would draw from [0, delay]). */
export function equalJitterBackoff(attempt: number, random: () => number): number {
  const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 16));
  return Math.round(delay / 2 + (random() * delay) / 2);
}

type TimerName = 'reconnectTimer' | 'resendTimer' | 'paceTimer' | 'silenceTimer';

export class Link {
  private socket: WebSocket | null = null;
  private welcomed = false;
  private stopped = false;
  private readonly window: SendWindow;
  /** An older collector's refusals (Error BAD_BATCH before the Ack), by seq in flight: counted at the Ack. */
  private readonly badBatches = new Map<number, string>();
  private sentUpTo = 0;
  /** Batch answers (Ack, or Error naming a seq) received since start: the watchdog's sign of a live session. */
  private answers = 0;
  private silenceMs = DEFAULT_HEARTBEAT_S * SILENCE_HEARTBEATS * 1000;
  private silenceTimer: TimerHandle | null = null;
  private reconnectTimer: TimerHandle | null = null;
  private resendTimer: TimerHandle | null = null;
  private paceTimer: TimerHandle | null = null;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly now: () => number;
  readonly state: LinkState = {
    connected: false,
    lastConnectedAt: null,
    lastAckAt: null,
    lastError: null,
    lastRejection: null,
    reconnectAttempt: 0,
    nextRetryAt: null,
    pointsAcked: 0,
    pointsRejected: 0,
  };

  constructor(private readonly options: LinkOptions) {
    // Never fall back to plain ws when a pin was configured: that would drop the check the operator asked for.
    if (options.tls && !options.server.startsWith('https:')) throw new Error(`a TLS pin needs an https:// server, got ${options.server}`);
    this.timers = options.timers ?? realTimers;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.window = new SendWindow(this.now);
  }

  start(): void {
    this.connect();
  }

  /** New data in the spool: send it if the window allows. */
  kick(): void {
    if (this.welcomed) this.pump();
  }

  /** For the watchdog (watchdog.ts): a session open, batches awaiting an answer on it, answers so far. */
  deliveryProgress(): { connected: boolean; inFlight: number; answers: number } {
    return { connected: this.state.connected, inFlight: this.window.inFlight, answers: this.answers };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers('reconnectTimer', 'resendTimer', 'paceTimer', 'silenceTimer');
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      // The fallback is cleared on close: a pending timer would keep the process alive after `run` returns.
      const fallback = this.timers.setTimeout(() => (socket.terminate(), resolve()), STOP_TIMEOUT_MS);
      socket.once('close', () => (this.timers.clearTimeout(fallback), resolve()));
      socket.close(1000, 'agent stopping');
    });
  }

  private connect(): void {
    const { server, credential, log } = this.options;
    const socket = new WebSocket(websocketUrl(server), [subprotocol(PROTOCOL_VERSION)], {
      headers: { Authorization: `Bearer ${credential}` },
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      maxPayload: MAX_PAYLOAD_BYTES,
      perMessageDeflate: false,
      // ws hands these to tls.connect for wss://; a fresh connection each time, so no resumed session skips them.
      ...pinnedTlsOptions(this.options.tls),
    });
    this.socket = socket;
    socket.binaryType = 'nodebuffer';
    socket.on('open', () => this.onOpen());
    socket.on('message', (data: Buffer) => this.onFrame(data));
    socket.on('ping', () => this.resetSilence());
    // terminate() during the handshake makes ws emit 'error' ("closed before the connection was established");
    // that must not replace the reason the upgrade was refused, which is what an operator needs to see.
    let refused = false;
    socket.on('unexpected-response', (_req, res) => {
      const reason = res.statusCode === 401 ? 'credential refused (agent unknown or revoked: enroll again)' : `HTTP ${res.statusCode}`;
      refused = true;
      this.state.lastError = `upgrade refused: ${reason}`;
      log.warn(`link: ${this.state.lastError}`);
      socket.terminate();
    });
    socket.on('error', (error) => {
      // A refused certificate (pin mismatch after a collector's certificate rotation) is retried with backoff like
      // any other failure, and shown in status and the log, so the operator sees why and can re-enroll.
      const tlsFailure = describeTlsFailure(error, this.options.tls);
      if (!refused) this.state.lastError = tlsFailure ?? error.message;
      if (tlsFailure) log.warn(`link: ${tlsFailure}`);
      else log.debug('link: socket error', { err: error.message });
    });
    socket.on('close', (code, reason) => this.onClose(code, reason.toString()));
  }

  private onOpen(): void {
    this.resetSilence();
    this.send({
      hello: {
        protocolVersion: PROTOCOL_VERSION,
        agentVersion: AGENT_VERSION,
        hostname: hostname(),
        os: process.platform,
        arch: process.arch,
        nextSeq: this.options.spool.pending(0, 1)[0]?.seq ?? 0,
        // What this agent handles beyond version 1's first messages: the collector sends only these.
        features: [...(this.options.onPatchPlan ? ['patch_plan'] : []), ...(this.options.onAvAction ? ['av_action'] : [])],
      },
    });
  }

  private onFrame(data: Buffer): void {
    this.resetSilence();
    let envelope: watchpost.v1.Envelope;
    try {
      envelope = wire.Envelope.decode(data);
    } catch (error) {
      this.options.log.warn('link: undecodable frame from the collector; reconnecting', { err: (error as Error).message });
      this.socket?.terminate();
      return;
    }
    if (envelope.welcome) this.onWelcome(envelope.welcome);
    else if (envelope.ack) this.onAck(envelope.ack);
    else if (envelope.policy) this.options.onPolicy?.(fromWire(envelope.policy.probes ?? []));
    else if (envelope.error) this.onError(envelope.error);
    else if (envelope.updateOffer) this.options.onUpdateOffer?.(envelope.updateOffer);
    else if (envelope.patchPlan) this.options.onPatchPlan?.(envelope.patchPlan);
    else if (envelope.avAction) this.options.onAvAction?.(envelope.avAction);
    // Anything else (a message of a newer protocol) decodes as an empty envelope and is ignored.
  }

  private onWelcome(welcome: watchpost.v1.IWelcome): void {
    this.welcomed = true;
    Object.assign(this.state, { connected: true, lastConnectedAt: this.now(), lastError: null, reconnectAttempt: 0, nextRetryAt: null });
    if (welcome.heartbeatSeconds) this.silenceMs = welcome.heartbeatSeconds * SILENCE_HEARTBEATS * 1000;
    this.options.log.info('link: connected', { agentId: welcome.agentId, tenant: welcome.tenant });
    if (welcome.policy) this.options.onPolicy?.(fromWire(welcome.policy.probes ?? []));
    this.options.onWelcome?.(welcome);
    this.pump();
  }

  private onAck(ack: watchpost.v1.IAck): void {
    const seq = ack.seq ?? 0;
    this.answers++;
    const entry = this.options.spool.ack(seq);
    this.window.acked(seq, this.options.spool.stats().batches);
    const badBatch = this.badBatches.get(seq);
    this.badBatches.delete(seq);
    this.state.lastError = null; // the collector stores again
    if (entry) {
      // Ack.rejected is exact (a part of the batch); an older collector says BAD_BATCH for a batch refused whole.
      const rejected = ack.rejected ? Math.min(ack.rejected, entry.points) : badBatch !== undefined ? entry.points : 0;
      this.state.pointsAcked += entry.points - rejected;
      this.state.pointsRejected += rejected;
      const reason = (ack.rejected && ack.reason) || badBatch || 'refused by the collector';
      if (rejected > 0) this.state.lastRejection = { at: this.now(), seq, points: rejected, reason };
      this.state.lastAckAt = this.now();
      this.options.onAck?.(seq);
    }
    this.pump();
  }

  private onError(error: watchpost.v1.IError): void {
    const seq = error.seq ?? 0;
    if (seq) this.answers++;
    this.options.log.warn(`link: collector error: ${error.message ?? ''}`, { code: error.code, seq: seq || undefined });
    if (error.code === wire.ErrorCode.ERROR_CODE_BAD_BATCH && seq) {
      // Its Ack follows: counted there, once (a replay after a lost Ack is answered again).
      if (this.window.has(seq)) this.badBatches.set(seq, error.message || 'refused by the collector');
      return;
    }
    this.state.lastError = `collector: ${error.message || `error code ${error.code}`}`;
    if (error.code === wire.ErrorCode.ERROR_CODE_UNAVAILABLE && seq) {
      // Not stored: keep it, and resend it (and what follows) after a pause instead of hammering a collector
      // whose database is down.
      this.window.refused(seq);
      this.sentUpTo = Math.min(this.sentUpTo, seq - 1);
      this.schedule('resendTimer', UNAVAILABLE_RETRY_MS, () => this.pump());
    }
  }

  /** Sends the next spooled batches while the window and the pace allow; an answer or the pace timer calls again. */
  private pump(): void {
    this.clearTimers('paceTimer');
    if (!this.welcomed || this.resendTimer) return;
    while (!this.window.full()) {
      const [entry] = this.options.spool.pending(this.sentUpTo, 1);
      if (!entry) return;
      const wait = this.window.admit(entry.bytes.byteLength);
      if (wait === null) return;
      if (wait > 0) return this.schedule('paceTimer', wait, () => this.pump());
      this.socket?.send(entry.bytes);
      this.window.sent(entry.seq, entry.bytes.byteLength);
      this.sentUpTo = entry.seq;
    }
  }

  private onClose(code: number, reason: string): void {
    const wasConnected = this.state.connected;
    this.welcomed = false;
    this.state.connected = false;
    this.window.reset();
    this.badBatches.clear(); // a replayed batch is answered again
    this.sentUpTo = 0; // unacked batches are replayed from the oldest on the next connection
    this.clearTimers('silenceTimer', 'resendTimer', 'paceTimer');
    if (code !== 1006 && code !== 1000) this.state.lastError = `closed by collector: ${code} ${reason}`.trim();
    if (wasConnected) this.options.log.info('link: disconnected', { code, reason: reason || undefined });
    if (this.stopped) return;
    const delay = equalJitterBackoff(this.state.reconnectAttempt++, this.random);
    this.state.nextRetryAt = this.now() + delay;
    this.options.log.debug('link: reconnecting', { inMs: delay, attempt: this.state.reconnectAttempt });
    this.schedule('reconnectTimer', delay, () => this.connect());
  }

  private resetSilence(): void {
    this.schedule('silenceTimer', this.silenceMs, () => {
      this.options.log.warn('link: collector silent; reconnecting');
      this.socket?.terminate();
    });
  }

  private schedule(which: TimerName, ms: number, fn: () => void): void {
    this.clearTimers(which);
    this[which] = this.timers.setTimeout(() => {
      this[which] = null;
      fn();
    }, ms);
  }

  private clearTimers(...which: TimerName[]): void {
    for (const name of which) {
      if (this[name]) this.timers.clearTimeout(this[name]);
      this[name] = null;
    }
  }

  private send(message: watchpost.v1.IEnvelope): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(wire.Envelope.encode(message).finish());
  }
}

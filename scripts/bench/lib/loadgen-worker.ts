// One load-generator process: simulates its share of the agents over real WebSockets with the real
// protocol (Bearer credential, Hello, Welcome, Batch, Ack), bound to its own loopback source address so that many
// processes together get past the 28k ephemeral ports of one address. Driven by its parent over the IPC channel
// (see loadgen.ts for the messages); it never measures the collector, only counts and stamps what it sends.
//
// Times are epoch milliseconds with sub-millisecond resolution (performance.timeOrigin + performance.now()), the
// same clock in every process of the machine, so the parent can subtract a send stamp from a commit stamp.
import WebSocket from 'ws';
import { PROTOCOL_VERSION, subprotocol, wire } from '../../../proto/index.js';
import { batchSamples, collection } from './host-points.js';
import type { ToParent, ToWorker, WorkerAgent } from './loadgen.js';

const CONNECT_CONCURRENCY = 50; // under the collector's unauthenticated connections per IP (64)
const BREACH_PERCENT = 97; // above disk_space's critical level (95 %)

interface Live {
  agent: WorkerAgent;
  index: number;
  socket: WebSocket;
  seq: number;
  breach: boolean;
  collections: number;
  unacked: Map<number, number>; // seq -> epoch send time
  /** Epoch time of the last Ack on the current connection. */
  lastAckAt?: number;
  /** Reconnect mode: the current connection's drop and what followed it. */
  move?: Move;
  /** Flood mode: called with each answer (ack seq, or the error's code and seq). */
  onAnswer?: (answer: { ack: number } | { code: number; seq: number }) => void;
}

const epochNow = (): number => performance.timeOrigin + performance.now();
/** Reconnect mode (off unless the parent asks): the first reconnect delay is uniform in [baseMs / 2, baseMs], doubling per failed attempt. */
let reconnect: { baseMs: number; url: string; localAddress: string } | undefined;
let target: { url: string; localAddress: string } | undefined;
const moves: Move[] = [];
const post = (message: ToParent): void => void process.send?.(message);

const live: Live[] = [];
const timers: NodeJS.Timeout[] = [];
const counts = { sent: 0, acked: 0, refused: 0, closed: 0 };
/** Send -> ack of ordinary reports, ms, since the parent last asked (bounded). */
let ackMs: number[] = [];
const MAX_ACK_SAMPLES = 100_000;

/** One report: what the agent's core probes produce for a host in one collection (11 points). */
function report(l: Live): Uint8Array {
  l.seq += 1;
  const samples = collection(l.index, l.collections++, Date.now());
  if (l.breach) {
    const disk = samples.find((s) => s.measurement === 'disk' && s.tags?.some((t) => t.value === '/data'));
    const used = disk?.fields?.find((f) => f.key === 'used_percent');
    if (used) used.float = BREACH_PERCENT;
  }
  return wire.Envelope.encode({ batch: { seq: l.seq, samples } }).finish();
}

function send(l: Live): number {
  // Between a drop and the next Welcome there is no connection to send on (the agent would queue the report).
  if (l.socket.readyState !== WebSocket.OPEN) return epochNow();
  const frame = report(l);
  const at = epochNow();
  if (!l.breach) l.unacked.set(l.seq, at);
  l.socket.send(frame);
  counts.sent++;
  return at;
}

/** Connects `agent` (or, given `existing`, connects that agent again on a new socket); resolves at its Welcome. */
function connect(url: string, localAddress: string, agent: WorkerAgent, index: number, existing?: Live): Promise<Live> {
  const socket = new WebSocket(url, [subprotocol(PROTOCOL_VERSION)], {
    headers: { Authorization: `Bearer ${agent.credential}` },
    localAddress,
    perMessageDeflate: false,
  });
  const l: Live = existing ?? { agent, index, socket, seq: 0, breach: false, collections: 0, unacked: new Map() };
  l.socket = socket;
  let welcomed = false;
  return new Promise((resolve, reject) => {
    socket.on('message', (data: Buffer) => {
      const envelope = wire.Envelope.decode(data);
      if (envelope.welcome) {
        welcomed = true;
        resolve(l);
      } else if (envelope.ack) {
        l.onAnswer?.({ ack: envelope.ack.seq ?? 0 });
        counts.acked++;
        const ackAt = epochNow();
        if (l.move && l.move.firstAckAt === undefined && l.move.welcomeAt !== undefined) l.move.firstAckAt = ackAt;
        l.lastAckAt = ackAt;
        const at = l.unacked.get(envelope.ack.seq ?? 0);
        l.unacked.delete(envelope.ack.seq ?? 0);
        if (at !== undefined && ackMs.length < MAX_ACK_SAMPLES) ackMs.push(epochNow() - at);
      } else if (envelope.error) {
        counts.refused++;
        l.onAnswer?.({ code: envelope.error.code ?? 0, seq: envelope.error.seq ?? 0 });
      }
    });
    socket.once('open', () =>
      socket.send(
        wire.Envelope.encode({
          hello: { protocolVersion: PROTOCOL_VERSION, agentVersion: 'loadgen', hostname: agent.hostname, os: 'linux', arch: 'x64' },
        }).finish(),
      ),
    );
    socket.once('error', reject);
    socket.once('close', (code) => {
      counts.closed++;
      reject(new Error(`${agent.hostname} closed (${code}) before Welcome`));
      if (welcomed && reconnect) dropped(l);
    });
  });
}

/** One agent's drop and recovery, epoch ms: the last Ack before the drop, the drop, the next Welcome and Ack. */
export interface Move {
  index: number;
  lastAckAt: number | undefined;
  closedAt: number;
  attempts: number;
  welcomeAt?: number;
  firstAckAt?: number;
}

/**
 * Reconnect mode: a welcomed connection closed. As the agent's link does, wait a jittered backoff and connect again
 * (through the same URL: the balancer picks a collector), doubling the delay after each failed attempt; on Welcome,
 * send a report at once (the agent replays its unacked batches first), which the new collector acks.
 */
function dropped(l: Live): void {
  const move: Move = { index: l.index, lastAckAt: l.lastAckAt, closedAt: epochNow(), attempts: 0 };
  l.move = move;
  moves.push(move);
  l.unacked.clear();
  const attempt = (): void => {
    const delay = reconnect!.baseMs * 2 ** Math.min(move.attempts, 6);
    move.attempts++;
    timers.push(
      setTimeout(
        () =>
          void connect(reconnect!.url, reconnect!.localAddress, l.agent, l.index, l).then(
            () => {
              move.welcomeAt = epochNow();
              send(l);
            },
            () => attempt(),
          ),
        delay / 2 + (Math.random() * delay) / 2,
      ),
    );
  };
  attempt();
}

async function start(message: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  target = { url: message.url, localAddress: message.localAddress };
  const started = epochNow();
  let failed = 0;
  let firstError: string | undefined;
  for (let i = 0; i < message.agents.length; i += CONNECT_CONCURRENCY) {
    const slice = message.agents.slice(i, i + CONNECT_CONCURRENCY);
    const settled = await Promise.allSettled(slice.map((agent, k) => connect(message.url, message.localAddress, agent, message.firstIndex + i + k)));
    for (const result of settled) {
      if (result.status === 'fulfilled') live.push(result.value);
      else {
        failed++;
        firstError ??= (result.reason as Error).message;
      }
    }
  }
  post({ type: 'connected', count: live.length, failed, ms: epochNow() - started, ...(firstError ? { firstError } : {}) });
}

/** Every agent sends one report every `everyMs`, at a random phase, until stopped. */
function load(everyMs: number): void {
  for (const l of live) {
    timers.push(
      setTimeout(() => {
        send(l);
        timers.push(setInterval(() => send(l), everyMs));
      }, Math.random() * everyMs),
    );
  }
}

/**
 * Flood: every agent sends batches 0..batches-1 (seq b + 1) of `collections` collections each, in order, keeping
 * `inFlight` unacked and sending the next on each Ack, as the agent's link does; a batch answered UNAVAILABLE is
 * resent after `retryMs`. Reports once every batch of every agent is acked.
 */
function flood(message: Extract<ToWorker, { type: 'flood' }>): void {
  const started = epochNow();
  let remaining = live.length * message.batches;
  let resent = 0;
  let encodeMs = 0;
  let firstError: string | undefined;
  const sendBatch = (l: Live, b: number): void => {
    const t = performance.now();
    const frame = wire.Envelope.encode({ batch: { seq: b + 1, samples: batchSamples(l.index, b, message.collections, message.startMs) } }).finish();
    encodeMs += performance.now() - t;
    l.socket.send(frame);
  };
  for (const l of live) {
    let next = 0;
    l.onAnswer = (answer) => {
      if ('ack' in answer) {
        remaining--;
        if (next < message.batches) sendBatch(l, next++);
        if (remaining === 0) post({ type: 'flooded', ms: epochNow() - started, resent, encodeMs, ...(firstError ? { firstError } : {}) });
      } else if (answer.code === wire.ErrorCode.ERROR_CODE_UNAVAILABLE && answer.seq > 0) {
        resent++;
        timers.push(setTimeout(() => sendBatch(l, answer.seq - 1), message.retryMs));
      } else firstError ??= `error ${answer.code} for seq ${answer.seq}`;
    };
    while (next < Math.min(message.inFlight, message.batches)) sendBatch(l, next++);
  }
}

process.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'start':
      void start(message);
      return;
    case 'load':
      load(message.everyMs);
      return;
    case 'breach': {
      const l = live[message.local];
      if (!l) return;
      l.breach = true;
      post({ type: 'breachSent', hostname: l.agent.hostname, at: send(l) });
      return;
    }
    case 'counts':
      post({ type: 'counts', ...counts, open: live.filter((l) => l.socket.readyState === WebSocket.OPEN).length });
      return;
    case 'flood':
      flood(message);
      return;
    case 'reconnect':
      reconnect = { baseMs: message.baseMs, ...target! };
      return;
    case 'moves':
      post({ type: 'moves', moves });
      return;
    case 'ackTimes':
      post({ type: 'ackTimes', ms: ackMs });
      ackMs = [];
      return;
    case 'stop':
      for (const timer of timers) clearTimeout(timer);
      for (const l of live) l.socket.terminate();
      setImmediate(() => process.exit(0));
      return;
  }
});

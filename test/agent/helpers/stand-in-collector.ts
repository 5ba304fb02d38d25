// A WebSocket server that speaks the collector's side of the agent protocol and nothing more, for link tests that
// need answers the real collector does not give on demand: acks held until a periodic flush (the collector's writer
// acks a batch only after its InfluxDB flush, every second by default), an Ack that carries `rejected`, or an
// older collector's Error{BAD_BATCH} before its Ack. Its flush runs on the test's ManualClock.
//
// It also holds the agent to the collector's default per-connection limits (agents.* in collector/src/config/config.ts),
// with the collector's own token bucket on the same clock, and records every frame that would have got the agent
// closed with 1008, so a test can assert that the link stays inside them.
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { wire, subprotocol, PROTOCOL_VERSION, type watchpost } from '../../../proto/index.js';
import { loadConfig } from '../../../collector/src/config/config.js';
import { takeTokens, type BucketRule, type BucketState } from '../../../collector/src/http/token-bucket.js';
import type { ManualClock } from './manual-clock.js';

/** What to answer a batch with: frames sent at once, or 'flush' to ack it at the next flush. */
export type Answer = (seq: number, batch: watchpost.v1.IBatch) => watchpost.v1.IEnvelope[] | 'flush';

export interface StandInOptions {
  clock: ManualClock;
  /** Acks every held batch at this period of the clock; absent: no flush (every answer comes from `answer`). */
  flushEveryMs?: number;
  /** Default: hold every batch for the flush. */
  answer?: Answer;
}

export interface StandInCollector {
  baseUrl: string;
  /** Seqs of every batch received, in arrival order. */
  readonly received: number[];
  /** Seqs received and not yet answered (waiting for the flush). */
  readonly held: number[];
  /** The most batches held at once. */
  readonly maxHeld: number;
  /** Answers naming a batch sent so far (Acks, and Errors with a seq): what the link counts as answers. */
  readonly answered: number;
  /** Frames beyond the collector's default limits (each would have closed the connection with 1008). */
  readonly overLimit: string[];
  /** Acks every held batch now. */
  flush(): void;
  /** Cuts the agent's connection (no close frame), as a crash or a network failure would. */
  disconnect(): void;
  close(): Promise<void>;
}

const defaults = loadConfig({ env: {} }).agents;
const FRAMES: BucketRule = { ratePerSecond: defaults.framesPerSecond, burst: defaults.frameBurst };
const BYTES: BucketRule = { ratePerSecond: defaults.bytesPerSecond, burst: Math.max(defaults.byteBurst, defaults.maxPayloadBytes) };

export async function startStandIn(options: StandInOptions): Promise<StandInCollector> {
  const { clock } = options;
  const answer: Answer = options.answer ?? (() => 'flush');
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => (protocols.has(subprotocol(PROTOCOL_VERSION)) ? subprotocol(PROTOCOL_VERSION) : false),
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  let socket: WebSocket | null = null;
  const state = { received: [] as number[], held: [] as number[], maxHeld: 0, answered: 0, overLimit: [] as string[] };
  const send = (envelope: watchpost.v1.IEnvelope) => {
    if (envelope.ack || envelope.error?.seq) state.answered++;
    socket?.send(wire.Envelope.encode(envelope).finish());
  };

  wss.on('connection', (ws) => {
    socket = ws;
    let frames: BucketState | undefined;
    let bytes: BucketState | undefined;
    ws.on('message', (data: Buffer) => {
      const f = takeTokens(frames, FRAMES, clock.now());
      const b = takeTokens(bytes, BYTES, clock.now(), data.length);
      frames = f.state;
      bytes = b.state;
      if (!f.ok || !b.ok) state.overLimit.push(`${f.ok ? 'bytes' : 'frames'} per second exceeded at ${clock.now()}`);
      const envelope = wire.Envelope.decode(data);
      if (envelope.hello) {
        send({ welcome: { agentId: 'agent-1', tenant: 'acme', heartbeatSeconds: 3600 } });
      } else if (envelope.batch) {
        const seq = envelope.batch.seq ?? 0;
        state.received.push(seq);
        const frames = answer(seq, envelope.batch);
        if (frames === 'flush') {
          state.held.push(seq);
          state.maxHeld = Math.max(state.maxHeld, state.held.length);
        } else {
          for (const frame of frames) send(frame);
        }
      }
    });
  });

  const flush = () => {
    for (const seq of state.held.splice(0)) send({ ack: { seq } });
  };
  const timer = options.flushEveryMs ? clock.setInterval(flush, options.flushEveryMs) : null;
  const { port } = wss.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    get received() {
      return state.received;
    },
    get held() {
      return state.held;
    },
    get maxHeld() {
      return state.maxHeld;
    },
    get answered() {
      return state.answered;
    },
    get overLimit() {
      return state.overLimit;
    },
    flush,
    disconnect() {
      socket?.terminate();
    },
    async close() {
      if (timer !== null) clock.clearInterval(timer);
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

// A protocol-speaking WebSocket client for collector tests: what an agent sends, frame by frame.
import WebSocket from 'ws';
import { wire, subprotocol, PROTOCOL_VERSION, type watchpost } from '../../proto/index.js';

export interface TestAgent {
  socket: WebSocket;
  /** Decoded frames received so far. */
  frames: watchpost.v1.Envelope[];
  send(message: watchpost.v1.IEnvelope): void;
  /** Resolves with the first received frame (already received or future) that matches. */
  next(match: (e: watchpost.v1.Envelope) => boolean): Promise<watchpost.v1.Envelope>;
  closed: Promise<{ code: number; reason: string }>;
}

export function openAgent(url: string, credential: string, protocols = [subprotocol(PROTOCOL_VERSION)]): Promise<TestAgent> {
  const socket = new WebSocket(url, protocols, { headers: { Authorization: `Bearer ${credential}` } });
  const frames: watchpost.v1.Envelope[] = [];
  const waiters: { match: (e: watchpost.v1.Envelope) => boolean; resolve: (e: watchpost.v1.Envelope) => void }[] = [];
  socket.on('message', (data: Buffer) => {
    const envelope = wire.Envelope.decode(data);
    frames.push(envelope);
    for (const w of waiters.filter((w) => w.match(envelope))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(envelope);
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    socket.once('open', () =>
      resolve({
        socket,
        frames,
        closed,
        send: (message) => socket.send(wire.Envelope.encode(message).finish()),
        next: (match) => {
          const seen = frames.find(match);
          return seen ? Promise.resolve(seen) : new Promise((r) => waiters.push({ match, resolve: r }));
        },
      }),
    );
    socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { statusCode: res.statusCode })));
    socket.once('error', reject);
  });
}

export const hello = (): watchpost.v1.IEnvelope => ({
  hello: { protocolVersion: PROTOCOL_VERSION, agentVersion: 'test', hostname: 'test-host', os: 'linux', arch: 'x64' },
});

export const cpuBatch = (seq: number, timeMs = Date.now()): watchpost.v1.IEnvelope => ({
  batch: {
    seq,
    samples: [{ measurement: 'cpu', timeMs, tags: [{ key: 'cpu', value: 'cpu-total' }], fields: [{ key: 'usage_idle', float: 90 + seq / 100 }] }],
  },
});

// Tests start whole clusters (PostgreSQL, influxd, collectors, HAProxy) with the module `npm run cluster-demo`
// uses, and drive them with streaming agents that speak the protocol themselves (agent-client.ts) and keep a ledger
// of what they sent and what was acked, so a test can compare it with what InfluxDB holds.
import { PROTOCOL_VERSION, wire } from '../../proto/index.js';
import { cpuBatch, openAgent, type TestAgent } from './agent-client.js';

export * from '../../scripts/lib/cluster.js';

/** How long a streaming agent waits before connecting again after its connection closed or failed. */
const RECONNECT_MS = 200;
/** A Welcome that takes longer than this counts as a failed connection. */
const WELCOME_TIMEOUT_MS = 10_000;
/** After the collector answers Error (cannot store now), the batch is sent again this much later. */
const RESEND_MS = 1_000;

export interface Connection {
  openedAt: number;
  /** The first ack on this connection. */
  firstAckAt: number | null;
  closedAt: number | null;
}

/**
 * An agent that streams one cpu point per batch, every `everyMs`, through `wsUrl` (the balancer), the way the real
 * agent delivers: batches it cannot send (no connection) or that are not acked stay pending and are sent again on the
 * next connection, in seq order; a closed connection is opened again after RECONNECT_MS. Each point's time is its
 * own millisecond, so a point is told apart in InfluxDB by time alone (host and tenant name the agent).
 */
export interface StreamingAgent {
  agentId: string;
  hostname: string;
  /** Every batch made, by seq: the time (ms) of its one point. */
  produced: Map<number, number>;
  /** Every batch acked, by seq: when its first ack arrived. */
  acked: Map<number, number>;
  /** Every connection that got a Welcome, oldest first. */
  connections: Connection[];
  connected(): boolean;
  /** Seqs made and not acked yet. */
  pending(): number[];
  /** Cuts the current connection (as a network failure would); the agent connects again as after any close. */
  dropConnection(): void;
  /** Stops making batches; pending ones are still sent and acked. */
  stopProducing(): void;
  close(): Promise<void>;
}

export function startStreamingAgent(o: { wsUrl: string; agentId: string; credential: string; hostname: string; everyMs: number }): StreamingAgent {
  const produced = new Map<number, number>();
  const acked = new Map<number, number>();
  const connections: Connection[] = [];
  let current: { agent: TestAgent; connection: Connection } | undefined;
  let closing = false;
  let seq = 0;
  let lastTime = 0;

  const send = (s: number) => {
    if (current && current.agent.socket.readyState === current.agent.socket.OPEN) current.agent.send(cpuBatch(s, produced.get(s)!));
  };
  const pending = () => [...produced.keys()].filter((s) => !acked.has(s)).sort((a, b) => a - b);

  const connect = async (): Promise<void> => {
    while (!closing) {
      let agent: TestAgent | undefined;
      try {
        agent = await openAgent(o.wsUrl, o.credential);
        agent.send({ hello: { protocolVersion: PROTOCOL_VERSION, agentVersion: 'test', hostname: o.hostname, os: 'linux', arch: 'x64' } });
        const welcomed = agent.next((e) => e.msg === 'welcome' || e.msg === 'error');
        const timeout = new Promise<never>((_, fail) => setTimeout(() => fail(new Error('no Welcome')), WELCOME_TIMEOUT_MS).unref());
        const first = await Promise.race([welcomed, timeout, agent.closed.then(() => Promise.reject(new Error('closed before its Welcome')))]);
        if (first.msg !== 'welcome') throw new Error(`answered ${first.msg} to its Hello`);
      } catch {
        agent?.socket.terminate();
        await new Promise((r) => setTimeout(r, RECONNECT_MS));
        continue;
      }
      const connection: Connection = { openedAt: Date.now(), firstAckAt: null, closedAt: null };
      connections.push(connection);
      current = { agent, connection };
      agent.socket.on('message', (data: Buffer) => {
        const envelope = wire.Envelope.decode(data);
        if (envelope.ack) {
          const at = Date.now();
          const s = envelope.ack.seq ?? 0;
          connection.firstAckAt ??= at;
          if (!acked.has(s)) acked.set(s, at);
        } else if (envelope.error?.seq) {
          const s = envelope.error.seq;
          setTimeout(() => current?.connection === connection && send(s), RESEND_MS).unref();
        }
      });
      void agent.closed.then(() => {
        connection.closedAt = Date.now();
        if (current?.connection === connection) current = undefined;
        if (!closing) setTimeout(() => void connect(), RECONNECT_MS);
      });
      for (const s of pending()) send(s);
      return;
    }
  };

  const producer = setInterval(() => {
    const time = Math.max(Date.now(), lastTime + 1);
    lastTime = time;
    produced.set(++seq, time);
    send(seq);
  }, o.everyMs);
  void connect();

  return {
    agentId: o.agentId,
    hostname: o.hostname,
    produced,
    acked,
    connections,
    connected: () => current !== undefined,
    pending,
    dropConnection: () => current?.agent.socket.terminate(),
    stopProducing: () => clearInterval(producer),
    async close() {
      closing = true;
      clearInterval(producer);
      const open = current?.agent;
      current = undefined;
      if (open) {
        open.socket.close();
        await open.closed;
      }
    },
  };
}

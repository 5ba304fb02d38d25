// A fleet of simulated agents for the latency benches: each enrolls over HTTP and speaks the real protocol over a
// real WebSocket (Hello, Welcome, Batch, Ack), in the same process as the collector. Background load: every agent
// sends an ordinary batch (cpu, mem, two disks) every LOAD_EVERY_MS, at a random phase. A breach is the same batch
// with the /data disk over disk_space's critical level, sent by a different agent each time, spread over the run.
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, subprotocol, wire, type watchpost } from '../../../proto/index.js';
import { sleep } from './stats.js';

export const LOAD_EVERY_MS = 5_000; // each agent sends one ordinary batch this often (the real agent: cpu/mem every minute)
const CONCURRENCY = 50; // enrollments and connections in flight (below limits.ipMaxPendingConnections, 64)
export const BREACH_PERCENT = 97; // above disk_space's critical level (95 %)
const HEALTHY_PERCENT = 40;

/** One batch sent: when it was handed to the socket, and whether it is a breach. */
export interface Sent {
  at: number;
  breach: boolean;
}

export interface Agent {
  id: string;
  hostname: string;
  socket: WebSocket;
  seq: number;
  dataPercent: number;
  /** Each batch not yet seen by the engine's observe hook, in order (see watchEngine); each not yet acked, by seq. */
  unobserved: Sent[];
  unacked: Map<number, Sent>;
  onAck?: (sent: Sent) => void;
}

export interface Fleet {
  agents: Agent[];
  byId: Map<string, Agent>;
  /** Starts the background load (once) and resolves after two load periods, when every agent is sending. */
  warmUp(): Promise<void>;
  close(): void;
}

/** --agents, --breaches, --seconds; each breach is on a different agent. */
export function benchArgs(): { agentCount: number; breachCount: number; seconds: number } {
  const { values } = parseArgs({
    options: { agents: { type: 'string', default: '1000' }, breaches: { type: 'string', default: '200' }, seconds: { type: 'string', default: '40' } },
  });
  const [agentCount, breachCount, seconds] = [Number(values.agents), Number(values.breaches), Number(values.seconds)];
  if (!(breachCount <= agentCount)) throw new Error('--breaches must not exceed --agents: each breach is on a different agent');
  return { agentCount, breachCount, seconds };
}

/** An agent's batch: cpu, mem and two disks; `dataPercent` is the /data volume's fill. */
function batch(seq: number, dataPercent: number): watchpost.v1.IEnvelope {
  const timeMs = Date.now();
  const disk = (path: string, used: number) => ({
    measurement: 'disk',
    timeMs,
    tags: [
      { key: 'path', value: path },
      { key: 'device', value: 'sda1' },
      { key: 'fstype', value: 'ext4' },
    ],
    fields: [
      { key: 'used_percent', float: used },
      { key: 'total', int: 100e9 },
      { key: 'free', int: Math.round((1 - used / 100) * 100e9) },
    ],
  });
  const cpu = {
    measurement: 'cpu',
    timeMs,
    tags: [{ key: 'cpu', value: 'cpu-total' }],
    fields: [
      { key: 'usage_idle', float: 70 },
      { key: 'usage_user', float: 20 },
    ],
  };
  const mem = {
    measurement: 'mem',
    timeMs,
    fields: [
      { key: 'used_percent', float: 50 },
      { key: 'available', int: 8e9 },
    ],
  };
  return { batch: { seq, samples: [cpu, mem, disk('/', HEALTHY_PERCENT), disk('/data', dataPercent)] } };
}

function connect(url: string, credential: string, hostname: string, id: string): Promise<Agent> {
  const socket = new WebSocket(url, [subprotocol(PROTOCOL_VERSION)], { headers: { Authorization: `Bearer ${credential}` } });
  const agent: Agent = { id, hostname, socket, seq: 0, dataPercent: HEALTHY_PERCENT, unobserved: [], unacked: new Map() };
  return new Promise((resolve, reject) => {
    socket.on('message', (data: Buffer) => {
      const envelope = wire.Envelope.decode(data);
      if (envelope.welcome) resolve(agent);
      const seq = envelope.ack?.seq ?? 0;
      const sent = agent.unacked.get(seq);
      if (!sent) return;
      agent.unacked.delete(seq);
      agent.onAck?.(sent);
    });
    socket.once('open', () =>
      socket.send(wire.Envelope.encode({ hello: { protocolVersion: PROTOCOL_VERSION, agentVersion: 'bench', hostname, os: 'linux', arch: 'x64' } }).finish()),
    );
    socket.once('error', reject);
    socket.once('close', (code) => reject(new Error(`${hostname} closed (${code}) before Welcome`)));
  });
}

/** Encodes first, then stamps and hands the frame to the socket: the stamp is the batch's "arrival" moment. */
export function send(agent: Agent, breach = false): number {
  agent.seq += 1;
  const frame = wire.Envelope.encode(batch(agent.seq, agent.dataPercent)).finish();
  const sent = { at: performance.now(), breach };
  agent.unobserved.push(sent);
  agent.unacked.set(agent.seq, sent);
  agent.socket.send(frame);
  return sent.at;
}

/** Enrolls `count` agents with `token` (hostnames bench-00000 ...) and connects each; resolves when all are welcome. */
export async function connectFleet(port: number, token: string, count: number): Promise<Fleet> {
  const byId = new Map<string, Agent>();
  const timers: NodeJS.Timeout[] = [];
  const enrollAndConnect = async (hostname: string): Promise<Agent> => {
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, hostname, os: 'linux', arch: 'x64', agentVersion: 'bench' }),
    });
    if (!response.ok) throw new Error(`enroll ${hostname}: HTTP ${response.status} ${await response.text()}`);
    const { agentId, credential } = (await response.json()) as { agentId: string; credential: string };
    const agent = await connect(`ws://127.0.0.1:${port}/agent/v1`, credential, hostname, agentId);
    byId.set(agentId, agent);
    return agent;
  };
  const fleet: Fleet = {
    agents: [],
    byId,
    warmUp() {
      for (const agent of fleet.agents)
        timers.push(setTimeout(() => timers.push(setInterval(() => send(agent), LOAD_EVERY_MS)), Math.random() * LOAD_EVERY_MS));
      return sleep(2 * LOAD_EVERY_MS);
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      for (const agent of byId.values()) agent.socket.terminate();
    },
  };
  try {
    for (let i = 0; i < count; i += CONCURRENCY) {
      const names = Array.from({ length: Math.min(CONCURRENCY, count - i) }, (_, k) => `bench-${String(i + k).padStart(5, '0')}`);
      fleet.agents.push(...(await Promise.all(names.map(enrollAndConnect))));
    }
  } catch (error) {
    fleet.close();
    throw error;
  }
  return fleet;
}

/**
 * Sends `count` breaches evenly over `seconds`, from every agents/count-th agent so they spread over the fleet.
 * A breaching agent stays full: its later batches keep the alert firing. `onSent` gets the hostname and send time.
 */
export async function spreadBreaches(
  fleet: Fleet,
  count: number,
  seconds: number,
  onSent: (hostname: string, at: number, index: number) => void,
): Promise<void> {
  const spacing = (seconds * 1000) / count;
  for (let i = 0; i < count; i++) {
    const agent = fleet.agents[Math.floor((i * fleet.agents.length) / count)]!;
    agent.dataPercent = BREACH_PERCENT;
    onSent(agent.hostname, send(agent, true), i);
    await sleep(spacing);
  }
}

/** The setup lines of a result: the load the agents made. */
export function describeLoad(agentCount: number, breachCount: number, seconds: number): string[] {
  return [
    `${agentCount} agents on real WebSockets (same process as the collector), each sending 4 samples every ${LOAD_EVERY_MS / 1000} s (${Math.round((agentCount * 1000) / LOAD_EVERY_MS)} batches/s);`,
    `${breachCount} breaches over ${seconds} s, each from a different agent; rule disk_space with for: 0s over the default pack;`,
  ];
}

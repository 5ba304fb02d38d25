// The load generator: N simulated agents spread over several processes (loadgen-worker.ts), each
// process bound to its own loopback source address (127.0.0.2, 127.0.0.3, ...), all connecting to one collector.
// The agents are enrolled through the collector's store (the same enroll() the HTTP route calls, one transaction:
// enrolling 20,000 agents over HTTP would mostly time SQLite's fsync per enrollment) and then authenticate with
// their own credential on the WebSocket upgrade, as a real agent does.
//
// Why processes: one Node process holding 20,000 client sockets and encoding their batches would compete with the
// collector for the same event loop; in separate processes the clients' cost is visible as theirs (and the
// machine's second core does the clients' work). Why several source addresses: one address has 28,232 ephemeral
// ports (32768-60999) towards one collector port, and each process has its own file descriptor limit.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatAgentCredential } from '../../../collector/src/store/secrets.js';
import type { Store } from '../../../collector/src/store/index.js';
import type { Move } from './loadgen-worker.js';

export type { Move };

export interface WorkerAgent {
  id: string;
  hostname: string;
  credential: string;
}

export type ToWorker =
  | { type: 'start'; url: string; localAddress: string; agents: WorkerAgent[]; firstIndex: number }
  | { type: 'load'; everyMs: number }
  | { type: 'breach'; local: number }
  | { type: 'counts' }
  | { type: 'ackTimes' }
  | { type: 'flood'; batches: number; collections: number; startMs: number; inFlight: number; retryMs: number }
  | { type: 'reconnect'; baseMs: number }
  | { type: 'moves' }
  | { type: 'stop' };

export type ToParent =
  | { type: 'connected'; count: number; failed: number; ms: number; firstError?: string }
  | { type: 'breachSent'; hostname: string; at: number }
  | { type: 'counts'; sent: number; acked: number; refused: number; closed: number; open: number }
  | { type: 'ackTimes'; ms: number[] }
  | { type: 'moves'; moves: Move[] }
  | { type: 'flooded'; ms: number; resent: number; encodeMs: number; firstError?: string };

export type Counts = Omit<Extract<ToParent, { type: 'counts' }>, 'type'>;

/** Agents per load-generator process: well under one address's ephemeral ports and one process's descriptors. */
export const AGENTS_PER_PROCESS = 5_000;
const WORKER = fileURLToPath(new URL('./loadgen-worker.ts', import.meta.url));

export const hostnameOf = (i: number): string => `load-${String(i).padStart(5, '0')}`;

/** Enrolls `count` agents of `tenant` in one transaction; their credentials are what the agents present. */
export function enrollAgents(store: Store, tenant: string, count: number): WorkerAgent[] {
  return store.transaction(() =>
    Array.from({ length: count }, (_, i) => {
      const hostname = hostnameOf(i);
      const { agentId, secret } = store.agents.enroll({ tenant, hostname, os: 'linux', arch: 'x64', agentVersion: 'loadgen' });
      return { id: agentId, hostname, credential: formatAgentCredential(agentId, secret) };
    }),
  );
}

interface Worker {
  child: ChildProcess;
  agents: WorkerAgent[];
}

export interface LoadFleet {
  agents: number;
  processes: number;
  /** Connected agents and failures, summed over the processes; the slowest process's connect time. */
  connected: { count: number; failed: number; ms: number; firstError?: string };
  /** Every agent sends one report every `everyMs` (random phase). */
  load(everyMs: number): void;
  /** Agent i (0-based over the fleet) sends a breach; resolves with its hostname and epoch send time. */
  breach(i: number): Promise<{ hostname: string; at: number }>;
  counts(): Promise<Counts>;
  /** Every agent sends its batches as fast as acks allow (see the worker's flood); resolves when all are acked:
   *  the slowest process's time, batches resent after UNAVAILABLE, and the processes' time encoding. */
  flood(options: Omit<Extract<ToWorker, { type: 'flood' }>, 'type'>): Promise<{ ms: number; resent: number; encodeMs: number; firstError?: string }>;
  /** Send -> ack times (ms) of ordinary reports since the last call, from every process. */
  ackTimes(): Promise<number[]>;
  /** From now on every agent whose connection drops connects again, through the same URL, after a jittered backoff
   *  whose first delay is uniform in [baseMs / 2, baseMs] (the agent link's), and sends a report at once on Welcome. */
  reconnectOnDrop(baseMs: number): void;
  /** Every drop since reconnectOnDrop, with its last Ack before, and the Welcome and first Ack after (epoch ms). */
  moves(): Promise<Move[]>;
  /** CPU seconds (user + system) the load-generator processes used so far, from /proc. */
  cpuSeconds(): number;
  pids(): number[];
  stop(): Promise<void>;
}

function next(worker: Worker, type: ToParent['type']): Promise<ToParent> {
  return new Promise((resolve) => {
    const handler = (message: ToParent): void => {
      if (message.type !== type) return;
      worker.child.off('message', handler);
      resolve(message);
    };
    worker.child.on('message', handler);
  });
}

/** Spawns ceil(agents / AGENTS_PER_PROCESS) processes and connects every agent; resolves once all said Welcome. */
export async function startLoad(url: string, agents: WorkerAgent[]): Promise<LoadFleet> {
  const processes = Math.max(1, Math.ceil(agents.length / AGENTS_PER_PROCESS));
  const per = Math.ceil(agents.length / processes);
  const workers: Worker[] = Array.from({ length: processes }, (_, w) => ({
    child: fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    agents: agents.slice(w * per, (w + 1) * per),
  }));
  const connected = await Promise.all(
    workers.map((worker, w) => {
      const done = next(worker, 'connected');
      worker.child.send({ type: 'start', url, localAddress: `127.0.0.${2 + w}`, agents: worker.agents, firstIndex: w * per } satisfies ToWorker);
      return done as Promise<Extract<ToParent, { type: 'connected' }>>;
    }),
  );
  const firstError = connected.find((c) => c.firstError)?.firstError;
  /** Sends `message` to every process and collects each one's answer of type `answer`. */
  const askAll = async <T extends ToParent['type']>(message: ToWorker, answer: T): Promise<Extract<ToParent, { type: T }>[]> =>
    (await Promise.all(
      workers.map((worker) => {
        const reply = next(worker, answer);
        worker.child.send(message);
        return reply;
      }),
    )) as Extract<ToParent, { type: T }>[];
  const fleet: LoadFleet = {
    agents: agents.length,
    processes,
    connected: {
      count: connected.reduce((n, c) => n + c.count, 0),
      failed: connected.reduce((n, c) => n + c.failed, 0),
      ms: Math.max(...connected.map((c) => c.ms)),
      ...(firstError ? { firstError } : {}),
    },
    load(everyMs) {
      for (const worker of workers) worker.child.send({ type: 'load', everyMs } satisfies ToWorker);
    },
    async breach(i) {
      const worker = workers[Math.floor(i / per)]!;
      const sent = next(worker, 'breachSent');
      worker.child.send({ type: 'breach', local: i % per } satisfies ToWorker);
      const message = (await sent) as Extract<ToParent, { type: 'breachSent' }>;
      return { hostname: message.hostname, at: message.at };
    },
    async counts() {
      const all = await askAll({ type: 'counts' }, 'counts');
      const sum = (key: keyof Counts): number => all.reduce((n, c) => n + c[key], 0);
      return { sent: sum('sent'), acked: sum('acked'), refused: sum('refused'), closed: sum('closed'), open: sum('open') };
    },
    async flood(options) {
      const all = await askAll({ type: 'flood', ...options }, 'flooded');
      const firstError = all.find((f) => f.firstError)?.firstError;
      return {
        ms: Math.max(...all.map((f) => f.ms)),
        resent: all.reduce((n, f) => n + f.resent, 0),
        encodeMs: all.reduce((n, f) => n + f.encodeMs, 0),
        ...(firstError ? { firstError } : {}),
      };
    },
    async ackTimes() {
      return (await askAll({ type: 'ackTimes' }, 'ackTimes')).flatMap((a) => a.ms);
    },
    reconnectOnDrop(baseMs) {
      for (const worker of workers) worker.child.send({ type: 'reconnect', baseMs } satisfies ToWorker);
    },
    async moves() {
      return (await askAll({ type: 'moves' }, 'moves')).flatMap((m) => m.moves);
    },
    pids: () => workers.map((w) => w.child.pid ?? 0),
    cpuSeconds: () => workers.reduce((n, worker) => n + processCpuSeconds(worker.child.pid), 0),
    async stop() {
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.child.exitCode !== null) return resolve();
              worker.child.once('exit', () => resolve());
              worker.child.send({ type: 'stop' } satisfies ToWorker);
            }),
        ),
      );
    },
  };
  return fleet;
}

/** utime + stime of a process, in seconds (/proc/PID/stat fields 14 and 15, in clock ticks of 1/100 s on Linux). */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

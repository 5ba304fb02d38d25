// Tests start whole clusters (PostgreSQL, influxd, collectors, HAProxy) with the module `npm run cluster-demo`
// uses, and drive them with streaming agents that speak the protocol themselves (agent-client.ts) and keep a ledger
// of what they sent and what was acked, so a test can compare it with what InfluxDB holds.
import { request } from 'node:http';
import { PROTOCOL_VERSION, wire, type watchpost } from '../../proto/index.js';
import type { ClusterCollector } from '../../scripts/lib/cluster.js';
import { cpuBatch, openAgent, type TestAgent } from './agent-client.js';
import { until } from './until.js';

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
  /** The WebSocket close code (4004: credential revoked); null while open. */
  closeCode: number | null;
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

export function startStreamingAgent(o: {
  wsUrl: string;
  agentId: string;
  credential: string;
  hostname: string;
  everyMs: number;
  /** The batch of seq `s` whose one point has time `timeMs`; default cpuBatch. Called again for a resend, so it must
   *  answer the same for the same seq. */
  batch?: (s: number, timeMs: number) => watchpost.v1.IEnvelope;
}): StreamingAgent {
  const batchOf = o.batch ?? cpuBatch;
  const produced = new Map<number, number>();
  const acked = new Map<number, number>();
  const connections: Connection[] = [];
  let current: { agent: TestAgent; connection: Connection } | undefined;
  let closing = false;
  let seq = 0;
  let lastTime = 0;

  const send = (s: number) => {
    if (current && current.agent.socket.readyState === current.agent.socket.OPEN) current.agent.send(batchOf(s, produced.get(s)!));
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
      const connection: Connection = { openedAt: Date.now(), firstAckAt: null, closedAt: null, closeCode: null };
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
      void agent.closed.then(({ code }) => {
        connection.closedAt = Date.now();
        connection.closeCode = code;
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

/**
 * A request through the balancer (`url`) on a connection closed after the answer: a kept-alive one would stay a
 * session of one collector for HAProxy's leastconn, and the next agents would not go where the test expects. Sends
 * `adminKey` as the bearer unless `auth` is false.
 */
export function balancerRequest(
  cluster: { url: string; adminKey: string },
  path: string,
  init: { method?: string; body?: unknown; auth?: boolean } = {},
): Promise<{ status: number; body: string }> {
  const payload = init.body === undefined ? undefined : JSON.stringify(init.body);
  const headers: Record<string, string | number> = {
    ...(init.auth === false ? {} : { authorization: `Bearer ${cluster.adminKey}` }),
    ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
  };
  return new Promise((resolve, reject) => {
    const req = request(`${cluster.url}${path}`, { method: init.method ?? 'GET', agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export interface EnrolledAgent {
  hostname: string;
  agentId: string;
  credential: string;
}

/** One token of the tenant (the CLI, on the shared store) and one enrollment per hostname through the balancer. */
export async function enrollAgents(
  cluster: { url: string; adminKey: string; cli: (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }> },
  tenant: string,
  hostnames: string[],
): Promise<EnrolledAgent[]> {
  const created = await cluster.cli(['token', 'create', '--tenant', tenant, '--uses', String(hostnames.length)]);
  if (created.code !== 0) throw new Error(`token create --tenant ${tenant} exited ${created.code}: ${created.stderr}`);
  const enrolled: EnrolledAgent[] = [];
  for (const hostname of hostnames) {
    const body = { token: created.stdout.trim(), hostname, os: 'linux', arch: 'x64', agentVersion: '0.0.0' };
    const res = await balancerRequest(cluster, '/api/v1/enroll', { method: 'POST', body, auth: false });
    if (res.status !== 200) throw new Error(`enrolling ${hostname}: HTTP ${res.status}: ${res.body}`);
    enrolled.push({ hostname, ...(JSON.parse(res.body) as { agentId: string; credential: string }) });
  }
  return enrolled;
}

/** The agents whose link `c` holds now, from its own API (each agent names the collector holding it). */
export async function connectedOn(c: ClusterCollector): Promise<string[]> {
  const self = await c.request('/api/v1/collectors');
  if (self.status !== 200) throw new Error(`${c.name} answered ${self.status}: ${self.body}`);
  const { id } = (JSON.parse(self.body) as { self: { id: string } }).self;
  const answer = await c.request('/api/v1/agents');
  if (answer.status !== 200) throw new Error(`${c.name} answered ${answer.status}: ${answer.body}`);
  const { agents: list } = JSON.parse(answer.body) as { agents: { agentId: string; connected: boolean; collector?: string | null }[] };
  return list
    .filter((a) => a.connected && a.collector === id)
    .map((a) => a.agentId)
    .sort();
}

/** `c`'s own word on itself: its collector id and whether it leads (GET /api/v1/collectors `self`). */
export async function selfOf(c: ClusterCollector): Promise<{ id: string; leader: boolean }> {
  const answer = await c.request('/api/v1/collectors');
  if (answer.status !== 200) throw new Error(`${c.name} answered ${answer.status}: ${answer.body}`);
  return (JSON.parse(answer.body) as { self: { id: string; leader: boolean } }).self;
}

/** The times (ms) of the cpu points InfluxDB (`influxUrl`, database watchpost) holds for `hostname` of `tenant`. */
export async function storedTimes(influxUrl: string, tenant: string, hostname: string): Promise<Set<number>> {
  const q = `SELECT usage_idle FROM cpu WHERE "host" = '${hostname}' AND "tenant" = '${tenant}'`;
  const res = await fetch(`${influxUrl}/query?db=watchpost&epoch=ms&q=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { results: { series?: { values: [number, number][] }[]; error?: string }[] };
  if (body.results[0]?.error) throw new Error(`InfluxDB: ${body.results[0].error}`);
  return new Set((body.results[0]?.series?.[0]?.values ?? []).map((row) => row[0]));
}

/** The running collector of `cluster` holding `agentId`'s link; throws when none does. */
export async function holderOf(cluster: { collectors: ClusterCollector[] }, agentId: string): Promise<ClusterCollector> {
  for (const c of cluster.collectors.filter((c) => c.running())) if ((await connectedOn(c)).includes(agentId)) return c;
  throw new Error(`no collector holds ${agentId}`);
}

/** Log lines of each collector shown when untilOrLogs() times out. */
const TIMEOUT_LOG_LINES = 25;

/** until(), with the last log lines of every collector of `cluster` in the message when it times out: they are usually the answer. */
export async function untilOrLogs(
  cluster: { collectors: ClusterCollector[] },
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  try {
    await until(check, timeoutMs, what);
  } catch (error) {
    const logs = cluster.collectors.map((c) => `--- ${c.name} ---\n${logTail(c)}`).join('\n');
    throw new Error(`${(error as Error).message}\n${logs}`, { cause: error });
  }
}

/** The last lines `c` wrote. */
export function logTail(c: ClusterCollector, lines = TIMEOUT_LOG_LINES): string {
  return c.logs().trimEnd().split('\n').slice(-lines).join('\n');
}

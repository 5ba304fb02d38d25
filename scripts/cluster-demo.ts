// npm run cluster-demo: three collectors sharing one PostgreSQL store behind HAProxy, one InfluxDB, and two real
// agents (the compiled executable, enrolled through the balancer) reporting this machine. Prints where everything
// is and which collector each agent is on, SIGKILLs the collector of one agent (the leader, when an agent is on it),
// prints the failover (from the kill to that agent's first ack on another collector, and the new leader) and every
// collector's /healthz, then leaves everything running until Ctrl-C; then stops every process it started.
//   --once   exit 0 after the failover (a smoke test of the whole path)
//
// The two agents run on this one machine, so both report its hostname; a hostname is bound once among a tenant's
// live agents, so each agent enrolls in a tenant of its own (two MSP clients, demo-a and demo-b).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { buildAgent } from './build-agent.js';
import { startCluster, type Cluster, type ClusterCollector } from './lib/cluster.js';
import { findHaproxy } from './lib/haproxy.js';
import { findInfluxd } from './lib/influxd.js';
import { postgresBinDir } from './lib/postgres.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
/** Under .demo/ (ignored by git, Prettier and ESLint); `npm run demo` clears .demo/ as a whole, so run one at a time. */
const DEMO_DIR = join(ROOT, '.demo', 'cluster');
const COLLECTORS = 3;
const TENANTS = [
  { id: 'demo-a', name: 'Demo client A' },
  { id: 'demo-b', name: 'Demo client B' },
];
/** cpu and mem every 2 s (the central policy every collector sends at Welcome): an agent is acked every few seconds,
 *  so its failover shows within seconds instead of at its next one-minute collection. */
const POLICY = 'probes:\n  cpu: { schedule: "*/2 * * * * *" }\n  mem: { schedule: "*/2 * * * * *" }\n';
const WAIT_MS = 90_000;
const POLL_MS = 100;

interface AgentRow {
  agentId: string;
  tenant: string;
  connected: boolean;
  collector?: string | null;
  lastAckAt: string | null;
}

interface DemoAgent {
  tenant: string;
  stateDir: string;
  log: string;
  agentId?: string;
  child?: ChildProcess;
}

const agents: DemoAgent[] = [];
let cluster: Cluster | undefined;

const say = (line = '') => process.stdout.write(line + '\n');

/** Runs an installer script with its output shown; rejects with `hint` when it fails. */
function install(script: string, hint: string): Promise<void> {
  return new Promise<void>((done, fail) =>
    spawn('bash', [join(ROOT, 'scripts', script)], { stdio: 'inherit' }).once('exit', (code) => (code === 0 ? done() : fail(new Error(hint)))),
  );
}

/** influxd, PostgreSQL and HAProxy, each installed when missing (as `npm run demo` installs influxd). */
async function ensureTools(): Promise<void> {
  try {
    findInfluxd();
  } catch {
    say('influxd not found; installing InfluxDB 1.x with scripts/install-influxdb.sh ...');
    await install('install-influxdb.sh', 'could not install influxd (see above); install it and run npm run cluster-demo again');
  }
  try {
    postgresBinDir();
    findHaproxy();
  } catch {
    say('PostgreSQL or HAProxy not found; installing them with scripts/install-cluster-tools.sh ...');
    await install('install-cluster-tools.sh', 'could not install PostgreSQL and HAProxy (see above); install them and run npm run cluster-demo again');
  }
}

function agentTarget(): 'linux-x64' | 'linux-arm64' | 'darwin-x64' | 'darwin-arm64' {
  const target = `${platform()}-${arch()}`;
  if (target === 'linux-x64' || target === 'linux-arm64' || target === 'darwin-x64' || target === 'darwin-arm64') return target;
  throw new Error(`the cluster demo runs the agent executable for this machine, and ${target} has none`);
}

/** Polls `probe` until it gives a value; an error it throws ends the wait. */
async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The agents whose link a collector holds (its own API: each agent names the collector holding it). */
async function liveOn(c: ClusterCollector): Promise<AgentRow[]> {
  const self = await c.request('/api/v1/collectors');
  if (self.status !== 200) throw new Error(`${c.name} answered ${self.status}`);
  const { id } = (JSON.parse(self.body) as { self: { id: string } }).self;
  const answer = await c.request('/api/v1/agents');
  if (answer.status !== 200) throw new Error(`${c.name} answered ${answer.status}`);
  return (JSON.parse(answer.body) as { agents: AgentRow[] }).agents.filter((a) => a.connected && a.collector === id);
}

/** Where `agentId` is connected now among the running collectors, with its session's last ack. */
async function whereIs(agentId: string): Promise<{ collector: ClusterCollector; lastAckAt: number | null } | undefined> {
  for (const c of cluster!.collectors.filter((c) => c.running())) {
    const row = (await liveOn(c).catch(() => [])).find((a) => a.agentId === agentId);
    if (row) return { collector: c, lastAckAt: row.lastAckAt ? Date.parse(row.lastAckAt) : null };
  }
  return undefined;
}

async function startAgent(agent: DemoAgent, bin: string): Promise<void> {
  const token = await cluster!.cli(['token', 'create', '--tenant', agent.tenant, '--expires', '1h']);
  if (token.code !== 0) throw new Error(`token create --tenant ${agent.tenant}: ${token.stderr}`);
  // Enrolled through the balancer, like every agent of a cluster.
  await run(bin, ['enroll', '--server', cluster!.url, '--token', token.stdout.trim(), '--state-dir', agent.stateDir]);
  const fd = openSync(agent.log, 'a');
  agent.child = spawn(bin, ['run', '--state-dir', agent.stateDir], { env: { PATH: process.env.PATH }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
}

/** The agent's id, from the store through the balancer (its tenant has only this agent). */
async function agentIdOf(tenant: string): Promise<string> {
  const res = await fetch(`${cluster!.url}/api/v1/agents?tenant=${tenant}`, { headers: { authorization: `Bearer ${cluster!.adminKey}` } });
  const { agents: rows } = (await res.json()) as { agents: AgentRow[] };
  if (rows.length !== 1) throw new Error(`tenant ${tenant} has ${rows.length} agents`);
  return rows[0]!.agentId;
}

async function printHealth(): Promise<void> {
  const servers = await cluster!.haproxy.servers();
  for (const c of cluster!.collectors) {
    const answer = c.running() ? await c.request('/healthz', { auth: false }).catch(() => null) : null;
    const state = servers.find((s) => s.name === c.name);
    const health = answer ? `${answer.status} ${answer.body}` : 'no answer';
    const agentsHere = c.running() ? (await liveOn(c).catch(() => [])).map((a) => a.tenant).join(', ') || 'none' : '-';
    say(`  ${c.name}  ${c.url}  /healthz: ${health}   HAProxy: ${state?.status ?? '?'} (${state?.check ?? '?'})   agents: ${agentsHere}`);
  }
}

/** Points InfluxDB holds for `tenant`, over every measurement (count(*) per measurement: its fullest field). */
async function pointsOf(tenant: string): Promise<number> {
  const q = encodeURIComponent(`SELECT count(*) FROM /.*/ WHERE "tenant" = '${tenant}'`);
  const body = (await (await fetch(`${cluster!.influx.url}/query?db=watchpost&q=${q}`)).json()) as { results: { series?: { values: number[][] }[] }[] };
  return (body.results[0]?.series ?? []).reduce((sum, s) => sum + Math.max(0, ...(s.values[0] ?? []).slice(1).map(Number).filter(Number.isFinite)), 0);
}

/** The running collector whose /healthz says it leads (the time-driven work runs there), if any says so. */
async function leader(): Promise<ClusterCollector | undefined> {
  for (const c of cluster!.collectors.filter((c) => c.running())) {
    const answer = await c.request('/healthz', { auth: false }).catch(() => null);
    const body = answer ? (JSON.parse(answer.body) as { collector?: { leader?: boolean } }) : {};
    if (body.collector?.leader === true) return c;
  }
  return undefined;
}

function printUrls(c: Cluster, leaderName: string | undefined): void {
  say();
  say('Watchpost cluster demo: collectors sharing one PostgreSQL store behind HAProxy (leastconn, /healthz checks).');
  say(`  balancer      ${c.url}   (API key: ${c.adminKey})`);
  say(`                curl -H 'Authorization: Bearer ${c.adminKey}' ${c.url}/api/v1/agents`);
  for (const x of c.collectors) say(`  collector ${x.name}  ${x.url}   pid ${x.pid}   log ${x.logFile}   (curl --haproxy-protocol ${x.url}/healthz)`);
  say(`  leader        ${leaderName ?? 'none yet'}   (runs the fleet's time-driven work: tick-driven rules, SLA clocks, report mail; /healthz says which)`);
  say(`  PostgreSQL    ${c.storeUrl}   (psql ${c.storeUrl})`);
  say(`  InfluxDB      ${c.influx.url}   database "watchpost"   (influx -port ${c.influx.port} -database watchpost)`);
  say();
}

/** Adds the tenants and starts their agents one after the other, each acked before the next starts: leastconn then
 *  puts them on different collectors. */
async function placeAgents(bin: string): Promise<void> {
  for (const t of TENANTS) {
    const added = await cluster!.cli(['tenant', 'add', t.id, '--name', t.name]);
    if (added.code !== 0) throw new Error(`tenant add ${t.id}: ${added.stderr}`);
  }
  for (const t of TENANTS) {
    const agent: DemoAgent = { tenant: t.id, stateDir: join(DEMO_DIR, `agent-${t.id}`), log: join(DEMO_DIR, `agent-${t.id}.log`) };
    agents.push(agent);
    await startAgent(agent, bin);
    const agentId = await agentIdOf(t.id);
    agent.agentId = agentId;
    const at = await until(async () => {
      if (agent.child!.exitCode !== null) throw new Error(`the agent of ${t.id} exited (${agent.child!.exitCode}); see ${agent.log}`);
      const where = await whereIs(agentId);
      return where?.lastAckAt ? where : undefined;
    }, `the agent of ${t.id} to be acked`);
    say(`agent of ${t.id} (${agentId}) is on ${at.collector.name} (${at.collector.url}), acked`);
  }
  say(`  agent logs    ${agents.map((a) => a.log).join(', ')}`);
  say();
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * SIGKILLs the leader when an agent is on it (its agent fails over and another collector takes the lead), else the
 * collector of the first agent; prints when HAProxy marked it DOWN, the new leader, and the agent's first ack on
 * another collector. Returns the killed collector.
 */
async function killOne(): Promise<ClusterCollector> {
  const lead = await leader();
  const placed = await Promise.all(agents.map(async (agent) => ({ agent, collector: (await whereIs(agent.agentId!))!.collector })));
  const { agent: subject, collector: victim } = placed.find((p) => p.collector === lead) ?? placed[0]!;
  const wasLeader = lead === victim;
  const pid = victim.pid;
  const killedAt = Date.now();
  await victim.kill('SIGKILL');
  say(`SIGKILL to ${victim.name} (pid ${pid}), the collector of the agent of ${subject.tenant}${wasLeader ? ' and the leader' : ''}`);
  const [moved, down, successor] = await Promise.all([
    until(async () => {
      const where = await whereIs(subject.agentId!);
      return where && where.collector !== victim && where.lastAckAt !== null && where.lastAckAt >= killedAt ? where : undefined;
    }, `the agent of ${subject.tenant} to be acked on another collector`),
    until(
      async () => ((await cluster!.haproxy.servers()).find((s) => s.name === victim.name)?.status === 'DOWN' ? Date.now() : undefined),
      `HAProxy to mark ${victim.name} DOWN`,
    ),
    wasLeader
      ? until(async () => {
          const next = await leader();
          return next ? { name: next.name, at: Date.now() } : undefined;
        }, 'another collector to lead')
      : undefined,
  ]);
  say(`  HAProxy marked ${victim.name} DOWN after ${seconds(down - killedAt)}`);
  if (successor) say(`  ${successor.name} took over as the leader after ${seconds(successor.at - killedAt)}`);
  say(
    `  failover: the agent of ${subject.tenant} moved ${victim.name} -> ${moved.collector.name}; first ack there ${seconds(moved.lastAckAt! - killedAt)} after the kill`,
  );
  return victim;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { once: { type: 'boolean' } }, strict: true });
  await ensureTools();
  rmSync(DEMO_DIR, { recursive: true, force: true });
  mkdirSync(DEMO_DIR, { recursive: true });
  const target = agentTarget();
  say(`building the agent executable for ${target} (cached after the first time) ...`);
  const [built] = await buildAgent({ targets: [target], log: () => undefined });
  const policyFile = join(DEMO_DIR, 'policy.yaml');
  writeFileSync(policyFile, POLICY);

  say(`starting PostgreSQL, InfluxDB, ${COLLECTORS} collectors and HAProxy ...`);
  cluster = await startCluster({
    collectors: COLLECTORS,
    dir: DEMO_DIR,
    adminKey: randomBytes(18).toString('base64url'),
    env: { WATCHPOST_POLICY_FILE: policyFile },
  });
  printUrls(cluster, (await leader())?.name);
  await placeAgents(built!.path);
  const victim = await killOne();
  say();
  say('Collectors now:');
  await printHealth();
  say(`Points in InfluxDB: ${(await Promise.all(TENANTS.map(async (t) => `${t.id} ${await pointsOf(t.id)}`))).join(', ')}`);
  if (values.once) return 0;
  say();
  say(`Everything keeps running (${victim.name} stays down); Ctrl-C stops it all.`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  return 0;
}

async function stopAll(): Promise<void> {
  for (const agent of agents) {
    const child = agent.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await cluster?.stop();
}

main()
  .then(async (code) => {
    say('stopping the cluster demo ...');
    await stopAll();
    process.exit(code);
  })
  .catch(async (error: Error) => {
    process.stderr.write(`cluster demo failed: ${error.message}\n`);
    process.stderr.write(`logs: ${DEMO_DIR}/c*.log and agent-*.log\n`);
    await stopAll().catch(() => undefined);
    process.exit(1);
  });

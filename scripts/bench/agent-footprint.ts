// Agent footprint benchmark: the compiled Linux agent at its DEFAULT schedules (every probe), enrolled with a real
// collector and InfluxDB on this machine, sampled every few seconds for a while; beside it, in the same run, the bare
// Node binary it embeds running an idle timer (the baseline: what any Node 24 process costs).
//
// Three agents run. One as systemd starts it from the installed unit: NOTIFY_SOCKET and WATCHDOG_USEC set, a python3
// receiver standing in for systemd's notification socket (scripts/lib/notify-socket.ts), so it pings through
// systemd-notify and starts no worker thread for its loop watch. One with no service manager watching, so its loop
// watch is the worker thread, as on Windows and macOS. And, for comparison, one built without the Node options
// (AGENT_EXEC_ARGV), also with the worker thread: the agent as it was built before them. CPU counts each process's
// own time and that of the commands it ran (journalctl, apt, systemd-notify, ...: the reaped children's time in
// /proc/PID/stat).
// Goals, for the agent under systemd: private memory (RssAnon, what Windows Task Manager's Memory column shows as the
// private working set) <= 25 MB, RSS <= 90 MB, both at their largest sample, and CPU <= 0.3 % of one core.
// At the end it prints where the agents' private memory goes (their /proc/PID/smaps by kind of mapping), their
// threads, and the V8 heap of the agent under systemd (read through the inspector that SIGUSR1 opens, once the
// samples are taken).
//
//   npx tsx scripts/bench/agent-footprint.ts [--minutes 10] [--warmup 1]
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import WebSocket from 'ws';
import { AGENT_EXEC_ARGV, buildAgent, DEFAULT_CACHE_DIR } from '../build-agent.js';
import { ensureNodeBinary } from '../build/node-cache.js';
import { TARGETS } from '../build/targets.js';
import { freePort, startInfluxd } from '../lib/influxd.js';
import { startNotifySocket } from '../lib/notify-socket.js';

const exec = promisify(execFile);
const SAMPLE_EVERY_MS = 5_000;
const CLOCK_TICKS = 100; // USER_HZ on Linux
const MB = 2 ** 20;
const GOAL_PRIVATE_MB = 25;
const GOAL_RSS_MB = 90;
const GOAL_CPU_PERCENT = 0.3;
/** The installed unit's WatchdogSec=60s, as systemd passes it. */
const WATCHDOG_USEC = '60000000';
const INSPECTOR_WAIT_MS = 10_000;

interface Usage {
  rssBytes: number;
  /** Private (anonymous) memory: what this process alone costs. The rest of RSS is file-backed: pages of the
   *  mapped executable, shared with every process of the same binary and reclaimable by the kernel. */
  anonBytes: number;
  cpuSeconds: number;
  /** CPU of the children it waited for: the commands it ran. */
  childCpuSeconds: number;
}

/** RSS and RssAnon from /proc/PID/status; user+system CPU time (fields 14, 15) and that of the reaped children (16,
 *  17) from /proc/PID/stat. */
function usage(pid: number): Usage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  return {
    rssBytes: kb('VmRSS'),
    anonBytes: kb('RssAnon'),
    cpuSeconds: (fields[11]! + fields[12]!) / CLOCK_TICKS,
    childCpuSeconds: (fields[13]! + fields[14]!) / CLOCK_TICKS,
  };
}

interface Summary {
  rssAvgMb: number;
  rssMaxMb: number;
  anonAvgMb: number;
  anonMaxMb: number;
  cpuPercent: number;
  /** Its own and its commands'. */
  cpuAllPercent: number;
}

async function measure(pids: Record<string, number>, warmupMs: number, durationMs: number): Promise<Record<string, Summary>> {
  await new Promise((r) => setTimeout(r, warmupMs));
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, usage(pid)]));
  const t0 = Date.now();
  const samples: Record<string, Usage[]> = Object.fromEntries(Object.keys(pids).map((k) => [k, []]));
  while (Date.now() - t0 < durationMs) {
    await new Promise((r) => setTimeout(r, SAMPLE_EVERY_MS));
    for (const [k, pid] of Object.entries(pids)) samples[k]!.push(usage(pid));
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  const elapsed = (Date.now() - t0) / 1000;
  return Object.fromEntries(
    Object.entries(pids).map(([k, pid]) => {
      const end = usage(pid);
      const list = samples[k]!;
      const avgMb = (pick: (u: Usage) => number) => list.reduce((a, u) => a + pick(u), 0) / list.length / MB;
      const maxMb = (pick: (u: Usage) => number) => Math.max(...list.map(pick)) / MB;
      const own = end.cpuSeconds - start[k]!.cpuSeconds;
      const children = end.childCpuSeconds - start[k]!.childCpuSeconds;
      return [
        k,
        {
          rssAvgMb: avgMb((u) => u.rssBytes),
          rssMaxMb: maxMb((u) => u.rssBytes),
          anonAvgMb: avgMb((u) => u.anonBytes),
          anonMaxMb: maxMb((u) => u.anonBytes),
          cpuPercent: (own / elapsed) * 100,
          cpuAllPercent: ((own + children) / elapsed) * 100,
        },
      ];
    }),
  );
}

interface Mapping {
  start: number;
  end: number;
  perms: string;
  path: string;
  anonKb: number;
}

/**
 * Private memory by kind of mapping, from /proc/PID/smaps (each mapping's Anonymous pages). How each kind is told:
 *   malloc          glibc's main arena ([heap]) and its thread arenas (64 MiB-aligned reservations);
 *   V8 heap         V8's pages, code included: anonymous mappings aligned to its 256 KiB page size, and its code
 *                   range (rwx where the pages' protection did not split it);
 *   thread stacks   the 8 MiB mappings of threads other than the main one ([stack]);
 *   binaries' data  written pages of the executable's and libraries' data sections;
 *   other           the rest: glibc's mmapped blocks (above its mmap threshold), the main stack.
 */
function privateByKind(pid: number): Record<string, { mb: number; mappings: number }> {
  const maps: Mapping[] = [];
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) maps.push({ start: parseInt(head[1]!, 16), end: parseInt(head[2]!, 16), perms: head[3]!, path: head[4]!.trim(), anonKb: 0 });
    else if (line.startsWith('Anonymous:')) maps.at(-1)!.anonKb = Number(line.split(/\s+/)[1]);
  }
  const kind = (m: Mapping): string => {
    if (m.path === '[heap]' || (!m.path && m.start % (64 * MB) === 0)) return 'malloc';
    if (m.path.startsWith('/')) return "binaries' data";
    if (m.path) return 'other';
    if (m.end - m.start === 8 * MB) return 'thread stacks';
    if (m.perms === 'rwxp' || m.start % (256 * 1024) === 0) return 'V8 heap';
    return 'other';
  };
  const result: Record<string, { mb: number; mappings: number }> = {};
  for (const m of maps) {
    if (m.anonKb === 0) continue;
    const entry = (result[kind(m)] ??= { mb: 0, mappings: 0 });
    entry.mb += m.anonKb / 1024;
    entry.mappings++;
  }
  return result;
}

/** The process's threads by name (Linux's comm: Node names its own), e.g. "libuv-worker x4". */
function threads(pid: number): string {
  const names = readdirSync(`/proc/${pid}/task`).map((task) => readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim());
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, n]) => (n > 1 ? `${name} x${n}` : name)).join(', ') + ` (${names.length})`;
}

/** What the agent's V8 holds, read in the agent through the inspector: SIGUSR1 opens it on the port that
 *  NODE_OPTIONS=--inspect-port set, and its stderr says where. */
async function v8Breakdown(agent: ChildProcess, stderr: () => string): Promise<string> {
  agent.kill('SIGUSR1');
  const deadline = Date.now() + INSPECTOR_WAIT_MS;
  let url: string | undefined;
  while (!(url = /Debugger listening on (ws:\/\/\S+)/.exec(stderr())?.[1]) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (!url) return 'inspector did not open';
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const expression = `JSON.stringify({ usage: process.memoryUsage(), spaces: process.getBuiltinModule('v8').getHeapSpaceStatistics() })`;
  const reply = await new Promise<string>((resolve) => {
    ws.once('message', (data: Buffer) => resolve((JSON.parse(data.toString()) as { result: { result: { value: string } } }).result.result.value));
    ws.send(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression, returnByValue: true } }));
  });
  ws.close();
  const { usage: u, spaces } = JSON.parse(reply) as {
    usage: NodeJS.MemoryUsage;
    spaces: { space_name: string; physical_space_size: number; space_used_size: number }[];
  };
  const mb = (bytes: number) => (bytes / MB).toFixed(1);
  const used = spaces
    .filter((s) => s.physical_space_size > 0)
    .map((s) => `${s.space_name.replace(/_space$/, '')} ${mb(s.physical_space_size)} (${mb(s.space_used_size)} used)`);
  return `heapTotal ${mb(u.heapTotal)} MB, heapUsed ${mb(u.heapUsed)}, external ${mb(u.external)} (arrayBuffers ${mb(u.arrayBuffers)}); spaces in MB: ${used.join(', ')}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, warmup: { type: 'string', default: '1' } } });
  const durationMs = Number(values.minutes) * 60_000;
  const warmupMs = Number(values.warmup) * 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'wp-footprint-'));
  const children: ChildProcess[] = [];
  const influxDir = join(dir, 'influxdb');
  mkdirSync(influxDir);
  const [influx, [built], [plain], port, notify] = await Promise.all([
    startInfluxd({ dir: influxDir }),
    buildAgent({ targets: ['linux-x64'], outDir: join(dir, 'bin'), log: () => undefined }),
    buildAgent({ targets: ['linux-x64'], outDir: join(dir, 'bin-plain'), log: () => undefined, execArgv: [] }),
    freePort(),
    startNotifySocket(join(dir, 'notify.sock')),
  ]);
  try {
    const server = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      WATCHPOST_LISTEN: `127.0.0.1:${port}`,
      WATCHPOST_INFLUX_URL: influx.url,
      WATCHPOST_DATA_DIR: join(dir, 'collector'),
      WATCHPOST_LOG_LEVEL: 'warn',
    };
    const cli = [process.execPath, '--import', 'tsx', 'collector/src/bin.ts'];
    // One tenant per agent: a collector binds a host name to one live agent per tenant.
    const tokens: string[] = [];
    for (const tenant of ['systemd', 'worker', 'plain']) {
      await exec(cli[0]!, [...cli.slice(1), 'tenant', 'add', tenant, '--name', tenant], { env });
      tokens.push((await exec(cli[0]!, [...cli.slice(1), 'token', 'create', '--tenant', tenant], { env })).stdout.trim());
    }
    children.push(spawn(cli[0]!, [...cli.slice(1), 'serve'], { env, stdio: 'ignore' }));
    for (let i = 0; i < 100 && !(await fetch(`${server}/healthz`).catch(() => null)); i++) await new Promise((r) => setTimeout(r, 200));

    // The agents' environment: this one's without anything of systemd's or Node's (tsx's loader flags).
    const agentEnv = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID', 'NODE_OPTIONS'].includes(k) && !k.startsWith('WATCHPOST_'),
      ),
    );
    const startAgent = async (name: string, executable: string, token: string, extra: Record<string, string>) => {
      const stateDir = join(dir, `agent-${name}`);
      await exec(executable, ['enroll', '--server', server, '--token', token, '--state-dir', stateDir], { env: agentEnv });
      const child = spawn(executable, ['run', '--state-dir', stateDir], { env: { ...agentEnv, ...extra }, stdio: ['ignore', 'ignore', 'pipe'] });
      // Its log: the start (which names the probes) and the latest lines (where the inspector says it listens).
      let [head, tail] = ['', ''];
      child.stderr!.on('data', (chunk: Buffer) => {
        if (head.length < 8_000) head += chunk.toString();
        else tail = (tail + chunk.toString()).slice(-20_000);
      });
      children.push(child);
      return { child, stderr: () => `${head}\n${tail}` };
    };
    const systemd = await startAgent('systemd', built!.path, tokens[0]!, {
      NOTIFY_SOCKET: notify.path,
      WATCHDOG_USEC,
      NODE_OPTIONS: '--inspect-port=127.0.0.1:0',
    });
    const worker = await startAgent('worker', built!.path, tokens[1]!, {});
    const before = await startAgent('plain', plain!.path, tokens[2]!, {});
    const bareNode = await ensureNodeBinary(DEFAULT_CACHE_DIR, TARGETS['linux-x64'].node, () => undefined);
    const baseline = spawn(bareNode, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(baseline);
    const node = TARGETS['linux-x64'].node.version;
    console.log(
      `measuring ${values.minutes} min after ${values.warmup} min warm-up: the agent (Node ${node}, ${AGENT_EXEC_ARGV.join(' ')}) at default schedules, ` +
        `under systemd and with no service manager watching (its loop-watch worker thread), and built without the options; baseline: bare Node ${node} idle`,
    );
    const pids = {
      'agent under systemd': systemd.child.pid!,
      'agent, worker thread': worker.child.pid!,
      'no options, worker': before.child.pid!,
      'bare Node (baseline)': baseline.pid!,
    };
    const result = await measure(pids, warmupMs, durationMs);
    const os = /^PRETTY_NAME="?([^"\n]*)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? process.platform;
    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${os}`);
    const probes = / probes=(\S+)/.exec(systemd.stderr())?.[1]?.split(',') ?? [];
    console.log(`probes (${probes.length}): ${probes.join(', ')}`);
    const f = (n: number) => n.toFixed(1);
    console.log(`${''.padEnd(22)} ${'RSS avg (max)'.padEnd(18)} ${'private avg (max)'.padEnd(18)} CPU own / with its commands`);
    for (const [name, s] of Object.entries(result)) {
      const rss = `${f(s.rssAvgMb)} (${f(s.rssMaxMb)}) MB`;
      const anon = `${f(s.anonAvgMb)} (${f(s.anonMaxMb)}) MB`;
      console.log(`${name.padEnd(22)} ${rss.padEnd(18)} ${anon.padEnd(18)} ${s.cpuPercent.toFixed(3)} / ${s.cpuAllPercent.toFixed(3)} % of a core`);
    }
    const a = result['agent under systemd']!;
    const w = result['agent, worker thread']!;
    const p = result['no options, worker']!;
    const b = result['bare Node (baseline)']!;
    console.log(
      `ratio to the baseline  RSS ${(a.rssAvgMb / b.rssAvgMb).toFixed(2)}x, private ${(a.anonAvgMb / b.anonAvgMb).toFixed(2)}x; ` +
        `CPU ${(a.cpuAllPercent - b.cpuAllPercent).toFixed(3)} points above it; the worker thread costs ${f(w.anonAvgMb - a.anonAvgMb)} MB private, ` +
        `the Node options save ${f(p.anonAvgMb - w.anonAvgMb)} MB private and ${f(p.rssAvgMb - w.rssAvgMb)} MB RSS`,
    );
    const goal = (what: string, value: number, limit: number, unit: string) => `${what} <= ${limit}${unit}: ${value <= limit ? 'met' : 'NOT met'}`;
    console.log(
      `goals (agent under systemd): ${goal('private', a.anonMaxMb, GOAL_PRIVATE_MB, ' MB')}; ${goal('RSS', a.rssMaxMb, GOAL_RSS_MB, ' MB')}; ` +
        `${goal('CPU', a.cpuAllPercent, GOAL_CPU_PERCENT, ' %')}`,
    );
    const pings = notify.pings();
    console.log(
      `keep-alives to the notification socket: ${pings.length} (every ${((pings.at(-1)!.at - pings[0]!.at) / 1000 / (pings.length - 1)).toFixed(1)} s)`,
    );
    for (const [name, agent] of [
      ['agent under systemd', systemd],
      ['agent, worker thread', worker],
      ['no options, worker', before],
    ] as const) {
      const kinds = Object.entries(privateByKind(agent.child.pid!)).sort((x, y) => y[1].mb - x[1].mb);
      console.log(`${name}, private memory now: ${kinds.map(([k, v]) => `${k} ${f(v.mb)} MB (${v.mappings})`).join(', ')}`);
      console.log(`${name}, threads: ${threads(agent.child.pid!)}`);
    }
    console.log(`agent under systemd, V8: ${await v8Breakdown(systemd.child, systemd.stderr)}`);
  } finally {
    for (const child of children.reverse()) child.kill('SIGTERM');
    notify.stop();
    await new Promise((r) => setTimeout(r, 1000));
    await influx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(`footprint benchmark failed: ${error.stack ?? error.message}`);
  process.exit(1);
});

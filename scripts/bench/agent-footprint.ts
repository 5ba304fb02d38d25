// Agent footprint benchmark: the compiled Linux agent at its DEFAULT schedules, enrolled with a
// real collector and InfluxDB on this machine, sampled every few seconds for a while; beside it, in the same run,
// the bare Node binary it embeds running an idle timer (the baseline: what any Node 24 process costs).
// Prints steady RSS and average CPU for both, and the ratios. Goal: RSS <= 60 MB, CPU <= 0.3 % of one core.
//
//   npx tsx scripts/bench/agent-footprint.ts [--minutes 10] [--warmup 1]
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { buildAgent, DEFAULT_CACHE_DIR } from '../build-agent.js';
import { ensureNodeBinary } from '../build/node-cache.js';
import { TARGETS } from '../build/targets.js';
import { freePort, startInfluxd } from '../lib/influxd.js';

const exec = promisify(execFile);
const SAMPLE_EVERY_MS = 5_000;
const CLOCK_TICKS = 100; // USER_HZ on Linux
const GOAL_RSS_MB = 60;
const GOAL_CPU_PERCENT = 0.3;

interface Usage {
  rssBytes: number;
  /** Private (anonymous) memory: what this process alone costs. The rest of RSS is file-backed: pages of the
   *  mapped executable, shared with every process of the same binary and reclaimable by the kernel. */
  anonBytes: number;
  cpuSeconds: number;
}

/** RSS and RssAnon from /proc/PID/status, user+system CPU time from /proc/PID/stat (fields 14 and 15). */
function usage(pid: number): Usage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssBytes: kb('VmRSS'), anonBytes: kb('RssAnon'), cpuSeconds: ticks / CLOCK_TICKS };
}

interface Summary {
  rssAvgMb: number;
  rssMaxMb: number;
  anonAvgMb: number;
  cpuPercent: number;
}

async function measure(pids: Record<string, number>, warmupMs: number, durationMs: number): Promise<Record<string, Summary>> {
  await new Promise((r) => setTimeout(r, warmupMs));
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, usage(pid)]));
  const t0 = Date.now();
  const rss: Record<string, number[]> = Object.fromEntries(Object.keys(pids).map((k) => [k, []]));
  const anon: Record<string, number[]> = Object.fromEntries(Object.keys(pids).map((k) => [k, []]));
  while (Date.now() - t0 < durationMs) {
    await new Promise((r) => setTimeout(r, SAMPLE_EVERY_MS));
    for (const [k, pid] of Object.entries(pids)) {
      const u = usage(pid);
      rss[k]!.push(u.rssBytes);
      anon[k]!.push(u.anonBytes);
    }
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  const elapsed = (Date.now() - t0) / 1000;
  return Object.fromEntries(
    Object.entries(pids).map(([k, pid]) => {
      const end = usage(pid);
      const values = rss[k]!;
      const avgMb = (list: number[]) => list.reduce((a, b) => a + b, 0) / list.length / 2 ** 20;
      return [
        k,
        {
          rssAvgMb: avgMb(values),
          rssMaxMb: Math.max(...values) / 2 ** 20,
          anonAvgMb: avgMb(anon[k]!),
          cpuPercent: ((end.cpuSeconds - start[k]!.cpuSeconds) / elapsed) * 100,
        },
      ];
    }),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, warmup: { type: 'string', default: '1' } } });
  const durationMs = Number(values.minutes) * 60_000;
  const warmupMs = Number(values.warmup) * 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'wp-footprint-'));
  const children: ChildProcess[] = [];
  const influxDir = join(dir, 'influxdb');
  mkdirSync(influxDir);
  const [influx, [built], port] = await Promise.all([
    startInfluxd({ dir: influxDir }),
    buildAgent({ targets: ['linux-x64'], outDir: join(dir, 'bin'), log: () => undefined }),
    freePort(),
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
    await exec(cli[0]!, [...cli.slice(1), 'tenant', 'add', 'bench', '--name', 'Bench'], { env });
    const { stdout: token } = await exec(cli[0]!, [...cli.slice(1), 'token', 'create', '--tenant', 'bench'], { env });
    children.push(spawn(cli[0]!, [...cli.slice(1), 'serve'], { env, stdio: 'ignore' }));
    for (let i = 0; i < 100 && !(await fetch(`${server}/healthz`).catch(() => null)); i++) await new Promise((r) => setTimeout(r, 200));
    const stateDir = join(dir, 'agent');
    await exec(built!.path, ['enroll', '--server', server, '--token', token.trim(), '--state-dir', stateDir]);
    const agent = spawn(built!.path, ['run', '--state-dir', stateDir], { stdio: 'ignore' });
    const bareNode = await ensureNodeBinary(DEFAULT_CACHE_DIR, TARGETS['linux-x64'].node, () => undefined);
    const baseline = spawn(bareNode, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(agent, baseline);
    console.log(
      `measuring ${values.minutes} min after ${values.warmup} min warm-up (agent at default schedules, baseline: bare Node ${TARGETS['linux-x64'].node.version} idle)`,
    );
    const result = await measure({ agent: agent.pid!, baseline: baseline.pid! }, warmupMs, durationMs);
    const a = result.agent!;
    const b = result.baseline!;
    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform}`);
    const line = (name: string, s: Summary) =>
      `${name.padEnd(9)} RSS avg ${s.rssAvgMb.toFixed(1)} MB (private ${s.anonAvgMb.toFixed(1)} MB), max ${s.rssMaxMb.toFixed(1)} MB, CPU ${s.cpuPercent.toFixed(3)} % of a core`;
    console.log(line('agent', a));
    console.log(line('baseline', b));
    console.log(
      `ratio     RSS ${(a.rssAvgMb / b.rssAvgMb).toFixed(2)}x the bare Node process (private ${(a.anonAvgMb / b.anonAvgMb).toFixed(2)}x); CPU ${(a.cpuPercent - b.cpuPercent).toFixed(3)} points above it`,
    );
    console.log(
      `goals     RSS <= ${GOAL_RSS_MB} MB: ${a.rssMaxMb <= GOAL_RSS_MB ? 'met' : 'NOT met'}; CPU <= ${GOAL_CPU_PERCENT} %: ${a.cpuPercent <= GOAL_CPU_PERCENT ? 'met' : 'NOT met'}`,
    );
  } finally {
    for (const child of children.reverse()) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    await influx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(`footprint benchmark failed: ${error.stack ?? error.message}`);
  process.exit(1);
});

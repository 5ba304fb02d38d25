// Agent size and start benchmark. Two measurements, each beside a baseline from the same run:
//  1. size: the linux-x64 agent executable against the exact Node binary it embeds (goal: <= +5 MB), with the
//     difference broken down into the NODE_SEA_BLOB note (read from the ELF), the bundled JS inside it, and what
//     postject's layout adds around it;
//  2. start to first ack: wall time from spawning `watchpost-agent run` (a fresh enrollment each time, default
//     schedules) to the collector acking its first batch, against the bare Node binary's `node -e 0` and the
//     executable's `--version`, each spawned to exit.
// The collector runs in this process (startBenchCollector, with a real influxd), so spawn, connection and ack are
// timed on one clock, at the moment they happen, without polling. Only one agent runs at a time, so every ack
// after a spawn is that agent's.
//
//   npx tsx scripts/bench/agent-size-start.ts [--runs 5] [--agent PATH]   (--agent: measure that executable
//                                                                           instead of building one)
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { buildAgent, DEFAULT_CACHE_DIR, DEFAULT_ENTRY } from '../build-agent.js';
import { bundleAgent } from '../build/bundle.js';
import { ensureNodeBinary } from '../build/node-cache.js';
import { SEA_RESOURCE_NAME } from '../build/sea.js';
import { TARGETS } from '../build/targets.js';
import { startBenchCollector } from './lib/collector.js';
import { machine, stats, type Stats } from './lib/stats.js';

const exec = promisify(execFile);
const GOAL_EXTRA_MB = 5;
const MB = 2 ** 20;
/** A run whose first ack has not come by then is a failure, not a slow sample. */
const FIRST_ACK_TIMEOUT_MS = 120_000;
const REPO_ROOT = join(DEFAULT_ENTRY, '../../..');
const PT_NOTE = 4;

/** Size of the `name` note's payload in an ELF64 little-endian file (what postject injected), or undefined. */
export function elfNoteSize(elf: Buffer, name: string): number | undefined {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) throw new Error('not an ELF64 LE file');
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (elf.readUInt32LE(ph) !== PT_NOTE) continue;
    const offset = Number(elf.readBigUInt64LE(ph + 8));
    const end = offset + Number(elf.readBigUInt64LE(ph + 32));
    const align = Math.max(4, Number(elf.readBigUInt64LE(ph + 48)));
    const pad = (n: number) => Math.ceil(n / align) * align;
    for (let at = offset; at + 12 <= end;) {
      const namesz = elf.readUInt32LE(at);
      const descsz = elf.readUInt32LE(at + 4);
      const noteName = elf.toString('latin1', at + 12, at + 12 + namesz).replace(/\0+$/, '');
      if (noteName === name) return descsz;
      at += 12 + pad(namesz) + pad(descsz);
    }
  }
  return undefined;
}

/** Spawns `file args` and resolves with the ms until it exited (rejects on a non-zero exit). */
function timeToExit(file: string, args: readonly string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${file} ${args.join(' ')} exited ${code}`))));
  });
}

async function sizeReport(agentPath: string, nodePath: string): Promise<string[]> {
  const agentBytes = statSync(agentPath).size;
  const nodeBytes = statSync(nodePath).size;
  const blobBytes = elfNoteSize(readFileSync(agentPath), SEA_RESOURCE_NAME);
  const work = mkdtempSync(join(tmpdir(), 'wp-size-'));
  let jsBytes: number;
  try {
    const bundle = join(work, 'watchpost-agent.cjs');
    await bundleAgent(DEFAULT_ENTRY, bundle, REPO_ROOT); // the same esbuild step buildAgent runs
    jsBytes = statSync(bundle).size;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const extra = agentBytes - nodeBytes;
  const mb = (bytes: number) => `${(bytes / MB).toFixed(2)} MB`;
  return [
    `size      agent ${agentBytes} B (${mb(agentBytes)}), bare node ${TARGETS['linux-x64'].node.version} ${nodeBytes} B (${mb(nodeBytes)})`,
    `          difference +${mb(extra)} (${(agentBytes / nodeBytes).toFixed(4)}x the bare Node binary)`,
    blobBytes === undefined
      ? `          no ${SEA_RESOURCE_NAME} note found in the executable`
      : `          = SEA blob note ${mb(blobBytes)} (bundled JS ${mb(jsBytes)}, blob header ${blobBytes - jsBytes} B) + postject layout ${mb(extra - blobBytes)}`,
    `goal      <= +${GOAL_EXTRA_MB} MB: ${extra / MB <= GOAL_EXTRA_MB ? 'met' : 'NOT met'}`,
  ];
}

interface StartRun {
  connectedMs: number;
  firstAckMs: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, agent: { type: 'string' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: expected a positive integer, got ${values.runs}`);
  const dir = mkdtempSync(join(tmpdir(), 'wp-size-start-'));
  let marks: { connected?: number; acked?: number; wake?: () => void } = {};
  const collector = await startBenchCollector({ name: 'wp-size-start-collector' });
  try {
    const agentPath = values.agent ?? (await buildAgent({ targets: ['linux-x64'], outDir: join(dir, 'bin'), log: () => undefined }))[0]!.path;
    const nodePath = await ensureNodeBinary(DEFAULT_CACHE_DIR, TARGETS['linux-x64'].node, () => undefined);
    console.log(`machine   ${machine()}`);
    for (const line of await sizeReport(agentPath, nodePath)) console.log(line);

    // Baselines: a process of the bare Node binary doing nothing, and the agent executable doing almost nothing.
    // One untimed run of each first: the first spawn of a 120 MB file would otherwise measure the disk.
    await timeToExit(nodePath, ['-e', '0']);
    await timeToExit(agentPath, ['--version']);
    const bare: number[] = [];
    const version: number[] = [];
    for (let i = 0; i < runs; i++) {
      bare.push(await timeToExit(nodePath, ['-e', '0']));
      version.push(await timeToExit(agentPath, ['--version']));
    }

    // The moments the collector opens the agent's session (after its Hello) and acks a batch, as they happen.
    const { metrics } = collector.built;
    const setConnected = metrics.agentsConnected.set.bind(metrics.agentsConnected);
    metrics.agentsConnected.set = ((value: number) => {
      if (value > 0) marks.connected ??= performance.now();
      setConnected(value);
    }) as typeof metrics.agentsConnected.set;
    const incAcked = metrics.batchesAcked.inc.bind(metrics.batchesAcked);
    metrics.batchesAcked.inc = ((value?: number) => {
      if (marks.acked === undefined) {
        marks.acked = performance.now();
        marks.wake?.();
      }
      incAcked(value);
    }) as typeof metrics.batchesAcked.inc;

    const server = `http://127.0.0.1:${collector.port}`;
    const token = collector.token(runs);
    const starts: StartRun[] = [];
    for (let i = 0; i < runs; i++) {
      const stateDir = join(dir, `agent-${i}`);
      await exec(agentPath, ['enroll', '--server', server, '--token', token, '--state-dir', stateDir]);
      const acked = new Promise<void>((resolve) => (marks = { wake: resolve }));
      const t0 = performance.now();
      const agent = spawn(agentPath, ['run', '--state-dir', stateDir], { stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => agent.once('exit', () => resolve()));
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        acked.then(() => 'acked' as const),
        exited.then(() => 'exited' as const),
        new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), FIRST_ACK_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
      agent.kill('SIGTERM');
      await exited;
      if (outcome !== 'acked') throw new Error(`run ${i + 1}: the agent ${outcome === 'exited' ? 'exited' : 'was not acked in time'} before its first ack`);
      starts.push({ connectedMs: (marks.connected ?? NaN) - t0, firstAckMs: marks.acked! - t0 });
      process.stderr.write('.');
    }
    process.stderr.write('\n');

    const line = (name: string, st: Stats) => `${name.padEnd(38)} p50 ${st.p50.toFixed(1)} ms  max ${st.max.toFixed(1)} ms  (n=${st.n})`;
    const bareStats = stats(bare);
    const versionStats = stats(version);
    const connected = stats(starts.map((s) => s.connectedMs));
    const firstAck = stats(starts.map((s) => s.firstAckMs));
    console.log(`start     ${runs} runs each; agent at default schedules, fresh enrollment per run; collector in this process: ${collector.describe()}`);
    console.log(line('baseline: bare node -e 0', bareStats));
    console.log(line('agent --version', versionStats));
    console.log(line('agent run -> session open (Hello)', connected));
    console.log(line('agent run -> first batch acked', firstAck));
    console.log(
      `ratios    --version ${(versionStats.p50 / bareStats.p50).toFixed(2)}x bare node; first ack ${(firstAck.p50 / bareStats.p50).toFixed(1)}x bare node, ${(firstAck.p50 / versionStats.p50).toFixed(1)}x --version (p50s)`,
    );
  } finally {
    await collector.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(`size/start benchmark failed: ${error.stack ?? error.message}`);
  process.exit(1);
});

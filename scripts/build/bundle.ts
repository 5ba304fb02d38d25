// Bundles the agent into one CommonJS file for Node's single-executable mechanism. Node 24's SEA runs a CommonJS
// main script whose `require` reaches only built-in modules, so everything else must be inside the bundle.
import { build, type Metafile } from 'esbuild';
import { relative, sep } from 'node:path';

/** Optional native add-ons that their users load inside try/catch: absent in the executable, and that is fine. */
export const OPTIONAL_NATIVE_EXTERNALS: readonly string[] = [
  'bufferutil', // ws: faster masking; ws falls back to JS
  'utf-8-validate', // ws: faster UTF-8 checks; ws falls back to JS
  'osx-temperature-sensor', // systeminformation on macOS: CPU temperature only
  'macos-temperature-sensor', // systeminformation on macOS: CPU temperature only
];

/** Inputs that must never reach the agent: the collector's code and its native SQLite binding. */
const FORBIDDEN_INPUTS: readonly RegExp[] = [/^collector\//, /(^|\/)node_modules\/better-sqlite3\//];

export interface BundleResult {
  /** Paths (relative to the repo root, `/`-separated) of every source file in the bundle. */
  inputs: string[];
  warnings: string[];
}

/** What a release build bakes in: read by agent/src/version.ts and agent/src/update/release-key.ts. */
export interface ReleaseDefines {
  /** The version the executable reports (`--version`, Hello, inventory). */
  version?: string;
  /** The release public key (SPKI PEM) update offers are verified with. */
  releaseKeyPem?: string;
}

/** esbuild `define`s for the agent's build-time globals (values are JS expressions: JSON strings). Pure; tested. */
export function releaseDefines(release: ReleaseDefines): Record<string, string> {
  const defines: Record<string, string> = {};
  if (release.version !== undefined) defines.__WATCHPOST_VERSION__ = JSON.stringify(release.version);
  if (release.releaseKeyPem !== undefined) defines.__WATCHPOST_RELEASE_KEY__ = JSON.stringify(release.releaseKeyPem);
  return defines;
}

/**
 * Writes `outFile` (and `outFile.map`) from `entry`. `import.meta.url` is defined from `__filename` because the
 * agent's sources are ESM while the SEA main script is CommonJS (esbuild would otherwise leave it undefined).
 */
export async function bundleAgent(entry: string, outFile: string, repoRoot: string, release: ReleaseDefines = {}): Promise<BundleResult> {
  const result = await build({
    entryPoints: [entry],
    outfile: outFile,
    absWorkingDir: repoRoot,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    minify: true,
    // Readable function names in stack traces from the field are worth the few kilobytes.
    keepNames: true,
    // Not embedded: the map is written beside the bundle so a stack trace from a customer can be decoded.
    sourcemap: 'external',
    external: [...OPTIONAL_NATIVE_EXTERNALS],
    define: { 'import.meta.url': '__watchpost_import_meta_url', ...releaseDefines(release) },
    banner: { js: 'var __watchpost_import_meta_url=require("node:url").pathToFileURL(__filename).href;' },
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = bundleInputs(result.metafile, repoRoot);
  const forbidden = forbiddenInputs(inputs);
  if (forbidden.length > 0) {
    throw new Error(`the agent bundle must not contain collector code or better-sqlite3: ${forbidden.join(', ')}`);
  }
  return { inputs, warnings: result.warnings.map((w) => w.text) };
}

/** The bundle's inputs as repo-relative `/` paths (esbuild reports them relative to absWorkingDir already). */
function bundleInputs(metafile: Metafile, repoRoot: string): string[] {
  return Object.keys(metafile.inputs).map((p) =>
    relative(repoRoot, p.startsWith('/') ? p : `${repoRoot}/${p}`)
      .split(sep)
      .join('/'),
  );
}

/** The inputs that break the agent/collector boundary or drag in a native module. Pure; tested. */
export function forbiddenInputs(inputs: readonly string[]): string[] {
  return inputs.filter((input) => FORBIDDEN_INPUTS.some((pattern) => pattern.test(input)));
}

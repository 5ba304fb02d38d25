// Node single-executable-application steps: write the blob with a Node of the target's version, inject it into a
// copy of the target's Node binary with postject, and inspect the result.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BinaryFormat } from './targets.js';

const execFileAsync = promisify(execFile);
const STEP_TIMEOUT_MS = 5 * 60_000;

/** The fuse Node's SEA support looks for; postject flips its trailing `:0` to `:1` when it injects. */
export const SEA_SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
/** Resource (ELF note / PE resource / Mach-O section) name Node reads the blob from. */
export const SEA_RESOURCE_NAME = 'NODE_SEA_BLOB';
/** Mach-O segment Node looks in. */
export const SEA_MACHO_SEGMENT = 'NODE_SEA';

/**
 * Writes the SEA blob for `mainScript` using `nodeBinary` (must run on this machine and be the target's exact Node
 * version). The code cache and startup snapshot are off: both are V8 data specific to the platform and
 * architecture that wrote them, and the blob is written on linux-x64 for every target.
 */
export async function makeSeaBlob(nodeBinary: string, mainScript: string, workDir: string, name: string, execArgv: readonly string[] = []): Promise<string> {
  const output = join(workDir, `${name}.blob`);
  const config = join(workDir, `${name}.sea-config.json`);
  const seaConfig = {
    main: mainScript,
    output,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: false,
    ...(execArgv.length > 0 ? { execArgv } : {}),
  };
  await writeFile(config, JSON.stringify(seaConfig, null, 2));
  await execFileAsync(nodeBinary, ['--experimental-sea-config', config], { cwd: workDir, timeout: STEP_TIMEOUT_MS });
  return output;
}

/**
 * The main script with every character above U+007F written as a `\uXXXX` escape. V8 keeps a script that has any
 * character above U+00FF as a two-byte string, twice its size, in the process's memory for its whole life (the
 * agent's 0.7 MB bundle would cost 1.4 MB). esbuild's ASCII output leaves regular expression literals as written, and
 * two of them (systemctl's `●`, systeminformation's `°`) would make the whole bundle two-byte. The escape means the
 * same character in strings, templates and regular expressions (with or without the u flag: a character beyond
 * U+FFFF becomes its two surrogate halves); only the raw text of a tagged template (String.raw) would differ. The
 * source map's columns after an escaped character move by 5 on that line. Pure; tested.
 */
export function asciiOnly(script: string): string {
  return script.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Injects `blob` into `executable` in place (a copy of the target's Node binary). */
export async function injectSeaBlob(executable: string, blob: string, format: BinaryFormat): Promise<void> {
  const require = createRequire(import.meta.url);
  // postject runs in a child process: its WebAssembly module holds the whole binary in memory and installs
  // process-wide uncaughtException handlers, neither of which belongs in the build's (or a test runner's) process.
  const cli = require.resolve('postject/dist/cli.js');
  const args = [cli, executable, SEA_RESOURCE_NAME, blob, '--sentinel-fuse', SEA_SENTINEL_FUSE];
  if (format === 'mach-o') args.push('--macho-segment-name', SEA_MACHO_SEGMENT);
  await execFileAsync(process.execPath, args, { timeout: STEP_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
}

const MACHO_MAGICS: readonly number[] = [0xfeedfacf, 0xcffaedfe, 0xcafebabe, 0xbebafeca];

/** The executable format from a file's first bytes, or undefined. Pure; tested. */
export function detectFormat(head: Buffer): BinaryFormat | undefined {
  if (head.length >= 4 && head.readUInt32BE(0) === 0x7f454c46) return 'elf';
  if (head.length >= 2 && head.toString('latin1', 0, 2) === 'MZ') return 'pe';
  if (head.length >= 4 && MACHO_MAGICS.includes(head.readUInt32BE(0))) return 'mach-o';
  return undefined;
}

/** Whether the SEA fuse is present and flipped (`…:1`), i.e. a blob was injected. Pure; tested. */
export function seaFuseState(binary: Buffer): 'flipped' | 'unflipped' | 'absent' {
  const at = binary.indexOf(SEA_SENTINEL_FUSE);
  if (at === -1) return 'absent';
  const suffix = binary.toString('latin1', at + SEA_SENTINEL_FUSE.length, at + SEA_SENTINEL_FUSE.length + 2);
  return suffix === ':1' ? 'flipped' : 'unflipped';
}

// Running `install` and `uninstall` in this process against scratch roots: the commands as the CLI builds them
// (createInstallCommand/createUninstallCommand with this process's platform, environment and the real allow-listed
// runner), with their output captured and "not root" as the default (--root must need no rights).
import { lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../../../agent/src/commands/command.js';
import { createInstallCommand, type InstallCommandDeps } from '../../../agent/src/commands/install.js';
import { createUninstallCommand } from '../../../agent/src/commands/uninstall.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

const made: string[] = [];
/** A fresh directory under the system's temp dir, removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Parses `argv` with the command's options, as cli.ts does, and runs it. */
async function runCommand(make: (deps: Partial<InstallCommandDeps>) => Command, argv: string[], deps: Partial<InstallCommandDeps>): Promise<CommandResult> {
  const out: string[] = [];
  const err: string[] = [];
  const command = make({ privileged: () => Promise.resolve(false), ...deps, out: (l) => out.push(l), err: (l) => err.push(l) });
  const { values, positionals } = parseArgs({ args: argv, options: command.options, allowPositionals: true, strict: true });
  const code = await command.run({ values, positionals });
  return { code, stdout: out.map((l) => `${l}\n`).join(''), stderr: err.map((l) => `${l}\n`).join('') };
}

export const install = (argv: string[], deps: Partial<InstallCommandDeps> = {}) => runCommand(createInstallCommand, argv, deps);
export const uninstall = (argv: string[], deps: Partial<InstallCommandDeps> = {}) => runCommand(createUninstallCommand, argv, deps);

/** Node's single-executable fuse as postject leaves it, assembled (as the agent does) rather than written out. */
export const SEA_FUSE_FLIPPED = `${['NODE', 'SEA', 'FUSE', 'fce680ab2cc467b6e072b8b5df1996b2'].join('_')}:1`;

/** A stand-in agent executable: a shell script carrying the flipped fuse, which is what install checks for. */
export function standIn(dir: string, label: string): string {
  const file = join(dir, `watchpost-agent-${label}`);
  writeFileSync(file, `#!/bin/sh\n# stand-in for the watchpost-agent executable (${label}); ${SEA_FUSE_FLIPPED}\necho "watchpost-agent ${label}"\n`, {
    mode: 0o755,
  });
  return file;
}

/** Every entry under `root`: type, mode, content hash or link target, and mtime, so that "nothing changed" is
 *  checkable to the last write. */
export function snapshot(root: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const at = rel ? `${rel}/${name}` : name;
      const st = lstatSync(path);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) entries[at] = `link ${readlinkSync(path)} ${st.mtimeMs}`;
      else if (st.isDirectory()) {
        entries[at] = `dir ${mode} ${st.mtimeMs}`;
        walk(path, at);
      } else entries[at] = `file ${mode} ${createHash('sha256').update(readFileSync(path)).digest('hex')} ${st.mtimeMs}`;
    }
  };
  walk(root, '');
  return entries;
}

/** `snapshot` without times: what is there and how it is made. */
export function layout(root: string): Record<string, string> {
  return Object.fromEntries(Object.entries(snapshot(root)).map(([k, v]) => [k, v.replace(/ [0-9.]+$/, '')]));
}

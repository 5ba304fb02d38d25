// The real PowerShell engine the tests run the agent's PowerShell in: pwsh 7.6, a .NET global tool that `npm test`
// installs when missing (scripts/install-pwsh.sh). It is PowerShell 7, not Windows PowerShell 5.1: the language,
// parser, ConvertTo-Json, error streams and process behaviour are real; Windows-only cmdlets are stubbed by the tests.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

let found: string | undefined;

/**
 * Absolute path of the pwsh engine: on PATH, else where `dotnet tool install --global` puts it. Throws naming the fix.
 * A global tool's `pwsh` is a shim that runs the engine as its child, so killing the shim (as the worker does on a
 * timeout) would leave the engine running; powershell.exe is one process. So when the tool store holds the engine's
 * own launcher (`.store/powershell/<v>/powershell/<v>/tools/<tfm>/any/unix/pwsh`), that is what tests run.
 */
export function pwshPath(): string {
  if (found) return found;
  const candidates = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), join(homedir(), '.dotnet', 'tools')].map((dir) => join(dir, 'pwsh'));
  const shim = candidates.find((path) => existsSync(path));
  if (!shim) throw new Error('pwsh is not installed: run `bash scripts/install-pwsh.sh` (npm test runs it first)');
  found = toolEngine(shim) ?? shim;
  return found;
}

function toolEngine(shim: string): string | undefined {
  const store = join(dirname(realpathSync(shim)), '.store', 'powershell');
  if (!existsSync(store)) return undefined;
  for (const version of readdirSync(store)) {
    const tools = join(store, version, 'powershell', version, 'tools');
    for (const framework of existsSync(tools) ? readdirSync(tools) : []) {
      const engine = join(tools, framework, 'any', 'unix', 'pwsh');
      if (existsSync(engine)) return engine;
    }
  }
  return undefined;
}

/** Arguments of a one-off pwsh run (the worker passes its own: POWERSHELL_ARGS). */
export const PWSH_ARGS = ['-NoLogo', '-NoProfile', '-NonInteractive', '-Command', '-'];

/**
 * Runs `script` in a fresh pwsh (sent on stdin, so it may be any size) and returns its stdout; throws with stderr
 * when pwsh exits non-zero. For checks on a script's text (the parser); probes run through the worker instead.
 */
export function runPwsh(script: string, options: { timeoutMs?: number } = {}): string {
  // One line of base64: pwsh reading commands from stdin runs a multi-line construct (a here-string, a string
  // spanning lines) only after an empty line, so the script travels as the worker's requests do.
  const b64 = Buffer.from(script, 'utf8').toString('base64');
  const input = `& ([ScriptBlock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${b64}'))))\n`;
  const out = execFileSync(pwshPath(), PWSH_ARGS, { input, encoding: 'utf8', timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 });
  // pwsh reading commands from a pipe still switches the terminal's cursor-key mode (ESC[?1h ... ESC[?1l) on stdout.
  return out.replaceAll('\u001b[?1h', '').replaceAll('\u001b[?1l', '');
}

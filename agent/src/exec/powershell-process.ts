// A PowerShell script in a powershell.exe of its OWN, through the allow-listed runner: for the calls that can block for
// minutes (the Windows Update Agent behind wuauserv, a Defender scan), where only a process of its own can be killed
// on its timeout without taking the shared worker (powershell-worker.ts) and the other probes' requests down with it.
// Used by the patches probe's WUA search and by patching/ (WUA installs, Defender actions, the reboot-pending check).
import type { Runner } from './runner.js';

/** Run by name through the runner's allow-list, as every other powershell.exe call. */
export const POWERSHELL_PROCESS = 'powershell.exe';

/** -EncodedCommand (base64 of UTF-16LE) instead of -Command: the script's quotes and newlines reach PowerShell
 *  unchanged, whatever the Windows command-line quoting of Node's execFile does to them. */
export function powershellProcessArgs(script: string): readonly string[] {
  return ['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(script, 'utf16le').toString('base64')];
}

/**
 * A first line that hands `data` to the script as `$wpRequest`, a JSON document in base64: the alphabet of base64 has
 * no quote, `$` or backtick, so nothing of the data is ever read as PowerShell. The script decodes it with
 * `ConvertFrom-Json ([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($wpRequest)))`.
 */
export function withRequest(data: unknown, script: string): string {
  return `$wpRequest = '${Buffer.from(JSON.stringify(data), 'utf8').toString('base64')}'\n${script}`;
}

const excerpt = (text: string, max = 200): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};

/** The last line that is a JSON object: profile or module noise before it is ignored. `what` names the script in errors. */
export function lastJsonLine(stdout: string, what = 'PowerShell'): unknown {
  const line = stdout
    .split(/\r?\n/)
    .reverse()
    .find((l) => l.trim().startsWith('{'));
  if (line === undefined) throw new Error(`no JSON in ${what} output: ${excerpt(stdout)}`);
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`${what} output is not JSON: ${excerpt(line)}`);
  }
}

/** Runs `script` in its own powershell.exe and answers the JSON object it printed last. Rejects as the runner does
 *  (non-zero exit, timeout: the process is killed, abort) or when no JSON came back. */
export async function runPowerShellProcess(
  runner: Runner,
  script: string,
  options: { timeoutMs: number; signal?: AbortSignal; what?: string },
): Promise<unknown> {
  const { stdout } = await runner(POWERSHELL_PROCESS, powershellProcessArgs(script), {
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return lastJsonLine(stdout, options.what);
}

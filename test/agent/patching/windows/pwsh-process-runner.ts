// The runner patching/windows/ gets, for tests: `powershell.exe` with exec/powershell-process.ts's arguments becomes a
// real pwsh with the same arguments, its -EncodedCommand script unchanged except for the 5.1 JSON guard and the
// test's stubs put in front (as patches-pwsh.test.ts does for the probe). Any other command (shutdown.exe) is only
// recorded. The abort signal reaches pwsh, so a kill is a real kill.
import { execFile } from 'node:child_process';
import { expect } from 'vitest';
import { powershellProcessArgs } from '../../../../agent/src/exec/powershell-process.js';
import type { Runner } from '../../../../agent/src/exec/runner.js';
import { PS51_JSON_GUARD } from '../../../helpers/pwsh-stubs.js';
import { pwshPath } from '../../../helpers/pwsh.js';

export interface RecordedCall {
  command: string;
  args: readonly string[];
  /** powershell.exe only: the script as the agent encoded it. */
  script?: string;
  timeoutMs?: number;
  stdout?: string;
  stderr?: string;
}

export function pwshProcessRunner(stubs: string, env: Record<string, string> = {}): { runner: Runner; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const runner: Runner = (command, args, options) => {
    const call: RecordedCall = { command, args, ...(options?.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) };
    calls.push(call);
    if (command !== 'powershell.exe') return Promise.resolve({ stdout: '', stderr: '' });
    const at = args.indexOf('-EncodedCommand') + 1;
    const script = Buffer.from(args[at] ?? '', 'base64').toString('utf16le');
    call.script = script;
    // The agent's arguments exactly, then the only change: the guard and the stubs in front of the unchanged script.
    expect(args).toEqual(powershellProcessArgs(script));
    const encoded = Buffer.from(`${PS51_JSON_GUARD}\n${stubs}\n${script}`, 'utf16le').toString('base64');
    const pwshArgs = [...args.slice(0, at), encoded, ...args.slice(at + 1)];
    return new Promise((resolve, reject) => {
      execFile(
        pwshPath(),
        pwshArgs,
        {
          timeout: Math.min(options?.timeoutMs ?? 60_000, 120_000),
          maxBuffer: 16 * 1024 * 1024,
          env: { ...process.env, TZ: 'Europe/Zurich', ...env },
          ...(options?.signal ? { signal: options.signal } : {}),
        },
        (error, stdout, stderr) => {
          call.stdout = stdout;
          call.stderr = stderr;
          if (error) reject(new Error(`pwsh failed (${error.killed ? 'killed' : `exit ${String(error.code)}`}): ${stderr.slice(0, 4000)}`));
          else resolve({ stdout, stderr });
        },
      );
    });
  };
  return { runner, calls };
}

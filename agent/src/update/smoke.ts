// The smoke test: before anything is swapped, the verified new executable is started once with `--version` and
// must print exactly `watchpost-agent <offered version>`. A signature proves who built the file, not that it runs
// here (a wrong libc, a build for another CPU, a broken bundle); a start that cannot even print its version would
// otherwise be found out only by the rollback, after the swap and a restart.
import { execFile } from 'node:child_process';

export const SMOKE_TIMEOUT_MS = 30_000;
/** `--version` prints one short line. */
const MAX_OUTPUT_BYTES = 64 * 1024;

/** transient: it did not finish in time (a loaded machine), so the same file may pass later. */
export type SmokeResult = { ok: true } | { ok: false; reason: string; transient: boolean };

export function expectedVersionLine(version: string): string {
  return `watchpost-agent ${version}`;
}

/** Runs `file --version`; `signal` ends it (the agent is stopping), which counts as transient. */
export function smokeTest(file: string, version: string, timeoutMs = SMOKE_TIMEOUT_MS, signal?: AbortSignal): Promise<SmokeResult> {
  return new Promise((resolve) => {
    const options = { timeout: timeoutMs, maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true, encoding: 'utf8' as const, ...(signal ? { signal } : {}) };
    execFile(file, ['--version'], options, (error, stdout, stderr) => {
      const said = (stdout.trim() || stderr.trim()).slice(0, 200);
      if (error) {
        const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
        if (e.name === 'AbortError') return resolve({ ok: false, reason: 'smoke test: aborted, the agent is stopping', transient: true });
        if (e.killed) return resolve({ ok: false, reason: `smoke test: \`--version\` did not finish within ${timeoutMs} ms`, transient: true });
        const how = typeof e.code === 'number' ? `exited with ${e.code}` : e.code ? `could not start (${e.code})` : e.message;
        return resolve({ ok: false, reason: `smoke test: \`--version\` ${how}${said ? `: ${said}` : ''}`, transient: false });
      }
      if (stdout.trim() !== expectedVersionLine(version)) {
        return resolve({ ok: false, reason: `smoke test: \`--version\` printed "${said}", expected "${expectedVersionLine(version)}"`, transient: false });
      }
      resolve({ ok: true });
    });
  });
}

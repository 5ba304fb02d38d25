// The request/response framing of the long-lived PowerShell worker, as pure functions (table-tested; the worker in
// powershell-worker.ts does the I/O). One request = ONE physical line written to `powershell.exe -Command -`:
//   1. one line, because PowerShell 5.1 reading commands from stdin waits for an empty line after a multi-line
//      construct; a complete one-line statement runs as soon as its newline arrives;
//   2. the script travels as base64 of its UTF-8 text, so its quotes, newlines and non-ASCII characters need no
//      escaping and cannot break out of the wrapper;
//   3. the answer is framed by markers carrying a random per-request nonce: `<<WP:nonce:OK>>` or `<<WP:nonce:ERR>>`,
//      the body, `<<WP:nonce:END>>`. Script output cannot forge a frame (it never sees the nonce), and anything outside
//      a frame (prompts, warnings, progress CLIXML, a stale frame) is noise that is skipped, never parsed. The markers
//      are built by string concatenation at run time so that an echo of the command line itself is not a frame.
// stderr is never part of the framing: the worker only logs it.

/** Sent once after start: UTF-8 without BOM on stdout, no progress records. Either may fail without a console
 *  (a service's child), so failures are swallowed: framing does not depend on them, only non-ASCII text does. */
export const WORKER_PRELUDE =
  "$ProgressPreference = 'SilentlyContinue'; " + 'try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false } catch { }\n';

export type FrameStatus = 'OK' | 'ERR';

const marker = (nonce: string, tag: FrameStatus | 'END'): string => `<<WP:${nonce}:${tag}>>`;
/** PowerShell expression that evaluates to the marker without containing it literally. */
const markerExpr = (nonce: string, tag: FrameStatus | 'END'): string => `('<<WP:' + '${nonce}:${tag}>>')`;

/** A nonce may only hold characters that are inert inside a PowerShell single-quoted string and in the markers. */
const NONCE = /^[0-9a-f]{8,64}$/;

/**
 * The one line that runs `script` and prints its output (joined with newlines) in an OK frame, or the message of a
 * terminating error (a throw, a parse error, -ErrorAction Stop) as `{"error":"..."}` in an ERR frame.
 */
export function wrapRequest(script: string, nonce: string): string {
  if (!NONCE.test(nonce)) throw new Error('powershell-framing: nonce must be 8-64 lowercase hex digits');
  const b64 = Buffer.from(script, 'utf8').toString('base64');
  const frame = (tag: FrameStatus, body: string) =>
    `[Console]::Out.Write("\`n" + ${markerExpr(nonce, tag)} + "\`n" + ${body} + "\`n" + ${markerExpr(nonce, 'END')} + "\`n")`;
  return (
    'try { ' +
    `$wpBlock = [ScriptBlock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${b64}'))); ` +
    '$wpText = (& $wpBlock) -join "`n"; ' +
    `${frame('OK', '$wpText')} ` +
    '} catch { ' +
    '$wpError = ConvertTo-Json -InputObject @{ error = [string]$_.Exception.Message } -Compress; ' +
    `${frame('ERR', '$wpError')} ` +
    '}; [Console]::Out.Flush()\n'
  );
}

export type FrameScan =
  | { found: false; /** pass back as `from`: no frame starts before it, and no end marker lies before its endFrom */ resume: ScanPosition }
  | { found: true; status: FrameStatus; body: string; /** index just past the end marker */ end: number; noiseBefore: string };

export interface ScanPosition {
  from: number;
  endFrom: number;
}

/**
 * Looks for the frame of `nonce` in `text`, resuming from an earlier scan's position so that a large result arriving
 * in many chunks is scanned once, not once per chunk. Pure; the caller keeps the buffer. Other nonces' frames are noise.
 */
export function scanFrame(text: string, nonce: string, at: ScanPosition = { from: 0, endFrom: 0 }): FrameScan {
  const ok = text.indexOf(marker(nonce, 'OK'), at.from);
  const err = text.indexOf(marker(nonce, 'ERR'), at.from);
  const start = ok < 0 ? err : err < 0 ? ok : Math.min(ok, err);
  if (start < 0) {
    const from = Math.max(at.from, text.length - marker(nonce, 'ERR').length + 1);
    return { found: false, resume: { from, endFrom: from } };
  }
  const status: FrameStatus = start === ok ? 'OK' : 'ERR';
  const bodyStart = start + marker(nonce, status).length;
  const endMarker = marker(nonce, 'END');
  const endAt = text.indexOf(endMarker, Math.max(bodyStart, at.endFrom));
  if (endAt < 0) return { found: false, resume: { from: start, endFrom: Math.max(bodyStart, text.length - endMarker.length + 1) } };
  return {
    found: true,
    status,
    body: text.slice(bodyStart, endAt).trim(),
    end: endAt + endMarker.length,
    noiseBefore: text.slice(0, start).trim(),
  };
}

/** Turns a frame into the value `run` resolves with, or the error it rejects with. */
export function frameResult(status: FrameStatus, body: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (status === 'ERR') {
    try {
      const parsed = JSON.parse(body) as { error?: unknown };
      return { ok: false, error: `script error: ${String(parsed.error ?? body)}` };
    } catch {
      return { ok: false, error: `script error: ${excerpt(body)}` };
    }
  }
  if (body === '') return { ok: false, error: 'script printed nothing (expected one JSON document)' };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false, error: `script output is not JSON: ${excerpt(body)}` };
  }
}

/** At most 200 characters of `text` on one line, for errors and logs. */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

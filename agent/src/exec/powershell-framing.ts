// The request/response framing of the long-lived PowerShell worker, as pure functions (table-tested; the worker in
// powershell-worker.ts does the I/O). One request = ONE physical line written to `powershell.exe -Command -`:
//   1. one line, because `-Command -` runs stdin "one statement at a time as though they were typed at the PowerShell
//      command prompt" (https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_powershell_exe?view=powershell-5.1):
//      a complete one-line statement runs as soon as its newline arrives, while a multi-line construct waits for an
//      empty line (https://github.com/PowerShell/PowerShell/issues/3223); unlike `-File -` it prints no prompt or echo;
//   2. the script travels as base64 of its UTF-8 text, so its quotes, newlines and non-ASCII characters need no
//      escaping, cannot break out of the wrapper, and the line is pure ASCII (see Encoding below);
//   3. the answer is framed by markers carrying a random per-request nonce: `<<WP:nonce:OK>>`, `<<WP:nonce:ERR>>` or
//      `<<WP:nonce:EXIT>>`, the body, `<<WP:nonce:END>>`. Script output cannot forge a frame (it never sees the nonce),
//      and anything outside a frame (Write-Host, warnings, a script's own [Console]::Out writes, terminal control
//      sequences pwsh 7 prints, progress CLIXML, a stale frame) is noise that is skipped, never parsed. The markers are
//      built by string concatenation at run time so that an echo of the command line itself is not a frame.
// What a script sees: it runs in a child scope (`& $block`) inside the wrapper's try. Its pipeline output is
// collected and joined with newlines (Write-Output is output, not noise). A statement-terminating error (a throw, a
// parse error, an unknown command, a .NET method that throws, -ErrorAction Stop) ends the whole script, as in any try
// block, and becomes an ERR frame with the message; non-terminating errors (Write-Error, a cmdlet's per-item errors)
// go to stderr and the script goes on. `exit` (anywhere, even in a function) ends the whole PowerShell process, and
// `break`/`continue` outside a loop end the command line; the wrapper's finally still runs for both and writes an EXIT
// frame, so the worker replaces the process instead of waiting for a result that will never come.
// stderr is never part of the framing: the worker only logs it.
//
// Encoding. Windows PowerShell 5.1 runs on .NET Framework, whose [Console]::OutputEncoding and InputEncoding start as
// the console's code pages, by default the OEM code page of the system locale (437, 850, 932, ...), also when stdout
// and stdin are pipes: "The default code page that the console uses is determined by the system locale"
// (https://learn.microsoft.com/dotnet/api/system.console.outputencoding, and
// https://learn.microsoft.com/windows/console/console-code-pages); in Windows PowerShell [Console]::InputEncoding
// follows the system's settings and $OutputEncoding is ASCII (https://github.com/PowerShell/PowerShell/issues/14945).
// So text written through [Console]::Out reaches the agent in the OEM code page, non-ASCII mangled, unless
// [Console]::OutputEncoding is set; setting it can fail without a console, and any script can set it again (pwsh 7
// showed [Console]::Out following every change: UTF-16 after `[Console]::OutputEncoding = [Text.Encoding]::Unicode`).
// Hence the frame never goes through [Console]::Out: the wrapper encodes it with [Text.Encoding]::UTF8.GetBytes (no
// BOM) and writes the bytes to [Console]::OpenStandardOutput(), the raw stdout handle, so the frame is UTF-8 whatever
// the console, the prelude or a script did to the encodings. A byte order mark on the stream (Windows PowerShell
// writes one for every Unicode encoding but UTF-7, about_Character_Encoding:
// https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_character_encoding?view=powershell-5.1)
// can only come from another writer, between frames, where it is noise. stdin is decoded with [Console]::InputEncoding
// (OEM): every OEM code page reads bytes below 0x80 as ASCII, and the worker sends nothing else.

/** Sent once after start: no progress records, and UTF-8 without BOM for what goes through [Console]::Out (Write-Host
 *  and warnings, logged as noise) and [Console]::Error (logged). Setting it may fail without a console (a service's
 *  child), so failures are swallowed: frames do not depend on it (see Encoding above). */
export const WORKER_PRELUDE =
  "$ProgressPreference = 'SilentlyContinue'; " + 'try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false } catch { }\n';

/** OK: the script's output; ERR: a terminating error's message; EXIT: the script ended the wrapper without either. */
export type FrameStatus = 'OK' | 'ERR' | 'EXIT';
const START_TAGS: readonly FrameStatus[] = ['OK', 'ERR', 'EXIT'];

const marker = (nonce: string, tag: FrameStatus | 'END'): string => `<<WP:${nonce}:${tag}>>`;
/** PowerShell expression that evaluates to the marker without containing it literally. */
const markerExpr = (nonce: string, tag: FrameStatus | 'END'): string => `('<<WP:' + '${nonce}:${tag}>>')`;

/** A nonce may only hold characters that are inert inside a PowerShell single-quoted string and in the markers. */
const NONCE = /^[0-9a-f]{8,64}$/;

/**
 * The one ASCII line that runs `script` and writes, as UTF-8 bytes on the raw stdout, its output (joined with
 * newlines) in an OK frame, the message of a terminating error as `{"error":"..."}` in an ERR frame, or an empty EXIT
 * frame when the script left the wrapper through `exit`, `break` or `continue`. The wrapper's variables are cleared
 * afterwards so that a large result is not kept alive until the next request.
 */
export function wrapRequest(script: string, nonce: string): string {
  if (!NONCE.test(nonce)) throw new Error('powershell-framing: nonce must be 8-64 lowercase hex digits');
  const b64 = Buffer.from(script, 'utf8').toString('base64');
  const frame = (tag: FrameStatus, body: string) => `("\`n" + ${markerExpr(nonce, tag)} + "\`n" + ${body} + "\`n" + ${markerExpr(nonce, 'END')} + "\`n")`;
  return (
    '$wpFrame = $null; try { ' +
    `$wpBlock = [ScriptBlock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${b64}'))); ` +
    '$wpText = (& $wpBlock) -join "`n"; ' +
    `$wpFrame = ${frame('OK', '$wpText')} ` +
    '} catch { ' +
    '$wpError = ConvertTo-Json -InputObject @{ error = [string]$_.Exception.Message } -Compress; ' +
    `$wpFrame = ${frame('ERR', '$wpError')} ` +
    '} finally { ' +
    `if ($null -eq $wpFrame) { $wpFrame = ${frame('EXIT', "''")} }; ` +
    '[Console]::Out.Flush(); $wpBytes = [Text.Encoding]::UTF8.GetBytes($wpFrame); $wpOut = [Console]::OpenStandardOutput(); ' +
    '$wpOut.Write($wpBytes, 0, $wpBytes.Length); $wpOut.Flush(); $wpFrame = $wpText = $wpBytes = $null ' +
    '}\n'
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
  let start = -1;
  let status: FrameStatus = 'OK';
  for (const tag of START_TAGS) {
    const found = text.indexOf(marker(nonce, tag), at.from);
    if (found >= 0 && (start < 0 || found < start)) [start, status] = [found, tag];
  }
  if (start < 0) {
    // A start marker may be cut off at the end of the text: resume where the longest one could begin.
    const from = Math.max(at.from, text.length - marker(nonce, 'EXIT').length + 1);
    return { found: false, resume: { from, endFrom: from } };
  }
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

/** Why a request that ended in an EXIT frame rejects; the worker replaces the process. */
export const EXIT_ERROR = 'script ended without a result: it called exit (which ends the PowerShell process) or break/continue outside a loop';

/** Turns a frame into the value `run` resolves with, or the error it rejects with. */
export function frameResult(status: FrameStatus, body: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (status === 'EXIT') return { ok: false, error: EXIT_ERROR };
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

/** Terminal control sequences (CSI such as colours and `ESC[?1h`, and two-character escapes): pwsh 7 writes them on
 *  redirected stdout and stderr, Windows PowerShell 5.1 does not; they carry nothing worth logging. */
// eslint-disable-next-line no-control-regex -- escape sequences are what it removes
const CONTROL_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|[^[])/g;

/** At most 200 characters of `text` on one line, without terminal control sequences, for errors and logs. */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(CONTROL_SEQUENCE, '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

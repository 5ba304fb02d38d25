// PowerShell lines shared by the Windows probes that keep a record-id position in an event log (eventlog,
// shutdowns): finding the "log cleared" events (104/1102) that make a stored record id meaningless.
import { logClearedQuery } from './windows-event-xml.js';

/** Clear events fetched per run (newest first): one is enough to know; a few more for the detail. */
const MAX_CLEAR_EVENTS = 20;

/** A PowerShell single-quoted string literal. */
export const psQuote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * PowerShell 5.1 lines that fill $clears with the XML of the clear events (104/1102, see logClearedQuery) newer than
 * `sinceMs`, and set $hit when one of them cleared channel $ch. Without `sinceMs` (no checkpoint time) $clears stays
 * empty.
 */
export function logClearedLines(channel: string, sinceMs: number | undefined): string[] {
  const lines = ['$clears = @()'];
  if (sinceMs !== undefined) {
    const q = logClearedQuery(channel, sinceMs);
    lines.push(
      // SilentlyContinue: what Get-WinEvent writes as non-terminating errors while reading are NoMatchingEventsFound
      // (no clear: the usual case) and per-record failures such as a message it cannot render, which must not fail
      // the run (only ToXml() is used). Access denied to the log and an invalid query still throw.
      `$clears = @(Get-WinEvent -LogName ${psQuote(q.logName)} -FilterXPath ${psQuote(q.xpath)} -MaxEvents ${MAX_CLEAR_EVENTS} -ErrorAction SilentlyContinue | ForEach-Object { $_.ToXml() })`,
    );
  }
  // 104 names the cleared channel in UserData/LogFileCleared/Channel; 1102 has none: it is the Security log's own.
  lines.push(
    `$hit = @($clears | Where-Object { $x = [xml]$_; $c = $x.Event.UserData.LogFileCleared.Channel; if (-not $c) { $c = $x.Event.System.Channel }; $c -eq ${psQuote(channel)} }).Count -gt 0`,
  );
  return lines;
}

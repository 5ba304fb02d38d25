// The backup probe on Windows: ONE PowerShell request per run (WINDOWS_BACKUP_SCRIPT) reads the backup products' own
// event logs, the installed programs and the services; windowsFindings() (pure) turns the reply into findings.
//
// Results are read where the product writes them, each log at most twice per run (the newest success, the newest
// finished run: Get-WinEvent -MaxEvents 1, newest first), never the Application log:
//   - Windows Server Backup (wbengine; on clients the same engine makes "Backup and Restore" system images): its log
//     Microsoft-Windows-Backup, provider Microsoft-Windows-Backup (message file BlbEvents.dll). Event 4 "The backup
//     operation has finished successfully." is the success; 7 "... has completed with errors" a warning; every Error or
//     Critical event of the provider (5 "has failed with following error code", 9 VSS failure, 19 "failed to start",
//     49 no storage location, 50 not enough space, ...) a failure. Microsoft publishes no list of these ids; the
//     messages are the provider's own, as real captures show them (test/fixtures/README.md).
//   - Veeam Agent for Microsoft Windows: log and source "Veeam Agent" ("Veeam Endpoint Backup" before version 2),
//     event 190 "Veeam Agent <job> finished with <status>" (Information = Success, Warning, Error = Failed) and 191
//     "finished with Error and will be retried" (Veeam's "Appendix A. Veeam Agent Events").
//   - Veeam Backup & Replication: log "Veeam Backup", source "Veeam MP", events 190 "Backup job <job> finished with
//     <state>" and 790 "Agent Backup job ... finished with <state>", severity Info / Warning / Error for JobResult
//     0 / 1 / 2 (Veeam's event reference). These are the backup server's jobs: they may protect other machines.
//   - File History: its log Microsoft-Windows-FileHistory-Core/WHC holding records says it has been in use. It logs no
//     event for a successful backup, only failures (BackupLog 200 "Unable to start a backup cycle", 201, 203; 202 an
//     "unusual condition"), so its result is `unknown` and the newest failure goes into the message.
// Presence only (installed program and services, see backup-products.ts): everything else, and Veeam where its log is
// missing.
import { excerpt, shapeMessage } from '../common/event-record.js';
import { parseWindowsEvent } from '../common/windows-event-xml.js';
import { psQuote } from '../common/windows-log-cleared.js';
import { PRODUCTS, productOfInstalled, psPattern, serviceState, type BackupResult, type DetectedBy, type ServiceRow } from './backup-products.js';

/** One backup product or mechanism found on the machine. Times are unix ms. */
export interface BackupFinding {
  product: string;
  detectedBy: DetectedBy;
  lastResult: BackupResult;
  lastSuccess?: number;
  lastAttempt?: number;
  message?: string;
  serviceState?: 'running' | 'stopped' | 'partial';
  version?: string;
  displayName?: string;
  destinations?: number;
}

interface ResultSource {
  key: string;
  product: string;
  /** The log whose records say the product is in use. */
  log: string;
  /** The log its results are in. */
  results: string;
  /** XPath of a successful run; absent when the product logs none. */
  success?: string;
  /** XPath of every finished run. */
  finished: string;
  classify(eventId: number, level: string): BackupResult;
}

const byLevel = (level: string): BackupResult =>
  level === 'info' ? 'success' : level === 'warning' ? 'warning' : level === 'error' || level === 'critical' ? 'failed' : 'unknown';

const WSB = "Provider[@Name='Microsoft-Windows-Backup']";
const VEEAM_AGENT = "Provider[@Name='Veeam Agent' or @Name='Veeam Endpoint Backup']";
const VEEAM_MP = "Provider[@Name='Veeam MP']";
const FILE_HISTORY = "Provider[@Name='Microsoft-Windows-FileHistory-Core']";
const INFO = '(Level=4 or Level=0)';
const veeamAgent = (log: string): ResultSource => ({
  key: `veeam-agent:${log}`,
  product: 'Veeam Agent for Microsoft Windows',
  log,
  results: log,
  success: `*[System[${VEEAM_AGENT} and EventID=190 and ${INFO}]]`,
  finished: `*[System[${VEEAM_AGENT} and (EventID=190 or EventID=191)]]`,
  classify: (id, level) => (id === 191 ? 'failed' : byLevel(level)),
});

export const RESULT_SOURCES: readonly ResultSource[] = [
  {
    key: 'wsb',
    product: 'Windows Server Backup',
    log: 'Microsoft-Windows-Backup',
    results: 'Microsoft-Windows-Backup',
    success: `*[System[${WSB} and EventID=4]]`,
    finished: `*[System[${WSB} and (EventID=4 or EventID=7 or Level=1 or Level=2)]]`,
    classify: (id, level) => (id === 4 ? 'success' : id === 7 ? 'warning' : level === 'error' || level === 'critical' ? 'failed' : 'unknown'),
  },
  veeamAgent('Veeam Agent'),
  veeamAgent('Veeam Endpoint Backup'),
  {
    key: 'veeam-br',
    product: 'Veeam Backup & Replication',
    log: 'Veeam Backup',
    results: 'Veeam Backup',
    success: `*[System[${VEEAM_MP} and (EventID=190 or EventID=790) and ${INFO}]]`,
    finished: `*[System[${VEEAM_MP} and (EventID=190 or EventID=790)]]`,
    classify: (_id, level) => byLevel(level),
  },
  {
    key: 'file-history',
    product: 'File History',
    log: 'Microsoft-Windows-FileHistory-Core/WHC',
    results: 'Microsoft-Windows-FileHistory-Engine/BackupLog',
    finished: `*[System[${FILE_HISTORY} and (EventID=200 or EventID=201 or EventID=202 or EventID=203)]]`,
    classify: () => 'unknown',
  },
];

/**
 * Windows PowerShell 5.1. Per source: Get-WinEvent -ListLog (a missing log, NoMatchingLogsFound, means the product
 * is not there; any other failure is an error of this source), then at most two -MaxEvents 1 reads with
 * -ErrorAction SilentlyContinue: their non-terminating errors are NoMatchingEventsFound and per-record rendering
 * failures, which must not fail the run; access denied and an invalid query still throw (see shutdowns.ts). Then the
 * installed programs (both Uninstall views) and the services whose names match the known products, filtered here so
 * that only candidates travel. Each part fails on its own: its error text goes into `errors`.
 */
export const WINDOWS_BACKUP_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  '$sources = @(',
  RESULT_SOURCES.map(
    (s) =>
      `  @{ key = ${psQuote(s.key)}; log = ${psQuote(s.log)}; results = ${psQuote(s.results)}; ok = ${psQuote(s.success ?? '')}; all = ${psQuote(s.finished)} }`,
  ).join(',\n'),
  ')',
  '$logs = @(); $errors = @(); $sw = @(); $svc = @()',
  'function Get-WpNewest([string]$Log, [string]$XPath) {',
  '  if (-not $XPath) { return $null }',
  '  $e = @(Get-WinEvent -LogName $Log -FilterXPath $XPath -MaxEvents 1 -ErrorAction SilentlyContinue)',
  '  if ($e.Count -eq 0) { return $null }',
  "  $m = $e[0].Message; if ($m -ne $null) { $m = ($m -split '\\r?\\n')[0] }",
  '  @{ xml = $e[0].ToXml(); msg = $m }',
  '}',
  'foreach ($s in $sources) {',
  '  try { $info = Get-WinEvent -ListLog $s.log -ErrorAction Stop }',
  '  catch { if ([string]$_.FullyQualifiedErrorId -notlike \'NoMatchingLogsFound*\') { $errors += "$($s.log): $($_.Exception.Message)" }; continue }',
  '  if (-not $info.RecordCount) { continue }',
  '  try { $logs += @{ key = $s.key; ok = (Get-WpNewest $s.results $s.ok); last = (Get-WpNewest $s.results $s.all) } }',
  '  catch { $errors += "$($s.results): $($_.Exception.Message)" }',
  '}',
  'try {',
  "  $keys = 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*', 'HKLM:\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*'",
  `  $sw = @(Get-ItemProperty -Path $keys -ErrorAction SilentlyContinue | Where-Object { $_.DisplayName -and ([string]$_.DisplayName -match ${psQuote(psPattern(PRODUCTS.map((p) => p.installed)))}) } |`,
  '    ForEach-Object { @{ name = [string]$_.DisplayName; version = [string]$_.DisplayVersion } })',
  '} catch { $errors += "installed programs: $($_.Exception.Message)" }',
  'try {',
  `  $pattern = ${psQuote(psPattern(PRODUCTS.map((p) => p.services)))}`,
  '  $svc = @(Get-Service -ErrorAction SilentlyContinue | Where-Object { $_.Name -match $pattern -or $_.DisplayName -match $pattern } |',
  '    ForEach-Object { @{ name = [string]$_.Name; display = [string]$_.DisplayName; status = [string]$_.Status } })',
  '} catch { $errors += "services: $($_.Exception.Message)" }',
  'ConvertTo-Json -InputObject ([ordered]@{ logs = $logs; sw = $sw; svc = $svc; errors = $errors }) -Depth 5 -Compress',
].join('\n');

interface EventItem {
  xml?: unknown;
  msg?: unknown;
}
interface LogItem {
  key?: unknown;
  ok?: EventItem | null;
  last?: EventItem | null;
}
export interface WindowsBackupReply {
  logs?: LogItem | LogItem[] | null;
  sw?: { name?: unknown; version?: unknown } | { name?: unknown; version?: unknown }[] | null;
  svc?: { name?: unknown; display?: unknown; status?: unknown } | { name?: unknown; display?: unknown; status?: unknown }[] | null;
  errors?: unknown;
}

/** ConvertTo-Json writes one object for a one-element pipeline in some paths, an array otherwise, null for none. */
const list = <T>(value: T | T[] | null | undefined): T[] => (value === null || value === undefined ? [] : Array.isArray(value) ? value : [value]);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

interface ReadEvent {
  time: number;
  eventId: number;
  level: string;
  message: string;
}

function readEvent(item: EventItem | null | undefined): ReadEvent | undefined {
  if (!item || typeof item.xml !== 'string') return undefined;
  const event = parseWindowsEvent(item.xml);
  if (!event || event.eventId === undefined) return undefined;
  const message = typeof item.msg === 'string' ? shapeMessage(item.msg) : event.message;
  return { time: event.time, eventId: event.eventId, level: event.level, message };
}

/** The newest of each, across the logs of one product (Veeam Agent has two log names). */
function newest(events: (ReadEvent | undefined)[]): ReadEvent | undefined {
  return events.filter((e): e is ReadEvent => e !== undefined).sort((a, b) => b.time - a.time)[0];
}

function eventFinding(source: ResultSource, ok: ReadEvent | undefined, last: ReadEvent | undefined): BackupFinding {
  const finding: BackupFinding = { product: source.product, detectedBy: 'events', lastResult: 'unknown' };
  if (source.success === undefined) {
    // File History: no success event exists, so a failure cannot be told from one a later good cycle superseded.
    const failure = last ? `newest failure ${new Date(last.time).toISOString()}: ${last.message}` : 'no failure logged';
    finding.message = `File History logs no event for a successful backup; ${failure}`;
    return finding;
  }
  if (ok) finding.lastSuccess = ok.time;
  if (last) {
    finding.lastAttempt = last.time;
    finding.lastResult = source.classify(last.eventId, last.level);
    if (last.message) finding.message = last.message;
  } else finding.message = 'no finished backup in the log';
  return finding;
}

/** Pure: the script's reply -> one finding per product, and the errors of the parts that could not be read. */
export function windowsFindings(reply: WindowsBackupReply): { findings: BackupFinding[]; errors: string[] } {
  if (reply === null || typeof reply !== 'object' || Array.isArray(reply)) {
    throw new Error(`backup: unexpected PowerShell output: ${excerpt(JSON.stringify(reply) ?? String(reply))}`);
  }
  const errors = list(reply.errors as unknown).map((e) => excerpt(String(e)));
  const findings = new Map<string, BackupFinding>();
  const items = list(reply.logs);
  for (const source of RESULT_SOURCES) {
    if (findings.has(source.product)) continue;
    const mine = items.filter((i) => RESULT_SOURCES.find((s) => s.key === i.key)?.product === source.product);
    if (mine.length === 0) continue;
    findings.set(source.product, eventFinding(source, newest(mine.map((i) => readEvent(i.ok))), newest(mine.map((i) => readEvent(i.last)))));
  }
  const services: ServiceRow[] = list(reply.svc).map((s) => ({ name: text(s.name), displayName: text(s.display), status: text(s.status) }));
  for (const row of list(reply.sw)) {
    const displayName = text(row.name).trim();
    const known = productOfInstalled(displayName);
    if (!known) continue;
    const finding = findings.get(known.product) ?? { product: known.product, detectedBy: 'presence', lastResult: 'unknown' };
    if (finding.displayName === undefined) {
      finding.displayName = displayName;
      const version = text(row.version).trim();
      if (version) finding.version = version;
    }
    if (finding.detectedBy === 'presence') finding.message = 'presence only: this product’s results are not read';
    const state = serviceState(known, services);
    if (state) finding.serviceState = state;
    findings.set(known.product, finding);
  }
  return { findings: [...findings.values()], errors };
}

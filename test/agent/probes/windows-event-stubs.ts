// Get-WinEvent for running the eventlog and shutdowns probes' unchanged PowerShell on pwsh (test/helpers/pwsh-stubs.ts).
// The stub is a function of the same name with the parameters the scripts use, and it behaves as PowerShell's own
// cmdlet does where the scripts depend on it (PowerShell/PowerShell, src/Microsoft.PowerShell.Commands.Diagnostics/
// GetEventCommand.cs, the same code Windows PowerShell 5.1 ships):
//   - `-ListLog <name>`: the log's EventLogConfiguration with FileSize, IsLogFull, LastAccessTime, LastWriteTime,
//     OldestRecordNumber and RecordCount added from EventLogSession.GetLogInformation (ProcessListLog); an unknown
//     name writes the non-terminating error NoMatchingLogsFound;
//   - `-LogName <name> -FilterXPath <xpath> [-MaxEvents n] [-Oldest]`: the records the XPath selects, newest first
//     unless -Oldest (ReverseDirection = !_oldest), at most n; each gets a `Message` note property from its
//     FormatDescription(), and when that throws, the cmdlet writes a non-terminating error (the exception's message as
//     the error id, category NotSpecified) and the message stays "Cannot retrieve event message text."
//     (GetEventResources NoEventMessage) (ReadEvents); no record at all writes the non-terminating error
//     NoMatchingEventsFound ("No events were found that match the specified selection criteria."); an XPath it cannot
//     read throws "The specified query is invalid" (ERROR_EVT_INVALID_QUERY, from EventLogReader, terminating).
// Non-terminating errors go through $PSCmdlet.WriteError, so the caller's -ErrorAction / $ErrorActionPreference decide,
// as on Windows, whether they stop the script. The XPath is evaluated, not matched as text: the subset the probes
// build (Level, EventID, EventRecordID comparisons, band(Keywords, n), Provider[@Name=...], TimeCreated with
// timediff(@SystemTime) or @SystemTime against an ISO time, and/or, parentheses) is translated into a PowerShell
// condition on the record; anything else, unbalanced parentheses included, is an invalid query.
// Records are EventLogRecord stand-ins rebuilt from the captures in test/fixtures/windows/: their properties are the
// event XML's <System> values, ToXml() returns the captured XML and FormatDescription() the message.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PowerShell } from '../../../agent/src/probes/probe.js';
import { psString, psTyped, type StubbedPowerShell } from '../../helpers/pwsh-stubs.js';
import { sharedStubbedPowerShell } from './windows-stubs.js';
import type { RecordingLogger } from '../helpers/recording-log.js';

/** What FormatDescription() does: return the message (null: the provider's metadata is missing), or throw. */
export type Rendering = string | null | { throws: string };

export interface EventRecordStub {
  id: number;
  recordId: number;
  provider: string;
  logName: string;
  level: number;
  /** The Keywords mask as its 64-bit pattern (EventLogRecord.Keywords is a signed long). */
  keywords: bigint;
  /** TimeCreated, ISO 8601 with its offset (the record carries it as a local [datetime], as EventLogRecord does). */
  time: string;
  machine: string;
  /** What ToXml() returns. */
  xml: string;
  rendering: Rendering;
}

/**
 * The XML EventLogRecord.ToXml() returns for a captured event. Captures from Event Viewer's XML view carry its "- "
 * fold markers and XmlDocument.Save adds an <?xml?> declaration; ToXml() has neither, so both are removed (the only
 * change: elements, attributes and text stay as captured).
 */
export function toXmlText(captured: string): string {
  return captured
    .replace(/^\s*<\?xml[^>]*\?>\s*/, '')
    .replace(/^(\s*)- </gm, '$1<')
    .trim();
}

const tag = (xml: string, name: string): string | undefined => new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`).exec(xml)?.[1];
const attr = (xml: string, name: string, attribute: string): string | undefined => new RegExp(`<${name}\\s[^>]*?${attribute}=(["'])(.*?)\\1`).exec(xml)?.[2];

/** An EventLogRecord stand-in from a captured event's XML: its properties are the <System> values. */
export function recordFromXml(captured: string, rendering: Rendering): EventRecordStub {
  const xml = toXmlText(captured);
  const required = (value: string | undefined, what: string): string => {
    if (value === undefined) throw new Error(`captured event without ${what}`);
    return value;
  };
  return {
    id: Number(required(tag(xml, 'EventID'), 'EventID')),
    recordId: Number(required(tag(xml, 'EventRecordID'), 'EventRecordID')),
    provider: required(attr(xml, 'Provider', 'Name'), 'Provider'),
    logName: required(tag(xml, 'Channel'), 'Channel'),
    level: Number(tag(xml, 'Level') ?? 0),
    keywords: BigInt(tag(xml, 'Keywords') ?? '0'),
    time: required(attr(xml, 'TimeCreated', 'SystemTime'), 'TimeCreated'),
    machine: tag(xml, 'Computer') ?? '',
    xml,
    rendering,
  };
}

/**
 * The objects of a `Get-WinEvent ... | Select-Object TimeCreated, Id, Message` Format-List capture: `Name : value`
 * lines, a value continued on the indented lines below it (Format-List wraps a message at its line breaks).
 */
export function formatListEvents(text: string): { TimeCreated: string; Id: string; Message: string }[] {
  return text
    .trim()
    .split(/\r?\n\s*\r?\n/)
    .map((block) => {
      const props: Record<string, string> = {};
      let last = '';
      for (const line of block.split(/\r?\n/)) {
        const m = /^(\w+)\s*: ?(.*)$/.exec(line);
        if (m) props[(last = m[1]!)] = m[2]!.trimEnd();
        else props[last] += `\r\n${line.trim()}`;
      }
      return { TimeCreated: props.TimeCreated ?? '', Id: props.Id ?? '', Message: props.Message ?? '' };
    });
}

/**
 * An event of a Format-List capture (which has no XML) as a record: `what` adds what the capture lacks (record id,
 * provider, level, the machine's UTC offset at that date). Its ToXml() is the <System> block those values make.
 */
export function recordFromFormatList(
  captured: { TimeCreated: string; Id: string; Message: string },
  what: { recordId: number; provider: string; level: number; logName: string; utcOffset: string; rendering?: Rendering },
): EventRecordStub {
  // de-CH Format-List dates: dd.MM.yyyy HH:mm:ss, the machine's local time.
  const m = /^(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(captured.TimeCreated);
  if (!m) throw new Error(`not a de-CH Format-List date: ${captured.TimeCreated}`);
  const local = `${m[3]}-${m[2]}-${m[1]}T${m[4]}:${m[5]}:${m[6]}${what.utcOffset}`;
  const systemTime = new Date(local).toISOString().replace('.000Z', '.0000000Z');
  const id = Number(captured.Id);
  const xml =
    `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='${what.provider}'/>` +
    `<EventID>${id}</EventID><Level>${what.level}</Level><Keywords>0x0</Keywords><TimeCreated SystemTime='${systemTime}'/>` +
    `<EventRecordID>${what.recordId}</EventRecordID><Channel>${what.logName}</Channel><Computer></Computer></System></Event>`;
  return {
    id,
    recordId: what.recordId,
    provider: what.provider,
    logName: what.logName,
    level: what.level,
    keywords: 0n,
    time: local,
    machine: '',
    xml,
    rendering: what.rendering === undefined ? captured.Message : what.rendering,
  };
}

export interface StubLog {
  name: string;
  /** EventLogInformation.OldestRecordNumber / RecordCount (null as for a log that never held a record). */
  oldest: number | null;
  count: number | null;
  records: EventRecordStub[];
}

/** What the stub was called with, one entry per call. */
export interface GetWinEventCall {
  ListLog?: string[];
  LogName?: string[];
  FilterXPath?: string;
  MaxEvents?: number;
  Oldest?: boolean;
  ErrorAction?: string;
}

const renderingScript = (r: Rendering): string => {
  if (r === null) return '$null';
  if (typeof r === 'string') return psString(r);
  // EventLogException cannot be constructed on Linux (System.Diagnostics.EventLog throws PlatformNotSupportedException
  // there), so the stand-in throws a plain exception with the message Windows gives.
  return `throw ${psString(r.throws)}`;
};

function recordScript(r: EventRecordStub): string {
  const props = [
    `Id = [int]${r.id}`,
    `RecordId = [long]${r.recordId}`,
    `ProviderName = ${psString(r.provider)}`,
    `LogName = ${psString(r.logName)}`,
    `Level = [byte]${r.level}`,
    `Keywords = [long]'${BigInt.asIntN(64, r.keywords)}'`,
    `TimeCreated = ${psTyped.datetime(r.time).ps}`,
    `MachineName = ${psString(r.machine)}`,
  ];
  return (
    `([pscustomobject]@{ ${props.join('; ')} }` +
    ` | Add-Member -MemberType ScriptMethod -Name ToXml -Value { ${psString(r.xml)} } -PassThru` +
    ` | Add-Member -MemberType ScriptMethod -Name FormatDescription -Value { ${renderingScript(r.rendering)} } -PassThru)`
  );
}

const GET_WIN_EVENT_STUB = String.raw`
function Write-WpStubError([System.Management.Automation.PSCmdlet]$Cmdlet, [Exception]$Exception, [string]$Id, [string]$Category, $Target) {
  $Cmdlet.WriteError([System.Management.Automation.ErrorRecord]::new($Exception, $Id, [System.Management.Automation.ErrorCategory]$Category, $Target))
}

function ConvertFrom-WpStubXPath([string]$XPath) {
  $invalid = "The specified query is invalid: $XPath"
  if ($XPath -eq '*') { return { param($r) $true } }
  $outer = [regex]::Match($XPath, '^\*\[System\[(.*)\]\]$')
  if (-not $outer.Success) { throw $invalid }
  $text = $outer.Groups[1].Value
  $quoted = '(?:''[^'']*''|"[^"]*")'
  $token = [regex]('\G(?:(?<ws>\s+)|(?<open>\()|(?<close>\))|(?<and>and\b)|(?<or>or\b)' +
    '|(?<cmp>(?<field>Level|EventID|EventRecordID)\s*(?<op>!=|<=|>=|=|<|>)\s*(?<num>-?\d+))' +
    '|(?<band>band\(Keywords,\s*(?<mask>\d+)\))' +
    '|(?<prov>Provider\[(?<names>@Name\s*=\s*' + $quoted + '(?:\s+or\s+@Name\s*=\s*' + $quoted + ')*)\])' +
    '|(?<age>TimeCreated\[timediff\(@SystemTime\)\s*<=\s*(?<ms>\d+)\])' +
    '|(?<since>TimeCreated\[@SystemTime\s*(?<top>>=|<=|>|<)\s*(?<iso>' + $quoted + ')\]))')
  $ops = @{ '=' = '-eq'; '!=' = '-ne'; '<' = '-lt'; '<=' = '-le'; '>' = '-gt'; '>=' = '-ge' }
  $props = @{ Level = 'Level'; EventID = 'Id'; EventRecordID = 'RecordId' }
  $expr = New-Object System.Text.StringBuilder
  $depth = 0; $at = 0
  while ($at -lt $text.Length) {
    $m = $token.Match($text, $at)
    if (-not $m.Success -or $m.Length -eq 0) { throw $invalid }
    $at += $m.Length
    $g = $m.Groups
    if ($g['ws'].Success) { continue }
    if ($g['open'].Success) { $depth++; [void]$expr.Append('(') }
    elseif ($g['close'].Success) { $depth--; if ($depth -lt 0) { throw $invalid }; [void]$expr.Append(')') }
    elseif ($g['and'].Success) { [void]$expr.Append(' -and ') }
    elseif ($g['or'].Success) { [void]$expr.Append(' -or ') }
    elseif ($g['cmp'].Success) { [void]$expr.Append('([long]$r.' + $props[$g['field'].Value] + ' ' + $ops[$g['op'].Value] + ' [long]' + $g['num'].Value + ')') }
    elseif ($g['band'].Success) { [void]$expr.Append('(([long]$r.Keywords -band [long]''' + $g['mask'].Value + ''') -ne 0)') }
    elseif ($g['prov'].Success) {
      $names = @([regex]::Matches($g['names'].Value, $quoted) | ForEach-Object { "'" + $_.Value.Substring(1, $_.Value.Length - 2).Replace("'", "''") + "'" })
      [void]$expr.Append('(@(' + ($names -join ', ') + ') -contains $r.ProviderName)')
    }
    elseif ($g['age'].Success) { [void]$expr.Append('(($wpStubClock - $r.TimeCreated.ToUniversalTime()).TotalMilliseconds -le ' + $g['ms'].Value + ')') }
    elseif ($g['since'].Success) {
      $iso = $g['iso'].Value.Substring(1, $g['iso'].Value.Length - 2)
      [void]$expr.Append('($r.TimeCreated.ToUniversalTime() ' + $ops[$g['top'].Value] + ' [datetime]::Parse(''' + $iso + ''', [Globalization.CultureInfo]::InvariantCulture, ''AdjustToUniversal, AssumeUniversal''))')
    }
  }
  if ($depth -ne 0) { throw $invalid }
  try { return [scriptblock]::Create('param($r) ' + $expr.ToString()) } catch { throw $invalid }
}

function Get-WinEvent {
  [CmdletBinding(DefaultParameterSetName = 'GetLogSet')]
  param(
    [Parameter(ParameterSetName = 'ListLogSet', Mandatory = $true, Position = 0)][string[]]$ListLog,
    [Parameter(ParameterSetName = 'GetLogSet', Position = 0)][string[]]$LogName = @('*'),
    [Parameter(ParameterSetName = 'GetLogSet')][ValidateNotNull()][string]$FilterXPath = '*',
    [Parameter(ParameterSetName = 'GetLogSet')][ValidateRange(1, [long]::MaxValue)][long]$MaxEvents = -1,
    [Parameter(ParameterSetName = 'GetLogSet')][switch]$Oldest
  )
  $call = [ordered]@{}
  foreach ($name in 'ListLog', 'LogName', 'FilterXPath', 'MaxEvents', 'Oldest', 'ErrorAction') {
    if ($PSBoundParameters.ContainsKey($name)) {
      $v = $PSBoundParameters[$name]
      if ($v -is [switch]) { $call[$name] = $v.IsPresent }
      elseif ($v -is [array]) { $call[$name] = [string[]]$v }
      elseif ($v -is [long]) { $call[$name] = $v }
      else { $call[$name] = [string]$v }
    }
  }
  [IO.File]::AppendAllText($wpStubCalls, (Microsoft.PowerShell.Utility\ConvertTo-Json -InputObject $call -Compress) + [char]10)
  $logs = New-WpStubLogs
  $patterns = $(if ($PSCmdlet.ParameterSetName -eq 'ListLogSet') { $ListLog } else { $LogName })
  $found = @()
  foreach ($pattern in $patterns) {
    $hits = @($logs.Keys | Where-Object { $_ -like $pattern })
    if ($hits.Count -eq 0) {
      Write-WpStubError $PSCmdlet ([Exception]::new("There is not an event log on the localhost computer that matches ""$pattern"".")) 'NoMatchingLogsFound' 'ObjectNotFound' $pattern
      continue
    }
    $found += @($hits | ForEach-Object { $logs[$_] })
  }
  if ($PSCmdlet.ParameterSetName -eq 'ListLogSet') {
    foreach ($log in $found) {
      [pscustomobject]@{
        FileSize = [long]69632; IsLogFull = $false; LastAccessTime = $wpStubClock.ToLocalTime(); LastWriteTime = $wpStubClock.ToLocalTime()
        OldestRecordNumber = $log.OldestRecordNumber; RecordCount = $log.RecordCount; LogName = $log.Name; LogType = 'Administrative'; IsEnabled = $true
      }
    }
    return
  }
  if ($found.Count -eq 0) { return }
  $test = ConvertFrom-WpStubXPath $FilterXPath
  $selected = @($found | ForEach-Object { $_.Records } | Where-Object { & $test $_ } | Sort-Object -Property RecordId -Descending:(-not $Oldest))
  $n = 0
  foreach ($record in $selected) {
    if ($MaxEvents -ne -1 -and $n -ge $MaxEvents) { break }
    $message = 'Cannot retrieve event message text.'
    try { $message = $record.FormatDescription() }
    catch {
      $ex = $_.Exception
      while ($ex -is [System.Management.Automation.MethodInvocationException] -and $ex.InnerException) { $ex = $ex.InnerException }
      Write-WpStubError $PSCmdlet $ex $ex.Message 'NotSpecified' $null
    }
    $record | Add-Member -NotePropertyName Message -NotePropertyValue $message -Force -PassThru
    $n++
  }
  if ($n -eq 0) {
    Write-WpStubError $PSCmdlet ([Exception]::new('No events were found that match the specified selection criteria.')) 'NoMatchingEventsFound' 'ObjectNotFound' $null
  }
}
`;

/** The stubs for one scenario: the logs as they are, the Windows clock timediff() measures from, where calls go. */
export function getWinEventStubs(scenario: { clock: string; logs: readonly StubLog[]; callsFile: string }): string {
  const logs = scenario.logs.map(
    (log) =>
      `${psString(log.name)} = [pscustomobject]@{ Name = ${psString(log.name)}; ` +
      `OldestRecordNumber = ${log.oldest === null ? '$null' : `[long]${log.oldest}`}; RecordCount = ${log.count === null ? '$null' : `[long]${log.count}`}; ` +
      `Records = @(${log.records.map(recordScript).join(', ')}) }`,
  );
  return [
    `$wpStubClock = [datetime]::Parse(${psString(scenario.clock)}, [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]'AdjustToUniversal, AssumeUniversal')`,
    `$wpStubCalls = ${psString(scenario.callsFile)}`,
    `function New-WpStubLogs { @{ ${logs.join('; ')} } }`,
    GET_WIN_EVENT_STUB,
  ].join('\n');
}

export interface EventStubWorker {
  stubbed: Pick<StubbedPowerShell, 'worker'>;
  log: RecordingLogger;
  /** Scripts as the probes sent them, the stubs left out. */
  scripts: string[];
  /** ctx.powershell for one scenario: the shared worker, with that scenario's stubs in front of each script. */
  with(scenario: { clock: string; logs: readonly StubLog[] }): PowerShell;
  /** The Get-WinEvent calls since the last take (and forgets them). */
  takeCalls(): GetWinEventCall[];
}

/**
 * One real worker for a describe (a pwsh start costs about a second on the 2-core build machine), started with the
 * time zone `zone` (TZ), so that local [datetime] values are those of a machine there. Stop `stubbed.worker` after use.
 */
export async function eventStubWorker(zone: string): Promise<EventStubWorker> {
  const shared = sharedStubbedPowerShell();
  const dir = mkdtempSync(join(tmpdir(), 'wp-winevent-'));
  const callsFile = join(dir, 'calls.jsonl');
  writeFileSync(callsFile, '');
  // The worker starts its process on the first request, synchronously inside run(): that process gets this TZ.
  const saved = process.env.TZ;
  process.env.TZ = zone;
  const started = shared.worker.run('1');
  if (saved === undefined) delete process.env.TZ;
  else process.env.TZ = saved;
  await started;
  return {
    stubbed: { worker: shared.worker },
    log: shared.log,
    scripts: shared.scripts,
    with: (scenario) => shared.with(getWinEventStubs({ ...scenario, callsFile })),
    takeCalls: () => {
      const lines = readFileSync(callsFile, 'utf8').split('\n').filter(Boolean);
      writeFileSync(callsFile, '');
      return lines.map((l) => JSON.parse(l) as GetWinEventCall);
    },
  };
}

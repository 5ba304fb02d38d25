// The 5.1 JSON guard (test/helpers/powershell/ps51-json-guard.ps1) is what lets the probe tests on pwsh 7 speak for
// Windows PowerShell 5.1: every agent script's ConvertTo-Json goes through it. So it is held to two things here, in
// one pwsh: what it lets through prints exactly what the real cmdlet prints (same text, so the probes' parsers see
// what they would see), and each input whose JSON differs between 5.1 and 7 is refused with a message naming where.
import { beforeAll, describe, expect, it } from 'vitest';
import { PS51_JSON_GUARD, psString } from '../helpers/pwsh-stubs.js';
import { runPwsh } from '../helpers/pwsh.js';

/** Each case: a PowerShell expression piped (or passed) to ConvertTo-Json with the given arguments. */
const SAME: [string, string][] = [
  ['scalars', "ConvertTo-Json -InputObject @{ s = 'Müller 東京 ✓'; n = 5; d = 2.5; b = $true; z = $null } -Compress"],
  [
    'uint32 and uint64 as CIM hands them out',
    "ConvertTo-Json -InputObject ([pscustomobject]@{ a = [uint32]4294967295; b = [uint64]'18446744073709551615' }) -Compress",
  ],
  ['an enum as its number', 'ConvertTo-Json -InputObject @{ day = [DayOfWeek]::Friday } -Compress'],
  ['a single-element array built with @()', "ConvertTo-Json -InputObject @{ kb = @('5034123') } -Compress"],
  ['an empty array', 'ConvertTo-Json -InputObject @() -Compress'],
  ['one object piped: an object, not an array', '[pscustomobject]@{ a = 1 } | ConvertTo-Json -Compress'],
  ['several objects piped: an array', '1, 2, 3 | ConvertTo-Json -Compress'],
  ['an empty pipeline prints nothing', "'<' + (@() | ConvertTo-Json -Compress) + '>'"],
  ['$null piped', '$null | ConvertTo-Json -Compress'],
  ['nesting exactly at -Depth 2', 'ConvertTo-Json -InputObject @{ a = @{ b = @{ c = 1 } } } -Compress'],
  ['[ordered] keeps its order', 'ConvertTo-Json -InputObject ([ordered]@{ z = 1; a = 2 }) -Compress'],
  ['the default -Depth is 2, as in 5.1', '[pscustomobject]@{ a = [pscustomobject]@{ b = @(1, 2) } } | ConvertTo-Json -Compress'],
];

const REFUSED: [string, string, RegExp][] = [
  ['a [datetime]', 'ConvertTo-Json -InputObject @{ t = [datetime]::UtcNow } -Compress', /\$\.t is a date/],
  ['a [DateTimeOffset] in an array', 'ConvertTo-Json -InputObject @{ t = @(1, [DateTimeOffset]::Now) } -Compress', /\$\.t\[1\] is a date/],
  ['more nesting than -Depth', 'ConvertTo-Json -InputObject @{ a = @{ b = @{ c = @{ d = 1 } } } } -Compress', /\$\.a\.b\.c nests deeper than -Depth 2/],
  ['more nesting than the default depth, piped', '[pscustomobject]@{ a = @{ b = @{ c = @(1) } } } | ConvertTo-Json', /nests deeper than -Depth 2/],
  ['a live .NET object', "ConvertTo-Json -InputObject @{ v = [Version]'1.2.3' } -Compress", /\$\.v is a live System\.Version/],
  ['a [guid]', 'ConvertTo-Json -InputObject @{ g = [guid]::Empty } -Compress', /\$\.g is a \[guid\]/],
  ['a 6.2+ parameter', 'ConvertTo-Json -InputObject 1 -AsArray', /AsArray/],
];

interface Outcome {
  name: string;
  real?: string;
  guarded?: string;
  error?: string;
}

/** Runs every case in one pwsh: the real cmdlet in one scope, the guard's in a child scope that defines it. */
function runCases(cases: [string, string][]): Map<string, Outcome> {
  const lines = cases.map(
    ([name, expr]) =>
      `$o = [ordered]@{ name = ${psString(name)} }; ` +
      `try { $o.real = [string](& ([ScriptBlock]::Create(${psString(expr)})) -join [char]10) } catch { $o.real = 'ERROR ' + $_.Exception.Message }; ` +
      `try { $o.guarded = [string](& { . $guard; & ([ScriptBlock]::Create(${psString(expr)})) } -join [char]10) } catch { $o.error = [string]$_.Exception.Message }; ` +
      `$results.Add([pscustomobject]$o)`,
  );
  const script = [
    `$guard = [ScriptBlock]::Create(${psString(PS51_JSON_GUARD)})`,
    '$results = New-Object System.Collections.Generic.List[object]',
    ...lines,
    "'<<RESULT>>' + (Microsoft.PowerShell.Utility\\ConvertTo-Json -InputObject $results.ToArray() -Depth 3 -Compress)",
  ].join('\n');
  const out = runPwsh(script);
  const json = out.slice(out.indexOf('<<RESULT>>') + '<<RESULT>>'.length).trim();
  return new Map((JSON.parse(json) as Outcome[]).map((o) => [o.name, o]));
}

describe('the Windows PowerShell 5.1 JSON guard on pwsh', () => {
  let outcomes: Map<string, Outcome>;
  beforeAll(() => {
    outcomes = runCases([...SAME, ...REFUSED.map(([name, expr]) => [name, expr] as [string, string])]);
  });

  it.each(SAME.map(([name]) => [name]))('%s: passes and prints what ConvertTo-Json prints', (name) => {
    const o = outcomes.get(name)!;
    expect(o.error).toBeUndefined();
    expect(o.real).not.toMatch(/^ERROR/);
    expect(o.guarded).toBe(o.real);
  });

  it.each(REFUSED.map(([name, , message]) => [name, message] as const))('%s: refused, naming where', (name, message) => {
    const o = outcomes.get(name)!;
    expect(o.error).toMatch(message);
  });

  it('prints the documented shapes for the cases the probes rely on', () => {
    expect(outcomes.get('a single-element array built with @()')!.real).toBe('{"kb":["5034123"]}');
    expect(outcomes.get('an empty array')!.real).toBe('[]');
    expect(outcomes.get('one object piped: an object, not an array')!.real).toBe('{"a":1}');
    expect(outcomes.get('an empty pipeline prints nothing')!.real).toBe('<>');
    expect(outcomes.get('an enum as its number')!.real).toBe('{"day":5}');
  });
});

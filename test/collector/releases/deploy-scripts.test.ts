// The deployment scripts as pure functions: quoting of hostile values (checked by real sh for the shell script, by
// the real PowerShell parser for the PowerShell one), control characters refused, the one-liners' exact form (the
// Linux one also run by real sh, as root and not), and the Windows script held to Windows PowerShell 5.1.
//
// The PowerShell checks parse with pwsh 7 (test/helpers/pwsh.ts), in ONE process for the whole file: the tokens, the
// top-level statements and every command of each script, read from the AST (a hostile value must come back as the
// single-quoted StringConstantExpressionAst of its assignment, exactly, and the script's AST must have the same shape
// as with a harmless value: no extra command, statement or expression), and the Windows PowerShell 5.1 rules of
// test/helpers/powershell/ps51-rules.ps1 (pwsh 7 parses a superset of 5.1; the rules find what 5.1 lacks).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DeployScriptError,
  installSh,
  oneLiner,
  psQuote,
  shQuote,
  windowsPs1,
  type DeployScriptInput,
} from '../../../collector/src/releases/deploy-scripts.js';
import { runPwsh } from '../../helpers/pwsh.js';

const TOKEN = 'wpe_0123456789abcdef_' + 'A'.repeat(43);
const INPUT: DeployScriptInput = {
  server: 'https://watch.example.com:8443',
  token: TOKEN,
  tenant: 'acme',
  version: '0.2.0',
  executables: { 'linux-x64': '1'.repeat(64), 'win-x64': '2'.repeat(64) },
  serviceHostSha256: '3'.repeat(64),
};

const HOSTILE = [
  `it's`,
  `'; rm -rf / #`,
  `$(touch /tmp/pwned) \`id\` \${HOME} "quoted" \\back\\slash * ? [a]`,
  `‘smart’ ‚quotes‛ and 'plain' ones''`,
  `'; Remove-Item -Recurse -Force C:\\ ; '`,
  `$env:TEMP @{a=1} $(Get-Date) \`n`,
  `ünïcødé ✓`,
];
const CONTROL = ['line\nbreak', 'carriage\rreturn', 'nul\u0000', 'escape\u001b[31m', 'tab\there', 'next line\u0085', 'separator\u2028'];

const RULES = fileURLToPath(new URL('../../helpers/powershell/ps51-rules.ps1', import.meta.url));

interface PsToken {
  kind: string;
  start: number;
  end: number;
}
interface PsExpression {
  type: string;
  /** StringConstantType of a string constant: SingleQuoted, DoubleQuoted, BareWord, ... */
  quote: string | null;
  value: string | null;
}
interface PsStatement {
  type: string;
  line: number;
  text: string;
  /** The variable an assignment sets. */
  variable: string | null;
  /** The assigned value, or the pipeline's value when the statement is one expression; null otherwise. */
  expression: PsExpression | null;
}
interface PsCommandElement {
  type: string;
  text: string;
  value: string | null;
  /** Expressions expanded inside an expandable string. */
  nested: number;
}
interface PsParsed {
  parseErrors: { message: string; line: number; column: number }[];
  tokens: PsToken[];
  statements: PsStatement[];
  commands: { name: string | null; elements: PsCommandElement[] }[];
  /** The type of every AST node, in order: equal shapes differ only in their values. */
  shape: string;
  /** Windows PowerShell 5.1 rule violations (ps51-rules.ps1), as `rule: detail`. */
  violations: string[];
}

/** What pwsh reads from each script: the facts below plus ps51-rules.ps1's verdict, in one process. */
const FACTS_PS = String.raw`
using namespace System.Management.Automation.Language
param([string]$ListJson, [string]$Rules)
function Get-Expression($Statement) {
  $s = $Statement
  if ($s -is [AssignmentStatementAst]) { $s = $s.Right }
  if ($s -is [PipelineAst] -and $s.PipelineElements.Count -eq 1) { $s = $s.PipelineElements[0] }
  if ($s -isnot [CommandExpressionAst]) { return $null }
  $e = $s.Expression
  $string = $e -is [StringConstantExpressionAst]
  [ordered]@{ type = $e.GetType().Name; quote = $(if ($string) { [string]$e.StringConstantType }); value = $(if ($string) { $e.Value }) }
}
function Get-Element($Element) {
  $expandable = $Element -is [ExpandableStringExpressionAst]
  [ordered]@{
    type = $Element.GetType().Name; text = $Element.Extent.Text
    value = $(if ($expandable -or $Element -is [StringConstantExpressionAst]) { $Element.Value })
    nested = $(if ($expandable) { $Element.NestedExpressions.Count } else { 0 })
  }
}
$facts = [ordered]@{}
foreach ($item in [System.Text.Json.JsonDocument]::Parse($ListJson).RootElement.EnumerateArray()) {
  $tokens = $null; $errors = $null
  $ast = [Parser]::ParseInput($item.GetProperty('text').GetString(), [ref]$tokens, [ref]$errors)
  $statements = @(foreach ($s in $ast.EndBlock.Statements) {
      $assignment = $s -is [AssignmentStatementAst]
      [ordered]@{
        type = $s.GetType().Name; line = $s.Extent.StartLineNumber; text = $(if ($assignment) { $s.Extent.Text } else { '' })
        variable = $(if ($assignment -and $s.Left -is [VariableExpressionAst]) { $s.Left.VariablePath.UserPath })
        expression = Get-Expression $s
      }
    })
  $commands = @(foreach ($c in $ast.FindAll({ $args[0] -is [CommandAst] }, $true)) {
      [ordered]@{ name = $c.GetCommandName(); elements = @(foreach ($e in $c.CommandElements) { Get-Element $e }) }
    })
  $facts[$item.GetProperty('name').GetString()] = [ordered]@{
    parseErrors = @(foreach ($e in $errors) { [ordered]@{ message = $e.Message; line = $e.Extent.StartLineNumber; column = $e.Extent.StartColumnNumber } })
    tokens = @(foreach ($t in $tokens) { [ordered]@{ kind = [string]$t.Kind; start = $t.Extent.StartOffset; end = $t.Extent.EndOffset } })
    statements = $statements
    commands = $commands
    shape = (@($ast.FindAll({ $true }, $true) | ForEach-Object { $_.GetType().Name }) -join ' ')
  }
}
'{"facts":' + (ConvertTo-Json -InputObject $facts -Depth 8 -Compress -EscapeHandling EscapeNonAscii) + ',"rules":' + (& $Rules -Json $ListJson) + '}'
`;

/** Parses every script in one pwsh (the script travels as base64, so any text reaches the parser unchanged). */
function parsePowerShell(scripts: Record<string, string>): Map<string, PsParsed> {
  const list = JSON.stringify(Object.entries(scripts).map(([name, text]) => ({ name, text })));
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const decode = (text: string) => `[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${b64(text)}'))`;
  const out = runPwsh(`& ([ScriptBlock]::Create(${decode(FACTS_PS)})) -ListJson (${decode(list)}) -Rules ${psQuote(RULES)}\n`);
  // pwsh reading commands from stdin prints terminal control sequences (ESC [?1h ESC [?1l) around the output; the
  // document itself is one line that starts with {"facts":.
  const at = out.indexOf('{"facts":');
  if (at < 0) throw new Error(`no result from pwsh: ${out.slice(0, 500)}`);
  const line = out.slice(at).split('\n')[0]!;
  const json = line.slice(0, line.lastIndexOf('}') + 1);
  const parsed = JSON.parse(json) as {
    facts: Record<string, Omit<PsParsed, 'violations'>>;
    rules: { scripts: { name: string; violations: { rule: string; detail: string }[] }[] };
  };
  const violations = new Map(parsed.rules.scripts.map((s) => [s.name, s.violations.map((v) => `${v.rule}: ${v.detail}`)]));
  return new Map(Object.entries(parsed.facts).map(([name, facts]) => [name, { ...facts, violations: violations.get(name) ?? ['not checked'] }]));
}

const STRING_TOKENS = new Set(['StringLiteral', 'StringExpandable', 'HereStringLiteral', 'HereStringExpandable']);

/** The script as the tokenizer sees its code: comments dropped, every string literal blanked to ''. */
function psCode(script: string, tokens: PsToken[]): string {
  let out = '';
  let at = 0;
  for (const token of tokens) {
    out += script.slice(at, token.start);
    if (STRING_TOKENS.has(token.kind)) out += "''";
    else if (token.kind !== 'Comment') out += script.slice(token.start, token.end);
    at = token.end;
  }
  return out + script.slice(at);
}

/** The top-level assignment of `$name`: exactly one, with its statement text and source line. */
function psAssignment(script: string, parsed: PsParsed, name: string): { expression: PsExpression | null; text: string; line: string } {
  const found = parsed.statements.filter((s) => s.type === 'AssignmentStatementAst' && s.variable === name);
  if (found.length !== 1) throw new Error(`${found.length} assignments of $${name}`);
  const statement = found[0]!;
  return { expression: statement.expression, text: statement.text, line: script.split('\n')[statement.line - 1]! };
}

const singleQuoted = (value: string): PsExpression => ({ type: 'StringConstantExpressionAst', quote: 'SingleQuoted', value });

const hostileInput = (value: string): DeployScriptInput => ({ ...INPUT, server: value, token: value, tenant: value, version: value });
const ONE_LINER = oneLiner('windows', 'https://watch.example.com', TOKEN);
const ONE_LINER_COMMAND = /-Command "([^"]*)"$/.exec(ONE_LINER)?.[1] ?? '';

let ps: Map<string, PsParsed>;
const parsedPs = (name: string): PsParsed => {
  const found = ps.get(name);
  if (!found) throw new Error(`not parsed: ${name}`);
  return found;
};

beforeAll(() => {
  ps = parsePowerShell({
    'windows.ps1': windowsPs1(INPUT),
    ...Object.fromEntries(HOSTILE.map((value, i) => [`hostile ${i}`, windowsPs1(hostileInput(value))])),
    ...Object.fromEntries(HOSTILE.map((value, i) => [`quoted ${i}`, psQuote(value)])),
    'one-liner': ONE_LINER,
    'one-liner -Command': ONE_LINER_COMMAND,
  });
});

describe('sh quoting', () => {
  it.each(HOSTILE)('gives sh exactly the value %j', (value) => {
    const result = spawnSync('sh', ['-c', `printf '%s' ${shQuote(value)}`], { encoding: 'utf8' });
    expect(result.stdout).toBe(value);
  });

  it.each(HOSTILE)('keeps %j inert in install.sh (sh reads back the same token, runs nothing)', (value) => {
    const script = installSh({ ...INPUT, token: value, server: value });
    expect(script.endsWith('\nmain\n')).toBe(true);
    const probe = script.replace(/\nmain\n$/, '\nprintf "%s|%s" "$WATCHPOST_TOKEN" "$WATCHPOST_SERVER"\n');
    const result = spawnSync('sh', [], { input: probe, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${value}|${value}`);
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
  });

  it.each(CONTROL)('refuses a value with a control character: %j', (value) => {
    expect(() => shQuote(value)).toThrow(DeployScriptError);
    expect(() => installSh({ ...INPUT, token: value })).toThrow('token contains a control character');
    expect(() => installSh({ ...INPUT, tenant: value })).toThrow('tenant contains a control character');
  });
});

describe('PowerShell quoting', () => {
  it.each(HOSTILE.map((value, i) => [value, i] as const))('gives PowerShell exactly the value %j, with nothing after the string', (value, i) => {
    const quoted = parsedPs(`quoted ${i}`);
    expect(quoted.parseErrors).toEqual([]);
    expect(quoted.statements.map((s) => s.expression)).toEqual([singleQuoted(value)]);
    expect(quoted.tokens.map((t) => t.kind)).toEqual(['StringLiteral', 'EndOfInput']);
    expect(quoted.tokens[0]!.end).toBe(psQuote(value).length);

    const script = windowsPs1(hostileInput(value));
    const parsed = parsedPs(`hostile ${i}`);
    expect(parsed.parseErrors).toEqual([]);
    for (const name of ['WatchpostServer', 'WatchpostToken', 'WatchpostVersion']) {
      const assignment = psAssignment(script, parsed, name);
      expect(assignment.expression).toEqual(singleQuoted(value));
      expect(assignment.line).toBe(assignment.text);
    }
    // The same script as with harmless values: no extra command, statement, expression or token kind.
    const baseline = parsedPs('windows.ps1');
    expect(parsed.shape).toBe(baseline.shape);
    expect(parsed.tokens.map((t) => t.kind)).toEqual(baseline.tokens.map((t) => t.kind));
    expect(parsed.commands.map((c) => c.name)).toEqual(baseline.commands.map((c) => c.name));
    expect(psCode(script, parsed.tokens)).not.toContain('Remove-Item -Recurse -Force C:');
    expect(parsed.violations).toEqual([]);
  });

  it.each(CONTROL)('refuses a value with a control character: %j', (value) => {
    expect(() => psQuote(value)).toThrow(DeployScriptError);
    expect(() => windowsPs1({ ...INPUT, server: value })).toThrow('server URL contains a control character');
  });
});

describe('windows.ps1', () => {
  const script = windowsPs1(INPUT);
  const parsed = () => parsedPs('windows.ps1');
  const code = () => psCode(script, parsed().tokens);

  it('embeds the server, token, version and both hashes', () => {
    expect(psAssignment(script, parsed(), 'WatchpostServer').expression).toEqual(singleQuoted(INPUT.server));
    expect(psAssignment(script, parsed(), 'WatchpostToken').expression).toEqual(singleQuoted(TOKEN));
    expect(psAssignment(script, parsed(), 'WatchpostVersion').expression).toEqual(singleQuoted('0.2.0'));
    expect(psAssignment(script, parsed(), 'WatchpostAgentSha256').expression).toEqual(singleQuoted('2'.repeat(64)));
    expect(psAssignment(script, parsed(), 'WatchpostServiceHostSha256').expression).toEqual(singleQuoted('3'.repeat(64)));
  });

  it('parses, and uses nothing Windows PowerShell 5.1 lacks (?? ?. ?: && || -Parallel, 6+/7 web cmdlet parameters, ...)', () => {
    expect(parsed().parseErrors).toEqual([]);
    expect(parsed().violations).toEqual([]);
  });

  it('has no double-quoted (expanding) strings: nothing in it expands a value', () => {
    expect(parsed().tokens.filter((t) => t.kind === 'StringExpandable' || t.kind === 'HereStringExpandable')).toEqual([]);
  });

  it('is ASCII, stops on every error, and forces TLS 1.2 on', () => {
    expect(script).toMatch(/^[\x20-\x7e\n]*$/);
    expect(parsed().statements[0]).toMatchObject({ variable: 'ErrorActionPreference', expression: singleQuoted('Stop') });
    expect(code()).toMatch(/^\$ErrorActionPreference = ''$/m);
    expect(script).toContain('[Net.SecurityProtocolType]::Tls12');
  });

  it('checks for Administrator, downloads both files with basic parsing, compares SHA-256, and installs', () => {
    expect(script).toContain('.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)');
    const webRequests = parsed().commands.filter((c) => c.name === 'Invoke-WebRequest');
    expect(webRequests.length).toBeGreaterThan(0);
    for (const request of webRequests) expect(request.elements.map((e) => e.text)).toContain('-UseBasicParsing');
    expect(code()).toMatch(/Get-FileHash -Algorithm SHA256 -LiteralPath \$Path/);
    expect(code()).toMatch(/if \(\$actual -ne \$Expected\) \{\s+throw/);
    expect(script).toContain("Get-WatchpostFile 'win-x64' $agent $WatchpostAgentSha256");
    expect(script).toContain("Get-WatchpostFile 'service-host' (Join-Path $WatchpostWorkDir 'watchpost-agent-service.exe') $WatchpostServiceHostSha256");
    expect(code()).toMatch(/& \$agent install --server \$WatchpostServer --token \$WatchpostToken\n\s+if \(\$LASTEXITCODE -ne 0\) \{ throw/);
    // The hash checks come before the install runs; the work directory goes whatever happens.
    expect(script.indexOf("Get-WatchpostFile 'service-host'")).toBeLessThan(script.indexOf('& $agent install'));
    expect(code()).toMatch(/\} finally \{\s+if \(\$WatchpostWorkDir/);
    expect(code()).toMatch(/\} catch \{\s+\[Console\]::Error\.WriteLine\(''\s\+\s\$_\.Exception\.Message\)\s+throw\s+\}/);
  });

  it('is refused for a release without a Windows executable or service host', () => {
    expect(() => windowsPs1({ ...INPUT, executables: { 'linux-x64': '1'.repeat(64) } })).toThrow('release 0.2.0 has no win-x64 executable');
    expect(() => windowsPs1({ ...INPUT, serviceHostSha256: null })).toThrow('has no Windows service host');
  });
});

describe('one-liners', () => {
  it('carry the token in a header, never in the URL', () => {
    expect(oneLiner('windows', 'https://watch.example.com', TOKEN)).toBe(
      `powershell -NoProfile -ExecutionPolicy Bypass -Command "[Net.ServicePointManager]::SecurityProtocol='Tls12'; iex (irm -UseBasicParsing -Headers @{Authorization='Bearer ${TOKEN}'} 'https://watch.example.com/api/v1/deploy/windows.ps1')"`,
    );
    expect(oneLiner('linux', 'https://watch.example.com', TOKEN)).toBe(
      `sh -c 'f=$(mktemp) && curl -fsSL -H "Authorization: Bearer ${TOKEN}" -o "$f" "https://watch.example.com/api/v1/deploy/install.sh" && if [ "$(id -u)" -eq 0 ]; then sh "$f"; else sudo sh "$f"; fi; s=$?; rm -f "$f"; exit $s'`,
    );
    expect(oneLiner('macos', 'http://[::1]:8420/wp', TOKEN)).toContain(
      ' "http://[::1]:8420/wp/api/v1/deploy/install.sh" && if [ "$(id -u)" -eq 0 ]; then sh "$f"; else sudo sh "$f"; fi;',
    );
  });

  describe('linux, run by real sh with stand-ins for curl, id and sudo', () => {
    // The stand-ins log their calls; curl writes an "installer" that reports who ran it and exits with INSTALL_EXIT.
    const bin = mkdtempSync(join(tmpdir(), 'wp-oneliner-'));
    const log = join(bin, 'calls.log');
    const stub = (name: string, body: string) => writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    stub('id', `echo "id $*" >> '${log}'; [ "$1" = -u ] && echo "$FAKE_UID"`);
    stub('sudo', `echo "sudo $*" >> '${log}'; exec "$@"`);
    stub(
      'curl',
      [
        `echo "curl $*" >> '${log}'`,
        '[ -n "${CURL_FAILS:-}" ] && exit 22',
        'while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done',
        `printf '%s\\n' 'echo "installer ran" >> "${log}"; exit \${INSTALL_EXIT:-0}' > "$out"`,
      ].join('\n'),
    );
    const run = (env: Record<string, string>) => {
      writeFileSync(log, '');
      const result = spawnSync('sh', ['-c', oneLiner('linux', 'https://watch.example.com', TOKEN)], {
        env: { PATH: `${bin}:/usr/bin:/bin`, TMPDIR: bin, ...env },
        encoding: 'utf8',
      });
      const calls = readFileSync(log, 'utf8').trim().split('\n');
      return { code: result.status, calls: calls.map((c) => c.replace(/ -H .*/, ' ...')), stderr: result.stderr };
    };

    it('as root: runs the installer with sh, no sudo (an RMM as root, an image without sudo)', () => {
      expect(run({ FAKE_UID: '0' })).toEqual({ code: 0, calls: ['curl -fsSL ...', 'id -u', 'installer ran'], stderr: '' });
    });

    it('as another user: through sudo', () => {
      expect(run({ FAKE_UID: '1000' })).toEqual({
        code: 0,
        calls: ['curl -fsSL ...', 'id -u', expect.stringMatching(/^sudo sh \//), 'installer ran'],
        stderr: '',
      });
    });

    it("the installer's failure is the line's exit status, and a failed install as root is not retried through sudo", () => {
      expect(run({ FAKE_UID: '0', INSTALL_EXIT: '3' })).toMatchObject({ code: 3, calls: ['curl -fsSL ...', 'id -u', 'installer ran'] });
      expect(run({ FAKE_UID: '1000', INSTALL_EXIT: '4' })).toMatchObject({ code: 4 });
    });

    it('a failed download runs nothing and fails the line; the temporary file is removed', () => {
      expect(run({ FAKE_UID: '0', CURL_FAILS: '1' })).toMatchObject({ code: 22, calls: ['curl -fsSL ...'] });
      expect(readdirSync(bin).sort()).toEqual(['calls.log', 'curl', 'id', 'sudo']);
    });
  });

  it('windows: PowerShell passes the -Command text on unexpanded, and it downloads windows.ps1 with the token as a header', () => {
    // Typed into a PowerShell prompt (as RMM tools run it), the line is one command whose -Command argument is a
    // double-quoted string with nothing to expand; powershell.exe then runs exactly that text.
    const line = parsedPs('one-liner');
    expect(line.parseErrors).toEqual([]);
    expect(line.commands.map((c) => c.elements.map((e) => e.text))).toEqual([
      ['powershell', '-NoProfile', '-ExecutionPolicy', 'Bypass', '-Command', `"${ONE_LINER_COMMAND}"`],
    ]);
    expect(line.commands[0]!.elements[5]).toMatchObject({ value: ONE_LINER_COMMAND, nested: 0 });

    const command = parsedPs('one-liner -Command');
    expect(command.parseErrors).toEqual([]);
    expect(command.violations).toEqual([]);
    expect(command.commands.map((c) => c.name)).toEqual(['iex', 'irm']);
    const irm = command.commands[1]!.elements;
    expect(irm.map((e) => e.type)).toEqual([
      'StringConstantExpressionAst',
      'CommandParameterAst',
      'CommandParameterAst',
      'HashtableAst',
      'StringConstantExpressionAst',
    ]);
    expect(irm.map((e) => e.text).slice(1, 3)).toEqual(['-UseBasicParsing', '-Headers']);
    expect(irm[3]!.text).toBe(`@{Authorization='Bearer ${TOKEN}'}`);
    expect(irm[4]!.value).toBe('https://watch.example.com/api/v1/deploy/windows.ps1');
  });

  it.each([`https://x"y`, `https://x'y`, 'https://x y', 'ftp://x', 'https://x/$(id)', 'https://x\n'])('refuse the server URL %j', (url) => {
    expect(() => oneLiner('windows', url, TOKEN)).toThrow(DeployScriptError);
  });
});

// The deployment scripts as pure functions: quoting of hostile values (checked by real sh for the shell script,
// by a PowerShell single-quoted-string reader written from the language specification for the PowerShell one),
// control characters refused, the one-liners' exact form, and the Windows script held to Windows PowerShell 5.1.
//
// pwsh cannot run here: `apt-cache policy powershell` knows no such package (no Microsoft repository is
// reachable), so the PowerShell script is checked statically against the 5.1 rules below instead of parsed by pwsh.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  DeployScriptError,
  installSh,
  oneLiner,
  psQuote,
  shQuote,
  windowsPs1,
  type DeployScriptInput,
} from '../../../collector/src/releases/deploy-scripts.js';

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

const PS_QUOTES = "'\u2018\u2019\u201a\u201b";

/**
 * Reads a PowerShell verbatim (single-quoted) string at `start`, as the language specification defines it
 * (section 2.3.5.2): any single-quote character ' ‘ ’ ‚ ‛ ends it, and two in a row stand for one.
 */
function readPsVerbatim(text: string, start: number): { value: string; end: number } {
  if (!PS_QUOTES.includes(text[start]!)) throw new Error(`no string at ${start}`);
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i]!;
    if (!PS_QUOTES.includes(ch)) {
      value += ch;
      continue;
    }
    if (i + 1 < text.length && PS_QUOTES.includes(text[i + 1]!)) {
      value += text[i + 1];
      i++;
      continue;
    }
    return { value, end: i + 1 };
  }
  throw new Error('unterminated string');
}

/** The value assigned to `$name = '...'` in a PowerShell script, and what follows it on the line. */
function psAssignment(script: string, name: string): { value: string; rest: string } {
  const at = script.indexOf(`$${name} = `);
  if (at < 0) throw new Error(`no $${name}`);
  const { value, end } = readPsVerbatim(script, at + name.length + 4);
  return { value, rest: script.slice(end, script.indexOf('\n', end)) };
}

/** The script with comments and single-quoted strings blanked (the script must hold no double-quoted ones). */
function psCode(script: string): string {
  let out = '';
  for (let i = 0; i < script.length;) {
    const ch = script[i]!;
    if (ch === '#') {
      const eol = script.indexOf('\n', i);
      i = eol < 0 ? script.length : eol;
    } else if (PS_QUOTES.includes(ch)) {
      const { end } = readPsVerbatim(script, i);
      out += "''";
      i = end;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function balanced(code: string): boolean {
  const open = '({[';
  const close = ')}]';
  const stack: string[] = [];
  for (const ch of code) {
    if (open.includes(ch)) stack.push(ch);
    else if (close.includes(ch) && stack.pop() !== open[close.indexOf(ch)]) return false;
  }
  return stack.length === 0;
}

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
  it.each(HOSTILE)('gives PowerShell exactly the value %j, with nothing after the string', (value) => {
    const quoted = psQuote(value);
    expect(readPsVerbatim(quoted, 0)).toEqual({ value, end: quoted.length });
    const script = windowsPs1({ ...INPUT, server: value, token: value });
    for (const name of ['WatchpostServer', 'WatchpostToken']) expect(psAssignment(script, name)).toEqual({ value, rest: '' });
    expect(psCode(script)).not.toContain('Remove-Item -Recurse -Force C:');
    expect(balanced(psCode(script))).toBe(true);
  });

  it.each(CONTROL)('refuses a value with a control character: %j', (value) => {
    expect(() => psQuote(value)).toThrow(DeployScriptError);
    expect(() => windowsPs1({ ...INPUT, server: value })).toThrow('server URL contains a control character');
  });
});

describe('windows.ps1', () => {
  const script = windowsPs1(INPUT);
  const code = psCode(script);

  it('embeds the server, token, version and both hashes', () => {
    expect(psAssignment(script, 'WatchpostServer').value).toBe(INPUT.server);
    expect(psAssignment(script, 'WatchpostToken').value).toBe(TOKEN);
    expect(psAssignment(script, 'WatchpostVersion').value).toBe('0.2.0');
    expect(psAssignment(script, 'WatchpostAgentSha256').value).toBe('2'.repeat(64));
    expect(psAssignment(script, 'WatchpostServiceHostSha256').value).toBe('3'.repeat(64));
  });

  it.each([
    ['the null-coalescing operators ?? and ??=', /\?\?/],
    ['null-conditional member access ?. and ?[', /\?[.[]/],
    ['the ternary operator', /\s\?\s/],
    ['the pipeline chain operators && and ||', /&&|\|\|/],
    [
      'parameters added after 5.1',
      /(?<![-\w])-(SkipCertificateCheck|SslProtocol|Authentication|Token|StatusCodeVariable|ResponseHeadersVariable|SkipHttpErrorCheck|Resume|Parallel|AsHashtable)\b/i,
    ],
    ['double-quoted (expanding) strings', /"/],
  ])('uses nothing Windows PowerShell 5.1 lacks or that expands values: %s', (_what, pattern) => {
    expect(code).not.toMatch(pattern);
  });

  it('is ASCII with balanced delimiters, stops on every error, and forces TLS 1.2 on', () => {
    expect(script).toMatch(/^[\x20-\x7e\n]*$/);
    expect(balanced(code)).toBe(true);
    expect(code).toMatch(/^\$ErrorActionPreference = ''$/m);
    expect(script).toContain("$ErrorActionPreference = 'Stop'");
    expect(script).toContain('[Net.SecurityProtocolType]::Tls12');
  });

  it('checks for Administrator, downloads both files with basic parsing, compares SHA-256, and installs', () => {
    expect(script).toContain('.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)');
    const webRequests = code.match(/Invoke-WebRequest[^\n]*/g) ?? [];
    expect(webRequests.length).toBeGreaterThan(0);
    for (const line of webRequests) expect(line).toMatch(/-UseBasicParsing\b/);
    expect(code).toMatch(/Get-FileHash -Algorithm SHA256 -LiteralPath \$Path/);
    expect(code).toMatch(/if \(\$actual -ne \$Expected\) \{\s+throw/);
    expect(script).toContain("Get-WatchpostFile 'win-x64' $agent $WatchpostAgentSha256");
    expect(script).toContain("Get-WatchpostFile 'service-host' (Join-Path $WatchpostWorkDir 'watchpost-agent-service.exe') $WatchpostServiceHostSha256");
    expect(code).toMatch(/& \$agent install --server \$WatchpostServer --token \$WatchpostToken\n\s+if \(\$LASTEXITCODE -ne 0\) \{ throw/);
    // The hash checks come before the install runs; the work directory goes whatever happens.
    expect(script.indexOf("Get-WatchpostFile 'service-host'")).toBeLessThan(script.indexOf('& $agent install'));
    expect(code).toMatch(/\} finally \{\s+if \(\$WatchpostWorkDir/);
    expect(code).toMatch(/\} catch \{\s+\[Console\]::Error\.WriteLine\(''\s\+\s\$_\.Exception\.Message\)\s+throw\s+\}/);
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
      `sh -c 'f=$(mktemp) && curl -fsSL -H "Authorization: Bearer ${TOKEN}" -o "$f" "https://watch.example.com/api/v1/deploy/install.sh" && sudo sh "$f"; s=$?; rm -f "$f"; exit $s'`,
    );
    expect(oneLiner('macos', 'http://[::1]:8420/wp', TOKEN)).toContain(' "http://[::1]:8420/wp/api/v1/deploy/install.sh" && sudo sh "$f"');
  });

  it.each([`https://x"y`, `https://x'y`, 'https://x y', 'ftp://x', 'https://x/$(id)', 'https://x\n'])('refuse the server URL %j', (url) => {
    expect(() => oneLiner('windows', url, TOKEN)).toThrow(DeployScriptError);
  });
});

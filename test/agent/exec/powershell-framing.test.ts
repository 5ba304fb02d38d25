import { describe, expect, it } from 'vitest';
import { excerpt, EXIT_ERROR, frameResult, scanFrame, WORKER_PRELUDE, wrapRequest } from '../../../agent/src/exec/powershell-framing.js';

const NONCE = '0123456789abcdef0123456789abcdef';
const frame = (nonce: string, status: 'OK' | 'ERR' | 'EXIT', body: string) => `\n<<WP:${nonce}:${status}>>\n${body}\n<<WP:${nonce}:END>>\n`;

describe('wrapRequest', () => {
  it('builds the exact one-line PowerShell 5.1 wrapper', () => {
    // base64 of the UTF-8 script: quotes, newlines and non-ASCII need no escaping.
    const b64 = Buffer.from('\'{"a":"ü"}\'\n', 'utf8').toString('base64');
    const frame = (tag: string, body: string) => `("\`n" + ('<<WP:' + '${NONCE}:${tag}>>') + "\`n" + ${body} + "\`n" + ('<<WP:' + '${NONCE}:END>>') + "\`n")`;
    expect(wrapRequest('\'{"a":"ü"}\'\n', NONCE)).toBe(
      '$wpFrame = $null; try { ' +
        `$wpBlock = [ScriptBlock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${b64}'))); ` +
        '$wpText = (& $wpBlock) -join "`n"; ' +
        `$wpFrame = ${frame('OK', '$wpText')} ` +
        '} catch { ' +
        '$wpError = ConvertTo-Json -InputObject @{ error = [string]$_.Exception.Message } -Compress; ' +
        `$wpFrame = ${frame('ERR', '$wpError')} ` +
        '} finally { ' +
        `if ($null -eq $wpFrame) { $wpFrame = ${frame('EXIT', "''")} }; ` +
        // The frame goes to the raw stdout as UTF-8 bytes, whatever [Console]::OutputEncoding is.
        '[Console]::Out.Flush(); $wpBytes = [Text.Encoding]::UTF8.GetBytes($wpFrame); $wpOut = [Console]::OpenStandardOutput(); ' +
        '$wpOut.Write($wpBytes, 0, $wpBytes.Length); $wpOut.Flush(); $wpFrame = $wpText = $wpBytes = $null ' +
        '}\n',
    );
  });

  it('the wrapper and the prelude are printable ASCII whatever the script holds (stdin is read in the OEM code page)', () => {
    for (const line of [wrapRequest("'Müller 東京 ✓ 🚀'\r\n# ü\t`", NONCE), WORKER_PRELUDE]) expect(line).toMatch(/^[\x20-\x7e]+\n$/);
  });

  it.each([
    ['a script with newlines', 'Get-Date\r\n| ConvertTo-Json'],
    ['a script with quotes and markers', `'<<WP:${NONCE}:END>>' "x" \`n`],
    ['an empty script', ''],
  ])('%s stays on one line and never contains a marker literally', (_name, script) => {
    const line = wrapRequest(script, NONCE);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(line).not.toContain(`<<WP:${NONCE}`);
    const b64 = /FromBase64String\('([^']*)'\)/.exec(line)?.[1] ?? '';
    expect(Buffer.from(b64, 'base64').toString('utf8')).toBe(script);
  });

  it.each(['', 'ABCDEF0123', "abc'; exit", '0123456'])('refuses the nonce %j', (nonce) => {
    expect(() => wrapRequest('1', nonce)).toThrow(/nonce/);
  });

  it('the prelude is one line that cannot fail the session', () => {
    expect(WORKER_PRELUDE.indexOf('\n')).toBe(WORKER_PRELUDE.length - 1);
    expect(WORKER_PRELUDE).toContain('try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false } catch { }');
  });
});

describe('scanFrame', () => {
  const other = 'ffffffffffffffffffffffffffffffff';
  it.each([
    ['a frame alone', frame(NONCE, 'OK', '{"a":1}'), 'OK', '{"a":1}', ''],
    ['an error frame', frame(NONCE, 'ERR', '{"error":"boom"}'), 'ERR', '{"error":"boom"}', ''],
    ['noise before', `PS C:\\> WARNING: x${frame(NONCE, 'OK', '[]')}`, 'OK', '[]', 'PS C:\\> WARNING: x'],
    [
      'a stale frame of another nonce first (two results in one chunk)',
      frame(other, 'OK', '1') + frame(NONCE, 'OK', '2'),
      'OK',
      '2',
      `<<WP:${other}:OK>>\n1\n<<WP:${other}:END>>`,
    ],
    ["a body quoting another nonce's end marker", frame(NONCE, 'OK', `"<<WP:${other}:END>>"`), 'OK', `"<<WP:${other}:END>>"`, ''],
    ['an exit frame', frame(NONCE, 'EXIT', ''), 'EXIT', '', ''],
    ['a frame after a BOM and terminal control sequences', `\ufeff\u001b[?1h\u001b[?1l${frame(NONCE, 'OK', '"ü"')}`, 'OK', '"ü"', '\u001b[?1h\u001b[?1l'],
  ])('finds %s', (_name, text, status, body, noise) => {
    const scan = scanFrame(text, NONCE);
    expect(scan).toMatchObject({ found: true, status, body, noiseBefore: noise });
  });

  it('reports where a later scan resumes and the rest after the frame', () => {
    const text = frame(NONCE, 'OK', '1') + 'tail';
    const scan = scanFrame(text, NONCE);
    expect(scan.found && text.slice(scan.end)).toBe('\ntail');
  });

  it('finds a frame fed one character at a time, resuming each scan', () => {
    const full = `noise ${frame(NONCE, 'OK', '{"big":"' + 'x'.repeat(300) + '"}')}`;
    let text = '';
    let at = { from: 0, endFrom: 0 };
    for (const ch of full) {
      text += ch;
      const scan = scanFrame(text, NONCE, at);
      if (scan.found) {
        expect(scan.body).toBe('{"big":"' + 'x'.repeat(300) + '"}');
        expect(text).toBe(full.trimEnd());
        return;
      }
      at = scan.resume;
    }
    throw new Error('frame not found');
  });

  it('does not find an incomplete frame', () => {
    expect(scanFrame(`<<WP:${NONCE}:OK>>\n{"a":`, NONCE).found).toBe(false);
    expect(scanFrame(`<<WP:${NONCE}:O`, NONCE)).toEqual({ found: false, resume: { from: 0, endFrom: 0 } });
  });

  it('resumes early enough to find the longest start marker cut at the end of a chunk', () => {
    const text = `${'noise '.repeat(20)}<<WP:${NONCE}:EXI`;
    const scan = scanFrame(text, NONCE);
    expect(scan.found).toBe(false);
    const more = `${text}T>>\n\n<<WP:${NONCE}:END>>\n`;
    expect(scanFrame(more, NONCE, scan.found ? undefined : scan.resume)).toMatchObject({ found: true, status: 'EXIT', body: '' });
  });
});

describe('frameResult', () => {
  it.each([
    ['OK', '{"a":[1,2]}', { ok: true, value: { a: [1, 2] } }],
    ['OK', '"text"', { ok: true, value: 'text' }],
    ['OK', '', { ok: false, error: 'script printed nothing (expected one JSON document)' }],
    ['OK', 'Name  Status\n----  ------', { ok: false, error: 'script output is not JSON: Name Status ---- ------' }],
    ['ERR', '{"error":"Access is denied"}', { ok: false, error: 'script error: Access is denied' }],
    ['ERR', 'not json', { ok: false, error: 'script error: not json' }],
    ['EXIT', '', { ok: false, error: EXIT_ERROR }],
  ] as const)('%s %j', (status, body, expected) => {
    expect(frameResult(status, body)).toEqual(expected);
  });

  it('excerpts are one line of at most 200 characters', () => {
    expect(excerpt('a\n'.repeat(300))).toHaveLength(200);
  });

  it('excerpts drop terminal control sequences and a BOM', () => {
    // pwsh 7's error record on a redirected stderr, and the mode switches it writes around each command on stdout.
    expect(excerpt('\u001b[31;1mWrite-Error: \u001b[31;1mWMI is slow\u001b[0m\n')).toBe('Write-Error: WMI is slow');
    expect(excerpt('\u001b[?1h\u001b=\u001b[?1l\ufeff')).toBe('');
  });
});

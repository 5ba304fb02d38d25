import { describe, expect, it } from 'vitest';
import { excerpt, frameResult, scanFrame, WORKER_PRELUDE, wrapRequest } from '../../../agent/src/exec/powershell-framing.js';

const NONCE = '0123456789abcdef0123456789abcdef';
const frame = (nonce: string, status: 'OK' | 'ERR', body: string) => `\n<<WP:${nonce}:${status}>>\n${body}\n<<WP:${nonce}:END>>\n`;

describe('wrapRequest', () => {
  it('builds the exact one-line PowerShell 5.1 wrapper', () => {
    // base64 of the UTF-8 script: quotes, newlines and non-ASCII need no escaping.
    const b64 = Buffer.from('\'{"a":"ü"}\'\n', 'utf8').toString('base64');
    expect(wrapRequest('\'{"a":"ü"}\'\n', NONCE)).toBe(
      'try { ' +
        `$wpBlock = [ScriptBlock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${b64}'))); ` +
        '$wpText = (& $wpBlock) -join "`n"; ' +
        `[Console]::Out.Write("\`n" + ('<<WP:' + '${NONCE}:OK>>') + "\`n" + $wpText + "\`n" + ('<<WP:' + '${NONCE}:END>>') + "\`n") ` +
        '} catch { ' +
        '$wpError = ConvertTo-Json -InputObject @{ error = [string]$_.Exception.Message } -Compress; ' +
        `[Console]::Out.Write("\`n" + ('<<WP:' + '${NONCE}:ERR>>') + "\`n" + $wpError + "\`n" + ('<<WP:' + '${NONCE}:END>>') + "\`n") ` +
        '}; [Console]::Out.Flush()\n',
    );
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
});

describe('frameResult', () => {
  it.each([
    ['OK', '{"a":[1,2]}', { ok: true, value: { a: [1, 2] } }],
    ['OK', '"text"', { ok: true, value: 'text' }],
    ['OK', '', { ok: false, error: 'script printed nothing (expected one JSON document)' }],
    ['OK', 'Name  Status\n----  ------', { ok: false, error: 'script output is not JSON: Name Status ---- ------' }],
    ['ERR', '{"error":"Access is denied"}', { ok: false, error: 'script error: Access is denied' }],
    ['ERR', 'not json', { ok: false, error: 'script error: not json' }],
  ] as const)('%s %j', (status, body, expected) => {
    expect(frameResult(status, body)).toEqual(expected);
  });

  it('excerpts are one line of at most 200 characters', () => {
    expect(excerpt('a\n'.repeat(300))).toHaveLength(200);
  });
});

// The secedit export parser on real exports (test/fixtures/windows/security/): a whole `secedit /export` of a domain
// member server, and the lines a Windows Server 2025 export printed beside that machine's `net accounts`.
import { describe, expect, it } from 'vitest';
import { decodeInf, parseInf, seceditPolicy } from '../../../../agent/src/probes/password_policy/secedit-inf.js';
import { fixture } from '../fixtures.js';

const MEMBER_SERVER = fixture('windows/security/secedit-export-securitypolicy-member-server.inf');
/** secedit writes UTF-16LE with a byte order mark and CRLF line ends. */
const asSeceditWritesIt = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf16le')]);

describe('secedit export', () => {
  it('a member server (complexity on, 10 attempts, 5 minutes): every account setting, lockout minutes in seconds', () => {
    expect(seceditPolicy(MEMBER_SERVER)).toEqual({
      source: 'secedit',
      minLength: 8,
      complexity: true,
      minClasses: 3,
      maxAgeDays: 90,
      minAgeDays: 0,
      history: 8,
      lockoutThreshold: 10,
      lockoutDurationSeconds: 300,
      lockoutWindowSeconds: 300,
    });
  });

  it('decodes the file as secedit writes it (UTF-16LE, BOM, CRLF) to the same policy; UTF-8 with and without a BOM too', () => {
    const utf16 = decodeInf(asSeceditWritesIt(MEMBER_SERVER));
    expect(utf16.startsWith('[Unicode]\r\nUnicode=yes')).toBe(true);
    expect(seceditPolicy(utf16)).toEqual(seceditPolicy(MEMBER_SERVER));
    expect(decodeInf(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(MEMBER_SERVER)]))).toBe(MEMBER_SERVER);
    expect(decodeInf(Buffer.from(MEMBER_SERVER))).toBe(MEMBER_SERVER);
  });

  it('keeps the other sections apart: a Registry Values line with "=" in its data is not an account setting', () => {
    const sections = parseInf(MEMBER_SERVER);
    expect([...sections.keys()]).toEqual(['unicode', 'system access', 'event audit', 'registry values', 'privilege rights', 'version']);
    expect(sections.get('registry values')?.get('machine\\system\\currentcontrolset\\control\\lsa\\nolmhash')).toBe('4,1');
    expect(sections.get('system access')?.get('newadministratorname')).toBe('"Administrator"');
  });

  it("Server 2025's lines agree with its `net accounts` (threshold 10, duration and window 10 minutes), complexity only in the export", () => {
    const lines = fixture('windows/security/secedit-export-server2025-selected-lines.txt');
    const netAccounts = fixture('windows/security/net-accounts-server2025.txt');
    const minutes = (label: string) => Number(new RegExp(`^${label}[^:]*:\\s+(\\d+)`, 'm').exec(netAccounts)?.[1]);
    const policy = seceditPolicy(`[System Access]\n${lines}`);
    expect(policy).toMatchObject({ minLength: 0, complexity: true, history: 0, lockoutThreshold: 10 });
    expect(policy.lockoutDurationSeconds).toBe(minutes('Lockout duration') * 60);
    expect(policy.lockoutWindowSeconds).toBe(minutes('Lockout observation window') * 60);
    expect(netAccounts).not.toMatch(/complex/i);
  });

  it.each([
    ['MaximumPasswordAge = -1', { maxAgeDays: 0 }],
    ['MaximumPasswordAge = 0', { maxAgeDays: 0 }],
    ['MaximumPasswordAge = 42', { maxAgeDays: 42 }],
    ['LockoutBadCount = 5\nLockoutDuration = -1', { lockoutThreshold: 5, lockoutDurationSeconds: 0 }],
    ['LockoutBadCount = 5\nLockoutDuration = 0', { lockoutThreshold: 5, lockoutDurationSeconds: 0 }],
    ['LockoutBadCount = 0', { lockoutThreshold: 0 }],
    ['PasswordComplexity = 0', { complexity: false, minClasses: 0 }],
  ])('%j: the measurement meaning of 0 and -1', (extra, expected) => {
    const text = MEMBER_SERVER.replace(/^(MaximumPasswordAge|LockoutBadCount|LockoutDuration|PasswordComplexity) = .*\n/gm, '').replace(
      '[System Access]\n',
      `[System Access]\nPasswordComplexity = 1\n${extra}\n`,
    );
    expect(seceditPolicy(text)).toMatchObject(expected);
  });

  it('refuses an export without the account settings (an empty or foreign file), quoting it', () => {
    expect(() => seceditPolicy('[Unicode]\nUnicode=yes\n[Version]\nsignature="$CHICAGO$"\n')).toThrow(/no MinimumPasswordLength.*\[Unicode\]/s);
    expect(() => seceditPolicy('')).toThrow(/secedit export/);
  });
});

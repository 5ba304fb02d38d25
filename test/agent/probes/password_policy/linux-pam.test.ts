// The Linux policy parsers on captured files (test/fixtures/linux/security/, see test/fixtures/README.md): this Debian
// 12 machine as installed, the same with libpam-pwquality's profile applied by pam-auth-update, a hardened RHEL 8
// (RHCOS) node, a realm-joined CentOS 8's sssd.conf; and the precedence rules, each on a one-line change of those.
import { describe, expect, it } from 'vitest';
import { linuxMembership } from '../../../../agent/src/probes/password_policy/domain-membership.js';
import { linuxPolicy, parseConf, parsePamStack, type LinuxPolicyFiles } from '../../../../agent/src/probes/password_policy/linux-pam.js';
import { fixture } from '../fixtures.js';

const debian = (path: string) => fixture(`linux/security/debian12/etc/${path}`);
const pwq = (path: string) => fixture(`linux/security/debian12-pwquality/etc/${path}`);
const rhcos = (path: string) => fixture(`linux/security/rhcos-isms/etc/${path}`);

const DEBIAN: LinuxPolicyFiles = {
  loginDefs: debian('login.defs'),
  passwordStack: debian('pam.d/common-password'),
  authStack: debian('pam.d/common-auth'),
  pwquality: [],
  faillock: debian('security/faillock.conf'),
};
const DEBIAN_PWQUALITY: LinuxPolicyFiles = { ...DEBIAN, passwordStack: pwq('pam.d/common-password'), pwquality: [pwq('security/pwquality.conf')] };
const RHCOS: LinuxPolicyFiles = {
  loginDefs: rhcos('login.defs'),
  passwordStack: rhcos('pam.d/system-auth'),
  authStack: rhcos('pam.d/system-auth'),
  pwquality: [rhcos('security/pwquality.conf')],
};

describe('captured systems', () => {
  it('Debian 12 as installed: pam_unix (obscure, default minlen 6), no lockout, PASS_MAX_DAYS 99999 = never expires', () => {
    expect(linuxPolicy(DEBIAN)).toEqual({
      source: 'pam_unix',
      minLength: 6,
      complexity: false,
      minClasses: 0,
      maxAgeDays: 0,
      minAgeDays: 0,
      history: 0,
      lockoutThreshold: 0,
    });
  });

  it("Debian 12 with pam_pwquality (pam-auth-update's stack, the package's pwquality.conf all commented): its defaults, minlen 8", () => {
    const stack = parsePamStack(pwq('pam.d/common-password'));
    expect(stack.map((e) => [e.type, e.control, e.module])).toEqual([
      ['password', 'requisite', 'pam_pwquality'],
      ['password', '[success=1 default=ignore]', 'pam_unix'],
      ['password', 'requisite', 'pam_deny'],
      ['password', 'required', 'pam_permit'],
    ]);
    expect(parseConf(pwq('security/pwquality.conf')).size).toBe(0);
    expect(linuxPolicy(DEBIAN_PWQUALITY)).toMatchObject({ source: 'pam_pwquality', minLength: 8, complexity: false, minClasses: 0 });
  });

  it('hardened RHEL 8: pwquality.conf minlen 15 with four negative credits, faillock deny=5 unlock_time=900, pam_unix remember=15, login.defs ages', () => {
    expect(linuxPolicy(RHCOS)).toEqual({
      source: 'pam_pwquality',
      minLength: 15,
      complexity: true,
      minClasses: 4,
      maxAgeDays: 90,
      minAgeDays: 7,
      history: 15,
      lockoutThreshold: 5,
      lockoutDurationSeconds: 900,
      lockoutWindowSeconds: 900, // faillock's default fail_interval: neither the arguments nor a faillock.conf set it
    });
  });

  it("no PAM password stack at all: login.defs' PASS_MIN_LEN, source none", () => {
    expect(linuxPolicy({ loginDefs: rhcos('login.defs'), pwquality: [] })).toMatchObject({ source: 'none', minLength: 15, lockoutThreshold: 0 });
    expect(linuxPolicy({ pwquality: [] })).toMatchObject({ source: 'none', minLength: 0, maxAgeDays: 0, minAgeDays: 0 });
  });
});

describe('precedence and defaults', () => {
  const withPassword = (line: string, more: Partial<LinuxPolicyFiles> = {}) =>
    linuxPolicy({ ...DEBIAN, passwordStack: `${line}\n${debian('pam.d/common-password')}`, ...more });

  it('module arguments over pwquality.conf.d over pwquality.conf over the defaults; the longest minimum of the stack holds', () => {
    const conf = pwq('security/pwquality.conf').replace('# minlen = 8', 'minlen = 10');
    expect(withPassword('password requisite pam_pwquality.so retry=3', { pwquality: [conf] }).minLength).toBe(10);
    expect(withPassword('password requisite pam_pwquality.so retry=3', { pwquality: [conf, 'minlen = 12\nminclass = 3\n'] })).toMatchObject({
      minLength: 12,
      minClasses: 3,
      complexity: true,
    });
    expect(withPassword('password requisite pam_pwquality.so minlen=14 ucredit=-1 dcredit=-1', { pwquality: [conf, 'minlen = 12'] })).toMatchObject({
      minLength: 14,
      minClasses: 2,
      complexity: false,
    });
    // pam_unix's own minlen above pwquality's: both must accept the password.
    const stack = pwq('pam.d/common-password').replace('try_first_pass yescrypt', 'try_first_pass yescrypt minlen=16');
    expect(linuxPolicy({ ...DEBIAN_PWQUALITY, passwordStack: stack }).minLength).toBe(16);
  });

  it('pam_cracklib reads only its arguments (defaults minlen 9, positive credits)', () => {
    expect(withPassword('password required pam_cracklib.so retry=3', { pwquality: ['minlen = 20'] })).toMatchObject({ source: 'pam_cracklib', minLength: 9 });
    expect(withPassword('password required pam_cracklib.so minlen=14 dcredit=-1 ucredit=-1 ocredit=-1 lcredit=-1')).toMatchObject({
      minLength: 14,
      minClasses: 4,
      complexity: true,
    });
  });

  it('history: pam_pwhistory (argument, pwhistory.conf, default 10) or pam_unix remember=, the longer', () => {
    expect(withPassword('password required pam_pwhistory.so use_authtok').history).toBe(10);
    expect(withPassword('password required pam_pwhistory.so use_authtok', { pwhistory: 'remember = 24' }).history).toBe(24);
    expect(withPassword('password required pam_pwhistory.so remember=5', { pwhistory: 'remember = 24' }).history).toBe(5);
    expect(linuxPolicy({ ...RHCOS, passwordStack: `password required pam_pwhistory.so remember=5\n${rhcos('pam.d/system-auth')}` }).history).toBe(15);
  });

  it("faillock: Debian's faillock.conf (all commented) gives the defaults; a set faillock.conf under the arguments; unlock_time=never", () => {
    const auth = (line: string) => `${line}\n${debian('pam.d/common-auth')}`;
    expect(linuxPolicy({ ...DEBIAN, authStack: auth('auth required pam_faillock.so preauth') })).toMatchObject({
      lockoutThreshold: 3,
      lockoutDurationSeconds: 600,
      lockoutWindowSeconds: 900,
    });
    const conf = debian('security/faillock.conf').replace('# deny = 3', 'deny = 4').replace('# unlock_time = 600', 'unlock_time = 0');
    expect(linuxPolicy({ ...DEBIAN, faillock: conf, authStack: auth('auth required pam_faillock.so preauth silent') })).toMatchObject({
      lockoutThreshold: 4,
      lockoutDurationSeconds: 0,
    });
    expect(linuxPolicy({ ...DEBIAN, faillock: conf, authStack: auth('auth required pam_faillock.so preauth deny=6 unlock_time=never') })).toMatchObject({
      lockoutThreshold: 6,
      lockoutDurationSeconds: 0,
    });
    // pam_faillock in the password or account stack only is not a lockout.
    expect(withPassword('account required pam_faillock.so').lockoutThreshold).toBe(0);
  });

  it('pam_tally2: no lockout without deny, locked until reset without unlock_time', () => {
    const auth = (line: string) => linuxPolicy({ ...DEBIAN, authStack: `${line}\n${debian('pam.d/common-auth')}` });
    expect(auth('auth required pam_tally2.so onerr=fail')).toMatchObject({ lockoutThreshold: 0 });
    expect(auth('auth required pam_tally2.so deny=5 onerr=fail')).toMatchObject({ lockoutThreshold: 5, lockoutDurationSeconds: 0 });
    expect(auth('auth required pam_tally2.so deny=5 unlock_time=1200')).toMatchObject({ lockoutThreshold: 5, lockoutDurationSeconds: 1200 });
  });

  it('PAM syntax: comments, continued lines, -type, module paths, bracketed controls and arguments, @include', () => {
    const stack = parsePamStack(
      [
        '# a comment',
        '@include common-password',
        '-password   optional   /lib/x86_64-linux-gnu/security/pam_gnome_keyring.so',
        'password [success=1 default=ignore] pam_unix.so obscure \\',
        '    yescrypt minlen=9 # trailing comment',
        'password requisite pam_pwquality.so [badwords=acme corp]',
      ].join('\n'),
    );
    expect(stack.map((e) => [e.type, e.control, e.module, Object.fromEntries(e.args)])).toEqual([
      ['password', 'optional', 'pam_gnome_keyring', {}],
      ['password', '[success=1 default=ignore]', 'pam_unix', { obscure: true, yescrypt: true, minlen: '9' }],
      ['password', 'requisite', 'pam_pwquality', { badwords: 'acme corp' }],
    ]);
  });

  it.each([
    ['-1', 0],
    ['99999', 0],
    ['90', 90],
  ])('PASS_MAX_DAYS %s: max_age_days %d', (value, days) => {
    expect(linuxPolicy({ ...DEBIAN, loginDefs: debian('login.defs').replace(/^PASS_MAX_DAYS\s+\d+/m, `PASS_MAX_DAYS\t${value}`) }).maxAgeDays).toBe(days);
  });
});

describe('domain membership', () => {
  it("a realm-joined CentOS 8: SSSD's AD domain", () => {
    expect(linuxMembership([fixture('linux/security/realm-joined-centos8/etc/sssd/sssd.conf')], undefined)).toEqual({ joined: true, domain: 'jarvis.lab' });
  });

  it('an LDAP-only SSSD domain is not a domain join; FreeIPA is; Samba with security = ads is (its realm); nothing configured is not', () => {
    expect(linuxMembership(['[sssd]\ndomains = LDAP\n[domain/LDAP]\nid_provider = ldap\n'], undefined)).toEqual({ joined: false });
    expect(linuxMembership(['[domain/ipa.example.com]\nid_provider = ipa\nipa_domain = ipa.example.com\n'], undefined)).toEqual({
      joined: true,
      domain: 'ipa.example.com',
    });
    expect(linuxMembership([], '[global]\n   workgroup = CORP\n   security = ADS\n   realm = CORP.EXAMPLE.COM\n')).toEqual({
      joined: true,
      domain: 'CORP.EXAMPLE.COM',
    });
    expect(linuxMembership([], '[global]\n   security = user\n')).toEqual({ joined: false });
    expect(linuxMembership([], undefined)).toEqual({ joined: false });
  });
});

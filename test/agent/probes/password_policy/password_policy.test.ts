// The password_policy probe end to end per platform: on captured Linux trees (its `root` option) and on this machine,
// on Windows with a runner standing in for icacls.exe and secedit.exe that writes the captured export where the probe
// asked (UTF-16LE, as secedit does), and on macOS with captured pwpolicy and dsconfigad output.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPasswordPolicyProbe } from '../../../../agent/src/probes/password_policy/password_policy.js';
import { ALLOWED_COMMANDS, execRunner, type Runner } from '../../../../agent/src/exec/runner.js';
import type { PowerShell } from '../../../../agent/src/probes/probe.js';
import { int } from '../../../../agent/src/sample.js';
import { context, fixture, FIXTURES } from '../fixtures.js';

const tree = (name: string) => `${FIXTURES}linux/security/${name}`;
const collectLinux = (root: string) => createPasswordPolicyProbe({ platform: 'linux', root }).collect(context());

describe('Linux', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'wp-password-policy-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('Debian 12 as captured here: one point, not joined (no SSSD, no Samba)', async () => {
    expect(await collectLinux(tree('debian12'))).toEqual([
      {
        measurement: 'password_policy',
        fields: {
          source: 'pam_unix',
          min_length: int(6),
          complexity: false,
          min_classes: int(0),
          history: int(0),
          lockout_threshold: int(0),
          max_age_days: int(0),
          min_age_days: int(0),
          domain_joined: false,
        },
      },
    ]);
  });

  it('a hardened RHEL 8 joined to AD by realm: system-auth when there is no common-password, the lockout fields, the domain', async () => {
    cpSync(tree('rhcos-isms'), root, { recursive: true });
    cpSync(tree('realm-joined-centos8'), root, { recursive: true });
    const [sample] = await collectLinux(root);
    expect(sample?.fields).toMatchObject({
      source: 'pam_pwquality',
      min_length: int(15),
      complexity: true,
      lockout_threshold: int(5),
      lockout_duration_seconds: int(900),
      lockout_window_seconds: int(900),
      domain_joined: true,
      domain: 'jarvis.lab',
    });
  });

  it('pwquality.conf.d drop-ins apply in lexical order after pwquality.conf; only *.conf files', async () => {
    cpSync(tree('debian12-pwquality'), root, { recursive: true });
    mkdirSync(join(root, 'etc/security/pwquality.conf.d'));
    writeFileSync(join(root, 'etc/security/pwquality.conf.d/50-length.conf'), 'minlen = 12\n');
    writeFileSync(join(root, 'etc/security/pwquality.conf.d/90-cis.conf'), 'minlen = 14\nminclass = 4\n');
    writeFileSync(join(root, 'etc/security/pwquality.conf.d/99-disabled.conf.bak'), 'minlen = 1\n');
    const [sample] = await collectLinux(root);
    expect(sample?.fields).toMatchObject({ source: 'pam_pwquality', min_length: int(14), min_classes: int(4), complexity: true });
  });

  it('sssd.conf that cannot be read: domain_joined is left out rather than reported false', async () => {
    cpSync(tree('debian12'), root, { recursive: true });
    mkdirSync(join(root, 'etc/sssd/sssd.conf'), { recursive: true }); // reading a directory fails with EISDIR
    const [sample] = await collectLinux(root);
    expect(sample?.fields).not.toHaveProperty('domain_joined');
    expect(sample?.fields.min_length).toEqual(int(6));
  });

  it('this machine: one point whose source is a PAM module or none', async () => {
    const samples = await createPasswordPolicyProbe({ platform: 'linux' }).collect(context(execRunner));
    expect(samples).toHaveLength(1);
    expect(samples[0]?.fields.source).toMatch(/^(pam_pwquality|pam_cracklib|pam_unix|none)$/);
  });
});

describe('Windows', () => {
  const MEMBER_SERVER = fixture('windows/security/secedit-export-securitypolicy-member-server.inf');
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'wp-secedit-scratch-'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  /** The worker's answer for Win32_ComputerSystem (the script runs on pwsh in password_policy-pwsh.test.ts). */
  const worker = (cs: unknown): PowerShell => ({ run: async <T>() => cs as T });

  /** icacls.exe and secedit.exe: secedit writes the export at its /cfg path as UTF-16LE with a BOM and CRLF. */
  function windowsRunner(onIcacls: (dir: string) => void = () => {}): { runner: Runner; calls: string[][] } {
    const calls: string[][] = [];
    const runner: Runner = async (command, args) => {
      calls.push([command, ...args]);
      if (command === 'icacls.exe') onIcacls(args[0]!);
      if (command === 'secedit.exe') {
        const cfg = args[args.indexOf('/cfg') + 1]!;
        writeFileSync(cfg, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(MEMBER_SERVER.replace(/\n/g, '\r\n'), 'utf16le')]));
      }
      return { stdout: 'The task has completed successfully.\r\n', stderr: '' };
    };
    return { runner, calls };
  }

  const collect = (runner: Runner, cs: unknown) =>
    createPasswordPolicyProbe({ platform: 'win32', scratchDir: scratch }).collect({ ...context(runner), powershell: worker(cs) });

  it('exports into a private directory (ACL narrowed first), reads the policy, removes the directory', async () => {
    const { runner, calls } = windowsRunner();
    const samples = await collect(runner, { PartOfDomain: true, Domain: 'corp.example.com' });
    expect(samples).toEqual([
      {
        measurement: 'password_policy',
        fields: {
          source: 'secedit',
          min_length: int(8),
          complexity: true,
          min_classes: int(3),
          history: int(8),
          lockout_threshold: int(10),
          max_age_days: int(90),
          min_age_days: int(0),
          lockout_duration_seconds: int(300),
          lockout_window_seconds: int(300),
          domain_joined: true,
          domain: 'corp.example.com',
        },
      },
    ]);
    const dir = calls[0]![1]!;
    expect(dir.startsWith(join(scratch, 'watchpost-secedit-'))).toBe(true);
    expect(calls).toEqual([
      ['icacls.exe', dir, '/inheritance:r', '/grant:r', '*S-1-5-18:(OI)(CI)F', '*S-1-5-32-544:(OI)(CI)F'],
      ['secedit.exe', '/export', '/cfg', join(dir, 'policy.inf'), '/areas', 'SECURITYPOLICY', '/quiet'],
    ]);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('a workgroup machine: domain_joined false and no domain (the workgroup is not a domain)', async () => {
    const [sample] = await collect(windowsRunner().runner, { PartOfDomain: false, Domain: 'WORKGROUP' });
    expect(sample?.fields).toMatchObject({ domain_joined: false });
    expect(sample?.fields).not.toHaveProperty('domain');
  });

  it('something put into the directory before the export: refused, secedit never started, the directory removed', async () => {
    const { runner, calls } = windowsRunner((dir) => writeFileSync(join(dir, 'policy.inf'), 'planted'));
    await expect(collect(runner, { PartOfDomain: false })).rejects.toThrow(/was not empty before the export \(policy\.inf\); not exporting/);
    expect(calls.map(([command]) => command)).toEqual(['icacls.exe']);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('secedit failing: the error is the probe error and the directory is still removed', async () => {
    const failing: Runner = async (command) => {
      if (command === 'secedit.exe') throw Object.assign(new Error('Command failed: secedit.exe'), { code: 1 });
      return { stdout: '', stderr: '' };
    };
    await expect(collect(failing, { PartOfDomain: false })).rejects.toThrow(/secedit\.exe/);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('without the PowerShell worker it says so', async () => {
    await expect(createPasswordPolicyProbe({ platform: 'win32', scratchDir: scratch }).collect(context(windowsRunner().runner))).rejects.toThrow(
      /PowerShell worker is not available/,
    );
  });
});

describe('macOS', () => {
  const runner =
    (answers: Record<string, string | Error>): Runner =>
    async (command) => {
      const answer = answers[command];
      if (answer === undefined || answer instanceof Error) throw answer ?? new Error(`unexpected ${command}`);
      return { stdout: answer, stderr: '' };
    };
  const collect = (answers: Record<string, string | Error>) => createPasswordPolicyProbe({ platform: 'darwin' }).collect(context(runner(answers)));

  it('pwpolicy and a bound Mac', async () => {
    const [sample] = await collect({
      pwpolicy: fixture('darwin/security/pwpolicy-getaccountpolicies-disa-stig-lockout.txt'),
      dsconfigad: fixture('darwin/security/dsconfigad-show-bound.txt'),
    });
    expect(sample?.fields).toEqual({
      source: 'pwpolicy',
      min_length: int(4),
      complexity: false,
      min_classes: int(0),
      history: int(0),
      lockout_threshold: int(3),
      max_age_days: int(0),
      lockout_duration_seconds: int(900),
      domain_joined: true,
      domain: 'test.com',
    });
  });

  it('dsconfigad failing leaves domain_joined out; pwpolicy failing (not root) fails the run', async () => {
    const [sample] = await collect({ pwpolicy: fixture('darwin/security/pwpolicy-getaccountpolicies-default-macos26.2.txt'), dsconfigad: new Error('exit 1') });
    expect(sample?.fields).not.toHaveProperty('domain_joined');
    await expect(collect({ pwpolicy: new Error('Command failed: pwpolicy'), dsconfigad: '' })).rejects.toThrow(/pwpolicy/);
  });
});

it('runs only allow-listed commands: icacls.exe and secedit.exe (Windows), pwpolicy and dsconfigad (macOS)', () => {
  expect(['icacls.exe', 'secedit.exe', 'pwpolicy', 'dsconfigad'].filter((c) => !ALLOWED_COMMANDS.has(c))).toEqual([]);
});

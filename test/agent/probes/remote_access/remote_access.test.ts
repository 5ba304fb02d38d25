// The remote_access probe end to end per platform. Linux: captured /etc trees (its `root` option) with drop-ins and
// boot links written by the tests, and listening sockets from this machine's real /proc (a listener the test opens)
// or the captured /proc snapshot. Windows: the worker's report as WINDOWS_REMOTE_ACCESS_SCRIPT prints it (the script
// itself runs on pwsh in remote_access-pwsh.test.ts) and Win32-OpenSSH's default sshd_config under a %ProgramData%.
// macOS: captured ssh.plist files and `netstat -an` captures.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRemoteAccessProbe, launchdPort } from '../../../../agent/src/probes/remote_access/remote_access.js';
import { windowsRdp, type WindowsRemoteReport } from '../../../../agent/src/probes/remote_access/windows.js';
import { ALLOWED_COMMANDS, type Runner } from '../../../../agent/src/exec/runner.js';
import type { PowerShell } from '../../../../agent/src/probes/probe.js';
import { int } from '../../../../agent/src/sample.js';
import { context, fixture, FIXTURES } from '../fixtures.js';

const ssh = (fields: Record<string, unknown>) => ({ measurement: 'remote_access', tags: { service: 'ssh' }, fields });
const rdp = (fields: Record<string, unknown>) => ({ measurement: 'remote_access', tags: { service: 'rdp' }, fields });

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'wp-remote-access-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('Linux', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => server.close());

  const collect = (procRoot = '/proc') => createRemoteAccessProbe({ platform: 'linux', root, procRoot }).collect(context());

  it('no sshd_config and no sshd: not installed, not enabled, nothing else', async () => {
    expect(await collect()).toEqual([ssh({ installed: false, enabled: false })]);
  });

  it("Debian's default configuration, no boot link, nothing on 22 in the captured snapshot: standard port, off", async () => {
    cpSync(`${FIXTURES}linux/security/debian12`, root, { recursive: true });
    expect(await collect(`${FIXTURES}linux/proc-snapshot`)).toEqual([
      ssh({ installed: true, enabled: false, listening: false, port: int(22), ports: '22', standard_port: true, source: 'default' }),
    ]);
  });

  it('moved by a drop-in to the port a real listener holds, enabled at boot by systemd: listening, not the standard port', async () => {
    cpSync(`${FIXTURES}linux/security/debian12`, root, { recursive: true });
    mkdirSync(join(root, 'etc/ssh/sshd_config.d'));
    writeFileSync(join(root, 'etc/ssh/sshd_config.d/10-port.conf'), `Port ${port}\n`);
    mkdirSync(join(root, 'etc/systemd/system/multi-user.target.wants'), { recursive: true });
    symlinkSync('/lib/systemd/system/ssh.service', join(root, 'etc/systemd/system/multi-user.target.wants/ssh.service')); // dangling here, as in any chroot
    expect(await collect()).toEqual([
      ssh({ installed: true, enabled: true, listening: true, port: int(port), ports: String(port), standard_port: false, source: 'sshd_config' }),
    ]);
  });

  it('22 and a second port: standard_port stays true; listening on any of them counts; a socket unit enables it', async () => {
    cpSync(`${FIXTURES}linux/security/debian12`, root, { recursive: true });
    writeFileSync(join(root, 'etc/ssh/sshd_config'), fixture('linux/security/debian12/etc/ssh/sshd_config').replace('#Port 22', `Port 22\nPort ${port}`));
    mkdirSync(join(root, 'etc/systemd/system/sockets.target.wants'), { recursive: true });
    symlinkSync('/lib/systemd/system/ssh.socket', join(root, 'etc/systemd/system/sockets.target.wants/ssh.socket'));
    const [sample] = await collect();
    expect(sample?.fields).toMatchObject({ enabled: true, listening: true, port: int(22), ports: `22,${port}`, standard_port: true });
  });

  it('no /proc tables to read: listening left out, enabled from the boot links only', async () => {
    cpSync(`${FIXTURES}linux/security/rhcos-isms`, root, { recursive: true });
    const [sample] = await collect(join(root, 'no-proc'));
    expect(sample?.fields).toEqual({ installed: true, enabled: false, port: int(22), ports: '22', standard_port: true, source: 'default' });
  });
});

describe('Windows', () => {
  const worker = (report: WindowsRemoteReport): PowerShell => ({ run: async <T>() => report as T });
  const collect = (report: WindowsRemoteReport) =>
    createRemoteAccessProbe({ platform: 'win32', programData: root }).collect({ ...context(), powershell: worker(report) });
  const TERMSERVICE = { name: 'TermService', startMode: 'Manual', state: 'Running' };
  const SSHD = { name: 'sshd', startMode: 'Auto', state: 'Running' };

  it('RDP on (fDenyTSConnections 0, 3389 listening); no OpenSSH server', async () => {
    expect(await collect({ rdp: { deny: 0, policyDeny: null, port: 3389 }, services: [TERMSERVICE], listening: [135, 445, 3389] })).toEqual([
      rdp({ installed: true, enabled: true, listening: true, port: int(3389), ports: '3389', standard_port: true, source: 'registry' }),
      ssh({ installed: false, enabled: false }),
    ]);
  });

  it('Group Policy denies RDP over a local allow; a moved port; the OpenSSH server with its default sshd_config and a drop-in', async () => {
    mkdirSync(join(root, 'ssh'));
    writeFileSync(
      join(root, 'ssh/sshd_config'),
      `Include __PROGRAMDATA__/ssh/ports.conf\n${fixture('windows/remote-access/openssh-win32-sshd_config-default')}`,
    );
    writeFileSync(join(root, 'ssh/ports.conf'), 'Port 2222\n');
    const samples = await collect({ rdp: { deny: 0, policyDeny: 1, port: 53389 }, services: [TERMSERVICE, SSHD], listening: [2222] });
    expect(samples).toEqual([
      rdp({ installed: true, enabled: false, listening: false, port: int(53389), ports: '53389', standard_port: false, source: 'registry' }),
      ssh({ installed: true, enabled: true, listening: true, port: int(2222), ports: '2222', standard_port: false, source: 'sshd_config' }),
    ]);
  });

  it('the OpenSSH server before its first start (no sshd_config yet): port 22 by default; a disabled, stopped service is off', async () => {
    const [, sample] = await collect({
      rdp: { deny: 1, port: 3389 },
      services: [TERMSERVICE, { name: 'sshd', startMode: 'Disabled', state: 'Stopped' }],
      listening: [],
    });
    expect(sample).toEqual(ssh({ installed: true, enabled: false, listening: false, port: int(22), ports: '22', standard_port: true, source: 'default' }));
  });

  it('windowsRdp: values missing or odd; one service as an object (ConvertTo-Json of one); the listener table failing', () => {
    expect(windowsRdp({ rdp: { deny: null, port: null }, services: TERMSERVICE, listening: 3389 })).toEqual({
      installed: true,
      listening: true,
      ports: [3389],
      source: 'default',
    });
    expect(windowsRdp({ rdp: { deny: 0, port: 3389 }, services: [TERMSERVICE], listening: [], listenError: 'failed' })).toMatchObject({ listening: undefined });
    expect(windowsRdp({ rdp: { deny: 0, port: 3389 }, services: [], listening: [3389] })).toEqual({ installed: false, enabled: false });
  });
});

describe('macOS', () => {
  const plist = (name: string) => {
    mkdirSync(join(root, 'System/Library/LaunchDaemons'), { recursive: true });
    writeFileSync(join(root, 'System/Library/LaunchDaemons/ssh.plist'), fixture(`darwin/security/${name}`));
  };
  const netstat =
    (capture: string): Runner =>
    async (command, args) => {
      if (command !== 'netstat' || args.join(' ') !== '-an -p tcp') throw new Error(`unexpected ${command} ${args.join(' ')}`);
      return { stdout: fixture(`darwin/netstat/${capture}`), stderr: '' };
    };
  const collect = (runner: Runner) => createRemoteAccessProbe({ platform: 'darwin', root }).collect(context(runner));

  it("Remote Login on (Sequoia's netstat: launchd listens on 22): the plist's service name ssh = 22", async () => {
    plist('ssh-plist-high-sierra.plist');
    expect(await collect(netstat('netstat-atn-sequoia-15.0.1.txt'))).toEqual([
      ssh({ installed: true, enabled: true, listening: true, port: int(22), ports: '22', standard_port: true, source: 'launchd' }),
    ]);
  });

  it('Remote Login off: nothing listens on 22', async () => {
    plist('ssh-plist-high-sierra.plist');
    const [sample] = await collect(netstat('netstat-an-excerpt-yosemite-era.txt'));
    expect(sample?.fields).toMatchObject({ installed: true, enabled: false, listening: false, standard_port: true });
  });

  it('a plist moved to port 3006: not the standard port (and off: nothing listens on 3006 in that capture)', async () => {
    plist('ssh-plist-port-3006.plist');
    const [sample] = await collect(netstat('netstat-atn-sequoia-15.0.1.txt'));
    expect(sample?.fields).toMatchObject({ enabled: false, listening: false, port: int(3006), standard_port: false });
  });

  it('a binary plist is read through plutil; no plist: not installed', async () => {
    mkdirSync(join(root, 'System/Library/LaunchDaemons'), { recursive: true });
    writeFileSync(join(root, 'System/Library/LaunchDaemons/ssh.plist'), Buffer.from('bplist00\u0000\u0001binary'));
    const calls: string[] = [];
    const runner: Runner = async (command, args) => {
      calls.push(`${command} ${args.join(' ')}`);
      if (command === 'plutil') return { stdout: fixture('darwin/security/ssh-plist-port-3006.plist'), stderr: '' };
      return netstat('netstat-atn-sequoia-15.0.1.txt')(command, args);
    };
    expect((await collect(runner))[0]?.fields).toMatchObject({ port: int(3006) });
    expect(calls[0]).toBe(`plutil -convert xml1 -o - ${join(root, 'System/Library/LaunchDaemons/ssh.plist')}`);
    rmSync(join(root, 'System'), { recursive: true });
    expect(await collect(netstat('netstat-atn-sequoia-15.0.1.txt'))).toEqual([ssh({ installed: false, enabled: false })]);
  });

  it('launchdPort: a number, ssh, or a name it cannot resolve', () => {
    expect(launchdPort(fixture('darwin/security/ssh-plist-high-sierra.plist'))).toBe(22);
    expect(launchdPort('<key>SockServiceName</key>\n<string>8022</string>')).toBe(8022);
    expect(launchdPort('<key>SockServiceName</key><string>sftp-alt</string>')).toBeUndefined();
  });
});

it('runs only allow-listed commands: netstat and plutil (macOS); Linux and Windows start none of their own', () => {
  expect(['netstat', 'plutil'].filter((c) => !ALLOWED_COMMANDS.has(c))).toEqual([]);
});

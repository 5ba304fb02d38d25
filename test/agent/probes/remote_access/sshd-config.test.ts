// The sshd_config reader on the configurations distributions ship (test/fixtures: Debian 12's, from its openssh-server
// package, with `Include /etc/ssh/sshd_config.d/*.conf`; a hardened RHEL 8 node's; Win32-OpenSSH's default with its
// `Match Group administrators` block), with drop-ins and edits written by the tests, read through an in-memory file
// tree so that every rule of sshd_config(5) is checked on its own.
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listenAddressPort, parseSshdConfig, readSshdConfig, sshdPorts, type ConfigFiles } from '../../../../agent/src/probes/remote_access/sshd-config.js';
import { fixture } from '../fixtures.js';

const DEBIAN = fixture('linux/security/debian12/etc/ssh/sshd_config');
const RHCOS = fixture('linux/security/rhcos-isms/etc/ssh/sshd_config');
const WIN32 = fixture('windows/remote-access/openssh-win32-sshd_config-default');

/** Files by absolute path; Include paths relative to /etc/ssh. */
function tree(files: Record<string, string>): ConfigFiles {
  return {
    read: async (path) => files[path],
    list: async (dir) =>
      Object.keys(files)
        .filter((p) => posix.dirname(p) === dir)
        .map((p) => posix.basename(p)),
    resolve: (pattern) => (posix.isAbsolute(pattern) ? pattern : posix.join('/etc/ssh', pattern)),
    split: (path) => ({ dir: posix.dirname(path), base: posix.basename(path) }),
    join: posix.join,
  };
}
const ports = async (files: Record<string, string>) => sshdPorts((await readSshdConfig('/etc/ssh/sshd_config', tree(files)))!);

describe('distribution defaults', () => {
  it('Debian 12 as shipped (Port 22 commented out, the drop-in directory empty): 22, by default', async () => {
    expect(await ports({ '/etc/ssh/sshd_config': DEBIAN })).toEqual({ ports: [22], source: 'default' });
  });

  it('hardened RHEL 8 (no Port line) and Win32-OpenSSH (its Match block holds no port): 22', async () => {
    expect(await ports({ '/etc/ssh/sshd_config': RHCOS })).toEqual({ ports: [22], source: 'default' });
    expect(await ports({ '/etc/ssh/sshd_config': WIN32 })).toEqual({ ports: [22], source: 'default' });
    expect(
      parseSshdConfig(WIN32)
        .filter((d) => d.conditional)
        .map((d) => d.keyword),
    ).toEqual(['authorizedkeysfile']);
  });
});

describe('Port, ListenAddress, Include, Match', () => {
  it("a drop-in in Debian's sshd_config.d moves sshd to 2222: read at the Include line, in lexical order, .conf only", async () => {
    expect(
      await ports({
        '/etc/ssh/sshd_config': DEBIAN,
        '/etc/ssh/sshd_config.d/50-port.conf': 'Port 2222\n',
        '/etc/ssh/sshd_config.d/10-first.conf': 'Port 2200\n',
        '/etc/ssh/sshd_config.d/port.conf.disabled': 'Port 9999\n',
      }),
    ).toEqual({ ports: [2200, 2222], source: 'sshd_config' });
  });

  it('every Port line adds one, from the main file and its includes; duplicates once', async () => {
    const main = DEBIAN.replace('#Port 22', 'Port 22\nPort 2222');
    expect(await ports({ '/etc/ssh/sshd_config': main, '/etc/ssh/sshd_config.d/x.conf': 'port 2222\nPORT=4422\n' })).toEqual({
      ports: [2222, 4422, 22],
      source: 'sshd_config',
    });
  });

  it.each([
    ['0.0.0.0', undefined],
    ['::', undefined],
    ['2001:db8::1', undefined],
    ['192.0.2.10:2222', 2222],
    ['[::1]:2223', 2223],
    ['host.example.com:2224', 2224],
    ['host.example.com', undefined],
  ])('ListenAddress %s: port %s', (arg, port) => {
    expect(listenAddressPort(arg)).toBe(port);
  });

  it('ListenAddress: with a port it listens there only; without one, on every Port', async () => {
    const main = (lines: string) => ({ '/etc/ssh/sshd_config': DEBIAN.replace('#ListenAddress 0.0.0.0', lines) });
    expect(await ports(main('ListenAddress 192.0.2.10:2222'))).toEqual({ ports: [2222], source: 'sshd_config' });
    expect(await ports(main('Port 2200\nListenAddress 192.0.2.10:2222\nListenAddress ::'))).toEqual({ ports: [2200, 2222], source: 'sshd_config' });
    expect(await ports(main('ListenAddress 0.0.0.0'))).toEqual({ ports: [22], source: 'default' });
  });

  it('a Port inside a Match block is skipped, also in an included file; Match all ends the block; a file ends its own block', async () => {
    const main = `${DEBIAN}\nMatch User backup\n  Port 2022\nMatch all\nPort 2201\nInclude extra.conf\nPort 2202\n`;
    expect(await ports({ '/etc/ssh/sshd_config': main, '/etc/ssh/extra.conf': 'Match Address 10.0.0.0/8\nPort 2099\n' })).toEqual({
      ports: [2201, 2202],
      source: 'sshd_config',
    });
    expect(await ports({ '/etc/ssh/sshd_config': `Match User x\nInclude extra.conf\n`, '/etc/ssh/extra.conf': 'Port 2099\n' })).toEqual({
      ports: [22],
      source: 'default',
    });
  });

  it("Include: several arguments, absolute and relative, quoted, a missing file skipped; a loop stops at sshd's depth limit", async () => {
    const main = 'Include "conf.d/a.conf" /opt/ssh/b.conf missing.conf\n';
    expect(await ports({ '/etc/ssh/sshd_config': main, '/etc/ssh/conf.d/a.conf': 'Port 2001\n', '/opt/ssh/b.conf': 'Port 2002\n' })).toEqual({
      ports: [2001, 2002],
      source: 'sshd_config',
    });
    await expect(readSshdConfig('/etc/ssh/sshd_config', tree({ '/etc/ssh/sshd_config': 'Include sshd_config\n' }))).rejects.toThrow(/deeper than 16/);
  });

  it('no sshd_config: undefined (the caller decides whether sshd is installed)', async () => {
    expect(await readSshdConfig('/etc/ssh/sshd_config', tree({}))).toBeUndefined();
  });
});

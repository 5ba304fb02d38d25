import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countUtmpUsers, parseLoadavg, parseUptime, UTMP_RECORD_SIZE, utmpLogins } from '../../../../agent/src/probes/common/proc-system.js';
import { hostAddresses } from '../../../../agent/src/probes/inventory/addresses.js';
import { fixture } from '../fixtures.js';

describe('parseUptime and parseLoadavg', () => {
  it('read real /proc files (Debian 12)', () => {
    expect(parseUptime(fixture('linux/proc/uptime'))).toBe(471);
    expect(parseLoadavg(fixture('linux/proc/loadavg'))).toEqual({ load1: 0.94, load5: 0.59, load15: 0.29 });
  });

  it('reject other text', () => {
    expect(() => parseUptime('x')).toThrow();
    expect(() => parseLoadavg('1 2')).toThrow();
  });
});

describe('countUtmpUsers', () => {
  function utmp(types: number[]): Buffer {
    const buffer = Buffer.alloc(types.length * UTMP_RECORD_SIZE);
    types.forEach((type, i) => buffer.writeInt16LE(type, i * UTMP_RECORD_SIZE));
    return buffer;
  }

  it.each([
    ['an empty file', [], 0],
    ['boot, runlevel and login records only', [2, 1, 6], 0],
    ['two user sessions and a dead one', [2, 7, 8, 7], 2],
  ])('counts USER_PROCESS records in %s', (_, types, users) => {
    expect(countUtmpUsers(utmp(types))).toBe(users);
  });

  it('ignores a truncated trailing record', () => {
    expect(countUtmpUsers(utmp([7]).subarray(0, UTMP_RECORD_SIZE - 1))).toBe(0);
  });
});

/** A utmp file written by the real util-linux `utmpdump -r` (Debian 12) from its text form: a boot record, three
 *  sessions of two users (alice twice), a closed session (DEAD_PROCESS) and a getty waiting for a login. */
const UTMP_TEXT = [
  '[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-18-amd64      ] [0.0.0.0        ] [2024-03-01T08:00:00,000000+00:00]',
  '[7] [01234] [ts/0] [alice   ] [pts/0       ] [192.0.2.10          ] [192.0.2.10     ] [2024-03-01T09:00:00,000000+00:00]',
  '[7] [01240] [ts/1] [alice   ] [pts/1       ] [192.0.2.11          ] [192.0.2.11     ] [2024-03-01T09:05:00,000000+00:00]',
  '[7] [01250] [tty1] [bob     ] [tty1        ] [                    ] [0.0.0.0        ] [2024-03-01T09:10:00,000000+00:00]',
  '[8] [01260] [ts/2] [        ] [pts/2       ] [                    ] [0.0.0.0        ] [2024-03-01T09:30:00,000000+00:00]',
  '[6] [01270] [tty2] [LOGIN   ] [tty2        ] [                    ] [0.0.0.0        ] [2024-03-01T09:31:00,000000+00:00]',
].join('\n');

const realUtmp = (): Buffer => execFileSync('utmpdump', ['-r'], { input: UTMP_TEXT + '\n', stdio: ['pipe', 'pipe', 'ignore'] });

describe('utmpLogins', () => {
  it('reads the user of each USER_PROCESS record of a real utmp file, as coreutils `users FILE` lists them', () => {
    const utmp = realUtmp();
    expect(utmp.length).toBe(6 * UTMP_RECORD_SIZE);
    expect(utmpLogins(utmp)).toEqual(['alice', 'alice', 'bob']);
    expect(countUtmpUsers(utmp)).toBe(3);
    const file = join(mkdtempSync(join(tmpdir(), 'wp-utmp-')), 'utmp');
    writeFileSync(file, utmp);
    expect(execFileSync('users', [file], { encoding: 'utf8' }).trim().split(' ')).toEqual(['alice', 'alice', 'bob']);
  });

  it('keeps a 32-byte name that fills ut_user without a NUL', () => {
    const buffer = Buffer.alloc(UTMP_RECORD_SIZE);
    buffer.writeInt16LE(7, 0);
    buffer.write('x'.repeat(32), 44, 'latin1');
    buffer.write('pts/9', 76, 'latin1'); // ut_host after it must not run into the name
    expect(utmpLogins(buffer)).toEqual(['x'.repeat(32)]);
  });
});

describe('hostAddresses', () => {
  it('lists external IPv4 before IPv6 and unique MACs, without loopback or null MACs', () => {
    const base = { netmask: '', cidr: null, scopeid: 0 };
    expect(
      hostAddresses({
        lo: [{ ...base, address: '127.0.0.1', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true }],
        eth0: [
          { ...base, address: 'fe80::1', family: 'IPv6', mac: '02:AA:00:00:00:01', internal: false },
          { ...base, address: '192.0.2.10', family: 'IPv4', mac: '02:AA:00:00:00:01', internal: false },
        ],
        tun0: [{ ...base, address: '10.8.0.2', family: 'IPv4', mac: '00:00:00:00:00:00', internal: false }],
      }),
    ).toEqual({ ips: ['192.0.2.10', '10.8.0.2', 'fe80::1'], macs: ['02:aa:00:00:00:01'] });
  });
});

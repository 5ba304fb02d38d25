import { describe, expect, it } from 'vitest';
import { countUtmpUsers, parseLoadavg, parseUptime, UTMP_RECORD_SIZE } from '../../../../agent/src/probes/common/proc-system.js';
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

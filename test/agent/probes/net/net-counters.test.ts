import { describe, expect, it } from 'vitest';
import { netFields, parseFormatList, parseNetAdapterStatistics, parseNetstatIbdn, parseProcNetDev } from '../../../../agent/src/probes/net/net-counters.js';
import { Int } from '../../../../agent/src/sample.js';
import { fixture } from '../fixtures.js';

describe('parseProcNetDev', () => {
  it('reads every interface of a real /proc/net/dev (Debian 12)', () => {
    const counters = parseProcNetDev(fixture('linux/proc/net/dev'));
    expect(counters.map((c) => c.name)).toEqual(['lo', 'ifb0', 'ifb1', 'eth0']);
    expect(counters[3]).toEqual({
      name: 'eth0',
      bytes_recv: 381526645,
      packets_recv: 11609,
      err_in: 0,
      drop_in: 0,
      bytes_sent: 905864,
      packets_sent: 7768,
      err_out: 0,
      drop_out: 0,
    });
  });

  it('takes transmit columns from the second half of the line', () => {
    const [c] = parseProcNetDev('  eth1: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n');
    expect(c).toMatchObject({ bytes_recv: 1, packets_recv: 2, err_in: 3, drop_in: 4, bytes_sent: 9, packets_sent: 10, err_out: 11, drop_out: 12 });
  });
});

describe('parseNetstatIbdn (macOS netstat -ibdnW, captured output from gopsutil)', () => {
  const counters = parseNetstatIbdn(fixture('darwin/netstat-ibdnW.txt'));

  it('keeps one row per interface: the <Link#N> row', () => {
    expect(counters.map((c) => c.name)).toEqual(['lo0', 'gif0', 'stf0', 'en0']);
  });

  it('reads the counters from the right, so a missing Address column does not shift them', () => {
    expect(counters[3]).toEqual({
      name: 'en0',
      up: true,
      loopback: false,
      bytes_recv: 7295722068,
      packets_recv: 5708989,
      err_in: 0,
      drop_in: 0,
      bytes_sent: 379533492,
      packets_sent: 3494252,
      err_out: 0,
      drop_out: 230,
    });
    expect(counters[0]).toMatchObject({ name: 'lo0', loopback: true, bytes_recv: 12824763793 });
  });

  it('marks interfaces shown with * as down', () => {
    expect(counters.filter((c) => !c.up).map((c) => c.name)).toEqual(['gif0', 'stf0']);
  });

  it('rejects output that is not netstat -ib', () => {
    expect(() => parseNetstatIbdn('Routing tables\n')).toThrow(/header/);
  });
});

describe('parseFormatList', () => {
  it('splits records on blank lines and on a repeated key', () => {
    expect(parseFormatList('A : 1\nB : x : y\n\nA : 2\nA : 3\n')).toEqual([
      new Map([
        ['A', '1'],
        ['B', 'x : y'],
      ]),
      new Map([['A', '2']]),
      new Map([['A', '3']]),
    ]);
  });
});

describe('parseNetAdapterStatistics (Windows Get-NetAdapterStatistics | Format-List)', () => {
  it('sums unicast, multicast and broadcast packets of a real capture with every property', () => {
    expect(parseNetAdapterStatistics(fixture('windows/get-netadapterstatistics-all-properties.txt'))).toEqual([
      {
        name: 'Ethernet 3',
        bytes_recv: 249578,
        bytes_sent: 256478,
        packets_recv: 8 + 0 + 5894,
        packets_sent: 5895 + 65 + 26,
        err_in: 4,
        err_out: 20,
        drop_in: 10,
        drop_out: 30,
      },
    ]);
  });

  it('reads several adapters and leaves out properties the output does not have (Windows Server 2025 capture)', () => {
    const counters = parseNetAdapterStatistics(fixture('windows/get-netadapterstatistics-server2025.txt'));
    expect(counters.map((c) => c.name)).toEqual(['Ethernet 4', 'vEthernet (nat)', 'Ethernet 3']);
    expect(netFields(counters[1]!)).toEqual({ err_in: new Int(0), err_out: new Int(0), drop_in: new Int(0), drop_out: new Int(0) });
  });

  it('handles CRLF line ends and blank lines between records', () => {
    const text = '\r\nName          : Wi-Fi\r\nReceivedBytes : 10\r\n\r\nName          : Ethernet\r\nReceivedBytes : 20\r\n\r\n';
    expect(parseNetAdapterStatistics(text).map((c) => [c.name, c.bytes_recv])).toEqual([
      ['Wi-Fi', 10],
      ['Ethernet', 20],
    ]);
  });
});

describe('netFields', () => {
  it('writes every counter as an integer', () => {
    const fields = netFields({ name: 'x', bytes_sent: 1, bytes_recv: 2, packets_sent: 3, packets_recv: 4, err_in: 5, err_out: 6, drop_in: 7, drop_out: 8 });
    expect(Object.values(fields).every((v) => v instanceof Int)).toBe(true);
    expect(Object.keys(fields)).toHaveLength(8);
  });
});

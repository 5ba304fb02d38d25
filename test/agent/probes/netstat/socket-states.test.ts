import { describe, expect, it } from 'vitest';
import {
  darwinSocketCounts,
  linuxSocketCounts,
  netstatFields,
  parseProcNetSockets,
  TCP_STATES,
  windowsSocketCounts,
} from '../../../../agent/src/probes/netstat/socket-states.js';
import { int } from '../../../../agent/src/sample.js';
import { fixture } from '../fixtures.js';

const tcp = (counts: Partial<Record<(typeof TCP_STATES)[number], number>>) => ({ ...Object.fromEntries(TCP_STATES.map((s) => [s, 0])), ...counts });
const net = (f: string) => fixture(`linux/proc-snapshot/net/${f}`);

describe('Linux /proc/net (Debian 12 captures)', () => {
  it('reads the socket rows of each file, header skipped', () => {
    expect(parseProcNetSockets(net('tcp6'))).toEqual([
      { local: '00000000000000000000000001000000:B79A', remote: '00000000000000000000000000000000:0000', state: '0A' },
      { local: '00000000000000000000000001000000:E690', remote: '00000000000000000000000001000000:B79A', state: '01' },
      { local: '00000000000000000000000001000000:B79A', remote: '00000000000000000000000001000000:E690', state: '01' },
    ]);
  });

  it('counts TCP per state over tcp and tcp6, two SO_REUSEPORT listeners on one port once, and UDP over udp and udp6', () => {
    expect(linuxSocketCounts({ tcp: [net('tcp'), net('tcp6')], udp: [net('udp'), net('udp6')] })).toEqual({
      tcp: tcp({ established: 8, fin_wait2: 1, time_wait: 18, close_wait: 1, listen: 7 }),
      udp: 3,
    });
  });

  it('counts a state outside the kernel eleven as none', () => {
    const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
    const row = (st: string, port: string) => `   0: 0100007F:${port} 00000000:0000 ${st} 00000000:00000000 00:00000000 00000000     0        0 1 1`;
    expect(linuxSocketCounts({ tcp: [[header, row('0C', '0001'), row('02', '0002')].join('\n')], udp: [] }).tcp).toEqual(tcp({ none: 1, syn_sent: 1 }));
  });
});

describe('macOS netstat -an', () => {
  it('counts the real excerpt: tcp4, tcp6 and tcp46 rows, LAST_ACK and CLOSED, udp4 and udp6', () => {
    expect(darwinSocketCounts(fixture('darwin/netstat/netstat-an-excerpt-yosemite-era.txt'))).toEqual({
      tcp: tcp({ last_ack: 1, listen: 7, established: 1, close: 1 }),
      udp: 3,
    });
  });

  it('counts the real macOS 15 capture (TCP only; truncated IPv6 addresses stay one column)', () => {
    expect(darwinSocketCounts(fixture('darwin/netstat/netstat-atn-sequoia-15.0.1.txt'))).toEqual({
      tcp: tcp({ established: 16, listen: 10, time_wait: 1 }),
      udp: 0,
    });
  });

  it('skips the other sections and maps the BSD state names', () => {
    const text = [
      'Active Internet connections (including servers)',
      'Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)',
      'tcp4       0      0  10.0.0.2.50000         10.0.0.1.443           SYN_SENT',
      'tcp4       0      0  10.0.0.2.443           10.0.0.3.50001         SYN_RCVD',
      'tcp4       0      0  10.0.0.2.50002         10.0.0.1.443           FIN_WAIT_1',
      'tcp4       0      0  10.0.0.2.50003         10.0.0.1.443           FIN_WAIT_2',
      'tcp4       0      0  10.0.0.2.50004         10.0.0.1.443           CLOSING',
      'udp46      0      0  *.5353                 *.*',
      'Active LOCAL (UNIX) domain sockets',
      'Address          Type   Recv-Q Send-Q            Inode             Conn             Refs          Nextref Addr',
      '9f1c6b4a8b7e4c5d stream      0      0                0 9f1c6b4a8b7e4c5e                0                0',
    ].join('\n');
    expect(darwinSocketCounts(text)).toEqual({ tcp: tcp({ syn_sent: 1, syn_recv: 1, fin_wait1: 1, fin_wait2: 1, closing: 1 }), udp: 1 });
  });
});

describe('Windows IPGlobalProperties reply', () => {
  it('maps .NET TcpState names, adds the listeners, counts DeleteTcb as none', () => {
    expect(windowsSocketCounts({ tcp: { Established: 12, TimeWait: 3, SynReceived: 1, FinWait1: 1, Closed: 2, DeleteTcb: 1 }, listen: 9, udp: 14 })).toEqual({
      tcp: tcp({ established: 12, time_wait: 3, syn_recv: 1, fin_wait1: 1, close: 2, none: 1, listen: 9 }),
      udp: 14,
    });
  });

  it('refuses a reply without the three parts', () => {
    expect(() => windowsSocketCounts({ tcp: {}, listen: 1 })).toThrow(/unexpected reply/);
  });
});

describe('netstatFields', () => {
  it("writes Telegraf's thirteen fields as integers", () => {
    expect(netstatFields({ tcp: tcp({ established: 2 }) as never, udp: 5 })).toEqual({
      tcp_established: int(2),
      tcp_syn_sent: int(0),
      tcp_syn_recv: int(0),
      tcp_fin_wait1: int(0),
      tcp_fin_wait2: int(0),
      tcp_time_wait: int(0),
      tcp_close: int(0),
      tcp_close_wait: int(0),
      tcp_last_ack: int(0),
      tcp_listen: int(0),
      tcp_closing: int(0),
      tcp_none: int(0),
      udp_socket: int(5),
    });
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetstatProbe, DARWIN_NETSTAT_ARGS } from '../../../../agent/src/probes/netstat/netstat.js';
import { Int, int } from '../../../../agent/src/sample.js';
import { context, fixture, FIXTURES, replayRunner } from '../fixtures.js';
import { openLoopbackSockets, type LoopbackSockets } from './loopback-sockets.js';

const value = (v: unknown): number => (v as Int).value;

describe('netstat probe on Linux', () => {
  it('counts the captured /proc/net tables (Debian 12)', async () => {
    const [draft] = await createNetstatProbe({ platform: 'linux', procRoot: `${FIXTURES}linux/proc-snapshot` }).collect(context());
    expect(draft).toEqual({
      measurement: 'netstat',
      fields: {
        tcp_established: int(8),
        tcp_syn_sent: int(0),
        tcp_syn_recv: int(0),
        tcp_fin_wait1: int(0),
        tcp_fin_wait2: int(1),
        tcp_time_wait: int(18),
        tcp_close: int(0),
        tcp_close_wait: int(1),
        tcp_last_ack: int(0),
        tcp_listen: int(7),
        tcp_closing: int(0),
        tcp_none: int(0),
        udp_socket: int(3),
      },
    });
  });

  it('reads a host without IPv6 (no tcp6, udp6) as empty tables', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wp-net-'));
    mkdirSync(join(root, 'net'));
    for (const f of ['tcp', 'udp']) writeFileSync(join(root, 'net', f), fixture(`linux/proc-snapshot/net/${f}`));
    const [draft] = await createNetstatProbe({ platform: 'linux', procRoot: root }).collect(context());
    expect(draft!.fields).toMatchObject({ tcp_established: int(6), tcp_listen: int(6), udp_socket: int(2) });
  });

  describe("this machine's real /proc, beside sockets of the test's own and iproute2's ss", () => {
    let loopback: LoopbackSockets;
    beforeAll(async () => {
      loopback = await openLoopbackSockets();
    });
    afterAll(() => loopback?.close());

    it('sees the listeners, connections and UDP sockets, and agrees with ss within what changes between readings', async () => {
      const [draft] = await createNetstatProbe().collect(context());
      const f = draft!.fields;
      expect(value(f.tcp_listen)).toBeGreaterThanOrEqual(2);
      expect(value(f.tcp_established)).toBeGreaterThanOrEqual(4); // both ends of two loopback connections
      expect(value(f.udp_socket)).toBeGreaterThanOrEqual(2);
      const ss = (args: string[]) =>
        execFileSync('ss', ['-H', ...args], { encoding: 'utf8' })
          .split('\n')
          .filter((l) => l.trim() !== '').length;
      expect(Math.abs(value(f.tcp_listen) - ss(['-tln']))).toBeLessThanOrEqual(3);
      expect(Math.abs(value(f.tcp_established) - ss(['-tn', 'state', 'established']))).toBeLessThanOrEqual(6);
      expect(Math.abs(value(f.udp_socket) - ss(['-uan']))).toBeLessThanOrEqual(3);
    });
  });
});

describe('netstat probe on macOS: one netstat -an', () => {
  it('runs it once and counts the Internet rows', async () => {
    const { runner, calls } = replayRunner(fixture('darwin/netstat/netstat-an-excerpt-yosemite-era.txt'));
    const [draft] = await createNetstatProbe({ platform: 'darwin' }).collect(context(runner));
    expect(calls).toEqual([{ command: 'netstat', args: DARWIN_NETSTAT_ARGS }]);
    expect(draft!.fields).toMatchObject({ tcp_listen: int(7), tcp_last_ack: int(1), tcp_close: int(1), tcp_established: int(1), udp_socket: int(3) });
  });
});

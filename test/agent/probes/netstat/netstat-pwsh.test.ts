// The netstat probe's Windows script, unchanged, in a real PowerShell engine (pwsh, through the agent's own worker),
// with nothing stubbed: .NET's IPGlobalProperties exists on every platform, and on Linux it reads /proc/net. So the
// script runs against this machine's real sockets (with sockets of the test's own), and its counts are checked
// against the Linux probe's reading of the same tables. What this does not show is Windows's own IP Helper tables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetstatProbe, WINDOWS_NETSTAT_SCRIPT } from '../../../../agent/src/probes/netstat/netstat.js';
import { Int } from '../../../../agent/src/sample.js';
import { context } from '../fixtures.js';
import { sharedStubbedPowerShell, type SharedStubbedPowerShell } from '../windows-stubs.js';
import { openLoopbackSockets, type LoopbackSockets } from './loopback-sockets.js';

const value = (v: unknown): number => (v as Int).value;

let ps: SharedStubbedPowerShell;
let loopback: LoopbackSockets;

beforeAll(async () => {
  ps = sharedStubbedPowerShell();
  loopback = await openLoopbackSockets();
});
afterAll(() => {
  ps.worker.stop();
  loopback?.close();
});

describe('netstat on a real PowerShell: .NET IPGlobalProperties through the worker', () => {
  it('the reply: states as TcpState names (not enum numbers), listeners and UDP endpoints counted', async () => {
    const reply = await ps.with('').run<{ tcp: Record<string, number>; listen: number; udp: number }>(WINDOWS_NETSTAT_SCRIPT);
    expect(Object.keys(reply).sort()).toEqual(['listen', 'tcp', 'udp']);
    for (const name of Object.keys(reply.tcp)) expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(reply.tcp.Established).toBeGreaterThanOrEqual(4);
    expect(reply.tcp.Listen).toBeUndefined(); // listeners come from their own list
    expect(reply.listen).toBeGreaterThanOrEqual(2);
    expect(reply.udp).toBeGreaterThanOrEqual(2);
  });

  it("the probe's samples agree with the Linux probe's reading of the same tables", async () => {
    const [windows] = await createNetstatProbe({ platform: 'win32' }).collect({ ...context(), powershell: ps.with('') });
    const [linux] = await createNetstatProbe({ platform: 'linux' }).collect(context());
    expect(ps.scripts.at(-1)).toBe(WINDOWS_NETSTAT_SCRIPT);
    expect(Object.keys(windows!.fields)).toEqual(Object.keys(linux!.fields));
    // The same sockets, read a few milliseconds apart on a machine other test runs share.
    for (const field of ['tcp_listen', 'tcp_established', 'udp_socket']) {
      expect(Math.abs(value(windows!.fields[field]) - value(linux!.fields[field])), field).toBeLessThanOrEqual(4);
    }
  });

  it('pwsh wrote nothing to stderr', () => {
    expect(ps.log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });
});

// The net probe's Windows script, unchanged, in a real PowerShell engine (pwsh): through the agent's worker, and as
// the one-off `powershell.exe -Command` the probe runs without a worker. Get-NetAdapterStatistics is a stub returning
// MSFT_NetAdapterStatisticsSettingData-like objects rebuilt from the two real Format-List captures (uint64 counters).
// The script formats them with Format-List and an explicit property list: with property names given, Format-List
// uses neither the class's format.ps1xml view nor its default property set, so the real CIM instances print the same
// `Name : value` lines as these objects, and Out-String -Width 4096 keeps every value on its line.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetProbe, WINDOWS_NET_SCRIPT } from '../../../../agent/src/probes/net/net.js';
import type { Runner } from '../../../../agent/src/exec/runner.js';
import { int } from '../../../../agent/src/sample.js';
import { pwshPath } from '../../../helpers/pwsh.js';
import { psObject, psTyped } from '../../../helpers/pwsh-stubs.js';
import { context, fixture } from '../fixtures.js';
import { capturedObject, formatListRecords, sharedStubbedPowerShell, type CapturedType, type SharedStubbedPowerShell } from '../windows-stubs.js';

/** MSFT_NetAdapterStatisticsSettingData: uint64 byte and packet counters, uint32 flags, string names. */
const statType = (name: string): CapturedType => (/(Bytes|Packets)$/.test(name) ? 'uint64' : /^(SupportedStatistics|Source)$/.test(name) ? 'uint32' : 'string');
const adapters = (capture: string) => formatListRecords(fixture(`windows/${capture}`)).map((r) => capturedObject(r, statType));
const ALL_PROPERTIES = adapters('get-netadapterstatistics-all-properties.txt');
const SERVER_2025 = adapters('get-netadapterstatistics-server2025.txt');

/** Get-NetAdapterStatistics with the parameters of the real cmdlet's default set that a caller could pass. */
const stub = (objects: string[]) => `
function Get-NetAdapterStatistics {
  [CmdletBinding()]
  param([Parameter(Position = 0)][string[]]$Name = '*', [switch]$IncludeHidden, [object[]]$CimSession)
  ${objects.join('\n  ')}
}`;

const ERRORS_ONLY = { err_in: int(0), err_out: int(0), drop_in: int(0), drop_out: int(0) };
const ETHERNET_3 = {
  measurement: 'net',
  tags: { interface: 'Ethernet 3' },
  fields: {
    bytes_recv: int(249578),
    bytes_sent: int(256478),
    packets_recv: int(8 + 0 + 5894),
    packets_sent: int(5895 + 65 + 26),
    err_in: int(4),
    err_out: int(20),
    drop_in: int(10),
    drop_out: int(30),
  },
};

let ps: SharedStubbedPowerShell;
beforeAll(() => {
  ps = sharedStubbedPowerShell();
});
afterAll(() => ps.worker.stop());

const collect = (objects: string[]) => createNetProbe({ platform: 'win32' }).collect({ ...context(), powershell: ps.with(stub(objects)) });

describe('net on a real PowerShell: Get-NetAdapterStatistics | Format-List through the worker', () => {
  it('one adapter with every property (the EC2 capture): the counters exactly as the parser tests read the capture', async () => {
    expect(await collect(ALL_PROPERTIES)).toEqual([ETHERNET_3]);
    expect(ps.scripts.at(-1)).toBe(`${WINDOWS_NET_SCRIPT} | ConvertTo-Json -Compress`);
  });

  it('three adapters with only the error counters (the Server 2025 capture): the missing counters are left out', async () => {
    expect(await collect(SERVER_2025)).toEqual(
      ['Ethernet 4', 'vEthernet (nat)', 'Ethernet 3'].map((name) => ({ measurement: 'net', tags: { interface: name }, fields: ERRORS_ONLY })),
    );
  });

  it('a 256-character non-ASCII alias (the longest Windows allows) stays on one line and intact; uint64 counters beyond 2^32', async () => {
    const alias = `Ethernet — Büro ${'Ü'.repeat(240)}`;
    const big = psObject({ Name: alias, ReceivedBytes: psTyped.uint64(5_000_000_000_123n), SentBytes: psTyped.uint64(4_294_967_296n) });
    const samples = await collect([...ALL_PROPERTIES, big]);
    expect(samples.map((s) => s.tags?.interface)).toEqual(['Ethernet 3', alias]);
    expect(samples[1]!.fields).toEqual({ bytes_recv: int(5_000_000_000_123), bytes_sent: int(4_294_967_296) });
  });

  it('no adapter at all: Out-String of nothing is "" (not nothing), so the run yields no samples instead of failing', async () => {
    expect(await ps.with(stub([])).run(`${WINDOWS_NET_SCRIPT} | ConvertTo-Json -Compress`)).toBe('');
    expect(await collect([])).toEqual([]);
  });

  it('pwsh wrote nothing to stderr', () => {
    expect(ps.log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });
});

describe('net on a real PowerShell: without a worker (collect --once), the one-off process prints the Format-List text', () => {
  it('the same samples from the process stdout', async () => {
    const calls: string[][] = [];
    // powershell.exe -NoProfile -NonInteractive -Command <script>, run as pwsh with the stub defined in front.
    const runner: Runner = async (command, args) => {
      calls.push([command, ...args]);
      const script = `${stub([...ALL_PROPERTIES, ...SERVER_2025.slice(0, 1)])}\n${args.at(-1)}`;
      const { stdout, stderr } = await promisify(execFile)(pwshPath(), [...args.slice(0, -1), script], { encoding: 'utf8' });
      return { stdout, stderr };
    };
    expect(await createNetProbe({ platform: 'win32' }).collect(context(runner))).toEqual([
      ETHERNET_3,
      { measurement: 'net', tags: { interface: 'Ethernet 4' }, fields: ERRORS_ONLY },
    ]);
    expect(calls).toEqual([['powershell.exe', '-NoProfile', '-NonInteractive', '-Command', WINDOWS_NET_SCRIPT]]);
  });
});

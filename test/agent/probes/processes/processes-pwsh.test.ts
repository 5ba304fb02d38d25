// The processes probe's Windows script, unchanged, in a real PowerShell engine (pwsh, through the agent's own
// worker). Get-CimInstance is a stub returning the System performance object rebuilt from the two real Checkmk
// captures of Win32_PerfRawData_PerfOS_System (common/perfos-stubs.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessesProbe, WINDOWS_PROCESSES_SCRIPT } from '../../../../agent/src/probes/processes/processes.js';
import { int } from '../../../../agent/src/sample.js';
import { context } from '../fixtures.js';
import { sharedStubbedPowerShell, type SharedStubbedPowerShell } from '../windows-stubs.js';
import { brokenCim, perfOsStub, perfOsSystem, SERVER, XPS15 } from '../common/perfos-stubs.js';

let ps: SharedStubbedPowerShell;
beforeAll(() => {
  ps = sharedStubbedPowerShell();
});
afterAll(() => ps.worker.stop());

const collect = (stubs: string) => createProcessesProbe({ platform: 'win32' }).collect({ ...context(), powershell: ps.with(stubs) });

describe('processes on a real PowerShell: Win32_PerfRawData_PerfOS_System through the worker', () => {
  it('the XPS 15 capture: 384 processes, 5534 threads', async () => {
    expect(await collect(perfOsStub(perfOsSystem(XPS15)))).toEqual([{ measurement: 'processes', fields: { total: int(384), total_threads: int(5534) } }]);
    expect(ps.scripts.at(-1)).toBe(WINDOWS_PROCESSES_SCRIPT);
  });

  it('the server capture: 59 processes, 762 threads', async () => {
    expect(await collect(perfOsStub(perfOsSystem(SERVER)))).toEqual([{ measurement: 'processes', fields: { total: int(59), total_threads: int(762) } }]);
  });

  it('pwsh wrote nothing to stderr', () => {
    expect(ps.log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('a failing WMI query fails the run (-ErrorAction Stop) instead of writing no processes', async () => {
    await expect(collect(brokenCim)).rejects.toThrow(/script error: Generic failure/);
  });
});

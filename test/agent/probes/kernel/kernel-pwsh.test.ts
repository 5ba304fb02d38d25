// The kernel probe's Windows script, unchanged, in a real PowerShell engine (pwsh, through the agent's own worker).
// Get-CimInstance is a stub: the System performance object rebuilt from the two real Checkmk captures of
// Win32_PerfRawData_PerfOS_System, and Processor instances with chosen InterruptsPersec values (common/perfos-stubs.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernelProbe, WINDOWS_KERNEL_SCRIPT } from '../../../../agent/src/probes/kernel/kernel.js';
import { int } from '../../../../agent/src/sample.js';
import { context } from '../fixtures.js';
import { sharedStubbedPowerShell, type SharedStubbedPowerShell } from '../windows-stubs.js';
import { brokenCim, perfOsStub, perfOsSystem, processors, SERVER, XPS15 } from '../common/perfos-stubs.js';

let ps: SharedStubbedPowerShell;
beforeAll(() => {
  ps = sharedStubbedPowerShell();
});
afterAll(() => ps.worker.stop());

const collect = (stubs: string) => createKernelProbe({ platform: 'win32' }).collect({ ...context(), powershell: ps.with(stubs) });
const CPUS = processors({ '0': 1_000_000, '1': 2_000_000, _Total: 3_000_000 });

describe('kernel on a real PowerShell: raw System and Processor(_Total) counters through the worker', () => {
  it('the XPS 15 capture: context switches and the boot moment from System, interrupts from _Total only', async () => {
    expect(await collect(perfOsStub(perfOsSystem(XPS15), CPUS))).toEqual([
      {
        measurement: 'kernel',
        // SystemUpTime 131983188065000000 (FILETIME) = 2019-03-29T07:40:06.5Z; the capture's Timestamp_Object is 4.1 h later.
        fields: { context_switches: int(469922985), interrupts: int(3_000_000), boot_time: int(1553845206) },
      },
    ]);
    expect(ps.scripts.at(-1)).toBe(WINDOWS_KERNEL_SCRIPT);
  });

  it('the server capture (SystemCallsPersec printed as a negative int32 by Checkmk, a uint32 here)', async () => {
    const [sample] = await collect(perfOsStub(perfOsSystem(SERVER), CPUS));
    expect(sample!.fields).toEqual({ context_switches: int(515871527), interrupts: int(3_000_000), boot_time: int(1464264912) });
  });

  it('interrupts at the top of the uint32 range stay whole', async () => {
    const [sample] = await collect(perfOsStub(perfOsSystem(XPS15), processors({ _Total: 4_294_967_295 })));
    expect(sample!.fields.interrupts).toEqual(int(4_294_967_295));
  });

  it('pwsh wrote nothing to stderr', () => {
    expect(ps.log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('a failing WMI query fails the run (-ErrorAction Stop)', async () => {
    await expect(collect(brokenCim)).rejects.toThrow(/script error: Generic failure/);
  });
});

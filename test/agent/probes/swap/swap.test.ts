import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSwapProbe, WINDOWS_SWAP_SCRIPT } from '../../../../agent/src/probes/swap/swap.js';
import { ALLOWED_COMMANDS, type Runner } from '../../../../agent/src/exec/runner.js';
import { Int, int } from '../../../../agent/src/sample.js';
import { context, fixture, LINUX_PROC } from '../fixtures.js';

const kB = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;

describe('swap probe on Linux', () => {
  it("this machine's /proc: one point with Telegraf's six fields, sizes as in /proc/meminfo", async () => {
    const [draft, ...rest] = await createSwapProbe().collect(context());
    expect(rest).toEqual([]);
    expect(draft!.measurement).toBe('swap');
    expect(draft!.tags).toBeUndefined();
    expect(Object.keys(draft!.fields).sort()).toEqual(['free', 'in', 'out', 'total', 'used', 'used_percent']);
    expect(draft!.fields.total).toEqual(int(kB('SwapTotal')));
    expect((draft!.fields.used as Int).value + (draft!.fields.free as Int).value).toBe((draft!.fields.total as Int).value);
    expect(typeof draft!.fields.used_percent).toBe('number');
  });

  it('the captured /proc of the development machine (no swap): zeros', async () => {
    expect(await createSwapProbe({ procRoot: LINUX_PROC }).collect(context())).toEqual([
      { measurement: 'swap', fields: { total: int(0), used: int(0), free: int(0), used_percent: 0, in: int(0), out: int(0) } },
    ]);
  });
});

describe('swap probe on macOS and Windows', () => {
  it('runs sysctl vm.swapusage and vm_stat (both allowed) and combines them', async () => {
    const calls: string[] = [];
    const runner: Runner = async (command, args) => {
      calls.push([command, ...args].join(' '));
      const file = command === 'sysctl' ? 'darwin/sysctl-vm-swapusage-later.txt' : 'darwin/vm_stat-later.txt';
      return { stdout: fixture(file), stderr: '' };
    };
    const [draft] = await createSwapProbe({ platform: 'darwin' }).collect(context(runner));
    expect(calls.sort()).toEqual(['sysctl vm.swapusage', 'vm_stat']);
    expect(['sysctl', 'vm_stat'].every((c) => ALLOWED_COMMANDS.has(c))).toBe(true);
    expect(draft!.fields).toMatchObject({ total: int(2048 * 1024 * 1024), in: int(1725059 * 16384), out: int(3171828 * 16384) });
  });

  it('asks the PowerShell worker once per run on Windows', async () => {
    const scripts: string[] = [];
    const worker = {
      run: async <T>(script: string) => {
        scripts.push(script);
        return { files: [{ name: 'C:\\pagefile.sys', allocated_mb: '2048', current_mb: '42' }], pages_in: '5', pages_out: '7', page_size: '4096' } as T;
      },
    };
    const [draft] = await createSwapProbe({ platform: 'win32' }).collect({ ...context(), powershell: worker });
    expect(scripts).toEqual([WINDOWS_SWAP_SCRIPT]);
    expect(draft!.fields).toMatchObject({ total: int(2048 * 1024 * 1024), used: int(42 * 1024 * 1024), in: int(5 * 4096), out: int(7 * 4096) });
  });

  it('on Windows without the worker it fails instead of starting a process', async () => {
    await expect(createSwapProbe({ platform: 'win32' }).collect(context())).rejects.toThrow(/PowerShell worker is not available/);
  });
});

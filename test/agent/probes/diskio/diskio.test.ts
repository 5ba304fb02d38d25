import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDiskioProbe, IOREG_ARGS, WINDOWS_DISKIO_SCRIPT } from '../../../../agent/src/probes/diskio/diskio.js';
import { parseDiskstats } from '../../../../agent/src/probes/diskio/diskstats.js';
import { ALLOWED_COMMANDS } from '../../../../agent/src/exec/runner.js';
import { Int, int } from '../../../../agent/src/sample.js';
import { context, fixture, LINUX_PROC, replayRunner } from '../fixtures.js';

const value = (v: unknown): number => (v as Int).value;

describe('diskio probe on Linux', () => {
  it("this machine's /proc/diskstats: one point per active device, eleven integer counters, tagged by the kernel's name", async () => {
    const drafts = await createDiskioProbe().collect(context());
    const active = parseDiskstats(readFileSync('/proc/diskstats', 'utf8')).map((d) => d.name);
    expect(drafts.map((d) => d.tags?.name)).toEqual(active);
    expect(drafts.length).toBeGreaterThan(0);
    for (const draft of drafts) {
      expect(draft.measurement).toBe('diskio');
      expect(Object.keys(draft.fields)).toHaveLength(11);
      expect(Object.values(draft.fields).every((v) => v instanceof Int)).toBe(true);
    }
  });

  it('counters read again a moment later never go back (they are sent as counters, not rates)', async () => {
    const probe = createDiskioProbe();
    const first = await probe.collect(context());
    const second = await probe.collect(context());
    for (const before of first) {
      const after = second.find((d) => d.tags?.name === before.tags?.name);
      for (const field of ['reads', 'writes', 'read_bytes', 'write_bytes', 'io_time']) {
        expect(value(after?.fields[field])).toBeGreaterThanOrEqual(value(before.fields[field]));
      }
    }
  });

  it('the captured snapshot: loop0, loop1 and vda; the idle loop devices and zram0 are left out', async () => {
    const drafts = await createDiskioProbe({ procRoot: LINUX_PROC, sysRoot: '/nonexistent' }).collect(context());
    expect(drafts.map((d) => d.tags)).toEqual([{ name: 'loop0' }, { name: 'loop1' }, { name: 'vda' }]);
    expect(drafts[2]!.fields.write_bytes).toEqual(int(176261208 * 512));
  });

  it('adds the wwid tag where /sys/block/<name>/wwid exists, without its newline', async () => {
    // A /sys tree made for the test; the value has the kernel's NVMe form (eui. and the namespace's EUI-64).
    const sys = mkdtempSync(join(tmpdir(), 'wp-diskio-sys-'));
    mkdirSync(join(sys, 'block', 'vda'), { recursive: true });
    writeFileSync(join(sys, 'block', 'vda', 'wwid'), 'eui.0025385b71b07e2f\n');
    const drafts = await createDiskioProbe({ procRoot: LINUX_PROC, sysRoot: sys }).collect(context());
    expect(drafts.map((d) => d.tags)).toEqual([{ name: 'loop0' }, { name: 'loop1' }, { name: 'vda', wwid: 'eui.0025385b71b07e2f' }]);
  });
});

describe('diskio probe on Windows and macOS', () => {
  const rows = [
    { name: '_Total', reads: '10', writes: '20', read_bytes: '1', write_bytes: '2', read_time: '0', write_time: '0', disk_time: '0', queue: '0' },
    { name: 'C:', reads: '10', writes: '20', read_bytes: '4096', write_bytes: '8192', read_time: '20000', write_time: '30000', disk_time: '50000', queue: '1' },
  ];

  it('asks the PowerShell worker once per run and reports the drive letters', async () => {
    const scripts: string[] = [];
    const worker = {
      run: async <T>(script: string) => {
        scripts.push(script);
        return rows as T;
      },
    };
    const { runner, calls } = replayRunner('');
    const drafts = await createDiskioProbe({ platform: 'win32' }).collect({ ...context(runner), powershell: worker });
    expect(calls).toEqual([]);
    expect(scripts).toEqual([WINDOWS_DISKIO_SCRIPT]);
    expect(drafts).toEqual([
      {
        measurement: 'diskio',
        tags: { name: 'C:' },
        fields: {
          reads: int(10),
          writes: int(20),
          read_bytes: int(4096),
          write_bytes: int(8192),
          read_time: int(2),
          write_time: int(3),
          weighted_io_time: int(5),
          iops_in_progress: int(1),
        },
      },
    ]);
  });

  it('without a worker (collect --once) runs the same script in a powershell.exe of its own', async () => {
    const { runner, calls } = replayRunner(JSON.stringify(rows));
    const drafts = await createDiskioProbe({ platform: 'win32' }).collect(context(runner));
    expect(calls).toEqual([{ command: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-Command', WINDOWS_DISKIO_SCRIPT] }]);
    expect(drafts.map((d) => d.tags?.name)).toEqual(['C:']);
  });

  it('refuses output that is not the script’s array', async () => {
    const worker = { run: async <T>() => ({ oops: true }) as T };
    await expect(createDiskioProbe({ platform: 'win32' }).collect({ ...context(), powershell: worker })).rejects.toThrow(/unexpected PowerShell output/);
  });

  it('runs ioreg once on macOS (an allowed command) and names each disk by its BSD name', async () => {
    const { runner, calls } = replayRunner(fixture('darwin/ioreg-blockstoragedriver-apple-silicon.txt'));
    const drafts = await createDiskioProbe({ platform: 'darwin' }).collect(context(runner));
    expect(calls).toEqual([{ command: 'ioreg', args: IOREG_ARGS }]);
    expect(ALLOWED_COMMANDS.has('ioreg')).toBe(true);
    expect(drafts.map((d) => d.tags)).toEqual([{ name: 'disk0' }]);
    expect(Object.keys(drafts[0]!.fields)).toEqual(['reads', 'writes', 'read_bytes', 'write_bytes', 'read_time', 'write_time', 'io_time']);
  });

  it('fails clearly on a platform it has no reader for', async () => {
    await expect(createDiskioProbe({ platform: 'aix' }).collect(context())).rejects.toThrow(/no reader for aix/);
  });
});

import { describe, expect, it } from 'vitest';
import { createDiskProbe } from '../../../../agent/src/probes/disk/disk.js';
import { Int } from '../../../../agent/src/sample.js';
import { context, LINUX_PROC } from '../fixtures.js';

describe('disk probe', () => {
  it('reports the root filesystem of this machine and no pseudo filesystem', async () => {
    const drafts = await createDiskProbe().collect(context());
    const root = drafts.find((d) => d.tags?.path === '/');
    expect(root?.measurement).toBe('disk');
    expect(root?.tags).toMatchObject({ mode: expect.stringMatching(/^(rw|ro|unknown)$/) });
    expect(root?.tags?.device).not.toMatch(/^\/dev\//);
    const f = root!.fields;
    expect((f.total as Int).value).toBeGreaterThan(0);
    expect((f.used as Int).value + (f.free as Int).value).toBeLessThanOrEqual((f.total as Int).value);
    expect(f.used_percent as number).toBeGreaterThan(0);
    expect(f.used_percent as number).toBeLessThan(100);
    expect(drafts.map((d) => d.tags?.fstype)).not.toContain('tmpfs');
    expect(drafts.map((d) => d.tags?.fstype)).not.toContain('proc');
  });

  it('measures the filesystems listed in the captured mounts file', async () => {
    const drafts = await createDiskProbe({ procRoot: LINUX_PROC }).collect(context());
    expect(drafts.map((d) => d.tags)).toEqual([{ path: '/', device: 'vda', fstype: 'ext4', mode: 'rw' }]);
  });

  it('skips drive letters that do not exist instead of failing (Windows lister, run here)', async () => {
    expect(await createDiskProbe({ platform: 'win32' }).collect(context())).toEqual([]);
  });

  it('gives up when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(createDiskProbe().collect(context(undefined, controller.signal))).rejects.toThrow(/abort/i);
  });
});

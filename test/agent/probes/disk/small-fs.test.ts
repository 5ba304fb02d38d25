// The disk probe on a real small filesystem: a 4 MiB ext4 image loop-mounted for the test (root only, as in CI),
// measured before and after writing into it, and compared with statfs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiskProbe } from '../../../../agent/src/probes/disk/disk.js';
import { Int } from '../../../../agent/src/sample.js';
import { context } from '../fixtures.js';

const canMount = process.platform === 'linux' && process.getuid?.() === 0;
if (!canMount) console.warn('probes/disk/small-fs.test.ts: not root, so the loop-mounted filesystem test is skipped');

describe.runIf(canMount)('disk on a real 4 MiB ext4 filesystem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wp-disk-'));
  const image = join(dir, 'small.img');
  const mountPoint = join(dir, 'mnt');

  beforeAll(() => {
    execFileSync('truncate', ['-s', '4M', image]);
    execFileSync('mkfs.ext4', ['-q', '-F', image]);
    execFileSync('mkdir', ['-p', mountPoint]);
    execFileSync('mount', ['-o', 'loop', image, mountPoint]);
  });
  afterAll(() => {
    try {
      execFileSync('umount', [mountPoint]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const measure = async () => {
    const drafts = await createDiskProbe().collect(context());
    const point = drafts.find((d) => d.tags?.path === mountPoint);
    expect(point, `the probe reports ${mountPoint}`).toBeDefined();
    const value = (k: string) => (point!.fields[k] as Int).value;
    return { point: point!, used: value('used'), free: value('free'), total: value('total'), inodesUsed: value('inodes_used') };
  };

  it('reports it with Telegraf tags, sizes that match statfs, and sees a 1 MiB write', async () => {
    const before = await measure();
    expect(before.point.tags).toMatchObject({ fstype: 'ext4', mode: 'rw', device: expect.stringMatching(/^loop\d+$/) });
    const s = statfsSync(mountPoint);
    expect(before.total).toBe(s.blocks * s.bsize);
    expect(before.free).toBe(s.bavail * s.bsize);
    writeFileSync(join(mountPoint, 'payload'), Buffer.alloc(1024 * 1024, 1));
    execFileSync('sync');
    const after = await measure();
    expect(after.used - before.used).toBeGreaterThanOrEqual(1024 * 1024);
    expect(after.inodesUsed).toBe(before.inodesUsed + 1);
    const percent = after.point.fields.used_percent as number;
    expect(percent).toBeCloseTo((after.used / (after.used + after.free)) * 100, 6);
  });
});

import { describe, expect, it } from 'vitest';
import { diskFields, IGNORE_FS, mountMode, parseMounts, selectMounts } from '../../../../agent/src/probes/disk/mounts.js';
import { fixture } from '../fixtures.js';

const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('parseMounts and selectMounts', () => {
  it('keeps only the root ext4 filesystem of this Debian 12 machine', () => {
    const entries = parseMounts(fixture('linux/proc/self/mounts'));
    expect(entries.length).toBeGreaterThan(15);
    expect(selectMounts(entries)).toEqual([{ device: '/dev/vda', path: '/', fstype: 'ext4', options: expect.arrayContaining(['rw', 'relatime']) }]);
  });

  it('unescapes octal escapes in paths', () => {
    const [entry] = parseMounts('/dev/sdb1 /media/usb\\040stick vfat rw,nosuid 0 0\n');
    expect(entry?.path).toBe('/media/usb stick');
  });

  it.each([
    [
      'drops a bind mount of an already measured device',
      '/dev/sda1 / ext4 rw 0 0\n/dev/sda1 /etc/hosts ext4 rw 0 0\n/dev/sdb1 /data xfs rw 0 0\n',
      ['/', '/data'],
    ],
    ['measures a path mounted twice once', 'server:/export /mnt/nfs nfs4 rw 0 0\nserver:/other /mnt/nfs nfs4 ro 0 0\n', ['/mnt/nfs']],
    ['drops pseudo filesystems', 'proc /proc proc rw 0 0\ncgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n', []],
    ['drops overlay and squashfs (containers, snaps)', 'overlay / overlay rw 0 0\n/dev/loop0 /snap/x squashfs ro 0 0\n', []],
    ['keeps network and FUSE data filesystems', '//nas/share /mnt/share cifs rw 0 0\nsshfs#a /mnt/a fuse.sshfs rw 0 0\n', ['/mnt/share', '/mnt/a']],
  ])('%s', (_, text, paths) => {
    expect(selectMounts(parseMounts(text)).map((m) => m.path)).toEqual(paths);
  });

  it('keeps the last mount of a path with its own options', () => {
    const [mount] = selectMounts(parseMounts('server:/export /mnt/nfs nfs4 rw 0 0\nserver:/other /mnt/nfs nfs4 ro 0 0\n'));
    expect(mount?.device).toBe('server:/other');
  });

  it('ignores Telegraf default ignore_fs types', () => {
    for (const fstype of ['tmpfs', 'devtmpfs', 'devfs', 'iso9660', 'overlay', 'aufs', 'squashfs']) {
      expect(IGNORE_FS.has(fstype)).toBe(true);
    }
  });
});

describe('mountMode', () => {
  it.each([
    [['rw', 'relatime'], 'rw'],
    [['ro', 'nosuid'], 'ro'],
    [['defaults'], 'unknown'],
  ] as const)('%j -> %s', (options, mode) => {
    expect(mountMode(options)).toBe(mode);
  });
});

describe('diskFields', () => {
  it('uses available blocks as free and used / (used + free) as Telegraf does, inodes likewise', () => {
    const fields = diskFields({ bsize: 4096, blocks: 1000, bfree: 300, bavail: 250, files: 500, ffree: 400 });
    expect(json(fields)).toEqual({
      total: 4096000,
      free: 1024000,
      used: 2867200,
      used_percent: (100 * 700) / 950,
      inodes_total: 500,
      inodes_free: 400,
      inodes_used: 100,
      inodes_used_percent: (100 * 100) / 500,
    });
  });

  it('inodes_used_percent is 0 on a filesystem that reports no inodes (btrfs, vfat), as Telegraf writes it', () => {
    expect(diskFields({ bsize: 4096, blocks: 1000, bfree: 300, bavail: 250, files: 0, ffree: 0 })?.inodes_used_percent).toBe(0);
  });

  it('skips a zero-size filesystem', () => {
    expect(diskFields({ bsize: 4096, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0 })).toBeUndefined();
  });

  it('reports 0 percent on a filesystem whose blocks are all reserved and none used', () => {
    expect(diskFields({ bsize: 512, blocks: 10, bfree: 10, bavail: 0, files: 0, ffree: 0 })?.used_percent).toBe(0);
  });
});

// The disk probe's Linux `label` tag, found as gopsutil's disk.Label finds it: a device-mapper name under /sys, else
// ID_FS_LABEL in udev's database for the device node's major:minor. The device nodes are this machine's real ones
// (the first block device in /sys/block that has a /dev node); /sys and /run are trees made for each test, holding a
// captured udev database record (test/fixtures/linux/udev/).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDiskProbe } from '../../../../agent/src/probes/disk/disk.js';
import { deviceLabel, devMajorMinor, udevProperty } from '../../../../agent/src/probes/disk/label.js';
import { context, fixture, LINUX_PROC } from '../fixtures.js';

const UDEV_RECORD = fixture('linux/udev/udev-db-hda7-vfat.txt');

/** A block device of this machine with its /dev node, and its major:minor as /sys/block/<name>/dev states it. */
function realBlockDevice(): { name: string; majorMinor: string } {
  for (const name of readdirSync('/sys/block')) {
    if (existsSync(`/dev/${name}`)) return { name, majorMinor: readFileSync(`/sys/block/${name}/dev`, 'utf8').trim() };
  }
  throw new Error('no block device with a /dev node on this machine');
}

function roots(): { sysRoot: string; devRoot: string; runRoot: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wp-disk-label-'));
  mkdirSync(join(dir, 'sys', 'block'), { recursive: true });
  mkdirSync(join(dir, 'run', 'udev', 'data'), { recursive: true });
  return { sysRoot: join(dir, 'sys'), devRoot: '/dev', runRoot: join(dir, 'run') };
}

/** glibc's makedev, to check the decoding beyond the 8-bit legacy fields. */
const makedev = (major: bigint, minor: bigint): bigint => ((major & 0xfffn) << 8n) | ((major & ~0xfffn) << 32n) | (minor & 0xffn) | ((minor & ~0xffn) << 12n);

describe('devMajorMinor and udevProperty', () => {
  it("decodes this machine's device numbers as /sys/block states them, and large ones as glibc encodes them", () => {
    const { name, majorMinor } = realBlockDevice();
    expect(devMajorMinor(statSync(`/dev/${name}`, { bigint: true }).rdev).join(':')).toBe(majorMinor);
    expect(devMajorMinor(makedev(259n, 1_048_575n))).toEqual([259n, 1_048_575n]);
    expect(devMajorMinor(makedev(4095n, 255n))).toEqual([4095n, 255n]);
  });

  it('reads E: properties of a captured udev record; a value holding "=" is skipped, as gopsutil does', () => {
    expect(udevProperty(UDEV_RECORD, 'E:ID_FS_LABEL')).toBe('GARBAGE');
    expect(udevProperty(UDEV_RECORD, 'E:ID_FS_TYPE')).toBe('vfat');
    expect(udevProperty('E:ID_FS_LABEL=a=b\n', 'E:ID_FS_LABEL')).toBeUndefined();
    expect(udevProperty(UDEV_RECORD, 'E:ID_PART_ENTRY_NAME')).toBeUndefined();
  });
});

describe('deviceLabel', () => {
  it('a device-mapper device: its dm name from /sys/block/<name>/dm/name', async () => {
    const r = roots();
    mkdirSync(join(r.sysRoot, 'block', 'dm-0', 'dm'), { recursive: true });
    writeFileSync(join(r.sysRoot, 'block', 'dm-0', 'dm', 'name'), 'vg0-data\n');
    expect(await deviceLabel('dm-0', r)).toBe('vg0-data');
  });

  it("else the filesystem label in udev's database for the node's major:minor", async () => {
    const r = roots();
    const { name, majorMinor } = realBlockDevice();
    writeFileSync(join(r.runRoot, 'udev', 'data', `b${majorMinor}`), UDEV_RECORD);
    expect(await deviceLabel(name, r)).toBe('GARBAGE');
  });

  it('no dm name, no udev record, no device node, or an empty label: no label', async () => {
    const r = roots();
    const { name, majorMinor } = realBlockDevice();
    expect(await deviceLabel(name, r)).toBeUndefined();
    expect(await deviceLabel('mapper/vg0-missing', r)).toBeUndefined();
    writeFileSync(join(r.runRoot, 'udev', 'data', `b${majorMinor}`), 'E:ID_FS_TYPE=ext4\nE:ID_FS_LABEL=\n');
    expect(await deviceLabel(name, r)).toBeUndefined();
  });
});

describe('disk probe with the label tag', () => {
  it('the captured mounts (root on /dev/vda): the label found for vda is added to its tags', async () => {
    const r = roots();
    mkdirSync(join(r.sysRoot, 'block', 'vda', 'dm'), { recursive: true });
    writeFileSync(join(r.sysRoot, 'block', 'vda', 'dm', 'name'), 'root-volume\n');
    const drafts = await createDiskProbe({ procRoot: LINUX_PROC, labelRoots: r }).collect(context());
    expect(drafts.map((d) => d.tags)).toEqual([{ path: '/', device: 'vda', fstype: 'ext4', mode: 'rw', label: 'root-volume' }]);
    expect(drafts[0]!.fields.inodes_used_percent).toEqual(expect.any(Number));
  });
});

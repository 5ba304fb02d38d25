// Telegraf's `label` tag of the disk plugin on Linux, found the way gopsutil's disk.Label finds it, for the device
// as the mounts file names it without `/dev/` (`dm-0`, `sda1`, `mapper/vg0-data`):
// 1. /sys/block/<name>/dm/name: the device-mapper name of a dm-N device (an LVM volume `vg0-data`, a LUKS mapping);
// 2. else udev's database: the device node's major:minor, then `E:ID_FS_LABEL=` in /run/udev/data/b<major>:<minor>
//    (the filesystem's label; this is also what a `/dev/mapper/...` mount gets, whose name has no /sys/block entry).
// No label found: no tag, as in Telegraf.
import { readFile, stat } from 'node:fs/promises';

export interface LabelRoots {
  sysRoot: string;
  devRoot: string;
  runRoot: string;
}

export const LINUX_ROOTS: LabelRoots = { sysRoot: '/sys', devRoot: '/dev', runRoot: '/run' };

/** glibc's gnu_dev_major / gnu_dev_minor of a Linux dev_t. */
export function devMajorMinor(rdev: bigint): [major: bigint, minor: bigint] {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return [major, minor];
}

/** The value of `key` in a udev database file (`E:ID_FS_LABEL=data`); a line whose value holds `=` is skipped, as
 *  gopsutil's SplitN(…, 3) does. */
export function udevProperty(text: string, key: string): string | undefined {
  for (const line of text.split('\n')) {
    const parts = line.split('=');
    if (parts.length === 2 && parts[0] === key) return parts[1];
  }
  return undefined;
}

export async function deviceLabel(name: string, roots: LabelRoots = LINUX_ROOTS): Promise<string | undefined> {
  const dmName = await readFile(`${roots.sysRoot}/block/${name}/dm/name`, 'utf8').catch(() => undefined);
  if (dmName?.trim()) return dmName.trim();
  try {
    const [major, minor] = devMajorMinor((await stat(`${roots.devRoot}/${name}`, { bigint: true })).rdev);
    const udev = await readFile(`${roots.runRoot}/udev/data/b${major}:${minor}`, 'utf8');
    return udevProperty(udev, 'E:ID_FS_LABEL') || undefined;
  } catch {
    return undefined; // no device node, no udev database (a container): no label
  }
}

// Pure parsing of Linux /proc/self/mounts, the selection of real filesystems in it, and Telegraf's `disk`
// fields computed from a statfs result.
import { int, type FieldValue } from '../../sample.js';

/**
 * Filesystem types that hold no user data worth a disk alert: Telegraf's default ignore_fs plus the kernel's
 * pseudo filesystems, which Telegraf drops later because their statfs total is 0.
 */
export const IGNORE_FS: ReadonlySet<string> = new Set([
  'tmpfs',
  'devtmpfs',
  'devfs',
  'iso9660',
  'overlay',
  'aufs',
  'squashfs', // Telegraf's ignore_fs defaults
  'autofs', // Telegraf always skips it: statfs would trigger the automount
  'proc',
  'sysfs',
  'devpts',
  'cgroup',
  'cgroup2',
  'securityfs',
  'pstore',
  'bpf',
  'debugfs',
  'tracefs',
  'configfs',
  'fusectl',
  'mqueue',
  'hugetlbfs',
  'binfmt_misc',
  'rpc_pipefs',
  'nsfs',
  'efivarfs',
  'ramfs',
  'selinuxfs',
  'fuse.gvfsd-fuse',
  'fuse.portal',
  'fuse.lxcfs',
  'nfsd',
]);

export interface MountEntry {
  device: string;
  path: string;
  fstype: string;
  options: string[];
}

/** /proc/self/mounts escapes space, tab, newline and backslash as three-digit octal (\040). */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function parseMounts(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [device, path, fstype, options] = line.trim().split(/\s+/);
    if (!device || !path || !fstype) continue;
    entries.push({
      device: unescapeMountField(device),
      path: unescapeMountField(path),
      fstype,
      options: (options ?? '').split(','),
    });
  }
  return entries;
}

/**
 * The mounts worth measuring, in mount order:
 * 1. types in `ignoreFs` are dropped;
 * 2. a path mounted twice is measured once, as its last (visible) mount;
 * 3. a block device mounted at several paths (bind mounts, e.g. a container's /etc/hosts) is measured once, at
 *    its first mount, because every path would report the same space.
 */
export function selectMounts(entries: readonly MountEntry[], ignoreFs: ReadonlySet<string> = IGNORE_FS): MountEntry[] {
  const byPath = new Map<string, MountEntry>();
  for (const entry of entries) {
    if (ignoreFs.has(entry.fstype)) continue;
    byPath.delete(entry.path); // re-insert so the order follows the visible mount
    byPath.set(entry.path, entry);
  }
  const seenDevices = new Set<string>();
  const selected: MountEntry[] = [];
  for (const entry of byPath.values()) {
    if (entry.device.startsWith('/dev/')) {
      if (seenDevices.has(entry.device)) continue;
      seenDevices.add(entry.device);
    }
    selected.push(entry);
  }
  return selected;
}

/** Telegraf's `mode` tag: rw, ro or unknown, from the mount options. */
export function mountMode(options: readonly string[]): 'rw' | 'ro' | 'unknown' {
  if (options.includes('rw')) return 'rw';
  if (options.includes('ro')) return 'ro';
  return 'unknown';
}

/** The parts of node's fs.StatFs that the disk fields need. */
export interface StatfsResult {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

/**
 * Telegraf's disk fields (gopsutil's arithmetic): free is what an unprivileged user may still write (bavail),
 * used counts the root-reserved blocks as used, and used_percent = used / (used + free), not used / total
 * (the `df` convention); inodes_used_percent likewise inodes_used / (inodes_used + inodes_free), 0 for a filesystem
 * that reports no inodes (btrfs, vfat). Returns undefined for a zero-size filesystem, which Telegraf skips.
 */
export function diskFields(s: StatfsResult): Record<string, FieldValue> | undefined {
  const total = s.blocks * s.bsize;
  if (total === 0) return undefined;
  const free = s.bavail * s.bsize;
  const used = (s.blocks - s.bfree) * s.bsize;
  const inodesUsed = s.files - s.ffree;
  return {
    total: int(total),
    free: int(free),
    used: int(used),
    used_percent: used + free > 0 ? (100 * used) / (used + free) : 0,
    inodes_total: int(s.files),
    inodes_free: int(s.ffree),
    inodes_used: int(inodesUsed),
    inodes_used_percent: inodesUsed + s.ffree > 0 ? (100 * inodesUsed) / (inodesUsed + s.ffree) : 0,
  };
}

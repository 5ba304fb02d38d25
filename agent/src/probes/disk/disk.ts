// probes/disk/: this probe, its parser of /proc/self/mounts with the choice of real filesystems (mounts.ts) and the
// Linux `label` tag (label.ts).
//
// disk: Telegraf's disk plugin. Space and inodes of every real filesystem through fs.statfs (no `df` spawn).
// Linux lists /proc/self/mounts; Windows tries each drive letter; macOS measures `/`, the APFS data volume and
// whatever is mounted under /Volumes (without `mount` it knows no device or fstype there, so those tags are left
// out rather than guessed).
import { readdir, readFile, realpath, statfs } from 'node:fs/promises';
import type { SampleDraft } from '../../sample.js';
import type { Probe } from '../probe.js';
import { deviceLabel, LINUX_ROOTS, type LabelRoots } from './label.js';
import { diskFields, mountMode, parseMounts, selectMounts, type StatfsResult } from './mounts.js';

/** A volume whose statfs takes longer is skipped this round (a dead network share must not hang the probe). */
export const STATFS_TIMEOUT_MS = 5000;
const DEFAULT_SCHEDULE = '0 */5 * * * *'; // every five minutes
const WINDOWS_DRIVE_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DARWIN_FIXED_VOLUMES = ['/', '/System/Volumes/Data'];

interface Volume {
  /** What statfs is called on. */
  statPath: string;
  tags: Record<string, string>;
}

export interface DiskProbeOptions {
  procRoot?: string;
  /** Where the `label` tag is looked up (Linux): /sys, /dev and /run by default. */
  labelRoots?: LabelRoots;
  platform?: NodeJS.Platform;
  statfsTimeoutMs?: number;
}

type VolumeLister = () => Promise<Volume[]>;

const listers: Partial<Record<NodeJS.Platform, (o: DiskProbeOptions) => VolumeLister>> = {
  linux: (o) => async () => {
    const mounts = selectMounts(parseMounts(await readFile(`${o.procRoot ?? '/proc'}/self/mounts`, 'utf8')));
    return Promise.all(
      mounts.map(async (m) => {
        const device = m.device.replace('/dev/', '');
        // Only a block device has a label; `device` of a network or fuse mount is no /dev name.
        const label = m.device.startsWith('/dev/') ? await deviceLabel(device, o.labelRoots ?? LINUX_ROOTS) : undefined;
        return {
          statPath: m.path,
          tags: { path: m.path, device, fstype: m.fstype, mode: mountMode(m.options), ...(label ? { label } : {}) },
        };
      }),
    );
  },
  // Telegraf on Windows writes device=C: and path=\C: (its path is filepath.Join("/", "C:")); kept for dashboards.
  win32: () => async () => [...WINDOWS_DRIVE_LETTERS].map((l) => ({ statPath: `${l}:\\`, tags: { path: `\\${l}:`, device: `${l}:` } })),
  darwin: () => async () => {
    const mounted = await readdir('/Volumes').catch(() => [] as string[]);
    const candidates = [...DARWIN_FIXED_VOLUMES, ...mounted.map((name) => `/Volumes/${name}`)];
    // /Volumes/Macintosh HD is a link to `/`: measure each real path once.
    const real = await Promise.all(candidates.map((p) => realpath(p).catch(() => undefined)));
    const unique = [...new Set(real.filter((p): p is string => p !== undefined))];
    return unique.map((p) => ({ statPath: p, tags: { path: p } }));
  },
};

export function createDiskProbe(options: DiskProbeOptions = {}): Probe {
  const list = listers[options.platform ?? process.platform]?.(options);
  const timeoutMs = options.statfsTimeoutMs ?? STATFS_TIMEOUT_MS;
  // statfs on a hung network mount never returns and holds a libuv thread; not asking again while a call is
  // still pending bounds that to one thread per dead mount.
  const pending = new Set<string>();

  async function measure(volume: Volume, signal: AbortSignal): Promise<SampleDraft | undefined> {
    if (pending.has(volume.statPath)) return undefined;
    pending.add(volume.statPath);
    const call = statfs(volume.statPath).finally(() => pending.delete(volume.statPath));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expiry = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
      signal.addEventListener('abort', () => resolve(undefined), { once: true });
    });
    try {
      const result: StatfsResult | undefined = await Promise.race([call, expiry]);
      const fields = result ? diskFields(result) : undefined;
      return fields ? { measurement: 'disk', tags: volume.tags, fields } : undefined;
    } catch {
      return undefined; // not ready, no media, permission denied: not a filesystem we can report
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    name: 'disk',
    schedule: DEFAULT_SCHEDULE,
    async collect(ctx) {
      if (!list) throw new Error(`disk: no volume lister for ${options.platform ?? process.platform}`);
      const volumes = await list();
      const drafts = await Promise.all(volumes.map((v) => measure(v, ctx.signal)));
      ctx.signal.throwIfAborted();
      return drafts.filter((d): d is SampleDraft => d !== undefined);
    },
  };
}

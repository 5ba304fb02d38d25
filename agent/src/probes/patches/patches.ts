// probes/patches/: this probe, one implementation per platform (windows.ts, linux.ts, darwin.ts), the parsers of each
// patch tool's output (apt.ts, rpm-updates.ts, zypper.ts, softwareupdate.ts, wua.ts) and their one report shape.
//
// patches: missing updates, security/critical counts, reboot pending, last install and last search, as one `patches`
// summary point plus one `patches_pending` point per missing update (titles, KBs and packages as fields, never
// tags; the only tag is `source`). One implementation per platform, each asking the OS's own patch tool from its
// cached state (see windows.ts, linux.ts, darwin.ts for why each never forces a scan).
import { createLogger } from '../../base/log.js';
import type { Probe, ProbeContext } from '../probe.js';
import type { PatchReport } from './patch-report.js';
import { patchSamples } from './patch-report.js';
import { collectWindows, WUA_PROCESS_TIMEOUT_MS } from './windows.js';
import { collectLinux, type LinuxManager } from './linux.js';
import { createDarwinCollector } from './darwin.js';

const DEFAULT_SCHEDULE = '0 0 */4 * * *'; // every four hours, on the hour
/** The scheduler's timeout for a run: the slowest OS query (WUA in its own process, softwareupdate) plus margin. */
export const PATCHES_TIMEOUT_MS = WUA_PROCESS_TIMEOUT_MS + 60_000;

export interface PatchesProbeOptions {
  platform?: NodeJS.Platform;
  /** Linux: prefix for the state files read (reboot-required, apt stamps/history). */
  root?: string;
  /** Linux: skip package-manager detection. */
  manager?: LinuxManager;
  log?: (message: string) => void;
}

type Collect = (ctx: ProbeContext) => Promise<PatchReport>;

const collectors: Partial<Record<NodeJS.Platform, (o: PatchesProbeOptions) => Collect>> = {
  win32: () => collectWindows,
  linux: (o) => (ctx) => collectLinux(ctx, o),
  darwin: (o) => createDarwinCollector(o.log).collect,
};

export function createPatchesProbe(options: PatchesProbeOptions = {}): Probe {
  const platform = options.platform ?? process.platform;
  const log = options.log ?? createLogger().warn;
  const collect = collectors[platform]?.({ ...options, log });
  return {
    name: 'patches',
    schedule: DEFAULT_SCHEDULE,
    timeoutMs: PATCHES_TIMEOUT_MS,
    async collect(ctx) {
      if (!collect) throw new Error(`patches: no implementation for ${platform}`);
      const time = ctx.now();
      const report = await collect(ctx);
      ctx.signal.throwIfAborted();
      return patchSamples(report, time);
    },
  };
}

// patches on macOS: `softwareupdate --list`. It asks Apple's (or the MDM's) catalogue over the network and takes
// up to minutes, so it runs at most once per SOFTWAREUPDATE_MAX_AGE_MS; runs in between re-report the cached answer.
// The cache is in memory only: an agent restart asks again, which is at most one extra query per restart.
import type { ProbeContext } from '../probe.js';
import { excerpt, type PatchReport } from './patch-report.js';
import { parseSoftwareUpdateList } from './softwareupdate.js';

export const SOFTWAREUPDATE_MAX_AGE_MS = 24 * 60 * 60_000;
const SOFTWAREUPDATE_TIMEOUT_MS = 10 * 60_000;

export interface DarwinPatchCollector {
  collect(ctx: ProbeContext): Promise<PatchReport>;
}

/**
 * macOS has no "reboot pending" indicator the agent can read, so rebootPending is false and the report says how
 * many listed updates will need a restart (pending_restart_required). last_search is when this agent's
 * `softwareupdate --list` last succeeded; last_success is unknown (omitted).
 */
export function createDarwinCollector(log?: (message: string) => void): DarwinPatchCollector {
  let cached: { report: PatchReport; at: number } | undefined;
  return {
    async collect(ctx) {
      if (cached && ctx.now() - cached.at < SOFTWAREUPDATE_MAX_AGE_MS) return cached.report;
      const { stdout, stderr } = await ctx.runner('softwareupdate', ['--list'], { timeoutMs: SOFTWAREUPDATE_TIMEOUT_MS, signal: ctx.signal });
      const parsed = parseSoftwareUpdateList(`${stdout}\n${stderr}`);
      if (parsed.errors.length > 0) log?.(`patches: ${parsed.errors.length} unparseable softwareupdate line(s), e.g. ${excerpt(parsed.errors[0] ?? '')}`);
      const at = ctx.now();
      const report: PatchReport = {
        source: 'softwareupdate',
        updates: parsed.updates,
        rebootPending: false,
        pendingRestartRequired: parsed.updates.filter((u) => u.restart).length,
        lastSearch: Math.floor(at / 1000),
        parseErrors: parsed.errors.length,
      };
      cached = { report, at };
      return report;
    },
  };
}

// A tenant's patch window is a maintenance window for the hosts it covers: reboots and service blips while updates
// install open no ticket. Derived from the policy in force (terms.patches and the host's entry), never a stored row,
// so it moves with the rules file. The alert engine asks it beside the stored windows (alerting/hold-cache.ts).
import type { Hold, HoldSource, HoldTarget } from '../alerting/holds.js';
import type { RuleSet } from '../alerting/rules/rules-file.js';
import { hostPatchSettings } from './policy.js';
import { openWindow } from './window.js';

/** The id a patch window's hold carries (held_by "maintenance patch_window" on alert points). */
export const PATCH_WINDOW_HOLD_ID = 'patch_window';

/** The hold of the host's patch window at `at`, or null (no policy, or outside the window). */
export function patchWindowHold(rules: RuleSet, target: HoldTarget, at: number): Hold | null {
  const policy = rules.terms(target.tenant).patches;
  if (!policy) return null;
  // The role only picks the reboot default, which a hold does not need.
  const { window } = hostPatchSettings(policy, rules.hostSettings(target.tenant, target.host), 'server');
  const open = openWindow(window, at);
  return open
    ? { kind: 'maintenance', id: PATCH_WINDOW_HOLD_ID, until: open.end, reason: `patch window (terms.patches, ${window.cron} ${window.timezone})` }
    : null;
}

/**
 * `inner` (another part's holds, if any) with the patch windows beside it: the longer hold wins, as between windows
 * and silences. A patch window is a maintenance window, so the exit grace follows it; release notes are inner's.
 */
export function withPatchWindows(rules: () => RuleSet, inner?: HoldSource): HoldSource {
  return {
    at(target, at) {
      const own = patchWindowHold(rules(), target, at);
      const other = inner?.at(target, at) ?? null;
      return other !== null && (own === null || other.until > own.until) ? other : own;
    },
    releaseNote: (target, at) => inner?.releaseNote(target, at) ?? null,
  };
}

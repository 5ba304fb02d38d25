// patching/: what the agent installs, and nothing else. The collector decides (its patch policy, approvals, the
// tenant's install window) and sends a plan: data only, validated here against strict patterns before anything
// runs. The agent installs the plan's items with the OS's own package tool, started without a shell through the
// allow-listed runner (or the Windows Update Agent in a PowerShell process of its own), only inside the plan's window,
// one item at a time so a window that closes stops new installs and one broken package does not hide the others.
//
// The plan as the agent receives it. Types and the pure validation only.

/** The package tool an item belongs to; the agent refuses an item of a tool this machine does not use. */
export type PatchManager = 'apt' | 'dnf' | 'yum' | 'zypper' | 'wua' | 'softwareupdate';
export const PATCH_MANAGERS: readonly PatchManager[] = ['apt', 'dnf', 'yum', 'zypper', 'wua', 'softwareupdate'];

/**
 * One approved update. `id` is what the tool installs by:
 * - apt, dnf, yum: a package name (dnf/yum may also name a security advisory, RHSA-2024:1234, FEDORA-2024-1a2b3c);
 * - zypper: a patch name (SUSE-SLE-Module-Basesystem-15-SP5-2024-1234, openSUSE-SLE-15.5-2024-1234);
 * - wua: the update's UpdateID (a GUID) or its KB number (KB5034441);
 * - softwareupdate: the label `softwareupdate --list` prints ("macOS Sonoma 14.4.1-23E224").
 */
export interface PatchItem {
  id: string;
  manager: PatchManager;
  /** For logs and results only; never executed or passed to a tool. */
  title: string;
}

export type RebootPolicy =
  /** Never reboot; a reboot the install needs is reported (reboot_required) and left to the MSP. */
  | { mode: 'never' }
  /** Reboot when an install needs it and the window is still open at the end of the run. */
  | { mode: 'if_required' }
  /** As if_required, but logged-on users (workstations) are warned `warnMinutes` before, with `message`. */
  | { mode: 'warn'; warnMinutes: number; message: string };

export interface PatchPlan {
  /** The collector's id of this plan (one per host and window); results carry it. */
  planId: string;
  /** The install window, unix ms: no install starts outside [windowStart, windowEnd). */
  windowStart: number;
  windowEnd: number;
  reboot: RebootPolicy;
  items: PatchItem[];
}

/** What happened to one item. */
export type ItemOutcome =
  | 'installed'
  /** The tool ran and failed for this item (its exit code or result code in `code`). */
  | 'failed'
  /** The tool says there is nothing to install for it (already current, or no longer offered). */
  | 'not_applicable'
  /** Not started: the window closed (or the run's time ran out) before its turn. */
  | 'not_started';

export interface ItemResult {
  id: string;
  manager: PatchManager;
  title: string;
  outcome: ItemOutcome;
  /** The tool's exit code or result code (WUA OperationResultCode, HRESULT), when there is one. */
  code?: number;
  /** A short reason for a failure (an excerpt of the tool's error output), never a whole log. */
  detail?: string;
  rebootRequired: boolean;
  durationMs: number;
}

/** Bounds: a plan beyond them is refused whole. */
export const MAX_PLAN_ITEMS = 500;
export const MAX_TITLE_LENGTH = 300;
export const MAX_WINDOW_MS = 24 * 3_600_000;
export const MAX_WARN_MINUTES = 120;
export const MAX_MESSAGE_LENGTH = 256;

/** The patterns an item id must match per tool: no leading dash (never read as an option), no spaces, no shell syntax. */
export const ITEM_ID_PATTERNS: Readonly<Record<PatchManager, RegExp>> = {
  // Debian policy: package names are lower case letters, digits, + - . and start with an alphanumeric.
  apt: /^[a-z0-9][a-z0-9+.-]{0,127}$/,
  // RPM names allow upper case and underscores; or an advisory id.
  dnf: /^(?:[A-Za-z0-9][A-Za-z0-9_+.-]{0,127}|[A-Z][A-Z0-9]{1,15}-\d{4}[:-][A-Za-z0-9]{1,32})$/,
  yum: /^(?:[A-Za-z0-9][A-Za-z0-9_+.-]{0,127}|[A-Z][A-Z0-9]{1,15}-\d{4}[:-][A-Za-z0-9]{1,32})$/,
  zypper: /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/,
  wua: /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|KB\d{6,8})$/,
  // softwareupdate labels: letters, digits, spaces, and . , - _ ( ) +; never a leading dash.
  softwareupdate: /^[A-Za-z0-9][A-Za-z0-9 .,_()+-]{0,127}$/,
};

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The plan, checked: every field's type, the bounds above and each item's id against its tool's pattern. Throws
 * PlanError naming the first problem (`items[3].id: ...`); a refused plan installs nothing.
 */
export function validatePlan(input: unknown): PatchPlan {
  if (!isObject(input)) throw new PlanError('plan: expected an object');
  const { planId, windowStart, windowEnd, reboot, items } = input;
  if (typeof planId !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(planId)) throw new PlanError('planId: expected 1-64 characters of A-Z a-z 0-9 _ . : -');
  if (!Number.isSafeInteger(windowStart) || !Number.isSafeInteger(windowEnd)) throw new PlanError('windowStart, windowEnd: expected unix ms');
  const [start, end] = [windowStart as number, windowEnd as number];
  if (end <= start || end - start > MAX_WINDOW_MS) throw new PlanError(`window: expected windowEnd after windowStart, at most ${MAX_WINDOW_MS / 3_600_000} h`);
  if (!Array.isArray(items)) throw new PlanError('items: expected a list');
  if (items.length > MAX_PLAN_ITEMS) throw new PlanError(`items: at most ${MAX_PLAN_ITEMS}; got ${items.length}`);
  return { planId, windowStart: start, windowEnd: end, reboot: validateReboot(reboot), items: items.map(validateItem) };
}

function validateReboot(input: unknown): RebootPolicy {
  if (!isObject(input)) throw new PlanError('reboot: expected an object');
  if (input.mode === 'never' || input.mode === 'if_required') return { mode: input.mode };
  if (input.mode !== 'warn') throw new PlanError('reboot.mode: expected never, if_required or warn');
  const { warnMinutes, message } = input;
  if (!Number.isInteger(warnMinutes) || (warnMinutes as number) < 1 || (warnMinutes as number) > MAX_WARN_MINUTES)
    throw new PlanError(`reboot.warnMinutes: expected 1-${MAX_WARN_MINUTES}`);
  // The message is shown to users by the OS's shutdown command as one argument: printable, no control characters.
  if (typeof message !== 'string' || message.length > MAX_MESSAGE_LENGTH || [...message].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    throw new PlanError(`reboot.message: expected at most ${MAX_MESSAGE_LENGTH} printable characters`);
  return { mode: 'warn', warnMinutes: warnMinutes as number, message };
}

function validateItem(input: unknown, i: number): PatchItem {
  const at = `items[${i}]`;
  if (!isObject(input)) throw new PlanError(`${at}: expected an object`);
  const { id, manager, title } = input;
  if (typeof manager !== 'string' || !(PATCH_MANAGERS as readonly string[]).includes(manager))
    throw new PlanError(`${at}.manager: expected one of ${PATCH_MANAGERS.join(', ')}`);
  const pattern = ITEM_ID_PATTERNS[manager as PatchManager];
  if (typeof id !== 'string' || !pattern.test(id)) throw new PlanError(`${at}.id: not a valid ${manager} id: ${JSON.stringify(String(id).slice(0, 80))}`);
  if (typeof title !== 'string' || title.length > MAX_TITLE_LENGTH) throw new PlanError(`${at}.title: expected at most ${MAX_TITLE_LENGTH} characters`);
  return { id, manager: manager as PatchManager, title };
}

// The tenant's patch policy: `terms.patches` in the rules file. Without it the tenant has no patch management (its
// updates are reported, never planned). Its keys merge one by one across layers (the top level may set the window and
// rings for everyone, a tenant its exclusions); `window` and `reboot` merge by their own keys, lists and `rings` are
// replaced whole. A host entry (a host or a glob of hosts) picks its ring and may override the window and the reboot.
//
//   terms:
//     patches:
//       auto_approve: [security, critical]        # classes approved without a person: security, critical, all (default security, critical)
//       rings: { pilot: { deferral: 0d }, broad: { deferral: 7d } }   # ordered; a host without patch_ring is in the last
//       exclude: [KB5034441, "linux-image-*"]     # globs over KB, package, advisory or patch name, update id, label, title
//       window: { cron: "0 0 2 * * 6", duration: 4h }   # in the zone of the tenant's SLA calendar (UTC for 24x7)
//       reboot: { mode: warn, warn_minutes: 15, message: "..." }   # never | if_required | warn (default: see below)
//       catch_up: false                           # an agent offline for its whole window installs late only with true
//       max_items: 200                            # per plan, at most 500 (the agent refuses more)
//   tenants:
//     acme:
//       terms: { patches: { enabled: false } }    # opts the tenant out of a top-level policy
//       hosts:
//         "sql*": { patch_ring: pilot, patch_window: { cron: "0 0 3 * * 0", duration: 2h }, patch_reboot: { mode: never } }
//
// Decision: without `reboot`, servers reboot if_required and workstations are warned (15 minutes), because
//  1. a server's window is the time its client agreed it may be down, and nobody sits at it to warn;
//  2. a workstation may have someone at it at 02:00 (a late worker, a forgotten document): a warning lets them save.
import { Type, type Static } from '@sinclair/typebox';
import { Cron } from 'croner';
import { ConfigError } from '../errors.js';
import { DurationText, durationAt, globRegExp } from '../alerting/rules/common.js';
import type { Role } from '../alerting/contract.js';
import type { RebootPolicy } from './contract.js';

export const DEFAULT_MAX_ITEMS = 200;
/** The agent refuses a plan of more items (agent/src/patching/plan.ts MAX_PLAN_ITEMS). */
export const MAX_ITEMS = 500;
/** The agent refuses a longer window (plan.ts MAX_WINDOW_MS). */
export const MAX_WINDOW_MS = 24 * 3_600_000;
export const DEFAULT_WARN_MINUTES = 15;
export const MAX_WARN_MINUTES = 120;
export const MAX_MESSAGE_LENGTH = 256;
export const DEFAULT_WARN_MESSAGE = 'Updates were installed. This computer restarts in a few minutes: please save your work.';
/** The ring of a policy that names none. */
export const DEFAULT_RING = 'all';
export const PATCH_CLASSES = ['security', 'critical', 'all'] as const;
export type PatchClass = (typeof PATCH_CLASSES)[number];

const RING_NAME = '^[a-z][a-z0-9_-]{0,31}$';

const WindowSchema = Type.Object(
  {
    cron: Type.Optional(Type.String({ minLength: 9, maxLength: 100, description: 'when a window starts: 5 fields, or 6 with seconds first (croner)' })),
    duration: Type.Optional(DurationText('how long it stays open, at most 24h')),
  },
  { additionalProperties: false },
);

const RebootSchema = Type.Object(
  {
    mode: Type.Union([Type.Literal('never'), Type.Literal('if_required'), Type.Literal('warn')], {
      description: 'never; if_required: when an install needs it; warn: as if_required, logged-on users warned first',
    }),
    warn_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_WARN_MINUTES, description: `warn: minutes before (default ${DEFAULT_WARN_MINUTES})` })),
    message: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_MESSAGE_LENGTH, description: 'warn: what users are shown' })),
  },
  { additionalProperties: false },
);

export const PatchTermsSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ description: 'false: no patch management for the tenant, whatever a layer below says (default true)' })),
    auto_approve: Type.Optional(
      Type.Array(Type.Union(PATCH_CLASSES.map((c) => Type.Literal(c))), {
        uniqueItems: true,
        description: 'classes approved without a person after their ring deferral: security, critical, all (default [security, critical])',
      }),
    ),
    rings: Type.Optional(
      Type.Record(
        Type.String({ pattern: RING_NAME }),
        Type.Object(
          { deferral: Type.Optional(DurationText('auto-approved updates wait this long after their first sighting in the tenant (default 0d)')) },
          {
            additionalProperties: false,
          },
        ),
        { description: 'ordered rings; a host without patch_ring is in the last (default one ring, all, deferral 0d)' },
      ),
    ),
    exclude: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
        description: 'globs (*, ?, [a-z]) never installed, over KB, package, advisory, update id, label, title',
      }),
    ),
    window: Type.Optional(WindowSchema),
    reboot: Type.Optional(RebootSchema),
    catch_up: Type.Optional(
      Type.Boolean({ description: 'an agent offline for its whole window gets a window of `duration` from its reconnection (default false)' }),
    ),
    max_items: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ITEMS, description: `updates per plan (default ${DEFAULT_MAX_ITEMS})` })),
  },
  { additionalProperties: false },
);
export type PatchTerms = Static<typeof PatchTermsSchema>;
export type PatchWindowEntry = Static<typeof WindowSchema>;
export type PatchRebootEntry = Static<typeof RebootSchema>;

/** A host entry's patch keys (rules-schema.ts HostSchema). */
export const HostPatchKeys = {
  patch_ring: Type.Optional(Type.String({ pattern: RING_NAME, description: "a ring of the tenant's terms.patches.rings" })),
  patch_window: Type.Optional(WindowSchema),
  patch_reboot: Type.Optional(RebootSchema),
};

export interface WindowSpec {
  cron: string;
  durationMs: number;
  /** IANA zone the cron is read in. */
  timezone: string;
}

export interface Ring {
  name: string;
  deferralMs: number;
}

export interface PatchPolicy {
  autoApprove: readonly PatchClass[];
  /** In the order written; the last is the default ring. */
  rings: readonly Ring[];
  /** The globs as written, each with its case-insensitive pattern. */
  exclude: readonly { glob: string; re: RegExp }[];
  window: WindowSpec;
  /** Unset: by role (servers if_required, workstations warn). */
  reboot?: RebootPolicy;
  catchUp: boolean;
  maxItems: number;
}

/** What applies to one host after its host entry: its ring, window and reboot. */
export interface HostPatchSettings {
  ring: Ring;
  window: WindowSpec;
  reboot: RebootPolicy;
}

/** A later layer's keys replace the earlier's; window and reboot merge by their own keys. */
export function mergePatchTerms(base: PatchTerms, over: PatchTerms): PatchTerms {
  const out: PatchTerms = { ...base, ...over };
  if (base.window && over.window) out.window = { ...base.window, ...over.window };
  if (base.reboot && over.reboot) out.reboot = { ...base.reboot, ...over.reboot };
  return out;
}

/** The cron checked (it parses, in the zone) and the duration (0 < d <= 24h); throws ConfigError at `path`. */
export function windowSpec(entry: PatchWindowEntry | undefined, timezone: string, path: string): WindowSpec {
  if (!entry?.cron) throw new ConfigError(`${path}.cron: required (when the install window starts, e.g. "0 0 2 * * 6")`);
  if (entry.duration === undefined) throw new ConfigError(`${path}.duration: required (how long the window stays open, e.g. 4h)`);
  const durationMs = durationAt(entry.duration, `${path}.duration`, 0);
  if (durationMs <= 0 || durationMs > MAX_WINDOW_MS) throw new ConfigError(`${path}.duration: expected more than 0 and at most 24h; got ${entry.duration}`);
  try {
    if (new Cron(entry.cron, { timezone, paused: true }).nextRun(new Date(0)) === null) throw new Error('it never runs');
  } catch (error) {
    throw new ConfigError(`${path}.cron: not a cron the window can start on: ${(error as Error).message}`);
  }
  return { cron: entry.cron, durationMs, timezone };
}

export function rebootPolicy(entry: PatchRebootEntry, path: string): RebootPolicy {
  if (entry.mode !== 'warn') {
    if (entry.warn_minutes !== undefined || entry.message !== undefined) throw new ConfigError(`${path}: warn_minutes and message only with mode warn`);
    return { mode: entry.mode };
  }
  const message = entry.message ?? DEFAULT_WARN_MESSAGE;
  // The agent shows it through the OS's shutdown command as one argument: printable characters only.
  if ([...message].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    throw new ConfigError(`${path}.message: control characters are not allowed`);
  return { mode: 'warn', warnMinutes: entry.warn_minutes ?? DEFAULT_WARN_MINUTES, message };
}

/** The policy a role gets without `reboot` anywhere (the header's decision). */
export const defaultReboot = (role: Role): RebootPolicy =>
  role === 'server' ? { mode: 'if_required' } : { mode: 'warn', warnMinutes: DEFAULT_WARN_MINUTES, message: DEFAULT_WARN_MESSAGE };

/** Schema-checked terms -> policy; null when `enabled: false`. Throws ConfigError at `path` (terms.patches or tenants.T.terms.patches). */
export function resolvePatchPolicy(terms: PatchTerms, timezone: string, path: string): PatchPolicy | null {
  if (terms.enabled === false) return null;
  const rings = Object.entries(terms.rings ?? { [DEFAULT_RING]: {} }).map(([name, r]) => ({
    name,
    deferralMs: durationAt(r.deferral, `${path}.rings.${name}.deferral`, 0),
  }));
  if (rings.length === 0) throw new ConfigError(`${path}.rings: name at least one ring (e.g. { ${DEFAULT_RING}: { deferral: 0d } })`);
  const exclude = (terms.exclude ?? []).map((glob, i) => {
    try {
      return { glob, re: new RegExp(globRegExp(glob).source, 'is') };
    } catch {
      throw new ConfigError(`${path}.exclude[${i}]: "${glob}" is not a valid glob (*, ?, [a-z], [!0-9])`);
    }
  });
  return {
    autoApprove: terms.auto_approve ?? ['security', 'critical'],
    rings,
    exclude,
    window: windowSpec(terms.window, timezone, `${path}.window`),
    ...(terms.reboot ? { reboot: rebootPolicy(terms.reboot, `${path}.reboot`) } : {}),
    catchUp: terms.catch_up ?? false,
    maxItems: terms.max_items ?? DEFAULT_MAX_ITEMS,
  };
}

/** A host entry's patch keys as the rules file keeps them (rules-file.ts HostRuleSettings). */
export interface HostPatchEntry {
  patch_ring?: string;
  patch_window?: PatchWindowEntry;
  patch_reboot?: PatchRebootEntry;
}

/**
 * The ring, window and reboot of a host: its entry's, else the policy's. `path` names the host entry in errors; the
 * loader calls this once per host entry (checkHostEntries), so at run time it does not throw.
 */
export function hostPatchSettings(policy: PatchPolicy, entry: HostPatchEntry, role: Role, path = 'hosts'): HostPatchSettings {
  const ring = entry.patch_ring === undefined ? policy.rings.at(-1)! : policy.rings.find((r) => r.name === entry.patch_ring);
  if (!ring) throw new ConfigError(`${path}.patch_ring: unknown ring "${entry.patch_ring}" (rings: ${policy.rings.map((r) => r.name).join(', ')})`);
  const window = entry.patch_window ? hostWindow(policy.window, entry.patch_window, `${path}.patch_window`) : policy.window;
  const reboot = entry.patch_reboot ? rebootPolicy(entry.patch_reboot, `${path}.patch_reboot`) : (policy.reboot ?? defaultReboot(role));
  return { ring, window, reboot };
}

/** Host windows by their entry and the policy window they merge over: the alert holds ask per firing and tick. */
const hostWindows = new WeakMap<PatchWindowEntry, WeakMap<WindowSpec, WindowSpec>>();

function hostWindow(base: WindowSpec, over: PatchWindowEntry, path: string): WindowSpec {
  let byBase = hostWindows.get(over);
  if (!byBase) hostWindows.set(over, (byBase = new WeakMap()));
  let spec = byBase.get(base);
  if (!spec) byBase.set(base, (spec = windowSpec(mergeWindow(base, over), base.timezone, path)));
  return spec;
}

/** A host's patch_window may give only a cron or only a duration: the other comes from the policy. */
const mergeWindow = (base: WindowSpec, over: PatchWindowEntry): PatchWindowEntry => ({
  cron: over.cron ?? base.cron,
  duration: over.duration ?? `${base.durationMs}ms`,
});

/**
 * Checks every host entry's patch keys against the tenant's policy when the rules file loads. An entry with patch
 * keys for a tenant without a policy is an error too: it would silently do nothing.
 */
export function checkHostEntries(policy: PatchPolicy | undefined, entries: readonly { source: string; path: string; entry: HostPatchEntry }[]): void {
  for (const { source, path, entry } of entries) {
    const keys = (['patch_ring', 'patch_window', 'patch_reboot'] as const).filter((k) => entry[k] !== undefined);
    if (keys.length === 0) continue;
    if (!policy) throw new ConfigError(`${source}: ${path}.${keys[0]}: the tenant has no terms.patches (or it is disabled), so no host is patched`);
    try {
      hostPatchSettings(policy, entry, 'server', path);
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(`${source}: ${error.message}`);
      throw error;
    }
  }
}

/** Whether the update falls in an auto-approved class. */
export function autoClass(policy: Pick<PatchPolicy, 'autoApprove'>, update: { security: boolean; critical: boolean }): boolean {
  const a = policy.autoApprove;
  return a.includes('all') || (a.includes('security') && update.security) || (a.includes('critical') && update.critical);
}

/** The first exclusion glob matching any of the update's names (KBs, package, install id, title), or null. */
export function excludedBy(
  policy: Pick<PatchPolicy, 'exclude'>,
  update: { installId: string; kb: string | null; package: string | null; title: string },
): string | null {
  const names = [update.installId, update.title, ...(update.kb ?? '').split(','), update.package ?? ''].map((s) => s.trim()).filter((s) => s !== '');
  return policy.exclude.find((x) => names.some((n) => x.re.test(n)))?.glob ?? null;
}

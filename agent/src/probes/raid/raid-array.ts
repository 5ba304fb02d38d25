// What every platform's reader produces (one RaidArray per array or pool, plus hints about what the OS does not show),
// and the pure mapping to `raid` samples: one point per array and one summary point per host.
//
// The summary's `status` is what the collector's "RAID on servers" verdict reads, so the rule is strict about what a
// signal proves (numbered, applied in order):
//   1. `unhealthy`: some array or pool is known to be degraded, rebuilding or failed. A known problem outranks
//      anything unknown.
//   2. `unknown`: the picture is incomplete: a query failed, or an array exists whose state the OS does not expose
//      (a hardware RAID controller's volume).
//   3. `healthy`: at least one redundant array (RAID 1/4/5/6/10, a mirror, parity) and every array healthy.
//   4. `unknown`: no redundant array seen, but something may hide one (virtual disks, external storage, a ZFS pool or
//      btrfs filesystem whose layout is not read, LVM RAID, Windows dynamic disks).
//   5. `none`: no redundant array and nothing that could hide one. RAID 0 and linear arrays protect nothing, so a host
//      with only those is `none` too.
import { int, type FieldValue, type SampleDraft } from '../../sample.js';

export type RaidKind = 'md' | 'hardware' | 'storage_spaces' | 'storage_pool' | 'zfs' | 'apple_raid';
/** ok: every member in sync; syncing: every member present, a resync/reshape/replacement runs; rebuilding: a missing
 *  member is being rebuilt (not redundant until it ends); degraded: members missing or failed, nothing rebuilds;
 *  failed: the array is not working; unknown: the OS does not say. */
export type RaidState = 'ok' | 'syncing' | 'rebuilding' | 'degraded' | 'failed' | 'unknown';
export type RaidStatus = 'healthy' | 'unhealthy' | 'none' | 'unknown';

export interface RaidArray {
  name: string;
  kind: RaidKind;
  state: RaidState;
  /** The OS's own words for the state ("active (auto-read-only)", "Warning/Degraded,Incomplete", "Online"). */
  osState?: string;
  level?: string;
  /** The level survives a member failure; undefined when the level is not known. */
  redundant?: boolean;
  members?: number;
  activeMembers?: number;
  failedMembers?: number;
  spareMembers?: number;
  syncAction?: string;
  syncPercent?: number;
  driver?: string;
  model?: string;
  /** Why the state is what it is when the OS does not tell everything. */
  detail?: string;
}

/** Something that may hide an array: `incomplete` always makes the status unknown (rule 2), `hidden` only when no
 *  redundant array was seen (rule 4). */
export interface RaidHint {
  effect: 'incomplete' | 'hidden';
  reason: string;
}

export interface RaidFindings {
  arrays: RaidArray[];
  hints: RaidHint[];
}

/** Vendors and models of emulated disks (QEMU/KVM, VMware, Hyper-V/Azure, VirtualBox, AWS EBS, Google PD), as Linux
 *  sysfs (`vendor model`) and Windows (the disk's FriendlyName) show them. */
export const VIRTUAL_DISK = /^(QEMU|VMware|Msft|VBOX|Google|Red Hat)\b|virtual disk|QEMU HARDDISK|VBOX HARDDISK|Amazon Elastic Block Store|PersistentDisk/i;

const HEALTHY_STATES: ReadonlySet<RaidState> = new Set(['ok', 'syncing']);

/** True/false for a known state, undefined for `unknown`. */
export function isHealthy(a: RaidArray): boolean | undefined {
  return a.state === 'unknown' ? undefined : HEALTHY_STATES.has(a.state);
}

/** Levels that survive the loss of a member, in the spellings md, raid_class, hpsa, Storage Spaces and AppleRAID use. */
export function redundantLevel(level: string | undefined): boolean | undefined {
  if (!level) return undefined;
  const l = level.toLowerCase().replace(/\s+/g, '');
  if (/^(raid0|linear|jbod|simple|stripe|concat|multipath|faulty|container)$/.test(l)) return false;
  if (/^(raid)?(1e?|3|4|5|6|10|50|60)\b|^mirror|^parity/.test(l)) return true;
  return undefined;
}

function arrayFields(a: RaidArray): Record<string, FieldValue> {
  const healthy = isHealthy(a);
  const opt = <T>(key: string, value: T | undefined, f: (v: T) => FieldValue = (v) => v as FieldValue) => (value === undefined ? {} : { [key]: f(value) });
  return {
    state: a.state,
    ...opt('healthy', healthy),
    ...opt('redundant', a.redundant),
    ...opt('level', a.level),
    ...opt('os_state', a.osState),
    ...opt('members', a.members, int),
    ...opt('active_members', a.activeMembers, int),
    ...opt('failed_members', a.failedMembers, int),
    ...opt('spare_members', a.spareMembers, int),
    ...opt('sync_action', a.syncAction),
    ...opt('sync_percent', a.syncPercent),
    ...opt('driver', a.driver),
    ...opt('model', a.model),
    ...opt('detail', a.detail),
  };
}

/** A reason lists at most this many arrays or signals, then how many more (a host may have dozens of disks). */
const REASON_ITEMS = 6;
const label = (a: RaidArray): string => `${a.name} ${a.state}${a.detail && a.state === 'unknown' ? ` (${a.detail})` : ''}`;
const list = (items: string[], separator = '; '): string =>
  items.length <= REASON_ITEMS ? items.join(separator) : `${items.slice(0, REASON_ITEMS).join(separator)}${separator}and ${items.length - REASON_ITEMS} more`;

const nameAndLevel = (a: RaidArray): string => `${a.name} (${a.level ?? a.kind})`;
const levels = (arrays: RaidArray[]): string => list(arrays.map(nameAndLevel), ', ');

/** The summary rule of the file comment. Pure. */
export function raidStatus(findings: RaidFindings): { status: RaidStatus; reason: string } {
  const { arrays, hints } = findings;
  const unhealthy = arrays.filter((a) => isHealthy(a) === false);
  if (unhealthy.length > 0) return { status: 'unhealthy', reason: list(unhealthy.map(label)) };
  const unknown = arrays.filter((a) => a.state === 'unknown');
  const incomplete = hints.filter((h) => h.effect === 'incomplete');
  if (unknown.length > 0 || incomplete.length > 0) return { status: 'unknown', reason: list([...unknown.map(label), ...incomplete.map((h) => h.reason)]) };
  const redundant = arrays.filter((a) => a.kind !== 'storage_pool' && a.redundant === true);
  if (redundant.length > 0) return { status: 'healthy', reason: `redundant: ${levels(redundant)}` };
  const maybe = arrays.filter((a) => a.kind !== 'storage_pool' && a.redundant === undefined);
  const hidden = [...maybe.map((a) => `${a.name}: ${a.detail ?? 'redundancy not known'}`), ...hints.map((h) => h.reason)];
  if (hidden.length > 0) return { status: 'unknown', reason: list(hidden) };
  const plain = arrays.filter((a) => a.kind !== 'storage_pool');
  return { status: 'none', reason: plain.length > 0 ? `no redundant array: ${levels(plain)}` : 'no array' };
}

/** One point per array (tags array, kind) and the summary point (no tags). Pure. */
export function raidSamples(findings: RaidFindings): SampleDraft[] {
  const { status, reason } = raidStatus(findings);
  const arrays = findings.arrays.filter((a) => a.kind !== 'storage_pool');
  const summary: SampleDraft = {
    measurement: 'raid',
    fields: {
      status,
      arrays: int(arrays.length),
      redundant_arrays: int(arrays.filter((a) => a.redundant === true).length),
      unhealthy_arrays: int(findings.arrays.filter((a) => isHealthy(a) === false).length),
      unknown_arrays: int(findings.arrays.filter((a) => a.state === 'unknown').length),
      reason,
    },
  };
  const points = findings.arrays.map((a): SampleDraft => ({ measurement: 'raid', tags: { array: a.name, kind: a.kind }, fields: arrayFields(a) }));
  return [...points, summary];
}

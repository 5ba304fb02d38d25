// Linux software RAID: /proc/mdstat parsed (the format md_seq_show and status_resync in drivers/md/md.c print), and
// each md array as a RaidArray. Pure.
//
//   md1 : active raid1 sdb2[1] sda2[0](F)                     name, active|inactive, (read-only|auto-read-only),
//         1953382336 blocks super 1.2 [2/1] [U_]              level, members with their flags (F)aulty (S)pare
//         [=>..............]  recovery =  8.4% (...) ...      (W)rite-mostly (R)eplacement (J)ournal; [raid disks /
//         resync=DELAYED                                      working] [slots]; the running operation or a queued one
import { redundantLevel, type RaidArray, type RaidState } from './raid-array.js';

export interface MdMember {
  name: string;
  flags: string[];
}

export interface MdStat {
  name: string;
  active: boolean;
  readOnly?: string;
  level?: string;
  members: MdMember[];
  /** [n/m]: the array's slots and the working ones; absent for levels without redundancy (raid0, linear). */
  raidDisks?: number;
  workingDisks?: number;
  slots?: string;
  /** `super external:imsm` (a container) or `super external:/md127/0` (an array inside one). */
  external?: string;
  /** The running operation and its progress: resync, recovery, check, reshape. */
  action?: string;
  percent?: number;
  /** An operation queued behind another array's (`resync=DELAYED`) or not started yet (`resync=PENDING`). */
  queued?: string;
}

const HEADER = /^(md[\w-]*)\s*:\s*(in)?active\b\s*(?:\((read-only|auto-read-only)\))?\s*(.*)$/;
const MEMBER = /^(\S+?)\[\d+\]((?:\([A-Z]\))*)$/;

function parseHeader(m: RegExpExecArray): MdStat {
  const md: MdStat = { name: m[1]!, active: m[2] === undefined, members: [], ...(m[3] ? { readOnly: m[3] } : {}) };
  for (const token of m[4]!.split(/\s+/).filter(Boolean)) {
    const member = MEMBER.exec(token);
    if (member) md.members.push({ name: member[1]!, flags: [...member[2]!.matchAll(/\(([A-Z])\)/g)].map((f) => f[1]!) });
    else if (md.level === undefined && md.members.length === 0) md.level = token;
  }
  return md;
}

function parseDetail(md: MdStat, line: string): void {
  const counts = /\[(\d+)\/(\d+)\]\s*\[([U_]+)\]/.exec(line);
  if (counts) Object.assign(md, { raidDisks: Number(counts[1]), workingDisks: Number(counts[2]), slots: counts[3] });
  const external = /\bsuper external:(\S+)/.exec(line);
  if (external) md.external = external[1];
  const running = /\b(resync|recovery|check|reshape|repair)\s*=\s*([\d.]+)%/.exec(line);
  if (running) Object.assign(md, { action: running[1], percent: Number(running[2]) });
  const queued = /\b(?:resync|recover|reshape)=(DELAYED|PENDING|REMOTE)\b/.exec(line);
  if (queued) md.queued = queued[1]!.toLowerCase();
}

/** Every md device in /proc/mdstat, containers included. An absent file (md not loaded) is the caller's business. */
export function parseMdstat(text: string): MdStat[] {
  const arrays: MdStat[] = [];
  let current: MdStat | undefined;
  for (const line of text.split(/\r?\n/)) {
    const header = HEADER.exec(line.trim());
    if (header) {
      current = parseHeader(header);
      arrays.push(current);
    } else if (/^(Personalities|unused devices|read_ahead|Event)\b/.test(line.trim())) {
      current = undefined;
    } else if (current && line.trim() !== '') {
      parseDetail(current, line);
    }
  }
  return arrays;
}

/** A container of external metadata (Intel IMSM, DDF) is no array: its volumes are listed as md arrays of their own. */
export const isContainer = (md: MdStat): boolean => md.external !== undefined && !md.external.startsWith('/');

function mdState(md: MdStat, failed: number, redundant: boolean | undefined): RaidState {
  if (!md.active) return 'failed';
  if (redundant === false) return failed > 0 ? 'failed' : 'ok';
  const missing = md.raidDisks !== undefined && md.workingDisks !== undefined ? md.raidDisks - md.workingDisks : failed;
  // Degraded: a running recovery or a queued operation rebuilds (mdstat says resync=DELAYED even when the queued
  // action is a recovery); a check, resync or reshape on a degraded array does not restore the missing member.
  if (missing > 0) return md.action === 'recovery' || md.queued ? 'rebuilding' : 'degraded';
  if (md.action === 'resync' || md.action === 'recovery' || md.action === 'reshape' || md.queued) return 'syncing';
  return 'ok';
}

/** The RaidArray of one md device; undefined for a container. */
export function mdArray(md: MdStat): RaidArray | undefined {
  if (isContainer(md)) return undefined;
  const failed = md.members.filter((m) => m.flags.includes('F')).length;
  const spares = md.members.filter((m) => m.flags.includes('S')).length;
  const redundant = redundantLevel(md.level);
  const inSet = md.members.filter((m) => !m.flags.some((f) => f === 'S' || f === 'J')).length;
  return {
    name: md.name,
    kind: 'md',
    state: mdState(md, failed, redundant),
    osState: md.active ? `active${md.readOnly ? ` (${md.readOnly})` : ''}` : 'inactive',
    ...(md.level ? { level: md.level } : {}),
    ...(redundant === undefined ? {} : { redundant }),
    members: md.raidDisks ?? inSet,
    activeMembers: md.workingDisks ?? inSet - failed,
    failedMembers: failed,
    spareMembers: spares,
    syncAction: md.action ?? md.queued ?? 'idle',
    ...(md.percent === undefined ? {} : { syncPercent: md.percent }),
    ...(md.active ? {} : { detail: 'assembled but not started (inactive)' }),
  };
}

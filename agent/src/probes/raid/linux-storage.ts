// Linux: what the kernel shows about redundancy, read from /proc and /sys only (no vendor tool, no process):
//   1. md arrays: /proc/mdstat (mdstat.ts). No file means the md driver is not loaded, hence no md array.
//   2. hardware RAID volumes whose state the driver exports through the kernel's raid_class
//      (/sys/class/raid_devices/<h:c:t:l>/{level,state,resync}: mpt2sas/mpt3sas integrated RAID, Mylex myrb/myrs).
//   3. disks behind RAID controllers whose drivers export no state (megaraid_sas, hpsa, smartpqi, aacraid, ...): one
//      `unknown` array per disk the controller presents, except disks that are md members (a controller in HBA/JBOD
//      mode under software RAID) and hpsa/smartpqi physical disks (their raid_level reads "N/A").
//   4. ZFS pools: /proc/spl/kstat/zfs/<pool>/state (ONLINE, DEGRADED, FAULTED, ...); their layout (mirror, raidz or a
//      single disk) needs `zpool status`, which is not run, so their redundancy is left unknown.
//   5. what may hide redundancy (hints): virtual disks (the hypervisor's storage is invisible from a guest), disks on
//      SAN/iSCSI host adapters, btrfs filesystems over several devices, LVM RAID/mirror logical volumes.
import { readdir, readFile, realpath } from 'node:fs/promises';
import { isContainer, mdArray, parseMdstat } from './mdstat.js';
import { redundantLevel, VIRTUAL_DISK, type RaidArray, type RaidFindings, type RaidHint, type RaidState } from './raid-array.js';

/** Drivers of RAID controllers that present volumes to the OS but export none of their state. */
// prettier-ignore
const HIDDEN_STATE_RAID = new Set([
  'megaraid_sas', 'megaraid', 'megaraid_mbox', 'hpsa', 'smartpqi', 'aacraid', 'arcmsr', '3w-9xxx', '3w-sas', '3w-xxxx', 'ips',
  'gdth', 'mpi3mr', 'esas2r', 'stex', 'pmcraid', 'ipr', 'hptiop', 'mvumi', 'dpt_i2o', 'cciss',
]);
/** Host adapters of external storage (Fibre Channel, iSCSI, SRP): the array behind a LUN is the storage system's. */
const SAN_ADAPTERS = new Set(['qla2xxx', 'lpfc', 'bfa', 'fnic', 'qedf', 'bnx2fc', 'iscsi_tcp', 'be2iscsi', 'qla4xxx', 'csiostor', 'bnx2i', 'ib_srp']);
/** Paravirtual host adapters. */
const VIRTUAL_ADAPTERS = new Set(['virtio_scsi', 'storvsc', 'vmw_pvscsi', 'xen-scsifront']);
/** Block devices that are no disk of their own (loop, RAM, md/dm stacks, optical, network block devices, zvols). */
const NOT_A_DISK = /^(loop|ram|zram|md|dm-|sr|fd|nbd|zd|rbd|drbd)/;
const RAID_CLASS_STATES: Record<string, RaidState> = { active: 'ok', degraded: 'degraded', resyncing: 'rebuilding', offline: 'failed' };
const ZFS_STATES: Record<string, RaidState> = {
  ONLINE: 'ok',
  DEGRADED: 'degraded',
  FAULTED: 'failed',
  UNAVAIL: 'failed',
  SUSPENDED: 'failed',
  OFFLINE: 'failed',
  REMOVED: 'failed',
};

export interface LinuxRoots {
  procRoot: string;
  sysRoot: string;
}

const read = (path: string): Promise<string | undefined> =>
  readFile(path, 'utf8').then(
    (t) => t.trim(),
    () => undefined,
  );
const list = (path: string): Promise<string[]> => readdir(path).catch(() => [] as string[]);
const missing = (error: unknown): boolean => (error as { code?: unknown }).code === 'ENOENT';

async function mdArrays(procRoot: string): Promise<RaidArray[]> {
  let text: string;
  try {
    text = await readFile(`${procRoot}/mdstat`, 'utf8');
  } catch (error) {
    if (missing(error)) return []; // the md driver is not loaded: no md array can exist
    throw error;
  }
  return parseMdstat(text)
    .filter((md) => !isContainer(md))
    .map((md) => mdArray(md)!);
}

const hostDriver = (sysRoot: string, host: string): Promise<string | undefined> => read(`${sysRoot}/class/scsi_host/host${host}/proc_name`);

/** raid_class volumes, by the block device each one is (when the kernel links one). */
async function raidClassArrays(sysRoot: string): Promise<{ arrays: RaidArray[]; disks: Set<string> }> {
  const disks = new Set<string>();
  const arrays: RaidArray[] = [];
  for (const id of await list(`${sysRoot}/class/raid_devices`)) {
    const dir = `${sysRoot}/class/raid_devices/${id}`;
    const [level, state, resync, block, driver] = await Promise.all([
      read(`${dir}/level`),
      read(`${dir}/state`),
      read(`${dir}/resync`),
      list(`${dir}/device/block`).then((names) => names[0]),
      hostDriver(sysRoot, id.split(':')[0]!),
    ]);
    if (block) disks.add(block);
    const percent = resync !== undefined && /^\d+$/.test(resync) ? Number(resync) : undefined;
    const mapped = RAID_CLASS_STATES[state ?? ''] ?? 'unknown';
    const redundant = redundantLevel(level === 'unknown' ? undefined : level);
    arrays.push({
      name: block ?? id,
      kind: 'hardware',
      state: mapped,
      ...(state ? { osState: state } : {}),
      ...(level && level !== 'unknown' ? { level } : {}),
      ...(redundant === undefined ? {} : { redundant }),
      ...(mapped === 'rebuilding' && percent !== undefined ? { syncAction: 'resync', syncPercent: percent } : {}),
      ...(driver ? { driver } : {}),
      ...(mapped === 'unknown' ? { detail: `the ${driver ?? 'controller'} driver reports state ${state ?? 'nothing'}` } : {}),
    });
  }
  return { arrays, disks };
}

async function isMdMember(sysRoot: string, disk: string): Promise<boolean> {
  const dirs = [
    `${sysRoot}/block/${disk}`,
    ...(await list(`${sysRoot}/block/${disk}`)).filter((e) => e.startsWith(disk)).map((p) => `${sysRoot}/block/${disk}/${p}`),
  ];
  const holders = await Promise.all(dirs.map((d) => list(`${d}/holders`)));
  return holders.flat().some((h) => h.startsWith('md'));
}

/** One disk: an unknown hardware array, a hint, or nothing (a plain local disk). */
async function classifyDisk(sysRoot: string, disk: string, raidClassDisks: Set<string>): Promise<RaidArray | RaidHint | undefined> {
  if (raidClassDisks.has(disk)) return undefined;
  const path = await realpath(`${sysRoot}/block/${disk}`).catch(() => '');
  const [vendor, model] = await Promise.all([read(`${sysRoot}/block/${disk}/device/vendor`), read(`${sysRoot}/block/${disk}/device/model`)]);
  const host = /\/host(\d+)\//.exec(path)?.[1];
  const driver = disk.startsWith('cciss!') ? 'cciss' : host !== undefined ? await hostDriver(sysRoot, host) : undefined;
  const identity = [vendor, model].filter(Boolean).join(' ');
  if (/\/virtio\d+\//.test(path) || disk.startsWith('xvd') || VIRTUAL_ADAPTERS.has(driver ?? '') || VIRTUAL_DISK.test(identity)) {
    const what = /\/virtio\d+\//.test(path) ? 'virtio' : disk.startsWith('xvd') ? 'xen' : (driver ?? identity);
    return { effect: 'hidden', reason: `${disk}: virtual disk (${what}); the hypervisor's storage redundancy is not visible from the guest` };
  }
  if (driver && SAN_ADAPTERS.has(driver)) return { effect: 'hidden', reason: `${disk}: external storage on ${driver}; its redundancy is the storage system's` };
  if (!driver || !HIDDEN_STATE_RAID.has(driver)) return undefined;
  const raidLevel = await read(`${sysRoot}/block/${disk}/device/raid_level`);
  if (raidLevel === 'N/A' || (await isMdMember(sysRoot, disk))) return undefined; // a physical disk passed through, not a volume
  const redundant = redundantLevel(raidLevel);
  return {
    name: disk,
    kind: 'hardware',
    state: 'unknown',
    ...(raidLevel ? { level: raidLevel } : {}),
    ...(redundant === undefined ? {} : { redundant }),
    driver,
    ...(identity ? { model: identity } : {}),
    detail: `a volume of a ${driver} controller, which exposes no array state to the OS`,
  };
}

async function zfsPools(procRoot: string): Promise<RaidArray[]> {
  const pools: RaidArray[] = [];
  for (const pool of await list(`${procRoot}/spl/kstat/zfs`)) {
    const state = await read(`${procRoot}/spl/kstat/zfs/${pool}/state`);
    if (state === undefined) continue; // arcstats and the other kstat files
    pools.push({ name: pool, kind: 'zfs', state: ZFS_STATES[state] ?? 'unknown', osState: state, detail: 'pool layout not read (zpool status is not run)' });
  }
  return pools;
}

async function btrfsHints(sysRoot: string): Promise<RaidHint[]> {
  const hints: RaidHint[] = [];
  for (const fs of (await list(`${sysRoot}/fs/btrfs`)).filter((e) => e !== 'features')) {
    const devices = await list(`${sysRoot}/fs/btrfs/${fs}/devices`);
    const label = await read(`${sysRoot}/fs/btrfs/${fs}/label`);
    if (devices.length > 1) hints.push({ effect: 'hidden', reason: `btrfs ${label || fs} spans ${devices.length} devices; its profile is not read` });
  }
  return hints;
}

async function lvmRaidHints(sysRoot: string, blocks: string[]): Promise<RaidHint[]> {
  const names = await Promise.all(blocks.filter((b) => b.startsWith('dm-')).map((b) => read(`${sysRoot}/block/${b}/dm/name`)));
  const lvs = new Set(names.flatMap((n) => (n && /_[rm]image_\d+$/.test(n) ? [n.replace(/_[rm]image_\d+$/, '')] : [])));
  return [...lvs].map((lv) => ({ effect: 'hidden', reason: `LVM RAID/mirror ${lv}; its state is not read (dmsetup is not run)` }));
}

/** Everything above for one host. Throws only when /proc/mdstat exists and cannot be read. */
export async function linuxFindings(roots: LinuxRoots): Promise<RaidFindings> {
  const { procRoot, sysRoot } = roots;
  const hints: RaidHint[] = [];
  let blocks: string[] = [];
  try {
    blocks = await readdir(`${sysRoot}/block`);
  } catch (error) {
    hints.push({ effect: 'incomplete', reason: `${sysRoot}/block is not readable (${(error as Error).message}): disks not classified` });
  }
  const [md, raidClass, zfs, btrfs, lvm] = await Promise.all([
    mdArrays(procRoot),
    raidClassArrays(sysRoot),
    zfsPools(procRoot),
    btrfsHints(sysRoot),
    lvmRaidHints(sysRoot, blocks),
  ]);
  const disks = await Promise.all(blocks.filter((b) => !NOT_A_DISK.test(b)).map((b) => classifyDisk(sysRoot, b, raidClass.disks)));
  const hardware = disks.filter((d): d is RaidArray => d !== undefined && 'kind' in d);
  hints.push(...disks.filter((d): d is RaidHint => d !== undefined && 'effect' in d), ...btrfs, ...lvm);
  return { arrays: [...md, ...raidClass.arrays, ...hardware, ...zfs], hints };
}

// The raid probe on Linux against /proc and /sys trees, and on macOS against captured `diskutil` output.
// /proc/mdstat in the trees is a real capture (test/fixtures/linux/raid/); the /sys trees are built here in the
// kernel's layout (/sys/block/<disk> a link into /sys/devices/.../host<N>/target.../<h:c:t:l>/block/<disk>, the SCSI
// device's vendor, model and hpsa's raid_level, /sys/class/scsi_host/host<N>/proc_name, raid_class's
// /sys/class/raid_devices/<h:c:t:l>/{level,state,resync}, /proc/spl/kstat/zfs/<pool>/state, /sys/fs/btrfs/<uuid>/devices,
// /sys/block/dm-N/dm/name). They are not captures; the last test runs on this machine's real /proc and /sys.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRaidProbe } from '../../../../agent/src/probes/raid/raid.js';
import type { SampleDraft } from '../../../../agent/src/sample.js';
import { context, fixture, replayRunner } from '../fixtures.js';

interface Disk {
  name: string;
  /** The SCSI host's driver (proc_name); absent for virtio. */
  driver?: string;
  host?: number;
  vendor?: string;
  model?: string;
  raidLevel?: string;
  /** md arrays holding the disk's first partition. */
  holders?: string[];
  virtio?: boolean;
}

/** A /proc and /sys pair under a temporary directory. */
function tree(spec: {
  mdstat?: string;
  disks?: Disk[];
  raidClass?: { id: string; level: string; state: string; resync: string; block: string; driver: string }[];
  zfs?: Record<string, string>;
  btrfs?: Record<string, number>;
  dm?: string[];
}) {
  const root = mkdtempSync(join(tmpdir(), 'wp-raid-'));
  const proc = join(root, 'proc');
  const sys = join(root, 'sys');
  const file = (path: string, text: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  };
  const link = (path: string, target: string) => {
    mkdirSync(dirname(path), { recursive: true });
    symlinkSync(relative(dirname(path), target), path);
  };
  mkdirSync(proc, { recursive: true });
  mkdirSync(join(sys, 'block'), { recursive: true });
  if (spec.mdstat) file(join(proc, 'mdstat'), fixture(`linux/raid/${spec.mdstat}`));
  let target = 0;
  const scsiDevice = (host: number, name: string, disk: Disk | undefined) => {
    const t = target++;
    const device = join(sys, `devices/pci0000:00/0000:00:1f.2/host${host}/target${host}:0:${t}/${host}:0:${t}:0`);
    const block = join(device, 'block', name);
    mkdirSync(join(block, 'holders'), { recursive: true });
    link(join(block, 'device'), device);
    link(join(sys, 'block', name), block);
    if (disk?.vendor) file(join(device, 'vendor'), `${disk.vendor.padEnd(8)}\n`);
    if (disk?.model) file(join(device, 'model'), `${disk.model.padEnd(16)}\n`);
    if (disk?.raidLevel) file(join(device, 'raid_level'), `${disk.raidLevel}\n`);
    mkdirSync(join(block, `${name}1`, 'holders'), { recursive: true });
    for (const h of disk?.holders ?? []) mkdirSync(join(block, `${name}1`, 'holders', h));
    return device;
  };
  for (const [i, disk] of (spec.disks ?? []).entries()) {
    if (disk.virtio) {
      const block = join(sys, `devices/pci0000:00/0000:00:0${i + 2}.0/virtio${i + 1}/block/${disk.name}`);
      mkdirSync(join(block, 'holders'), { recursive: true });
      link(join(sys, 'block', disk.name), block);
      continue;
    }
    const host = disk.host ?? i;
    scsiDevice(host, disk.name, disk);
    file(join(sys, `class/scsi_host/host${host}/proc_name`), `${disk.driver}\n`);
  }
  for (const r of spec.raidClass ?? []) {
    const host = Number(r.id.split(':')[0]);
    const device = scsiDevice(host, r.block, undefined);
    file(join(sys, `class/scsi_host/host${host}/proc_name`), `${r.driver}\n`);
    const dir = join(sys, 'class/raid_devices', r.id);
    file(join(dir, 'level'), `${r.level}\n`);
    file(join(dir, 'state'), `${r.state}\n`);
    file(join(dir, 'resync'), `${r.resync}\n`);
    link(join(dir, 'device'), device);
  }
  for (const [pool, state] of Object.entries(spec.zfs ?? {})) file(join(proc, `spl/kstat/zfs/${pool}/state`), `${state}\n`);
  if (spec.zfs) file(join(proc, 'spl/kstat/zfs/arcstats'), '13 1 0x01 123 33456 ...\n');
  for (const [uuid, devices] of Object.entries(spec.btrfs ?? {})) {
    for (let d = 0; d < devices; d++) mkdirSync(join(sys, `fs/btrfs/${uuid}/devices/sd${'xyz'[d]}1`), { recursive: true });
    file(join(sys, `fs/btrfs/${uuid}/label`), 'data\n');
  }
  for (const [i, name] of (spec.dm ?? []).entries()) file(join(sys, `block/dm-${i}/dm/name`), `${name}\n`);
  return { procRoot: proc, sysRoot: sys };
}

const collect = (roots: { procRoot: string; sysRoot: string }) => createRaidProbe({ platform: 'linux', ...roots }).collect(context());
const summary = (samples: SampleDraft[]) => samples.find((s) => !s.tags)!.fields;
const points = (samples: SampleDraft[]) => samples.filter((s) => s.tags).map((s) => ({ array: s.tags!.array, kind: s.tags!.kind, state: s.fields.state }));

describe('raid on Linux', () => {
  it('md RAID 1 on a PERC in RAID mode: the controller volume is unknown, so the host is unknown', async () => {
    const samples = await collect(
      tree({ mdstat: 'mdstat-raid1-resync.txt', disks: [{ name: 'sda', driver: 'megaraid_sas', vendor: 'DELL', model: 'PERC H730 Mini' }] }),
    );
    expect(points(samples)).toEqual([
      { array: 'md127', kind: 'md', state: 'syncing' },
      { array: 'sda', kind: 'hardware', state: 'unknown' },
    ]);
    expect(samples[1]!.fields).toEqual({
      state: 'unknown',
      driver: 'megaraid_sas',
      model: 'DELL PERC H730 Mini',
      detail: 'a volume of a megaraid_sas controller, which exposes no array state to the OS',
    });
    expect(summary(samples)).toMatchObject({ status: 'unknown', unknown_arrays: expect.objectContaining({ value: 1 }) });
  });

  it('the same controller in HBA mode under md: its disks are md members, not volumes, and the mirror is healthy', async () => {
    const disks = ['sda', 'sdb'].map((name, i) => ({ name, host: i, driver: 'megaraid_sas', vendor: 'ATA', model: 'ST4000NM0035', holders: ['md0'] }));
    const samples = await collect(tree({ mdstat: 'mdstat-raid0-over-raid1.txt', disks }));
    expect(points(samples).map((p) => p.array)).toEqual(['md2', 'md1', 'md0']);
    expect(summary(samples)).toMatchObject({ status: 'healthy', reason: 'redundant: md1 (raid1), md0 (raid1)' });
  });

  it('degraded md arrays make the host unhealthy whatever else is unknown', async () => {
    const samples = await collect(tree({ mdstat: 'mdstat-raid1-failed-members.txt', disks: [{ name: 'sdc', driver: 'hpsa', raidLevel: 'RAID 5' }] }));
    expect(summary(samples)).toMatchObject({ status: 'unhealthy', reason: 'md0 degraded; md3 degraded; md1 degraded; md2 degraded' });
  });

  it('HPE Smart Array (hpsa): a volume reports its level, a physical disk (N/A) is no array', async () => {
    const samples = await collect(
      tree({
        disks: [
          { name: 'sda', host: 0, driver: 'hpsa', vendor: 'HP', model: 'LOGICAL VOLUME', raidLevel: 'RAID 1(+0)' },
          { name: 'sdb', host: 0, driver: 'hpsa', vendor: 'ATA', model: 'MB2000GCWDA', raidLevel: 'N/A' },
        ],
      }),
    );
    expect(samples.filter((s) => s.tags).map((s) => s.fields)).toEqual([
      {
        state: 'unknown',
        redundant: true,
        level: 'RAID 1(+0)',
        driver: 'hpsa',
        model: 'HP LOGICAL VOLUME',
        detail: 'a volume of a hpsa controller, which exposes no array state to the OS',
      },
    ]);
    expect(summary(samples)).toMatchObject({ status: 'unknown' });
  });

  it('raid_class (mpt3sas integrated RAID) reports state: degraded, rebuilding with progress, active', async () => {
    const raidClass = [
      { id: '2:1:0:0', level: 'raid1', state: 'degraded', resync: '0', block: 'sdc', driver: 'mpt3sas' },
      { id: '3:1:0:0', level: 'raid10', state: 'resyncing', resync: '37', block: 'sdd', driver: 'mpt3sas' },
      { id: '4:1:0:0', level: 'raid1', state: 'active', resync: '0', block: 'sde', driver: 'mpt3sas' },
    ];
    const samples = await collect(tree({ raidClass }));
    expect(samples.filter((s) => s.tags).map((s) => [s.tags!.array, s.fields])).toEqual([
      ['sdc', { state: 'degraded', healthy: false, redundant: true, level: 'raid1', os_state: 'degraded', driver: 'mpt3sas' }],
      [
        'sdd',
        {
          state: 'rebuilding',
          healthy: false,
          redundant: true,
          level: 'raid10',
          os_state: 'resyncing',
          sync_action: 'resync',
          sync_percent: 37,
          driver: 'mpt3sas',
        },
      ],
      ['sde', { state: 'ok', healthy: true, redundant: true, level: 'raid1', os_state: 'active', driver: 'mpt3sas' }],
    ]);
    expect(summary(samples)).toMatchObject({ status: 'unhealthy', reason: 'sdc degraded; sdd rebuilding' });
  });

  it.each([
    ['only a virtio disk', { disks: [{ name: 'vda', virtio: true }] }, 'unknown', /vda: virtual disk \(virtio\)/],
    ['a VMware disk', { disks: [{ name: 'sda', driver: 'mptspi', vendor: 'VMware', model: 'Virtual disk' }] }, 'unknown', /sda: virtual disk/],
    ['a SAN LUN', { disks: [{ name: 'sdb', driver: 'qla2xxx', vendor: 'NETAPP', model: 'LUN C-Mode' }] }, 'unknown', /external storage on qla2xxx/],
    [
      'a btrfs filesystem over two devices',
      { disks: [{ name: 'sda', driver: 'ahci', vendor: 'ATA', model: 'Samsung SSD' }], btrfs: { 'c0ffee00-1111': 2 } },
      'unknown',
      /btrfs data spans 2 devices/,
    ],
    [
      'an LVM RAID 1',
      { disks: [{ name: 'sda', driver: 'ahci' }], dm: ['vg0-root', 'vg0-data_rmeta_0', 'vg0-data_rimage_0', 'vg0-data_rimage_1'] },
      'unknown',
      /LVM RAID\/mirror vg0-data;/,
    ],
    ['a ZFS pool online: its layout is not read', { zfs: { rpool: 'ONLINE' } }, 'unknown', /rpool: pool layout not read/],
    ['a ZFS pool degraded', { zfs: { rpool: 'DEGRADED' } }, 'unhealthy', /rpool degraded/],
    ['one SATA disk on ahci', { disks: [{ name: 'sda', driver: 'ahci', vendor: 'ATA', model: 'WDC WD10EZEX' }] }, 'none', /^no array$/],
    ['a RAID 0 md array', { mdstat: 'mdstat-raid0-over-raid1.txt' }, 'healthy', /md1 \(raid1\)/],
  ])('%s: %s', async (_what, spec, status, reason) => {
    const fields = summary(await collect(tree(spec as Parameters<typeof tree>[0])));
    expect(fields.status).toBe(status);
    expect(fields.reason).toMatch(reason);
  });

  it('an IMSM container is no array, its degraded volumes are', async () => {
    const samples = await collect(tree({ mdstat: 'mdstat-imsm-degraded.txt' }));
    expect(points(samples)).toEqual([
      { array: 'md125', kind: 'md', state: 'degraded' },
      { array: 'md126', kind: 'md', state: 'degraded' },
    ]);
  });

  it('/sys/block unreadable: the picture is incomplete, so unknown; /proc/mdstat unreadable (not missing) fails the run', async () => {
    const roots = tree({});
    expect(summary(await collect({ ...roots, sysRoot: join(roots.sysRoot, 'missing') }))).toMatchObject({ status: 'unknown' });
    mkdirSync(join(roots.procRoot, 'mdstat')); // a directory: EISDIR, not ENOENT
    await expect(collect(roots)).rejects.toThrow(/EISDIR/);
  });

  it("on this machine's /proc and /sys: one summary point, md arrays only where the md driver is loaded", async () => {
    const samples = await createRaidProbe({ platform: 'linux' }).collect(context());
    expect(['healthy', 'unhealthy', 'none', 'unknown']).toContain(summary(samples).status);
    if (!existsSync('/proc/mdstat')) expect(samples.filter((s) => s.tags?.kind === 'md')).toEqual([]);
    // The development VM has one virtio disk and no md: a guest cannot see its host's redundancy.
    if (existsSync('/sys/block/vda') && readFileSync('/sys/block/vda/device/modalias', 'utf8').startsWith('virtio')) {
      expect(summary(samples).reason).toMatch(/vda: virtual disk \(virtio\)/);
    }
  });
});

describe('raid on macOS', () => {
  it('runs `diskutil appleRAID list` and reports each set', async () => {
    const { runner, calls } = replayRunner(fixture('darwin/raid/diskutil-appleraid-list-degraded-missing.txt'));
    const samples = await createRaidProbe({ platform: 'darwin' }).collect(context(runner));
    expect(calls).toEqual([{ command: 'diskutil', args: ['appleRAID', 'list'] }]);
    expect(samples[0]).toEqual({
      measurement: 'raid',
      tags: { array: 'fud', kind: 'apple_raid' },
      fields: {
        state: 'degraded',
        healthy: false,
        redundant: true,
        level: 'Mirror',
        os_state: 'Degraded',
        members: expect.objectContaining({ value: 2 }),
        active_members: expect.objectContaining({ value: 1 }),
        failed_members: expect.objectContaining({ value: 1 }),
        spare_members: expect.objectContaining({ value: 0 }),
      },
    });
    expect(summary(samples)).toMatchObject({ status: 'unhealthy', reason: 'fud degraded' });
  });

  it('no AppleRAID set: none', async () => {
    const samples = await createRaidProbe({ platform: 'darwin' }).collect(context(replayRunner('No AppleRAID sets found\n').runner));
    expect(samples).toHaveLength(1);
    expect(summary(samples)).toMatchObject({ status: 'none', reason: 'no array' });
  });
});

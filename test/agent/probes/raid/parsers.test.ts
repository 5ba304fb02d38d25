// The raid probe's pure parts on real captured output (test/fixtures/*/raid/, labelled in test/fixtures/README.md):
// /proc/mdstat from Linux hosts in every state (degraded, recovering, reshaping, resyncing, checking, queued, inactive,
// Intel IMSM containers, failed members, RAID 0 over RAID 1), `diskutil appleRAID list` from Macs (online, degraded
// with a missing member, rebuilding, a spare), and the summary rule.
import { describe, expect, it } from 'vitest';
import { mdArray, parseMdstat } from '../../../../agent/src/probes/raid/mdstat.js';
import { parseAppleRaidList } from '../../../../agent/src/probes/raid/apple-raid.js';
import { raidSamples, raidStatus, redundantLevel, type RaidArray } from '../../../../agent/src/probes/raid/raid-array.js';
import { int } from '../../../../agent/src/sample.js';
import { fixture } from '../fixtures.js';

const md = (file: string) =>
  parseMdstat(fixture(`linux/raid/${file}`))
    .map(mdArray)
    .filter((a) => a !== undefined);
const brief = (a: RaidArray) => [a.name, a.state, a.level, a.members, a.activeMembers, a.failedMembers, a.spareMembers, a.syncAction, a.syncPercent];

describe('/proc/mdstat', () => {
  it.each([
    // file, [name, state, level, members, active, failed, spares, sync_action, sync_percent]
    ['mdstat-raid6-recovery.txt', [['md0', 'rebuilding', 'raid6', 6, 4, 0, 0, 'recovery', 19.6]]],
    // reshaping with two slots empty: the reshape does not restore them (the two (S) are the disks being added)
    ['mdstat-raid6-reshape.txt', [['md0', 'degraded', 'raid6', 6, 4, 0, 2, 'reshape', 48.4]]],
    ['mdstat-raid10-degraded.txt', [['md127', 'degraded', 'raid10', 22, 20, 0, 0, 'idle', undefined]]],
    // mdadm --replace: a recovery onto the (R) replacement while all four slots work is no rebuild of a missing member
    ['mdstat-raid5-replace.txt', [['md0', 'syncing', 'raid5', 4, 4, 0, 1, 'recovery', 1.4]]],
    [
      'mdstat-check-and-resync-delayed.txt',
      [
        ['md0', 'ok', 'raid1', 2, 2, 0, 0, 'check', 45.5],
        ['md1', 'syncing', 'raid1', 2, 2, 0, 0, 'delayed', undefined],
      ],
    ],
    // a new RAID 5 is built degraded and recovered onto the last disk; queued behind md0 it says resync=DELAYED
    [
      'mdstat-raid5-new-resync-delayed.txt',
      [
        ['md1', 'rebuilding', 'raid5', 3, 2, 0, 0, 'delayed', undefined],
        ['md0', 'syncing', 'raid1', 2, 2, 0, 0, 'resync', 21.5],
      ],
    ],
    ['mdstat-raid1-resync.txt', [['md127', 'syncing', 'raid1', 2, 2, 0, 0, 'resync', 50.4]]],
    ['mdstat-inactive.txt', [['md127', 'failed', undefined, 0, 0, 0, 1, 'idle', undefined]]],
    ['mdstat-raid1-failed-members.txt', ['md0', 'md3', 'md1', 'md2'].map((name) => [name, 'degraded', 'raid1', 2, 1, 1, 0, 'idle', undefined])],
    [
      'mdstat-raid0-over-raid1.txt',
      [
        ['md2', 'ok', 'raid0', 2, 2, 0, 0, 'idle', undefined],
        ['md1', 'ok', 'raid1', 2, 2, 0, 0, 'idle', undefined],
        ['md0', 'ok', 'raid1', 2, 2, 0, 0, 'idle', undefined],
      ],
    ],
    // an Intel IMSM container is no array; its volume is
    ['mdstat-imsm-container.txt', [['md127', 'ok', 'raid1', 2, 2, 0, 0, 'idle', undefined]]],
    [
      'mdstat-imsm-degraded.txt',
      [
        ['md125', 'degraded', 'raid1', 2, 1, 0, 0, 'idle', undefined],
        ['md126', 'degraded', 'raid1', 2, 1, 0, 0, 'idle', undefined],
      ],
    ],
    // QNAP-style system arrays: RAID 1 over 24 slots with 5 members are degraded by md's own count
    [
      'mdstat-raid5-resync-spares.txt',
      [
        ['md1', 'syncing', 'raid5', 3, 3, 0, 0, 'resync', 2.5],
        ['md256', 'ok', 'raid1', 2, 2, 0, 3, 'idle', undefined],
        ['md13', 'degraded', 'raid1', 24, 5, 0, 0, 'idle', undefined],
        ['md9', 'degraded', 'raid1', 24, 5, 0, 0, 'idle', undefined],
      ],
    ],
  ])('%s', (file, expected) => {
    expect(md(file).map(brief)).toEqual(expected);
  });

  it('keeps the OS words, the read-only modes and the containers it skips', () => {
    const all = parseMdstat(fixture('linux/raid/mdstat-imsm-degraded.txt'));
    expect(all.map((a) => [a.name, a.active, a.external])).toEqual([
      ['md125', true, '/md127/0'],
      ['md126', true, '/md127/1'],
      ['md127', false, 'imsm'],
    ]);
    expect(md('mdstat-inactive.txt')[0]).toMatchObject({ osState: 'inactive', detail: 'assembled but not started (inactive)' });
    expect(md('mdstat-raid1-resync.txt')[0]).toMatchObject({ osState: 'active', redundant: true });
    expect(md('mdstat-raid0-over-raid1.txt')[0]).toMatchObject({ redundant: false });
    const ro = parseMdstat('md0 : active (auto-read-only) raid1 sdb1[1] sda1[0]\n      1000 blocks [2/2] [UU]\n').map(mdArray);
    expect(ro[0]).toMatchObject({ state: 'ok', osState: 'active (auto-read-only)', level: 'raid1' });
  });

  it('reads the degraded count from [n/m], not from the flags: a failed member a spare replaced is no missing slot', () => {
    const text = 'md0 : active raid1 sdc1[2] sdb1[1] sda1[0](F)\n      1000 blocks super 1.2 [2/2] [UU]\n';
    expect(parseMdstat(text).map(mdArray)[0]).toMatchObject({ state: 'ok', members: 2, activeMembers: 2, failedMembers: 1 });
  });
});

describe('diskutil appleRAID list', () => {
  const apple = (file: string) => parseAppleRaidList(fixture(`darwin/raid/${file}`)).map(brief);

  it.each([
    ['diskutil-appleraid-list-online.txt', [['Toybox HDD', 'ok', 'Mirror', 2, 2, 0, 0, undefined, undefined]]],
    ['diskutil-appleraid-list-degraded-missing.txt', [['fud', 'degraded', 'Mirror', 2, 1, 1, 0, undefined, undefined]]],
    [
      'diskutil-appleraid-list-rebuilding-and-missing.txt',
      [
        ['Mirror RAID Set 2', 'rebuilding', 'Mirror', 2, 1, 0, 0, 'rebuild', 63],
        ['Stuff_2', 'degraded', 'Mirror', 2, 1, 1, 0, undefined, undefined],
      ],
    ],
    ['diskutil-checkraid-mirror-spare.txt', [['Backup', 'ok', 'Mirror', 1, 1, 0, 1, undefined, undefined]]],
  ])('%s', (file, expected) => {
    expect(apple(file)).toEqual(expected);
  });

  it('no set: nothing', () => {
    expect(parseAppleRaidList('No AppleRAID sets found\n')).toEqual([]);
    expect(parseAppleRaidList('')).toEqual([]);
  });
});

describe('levels', () => {
  it.each([
    ['raid1', true],
    ['raid10', true],
    ['raid5', true],
    ['raid6', true],
    ['raid1e', true],
    ['RAID 1(+0)', true],
    ['RAID 1(+0)ADM', true],
    ['RAID 5+1', true],
    ['Mirror', true],
    ['Parity', true],
    ['raid0', false],
    ['RAID 0', false],
    ['linear', false],
    ['Simple', false],
    ['Stripe', false],
    ['Concat', false],
    ['jbod', false],
    ['RAID UNKNOWN', undefined],
    [undefined, undefined],
  ])('%s redundant: %s', (level, redundant) => {
    expect(redundantLevel(level)).toBe(redundant);
  });
});

describe('the summary rule', () => {
  const mirror: RaidArray = { name: 'md0', kind: 'md', state: 'ok', level: 'raid1', redundant: true };
  const stripe: RaidArray = { name: 'md1', kind: 'md', state: 'ok', level: 'raid0', redundant: false };
  const hidden: RaidArray = { name: 'sda', kind: 'hardware', state: 'unknown', driver: 'megaraid_sas', detail: 'no state' };
  const broken: RaidArray = { ...mirror, name: 'md2', state: 'degraded' };
  const virtio = { effect: 'hidden' as const, reason: 'vda: virtual disk (virtio)' };
  const failedQuery = { effect: 'incomplete' as const, reason: 'disk query failed' };

  it.each([
    ['a healthy mirror', [mirror], [], 'healthy'],
    ['a known problem outranks an unknown controller', [mirror, hidden, broken], [], 'unhealthy'],
    ['a controller volume whose state is hidden', [mirror, hidden], [], 'unknown'],
    ['a failed query makes a healthy mirror unknown', [mirror], [failedQuery], 'unknown'],
    ['virtual disks do not matter beside a redundant array', [mirror], [virtio], 'healthy'],
    ['only virtual disks: cannot tell', [], [virtio], 'unknown'],
    ['RAID 0 protects nothing', [stripe], [], 'none'],
    ['no array, nothing hidden', [], [], 'none'],
    ['a ZFS pool of unknown layout, online', [{ name: 'tank', kind: 'zfs', state: 'ok', osState: 'ONLINE' } as RaidArray], [], 'unknown'],
    ['a degraded pool', [mirror, { name: 'pool', kind: 'storage_pool', state: 'degraded' } as RaidArray], [], 'unhealthy'],
    ['a healthy pool alone is no array', [{ name: 'pool', kind: 'storage_pool', state: 'ok' } as RaidArray], [], 'none'],
  ])('%s: %s', (_what, arrays, hints, status) => {
    expect(raidStatus({ arrays, hints }).status).toBe(status);
  });

  it('names at most six arrays or signals in the reason, then how many more', () => {
    const hints = Array.from({ length: 9 }, (_, i) => ({ effect: 'hidden' as const, reason: `vd${i}: virtual disk` }));
    expect(raidStatus({ arrays: [], hints }).reason).toBe(
      'vd0: virtual disk; vd1: virtual disk; vd2: virtual disk; vd3: virtual disk; vd4: virtual disk; vd5: virtual disk; and 3 more',
    );
  });

  it('writes one point per array and the summary with counts and the reason', () => {
    expect(raidSamples({ arrays: [mirror, hidden], hints: [] })).toEqual([
      { measurement: 'raid', tags: { array: 'md0', kind: 'md' }, fields: { state: 'ok', healthy: true, redundant: true, level: 'raid1' } },
      { measurement: 'raid', tags: { array: 'sda', kind: 'hardware' }, fields: { state: 'unknown', driver: 'megaraid_sas', detail: 'no state' } },
      {
        measurement: 'raid',
        fields: {
          status: 'unknown',
          arrays: int(2),
          redundant_arrays: int(1),
          unhealthy_arrays: int(0),
          unknown_arrays: int(1),
          reason: 'sda unknown (no state)',
        },
      },
    ]);
  });
});

// The diskio parsers on captured output: /proc/diskstats of the development machine (Debian 12, kernel 6.18, two
// snapshots with disk writes between them), macOS `ioreg` output of block storage drivers, and Windows LogicalDisk
// raw counters in the shape the probe's script prints them (see test/fixtures/README.md).
import { describe, expect, it } from 'vitest';
import { DISKIO_FIELDS, diskioFields, parseDiskstats } from '../../../../agent/src/probes/diskio/diskstats.js';
import { parseIoregBlockStorage } from '../../../../agent/src/probes/diskio/ioreg.js';
import { perfDiskCounters } from '../../../../agent/src/probes/diskio/perfdisk.js';
import { int } from '../../../../agent/src/sample.js';
import { fixture } from '../fixtures.js';

const EARLIER = parseDiskstats(fixture('linux/proc/diskstats'));
const LATER = parseDiskstats(fixture('linux/proc-later/diskstats'));

describe('parseDiskstats (Linux /proc/diskstats, gopsutil rules)', () => {
  it('reports every device with a non-zero counter, partitions and virtual devices alike, in file order', () => {
    // loop2-7 and zram0 are all zeros in the capture: Telegraf writes no point for them.
    expect(EARLIER.map((d) => d.name)).toEqual(['loop0', 'loop1', 'vda']);
    expect(LATER.map((d) => d.name)).toEqual(['loop0', 'loop1', 'vda']);
  });

  it('maps the eleven classic columns to Telegraf fields, sectors as 512-byte units', () => {
    // vda 132916 30892 11259570 53702 1317964 370114 176261208 912056 0 183588 1052956 (then discard and flush columns)
    expect(EARLIER[2]).toEqual({
      name: 'vda',
      reads: 132916,
      merged_reads: 30892,
      read_bytes: 11259570 * 512,
      read_time: 53702,
      writes: 1317964,
      merged_writes: 370114,
      write_bytes: 176261208 * 512,
      write_time: 912056,
      iops_in_progress: 0,
      io_time: 183588,
      weighted_io_time: 1052956,
    });
  });

  it('the later snapshot: counters never go back, and the writes between the snapshots show', () => {
    for (const [i, before] of EARLIER.entries()) {
      const after = LATER[i]!;
      for (const field of DISKIO_FIELDS.filter((f) => f !== 'iops_in_progress')) expect(after[field]!).toBeGreaterThanOrEqual(before[field]!);
    }
    expect(LATER[2]!.write_bytes! - EARLIER[2]!.write_bytes!).toBeGreaterThan(0);
    expect(LATER[2]!.writes! - EARLIER[2]!.writes!).toBeGreaterThan(0);
  });

  it('skips malformed lines (fewer than 14 columns, non-numbers) instead of failing', () => {
    const first = fixture('linux/proc/diskstats').split('\n')[0]!;
    const short = first.trim().split(/\s+/).slice(0, 13).join(' ');
    expect(parseDiskstats(`${short}\n${first.replace(' 799 ', ' x ')}\n`)).toEqual([]);
  });

  it('diskioFields: every field an integer, in Telegraf order; absent counters left out', () => {
    const fields = diskioFields(EARLIER[2]!);
    expect(Object.keys(fields)).toEqual([...DISKIO_FIELDS]);
    expect(fields.read_bytes).toEqual(int(11259570 * 512));
    expect(diskioFields({ name: 'C:', reads: 1 })).toEqual({ reads: int(1) });
  });
});

describe('parseIoregBlockStorage (macOS ioreg -r -d 2 -l -w 0 -c IOBlockStorageDriver)', () => {
  it('an Apple Silicon SSD: its Statistics under its BSD name, times from ns to ms, io_time as gopsutil sums it', () => {
    expect(parseIoregBlockStorage(fixture('darwin/ioreg-blockstoragedriver-apple-silicon.txt'))).toEqual([
      {
        name: 'disk0',
        reads: 12975224,
        writes: 13964680,
        read_bytes: 368261685248,
        write_bytes: 222826323968,
        read_time: 3698579,
        write_time: 1213255,
        io_time: 3698579 + 1213255,
      },
    ]);
  });

  it('without -l ioreg prints no properties of the media, so no BSD name: nothing is reported under a guessed name', () => {
    expect(parseIoregBlockStorage(fixture('darwin/ioreg-blockstoragedriver-no-properties-of-media.txt'))).toEqual([]);
  });

  it('nothing at all (no block storage driver): no devices', () => {
    expect(parseIoregBlockStorage('')).toEqual([]);
  });
});

describe('perfDiskCounters (Windows Win32_PerfRawData_PerfDisk_LogicalDisk)', () => {
  // The captured HarddiskVolume1 instance (windows_exporter issue #388) as the probe's script prints it: its
  // PERF_AVERAGE_BASE counts are the operations, the numerators of the byte averages the bytes, the queue-length
  // numerators the summed 100 ns times. The idle pair is chosen (not in the capture): a FILETIME-sized clock.
  const captured = {
    reads: '1',
    writes: '4',
    read_bytes: '4096',
    write_bytes: '16384',
    read_time: '4633000',
    write_time: '38000',
    disk_time: '4671000',
    idle_time: '133000000000000000',
    idle_base: '133000000004600000',
    queue: '0',
  };

  it('drive letters only, with the documented conversions: 100 ns ticks to ms, busy = base - idle, exact beyond 2^53', () => {
    const rows = [
      { name: 'HarddiskVolume1', ...captured },
      { name: 'C:', ...captured },
      { name: '_Total', ...captured },
    ];
    expect(perfDiskCounters(rows)).toEqual([
      {
        name: 'C:',
        reads: 1,
        writes: 4,
        read_bytes: 4096,
        write_bytes: 16384,
        read_time: 463,
        write_time: 3,
        io_time: 460,
        weighted_io_time: 467,
        iops_in_progress: 0,
      },
    ]);
  });

  it('a null property (an empty string from [string]$null) and an idle count beyond its clock leave those counters out', () => {
    const [d] = perfDiskCounters([{ ...captured, name: 'd:', reads: '', idle_base: '1' }]);
    expect(d).toMatchObject({ name: 'D:', writes: 4 });
    expect(d!.reads).toBeUndefined();
    expect(d!.io_time).toBeUndefined();
  });
});

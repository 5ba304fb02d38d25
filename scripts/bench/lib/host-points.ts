// One host's core points as the agent's probes produce them (Telegraf's names): cpu-total plus CPU_CORES cores,
// mem, two disks, two network interfaces and system, one collection every COLLECT_EVERY_MS of agent time.
// Shared by the ingest benches so that every bench maps and writes the same realistic points.
import type { watchpost } from '../../../proto/index.js';

export const COLLECT_EVERY_MS = 10_000; // agent time between two collections of one host
export const CPU_CORES = 4;
export const SAMPLES_PER_COLLECTION = CPU_CORES + 1 + 1 + 2 + 2 + 1;

type Sample = watchpost.v1.ISample;

const floatField = (key: string, value: number): watchpost.v1.IField => ({ key, float: value });
const intField = (key: string, value: number): watchpost.v1.IField => ({ key, int: Math.round(value) });

/** One collection of host `h` at `timeMs`: what the agent's cpu, mem, disk, net and system probes produce. */
export function collection(h: number, c: number, timeMs: number): Sample[] {
  const wobble = (k: number): number => ((h * 31 + c * 17 + k * 7) % 100) / 10; // varying values compress like real ones
  const cpu = (name: string, k: number): Sample => ({
    measurement: 'cpu',
    timeMs,
    tags: [{ key: 'cpu', value: name }],
    fields: [
      floatField('usage_user', 12 + wobble(k)),
      floatField('usage_system', 4 + wobble(k + 1) / 2),
      floatField('usage_idle', 80 - wobble(k)),
      floatField('usage_iowait', wobble(k + 2) / 5),
    ],
  });
  const disk = (path: string, device: string, used: number): Sample => ({
    measurement: 'disk',
    timeMs,
    tags: [
      { key: 'path', value: path },
      { key: 'device', value: device },
      { key: 'fstype', value: 'ext4' },
      { key: 'mode', value: 'rw' },
    ],
    fields: [
      intField('total', 500e9),
      intField('used', used * 5e9),
      intField('free', (100 - used) * 5e9),
      floatField('used_percent', used),
      intField('inodes_used', 1e5 + c),
    ],
  });
  const net = (iface: string, k: number): Sample => ({
    measurement: 'net',
    timeMs,
    tags: [{ key: 'interface', value: iface }],
    fields: [
      intField('bytes_recv', 1e9 + c * 1e5 + k),
      intField('bytes_sent', 5e8 + c * 4e4),
      intField('packets_recv', 1e6 + c * 90),
      intField('packets_sent', 8e5 + c * 70),
      intField('err_in', 0),
      intField('drop_in', k),
    ],
  });
  return [
    cpu('cpu-total', 0),
    ...Array.from({ length: CPU_CORES }, (_, k) => cpu(`cpu${k}`, k + 1)),
    {
      measurement: 'mem',
      timeMs,
      fields: [
        intField('total', 16e9),
        intField('available', 8e9 + wobble(3) * 1e8),
        intField('used', 8e9 - wobble(3) * 1e8),
        floatField('used_percent', 50 - wobble(3)),
      ],
    },
    disk('/', 'sda1', 40 + wobble(4)),
    disk('/data', 'sdb1', 60 + wobble(5)),
    net('eth0', 0),
    net('eth1', 1),
    {
      measurement: 'system',
      timeMs,
      fields: [
        floatField('load1', 0.5 + wobble(6) / 10),
        floatField('load5', 0.4),
        floatField('load15', 0.3),
        intField('n_cpus', CPU_CORES),
        intField('uptime', 86_400 + c * 10),
      ],
    },
  ];
}

/** Batch `b` of host `h`: collections b*n .. b*n+n-1, each COLLECT_EVERY_MS after the last, from `startMs`. */
export function batchSamples(h: number, b: number, n: number, startMs: number): Sample[] {
  return Array.from({ length: n }, (_, k) => b * n + k).flatMap((c) => collection(h, c, startMs + c * COLLECT_EVERY_MS));
}

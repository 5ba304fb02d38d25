// metric rules as timelines: samples in (with the field names the agent sends), observations out.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../collector/src/errors.js';
import { at, brief, DAY, facts, Harness, ruleFrom, sample, shippedRule, T0 } from './harness.js';

const disk = (minute: number, path: string, used_percent: number) =>
  sample(
    'disk',
    at(minute),
    { path, device: path === '/' ? 'sda1' : 'C:', fstype: 'ext4', mode: 'rw' },
    { total: 100, free: 100 - used_percent, used: used_percent, used_percent },
  );

describe('metric: the shipped disk_space rule (warning 90/85, critical 95/92)', () => {
  // minute, used_percent -> observed level ('ok' = inactive)
  const timeline: [number, number, string][] = [
    [0, 80, 'ok'],
    [5, 90, 'ok'], // "above 90" is strictly above
    [10, 90.5, 'warning'],
    [15, 87, 'warning'], // under 90 but above its clear (85): holds
    [20, 85, 'ok'], // reaching clear clears
    [25, 96.2, 'critical'], // straight to the most severe breached level
    [30, 93, 'critical'], // under 95 but above 92: holds
    [35, 91, 'warning'], // de-escalates to the level still breached
    [40, 95.5, 'critical'], // escalates again
    [45, 84, 'ok'],
    [50, 88, 'ok'], // 88 is below warning's threshold: a fresh alert needs > 90
  ];

  it('holds each level until its clear threshold, escalates and de-escalates', () => {
    const h = new Harness(shippedRule('disk_space'));
    const got = timeline.map(([minute, value]) => {
      const [o, ...rest] = h.observe([disk(minute, '/', value)]);
      expect(rest).toEqual([]);
      expect(o!.at).toBe(at(minute));
      expect(o!.value).toBe(value);
      return o!.active ? o!.level : 'ok';
    });
    expect(got).toEqual(timeline.map((row) => row[2]));
  });

  it('carries the level impact and a one-line summary', () => {
    const h = new Harness(shippedRule('disk_space'));
    expect(h.observe([disk(0, '\\C:', 91.04)])[0]).toMatchObject({
      instance: '\\C:',
      level: 'warning',
      impact: 'medium',
      summary: '\\C: used_percent 91 (warning above 90)',
    });
    expect(h.observe([disk(5, '\\C:', 96.2)])[0]).toMatchObject({ level: 'critical', impact: 'high', summary: '\\C: used_percent 96.2 (critical above 95)' });
    expect(h.observe([disk(10, '\\C:', 93.25)])[0]).toMatchObject({
      level: 'critical',
      summary: '\\C: used_percent 93.3 (critical above 95, holding until 92)',
    });
    expect(h.observe([disk(15, '\\C:', 50)])[0]).toMatchObject({ active: false, summary: '\\C: used_percent 50 (ok)' });
  });

  it('keeps one alert per path, and hysteresis holds within one batch', () => {
    const h = new Harness(shippedRule('disk_space'));
    const out = h.observe([disk(0, '/', 96), disk(0, '/data', 50), disk(5, '/', 93), disk(5, '/data', 91)]);
    expect(out.map(brief)).toEqual([
      { instance: '/', active: true, level: 'critical', at: at(0) },
      { instance: '/data', active: false, level: 'warning', at: at(0) },
      { instance: '/', active: true, level: 'critical', at: at(5) }, // the earlier sample of this batch made it active
      { instance: '/data', active: true, level: 'warning', at: at(5) },
    ]);
  });

  it('ignores samples without the field or with a non-number value', () => {
    const h = new Harness(shippedRule('disk_space'));
    expect(h.observe([sample('disk', at(0), { path: '/' }, { total: 100, free: 4 })])).toEqual([]);
    expect(h.observe([sample('disk', at(1), { path: '/' }, { used_percent: 'full' })])).toEqual([]);
    expect(h.observe([sample('mem', at(2), {}, { used_percent: 99 })])).toEqual([]); // not its measurement
  });
});

describe('metric: filters, single levels, equals', () => {
  it('cpu_high reads only cpu-total and clears at 15 % idle', () => {
    const h = new Harness(shippedRule('cpu_high'));
    const cpu = (minute: number, cpu: string, usage_idle: number) =>
      sample('cpu', at(minute), { cpu }, { usage_user: 100 - usage_idle, usage_system: 0, usage_idle });
    const rows: [number, string, number, string][] = [
      [0, 'cpu0', 1, '-'], // a single core is not the machine
      [1, 'cpu-total', 4.5, 'default'],
      [2, 'cpu-total', 10, 'default'], // above 5 but below the clear (15): still saturated
      [3, 'cpu-total', 15, 'ok'],
      [4, 'cpu-total', 6, 'ok'],
    ];
    const got = rows.map(([minute, name, idle]) => {
      const out = h.observe([cpu(minute, name, idle)]);
      return out.length === 0 ? '-' : out[0]!.active ? out[0]!.level : 'ok';
    });
    expect(got).toEqual(rows.map((r) => r[3]));
    expect(h.observe([cpu(5, 'cpu-total', 3)])[0]).toMatchObject({ instance: '', impact: 'low', summary: 'usage_idle 3 (below 5)' });
  });

  it('reboot_pending: a boolean field equals true', () => {
    const h = new Harness(shippedRule('reboot_pending'));
    const patches = (minute: number, reboot_pending: boolean) =>
      sample('patches', at(minute), { source: 'wua' }, { pending_total: 3, pending_security: 1, pending_critical: 0, reboot_pending, parse_errors: 0 });
    expect(h.observe([patches(0, true)])[0]).toMatchObject({
      active: true,
      level: 'default',
      impact: 'low',
      value: true,
      summary: 'reboot_pending true (is true)',
    });
    expect(h.observe([patches(240, false)])[0]).toMatchObject({ active: false, value: false });
  });

  it('services rules read the summary point and skip per-service points', () => {
    const h = new Harness(shippedRule('services_stopped'));
    const out = h.observe([
      sample('services', at(0), {}, { auto_not_running: 2, trigger_start_skipped: 5 }),
      sample('services', at(0), { service_name: 'Spooler' }, { display_name: 'Print Spooler', state: 'Stopped', exit_code: 0, delayed: false }),
    ]);
    expect(out.map(brief)).toEqual([{ instance: '', active: true, level: 'default', at: at(0) }]);
  });

  it('in: a string field in a list', () => {
    const h = new Harness(
      ruleFrom({ id: 'os_status', kind: 'metric', title: 'OS', measurement: 'os_support', field: 'status', in: ['unsupported', 'unknown'], impact: 'low' }),
    );
    expect(h.observe([sample('os_support', at(0), {}, { status: 'unknown', os_name: 'x', os_version: '1' })])[0]!.active).toBe(true);
    expect(h.observe([sample('os_support', at(1), {}, { status: 'supported', supported: true, days_left: 400 })])[0]!.active).toBe(false);
  });

  it('os_end_of_support: 60 days notice (low), then past the end (medium)', () => {
    const h = new Harness(shippedRule('os_end_of_support'));
    const os = (minute: number, days_left: number) =>
      sample(
        'os_support',
        at(minute),
        {},
        {
          status: days_left >= 0 ? 'supported' : 'unsupported',
          supported: days_left >= 0,
          days_left,
          release: 'Windows 11 23H2',
          os_name: 'Windows 11 Pro',
          os_version: '23H2',
        },
      );
    expect([120, 59, 0, -1].map((d, i) => h.observe([os(i, d)])[0]!).map((o) => [o.active, o.level, o.impact])).toEqual([
      [false, 'ending_soon', 'low'],
      [true, 'ending_soon', 'low'],
      [true, 'ending_soon', 'low'], // the last supported day
      [true, 'unsupported', 'medium'],
    ]);
  });
});

describe('metric: value rate (a cumulative counter per second)', () => {
  const swap = (minute: number, bytesIn: number) =>
    sample('swap', at(minute), {}, { total: 4 << 30, used: 1 << 30, free: 3 << 30, used_percent: 25, in: bytesIn, out: 0 });
  const MIB = 1 << 20;

  it('swap_in: growth per second between samples, the first sample says nothing; holds until 256 KiB/s', () => {
    const h = new Harness(shippedRule('swap_in'));
    // minute -> counter (bytes swapped in since boot) -> observed
    const rows: [number, number, string][] = [
      [0, 10 * MIB, '-'], // nothing to compare with yet
      [1, 10 * MIB + 30 * MIB, 'ok'], // 30 MiB in 60 s = 0.5 MiB/s
      [2, 40 * MIB + 120 * MIB, 'default'], // 2 MiB/s
      [3, 160 * MIB + 30 * MIB, 'default'], // 0.5 MiB/s: under 1 MiB/s but above the clear (256 KiB/s)
      [4, 190 * MIB + 6 * MIB, 'ok'], // 0.1 MiB/s
    ];
    const got = rows.map(([minute, counter]) => {
      const out = h.observe([swap(minute, counter)]);
      return out.length === 0 ? '-' : out[0]!.active ? out[0]!.level : 'ok';
    });
    expect(got).toEqual(rows.map((r) => r[2]));
    const o = h.observe([swap(5, 196 * MIB + 120 * MIB)])[0]!;
    expect(o).toMatchObject({ active: true, impact: 'medium', value: 2 * MIB, summary: 'in 2097152/s (above 1048576)' });
  });

  it('a counter that went backwards (a reboot) says nothing, and the rate starts over from it', () => {
    const h = new Harness(shippedRule('swap_in'));
    expect(h.observe([swap(0, 500 * MIB)])).toEqual([]);
    expect(h.observe([swap(1, 620 * MIB)])[0]!.value).toBe(2 * MIB);
    expect(h.observe([swap(2, 1 * MIB)])).toEqual([]); // rebooted: never a negative rate
    expect(h.observe([swap(3, 1 * MIB + 60 * 1024)])[0]!.value).toBe(1024);
  });

  it('a replayed older sample says nothing and keeps the newest reading; a collector restart starts over', () => {
    const h = new Harness(shippedRule('swap_in'));
    h.observe([swap(10, 100 * MIB)]);
    expect(h.observe([swap(5, 50 * MIB)])).toEqual([]);
    expect(h.observe([swap(11, 160 * MIB)])[0]!.value).toBe(MIB);
    h.restart();
    expect(h.observe([swap(12, 220 * MIB)])).toEqual([]);
  });

  it('rates are kept per instance: two disks in one batch do not mix', () => {
    const h = new Harness(shippedRule('disk_queue'));
    const io = (minute: number, name: string, weighted: number) => sample('diskio', at(minute), { name }, { reads: 1, writes: 1, weighted_io_time: weighted });
    h.observe([io(0, 'sda', 1_000_000), io(0, 'nvme0n1', 5_000)]);
    const out = h.observe([io(1, 'sda', 1_000_000 + 600_000), io(1, 'nvme0n1', 5_000 + 60_000)]);
    expect(out.map((o) => [o.instance, o.value, o.active])).toEqual([
      ['sda', 10_000, true], // an average queue of 10
      ['nvme0n1', 1_000, false],
    ]);
  });
});

describe('metric: where with globs (the shipped disk_queue rule reads whole disks only)', () => {
  const rule = shippedRule('disk_queue');
  const io = (minute: number, name: string, weighted: number) => sample('diskio', at(minute), { name }, { weighted_io_time: weighted });

  it.each([
    ['sda', true],
    ['sdab', true],
    ['sdab1', false],
    ['vdb', true],
    ['xvda', true],
    ['nvme0n1', true],
    ['disk0', true],
    ['C:', true], // Windows volumes, named as Telegraf names them
    ['HarddiskVolume3', false], // a Windows volume without a drive letter
    ['sda1', false],
    ['nvme0n1p2', false],
    ['dm-0', false],
    ['md127', false],
    ['loop3', false],
    ['disk0s2', false],
  ])('%s: observed %s', (name, observed) => {
    const h = new Harness(rule);
    h.observe([io(0, name, 0)]);
    expect(h.observe([io(1, name, 600_000)]).length).toBe(observed ? 1 : 0);
  });

  it('only on servers', () => {
    const h = new Harness(rule, facts({ role: 'workstation' }));
    h.observe([io(0, 'sda', 0)]);
    expect(h.observe([io(1, 'sda', 600_000)])).toEqual([]);
  });

  it('a value without * or ? still matches exactly, and a glob covers the whole value', () => {
    const h = new Harness(
      ruleFrom({ id: 'g', kind: 'metric', title: 'g', measurement: 'm', field: 'f', where: { name: ['a.b', 'c*'] }, above: 0, impact: 'low' }),
    );
    const m = (name: string) => h.observe([sample('m', at(0), { name }, { f: 1 })]).length;
    expect([m('a.b'), m('axb'), m('c'), m('cdef'), m('xc')]).toEqual([1, 0, 1, 1, 0]);
  });
});

describe('metric: value age_days', () => {
  const rule = shippedRule('patches_stale'); // last_success older than 35 days
  const patches = (time: number, fields: Record<string, number | boolean>) =>
    sample('patches', time, { source: 'apt' }, { pending_total: 0, pending_security: 0, pending_critical: 0, reboot_pending: false, ...fields });
  const secondsAgo = (time: number, days: number) => Math.round((time - days * DAY) / 1000);

  it.each([
    ['36 days before the sample', 36, true],
    ['35 days: not above', 35, false],
    ['a day ago', 1, false],
  ])('last_success %s', (_label, days, active) => {
    const o = new Harness(rule).observe([patches(T0, { last_success: secondsAgo(T0, days), last_search: secondsAgo(T0, 0) })])[0]!;
    expect(o.active).toBe(active);
    expect(o.value).toBeCloseTo(days, 6);
  });

  it('measures the age at the sample time, not now, and says days', () => {
    const time = T0 - 100 * DAY; // a replayed old batch
    const o = new Harness(rule).observe([patches(time, { last_success: secondsAgo(time, 40.04) })])[0]!;
    expect(o).toMatchObject({ active: true, at: time, summary: 'last_success 40 days old (above 35)' });
  });

  it('says nothing when last_success is unknown (the agent omits it)', () => {
    expect(new Harness(rule).observe([patches(T0, { last_search: secondsAgo(T0, 0) })])).toEqual([]);
  });
});

describe('metric: compile errors name the key', () => {
  const base = { id: 'm', kind: 'metric', title: 'M', measurement: 'disk', field: 'used_percent' };
  it.each([
    [{ ...base, above: 90 }, 'test.yaml: rules[0].impact: required: neither the level nor the rule names an impact'],
    [{ ...base, impact: 'low' }, 'test.yaml: rules[0]: give exactly one of above, below, equals, in (got none)'],
    [{ ...base, impact: 'low', above: 1, below: 2 }, 'test.yaml: rules[0]: give exactly one of above, below, equals, in (got above, below)'],
    [{ ...base, impact: 'low', above: 90, clear: 95 }, 'test.yaml: rules[0].clear: 95 is above the threshold (above 90): it would clear before it triggers'],
    [{ ...base, impact: 'low', below: 5, clear: 2 }, 'test.yaml: rules[0].clear: 2 is below the threshold (below 5): it would clear before it triggers'],
    [{ ...base, impact: 'low', equals: true, clear: 1 }, 'test.yaml: rules[0].clear: only with above or below'],
    [{ ...base, above: 3, levels: [{ name: 'w', above: 1, impact: 'low' }] }, 'test.yaml: rules[0].above: give either levels or a single level at the top'],
    [
      {
        ...base,
        levels: [
          { name: 'w', above: 1, impact: 'low' },
          { name: 'w', above: 2, impact: 'high' },
        ],
      },
      'test.yaml: rules[0].levels[1].name: duplicate level "w"',
    ],
    [{ ...base, levels: [{ name: 'w', above: 1 }] }, 'test.yaml: rules[0].levels[0].impact: required: neither the level nor the rule names an impact'],
    [{ ...base, levels: [{ name: 'w', above: 1, impact: 'urgent' }] }, 'test.yaml: rules[0].levels[0].impact: expected one of high, medium, low; got "urgent"'],
    [{ ...base, value: 'age', above: 1, impact: 'low' }, 'test.yaml: rules[0].value: expected one of raw, age_days, rate; got "age"'],
  ])('%j', (raw, message) => {
    expect(() => ruleFrom(raw)).toThrow(ConfigError);
    expect(() => ruleFrom(raw)).toThrow(message);
  });

  it('a level without impact takes the rule impact', () => {
    const rule = ruleFrom({
      ...base,
      impact: 'medium',
      levels: [
        { name: 'w', above: 1 },
        { name: 'c', above: 2, impact: 'high' },
      ],
    });
    expect(rule.kind === 'metric' && rule.levels.map((l) => l.impact)).toEqual(['medium', 'high']);
  });
});

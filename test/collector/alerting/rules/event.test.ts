// event rules: matching eventlog / shutdowns points, one observation per instance per batch, clear_after on the tick.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../collector/src/errors.js';
import { at, brief, Harness, MIN, ruleFrom, sample, shippedRule } from './harness.js';

/** An eventlog point as the Windows eventlog probe sends it. */
const winEvent = (minute: number, channel: string, level: string, source: string, event_id: number, message: string, record_id = 1000 + minute) =>
  sample('eventlog', at(minute), { channel, level, source }, { message, event_id, record_id });

describe('event: the shipped disk_errors rule (System, disk/Ntfs, 7/11/51/55/153)', () => {
  it.each([
    ['disk 7 in System', winEvent(0, 'System', 'error', 'disk', 7, 'The device, \\Device\\Harddisk0\\DR0, has a bad block.'), true],
    [
      'Ntfs 55 (provider case differs)',
      winEvent(0, 'System', 'error', 'NTFS', 55, 'A corruption was discovered in the file system structure on volume C:.'),
      true,
    ],
    ['Microsoft-Windows-Ntfs 55', winEvent(0, 'System', 'error', 'Microsoft-Windows-Ntfs', 55, 'A corruption was discovered.'), true],
    ['disk 153 (a warning)', winEvent(0, 'System', 'warning', 'disk', 153, 'The IO operation at logical block address 0x1 for Disk 0 was retried.'), true],
    [
      'another id of disk',
      winEvent(0, 'System', 'warning', 'disk', 158, 'Disk 1 has the same disk identifiers as one or more disks connected to the system.'),
      false,
    ],
    ['id 7 of another source', winEvent(0, 'System', 'error', 'Service Control Manager', 7, 'The service did not start.'), false],
    ['same source in Application', winEvent(0, 'Application', 'error', 'disk', 7, 'x'), false],
    [
      'a journald error',
      sample('eventlog', at(0), { channel: 'journal', level: 'error', source: 'kernel' }, { message: 'I/O error, dev sda, sector 2048', priority: 3 }),
      false,
    ],
  ])('%s', (_label, s, matches) => {
    const out = new Harness(shippedRule('disk_errors')).observe([s]);
    expect(out.length).toBe(matches ? 1 : 0);
    if (matches) expect(out[0]).toMatchObject({ instance: '', active: true, level: 'default', impact: 'medium', at: at(0) });
  });

  it('a batch of matching events is one observation at the newest, with the first message', () => {
    const out = new Harness(shippedRule('disk_errors')).observe([
      winEvent(3, 'System', 'warning', 'disk', 153, 'The IO operation at logical block address 0x2 for Disk 0 was retried.'),
      winEvent(1, 'System', 'error', 'disk', 7, 'The device, \\Device\\Harddisk0\\DR0, has a bad block.'),
      winEvent(2, 'System', 'info', 'Microsoft-Windows-Kernel-General', 12, 'The operating system started.'),
      winEvent(5, 'System', 'error', 'disk', 7, 'The device, \\Device\\Harddisk0\\DR0, has a bad block.'),
    ]);
    expect(out).toEqual([
      {
        instance: '',
        active: true,
        level: 'default',
        impact: 'medium',
        value: 3,
        at: at(5),
        summary: 'System/disk 7: The device, \\Device\\Harddisk0\\DR0, has a bad block. (+2 more)',
      },
    ]);
  });
});

describe('event: clear_after', () => {
  const rule = ruleFrom({
    id: 'kp',
    kind: 'event',
    title: 'Kernel-Power',
    channel: 'System',
    source: 'Microsoft-Windows-Kernel-Power',
    event_ids: [41],
    clear_after: '30m',
    impact: 'high',
  });
  const kp = (minute: number) =>
    winEvent(minute, 'System', 'critical', 'Microsoft-Windows-Kernel-Power', 41, 'The system has rebooted without cleanly shutting down first.');

  it('clears on the tick once no matching event came for clear_after, counted from the last one', () => {
    const h = new Harness(rule);
    const rows: [string, number, string][] = [
      // what, minute, observed
      ['event', 0, 'active'],
      ['tick', 29, '-'],
      ['event', 25, 'active'],
      ['event', 25, '-'], // the same batch replayed: not newer than what the alert has seen, ignored
      ['tick', 54, '-'], // 29 min after the last event
      ['tick', 55, 'cleared'],
      ['tick', 56, '-'], // nothing active any more
    ];
    const got = rows.map(([what, minute]) => {
      if (what === 'event') {
        const before = h.state.get('t|h|')?.lastAt ?? 0;
        const out = h.observe([kp(minute)]);
        return out.length === 1 && out[0]!.at > before ? 'active' : '-';
      }
      const out = h.tick(at(minute));
      return out.length === 0 ? '-' : out[0]!.observation.active ? 'active' : 'cleared';
    });
    expect(got).toEqual(rows.map((r) => r[2]));
  });

  it('the clearing observation is at the tick time and says why', () => {
    const h = new Harness(rule);
    h.observe([kp(0)]);
    expect(h.tick(at(31))).toEqual([
      {
        tenant: 't',
        host: 'h',
        observation: {
          instance: '',
          active: false,
          level: 'default',
          impact: 'high',
          at: at(31),
          summary: 'no matching event for 31 min (clears after 30 min)',
        },
      },
    ]);
  });
});

describe('event: other matchers and instances', () => {
  it('unexpected_shutdown takes every shutdowns point, Windows and Linux', () => {
    const h = new Harness(shippedRule('unexpected_shutdown'));
    const out = h.observe([
      sample(
        'shutdowns',
        at(0),
        { kind: 'kernel_power' },
        { message: 'The system has rebooted without cleanly shutting down first.', event_id: 41, record_id: 52117 },
      ),
      sample(
        'shutdowns',
        at(0) + 1,
        { kind: 'unexpected_shutdown' },
        { message: 'The previous system shutdown at 9:58:12 AM on 1/5/2026 was unexpected.', event_id: 6008, record_id: 52118 },
      ),
    ]);
    expect(out.map(brief)).toEqual([{ instance: '', active: true, level: 'default', at: at(0) + 1 }]);
    expect(out[0]!.summary).toBe('shutdowns 41: The system has rebooted without cleanly shutting down first. (+1 more)');
    expect(shippedRule('unexpected_shutdown').onClear).toBe('note');
  });

  it('levels, message_contains (any, ignoring case) and instance by tag', () => {
    const rule = ruleFrom({
      id: 'svc',
      kind: 'event',
      title: 'x',
      levels: ['error', 'critical'],
      message_contains: ['terminated unexpectedly', 'FAILED'],
      instance: 'source',
      impact: 'low',
    });
    const h = new Harness(rule);
    const out = h.observe([
      winEvent(0, 'System', 'error', 'Service Control Manager', 7034, 'The Print Spooler service terminated unexpectedly.'),
      winEvent(1, 'System', 'warning', 'Service Control Manager', 7034, 'The x service terminated unexpectedly.'), // a warning
      sample(
        'eventlog',
        at(2),
        { channel: 'journal', level: 'error', source: 'systemd' },
        { message: 'nginx.service: Failed with result exit-code.', priority: 3 },
      ),
      winEvent(3, 'Application', 'error', 'Application Error', 1000, 'Faulting application name: x.exe'),
    ]);
    expect(out.map(brief)).toEqual([
      { instance: 'Service Control Manager', active: true, level: 'default', at: at(0) },
      { instance: 'systemd', active: true, level: 'default', at: at(2) },
    ]);
  });

  it('refuses a rule without impact and a zero clear_after', () => {
    expect(() => ruleFrom({ id: 'e', kind: 'event', title: 'x', channel: 'System' })).toThrow(
      new ConfigError('test.yaml: rules[0].impact: required (high, medium or low)'),
    );
    expect(() => ruleFrom({ id: 'e', kind: 'event', title: 'x', impact: 'low', clear_after: '0s' })).toThrow(
      'test.yaml: rules[0].clear_after: must be longer than 0',
    );
    expect(() => ruleFrom({ id: 'e', kind: 'event', title: 'x', impact: 'low', levels: ['fatal'] })).toThrow(
      'test.yaml: rules[0].levels[0]: expected one of critical, error, warning, info, verbose, audit_failure, audit_success; got "fatal"',
    );
    expect(() => ruleFrom({ id: 'e', kind: 'event', title: 'x', impact: 'low', event_ids: ['41'] })).toThrow(
      'test.yaml: rules[0].event_ids[0]: Expected integer; got "41"',
    );
  });

  it('clear_after defaults to an hour', () => {
    const rule = shippedRule('unexpected_shutdown');
    expect(rule.kind === 'event' && rule.clearAfterMs).toBe(60 * MIN);
  });
});

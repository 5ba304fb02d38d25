// The eventlog probe on Windows and macOS, on real captured output (test/fixtures/README.md says where each came
// from): Windows event XML through a stand-in for the PowerShell worker, macOS `log show --style ndjson` through a
// replaying runner. Journald runs live in journald.test.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileCheckpointStore } from '../../../../agent/src/checkpoints/store.js';
import { addCounts, createEventlogProbe, pointTimes } from '../../../../agent/src/probes/eventlog/eventlog.js';
import { nextWindowsPosition, windowsChannelScript } from '../../../../agent/src/probes/eventlog/windows.js';
import type { PowerShell, ProbeContext } from '../../../../agent/src/probes/probe.js';
import type { EventRecord } from '../../../../agent/src/probes/common/event-record.js';
import {
  clearsSince,
  logClearedQuery,
  parseLogCleared,
  parseWindowsChannelReply,
  parseWindowsEventXml,
} from '../../../../agent/src/probes/common/windows-event-xml.js';
import { parseUnifiedNdjson } from '../../../../agent/src/probes/common/unified-log-ndjson.js';
import { ALLOWED_COMMANDS, type Runner } from '../../../../agent/src/exec/runner.js';
import type { Int } from '../../../../agent/src/sample.js';
import { fixture } from '../fixtures.js';

const CAPI2 = fixture('windows/eventlog/capi2-41-error.xml');
const WER = fixture('windows/eventlog/application-wer-1001.xml');
const AUDIT = fixture('windows/eventlog/security-5168-audit-failure.xml');

describe('Windows event XML parser', () => {
  it.each([
    [
      'Get-WinEvent ToXml() (CAPI2 error)',
      CAPI2,
      {
        channel: 'Microsoft-Windows-CAPI2/Operational',
        level: 'error',
        source: 'Microsoft-Windows-CAPI2',
        eventId: 41,
        recordId: 4204,
        time: Date.UTC(2023, 10, 27, 2, 7, 57, 560),
      },
    ],
    [
      'EvtRender XML (WER, Qualifiers, no Opcode)',
      WER,
      {
        channel: 'Application',
        level: 'info',
        source: 'Windows Error Reporting',
        eventId: 1001,
        recordId: 420107,
        time: Date.UTC(2020, 1, 18, 2, 52, 37, 121),
      },
    ],
    [
      'Event Viewer XML view (Security audit failure, level 0)',
      AUDIT,
      {
        channel: 'Security',
        level: 'audit_failure',
        source: 'Microsoft-Windows-Security-Auditing',
        eventId: 5168,
        recordId: 268946,
        time: Date.UTC(2015, 8, 18, 17, 53, 40, 294),
      },
    ],
  ])('%s', (_, xml, expected) => {
    const { events, problems } = parseWindowsEventXml(xml);
    expect(problems.count).toBe(0);
    expect(events).toEqual([{ ...expected, message: '' }]);
  });

  it('reads concatenated events (wevtutil qe /f:xml) and counts an event without its header as a problem', () => {
    const { events, problems } = parseWindowsEventXml(`${WER}${CAPI2.replace(/<\?xml[^>]*>/, '')}<Event><System><EventID>7</EventID></System></Event>`);
    expect(events.map((e) => e.recordId)).toEqual([420107, 4204]);
    expect(problems.count).toBe(1);
    expect(problems.excerpt).toContain('<EventID>7</EventID>');
  });
});

describe('Windows channel reply (worker JSON) and positions', () => {
  const reply = (events: unknown, oldest: number | null = 4000, count: number | null = 300) => ({ oldest, count, events });

  it('takes the rendered first line as the message, one event or many, and counts broken items', () => {
    const one = parseWindowsChannelReply(
      reply({ xml: CAPI2, msg: 'The revocation server was offline.\r\nDetails follow' }),
      'Microsoft-Windows-CAPI2/Operational',
    );
    expect(one.events.map((e) => e.message)).toEqual(['The revocation server was offline.']);
    const many = parseWindowsChannelReply(
      reply([
        { xml: CAPI2, msg: null },
        { xml: 'garbage', msg: 'x' },
      ]),
      'X',
    );
    expect(many.events).toHaveLength(1);
    expect(many.problems).toEqual({ count: 1, excerpt: 'garbage' });
    expect(parseWindowsChannelReply(reply(null), 'X').events).toEqual([]);
    expect(() => parseWindowsChannelReply('not an object', 'X')).toThrow(/unexpected reply/);
  });

  it('seeds the tail on first start even when nothing matched, and advances past scanned records', () => {
    const empty = parseWindowsChannelReply(reply([]), 'System');
    expect(nextWindowsPosition('System', undefined, empty, 200)).toEqual({ next: { recordId: 4299 } });
    expect(nextWindowsPosition('System', { recordId: 4100 }, empty, 500)).toEqual({ next: { recordId: 4299 } });
    const full = parseWindowsChannelReply(reply([{ xml: CAPI2, msg: null }]), 'X');
    expect(nextWindowsPosition('X', { recordId: 4100 }, full, 1)).toEqual({ next: { recordId: 4204 } }); // a full batch stops at its newest
  });

  it('detects a cleared log (ids went backwards) and a wrapped one (oldest record beyond the checkpoint)', () => {
    const cleared = nextWindowsPosition('System', { recordId: 90_000 }, parseWindowsChannelReply(reply([], 1, 12), 'System'), 500);
    expect(cleared.gap).toMatchObject({ channel: 'System', reason: 'cleared' });
    expect(cleared.next).toEqual({ recordId: 12 });
    const wrapped = nextWindowsPosition('System', { recordId: 3000 }, parseWindowsChannelReply(reply([], 4000, 300), 'System'), 500);
    expect(wrapped.gap).toMatchObject({ reason: 'wrapped', lost: 999 });
  });

  it('builds a script that filters by level, provider and id and reads after the checkpoint, oldest first', () => {
    const script = windowsChannelScript(
      { name: "O'Brien/Operational", providers: ['Service Control Manager'], eventIds: [7031, 7034] },
      { levels: ['critical', 'error'], after: 77, cap: 500, maxAgeMs: 86_400_000, fullMessage: false },
    );
    expect(script).toContain("$ch = 'O''Brien/Operational'");
    expect(script).toContain(
      "(Level=1 or Level=2) and Provider[@Name=''Service Control Manager''] and (EventID=7031 or EventID=7034) and (EventRecordID > ' + $from + ')]]'",
    );
    expect(script).toContain('-MaxEvents 500 -Oldest');
    expect(script).not.toContain("Get-WinEvent -LogName 'System'"); // no checkpoint time: no clear query
    expect(script).toContain('-MaxEvents 500 -Oldest -ErrorAction SilentlyContinue');
    expect(script.trimEnd().endsWith('ConvertTo-Json -Depth 4 -Compress')).toBe(true);
    const first = windowsChannelScript({ name: 'Security', levels: ['audit_failure'] }, { levels: [], cap: 200, maxAgeMs: 86_400_000, fullMessage: false });
    expect(first).toContain('band(Keywords,4503599627370496)) and TimeCreated[timediff(@SystemTime) <= 86400000]');
    expect(first).not.toContain('-Oldest'); // the newest N
  });

  it('runs one worker script per channel and keeps going when one channel cannot be read', async () => {
    const scripts: string[] = [];
    const powershell: PowerShell = {
      run: async <T>(script: string) => {
        scripts.push(script);
        if (script.includes("$ch = 'Security'")) throw new Error('Attempted to perform an unauthorized operation.');
        return (script.includes("$ch = 'Application'") ? reply({ xml: WER, msg: 'Fault bucket , type 0' }) : reply([{ xml: CAPI2, msg: 'offline' }])) as T;
      },
    };
    const store = fileCheckpointStore(mkdtempSync(join(tmpdir(), 'wp-eventlog-win-')));
    const session = store.session('eventlog');
    const ctx: ProbeContext = { signal: new AbortController().signal, runner: refuse, now: () => 1_700_000_000_000, checkpoints: session, powershell };
    const samples = await createEventlogProbe({ platform: 'win32', levels: ['critical', 'error', 'warning', 'info'] }).collect(ctx);
    expect(scripts).toHaveLength(3);
    const events = samples.filter((s) => s.measurement === 'eventlog');
    expect(events.map((s) => s.tags)).toEqual([
      { channel: 'Microsoft-Windows-CAPI2/Operational', level: 'error', source: 'Microsoft-Windows-CAPI2' },
      { channel: 'Application', level: 'info', source: 'Windows Error Reporting' },
    ]);
    expect((events[0]?.fields.event_id as Int).value).toBe(41);
    expect((events[0]?.fields.record_id as Int).value).toBe(4204);
    expect(events[0]?.time).toBe(Date.UTC(2023, 10, 27, 2, 7, 57, 560));
    expect(samples.filter((s) => s.measurement === 'eventlog_gaps').map((s) => s.tags)).toEqual([{ channel: 'Security', reason: 'read_error' }]);
    expect(session.staged()).toMatchObject({ 'windows:System': { recordId: 4299 }, 'windows:Application': { recordId: 420107 } });
    expect(session.staged()['windows:System']).toEqual({ recordId: 4299 }); // a reply without `now`: no time
    expect(session.staged()['windows:Security']).toBeUndefined(); // unreadable: its checkpoint stays
  });
});

const SECURITY_1102 = fixture('windows/eventlog/security-1102-log-cleared.xml');
const SYSTEM_104 = fixture('windows/eventlog/system-104-application-cleared.xml');

describe('log-cleared events (104 in System, 1102 in Security)', () => {
  it.each([
    [
      '1102: the Security log itself (Microsoft docs sample)',
      SECURITY_1102,
      { channel: 'Security', time: Date.parse('2015-10-16T00:39:58.656Z'), recordId: 1087729, by: 'CONTOSO\\dadmin' },
    ],
    [
      '104: the channel named in UserData (Application), logged in System',
      SYSTEM_104,
      { channel: 'Application', time: Date.parse('2019-02-08T22:31:47.796Z'), recordId: 7659, by: 'ATC-WIN-7.atc.local\\user1' },
    ],
    ["another provider's event is not a clear", CAPI2, undefined],
    ['a 104 of another provider is not a clear', SYSTEM_104.replace('Microsoft-Windows-Eventlog', 'Microsoft-Windows-TerminalServices-RDPClient'), undefined],
  ])('%s', (_, xml, expected) => {
    expect(parseLogCleared(xml)).toEqual(expected);
  });

  it('queries 1102 in Security for Security and 104 in System for every other channel, from the checkpoint time', () => {
    const t = Date.UTC(2024, 5, 15, 14, 2, 5, 123);
    expect(logClearedQuery('Security', t)).toEqual({
      logName: 'Security',
      xpath: "*[System[Provider[@Name='Microsoft-Windows-Eventlog'] and EventID=1102 and TimeCreated[@SystemTime>='2024-06-15T14:02:05.123Z']]]",
    });
    expect(logClearedQuery('Microsoft-Windows-Sysmon/Operational', t).logName).toBe('System');
    expect(logClearedQuery('System', t).xpath).toContain('EventID=104 and');
  });

  it('keeps the clears of the channel (case-insensitive) strictly newer than the checkpoint time', () => {
    const clears = [parseLogCleared(SYSTEM_104), parseLogCleared(SECURITY_1102)].filter((c) => c !== undefined);
    expect(clearsSince(clears, 'application', Date.parse('2019-02-08T22:31:47.795Z')).map((c) => c.recordId)).toEqual([7659]);
    expect(clearsSince(clears, 'Application', Date.parse('2019-02-08T22:31:47.796Z'))).toEqual([]);
    expect(clearsSince(clears, 'System', 0)).toEqual([]);
  });
});

describe('Windows positions with clear events', () => {
  const T0 = Date.parse('2019-02-08T22:00:00Z');
  const NOW = '2019-02-08T22:40:00.0000000Z';
  const reply = (o: { oldest: number; count: number; from: number | null; clears?: string[]; events?: unknown[]; now?: string }) =>
    parseWindowsChannelReply(
      { oldest: o.oldest, count: o.count, from: o.from, now: o.now ?? NOW, clears: o.clears ?? [], events: o.events ?? [] },
      'Application',
    );

  it.each([
    // [case, checkpoint, reply, expected next, expected gap reason]
    [
      'cleared and grown past the checkpoint: the clear event tells',
      { recordId: 40, time: T0 },
      reply({ oldest: 1, count: 90, from: 0, clears: [SYSTEM_104] }),
      { recordId: 90, time: Date.parse(NOW) },
      'cleared',
    ],
    [
      'a clear older than the checkpoint time was handled already',
      { recordId: 40, time: Date.parse('2019-02-08T22:31:47.797Z') },
      reply({ oldest: 1, count: 90, from: 40, clears: [SYSTEM_104] }),
      { recordId: 90, time: Date.parse(NOW) },
      undefined,
    ],
    [
      'an old checkpoint without a time: record ids only (grown past it: not seen)',
      { recordId: 40 },
      reply({ oldest: 1, count: 90, from: 40, clears: [] }),
      { recordId: 90, time: Date.parse(NOW) },
      undefined,
    ],
    [
      'an old checkpoint without a time: ids went back',
      { recordId: 400 },
      reply({ oldest: 1, count: 90, from: 0 }),
      { recordId: 90, time: Date.parse(NOW) },
      'cleared',
    ],
    [
      'wrapped: the oldest record is beyond checkpoint + 1',
      { recordId: 40, time: T0 },
      reply({ oldest: 60, count: 90, from: 59 }),
      { recordId: 149, time: Date.parse(NOW) },
      'wrapped',
    ],
    ['nothing happened', { recordId: 40, time: T0 }, reply({ oldest: 1, count: 90, from: 40 }), { recordId: 90, time: Date.parse(NOW) }, undefined],
    [
      'the clear time is kept when it is newer than the script clock (clock set back)',
      { recordId: 40, time: T0 },
      reply({ oldest: 1, count: 90, from: 0, clears: [SYSTEM_104], now: '2019-02-08T22:10:00Z' }),
      { recordId: 90, time: Date.parse('2019-02-08T22:31:47.796Z') },
      'cleared',
    ],
  ] as const)('%s', (_, checkpoint, r, next, reason) => {
    const result = nextWindowsPosition('Application', checkpoint, r, 500);
    expect(result.next).toEqual(next);
    expect(result.gap?.reason).toBe(reason);
  });

  it('a full batch after a clear stops at its newest record, in the new numbering', () => {
    const r = reply({
      oldest: 1,
      count: 5000,
      from: 0,
      clears: [SYSTEM_104],
      events: [{ xml: CAPI2.replace('<EventRecordID>4204<', '<EventRecordID>17<'), msg: null }],
    });
    const result = nextWindowsPosition('Application', { recordId: 4100, time: T0 }, r, 1);
    expect(result.next.recordId).toBe(17);
    expect(result.gap?.detail).toMatch(/cleared at 2019-02-08T22:31:47.796Z by ATC-WIN-7.atc.local\\user1/);
  });

  it('counts a clear item that is not a clear event as a problem', () => {
    expect(reply({ oldest: 1, count: 1, from: 0, clears: [CAPI2] }).problems.count).toBe(1);
  });

  it('the script looks for clears from the checkpoint time and reads from the oldest record on a hit', () => {
    const script = windowsChannelScript(
      { name: 'Application' },
      { levels: ['error'], after: 40, since: T0, cap: 500, maxAgeMs: 86_400_000, fullMessage: false },
    );
    expect(script).toContain(
      "Get-WinEvent -LogName 'System' -FilterXPath '*[System[Provider[@Name=''Microsoft-Windows-Eventlog''] and EventID=104 and TimeCreated[@SystemTime>=''2019-02-08T22:00:00.000Z'']]]' -MaxEvents 20",
    );
    expect(script).toContain("$c -eq 'Application'");
    expect(script).toContain('($hit -or ($oldest -gt $after + 1) -or ($oldest + $count - 1 -lt $after))) { $from = $oldest - 1 }');
    expect(script.indexOf('$now =')).toBeLessThan(script.indexOf('$clears = @(Get-WinEvent'));
    expect(script).toContain('from = $from; now = $now; clears = $clears');
  });

  it('a second run after a clear reports it once and stages the new position with the time', async () => {
    const replies = [
      { oldest: 1, count: 90, from: 0, now: NOW, clears: [SYSTEM_104], events: [] },
      { oldest: 1, count: 95, from: 90, now: '2019-02-08T22:41:00Z', clears: [], events: [] },
    ];
    const scripts: string[] = [];
    const powershell: PowerShell = { run: async <T>(script: string) => (scripts.push(script), replies[scripts.length - 1] as T) };
    const store = fileCheckpointStore(mkdtempSync(join(tmpdir(), 'wp-eventlog-clear-')));
    store.commit('eventlog', { 'windows:Application': { recordId: 40, time: T0 } });
    const probe = createEventlogProbe({ platform: 'win32', windowsChannels: [{ name: 'Application' }] });
    const run = async () => {
      const session = store.session('eventlog');
      const samples = await probe.collect({ signal: new AbortController().signal, runner: refuse, now: () => 0, checkpoints: session, powershell });
      store.commit('eventlog', session.staged());
      return samples.filter((s) => s.measurement === 'eventlog_gaps').map((s) => s.tags?.reason);
    };
    expect(await run()).toEqual(['cleared']);
    expect(await run()).toEqual([]);
    expect(scripts[1]).toContain("TimeCreated[@SystemTime>=''2019-02-08T22:40:00.000Z'']");
    expect(store.session('eventlog').get('windows:Application')).toEqual({ recordId: 95, time: Date.parse('2019-02-08T22:41:00Z') });
  });
});

const refuse: Runner = async (command) => {
  throw new Error(`unexpected command: ${command}`);
};

describe('macOS unified log', () => {
  it('parses log show --style ndjson, skipping the footer', () => {
    const { entries, problems } = parseUnifiedNdjson(fixture('darwin/log-show-ndjson-coreaudio.ndjson'));
    expect(problems.count).toBe(0);
    expect(entries.map((e) => [e.time, e.level, e.source, e.key])).toEqual([
      [Date.parse('2026-07-26T18:11:22.348+12:00'), 'info', 'com.apple.coreaudio', '3590A0B1-4C7D-4C4A-9F0B-69FAC3D0BD58:20147685217463:11498972'],
      [Date.parse('2026-07-26T18:11:22.357+12:00'), 'info', 'com.apple.coreaudio', '3590A0B1-4C7D-4C4A-9F0B-69FAC3D0BD58:20147685420088:11498972'],
    ]);
    expect(entries[0]?.message).toMatch(/^ACMP4AACBaseDecoder\.cpp:310/);
    const error = parseUnifiedNdjson(fixture('darwin/log-show-ndjson-authorization-error.ndjson')).entries[0];
    expect(error).toMatchObject({
      level: 'error',
      source: 'com.apple.Authorization',
      message: 'Failed to authenticate user <<private>> (error: 9).',
      extra: { process: 'authorizationhost', pid: 73362 },
    });
  });

  it('asks log show for errors and faults from the checkpoint second and drops entries already sent', async () => {
    const calls: (readonly string[])[] = [];
    const outputs = [
      fixture('darwin/log-show-ndjson-coreaudio.ndjson'),
      fixture('darwin/log-show-ndjson-coreaudio.ndjson') + fixture('darwin/log-show-ndjson-authorization-error.ndjson'),
    ];
    const runner: Runner = async (command, args) => {
      expect(command).toBe('log');
      calls.push(args);
      return { stdout: outputs[calls.length - 1] ?? '', stderr: '' };
    };
    expect(ALLOWED_COMMANDS.has('log')).toBe(true);
    const store = fileCheckpointStore(mkdtempSync(join(tmpdir(), 'wp-eventlog-mac-')));
    const probe = createEventlogProbe({ platform: 'darwin' });
    const run = async (now: number) => {
      const session = store.session('eventlog');
      const samples = await probe.collect({ signal: new AbortController().signal, runner, now: () => now, checkpoints: session });
      store.commit('eventlog', session.staged());
      return samples.filter((s) => s.measurement === 'eventlog').map((s) => s.fields.message);
    };
    const now = Date.parse('2026-07-26T06:12:00Z');
    expect(await run(now)).toHaveLength(2);
    expect(calls[0]).toEqual([
      'show',
      '--style',
      'ndjson',
      '--start',
      '2026-07-26 06:02:00+0000',
      '--end',
      '2026-07-26 06:12:00+0000',
      '--predicate',
      'messageType == fault OR messageType == error',
    ]);
    expect(await run(now + 60_000)).toEqual(['Failed to authenticate user <<private>> (error: 9).']); // the two boundary entries are not resent
    expect(calls[1]?.[4]).toBe('2026-07-26 06:11:22+0000');
  });
});

describe('counts and point times', () => {
  const event = (time: number, level: EventRecord['level'] = 'error'): EventRecord => ({ channel: 'System', level, source: 'Disk', time, message: '' });

  it('moves events of one series in the same millisecond apart, so none overwrites another', () => {
    expect(pointTimes([event(1000), event(1000), event(1000), event(1000, 'warning'), event(1001)])).toEqual([1000, 1001, 1002, 1000, 1003]);
  });

  it('keeps running totals per minute and prunes minutes older than two hours', () => {
    const first = addCounts({}, [event(60_000), event(61_000), event(125_000, 'warning')]);
    expect(first.totals).toEqual({ 'System|error|60000': 2, 'System|warning|120000': 1 });
    const later = addCounts(first.totals, [event(62_000), event(200 * 60_000)]);
    expect(later.totals).toEqual({ 'System|error|12000000': 1 });
    expect(later.touched).toEqual(['System|error|12000000']);
  });
});

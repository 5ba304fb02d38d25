// The eventlog probe on Windows and macOS, on real captured output (test/fixtures/README.md says where each came
// from): Windows event XML through a stand-in for the PowerShell worker, macOS `log show --style ndjson` through a
// replaying runner. Journald runs live in eventlog-journald.test.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileCheckpointStore } from '../../../agent/src/checkpoint-store.js';
import { addCounts, createEventlogProbe, pointTimes } from '../../../agent/src/probes/eventlog.js';
import { nextWindowsPosition, windowsChannelScript } from '../../../agent/src/probes/eventlog-windows.js';
import type { PowerShell, ProbeContext } from '../../../agent/src/probes/probe.js';
import type { EventRecord } from '../../../agent/src/probes/parse/event-record.js';
import { parseWindowsChannelReply, parseWindowsEventXml } from '../../../agent/src/probes/parse/windows-event-xml.js';
import { parseUnifiedNdjson } from '../../../agent/src/probes/parse/unified-log-ndjson.js';
import { ALLOWED_COMMANDS, type Runner } from '../../../agent/src/runner.js';
import type { Int } from '../../../agent/src/sample.js';
import { fixture } from './fixtures.js';

const CAPI2 = fixture('windows/eventlog/capi2-41-error.xml');
const WER = fixture('windows/eventlog/application-wer-1001.xml');
const AUDIT = fixture('windows/eventlog/security-5168-audit-failure.xml');

describe('Windows event XML parser', () => {
  it.each([
    ['Get-WinEvent ToXml() (CAPI2 error)', CAPI2, { channel: 'Microsoft-Windows-CAPI2/Operational', level: 'error', source: 'Microsoft-Windows-CAPI2', eventId: 41, recordId: 4204, time: Date.UTC(2023, 10, 27, 2, 7, 57, 560) }],
    ['EvtRender XML (WER, Qualifiers, no Opcode)', WER, { channel: 'Application', level: 'info', source: 'Windows Error Reporting', eventId: 1001, recordId: 420107, time: Date.UTC(2020, 1, 18, 2, 52, 37, 121) }],
    ['Event Viewer XML view (Security audit failure, level 0)', AUDIT, { channel: 'Security', level: 'audit_failure', source: 'Microsoft-Windows-Security-Auditing', eventId: 5168, recordId: 268946, time: Date.UTC(2015, 8, 18, 17, 53, 40, 294) }],
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
    const one = parseWindowsChannelReply(reply({ xml: CAPI2, msg: 'The revocation server was offline.\r\nDetails follow' }), 'Microsoft-Windows-CAPI2/Operational');
    expect(one.events.map((e) => e.message)).toEqual(['The revocation server was offline.']);
    const many = parseWindowsChannelReply(reply([{ xml: CAPI2, msg: null }, { xml: 'garbage', msg: 'x' }]), 'X');
    expect(many.events).toHaveLength(1);
    expect(many.problems).toEqual({ count: 1, excerpt: 'garbage' });
    expect(parseWindowsChannelReply(reply(null), 'X').events).toEqual([]);
    expect(() => parseWindowsChannelReply('not an object', 'X')).toThrow(/unexpected reply/);
  });

  it('seeds the tail on first start even when nothing matched, and advances past scanned records', () => {
    const empty = parseWindowsChannelReply(reply([]), 'System');
    expect(nextWindowsPosition('System', undefined, empty, 200)).toEqual({ next: 4299 });
    expect(nextWindowsPosition('System', 4100, empty, 500)).toEqual({ next: 4299 });
    const full = parseWindowsChannelReply(reply([{ xml: CAPI2, msg: null }]), 'X');
    expect(nextWindowsPosition('X', 4100, full, 1)).toEqual({ next: 4204 }); // a full batch stops at its newest
  });

  it('detects a cleared log (ids went backwards) and a wrapped one (oldest record beyond the checkpoint)', () => {
    const cleared = nextWindowsPosition('System', 90_000, parseWindowsChannelReply(reply([], 1, 12), 'System'), 500);
    expect(cleared.gap).toMatchObject({ channel: 'System', reason: 'cleared' });
    expect(cleared.next).toBe(12);
    const wrapped = nextWindowsPosition('System', 3000, parseWindowsChannelReply(reply([], 4000, 300), 'System'), 500);
    expect(wrapped.gap).toMatchObject({ reason: 'wrapped', lost: 999 });
  });

  it('builds a script that filters by level, provider and id and reads after the checkpoint, oldest first', () => {
    const script = windowsChannelScript({ name: "O'Brien/Operational", providers: ['Service Control Manager'], eventIds: [7031, 7034] }, { levels: ['critical', 'error'], after: 77, cap: 500, maxAgeMs: 86_400_000, fullMessage: false });
    expect(script).toContain("$ch = 'O''Brien/Operational'");
    expect(script).toContain("(Level=1 or Level=2) and Provider[@Name=''Service Control Manager''] and (EventID=7031 or EventID=7034) and (EventRecordID > ' + $from + ']]]'");
    expect(script).toContain('-MaxEvents 500 -Oldest');
    expect(script).toContain("'NoMatchingEventsFound*'");
    expect(script.trimEnd().endsWith('ConvertTo-Json -Depth 4 -Compress')).toBe(true);
    const first = windowsChannelScript({ name: 'Security', levels: ['audit_failure'] }, { levels: [], cap: 200, maxAgeMs: 86_400_000, fullMessage: false });
    expect(first).toContain('band(Keywords,4503599627370496)) and TimeCreated[timediff(@SystemTime) <= 86400000]');
    expect(first).not.toContain('-Oldest'); // the newest N
  });

  it('runs one worker script per channel and keeps going when one channel cannot be read', async () => {
    const scripts: string[] = [];
    const powershell: PowerShell = {
      run: async <T,>(script: string) => {
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
    expect(session.staged()['windows:Security']).toBeUndefined(); // unreadable: its checkpoint stays
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
    expect(error).toMatchObject({ level: 'error', source: 'com.apple.Authorization', message: 'Failed to authenticate user <<private>> (error: 9).', extra: { process: 'authorizationhost', pid: 73362 } });
  });

  it('asks log show for errors and faults from the checkpoint second and drops entries already sent', async () => {
    const calls: (readonly string[])[] = [];
    const outputs = [fixture('darwin/log-show-ndjson-coreaudio.ndjson'), fixture('darwin/log-show-ndjson-coreaudio.ndjson') + fixture('darwin/log-show-ndjson-authorization-error.ndjson')];
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
    expect(calls[0]).toEqual(['show', '--style', 'ndjson', '--start', '2026-07-26 06:02:00+0000', '--end', '2026-07-26 06:12:00+0000', '--predicate', 'messageType == fault OR messageType == error']);
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

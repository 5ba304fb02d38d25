// The eventlog probe on Windows, its PowerShell unchanged and run for real: collect() sends its per-channel script
// through the agent's worker to pwsh, where Get-WinEvent is a stub (../windows-event-stubs.ts) that evaluates the
// XPath the script built over logs rebuilt from captured events (test/fixtures/README.md says where each came from).
// The worker's pwsh runs in Europe/Zurich, the zone of the de-CH machine the Kernel-Power/EventLog capture is from.
// Messages: the Kernel-Power 41 and EventLog 6008 texts are captured; the others are the documented texts of those
// events (1102, 104: Microsoft's pages; 5168: its message title; WER 1001: the first line of its template with the
// captured insertion strings), since those captures hold the XML only.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fileCheckpointStore, type CheckpointSession } from '../../../../agent/src/checkpoints/store.js';
import { createEventlogProbe } from '../../../../agent/src/probes/eventlog/eventlog.js';
import type { EventlogOptions } from '../../../../agent/src/probes/eventlog/options.js';
import type { Runner } from '../../../../agent/src/exec/runner.js';
import { int, type SampleDraft } from '../../../../agent/src/sample.js';
import { fixture } from '../fixtures.js';
import {
  eventStubWorker,
  formatListEvents,
  recordFromFormatList,
  recordFromXml,
  type EventRecordStub,
  type EventStubWorker,
  type Rendering,
  type StubLog,
} from '../windows-event-stubs.js';

const [KP41, EL6008] = formatListEvents(fixture('windows/shutdowns/get-winevent-41-6008-format-list.txt'));
const KP41_FIRST = 'The system has rebooted without cleanly shutting down first.';
const KP41_FULL = `${KP41_FIRST}\r\nThis error could be caused if the system stopped responding, crashed, or lost power unexpectedly.`;
const EL6008_TEXT = 'The previous system shutdown at 11:59:15 on 21.12.2021 was unexpected.';

// The Format-List capture has no record ids or providers: the ids are this test's, the providers those of the two
// events (Kernel-Power 41 is Critical, EventLog 6008 Error); December in Zurich is UTC+01:00.
const kernelPower = (rendering?: Rendering): EventRecordStub =>
  recordFromFormatList(KP41!, { recordId: 7700, provider: 'Microsoft-Windows-Kernel-Power', level: 1, logName: 'System', utcOffset: '+01:00', rendering });
const eventLog6008 = (): EventRecordStub =>
  recordFromFormatList(EL6008!, { recordId: 7701, provider: 'EventLog', level: 2, logName: 'System', utcOffset: '+01:00' });
const CLEARED_104 = recordFromXml(fixture('windows/eventlog/system-104-application-cleared.xml'), 'The Application log file was cleared.');
const CLEARED_1102 = recordFromXml(fixture('windows/eventlog/security-1102-log-cleared.xml'), 'The audit log was cleared.');
const AUDIT_5168 = recordFromXml(fixture('windows/eventlog/security-5168-audit-failure.xml'), 'Spn check for SMB/SMB2 fails.');
const WER_1001 = recordFromXml(fixture('windows/eventlog/application-wer-1001.xml'), 'Fault bucket , type 0');
const CAPI2_41 = (rendering: Rendering) => recordFromXml(fixture('windows/eventlog/capi2-41-error.xml'), rendering);

/** The System log of the de-CH machine: records 7650..7709, of which these are the ones the tests look at. */
const systemLog = (records: EventRecordStub[] = [CLEARED_104, kernelPower(), eventLog6008()], oldest = 7650): StubLog => ({
  name: 'System',
  oldest,
  count: 7710 - oldest,
  records,
});
const CLOCK_2021 = '2021-12-21T18:00:00Z';
const NOW = Date.parse('2021-12-21T18:00:05Z');

const refuse: Runner = async (command) => {
  throw new Error(`unexpected command: ${command}`);
};

const at = (iso: string) => Date.parse(iso);
const minute = (ms: number) => Math.floor(ms / 60_000) * 60_000;

let w: EventStubWorker;
beforeAll(async () => {
  w = await eventStubWorker('Europe/Zurich');
});
afterAll(() => w?.stubbed.worker.stop());
afterEach(() => {
  // pwsh's stderr reaches the worker's log as warnings: a script that ran cleanly leaves none.
  expect(w.log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  w.takeCalls();
});

/** Runs the probe once against `logs` with `committed` checkpoints; returns the samples and what it staged. */
async function collect(
  options: EventlogOptions,
  logs: StubLog[],
  o: { clock?: string; committed?: Record<string, unknown> } = {},
): Promise<{ samples: SampleDraft[]; session: CheckpointSession; scriptStart: { before: number; after: number } }> {
  const store = fileCheckpointStore(mkdtempSync(join(tmpdir(), 'wp-eventlog-pwsh-')));
  if (o.committed) store.commit('eventlog', o.committed);
  const session = store.session('eventlog');
  const before = Date.now();
  const samples = await createEventlogProbe({ platform: 'win32', ...options }).collect({
    signal: new AbortController().signal,
    runner: refuse,
    now: () => NOW,
    checkpoints: session,
    powershell: w.with({ clock: o.clock ?? CLOCK_2021, logs }),
  });
  return { samples, session, scriptStart: { before, after: Date.now() } };
}

/** The checkpoint time is the Windows clock when the script began (here: this machine's, while collect ran). */
const ranDuring = (range: { before: number; after: number }) => expect.toSatisfy((t: number) => t >= range.before - 1 && t <= range.after + 1);

const event = (channel: string, level: string, source: string, time: number, message: string, eventId: number, recordId: number): SampleDraft => ({
  measurement: 'eventlog',
  tags: { channel, level, source },
  fields: { message, event_id: int(eventId), record_id: int(recordId) },
  time,
});
const count = (channel: string, level: string, time: number, n: number): SampleDraft => ({
  measurement: 'eventlog_counts',
  tags: { channel, level },
  fields: { count: int(n) },
  time: minute(time),
});
const KP41_AT = at('2021-12-21T11:29:01Z'); // 12:29:01 in Zurich
const EL6008_AT = at('2021-12-21T11:29:09Z');
const SYSTEM_LEVELS_XPATH = '(Level=1 or Level=2 or Level=3)';

describe('eventlog on Windows: the real script on pwsh, Get-WinEvent stubbed over captured events', () => {
  it('first start: the newest events of the last 24 h that the levels select, first lines only; the tail is seeded', async () => {
    const { samples, session, scriptStart } = await collect({ windowsChannels: [{ name: 'System' }] }, [systemLog()]);
    expect(samples).toEqual([
      event('System', 'critical', 'Microsoft-Windows-Kernel-Power', KP41_AT, KP41_FIRST, 41, 7700),
      event('System', 'error', 'EventLog', EL6008_AT, EL6008_TEXT, 6008, 7701),
      count('System', 'critical', KP41_AT, 1),
      count('System', 'error', EL6008_AT, 1),
    ]);
    expect(w.takeCalls()).toEqual([
      { ListLog: ['System'], ErrorAction: 'Stop' },
      {
        LogName: ['System'],
        FilterXPath: `*[System[${SYSTEM_LEVELS_XPATH} and TimeCreated[timediff(@SystemTime) <= 86400000]]]`,
        MaxEvents: 200,
        ErrorAction: 'SilentlyContinue',
      },
    ]);
    // Nothing before this run is read later: the checkpoint is the log's newest record, with the script's start.
    expect(session.staged()['windows:System']).toEqual({ recordId: 7709, time: ranDuring(scriptStart) });

    // -MaxEvents without -Oldest: the newest first, so a cap of one keeps the 6008.
    const capped = await collect({ windowsChannels: [{ name: 'System' }], firstStartMaxEvents: 1 }, [systemLog()]);
    expect(capped.samples.filter((s) => s.measurement === 'eventlog').map((s) => s.fields.record_id)).toEqual([int(7701)]);
  });

  it('a channel with providers and event ids asks for exactly those; the stub evaluates the XPath it gets', async () => {
    const { samples } = await collect({ windowsChannels: [{ name: 'System', providers: ['EventLog'], eventIds: [6008, 6009] }] }, [systemLog()]);
    expect(samples.filter((s) => s.measurement === 'eventlog')).toEqual([event('System', 'error', 'EventLog', EL6008_AT, EL6008_TEXT, 6008, 7701)]);
    expect(w.takeCalls()[1]?.FilterXPath).toBe(
      `*[System[${SYSTEM_LEVELS_XPATH} and Provider[@Name='EventLog'] and (EventID=6008 or EventID=6009) and TimeCreated[timediff(@SystemTime) <= 86400000]]]`,
    );
  });

  it('after a checkpoint: the records after it, oldest first, with the clear events since its time looked for', async () => {
    const committed = { 'windows:System': { recordId: 7700, time: at('2021-12-21T11:00:00Z') } };
    const { samples, session, scriptStart } = await collect({ windowsChannels: [{ name: 'System' }] }, [systemLog()], { committed });
    expect(samples).toEqual([event('System', 'error', 'EventLog', EL6008_AT, EL6008_TEXT, 6008, 7701), count('System', 'error', EL6008_AT, 1)]);
    expect(w.takeCalls()).toEqual([
      {
        LogName: ['System'],
        FilterXPath: "*[System[Provider[@Name='Microsoft-Windows-Eventlog'] and EventID=104 and TimeCreated[@SystemTime>='2021-12-21T11:00:00.000Z']]]",
        MaxEvents: 20,
        ErrorAction: 'SilentlyContinue',
      },
      { ListLog: ['System'], ErrorAction: 'Stop' },
      {
        LogName: ['System'],
        FilterXPath: `*[System[${SYSTEM_LEVELS_XPATH} and (EventRecordID > 7700)]]`,
        MaxEvents: 500,
        Oldest: true,
        ErrorAction: 'SilentlyContinue',
      },
    ]);
    expect(session.staged()['windows:System']).toEqual({ recordId: 7709, time: ranDuring(scriptStart) });
  });

  it('no matching event (NoMatchingEventsFound) is an empty read: no gap, the checkpoint moves to the newest record', async () => {
    const committed = { 'windows:System': { recordId: 7701, time: at('2021-12-21T12:00:00Z') } };
    const { samples, session, scriptStart } = await collect({ windowsChannels: [{ name: 'System' }] }, [systemLog()], { committed });
    expect(samples).toEqual([]);
    expect(w.takeCalls().map((c) => c.FilterXPath)).toEqual([
      "*[System[Provider[@Name='Microsoft-Windows-Eventlog'] and EventID=104 and TimeCreated[@SystemTime>='2021-12-21T12:00:00.000Z']]]",
      undefined, // -ListLog
      `*[System[${SYSTEM_LEVELS_XPATH} and (EventRecordID > 7701)]]`,
    ]);
    expect(session.staged()).toEqual({ 'windows:System': { recordId: 7709, time: ranDuring(scriptStart) } });
  });

  it('the log wrapped past the checkpoint: reads from the oldest record and reports the overwritten ones', async () => {
    const committed = { 'windows:System': { recordId: 7000, time: at('2021-12-21T11:00:00Z') } };
    const { samples, session, scriptStart } = await collect({ windowsChannels: [{ name: 'System' }] }, [systemLog()], { committed });
    expect(samples).toEqual([
      event('System', 'critical', 'Microsoft-Windows-Kernel-Power', KP41_AT, KP41_FIRST, 41, 7700),
      event('System', 'error', 'EventLog', EL6008_AT, EL6008_TEXT, 6008, 7701),
      count('System', 'critical', KP41_AT, 1),
      count('System', 'error', EL6008_AT, 1),
      {
        measurement: 'eventlog_gaps',
        tags: { channel: 'System', reason: 'wrapped' },
        fields: { detail: 'records 7001..7649 were overwritten before they were read', lost: int(649) },
        time: NOW,
      },
    ]);
    expect(w.takeCalls()[2]?.FilterXPath).toBe(`*[System[${SYSTEM_LEVELS_XPATH} and (EventRecordID > 7649)]]`);
    expect(session.staged()['windows:System']).toEqual({ recordId: 7709, time: ranDuring(scriptStart) });
  });

  it('Application cleared (a 104 in System newer than the checkpoint time): read again from its oldest record', async () => {
    // The Application log after the clear (records 420100..420109) holds the captured WER event; the 104 that says
    // Application was cleared is the captured one, in System.
    const application: StubLog = { name: 'Application', oldest: 420100, count: 10, records: [WER_1001] };
    const committed = { 'windows:Application': { recordId: 420107, time: at('2019-02-08T22:00:00Z') } };
    const { samples, session, scriptStart } = await collect(
      { windowsChannels: [{ name: 'Application', levels: ['error', 'info'] }] },
      [systemLog([CLEARED_104]), application],
      { committed },
    );
    const werAt = at('2020-02-18T02:52:37.121Z');
    expect(samples).toEqual([
      event('Application', 'info', 'Windows Error Reporting', werAt, 'Fault bucket , type 0', 1001, 420107),
      count('Application', 'info', werAt, 1),
      {
        measurement: 'eventlog_gaps',
        tags: { channel: 'Application', reason: 'cleared' },
        fields: {
          detail:
            'the log was cleared at 2019-02-08T22:31:47.796Z by ATC-WIN-7.atc.local\\user1: events after record 420107 up to then were lost; reading again from record 420100',
        },
        time: NOW,
      },
    ]);
    expect(w.takeCalls().map((c) => c.FilterXPath)).toEqual([
      "*[System[Provider[@Name='Microsoft-Windows-Eventlog'] and EventID=104 and TimeCreated[@SystemTime>='2019-02-08T22:00:00.000Z']]]",
      undefined,
      '*[System[(Level=2 or Level=0 or Level=4) and (EventRecordID > 420099)]]',
    ]);
    expect(session.staged()['windows:Application']).toEqual({ recordId: 420109, time: ranDuring(scriptStart) });
  });

  it('Security: audit failures by keyword on first start; a later 1102 clears it, and nothing after it matches', async () => {
    const clock = '2015-09-19T06:00:00Z';
    const before = { name: 'Security', oldest: 268000, count: 1000, records: [AUDIT_5168] };
    const first = await collect({}, [systemLog([]), { name: 'Application', oldest: null, count: null, records: [] }, before], { clock });
    expect(first.samples.filter((s) => s.measurement !== 'eventlog_counts')).toEqual([
      event('Security', 'audit_failure', 'Microsoft-Windows-Security-Auditing', at('2015-09-18T17:53:40.294Z'), 'Spn check for SMB/SMB2 fails.', 5168, 268946),
    ]);
    expect(w.takeCalls().find((c) => c.LogName?.[0] === 'Security')?.FilterXPath).toBe(
      '*[System[(band(Keywords,4503599627370496)) and TimeCreated[timediff(@SystemTime) <= 86400000]]]',
    );
    expect(first.session.staged()['windows:Security']).toEqual({ recordId: 268999, time: ranDuring(first.scriptStart) });

    // The log was cleared on 2015-10-16 (its 1102, an audit success, is the new log's first record).
    const after = { name: 'Security', oldest: 1087729, count: 3, records: [CLEARED_1102] };
    const committed = { 'windows:Security': { recordId: 268999, time: at('2015-09-19T06:00:00Z') } };
    const second = await collect({ windowsChannels: [{ name: 'Security', levels: ['audit_failure'] }] }, [after], { clock: '2015-10-16T01:00:00Z', committed });
    expect(second.samples).toEqual([
      {
        measurement: 'eventlog_gaps',
        tags: { channel: 'Security', reason: 'cleared' },
        fields: {
          detail:
            'the log was cleared at 2015-10-16T00:39:58.656Z by CONTOSO\\dadmin: events after record 268999 up to then were lost; reading again from record 1087729',
        },
        time: NOW,
      },
    ]);
    expect(w.takeCalls().map((c) => [c.LogName?.[0] ?? c.ListLog?.[0], c.FilterXPath])).toEqual([
      ['Security', "*[System[Provider[@Name='Microsoft-Windows-Eventlog'] and EventID=1102 and TimeCreated[@SystemTime>='2015-09-19T06:00:00.000Z']]]"],
      ['Security', undefined],
      ['Security', '*[System[(band(Keywords,4503599627370496)) and (EventRecordID > 1087728)]]'],
    ]);
    expect(second.session.staged()['windows:Security']).toEqual({ recordId: 1087731, time: ranDuring(second.scriptStart) });
  });

  it('a message Get-WinEvent cannot render keeps its event (with its placeholder text); a missing one is empty', async () => {
    // FormatDescription() throwing as in PowerShell/PowerShell#7664 (event 7023 on Windows 10 RS2+); the CAPI2
    // provider's message file missing (FormatDescription() returns null).
    const unrendered = kernelPower({ throws: 'The description string for parameter reference (%1) could not be found' });
    const capi2: StubLog = { name: 'Microsoft-Windows-CAPI2/Operational', oldest: 4000, count: 300, records: [CAPI2_41(null)] };
    const committed = { 'windows:Microsoft-Windows-CAPI2/Operational': { recordId: 4200, time: at('2023-11-27T00:00:00Z') } };
    const { samples, session } = await collect(
      { windowsChannels: [{ name: 'System' }, { name: 'Microsoft-Windows-CAPI2/Operational' }] },
      [systemLog([CLEARED_104, unrendered, eventLog6008()]), capi2],
      { committed },
    );
    const capi2At = at('2023-11-27T02:07:57.560Z');
    expect(samples.filter((s) => s.measurement !== 'eventlog_counts')).toEqual([
      event('System', 'critical', 'Microsoft-Windows-Kernel-Power', KP41_AT, 'Cannot retrieve event message text.', 41, 7700),
      event('System', 'error', 'EventLog', EL6008_AT, EL6008_TEXT, 6008, 7701),
      event('Microsoft-Windows-CAPI2/Operational', 'error', 'Microsoft-Windows-CAPI2', capi2At, '', 41, 4204),
    ]);
    expect(Object.keys(session.staged()).sort()).toEqual(['counts', 'windows:Microsoft-Windows-CAPI2/Operational', 'windows:System']);
  });

  it('fullMessage keeps both lines of the Kernel-Power 41 message', async () => {
    const { samples } = await collect({ windowsChannels: [{ name: 'System', eventIds: [41] }], fullMessage: true }, [systemLog()]);
    expect(samples.filter((s) => s.measurement === 'eventlog').map((s) => s.fields.message)).toEqual([KP41_FULL]);
  });

  it('a channel that does not exist is a read_error gap for it alone; its checkpoint stays', async () => {
    const { samples, session } = await collect({ windowsChannels: [{ name: 'Microsoft-Windows-Sysmon/Operational' }, { name: 'System', eventIds: [6008] }] }, [
      systemLog(),
    ]);
    expect(samples.filter((s) => s.measurement !== 'eventlog_counts')).toEqual([
      event('System', 'error', 'EventLog', EL6008_AT, EL6008_TEXT, 6008, 7701),
      {
        measurement: 'eventlog_gaps',
        tags: { channel: 'Microsoft-Windows-Sysmon/Operational', reason: 'read_error' },
        fields: {
          detail: 'powershell-worker: script error: There is not an event log on the localhost computer that matches "Microsoft-Windows-Sysmon/Operational".',
        },
        time: NOW,
      },
    ]);
    expect(session.staged()['windows:Microsoft-Windows-Sysmon/Operational']).toBeUndefined();
  });
});

// The shutdowns probe on Windows, its PowerShell unchanged and run for real: collect() sends windowsShutdownScript
// through the agent's worker to pwsh, where Get-WinEvent is a stub (../windows-event-stubs.ts) that evaluates the
// XPath the script built over a System log rebuilt from the real Kernel-Power 41 / EventLog 6008 capture
// (test/fixtures/windows/shutdowns/, a de-CH machine: the worker's pwsh runs in Europe/Zurich) and the captured
// EventLog 104 (test/fixtures/windows/eventlog/).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fileCheckpointStore, type CheckpointSession } from '../../../../agent/src/checkpoints/store.js';
import { createShutdownsProbe } from '../../../../agent/src/probes/shutdowns/shutdowns.js';
import { int, type SampleDraft } from '../../../../agent/src/sample.js';
import { context, fixture } from '../fixtures.js';
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
// No record ids or providers in the capture: the ids are this test's, the providers those the script's XPath admits
// for the two ids; December in Zurich is UTC+01:00.
const kernelPower = (rendering?: Rendering): EventRecordStub =>
  recordFromFormatList(KP41!, { recordId: 7700, provider: 'Microsoft-Windows-Kernel-Power', level: 1, logName: 'System', utcOffset: '+01:00', rendering });
const EVENTLOG_6008 = recordFromFormatList(EL6008!, { recordId: 7701, provider: 'EventLog', level: 2, logName: 'System', utcOffset: '+01:00' });
const CAPTURED_104 = fixture('windows/eventlog/system-104-application-cleared.xml');
/** The captured 104 says Application was cleared; the System log's own clear differs only in that name. */
const SYSTEM_CLEARED_104 = recordFromXml(
  CAPTURED_104.replace('<Channel>Application</Channel>', '<Channel>System</Channel>'),
  'The System log file was cleared.',
);
const APPLICATION_CLEARED_104 = recordFromXml(CAPTURED_104, 'The Application log file was cleared.');

const systemLog = (records: EventRecordStub[]): StubLog => ({ name: 'System', oldest: 7650, count: 60, records });
const CLOCK = '2021-12-21T18:00:00Z';
const at = (iso: string) => Date.parse(iso);

const KP41_SAMPLE: SampleDraft = {
  measurement: 'shutdowns',
  time: at('2021-12-21T11:29:01Z'), // 12:29:01 in Zurich
  tags: { kind: 'kernel_power' },
  fields: { message: 'The system has rebooted without cleanly shutting down first.', event_id: int(41), record_id: int(7700) },
};
const EL6008_SAMPLE: SampleDraft = {
  measurement: 'shutdowns',
  time: at('2021-12-21T11:29:09Z'),
  tags: { kind: 'unexpected_shutdown' },
  fields: { message: 'The previous system shutdown at 11:59:15 on 21.12.2021 was unexpected.', event_id: int(6008), record_id: int(7701) },
};
const XPATH_IDS = "((Provider[@Name='Microsoft-Windows-Kernel-Power'] and EventID=41) or (Provider[@Name='EventLog'] and EventID=6008))";
const clearQuery = (since: string) => ({
  LogName: ['System'],
  FilterXPath: `*[System[Provider[@Name='Microsoft-Windows-Eventlog'] and EventID=104 and TimeCreated[@SystemTime>='${since}']]]`,
  MaxEvents: 20,
  ErrorAction: 'SilentlyContinue',
});

let w: EventStubWorker;
beforeAll(async () => {
  w = await eventStubWorker('Europe/Zurich');
});
afterAll(() => w?.stubbed.worker.stop());
afterEach(() => {
  expect(w.log.lines.filter((l) => l.level !== 'debug')).toEqual([]); // pwsh wrote nothing to stderr
  w.takeCalls();
});

async function collect(
  records: EventRecordStub[],
  committed?: unknown,
): Promise<{ samples: SampleDraft[]; session: CheckpointSession; ran: (t: number) => boolean }> {
  const store = fileCheckpointStore(mkdtempSync(join(tmpdir(), 'wp-shutdowns-pwsh-')));
  if (committed !== undefined) store.commit('shutdowns', { record: committed });
  const session = store.session('shutdowns');
  const before = Date.now();
  const samples = await createShutdownsProbe({ platform: 'win32' }).collect({
    ...context(),
    checkpoints: session,
    powershell: w.with({ clock: CLOCK, logs: [systemLog(records)] }),
  });
  const after = Date.now();
  return { samples, session, ran: (t) => t >= before - 1 && t <= after + 1 };
}

describe('shutdowns on Windows: the real script on pwsh, Get-WinEvent stubbed over the captured events', () => {
  it('first run: the 41 and 6008 of the last 24 h, newest first, times in UTC; the checkpoint is the newest record', async () => {
    const { samples, session, ran } = await collect([APPLICATION_CLEARED_104, kernelPower(), EVENTLOG_6008]);
    expect(samples).toEqual([EL6008_SAMPLE, KP41_SAMPLE]);
    expect(w.takeCalls()).toEqual([
      { ListLog: ['System'], ErrorAction: 'Stop' },
      {
        LogName: ['System'],
        FilterXPath: `*[System[${XPATH_IDS} and TimeCreated[timediff(@SystemTime) <= 86400000]]]`,
        MaxEvents: 100,
        ErrorAction: 'SilentlyContinue',
      },
    ]);
    expect(session.staged()).toEqual({ record: { recordId: 7709, time: expect.toSatisfy(ran) } });
  });

  it('after the checkpoint: only the records after it; a 104 for another log is not a System clear', async () => {
    const { samples, session, ran } = await collect([APPLICATION_CLEARED_104, kernelPower(), EVENTLOG_6008], {
      recordId: 7700,
      time: at('2019-02-08T22:00:00Z'),
    });
    expect(samples).toEqual([EL6008_SAMPLE]);
    expect(w.takeCalls()).toEqual([
      clearQuery('2019-02-08T22:00:00.000Z'),
      { ListLog: ['System'], ErrorAction: 'Stop' },
      { LogName: ['System'], FilterXPath: `*[System[${XPATH_IDS} and EventRecordID > 7700]]`, MaxEvents: 100, ErrorAction: 'SilentlyContinue' },
    ]);
    expect(session.staged()).toEqual({ record: { recordId: 7709, time: expect.toSatisfy(ran) } });
  });

  it('the System log cleared since the checkpoint time: the whole new log is searched (from record 0)', async () => {
    const { samples } = await collect([SYSTEM_CLEARED_104, kernelPower(), EVENTLOG_6008], { recordId: 7700, time: at('2019-02-08T22:00:00Z') });
    expect(samples).toEqual([EL6008_SAMPLE, KP41_SAMPLE]);
    expect(w.takeCalls()[2]?.FilterXPath).toBe(`*[System[${XPATH_IDS} and EventRecordID > 0]]`);
  });

  it('a checkpoint of the old form (a bare record id) beyond the newest record: ids went back, so from 0', async () => {
    const { samples, session, ran } = await collect([kernelPower(), EVENTLOG_6008], 9000);
    expect(samples).toEqual([EL6008_SAMPLE, KP41_SAMPLE]);
    expect(w.takeCalls().map((c) => c.FilterXPath)).toEqual([undefined, `*[System[${XPATH_IDS} and EventRecordID > 0]]`]); // no time: no clear query
    expect(session.staged()).toEqual({ record: { recordId: 7709, time: expect.toSatisfy(ran) } });
  });

  it('nothing after the checkpoint (NoMatchingEventsFound): no samples, the checkpoint moves to the newest record', async () => {
    const { samples, session, ran } = await collect([kernelPower(), EVENTLOG_6008], { recordId: 7701, time: at('2021-12-21T12:00:00Z') });
    expect(samples).toEqual([]);
    expect(w.takeCalls()[2]?.FilterXPath).toBe(`*[System[${XPATH_IDS} and EventRecordID > 7701]]`);
    expect(session.staged()).toEqual({ record: { recordId: 7709, time: expect.toSatisfy(ran) } });
  });

  it('a 41 whose message cannot be rendered is still reported, with Get-WinEvent’s placeholder text', async () => {
    const unrendered = kernelPower({ throws: 'The description string for parameter reference (%1) could not be found' });
    const { samples } = await collect([unrendered, EVENTLOG_6008]);
    expect(samples).toEqual([EL6008_SAMPLE, { ...KP41_SAMPLE, fields: { ...KP41_SAMPLE.fields, message: 'Cannot retrieve event message text.' } }]);
  });
});

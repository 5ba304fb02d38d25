// The backup probe on Windows, its PowerShell unchanged and run for real: collect() sends WINDOWS_BACKUP_SCRIPT through
// the agent's worker to pwsh, where the Windows-only commands are stubs: Get-WinEvent (../windows-event-stubs.ts, which
// evaluates the XPath the script built) over logs rebuilt from the captured Microsoft-Windows-Backup events 5 and 50
// and Veeam's documented events (test/fixtures/windows/backup/), Get-ItemProperty over the Uninstall keys and
// Get-Service (their rows are chosen: no public capture of a backup agent's entries was found).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBackupProbe } from '../../../../agent/src/probes/backup/backup.js';
import { int, type SampleDraft } from '../../../../agent/src/sample.js';
import { psObject, uninstallKeysStub } from '../../../helpers/pwsh-stubs.js';
import { context, fixture } from '../fixtures.js';
import { getWinEventStubs, recordFromXml, type EventRecordStub, type GetWinEventCall, type StubLog } from '../windows-event-stubs.js';
import { sharedStubbedPowerShell, type SharedStubbedPowerShell } from '../windows-stubs.js';

const CLOCK = '2019-10-12T08:00:00Z';
const UNINSTALL = 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*';
const UNINSTALL_WOW = 'HKLM:\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\*';

// Windows Server Backup: the captured events 5 (2019, its XML cut after NumOfVolumes) and 50 (2011, with its Event
// Viewer description). No XML of a success (4) was found: it is the captured 5 with id, level and time changed, and
// the provider's message for 4; the message of 5 follows the provider's text for that id.
const XML_5 = fixture('windows/backup/microsoft-windows-backup-5-excerpt.xml');
const COPY_50 = fixture('windows/backup/microsoft-windows-backup-50-eventviewer-copy.txt');
const XML_50 = /<Event [\s\S]*<\/Event>/.exec(COPY_50)![0];
const DESCRIPTION_50 = /^Description:\n(.*)$/m.exec(COPY_50)![1]!;
const MESSAGE_5 =
  "The backup operation that started at '2019-10-10T00:00:15.177132000Z' has failed with following error code '0x8078011E' (Access is denied.). Please review the event details for a solution, and then rerun the backup operation once the issue is resolved.";
const wsbFailed5 = recordFromXml(XML_5, MESSAGE_5);
const wsbNoSpace50 = recordFromXml(XML_50, DESCRIPTION_50);
const wsbSuccess4 = (time: string, recordId: number): EventRecordStub =>
  recordFromXml(
    XML_5.replace('<EventID>5</EventID>', '<EventID>4</EventID>')
      .replace('<Level>2</Level>', '<Level>4</Level>')
      .replace(/SystemTime="[^"]*"/, `SystemTime="${time}"`)
      .replace('<EventRecordID>254</EventRecordID>', `<EventRecordID>${recordId}</EventRecordID>`),
    'The backup operation has finished successfully.',
  );

/** An event of a classic source (Veeam's), as EventLogRecord.ToXml() writes one: the <System> header only. */
function classicEvent(e: { provider: string; channel: string; id: number; level: number; time: string; recordId: number }, message: string): EventRecordStub {
  return recordFromXml(
    `<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='${e.provider}'/>` +
      `<EventID Qualifiers='0'>${e.id}</EventID><Level>${e.level}</Level><Task>0</Task><Keywords>0x80000000000000</Keywords>` +
      `<TimeCreated SystemTime='${e.time}'/><EventRecordID>${e.recordId}</EventRecordID><Channel>${e.channel}</Channel>` +
      `<Computer>SRV01</Computer><Security/></System><EventData><Data>${message}</Data></EventData></Event>`,
    message,
  );
}

// Veeam's documented events, the placeholders filled: the job name of Veeam's own configurator sample ("Backup Job").
const VEEAM = JSON.parse(fixture('windows/backup/veeam-events-documented.json')) as { product: string; id: number; description: string }[];
const veeamText = (product: string, id: number) => VEEAM.find((e) => e.product === product && e.id === id)!.description;
const agentFinished = (status: string) =>
  veeamText('Veeam Agent for Microsoft Windows', 190).replace('<jobname>', 'Backup Job').replace('<job status>', status);
const agentEvent = (id: number, level: number, time: string, recordId: number, message: string) =>
  classicEvent({ provider: 'Veeam Agent', channel: 'Veeam Agent', id, level, time, recordId }, message);
const brEvent = (id: number, level: number, time: string, recordId: number, message: string) =>
  classicEvent({ provider: 'Veeam MP', channel: 'Veeam Backup', id, level, time, recordId }, message);

const log = (name: string, records: EventRecordStub[]): StubLog => ({ name, oldest: records.length ? 1 : null, count: records.length, records });

/** Get-Service without arguments: every service as a ServiceController stand-in (Name, DisplayName, Status). */
const serviceStub = (rows: { Name: string; DisplayName: string; Status: string }[]) =>
  `function Get-Service { [CmdletBinding()] param() ${rows.map((r) => psObject(r)).join('; ')} }`;
const FAILING_SERVICES =
  "function Get-Service { [CmdletBinding()] param() throw 'Cannot open Service Control Manager on computer ''.''. This operation might require other privileges.' }";

let ps: SharedStubbedPowerShell;
let callsFile: string;
beforeAll(() => {
  ps = sharedStubbedPowerShell();
  callsFile = join(mkdtempSync(join(tmpdir(), 'wp-backup-pwsh-')), 'calls.jsonl');
  writeFileSync(callsFile, '');
});
afterAll(() => ps?.worker.stop());
afterEach(() => {
  expect(ps.log.lines.filter((l) => l.level !== 'debug')).toEqual([]); // pwsh wrote nothing to stderr
  writeFileSync(callsFile, '');
});

const takeCalls = (): GetWinEventCall[] =>
  readFileSync(callsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as GetWinEventCall);

interface Machine {
  logs?: StubLog[];
  installed?: Record<string, unknown>[];
  services?: { Name: string; DisplayName: string; Status: string }[] | 'failing';
}

function collect(m: Machine): Promise<SampleDraft[]> {
  const stubs = [
    getWinEventStubs({ clock: CLOCK, logs: m.logs ?? [], callsFile }),
    uninstallKeysStub({ [UNINSTALL]: m.installed ?? [], [UNINSTALL_WOW]: [] }),
    m.services === 'failing' ? FAILING_SERVICES : serviceStub(m.services ?? []),
  ].join('\n');
  return createBackupProbe({ platform: 'win32' }).collect({ ...context(), powershell: ps.with(stubs) });
}

const seconds = (iso: string) => int(Math.floor(Date.parse(iso) / 1000));
const summary = (products: number, extra: Record<string, unknown> = {}): SampleDraft => ({
  measurement: 'backup',
  fields: { products: int(products), detectable: true, read_errors: int(0), ...extra },
});

describe('backup on Windows: the real script on pwsh, the Windows commands stubbed', () => {
  it('nothing installed, no backup log: the summary says no product; every known log was looked for', async () => {
    expect(await collect({})).toEqual([summary(0)]);
    expect(takeCalls()).toEqual(
      ['Microsoft-Windows-Backup', 'Veeam Agent', 'Veeam Endpoint Backup', 'Veeam Backup', 'Microsoft-Windows-FileHistory-Core/WHC'].map((name) => ({
        ListLog: [name],
        ErrorAction: 'Stop',
      })),
    );
  });

  it('Windows Server Backup: a success, then the captured failure; the older captured 50 does not count', async () => {
    const samples = await collect({ logs: [log('Microsoft-Windows-Backup', [wsbNoSpace50, wsbSuccess4('2019-10-09T00:03:10.0000000Z', 250), wsbFailed5])] });
    expect(samples).toEqual([
      summary(1, { last_success: seconds('2019-10-09T00:03:10Z') }),
      {
        measurement: 'backup',
        tags: { product: 'Windows Server Backup' },
        fields: {
          detected_by: 'events',
          last_result: 'failed',
          last_success: seconds('2019-10-09T00:03:10Z'),
          last_attempt: seconds('2019-10-10T00:02:42Z'),
          message: MESSAGE_5,
        },
      },
    ]);
    const reads = takeCalls().filter((c) => c.LogName);
    expect(reads).toEqual([
      {
        LogName: ['Microsoft-Windows-Backup'],
        FilterXPath: "*[System[Provider[@Name='Microsoft-Windows-Backup'] and EventID=4]]",
        MaxEvents: 1,
        ErrorAction: 'SilentlyContinue',
      },
      {
        LogName: ['Microsoft-Windows-Backup'],
        FilterXPath: "*[System[Provider[@Name='Microsoft-Windows-Backup'] and (EventID=4 or EventID=7 or Level=1 or Level=2)]]",
        MaxEvents: 1,
        ErrorAction: 'SilentlyContinue',
      },
    ]);
  });

  it('Windows Server Backup: a success after the failures is the last result', async () => {
    const samples = await collect({ logs: [log('Microsoft-Windows-Backup', [wsbNoSpace50, wsbFailed5, wsbSuccess4('2019-10-11T00:03:10.0000000Z', 260)])] });
    expect(samples[1]!.fields).toEqual({
      detected_by: 'events',
      last_result: 'success',
      last_success: seconds('2019-10-11T00:03:10Z'),
      last_attempt: seconds('2019-10-11T00:03:10Z'),
      message: 'The backup operation has finished successfully.',
    });
  });

  it('only the captured 50 (no space), never a success: failed, no last_success', async () => {
    const samples = await collect({ logs: [log('Microsoft-Windows-Backup', [wsbNoSpace50])] });
    expect(samples).toEqual([
      summary(1),
      {
        measurement: 'backup',
        tags: { product: 'Windows Server Backup' },
        fields: { detected_by: 'events', last_result: 'failed', last_attempt: seconds('2011-08-11T04:12:45Z'), message: DESCRIPTION_50 },
      },
    ]);
  });

  it('Veeam Agent: events 110/190/191 of its own log, with its installed program and its service', async () => {
    const records = [
      agentEvent(190, 4, '2019-10-10T22:41:05.0000000Z', 11, agentFinished('Success')),
      agentEvent(
        110,
        4,
        '2019-10-11T22:30:00.0000000Z',
        12,
        veeamText('Veeam Agent for Microsoft Windows', 110).replace('<jobname>', 'Backup Job').replace(' [by user <username>]', ''),
      ),
      agentEvent(190, 3, '2019-10-11T22:52:40.0000000Z', 13, agentFinished('Warning')),
    ];
    const samples = await collect({
      logs: [log('Veeam Agent', records)],
      installed: [
        { PSChildName: '{8A1B2C3D}', DisplayName: 'Veeam Agent for Microsoft Windows', DisplayVersion: '4.0.1.2169' },
        { DisplayName: '7-Zip 19.00' },
      ],
      services: [
        { Name: 'VeeamEndpointBackupSvc', DisplayName: 'Veeam Agent for Microsoft Windows', Status: 'Running' },
        { Name: 'Spooler', DisplayName: 'Print Spooler', Status: 'Running' },
      ],
    });
    expect(samples).toEqual([
      summary(1, { last_success: seconds('2019-10-10T22:41:05Z') }),
      {
        measurement: 'backup',
        tags: { product: 'Veeam Agent for Microsoft Windows' },
        fields: {
          detected_by: 'events',
          last_result: 'warning',
          last_success: seconds('2019-10-10T22:41:05Z'),
          last_attempt: seconds('2019-10-11T22:52:40Z'),
          message: 'Veeam Agent Backup Job finished with Warning.',
          service_state: 'running',
          running: true,
          version: '4.0.1.2169',
          display_name: 'Veeam Agent for Microsoft Windows',
        },
      },
    ]);
  });

  it('Veeam Agent: a run that will be retried (191) is a failure; an Error-level 190 too', async () => {
    const retry = veeamText('Veeam Agent for Microsoft Windows', 191).replace('<jobname>', 'Backup Job');
    const first = await collect({
      logs: [
        log('Veeam Agent', [agentEvent(190, 4, '2019-10-10T22:41:05Z', 1, agentFinished('Success')), agentEvent(191, 3, '2019-10-11T22:41:05Z', 2, retry)]),
      ],
    });
    expect(first[1]!.fields).toMatchObject({ last_result: 'failed', message: retry, last_attempt: seconds('2019-10-11T22:41:05Z') });
    const second = await collect({ logs: [log('Veeam Agent', [agentEvent(190, 2, '2019-10-11T23:41:05Z', 3, agentFinished('Failed'))])] });
    expect(second[1]!.fields).toEqual({
      detected_by: 'events',
      last_result: 'failed',
      last_attempt: seconds('2019-10-11T23:41:05Z'),
      message: agentFinished('Failed'),
    });
  });

  it('Veeam Backup & Replication: its jobs (190 and agent jobs 790) from "Veeam Backup"', async () => {
    const documented = veeamText('Veeam Backup & Replication', 190);
    const agentJobFailed = "Agent Backup job 'Agent Backup Job 1' finished with Failed.";
    const samples = await collect({
      logs: [log('Veeam Backup', [brEvent(190, 4, '2019-10-11T01:00:00Z', 40, documented), brEvent(790, 2, '2019-10-11T02:00:00Z', 41, agentJobFailed)])],
    });
    expect(samples[1]).toEqual({
      measurement: 'backup',
      tags: { product: 'Veeam Backup & Replication' },
      fields: {
        detected_by: 'events',
        last_result: 'failed',
        last_success: seconds('2019-10-11T01:00:00Z'),
        last_attempt: seconds('2019-10-11T02:00:00Z'),
        message: agentJobFailed,
      },
    });
  });

  it('File History: in use (its WHC log holds records), result unknown, the newest failure in the message', async () => {
    const whc = classicEvent(
      {
        provider: 'Microsoft-Windows-FileHistory-Core',
        channel: 'Microsoft-Windows-FileHistory-Core/WHC',
        id: 100,
        level: 4,
        time: '2019-10-01T10:00:00Z',
        recordId: 1,
      },
      'File History operational state has changed',
    );
    const failure = classicEvent(
      {
        provider: 'Microsoft-Windows-FileHistory-Core',
        channel: 'Microsoft-Windows-FileHistory-Engine/BackupLog',
        id: 201,
        level: 2,
        time: '2019-10-11T10:00:00Z',
        recordId: 7,
      },
      'Unable to scan user libraries for changes and perform backup of modified files for configuration C:\\Users\\ann\\AppData\\Local\\Microsoft\\Windows\\FileHistory\\Configuration\\Config',
    );
    const samples = await collect({
      logs: [log('Microsoft-Windows-FileHistory-Core/WHC', [whc]), log('Microsoft-Windows-FileHistory-Engine/BackupLog', [failure])],
    });
    expect(samples[1]).toEqual({
      measurement: 'backup',
      tags: { product: 'File History' },
      fields: {
        detected_by: 'events',
        last_result: 'unknown',
        message: `File History logs no event for a successful backup; newest failure 2019-10-11T10:00:00.000Z: ${failure.rendering as string}`,
      },
    });
  });

  it('presence only: MSP agents from the Uninstall keys, with their services; the RMM agent is not a backup', async () => {
    const samples = await collect({
      installed: [
        { DisplayName: 'Backup Manager', DisplayVersion: '23.4.0.23156' },
        { DisplayName: 'Datto RMM', DisplayVersion: '4.4.2197' },
        { DisplayName: 'Datto Windows Agent', DisplayVersion: '2.8.1.12' },
        { PSChildName: 'AddressBook' },
      ],
      services: [
        { Name: 'Backup Service Controller', DisplayName: 'Backup Service Controller', Status: 'Stopped' },
        { Name: 'CagService', DisplayName: 'Datto RMM', Status: 'Running' },
      ],
    });
    expect(samples).toEqual([
      summary(2),
      {
        measurement: 'backup',
        tags: { product: 'N-able Cove Backup Manager' },
        fields: {
          detected_by: 'presence',
          last_result: 'unknown',
          message: 'presence only: this product’s results are not read',
          service_state: 'stopped',
          running: false,
          version: '23.4.0.23156',
          display_name: 'Backup Manager',
        },
      },
      {
        measurement: 'backup',
        tags: { product: 'Datto Backup Agent' },
        fields: {
          detected_by: 'presence',
          last_result: 'unknown',
          message: 'presence only: this product’s results are not read',
          version: '2.8.1.12',
          display_name: 'Datto Windows Agent',
        },
      },
    ]);
  });

  it('a part that fails (the service list) is counted and named; the rest is still reported', async () => {
    const samples = await collect({ logs: [log('Microsoft-Windows-Backup', [wsbNoSpace50])], services: 'failing' });
    expect(samples[0]).toEqual({
      measurement: 'backup',
      fields: { products: int(1), detectable: true, read_errors: int(1), message: expect.stringMatching(/^services: Cannot open Service Control Manager/) },
    });
    expect(samples[1]!.fields).toMatchObject({ last_result: 'failed' });
  });
});

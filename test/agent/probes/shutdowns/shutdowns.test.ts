import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileCheckpointStore } from '../../../../agent/src/checkpoints/store.js';
import { createShutdownsProbe, SHUTDOWN_CAUSE_PREDICATE, shutdownLogWindow, windowsShutdownScript } from '../../../../agent/src/probes/shutdowns/shutdowns.js';
import { describeShutdownCause, parseShutdownCauseLog, unexpectedShutdownsFromCauses } from '../../../../agent/src/probes/shutdowns/shutdown-cause.js';
import { formatUnifiedTime } from '../../../../agent/src/probes/common/unified-log-ndjson.js';
import {
  nextShutdownCheckpoint,
  parseWindowsShutdownEvents,
  parseWindowsShutdownReply,
  parseWtmpCrashes,
  readShutdownCheckpoint,
  type ShutdownCheckpoint,
  type WindowsShutdownReply,
} from '../../../../agent/src/probes/shutdowns/unexpected-shutdowns.js';
import type { PowerShell, ProbeContext } from '../../../../agent/src/probes/probe.js';
import { Int } from '../../../../agent/src/sample.js';
import { context, fixture, replayRunner } from '../fixtures.js';

// A wtmp history written by the real util-linux `utmpdump -r` from its text form: boot, clean shutdown, boot
// (crashed: no shutdown record), boot (crashed), boot. `last -x` on the same file is run below as the cross-check.
const WTMP_TEXT = [
  '[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-18-amd64      ] [0.0.0.0        ] [2024-03-01T08:00:00,000000+00:00]',
  '[1] [00053] [~~  ] [runlevel] [~           ] [6.1.0-18-amd64      ] [0.0.0.0        ] [2024-03-01T08:00:10,000000+00:00]',
  '[7] [01234] [ts/0] [alice   ] [pts/0       ] [192.0.2.10          ] [192.0.2.10     ] [2024-03-01T09:00:00,000000+00:00]',
  '[8] [01234] [ts/0] [        ] [pts/0       ] [                    ] [0.0.0.0        ] [2024-03-01T09:30:00,000000+00:00]',
  '[1] [00000] [~~  ] [shutdown] [~           ] [6.1.0-18-amd64      ] [0.0.0.0        ] [2024-03-01T18:00:00,000000+00:00]',
  '[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-18-amd64      ] [0.0.0.0        ] [2024-03-02T08:00:00,000000+00:00]',
  '[7] [02345] [ts/0] [alice   ] [pts/0       ] [192.0.2.10          ] [192.0.2.10     ] [2024-03-02T09:00:00,000000+00:00]',
  '[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-18-amd64      ] [0.0.0.0        ] [2024-03-02T13:05:00,000000+00:00]',
  '[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-18-amd64      ] [0.0.0.0        ] [2024-03-03T07:00:00,000000+00:00]',
].join('\n');

function realWtmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wp-wtmp-'));
  const file = join(dir, 'wtmp');
  writeFileSync(file, execFileSync('utmpdump', ['-r'], { input: WTMP_TEXT + '\n', stdio: ['pipe', 'pipe', 'ignore'] }));
  return file;
}

const at = (iso: string) => Date.parse(iso);

describe('shutdowns: Linux wtmp', () => {
  it('finds boots that no shutdown record closed, as `last -x` does', () => {
    const file = realWtmp();
    expect(parseWtmpCrashes(readFileSync(file))).toEqual([
      {
        time: at('2024-03-02T13:05:00Z'),
        kind: 'crash',
        bootTime: at('2024-03-02T08:00:00Z'),
        message: 'the boot of 2024-03-02T08:00:00.000Z ended without a clean shutdown (wtmp)',
      },
      {
        time: at('2024-03-03T07:00:00Z'),
        kind: 'crash',
        bootTime: at('2024-03-02T13:05:00Z'),
        message: 'the boot of 2024-03-02T13:05:00.000Z ended without a clean shutdown (wtmp)',
      },
    ]);
    // util-linux agrees: alice's session in the 08:00 boot ended by a crash, the boot before it by the shutdown.
    const last = execFileSync('last', ['-x', '-F', '-f', file], { env: { ...process.env, TZ: 'UTC' } }).toString();
    expect(last).toMatch(/alice\s+pts\/0.*Sat Mar {2}2 09:00:00 2024 - crash/);
    expect(last).toMatch(/reboot\s+system boot.*Fri Mar {2}1 08:00:00 2024 - Fri Mar {2}1 18:00:00 2024/);
  });

  it('reports each once: the checkpoint moves to the newest detected crash, and only after it', async () => {
    const wtmpPath = realWtmp();
    const store = fileCheckpointStore(mkdtempSync(join(tmpdir(), 'wp-state-')));
    const probe = createShutdownsProbe({ platform: 'linux', wtmpPath });
    const run = async (now: number) => {
      const session = store.session('shutdowns');
      const ctx: ProbeContext = { ...context(), now: () => now, checkpoints: session };
      const samples = await probe.collect(ctx);
      store.commit('shutdowns', session.staged()); // as the agent does once the batch is acked
      return samples;
    };
    // First run, a day after 2024-03-02 13:05: only the last 24 h, so the crash detected at 13:05 is left out.
    expect((await run(at('2024-03-03T13:10:00Z'))).map((s) => s.time)).toEqual([at('2024-03-03T07:00:00Z')]);
    expect(await run(at('2024-03-03T13:15:00Z'))).toEqual([]);
  });

  it('reports the crashes of the last 24 h with their boot', async () => {
    const probe = createShutdownsProbe({ platform: 'linux', wtmpPath: realWtmp() });
    const samples = await probe.collect({ ...context(), now: () => at('2024-03-03T08:00:00Z') });
    expect(samples).toEqual([
      {
        measurement: 'shutdowns',
        time: at('2024-03-02T13:05:00Z'),
        tags: { kind: 'crash' },
        fields: { message: expect.stringContaining('2024-03-02T08:00:00'), boot_time: new Int(at('2024-03-02T08:00:00Z') / 1000) },
      },
      {
        measurement: 'shutdowns',
        time: at('2024-03-03T07:00:00Z'),
        tags: { kind: 'crash' },
        fields: { message: expect.stringContaining('2024-03-02T13:05:00'), boot_time: new Int(at('2024-03-02T13:05:00Z') / 1000) },
      },
    ]);
  });

  it("this machine's own /var/log/wtmp parses (live)", async () => {
    const samples = await createShutdownsProbe({ platform: 'linux' }).collect(context());
    for (const s of samples) expect(s.tags).toEqual({ kind: 'crash' });
  });

  it('a missing wtmp (a container) is nothing to report', async () => {
    expect(await createShutdownsProbe({ platform: 'linux', wtmpPath: '/nonexistent/wtmp' }).collect(context())).toEqual([]);
  });
});

// Rows in the shape the Windows script emits, with Microsoft's documented texts: KB 2028504 (event 41: "The system
// has rebooted without cleanly shutting down first. ...") and the EventLog message table entry 6008 ("The previous
// system shutdown at %1 on %2 was unexpected."). Not a capture from a Windows machine.
const WINDOWS_ROWS = [
  {
    id: 6008,
    record: 48213,
    provider: 'EventLog',
    time: '2024-06-15T14:02:05.0000000Z',
    message: 'The previous system shutdown at 2:00:00 PM on 6/15/2024 was unexpected.',
  },
  {
    id: 41,
    record: 48210,
    provider: 'Microsoft-Windows-Kernel-Power',
    time: '2024-06-15T14:02:00.1234567Z',
    message:
      'The system has rebooted without cleanly shutting down first. This error could be caused if the system stopped responding, crashed, or lost power unexpectedly.\r\n',
  },
];

describe('shutdowns: Windows', () => {
  it('parses the script rows', () => {
    expect(parseWindowsShutdownEvents(WINDOWS_ROWS)).toEqual([
      {
        time: at('2024-06-15T14:02:05Z'),
        kind: 'unexpected_shutdown',
        eventId: 6008,
        recordId: 48213,
        message: 'The previous system shutdown at 2:00:00 PM on 6/15/2024 was unexpected.',
      },
      {
        time: at('2024-06-15T14:02:00.123Z'),
        kind: 'kernel_power',
        eventId: 41,
        recordId: 48210,
        message:
          'The system has rebooted without cleanly shutting down first. This error could be caused if the system stopped responding, crashed, or lost power unexpectedly.',
      },
    ]);
    expect(parseWindowsShutdownEvents([])).toEqual([]);
  });

  it.each([[[{ id: 1074, record: 1, time: '2024-06-15T14:02:05Z' }]], [[{ id: 41, time: 'yesterday', record: 1 }]], ['x']])('rejects %j', (value) => {
    expect(() => parseWindowsShutdownEvents(value)).toThrow(/^shutdowns: /);
  });

  // A real capture (test/fixtures/README.md): `Get-WinEvent ... | Select-Object TimeCreated,Id,Message` as Format-List,
  // de-CH dates, English messages. The rows the script would build from those events: id and message as captured;
  // the provider is the one the script's XPath admits for the id; the capture has no RecordId, so the record numbers
  // are this test's; the zone of TimeCreated is not in the capture, so it is read as UTC here.
  it('parses rows built from a real Get-WinEvent capture of Kernel-Power 41 and EventLog 6008', () => {
    const events = fixture('windows/shutdowns/get-winevent-41-6008-format-list.txt')
      .trim()
      .split(/\r?\n\r?\n/)
      .map((block) => {
        const props: Record<string, string> = {};
        let last = '';
        for (const line of block.split(/\r?\n/)) {
          const m = /^(\w+)\s*: ?(.*)$/.exec(line);
          if (m) props[(last = m[1]!)] = m[2]!;
          else props[last] += `\r\n${line.trim()}`; // Format-List continuation line
        }
        return props;
      });
    const providers: Record<string, string> = { '41': 'Microsoft-Windows-Kernel-Power', '6008': 'EventLog' };
    const rows = events.map((e, i) => {
      const [d, mo, y, h, mi, s] = e.TimeCreated!.split(/[.: ]/).map(Number) as [number, number, number, number, number, number];
      const time = new Date(Date.UTC(y, mo - 1, d, h, mi, s)).toISOString();
      return { id: Number(e.Id), record: 1000 + i, provider: providers[e.Id!], time, message: e.Message };
    });
    expect(parseWindowsShutdownEvents(rows)).toEqual([
      {
        time: at('2021-12-21T12:29:01Z'),
        kind: 'kernel_power',
        eventId: 41,
        recordId: 1000,
        message: 'The system has rebooted without cleanly shutting down first.',
      },
      {
        time: at('2021-12-21T12:29:09Z'),
        kind: 'unexpected_shutdown',
        eventId: 6008,
        recordId: 1001,
        message: 'The previous system shutdown at 11:59:15 on 21.12.2021 was unexpected.',
      },
    ]);
  });

  it('first run asks for the last 24 h, later runs for records after the checkpoint, which advances with the time', async () => {
    const scripts: string[] = [];
    const replies = [
      { now: '2024-06-15T14:05:00.0000000Z', last: 48220, rows: WINDOWS_ROWS },
      { now: '2024-06-15T14:10:00.0000000Z', last: 48230, rows: [] },
    ];
    const worker: PowerShell = { run: async <T>(script: string) => (scripts.push(script), replies[scripts.length - 1] as T) };
    const store = fileCheckpointStore(mkdtempSync(join(tmpdir(), 'wp-state-')));
    const probe = createShutdownsProbe({ platform: 'win32' });
    const session = store.session('shutdowns');
    const samples = await probe.collect({ ...context(), powershell: worker, checkpoints: session });
    store.commit('shutdowns', session.staged());
    expect(await probe.collect({ ...context(), powershell: worker, checkpoints: store.session('shutdowns') })).toEqual([]);
    const checkpoint = { recordId: 48220, time: at('2024-06-15T14:05:00Z') };
    expect(scripts[1]).toBe(windowsShutdownScript(checkpoint));
    expect(samples.map((s) => [s.tags, s.fields.event_id, s.fields.record_id])).toEqual([
      [{ kind: 'unexpected_shutdown' }, new Int(6008), new Int(48213)],
      [{ kind: 'kernel_power' }, new Int(41), new Int(48210)],
    ]);
    expect(scripts[0]).toBe(windowsShutdownScript(undefined));
    expect(scripts[0]).toContain('TimeCreated[timediff(@SystemTime) <= 86400000]');
    expect(scripts[0]).not.toContain("Get-WinEvent -LogName 'System' -FilterXPath"); // no time yet: no clear query
    expect(scripts[1]).toContain('EventRecordID > $($from)]]');
    expect(scripts[1]).toContain('$after = 48220');
    expect(scripts[1]).toContain("EventID=104 and TimeCreated[@SystemTime>=''2024-06-15T14:05:00.000Z'']");
    expect(scripts[1]).toContain("$c -eq 'System'");
    expect(scripts[1]).toContain('if ($after -ge 0 -and ($hit -or ($last -ne $null -and $last -lt $after))) { $from = 0 }');
    expect(scripts[1]).toContain("(Provider[@Name='Microsoft-Windows-Kernel-Power'] and EventID=41) or (Provider[@Name='EventLog'] and EventID=6008)");
  });

  it('an old checkpoint (a bare record id) keeps working; after a System log clear the checkpoint follows the new ids', async () => {
    const scripts: string[] = [];
    // The log was cleared and has grown past nothing yet: newest record 37, one 41 after the clear.
    const worker: PowerShell = {
      run: async <T>(script: string) => (scripts.push(script), { now: '2024-06-16T09:00:00Z', last: 37, rows: [{ ...WINDOWS_ROWS[1], record: 12 }] } as T),
    };
    const store = fileCheckpointStore(mkdtempSync(join(tmpdir(), 'wp-state-')));
    store.commit('shutdowns', { record: 48213 });
    const session = store.session('shutdowns');
    const samples = await createShutdownsProbe({ platform: 'win32' }).collect({ ...context(), powershell: worker, checkpoints: session });
    expect(scripts[0]).toBe(windowsShutdownScript({ recordId: 48213 }));
    expect(samples.map((s) => s.fields.record_id)).toEqual([new Int(12)]);
    expect(session.staged()).toEqual({ record: { recordId: 37, time: at('2024-06-16T09:00:00Z') } });
  });

  it.each([
    ['bare record id (before times were kept)', 48213, { recordId: 48213 }],
    ['with time', { recordId: 5, time: 1000 }, { recordId: 5, time: 1000 }],
    ['nothing', undefined, undefined],
    ['garbage', 'x', undefined],
  ])('reads a stored checkpoint: %s', (_, value, expected) => {
    expect(readShutdownCheckpoint(value)).toEqual(expected);
  });

  it.each([
    ['normal: up to the newest record', { recordId: 100, time: 1 }, { events: [], last: 150, now: 2 }, { recordId: 150, time: 2 }],
    ['after a clear the ids go back', { recordId: 48213, time: 1 }, { events: [], last: 37, now: 2 }, { recordId: 37, time: 2 }],
    [
      'an event newer than the log info',
      { recordId: 100 },
      { events: parseWindowsShutdownEvents([{ ...WINDOWS_ROWS[0], record: 151 }]), last: 150, now: 2 },
      { recordId: 151, time: 2 },
    ],
    [
      'a bare rows reply: the newest event, time kept',
      { recordId: 100, time: 1 },
      parseWindowsShutdownReply([{ ...WINDOWS_ROWS[0], record: 120 }]),
      { recordId: 120, time: 1 },
    ],
    ['nothing known: keep the checkpoint', { recordId: 100 }, { events: [], last: null, now: null }, undefined],
  ] as [string, ShutdownCheckpoint, WindowsShutdownReply, ShutdownCheckpoint | undefined][])('next checkpoint: %s', (_, previous, reply, expected) => {
    expect(nextShutdownCheckpoint(previous, reply)).toEqual(expected);
  });

  it('parses the {now, last, rows} reply and a one-row reply that PowerShell unrolled', () => {
    expect(parseWindowsShutdownReply({ now: '2024-06-16T09:00:00.1234567Z', last: 37, rows: WINDOWS_ROWS[0] })).toMatchObject({
      last: 37,
      now: at('2024-06-16T09:00:00.123Z'),
      events: [{ recordId: 48213 }],
    });
    expect(parseWindowsShutdownReply({ now: null, last: null, rows: null })).toEqual({ events: [], last: null, now: null });
  });
});

// Real `log show` captures in the default style (test/fixtures/README.md, darwin/shutdowns/): a MacBook Air on macOS
// 10.14 with four hard shutdowns (cause 3), a Hackintosh's clean shutdown (5), and a boot marker row beside a 5.
const MOJAVE = 'darwin/shutdowns/log-show-shutdown-cause-mojave.txt';
const HACKINTOSH = 'darwin/shutdowns/log-show-shutdown-cause-hackintosh-2020.txt';
const BOOT_AND_CAUSE = 'darwin/shutdowns/log-show-boot-and-shutdown-cause-2020.txt';
const mojaveCause = (local: string) => ({ time: at(`${local}-02:00`), cause: 3, message: 'Previous shutdown cause: 3' });

describe('shutdowns: macOS', () => {
  it.each([
    [
      'four hard shutdowns after the header lines',
      MOJAVE,
      [
        mojaveCause('2019-01-12T17:25:22.864'),
        mojaveCause('2019-01-14T12:32:49.888'),
        mojaveCause('2019-01-15T17:35:21.823'),
        mojaveCause('2019-01-16T14:53:30.840'),
      ],
    ],
    ['a clean shutdown', HACKINTOSH, [{ time: at('2020-03-27T13:27:22.512+01:00'), cause: 5, message: 'Previous shutdown cause: 5' }]],
    ['the boot marker row is not a cause', BOOT_AND_CAUSE, [{ time: at('2020-04-29T09:46:04.683+09:00'), cause: 5, message: 'Previous shutdown cause: 5' }]],
    ['only the header lines: nothing found', MOJAVE, null],
  ] as [string, string, unknown[] | null][])('parses the captured log show output: %s', (_, file, expected) => {
    const text = expected === null ? fixture(file).split('\n').slice(0, 3).join('\n') : fixture(file);
    expect(parseShutdownCauseLog(text)).toEqual(expected ?? []);
  });

  it.each([
    ['5: clean shutdown or restart', 5, false, 'clean shutdown or restart (software initiated)'],
    ['1: user-initiated restart (T1/T2 restarts)', 1, false, 'user-initiated restart'],
    ['3: power button held', 3, true, 'hard shutdown: the power button was held'],
    ['0: power loss', 0, true, 'power loss: power removed or cut without a shutdown'],
    ['-3: thermal', -3, true, 'multiple temperature sensors over their limit'],
    ['-60: disputed meaning', -60, true, 'undocumented: read as a bad master directory block (disk) or a low battery'],
    ['-62: watchdog restart', -62, true, 'watchdog: an unresponsive application, the system was restarted'],
    ['-112: memory', -112, true, 'memory issue (unverified; often seen with -128)'],
    ['-128: unknown hardware', -128, true, 'hardware shutdown of unknown cause (often memory related)'],
    ['an undocumented negative code', -99, true, 'hardware (SMC) shutdown, undocumented code'],
    ['an undocumented positive code', 7, true, 'undocumented code'],
  ])('cause %s', (_, cause, abnormal, text) => {
    expect(describeShutdownCause(cause)).toEqual({ abnormal, text });
  });

  it('reports abnormal causes only, with the code and its meaning', () => {
    expect(
      unexpectedShutdownsFromCauses(parseShutdownCauseLog(fixture(HACKINTOSH) + fixture(MOJAVE))).map((s) => [s.kind, s.cause, s.causeText, s.message]),
    ).toEqual(Array(4).fill(['unexpected_shutdown', 3, 'hard shutdown: the power button was held', 'Previous shutdown cause: 3']));
  });

  // The captured row with its code changed (no capture of a negative code in this style was found): the sign parses.
  it('reads a negative code from a row of the captured shape', () => {
    const row = fixture(HACKINTOSH).replace('cause: 5', 'cause: -128');
    expect(parseShutdownCauseLog(row)).toEqual([{ time: at('2020-03-27T13:27:22.512+01:00'), cause: -128, message: 'Previous shutdown cause: -128' }]);
  });

  it('skips a row of another process that logs the same words; an unreadable line naming a cause throws', () => {
    expect(parseShutdownCauseLog(fixture(HACKINTOSH).replace('0      0    kernel: (AppleSMC)', '412    0    logger:'))).toEqual([]);
    expect(parseShutdownCauseLog(fixture(HACKINTOSH).replace('0      0    kernel:', '412    0    kernel:'))).toEqual([]); // not PID 0
    expect(() => parseShutdownCauseLog('2020-03-27 13:27:22 kernel: Previous shutdown cause: -128')).toThrow(/^shutdowns: unreadable log show line/);
  });

  it.each([
    [
      'first run: 24 h back, up to a minute ago, at most 6 h',
      undefined,
      at('2019-01-16T18:00:00.700Z'),
      at('2019-01-15T18:00:00Z'),
      at('2019-01-16T00:00:00Z'),
    ],
    ['later runs: from the checkpoint', at('2019-01-16T17:50:00Z'), at('2019-01-16T18:00:00.700Z'), at('2019-01-16T17:50:00Z'), at('2019-01-16T17:59:00Z')],
    ['nothing settled yet: empty', at('2019-01-16T17:59:30Z'), at('2019-01-16T18:00:00Z'), at('2019-01-16T17:59:30Z'), at('2019-01-16T17:59:00Z')],
  ])('log window: %s', (_, checkpoint, now, startMs, endMs) => {
    expect(shutdownLogWindow(checkpoint, now)).toEqual({ startMs, endMs });
  });

  it('walks the log forward run by run, each cause once, with the cause as an integer field', async () => {
    // The runner replays the capture whatever the window: the probe keeps only the entries inside its window.
    const { runner, calls } = replayRunner(fixture(MOJAVE));
    const store = fileCheckpointStore(mkdtempSync(join(tmpdir(), 'wp-state-')));
    const probe = createShutdownsProbe({ platform: 'darwin' });
    const now = at('2019-01-16T18:00:00Z');
    const samples = [];
    for (let run = 0; run < 6; run++) {
      const session = store.session('shutdowns');
      samples.push(...(await probe.collect({ ...context(runner), now: () => now, checkpoints: session })));
      store.commit('shutdowns', session.staged());
    }
    // 24 h back from 18:00Z: the hard shutdowns logged 2019-01-15 19:35:21Z and 2019-01-16 16:53:30Z, once each.
    expect(samples).toEqual([
      {
        measurement: 'shutdowns',
        time: at('2019-01-15T19:35:21.823Z'),
        tags: { kind: 'unexpected_shutdown' },
        fields: { message: 'Previous shutdown cause: 3', cause: new Int(3), cause_text: 'hard shutdown: the power button was held' },
      },
      {
        measurement: 'shutdowns',
        time: at('2019-01-16T16:53:30.840Z'),
        tags: { kind: 'unexpected_shutdown' },
        fields: { message: 'Previous shutdown cause: 3', cause: new Int(3), cause_text: 'hard shutdown: the power button was held' },
      },
    ]);
    const windows = ['2019-01-15 18:00:00', '2019-01-16 00:00:00', '2019-01-16 06:00:00', '2019-01-16 12:00:00', '2019-01-16 17:59:00'];
    expect(calls).toEqual(
      windows.slice(0, -1).map((start, i) => ({
        command: 'log',
        args: ['show', '--start', `${start}+0000`, '--end', `${windows[i + 1]}+0000`, '--predicate', SHUTDOWN_CAUSE_PREDICATE],
      })),
    );
    expect(calls[0]!.args[2]).toBe(formatUnifiedTime(at('2019-01-15T18:00:00Z')));
    expect(store.session('shutdowns').get('log_ms')).toBe(at('2019-01-16T17:59:00Z'));
  });

  it('a run whose samples were not acked reads the same window again', async () => {
    const { runner, calls } = replayRunner(fixture(MOJAVE));
    const store = fileCheckpointStore(mkdtempSync(join(tmpdir(), 'wp-state-')));
    store.commit('shutdowns', { log_ms: at('2019-01-16T12:00:00Z') });
    const probe = createShutdownsProbe({ platform: 'darwin' });
    const ctx = () => ({ ...context(runner), now: () => at('2019-01-16T18:00:00Z'), checkpoints: store.session('shutdowns') });
    const first = await probe.collect(ctx());
    expect(await probe.collect(ctx())).toEqual(first); // nothing committed in between
    expect(first.map((s) => s.time)).toEqual([at('2019-01-16T16:53:30.840Z')]);
    expect(calls[1]).toEqual(calls[0]);
  });
});

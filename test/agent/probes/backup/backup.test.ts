// The backup probe's pure parts on real captures (test/fixtures/windows/backup/, test/fixtures/darwin/backup/, labelled
// in test/fixtures/README.md) and its macOS and Linux paths through a runner that answers with those captures. The
// Windows script itself runs on pwsh in backup-pwsh.test.ts.
import { describe, expect, it } from 'vitest';
import { createBackupProbe, findingSample, summarySample } from '../../../../agent/src/probes/backup/backup.js';
import { PRODUCTS, productOfInstalled, psPattern, serviceState } from '../../../../agent/src/probes/backup/backup-products.js';
import { parseDestinationInfo, parseLatestBackup } from '../../../../agent/src/probes/backup/time-machine.js';
import { windowsFindings, type WindowsBackupReply } from '../../../../agent/src/probes/backup/windows-backup.js';
import type { Runner } from '../../../../agent/src/exec/runner.js';
import { int, type SampleDraft } from '../../../../agent/src/sample.js';
import { context, fixture } from '../fixtures.js';

/** UTC wall time as the "local" zone, so the expected instants do not depend on the test machine's zone. */
const utc = (y: number, mo: number, d: number, h: number, mi: number, s: number) => Date.UTC(y, mo - 1, d, h, mi, s);

describe('tmutil destinationinfo', () => {
  it('a network destination (a real capture): its name, kind, mount point and id', () => {
    expect(parseDestinationInfo(fixture('darwin/backup/tmutil-destinationinfo-afp-network.txt'))).toEqual([
      { name: 'time_mach', kind: 'Network', mountPoint: '/Volumes/time_mach-1', id: 'C17BD870-304F-4FDB-AF6D-3A78B24729AB' },
    ]);
  });

  it('"No destinations configured" is no destination; other text is not understood (null)', () => {
    expect(parseDestinationInfo(fixture('darwin/backup/tmutil-destinationinfo-none.txt'))).toEqual([]);
    expect(parseDestinationInfo('tmutil: destinationinfo requires Full Disk Access privileges.\n')).toBeNull();
    expect(parseDestinationInfo('')).toBeNull();
  });
});

describe('tmutil latestbackup', () => {
  it('an HFS+ destination: the backup folder name is its local start time', () => {
    expect(parseLatestBackup(fixture('darwin/backup/tmutil-latestbackup-hfs.txt'), utc)).toEqual({
      time: utc(2011, 8, 26, 10, 45, 14),
      path: '/Volumes/bakvol/Backups.backupdb/mymac/2011-08-26-104514',
    });
  });

  it('an APFS destination (macOS 11+): <time>.backup/<time>.backup', () => {
    const parsed = parseLatestBackup(fixture('darwin/backup/tmutil-latestbackup-apfs.txt'), utc);
    expect(parsed).toMatchObject({ time: utc(2022, 2, 22, 11, 38, 46) });
  });

  it('in the machine’s own zone by default (the zone tmutil wrote it in)', () => {
    const parsed = parseLatestBackup('/Volumes/bakvol/Backups.backupdb/mymac/2011-08-26-104514\n');
    expect(parsed).toEqual({ time: new Date(2011, 7, 26, 10, 45, 14).getTime(), path: '/Volumes/bakvol/Backups.backupdb/mymac/2011-08-26-104514' });
  });

  it.each([
    ['tmutil-latestbackup-full-disk-access.txt', 'full_disk_access', 'tmutil: latestbackup requires Full Disk Access privileges.'],
    ['tmutil-latestbackup-mount-failed.txt', 'destination_unavailable', /^Failed to mount backup destination, error: Error Domain=com\.apple\.backupd/],
  ])('%s: no backup, and why', (file, problem, message) => {
    const parsed = parseLatestBackup(fixture(`darwin/backup/${file}`), utc);
    expect(parsed).toEqual({ problem, message: expect.stringMatching(message instanceof RegExp ? message : `^${message.replace(/\./g, '\\.')}$`) });
  });

  it('nothing listed, or unknown text', () => {
    expect(parseLatestBackup('\n')).toEqual({ problem: 'no_backup', message: 'no backup listed' });
    expect(parseLatestBackup('Unable to locate machine directory for host.\n')).toMatchObject({ problem: 'no_backup' });
    expect(parseLatestBackup('/Volumes/x/not-a-backup\n')).toEqual({ problem: 'unrecognised', message: '/Volumes/x/not-a-backup' });
  });
});

describe('known products (presence)', () => {
  it.each([
    ['Veeam Agent for Microsoft Windows', 'Veeam Agent for Microsoft Windows'],
    ['Veeam Backup & Replication', 'Veeam Backup & Replication'],
    ['Datto Windows Agent', 'Datto Backup Agent'],
    ['StorageCraft ShadowProtect SPX', 'StorageCraft ShadowProtect'],
    ['Acronis Cyber Protect Agent', 'Acronis Cyber Protect'],
    ['Backup Manager', 'N-able Cove Backup Manager'],
    ['Axcient x360Recover Agent', 'Axcient x360Recover'],
    ['Veritas Backup Exec Remote Agent for Windows', 'Veritas Backup Exec'],
  ])('%s -> %s', (displayName, product) => {
    expect(productOfInstalled(displayName)?.product).toBe(product);
  });

  it.each(['Datto RMM', 'Veeam Backup & Replication Console Uninstaller', 'Microsoft Edge', 'Acronis Disk Director', ''])(
    '%j is not a backup product',
    (name) => {
      expect(productOfInstalled(name)).toBeUndefined();
    },
  );

  it('service state: every matching service running, none, or some', () => {
    const cove = PRODUCTS.find((p) => p.product === 'N-able Cove Backup Manager')!;
    const row = (name: string, status: string) => ({ name, displayName: name, status });
    expect(serviceState(cove, [row('Backup Service Controller', 'Running')])).toBe('running');
    expect(serviceState(cove, [row('Backup Service Controller', 'Stopped')])).toBe('stopped');
    expect(serviceState(cove, [row('Spooler', 'Running')])).toBeUndefined();
    const acronis = PRODUCTS.find((p) => p.product === 'Acronis Cyber Protect')!;
    expect(serviceState(acronis, [row('Acronis Managed Machine Service', 'Running'), row('Acronis Scheduler2 Service', 'Stopped')])).toBe('partial');
  });

  it('the PowerShell pattern is the same rule: every product pattern as one alternation', () => {
    const combined = new RegExp(psPattern(PRODUCTS.map((p) => p.installed)), 'i');
    for (const name of ['Datto Windows Agent', 'Backup Manager', 'Veritas Backup Exec']) expect(combined.test(name)).toBe(true);
    expect(combined.test('Datto RMM')).toBe(false);
  });
});

const XML_50 = /<Event [\s\S]*<\/Event>/.exec(fixture('windows/backup/microsoft-windows-backup-50-eventviewer-copy.txt'))![0];
const DESCRIPTION_50 = /^Description:\n(.*)$/m.exec(fixture('windows/backup/microsoft-windows-backup-50-eventviewer-copy.txt'))![1]!;
const XML_5 = fixture('windows/backup/microsoft-windows-backup-5-excerpt.xml');
/** The success event 4 as the captured 5 with its id and level changed (no capture of a 4's XML was found). */
const xml4 = (systemTime: string) =>
  XML_5.replace('<EventID>5</EventID>', '<EventID>4</EventID>')
    .replace('<Level>2</Level>', '<Level>4</Level>')
    .replace(/SystemTime="[^"]*"/, `SystemTime="${systemTime}"`);

describe('Windows: the script’s reply -> findings', () => {
  it('Windows Server Backup: the newest success and the newest finished run (the captured failure)', () => {
    const reply: WindowsBackupReply = {
      logs: [
        {
          key: 'wsb',
          ok: { xml: xml4('2019-10-09T00:03:10.0000000Z'), msg: 'The backup operation has finished successfully.' },
          last: { xml: XML_5, msg: null },
        },
      ],
      sw: [],
      svc: [],
      errors: [],
    };
    expect(windowsFindings(reply)).toEqual({
      findings: [
        {
          product: 'Windows Server Backup',
          detectedBy: 'events',
          lastResult: 'failed',
          lastSuccess: Date.parse('2019-10-09T00:03:10Z'),
          lastAttempt: Date.parse('2019-10-10T00:02:42.902Z'),
        },
      ],
      errors: [],
    });
  });

  it('the captured event 50 (not enough space) with its Event Viewer description as the message', () => {
    const { findings } = windowsFindings({ logs: { key: 'wsb', ok: null, last: { xml: XML_50, msg: DESCRIPTION_50 } } });
    expect(findings).toEqual([
      {
        product: 'Windows Server Backup',
        detectedBy: 'events',
        lastResult: 'failed',
        lastAttempt: Date.parse('2011-08-11T04:12:45.396Z'),
        message: DESCRIPTION_50,
      },
    ]);
  });

  it('a log that holds no finished run: detected, result unknown', () => {
    expect(windowsFindings({ logs: [{ key: 'veeam-br', ok: null, last: null }] }).findings).toEqual([
      { product: 'Veeam Backup & Replication', detectedBy: 'events', lastResult: 'unknown', message: 'no finished backup in the log' },
    ]);
  });

  it('presence only: installed programs of known products, their version and service state; others ignored', () => {
    const reply: WindowsBackupReply = {
      logs: [],
      sw: [
        { name: 'Acronis Cyber Protect Agent', version: '15.0.36432' },
        { name: 'Acronis Cyber Protect Agent Core', version: '' },
        { name: 'Datto RMM', version: '4.4' },
      ],
      svc: [
        { name: 'MMS', display: 'Acronis Managed Machine Service', status: 'Running' },
        { name: 'AcrSch2Svc', display: 'Acronis Scheduler2 Service', status: 'Running' },
      ],
      errors: ['services: Access is denied'],
    };
    expect(windowsFindings(reply)).toEqual({
      findings: [
        {
          product: 'Acronis Cyber Protect',
          detectedBy: 'presence',
          lastResult: 'unknown',
          displayName: 'Acronis Cyber Protect Agent',
          version: '15.0.36432',
          serviceState: 'running',
          message: 'presence only: this product’s results are not read',
        },
      ],
      errors: ['services: Access is denied'],
    });
  });

  it('refuses a reply of another shape', () => {
    expect(() => windowsFindings([] as never)).toThrow(/unexpected PowerShell output/);
    expect(() => windowsFindings(null as never)).toThrow(/unexpected PowerShell output/);
  });
});

describe('samples', () => {
  it('a finding: unix seconds, running beside service_state', () => {
    expect(
      findingSample({
        product: 'Veeam Agent for Microsoft Windows',
        detectedBy: 'events',
        lastResult: 'warning',
        lastSuccess: 1_700_000_000_999,
        lastAttempt: 1_700_086_400_000,
        message: 'Veeam Agent Backup Job finished with Warning.',
        serviceState: 'stopped',
        version: '6.1.0.349',
        displayName: 'Veeam Agent for Microsoft Windows',
      }),
    ).toEqual({
      measurement: 'backup',
      tags: { product: 'Veeam Agent for Microsoft Windows' },
      fields: {
        detected_by: 'events',
        last_result: 'warning',
        last_success: int(1_700_000_000),
        last_attempt: int(1_700_086_400),
        message: 'Veeam Agent Backup Job finished with Warning.',
        service_state: 'stopped',
        running: false,
        version: '6.1.0.349',
        display_name: 'Veeam Agent for Microsoft Windows',
      },
    });
  });

  it('the summary: products, detectable, read errors, the newest success of all, the first error', () => {
    const findings = [
      { product: 'A', detectedBy: 'events' as const, lastResult: 'success' as const, lastSuccess: 2_000_000 },
      { product: 'B', detectedBy: 'presence' as const, lastResult: 'unknown' as const },
      { product: 'C', detectedBy: 'events' as const, lastResult: 'failed' as const, lastSuccess: 1_000_000 },
    ];
    expect(summarySample(findings, true, ['services: denied'])).toEqual({
      measurement: 'backup',
      fields: { products: int(3), detectable: true, read_errors: int(1), last_success: int(2000), message: 'services: denied' },
    });
    expect(summarySample([], true, [])).toEqual({ measurement: 'backup', fields: { products: int(0), detectable: true, read_errors: int(0) } });
  });
});

/** A runner answering `tmutil <verb>` with captured output; a file prefixed `!` is a failed command with that stderr. */
function tmutilRunner(answers: Record<string, string | Error>): { runner: Runner; calls: string[] } {
  const calls: string[] = [];
  const runner: Runner = async (command, args) => {
    calls.push(`${command} ${args.join(' ')}`);
    if (command !== 'tmutil') throw new Error(`unexpected command ${command}`);
    const answer = answers[args[0]!];
    if (answer === undefined) throw new Error(`unexpected verb ${args[0]}`);
    if (answer instanceof Error) throw answer;
    return { stdout: answer, stderr: '' };
  };
  return { runner, calls };
}
const enoent = () => Object.assign(new Error('spawn tmutil ENOENT'), { code: 'ENOENT' });
/** What Node's execFile rejects with for a non-zero exit: "Command failed: <command line>\n<stderr>". */
const failed = (verb: string, stderr: string) => Object.assign(new Error(`Command failed: tmutil ${verb}\n${stderr}`), { code: 80 });

describe('the probe on macOS (Time Machine)', () => {
  const collect = async (answers: Record<string, string | Error>): Promise<{ samples: SampleDraft[]; calls: string[] }> => {
    const { runner, calls } = tmutilRunner(answers);
    return { samples: await createBackupProbe({ platform: 'darwin' }).collect(context(runner)), calls };
  };
  const summary = (products: number, extra: Record<string, unknown> = {}) => ({
    measurement: 'backup',
    fields: { products: int(products), detectable: true, read_errors: int(0), ...extra },
  });

  it('a configured destination and a backup: success at the backup’s time', async () => {
    const { samples, calls } = await collect({
      destinationinfo: fixture('darwin/backup/tmutil-destinationinfo-afp-network.txt'),
      latestbackup: fixture('darwin/backup/tmutil-latestbackup-hfs.txt'),
    });
    const time = new Date(2011, 7, 26, 10, 45, 14).getTime() / 1000;
    expect(samples).toEqual([
      summary(1, { last_success: int(time) }),
      {
        measurement: 'backup',
        tags: { product: 'Time Machine' },
        fields: { detected_by: 'tmutil', last_result: 'success', last_success: int(time), destinations: int(1) },
      },
    ]);
    expect(calls).toEqual(['tmutil destinationinfo', 'tmutil latestbackup']);
  });

  it('no destination configured: no Time Machine point, latestbackup not asked, the summary says none', async () => {
    const { samples, calls } = await collect({ destinationinfo: fixture('darwin/backup/tmutil-destinationinfo-none.txt') });
    expect(samples).toEqual([summary(0)]);
    expect(calls).toEqual(['tmutil destinationinfo']);
  });

  it.each([
    ['without Full Disk Access (exit 0, the text on stdout)', fixture('darwin/backup/tmutil-latestbackup-full-disk-access.txt'), 'full_disk_access'],
    [
      'without Full Disk Access (a non-zero exit, the text on stderr)',
      failed('latestbackup', 'tmutil: latestbackup requires Full Disk Access privileges.\n'),
      'full_disk_access',
    ],
    ['with the destination unplugged', fixture('darwin/backup/tmutil-latestbackup-mount-failed.txt'), 'destination_unavailable'],
  ])('configured, %s: unknown, and why', async (_what, latest, problem) => {
    const { samples } = await collect({ destinationinfo: fixture('darwin/backup/tmutil-destinationinfo-afp-network.txt'), latestbackup: latest });
    expect(samples[1]).toEqual({
      measurement: 'backup',
      tags: { product: 'Time Machine' },
      fields: { detected_by: 'tmutil', last_result: 'unknown', destinations: int(1), message: expect.stringContaining(`tmutil latestbackup (${problem}): `) },
    });
    expect(samples[0]).toEqual(summary(1));
  });

  it('destinationinfo failing: an error in the summary; a listed backup is still reported', async () => {
    const denied = failed('destinationinfo', 'tmutil: destinationinfo requires Full Disk Access privileges.\n');
    const { samples } = await collect({ destinationinfo: denied, latestbackup: fixture('darwin/backup/tmutil-latestbackup-apfs.txt') });
    expect(samples[0]!.fields).toMatchObject({
      products: int(1),
      read_errors: int(1),
      message: expect.stringMatching(/^tmutil destinationinfo: Command failed/),
    });
    expect(samples[1]!.fields).toMatchObject({ last_result: 'success' });
    expect(samples[1]!.fields.destinations).toBeUndefined();
    const { samples: none } = await collect({ destinationinfo: denied, latestbackup: fixture('darwin/backup/tmutil-latestbackup-full-disk-access.txt') });
    expect(none).toEqual([{ measurement: 'backup', fields: expect.objectContaining({ products: int(0), read_errors: int(1) }) }]);
  });

  it('no tmutil at all: nothing detectable', async () => {
    const { samples } = await collect({ destinationinfo: enoent() });
    expect(samples).toEqual([{ measurement: 'backup', fields: { products: int(0), detectable: false, read_errors: int(0) } }]);
  });
});

describe('the probe elsewhere', () => {
  it('Linux: the summary only, detectable false (nothing is read)', async () => {
    expect(await createBackupProbe({ platform: 'linux' }).collect(context())).toEqual([
      { measurement: 'backup', fields: { products: int(0), detectable: false, read_errors: int(0) } },
    ]);
  });

  it('Windows without the worker fails the run', async () => {
    await expect(createBackupProbe({ platform: 'win32' }).collect(context())).rejects.toThrow(/PowerShell worker/);
  });

  it('runs hourly at minute 23', () => {
    expect(createBackupProbe().schedule).toBe('0 23 * * * *');
  });
});

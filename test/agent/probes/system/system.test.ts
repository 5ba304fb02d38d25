import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSystemProbe, formatUptime } from '../../../../agent/src/probes/system/system.js';
import { Int } from '../../../../agent/src/sample.js';
import { context, LINUX_PROC } from '../fixtures.js';

describe('system probe', () => {
  it('reports load, uptime and a boot time consistent with the clock on this machine', async () => {
    const [draft] = await createSystemProbe().collect(context());
    const f = draft!.fields;
    expect(draft?.measurement).toBe('system');
    expect(typeof f.load1).toBe('number');
    expect((f.n_cpus as Int).value).toBe(os.cpus().length);
    const uptime = (f.uptime as Int).value;
    expect(uptime).toBeGreaterThan(0);
    const bootTime = (f.boot_time as Int).value;
    expect(Math.abs(bootTime + uptime - Date.now() / 1000)).toBeLessThan(5);
    expect(f.uptime_format).toBe(formatUptime(uptime));
  });

  it('reads the captured proc files and leaves n_users out without utmp, as Telegraf does', async () => {
    const [draft] = await createSystemProbe({ procRoot: LINUX_PROC, utmpPaths: [] }).collect(context());
    expect(JSON.parse(JSON.stringify(draft?.fields))).toEqual({
      load1: 0.94,
      load5: 0.59,
      load15: 0.29,
      n_cpus: os.cpus().length,
      uptime: 471,
      uptime_format: ' 0:07',
      boot_time: 1795304272,
    });
  });

  it('counts sessions and distinct users in a utmp file written by the real utmpdump', async () => {
    // alice on two terminals, bob on one, a closed session (type 8) and a getty (type 6): 3 sessions, 2 users.
    const text = [
      '[7] [01234] [ts/0] [alice   ] [pts/0       ] [192.0.2.10          ] [192.0.2.10     ] [2024-03-01T09:00:00,000000+00:00]',
      '[7] [01240] [ts/1] [alice   ] [pts/1       ] [192.0.2.11          ] [192.0.2.11     ] [2024-03-01T09:05:00,000000+00:00]',
      '[7] [01250] [tty1] [bob     ] [tty1        ] [                    ] [0.0.0.0        ] [2024-03-01T09:10:00,000000+00:00]',
      '[8] [01260] [ts/2] [        ] [pts/2       ] [                    ] [0.0.0.0        ] [2024-03-01T09:30:00,000000+00:00]',
      '[6] [01270] [tty2] [LOGIN   ] [tty2        ] [                    ] [0.0.0.0        ] [2024-03-01T09:31:00,000000+00:00]',
    ].join('\n');
    const utmp = join(mkdtempSync(join(tmpdir(), 'wp-utmp-')), 'utmp');
    writeFileSync(utmp, execFileSync('utmpdump', ['-r'], { input: `${text}\n`, stdio: ['pipe', 'pipe', 'ignore'] }));
    const [draft] = await createSystemProbe({ procRoot: LINUX_PROC, utmpPaths: ['/nonexistent/utmp', utmp] }).collect(context());
    expect(JSON.parse(JSON.stringify(draft?.fields))).toMatchObject({ n_users: 3, n_unique_users: 2 });
  });

  it('leaves the load fields out on Windows, where os.loadavg() has none', async () => {
    const [draft] = await createSystemProbe({ platform: 'win32' }).collect(context());
    expect(Object.keys(draft!.fields).sort()).toEqual(['boot_time', 'n_cpus', 'uptime', 'uptime_format']);
  });
});

describe("formatUptime: Telegraf's uptime_format", () => {
  it.each([
    [0, ' 0:00'],
    [59, ' 0:00'],
    [7_380, ' 2:03'],
    [36_000, '10:00'],
    [86_400 + 7_380, '1 day,  2:03'],
    [86_399, '23:59'],
    [2 * 86_400, '2 days,  0:00'],
    // Telegraf's README example: uptime=1249632i, uptime_format="14 days, 11:07"
    [1_249_632, '14 days, 11:07'],
  ])('%i s -> "%s"', (seconds, text) => {
    expect(formatUptime(seconds)).toBe(text);
  });
});

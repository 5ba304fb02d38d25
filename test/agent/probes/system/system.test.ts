import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { createSystemProbe } from '../../../../agent/src/probes/system/system.js';
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
  });

  it('reads the captured proc files and leaves n_users out without utmp, as Telegraf does', async () => {
    const [draft] = await createSystemProbe({ procRoot: LINUX_PROC, utmpPaths: [] }).collect(context());
    expect(JSON.parse(JSON.stringify(draft?.fields))).toEqual({
      load1: 0.94,
      load5: 0.59,
      load15: 0.29,
      n_cpus: os.cpus().length,
      uptime: 471,
      boot_time: 1795304272,
    });
  });

  it('leaves the load fields out on Windows, where os.loadavg() has none', async () => {
    const [draft] = await createSystemProbe({ platform: 'win32' }).collect(context());
    expect(Object.keys(draft!.fields).sort()).toEqual(['boot_time', 'n_cpus', 'uptime']);
  });
});

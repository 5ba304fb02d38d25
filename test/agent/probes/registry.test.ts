import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateSchedule } from '../../../agent/src/scheduler/triggers.js';
import { describe, expect, it } from 'vitest';
import { probes } from '../../../agent/src/probes/index.js';

describe('probe registry', () => {
  it('holds every probe', () => {
    expect(Object.keys(probes).sort()).toEqual([
      'activation',
      'antivirus',
      'backup',
      'cpu',
      'disk',
      'diskio',
      'eventlog',
      'inventory',
      'kernel',
      'mem',
      'net',
      'netstat',
      'password_policy',
      'patches',
      'processes',
      'raid',
      'remote_access',
      'services',
      'shutdowns',
      'swap',
      'system',
      'ups',
    ]);
  });

  // The default schedules: performance every minute, disk 5 min, event logs every minute, patches 4 h, antivirus 1 h,
  // inventory, password_policy, remote_access and activation 12 h (a central policy can change each one).
  it.each([
    ['cpu', '0 * * * * *'],
    ['mem', '0 * * * * *'],
    ['net', '0 * * * * *'],
    ['system', '0 * * * * *'],
    ['processes', '0 * * * * *'],
    ['kernel', '0 * * * * *'],
    ['netstat', '0 * * * * *'],
    ['diskio', '0 * * * * *'],
    ['swap', '0 * * * * *'],
    ['disk', '0 */5 * * * *'],
    ['eventlog', '0 * * * * *'],
    ['patches', '0 0 */4 * * *'],
    ['antivirus', '0 0 * * * *'],
    ['backup', '0 23 * * * *'],
    ['raid', '0 37 * * * *'],
    ['ups', '0 29 * * * *'],
    ['inventory', '0 0 */12 * * *'],
    ['password_policy', '0 0 */12 * * *'],
    ['remote_access', '0 0 */12 * * *'],
    ['activation', '0 0 */12 * * *'],
  ])('%s runs on %s by default', (name, schedule) => {
    expect(probes[name as keyof typeof probes]().schedule).toBe(schedule);
  });

  it.each(Object.entries(probes))('%s: name equals its key and its schedule is a valid cron expression', (key, factory) => {
    const probe = factory();
    expect(probe.name).toBe(key);
    expect(() => validateSchedule(key, { cron: probe.schedule })).not.toThrow();
  });

  // The convention: a probe's key is its folder and its file, probes/<key>/<key>.ts, which exports the factory.
  it.each(Object.entries(probes))('%s: its factory is exported by probes/<key>/<key>.ts', async (key, factory) => {
    const file = fileURLToPath(new URL(`../../../agent/src/probes/${key}/${key}.ts`, import.meta.url));
    expect(existsSync(file)).toBe(true);
    const module = (await import(file)) as Record<string, unknown>;
    expect(Object.values(module)).toContain(factory);
  });
});

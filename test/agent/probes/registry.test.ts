import { validate } from 'node-cron';
import { describe, expect, it } from 'vitest';
import { probes } from '../../../agent/src/probes/index.js';

describe('probe registry', () => {
  it('holds the first probes', () => {
    expect(Object.keys(probes).sort()).toEqual(['cpu', 'disk', 'inventory', 'mem', 'net', 'system']);
  });

  it.each(Object.entries(probes))('%s: name equals its key and its schedule is a valid node-cron expression', (key, factory) => {
    const probe = factory();
    expect(probe.name).toBe(key);
    expect(validate(probe.schedule)).toBe(true);
  });
});

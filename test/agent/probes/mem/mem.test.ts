import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { createMemProbe } from '../../../../agent/src/probes/mem/mem.js';
import { Int } from '../../../../agent/src/sample.js';
import { context, fixture, LINUX_PROC, replayRunner } from '../fixtures.js';

describe('mem probe', () => {
  it('reports plausible memory of this machine', async () => {
    const [draft] = await createMemProbe().collect(context());
    expect(draft?.measurement).toBe('mem');
    const f = draft!.fields;
    expect((f.total as Int).value).toBe(os.totalmem());
    expect((f.available as Int).value).toBeGreaterThan(0);
    expect((f.available as Int).value).toBeLessThanOrEqual(os.totalmem());
    expect(f.used_percent as number).toBeGreaterThan(0);
    expect(f.used_percent as number).toBeLessThan(100);
  });

  it('reads the injected proc root', async () => {
    const [draft] = await createMemProbe({ procRoot: LINUX_PROC }).collect(context());
    expect((draft?.fields.total as Int).value).toBe(24684092 * 1024);
  });

  it('runs vm_stat once on macOS', async () => {
    const { runner, calls } = replayRunner(fixture('darwin/vm_stat.txt'));
    const [draft] = await createMemProbe({ platform: 'darwin' }).collect(context(runner));
    expect(calls).toEqual([{ command: 'vm_stat', args: [] }]);
    expect((draft?.fields.free as Int).value).toBe(10069 * 16384);
    expect(Object.keys(draft!.fields)).toContain('wired');
  });

  it('uses os.* alone on Windows, with the five fields Telegraf writes there', async () => {
    const [draft] = await createMemProbe({ platform: 'win32' }).collect(context());
    expect(Object.keys(draft!.fields).sort()).toEqual(['available', 'available_percent', 'total', 'used', 'used_percent']);
  });
});

import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { createCpuProbe } from '../../../../agent/src/probes/cpu/cpu.js';
import { context, LINUX_PROC } from '../fixtures.js';

const STATES = ['usage_user', 'usage_system', 'usage_idle', 'usage_nice', 'usage_iowait', 'usage_irq', 'usage_softirq', 'usage_steal'];

describe('cpu probe', () => {
  it('yields per-core and cpu-total percentages on its first (one-shot) collection on this machine', async () => {
    const drafts = await createCpuProbe().collect(context());
    // A core whose counters did not move in the interval has no honest percentage and is left out.
    const names = drafts.map((d) => d.tags?.cpu);
    expect(names.at(-1)).toBe('cpu-total');
    expect(os.cpus().map((_, i) => `cpu${i}`)).toEqual(expect.arrayContaining(names.slice(0, -1)));
    for (const draft of drafts) {
      expect(draft.measurement).toBe('cpu');
      const sum = STATES.reduce((s, k) => s + (draft.fields[k] as number), 0);
      expect(sum).toBeCloseTo(100, 6);
      expect(Object.values(draft.fields).every((v) => typeof v === 'number' && v >= 0 && v <= 100)).toBe(true);
    }
  });

  it('uses os.cpus() where /proc/stat is not available, with the same tags', async () => {
    const drafts = await createCpuProbe({ platform: 'win32' }).collect(context());
    expect(drafts.map((d) => d.tags?.cpu).at(-1)).toBe('cpu-total');
    expect(drafts.length).toBeLessThanOrEqual(os.cpus().length + 1);
  });

  it('reports nothing rather than a made-up value when no CPU time elapsed', async () => {
    // The same captured file read twice: zero elapsed jiffies.
    const probe = createCpuProbe({ procRoot: LINUX_PROC, baselineMs: 0 });
    expect(await probe.collect(context())).toEqual([]);
  });

  it('stops waiting for its baseline when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(createCpuProbe().collect(context(undefined, controller.signal))).rejects.toThrow(/abort/i);
  });
});

// The series budget: distinct tag sets per agent and measurement, and per agent in all; known series always pass;
// a series unseen for a window gives its place back when the agent needs it; idle agents are forgotten.
import { describe, expect, it } from 'vitest';
import type { watchpost } from '../../../../proto/index.js';
import { createSeriesBudget, type SeriesBudgetOptions } from '../../../../collector/src/agent-link/admission/series-budget.js';
import { AGENT_MEASUREMENTS } from '../../../../collector/src/agent-link/admission/catalogue.js';

const DAY = 86_400_000;
const T = Date.UTC(2026, 0, 5);
const disk = (path: string, extra: watchpost.v1.ITag[] = []): watchpost.v1.ISample => ({
  measurement: 'disk',
  timeMs: T,
  tags: [{ key: 'path', value: path }, { key: 'fstype', value: 'ext4' }, ...extra],
  fields: [{ key: 'free', int: 1 }],
});
const cpu = (name: string): watchpost.v1.ISample => ({
  measurement: 'cpu',
  timeMs: T,
  tags: [{ key: 'cpu', value: name }],
  fields: [{ key: 'usage_idle', float: 1 }],
});
const budget = (over: Partial<SeriesBudgetOptions> = {}) => createSeriesBudget({ perMeasurement: 3, perAgent: 5, windowMs: 30 * DAY, ...over });

describe('series budget', () => {
  it('admits up to the budget per measurement; a new series beyond it is refused, a known one still passes', () => {
    const b = budget();
    for (const path of ['/a', '/b', '/c']) expect(b.forAgent('agent-1', T).admit(disk(path))).toBeUndefined();
    expect(b.forAgent('agent-1', T).admit(disk('/d'))).toEqual({ reason: 'series_budget', detail: 'disk: over the budget of 3 series per measurement' });
    expect(b.forAgent('agent-1', T + 1).admit(disk('/a'))).toBeUndefined();
    // Other measurements and other agents have their own counts.
    expect(b.forAgent('agent-1', T).admit(cpu('cpu0'))).toBeUndefined();
    expect(b.forAgent('agent-2', T).admit(disk('/d'))).toBeUndefined();
  });

  it("refuses a new series beyond the agent's budget over all its measurements", () => {
    const b = budget();
    for (const path of ['/a', '/b', '/c']) b.forAgent('agent-1', T).admit(disk(path));
    for (const name of ['cpu0', 'cpu1']) expect(b.forAgent('agent-1', T).admit(cpu(name))).toBeUndefined();
    expect(b.forAgent('agent-1', T).admit(cpu('cpu2'))).toEqual({ reason: 'series_budget', detail: "cpu: over the agent's budget of 5 series" });
    expect(b.usage()).toMatchObject({ agents: 1, series: 5 });
  });

  it('keys a series as InfluxDB does: tag order, host, tenant and empty values do not make a new one', () => {
    const b = budget({ perMeasurement: 1 });
    expect(b.forAgent('agent-1', T).admit(disk('/a'))).toBeUndefined();
    const reordered: watchpost.v1.ISample = { ...disk('/a'), tags: [...disk('/a').tags!].reverse() };
    expect(b.forAgent('agent-1', T).admit(reordered)).toBeUndefined();
    expect(
      b.forAgent('agent-1', T).admit(
        disk('/a', [
          { key: 'host', value: 'other' },
          { key: 'tenant', value: 'x' },
          { key: 'mode', value: '' },
        ]),
      ),
    ).toBeUndefined();
    expect(b.forAgent('agent-1', T).admit(disk('/a', [{ key: 'mode', value: 'rw' }]))).toMatchObject({ reason: 'series_budget' });
  });

  it('tells apart tag sets whose keys and values run together alike', () => {
    const b = budget({ perMeasurement: 10 });
    const one: watchpost.v1.ISample = { measurement: 'disk', tags: [{ key: 'a', value: 'bc' }], fields: [] };
    const two: watchpost.v1.ISample = { measurement: 'disk', tags: [{ key: 'ab', value: 'c' }], fields: [] };
    b.forAgent('agent-1', T).admit(one);
    b.forAgent('agent-1', T).admit(two);
    expect(b.usage().series).toBe(2);
  });

  it('keeps every series as its table grows', () => {
    const b = budget({ perMeasurement: 5_000, perAgent: 5_000 });
    for (let i = 0; i < 2_000; i++) expect(b.forAgent('agent-1', T).admit(disk(`/v${i}`))).toBeUndefined();
    expect(b.usage().series).toBe(2_000);
    for (let i = 0; i < 2_000; i++) b.forAgent('agent-1', T + 1).admit(disk(`/v${i}`));
    expect(b.usage().series).toBe(2_000);
  });

  it('a series unseen for a window gives its place back when the agent needs the room', () => {
    const b = budget();
    for (const path of ['/a', '/b', '/c']) b.forAgent('agent-1', T).admit(disk(path));
    for (let day = 1; day <= 31; day++) b.forAgent('agent-1', T + day * DAY).admit(disk('/a')); // /a keeps coming
    expect(b.forAgent('agent-1', T + 31 * DAY).admit(disk('/d'))).toBeUndefined(); // /b and /c were last seen 31 days ago
    expect(b.forAgent('agent-1', T + 31 * DAY).admit(disk('/e'))).toBeUndefined();
    expect(b.forAgent('agent-1', T + 31 * DAY).admit(disk('/f'))).toMatchObject({ reason: 'series_budget' });
    expect(b.usage().series).toBe(3);
  });

  it('with a window of 0 a series is never forgotten', () => {
    const b = budget({ windowMs: 0 });
    for (const path of ['/a', '/b', '/c']) b.forAgent('agent-1', T).admit(disk(path));
    expect(b.forAgent('agent-1', T + 365 * DAY).admit(disk('/d'))).toMatchObject({ reason: 'series_budget' });
  });

  it('forgets an agent that sent nothing for a window', () => {
    const b = budget();
    b.forAgent('idle', T).admit(disk('/a'));
    b.forAgent('busy', T).admit(disk('/a'));
    expect(b.usage().agents).toBe(2);
    b.forAgent('busy', T + 32 * DAY).admit(disk('/a'));
    expect(b.usage().agents).toBe(1);
  });

  it('holds about 20 bytes per series: 150 series fit in a few kilobytes', () => {
    const b = budget({ perMeasurement: 1_000, perAgent: 5_000 });
    for (let i = 0; i < 100; i++) b.forAgent('agent-1', T).admit(disk(`/v${i}`));
    for (let i = 0; i < 50; i++) b.forAgent('agent-1', T).admit(cpu(`cpu${i}`));
    const { series, bytes } = b.usage();
    expect(series).toBe(150);
    // 256 slots of 12 bytes, and one 4-byte count per measurement of the catalogue.
    expect(bytes).toBeLessThanOrEqual(256 * 12 + 4 * Object.keys(AGENT_MEASUREMENTS).length);
  });
});

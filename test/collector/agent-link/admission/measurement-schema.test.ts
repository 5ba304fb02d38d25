// The measurement schema's verdicts, as a table: the catalogue's measurements with their field types, the
// collector's own measurements, the agents' namespace with types pinned at first sight, everything else refused.
import { describe, expect, it } from 'vitest';
import { wire, type watchpost } from '../../../../proto/index.js';
import { createMeasurementSchema } from '../../../../collector/src/agent-link/admission/measurement-schema.js';
import { AGENT_MEASUREMENTS, COLLECTOR_MEASUREMENTS, CUSTOM_PREFIX } from '../../../../collector/src/agent-link/admission/catalogue.js';
import { MAX_NAME_LENGTH } from '../../../../collector/src/influx/line-protocol.js';

type Field = watchpost.v1.IField;
const sample = (measurement: string, ...fields: Field[]): watchpost.v1.ISample => ({ measurement, timeMs: 1, tags: [], fields });
/** As the collector sees it: decoded from the wire (the oneof's `value` names the member). */
const decoded = (s: watchpost.v1.ISample) => wire.Sample.decode(wire.Sample.encode(s).finish());

describe('the catalogue', () => {
  const schema = createMeasurementSchema();
  it.each([
    ['cpu usage_idle as a float', sample('cpu', { key: 'usage_idle', float: 97.5 }, { key: 'usage_user', float: 1 })],
    ['disk free as an integer, used_percent as a float', sample('disk', { key: 'free', int: 5 }, { key: 'used_percent', float: 50 })],
    ['inventory strings and integers', sample('inventory', { key: 'os_family', str: 'linux' }, { key: 'os_ubr', int: 3 })],
    ['a boolean', sample('patches', { key: 'reboot_pending', bool: false })],
    ['a field without a value (left to the mapping)', sample('cpu', { key: 'usage_idle' })],
  ])('admits %s', (_, s) => {
    expect(schema.check(s)).toBeUndefined();
    expect(schema.check(decoded(s))).toBeUndefined();
  });

  it.each([
    ['cpu usage_idle as a string', sample('cpu', { key: 'usage_idle', str: 'pwned' }), 'cpu usage_idle is string, the schema says float'],
    [
      'cpu usage_idle as an integer',
      sample('cpu', { key: 'usage_idle', float: 1 }, { key: 'usage_user', int: 1 }),
      'cpu usage_user is integer, the schema says float',
    ],
    ['disk free as a float', sample('disk', { key: 'free', float: 1.5 }), 'disk free is float, the schema says integer'],
    [
      'a field the catalogue does not list',
      sample('mem', { key: 'used_percent', float: 1 }, { key: 'extra', float: 1 }),
      'mem has no field extra in the schema',
    ],
  ])('refuses %s (field_type)', (_, s, detail) => {
    expect(schema.check(s)).toEqual({ reason: 'field_type', detail });
    expect(schema.check(decoded(s))).toEqual({ reason: 'field_type', detail });
  });

  it.each([...COLLECTOR_MEASUREMENTS])('refuses %s from an agent (collector_measurement)', (measurement) => {
    expect(schema.check(sample(measurement, { key: 'status', str: 'supported' }))).toEqual({
      reason: 'collector_measurement',
      detail: `${measurement} is written by the collector only`,
    });
  });

  it('refuses a measurement outside the catalogue and the namespace (unknown_measurement), with its name shortened', () => {
    expect(schema.check(sample('cpu2', { key: 'x', float: 1 }))).toEqual({
      reason: 'unknown_measurement',
      detail: `cpu2 is not in the schema (custom measurements start with ${CUSTOM_PREFIX})`,
    });
    expect(schema.check(sample('x'.repeat(10_000), { key: 'x', float: 1 }))?.detail).toBe(
      `${'x'.repeat(64)}… is not in the schema (custom measurements start with ${CUSTOM_PREFIX})`,
    );
  });

  it('lists no measurement both as an agent one and as a collector one, and no custom one', () => {
    for (const m of Object.keys(AGENT_MEASUREMENTS)) {
      expect(COLLECTOR_MEASUREMENTS.has(m), m).toBe(false);
      expect(m.startsWith(CUSTOM_PREFIX), m).toBe(false);
    }
  });
});

describe("the agents' namespace", () => {
  it('pins each field at first sight; a later sample with another type is refused, other fields still pin', () => {
    const schema = createMeasurementSchema();
    expect(schema.check(sample('custom_backup', { key: 'duration_s', float: 12.5 }, { key: 'ok', bool: true }))).toBeUndefined();
    expect(schema.check(sample('custom_backup', { key: 'duration_s', float: 13 }, { key: 'job', str: 'nightly' }))).toBeUndefined();
    expect(schema.check(decoded(sample('custom_backup', { key: 'duration_s', str: 'slow' })))).toEqual({
      reason: 'field_type',
      detail: 'custom_backup duration_s is string, the schema says float',
    });
    expect(schema.check(sample('custom_backup', { key: 'job', int: 3 }))).toEqual({
      reason: 'field_type',
      detail: 'custom_backup job is integer, the schema says string',
    });
    // Another measurement of the namespace has its own types.
    expect(schema.check(sample('custom_other', { key: 'duration_s', str: 'slow' }))).toBeUndefined();
    expect(schema.pinnedFields()).toBe(4);
  });

  it('a refused sample pins nothing', () => {
    const schema = createMeasurementSchema();
    schema.check(sample('custom_a', { key: 'f', float: 1 }));
    expect(schema.check(sample('custom_a', { key: 'g', str: 'new' }, { key: 'f', str: 'conflict' }))).toMatchObject({ reason: 'field_type' });
    expect(schema.check(sample('custom_a', { key: 'g', int: 1 }))).toBeUndefined();
    expect(schema.pinnedFields()).toBe(2);
  });

  it('pins at most maxPinnedFields; beyond, new fields are refused and pinned ones still pass', () => {
    const schema = createMeasurementSchema({ maxPinnedFields: 3 });
    expect(schema.check(sample('custom_a', { key: 'a', float: 1 }, { key: 'b', float: 1 }))).toBeUndefined();
    expect(schema.check(sample('custom_b', { key: 'a', float: 1 }, { key: 'b', float: 1 }))).toEqual({
      reason: 'field_type',
      detail: 'custom_b: the collector already pins 2 custom fields (at most 3)',
    });
    expect(schema.check(sample('custom_b', { key: 'a', float: 1 }))).toBeUndefined();
    expect(schema.check(sample('custom_c', { key: 'a', float: 1 }))).toMatchObject({ reason: 'field_type' });
    expect(schema.check(sample('custom_a', { key: 'b', float: 2 }))).toBeUndefined();
    expect(schema.pinnedFields()).toBe(3);
  });

  it('does not pin names the mapping refuses for their length (they never reach InfluxDB)', () => {
    const schema = createMeasurementSchema();
    const long = 'x'.repeat(MAX_NAME_LENGTH + 1);
    expect(schema.check(sample(`custom_${long}`, { key: 'f', float: 1 }))).toBeUndefined();
    expect(schema.check(sample('custom_a', { key: long, float: 1 }))).toBeUndefined();
    expect(schema.pinnedFields()).toBe(0);
  });
});

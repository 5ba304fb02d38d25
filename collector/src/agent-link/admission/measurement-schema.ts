// Whether an agent may write a sample's measurement and field types (the catalogue in catalogue.ts).
//
// Contract:
//   - check() is pure for the catalogue's measurements and the collector's; it remembers only the field types it
//     pinned in the agents' namespace (CUSTOM_PREFIX), shared by every agent of this collector.
//   - A sample is refused whole, never trimmed: the agent learns its count from the Ack, and a sample written
//     without one of its fields would be a different fact.
//   - A field without a value is left to the line-protocol mapping (field_without_value).
//
// A field the catalogue does not list for one of its measurements is refused (field_type), not pinned, because:
//   1. the measurement is shared by every tenant: a type pinned at first sight would be chosen by whichever agent
//      sends the field first, which is the poisoning this check exists to stop, moved to the next new field;
//   2. agents and collector ship from one tree, so the collector knows every field its agents' versions write; an
//      agent newer than its collector (a field added since) has those samples refused, and counted, until the
//      collector is upgraded: upgrade the collector first, as the protocol's version rule already asks.
// In the agents' namespace the collector pins each field's type at first sight, bounded by MAX_PINNED_FIELDS, and
// refuses a later sample with another type, as InfluxDB would, but before InfluxDB has to; the namespace is shared
// by every tenant like any measurement, so there the first type seen wins (after a restart, the first one since).
import type { watchpost } from '../../../../proto/index.js';
import { MAX_NAME_LENGTH } from '../../influx/line-protocol.js';
import { AGENT_MEASUREMENTS, COLLECTOR_MEASUREMENTS, CUSTOM_PREFIX, type FieldType, type FieldTypes } from './catalogue.js';

/** Field types pinned in the agents' namespace, over every measurement there (about 100 bytes each). */
export const MAX_PINNED_FIELDS = 10_000;

export type SchemaReason = 'unknown_measurement' | 'collector_measurement' | 'field_type';

/** Why a sample was refused: the reason (a metrics label) and one line for the log and the Ack. */
export interface SchemaRefusal {
  reason: SchemaReason;
  detail: string;
}

export interface MeasurementSchema {
  /** undefined when the sample may be written. */
  check(sample: watchpost.v1.ISample): SchemaRefusal | undefined;
  /** Fields pinned in the agents' namespace so far. */
  pinnedFields(): number;
}

type WireField = watchpost.v1.IField;
/** The wire's oneof member names, one per InfluxDB type. */
type WireKind = 'float' | 'int' | 'str' | 'bool';

const TYPE_OF: Readonly<Record<WireKind, FieldType>> = { float: 'float', int: 'integer', str: 'string', bool: 'boolean' };
const KIND_OF: Readonly<Record<FieldType, WireKind>> = { float: 'float', integer: 'int', string: 'str', boolean: 'bool' };

/** The catalogue as maps of wire kinds: one lookup per field on the hot path. */
function compile(catalogue: Readonly<Record<string, FieldTypes>>): Map<string, Map<string, WireKind>> {
  const compiled = new Map<string, Map<string, WireKind>>();
  for (const [measurement, types] of Object.entries(catalogue)) {
    const fields = new Map<string, WireKind>();
    for (const [type, names] of Object.entries(types) as [FieldType, readonly string[]][]) {
      for (const name of names) {
        if (fields.has(name)) throw new Error(`catalogue: ${measurement}.${name} is listed twice`);
        fields.set(name, KIND_OF[type]);
      }
    }
    compiled.set(measurement, fields);
  }
  return compiled;
}

/** The oneof member that is set, read member by member: a decoded message's `value` getter would do the same
 *  through Object.keys(), an allocation per field. */
function kindOf(field: WireField): WireKind | undefined {
  return field.float != null ? 'float' : field.int != null ? 'int' : field.str != null ? 'str' : field.bool != null ? 'bool' : undefined;
}

/** An agent's name in a log line or an Ack: enough to recognise it, never a whole megabyte. */
export const clip = (text: string): string => (text.length > 64 ? `${text.slice(0, 64)}…` : text);

const mismatch = (measurement: string, key: string, kind: WireKind, expected: WireKind | undefined): SchemaRefusal => ({
  reason: 'field_type',
  detail:
    expected === undefined
      ? `${clip(measurement)} has no field ${clip(key)} in the schema`
      : `${clip(measurement)} ${clip(key)} is ${TYPE_OF[kind]}, the schema says ${TYPE_OF[expected]}`,
});

export function createMeasurementSchema(options: { maxPinnedFields?: number } = {}): MeasurementSchema {
  const known = compile(AGENT_MEASUREMENTS);
  const maxPinned = options.maxPinnedFields ?? MAX_PINNED_FIELDS;
  const pinned = new Map<string, Map<string, WireKind>>();
  let pinnedCount = 0;

  function checkKnown(measurement: string, schema: Map<string, WireKind>, fields: readonly WireField[]): SchemaRefusal | undefined {
    for (const field of fields) {
      const kind = kindOf(field);
      if (kind === undefined) continue;
      const expected = schema.get(field.key ?? '');
      if (expected !== kind) return mismatch(measurement, field.key ?? '', kind, expected);
    }
    return undefined;
  }

  /** Checks every field first, then pins the new ones: a refused sample pins nothing. A name the mapping will
   *  refuse (too long) is not pinned, so pins hold only names InfluxDB could store. */
  function checkCustom(measurement: string, fields: readonly WireField[]): SchemaRefusal | undefined {
    if (measurement.length > MAX_NAME_LENGTH) return undefined; // the mapping refuses it: name_too_long
    const types = pinned.get(measurement);
    let fresh = 0;
    for (const field of fields) {
      const kind = kindOf(field);
      if (kind === undefined) continue;
      const key = field.key ?? '';
      if (key.length > MAX_NAME_LENGTH) return undefined; // the mapping refuses it
      const expected = types?.get(key);
      if (expected === undefined) fresh++;
      else if (expected !== kind) return mismatch(measurement, field.key ?? '', kind, expected);
    }
    if (fresh === 0) return undefined;
    if (pinnedCount + fresh > maxPinned) {
      return { reason: 'field_type', detail: `${clip(measurement)}: the collector already pins ${pinnedCount} custom fields (at most ${maxPinned})` };
    }
    const into = types ?? new Map<string, WireKind>();
    if (!types) pinned.set(measurement, into);
    for (const field of fields) {
      const kind = kindOf(field);
      const key = field.key ?? '';
      if (kind !== undefined && !into.has(key)) {
        into.set(key, kind);
        pinnedCount++;
      }
    }
    return undefined;
  }

  return {
    check(sample) {
      const measurement = sample.measurement ?? '';
      const fields = sample.fields ?? [];
      const schema = known.get(measurement);
      if (schema) return checkKnown(measurement, schema, fields);
      if (COLLECTOR_MEASUREMENTS.has(measurement)) return { reason: 'collector_measurement', detail: `${measurement} is written by the collector only` };
      if (measurement.startsWith(CUSTOM_PREFIX)) return checkCustom(measurement, fields);
      return { reason: 'unknown_measurement', detail: `${clip(measurement)} is not in the schema (custom measurements start with ${CUSTOM_PREFIX})` };
    },
    pinnedFields: () => pinnedCount,
  };
}

// Sample -> wire message. Pure; the Int wrapper decides integer versus float.
import { wire, type watchpost } from '../../../proto/index.js';
import { Int, type Sample, type FieldValue } from '../sample.js';

function encodeField(key: string, value: FieldValue): watchpost.v1.IField {
  if (value instanceof Int) return { key, int: value.value };
  if (typeof value === 'number') return { key, float: value };
  if (typeof value === 'boolean') return { key, bool: value };
  return { key, str: value };
}

export function toWireSample(sample: Sample): watchpost.v1.ISample {
  return {
    measurement: sample.measurement,
    timeMs: sample.time,
    tags: Object.entries(sample.tags).map(([key, value]) => ({ key, value })),
    fields: Object.entries(sample.fields).map(([key, value]) => encodeField(key, value)),
  };
}

/** The bytes of one Envelope{batch}: what the spool keeps and the link sends unchanged. */
export function encodeBatch(seq: number, samples: readonly Sample[]): Uint8Array {
  return wire.Envelope.encode({ batch: { seq, samples: samples.map(toWireSample) } }).finish();
}

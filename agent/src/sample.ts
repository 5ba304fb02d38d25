// A sample is one point as the agent produces it: Telegraf's shape (measurement, tags, fields, time).

/** An integer field value (InfluxDB `i` type). Plain numbers are floats; Telegraf's integer fields must stay integers
 *  or InfluxDB refuses later writes of the same field with a type conflict. Serializes to a plain JSON number. */
export class Int {
  readonly value: number;
  constructor(value: number) {
    this.value = Math.trunc(value);
  }
  toJSON(): number {
    return this.value;
  }
}

export const int = (value: number): Int => new Int(value);

export type FieldValue = number | Int | string | boolean;

export interface Sample {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  /** Unix milliseconds, set when the value was measured. */
  time: number;
}

/** What a probe returns: the core adds the `host` and `tenant` tags, and `time` when the probe left it out. */
export interface SampleDraft {
  measurement: string;
  tags?: Record<string, string>;
  fields: Record<string, FieldValue>;
  time?: number;
}

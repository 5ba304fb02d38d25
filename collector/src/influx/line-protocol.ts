// Decoded wire samples -> InfluxDB 1.x line protocol (precision ms). Pure: no I/O, no clock (the caller passes now).
//
// Contract:
//   - Every sample comes from the network and may be hostile: a sample that InfluxDB would refuse, misread or
//     silently drop is rejected here with a reason, never thrown on. One bad sample does not affect the others.
//   - The `host` and `tenant` tags are always the authenticated identity's: whatever the agent sent under those
//     keys is replaced, so an agent cannot write into another tenant or impersonate another host.
//   - Tags are sorted by key (InfluxDB's recommendation: it saves the server a sort per point). Empty tag values
//     are dropped, as Telegraf does (InfluxDB cannot store them).
//   - Points older than the retention policy are not checked here: InfluxDB refuses them (a 400 partial write),
//     which the writer reports as not retryable.
//
// Encoding. InfluxDB 1.6 (models/points.go) reads a body with readers that disagree about a backslash. Its line
// splitter (scanLine) and field scanners take `\` as "skip the next byte" and, after the first unescaped space,
// follow `=`, `,` and `"` to know whether a line feed is inside a string. Its key parsers (scanMeasurement,
// scanTagsKey/Value, scanTo) take a byte as escaped when the byte before it is `\`. Names are then unescaped by
// replacing `\,` `\ ` `\=` (tags), `\,` `\ ` `\=` `\"` (measurement names, field keys). So a raw `\` before a
// separator (`a\ b`, written `a\\ b`) ends the key for the splitter but not for the parser: a later `"` opens a
// string for the splitter only, a line feed in a real string field then ends the line, and the rest of the string
// is a line of the agent's choosing, in any tenant (a field key `k\="` even makes influxd 1.6 panic). The rules:
//   1. Names and tag values: `,` and space, and `=` except in measurement names, are written `\,` `\ ` `\=`;
//      every other character as it is, `\` included (`\C:`, `\\server\share`).
//   2. A `\` in a name or tag value must be followed by a character that no reader stops at or unescapes: not
//      `,`, space, `=` or `"`, and not the end of the text (it would escape the separator written next). Then
//      each `,` space `=` `"` of a line's key and field keys directly follows either a `\` the encoder wrote,
//      itself after a byte that is not `\` (escaped for every reader), or a byte that is not `\` (unescaped for
//      every reader). A raw `\` only precedes ordinary characters, which no reader stops at whether it skips them
//      or not, and no unescaping touches it: each reader gets back the text as it was sent.
//   3. Control characters (U+0000-U+001F, U+007F) in names and tag values are refused: a line feed ends a line
//      outside a string, InfluxDB skips a TAB or NUL at the start of a line or of the fields as white space (a
//      measurement `\tcpu` would be stored as `cpu`), and none belongs in a name.
//   4. A measurement starting with `#` is refused: the line would be a comment, and `\#` is not unescaped.
//   5. A lone UTF-16 surrogate in a name or tag value is refused: UTF-8 cannot carry it (it would be stored as
//      U+FFFD, merging distinct names).
//   6. String field values are quoted, with `\` and `"` written `\\` and `\"`, everything else as it is (line
//      breaks, TAB, NUL, any script). Every `\` inside is the first byte of one of those pairs, which the
//      splitter, the field scanners and the string unescaping all read as one escaped byte: all find the same
//      closing quote, and a line feed inside is inside the string for the splitter too. Numbers, booleans and
//      the timestamp contain none of these characters.
//   7. Field keys `host` and `tenant` are refused: InfluxQL's `WHERE tenant = '...'` reads a field of that name
//      in the tag's place, which would put an agent's points in another tenant's queries.
//   8. The identity's values are held to rules 2, 3 and 5; if one fails, every sample of the batch is refused.
// Verdicts are kept per distinct name (VerdictCache), so the rules cost one regular expression test per new name
// (and per tag value too long to keep), not per point.
import type { watchpost } from '../../../proto/index.js';

/** Longest measurement name, tag key or field key, in UTF-16 units. */
export const MAX_NAME_LENGTH = 256;
/** Longest tag value. Tags are indexed; long values belong in string fields. */
export const MAX_TAG_VALUE_LENGTH = 1024;
export const MAX_TAGS = 64;
export const MAX_FIELDS = 256;
/** Longest string field value (64 KiB, in UTF-16 units): room for an event log message, not for a file. */
export const MAX_STRING_LENGTH = 64 * 1024;
/** Longest series key (measurement and tags as written, in UTF-8 bytes): InfluxDB 1.x refuses longer ones. */
export const MAX_SERIES_KEY_BYTES = 65_535;
/** How far ahead of the collector's clock a sample may be stamped (agents' clocks drift). */
export const MAX_FUTURE_SKEW_MS = 15 * 60_000;
/** Earliest accepted time (2000-01-01): anything older is a clock that was never set (a dead CMOS battery). */
export const MIN_TIME_MS = Date.UTC(2000, 0, 1);
/** Tags the collector sets from the authenticated agent record. */
const IDENTITY_TAGS: ReadonlySet<string> = new Set(['host', 'tenant']);
/** Keys refused: InfluxDB 1.x reserves `time`; a field named like an identity tag would stand in for it in
 *  InfluxQL conditions (rule 7). Tags under the identity keys never get here: they are replaced. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['time', ...IDENTITY_TAGS]);

export type SampleRejection =
  | 'empty_name' // measurement, tag key or field key is empty
  | 'name_too_long' // over MAX_NAME_LENGTH
  | 'unencodable' // a control character, a backslash before `,` `=` space `"` or at the end, a lone surrogate, or a
  //                 measurement starting with '#' (a comment line): see the encoding rules above
  | 'reserved_key' // a tag or field named `time`, a field named `host` or `tenant`
  | 'duplicate_key' // the same tag key or field key twice
  | 'too_many_tags'
  | 'too_many_fields'
  | 'tag_value_too_long'
  | 'series_key_too_long' // measurement and tags longer than MAX_SERIES_KEY_BYTES
  | 'no_fields'
  | 'field_without_value'
  | 'non_finite_number' // NaN or +-Infinity
  | 'bad_integer' // an `int` field that is not a safe integer
  | 'string_too_long'
  | 'bad_time' // missing, not finite, or before MIN_TIME_MS
  | 'time_in_future' // more than MAX_FUTURE_SKEW_MS ahead of now
  | 'bad_identity'; // the batch's host or tenant cannot be encoded (every sample of the batch is refused)

export interface Identity {
  host: string;
  tenant: string;
}

export interface MappingOptions {
  /** The collector's clock, unix ms (for the future-skew check). Default Date.now(). */
  nowMs?: number;
}

export interface MappingResult {
  lines: string[];
  rejected: { index: number; reason: SampleRejection }[];
}

type WireSample = watchpost.v1.Sample.$Properties;
type WireField = watchpost.v1.Field.$Properties;
type Outcome = { line: string } | { reason: SampleRejection };

export function samplesToLines(samples: readonly WireSample[], identity: Identity, options: MappingOptions = {}): MappingResult {
  const nowMs = options.nowMs ?? Date.now();
  const result: MappingResult = { lines: [], rejected: [] };
  const ready = readyIdentity(identity);
  if (!ready) {
    samples.forEach((_, index) => result.rejected.push({ index, reason: 'bad_identity' }));
    return result;
  }
  samples.forEach((sample, index) => {
    const outcome = sampleToLine(sample, ready, nowMs);
    if ('line' in outcome) result.lines.push(outcome.line);
    else result.rejected.push({ index, reason: outcome.reason });
  });
  return result;
}

/** The identity's two tags, escaped once per batch rather than once per point. */
interface ReadyIdentity {
  host: ReadyTag;
  tenant: ReadyTag;
}

function readyIdentity(identity: Identity): ReadyIdentity | undefined {
  const host = identityTag('host', identity.host);
  const tenant = identityTag('tenant', identity.tenant);
  return host && tenant ? { host, tenant } : undefined;
}

function sampleToLine(sample: WireSample, identity: ReadyIdentity, nowMs: number): Outcome {
  const measurement = MEASUREMENTS.get(sample.measurement ?? '');
  if (!measurement.ok) return { reason: measurement.reason };
  const time = checkTime(sample.timeMs, nowMs);
  if (typeof time !== 'number') return time;
  const tags = tagSection(sample.tags ?? [], identity);
  if (typeof tags !== 'string') return tags;
  // Below a third of the limit in UTF-16 units the key cannot exceed it in UTF-8 (at most 3 bytes per unit).
  const keyLength = measurement.escaped.length + tags.length;
  if (keyLength > MAX_SERIES_KEY_BYTES / 3 && Buffer.byteLength(measurement.escaped + tags) > MAX_SERIES_KEY_BYTES) return { reason: 'series_key_too_long' };
  const fields = fieldSection(sample.fields ?? []);
  if (typeof fields !== 'string') return fields;
  return { line: measurement.escaped + tags + ' ' + fields + ' ' + time };
}

function checkTime(timeMs: number | null | undefined, nowMs: number): number | { reason: SampleRejection } {
  if (typeof timeMs !== 'number' || !Number.isFinite(timeMs) || timeMs < MIN_TIME_MS) return { reason: 'bad_time' };
  if (timeMs > nowMs + MAX_FUTURE_SKEW_MS) return { reason: 'time_in_future' };
  return Math.round(timeMs);
}

/**
 * Judging and escaping a name is most of the mapping's cost, and names repeat on every point (the same few dozen
 * measurements, tag keys and field keys; host-bound tag values such as interface names), so each verdict is kept.
 * A cache is cleared when it reaches its size, and keeps only texts up to its length (longer ones are judged each
 * time): both bound its memory against an agent sending endless new, or huge, names.
 */
const NAME_CACHE_SIZE = 20_000;
type Verdict = { ok: true; escaped: string } | { ok: false; reason: SampleRejection };

class VerdictCache {
  private readonly verdicts = new Map<string, Verdict>();
  constructor(
    private readonly judge: (text: string) => Verdict,
    private readonly maxLength: number,
  ) {}
  get(text: string): Verdict {
    if (text.length > this.maxLength) return this.judge(text);
    let verdict = this.verdicts.get(text);
    if (verdict === undefined) {
      verdict = this.judge(text);
      if (this.verdicts.size >= NAME_CACHE_SIZE) this.verdicts.clear();
      this.verdicts.set(text, verdict);
    }
    return verdict;
  }
}

const verdict = (reason: SampleRejection | undefined, escaped: () => string): Verdict => (reason ? { ok: false, reason } : { ok: true, escaped: escaped() });
/** Names over MAX_NAME_LENGTH are refused, so only valid lengths are kept. */
const MEASUREMENTS = new VerdictCache(
  (name) => verdict(checkName(name) ?? (name.startsWith('#') ? 'unencodable' : undefined), () => escapeMeasurement(name)),
  MAX_NAME_LENGTH,
);
/** Tag keys and field keys. */
const KEYS = new VerdictCache((key) => verdict(checkKey(key), () => escapeKey(key)), MAX_NAME_LENGTH);
/** Tag values longer than this are judged every time, not cached (they rarely repeat). */
const CACHED_TAG_VALUE_LENGTH = 128;
const TAG_VALUES = new VerdictCache((value) => verdict(checkTagValue(value), () => escapeKey(value)), CACHED_TAG_VALUE_LENGTH);

/** One tag ready to print: sorted by its raw key, printed escaped. */
interface ReadyTag {
  key: string;
  text: string; // `,key=value`, escaped
}

/** The `,k=v,...` part (with a leading comma per tag), identity tags included, sorted by key. */
function tagSection(wireTags: readonly watchpost.v1.Tag.$Properties[], identity: ReadyIdentity): string | { reason: SampleRejection } {
  if (wireTags.length > MAX_TAGS) return { reason: 'too_many_tags' };
  const tags: ReadyTag[] = [];
  for (const tag of wireTags) {
    const key = tag.key ?? '';
    if (IDENTITY_TAGS.has(key)) continue; // replaced below, so not worth judging
    const keyVerdict = KEYS.get(key);
    if (!keyVerdict.ok) return { reason: keyVerdict.reason };
    if (tags.some((t) => t.key === key)) return { reason: 'duplicate_key' };
    const value = tag.value ?? '';
    const valueVerdict = TAG_VALUES.get(value);
    if (!valueVerdict.ok) return { reason: valueVerdict.reason };
    // Empty values are dropped (InfluxDB cannot store them), after the key was judged and counted as seen.
    tags.push({ key, text: value === '' ? '' : ',' + keyVerdict.escaped + '=' + valueVerdict.escaped });
  }
  tags.push(identity.host, identity.tenant);
  sortByKey(tags);
  let text = '';
  for (const tag of tags) text += tag.text;
  return text;
}

/** The identity tag ready to print, or undefined when its value cannot be encoded. An empty value is left out
 *  (the collector's own points may have no host). */
function identityTag(key: 'host' | 'tenant', value: string): ReadyTag | undefined {
  const judged = TAG_VALUES.get(value);
  if (!judged.ok) return undefined;
  return { key, text: value === '' ? '' : `,${key}=${judged.escaped}` };
}

/** Insertion sort by raw key (UTF-16 order, as Array.prototype.sort): tags are few and usually nearly sorted. */
function sortByKey(tags: ReadyTag[]): void {
  for (let i = 1; i < tags.length; i++) {
    const tag = tags[i]!;
    let j = i - 1;
    while (j >= 0 && tags[j]!.key > tag.key) {
      tags[j + 1] = tags[j]!;
      j--;
    }
    tags[j + 1] = tag;
  }
}

/** Above this many fields a Set finds duplicates; below, a scan of what was seen is cheaper. */
const SCAN_FIELDS = 16;

function fieldSection(wireFields: readonly WireField[]): string | { reason: SampleRejection } {
  if (wireFields.length === 0) return { reason: 'no_fields' };
  if (wireFields.length > MAX_FIELDS) return { reason: 'too_many_fields' };
  const seen = wireFields.length > SCAN_FIELDS ? new Set<string>() : undefined;
  let text = '';
  for (let i = 0; i < wireFields.length; i++) {
    const field = wireFields[i]!;
    const key = field.key ?? '';
    const keyVerdict = KEYS.get(key);
    if (!keyVerdict.ok) return { reason: keyVerdict.reason };
    if (seen ? seen.has(key) : repeated(wireFields, i, key)) return { reason: 'duplicate_key' };
    seen?.add(key);
    const value = fieldValue(field);
    if (typeof value !== 'string') return value;
    text += (i === 0 ? '' : ',') + keyVerdict.escaped + '=' + value;
  }
  return text;
}

function repeated(fields: readonly WireField[], before: number, key: string): boolean {
  for (let j = 0; j < before; j++) if ((fields[j]!.key ?? '') === key) return true;
  return false;
}

/** The field's value in line protocol syntax. The oneof's `value` discriminator names the member when the
 *  message was decoded; a plain object (tests, JSON) is read member by member. */
function fieldValue(field: WireField): string | { reason: SampleRejection } {
  const kind = field.value ?? (field.float != null ? 'float' : field.int != null ? 'int' : field.str != null ? 'str' : field.bool != null ? 'bool' : undefined);
  const raw = kind ? field[kind] : undefined;
  if (raw == null) return { reason: 'field_without_value' };
  if (kind === 'str') return formatString(String(raw));
  if (kind === 'bool') return raw ? 'true' : 'false';
  if (typeof raw !== 'number' || !Number.isFinite(raw)) return { reason: 'non_finite_number' };
  if (kind === 'int') return Number.isSafeInteger(raw) ? raw + 'i' : { reason: 'bad_integer' };
  return String(raw); // JS number text (including 1e+21, 1.5e-7) is valid InfluxDB float syntax
}

const NEEDS_STRING_ESCAPE = /[\\"]/;

function formatString(value: string): string | { reason: SampleRejection } {
  if (value.length > MAX_STRING_LENGTH) return { reason: 'string_too_long' };
  // Inside double quotes only `"` and `\` are special; line breaks are allowed and kept.
  return NEEDS_STRING_ESCAPE.test(value) ? `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"` : `"${value}"`;
}

function checkName(name: string): SampleRejection | undefined {
  if (name === '') return 'empty_name';
  if (name.length > MAX_NAME_LENGTH) return 'name_too_long';
  return unencodable(name) ? 'unencodable' : undefined;
}

function checkKey(key: string): SampleRejection | undefined {
  return checkName(key) ?? (RESERVED_KEYS.has(key) ? 'reserved_key' : undefined);
}

function checkTagValue(value: string): SampleRejection | undefined {
  if (value.length > MAX_TAG_VALUE_LENGTH) return 'tag_value_too_long';
  return unencodable(value) ? 'unencodable' : undefined;
}

/** Encoding rules 2, 3 and 5: a control character, a backslash before `,` `=` space `"` or at the end, or a lone
 *  surrogate (`\p{Cs}` matches only unpaired ones in a `u` expression). */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const UNENCODABLE = /[\u0000-\u001f\u007f]|\\(?:[,= "]|$)|\p{Cs}/u;

function unencodable(text: string): boolean {
  return UNENCODABLE.test(text);
}

export function escapeMeasurement(name: string): string {
  return name.replace(/[, ]/g, (c) => `\\${c}`);
}

/** Escaping for tag keys, tag values and field keys. */
export function escapeKey(text: string): string {
  return text.replace(/[,= ]/g, (c) => `\\${c}`);
}

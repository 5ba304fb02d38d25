// How many series (tag sets) each agent may have per measurement and in all: a sample that would add a series
// beyond either budget is refused, so one agent cannot exhaust InfluxDB's max-values-per-tag (100,000 values of one
// tag key in one measurement, for every tenant) or its series limit.
//
// Contract:
//   - forAgent(id, now).admit(sample) counts a sample's series for its agent, or refuses it when the series is new
//     and a budget is spent. A series the agent already has is always admitted. Call it only for samples that will
//     be written (after the schema and the line-protocol mapping), so refused ones never take a place.
//   - A series counts while points of it keep coming: one that saw none for `windowMs` (the raw retention, by
//     default: by then InfluxDB's raw data has dropped it; the 5-minute rollups of the core measurements keep it
//     for 90 days) stops counting once the agent needs the room. 0: never.
//   - After a collector restart every agent starts from nothing: each may again add up to its budget of series
//     beyond what InfluxDB already holds from before. Rebuilding the counts from InfluxDB (SHOW SERIES per host)
//     would cost every start minutes at fleet scale; a restart is not something an agent can cause.
//   - The series key is the InfluxDB one: the measurement and the tags, sorted, without host and tenant (the
//     agent's own, always the same) and without empty values (the mapping drops them).
//
// Memory, per agent: one open-addressing table of 12 bytes per slot (a 64-bit keyed fingerprint of the tag set,
// and the measurement and when it was last seen), at most 3/4 full, plus a count per measurement and the Map entry.
// Measured by scripts/bench/admission-cost.ts (20,000 agents, each with the 156 series of a real server): 3.1 KiB
// of tables and 3.7-4.0 KiB in all per agent, 71-78 MiB for the fleet. Agents that sent nothing for a window are
// dropped; revoked ones are not tracked apart (their tables go with the window).
import type { watchpost } from '../../../../proto/index.js';
import { AGENT_MEASUREMENTS } from './catalogue.js';
import { createFingerprinter, type Fingerprinter } from './fingerprint.js';
import { clip } from './measurement-schema.js';

/**
 * Defaults (config agents.seriesPerMeasurement, agents.seriesPerAgent, agents.seriesWindow), sized for a real
 * server's largest measurements, each with room to spare:
 *   - cpu: one series per logical CPU plus cpu-total, 257 on a 256-thread server;
 *   - disk: one per real filesystem, a hundred or so on a file, database or Kubernetes node with many volumes;
 *   - net: one per interface that is up, a few hundred on a Hyper-V, VMware or container host (virtual NICs);
 *   - services: one per stopped auto-start service, of the ~300 a Windows server has;
 *   - eventlog: channel x level x source, a few hundred sources on a busy server over a month.
 * 1,000 per measurement fits each; 5,000 per agent fits the sum for the largest server we know of (about 2,000).
 * An agent at its budget adds 1 % of InfluxDB's default max-values-per-tag (100,000) to one tag key: a hundred
 * compromised agents, not one, to reach it (raise InfluxDB's limits for fleets that large anyway).
 */
export const DEFAULT_SERIES_PER_MEASUREMENT = 1_000;
export const DEFAULT_SERIES_PER_AGENT = 5_000;
/** The raw retention's default (influx.retention): a series older than this is gone from InfluxDB's raw data. */
export const DEFAULT_SERIES_WINDOW = '30d';

export interface SeriesBudgetOptions {
  perMeasurement: number;
  perAgent: number;
  /** A series no point of which came for this long stops counting (0: never). */
  windowMs: number;
  fingerprinter?: Fingerprinter;
}

export interface BudgetRefusal {
  reason: 'series_budget';
  detail: string;
}

export interface SeriesBudget {
  /** One agent's budget for one batch, at the collector's time nowMs. */
  forAgent(agentId: string, nowMs: number): AgentBudget;
  /** Agents with a table, their series, and the bytes their tables hold (typed arrays). */
  usage(): { agents: number; series: number; bytes: number };
}

export interface AgentBudget {
  /** undefined when admitted (and counted). */
  admit(sample: watchpost.v1.ISample): BudgetRefusal | undefined;
}

/** A window is this many ticks; a series' last sighting is kept to the tick. */
const TICKS_PER_WINDOW = 30;
const INITIAL_SLOTS = 32;
/** Counts per measurement index: the catalogue's measurements have the first indexes. */
const INITIAL_MEASUREMENTS = Object.keys(AGENT_MEASUREMENTS).length;
const WORDS_PER_SLOT = 3;
const MAX_LOAD = 0.75;
/** Measurement indexes share 16 bits with the tick in a slot's third word (0 = an empty slot). */
const MAX_MEASUREMENTS = 0xfffe;
const IDENTITY_TAGS: ReadonlySet<string> = new Set(['host', 'tenant']);

/** One agent's series. Slot i: words 3i, 3i+1 = fingerprint; 3i+2 = (tick << 16) | (measurement index + 1). */
interface AgentSeries {
  slots: Uint32Array;
  size: number;
  /** Series per measurement index. */
  counts: Uint32Array;
  lastTick: number;
  purgedTick: number;
}

export function createSeriesBudget(options: SeriesBudgetOptions): SeriesBudget {
  const fingerprint = options.fingerprinter ?? createFingerprinter();
  const tickMs = options.windowMs > 0 ? options.windowMs / TICKS_PER_WINDOW : 0;
  const agents = new Map<string, AgentSeries>();
  const measurements = new Map<string, number>(Object.keys(AGENT_MEASUREMENTS).map((m, i) => [m, i]));
  const fp = new Uint32Array(2);
  let sweptTick = -1;

  const tickOf = (nowMs: number): number => (tickMs > 0 ? Math.floor(nowMs / tickMs) & 0xffff : 0);
  const expired = (tick: number, seen: number): boolean => tickMs > 0 && ((tick - seen) & 0xffff) > TICKS_PER_WINDOW;

  function indexOf(measurement: string): number | undefined {
    let index = measurements.get(measurement);
    if (index === undefined && measurements.size < MAX_MEASUREMENTS) measurements.set(measurement, (index = measurements.size));
    return index;
  }

  /** Agents that sent nothing for a window hold only expired series: dropped, at most once a tick. */
  function sweep(tick: number): void {
    if (tick === sweptTick) return;
    sweptTick = tick;
    for (const [id, series] of agents) if (expired(tick, series.lastTick)) agents.delete(id);
  }

  function admit(series: AgentSeries, tick: number, sample: watchpost.v1.ISample): BudgetRefusal | undefined {
    const measurement = sample.measurement ?? '';
    const index = indexOf(measurement);
    if (index === undefined) return { reason: 'series_budget', detail: `the collector tracks at most ${MAX_MEASUREMENTS} measurements` };
    fingerprint.texts(TEXTS, seriesTexts(sample.tags ?? []), fp);
    const meta = ((tick << 16) | (index + 1)) >>> 0;
    if (touch(series, fp, meta)) return undefined;
    let full = over(series, index, options);
    if (full && tickMs > 0 && series.purgedTick !== tick) {
      purge(series, tick, expired);
      full = over(series, index, options);
    }
    if (full) return { reason: 'series_budget', detail: `${clip(measurement)}: ${full}` };
    insert(series, fp, meta, index);
    return undefined;
  }

  return {
    forAgent(agentId, nowMs) {
      const tick = tickOf(nowMs);
      sweep(tick);
      let series = agents.get(agentId);
      if (!series) agents.set(agentId, (series = newSeries()));
      series.lastTick = tick;
      const held = series;
      return { admit: (sample) => admit(held, tick, sample) };
    },
    usage() {
      let series = 0;
      let bytes = 0;
      for (const s of agents.values()) {
        series += s.size;
        bytes += s.slots.byteLength + s.counts.byteLength;
      }
      return { agents: agents.size, series, bytes };
    },
  };
}

/** Which budget a new series of this measurement would exceed, or undefined. */
function over(series: AgentSeries, index: number, budget: SeriesBudgetOptions): string | undefined {
  if ((series.counts[index] ?? 0) >= budget.perMeasurement) return `over the budget of ${budget.perMeasurement} series per measurement`;
  if (series.size >= budget.perAgent) return `over the agent's budget of ${budget.perAgent} series`;
  return undefined;
}

/** The tag set's texts for the fingerprint, reused for every sample (admission is synchronous): key, value, key,
 *  value, ... sorted by key, without host and tenant (the agent's own) and empty values (the mapping drops them). */
const TEXTS: string[] = [];
const TAGS: watchpost.v1.ITag[] = [];

/** Fills TEXTS with the sample's series key and returns how many texts it holds. */
function seriesTexts(tags: readonly watchpost.v1.ITag[]): number {
  let kept = 0;
  for (const tag of tags) {
    if (!tag.value || IDENTITY_TAGS.has(tag.key ?? '')) continue;
    // insertion sort by key: tags are few
    let j = kept++;
    const key = tag.key ?? '';
    while (j > 0 && (TAGS[j - 1]!.key ?? '') > key) {
      TAGS[j] = TAGS[j - 1]!;
      j--;
    }
    TAGS[j] = tag;
  }
  for (let i = 0; i < kept; i++) {
    TEXTS[2 * i] = TAGS[i]!.key ?? '';
    TEXTS[2 * i + 1] = TAGS[i]!.value!;
  }
  return 2 * kept;
}

function newSeries(): AgentSeries {
  return { slots: new Uint32Array(INITIAL_SLOTS * WORDS_PER_SLOT), size: 0, counts: new Uint32Array(INITIAL_MEASUREMENTS), lastTick: 0, purgedTick: -1 };
}

/** The slot where this fingerprint and measurement are, or the empty slot where they would go. */
function find(slots: Uint32Array, fp: Uint32Array, measurementBits: number): number {
  const mask = slots.length / WORDS_PER_SLOT - 1;
  let slot = (fp[0]! ^ Math.imul(measurementBits, 0x9e3779b1)) & mask;
  for (;;) {
    const at = slot * WORDS_PER_SLOT;
    const meta = slots[at + 2]!;
    if (meta === 0 || (slots[at] === fp[0] && slots[at + 1] === fp[1] && (meta & 0xffff) === measurementBits)) return at;
    slot = (slot + 1) & mask;
  }
}

/** A known series: its last sighting is moved to now. */
function touch(series: AgentSeries, fp: Uint32Array, meta: number): boolean {
  const at = find(series.slots, fp, meta & 0xffff);
  if (series.slots[at + 2] === 0) return false;
  series.slots[at + 2] = meta;
  return true;
}

function insert(series: AgentSeries, fp: Uint32Array, meta: number, index: number): void {
  if ((series.size + 1) * WORDS_PER_SLOT > series.slots.length * MAX_LOAD) rehash(series, series.slots.length * 2, () => false);
  const at = find(series.slots, fp, meta & 0xffff);
  series.slots[at] = fp[0]!;
  series.slots[at + 1] = fp[1]!;
  series.slots[at + 2] = meta;
  series.size++;
  if (index >= series.counts.length) {
    const counts = new Uint32Array(Math.max(index + 1, series.counts.length * 2));
    counts.set(series.counts);
    series.counts = counts;
  }
  series.counts[index]!++;
}

/** Drops the series not seen for a window (at most once a tick per agent: the scan is the table's size). */
function purge(series: AgentSeries, tick: number, expired: (tick: number, seen: number) => boolean): void {
  series.purgedTick = tick;
  rehash(series, series.slots.length, (meta) => expired(tick, meta >>> 16));
}

/** Rebuilds the table with `length` words, leaving out the slots `drop` names, and recounts. */
function rehash(series: AgentSeries, length: number, drop: (meta: number) => boolean): void {
  const old = series.slots;
  const slots = new Uint32Array(length);
  const fp = new Uint32Array(2);
  series.counts.fill(0);
  series.size = 0;
  for (let at = 0; at < old.length; at += WORDS_PER_SLOT) {
    const meta = old[at + 2]!;
    if (meta === 0 || drop(meta)) continue;
    fp[0] = old[at]!;
    fp[1] = old[at + 1]!;
    const to = find(slots, fp, meta & 0xffff);
    slots[to] = fp[0];
    slots[to + 1] = fp[1];
    slots[to + 2] = meta;
    series.size++;
    series.counts[(meta & 0xffff) - 1]!++;
  }
  series.slots = slots;
}

// The eventlog probe on Linux, LIVE: real journal files written by systemd-journal-remote, read by the real
// journalctl through the agent's allow-listed runner, with checkpoints committed only when the test "acks".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileCheckpointStore, type CheckpointStore } from '../../../../agent/src/checkpoints/store.js';
import { createEventlogProbe } from '../../../../agent/src/probes/eventlog/eventlog.js';
import type { EventlogOptions } from '../../../../agent/src/probes/eventlog/options.js';
import { execRunner } from '../../../../agent/src/exec/runner.js';
import type { Int, SampleDraft } from '../../../../agent/src/sample.js';
import { writeJournal, type ExportEntry } from './journal-files.js';

const NOW_MS = Date.UTC(2025, 2, 14, 12, 0, 0);
const at = (minutesAgo: number, second = 0): bigint => BigInt(NOW_MS - minutesAgo * 60_000 + second * 1000) * 1000n;
const errors = (count: number, fromMinutesAgo: number, prefix: string): ExportEntry[] =>
  Array.from({ length: count }, (_, i) => ({ realtimeUs: at(fromMinutesAgo, i), priority: 3, identifier: 'app', message: `${prefix} ${i}` }));

function harness(options: EventlogOptions) {
  const store: CheckpointStore = fileCheckpointStore(mkdtempSync(join(tmpdir(), 'wp-eventlog-state-')));
  const probe = createEventlogProbe({ platform: 'linux', ...options });
  let now = NOW_MS;
  /** One run; `ack` commits what it staged, as the agent does when the collector acks the batch. */
  const run = async (ack = true): Promise<SampleDraft[]> => {
    const session = store.session('eventlog');
    const samples = await probe.collect({ signal: new AbortController().signal, runner: execRunner, now: () => now, checkpoints: session });
    if (ack) store.commit('eventlog', session.staged());
    return samples;
  };
  return { run, store, setNow: (ms: number) => (now = ms) };
}

const messages = (samples: SampleDraft[]) => samples.filter((s) => s.measurement === 'eventlog').map((s) => s.fields.message);
const dir = () => mkdtempSync(join(tmpdir(), 'wp-journal-'));

describe('eventlog on journald (real journal files)', () => {
  it('takes only the tail on first start: the newest N of the last 24 h, never older history', async () => {
    const d = dir();
    writeJournal(join(d, 'a.journal'), [...errors(5, 25 * 60, 'old'), ...errors(30, 60, 'recent')]);
    const { run, store } = harness({ journalDirectory: d, firstStartMaxEvents: 10 });
    const first = await run();
    expect(messages(first)).toEqual(Array.from({ length: 10 }, (_, i) => `recent ${20 + i}`));
    expect(store.session('eventlog').get<{ cursor?: string }>('journal')?.cursor).toMatch(/^s=/);
    expect(messages(await run())).toEqual([]); // nothing new after the tail
  });

  it('moves the cursor only after an ack, and caps each run so a backlog trickles in', async () => {
    const d = dir();
    writeJournal(join(d, 'a.journal'), errors(3, 30, 'seed'));
    const { run } = harness({ journalDirectory: d, maxEventsPerRun: 5 });
    await run();
    writeJournal(join(d, 'b.journal'), errors(12, 10, 'new'));
    const unacked = await run(false);
    expect(messages(unacked)).toEqual(['new 0', 'new 1', 'new 2', 'new 3', 'new 4']);
    expect(messages(await run())).toEqual(messages(unacked)); // not acked: read again, same points
    expect(messages(await run())).toEqual(['new 5', 'new 6', 'new 7', 'new 8', 'new 9']);
    expect(messages(await run())).toEqual(['new 10', 'new 11']);
    expect(messages(await run())).toEqual([]);
  });

  it('reports a gap when the checkpoint entry was vacuumed, and does not resend older entries', async () => {
    const d = dir();
    writeJournal(join(d, 'a.journal'), errors(6, 30, 'before'));
    const { run } = harness({ journalDirectory: d });
    expect(messages(await run())).toHaveLength(6);
    rmSync(join(d, 'a.journal')); // vacuumed: the cursor's file is gone
    writeJournal(join(d, 'b.journal'), [...errors(2, 40, 'older than checkpoint'), ...errors(3, 10, 'after')]);
    const samples = await run();
    expect(messages(samples)).toEqual(['after 0', 'after 1', 'after 2']);
    const gaps = samples.filter((s) => s.measurement === 'eventlog_gaps');
    expect(gaps.map((g) => g.tags)).toEqual([{ channel: 'journal', reason: 'cursor_lost' }]);
    expect(String(gaps[0]?.fields.detail)).toContain('no longer in the journal');
    expect(messages(await run())).toEqual([]); // the new cursor holds: no second gap
    expect((await run()).filter((s) => s.measurement === 'eventlog_gaps')).toEqual([]);
  });

  it('maps priorities to level names, filters 0..4 by default, and decodes byte-array messages', async () => {
    const d = dir();
    const base = at(5);
    const entries: ExportEntry[] = Array.from({ length: 8 }, (_, p) => ({
      realtimeUs: base + BigInt(p) * 1000n,
      priority: p,
      identifier: 'prio',
      message: `priority ${p}`,
    }));
    const colour = Buffer.from('\x1b[31mdisk failing\x1b[0m', 'utf8');
    const latin1 = Buffer.from([0x62, 0x61, 0x64, 0x20, 0xff, 0x66, 0x69, 0x6c, 0x65]); // "bad \xff file": not UTF-8
    entries.push({ realtimeUs: base + 9000n, priority: 3, unit: 'smartd.service', message: colour });
    entries.push({ realtimeUs: base + 10_000n, priority: 3, identifier: 'fs', message: latin1 });
    writeJournal(join(d, 'a.journal'), entries);
    const defaults = (await harness({ journalDirectory: d }).run()).filter((s) => s.measurement === 'eventlog');
    expect(defaults.map((s) => [s.fields.message, s.tags?.level])).toEqual([
      ['priority 0', 'critical'],
      ['priority 1', 'critical'],
      ['priority 2', 'critical'],
      ['priority 3', 'error'],
      ['priority 4', 'warning'],
      ['\x1b[31mdisk failing\x1b[0m', 'error'],
      ['bad \ufffdfile', 'error'],
    ]);
    expect(defaults[5]?.tags?.source).toBe('smartd.service'); // no SYSLOG_IDENTIFIER: the unit
    expect(defaults[5]?.fields.unit).toBe('smartd.service');
    const all = (await harness({ journalDirectory: d, levels: ['critical', 'error', 'warning', 'info', 'verbose'] }).run()).filter(
      (s) => s.measurement === 'eventlog',
    );
    expect(all.slice(5, 8).map((s) => s.tags?.level)).toEqual(['info', 'info', 'verbose']);
  });

  it('counts events per minute by channel and level, adding later events to the same minute', async () => {
    const d = dir();
    writeJournal(join(d, 'a.journal'), errors(3, 3, 'e'));
    const { run } = harness({ journalDirectory: d });
    const counts = (samples: SampleDraft[]) =>
      samples.filter((s) => s.measurement === 'eventlog_counts').map((s) => [s.tags?.level, (s.fields.count as Int).value, s.time]);
    const minute = NOW_MS - 3 * 60_000;
    expect(counts(await run())).toEqual([['error', 3, minute]]);
    writeJournal(
      join(d, 'b.journal'),
      errors(2, 3, 'late').map((e) => ({ ...e, realtimeUs: e.realtimeUs + 10_000_000n })),
    );
    expect(counts(await run())).toEqual([['error', 5, minute]]); // the running total: the point replaces the first
  });
});

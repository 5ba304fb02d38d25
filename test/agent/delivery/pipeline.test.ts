// The spool inside the running agent: the disk spool in <stateDir>/spool (memory fallback when that cannot be
// opened), probe samples spooled as soon as a run completes, unacked batches surviving a stop and replayed to a
// real collector by the next start, and the `run` flags and environment that size the spool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent } from '../../../agent/src/agent.js';
import { openSpool, SPOOL_DIR } from '../../../agent/src/delivery/pipeline.js';
import { selfSample, type AgentStatus } from '../../../agent/src/status/report.js';
import { DiskSpool } from '../../../agent/src/delivery/spool/disk.js';
import { MemorySpool } from '../../../agent/src/delivery/spool/memory.js';
import type { Identity } from '../../../agent/src/identity/state.js';
import { Int } from '../../../agent/src/sample.js';
import { wire } from '../../../proto/index.js';
import { RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';
import { cliEnv, runCli } from '../helpers/cli.js';
import { recordingLogger } from '../helpers/recording-log.js';
import { until } from '../helpers/until.js';
import { freePort } from '../../helpers/influxd.js';

const FIRST_RUN_WAIT_MS = 30_000;
const HOUR_MS = 3_600_000;

let collector: TestCollector;
const sink = new RecordingSink();
const dirs: string[] = [];
beforeAll(async () => {
  collector = await startCollector({ sink });
});
afterAll(async () => {
  await collector.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wp-agent-spool-'));
  dirs.push(dir);
  return dir;
}

describe('openSpool', () => {
  it('opens the disk spool in <stateDir>/spool', () => {
    const opened = openSpool(stateDir(), 1024 * 1024, recordingLogger(), () => {});
    expect(opened.kind).toBe('disk');
    expect(opened.spool).toBeInstanceOf(DiskSpool);
    opened.spool.close();
  });

  it('falls back to a memory spool, loudly, when the spool directory cannot be used', () => {
    const dir = stateDir();
    writeFileSync(join(dir, SPOOL_DIR), 'a file where the directory should be');
    const log = recordingLogger();
    const opened = openSpool(dir, 1024 * 1024, log, () => {});
    expect(opened.kind).toBe('memory');
    expect(opened.spool).toBeInstanceOf(MemorySpool);
    expect(opened.error).toContain(join(dir, SPOOL_DIR));
    expect(log.lines.filter((l) => l.level === 'error' && /spooling in memory/.test(l.message))).toHaveLength(1);
  });
});

describe('the agent measurement', () => {
  it('carries the spool kind and the dropped points by reason', () => {
    const status = {
      version: '0.1.0',
      connected: true,
      spool: { batches: 2, bytes: 300, kind: 'disk', error: null },
      counters: {
        pointsProduced: 50,
        pointsAcked: 30,
        pointsDropped: 9,
        pointsRejected: 1,
        pointsDroppedBy: { full: 4, disk_full: 3, io_error: 0, corrupt: 2 },
      },
    } as unknown as AgentStatus;
    // JSON turns Int fields into plain numbers; instanceof Int is what keeps them InfluxDB integers.
    const { fields } = selfSample(status);
    const names = ['spool_batches', 'points_dropped', 'points_dropped_full', 'points_dropped_disk_full', 'points_dropped_io_error', 'points_dropped_corrupt'];
    for (const name of names) expect(fields[name]).toBeInstanceOf(Int);
    expect(JSON.parse(JSON.stringify(fields))).toMatchObject({
      spool_on_disk: true,
      spool_batches: 2,
      points_dropped: 9,
      points_dropped_full: 4,
      points_dropped_disk_full: 3,
      points_dropped_io_error: 0,
      points_dropped_corrupt: 2,
    });
  });
});

describe('the running agent and its disk spool', () => {
  it('spools each run at once, keeps unacked batches across a stop, and the next start replays them to the collector', async () => {
    const dir = stateDir();
    const { agentId, credential } = collector.enroll();
    const identity: Identity = { server: `http://127.0.0.1:${await freePort()}`, agentId, tenant: 'acme', credential, enrolledAt: new Date().toISOString() };
    const offline = startAgent({ identity, stateDir: dir, log: recordingLogger(), everyMs: HOUR_MS });
    // No batcher delay to wait out: a completed run is in the disk spool.
    await until('a probe run in the disk spool', () => offline.status().spool.batches > 0, FIRST_RUN_WAIT_MS);
    await offline.stop();
    const left = offline.status();
    expect(left.spool).toMatchObject({ kind: 'disk', error: null });
    expect(left.counters.pointsProduced).toBeGreaterThan(0);

    const reopened = DiskSpool.open(join(dir, SPOOL_DIR), { log: recordingLogger() });
    const pending = reopened.pending(0, 10_000);
    reopened.close();
    expect(pending).toHaveLength(left.spool.batches);
    expect(pending.reduce((sum, e) => sum + e.points, 0)).toBe(left.counters.pointsProduced);
    const first = wire.Envelope.decode(pending[0]!.bytes);
    expect(first.batch?.seq).toBe(pending[0]!.seq);
    expect(first.batch?.samples?.length).toBe(pending[0]!.points);

    const online = startAgent({ identity: { ...identity, server: collector.baseUrl }, stateDir: dir, log: recordingLogger(), everyMs: HOUR_MS });
    try {
      // Everything acked: the previous run's leftovers plus whatever this run produced.
      const settled = await until(
        'the replayed and the new batches acked',
        () => {
          const s = online.status();
          return s.connected && s.spool.batches === 0 && s.counters.pointsAcked === left.counters.pointsProduced + s.counters.pointsProduced ? s : null;
        },
        FIRST_RUN_WAIT_MS,
        () => online.status(),
      );
      expect(settled.counters.pointsDropped).toBe(0);
    } finally {
      await online.stop();
    }
    const after = DiskSpool.open(join(dir, SPOOL_DIR), { log: recordingLogger() });
    expect(after.pending(0, 10)).toEqual([]);
    expect(after.nextSeq()).toBeGreaterThan(pending.at(-1)!.seq);
    after.close();
  }, 90_000);
});

describe('run --spool-max-size and WATCHPOST_SPOOL_MAX_BYTES', () => {
  it.each([
    [['--spool-max-size', '12M'], {}, /--spool-max-size: invalid size "12M"/],
    [['--spool-max-size', '512KiB'], {}, /--spool-max-size must be at least 1MiB/],
    [[], { WATCHPOST_SPOOL_MAX_BYTES: 'lots' }, /WATCHPOST_SPOOL_MAX_BYTES: invalid size "lots"/],
  ])('%j %j exits 2 naming the flag or variable', async (args, extra, message) => {
    const r = await runCli(['run', ...args], cliEnv({ WATCHPOST_STATE_DIR: stateDir(), ...extra }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('the flag wins over the variable, and a valid size passes on to enrollment checks', async () => {
    const r = await runCli(['run', '--spool-max-size', '64MiB'], cliEnv({ WATCHPOST_STATE_DIR: stateDir(), WATCHPOST_SPOOL_MAX_BYTES: 'lots' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not enrolled');
  });
});

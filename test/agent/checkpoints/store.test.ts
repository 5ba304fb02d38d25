// Checkpoints move only with acks: unit tests of the store, and the whole agent against a real collector whose
// sink first refuses and then accepts.
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKPOINTS_FILE, fileCheckpointStore, throwawayCheckpoints } from '../../../agent/src/checkpoints/store.js';
import { startAgent } from '../../../agent/src/agent.js';
import type { Probe } from '../../../agent/src/probes/probe.js';
import { saveIdentity } from '../../../agent/src/identity/state.js';
import { int } from '../../../agent/src/sample.js';
import { useCollector } from '../../helpers/collector.js';
import { until } from '../../helpers/until.js';
import { recordingLogger } from '../helpers/recording-log.js';

const dir = () => mkdtempSync(join(tmpdir(), 'wp-checkpoints-'));

describe('checkpoint store', () => {
  it('reads committed values, sees its own staged ones, and persists only on commit', () => {
    const d = dir();
    const store = fileCheckpointStore(d);
    const run = store.session('eventlog');
    expect(run.get('System')).toBeUndefined();
    run.stage('System', { recordId: 41 });
    expect(run.get('System')).toEqual({ recordId: 41 });
    expect(store.session('eventlog').get('System')).toBeUndefined(); // not committed: another run does not see it
    expect(existsSync(join(d, CHECKPOINTS_FILE))).toBe(false);
    store.commit('eventlog', run.staged());
    expect(fileCheckpointStore(d).session('eventlog').get('System')).toEqual({ recordId: 41 });
  });

  it('stages a copy, so later changes to the caller object do not leak in', () => {
    const run = fileCheckpointStore(dir()).session('journal');
    const value = { cursor: 'a' };
    run.stage('cursor', value);
    value.cursor = 'b';
    expect(run.staged()).toEqual({ cursor: { cursor: 'a' } });
  });

  it('throwaway checkpoints (collect --once) never keep anything', () => {
    const store = throwawayCheckpoints();
    const run = store.session('eventlog');
    run.stage('System', 1);
    store.commit('eventlog', run.staged());
    expect(store.session('eventlog').get('System')).toBeUndefined();
  });
});

describe('an agent with a checkpointing probe', () => {
  const { collector, sink } = useCollector();

  it('commits a run checkpoint only after the batch carrying its samples is acked', async () => {
    const stateDir = dir();
    const { agentId, credential } = collector().enroll();
    saveIdentity(stateDir, { server: collector().baseUrl, agentId, tenant: 'acme', credential, enrolledAt: new Date().toISOString() });
    let position = 0;
    const reader: Probe = {
      name: 'reader',
      schedule: '* * * * *',
      async collect(ctx) {
        const from = ctx.checkpoints.get<number>('position') ?? 0;
        position = from + 10;
        ctx.checkpoints.stage('position', position);
        return [{ measurement: 'custom_reader', fields: { from: int(from), to: int(position) } }]; // the collector's custom namespace
      },
    };
    const committed = () => (existsSync(join(stateDir, CHECKPOINTS_FILE)) ? JSON.parse(readFileSync(join(stateDir, CHECKPOINTS_FILE), 'utf8')) : {});
    sink.result = { ok: false, retryable: true, reason: 'influx down' };
    const agent = startAgent({
      identity: { server: collector().baseUrl, agentId, tenant: 'acme', credential, enrolledAt: '' },
      stateDir,
      log: recordingLogger(),
      probes: [reader],
      everyMs: 1000,
    });
    try {
      await until(() => agent.status().connected && agent.status().counters.pointsProduced > 0, 10_000, 'the first run to be spooled');
      expect(committed()).toEqual({}); // refused by the collector: nothing committed
      sink.result = { ok: true };
      await until(() => committed().reader?.position >= 10, 20_000, 'the checkpoint to commit after the ack');
      const stored = sink.lines.flat().filter((l) => l.startsWith('custom_reader,'));
      // Every position up to the committed one is in what the collector stored.
      const committedTo = committed().reader.position as number;
      expect(stored.some((l) => l.includes(`to=${committedTo}i`))).toBe(true);
    } finally {
      sink.result = { ok: true };
      await agent.stop();
    }
  });
});

// The agent under a central policy: pure application rules, and a real collector pushing one.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPolicy, fromWire, POLICY_FILE } from '../../../agent/src/scheduler/central-policy.js';
import { startAgent } from '../../../agent/src/agent.js';
import type { Probe } from '../../../agent/src/probes/probe.js';
import { saveIdentity } from '../../../agent/src/identity/state.js';
import { RecordingSink, startCollector } from '../../helpers/collector.js';
import { until } from '../../helpers/until.js';
import { recordingLogger } from '../helpers/recording-log.js';

const probe = (name: string, schedule = '0 * * * * *', onRun = () => {}): Probe => ({
  name,
  schedule,
  async collect() {
    onRun();
    return [{ measurement: name, fields: { ok: true } }];
  },
});

describe('applyPolicy', () => {
  const probes = [probe('cpu'), probe('patches', '0 0 */4 * * *'), probe('eventlog')];

  it('leaves disabled probes out and uses central schedules where set', () => {
    const policy = fromWire([
      { name: 'patches', schedule: '0 0 */6 * * *' },
      { name: 'eventlog', disabled: true },
      { name: 'unknown-probe', schedule: '* * * * *' },
    ]);
    const applied = applyPolicy(probes, policy);
    expect(applied.probes.map((p) => p.name)).toEqual(['cpu', 'patches']);
    expect(applied.schedules).toEqual({ patches: { cron: '0 0 */6 * * *' } });
  });

  it('lets --every override every schedule, but not a disabled probe', () => {
    const applied = applyPolicy(
      probes,
      fromWire([
        { name: 'eventlog', disabled: true },
        { name: 'cpu', schedule: '*/5 * * * * *' },
      ]),
      2000,
    );
    expect(applied.schedules).toEqual({ cpu: { everyMs: 2000 }, patches: { everyMs: 2000 } });
  });

  it('with no policy, runs everything on its own default', () => {
    expect(applyPolicy(probes, fromWire([]))).toEqual({ probes, schedules: {} });
  });
});

describe('an agent receiving a central policy', () => {
  it('applies it, keeps it in policy.json, and stops running a probe the policy disables', async () => {
    const collector = await startCollector({
      sink: new RecordingSink(),
      policy: () => ({ probes: { fast: { schedule: '* * * * * *' }, chatty: { disabled: true } } }),
    });
    const stateDir = mkdtempSync(join(tmpdir(), 'wp-policy-agent-'));
    const { agentId, credential } = collector.enroll();
    const identity = { server: collector.baseUrl, agentId, tenant: 'acme', credential, enrolledAt: '' };
    saveIdentity(stateDir, identity);
    const runs = { fast: 0, chatty: 0 };
    const log = recordingLogger();
    const agent = startAgent({
      identity,
      stateDir,
      log,
      probes: [probe('fast', '0 0 * * * *', () => (runs.fast += 1)), probe('chatty', '* * * * * *', () => (runs.chatty += 1))],
    });
    try {
      await until(() => existsSync(join(stateDir, POLICY_FILE)), 10_000, 'the policy to be saved');
      expect(JSON.parse(readFileSync(join(stateDir, POLICY_FILE), 'utf8'))).toEqual({
        probes: [
          { name: 'chatty', schedule: '', disabled: true },
          { name: 'fast', schedule: '* * * * * *', disabled: false },
        ],
      });
      const chattyAfterPolicy = runs.chatty;
      const fastAfterPolicy = runs.fast;
      await until(() => runs.fast >= fastAfterPolicy + 2, 10_000, 'fast to run on its central every-second schedule');
      expect(runs.chatty).toBe(chattyAfterPolicy);
      expect(log.count(/central policy applied/)).toBe(1);
    } finally {
      await agent.stop();
      await collector.close();
    }
  });
});

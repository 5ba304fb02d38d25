// Central probe policy: the file's schema and cron checks, layering, and delivery in Welcome and Policy frames.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPolicy, loadPolicy, resolvePolicy, type Policy } from '../../../collector/src/agent-link/probe-policy.js';
import { ConfigError } from '../../../collector/src/errors.js';
import { RecordingSink, startCollector } from '../../helpers/collector.js';
import { hello, openAgent } from '../../helpers/agent-client.js';

const POLICY: Policy = {
  probes: { patches: { schedule: '0 0 */4 * * *' }, inventory: { schedule: '0 0 */12 * * *' } },
  tenants: {
    acme: {
      probes: { eventlog: { schedule: '*/30 * * * * *' }, patches: { schedule: '0 0 */6 * * *' } },
      hosts: { 'test-host': { probes: { patches: { disabled: true } } } },
    },
  },
};

describe('policy file', () => {
  it('layers fleet, tenant and host settings, later winning per field', () => {
    expect(resolvePolicy(POLICY, 'acme', 'test-host')).toEqual([
      { name: 'eventlog', schedule: '*/30 * * * * *', disabled: false },
      { name: 'inventory', schedule: '0 0 */12 * * *', disabled: false },
      { name: 'patches', schedule: '0 0 */6 * * *', disabled: true },
    ]);
    expect(resolvePolicy(POLICY, 'acme', 'ws-02').find((p) => p.name === 'patches')).toEqual({ name: 'patches', schedule: '0 0 */6 * * *', disabled: false });
    expect(resolvePolicy(POLICY, 'other', 'x').map((p) => p.name)).toEqual(['inventory', 'patches']);
    expect(resolvePolicy({}, 'acme', 'x')).toEqual([]);
  });

  it.each([
    [{ probes: { cpu: { schedule: 'every minute' } } }, 'probes.cpu.schedule: not a valid cron expression'],
    [
      { tenants: { acme: { hosts: { dc01: { probes: { cpu: { schedule: '61 * * * *' } } } } } } },
      'tenants.acme.hosts.dc01.probes.cpu.schedule: not a valid cron',
    ],
    [{ probes: { cpu: { every: '1m' } } }, 'probes.cpu.every: unknown key'],
    [{ tenant: {} }, 'tenant: unknown key'],
  ])('refuses %j naming the key', (doc, message) => {
    expect(() => checkPolicy(doc, 'policy.yaml')).toThrow(ConfigError);
    expect(() => checkPolicy(doc, 'policy.yaml')).toThrow(`policy.yaml: ${message}`);
  });

  it('loads YAML from a file, and an empty path means no policy', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wp-policy-')), 'policy.yaml');
    writeFileSync(file, 'probes:\n  disk:\n    schedule: "0 */10 * * * *"\n');
    expect(loadPolicy(file)).toEqual({ probes: { disk: { schedule: '0 */10 * * * *' } } });
    expect(loadPolicy('')).toEqual({});
    expect(() => loadPolicy(join(tmpdir(), 'no-such-policy.yaml'))).toThrow('policy.file: cannot read');
  });
});

describe('policy delivery', () => {
  it('sends the resolved policy in Welcome and pushes a changed one to live agents', async () => {
    let policy: Policy = POLICY;
    const collector = await startCollector({ sink: new RecordingSink(), policy: () => policy });
    try {
      const agent = await openAgent(collector.wsUrl, collector.enroll('acme', 'test-host').credential);
      agent.send(hello());
      const welcome = await agent.next((e) => e.msg === 'welcome');
      expect(welcome.welcome!.policy!.probes!.map((p) => [p.name, p.disabled])).toEqual([
        ['eventlog', false],
        ['inventory', false],
        ['patches', true],
      ]);
      policy = { probes: { cpu: { schedule: '*/15 * * * * *' } } };
      expect(collector.hub.pushPolicy()).toBe(1);
      const pushed = await agent.next((e) => e.msg === 'policy');
      expect(pushed.policy!.probes).toEqual([expect.objectContaining({ name: 'cpu', schedule: '*/15 * * * * *' })]);
      agent.socket.close();
    } finally {
      await collector.close();
    }
  });
});

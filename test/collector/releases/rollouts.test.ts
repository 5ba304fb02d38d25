// Rollout selection: pilot hosts first, a percent of the rest by a stable hash that only adds agents as it grows,
// the most specific tenant entry; and the updates file's path-qualified errors.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRollouts, loadRollouts, rolloutBucket, selects, type Rollout } from '../../../collector/src/releases/rollouts.js';
import { tempDir } from './release-fixture.js';

const AGENTS = Array.from({ length: 2000 }, (_, i) => ({ id: `ag_${i.toString(16).padStart(32, '0')}`, hostname: `ws-${i}` }));
const rollout = (entry: Record<string, unknown>): Rollout =>
  checkRollouts({ rollouts: [{ tenant: 'acme', version: '0.2.0', ...entry }] }, 'u.yaml').forTenant('acme')!;
const chosen = (r: Rollout) => new Set(AGENTS.filter((a) => selects(r, a)).map((a) => a.id));

describe('rollout selection', () => {
  it('selects about the percent of agents, and raising it keeps every agent already selected', () => {
    let previous = new Set<string>();
    for (const percent of [0, 1, 5, 10, 25, 50, 90, 100]) {
      const now = chosen(rollout({ percent }));
      for (const id of previous) expect(now.has(id), `agent ${id} dropped at ${percent}%`).toBe(true);
      // 2000 agents: within a few points of the percent (the hash is uniform; this is not a timing bound).
      expect(Math.abs((now.size / AGENTS.length) * 100 - percent)).toBeLessThan(4);
      previous = now;
    }
    expect(previous.size).toBe(AGENTS.length);
  });

  it('gives each agent one bucket, the same every time', () => {
    expect(rolloutBucket(AGENTS[7]!.id)).toBe(rolloutBucket(AGENTS[7]!.id));
    expect(AGENTS.every((a) => rolloutBucket(a.id) >= 0 && rolloutBucket(a.id) < 100)).toBe(true);
  });

  it('selects pilot hosts whatever the percent (globs, any case), and with hosts alone only them', () => {
    const pilot = rollout({ hosts: ['IT-*', 'ws-0042'] });
    expect(pilot.percent).toBe(0);
    expect(selects(pilot, { id: AGENTS[0]!.id, hostname: 'it-laptop-3' })).toBe('pilot');
    expect(selects(pilot, { id: AGENTS[0]!.id, hostname: 'WS-0042' })).toBe('pilot');
    expect(selects(pilot, { id: AGENTS[0]!.id, hostname: 'ws-00421' })).toBeNull();
    expect(chosen(pilot).size).toBe(0);
    // A host the 10 % would not pick is in through the pilot list, on top of the same 10 %.
    const outsider = AGENTS.find((a) => rolloutBucket(a.id) >= 10)!;
    const both = rollout({ hosts: [outsider.hostname], percent: 10 });
    expect(selects(both, outsider)).toBe('pilot');
    expect(chosen(both)).toEqual(new Set([...chosen(rollout({ percent: 10 })), outsider.id]));
  });

  it('defaults to every agent and 900 s to connect without hosts or percent', () => {
    expect(rollout({})).toMatchObject({ percent: 100, rollbackSeconds: 900, hosts: [] });
  });

  it('takes the tenant entry over "*", and "*" for tenants without one', () => {
    const set = checkRollouts(
      {
        rollouts: [
          { tenant: '*', version: '0.2.0', percent: 10 },
          { tenant: 'acme', version: '0.3.0', rollback_seconds: 600 },
        ],
      },
      'u.yaml',
    );
    expect(set.forTenant('acme')).toMatchObject({ tenant: 'acme', version: '0.3.0', rollbackSeconds: 600 });
    expect(set.forTenant('globex')).toMatchObject({ tenant: '*', version: '0.2.0', percent: 10 });
    expect(checkRollouts({ rollouts: [{ tenant: 'acme', version: '0.3.0' }] }, 'u.yaml').forTenant('globex')).toBeNull();
    expect(checkRollouts(null, 'u.yaml').entries).toEqual([]);
  });
});

describe('updates file', () => {
  it.each([
    [{ rollouts: [{ tenant: 'acme', version: '0.2.0', percent: 101 }] }, 'u.yaml: rollouts[0].percent: Expected number to be less or equal to 100'],
    [
      { rollouts: [{ tenant: 'acme', version: 'latest' }] },
      'u.yaml: rollouts[0].version: expected a release version like 1.2.3 (a directory of releases.dir); got "latest"',
    ],
    [{ rollouts: [{ tenant: 'Acme Ltd', version: '0.2.0' }] }, 'u.yaml: rollouts[0].tenant: expected a tenant id, or "*"'],
    [
      {
        rollouts: [
          { tenant: 'acme', version: '0.2.0' },
          { tenant: 'acme', version: '0.3.0' },
        ],
      },
      'u.yaml: rollouts[1].tenant: "acme" already has rollouts[0]',
    ],
    [
      { rollouts: [{ tenant: 'acme', version: '0.2.0', rollback_seconds: 5 }] },
      'u.yaml: rollouts[0].rollback_seconds: Expected integer to be greater or equal to 30',
    ],
    [{ rollouts: [{ tenant: 'acme', version: '0.2.0', hosts: 'ws-1' }] }, 'u.yaml: rollouts[0].hosts: Expected array'],
    [{ rollouts: [{ tenant: 'acme', version: '0.2.0', pecent: 5 }] }, 'u.yaml: rollouts[0].pecent: unknown key'],
    [{ rollout: [] }, 'u.yaml: rollout: unknown key'],
  ])('refuses %j naming the path', (doc, message) => {
    expect(() => checkRollouts(doc, 'u.yaml')).toThrow(message);
  });

  it('reads YAML from updates.file, and no file means no rollouts', () => {
    const file = join(tempDir('wp-updates-'), 'updates.yaml');
    writeFileSync(file, 'rollouts:\n  - tenant: acme\n    version: 0.2.0\n    hosts: ["pilot-*"]\n    percent: 20\n');
    expect(loadRollouts(file).forTenant('acme')).toMatchObject({ version: '0.2.0', hosts: ['pilot-*'], percent: 20 });
    expect(loadRollouts('').entries).toEqual([]);
    writeFileSync(file, 'rollouts: [ {');
    expect(() => loadRollouts(file)).toThrow(`${file}: not valid YAML`);
    expect(() => loadRollouts(file + '.absent')).toThrow(/^updates\.file: cannot read /);
  });
});

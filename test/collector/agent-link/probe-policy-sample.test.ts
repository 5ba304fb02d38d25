// The generated sample probe policy: current (npm run gen), and loadable by the real loader.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPolicy, resolvePolicy } from '../../../collector/src/agent-link/probe-policy.js';
import { POLICY_SAMPLE_PATH, SAMPLE_POLICY, policySample } from '../../../collector/src/agent-link/probe-policy-sample.js';

describe('the sample probe policy', () => {
  it('is current', () => {
    expect(readFileSync(POLICY_SAMPLE_PATH, 'utf8'), `stale ${POLICY_SAMPLE_PATH}: run npm run gen`).toBe(policySample());
  });

  it('loads through the policy loader as the policy it shows', () => {
    const policy = loadPolicy(POLICY_SAMPLE_PATH);
    expect(policy).toEqual(SAMPLE_POLICY);
    expect(resolvePolicy(policy, 'acme', 'dc01')).toEqual([
      { name: 'eventlog', schedule: '*/30 * * * * *', disabled: false },
      { name: 'patches', schedule: '0 0 */4 * * *', disabled: true },
    ]);
  });
});

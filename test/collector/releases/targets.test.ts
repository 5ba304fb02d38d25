// The collector's target names and Hello mapping equal the build's targets and the agent's own mapping (three
// copies, because agent, collector and build code do not import each other); its table mirrors the one of
// test/agent/update/target.test.ts on purpose.
import { describe, expect, it } from 'vitest';
import { TARGETS, targetOf } from '../../../collector/src/releases/targets.js';
import { ALL_TARGETS } from '../../../scripts/build/targets.js';
import { agentTarget } from '../../../agent/src/update/target.js';

describe('release targets', () => {
  it('are the targets the build makes', () => {
    expect([...TARGETS].sort()).toEqual([...ALL_TARGETS].sort());
  });

  it.each([
    ['win32', 'x64', 'win-x64'],
    ['linux', 'x64', 'linux-x64'],
    ['linux', 'arm64', 'linux-arm64'],
    ['darwin', 'arm64', 'darwin-arm64'],
    ['darwin', 'x64', 'darwin-x64'],
    ['win32', 'arm64', null],
    ['linux', 'ia32', null],
    ['freebsd', 'x64', null],
    ['', '', null],
    ['__proto__', 'x64', null],
  ])('maps Hello os %j arch %j to %j, as the agent does', (os, arch, expected) => {
    expect(targetOf(os, arch)).toBe(expected);
    expect(agentTarget(os, arch)).toBe(expected);
  });
});

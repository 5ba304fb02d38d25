// The agent's own target name and the version names it accepts in offers. Its table mirrors the one of
// test/collector/releases/targets.test.ts on purpose: the code under test is a mirror (update/target.ts).
import { describe, expect, it } from 'vitest';
import { AGENT_TARGETS, agentTarget } from '../../../agent/src/update/target.js';
import { isReleaseVersion } from '../../../agent/src/update/versions.js';
import { ALL_TARGETS } from '../../../scripts/build/targets.js';

describe('agentTarget', () => {
  it.each([
    ['linux', 'x64', 'linux-x64'],
    ['linux', 'arm64', 'linux-arm64'],
    ['win32', 'x64', 'win-x64'],
    ['darwin', 'x64', 'darwin-x64'],
    ['darwin', 'arm64', 'darwin-arm64'],
    ['win32', 'arm64', null],
    ['linux', 'ia32', null],
    ['freebsd', 'x64', null],
    ['constructor', 'x64', null],
  ])('%s/%s -> %s', (platform, arch, target) => {
    expect(agentTarget(platform, arch)).toBe(target);
  });

  it('names exactly the targets the build makes', () => {
    expect([...AGENT_TARGETS].sort()).toEqual([...ALL_TARGETS].sort());
  });
});

describe('isReleaseVersion', () => {
  it.each(['0.2.0', '1.10.3', '2.0.0-rc.1', '1.0.0+build.5', '1.0.0-beta-2+sha.abc'])('accepts %s', (v) => expect(isReleaseVersion(v)).toBe(true));
  it.each(['', '1.2', '01.2.3', '1.2.3/../../x', '../1.2.3', '1.2.3\n', 'v1.2.3', '1.2.3-', '1.2.3-a..b', `1.2.3-${'a'.repeat(64)}`])('refuses %j', (v) =>
    expect(isReleaseVersion(v)).toBe(false),
  );
});

import { describe, expect, it } from 'vitest';
import { compareVersions, isVersion } from '../../../collector/src/releases/versions.js';

describe('release versions', () => {
  it.each(['0.2.0', '1.10.3', '1.0.0-rc.1', '1.0.0+build.5', '2.0.0-beta-2+sha.abc'])('accepts %j', (v) => expect(isVersion(v)).toBe(true));
  it.each(['', '1.2', '01.2.3', '1.2.3.4', '../1.2.3', '1.2.3/..', '1.2.3-', 'latest', '1.2.3 ', '1.2.3-a..b'])('refuses %j', (v) =>
    expect(isVersion(v)).toBe(false),
  );

  it('orders by semver precedence', () => {
    const sorted = ['1.0.0', '0.9.10', '1.0.0-rc.2', '0.10.0', '1.0.0-rc.10', '1.0.0-alpha', '1.0.0-rc.2+b', '0.9.9'].sort(compareVersions);
    expect(sorted).toEqual(['0.9.9', '0.9.10', '0.10.0', '1.0.0-alpha', '1.0.0-rc.2', '1.0.0-rc.2+b', '1.0.0-rc.10', '1.0.0']);
    expect(compareVersions('1.0.0+a', '1.0.0+b')).toBe(0);
  });
});

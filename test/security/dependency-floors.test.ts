// Versions below these have known high-severity advisories on the paths we use (perf-reliability research,
// section 4): ws < 8.17.1 (GHSA-3h5v-q93c-6h6q, a header-count DoS), protobufjs < 7.2.5 (prototype pollution,
// CVE-2023-36665); and what date-holidays (the collector's holiday regions) brings along: moment < 2.29.4 (ReDoS in
// date parsing, CVE-2022-31129), moment-timezone < 0.5.35 (the advisories fixed in 0.5.35), lodash < 4.17.21
// (command injection in template, CVE-2021-23337). `npm audit` cannot run on this machine's registry mirror, so CI
// checks the floors directly.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const FLOORS: Record<string, string> = { ws: '8.17.1', protobufjs: '7.2.5', moment: '2.29.4', 'moment-timezone': '0.5.35', lodash: '4.17.21' };

const parts = (v: string) => v.split('-')[0]!.split('.').map(Number);
function atLeast(version: string, floor: string): boolean {
  const [a, b] = [parts(version), parts(floor)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

describe('dependency floors', () => {
  it.each(Object.entries(FLOORS))('installed %s is at least %s', (name, floor) => {
    const { version } = JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string };
    expect(atLeast(version, floor), `${name} ${version} < ${floor}`).toBe(true);
  });

  it('compares versions numerically', () => {
    expect(atLeast('8.17.1', '8.17.1')).toBe(true);
    expect(atLeast('8.9.0', '8.17.1')).toBe(false);
    expect(atLeast('10.0.0', '8.17.1')).toBe(true);
    expect(atLeast('7.2.4', '7.2.5')).toBe(false);
  });
});

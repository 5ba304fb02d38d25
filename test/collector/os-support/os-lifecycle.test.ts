import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../collector/src/config/config.js';
import { ConfigError } from '../../../collector/src/errors.js';
import { editionClass, loadLifecycle, supportStatus, type OsIdentity } from '../../../collector/src/os-support/os-lifecycle.js';
import { openStore } from '../../../collector/src/store/index.js';
import { buildApp } from '../../../collector/src/app.js';
import { RecordingSink } from '../../helpers/collector.js';

const table = loadLifecycle(); // the shipped file: loading it is itself the check that it is valid
const day = (iso: string) => new Date(`${iso}T12:00:00Z`);
const win = (build: string, edition: string, productType = 'workstation'): OsIdentity => ({
  family: 'windows',
  name: '',
  version: '',
  build,
  edition,
  productType,
});

describe('supportStatus on the shipped table', () => {
  it.each([
    // Windows 10 22H2 ended for every edition on 2025-10-14 (the last supported day).
    ['Win10 22H2 Pro, last day', win('19045', 'Professional'), '2025-10-14', true, '2025-10-14', 0],
    ['Win10 22H2 Pro, day after', win('19045', 'Professional'), '2025-10-15', false, '2025-10-14', -1],
    // Same build, different end dates per edition family.
    ['Win11 23H2 Pro', win('22631', 'Professional'), '2026-01-01', false, '2025-11-11', -51],
    ['Win11 23H2 Enterprise', win('22631', 'Enterprise'), '2026-01-01', true, '2026-11-10', 313],
    ['Win11 23H2 Education', win('22631', 'Education'), '2026-01-01', true, '2026-11-10', 313],
    ['Win10 21H2 LTSC', win('19044', 'EnterpriseS'), '2026-01-01', true, '2027-01-12', 376],
    ['Win10 21H2 IoT LTSC', win('19044', 'IoTEnterpriseS'), '2026-01-01', true, '2032-01-13', 2203],
    ['Win10 21H2 Pro', win('19044', 'Professional'), '2026-01-01', false, '2023-06-13', -933],
    // Build 26100 is Windows 11 24H2 on a workstation and Server 2025 on a server.
    ['Win11 24H2 Home', win('26100', 'Core'), '2026-01-01', true, '2026-10-13', 285],
    ['Server 2025', win('26100', 'ServerDatacenter', 'server'), '2026-01-01', true, '2034-11-14', 3239],
    ['Server 2012 R2 DC', win('9600', 'ServerStandard', 'domain_controller'), '2026-01-01', false, '2023-10-10', -814],
    // Debian LTS (free, the regular -security suite) counts: 12 is supported past its security team's 2026-06-10.
    ['Debian 12 in LTS', { family: 'linux', name: 'Debian GNU/Linux', version: '12', id: 'debian', versionId: '12' }, '2026-12-06', true, '2028-06-30', 572],
    [
      'Debian 10 after LTS',
      { family: 'linux', name: 'Debian GNU/Linux', version: '10', id: 'debian', versionId: '10' },
      '2026-01-01',
      false,
      '2024-06-30',
      -550,
    ],
    ['RHEL 9.6 by major', { family: 'linux', name: 'RHEL', version: '9.6', id: 'rhel', versionId: '9.6' }, '2026-01-01', true, '2032-05-31', 2342],
    ['Ubuntu 20.04', { family: 'linux', name: 'Ubuntu', version: '20.04', id: 'ubuntu', versionId: '20.04' }, '2026-01-01', false, '2025-05-31', -215],
    ['macOS 13.7', { family: 'macos', name: 'macOS', version: '13.7.8' }, '2026-01-01', false, '2025-09-15', -108],
    ['macOS 10.15.7', { family: 'macos', name: 'macOS', version: '10.15.7' }, '2026-01-01', false, '2022-09-12', -1207],
  ] as [string, OsIdentity, string, boolean, string, number][])('%s', (_label, os, today, supported, endOfSupport, daysLeft) => {
    expect(supportStatus(os, table, day(today))).toMatchObject({ supported, endOfSupport, daysLeft });
  });

  it('a release without an announced end is supported with no date', () => {
    expect(supportStatus({ family: 'macos', name: 'macOS', version: '15.6.1' }, table, day('2026-01-01'))).toEqual({
      supported: true,
      endOfSupport: null,
      daysLeft: null,
      release: 'macOS 15 Sequoia',
    });
  });

  it.each([
    ['an Insider build', win('27000', 'Professional')],
    ['no build', win('', 'Professional')],
    ['an unknown distro', { family: 'linux', name: 'Alpine', version: '3.23.2', id: 'alpine', versionId: '3.23.2' }],
    ['no family', { family: '', name: '', version: '' }],
  ] as [string, OsIdentity][])('%s is unknown', (_label, os) => {
    expect(supportStatus(os, table, day('2026-01-01'))).toEqual({ supported: 'unknown', endOfSupport: null, daysLeft: null, release: null });
  });

  it.each([
    ['EnterpriseS', 'ltsc'],
    ['IoTEnterpriseS', 'ltsc'],
    ['EnterpriseSN', 'ltsc'],
    ['Enterprise', 'enterprise'],
    ['EnterpriseN', 'enterprise'],
    ['IoTEnterprise', 'enterprise'],
    ['Education', 'enterprise'],
    ['Professional', 'home_pro'],
    ['ProfessionalEducation', 'home_pro'],
    ['Core', 'home_pro'],
  ])('edition %s is %s', (edition, cls) => {
    expect(editionClass(edition)).toBe(cls);
  });
});

describe('loading the table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wp-lifecycle-'));
  const write = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));

  it('a bad entry fails with the file and the entry path', () => {
    const file = write(
      'bad.yaml',
      'windows_client: []\nwindows_ltsc: []\nwindows_server: []\nmacos: []\nlinux:\n  - { id: debian, version: "12", name: Debian 12, eol: "June 2026" }\n',
    );
    expect(() => loadLifecycle(file)).toThrow(ConfigError);
    expect(() => loadLifecycle(file)).toThrow(/bad\.yaml: linux\[0\]\.eol/);
  });

  it('a missing file names the key, broken YAML the file', () => {
    expect(() => loadLifecycle(join(dir, 'nope.yaml'))).toThrow(/^lifecycle\.file: cannot read/);
    expect(() => loadLifecycle(write('broken.yaml', 'linux: [\n'))).toThrow(/broken\.yaml: not valid YAML: /);
  });

  it('the collector refuses to start with a bad lifecycle.file (WATCHPOST_LIFECYCLE_FILE)', async () => {
    const file = write('bad2.yaml', 'linux: 3\n');
    const config = loadConfig({ env: { WATCHPOST_LIFECYCLE_FILE: file, WATCHPOST_LOG_LEVEL: 'silent' } });
    expect(config.lifecycle.file).toBe(file);
    const store = openStore(':memory:');
    try {
      await expect(buildApp({ config, store, sink: new RecordingSink() })).rejects.toThrow(/bad2\.yaml/);
    } finally {
      store.close();
    }
  });
});

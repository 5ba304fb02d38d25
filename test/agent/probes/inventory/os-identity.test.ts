import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseOsRelease,
  parseRegQuery,
  parseSwVers,
  windowsIdentity,
  windowsProductName,
  windowsProductType,
} from '../../../../agent/src/probes/inventory/os-identity.js';
import { fixture } from '../fixtures.js';

describe('windowsProductName: build 22000 and up is Windows 11 whatever ProductName says', () => {
  it.each([
    ['Windows 10 Pro', 19045, 'Windows 10 Pro'],
    ['Windows 10 Pro', 21999, 'Windows 10 Pro'],
    ['Windows 10 Pro', 22000, 'Windows 11 Pro'],
    ['Windows 10 Enterprise', 22631, 'Windows 11 Enterprise'],
    ['Windows 10 Home', 26100, 'Windows 11 Home'],
    ['Windows 10 Enterprise LTSC 2024', 26100, 'Windows 11 Enterprise LTSC 2024'],
    ['Windows 11 Pro', 26200, 'Windows 11 Pro'], // already right
    ['Windows Server 2025 Datacenter', 26100, 'Windows Server 2025 Datacenter'], // servers are never renamed
    ['Windows Server 2022 Standard', 20348, 'Windows Server 2022 Standard'],
    ['Windows 10 Pro', NaN, 'Windows 10 Pro'],
  ])('%s at %d -> %s', (name, build, expected) => {
    expect(windowsProductName(name, build)).toBe(expected);
  });
});

describe('windowsProductType', () => {
  it.each([
    ['WinNT', undefined, 'workstation'],
    ['ServerNT', 'Server', 'server'],
    ['LanmanNT', 'Server', 'domain_controller'],
    [undefined, 'Client', 'workstation'],
    [undefined, 'Server Core', 'server'],
    [undefined, undefined, ''],
  ])('%s / %s -> %s', (pt, it_, expected) => {
    expect(windowsProductType(pt, it_)).toBe(expected);
  });
});

describe('reg query CurrentVersion (real captures, see test/fixtures/README.md)', () => {
  it('Windows 10 Enterprise 22H2', () => {
    const values = parseRegQuery(fixture('windows/reg-query-currentversion-win10-enterprise-22h2.txt'));
    expect(values.get('EditionSubManufacturer')).toBe('');
    expect(windowsIdentity(values)).toEqual({
      os_name: 'Windows 10 Enterprise',
      os_build: '19045',
      os_edition: 'Enterprise',
      os_display_version: '22H2',
      os_product_type: 'workstation',
    });
  });

  it('Windows 11 Pro 23H2 that calls itself Windows 10 Pro', () => {
    const id = windowsIdentity(parseRegQuery(fixture('windows/reg-query-currentversion-win11-pro-23h2.txt')), 'WinNT');
    expect(id).toMatchObject({ os_name: 'Windows 11 Pro', os_build: '22631', os_edition: 'Professional', os_display_version: '23H2' });
  });

  it('Windows 11 25H2 with its UBR (REG_DWORD 0x2109 = 8457)', () => {
    const id = windowsIdentity(parseRegQuery(fixture('windows/reg-query-currentversion-win11-pro-25h2-ubr.txt')));
    expect(id).toMatchObject({ os_name: 'Windows 11 Pro', os_build: '26200', os_ubr: 8457, os_display_version: '25H2', os_product_type: '' });
  });

  it('ProductOptions ProductType from a value query', () => {
    const values = parseRegQuery('\r\nHKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ProductOptions\r\n    ProductType    REG_SZ    ServerNT\r\n\r\n');
    expect(values.get('ProductType')).toBe('ServerNT');
  });
});

describe('parseOsRelease', () => {
  it.each([
    ['ubuntu-24.04', 'ubuntu', '24.04', 'noble'],
    ['rhel-9.6', 'rhel', '9.6', undefined],
    ['alpine-3.23', 'alpine', '3.23.2', undefined],
    ['debian-dev-machine', 'debian', '12', 'bookworm'],
  ])('%s', (file, id, versionId, codename) => {
    const r = parseOsRelease(fixture(`linux/os-release/${file}`));
    expect(r.ID).toBe(id);
    expect(r.VERSION_ID).toBe(versionId);
    expect(r.VERSION_CODENAME).toBe(codename);
  });

  it('unquotes and unescapes, skips comments', () => {
    expect(parseOsRelease('# c\nNAME="A \\"B\\""\nX=\'y z\'\n')).toEqual({ NAME: 'A "B"', X: 'y z' });
  });

  it('reads this machine', () => {
    const r = parseOsRelease(readFileSync('/etc/os-release', 'utf8'));
    expect(r.ID).toMatch(/^[a-z0-9._-]+$/);
    expect(r.NAME).toBeTruthy();
  });
});

describe('parseSwVers', () => {
  it.each([
    ['sw_vers-high-sierra.txt', 'Mac OS X', '10.13', '17A405'],
    ['sw_vers-sequoia.txt', 'macOS', '15.6.1', '24G90'],
  ])('%s', (file, name, version, build) => {
    expect(parseSwVers(fixture(`darwin/${file}`))).toEqual({ ProductName: name, ProductVersion: version, BuildVersion: build });
  });
});

// The inventory probe's OS identity fields: live on this Linux machine, and through captured output for Windows
// (reg query) and macOS (sw_vers) via a replaying runner.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createInventoryProbe } from '../../../../agent/src/probes/inventory/inventory.js';
import { parseOsRelease } from '../../../../agent/src/probes/inventory/os-identity.js';
import { Int } from '../../../../agent/src/sample.js';
import type { Runner } from '../../../../agent/src/exec/runner.js';
import { context, fixture, FIXTURES } from '../fixtures.js';

describe('inventory OS identity', () => {
  it('this machine: os_family linux and its /etc/os-release', async () => {
    const [s] = await createInventoryProbe().collect(context());
    const r = parseOsRelease(readFileSync('/etc/os-release', 'utf8'));
    expect(s!.fields).toMatchObject({ os_family: 'linux', os_id: r.ID, os_version_id: r.VERSION_ID ?? '', os_codename: r.VERSION_CODENAME ?? '' });
  });

  it('os-release from the fallback path, e.g. Ubuntu 24.04', async () => {
    const probe = createInventoryProbe({ platform: 'linux', osReleasePaths: ['/nonexistent/os-release', `${FIXTURES}linux/os-release/ubuntu-24.04`] });
    const [s] = await probe.collect(context());
    expect(s!.fields).toMatchObject({ os_family: 'linux', os_id: 'ubuntu', os_version_id: '24.04', os_codename: 'noble' });
  });

  it('Windows: reg query of CurrentVersion and ProductOptions', async () => {
    const calls: string[][] = [];
    const runner: Runner = async (command, args) => {
      calls.push([command, ...args]);
      if (args[1]?.endsWith('ProductOptions'))
        return { stdout: '\r\nHKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ProductOptions\r\n    ProductType    REG_SZ    WinNT\r\n', stderr: '' };
      return { stdout: fixture('windows/reg-query-currentversion-win11-pro-25h2-ubr.txt'), stderr: '' };
    };
    const [s] = await createInventoryProbe({ platform: 'win32' }).collect(context(runner));
    expect(s!.fields).toMatchObject({
      os_family: 'windows',
      os_name: 'Windows 11 Pro',
      os_build: '26200',
      os_display_version: '25H2',
      os_product_type: 'workstation',
    });
    expect((s!.fields.os_ubr as Int).value).toBe(8457);
    expect(calls[0]).toEqual(['reg.exe', 'query', 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion']);
    const bad: Runner = async () => ({ stdout: 'ERROR: The system was unable to find the specified registry key or value.', stderr: '' });
    await expect(createInventoryProbe({ platform: 'win32' }).collect(context(bad))).rejects.toThrow(/unexpected reg query output: ERROR/);
  });

  it('macOS: sw_vers', async () => {
    const runner: Runner = async () => ({ stdout: fixture('darwin/sw_vers-sequoia.txt'), stderr: '' });
    const [s] = await createInventoryProbe({ platform: 'darwin' }).collect(context(runner));
    expect(s!.fields).toMatchObject({ os_family: 'macos', os_version: '15.6.1', os_build: '24G90' });
  });
});

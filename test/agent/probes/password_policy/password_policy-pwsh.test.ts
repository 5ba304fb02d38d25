// The password_policy probe's Windows script, unchanged, in a real PowerShell engine (pwsh, through the agent's own
// worker) with Get-CimInstance stubbed: Win32_ComputerSystem rebuilt from a Windows 10 Home capture (Get-ComputerInfo's
// CsDomain, CsDomainRole, CsPartOfDomain: a workgroup machine), and a domain member with the class's documented
// values (no capture of a joined machine's Win32_ComputerSystem was found). The whole probe runs with a runner
// standing in for icacls.exe and secedit.exe.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordPolicyProbe, WINDOWS_DOMAIN_SCRIPT } from '../../../../agent/src/probes/password_policy/password_policy.js';
import type { Runner } from '../../../../agent/src/exec/runner.js';
import { psObject, psTyped } from '../../../helpers/pwsh-stubs.js';
import { context, fixture, formatList } from '../fixtures.js';
import { sharedStubbedPowerShell, writeCimError, type SharedStubbedPowerShell } from '../windows-stubs.js';

/** Get-ComputerInfo's DomainRole names (Win32_ComputerSystem.DomainRole, uint16). */
const DOMAIN_ROLES: Record<string, number> = { StandaloneWorkstation: 0, MemberWorkstation: 1, StandaloneServer: 2, MemberServer: 3 };
const CAPTURE = formatList(fixture('windows/security/get-computerinfo-cs-domain-win10-home.txt'));
const WORKGROUP = psObject({
  Domain: CAPTURE.CsDomain,
  DomainRole: psTyped.uint16(DOMAIN_ROLES[CAPTURE.CsDomainRole!]!),
  PartOfDomain: CAPTURE.CsPartOfDomain === 'True',
  Workgroup: CAPTURE.CsDomain,
});
const MEMBER = psObject({ Domain: 'corp.example.com', DomainRole: psTyped.uint16(1), PartOfDomain: true, Workgroup: null });

const computerSystem = (instance: string) => `
function Get-CimInstance {
  [CmdletBinding()]
  param([string]$Namespace = 'root\\cimv2', [Parameter(Position = 0)][string]$ClassName, [string]$Filter, [string]$Query)
  if ($ClassName -ne 'Win32_ComputerSystem') { ${writeCimError('Invalid class ', 'HRESULT 0x80041010,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand')}; return }
  ${instance}
}`;

let ps: SharedStubbedPowerShell;
let scratch: string;
beforeAll(() => {
  ps = sharedStubbedPowerShell();
  scratch = mkdtempSync(join(tmpdir(), 'wp-secedit-pwsh-'));
});
afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await ps.worker.stop();
});

const SECEDIT: Runner = async (command, args) => {
  if (command === 'secedit.exe') writeFileSync(args[args.indexOf('/cfg') + 1]!, fixture('windows/security/secedit-export-securitypolicy-member-server.inf'));
  return { stdout: '', stderr: '' };
};

describe('password_policy on a real PowerShell', () => {
  it('a workgroup machine (the Windows 10 Home capture): PartOfDomain False, its workgroup as Domain', async () => {
    expect(await ps.with(computerSystem(WORKGROUP)).run(WINDOWS_DOMAIN_SCRIPT)).toEqual({ PartOfDomain: false, Domain: 'WORKGROUP' });
    const [sample] = await createPasswordPolicyProbe({ platform: 'win32', scratchDir: scratch }).collect({
      ...context(SECEDIT),
      powershell: ps.with(computerSystem(WORKGROUP)),
    });
    expect(sample?.fields).toMatchObject({ source: 'secedit', min_length: expect.anything(), domain_joined: false });
    expect(sample?.fields).not.toHaveProperty('domain');
    expect(ps.scripts.at(-1)).toBe(WINDOWS_DOMAIN_SCRIPT);
  });

  it('a domain member: joined, with its domain', async () => {
    const [sample] = await createPasswordPolicyProbe({ platform: 'win32', scratchDir: scratch }).collect({
      ...context(SECEDIT),
      powershell: ps.with(computerSystem(MEMBER)),
    });
    expect(sample?.fields).toMatchObject({ domain_joined: true, domain: 'corp.example.com' });
  });

  it('a failing CIM query fails the run (nothing made up), and pwsh wrote nothing to stderr for the good runs', async () => {
    const failing = `function Get-CimInstance { [CmdletBinding()] param([string]$ClassName) ${writeCimError('Access denied ', 'HRESULT 0x80041003,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand', 'PermissionDenied')} }`;
    await expect(ps.with(failing).run(WINDOWS_DOMAIN_SCRIPT)).rejects.toThrow(/Access denied/);
    expect(ps.log.lines.filter((l) => l.level !== 'debug' && !/Access denied/.test(l.message))).toEqual([]);
  });
});

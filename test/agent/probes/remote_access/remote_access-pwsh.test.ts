// The remote_access probe's Windows script, unchanged, in a real PowerShell engine (pwsh, through the agent's own
// worker). Stubbed: Get-ItemProperty over the registry keys (RDP-Tcp's PortNumber rebuilt from Microsoft's documented
// Get-ItemProperty output, fDenyTSConnections 0x0 from a `reg query` capture; REG_DWORD values are [int] as the
// registry provider returns them; a missing key writes the provider's non-terminating "Cannot find path" error), and
// Get-CimInstance answering Win32_Service queries by evaluating the script's `Name='a' OR Name='b'` filter over
// instances rebuilt from a captured Win32_Service (BITS) with the TermService and sshd names, start modes and states
// put in. Not stubbed: .NET's IPGlobalProperties, which reads this machine's real sockets; the test opens a listener
// and points PortNumber at it.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteAccessProbe } from '../../../../agent/src/probes/remote_access/remote_access.js';
import { WINDOWS_REMOTE_ACCESS_SCRIPT, type WindowsRemoteReport } from '../../../../agent/src/probes/remote_access/windows.js';
import { int } from '../../../../agent/src/sample.js';
import { getItemPropertyStub, psObject, psTyped } from '../../../helpers/pwsh-stubs.js';
import { context, fixture, formatList } from '../fixtures.js';
import { capturedObject, formatListRecords, sharedStubbedPowerShell, writeCimError, type SharedStubbedPowerShell } from '../windows-stubs.js';

const TS_KEY = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server';
const RDP_TCP_KEY = `${TS_KEY}\\WinStations\\RDP-Tcp`;
const POLICY_KEY = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services';

/** The documented Get-ItemProperty output of RDP-Tcp: PortNumber and the provider's PS* properties, PortNumber as given. */
function rdpTcp(port: number): string {
  const captured = formatList(fixture('windows/remote-access/get-itemproperty-rdp-tcp-portnumber-docs.txt'));
  return psObject({ ...captured, PortNumber: psTyped.int(port) });
}
/** fDenyTSConnections as the `reg query` capture shows it (REG_DWORD 0x0), or another value. */
function denyValue(capture = fixture('windows/remote-access/reg-query-fdenytsconnections-portnumber.txt')): number {
  return parseInt(/fDenyTSConnections\s+REG_DWORD\s+(0x[0-9a-f]+)/i.exec(capture)![1]!, 16);
}
const terminalServer = (deny: number) => psObject({ fDenyTSConnections: psTyped.int(deny), PSChildName: 'Terminal Server', PSDrive: 'HKLM' });

/** Win32_Service instances: the captured BITS instance with these names, start modes and states. */
const [BITS] = formatListRecords(fixture('windows/services/get-ciminstance-win32-service-bits.txt'));
const service = (Name: string, StartMode: string, State: string) =>
  capturedObject(
    {
      ...Object.fromEntries(Object.entries(BITS!).filter(([k]) => !/^(Cim|PSComputerName)/.test(k))),
      Name,
      DisplayName: Name,
      StartMode,
      State,
      Started: String(State === 'Running'),
    },
    (name, text) =>
      /^(True|False)$/.test(text) ? 'bool' : /^(ExitCode|ProcessId|TagId|CheckPoint|WaitHint|ServiceSpecificExitCode)$/.test(name) ? 'uint32' : 'string',
  );

function services(instances: string[]): string {
  return `
function Get-CimInstance {
  [CmdletBinding()]
  param([string]$Namespace = 'root\\cimv2', [Parameter(Position = 0)][string]$ClassName, [string]$Filter)
  if ($ClassName -ne 'Win32_Service') { ${writeCimError('Invalid class ', 'HRESULT 0x80041010,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand')}; return }
  $names = @()
  foreach ($term in ($Filter -split '\\s+OR\\s+')) {
    if ($term -notmatch "^\\s*Name\\s*=\\s*'([^']*)'\\s*$") { ${writeCimError('Invalid query ', 'HRESULT 0x80041017,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand')}; return }
    $names += $Matches[1]
  }
  foreach ($s in @(${instances.join(', ')})) { if ($names -contains $s.Name) { $s } }
}`;
}

let ps: SharedStubbedPowerShell;
let server: Server;
let open: number;
beforeAll(async () => {
  ps = sharedStubbedPowerShell();
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  open = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server.close();
  await ps.worker.stop();
});

const report = (stubs: string) => ps.with(stubs).run<WindowsRemoteReport>(WINDOWS_REMOTE_ACCESS_SCRIPT);
const collect = (stubs: string) =>
  createRemoteAccessProbe({ platform: 'win32', programData: '/nonexistent' }).collect({ ...context(), powershell: ps.with(stubs) });

describe('remote_access on a real PowerShell', () => {
  it('RDP allowed (the captured 0x0) on a port something really listens on; no policy key; no OpenSSH server', async () => {
    const stubs =
      getItemPropertyStub({ [TS_KEY]: terminalServer(denyValue()), [RDP_TCP_KEY]: rdpTcp(open) }) + services([service('TermService', 'Manual', 'Running')]);
    const r = await report(stubs);
    expect(r.rdp).toEqual({ deny: 0, policyDeny: null, port: open });
    expect(r.services).toEqual([{ name: 'TermService', startMode: 'Manual', state: 'Running' }]);
    expect(r.listening).toContain(open);
    expect(r.listenError).toBeNull();
    expect(await collect(stubs)).toEqual([
      {
        measurement: 'remote_access',
        tags: { service: 'rdp' },
        fields: { installed: true, enabled: true, listening: true, port: int(open), ports: String(open), standard_port: false, source: 'registry' },
      },
      { measurement: 'remote_access', tags: { service: 'ssh' }, fields: { installed: false, enabled: false } },
    ]);
    expect(ps.scripts.at(-1)).toBe(WINDOWS_REMOTE_ACCESS_SCRIPT);
  });

  it('the documented 3389, denied by Group Policy over the local value; sshd (Auto, Running) without a sshd_config', async () => {
    const stubs =
      getItemPropertyStub({ [TS_KEY]: terminalServer(0), [RDP_TCP_KEY]: rdpTcp(3389), [POLICY_KEY]: psObject({ fDenyTSConnections: psTyped.int(1) }) }) +
      services([service('TermService', 'Manual', 'Stopped'), service('sshd', 'Auto', 'Running')]);
    const samples = await collect(stubs);
    expect(samples[0]?.fields).toMatchObject({ installed: true, enabled: false, port: int(3389), standard_port: true });
    expect(samples[1]?.fields).toMatchObject({ installed: true, enabled: true, port: int(22), standard_port: true, source: 'default' });
  });

  it('no RDP-Tcp key and no TermService (stripped-down server): not installed; the JSON keeps services an array', async () => {
    const r = await report(getItemPropertyStub({}) + services([]));
    expect(r).toMatchObject({ rdp: { deny: null, policyDeny: null, port: null }, services: [] });
    expect(Array.isArray(r.listening)).toBe(true);
    expect((await collect(getItemPropertyStub({}) + services([])))[0]?.fields).toEqual({ installed: false, enabled: false });
  });

  it('pwsh wrote nothing to stderr: the missing keys were silenced by the script', () => {
    expect(ps.log.lines.filter((l) => l.level !== 'debug')).toEqual([]);
  });
});

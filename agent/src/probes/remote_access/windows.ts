// remote_access on Windows: ONE PowerShell request (the RDP registry values, the TermService and sshd services, the
// listening TCP ports), then the OpenSSH server's sshd_config from disk when that service exists.
import { join } from 'node:path';
import type { SampleDraft } from '../../sample.js';
import type { ProbeContext } from '../probe.js';
import { configFiles, listeningOn, notInstalled, remoteAccessSample, STANDARD_PORTS, type RemoteService } from './remote-service.js';
import { readSshdConfig, sshdPorts } from './sshd-config.js';

/** Registry values, one Win32_Service query and the IP Helper tables: well inside the scheduler's default 30 s. */
const POWERSHELL_TIMEOUT_MS = 25_000;

/** PowerShell 5.1. Registry values missing read as $null; the listening ports come from the IP Helper tables (no CIM).
 *  Win32_Service, not Get-Service: its StartType needs .NET 4.6.1, and WMF 5.1 runs on 4.5.2. */
export const WINDOWS_REMOTE_ACCESS_SCRIPT = `
$ErrorActionPreference = 'Stop'
$r = [ordered]@{ rdp = $null; services = @(); listening = @(); listenError = $null }
$ts = Get-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server' -ErrorAction SilentlyContinue
$tcp = Get-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp' -ErrorAction SilentlyContinue
$pol = Get-ItemProperty -Path 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services' -ErrorAction SilentlyContinue
$r.rdp = [ordered]@{ deny = $ts.fDenyTSConnections; policyDeny = $pol.fDenyTSConnections; port = $tcp.PortNumber }
$r.services = @(Get-CimInstance -ClassName Win32_Service -Filter "Name='TermService' OR Name='sshd'" | ForEach-Object { [ordered]@{ name = [string]$_.Name; startMode = [string]$_.StartMode; state = [string]$_.State } })
try { $r.listening = @([System.Net.NetworkInformation.IPGlobalProperties]::GetIPGlobalProperties().GetActiveTcpListeners() | ForEach-Object { $_.Port } | Sort-Object -Unique) } catch { $r.listenError = [string]$_.Exception.Message }
[pscustomobject]$r | ConvertTo-Json -Depth 4 -Compress
`;

interface WindowsServiceRow {
  name?: unknown;
  startMode?: unknown;
  state?: unknown;
}

export interface WindowsRemoteReport {
  rdp?: { deny?: unknown; policyDeny?: unknown; port?: unknown } | null;
  services?: WindowsServiceRow | WindowsServiceRow[] | null;
  listening?: number | number[] | null;
  listenError?: string | null;
}

const list = <T>(value: T | T[] | null | undefined): T[] => (value === null || value === undefined ? [] : Array.isArray(value) ? value : [value]);
const dword = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) ? value : undefined);

/** RDP from the report: connections allowed when fDenyTSConnections is 0 (the Group Policy value wins over the local
 *  one); the port is RDP-Tcp's PortNumber (3389 when the value is missing). */
export function windowsRdp(report: WindowsRemoteReport): RemoteService {
  const service = list(report.services).find((s) => String(s.name).toLowerCase() === 'termservice');
  if (!service) return { installed: false, enabled: false };
  const deny = dword(report.rdp?.policyDeny) ?? dword(report.rdp?.deny);
  const configured = dword(report.rdp?.port);
  const ports = [configured ?? STANDARD_PORTS.rdp];
  const open = report.listenError ? undefined : new Set(list(report.listening));
  return {
    installed: true,
    ...(deny === undefined ? {} : { enabled: deny === 0 }),
    listening: listeningOn(ports, open),
    ports,
    source: configured === undefined ? 'default' : 'registry',
  };
}

export async function windowsRemoteAccess(ctx: ProbeContext, programDataDir: string | undefined): Promise<SampleDraft[]> {
  if (!ctx.powershell) throw new Error('remote_access: the PowerShell worker is not available');
  const report = await ctx.powershell.run<WindowsRemoteReport>(WINDOWS_REMOTE_ACCESS_SCRIPT, { timeoutMs: POWERSHELL_TIMEOUT_MS, signal: ctx.signal });
  if (report === null || typeof report !== 'object') throw new Error(`remote_access: unexpected PowerShell output: ${JSON.stringify(report).slice(0, 200)}`);
  const samples = [remoteAccessSample('rdp', windowsRdp(report))];
  const sshd = list(report.services).find((s) => String(s.name).toLowerCase() === 'sshd');
  if (!sshd) return [...samples, notInstalled('ssh')];
  // Win32-OpenSSH reads %ProgramData%\ssh\sshd_config (created from sshd_config_default at its first start) and
  // writes __PROGRAMDATA__ for that folder's parent in paths.
  const programData = programDataDir ?? process.env.ProgramData ?? 'C:\\ProgramData';
  const sshDir = join(programData, 'ssh');
  const directives = await readSshdConfig(
    join(sshDir, 'sshd_config'),
    configFiles(
      sshDir,
      (p) => p,
      (p) => p.replace(/^__PROGRAMDATA__/i, programData),
    ),
  );
  const { ports, source } = sshdPorts(directives ?? []);
  const open = report.listenError ? undefined : new Set(list(report.listening));
  const enabled = String(sshd.startMode).toLowerCase() === 'auto' || String(sshd.state).toLowerCase() === 'running';
  return [...samples, remoteAccessSample('ssh', { installed: true, enabled, listening: listeningOn(ports, open), ports, source })];
}

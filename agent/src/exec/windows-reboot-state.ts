// Windows' reboot-pending markers, read by ONE PowerShell fragment so that the patches probe (its reboot_pending) and
// patching/ (whether a reboot follows the installs) can never disagree. It sits in exec/ beside the process mechanism
// both run it with (powershell-process.ts): the one layer both probes/ and patching/ may import.

/**
 * PowerShell 5.1, a fragment for a script that has set $ErrorActionPreference = 'Stop': it leaves `$rebootState`, an
 * ordered table of the four markers. Component Based Servicing's RebootPending and Windows Update's RebootRequired
 * keys, WUA's ISystemInformation.RebootRequired (null when the COM object fails), and PendingFileRenameOperations,
 * which installers and antivirus set too (so it is reported, never read as "reboot pending").
 */
export const WINDOWS_REBOOT_STATE_PS = `
$sysInfo = $null
try { $sysInfo = [bool](New-Object -ComObject Microsoft.Update.SystemInfo).RebootRequired } catch { }
$sm = Get-ItemProperty 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Session Manager' -ErrorAction SilentlyContinue
$rebootState = [ordered]@{
  rebootCbs = Test-Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending'
  rebootWu = Test-Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired'
  rebootSystemInfo = $sysInfo
  pendingFileRename = [bool]($sm.PendingFileRenameOperations -or $sm.PendingFileRenameOperations2)
}
`;

/** The markers as the fragment's table leaves PowerShell (ConvertTo-Json). */
export interface WindowsRebootState {
  rebootCbs?: unknown;
  rebootWu?: unknown;
  rebootSystemInfo?: unknown;
  pendingFileRename?: unknown;
}

/** Reboot pending: any of the three reboot markers; PendingFileRenameOperations alone is not. */
export function windowsRebootPending(state: WindowsRebootState): boolean {
  return state.rebootCbs === true || state.rebootWu === true || state.rebootSystemInfo === true;
}

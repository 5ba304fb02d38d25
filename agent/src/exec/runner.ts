// exec/: the only two ways the agent starts processes: this allow-listed runner and the Windows PowerShell worker
// (powershell-worker.ts, powershell-framing.ts). Not the scheduler's: service/ and commands/ run commands too.
//
// The one place the agent starts OS commands. Probes never call child_process themselves: an allow-list keeps
// what the agent can execute reviewable (it runs as LocalSystem/root on client machines), and one implementation
// gives every command a timeout, an output cap and abort support.
// The one other place that starts a process is powershell-worker.ts: the long-lived powershell.exe (by full path) that
// Windows probes send scripts to, which execFile (start, wait, collect) cannot hold open; it has its own per-request
// timeout, output cap, abort and recycling.
import { execFile } from 'node:child_process';
import { win32 } from 'node:path';

/** Commands the agent may run, by executable name. Adding one is a reviewed change. */
export const ALLOWED_COMMANDS: ReadonlySet<string> = new Set([
  'powershell.exe', // Windows: one batched query per collection, never per metric; patching: one process per WUA install, Defender action or reboot-state read
  'netstat', // macOS: per-interface counters (net: netstat -ibdnW), sockets per TCP state (netstat: netstat -an), listening ports (remote_access: netstat -an -p tcp)
  'ps', // macOS processes: `ps -axo stat`, every process's state
  'sysctl', // macOS: boot time, memory, swap usage (vm.swapusage)
  'sw_vers', // macOS: OS version
  'vm_stat', // macOS: memory pages (mem), swap-ins and swap-outs (swap)
  'ioreg', // macOS diskio: `ioreg -r -d 2 -l -w 0 -c IOBlockStorageDriver`, the disks' I/O statistics (read-only)
  'system_profiler', // macOS: hardware inventory
  'who', // Linux/macOS: logged-in users
  'reg.exe', // Windows inventory: `reg query` of CurrentVersion (build, UBR, edition) and ProductOptions
  'sigtool', // Linux antivirus: `sigtool --info` of the ClamAV database (its build time)
  'mdatp', // Linux/macOS antivirus: `mdatp health --output json` (Defender for Endpoint), when installed
  'plutil', // macOS antivirus: XProtect's version when its Info.plist is binary; remote_access: ssh.plist as XML when binary (-convert xml1 -o -)
  'pwpolicy', // macOS password_policy: `pwpolicy -getaccountpolicies` (read-only)
  'dsconfigad', // macOS password_policy: `dsconfigad -show`, the Active Directory binding (read-only)
  'journalctl', // Linux: eventlog reads journald as JSON from its cursor
  'log', // macOS, `log show` only: eventlog (--style ndjson) and shutdowns (default style, the "Previous shutdown cause" predicate)
  'apt', // Debian/Ubuntu patches: `apt list --upgradable` (reads the cached lists; never `apt update`)
  'dnf', // RHEL/Fedora patches: `dnf -C list --upgrades` and `updateinfo list --security` from the cache only; patching: `dnf -y upgrade <package>` or `--advisory=<id>` of an approved plan item
  'yum', // RHEL/CentOS 7 patches: the same queries where dnf is absent; patching: `yum -y upgrade <package>` or `--advisory=<id>` likewise
  'zypper', // SUSE patches: `zypper --no-refresh --xmlout list-patches`; patching: `zypper --non-interactive install -t patch <name>` of an approved patch
  'apt-get', // Debian/Ubuntu patching: `apt-get install --only-upgrade -y -q <package>` of one approved plan item (upgrades only, never a new package)
  'dpkg-query', // Debian/Ubuntu patching: `dpkg-query -W` of one plan item's installed version and status, before and after its upgrade (read-only)
  'shutdown', // Linux patching: `shutdown -r -- +N <message>` or `shutdown -r -- +1` after a plan's installs, when its reboot policy allows it; macOS patching: `shutdown -r +N <message>` or `shutdown -r +1` likewise
  'shutdown.exe', // Windows patching: `shutdown.exe /r /t <seconds> /c <message> /d p:2:17` after a plan's installs, when its reboot policy allows it
  'needs-restarting', // RHEL-likes: `needs-restarting -r` (exit 1 = reboot needed)
  'softwareupdate', // macOS patches: `softwareupdate --list`; patching: `softwareupdate --install --no-scan <label>` of one approved label
  'diskutil', // macOS raid: `diskutil appleRAID list` (read-only)
  'upsc', // Linux/macOS ups, NUT when installed: `upsc -l` and `upsc <ups>` (read-only queries of upsd)
  'apcaccess', // Linux/macOS ups, apcupsd when installed: `apcaccess status` (read-only)
  'pmset', // macOS ups: `pmset -g batt`, the power sources (read-only)
  'tmutil', // macOS backup: `tmutil destinationinfo` and `tmutil latestbackup` (read-only; Time Machine)
  'systemd-notify', // Linux under systemd: `systemd-notify WATCHDOG=1` from the event loop, the unit's WatchdogSec= keep-alive (watchdog/systemd-watch.ts)
  'systemctl', // Linux services: `systemctl list-units --failed` (read-only); `install`/`uninstall`: daemon-reload, enable, disable, restart of watchpost-agent.service only
  'launchctl', // macOS `install`/`uninstall`: print, enable, bootstrap, bootout of system/com.watchpost.agent only
  'icacls.exe', // Windows `install`: the state directory's ACL (SYSTEM and Administrators only); password_policy: the same ACL on the private directory secedit exports into
  'secedit.exe', // Windows password_policy: `secedit /export /cfg FILE /areas SECURITYPOLICY /quiet` (reads the policy; writes only FILE)
  'whoami.exe', // Windows `install`/`uninstall`: `whoami /groups`, whether the token is elevated
]);

/** Executables started by absolute path, by file name: not on PATH. Only the agent's own service host, WinSW,
 *  which the Windows release ships beside the agent (%ProgramFiles%\Watchpost\watchpost-agent-service.exe):
 *  `install`, `uninstall`, `start`, `stop` and `status` of the watchpost-agent service. */
export const ALLOWED_BY_PATH: ReadonlySet<string> = new Set(['watchpost-agent-service.exe']);

function allowed(command: string): boolean {
  if (ALLOWED_COMMANDS.has(command)) return true;
  return win32.isAbsolute(command) && ALLOWED_BY_PATH.has(win32.basename(command).toLowerCase());
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

export interface RunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Decode stdout as this encoding (Windows tools may emit UTF-16LE). */
  encoding?: BufferEncoding;
  /** Non-zero exit codes that are answers, not failures (`dnf check-update` 100, `needs-restarting -r` 1): the
   *  promise resolves with the output and `exitCode` instead of rejecting. */
  okExitCodes?: readonly number[];
  /** Variables set for this command on top of the agent's environment (package tools: DEBIAN_FRONTEND, LC_ALL). */
  env?: Readonly<Record<string, string>>;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Set when the command exited with one of `okExitCodes`; absent means 0. */
  exitCode?: number;
}

/** Runs `command args` and resolves with its output; rejects on a non-zero exit, a timeout or an abort. */
export type Runner = (command: string, args: readonly string[], options?: RunOptions) => Promise<RunResult>;

export class CommandNotAllowedError extends Error {
  constructor(command: string) {
    super(`command not in the agent's allow-list: ${command}`);
    this.name = 'CommandNotAllowedError';
  }
}

export const execRunner: Runner = (command, args, options = {}) => {
  if (!allowed(command)) return Promise.reject(new CommandNotAllowedError(command));
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxBuffer: MAX_OUTPUT_BYTES,
        windowsHide: true,
        encoding: 'buffer',
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
      },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : undefined;
        if (error && (code === undefined || !options.okExitCodes?.includes(code))) return reject(error);
        const encoding = options.encoding ?? 'utf8';
        resolve({ stdout: stdout.toString(encoding), stderr: stderr.toString('utf8'), ...(code === undefined ? {} : { exitCode: code }) });
      },
    );
  });
};

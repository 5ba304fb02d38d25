// Linux: the agent as a systemd service. systemdUnit() is pure: the unit file, in the format of systemd.unit(5),
// systemd.service(5), systemd.exec(5), systemd.kill(5) and systemd.resource-control(5)
// (https://www.freedesktop.org/software/systemd/man/latest/). The host registers it with systemctl(1):
// `daemon-reload` and `enable --now`, or under --root `systemctl --root=DIR enable`, which needs no running systemd
// (it only makes the [Install] symlink inside DIR).
import { posix } from 'node:path';
import { ServiceDefinitionError } from './xml.js';
import { SERVICE_DESCRIPTION, SYSTEMD_UNIT } from './paths.js';
import { RESTART_DELAY_SECONDS, STOP_TIMEOUT_SECONDS, step, type ServiceHost } from './host.js';
import { LOOP_STALL_MS } from '../watchdog/watchdog.js';
import { SERVICE_KILL_FILE } from '../watchdog/systemd-watch.js';

/** The kernel's hard backstop: twice the agent's own watchdog limit (150 MB RSS, watchdog.ts), which restarts it
 *  first and reports why; this only fires when the watchdog itself cannot. */
export const MEMORY_MAX = '300M';
/** A quarter of one CPU: probes are short bursts; an endpoint's user must never notice the agent. */
export const CPU_QUOTA = '25%';
export const NICE = 10;
const WANTED_BY = 'multi-user.target';
const STATE_PARENT = '/var/lib/';

export interface UnitInput {
  /** The executable the service starts (<prefix>/current/watchpost-agent). */
  executable: string;
  stateDir: string;
  description?: string;
}

function checkLine(value: string, what: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new ServiceDefinitionError(`${what} contains a control character: ${JSON.stringify(value)}`);
  return value;
}

/** `%` starts a specifier in every setting (systemd.unit(5), "Specifiers"): a literal one is `%%`. */
const specifiersEscaped = (value: string, what: string) => checkLine(value, what).replace(/%/g, '%%');

/** A word of ExecStart= or Environment=, double-quoted with C-style escapes unless it is plain (systemd.service(5),
 *  "Command lines"; systemd.exec(5), Environment=). The executable's path gets no `$` substitution, and `run` has
 *  no `$`, so `$` needs no escaping here. */
function word(value: string, what: string): string {
  const text = specifiersEscaped(value, what);
  if (/^[A-Za-z0-9_./:@+=,%-]+$/.test(text)) return text;
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function systemdUnit(input: UnitInput): string {
  const { executable, stateDir } = input;
  if (!posix.isAbsolute(executable) || !posix.isAbsolute(stateDir))
    throw new ServiceDefinitionError('the executable and state directory must be absolute paths');
  // systemd refuses such an executable path outright ("Executable name contains special characters").
  if (/["'\\]/.test(executable))
    throw new ServiceDefinitionError(`systemd cannot start an executable whose path has a quote or a backslash: ${JSON.stringify(executable)}`);
  // StateDirectory= makes systemd create the directory (root, 0700) before each start; it takes a name under /var/lib.
  const stateName = stateDir.startsWith(STATE_PARENT) ? stateDir.slice(STATE_PARENT.length) : undefined;
  return `# Watchpost agent, installed by \`watchpost-agent install\` and removed by \`watchpost-agent uninstall\`. Rewritten
# by every install: change settings with \`systemctl edit ${SYSTEMD_UNIT}\` (a drop-in), not here.
# Format: systemd.unit(5), systemd.service(5), systemd.exec(5), systemd.kill(5), systemd.resource-control(5).
#
# Runs as root (no User=): the probes read the whole journal (journalctl; as root, every unit's and user's
# messages, which the systemd-journal group would also give, but not the rest), the package managers' databases
# and caches (apt, dnf, yum, zypper), every mount for disk space and /proc of every process, and the self-update
# replaces the executables under the install prefix.

[Unit]
Description=${specifiersEscaped(input.description ?? SERVICE_DESCRIPTION, 'description')}
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=${word(executable, 'executable')} run
Environment=${word(`WATCHPOST_STATE_DIR=${stateDir}`, 'state directory')}
${stateName ? `StateDirectory=${word(stateName, 'state directory')}\nStateDirectoryMode=0700\n` : ''}UMask=0077
SyslogIdentifier=watchpost-agent
# Started again after every exit: a crash, the kernel's kill at MemoryMax, and exit 75 (EXIT_RESTART) after a
# self-update, a rollback or a watchdog trip.
Restart=always
RestartSec=${RESTART_DELAY_SECONDS}s
# SIGTERM to the agent (it closes its spool and link), then SIGKILL to the whole control group once the timeout
# has passed: a command it started (journalctl, apt) never outlives it.
KillMode=mixed
TimeoutStopSec=${STOP_TIMEOUT_SECONDS}s
# The event loop's watch (watchdog/systemd-watch.ts): the agent sends WATCHDOG=1 from its event loop, so systemd
# kills it when the loop stops turning. The agent tells systemd its own limit (WATCHPOST_LOOP_STALL) if that is not
# this one. The sender is systemd-notify, a child of the agent: NotifyAccess=all. SIGKILL as the agent's own loop
# watch does elsewhere: a blocked loop cannot stop gracefully, and SIGABRT would dump the core of a hung process.
# ExecStopPost= leaves the marker that makes the next start report the kill (nothing of the agent ran to do it).
WatchdogSec=${LOOP_STALL_MS / 1000}s
WatchdogSignal=SIGKILL
NotifyAccess=all
ExecStopPost=/bin/sh -c 'if [ "$$SERVICE_RESULT" = watchdog ]; then : > "$$WATCHPOST_STATE_DIR/${SERVICE_KILL_FILE}"; fi'
# Resources: the agent's own watchdog restarts it past 150 MB RSS and reports it; MemoryMax is the hard backstop
# at twice that. A quarter of one CPU at most, and every other process's CPU and disk requests go first.
MemoryMax=${MEMORY_MAX}
CPUQuota=${CPU_QUOTA}
Nice=${NICE}
IOSchedulingClass=idle
# Hardening that leaves the probes working:
# - ProtectSystem=full makes /usr, /boot, /efi and /etc read-only. Not "strict": dnf and zypper write caches, locks
#   and logs under /var even for read-only queries, and the self-update writes the install prefix.
# - ProtectHome=read-only, not "yes": "yes" would hide /home, so the disk probe would measure an empty directory
#   instead of a separate /home file system; read-only keeps the mount visible and unwritable.
# - PrivateTmp: the agent and its commands get their own /tmp.
# - ProtectKernelTunables and ProtectControlGroups make /proc/sys, /sys and the cgroup tree read-only: the probes
#   only read them.
# Not set, on purpose: MemoryDenyWriteExecute (V8's JIT compiler needs writable executable memory: Node would
# crash), PrivateDevices (hides the block devices that inventory and disk probes look at), ProtectProc and
# ProcSubset (the probes read other processes' /proc), SystemCallFilter and CapabilityBoundingSet (journalctl and
# the package managers need root's full file access and a wide set of system calls that changes between versions).
ProtectSystem=full
ProtectHome=read-only
PrivateTmp=yes
NoNewPrivileges=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
LockPersonality=yes
ProtectKernelModules=yes
ProtectKernelTunables=yes
ProtectControlGroups=yes

[Install]
WantedBy=${WANTED_BY}
`;
}

export const systemdHost: ServiceHost = {
  describe: `systemd unit ${SYSTEMD_UNIT}`,
  files: (paths) => [{ path: paths.serviceFile, text: systemdUnit({ executable: paths.serviceExecutable, stateDir: paths.stateDir }) }],
  filePaths: (paths) => [paths.serviceFile],
  managerDirs: (paths) => [posix.join(posix.dirname(paths.serviceFile), `${WANTED_BY}.wants`)],
  prepare: () => Promise.resolve(undefined),
  async activate(ctx, change, _before, start) {
    if (ctx.root !== undefined) {
      await step(ctx, 'systemctl', [`--root=${ctx.root}`, 'enable', SYSTEMD_UNIT]);
      return;
    }
    if (change !== 'unchanged') await step(ctx, 'systemctl', ['daemon-reload']);
    if (!start) {
      await step(ctx, 'systemctl', ['enable', SYSTEMD_UNIT]);
    } else if (change === 'changed') {
      // enable --now would leave a running old version running: restart starts the new one (or starts it at all).
      await step(ctx, 'systemctl', ['enable', SYSTEMD_UNIT]);
      await step(ctx, 'systemctl', ['restart', SYSTEMD_UNIT]);
    } else {
      await step(ctx, 'systemctl', ['enable', '--now', SYSTEMD_UNIT]);
    }
  },
  async deactivate(ctx) {
    if (ctx.root !== undefined) await step(ctx, 'systemctl', [`--root=${ctx.root}`, 'disable', SYSTEMD_UNIT]);
    else await step(ctx, 'systemctl', ['disable', '--now', SYSTEMD_UNIT]);
  },
  async afterRemoval(ctx) {
    if (ctx.root === undefined) await step(ctx, 'systemctl', ['daemon-reload']);
  },
  startHint: () => `systemctl start ${SYSTEMD_UNIT}`,
};

// probes/remote_access/: this probe (Linux and macOS here, Windows in windows.ts), the service sample and shared
// file reading (remote-service.ts), the sshd_config reader (sshd-config.ts) and the listening-port parsers
// (listeners.ts).
//
// remote_access: whether the remote-access servers are installed and on, which TCP port they use and whether it is
// the standard one, one `remote_access` point per service (tag service: rdp, ssh).
//   Windows: ONE PowerShell request: the RDP registry values (fDenyTSConnections, its Group Policy override,
//            RDP-Tcp PortNumber), the TermService and sshd services (Win32_Service), the listening TCP ports (.NET
//            IPGlobalProperties); the OpenSSH server's %ProgramData%\ssh\sshd_config is read from disk.
//   Linux:   files only: /etc/ssh/sshd_config and its Include'd files, the systemd/OpenRC links that start sshd at
//            boot, /proc/net/tcp and tcp6 for listening sockets.
//   macOS:   launchd's ssh.plist (Remote Login's socket: its SockServiceName is the port; sshd runs from launchd in
//            inetd mode, so sshd_config's Port does not apply), and `netstat -an -p tcp` for whether it listens.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SampleDraft } from '../../sample.js';
import type { Probe, ProbeContext } from '../probe.js';
import { netstatListeningPorts, procListeningPorts } from './listeners.js';
import { configFiles, listeningOn, notInstalled, optional, present, remoteAccessSample } from './remote-service.js';
import { readSshdConfig, sshdPorts, SSH_DEFAULT_PORT } from './sshd-config.js';
import { windowsRemoteAccess } from './windows.js';

const DEFAULT_SCHEDULE = '0 0 */12 * * *'; // twice a day: ports and services change by an administrator's hand, rarely
/** Links that start sshd at boot: systemd's service or socket unit (Debian/Ubuntu name it ssh, others sshd), OpenRC. */
const SSH_BOOT_LINKS = [
  'etc/systemd/system/multi-user.target.wants/ssh.service',
  'etc/systemd/system/multi-user.target.wants/sshd.service',
  'etc/systemd/system/sockets.target.wants/ssh.socket',
  'etc/systemd/system/sockets.target.wants/sshd.socket',
  'etc/runlevels/default/sshd',
];
const MAC_SSH_PLIST = 'System/Library/LaunchDaemons/ssh.plist';

export interface RemoteAccessProbeOptions {
  platform?: NodeJS.Platform;
  /** Linux/macOS: prefix of the files read (tests point it at a captured tree). */
  root?: string;
  /** Linux: where /proc is. */
  procRoot?: string;
  /** Windows: %ProgramData% (the OpenSSH server's configuration is in its ssh folder). */
  programData?: string;
}

async function linux(o: RemoteAccessProbeOptions): Promise<SampleDraft[]> {
  const root = o.root ?? '/';
  const etcSsh = join(root, 'etc/ssh');
  const directives = await readSshdConfig(
    join(etcSsh, 'sshd_config'),
    configFiles(etcSsh, (p) => join(root, p)),
  );
  if (directives === undefined && !(await present(join(root, 'usr/sbin/sshd')))) return [notInstalled('ssh')];
  const { ports, source } = sshdPorts(directives ?? []);
  const proc = o.procRoot ?? '/proc';
  const tables = await Promise.all(['net/tcp', 'net/tcp6'].map((f) => optional(join(proc, f))));
  const open = tables.every((t) => t === undefined) ? undefined : new Set(tables.flatMap((t) => [...procListeningPorts(t ?? '')]));
  const listening = listeningOn(ports, open);
  const atBoot = (await Promise.all(SSH_BOOT_LINKS.map((l) => present(join(root, l))))).some(Boolean);
  return [remoteAccessSample('ssh', { installed: true, enabled: atBoot || listening === true, listening, ports, source })];
}

/** ssh.plist's SockServiceName: a port number, or a service name (`ssh`: 22). */
export function launchdPort(plist: string): number | undefined {
  const name = /<key>\s*SockServiceName\s*<\/key>\s*<string>\s*([^<]*?)\s*<\/string>/.exec(plist)?.[1];
  if (name === undefined) return undefined;
  if (/^\d+$/.test(name)) return Number(name);
  return name === 'ssh' ? SSH_DEFAULT_PORT : undefined;
}

async function darwin(ctx: ProbeContext, o: RemoteAccessProbeOptions): Promise<SampleDraft[]> {
  const path = join(o.root ?? '/', MAC_SSH_PLIST);
  const raw = await readFile(path).catch(() => undefined);
  if (raw === undefined) return [notInstalled('ssh')];
  // Apple ships the plist as XML; a binary one is read through plutil.
  const plist =
    raw.subarray(0, 6).toString('latin1') === 'bplist'
      ? (await ctx.runner('plutil', ['-convert', 'xml1', '-o', '-', path], { signal: ctx.signal })).stdout
      : raw.toString('utf8');
  const port = launchdPort(plist);
  const ports = port === undefined ? undefined : [port];
  const { stdout } = await ctx.runner('netstat', ['-an', '-p', 'tcp'], { signal: ctx.signal });
  // Remote Login on = launchd holds the listening socket; off = nothing listens.
  const listening = listeningOn(ports, netstatListeningPorts(stdout));
  return [
    remoteAccessSample('ssh', {
      installed: true,
      ...(listening === undefined ? {} : { enabled: listening }),
      listening,
      ...(ports ? { ports } : {}),
      source: 'launchd',
    }),
  ];
}

type Collector = (ctx: ProbeContext) => Promise<SampleDraft[]>;

const collectors: Partial<Record<NodeJS.Platform, (o: RemoteAccessProbeOptions) => Collector>> = {
  win32: (o) => (ctx) => windowsRemoteAccess(ctx, o.programData),
  linux: (o) => () => linux(o),
  darwin: (o) => (ctx) => darwin(ctx, o),
};

export function createRemoteAccessProbe(options: RemoteAccessProbeOptions = {}): Probe {
  const collect = collectors[options.platform ?? process.platform]?.(options) ?? (async () => []);
  return { name: 'remote_access', schedule: DEFAULT_SCHEDULE, collect };
}

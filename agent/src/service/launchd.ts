// macOS: the agent as a launchd daemon in the system domain (runs as root at boot, no login needed).
// launchdPlist() is pure: an XML property list in the format of plist(5) (Apple's PropertyList-1.0 DTD) with
// the keys of launchd.plist(5). The host loads it with launchctl(1): `bootstrap system <plist>` (after `bootout
// system/<label>` when an older definition is loaded) and `enable system/<label>`, which clears a `launchctl
// disable` that would make bootstrap refuse it. launchctl has no alternate root: under --root nothing is loaded.
import { posix } from 'node:path';
import { xmlText } from './xml.js';
import { LAUNCHD_LABEL } from './paths.js';
import { RESTART_DELAY_SECONDS, STOP_TIMEOUT_SECONDS, step, type HostContext, type ServiceHost } from './host.js';

export const LOG_FILE = 'watchpost-agent.log';
export const NICE = 10;
/** 077 octal: files the agent creates are its own (launchd.plist(5) takes the umask as a decimal integer). */
const UMASK = 0o077;

export interface PlistInput {
  label: string;
  executable: string;
  stateDir: string;
  /** The agent's stdout and stderr (it logs to stderr): one file, appended to by launchd. */
  logFile: string;
}

const string = (value: string, what: string) => `<string>${xmlText(value, what)}</string>`;
const key = (name: string) => `<key>${name}</key>`;

export function launchdPlist(input: PlistInput): string {
  const log = string(input.logFile, 'log file');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!--
  Watchpost agent, installed by "watchpost-agent install" and removed by "watchpost-agent uninstall"; rewritten by
  every install. Format: plist(5), keys of launchd.plist(5). A daemon in /Library/LaunchDaemons runs as root: the
  probes read the unified log (log show), softwareupdate and system_profiler.
  KeepAlive starts the agent again after every exit, ThrottleInterval seconds apart at the least: a crash, and
  exit 75 (EXIT_RESTART) after a self-update, a rollback or a watchdog trip. ExitTimeOut is the time between
  SIGTERM and SIGKILL at stop. ProcessType Background, LowPriorityIO and Nice keep it out of the user's way.
-->
<plist version="1.0">
<dict>
  ${key('Label')}
  ${string(input.label, 'label')}
  ${key('ProgramArguments')}
  <array>
    ${string(input.executable, 'executable')}
    <string>run</string>
  </array>
  ${key('EnvironmentVariables')}
  <dict>
    ${key('WATCHPOST_STATE_DIR')}
    ${string(input.stateDir, 'state directory')}
  </dict>
  ${key('WorkingDirectory')}
  ${string(input.stateDir, 'state directory')}
  ${key('RunAtLoad')}
  <true/>
  ${key('KeepAlive')}
  <true/>
  ${key('ThrottleInterval')}
  <integer>${RESTART_DELAY_SECONDS}</integer>
  ${key('ExitTimeOut')}
  <integer>${STOP_TIMEOUT_SECONDS}</integer>
  ${key('ProcessType')}
  <string>Background</string>
  ${key('LowPriorityIO')}
  <true/>
  ${key('Nice')}
  <integer>${NICE}</integer>
  ${key('Umask')}
  <integer>${UMASK}</integer>
  ${key('StandardOutPath')}
  ${log}
  ${key('StandardErrorPath')}
  ${log}
</dict>
</plist>
`;
}

const target = `system/${LAUNCHD_LABEL}`;

/** Whether launchd has the daemon loaded: `launchctl print` succeeds only for a loaded service (its output is
 *  not an interface, its success is). */
async function loaded(ctx: HostContext): Promise<boolean> {
  try {
    await ctx.runner('launchctl', ['print', target]);
    return true;
  } catch {
    return false;
  }
}

export const launchdHost: ServiceHost = {
  describe: `launchd daemon ${LAUNCHD_LABEL}`,
  files: (paths) => [
    {
      path: paths.serviceFile,
      text: launchdPlist({ label: LAUNCHD_LABEL, executable: paths.serviceExecutable, stateDir: paths.stateDir, logFile: posix.join(paths.logDir!, LOG_FILE) }),
    },
  ],
  filePaths: (paths) => [paths.serviceFile],
  managerDirs: () => [],
  async prepare(ctx) {
    if (ctx.root !== undefined) return undefined;
    const registered = await loaded(ctx);
    return { registered, running: registered };
  },
  async activate(ctx, change, before, start) {
    if (ctx.root !== undefined) {
      ctx.say(`not loaded into launchd (--root): at boot launchd loads ${ctx.paths.serviceFile}`);
      return;
    }
    const registered = before?.registered ?? false;
    if (registered && change === 'unchanged') return; // KeepAlive keeps it running
    if (registered) await step(ctx, 'launchctl', ['bootout', target]);
    if (!start) {
      ctx.say(`not loaded now (--no-start): launchd loads it at the next boot`);
      return;
    }
    await step(ctx, 'launchctl', ['enable', target]);
    await step(ctx, 'launchctl', ['bootstrap', 'system', ctx.paths.serviceFile]);
  },
  async deactivate(ctx) {
    if (ctx.root === undefined && (await loaded(ctx))) await step(ctx, 'launchctl', ['bootout', target]);
  },
  afterRemoval: () => Promise.resolve(),
  startHint: (p) => `launchctl bootstrap system '${p.serviceFile}'`,
};

// Windows: a bare Node executable cannot answer the service control manager, so the agent runs under WinSW 1.17
// (the winsw.exe of the npm package node-windows; .NET 2 or 4), shipped beside the agent as
// watchpost-agent-service.exe. WinSW reads <its name>.xml beside itself, and <its name>.exe.config tells .NET 4
// it may host a .NET 2 program. The generators are pure and follow WinSW 1.17's documentation, the README of tag
// v1.17 of github.com/winsw/winsw ("Configuration File Syntax", "Logging", ".NET runtime 4.0+", "Offline
// Environment and Authenticode"); only elements that version documents are used.
//
// Facts from WinSW 1.17 that shape the XML:
//  1. No <serviceaccount>: the service runs as LocalSystem, WinSW's default (Win32_Service.Create with no
//     account), which the probes need for the Security event log, Windows Update and Defender state.
//  2. <stoptimeout> and <resetfailure> are looked up under the document's first node (ServiceDescriptor.cs reads
//     them from dom.FirstChild): an XML declaration or a comment before <service> would silently drop them. The
//     document therefore starts with <service> and its comment is inside it.
//  3. <onfailure> actions and <resetfailure> are written into the SCM's recovery settings at `install` (the
//     documented reset period covers what `sc.exe failure reset=` would), so a change needs uninstall + install.
//     WinSW exits with the agent's exit code: 0 stops the service, anything else (75 after an update, a rollback
//     or a watchdog trip) is a failure, and the SCM restarts it.
//  4. WinSW expands %NAME% in every value, so a literal % cannot be written and is refused.
//  5. Stop sends Ctrl+C (SIGINT to Node), waits <stoptimeout>, then terminates the process.
import { existsSync } from 'node:fs';
import { win32 } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceDefinitionError, xmlText } from './xml.js';
import { SERVICE_DESCRIPTION, SERVICE_DISPLAY_NAME, WINDOWS_SERVICE_ID, type InstallPaths } from './paths.js';
import { RESTART_DELAY_SECONDS, STOP_TIMEOUT_SECONDS, ServiceCommandError, step, type HostContext, type ServiceHost, type ServiceState } from './host.js';

/** WinSW renamed: the name the release ships it under, beside watchpost-agent.exe. */
export const SERVICE_HOST_EXE = 'watchpost-agent-service.exe';
/** Restart delays after the 1st, 2nd and every later failure; the SCM repeats the last one. */
export const RESTART_DELAYS_SECONDS: readonly number[] = [RESTART_DELAY_SECONDS, 30, 60];
/** Running this long without failing resets the failure count. */
export const RESET_FAILURE = '1 hour';
/** roll-by-size: rotate at 10 MiB (the threshold is in KB), keep 8 files. */
const LOG_SIZE_KB = 10_240;
const LOG_KEEP_FILES = 8;
/** The SCM's stop request is answered once the agent has stopped; polled this often, for at most the stop timeout plus this. */
const STOP_POLL_MS = 1_000;
const STOP_WAIT_SLACK_SECONDS = 15;

export interface WinswInput {
  id: string;
  name: string;
  description: string;
  executable: string;
  stateDir: string;
  logDir: string;
}

function value(text: string, what: string): string {
  if (text.includes('%')) throw new ServiceDefinitionError(`${what} contains %, which WinSW would expand as an environment variable: ${JSON.stringify(text)}`);
  return xmlText(text, what);
}

export function winswXml(input: WinswInput): string {
  const failures = RESTART_DELAYS_SECONDS.map((s) => `  <onfailure action="restart" delay="${s} sec"/>`).join('\n');
  return `<service>
  <!-- Watchpost agent, installed by "watchpost-agent install" and removed by "watchpost-agent uninstall"; rewritten
       by every install. Format: WinSW 1.17 (github.com/winsw/winsw, tag v1.17, README "Configuration File Syntax").
       Runs as LocalSystem (no serviceaccount element). This element must stay the document's first node. -->
  <id>${value(input.id, 'service id')}</id>
  <name>${value(input.name, 'service name')}</name>
  <description>${value(input.description, 'description')}</description>
  <executable>${value(input.executable, 'executable')}</executable>
  <argument>run</argument>
  <env name="WATCHPOST_STATE_DIR" value="${value(input.stateDir, 'state directory')}"/>
  <workingdirectory>${value(input.stateDir, 'state directory')}</workingdirectory>
  <startmode>Automatic</startmode>
  <priority>belownormal</priority>
  <stoptimeout>${STOP_TIMEOUT_SECONDS} sec</stoptimeout>
${failures}
  <resetfailure>${RESET_FAILURE}</resetfailure>
  <logpath>${value(input.logDir, 'log directory')}</logpath>
  <log mode="roll-by-size">
    <sizeThreshold>${LOG_SIZE_KB}</sizeThreshold>
    <keepFiles>${LOG_KEEP_FILES}</keepFiles>
  </log>
</service>
`;
}

/** <service host>.exe.config: runs WinSW (built for .NET 2) on .NET 4 where 2 is absent, and skips the
 *  Authenticode publisher check that needs the internet to fetch revocation lists (README sections ".NET runtime
 *  4.0+" and "Offline Environment and Authenticode"). */
export function winswExeConfig(): string {
  return `<configuration>
  <startup>
    <supportedRuntime version="v2.0.50727" />
    <supportedRuntime version="v4.0" />
  </startup>
  <runtime>
    <generatePublisherEvidence enabled="false"/>
  </runtime>
</configuration>
`;
}

export type WinswStatus = 'NonExistent' | 'Started' | 'Stopped';

/** `<service host> status` prints one line: NonExistent, Started or Stopped (README "Available commands"). */
export function parseWinswStatus(stdout: string): WinswStatus | undefined {
  const line = stdout.trim().split(/\r?\n/).pop()?.trim();
  return line === 'NonExistent' || line === 'Started' || line === 'Stopped' ? line : undefined;
}

const serviceHost = (paths: InstallPaths) => win32.join(paths.prefix, SERVICE_HOST_EXE);
const exeConfig = (paths: InstallPaths) => `${serviceHost(paths)}.config`;

/** The service's state, or undefined when WinSW and its XML are not installed (it needs both to answer). */
async function status(ctx: HostContext): Promise<WinswStatus | undefined> {
  const exe = serviceHost(ctx.paths);
  if (!existsSync(exe) || !existsSync(ctx.paths.serviceFile)) return undefined;
  const answer = parseWinswStatus(await step(ctx, exe, ['status']));
  if (!answer) throw new ServiceCommandError(`${exe} status: unexpected answer`);
  return answer;
}

/** WinSW's stop returns once the request is accepted; files can be replaced only once the agent has exited. */
async function stop(ctx: HostContext): Promise<void> {
  await step(ctx, serviceHost(ctx.paths), ['stop']);
  for (let waited = 0; waited < (STOP_TIMEOUT_SECONDS + STOP_WAIT_SLACK_SECONDS) * 1000; waited += STOP_POLL_MS) {
    if ((await status(ctx)) !== 'Started') return;
    await sleep(STOP_POLL_MS);
  }
  throw new ServiceCommandError(`the ${WINDOWS_SERVICE_ID} service did not stop within ${STOP_TIMEOUT_SECONDS + STOP_WAIT_SLACK_SECONDS} s`);
}

/** Stops and unregisters whatever is registered; the state before. */
async function remove(ctx: HostContext): Promise<ServiceState> {
  const now = await status(ctx);
  const before = { registered: now !== undefined && now !== 'NonExistent', running: now === 'Started' };
  if (before.running) await stop(ctx);
  if (before.registered) await step(ctx, serviceHost(ctx.paths), ['uninstall']);
  return before;
}

export const winswHost: ServiceHost = {
  describe: `Windows service ${WINDOWS_SERVICE_ID} (WinSW)`,
  files: (paths, sourceDir) => [
    { path: serviceHost(paths), copyOf: win32.join(sourceDir, SERVICE_HOST_EXE) },
    { path: exeConfig(paths), text: winswExeConfig() },
    {
      path: paths.serviceFile,
      text: winswXml({
        id: WINDOWS_SERVICE_ID,
        name: SERVICE_DISPLAY_NAME,
        description: SERVICE_DESCRIPTION,
        executable: paths.serviceExecutable,
        stateDir: paths.stateDir,
        logDir: paths.logDir!,
      }),
    },
  ],
  filePaths: (paths) => [serviceHost(paths), exeConfig(paths), paths.serviceFile],
  managerDirs: () => [],
  async prepare(ctx, change) {
    if (ctx.root !== undefined) return undefined;
    // Changed files: the running agent holds its executable, and recovery settings are applied at install only.
    if (change !== 'unchanged') return remove(ctx);
    const now = await status(ctx);
    return { registered: now !== undefined && now !== 'NonExistent', running: now === 'Started' };
  },
  async activate(ctx, change, before, start) {
    if (ctx.root !== undefined) {
      ctx.say('not registered with the service control manager (--root)');
      return;
    }
    const kept = change === 'unchanged' && before?.registered === true;
    if (!kept) await step(ctx, serviceHost(ctx.paths), ['install']);
    if (start && !(kept && before?.running)) await step(ctx, serviceHost(ctx.paths), ['start']);
  },
  async deactivate(ctx) {
    if (ctx.root === undefined) await remove(ctx);
  },
  afterRemoval: () => Promise.resolve(),
  async restrictDir(ctx, dir) {
    // Mode bits mean nothing to Windows: the state directory (the credential) gets an ACL of its own, not
    // inherited from %ProgramData% (where Users may read): SYSTEM (S-1-5-18) and Administrators (S-1-5-32-544)
    // only, by SID so that it works in every language. Not under --root: a scratch root is the caller's own.
    if (ctx.root !== undefined) return;
    await step(ctx, 'icacls.exe', [dir, '/inheritance:r', '/grant:r', '*S-1-5-18:(OI)(CI)F', '*S-1-5-32-544:(OI)(CI)F']);
  },
  startHint: () => `sc.exe start ${WINDOWS_SERVICE_ID}`,
};

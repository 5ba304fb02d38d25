// watchpost-agent install: the agent as a service of the platform (systemd, launchd, WinSW; agent/src/service/),
// enrolled first when a token is given. Order: check the arguments, the rights, the executable and what is
// installed already (reads only); enroll; only then write. A bad token therefore leaves nothing on disk.
import { UsageError } from '../base/errors.js';
import { execRunner, type Runner } from '../exec/runner.js';
import { StateError, loadIdentity, type Identity } from '../identity/state.js';
import { AGENT_VERSION } from '../version.js';
import { ExecutableError, processSource, sourceExecutable, type ExecutableSource } from '../service/executable.js';
import { ServiceCommandError } from '../service/host.js';
import { ServiceDefinitionError } from '../service/xml.js';
import { InstallError, applyInstall, planInstall } from '../service/installer.js';
import { servicePlatform, type ServicePlatform } from '../service/paths.js';
import { isPrivileged, privilegeHint } from '../service/privilege.js';
import { EnrollError, checkServer, isLoopbackHost, readPin, requestEnrollment } from './enroll.js';
import type { Command, CommandInput } from './command.js';

export interface ServiceCommandDeps {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  runner: Runner;
  privileged(platform: ServicePlatform, runner: Runner): Promise<boolean>;
  out(line: string): void;
  err(line: string): void;
}

export interface InstallCommandDeps extends ServiceCommandDeps {
  version: string;
  source: ExecutableSource;
  enroll: typeof requestEnrollment;
}

export const processDeps: ServiceCommandDeps = {
  platform: process.platform,
  env: process.env,
  runner: execRunner,
  privileged: isPrivileged,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Errors install and uninstall report as exit 1 with their message: their own, and a file system call that
 *  failed (a full disk, a read-only mount). Anything else is a bug and keeps its stack trace. */
export function isReportable(error: unknown): error is Error {
  if ([InstallError, ServiceCommandError, ServiceDefinitionError, ExecutableError, StateError, EnrollError].some((type) => error instanceof type)) return true;
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/** The platform, and whether this process may install there (--root needs no rights: it writes under DIR). */
export async function checkRights(name: string, values: CommandInput['values'], deps: ServiceCommandDeps): Promise<ServicePlatform> {
  const platform = servicePlatform(deps.platform);
  if (!platform) throw new InstallError(`${name} supports Linux, macOS and Windows, not ${deps.platform}`);
  if (values.root === undefined && !(await deps.privileged(platform, deps.runner))) {
    throw new InstallError(`changing the system's services needs privileges: ${privilegeHint(platform)}, or give --root DIR to ${name} under DIR`);
  }
  return platform;
}

function enrollmentFlags(values: CommandInput['values']) {
  const { server, token } = values;
  if (token === undefined) {
    for (const flag of ['server', 'ca', 'fingerprint']) if (values[flag] !== undefined) throw new UsageError(`--${flag} is for enrolling and needs --token`);
    return undefined;
  }
  if (typeof token !== 'string' || !token) throw new UsageError('--token: expected a token');
  if (server === undefined) throw new UsageError('--token needs --server');
  const url = checkServer(server);
  return { url, server: url.origin + url.pathname.replace(/\/$/, ''), token, tls: readPin(values, url) };
}

export function createInstallCommand(overrides: Partial<InstallCommandDeps> = {}): Command {
  const deps: InstallCommandDeps = { ...processDeps, version: AGENT_VERSION, source: processSource, enroll: requestEnrollment, ...overrides };
  return {
    usage: '[--server URL --token TOKEN [--ca FILE | --fingerprint SHA256]] [--root DIR] [--binary PATH] [--no-start]',
    summary: 'install (or update) this agent as a service, enrolling with the token first; --root DIR installs under DIR',
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      ca: { type: 'string' },
      fingerprint: { type: 'string' },
      root: { type: 'string' },
      binary: { type: 'string' },
      'no-start': { type: 'boolean' },
    },
    async run({ values, positionals }) {
      if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      const enrollment = enrollmentFlags(values);
      const say = (line: string) => deps.out(line);
      try {
        const platform = await checkRights('install', values, deps);
        const source = await sourceExecutable(values.binary as string | undefined, deps.source);
        const request = { root: values.root as string | undefined, source, version: deps.version, start: !values['no-start'], enrolling: !!enrollment };
        const plan = await planInstall(request, { platform, env: deps.env, runner: deps.runner, say });
        let identity: Identity | undefined;
        if (enrollment) {
          if (enrollment.url.protocol === 'http:' && !isLoopbackHost(enrollment.url.hostname)) {
            deps.err(
              `watchpost-agent install: warning: ${enrollment.url.origin} is plain http and not loopback: credentials will travel in clear text; use https://`,
            );
          }
          // A reinstall (a deployment script run again) proves this machine's current credential, so the collector
          // replaces its agent instead of refusing the hostname as taken.
          const answer = await deps.enroll(
            enrollment.server,
            enrollment.token,
            enrollment.tls,
            currentCredential(plan.place(plan.paths.stateDir), enrollment.server),
          );
          identity = { server: enrollment.server, ...answer, enrolledAt: new Date().toISOString(), ...(enrollment.tls ? { tls: enrollment.tls } : {}) };
          say(`enrolled as ${answer.agentId} (tenant ${answer.tenant})`);
        }
        const outcome = await applyInstall(plan, identity);
        const what = `watchpost-agent ${deps.version} as ${plan.host.describe}`;
        say(
          outcome.changed
            ? `installed ${what}${outcome.started ? ', started' : ''}; state in ${plan.place(plan.paths.stateDir)}`
            : `${what} is installed already; nothing changed`,
        );
        return 0;
      } catch (error) {
        if (!isReportable(error)) throw error;
        const nothing = error instanceof EnrollError ? '; nothing was installed' : '';
        deps.err(`watchpost-agent install: ${error.message}${nothing}`);
        return 1;
      }
    },
  };
}

export const install = createInstallCommand();

/** The credential in the state directory when it was issued by `server`; undefined when there is none (or it is unreadable). */
function currentCredential(stateDir: string, server: string): string | undefined {
  try {
    const identity = loadIdentity(stateDir);
    return identity?.server === server ? identity.credential : undefined;
  } catch {
    return undefined;
  }
}

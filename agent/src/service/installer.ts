// `watchpost-agent install` in two phases, so that a bad token leaves nothing behind:
//   planInstall  reads only: the paths, what is there already, what would change, whether every file to copy is
//                at hand. Its errors come before the enrollment, which uses up a token.
//   applyInstall after the enrollment succeeded: the service host's prepare, the directories (owner-only), the
//                record of what was created, the executable, the `current` symlink, the identity, the service
//                definition, then the service manager. Files already as they should be are not touched.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Runner } from '../exec/runner.js';
import { ensureStateDir, loadIdentity, saveIdentity, type Identity } from '../identity/state.js';
import { SERVICE_HOSTS } from './index.js';
import {
  CURRENT_LINK,
  INSTALL_RECORD,
  VERSIONS_DIR,
  installPaths,
  onDisk,
  pathApi,
  versionExecutable,
  type InstallPaths,
  type ServicePlatform,
} from './paths.js';
import type { HostContext, InstallChange, ServiceFile, ServiceHost } from './host.js';
import {
  copyFileAtomic,
  linkTarget,
  makeDir,
  missingDirs,
  pointSymlink,
  readRecord,
  recordText,
  sameAsFile,
  sameAsText,
  writeTextAtomic,
  type InstallRecord,
} from './files.js';

export class InstallError extends Error {}

const OWNER_ONLY_DIR = 0o700;
/** Parents install has to create that are not its own (under a scratch root: etc/, etc/systemd/, ...). */
const SYSTEM_DIR = 0o755;
const EXECUTABLE = 0o755;
/** A version becomes a directory name: no separators, no dot-only names. */
const VERSION_NAME = /^[0-9A-Za-z][0-9A-Za-z.+_-]*$/;

export interface InstallerDeps {
  platform: ServicePlatform;
  env: NodeJS.ProcessEnv;
  runner: Runner;
  say(line: string): void;
}

export interface InstallRequest {
  /** --root: every absolute path lands under it, and no running service manager is asked to start anything. */
  root: string | undefined;
  /** The agent executable to install (checked by sourceExecutable). */
  source: string;
  version: string;
  /** --no-start clears it. */
  start: boolean;
  /** A token was given: the identity will be replaced by the enrollment's. */
  enrolling: boolean;
}

export interface InstallPlan {
  request: InstallRequest;
  paths: InstallPaths;
  host: ServiceHost;
  ctx: HostContext;
  place(path: string): string;
  executable: { path: string; same: boolean };
  /** POSIX: `current` and the target it should have. */
  link: { path: string; target: string; same: boolean } | undefined;
  files: { file: ServiceFile; same: boolean }[];
  ownedDirs: string[];
  /** Directories install creates now (system paths, parents first), and the record after this install. */
  newDirs: string[];
  record: { value: InstallRecord; same: boolean };
  change: InstallChange;
  /** An identity is on disk already or comes with this install. */
  enrolled: boolean;
}

function checkRoot(root: string | undefined): string | undefined {
  if (root === undefined) return undefined;
  const absolute = resolve(root);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory()) throw new InstallError(`--root ${root}: not a directory`);
  return absolute;
}

/** What install and uninstall both work from: the platform's layout and service host under the (checked) root. */
export function serviceSetting(rootOption: string | undefined, deps: InstallerDeps) {
  const root = checkRoot(rootOption);
  const { platform } = deps;
  const paths = installPaths(platform, deps.env);
  const ctx: HostContext = { paths, root, runner: deps.runner, say: deps.say };
  return { root, platform, api: pathApi(platform), paths, host: SERVICE_HOSTS[platform], place: (path: string) => onDisk(root, path, platform), ctx };
}

export async function planInstall(request: InstallRequest, deps: InstallerDeps): Promise<InstallPlan> {
  if (!VERSION_NAME.test(request.version)) throw new InstallError(`cannot install version "${request.version}": not a version name`);
  const { platform, api, paths, host, place, ctx } = serviceSetting(request.root, deps);

  const files: InstallPlan['files'] = [];
  for (const file of host.files(paths, api.dirname(request.source))) {
    if ('copyOf' in file && !existsSync(file.copyOf)) throw new InstallError(`${file.copyOf} is missing: it ships beside the agent executable`);
    files.push({ file, same: 'text' in file ? sameAsText(place(file.path), file.text) : await sameAsFile(place(file.path), file.copyOf) });
  }
  const exePath = versionExecutable(paths, request.version);
  const executable = { path: exePath, same: await sameAsFile(place(exePath), request.source) };
  const link = platform === 'win32' ? undefined : linkPlan(paths, request.version, place);

  const ownedDirs = [paths.prefix, paths.stateDir, ...(paths.logDir ? [paths.logDir] : [])];
  if (platform !== 'win32') ownedDirs.push(api.join(paths.prefix, VERSIONS_DIR), api.dirname(exePath));
  const toMake = [...ownedDirs, ...files.map(({ file }) => api.dirname(file.path))];
  const newDirs = missingDirs(toMake, place, api.dirname);
  // The service manager's own directories (systemd's .wants) are recorded when absent, for uninstall to remove.
  const recorded = missingDirs([...toMake, ...host.managerDirs(paths)], place, api.dirname);
  const prior = readRecord(place(paths.prefix));
  const value = { createdDirs: [...(prior?.createdDirs ?? []), ...recorded.filter((d) => !prior?.createdDirs.includes(d))] };
  const record = { value, same: prior !== undefined && recordText(prior) === recordText(value) };

  const sameService = executable.same && (link?.same ?? true) && files.every((f) => f.same);
  const change: InstallChange = !existsSync(place(paths.serviceFile)) ? 'new' : sameService ? 'unchanged' : 'changed';
  // Without a token the identity on disk is kept and must be readable (a damaged one fails here, before any write).
  const enrolled = request.enrolling || loadIdentity(place(paths.stateDir)) !== undefined;
  return { request, paths, host, ctx, place, executable, link, files, ownedDirs, newDirs, record, change, enrolled };
}

function linkPlan(paths: InstallPaths, version: string, place: (path: string) => string): InstallPlan['link'] {
  const path = pathApi(paths.platform).join(paths.prefix, CURRENT_LINK);
  const target = `${VERSIONS_DIR}/${version}`;
  return { path, target, same: linkTarget(place(path)) === target };
}

export interface InstallOutcome {
  /** Whether any file was written. */
  changed: boolean;
  started: boolean;
}

/** Writes what the plan found different, then registers and starts the service. `identity`: the enrollment's. */
export async function applyInstall(plan: InstallPlan, identity: Identity | undefined): Promise<InstallOutcome> {
  const { paths, host, ctx, place, request } = plan;
  // What it says names the files where they were written: under --root DIR, DIR/opt/..., not /opt/....
  const say = ctx.say;
  const before = await host.prepare(ctx, plan.change);
  for (const dir of plan.newDirs) makeDir(place(dir), plan.ownedDirs.includes(dir) ? OWNER_ONLY_DIR : SYSTEM_DIR);
  for (const dir of plan.ownedDirs) makeDir(place(dir), OWNER_ONLY_DIR); // narrows one that existed
  // The record first: an install interrupted after this point can still be uninstalled completely.
  if (!plan.record.same) writeTextAtomic(place(pathApi(paths.platform).join(paths.prefix, INSTALL_RECORD)), recordText(plan.record.value));
  if (!plan.executable.same) {
    copyFileAtomic(request.source, place(plan.executable.path), EXECUTABLE);
    say(`installed ${place(plan.executable.path)}`);
  }
  if (plan.link && !plan.link.same) {
    pointSymlink(place(plan.link.path), plan.link.target);
    say(`${place(plan.link.path)} -> ${plan.link.target}`);
  }
  ensureStateDir(place(paths.stateDir));
  await host.restrictDir?.(ctx, paths.stateDir);
  if (identity) {
    saveIdentity(place(paths.stateDir), identity);
    say(`identity saved in ${place(paths.stateDir)}`);
  }
  for (const { file, same } of plan.files) {
    if (same) continue;
    if ('text' in file) writeTextAtomic(place(file.path), file.text);
    else copyFileAtomic(file.copyOf, place(file.path), EXECUTABLE);
    say(`wrote ${place(file.path)}`);
  }
  const start = request.start && plan.enrolled;
  await host.activate(ctx, plan.change, before, start);
  if (!plan.enrolled) {
    say(
      `not enrolled, so not started: enroll with \`watchpost-agent enroll --server URL --token TOKEN --state-dir '${place(paths.stateDir)}'\`, then \`${host.startHint(paths)}\``,
    );
  }
  const changed = plan.change !== 'unchanged' || !plan.record.same || identity !== undefined || plan.newDirs.length > 0;
  // Under --root no service manager starts anything, whatever `start` says.
  return { changed, started: start && ctx.root === undefined };
}

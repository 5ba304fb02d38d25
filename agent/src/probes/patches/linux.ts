// patches on Linux: whichever of apt, dnf, yum, zypper is installed, asked from its CACHE only. The agent never
// refreshes package lists (`apt-get update`, `dnf makecache`, `zypper refresh`): (1) that is network traffic from
// every endpoint at once, (2) it takes the package manager's lock and can collide with unattended-upgrades or an
// admin's upgrade, (3) it can take minutes; the system's own timers (apt-daily, dnf-makecache, zypper's refresh
// service) already do it. The list age is reported as last_search so stale caches are visible.
import { access, readFile, stat } from 'node:fs/promises';
import type { Runner, RunResult } from '../../exec/runner.js';
import type { ProbeContext } from '../probe.js';
import { lastAptUpgrade, parseAptUpgradable } from './apt.js';
import { mergeAdvisories, parseRpmUpgrades, parseSecurityAdvisories } from './rpm-updates.js';
import { excerpt, type PatchReport, type PatchSource } from './patch-report.js';
import { parseZypperPatches } from './zypper.js';

export type LinuxManager = 'apt' | 'dnf' | 'yum' | 'zypper';
const QUERY_TIMEOUT_MS = 5 * 60_000;
/** Looked up in this order: dnf before yum (RHEL 8+ has both, yum being a link to dnf). */
const MANAGERS: readonly [LinuxManager, string][] = [
  ['apt', '/usr/bin/apt'],
  ['dnf', '/usr/bin/dnf'],
  ['yum', '/usr/bin/yum'],
  ['zypper', '/usr/bin/zypper'],
];
/** Debian/Ubuntu (update-notifier, needrestart) write reboot-required; SUSE's libzypp writes reboot-needed. */
const REBOOT_FILES = ['/run/reboot-required', '/run/reboot-needed'];
/** First that exists wins: Ubuntu's update-notifier stamp, apt.systemd.daily's stamp, then the lists directory. */
const APT_SEARCH_STAMPS = ['/var/lib/apt/periodic/update-success-stamp', '/var/lib/apt/periodic/update-stamp', '/var/lib/apt/lists'];
const APT_HISTORY = '/var/log/apt/history.log';

export interface LinuxPatchOptions {
  /** Prefix for the state files read (reboot-required, apt stamps and history); tests point it at a temp dir. */
  root?: string;
  /** Skip detection (tests, or hosts with more than one manager). */
  manager?: LinuxManager;
  log?: (message: string) => void;
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

export async function detectManager(): Promise<LinuxManager | undefined> {
  for (const [manager, path] of MANAGERS) if (await exists(path)) return manager;
  return undefined;
}

async function mtimeSeconds(paths: readonly string[]): Promise<number | undefined> {
  for (const p of paths) {
    const s = await stat(p).catch(() => undefined);
    if (s) return Math.floor(s.mtimeMs / 1000);
  }
  return undefined;
}

type Query = (ctx: ProbeContext, o: LinuxPatchOptions) => Promise<Omit<PatchReport, 'rebootPending'>>;

function run(ctx: ProbeContext, command: string, args: readonly string[], okExitCodes: readonly number[] = []): Promise<RunResult> {
  return ctx.runner(command, args, { timeoutMs: QUERY_TIMEOUT_MS, signal: ctx.signal, okExitCodes });
}

function counted(errors: readonly string[], source: PatchSource, log: LinuxPatchOptions['log']): number {
  if (errors.length > 0) log?.(`patches: ${errors.length} unparseable ${source} line(s), e.g. ${excerpt(errors[0] ?? '')}`);
  return errors.length;
}

const apt: Query = async (ctx, o) => {
  const root = o.root ?? '';
  const { stdout } = await run(ctx, 'apt', ['list', '--upgradable']);
  const list = parseAptUpgradable(stdout);
  const history = await readFile(`${root}${APT_HISTORY}`, 'utf8').catch(() => '');
  const lastSuccess = lastAptUpgrade(history);
  const lastSearch = await mtimeSeconds(APT_SEARCH_STAMPS.map((p) => `${root}${p}`));
  return {
    source: 'apt',
    updates: list.updates,
    parseErrors: counted(list.errors, 'apt', o.log),
    ...(lastSuccess === undefined ? {} : { lastSuccess }),
    ...(lastSearch === undefined ? {} : { lastSearch }),
  };
};

/** dnf and yum: -C (cache only). yum 3 knows `list updates`, dnf 5 only `list --upgrades`. */
function rpm(source: 'dnf' | 'yum'): Query {
  const list = source === 'dnf' ? ['list', '--upgrades'] : ['list', 'updates'];
  return async (ctx, o) => {
    const upgrades = parseRpmUpgrades((await run(ctx, source, ['-C', '-q', ...list], [100])).stdout);
    const security = parseSecurityAdvisories((await run(ctx, source, ['-C', '-q', 'updateinfo', 'list', '--security'], [100])).stdout);
    return {
      source,
      updates: mergeAdvisories(upgrades.updates, security.advisories),
      parseErrors: counted([...upgrades.errors, ...security.errors], source, o.log),
    };
  };
}

const zypper: Query = async (ctx) => {
  // list-patches exits 100/101 on some versions when patches (security patches) are needed.
  const { stdout } = await run(ctx, 'zypper', ['--non-interactive', '--no-refresh', '--xmlout', 'list-patches'], [100, 101]);
  return { source: 'zypper', updates: parseZypperPatches(stdout), parseErrors: 0 };
};

const queries: Record<LinuxManager, Query> = { apt, dnf: rpm('dnf'), yum: rpm('yum'), zypper };

export async function collectLinux(ctx: ProbeContext, o: LinuxPatchOptions): Promise<PatchReport> {
  const manager = o.manager ?? (await detectManager());
  if (!manager) throw new Error('patches: none of apt, dnf, yum, zypper is installed');
  const report = await queries[manager](ctx, o);
  const rebootPending = await linuxRebootPending(ctx.runner, { manager, signal: ctx.signal, ...(o.root === undefined ? {} : { root: o.root }) });
  return { ...report, rebootPending };
}

/**
 * Whether Linux says a reboot is pending: a flag file (REBOOT_FILES under `root`), or on dnf/yum hosts
 * `needs-restarting -r` (dnf-utils / yum-utils) exiting 1 because core packages changed since boot; a missing or
 * failing needs-restarting counts as no. The patches probe asks it each run, the patch run after its installs.
 */
export async function linuxRebootPending(runner: Runner, o: { manager: LinuxManager; root?: string; signal?: AbortSignal }): Promise<boolean> {
  const files = await Promise.all(REBOOT_FILES.map((f) => exists(`${o.root ?? ''}${f}`)));
  if (files.some(Boolean)) return true;
  if (o.manager !== 'dnf' && o.manager !== 'yum') return false;
  const options = { timeoutMs: QUERY_TIMEOUT_MS, okExitCodes: [1], ...(o.signal ? { signal: o.signal } : {}) };
  const restart = await runner('needs-restarting', ['-r'], options).catch(() => undefined);
  return restart?.exitCode === 1;
}

// dnf (4 and 5) and yum: `list --upgrades` / `list updates` and `updateinfo list --security`. Pure parsers.
import { isCritical, type PendingUpdate } from './patch-report.js';
import type { ParsedList } from './apt.js';

export interface Advisory {
  id: string;
  /** Critical/Important/Moderate/Low, or undefined when the repository publishes none (AlmaLinux, EPEL). */
  severity?: string;
  name: string;
  version: string;
}

/** Header and status lines dnf/yum and their plugins print around the data. The agent runs them with -q, but not
 *  every version obeys, and some lines ignore it: yum 3 prints its `Updated Packages` heading with a bare print. */
const NOISE = [
  /^Last metadata expiration check/i,
  /^Available Upgrades$/i,
  /^Upgraded Packages$/i,
  /^Updated Packages$/i,
  // subscription-manager's plugin on every yum/dnf command of a RHEL host, the last two when it is not registered.
  /^Updating Subscription Management repositories/i,
  /^Unable to read consumer identity$/i,
  /^This system is not registered/i,
  // yum 3 plugins, logged at the level of `Loaded plugins` (a yum that prints that line despite -q prints these too):
  // fastestmirror's mirror per repository (` * base: mirror.example.org`) and priorities' count of hidden packages.
  /^Loading mirror speeds from cached hostfile$/i,
  /^Determining fastest mirrors$/i,
  /^\* \S+: \S+$/,
  /^\d+ packages excluded due to repository priority protections$/i,
  /^updateinfo list done$/i,
  /^Name\s+Type\s+Severity\s+Package\s+Issued$/i,
];
/** yum 3 wraps `Loaded plugins: a, b, …` at the terminal width onto lines that start with `: ` under its colon. */
const PLUGINS = /^Loaded plugins/i;
const PLUGINS_CONTINUED = /^: /;

/** For one output: true for the lines that are not data. Remembers whether it is inside a wrapped `Loaded plugins`. */
function noiseFilter(): (line: string) => boolean {
  let inPlugins = false;
  return (line) => {
    inPlugins = PLUGINS.test(line) || (inPlugins && PLUGINS_CONTINUED.test(line));
    return inPlugins || line === '' || NOISE.some((n) => n.test(line));
  };
}

const STOP = /^Obsoleting Packages$/i;
const KNOWN_ARCH = /\.(?:x86_64|noarch|i686|i386|aarch64|ppc64le|s390x|armv7hl|src)$/;

/** `name-[epoch:]version-release.arch` -> name and `[epoch:]version-release`. */
export function splitNevra(nevra: string): { name: string; version: string } | undefined {
  const noArch = nevra.replace(/\.[^.]+$/, '');
  const parts = noArch.split('-');
  if (parts.length < 3) return undefined;
  return { name: parts.slice(0, -2).join('-'), version: parts.slice(-2).join('-') };
}

/** `name.arch  version  repo` rows; dnf 4 wraps a long name.arch onto its own line, continued on the next. */
export function parseRpmUpgrades(text: string): ParsedList {
  const updates: PendingUpdate[] = [];
  const errors: string[] = [];
  const noise = noiseFilter();
  let carried = '';
  for (const raw of text.split('\n')) {
    const line = `${carried} ${raw.trim()}`.trim();
    carried = '';
    if (noise(line)) continue;
    if (STOP.test(line)) break;
    const tokens = line.split(/\s+/);
    if (tokens.length === 1 && KNOWN_ARCH.test(line)) {
      carried = line;
      continue;
    }
    const [nameArch = '', version = ''] = tokens;
    if (tokens.length !== 3 || !nameArch.includes('.')) {
      errors.push(line);
      continue;
    }
    const name = nameArch.replace(/\.[^.]+$/, '');
    updates.push({ title: `${name} ${version}`, package: name, version, category: 'update', security: false, critical: false });
  }
  return { updates, errors };
}

/** dnf 4 / yum rows `RHSA-2021:1234 Important/Sec. nevra`; dnf 5 rows `ID security Severity nevra date time`. */
export function parseSecurityAdvisories(text: string): { advisories: Advisory[]; errors: string[] } {
  const advisories: Advisory[] = [];
  const errors: string[] = [];
  const noise = noiseFilter();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (noise(line)) continue;
    const t = line.split(/\s+/);
    let row: { id: string; severity?: string; nevra: string } | undefined;
    const sec = /^(\w+)\/Sec\.$/.exec(t[1] ?? '');
    if (t.length === 3 && sec) row = { id: t[0] ?? '', severity: sec[1], nevra: t[2] ?? '' };
    else if (t.length === 3 && t[1] === 'security') row = { id: t[0] ?? '', nevra: t[2] ?? '' };
    else if (t.length >= 4 && t[1] === 'security') row = { id: t[0] ?? '', severity: t[2], nevra: t[3] ?? '' };
    const split = row ? splitNevra(row.nevra) : undefined;
    if (!row || !split) {
      errors.push(line);
      continue;
    }
    const severity = row.severity && !/^(?:none|unknown)$/i.test(row.severity) ? row.severity : undefined;
    advisories.push({ id: row.id, ...(severity ? { severity } : {}), ...split });
  }
  return { advisories, errors };
}

const RANK: Record<string, number> = { critical: 4, important: 3, moderate: 2, low: 1 };
const rank = (s: string | undefined): number => (s ? (RANK[s.toLowerCase()] ?? 0) : 0);

/** Marks upgradable packages covered by a security advisory (the most severe one wins; its id goes in `kb`). */
export function mergeAdvisories(updates: readonly PendingUpdate[], advisories: readonly Advisory[]): PendingUpdate[] {
  const byName = new Map<string, Advisory>();
  for (const a of advisories) {
    const seen = byName.get(a.name);
    if (!seen || rank(a.severity) > rank(seen.severity)) byName.set(a.name, a);
  }
  return updates.map((u) => {
    const a = u.package === undefined ? undefined : byName.get(u.package);
    if (!a) return u;
    return { ...u, kb: a.id, category: 'security', security: true, critical: isCritical(a.severity), ...(a.severity ? { severity: a.severity } : {}) };
  });
}

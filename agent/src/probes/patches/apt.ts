// Debian/Ubuntu: `apt list --upgradable` and /var/log/apt/history.log. Pure parsers.
import type { PendingUpdate } from './patch-report.js';

export interface ParsedList {
  updates: PendingUpdate[];
  /** Lines that looked like neither a package nor apt's own header/notes. */
  errors: string[];
}

// `curl/jammy-updates,jammy-security 7.81.0-1ubuntu1.18 amd64 [upgradable from: 7.81.0-1ubuntu1.16]`
const UPGRADABLE = /^([^\s/]+)\/(\S+)\s+(\S+)\s+(\S+)(?:\s+\[.*\])?\s*$/;
// "Listing..." / "Listing... Done" (translated in other locales, hence the trailing dots) and apt's "N: ..." notes.
const NOISE = /^(?:\S.*\.\.\.(?:\s+\S+)?|[NW]: .*)$/;

/**
 * An update is a security update when one of the archives it comes from is a `-security` pocket (Ubuntu
 * `jammy-security`, Debian `bookworm-security`, shown as `oldstable-security` etc.). Debian 10 and older named that
 * suite `buster/updates` with archive `stable`, which is indistinguishable here: those count as plain updates.
 */
export function parseAptUpgradable(text: string): ParsedList {
  const updates: PendingUpdate[] = [];
  const errors: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const m = UPGRADABLE.exec(line);
    if (!m) {
      if (!NOISE.test(line)) errors.push(line);
      continue;
    }
    const [, name = '', archives = '', version = ''] = m;
    const security = archives.split(',').some((a) => a.endsWith('-security'));
    updates.push({
      title: `${name} ${version}`,
      package: name,
      version,
      category: security ? 'security' : 'update',
      security,
      critical: false,
    });
  }
  return { updates, errors };
}

const END_DATE = /^End-Date:\s*(\d{4})-(\d{2})-(\d{2})\s+(\d{2}):(\d{2}):(\d{2})\s*$/;

/**
 * Unix seconds of the end of the last transaction that upgraded packages (an `Upgrade:` line), from apt's
 * history.log. Transactions that only installed new packages are not patching and are skipped; one without an
 * End-Date (interrupted) is skipped too. history.log writes local time, so the agent's zone converts it.
 */
export function lastAptUpgrade(text: string): number | undefined {
  let last: number | undefined;
  for (const block of text.split(/\n\s*\n/)) {
    if (!/^Upgrade:/m.test(block)) continue;
    for (const line of block.split('\n')) {
      const m = END_DATE.exec(line.trim());
      if (!m) continue;
      const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
      const seconds = Math.floor(new Date(y, mo - 1, d, h, mi, s).getTime() / 1000);
      if (last === undefined || seconds > last) last = seconds;
    }
  }
  return last;
}

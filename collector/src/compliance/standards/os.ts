// Two facts about the OS, kept apart because contracts and vendors disagree: os_floor (the release is at or above the
// tenant's contract floor, from `inventory`) and os_supported (the vendor still ships security updates, from the
// collector's `os_support` point). A Windows Server 2012 R2 meets a "2012 or later" floor and is past its support.
import type { RuleSample } from '../../alerting/contract.js';
import type { Judgement, Standard } from '../contract.js';
import { DAY_MS, day, evidenceOf, str } from './fields.js';

/** The first build of each Windows release a floor may name (the builds of collector/data/os-lifecycle.yaml). */
const WINDOWS_SERVER_BUILDS: Readonly<Record<string, number>> = {
  '2008': 6001,
  '2008 r2': 7600,
  '2012': 9200,
  '2012 r2': 9600,
  '2016': 14393,
  '2019': 17763,
  '2022': 20348,
  '2025': 26100,
};
const WINDOWS_CLIENT_BUILDS: Readonly<Record<string, number>> = { '7': 7600, '8': 9200, '8.1': 9600, '10': 10240, '11': 22000 };

const VERSION = /^\d+(\.\d+)*$/;

/** Why a floor's text cannot be used for `key`, or null (called when the rules file is read). */
export function floorProblem(key: string, text: string): string | null {
  const t = text.trim().toLowerCase();
  if (key === 'windows_server')
    return t in WINDOWS_SERVER_BUILDS ? null : `expected a Windows Server release (${Object.keys(WINDOWS_SERVER_BUILDS).join(', ')}); got "${text}"`;
  if (key === 'windows')
    return t in WINDOWS_CLIENT_BUILDS ? null : `expected a Windows release (${Object.keys(WINDOWS_CLIENT_BUILDS).join(', ')}); got "${text}"`;
  return VERSION.test(t) ? null : `expected a version like 11 or 22.04; got "${text}"`;
}

/** -1, 0, 1 comparing dotted numbers ("22.04" vs "20.04"); missing parts are 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

const OS_FIELDS = ['os_family', 'os_name', 'os_version', 'os_build', 'os_product_type', 'os_id', 'os_version_id'];

/** Which floor applies to this inventory, and the host's release compared against it. */
function floorCheck(inv: RuleSample, floors: Readonly<Record<string, string>>): { key: string; floor?: string; meets?: boolean; have: string } {
  const family = str(inv, 'os_family');
  if (family === 'windows') {
    const server = ['server', 'domain_controller'].includes(str(inv, 'os_product_type'));
    const key = server ? 'windows_server' : 'windows';
    const floor = floors[key];
    const build = /^\d+$/.test(str(inv, 'os_build')) ? Number(str(inv, 'os_build')) : NaN;
    const need = floor === undefined ? undefined : (server ? WINDOWS_SERVER_BUILDS : WINDOWS_CLIENT_BUILDS)[floor.toLowerCase()];
    const have = `${str(inv, 'os_name')} (build ${str(inv, 'os_build') || '?'})`;
    if (floor === undefined) return { key, have };
    return { key, floor, have, ...(Number.isInteger(build) && need !== undefined ? { meets: build >= need } : {}) };
  }
  const key = family === 'linux' ? str(inv, 'os_id').toLowerCase() : family;
  const version = family === 'linux' ? str(inv, 'os_version_id') : str(inv, 'os_version');
  const floor = floors[key];
  const have = `${str(inv, 'os_name') || key} ${version}`.trim();
  if (floor === undefined) return { key, have };
  return { key, floor, have, ...(VERSION.test(version) ? { meets: compareVersions(version, floor) >= 0 } : {}) };
}

export const osFloor: Standard = {
  id: 'os_floor',
  title: "OS at or above the contract's floor",
  reads: ['inventory'],
  appliesTo: () => true,
  evaluate(host, t): Judgement {
    const inv = host.summary('inventory');
    if (!inv || !str(inv, 'os_family')) return { verdict: 'unknown', reason: 'no inventory point with the OS yet' };
    const evidence = evidenceOf(inv, OS_FIELDS);
    const c = floorCheck(inv, t.osFloor);
    if (c.floor === undefined) return { verdict: 'pass', reason: `the contract sets no OS floor for ${c.key || 'this OS'}: ${c.have} is accepted`, evidence };
    if (c.meets === undefined) return { verdict: 'unknown', reason: `cannot compare ${c.have} with the floor ${c.key} ${c.floor}`, evidence };
    return c.meets
      ? { verdict: 'pass', reason: `${c.have} meets the floor ${c.key} ${c.floor}`, evidence }
      : { verdict: 'fail', reason: `${c.have} is below the floor ${c.key} ${c.floor}`, evidence };
  },
};

export const osSupported: Standard = {
  id: 'os_supported',
  title: "OS within its vendor's support",
  reads: ['os_support'],
  appliesTo: () => true,
  evaluate(host, _t, now): Judgement {
    const p = host.summary('os_support');
    if (!p) return { verdict: 'unknown', reason: 'no os_support point yet (it follows the first inventory)' };
    const evidence = evidenceOf(p, ['status', 'release', 'end_of_support', 'os_name', 'os_version']);
    const release = str(p, 'release') || `${str(p, 'os_name')} ${str(p, 'os_version')}`.trim();
    if (str(p, 'status') === 'unknown') return { verdict: 'unknown', reason: `${release} is not in the end-of-support table`, evidence };
    const end = p.fields.end_of_support;
    // The point says where the OS stood on the inventory's day; a support end passed since then counts now.
    if (typeof end !== 'number') return { verdict: 'pass', reason: `${release} is supported, no end date announced`, evidence };
    const last = day(end * 1000);
    return now < end * 1000 + DAY_MS
      ? { verdict: 'pass', reason: `${release} is supported until ${last}`, evidence }
      : { verdict: 'fail', reason: `${release} reached its end of support on ${last}`, evidence };
  },
};

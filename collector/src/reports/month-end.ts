// A tenant's minimum-standard picture at a month's end moment: each host's verdict per standard, its latest patches,
// antivirus and backup points, and the security/critical updates pending then with their first sighting. Read once
// per report (for the month and the one before) and shared by the patch, coverage, standards and trend sections.
//
// Where it comes from (the sections print it as their source):
// 1. The running month ends now: the collector's store is the truth (compliance_states, compliance_points,
//    compliance_pending), live agents only, as the compliance API shows them.
// 2. A past month ends at its last instant: InfluxDB, the last `compliance` point of each (host, standard) before it
//    (one is written per verdict change), the last `patches`, `antivirus` and `backup` points of each host (and
//    product), and the `patches_pending` points (first sighting = the oldest point of that update). A verdict that
//    has not changed for longer than InfluxDB keeps points has no point left there; the store's state for it still
//    holds when it began before the month's end (no change since), so it is taken from the store, and counted.
// 3. Hosts whose agents were all revoked before the moment are left out; so are standards the tenant's terms
//    disable now, and standards this collector does not know.
// 4. InfluxDB down, or not configured: `unavailable` with the reason. A month not begun yet: `no-data`.
import type { RuleSample } from '../alerting/contract.js';
import type { TenantTerms } from '../alerting/rules/rules-file.js';
import type { PendingUpdate, Verdict } from '../compliance/contract.js';
import { isSummary, pendingNow, updateKey } from '../compliance/engine.js';
import { PRODUCT_FRESH_MS } from '../compliance/standards/antivirus.js';
import { STANDARD_IDS } from '../compliance/standards/index.js';
import { DEFAULT_THRESHOLDS } from '../compliance/thresholds.js';
import { hostnameKey, type Store } from '../store/index.js';
import { localTime } from './format.js';
import { tenantPoints, type HostPoint, type ReportInflux } from './influx-reader.js';
import type { ReportMonth } from './month.js';

const VERDICTS: readonly string[] = ['pass', 'fail', 'unknown'];

export interface Standing {
  host: string;
  standard: string;
  verdict: Verdict;
  reason: string;
  /** Since when the verdict held (unix ms). */
  since: number;
}

export type PendingAtEnd = PendingUpdate & { host: string };

/** A host's latest backup summary and the product points of that run. */
export interface BackupAtEnd {
  summary: HostPoint;
  products: HostPoint[];
}

export interface MonthEnd {
  /** The end moment (unix ms): the month's end, or the report's time for the running month. */
  at: number;
  origin: 'store' | 'influx';
  /** Of `states`, those read from the store for want of a point in InfluxDB (rule 2). */
  fromStore: number;
  states: Standing[];
  /** Each host's latest `patches` point. */
  patches: Map<string, HostPoint>;
  /** Each host's antivirus products of its latest run (points within PRODUCT_FRESH_MS of its newest). */
  antivirus: Map<string, HostPoint[]>;
  backup: Map<string, BackupAtEnd>;
  /** Security and critical updates pending at the moment, as the patches standard counts them. */
  pending: PendingAtEnd[];
}

export type Loaded<T> = { state: 'ok'; data: T } | { state: 'no-data' | 'unavailable'; note: string };

export interface MonthEndDeps {
  store: Store;
  influx?: ReportInflux;
}

export async function monthEnd(deps: MonthEndDeps, tenant: string, month: ReportMonth, terms: TenantTerms, now: number): Promise<Loaded<MonthEnd>> {
  if (month.from > now) return { state: 'no-data', note: `${month.id} has not begun: there is no state at its end yet.` };
  const disabled = (terms.compliance ?? DEFAULT_THRESHOLDS).disabled;
  const wanted = (standard: string) => STANDARD_IDS.includes(standard) && !disabled.includes(standard);
  if (now < month.to) return { state: 'ok', data: fromStore(deps.store, tenant, now, wanted) };
  if (!deps.influx) return { state: 'unavailable', note: 'The state at the end of a past month is read from InfluxDB, and this report was made without it.' };
  try {
    return { state: 'ok', data: await fromInflux(deps.store, deps.influx, tenant, month.to, wanted) };
  } catch (error) {
    return { state: 'unavailable', note: `InfluxDB could not be read: ${error instanceof Error ? error.message : String(error)}.` };
  }
}

/** A section's source for this state: the store's tables it read, or InfluxDB's measurements before the moment. */
export function endSource(end: MonthEnd, zone: string, tables: string, measurements: string): string {
  if (end.origin === 'store') return `the collector's store when the report was made (SQLite: ${tables})`;
  const older =
    end.fromStore === 0
      ? ''
      : `; ${end.fromStore} verdict${end.fromStore === 1 ? '' : 's'} unchanged since before InfluxDB's oldest point from the store (compliance_states)`;
  return `InfluxDB (${measurements}): the last point of each host before ${localTime(end.at, zone)} ${zone}${older}`;
}

const newest = <T extends RuleSample>(points: readonly T[]): T | undefined =>
  points.reduce<T | undefined>((a, p) => (a && a.time >= p.time ? a : p), undefined);

/** Per host: the products of the latest antivirus run; the latest backup summary and its run's products. */
function protection(points: readonly HostPoint[]): Pick<MonthEnd, 'antivirus' | 'backup'> {
  const antivirus = new Map<string, HostPoint[]>();
  const backup = new Map<string, BackupAtEnd>();
  for (const [host, mine] of groupBy(points, (p) => p.host)) {
    const av = mine.filter((p) => p.measurement === 'antivirus' && p.tags.product);
    const last = newest(av);
    if (last)
      antivirus.set(
        host,
        av.filter((p) => last.time - p.time <= PRODUCT_FRESH_MS),
      );
    const summary = newest(mine.filter((p) => p.measurement === 'backup' && isSummary(p)));
    if (summary) backup.set(host, { summary, products: mine.filter((p) => p.measurement === 'backup' && p.tags.product && p.time >= summary.time) });
  }
  return { antivirus, backup };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

/** Rule 1: the store, now. */
function fromStore(store: Store, tenant: string, at: number, wanted: (standard: string) => boolean): MonthEnd {
  const live = new Set(
    store.agents
      .list(tenant)
      .filter((a) => a.revokedAt === null)
      .map((a) => a.id),
  );
  const states = store.compliance
    .states(tenant)
    .filter((s) => live.has(s.agentId) && wanted(s.standard))
    .map(({ host, standard, verdict, reason, since }) => ({ host, standard, verdict, reason, since }));
  const stored = store.compliance.allPoints().filter((p) => p.tenant === tenant && live.has(p.agentId));
  const points = stored.map((p): HostPoint & { agentId: string } => ({ ...p.point, host: p.host, agentId: p.agentId }));
  const patches = new Map<string, HostPoint>();
  const pending: PendingAtEnd[] = [];
  for (const [agentId, mine] of groupBy(points, (p) => p.agentId)) {
    const summary = newest(mine.filter((p) => p.measurement === 'patches' && isSummary(p)));
    if (!summary) continue;
    patches.set(summary.host, summary);
    pending.push(...pendingNow(store.compliance.pending(agentId), summary).map((u) => ({ ...u, host: summary.host })));
  }
  return { at, origin: 'store', fromStore: 0, states, patches, pending, ...protection(points) };
}

/** Rule 3: whether a host had a live agent at `at`; hosts the store does not know are kept. */
function presentAt(store: Store, tenant: string, at: number): (host: string) => boolean {
  const agents = groupBy(store.agents.list(tenant), (a) => hostnameKey(a.hostname));
  return (host) => {
    const mine = agents.get(hostnameKey(host));
    return !mine || mine.some((a) => a.enrolledAt <= at && (a.revokedAt === null || a.revokedAt > at));
  };
}

/** Rule 2: InfluxDB before `at`, and the store's older verdicts. */
async function fromInflux(store: Store, influx: ReportInflux, tenant: string, at: number, wanted: (standard: string) => boolean): Promise<MonthEnd> {
  const read = (measurement: string, groupBy: string[], more: { last?: boolean; where?: string; columns?: string[] } = { last: true }) =>
    tenantPoints(influx, { measurement, tenant, before: at, groupBy, ...more });
  const [verdicts, patchPoints, pendingPoints, avPoints, backupPoints] = await Promise.all([
    read('compliance', ['host', 'standard']),
    read('patches', ['host']),
    read('patches_pending', ['host'], { where: '"security" = true OR "critical" = true', columns: ['title', 'kb', 'package'] }),
    read('antivirus', ['host', 'product']),
    read('backup', ['host', 'product']),
  ]);
  const present = presentAt(store, tenant, at);
  const states: Standing[] = verdicts
    .filter((p) => present(p.host) && wanted(p.tags.standard ?? '') && VERDICTS.includes(String(p.fields.verdict)))
    .map((p) => ({
      host: p.host,
      standard: p.tags.standard!,
      verdict: p.fields.verdict as Verdict,
      reason: String(p.fields.reason ?? ''),
      since: typeof p.fields.since === 'number' ? p.fields.since * 1000 : p.time,
    }));
  const seen = new Set(states.map((s) => `${hostnameKey(s.host)}\u0000${s.standard}`));
  const liveAt = new Set(
    store.agents
      .list(tenant)
      .filter((a) => a.enrolledAt <= at && (a.revokedAt === null || a.revokedAt > at))
      .map((a) => a.id),
  );
  const older = store.compliance
    .states(tenant)
    .filter((s) => s.since <= at && liveAt.has(s.agentId) && wanted(s.standard) && !seen.has(`${hostnameKey(s.host)}\u0000${s.standard}`))
    .map(({ host, standard, verdict, reason, since }) => ({ host, standard, verdict, reason, since }));
  const patches = new Map(patchPoints.filter((p) => present(p.host)).map((p) => [p.host, p]));
  const pending: PendingAtEnd[] = [];
  for (const [host, mine] of groupBy(pendingPoints, (p) => p.host)) {
    const summary = patches.get(host);
    if (!summary) continue;
    const rows = [...groupBy(mine, updateKey).entries()].map(([key, sightings]): PendingUpdate => {
      const last = newest(sightings)!;
      return { key, title: String(last.fields.title ?? ''), firstSeen: sightings.reduce((t, p) => Math.min(t, p.time), last.time), lastSeen: last.time };
    });
    pending.push(...pendingNow(rows, summary).map((u) => ({ ...u, host })));
  }
  const items = [...avPoints, ...backupPoints].filter((p) => present(p.host));
  return { at, origin: 'influx', fromStore: older.length, states: [...states, ...older], patches, pending, ...protection(items) };
}

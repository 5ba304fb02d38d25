// The compliance engine: keeps each host's latest points of the series the standards read (in memory, and in SQLite
// so a restart evaluates on what it knew), evaluates the host's standards when such a point arrives and on a slow
// tick (a backup ageing past its limit with no new point), and records each verdict change: the state row and a
// `compliance` point in the InfluxDB outbox, in one transaction, so a dead InfluxDB delays the point and loses none.
// A fail or unknown that a waiver in force covers (waivers.ts) carries it beside the verdict; a waiver made or
// revoked through the API re-evaluates the tenant at once (reevaluate), one made by the CLI or one that expires
// applies at the next tick. With `transitions`, each evaluation also keeps the host's compliance ticket (tickets.ts).
//
// compliance: tags standard, verdict (pass|fail|unknown); fields reason, since (unix s), previous (the verdict
//             before, absent on a host's first), evidence_measurement, evidence_time (unix s), waived (boolean),
//             waiver_id (integer, when waived). Written when the verdict or the waiver covering it changes.
import type { watchpost } from '../../../proto/index.js';
import type { RuleSample } from '../alerting/contract.js';
import { roleOf } from '../alerting/host-facts.js';
import { toRuleSamples } from '../alerting/samples.js';
import type { RuleSet } from '../alerting/rules/rules-file.js';
import { samplesToLines } from '../influx/line-protocol.js';
import type { ComplianceState, StateWaiver, Store } from '../store/index.js';
import type { Transitions } from '../alerting/transitions.js';
import { createComplianceTickets } from './tickets.js';
import { waiverLookup } from './waivers.js';
import type { Evidence, HostView, Judgement, PendingUpdate } from './contract.js';
import { READ_MEASUREMENTS, STANDARDS } from './standards/index.js';
import { overnightHistoryMs } from './standards/overnight.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';

export const COMPLIANCE_MEASUREMENT = 'compliance';
/** The slow tick: verdicts that change with time alone (ages) are at most this late. */
export const COMPLIANCE_TICK_MS = 5 * 60_000;
/**
 * A current verdict with no point for this long is written again (restate): its `compliance` point then never
 * ages out of the raw retention (30 days by default) however long the verdict holds, and a dashboard finds every
 * current verdict as the last point of a short window.
 */
export const COMPLIANCE_RESTATE_MS = 24 * 3_600_000;
/** Restated points per restate() call at most: the first restatement of a large fleet after a start is spread over ticks. */
export const COMPLIANCE_RESTATE_MAX = 5_000;

export interface ComplianceEngineDeps {
  store: Store;
  rules: () => RuleSet;
  now?: () => number;
  /** Hears an evaluation that threw (a store error): the batch goes on, the host is evaluated again later. */
  onError?: (agentId: string, error: unknown) => void;
  /** Where compliance tickets' changes go (the alert engine's sinks); without it no compliance ticket is kept. */
  transitions?: Transitions;
}

export interface ComplianceEngine {
  /** The ingest observe hook's part: keeps the points the standards read and re-evaluates the agent. Never throws. */
  observe(agent: { id: string; tenant: string; hostname: string }, samples: readonly watchpost.v1.ISample[]): void;
  /** Re-evaluates every known host at now; returns how many states changed (verdict or waiver). Revoked agents are forgotten. */
  tick(): number;
  /** Re-evaluates the tenant's known hosts now (a waiver was made or revoked); returns how many states changed. Never throws. */
  reevaluate(tenant: string): number;
  /**
   * Writes the point of each current verdict again, as it stands (no `previous`), when this engine wrote none for it
   * in COMPLIANCE_RESTATE_MS (states it found at start count from their `since`); at most COMPLIANCE_RESTATE_MAX.
   * Hosts the tick forgot (revoked) are left out: serve calls it after each tick. Returns the points written.
   */
  restate(): number;
}

interface HostMemory {
  tenant: string;
  host: string;
  series: Map<string, RuleSample>;
}

const seriesKey = (p: RuleSample): string =>
  [
    p.measurement,
    ...Object.keys(p.tags)
      .sort()
      .map((k) => `${k}=${p.tags[k]}`),
  ].join('\u0000');

/** Tags that name one item of a probe's report (a product, an array, a UPS, a service); a point without any is the summary. */
const ITEM_TAGS = ['product', 'array', 'ups', 'service', 'probe'];
export const isSummary = (p: RuleSample): boolean => ITEM_TAGS.every((k) => !p.tags[k]);

const stateKey = (agentId: string, standard: string) => `${agentId}\u0000${standard}`;

/** A pending update's identity: its KB or advisory, else its title (packages repeat across versions in titles). */
export const updateKey = (p: RuleSample): string => {
  const kb = p.fields.kb;
  const pkg = p.fields.package;
  return typeof kb === 'string' && kb ? `kb:${kb}` : typeof pkg === 'string' && pkg ? `pkg:${pkg}` : `title:${String(p.fields.title ?? '')}`;
};

export function createComplianceEngine(deps: ComplianceEngineDeps): ComplianceEngine {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const hosts = new Map<string, HostMemory>();
  for (const p of store.compliance.allPoints()) {
    const h = hosts.get(p.agentId) ?? { tenant: p.tenant, host: p.host, series: new Map() };
    h.series.set(p.series, p.point);
    hosts.set(p.agentId, h);
  }
  const states = new Map<string, ComplianceState>(store.compliance.allStates().map((s) => [stateKey(s.agentId, s.standard), s]));
  /** When this engine last wrote each state's point (restate). */
  const writtenAt = new Map<string, number>();
  const tickets = deps.transitions ? createComplianceTickets({ store, rules: deps.rules, transitions: deps.transitions }) : null;

  const view = (agentId: string, h: HostMemory, at: number): HostView => {
    const points = [...h.series.values()];
    const inv = points.find((p) => p.measurement === 'inventory');
    const family = typeof inv?.fields.os_family === 'string' ? inv.fields.os_family : '';
    const productType = typeof inv?.fields.os_product_type === 'string' ? inv.fields.os_product_type : '';
    const settings = deps.rules().hostSettings(h.tenant, h.host);
    const terms = deps.rules().terms(h.tenant);
    const history = once(() => connectionHistory(store, agentId, at - overnightHistoryMs(terms.compliance ?? DEFAULT_THRESHOLDS), at));
    const summary = (m: string) =>
      points.filter((p) => p.measurement === m && isSummary(p)).reduce<RuleSample | undefined>((a, p) => (a && a.time >= p.time ? a : p), undefined);
    return {
      role: roleOf(settings, inv ? { family, productType } : null, ''),
      critical: settings.critical === true,
      family,
      productType,
      points: (m) => points.filter((p) => p.measurement === m),
      summary,
      pendingUpdates: pendingNow(store.compliance.pending(agentId), summary('patches')),
      zone: terms.hours === '24x7' ? 'UTC' : terms.hours.timezone,
      // Read from the store only when a standard that applies asks (powered_on_overnight: servers by default).
      get sessions() {
        return history().sessions;
      },
      get sessionsKnownFrom() {
        return history().sessionsKnownFrom;
      },
    };
  };

  /** Evaluates one host; writes changed states (and a point per verdict change) in one transaction. */
  const evaluate = (agentId: string, h: HostMemory, at: number): number => {
    const host = view(agentId, h, at);
    const thresholds = deps.rules().terms(h.tenant).compliance ?? DEFAULT_THRESHOLDS;
    const waiverOf = waiverLookup(store.waivers.list({ tenant: h.tenant, activeAt: at }));
    let changed = 0;
    store.transaction(() => {
      for (const standard of STANDARDS) {
        const key = stateKey(agentId, standard.id);
        const before = states.get(key);
        if (thresholds.disabled.includes(standard.id) || !standard.appliesTo(host, thresholds)) {
          if (before) {
            store.compliance.deleteState(h.tenant, agentId, standard.id);
            states.delete(key);
          }
          continue;
        }
        const j = standard.evaluate(host, thresholds, at);
        const flipped = before?.verdict !== j.verdict;
        const waiver = j.verdict === 'pass' ? null : waiverOf(agentId, standard.id);
        const rewaived = (before?.waiver?.id ?? null) !== (waiver?.id ?? null);
        if (!flipped && !rewaived && before.reason === j.reason && before.host === h.host && sameEvidence(before.evidence, j)) continue;
        const next: ComplianceState = {
          tenant: h.tenant,
          agentId,
          host: h.host,
          standard: standard.id,
          verdict: j.verdict,
          reason: j.reason,
          evidence: j.evidence ?? null,
          since: flipped ? at : before.since,
          evaluatedAt: at,
          waiver,
        };
        store.compliance.putState(next);
        states.set(key, next);
        if (flipped || rewaived) {
          changed++;
          writePoint(next, before?.verdict, j, at);
        }
      }
      const own = STANDARDS.flatMap((s) => states.get(stateKey(agentId, s.id)) ?? []);
      tickets?.sync({ tenant: h.tenant, host: h.host, agentId, role: host.role, critical: host.critical }, own, at);
    });
    return changed;
  };

  const writePoint = (s: ComplianceState, previous: string | undefined, j: Judgement, at: number): void => {
    const { lines } = samplesToLines([compliancePoint(s, previous, j, at)], { tenant: s.tenant, host: s.host }, { nowMs: at });
    if (lines.length > 0) store.influxOutbox.append(lines);
    writtenAt.set(stateKey(s.agentId, s.standard), at);
  };

  /** Keeps the samples (of the measurements the standards read); true when one of them was new. */
  const keep = (agent: { id: string; tenant: string; hostname: string }, samples: readonly RuleSample[]): boolean => {
    let h = hosts.get(agent.id);
    let kept = false;
    for (const p of samples) {
      // agent_probe arrives every minute for every probe: only the antivirus probe's matters here.
      if (p.measurement === 'agent_probe' && p.tags.probe !== 'antivirus') continue;
      if (!h) hosts.set(agent.id, (h = { tenant: agent.tenant, host: agent.hostname, series: new Map() }));
      h.tenant = agent.tenant;
      h.host = agent.hostname;
      kept = true;
      if (p.measurement === 'patches_pending') {
        if (p.fields.security === true || p.fields.critical === true) store.compliance.seePending(agent.id, updateKey(p), String(p.fields.title ?? ''), p.time);
        continue;
      }
      const series = seriesKey(p);
      const prev = h.series.get(series);
      if (prev && prev.time > p.time) continue;
      h.series.set(series, p);
      // The run stats change every minute and only matter while fresh: kept in memory, not written each time.
      if (p.measurement !== 'agent_probe') store.compliance.putPoint({ agentId: agent.id, tenant: agent.tenant, host: agent.hostname, series, point: p });
      // Updates the previous run no longer listed are gone. Not those missing from this run yet: its patches_pending
      // points may come in a later batch than the summary.
      if (p.measurement === 'patches' && prev) store.compliance.prunePending(agent.id, prev.time);
    }
    return kept;
  };

  return {
    observe(agent, samples) {
      try {
        // Most of a batch is cpu, mem, disk, net...: only what the standards read is converted and kept, and a batch
        // with none of it costs no transaction.
        const read = samples.filter((s) => READ_MEASUREMENTS.has(s.measurement ?? ''));
        if (read.length === 0) return;
        const points = toRuleSamples(read);
        if (!store.transaction(() => keep(agent, points))) return;
        evaluate(agent.id, hosts.get(agent.id)!, now());
      } catch (error) {
        deps.onError?.(agent.id, error);
      }
    },
    tick() {
      const at = now();
      let changed = 0;
      for (const [agentId, h] of hosts) {
        try {
          if ((store.agents.get(agentId)?.revokedAt ?? null) !== null) {
            hosts.delete(agentId);
            continue;
          }
          changed += evaluate(agentId, h, at);
        } catch (error) {
          deps.onError?.(agentId, error);
        }
      }
      return changed;
    },
    reevaluate(tenant) {
      const at = now();
      let changed = 0;
      for (const [agentId, h] of hosts) {
        if (h.tenant !== tenant) continue;
        try {
          changed += evaluate(agentId, h, at);
        } catch (error) {
          deps.onError?.(agentId, error);
        }
      }
      return changed;
    },
    restate() {
      const at = now();
      const due: ComplianceState[] = [];
      for (const [key, s] of states) {
        if (due.length >= COMPLIANCE_RESTATE_MAX) break;
        if (hosts.has(s.agentId) && at - (writtenAt.get(key) ?? s.since) >= COMPLIANCE_RESTATE_MS) due.push(s);
      }
      const judgement = (s: ComplianceState): Judgement => ({
        verdict: s.verdict,
        reason: s.reason,
        ...(s.evidence ? { evidence: s.evidence as Evidence } : {}),
      });
      if (due.length > 0) store.transaction(() => due.forEach((s) => writePoint(s, undefined, judgement(s), at)));
      return due.length;
    },
  };
}

/** The `compliance` point of one change of a verdict or of the waiver covering it (pure). */
export function compliancePoint(
  s: Pick<ComplianceState, 'standard' | 'verdict' | 'reason' | 'since'> & { waiver?: StateWaiver | null },
  previous: string | undefined,
  j: Judgement,
  at: number,
): watchpost.v1.ISample {
  const fields: watchpost.v1.IField[] = [
    { key: 'reason', str: s.reason },
    { key: 'since', int: Math.floor(s.since / 1000) },
  ];
  if (previous) fields.push({ key: 'previous', str: previous });
  if (j.evidence) fields.push({ key: 'evidence_measurement', str: j.evidence.measurement }, { key: 'evidence_time', int: Math.floor(j.evidence.time / 1000) });
  fields.push({ key: 'waived', bool: Boolean(s.waiver) });
  if (s.waiver) fields.push({ key: 'waiver_id', int: s.waiver.id });
  const tags = [
    { key: 'standard', value: s.standard },
    { key: 'verdict', value: s.verdict },
  ];
  return { measurement: COMPLIANCE_MEASUREMENT, timeMs: at, tags, fields };
}

const once = <T>(fn: () => T): (() => T) => {
  let value: { v: T } | undefined;
  return () => (value ??= { v: fn() }).v;
};

/** The agent's connected periods since `from`, and since when its history is known (store/sessions.ts). */
function connectionHistory(store: Store, agentId: string, from: number, at: number): Pick<HostView, 'sessions' | 'sessionsKnownFrom'> {
  const sessions = store.sessions.overlapping(agentId, from, at + 1).map((s) => ({ from: s.connectedAt, to: s.disconnectedAt }));
  const start = store.sessions.historyStart();
  const enrolledAt = store.agents.get(agentId)?.enrolledAt ?? start;
  return { sessions, sessionsKnownFrom: start === null ? null : Math.max(start, enrolledAt ?? start) };
}

/**
 * The updates pending as of the latest patches run: those it listed (seen at or after its time). While none of its
 * patches_pending points has arrived yet and it counts security or critical updates, those the previous run listed.
 */
export function pendingNow(rows: readonly PendingUpdate[], summary: RuleSample | undefined): PendingUpdate[] {
  if (!summary) return [];
  const listed = rows.filter((u) => u.lastSeen >= summary.time);
  const expected = Number(summary.fields.pending_security ?? 0) + Number(summary.fields.pending_critical ?? 0);
  return listed.length === 0 && expected > 0 ? [...rows] : listed;
}

function sameEvidence(stored: unknown, j: Judgement): boolean {
  const time = (stored as { time?: number } | null)?.time;
  return time === j.evidence?.time;
}

// Patch compliance at the month's end moment: hosts current (the `patches` standard passes) or not, the security and
// critical updates pending then by how long they had been pending, and the hosts with the oldest ones. How long an
// update has been pending counts from the first `patches_pending` point that listed it, as the standard counts it.
// For a tenant with a patch policy, also the month's patch runs per ring (the collector's store: the plans offered,
// the results the agents reported): updates installed, failed, and those still waiting for approval.
import { age, DAY_MS } from '../../compliance/standards/fields.js';
import { localTime } from '../format.js';
import { endSource, type PendingAtEnd } from '../month-end.js';
import type { ReportInput, Section } from '../section.js';
import { patchStatus } from '../../patching/status.js';

/** Upper bounds of the age buckets (the last is open): a week, the default limit of the standard, a month. */
export const AGE_BUCKETS: readonly { label: string; maxMs: number }[] = [
  { label: 'up to 7 days', maxMs: 7 * DAY_MS },
  { label: 'over 7, up to 14 days', maxMs: 14 * DAY_MS },
  { label: 'over 14, up to 30 days', maxMs: 30 * DAY_MS },
  { label: 'over 30 days', maxMs: Infinity },
];
/** Hosts listed with their oldest pending update. */
export const OLDEST_HOSTS = 10;

export interface BucketRow {
  label: string;
  updates: number;
  hosts: number;
}

export interface OldestRow {
  host: string;
  verdict: string;
  pending: number;
  oldest: string;
  since: string;
  age: string;
  lastInstall: string;
}

/** One ring's patch runs in the month. */
export interface RingRunRow {
  ring: string;
  /** Plans the agents reported a run of. */
  runs: number;
  hosts: number;
  installed: number;
  /** Failed, or not started before the window closed. */
  failed: number;
  /** Updates x hosts waiting for a person or the ring's deferral now; null for a past month (the store keeps only now). */
  pendingApproval: number | null;
}

/** The month's runs per ring, in the policy's ring order; null when the tenant has no patch policy and no run. */
export function ringRuns(input: Pick<ReportInput, 'store' | 'rules' | 'tenant' | 'month' | 'now'>): RingRunRow[] | null {
  const { store, rules, month } = input;
  const tenant = input.tenant.id;
  const policy = rules.terms(tenant).patches;
  const results = store.patches.resultsIn(tenant, month.from, month.to);
  const runs = store.patches.runsIn(tenant, month.from, month.to);
  if (!policy && results.length === 0 && runs.length === 0) return null;
  const ringOfPlan = new Map<string, string>();
  const ringOf = (planId: string) => {
    let ring = ringOfPlan.get(planId);
    if (ring === undefined) ringOfPlan.set(planId, (ring = store.patches.plan(planId)?.ring || '(unknown)'));
    return ring;
  };
  const running = input.now < month.to;
  const pending = running ? patchStatus(store, rules, tenant, input.now).filter((r) => r.state === 'pending') : [];
  const names = [...(policy?.rings.map((r) => r.name) ?? []), ...[...runs, ...results].map((r) => ringOf(r.planId))];
  return [...new Set(names)].map((ring) => {
    const mine = results.filter((r) => ringOf(r.planId) === ring);
    const plans = new Set([...runs, ...results].filter((r) => ringOf(r.planId) === ring).map((r) => `${r.agentId}\u0000${r.planId}`));
    return {
      ring,
      runs: plans.size,
      hosts: new Set([...plans].map((k) => k.split('\u0000')[0])).size,
      installed: mine.filter((r) => r.outcome === 'installed').length,
      failed: mine.filter((r) => r.outcome === 'failed' || r.outcome === 'not_started').length,
      pendingApproval: running ? pending.filter((r) => r.ring === ring).length : null,
    };
  });
}

export interface PatchesData {
  atText: string;
  current: number;
  notCurrent: number;
  unknown: number;
  total: number;
  buckets: BucketRow[];
  oldest: OldestRow[];
  /** The month's patch runs per ring (ringRuns); null without a patch policy. */
  rings: RingRunRow[] | null;
}

export const patchCompliance: Section<PatchesData> = {
  title: 'Patch compliance',
  source:
    "the `patches` standard and the pending updates: the collector's store for the running month, InfluxDB (`compliance`, `patches`, `patches_pending`) for a past month",
  build(input) {
    const { end, month } = input;
    if (end.state !== 'ok') return end;
    const { states, pending, patches, at } = end.data;
    const source = endSource(end.data, month.zone, 'compliance_states, compliance_points, compliance_pending', '`compliance`, `patches`, `patches_pending`');
    const mine = states.filter((s) => s.standard === 'patches');
    if (mine.length === 0) return { state: 'no-data', note: 'No host of the tenant had a patches verdict by the end of the month.', source };
    const count = (v: string) => mine.filter((s) => s.verdict === v).length;
    const buckets = AGE_BUCKETS.map((b, i) => {
      const lower = i === 0 ? -Infinity : AGE_BUCKETS[i - 1]!.maxMs;
      const inside = pending.filter((u) => at - u.firstSeen > lower && at - u.firstSeen <= b.maxMs);
      return { label: b.label, updates: inside.length, hosts: new Set(inside.map((u) => u.host)).size };
    });
    const byHost = new Map<string, PendingAtEnd[]>();
    for (const u of pending) byHost.set(u.host, [...(byHost.get(u.host) ?? []), u]);
    const zone = month.zone;
    const oldest = [...byHost]
      .map(([host, updates]) => ({ host, updates, first: updates.reduce((a, u) => (u.firstSeen < a.firstSeen ? u : a)) }))
      .sort((a, b) => a.first.firstSeen - b.first.firstSeen || a.host.localeCompare(b.host))
      .slice(0, OLDEST_HOSTS)
      .map(({ host, updates, first }) => {
        const lastSuccess = patches.get(host)?.fields.last_success;
        return {
          host,
          verdict: mine.find((s) => s.host === host)?.verdict ?? 'unknown',
          pending: updates.length,
          oldest: first.title,
          since: localTime(first.firstSeen, zone),
          age: age(at - first.firstSeen),
          lastInstall: typeof lastSuccess === 'number' ? localTime(lastSuccess * 1000, zone) : 'not reported',
        };
      });
    const atText = `${localTime(at, zone)} ${zone}`;
    return {
      state: 'ok',
      source,
      data: {
        atText,
        current: count('pass'),
        notCurrent: count('fail'),
        unknown: count('unknown'),
        total: mine.length,
        buckets,
        oldest,
        rings: ringRuns(input),
      },
    };
  },
  template: `
<p>At <%= it.atText %>: <strong class="current"><%= it.current %></strong> of <span class="total"><%= it.total %></span> hosts current, <strong class="not-current"><%= it.notCurrent %></strong> not current, <span class="unknown"><%= it.unknown %></span> unknown (no patches point, or none that can be judged).</p>
<table class="pending-ages">
  <thead><tr><th>Security/critical updates pending</th><th>Updates</th><th>Hosts</th></tr></thead>
  <tbody>
  <% it.buckets.forEach(function (b) { %>
    <tr data-bucket="<%= b.label %>"><td><%= b.label %></td><td class="num updates"><%= b.updates %></td><td class="num hosts"><%= b.hosts %></td></tr>
  <% }) %>
  </tbody>
</table>
<% if (it.oldest.length === 0) { %>
<p class="none">No security or critical update was pending.</p>
<% } else { %>
<table class="oldest">
  <thead><tr><th>Host</th><th>Verdict</th><th>Pending</th><th>Oldest pending update</th><th>Pending since</th><th>For</th><th>Last install</th></tr></thead>
  <tbody>
  <% it.oldest.forEach(function (r) { %>
    <tr data-host="<%= r.host %>"><td><%= r.host %></td><td><%= r.verdict %></td><td class="num"><%= r.pending %></td><td><%= r.oldest %></td><td><%= r.since %></td><td><%= r.age %></td><td><%= r.lastInstall %></td></tr>
  <% }) %>
  </tbody>
</table>
<% } %>
<% if (it.rings) { %>
<table class="patch-runs">
  <thead><tr><th>Ring</th><th>Patch runs</th><th>Hosts</th><th>Updates installed</th><th>Failed</th><th>Waiting for approval now</th></tr></thead>
  <tbody>
  <% it.rings.forEach(function (r) { %>
    <tr data-ring="<%= r.ring %>"><td><%= r.ring %></td><td class="num"><%= r.runs %></td><td class="num"><%= r.hosts %></td><td class="num installed"><%= r.installed %></td><td class="num failed"><%= r.failed %></td><td class="num"><%= r.pendingApproval === null ? '—' : r.pendingApproval %></td></tr>
  <% }) %>
  </tbody>
</table>
<% } %>
`,
};

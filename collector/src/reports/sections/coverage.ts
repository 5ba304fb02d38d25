// Antivirus and backup coverage at the month's end moment: per host its protection products (state, real-time,
// definitions age) and its backup products (last success and its age), with the verdicts of the `antivirus` and
// `backup` standards; how many hosts each covers (the standard passes) of all, and the failing ones with the reason.
// Ages are counted to the end moment, as the standards count them.
import type { RuleSample } from '../../alerting/contract.js';
import { age, bool, DAY_MS, num, str } from '../../compliance/standards/fields.js';
import { localTime } from '../format.js';
import { endSource, type BackupAtEnd, type Standing } from '../month-end.js';
import type { Section } from '../section.js';

const COVERED = ['antivirus', 'backup'] as const;

export interface HostRow {
  host: string;
  avProducts: string;
  realtime: string;
  definitions: string;
  avVerdict: string;
  backupProducts: string;
  lastSuccess: string;
  backupVerdict: string;
}

export interface CoverageRow {
  standard: string;
  covered: number;
  failing: number;
  unknown: number;
  total: number;
}

export interface CoverageData {
  atText: string;
  coverage: CoverageRow[];
  hosts: HostRow[];
  failing: { host: string; standard: string; reason: string }[];
}

/** Products that are on first: they decide real-time and definitions. */
const onFirst = (a: RuleSample, b: RuleSample) =>
  Number(str(b, 'state') === 'on') - Number(str(a, 'state') === 'on') || a.tags.product!.localeCompare(b.tags.product!);

/** The definitions' age at `at`: from their update time, else the reported age plus the time since the point. */
function definitionsAge(p: RuleSample, at: number): string {
  const updated = num(p, 'signature_updated');
  if (updated !== undefined) return age(at - updated * 1000);
  const days = num(p, 'signature_age_days');
  return days === undefined ? 'not reported' : age(days * DAY_MS + (at - p.time));
}

function antivirusCells(products: readonly RuleSample[] | undefined, at: number): Pick<HostRow, 'avProducts' | 'realtime' | 'definitions'> {
  if (!products || products.length === 0) return { avProducts: 'none reported', realtime: '', definitions: '' };
  const sorted = [...products].sort(onFirst);
  const main = sorted[0]!;
  const realtime = bool(main, 'realtime');
  return {
    avProducts: sorted.map((p) => `${p.tags.product} (${str(p, 'state') || 'unknown'})`).join(', '),
    realtime: realtime === undefined ? 'not reported' : realtime ? 'on' : 'off',
    definitions: definitionsAge(main, at),
  };
}

function backupCells(backup: BackupAtEnd | undefined, at: number, zone: string): Pick<HostRow, 'backupProducts' | 'lastSuccess'> {
  if (!backup) return { backupProducts: 'not reported', lastSuccess: '' };
  const { summary, products } = backup;
  if (bool(summary, 'detectable') === false) return { backupProducts: 'not detectable on this platform', lastSuccess: '' };
  if (products.length === 0 && (num(summary, 'products') ?? 0) === 0) return { backupProducts: 'none detected', lastSuccess: '' };
  const names = products
    .map((p) => (str(p, 'detected_by') === 'presence' ? `${p.tags.product} (installed; results not readable)` : p.tags.product!))
    .join(', ');
  const last = num(summary, 'last_success');
  return { backupProducts: names, lastSuccess: last === undefined ? 'none recorded' : `${localTime(last * 1000, zone)} (${age(at - last * 1000)} before)` };
}

export const coverage: Section<CoverageData> = {
  title: 'Antivirus and backup coverage',
  source:
    "the `antivirus` and `backup` standards and points: the collector's store for the running month, InfluxDB (`compliance`, `antivirus`, `backup`) for a past month",
  build(input) {
    const { end, month } = input;
    if (end.state !== 'ok') return end;
    const { states, antivirus, backup, at } = end.data;
    const source = endSource(end.data, month.zone, 'compliance_states, compliance_points', '`compliance`, `antivirus`, `backup`');
    const mine = states.filter((s) => (COVERED as readonly string[]).includes(s.standard));
    const hostNames = [...new Set([...mine.map((s) => s.host), ...antivirus.keys(), ...backup.keys()])].sort((a, b) => a.localeCompare(b));
    if (hostNames.length === 0)
      return { state: 'no-data', note: 'No host of the tenant had an antivirus or backup verdict or point by the end of the month.', source };
    const zone = month.zone;
    const verdict = (host: string, standard: string): Standing | undefined => mine.find((s) => s.host === host && s.standard === standard);
    const hosts = hostNames.map((host) => ({
      host,
      ...antivirusCells(antivirus.get(host), at),
      avVerdict: verdict(host, 'antivirus')?.verdict ?? 'not evaluated',
      ...backupCells(backup.get(host), at, zone),
      backupVerdict: verdict(host, 'backup')?.verdict ?? 'not evaluated',
    }));
    const coverageRows = COVERED.map((standard) => {
      const of = mine.filter((s) => s.standard === standard);
      const count = (v: string) => of.filter((s) => s.verdict === v).length;
      return { standard, covered: count('pass'), failing: count('fail'), unknown: count('unknown'), total: of.length };
    });
    const failing = mine
      .filter((s) => s.verdict === 'fail')
      .sort((a, b) => a.standard.localeCompare(b.standard) || a.host.localeCompare(b.host))
      .map(({ host, standard, reason }) => ({ host, standard, reason }));
    return { state: 'ok', source, data: { atText: `${localTime(at, zone)} ${zone}`, coverage: coverageRows, hosts, failing } };
  },
  template: `
<p>At <%= it.atText %>. Covered: the standard passes on the host.</p>
<table class="coverage">
  <thead><tr><th>Standard</th><th>Hosts covered</th><th>Of</th><th>Failing</th><th>Unknown</th></tr></thead>
  <tbody>
  <% it.coverage.forEach(function (c) { %>
    <tr data-standard="<%= c.standard %>"><td><%= c.standard %></td><td class="num covered"><%= c.covered %></td><td class="num total"><%= c.total %></td><td class="num failing"><%= c.failing %></td><td class="num unknown"><%= c.unknown %></td></tr>
  <% }) %>
  </tbody>
</table>
<% if (it.failing.length > 0) { %>
<table class="failing">
  <thead><tr><th>Host</th><th>Standard</th><th>Reason</th></tr></thead>
  <tbody>
  <% it.failing.forEach(function (f) { %>
    <tr data-host="<%= f.host %>" data-standard="<%= f.standard %>"><td><%= f.host %></td><td><%= f.standard %></td><td><%= f.reason %></td></tr>
  <% }) %>
  </tbody>
</table>
<% } %>
<table class="hosts">
  <thead><tr><th>Host</th><th>Antivirus</th><th>Real-time</th><th>Definitions age</th><th>Verdict</th><th>Backup</th><th>Last success</th><th>Verdict</th></tr></thead>
  <tbody>
  <% it.hosts.forEach(function (h) { %>
    <tr data-host="<%= h.host %>"><td><%= h.host %></td><td><%= h.avProducts %></td><td><%= h.realtime %></td><td><%= h.definitions %></td><td class="av-verdict"><%= h.avVerdict %></td><td><%= h.backupProducts %></td><td><%= h.lastSuccess %></td><td class="backup-verdict"><%= h.backupVerdict %></td></tr>
  <% }) %>
  </tbody>
</table>
`,
};

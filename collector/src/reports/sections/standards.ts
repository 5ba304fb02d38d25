// Minimum standards at the month's end moment: per standard how many hosts pass, fail or are unknown; every failing
// host with the reason and since when, and the exception covering it if one does; and every exception (waiver) in
// force at that moment. An exception does not turn a failure into a pass: the verdict stays the standard's, and the
// exception is shown beside it.
import { STANDARDS } from '../../compliance/standards/index.js';
import { hostnameKey, type Waiver } from '../../store/index.js';
import { localTime, percentText } from '../format.js';
import { endSource, type Standing } from '../month-end.js';
import type { Section } from '../section.js';

export interface StandardRow {
  id: string;
  title: string;
  pass: number;
  fail: number;
  unknown: number;
  waived: number;
}

export interface FailRow {
  host: string;
  standard: string;
  reason: string;
  since: string;
  /** "#12 until 2027-03-01 00:00", '' when no exception covers it. */
  exception: string;
}

export interface WaiverRow {
  id: number;
  scope: string;
  standard: string;
  reason: string;
  by: string;
  from: string;
  until: string;
}

export interface StandardsData {
  atText: string;
  rate: string;
  rows: StandardRow[];
  failing: FailRow[];
  waivers: WaiverRow[];
}

/** pass / all verdicts x 100 (unknown counts as not passing: nothing showed the host compliant); null with none. */
export const passRate = (states: readonly Standing[]): number | null =>
  states.length === 0 ? null : (states.filter((s) => s.verdict === 'pass').length / states.length) * 100;

/** The exception covering a host's standard: one for the host (by hostname), or one for every host of the tenant. */
export const waiverFor = (waivers: readonly Waiver[], s: Standing): Waiver | undefined =>
  waivers.find((w) => w.standard === s.standard && (w.agentId === null || (w.host !== null && hostnameKey(w.host) === hostnameKey(s.host))));

const order = (id: string) => STANDARDS.findIndex((s) => s.id === id);

export const standards: Section<StandardsData> = {
  title: 'Minimum standards',
  source: "the minimum-standard verdicts: the collector's store for the running month, InfluxDB (`compliance`) for a past month",
  build(input) {
    const { end, month } = input;
    if (end.state !== 'ok') return end;
    const source = endSource(end.data, month.zone, 'compliance_states; exceptions from compliance_waivers', '`compliance`; exceptions from the store');
    const states = end.data.states;
    if (states.length === 0)
      return { state: 'no-data', note: 'No minimum-standard verdict was recorded for any host of the tenant by the end of the month.', source };
    const zone = month.zone;
    const waived = (s: Standing) => s.verdict !== 'pass' && waiverFor(input.waivers, s) !== undefined;
    const rows = STANDARDS.flatMap((std): StandardRow[] => {
      const mine = states.filter((s) => s.standard === std.id);
      const count = (v: Standing['verdict']) => mine.filter((s) => s.verdict === v).length;
      return mine.length === 0
        ? []
        : [{ id: std.id, title: std.title, pass: count('pass'), fail: count('fail'), unknown: count('unknown'), waived: mine.filter(waived).length }];
    });
    const failing = states
      .filter((s) => s.verdict === 'fail')
      .sort((a, b) => order(a.standard) - order(b.standard) || a.host.localeCompare(b.host))
      .map((s) => {
        const w = waiverFor(input.waivers, s);
        return {
          host: s.host,
          standard: s.standard,
          reason: s.reason,
          since: localTime(s.since, zone),
          exception: w ? `#${w.id} until ${localTime(w.expiresAt, zone)}` : '',
        };
      });
    const waivers = input.waivers.map((w) => ({
      id: w.id,
      scope: w.agentId === null ? 'every host' : (w.host ?? w.agentId),
      standard: w.standard,
      reason: w.reason,
      by: w.createdBy,
      from: localTime(w.createdAt, zone),
      until: localTime(w.expiresAt, zone),
    }));
    const atText = `${localTime(end.data.at, zone)} ${zone}`;
    return { state: 'ok', source, data: { atText, rate: percentText(passRate(states)), rows, failing, waivers } };
  },
  template: `
<p>Verdicts at <%= it.atText %>: <strong class="rate"><%= it.rate %></strong> of host-standard verdicts pass (unknown counts as not passing).</p>
<table class="standards">
  <thead><tr><th>Standard</th><th>Pass</th><th>Fail</th><th>Unknown</th><th>Covered by an exception</th></tr></thead>
  <tbody>
  <% it.rows.forEach(function (r) { %>
    <tr data-standard="<%= r.id %>"><td><%= r.title %></td><td class="num pass"><%= r.pass %></td><td class="num fail"><%= r.fail %></td><td class="num unknown"><%= r.unknown %></td><td class="num waived"><%= r.waived %></td></tr>
  <% }) %>
  </tbody>
</table>
<% if (it.failing.length === 0) { %>
<p class="none">No host failed a standard.</p>
<% } else { %>
<table class="failing">
  <thead><tr><th>Host</th><th>Standard</th><th>Reason</th><th>Failing since</th><th>Exception</th></tr></thead>
  <tbody>
  <% it.failing.forEach(function (r) { %>
    <tr data-host="<%= r.host %>" data-standard="<%= r.standard %>"><td><%= r.host %></td><td><%= r.standard %></td><td><%= r.reason %></td><td><%= r.since %></td><td><%= r.exception %></td></tr>
  <% }) %>
  </tbody>
</table>
<% } %>
<% if (it.waivers.length === 0) { %>
<p class="none">No exception was in force.</p>
<% } else { %>
<table class="waivers">
  <thead><tr><th>Exception</th><th>Host</th><th>Standard</th><th>Reason</th><th>Agreed by</th><th>From</th><th>Until</th></tr></thead>
  <tbody>
  <% it.waivers.forEach(function (w) { %>
    <tr data-waiver="<%= w.id %>"><td>#<%= w.id %></td><td><%= w.scope %></td><td><%= w.standard %></td><td><%= w.reason %></td><td><%= w.by %></td><td><%= w.from %></td><td><%= w.until %></td></tr>
  <% }) %>
  </tbody>
</table>
<% } %>
`,
};

// Server availability: for each of the tenant's servers, the time it was monitored in the month, the time its agent was
// connected, the share, and the offline periods, from the collector's connection history (store/sessions.ts).
//
//  1. Servers: agents of the tenant not revoked before the month began, whose role is `server` as the rules file's host
//     settings and the agent's latest inventory make it (alerting/host-facts.ts roleOf).
//  2. Monitored: from the latest of the month's start, the agent's enrollment and the start of the history, to the
//     earliest of the month's end, now and the agent's revocation. Time before the history began is not known, so it is
//     left out and the section says from when the month is covered; a month the history does not reach is
//     `unavailable`, never zeros.
//  3. Offline periods are the monitored time not covered by a session, listed from MIN_OFFLINE_MS (shorter ones, a
//     reconnect, still count as offline time), the longest MAX_OFFLINE_ROWS per host in time order.
import { roleOf, type OsIdentity } from '../../alerting/host-facts.js';
import type { Agent } from '../../store/index.js';
import type { ReportMonth } from '../month.js';
import { hoursText, localTime, percentText } from '../format.js';
import type { ReportInput, Section, SectionContent } from '../section.js';

/** Offline periods shorter than this are a reconnect, not an outage worth a line. */
export const MIN_OFFLINE_MS = 5 * 60_000;
/** At most this many offline periods per host are listed (the longest). */
export const MAX_OFFLINE_ROWS = 10;

export interface OfflineRow {
  start: string;
  end: string;
  duration: string;
  /** The period runs at the time of the report. */
  ongoing: boolean;
}

export interface HostAvailability {
  host: string;
  from: string;
  to: string;
  monitored: string;
  connected: string;
  percent: string;
  /** Offline periods of at least MIN_OFFLINE_MS; `listed` holds the longest MAX_OFFLINE_ROWS of them. */
  offlineCount: number;
  listed: OfflineRow[];
}

export interface AvailabilityData {
  zone: string;
  hosts: HostAvailability[];
  /** Set when the history begins inside the month: the month is covered from then on. */
  partialFrom: string | null;
  minOffline: string;
}

interface Span {
  from: number;
  to: number;
}

/** The agents of the tenant that were servers and not revoked before `from`. */
function servers(input: Pick<ReportInput, 'store' | 'rules' | 'tenant'>, from: number): Agent[] {
  const { store, rules, tenant } = input;
  return store.agents.list(tenant.id).filter((a) => {
    if (a.revokedAt !== null && a.revokedAt <= from) return false;
    const identity = (store.osIdentities.get(a.id)?.identity ?? null) as OsIdentity;
    return roleOf(rules.hostSettings(tenant.id, a.hostname), identity, a.os) === 'server';
  });
}

/** The parts of `range` no session covers (sessions of one agent never overlap; an open one runs past the range). */
export function offlineSpans(sessions: readonly { from: number; to: number | null }[], range: Span): Span[] {
  const gaps: Span[] = [];
  let cursor = range.from;
  for (const s of [...sessions].sort((a, b) => a.from - b.from)) {
    if (s.from > cursor) gaps.push({ from: cursor, to: Math.min(s.from, range.to) });
    cursor = Math.max(cursor, s.to ?? range.to);
    if (cursor >= range.to) break;
  }
  if (cursor < range.to) gaps.push({ from: cursor, to: range.to });
  return gaps.filter((g) => g.to > g.from);
}

/** One server's monitored range in the month and the parts of it no session covers. */
export interface ServerMonth {
  agent: Agent;
  range: Span;
  gaps: Span[];
}

export type MonthAvailability = { state: 'ok'; servers: ServerMonth[]; historyStart: number } | { state: 'no-data' | 'unavailable'; note: string };

/** The tenant's servers in `month` with their monitored range and offline spans (rules 1-3), or why there are none. */
export function monthAvailability(input: Pick<ReportInput, 'store' | 'rules' | 'tenant' | 'now'>, month: ReportMonth): MonthAvailability {
  const { store, now } = input;
  const zone = month.zone;
  const start = store.sessions.historyStart();
  const end = Math.min(month.to, now);
  if (start === null || start >= end) {
    const since = start === null ? 'the collector has not recorded any yet' : `it begins on ${localTime(start, zone)} (${zone})`;
    return {
      state: 'unavailable',
      note: `Not reported: availability is counted from the collector's connection history, and ${since}, after this part of ${month.id}.`,
    };
  }
  const from = Math.max(month.from, start);
  const found = servers(input, month.from)
    .map((agent) => ({ agent, range: { from: Math.max(from, agent.enrolledAt), to: Math.min(end, agent.revokedAt ?? end) } }))
    .filter((h) => h.range.to > h.range.from)
    .map((h) => {
      const sessions = store.sessions.overlapping(h.agent.id, h.range.from, h.range.to).map((s) => ({ from: s.connectedAt, to: s.disconnectedAt }));
      return { ...h, gaps: offlineSpans(sessions, h.range) };
    });
  if (found.length === 0) {
    return { state: 'no-data', note: `No server of this tenant was monitored in ${month.id}: there is no availability to show, which is not 100 %.` };
  }
  return { state: 'ok', servers: found, historyStart: start };
}

/** Connected time over monitored time of every server together, in percent. */
export function fleetPercent(servers: readonly ServerMonth[]): number {
  const monitored = servers.reduce((n, s) => n + s.range.to - s.range.from, 0);
  const offline = servers.reduce((n, s) => n + s.gaps.reduce((m, g) => m + g.to - g.from, 0), 0);
  return ((monitored - offline) / monitored) * 100;
}

function hostRow({ agent, range, gaps }: ServerMonth, zone: string, now: number): HostAvailability {
  const monitoredMs = range.to - range.from;
  const offlineMs = gaps.reduce((n, g) => n + g.to - g.from, 0);
  const long = gaps.filter((g) => g.to - g.from >= MIN_OFFLINE_MS);
  const listed = [...long]
    .sort((a, b) => b.to - b.from - (a.to - a.from) || a.from - b.from)
    .slice(0, MAX_OFFLINE_ROWS)
    .sort((a, b) => a.from - b.from);
  return {
    host: agent.hostname,
    from: localTime(range.from, zone),
    to: localTime(range.to, zone),
    monitored: hoursText(monitoredMs),
    connected: hoursText(monitoredMs - offlineMs),
    percent: percentText(monitoredMs > 0 ? ((monitoredMs - offlineMs) / monitoredMs) * 100 : null),
    offlineCount: long.length,
    listed: listed.map((g) => ({
      start: localTime(g.from, zone),
      end: localTime(g.to, zone),
      duration: hoursText(g.to - g.from),
      ongoing: g.to === now,
    })),
  };
}

function build(input: ReportInput): SectionContent<AvailabilityData> {
  const { month, now } = input;
  const found = monthAvailability(input, month);
  if (found.state !== 'ok') return found;
  const start = found.historyStart;
  return {
    state: 'ok',
    data: {
      zone: month.zone,
      hosts: found.servers.map((s) => hostRow(s, month.zone, now)),
      partialFrom: start > month.from ? localTime(start, month.zone) : null,
      minOffline: hoursText(MIN_OFFLINE_MS),
    },
  };
}

export const availability: Section<AvailabilityData> = {
  title: 'Server availability',
  source: "the collector's connection history (agent_sessions table, SQLite): each agent's connected periods",
  build,
  template: `
<p class="legend">Monitored: from the month's start (or the server's enrollment) to its end (or the time of this report). Connected: the time its agent held a connection to the collector. Times in <%= it.zone %>.</p>
<% if (it.partialFrom) { %><p class="notice partial">Partial month: the connection history begins on <%= it.partialFrom %>; time before it is not counted.</p><% } %>
<table class="availability">
  <thead><tr><th>Server</th><th>Monitored from</th><th>to</th><th>Monitored (h:mm)</th><th>Connected (h:mm)</th><th>Availability</th><th>Offline periods</th></tr></thead>
  <tbody>
  <% it.hosts.forEach(function (h) { %>
    <tr data-host="<%= h.host %>"><td><%= h.host %></td><td class="from"><%= h.from %></td><td class="to"><%= h.to %></td><td class="num monitored"><%= h.monitored %></td><td class="num connected"><%= h.connected %></td><td class="num percent"><%= h.percent %></td><td class="num offline"><%= h.offlineCount %></td></tr>
  <% }) %>
  </tbody>
</table>
<% it.hosts.filter(function (h) { return h.listed.length > 0; }).forEach(function (h) { %>
<table class="offline" data-host="<%= h.host %>">
  <thead><tr><th colspan="3"><%= h.host %>: offline periods of <%= it.minOffline %> or longer<% if (h.listed.length < h.offlineCount) { %> (the longest <%= h.listed.length %> of <%= h.offlineCount %>)<% } %></th></tr>
  <tr><th>From</th><th>To</th><th>Duration (h:mm)</th></tr></thead>
  <tbody>
  <% h.listed.forEach(function (o) { %>
    <tr><td class="start"><%= o.start %></td><td class="end"><%= o.end %><% if (o.ongoing) { %> (ongoing)<% } %></td><td class="num duration"><%= o.duration %></td></tr>
  <% }) %>
  </tbody>
</table>
<% }) %>
`,
};

// absence: the agent has gone silent (offline, uninstalled, its service stopped). Judged on the tick only, from
// when the collector last heard from the agent:
//   silent since = max(last seen, or the collector's start when never seen; the collector's start)
// because silence while the collector itself was down is not the agent's fault: after a collector restart every
// agent gets the full `after` again to reconnect.
//
//   - id: agent_offline_server
//     kind: absence
//     roles: [server]
//     after: 10m                            # or per role: { server: 10m, workstation: 7d } (the default)
//     impact: high
//
// A workstation is off every night and over holidays: its default is a week, a server's ten minutes. An alert
// whose host is no longer among the hosts the rule watches (agent revoked, role changed) clears.
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../../../errors.js';
import type { Impact, Observation, Role } from '../../contract.js';
import { DurationText, durationAt, formatDuration, requireImpact } from '../common.js';
import type { RuleCommon, RuleKind, TickObservation } from '../kind.js';

export const DEFAULT_AFTER_MS: Readonly<Record<Role, number>> = { server: 10 * 60_000, workstation: 7 * 24 * 60 * 60_000 };
const LEVEL = 'default';

const schema = Type.Object({
  after: Type.Optional(
    Type.Union(
      [
        DurationText('duration of silence for every role'),
        Type.Object({ server: Type.Optional(DurationText()), workstation: Type.Optional(DurationText()) }, { additionalProperties: false }),
      ],
      { description: 'silence before the alert: one duration, or per role (default server 10m, workstation 7d)' },
    ),
  ),
});

export interface AbsenceRule extends RuleCommon {
  kind: 'absence';
  impact: Impact;
  afterMs: Readonly<Record<Role, number>>;
}

function compileAfter(after: Static<typeof schema>['after'], path: string): Record<Role, number> {
  const out = { ...DEFAULT_AFTER_MS };
  if (typeof after === 'string') {
    out.server = out.workstation = durationAt(after, path, 0);
  } else {
    out.server = durationAt(after?.server, `${path}.server`, out.server);
    out.workstation = durationAt(after?.workstation, `${path}.workstation`, out.workstation);
  }
  for (const role of ['server', 'workstation'] as const) {
    if (out[role] <= 0) throw new ConfigError(`${path}${typeof after === 'string' ? '' : `.${role}`}: must be longer than 0`);
  }
  return out;
}

const hostKey = (tenant: string, host: string) => `${tenant}\u0000${host}`;

export const absence: RuleKind<AbsenceRule> = {
  schema,
  compile(raw, common, path) {
    const r = raw as Static<typeof schema>;
    return { ...common, kind: 'absence', impact: requireImpact(common, path), afterMs: compileAfter(r.after, `${path}.after`) };
  },
  measurements: () => [],
  tick(rule, ctx) {
    const active = [...ctx.active];
    const alerting = new Set(active.map((a) => hostKey(a.tenant, a.host)));
    const watched = new Set<string>();
    const out: TickObservation[] = [];
    const emit = (tenant: string, host: string, isActive: boolean, summary: string) => {
      const observation: Observation = { instance: '', active: isActive, level: LEVEL, impact: rule.impact, at: ctx.now, summary };
      out.push({ tenant, host, observation });
    };
    for (const { facts, lastSeenAt } of ctx.hosts) {
      const key = hostKey(facts.tenant, facts.host);
      watched.add(key);
      const silentMs = ctx.now - Math.max(lastSeenAt ?? ctx.startedAt, ctx.startedAt);
      const after = rule.afterMs[facts.role];
      // Quiet hosts without an alert need no word: the engine's state for them is already inactive.
      if (silentMs >= after) emit(facts.tenant, facts.host, true, `no data for ${formatDuration(silentMs)} (${facts.role} threshold ${formatDuration(after)})`);
      else if (alerting.has(key)) emit(facts.tenant, facts.host, false, `reporting again (last data ${formatDuration(silentMs)} ago)`);
    }
    for (const a of active) {
      if (!watched.has(hostKey(a.tenant, a.host))) emit(a.tenant, a.host, false, 'no longer watched by this rule (agent revoked or role changed)');
    }
    return out;
  },
};

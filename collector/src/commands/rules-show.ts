// watchpost-collector rules show: what GET /api/v1/rules shows, from the rules file as serve loads it (the config's
// rules.file over the default pack): the host's urgency, the tenant's terms and calendar after every override, and
// per rule its for, keep_firing_for, on_clear, levels (threshold, clear, impact, priority on this host) and where it
// was last written. --json prints the API's answer. An unknown tenant is refused naming the nearest one; entries in
// the rules file for tenants that do not exist are warned about on stderr.
import { effectiveRules, nearestId, unknownTenantMessage, unknownTenants, type EffectiveRules, type LevelView } from '../alerting/rules/effective.js';
import { loadRules } from '../alerting/rules/rules-file.js';
import { UsageError } from '../errors.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { flag, noPositionals, shortDuration } from './hold-common.js';
import { printJson, printTable } from './table.js';

const duration = (ms: number): string => (ms === 0 ? '0s' : shortDuration(ms));

function levelText(level: LevelView): string {
  const condition =
    level.above !== undefined
      ? `> ${level.above}${level.clear !== level.above ? ` (clear ${level.clear})` : ''}`
      : level.below !== undefined
        ? `< ${level.below}${level.clear !== level.below ? ` (clear ${level.clear})` : ''}`
        : level.equals !== undefined
          ? `= ${String(level.equals)}`
          : level.in !== undefined
            ? `in ${level.in.join('|')}`
            : '';
  const priority =
    level.priority ?? (level.priority_by_role ? `${level.priority_by_role.server} server/${level.priority_by_role.workstation} workstation` : '-');
  return [level.name, condition, level.impact ?? '-', priority].filter((part) => part !== '').join(' ');
}

/** A list of dates, or (a region's holidays with dates added and removed) each part by its key. */
function holidaysText(holidays: unknown): string {
  if (Array.isArray(holidays)) return holidays.join(' ') || 'none';
  const parts = Object.entries(holidays as Record<string, unknown>).map(([key, value]) => `${key} ${Array.isArray(value) ? value.join(' ') : String(value)}`);
  return parts.join(', ') || 'none';
}

function print(view: EffectiveRules): void {
  const t = view.terms;
  const out: string[] = [];
  out.push(
    `tenant ${view.tenant}${view.tenant_entry ? '' : ' (no entry in the rules file: the top level applies)'}, ` +
      (view.host === null
        ? 'no host (the tenant before any host entry)'
        : `host ${view.host} (${view.host_entry ? `host entry "${view.host_entry}"` : 'no host entry'})`),
  );
  const s = view.host_settings;
  const settings = [s.role && `role ${s.role}`, s.critical && 'critical', s.site && `site ${s.site}`, s.tags.length > 0 && `tags ${s.tags.join(', ')}`];
  if (settings.some(Boolean)) out.push(`host settings: ${settings.filter(Boolean).join('; ')}`);
  out.push(`urgency: ${view.urgency ?? 'by role'} (from ${view.urgency_from})`);
  out.push(
    `terms: sla profile ${t.sla_profile}; on clear ${t.on_clear}; reopen window ${duration(t.reopen_window_ms)}; maintenance exit grace ${duration(t.maintenance_exit_grace_ms)}`,
  );
  for (const target of ['respond', 'plan', 'resolve'] as const) {
    const byPriority = Object.entries(t.sla[target]);
    if (byPriority.length > 0) out.push(`  ${target}: ${byPriority.map(([p, d]) => `${p} ${d}`).join(', ')}`);
  }
  const c = t.calendar;
  out.push(
    'timezone' in c
      ? `calendar ${c.name}: ${c.timezone}; ${c.days.join(' ')}; ${c.hours.map((h) => `${h.start}-${h.end}`).join(' ')}; holidays ${holidaysText(c.holidays)}`
      : 'calendar: 24x7 (around the clock)',
  );
  const m = t.priority_matrix;
  out.push(
    `priority matrix (impact: urgency high/medium/low): ${(['high', 'medium', 'low'] as const).map((i) => `${i} ${m[i].high}/${m[i].medium}/${m[i].low}`).join('; ')}`,
  );
  process.stdout.write(out.join('\n') + '\n\n');
  const rows = [['RULE', 'KIND', 'FOR', 'KEEP FIRING', 'ON CLEAR', 'LEVELS (threshold impact priority)', 'SETTINGS', 'DEFINED AT']];
  for (const r of view.rules) {
    const settings = Object.entries(r.settings).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
    rows.push([
      r.id,
      r.kind,
      duration(r.for_ms),
      duration(r.keep_firing_for_ms),
      r.on_clear,
      r.levels.map(levelText).join('; '),
      settings.join(' '),
      r.defined_at,
    ]);
  }
  printTable(rows);
}

export const rulesShow: Command = {
  usage: '--tenant ID [--host H] [--json] [--config FILE]',
  summary: "the rules, levels, terms and calendar in force for a tenant's host, after every override",
  options: { ...CONFIG_OPTION, tenant: { type: 'string' }, host: { type: 'string' }, json: { type: 'boolean' } },
  run: (input) =>
    withStore(input, (store, config) => {
      noPositionals(input.positionals);
      const tenant = flag(input.values.tenant);
      if (!tenant) throw new UsageError('--tenant is required');
      const host = flag(input.values.host);
      if (host === '') throw new UsageError('--host: expected a host name');
      const set = loadRules(config.rules.file || undefined, { includeDefaults: config.rules.defaults });
      const known = store.tenants.list().map((t) => t.id);
      for (const u of unknownTenants(set, known)) process.stderr.write(`warning: ${unknownTenantMessage(u)}\n`);
      if (!known.includes(tenant)) {
        const nearest = nearestId(tenant, known);
        process.stderr.write(`watchpost-collector rules show: unknown tenant: ${tenant}${nearest ? ` (did you mean "${nearest}"?)` : ''}\n`);
        return 1;
      }
      const view = effectiveRules(set, tenant, host);
      if (input.values.json) printJson(view);
      else print(view);
      return 0;
    }),
};

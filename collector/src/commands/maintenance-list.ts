import type { MaintenanceWindow } from '../store/index.js';
import { windowCoverage } from '../alerting/holds.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { flag, noPositionals, shortDuration } from './hold-common.js';
import { isoTime, printJson, printTable } from './table.js';

function state(w: MaintenanceWindow, now: number): string {
  if (w.deletedAt !== null) return `deleted ${isoTime(w.deletedAt)}`;
  const until = windowCoverage(w, now);
  if (until !== null) return `holding until ${isoTime(until)}`;
  if (w.endsAt !== null && now >= w.endsAt) return 'over';
  return now < w.startsAt ? 'scheduled' : 'between occurrences';
}

function when(w: MaintenanceWindow): string {
  if (!w.recurrence) return `${isoTime(w.startsAt)} - ${isoTime(w.endsAt)}`;
  const { cron, timezone, durationMs } = w.recurrence;
  return `${cron} ${timezone} for ${shortDuration(durationMs)}${w.endsAt !== null ? ` until ${isoTime(w.endsAt)}` : ''}`;
}

export const maintenanceList: Command = {
  usage: '[--tenant ID] [--all] [--json] [--config FILE]',
  summary: 'list maintenance windows and whether they hold now (--all: deleted ones too)',
  options: { ...CONFIG_OPTION, tenant: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' } },
  run: (input) =>
    withStore(input, (store) => {
      noPositionals(input.positionals);
      const tenant = flag(input.values.tenant);
      const list = store.maintenance.listWindows({ ...(tenant ? { tenant } : {}), includeDeleted: input.values.all === true });
      const now = Date.now();
      if (input.values.json) {
        printJson(list.map((w) => ({ ...w, state: state(w, now) })));
        return 0;
      }
      const rows = [['ID', 'TENANT', 'SCOPE', 'WHEN', 'STATE', 'REASON']];
      for (const w of list) {
        const scope = w.host ? `host ${w.host}` : w.site ? `site ${w.site}` : 'tenant';
        rows.push([w.id, w.tenant, scope, when(w), state(w, now), w.reason]);
      }
      printTable(rows);
      return 0;
    }),
};

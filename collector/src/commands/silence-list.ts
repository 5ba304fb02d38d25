import type { Silence } from '../store/index.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { flag, noPositionals } from './hold-common.js';
import { isoTime, printJson, printTable } from './table.js';

function state(s: Silence, now: number): string {
  if (s.expiredAt !== null) return `expired ${isoTime(s.expiredAt)}`;
  if (now < s.startsAt) return 'scheduled';
  return now < s.endsAt ? 'active' : 'over';
}

export const silenceList: Command = {
  usage: '[--tenant ID] [--active] [--json] [--config FILE]',
  summary: 'list silences (--active: only those in force now)',
  options: { ...CONFIG_OPTION, tenant: { type: 'string' }, active: { type: 'boolean' }, json: { type: 'boolean' } },
  run: (input) =>
    withStore(input, (store) => {
      noPositionals(input.positionals);
      const tenant = flag(input.values.tenant);
      const now = Date.now();
      const list = store.maintenance.listSilences({ ...(tenant ? { tenant } : {}), ...(input.values.active ? { activeAt: now } : {}) });
      if (input.values.json) {
        printJson(list.map((s) => ({ ...s, state: state(s, now) })));
        return 0;
      }
      const rows = [['ID', 'TENANT', 'HOST', 'RULE', 'STARTS', 'ENDS', 'STATE', 'COMMENT']];
      for (const s of list) rows.push([s.id, s.tenant, s.host ?? '*', s.ruleId ?? '*', isoTime(s.startsAt), isoTime(s.endsAt), state(s, now), s.comment]);
      printTable(rows);
      return 0;
    }),
};

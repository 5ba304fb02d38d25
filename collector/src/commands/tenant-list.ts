// watchpost-collector tenant list: every tenant, removed ones included, with its agents and unresolved tickets.
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { noPositionals } from './hold-common.js';
import { isoTime, printJson, printTable } from './table.js';
import { tenantSummary } from './tenant-summary.js';

export const tenantList: Command = {
  usage: '[--json] [--config FILE]',
  summary: 'list tenants with their agents (online/offline) and unresolved tickets, removed ones included',
  options: { ...CONFIG_OPTION, json: { type: 'boolean' } },
  run: (input) =>
    withStore(input, (store, config) => {
      noPositionals(input.positionals);
      const now = Date.now();
      const list = store.tenants.list().map((t) => tenantSummary(store, config, t, now));
      if (input.values.json) {
        printJson(list);
        return 0;
      }
      const rows = [['TENANT', 'NAME', 'CREATED', 'ONLINE', 'OFFLINE', 'OPEN TICKETS', 'STATE']];
      for (const t of list) {
        const state = t.removedAt === null ? 'active' : `removed ${isoTime(t.removedAt)}`;
        const open = t.tickets.open + t.tickets.acknowledged;
        rows.push([t.id, t.name, isoTime(t.createdAt), String(t.agents.online), String(t.agents.offline), String(open), state]);
      }
      printTable(rows);
      return 0;
    }),
};

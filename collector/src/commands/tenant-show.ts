// watchpost-collector tenant show ID: one tenant's agents (online/offline), unresolved tickets, enrollment tokens,
// API keys and the desks its tickets go to.
import { CONFIG_OPTION, type Command } from './command.js';
import { singleId, withStore } from './context.js';
import { scopeLabel } from './api-key-list.js';
import { isoTime, printJson } from './table.js';
import { deskRouting, mustGetTenant, tenantSummary } from './tenant-summary.js';

export const tenantShow: Command = {
  usage: 'ID [--json] [--config FILE]',
  summary: 'show a tenant: agents online/offline, open tickets, tokens, API keys, desks routing',
  options: { ...CONFIG_OPTION, json: { type: 'boolean' } },
  run: (input) =>
    withStore(input, (store, config) => {
      const id = singleId(input, 'tenant ID', 'tenant list');
      const t = tenantSummary(store, config, mustGetTenant(store, id));
      const routing = deskRouting(config, id);
      if (input.values.json) {
        printJson({ ...t, ...routing });
        return 0;
      }
      const keys = t.apiKeys.filter((k) => k.revokedAt === null);
      const lines: [string, string][] = [
        ['tenant', `${t.id} (${t.name})`],
        ['created', isoTime(t.createdAt)],
        ['state', t.removedAt === null ? 'active' : `removed ${isoTime(t.removedAt)}`],
        ['agents', `${t.agents.online} online, ${t.agents.offline} offline, ${t.agents.revoked} revoked (see \`agents --tenant ${t.id}\`)`],
        ['open tickets', `${t.tickets.open + t.tickets.acknowledged} (${t.tickets.open} open, ${t.tickets.acknowledged} acknowledged)`],
        ['enrollment tokens', `${t.tokens.usable} usable of ${t.tokens.total}`],
        ['API keys', keys.length === 0 ? 'none active' : keys.map((k) => `${k.id} ${k.name} (${scopeLabel(k)})`).join('; ')],
        ['desks', routing.desks?.length ? routing.desks.map((d) => `${d.desk} (${d.type}: ${d.events.join(', ')})`).join('; ') : (routing.note ?? '-')],
      ];
      const width = Math.max(...lines.map(([label]) => label.length)) + 1;
      for (const [label, value] of lines) process.stdout.write(`${`${label}:`.padEnd(width)} ${value}\n`);
      return 0;
    }),
};

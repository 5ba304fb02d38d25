import { UsageError } from '../errors.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { isoTime, printJson, printTable } from './table.js';

type State = 'revoked' | 'expired' | 'used up' | 'active';

export const tokenList: Command = {
  usage: '[--tenant ID] [--json] [--config FILE]',
  summary: 'list enrollment tokens (ids and state; never the tokens themselves)',
  options: { ...CONFIG_OPTION, tenant: { type: 'string' }, json: { type: 'boolean' } },
  run: (input) =>
    withStore(input, (store) => {
      if (input.positionals.length > 0) throw new UsageError(`unexpected argument "${input.positionals[0]}"`);
      const tenant = typeof input.values.tenant === 'string' ? input.values.tenant : undefined;
      const now = Date.now();
      const list = store.tokens.list(tenant).map((t) => {
        const state: State = t.revokedAt ? 'revoked' : now >= t.expiresAt ? 'expired' : t.usesLeft <= 0 ? 'used up' : 'active';
        return { ...t, state };
      });
      if (input.values.json) {
        printJson(list);
        return 0;
      }
      const rows = [['TOKEN', 'TENANT', 'CREATED', 'EXPIRES', 'USES LEFT', 'LAST USED BY', 'STATE']];
      for (const t of list) {
        rows.push([t.id, t.tenant, isoTime(t.createdAt), isoTime(t.expiresAt), `${t.usesLeft}/${t.maxUses}`, t.lastUsedBy ?? '-', t.state]);
      }
      printTable(rows);
      return 0;
    }),
};

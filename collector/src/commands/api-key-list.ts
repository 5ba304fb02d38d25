import { UsageError } from '../errors.js';
import type { ApiKeyInfo } from '../store/index.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { isoTime, printJson, printTable } from './table.js';

/** "admin", or "tenant:acme (read)". */
export const scopeLabel = (key: Pick<ApiKeyInfo, 'tenant' | 'role'>): string => (key.tenant === null ? 'admin' : `tenant:${key.tenant} (${key.role})`);

export const apiKeyList: Command = {
  usage: '[--json] [--config FILE]',
  summary: 'list API keys (ids, names, scopes; never the keys)',
  options: { ...CONFIG_OPTION, json: { type: 'boolean' } },
  run: (input) =>
    withStore(input, (store) => {
      if (input.positionals.length > 0) throw new UsageError(`unexpected argument "${input.positionals[0]}"`);
      const list = store.apiKeys.list();
      if (input.values.json) {
        printJson(list);
        return 0;
      }
      const rows = [['KEY', 'NAME', 'SCOPE', 'CREATED', 'STATE']];
      for (const k of list) rows.push([k.id, k.name, scopeLabel(k), isoTime(k.createdAt), k.revokedAt ? `revoked ${isoTime(k.revokedAt)}` : 'active']);
      printTable(rows);
      return 0;
    }),
};

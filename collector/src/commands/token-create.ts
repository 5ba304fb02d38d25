import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { tokenGrant } from './token-grant.js';

const DEFAULT_EXPIRY = '7d';
const DEFAULT_USES = 1;

export const tokenCreate: Command = {
  usage: '--tenant ID [--expires 7d] [--uses 1] [--config FILE]',
  summary: 'create an enrollment token (printed once, on stdout only)',
  options: { ...CONFIG_OPTION, tenant: { type: 'string' }, expires: { type: 'string' }, uses: { type: 'string' } },
  run: (input) =>
    withStore(input, (store) => {
      const { tenant, ttlMs: ttl, uses: count } = tokenGrant(input.values, input.positionals, { expires: DEFAULT_EXPIRY, uses: DEFAULT_USES });
      const created = store.tokens.create({ tenant, expiresAt: Date.now() + ttl, uses: count });
      process.stdout.write(created.token + '\n');
      process.stderr.write(`token ${created.id} for tenant ${tenant}: ${count} use(s), expires ${new Date(Date.now() + ttl).toISOString()}\n`);
      return 0;
    }),
};

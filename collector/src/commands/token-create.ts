import { UsageError } from '../errors.js';
import { parseDuration } from '../duration.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';

const DEFAULT_EXPIRY = '7d';
const DEFAULT_USES = 1;

export const tokenCreate: Command = {
  usage: '--tenant ID [--expires 7d] [--uses 1] [--config FILE]',
  summary: 'create an enrollment token (printed once, on stdout only)',
  options: { ...CONFIG_OPTION, tenant: { type: 'string' }, expires: { type: 'string' }, uses: { type: 'string' } },
  run: (input) =>
    withStore(input, (store) => {
      const { tenant, expires, uses } = input.values;
      if (typeof tenant !== 'string' || !tenant) throw new UsageError('--tenant is required');
      if (input.positionals.length > 0) throw new UsageError(`unexpected argument "${input.positionals[0]}"`);
      const ttl = parseDuration(typeof expires === 'string' ? expires : DEFAULT_EXPIRY);
      if (ttl <= 0) throw new UsageError('--expires must be longer than 0');
      const count = typeof uses === 'string' ? Number(uses) : DEFAULT_USES;
      if (!Number.isInteger(count) || count < 1) throw new UsageError(`--uses: expected a whole number >= 1, got "${uses}"`);
      const created = store.tokens.create({ tenant, expiresAt: Date.now() + ttl, uses: count });
      process.stdout.write(created.token + '\n');
      process.stderr.write(`token ${created.id} for tenant ${tenant}: ${count} use(s), expires ${new Date(Date.now() + ttl).toISOString()}\n`);
      return 0;
    }),
};

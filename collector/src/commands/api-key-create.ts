import { UsageError } from '../errors.js';
import { TENANT_ROLES, type NewApiKeyScope, type TenantRole } from '../store/index.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { withStore } from './context.js';
import { scopeLabel } from './api-key-list.js';

/** An admin key without --tenant; a tenant key needs its role, so nobody gets operate by accident. */
function scopeOf(tenant: unknown, role: unknown): NewApiKeyScope {
  if (tenant === undefined) {
    if (role !== undefined) throw new UsageError('--role needs --tenant (a key without --tenant is an admin key)');
    return {};
  }
  if (typeof tenant !== 'string' || !tenant) throw new UsageError('--tenant: expected a tenant id');
  if (role === undefined) throw new UsageError(`--role is required with --tenant (${TENANT_ROLES.join(' or ')})`);
  if (!(TENANT_ROLES as readonly unknown[]).includes(role)) throw new UsageError(`--role: expected ${TENANT_ROLES.join(' or ')}`);
  return { tenant, role: role as TenantRole };
}

export const apiKeyCreate: Command = {
  usage: '--name NAME [--tenant ID --role read|operate] [--config FILE]',
  summary: 'create an API key for a person or system (admin, or one tenant with a role); printed once, on stdout only; stored hashed',
  options: { ...CONFIG_OPTION, name: { type: 'string' }, tenant: { type: 'string' }, role: { type: 'string' } },
  run: (input) =>
    withStore(input, (store) => {
      if (typeof input.values.name !== 'string' || !input.values.name.trim()) throw new UsageError('--name is required');
      if (input.positionals.length > 0) throw new UsageError(`unexpected argument "${input.positionals[0]}"`);
      const scope = scopeOf(input.values.tenant, input.values.role);
      const created = store.apiKeys.create({ name: input.values.name, ...scope });
      process.stdout.write(created.key + '\n');
      const label = scopeLabel({ tenant: scope.tenant ?? null, role: scope.role ?? 'admin' });
      process.stderr.write(`API key ${created.id} (${input.values.name.trim()}, ${label}) created; it is shown only now\n`);
      return 0;
    }),
};

// The --tenant/--expires/--uses of commands that create enrollment tokens (token create, deploy), read and
// checked in one place: usage errors name the flag.
import { UsageError } from '../errors.js';
import { parseDuration } from '../config/duration.js';

export interface TokenGrant {
  tenant: string;
  ttlMs: number;
  uses: number;
}

export function tokenGrant(values: Record<string, unknown>, positionals: readonly string[], defaults: { expires: string; uses: number }): TokenGrant {
  const { tenant, expires, uses } = values;
  if (typeof tenant !== 'string' || !tenant) throw new UsageError('--tenant is required');
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const ttlMs = parseDuration(typeof expires === 'string' ? expires : defaults.expires);
  if (ttlMs <= 0) throw new UsageError('--expires must be longer than 0');
  const count = typeof uses === 'string' ? Number(uses) : defaults.uses;
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`--uses: expected a whole number >= 1, got "${String(uses)}"`);
  return { tenant, ttlMs, uses: count };
}

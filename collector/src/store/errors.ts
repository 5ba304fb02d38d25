// The store's catalogue of coded errors. Callers (CLI, HTTP handlers) switch on `code`, never on the message,
// to pick an exit status or an HTTP status; the message is for humans and may change.

export type StoreErrorCode =
  | 'invalid_id' // a tenant id that is not a lowercase slug
  | 'invalid_argument' // any other malformed input (empty name, uses < 1, expiry in the past, oversized field)
  | 'tenant_exists'
  | 'tenant_unknown'
  | 'token_unknown'
  | 'agent_unknown'
  | 'api_key_unknown'
  | 'not_found' // a ticket (or its SLA clock) that does not exist
  | 'conflict' // a write the current state forbids: a second unresolved ticket for the same (tenant, agent, rule)
  | 'schema_too_new' // the database was migrated by a newer collector; refusing to run on it
  | 'unavailable'; // the database cannot be reached or answer now (PostgreSQL down, a lock held too long): try again later

export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}

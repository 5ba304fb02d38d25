// The state store's schema history. Each entry is applied once, in order, and its 1-based position is its
// version number in `schema_migrations`. A shipped migration is never edited or removed (databases in the
// field have already run it); a schema change is a new entry appended at the end.
//
// Conventions: times are unix milliseconds (INTEGER); secrets are stored only as 32-byte SHA-256 hashes (BLOB);
// ids are TEXT chosen by the application.

export const MIGRATIONS: readonly string[] = [
  // 1: tenants, enrollment tokens, agents.
  `
  CREATE TABLE tenants (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE enrollment_tokens (
    id           TEXT PRIMARY KEY,
    tenant       TEXT NOT NULL REFERENCES tenants(id),
    secret_hash  BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    max_uses     INTEGER NOT NULL CHECK (max_uses >= 1),
    uses_left    INTEGER NOT NULL CHECK (uses_left >= 0 AND uses_left <= max_uses),
    revoked_at   INTEGER,
    last_used_at INTEGER,
    last_used_by TEXT
  ) STRICT;
  CREATE INDEX enrollment_tokens_tenant ON enrollment_tokens(tenant);

  CREATE TABLE agents (
    id             TEXT PRIMARY KEY,
    tenant         TEXT NOT NULL REFERENCES tenants(id),
    secret_hash    BLOB NOT NULL,
    hostname       TEXT NOT NULL,
    os             TEXT NOT NULL,
    arch           TEXT NOT NULL,
    agent_version  TEXT NOT NULL,
    token_id       TEXT REFERENCES enrollment_tokens(id),
    enrolled_at    INTEGER NOT NULL,
    last_seen_at   INTEGER,
    last_acked_seq INTEGER NOT NULL DEFAULT 0,
    revoked_at     INTEGER
  ) STRICT;
  CREATE INDEX agents_tenant ON agents(tenant);
  `,
  // 2: a log of agent revocations, so a running collector learns of a revocation made by another process (the
  // CLI) with one indexed query per poll: `seq` grows in commit order (writers are serialized), so "seq > last
  // seen" misses nothing, which a timestamp cannot promise (a revocation stamped before a poll may commit after
  // it). Admin API keys, stored as SHA-256 like every other secret.
  `
  CREATE TABLE agent_revocations (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id   TEXT NOT NULL REFERENCES agents(id),
    revoked_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    secret_hash BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
  ) STRICT;
  `,
  // 3: each agent's latest OS identity from its `inventory` point, so GET /api/v1/agents can show the support
  // status after a collector restart. The status itself is not stored: it is computed from this and the
  // lifecycle table when asked, so an updated table applies at once.
  `
  CREATE TABLE agent_os (
    agent_id    TEXT PRIMARY KEY REFERENCES agents(id),
    identity    TEXT NOT NULL,
    observed_at INTEGER NOT NULL
  ) STRICT;
  `,
];

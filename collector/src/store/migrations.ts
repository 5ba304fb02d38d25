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
  // 4: alerting. Alert states (the state machine's JSON, opaque here) survive a restart. Tickets with their SLA
  // clocks and event log: the partial unique index on the key of unresolved tickets is what makes a duplicate
  // open ticket impossible, whichever process or collector tries. Maintenance windows and silences, with a change
  // counter kept by triggers so a collector can cache them and notice any write (the CLI's too) with one read.
  `
  CREATE TABLE alert_states (
    rule_id    TEXT NOT NULL,
    tenant     TEXT NOT NULL,
    host       TEXT NOT NULL,
    instance   TEXT NOT NULL,
    state      TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (rule_id, tenant, host, instance)
  ) STRICT;
  CREATE INDEX alert_states_host ON alert_states(tenant, host);

  CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant          TEXT NOT NULL REFERENCES tenants(id),
    host            TEXT NOT NULL,
    agent_id        TEXT NOT NULL,
    rule_id         TEXT NOT NULL,
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    priority        TEXT NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    urgency         TEXT NOT NULL CHECK (urgency IN ('high', 'medium', 'low')),
    impact          TEXT NOT NULL CHECK (impact IN ('high', 'medium', 'low')),
    sla_profile     TEXT NOT NULL,
    opened_at       INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by TEXT,
    plan_at         INTEGER,
    plan_by         TEXT,
    resolved_at     INTEGER,
    resolved_by     TEXT,
    reopen_count    INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE UNIQUE INDEX tickets_one_unresolved ON tickets(tenant, host, rule_id) WHERE status != 'resolved';
  CREATE INDEX tickets_key ON tickets(tenant, host, rule_id, id);
  CREATE INDEX tickets_status ON tickets(status, id);

  CREATE TABLE ticket_sla (
    ticket_id     INTEGER NOT NULL REFERENCES tickets(id),
    target        TEXT NOT NULL CHECK (target IN ('respond', 'plan', 'resolve')),
    started_at    INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,
    warn_at       INTEGER NOT NULL,
    met_at        INTEGER,
    approached_at INTEGER,
    breached_at   INTEGER,
    PRIMARY KEY (ticket_id, target)
  ) STRICT;

  CREATE TABLE ticket_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    at        INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    detail    TEXT NOT NULL,
    data      TEXT
  ) STRICT;
  CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);

  CREATE TABLE maintenance_windows (
    id          TEXT PRIMARY KEY,
    tenant      TEXT NOT NULL REFERENCES tenants(id),
    site        TEXT,
    host        TEXT,
    reason      TEXT NOT NULL,
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER,
    cron        TEXT,
    duration_ms INTEGER,
    timezone    TEXT,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    deleted_at  INTEGER,
    CHECK ((cron IS NULL AND duration_ms IS NULL AND timezone IS NULL AND ends_at IS NOT NULL)
        OR (cron IS NOT NULL AND duration_ms IS NOT NULL AND timezone IS NOT NULL))
  ) STRICT;
  CREATE INDEX maintenance_windows_tenant ON maintenance_windows(tenant);

  CREATE TABLE silences (
    id         TEXT PRIMARY KEY,
    tenant     TEXT NOT NULL REFERENCES tenants(id),
    host       TEXT,
    rule_id    TEXT,
    starts_at  INTEGER NOT NULL,
    ends_at    INTEGER NOT NULL,
    comment    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    expired_at INTEGER
  ) STRICT;
  CREATE INDEX silences_tenant ON silences(tenant);

  CREATE TABLE maintenance_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
  ) STRICT;
  INSERT INTO maintenance_version (id, version) VALUES (1, 0);
  CREATE TRIGGER maintenance_windows_insert AFTER INSERT ON maintenance_windows
    BEGIN UPDATE maintenance_version SET version = version + 1; END;
  CREATE TRIGGER maintenance_windows_update AFTER UPDATE ON maintenance_windows
    BEGIN UPDATE maintenance_version SET version = version + 1; END;
  CREATE TRIGGER maintenance_windows_delete AFTER DELETE ON maintenance_windows
    BEGIN UPDATE maintenance_version SET version = version + 1; END;
  CREATE TRIGGER silences_insert AFTER INSERT ON silences
    BEGIN UPDATE maintenance_version SET version = version + 1; END;
  CREATE TRIGGER silences_update AFTER UPDATE ON silences
    BEGIN UPDATE maintenance_version SET version = version + 1; END;
  CREATE TRIGGER silences_delete AFTER DELETE ON silences
    BEGIN UPDATE maintenance_version SET version = version + 1; END;
  `,
  // 5: alert and ticket points waiting for InfluxDB, written in the same transaction as the transition they
  // describe, so neither a collector restart nor an InfluxDB outage loses one (see store/influx-outbox.ts).
  `
  CREATE TABLE influx_outbox (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    line TEXT NOT NULL
  ) STRICT;
  `,
  // 6: the service-desk outbox: every ticket event to deliver, per desk, queued in the transaction that changed
  // the ticket; and each ticket's id in each desk. Delivered and dead rows stay (history, dead-letter list).
  `
  CREATE TABLE desk_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    desk            TEXT NOT NULL,
    ticket_id       INTEGER NOT NULL REFERENCES tickets(id),
    kind            TEXT NOT NULL,
    at              INTEGER NOT NULL,
    detail          TEXT NOT NULL,
    ticket          TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    finished_at     INTEGER
  ) STRICT;
  CREATE INDEX desk_outbox_pending ON desk_outbox(desk, ticket_id, id) WHERE state = 'pending';
  CREATE INDEX desk_outbox_state ON desk_outbox(state, id);

  CREATE TABLE desk_tickets (
    desk       TEXT NOT NULL,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
    remote_id  TEXT NOT NULL,
    remote_url TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (desk, ticket_id)
  ) STRICT;
  `,
];

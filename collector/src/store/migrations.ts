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
  // 7: alerts and tickets belong to the enrolled agent, not to its hostname (a hostname can be renamed, or move to
  // a new machine once the old agent is revoked). alert_states is keyed by (rule, tenant, agent, instance) and
  // keeps the host only for display; the one-unresolved-ticket index moves from (tenant, host, rule) to (tenant,
  // agent_id, rule) (tickets have always recorded the agent that opened them). Existing rows, deliberately:
  // 1. An alert state takes the agent of the unresolved ticket of its (tenant, host, rule), so a firing alert
  //    stays with the ticket it drives; else the one live (not revoked) agent of the tenant with that hostname;
  //    else the one agent, revoked or not, with it. A state that matches no agent, or several alike (two live
  //    agents that said the same name), is dropped: a guess could update or resolve another machine's ticket,
  //    while a dropped state only starts again (a condition that still holds fires again after its \`for\` and
  //    finds its agent's open ticket). A ticketed state always has its ticket's agent, so none of those is lost.
  // 2. States that now share a key (an agent that reported under two names) keep the one under the agent's
  //    current name, else the most recently updated; every state shows its agent's current name.
  // 3. Unresolved tickets that now share a key (one agent and rule under two names) keep the one under the
  //    agent's current name, else the newest; each other is resolved by 'watchpost' with an event naming the
  //    ticket that carries on. A migration cannot queue service-desk events: the desks hear nothing of it.
  `
  ALTER TABLE alert_states RENAME TO alert_states_by_host;
  DROP INDEX alert_states_host;
  CREATE TABLE alert_states (
    rule_id    TEXT NOT NULL,
    tenant     TEXT NOT NULL,
    agent_id   TEXT NOT NULL,
    instance   TEXT NOT NULL,
    host       TEXT NOT NULL,
    state      TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (rule_id, tenant, agent_id, instance)
  ) STRICT;
  CREATE INDEX alert_states_agent ON alert_states(tenant, agent_id);
  INSERT INTO alert_states (rule_id, tenant, agent_id, instance, host, state, updated_at)
    SELECT rule_id, tenant, agent_id, instance, coalesce((SELECT a.hostname FROM agents a WHERE a.id = agent_id), host), state, updated_at
    FROM (
      SELECT s.*, row_number() OVER (PARTITION BY s.rule_id, s.tenant, s.agent_id, s.instance
          ORDER BY coalesce(s.host = (SELECT a.hostname FROM agents a WHERE a.id = s.agent_id), 0) DESC, s.updated_at DESC) AS rank
      FROM (
        SELECT o.*, coalesce(
          (SELECT t.agent_id FROM tickets t WHERE t.tenant = o.tenant AND t.host = o.host AND t.rule_id = o.rule_id AND t.status != 'resolved'),
          (SELECT min(a.id) FROM agents a WHERE a.tenant = o.tenant AND a.hostname = o.host AND a.revoked_at IS NULL HAVING count(*) = 1),
          (SELECT min(a.id) FROM agents a WHERE a.tenant = o.tenant AND a.hostname = o.host HAVING count(*) = 1)
        ) AS agent_id
        FROM alert_states_by_host o
      ) s
      WHERE s.agent_id IS NOT NULL
    )
    WHERE rank = 1;
  DROP TABLE alert_states_by_host;

  CREATE TEMP TABLE ticket_key_duplicates AS
    SELECT id, first_value(id) OVER w AS kept, row_number() OVER w AS rank, CAST(unixepoch('subsec') * 1000 AS INTEGER) AS at
    FROM tickets t
    WHERE status != 'resolved'
    WINDOW w AS (PARTITION BY tenant, agent_id, rule_id
      ORDER BY coalesce(host = (SELECT a.hostname FROM agents a WHERE a.id = t.agent_id), 0) DESC, id DESC);
  INSERT INTO ticket_events (ticket_id, at, kind, detail, data)
    SELECT id, at, 'resolved',
      'resolved on upgrade: ticket ' || kept || ' carries on for the same agent and rule', json_object('keptTicketId', kept)
    FROM ticket_key_duplicates WHERE rank > 1;
  UPDATE tickets SET status = 'resolved', resolved_at = d.at, resolved_by = 'watchpost', updated_at = d.at
    FROM ticket_key_duplicates d WHERE d.id = tickets.id AND d.rank > 1;
  DROP TABLE ticket_key_duplicates;

  DROP INDEX tickets_one_unresolved;
  CREATE UNIQUE INDEX tickets_one_unresolved ON tickets(tenant, agent_id, rule_id) WHERE status != 'resolved';
  DROP INDEX tickets_key;
  CREATE INDEX tickets_agent_key ON tickets(tenant, agent_id, rule_id, id);
  CREATE INDEX tickets_host ON tickets(tenant, host, id);
  `,
  // 8: a hostname is bound at enrollment and unique per tenant among agents that are not revoked, compared
  // without regard to case (store/agents.ts, store/identity.ts). hostname_key is that comparison form, computed by the
  // application (SQLite's lower() folds ASCII only): rows from before are filled in when the store opens. The
  // index is not UNIQUE because databases in the field may already hold two live agents of one name; the enroll
  // and rename transactions check it instead. reported_hostname is what the agent last said at Hello when that
  // differs from its bound name (NULL when it agrees), so an admin sees the mismatch.
  `
  ALTER TABLE agents ADD COLUMN hostname_key TEXT;
  ALTER TABLE agents ADD COLUMN reported_hostname TEXT;
  CREATE INDEX agents_live_hostname ON agents(tenant, hostname_key) WHERE revoked_at IS NULL;
  `,
  // 9: API key scopes. role 'admin' reaches every tenant (what every key did before, so existing keys become
  // admin keys); 'read' and 'operate' keys belong to one tenant. The name, already there, is the person or system
  // that holds the key and is shown as who acted.
  `
  ALTER TABLE api_keys ADD COLUMN role TEXT NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'read', 'operate'));
  ALTER TABLE api_keys ADD COLUMN tenant TEXT REFERENCES tenants(id) CHECK ((tenant IS NULL) = (role = 'admin'));
  `,
  // 10: a service desk's push names its own ticket id; the ticket it belongs to is found through this index.
  `
  CREATE INDEX desk_tickets_remote ON desk_tickets(desk, remote_id);
  `,
  // 11: a dead desk delivery holds its ticket's later events for that desk (store/desk-outbox.ts); each pass asks,
  // per ticket at the head of a queue, whether an older dead row exists. This index of the dead rows answers that
  // with one seek, however long the dead list and the delivered history.
  `
  CREATE INDEX desk_outbox_dead ON desk_outbox(desk, ticket_id, id) WHERE state = 'dead';
  `,
  // 12: each agent's link as the serving collector records it, so another process (the CLI) shows live state.
  // connected_at is set at Hello and cleared at disconnect; while the agent is connected the collector rewrites
  // last_seen_at (its latest frame or pong), last_batch_at, last_ack_at, last_acked_seq and the spool depth the agent
  // reports in its `agent` point once per heartbeat (agent-link/agent-socket.ts), so a connected_at whose last_seen_at
  // went stale is a collector that stopped without recording the disconnect (store/agents.ts: recordedOnline).
  `
  ALTER TABLE agents ADD COLUMN connected_at INTEGER;
  ALTER TABLE agents ADD COLUMN last_batch_at INTEGER;
  ALTER TABLE agents ADD COLUMN last_ack_at INTEGER;
  ALTER TABLE agents ADD COLUMN spool_batches INTEGER;
  ALTER TABLE agents ADD COLUMN spool_bytes INTEGER;
  ALTER TABLE agents ADD COLUMN spool_reported_at INTEGER;
  `,
  // 13: a removed tenant keeps its row, marked with removed_at: its agents, tokens, keys and tickets reference it, and
  // its ticket history is the MSP's record of the contract (commands/tenant-remove.ts). Its id is never reused.
  `
  ALTER TABLE tenants ADD COLUMN removed_at INTEGER;
  `,
  // 14: a dead desk delivery may be discarded (the desk will never take it, and it holds its ticket's later events):
  // the state 'discarded' joins the CHECK, which SQLite can only change by rebuilding the table. Ids, history and
  // the AUTOINCREMENT sequence are kept; the three indexes are made again.
  `
  CREATE TABLE desk_outbox_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    desk            TEXT NOT NULL,
    ticket_id       INTEGER NOT NULL REFERENCES tickets(id),
    kind            TEXT NOT NULL,
    at              INTEGER NOT NULL,
    detail          TEXT NOT NULL,
    ticket          TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead', 'discarded')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    finished_at     INTEGER
  ) STRICT;
  INSERT INTO desk_outbox_new SELECT id, desk, ticket_id, kind, at, detail, ticket, state, attempts, next_attempt_at, last_error, finished_at FROM desk_outbox;
  DROP TABLE desk_outbox;
  ALTER TABLE desk_outbox_new RENAME TO desk_outbox;
  CREATE INDEX desk_outbox_pending ON desk_outbox(desk, ticket_id, id) WHERE state = 'pending';
  CREATE INDEX desk_outbox_state ON desk_outbox(state, id);
  CREATE INDEX desk_outbox_dead ON desk_outbox(desk, ticket_id, id) WHERE state = 'dead';
  `,
  // 15: minimum-standard verdicts (store/compliance.ts): the current verdict of each (tenant, agent, standard) and
  // since when; the latest point of each series the standards read, so a restart evaluates on what it knew; and the
  // first time each security or critical update was seen pending on an agent, which ages it.
  `
  CREATE TABLE compliance_states (
    tenant       TEXT NOT NULL,
    agent_id     TEXT NOT NULL,
    host         TEXT NOT NULL,
    standard     TEXT NOT NULL,
    verdict      TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'unknown')),
    reason       TEXT NOT NULL,
    evidence     TEXT,
    since        INTEGER NOT NULL,
    evaluated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, agent_id, standard)
  ) STRICT;
  CREATE TABLE compliance_points (
    agent_id TEXT NOT NULL,
    tenant   TEXT NOT NULL,
    host     TEXT NOT NULL,
    series   TEXT NOT NULL,
    time     INTEGER NOT NULL,
    point    TEXT NOT NULL,
    PRIMARY KEY (agent_id, series)
  ) STRICT;
  CREATE TABLE compliance_pending (
    agent_id   TEXT NOT NULL,
    update_key TEXT NOT NULL,
    title      TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (agent_id, update_key)
  ) STRICT;
  `,
  // 16: each agent's connection history (store/sessions.ts): one row per admitted link, open (disconnected_at NULL)
  // until it closes; at most one open per agent. agent_session_history holds when the collector began recording, so a
  // reader tells "not connected" from "not yet recorded".
  `
  CREATE TABLE agent_sessions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id        TEXT NOT NULL REFERENCES agents(id),
    tenant          TEXT NOT NULL,
    connected_at    INTEGER NOT NULL,
    disconnected_at INTEGER,
    end_reason      TEXT CHECK (end_reason IN ('disconnect', 'replaced', 'restart')),
    CHECK ((disconnected_at IS NULL) = (end_reason IS NULL)),
    CHECK (disconnected_at IS NULL OR disconnected_at >= connected_at)
  ) STRICT;
  CREATE UNIQUE INDEX agent_sessions_open ON agent_sessions(agent_id) WHERE disconnected_at IS NULL;
  CREATE INDEX agent_sessions_agent ON agent_sessions(agent_id, connected_at);
  CREATE INDEX agent_sessions_ended ON agent_sessions(disconnected_at);
  CREATE TABLE agent_session_history (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    started_at INTEGER NOT NULL
  ) STRICT;
  `,
  // 17: the monthly report's deliveries by email (store/report-deliveries.ts): one row per (tenant, month), so a
  // report is mailed once however often the collector restarts; a pending row is leased by the sender trying it.
  `
  CREATE TABLE report_deliveries (
    tenant          TEXT NOT NULL,
    month           TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL,
    last_error      TEXT,
    next_attempt_at INTEGER NOT NULL,
    sent_at         INTEGER,
    message_id      TEXT,
    recipients      TEXT NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (tenant, month)
  ) STRICT;
  `,
  // 18: minimum-standard exceptions (store/compliance-waivers.ts): a waiver of one standard for one agent (with its
  // hostname as it was then) or for the whole tenant (agent_id NULL), its reason, who agreed it and until when. A
  // revoke records who and when; no row is ever deleted (the monthly report asks which were in force). A state
  // names the waiver that covers it (waiver_id). compliance_tickets keeps, per agent, the failing standards its
  // compliance ticket was last told of, so a restart notes no change that did not happen.
  `
  CREATE TABLE compliance_waivers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant     TEXT NOT NULL REFERENCES tenants(id),
    agent_id   TEXT REFERENCES agents(id),
    host       TEXT,
    standard   TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL CHECK (expires_at > created_at),
    revoked_at INTEGER,
    revoked_by TEXT,
    CHECK ((agent_id IS NULL) = (host IS NULL)),
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
  ) STRICT;
  CREATE INDEX compliance_waivers_tenant ON compliance_waivers(tenant, expires_at);
  ALTER TABLE compliance_states ADD COLUMN waiver_id INTEGER REFERENCES compliance_waivers(id);
  CREATE TABLE compliance_tickets (
    agent_id  TEXT PRIMARY KEY,
    tenant    TEXT NOT NULL,
    standards TEXT NOT NULL
  ) STRICT;
  `,
  // 19: antivirus actions (store/av-actions.ts): each request the collector made of an agent (Defender's signature
  // update or quick scan), who asked, when it was sent and what the agent reported; and each agent's latest Defender
  // status from its antivirus runs (which hosts the actions apply to, also for the CLI in another process).
  `
  CREATE TABLE av_actions (
    id                TEXT PRIMARY KEY,
    tenant            TEXT NOT NULL REFERENCES tenants(id),
    agent_id          TEXT NOT NULL REFERENCES agents(id),
    host              TEXT NOT NULL,
    action            TEXT NOT NULL CHECK (action IN ('signature_update', 'quick_scan')),
    origin            TEXT NOT NULL CHECK (origin IN ('schedule', 'person', 'definitions_age')),
    by_name           TEXT,
    asked_at          INTEGER NOT NULL,
    deliver_by        INTEGER NOT NULL,
    sent_at           INTEGER,
    answer_by         INTEGER,
    status            TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'succeeded', 'failed', 'expired', 'unanswered')),
    answered_at       INTEGER,
    code              INTEGER,
    detail            TEXT,
    signature_version TEXT,
    signature_updated INTEGER,
    quick_scan_end    INTEGER,
    CHECK ((origin = 'person') = (by_name IS NOT NULL))
  ) STRICT;
  CREATE INDEX av_actions_tenant ON av_actions(tenant, asked_at);
  CREATE INDEX av_actions_agent ON av_actions(agent_id, origin, asked_at);
  CREATE INDEX av_actions_open ON av_actions(status) WHERE status IN ('queued', 'sent');
  CREATE TABLE av_defender (
    agent_id          TEXT PRIMARY KEY REFERENCES agents(id),
    tenant            TEXT NOT NULL,
    state             TEXT NOT NULL,
    signature_updated INTEGER,
    seen_at           INTEGER NOT NULL
  ) STRICT;
  `,
  // 20: patch management (store/patches.ts): the updates each agent lists pending (one row per agent and update key,
  // kept with gone_at once the latest run no longer lists it), the first sighting of each update version in the
  // tenant (deferrals count from it), people's approvals and declines (history: the latest for a ring is in force),
  // the plans offered to agents and the results and runs the agents report for them.
  `
  CREATE TABLE patch_pending (
    agent_id   TEXT NOT NULL,
    tenant     TEXT NOT NULL,
    host       TEXT NOT NULL,
    update_key TEXT NOT NULL,
    manager    TEXT NOT NULL,
    install_id TEXT NOT NULL,
    title      TEXT NOT NULL,
    kb         TEXT,
    package    TEXT,
    version    TEXT NOT NULL,
    security   INTEGER NOT NULL,
    critical   INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    gone_at    INTEGER,
    PRIMARY KEY (agent_id, update_key)
  ) STRICT;
  CREATE INDEX patch_pending_tenant ON patch_pending(tenant, update_key);
  CREATE TABLE patch_sightings (
    tenant     TEXT NOT NULL,
    update_key TEXT NOT NULL,
    version    TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    PRIMARY KEY (tenant, update_key, version)
  ) STRICT;
  CREATE TABLE patch_decisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant     TEXT NOT NULL REFERENCES tenants(id),
    update_key TEXT NOT NULL,
    ring       TEXT,
    decision   TEXT NOT NULL CHECK (decision IN ('approve', 'decline')),
    reason     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX patch_decisions_key ON patch_decisions(tenant, update_key);
  CREATE TABLE patch_plans (
    plan_id          TEXT PRIMARY KEY,
    agent_id         TEXT NOT NULL,
    tenant           TEXT NOT NULL,
    host             TEXT NOT NULL,
    ring             TEXT NOT NULL,
    window_start     INTEGER NOT NULL,
    window_end       INTEGER NOT NULL CHECK (window_end > window_start),
    items            TEXT NOT NULL,
    first_offered_at INTEGER NOT NULL,
    offered_at       INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX patch_plans_agent ON patch_plans(agent_id, window_start);
  CREATE INDEX patch_plans_tenant ON patch_plans(tenant, window_start);
  CREATE TABLE patch_results (
    agent_id   TEXT NOT NULL,
    tenant     TEXT NOT NULL,
    host       TEXT NOT NULL,
    plan_id    TEXT NOT NULL,
    manager    TEXT NOT NULL,
    install_id TEXT NOT NULL,
    title      TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    code       INTEGER,
    detail     TEXT,
    at         INTEGER NOT NULL,
    PRIMARY KEY (agent_id, plan_id, manager, install_id)
  ) STRICT;
  CREATE INDEX patch_results_item ON patch_results(agent_id, manager, install_id, at);
  CREATE INDEX patch_results_tenant ON patch_results(tenant, at);
  CREATE TABLE patch_runs (
    agent_id        TEXT NOT NULL,
    tenant          TEXT NOT NULL,
    host            TEXT NOT NULL,
    plan_id         TEXT NOT NULL,
    window_start    INTEGER NOT NULL,
    window_end      INTEGER NOT NULL,
    approved        INTEGER NOT NULL,
    installed       INTEGER NOT NULL,
    failed          INTEGER NOT NULL,
    not_applicable  INTEGER NOT NULL,
    not_started     INTEGER NOT NULL,
    reboot_required INTEGER NOT NULL,
    rebooted        INTEGER NOT NULL,
    at              INTEGER NOT NULL,
    PRIMARY KEY (agent_id, plan_id)
  ) STRICT;
  CREATE INDEX patch_runs_tenant ON patch_runs(tenant, at);
  `,
  // 21: several collectors on one database. Each serving process registers itself and says it is alive; a session
  // records which collector holds the link, so a collector that died leaves open sessions the others can end.
  `
  CREATE TABLE collectors (
    id         TEXT PRIMARY KEY,
    hostname   TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL,
    stopped_at INTEGER
  ) STRICT;
  ALTER TABLE agent_sessions ADD COLUMN collector TEXT;
  CREATE INDEX agent_sessions_collector ON agent_sessions(collector) WHERE disconnected_at IS NULL;
  `,
  // 22: the outboxes are dispatched by every collector sharing the store: a row being sent is claimed (claimed_by: the
  // claim's token, lease_until: when the claim lapses and the row may be taken again), so two collectors never send
  // the same row and one killed mid-delivery leaves nothing stuck (store/desk-outbox.ts, store/influx-outbox.ts).
  `
  ALTER TABLE desk_outbox ADD COLUMN claimed_by TEXT;
  ALTER TABLE desk_outbox ADD COLUMN lease_until INTEGER;
  ALTER TABLE influx_outbox ADD COLUMN claimed_by TEXT;
  ALTER TABLE influx_outbox ADD COLUMN lease_until INTEGER;
  `,
];

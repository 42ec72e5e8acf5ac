//! The database schema and its migrations.
//!
//! Times are INTEGER milliseconds since the Unix epoch, UTC. Tables are STRICT
//! so a hand-edited file cannot smuggle text into a time column.

/// `PRAGMA application_id` of every warroom database ("WRRM").
pub const APPLICATION_ID: i32 = 0x5752_524D;

/// One step of the schema: SQL, then (rarely) a computation over the rows
/// that SQL cannot do, in the same transaction.
pub struct Migration {
    pub sql: &'static str,
    pub then: Option<fn(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>>,
}

const fn sql(sql: &'static str) -> Migration {
    Migration { sql, then: None }
}

/// Migrations in order; migration `n` (1-based) brings `user_version` to `n`.
/// Never edit a released migration: append a new one.
pub const MIGRATIONS: &[Migration] = &[
    // 1: incidents, the append-only event log, checklist state.
    sql(r#"
    CREATE TABLE incidents (
        id              INTEGER PRIMARY KEY,
        uuid            TEXT NOT NULL UNIQUE,
        title           TEXT NOT NULL,
        severity        TEXT NOT NULL CHECK (severity IN ('P0', 'P1', 'P2', 'P3')),
        started_at      INTEGER,
        detected_at     INTEGER,
        declared_at     INTEGER NOT NULL,
        acknowledged_at INTEGER,
        mitigated_at    INTEGER,
        resolved_at     INTEGER,
        closed_at       INTEGER,
        declared_by     TEXT NOT NULL,
        runbook_name    TEXT NOT NULL,
        -- The runbook text as declared, so every responder sees one checklist.
        runbook_text    TEXT NOT NULL,
        version         INTEGER NOT NULL DEFAULT 1
    ) STRICT;

    -- Every change is an event; the id is the position in the shared log.
    CREATE TABLE events (
        id          INTEGER PRIMARY KEY,
        uuid        TEXT NOT NULL UNIQUE,
        incident_id INTEGER NOT NULL REFERENCES incidents (id),
        kind        TEXT NOT NULL,
        occurred_at INTEGER NOT NULL,
        recorded_at INTEGER NOT NULL,
        author      TEXT NOT NULL,
        text        TEXT NOT NULL,
        pinned      INTEGER NOT NULL DEFAULT 0,
        -- Structured detail of a change, as JSON (e.g. a checklist item's key).
        data        TEXT
    ) STRICT;
    CREATE INDEX events_by_incident ON events (incident_id, id);

    -- Current state of each checklist item, updated with the event that changes it.
    CREATE TABLE checklist_items (
        incident_id INTEGER NOT NULL REFERENCES incidents (id),
        key         TEXT NOT NULL,
        position    INTEGER NOT NULL,
        section     TEXT NOT NULL,
        name        TEXT NOT NULL,
        description TEXT NOT NULL,
        state       TEXT NOT NULL DEFAULT 'open'
                    CHECK (state IN ('open', 'done', 'not_applicable')),
        changed_by  TEXT,
        changed_at  INTEGER,
        version     INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (incident_id, key)
    ) STRICT;
    "#),
    // 2: who is attached right now (not part of the incident record).
    sql(r#"
    CREATE TABLE presence (
        session     TEXT PRIMARY KEY,
        account     TEXT NOT NULL,
        terminal    TEXT NOT NULL,
        incident_id INTEGER,
        since       INTEGER NOT NULL,
        seen_at     INTEGER NOT NULL
    ) STRICT;
    "#),
    // 3: incident command: the current phase, severity re-timing, snoozes,
    // shared timers and role holders.
    sql(r#"
    ALTER TABLE incidents ADD COLUMN phase INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE incidents ADD COLUMN severity_changed_at INTEGER;
    ALTER TABLE incidents ADD COLUMN update_snoozed_at INTEGER;
    ALTER TABLE incidents ADD COLUMN update_snoozed_until INTEGER;

    CREATE TABLE timers (
        id          INTEGER PRIMARY KEY,
        uuid        TEXT NOT NULL UNIQUE,
        incident_id INTEGER NOT NULL REFERENCES incidents (id),
        label       TEXT NOT NULL,
        deadline    INTEGER NOT NULL,
        started_by  TEXT NOT NULL,
        started_at  INTEGER NOT NULL,
        state       TEXT NOT NULL DEFAULT 'running'
                    CHECK (state IN ('running', 'done', 'cancelled'))
    ) STRICT;

    CREATE TABLE roles (
        incident_id INTEGER NOT NULL REFERENCES incidents (id),
        role        TEXT NOT NULL,
        name        TEXT NOT NULL,
        account     TEXT NOT NULL,
        since       INTEGER NOT NULL,
        PRIMARY KEY (incident_id, role)
    ) STRICT;
    "#),
    // 4: after the incident: the post-mortem and action items.
    sql(r#"
    ALTER TABLE incidents ADD COLUMN postmortem_done_at INTEGER;

    CREATE TABLE action_items (
        id          INTEGER PRIMARY KEY,
        uuid        TEXT NOT NULL UNIQUE,
        incident_id INTEGER NOT NULL REFERENCES incidents (id),
        text        TEXT NOT NULL,
        owner       TEXT,
        due_at      INTEGER,
        created_by  TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        done_by     TEXT,
        done_at     INTEGER
    ) STRICT;
    "#),
    // 5: the tamper-evident chain over the event log, and the database's own
    // identity (so an account notices when the file at a path is another one).
    Migration {
        sql: r#"
        ALTER TABLE events ADD COLUMN chain BLOB;
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) STRICT;
        INSERT INTO meta (key, value) VALUES ('database_id', lower(hex(randomblob(16))));
        "#,
        then: Some(super::chain::backfill),
    },
    // 6: pins made after an entry was written. The event row is never
    // changed (the chain covers it): the latest pin of an entry is kept
    // here, updated with the pin event that records it.
    sql(r#"
    CREATE TABLE pins (
        incident_id INTEGER NOT NULL REFERENCES incidents (id),
        event_id    INTEGER NOT NULL REFERENCES events (id),
        pinned      INTEGER NOT NULL CHECK (pinned IN (0, 1)),
        changed_by  TEXT NOT NULL,
        changed_at  INTEGER NOT NULL,
        PRIMARY KEY (incident_id, event_id)
    ) STRICT;
    "#),
];

/// The schema version this binary writes and understands.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}

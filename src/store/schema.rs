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
    pub(crate) then: Option<fn(&super::sql::Tx<'_>) -> super::Result<()>>,
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
    // 7: where each entry was written and each console runs (the host's
    // name), for war rooms whose responders are on several hosts.
    sql(r#"
    ALTER TABLE events ADD COLUMN host TEXT;
    ALTER TABLE presence ADD COLUMN host TEXT;
    "#),
    // 8: the timeline in the order things happened, so a long one is read a
    // page at a time (after the last entry read) instead of sorted whole.
    sql(r#"
    CREATE INDEX IF NOT EXISTS events_by_time ON events (incident_id, occurred_at, id);
    "#),
    // 9: search by index (`/` in the console): an FTS5 index over each
    // entry's text and author, reading them from `events` (external
    // content, so nothing is stored twice). Events are only ever added, so
    // one trigger keeps it whole; entries written before are indexed here.
    // A member can write this index with the file itself: every search
    // joins back to `events`, so it never shows what is not there.
    sql(r#"
    CREATE VIRTUAL TABLE events_search USING fts5 (
        text, author, content = 'events', content_rowid = 'id', columnsize = 0
    );
    CREATE TRIGGER events_search_add AFTER INSERT ON events BEGIN
        INSERT INTO events_search (rowid, text, author) VALUES (new.id, new.text, new.author);
    END;
    INSERT INTO events_search (events_search) VALUES ('rebuild');
    "#),
    // 10: what the console shows about a whole timeline without reading
    // it (issue #14): the latest entry of a kind (status updates), the
    // entries pinned when written (a partial index: few rows), and the
    // entry count kept by a trigger in the transaction of each append
    // (counting a million index entries took ~40 ms). Made so it can run
    // again on a file whose version was set back.
    sql(r#"
    CREATE INDEX IF NOT EXISTS events_by_kind ON events (incident_id, kind, occurred_at, id);
    CREATE INDEX IF NOT EXISTS events_pinned_at_write ON events (incident_id, occurred_at, id)
        WHERE pinned = 1;
    CREATE TABLE IF NOT EXISTS timeline_counts (
        incident_id INTEGER PRIMARY KEY REFERENCES incidents (id),
        entries     INTEGER NOT NULL
    ) STRICT;
    CREATE TRIGGER IF NOT EXISTS timeline_counts_add AFTER INSERT ON events BEGIN
        INSERT INTO timeline_counts (incident_id, entries) VALUES (new.incident_id, 1)
            ON CONFLICT (incident_id) DO UPDATE SET entries = entries + 1;
    END;
    INSERT INTO timeline_counts (incident_id, entries)
        SELECT incident_id, count(*) FROM events WHERE true GROUP BY incident_id
        ON CONFLICT (incident_id) DO UPDATE SET entries = excluded.entries;
    "#),
    // 11: drills (issue #15): an incident declared to practise on the real
    // tool, marked DRILL everywhere and kept out of the metrics. The
    // declaration's event says so too; this is its current state.
    Migration {
        sql: "",
        then: Some(add_drill_column),
    },
    // 12: evidence (`warroom run`, `note --file`, issue #15): the output
    // kept beside its event, so reading the timeline never reads it. Read
    // as untrusted: the event's data, under the chain, holds its size and
    // SHA-256.
    sql(r#"
    CREATE TABLE IF NOT EXISTS evidence_output (
        event_id    INTEGER PRIMARY KEY REFERENCES events (id),
        incident_id INTEGER NOT NULL REFERENCES incidents (id),
        output      BLOB NOT NULL
    ) STRICT;
    "#),
    // 13: who was there (issue #18). Each console's continuous attachment to
    // an incident, kept after it leaves (a row per stretch without a gap in
    // its heartbeats), the minutes in which it was active (keys typed: the
    // minute only, never the keys), and entries counted by author from an
    // index. Not part of the record: written by the heartbeat like presence,
    // validated when read.
    sql(r#"
    CREATE TABLE IF NOT EXISTS attendance (
        incident_id  INTEGER NOT NULL,
        session      TEXT NOT NULL,
        attached_at  INTEGER NOT NULL,
        account      TEXT NOT NULL,
        host         TEXT,
        terminal     TEXT NOT NULL,
        last_seen_at INTEGER NOT NULL,
        said_goodbye INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (incident_id, session, attached_at)
    ) STRICT;
    CREATE INDEX IF NOT EXISTS attendance_by_session ON attendance (session, last_seen_at);
    CREATE TABLE IF NOT EXISTS attendance_activity (
        incident_id INTEGER NOT NULL,
        session     TEXT NOT NULL,
        minute      INTEGER NOT NULL,
        PRIMARY KEY (incident_id, session, minute)
    ) STRICT;
    CREATE INDEX IF NOT EXISTS events_by_author ON events (incident_id, author, recorded_at);
    "#),
];

/// Migration 11. SQLite has no `ADD COLUMN IF NOT EXISTS`, and a file whose
/// version was set back already has the column: add it only when missing.
fn add_drill_column(tx: &super::sql::Tx<'_>) -> super::Result<()> {
    let present: i64 = tx
        .query_one(
            "SELECT count(*) FROM pragma_table_info('incidents') WHERE name = 'drill'",
            super::sql::params![],
        )?
        .get(0)?;
    if present == 0 {
        tx.batch(
            "ALTER TABLE incidents ADD COLUMN drill INTEGER NOT NULL DEFAULT 0 CHECK (drill IN (0, 1));",
        )?;
    }
    Ok(())
}

/// The schema version this binary writes and understands.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// The words of an entry on PostgreSQL, as indexed by migration 2 and
/// matched by every search (one text, so the two cannot drift apart; changing
/// it needs a new migration with a new index). ASCII punctuation becomes
/// spaces first, so words split where SQLite's FTS5 (`unicode61`) splits
/// them: the server's own parser would keep `eu-west-1.example.com` or a
/// path as one token, and a search for `example` would miss it.
// (The backslash is `chr(92)`: a backslash in a literal reads differently
// under `standard_conforming_strings = off`, and the index's expression and
// the search's must be the same.)
macro_rules! search_words {
    () => {
        r##"to_tsvector('pg_catalog.simple'::regconfig, translate(text || ' ' || author, '!"#$%&''()*+,-./:;<=>?@[]^_`{|}~' || chr(92), '                                '))"##
    };
}
pub(crate) use search_words;

/// The same schema on PostgreSQL, in its own `warroom` schema. Its versions
/// count separately from SQLite's (`warroom.meta`'s `schema_version`);
/// migration `n` (1-based) brings it to `n`. Integers are BIGINT (times in
/// milliseconds, flags 0/1) so one statement reads alike on both engines;
/// text that is sorted sorts by byte (`COLLATE "C"`), as SQLite does.
pub const POSTGRES_MIGRATIONS: &[&str] = &[
    r#"
    CREATE TABLE warroom.meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    -- Writers lock this (never the events themselves) so that ids become
    -- visible in order: no follower skips an id committed late.
    CREATE TABLE warroom.write_lock (id BIGINT PRIMARY KEY);

    CREATE TABLE warroom.incidents (
        id                   BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        uuid                 TEXT NOT NULL UNIQUE,
        title                TEXT NOT NULL,
        severity             TEXT NOT NULL CHECK (severity IN ('P0', 'P1', 'P2', 'P3')),
        started_at           BIGINT,
        detected_at          BIGINT,
        declared_at          BIGINT NOT NULL,
        acknowledged_at      BIGINT,
        mitigated_at         BIGINT,
        resolved_at          BIGINT,
        closed_at            BIGINT,
        declared_by          TEXT NOT NULL,
        runbook_name         TEXT NOT NULL,
        runbook_text         TEXT NOT NULL,
        version              BIGINT NOT NULL DEFAULT 1,
        phase                BIGINT NOT NULL DEFAULT 0,
        severity_changed_at  BIGINT,
        update_snoozed_at    BIGINT,
        update_snoozed_until BIGINT,
        postmortem_done_at   BIGINT
    );

    CREATE TABLE warroom.events (
        id          BIGINT PRIMARY KEY,
        uuid        TEXT NOT NULL UNIQUE,
        incident_id BIGINT NOT NULL REFERENCES warroom.incidents (id),
        kind        TEXT NOT NULL,
        occurred_at BIGINT NOT NULL,
        recorded_at BIGINT NOT NULL,
        author      TEXT NOT NULL,
        text        TEXT NOT NULL,
        pinned      BIGINT NOT NULL DEFAULT 0,
        data        TEXT,
        chain       BYTEA,
        -- Where the writer ran, as it says; and the database role it wrote
        -- as, as the server says (left out of the responders' column grant).
        host        TEXT,
        db_role     TEXT NOT NULL DEFAULT session_user
    );
    CREATE INDEX events_by_incident ON warroom.events (incident_id, id);

    CREATE TABLE warroom.checklist_items (
        incident_id BIGINT NOT NULL REFERENCES warroom.incidents (id),
        key         TEXT COLLATE "C" NOT NULL,
        position    BIGINT NOT NULL,
        section     TEXT NOT NULL,
        name        TEXT NOT NULL,
        description TEXT NOT NULL,
        state       TEXT NOT NULL DEFAULT 'open'
                    CHECK (state IN ('open', 'done', 'not_applicable')),
        changed_by  TEXT,
        changed_at  BIGINT,
        version     BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (incident_id, key)
    );

    CREATE TABLE warroom.presence (
        session     TEXT COLLATE "C" PRIMARY KEY,
        account     TEXT NOT NULL,
        terminal    TEXT NOT NULL,
        incident_id BIGINT,
        since       BIGINT NOT NULL,
        seen_at     BIGINT NOT NULL,
        host        TEXT,
        db_role     TEXT NOT NULL DEFAULT session_user
    );

    CREATE TABLE warroom.timers (
        id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        uuid        TEXT NOT NULL UNIQUE,
        incident_id BIGINT NOT NULL REFERENCES warroom.incidents (id),
        label       TEXT NOT NULL,
        deadline    BIGINT NOT NULL,
        started_by  TEXT NOT NULL,
        started_at  BIGINT NOT NULL,
        state       TEXT NOT NULL DEFAULT 'running'
                    CHECK (state IN ('running', 'done', 'cancelled'))
    );

    CREATE TABLE warroom.roles (
        incident_id BIGINT NOT NULL REFERENCES warroom.incidents (id),
        role        TEXT COLLATE "C" NOT NULL,
        name        TEXT NOT NULL,
        account     TEXT NOT NULL,
        since       BIGINT NOT NULL,
        PRIMARY KEY (incident_id, role)
    );

    CREATE TABLE warroom.action_items (
        id          BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        uuid        TEXT NOT NULL UNIQUE,
        incident_id BIGINT NOT NULL REFERENCES warroom.incidents (id),
        text        TEXT NOT NULL,
        owner       TEXT,
        due_at      BIGINT,
        created_by  TEXT NOT NULL,
        created_at  BIGINT NOT NULL,
        done_by     TEXT,
        done_at     BIGINT
    );

    CREATE TABLE warroom.pins (
        incident_id BIGINT NOT NULL REFERENCES warroom.incidents (id),
        event_id    BIGINT NOT NULL REFERENCES warroom.events (id),
        pinned      BIGINT NOT NULL CHECK (pinned IN (0, 1)),
        changed_by  TEXT NOT NULL,
        changed_at  BIGINT NOT NULL,
        PRIMARY KEY (incident_id, event_id)
    );

    -- A hint to every listening console; sent only if the write commits.
    CREATE FUNCTION warroom.notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('warroom', NEW.incident_id || ':' || NEW.id);
        RETURN NULL;
    END
    $$;
    CREATE TRIGGER events_notify AFTER INSERT ON warroom.events
        FOR EACH ROW EXECUTE FUNCTION warroom.notify_event();

    INSERT INTO warroom.meta (key, value) VALUES
        ('application', 'warroom'),
        ('database_id', md5(random()::text || clock_timestamp()::text));
"#,
    // 2: the timeline in the order things happened, read a page at a time.
    r#"
    CREATE INDEX IF NOT EXISTS events_by_time ON warroom.events (incident_id, occurred_at, id);
"#,
    // 3: search by index (`/` in the console): a GIN index over the words of
    // each entry's text and author; the search's condition repeats the
    // indexed expression exactly (`search_words!`), or the index is not used.
    concat!(
        "CREATE INDEX events_search ON warroom.events USING gin ((",
        search_words!(),
        "));"
    ),
    // 4: as SQLite's 10: the latest entry of a kind, entries pinned when
    // written, and the entry count kept by a trigger. The trigger's function
    // runs as the owner (SECURITY DEFINER), so responders need (and get) no
    // write on the count: it cannot be set by hand. Runs again cleanly on a
    // schema whose version was set back.
    r#"
    CREATE INDEX IF NOT EXISTS events_by_kind ON warroom.events (incident_id, kind, occurred_at, id);
    CREATE INDEX IF NOT EXISTS events_pinned_at_write ON warroom.events (incident_id, occurred_at, id)
        WHERE pinned = 1;
    CREATE TABLE IF NOT EXISTS warroom.timeline_counts (
        incident_id BIGINT PRIMARY KEY REFERENCES warroom.incidents (id),
        entries     BIGINT NOT NULL
    );
    CREATE OR REPLACE FUNCTION warroom.count_event() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    BEGIN
        INSERT INTO warroom.timeline_counts AS counts (incident_id, entries) VALUES (NEW.incident_id, 1)
            ON CONFLICT (incident_id) DO UPDATE SET entries = counts.entries + 1;
        RETURN NULL;
    END
    $$;
    DROP TRIGGER IF EXISTS events_count ON warroom.events;
    CREATE TRIGGER events_count AFTER INSERT ON warroom.events
        FOR EACH ROW EXECUTE FUNCTION warroom.count_event();
    INSERT INTO warroom.timeline_counts AS counts (incident_id, entries)
        SELECT incident_id, count(*) FROM warroom.events GROUP BY incident_id
        ON CONFLICT (incident_id) DO UPDATE SET entries = excluded.entries;
"#,
    // 5: as SQLite's 11: drills.
    r#"
    ALTER TABLE warroom.incidents ADD COLUMN IF NOT EXISTS drill BIGINT NOT NULL DEFAULT 0
        CHECK (drill IN (0, 1));
"#,
    // 6: as SQLite's 12: evidence output beside its event (responders may
    // insert it, never change it).
    r#"
    CREATE TABLE IF NOT EXISTS warroom.evidence_output (
        event_id    BIGINT PRIMARY KEY REFERENCES warroom.events (id),
        incident_id BIGINT NOT NULL REFERENCES warroom.incidents (id),
        output      BYTEA NOT NULL
    );
"#,
    // 7: as SQLite's 13: attendance spans, activity minutes, entries by author.
    r#"
    CREATE TABLE IF NOT EXISTS warroom.attendance (
        incident_id  BIGINT NOT NULL,
        session      TEXT COLLATE "C" NOT NULL,
        attached_at  BIGINT NOT NULL,
        account      TEXT NOT NULL,
        host         TEXT,
        terminal     TEXT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        said_goodbye BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (incident_id, session, attached_at)
    );
    CREATE INDEX IF NOT EXISTS attendance_by_session ON warroom.attendance (session, last_seen_at);
    CREATE TABLE IF NOT EXISTS warroom.attendance_activity (
        incident_id BIGINT NOT NULL,
        session     TEXT COLLATE "C" NOT NULL,
        minute      BIGINT NOT NULL,
        PRIMARY KEY (incident_id, session, minute)
    );
    CREATE INDEX IF NOT EXISTS events_by_author ON warroom.events (incident_id, author, recorded_at);
"#,
];

/// The PostgreSQL schema version this binary writes and understands.
pub fn postgres_version() -> i64 {
    POSTGRES_MIGRATIONS.len() as i64
}

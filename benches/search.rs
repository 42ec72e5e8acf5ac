//! Search by index: the time to the first page of results (50 matches,
//! newest first, with the match count: what `/` in the console waits for)
//! on incidents of 100,000 and 1,000,000 entries, on both engines, for
//! words that match 10 entries, 1 %, 10 % and every entry, a two-letter
//! prefix, and the next page; and how long the migration that builds the
//! index takes on a database that already holds the entries.
//!
//! The entries are written with SQL straight into a database of the schema
//! before the index (so the migration's time is measured too); search reads
//! no chain. PostgreSQL is the throwaway server of the tests
//! (`tests/common/pg.rs`), skipped when the host has none. Run with
//! `cargo bench --bench search` (`WARROOM_BENCH_SIZES=100000` for fewer).

#[path = "../tests/common/pg.rs"]
#[allow(unused)]
mod pg;

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use warroom::domain::{Milestones, Severity};
use warroom::store::{EntryKey, Location, NewIncident, OpenMode, SearchQuery, Store};

/// The entries' text, the same on both engines: `needle` in 10 entries,
/// `uncommon` in 1 %, `timeout` in 10 %, `line` in all.
fn text_sql(size: i64) -> String {
    format!(
        "'line ' || g || ' on host-' || (g % 50)
         || CASE WHEN g % 10 = 0 THEN ' timeout' ELSE '' END
         || CASE WHEN g % 100 = 0 THEN ' uncommon' ELSE '' END
         || CASE WHEN g % {} = 7 THEN ' needle' ELSE '' END",
        size / 10
    )
}

const QUERIES: &[(&str, &str)] = &[
    ("needle", "10 entries"),
    ("uncommon", "1 %"),
    ("timeout", "10 %"),
    ("line", "every entry"),
    ("ti", "prefix, 10 %"),
];

fn main() {
    let sizes: Vec<i64> = std::env::var("WARROOM_BENCH_SIZES")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("a number of entries"))
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let server = pg::server("search bench");
    println!(
        "{:<10} {:>9} {:<22} {:>9} {:>11} {:>11} {:>11}",
        "engine", "entries", "query", "matches", "first page", "p-max", "next page"
    );
    for &size in &sizes {
        let file = dir.path().join(format!("search-{size}.db"));
        let (mut store, id, migration) = sqlite_database(&file, size);
        report("sqlite", size, &mut store, id, migration);
        drop(store);
        let _ = std::fs::remove_file(&file);
        if let Some(server) = server {
            let (mut store, id, migration) = postgres_database(server, size);
            report("postgres", size, &mut store, id, migration);
        }
    }
}

fn declared() -> DateTime<Utc> {
    Utc::now() - TimeDelta::days(1)
}

fn declare(store: &mut Store) -> i64 {
    store
        .declare(&NewIncident::with_default_runbook(
            uuid::Uuid::new_v4().to_string(),
            "Search benchmark",
            Severity::P1,
            Milestones::new(declared()),
            "alice",
        ))
        .unwrap()
}

/// An SQLite file with `size` entries written before the index existed,
/// then opened by this warroom (the migration builds the index).
fn sqlite_database(file: &std::path::Path, size: i64) -> (Store, i64, Duration) {
    let id = declare(&mut Store::open(file, OpenMode::Create).unwrap());
    let conn = rusqlite::Connection::open(file).unwrap();
    let start = declared().timestamp_millis();
    conn.execute_batch(&format!(
        "DROP TRIGGER events_search_add; DROP TABLE events_search; PRAGMA user_version = 7;
         BEGIN;
         WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {size})
         INSERT INTO events (id, uuid, incident_id, kind, occurred_at, recorded_at, author, text)
         SELECT 1000 + g, 'bench-' || g, {id}, 'note', {start} + g * 100, {start} + g * 100, 'alice', {}
           FROM s;
         COMMIT;",
        text_sql(size)
    ))
    .unwrap();
    drop(conn);
    let started = Instant::now();
    let store = Store::open(file, OpenMode::Existing).unwrap();
    (store, id, started.elapsed())
}

/// The same on a fresh database of the test server.
fn postgres_database(server: &pg::PgServer, size: i64) -> (Store, i64, Duration) {
    let database = server.database();
    let location = Location::parse(database.socket_url.clone().into()).unwrap();
    let id = declare(&mut Store::open(location.clone(), OpenMode::Create).unwrap());
    let start = declared().timestamp_millis();
    server.sql(
        &database.name,
        &format!(
            "SET search_path TO warroom;
             DROP INDEX events_search;
             UPDATE meta SET value = '1' WHERE key = 'schema_version';
             INSERT INTO events (id, uuid, incident_id, kind, occurred_at, recorded_at, author, text)
             SELECT 1000 + g, 'bench-' || g, {id}, 'note', {start} + g * 100, {start} + g * 100, 'alice', {}
               FROM generate_series(1, {size}) g;",
            text_sql(size)
        ),
    );
    server.sql(&database.name, "VACUUM ANALYZE warroom.events;");
    let started = Instant::now();
    let store = Store::open(location, OpenMode::Existing).unwrap();
    let migration = started.elapsed();
    server.sql(&database.name, "ANALYZE warroom.events;");
    (store, id, migration)
}

fn report(engine: &str, size: i64, store: &mut Store, id: i64, migration: Duration) {
    println!(
        "{engine:<10} {size:>9} {:<22} {:>9} {:>8.0} ms",
        "(migration: index)",
        "",
        migration.as_secs_f64() * 1000.0
    );
    for (typed, share) in QUERIES {
        let query = SearchQuery::parse(typed).unwrap();
        let mut times = Vec::new();
        let mut page = None;
        for _ in 0..5 {
            let started = Instant::now();
            page = Some(store.search(id, &query, None, 50).unwrap());
            times.push(started.elapsed());
        }
        let page = page.unwrap();
        let next_started = Instant::now();
        if let Some(oldest) = page.entries.last() {
            store.search(id, &query, Some(EntryKey::of(oldest)), 50).unwrap();
        }
        let next = next_started.elapsed();
        times.sort();
        println!(
            "{engine:<10} {size:>9} {:<22} {:>9} {:>8.1} ms {:>8.1} ms {:>8.1} ms",
            format!("{typed} ({share})"),
            page.total_matches,
            times[2].as_secs_f64() * 1000.0,
            times[4].as_secs_f64() * 1000.0,
            next.as_secs_f64() * 1000.0,
        );
    }
}

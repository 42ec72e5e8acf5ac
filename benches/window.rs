//! The timeline read by window: what the console's first frame will wait
//! for on incidents of 100,000 and 1,000,000 entries, on both engines:
//! `timeline_window(Newest, 200)`, a `Before` page deep in the history
//! (10 % from the oldest), `timeline_facts` (the running count, the pinned
//! entries, the latest status update), and beside it `count(*)` on the
//! index, the count the running one replaced. Also how long schema 10
//! (PostgreSQL 4) takes on a database that already holds the entries, and
//! what the count's trigger costs a write (2,000 entries in one
//! transaction through `add_entries`, with and without it).
//!
//! The entries are written with SQL straight into a database of the schema
//! before (the window reads no chain): one in 1,000 a status update, one in
//! 10,000 pinned when written, runs of ten equal times; then 20 pins and
//! unpins through the store. PostgreSQL is the tests' throwaway server
//! (`tests/common/pg.rs`), skipped when the host has none. Run with
//! `cargo bench --bench window` (`WARROOM_BENCH_SIZES=100000` for fewer).

#[path = "../tests/common/pg.rs"]
#[allow(unused)]
mod pg;

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use warroom::domain::{EntryKind, Milestones, Severity};
use warroom::store::{Act, EntryKey, Location, NewEntry, NewIncident, OpenMode, Store, WindowAnchor};

/// Runs of each measurement; the median and the slowest are printed.
const RUNS: usize = 7;

fn main() {
    let sizes: Vec<i64> = std::env::var("WARROOM_BENCH_SIZES")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("a number of entries"))
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let server = pg::server("window bench");
    println!(
        "{:<9} {:>9} {:<34} {:>10} {:>10} {:>10}",
        "engine", "entries", "read", "first", "median", "max"
    );
    for &size in &sizes {
        let file = dir.path().join(format!("window-{size}.db"));
        let (mut store, id, migration) = sqlite_database(&file, size);
        report("sqlite", size, &mut store, id, migration);
        trigger_cost("sqlite", size, &mut store, id, || {
            let conn = rusqlite::Connection::open(&file).unwrap();
            conn.execute_batch("DROP TRIGGER timeline_counts_add").unwrap();
        });
        drop(store);
        let _ = std::fs::remove_file(&file);
        if let Some(server) = server {
            let database = server.database();
            let (mut store, id, migration) = postgres_database(server, &database, size);
            report("postgres", size, &mut store, id, migration);
            trigger_cost("postgres", size, &mut store, id, || {
                server.sql(&database.name, "DROP TRIGGER events_count ON warroom.events");
            });
            drop(store);
            server.sql("postgres", &format!("DROP DATABASE {}", database.name));
        }
    }
}

fn declared() -> DateTime<Utc> {
    Utc::now() - TimeDelta::days(30)
}

fn declare(store: &mut Store) -> i64 {
    store
        .declare(&NewIncident::with_default_runbook(
            uuid::Uuid::new_v4().to_string(),
            "Window benchmark",
            Severity::P1,
            Milestones::new(declared()),
            "alice",
        ))
        .unwrap()
}

/// The entries as one INSERT … SELECT over `g` (1..=size), the same on
/// both engines.
fn entries_sql(id: i64, series: &str) -> String {
    let start = declared().timestamp_millis();
    format!(
        "INSERT INTO events (id, uuid, incident_id, kind, occurred_at, recorded_at, author, text, pinned)
         SELECT 1000 + g, 'bench-' || g, {id},
                CASE WHEN g % 1000 = 0 THEN 'status_update' ELSE 'note' END,
                {start} + (g / 10) * 1000, {start} + g * 100, 'alice',
                'line ' || g || ' on host-' || (g % 50),
                CASE WHEN g % 10000 = 5 THEN 1 ELSE 0 END
           FROM {series}"
    )
}

/// An SQLite file with `size` entries written at schema 9, then opened by
/// this warroom (schema 10 is made over them).
fn sqlite_database(file: &std::path::Path, size: i64) -> (Store, i64, Duration) {
    let id = declare(&mut Store::open(file, OpenMode::Create).unwrap());
    let conn = rusqlite::Connection::open(file).unwrap();
    conn.execute_batch(&format!(
        "DROP TRIGGER timeline_counts_add; DROP TABLE timeline_counts;
         DROP INDEX events_by_kind; DROP INDEX events_pinned_at_write; PRAGMA user_version = 9;
         BEGIN;
         WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {size})
         {};
         COMMIT;",
        entries_sql(id, "s")
    ))
    .unwrap();
    drop(conn);
    let started = Instant::now();
    let mut store = Store::open(file, OpenMode::Existing).unwrap();
    let migration = started.elapsed();
    pin_some(&mut store, id, size);
    (store, id, migration)
}

/// The same on a fresh database of the test server, at its schema 3.
fn postgres_database(server: &pg::PgServer, database: &pg::TestDb, size: i64) -> (Store, i64, Duration) {
    let location = Location::parse(database.socket_url.clone().into()).unwrap();
    let id = declare(&mut Store::open(location.clone(), OpenMode::Create).unwrap());
    server.sql(
        &database.name,
        &format!(
            "SET search_path TO warroom;
             DROP TRIGGER events_count ON events; DROP FUNCTION count_event(); DROP TABLE timeline_counts;
             DROP INDEX events_by_kind; DROP INDEX events_pinned_at_write;
             UPDATE meta SET value = '3' WHERE key = 'schema_version';
             {};",
            entries_sql(id, &format!("generate_series(1, {size}) g"))
        ),
    );
    server.sql(&database.name, "VACUUM ANALYZE warroom.events;");
    let started = Instant::now();
    let mut store = Store::open(location, OpenMode::Existing).unwrap();
    let migration = started.elapsed();
    server.sql(&database.name, "ANALYZE warroom.events;");
    pin_some(&mut store, id, size);
    (store, id, migration)
}

/// 20 pins through the store, every other one undone, across the history.
fn pin_some(store: &mut Store, id: i64, size: i64) {
    for n in 0..20 {
        let entry_id = 1000 + 1 + n * (size / 20);
        let uuid = uuid::Uuid::new_v4().to_string();
        let act = Act {
            uuid: &uuid,
            incident_id: id,
            author: "bob",
            at: Utc::now(),
        };
        store.set_pin(&act, entry_id, true).unwrap();
        if n % 2 == 1 {
            let uuid = uuid::Uuid::new_v4().to_string();
            let act = Act { uuid: &uuid, ..act };
            store.set_pin(&act, entry_id, false).unwrap();
        }
    }
}

fn report(engine: &str, size: i64, store: &mut Store, id: i64, migration: Duration) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{engine:<9} {size:>9} {:<34} {:>7.0} ms",
        "(schema 10 / pg 4 on these)",
        ms(migration)
    );
    // Deep in the history: the key of the entry 10 % from the oldest.
    let deep_key = {
        let deep = 1000 + size / 10;
        let window = store.timeline_window(id, WindowAnchor::Newest, 1).unwrap();
        let newest = EntryKey::of(&window.entries[0]);
        let mut key = newest;
        key.id = deep;
        key.occurred_at = declared() + TimeDelta::seconds(size / 10 / 10);
        key
    };
    let mut time = |what: &str, read: &mut dyn FnMut(&mut Store) -> String| {
        let mut times = Vec::new();
        let mut said = String::new();
        for _ in 0..RUNS {
            let started = Instant::now();
            said = read(store);
            times.push(started.elapsed());
        }
        let first = times[0];
        times.sort();
        println!(
            "{engine:<9} {size:>9} {:<34} {:>7.2} ms {:>7.2} ms {:>7.2} ms  {said}",
            what,
            ms(first),
            ms(times[RUNS / 2]),
            ms(times[RUNS - 1]),
        );
    };
    time("timeline_window(Newest, 200)", &mut |store| {
        let window = store.timeline_window(id, WindowAnchor::Newest, 200).unwrap();
        format!("{} entries, older {}", window.entries.len(), window.has_older)
    });
    time("timeline_window(Before deep, 200)", &mut |store| {
        let window = store
            .timeline_window(id, WindowAnchor::Before(deep_key), 200)
            .unwrap();
        format!(
            "{} entries, first #{}",
            window.entries.len(),
            window.entries[0].id
        )
    });
    time("timeline_window(After deep, 200)", &mut |store| {
        let window = store
            .timeline_window(id, WindowAnchor::After(deep_key), 200)
            .unwrap();
        format!("{} entries, newer {}", window.entries.len(), window.has_newer)
    });
    time("timeline_facts", &mut |store| {
        let facts = store.timeline_facts(id).unwrap();
        format!(
            "total {}, pinned {}, status update {}",
            facts.total,
            facts.pinned.len(),
            facts.latest_status_update.map_or(0, |e| e.id)
        )
    });
    time("count(*) on the index (not used)", &mut |store| {
        format!("{}", store.count_entries_by_index(id).unwrap())
    });
}

/// 2,000 entries in one transaction with the count's trigger, then again
/// after `drop_trigger` (after a batch that warms the indexes up).
fn trigger_cost(engine: &str, size: i64, store: &mut Store, id: i64, drop_trigger: impl FnOnce()) {
    let mut add = |label: &str| {
        let entries: Vec<NewEntry> = (0..2_000)
            .map(|n| NewEntry {
                uuid: uuid::Uuid::new_v4().to_string(),
                kind: EntryKind::Note,
                occurred_at: Utc::now(),
                author: "alice".into(),
                text: format!("note {n} {label}"),
                pinned: false,
            })
            .collect();
        let started = Instant::now();
        store.add_entries(id, &entries).unwrap();
        started.elapsed()
    };
    // The first batch after the bulk load pays for warming the indexes.
    add("warm-up");
    let with = add("with");
    drop_trigger();
    let without = add("without");
    println!(
        "{engine:<9} {size:>9} {:<34} {:>7.1} ms (without the count's trigger: {:.1} ms)",
        "add_entries(2,000)",
        with.as_secs_f64() * 1000.0,
        without.as_secs_f64() * 1000.0,
    );
}

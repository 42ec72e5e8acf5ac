//! Peak memory (and time) of the commands that write a whole incident out:
//! `export` (Markdown), `export --format json` and `show --json`, on P1s of
//! 100,000 and 1,000,000 entries, output to /dev/null. Runs the release
//! binary (`WARROOM_BIN` names another, e.g. an older build to compare);
//! peak RSS is the command's own, as `support/peak.rs` measures it (from a
//! small copy of this bench, never from the bench that built a million
//! entries). Prints figures; run
//! with `cargo bench --bench export_memory` (`EXPORT_SIZES=100000` for one
//! size; `SCHEMA_BEFORE=7` with an older `WARROOM_BIN`). The databases live in a temporary folder removed at the end.

#[path = "support/peak.rs"]
mod peak;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use chrono::{TimeDelta, Utc};
use warroom::domain::{EntryKind, Milestones, Severity};
use warroom::store::{NewEntry, NewIncident, OpenMode, Store};

/// Entries written per transaction while building a database.
const BATCH: usize = 10_000;

fn build(db: &Path, entries: usize) {
    let mut store = Store::open(db, OpenMode::Create).unwrap();
    // Every entry in the past: one a second from the declaration.
    let declared = Utc::now() - TimeDelta::seconds(entries as i64 + 3_600);
    let id = store
        .declare(&NewIncident::with_default_runbook(
            format!("bench-{entries}"),
            "Benchmark incident",
            Severity::P1,
            Milestones::new(declared),
            "alice",
        ))
        .unwrap();
    for start in (0..entries).step_by(BATCH) {
        let batch: Vec<NewEntry> = (start..(start + BATCH).min(entries))
            .map(|n| NewEntry {
                uuid: format!("e{n}"),
                kind: match n % 20 {
                    0 => EntryKind::Decision,
                    10 => EntryKind::StatusUpdate,
                    _ => EntryKind::Note,
                },
                occurred_at: declared + TimeDelta::seconds(n as i64 + 1),
                author: ["alice", "bob", "carol"][n % 3].into(),
                text: format!(
                    "note {n}: checked the dashboards, error rate steady at {}%",
                    n % 7
                ),
                pinned: n % 5_000 == 0,
            })
            .collect();
        store.add_entries(id, &batch).unwrap();
    }
}

/// Runs `warroom --db DB ARGS > /dev/null`: (peak RSS in MB, seconds).
fn measure(binary: &str, db: &Path, state: &Path, args: &[&str]) -> (f64, f64) {
    let peak_file = state.with_extension("peak");
    let started = Instant::now();
    let status = peak::measured(binary, &peak_file)
        .arg("--db")
        .arg(db)
        .args(args)
        .env("XDG_STATE_HOME", state)
        .stdout(Stdio::null())
        .status()
        .expect("run warroom");
    let seconds = started.elapsed().as_secs_f64();
    assert!(status.success(), "warroom {args:?} failed ({status})");
    (peak::peak_mb(&peak_file), seconds)
}

fn main() {
    if peak::measure_if_asked() {
        return;
    }
    let binary = std::env::var("WARROOM_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_warroom").to_string());
    let sizes: Vec<usize> = std::env::var("EXPORT_SIZES")
        .ok()
        .map(|s| {
            s.split(',')
                .map(|n| n.trim().parse().expect("EXPORT_SIZES"))
                .collect()
        })
        .unwrap_or_else(|| vec![100_000, 1_000_000]);
    let dir = tempfile::tempdir().expect("temp dir");
    println!("binary: {binary}");
    println!(
        "{:>9}  {:<22} {:>10} {:>9}",
        "entries", "command", "peak RSS", "time"
    );
    for entries in sizes {
        let db = dir.path().join(format!("export-{entries}.db"));
        let state = dir.path().join(format!("state-{entries}"));
        build(&db, entries);
        // A build from before the index (schema 7) refuses a newer file:
        // `SCHEMA_BEFORE=7` takes the index out for it (needs `sqlite3`).
        if let Ok(version) = std::env::var("SCHEMA_BEFORE") {
            let version: u32 = version.parse().expect("SCHEMA_BEFORE");
            let sql = format!("DROP INDEX IF EXISTS events_by_time; PRAGMA user_version = {version};");
            let done = Command::new("sqlite3")
                .arg(&db)
                .arg(sql)
                .status()
                .expect("run sqlite3");
            assert!(done.success(), "sqlite3");
        }
        // The account has seen the record before (as a responder has): the
        // first command's walk of the chain is not the export's.
        measure(&binary, &db, &state, &["list"]);
        for args in [
            &["export"][..],
            &["export", "--format", "json"][..],
            &["show", "--json"][..],
        ] {
            let (peak, seconds) = measure(&binary, &db, &state, args);
            println!(
                "{entries:>9}  {:<22} {:>7.1} MB {:>7.2} s",
                args.join(" "),
                peak,
                seconds
            );
        }
        std::fs::remove_file(&db).ok();
    }
}

//! Note commit latency with 10 concurrent writer processes, each committing
//! notes as fast as it can through the store (one IMMEDIATE transaction,
//! `synchronous=FULL`, per note). Prints p50/p99/max; run with
//! `cargo bench --bench commit`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use chrono::Utc;
use warroom::domain::{EntryKind, Milestones, Severity};
use warroom::store::{NewEntry, NewIncident, OpenMode, Store};

const WRITER_ENV: &str = "WARROOM_BENCH_WRITER";
const WRITERS: usize = 10;
const NOTES: usize = 200;

fn main() {
    if let Ok(db) = std::env::var(WRITER_ENV) {
        write_notes(Path::new(&db));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("commit.db");
    let mut store = Store::open(&db, OpenMode::Create).unwrap();
    store
        .declare(&NewIncident::with_default_runbook(
            "bench",
            "commit latency",
            Severity::P1,
            Milestones::new(Utc::now()),
            "bench",
        ))
        .unwrap();
    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();
    let children: Vec<_> = (0..WRITERS)
        .map(|_| {
            Command::new(&exe)
                .env(WRITER_ENV, &db)
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut micros: Vec<u128> = Vec::new();
    for mut child in children {
        let out = child.stdout.take().unwrap();
        micros.extend(
            BufReader::new(out)
                .lines()
                .map(|l| l.unwrap().parse::<u128>().unwrap()),
        );
        assert!(child.wait().unwrap().success());
    }
    let elapsed = started.elapsed();
    micros.sort_unstable();
    let at = |q: f64| micros[((micros.len() - 1) as f64 * q).round() as usize] as f64 / 1000.0;
    println!(
        "{} notes by {WRITERS} writer processes in {:.2?} ({:.0} commits/s)",
        micros.len(),
        elapsed,
        micros.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "commit latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

/// Writer mode: commit notes, print each commit's latency in µs.
fn write_notes(db: &Path) {
    let mut store = Store::open(db, OpenMode::Existing).unwrap();
    let id = store.latest_open_incident().unwrap().unwrap();
    for n in 0..NOTES {
        let started = Instant::now();
        store
            .add_entry(
                id,
                &NewEntry {
                    uuid: uuid::Uuid::new_v4().to_string(),
                    kind: EntryKind::Note,
                    occurred_at: Utc::now(),
                    author: "bench".into(),
                    text: format!("note {n}"),
                    pinned: false,
                },
            )
            .unwrap();
        println!("{}", started.elapsed().as_micros());
    }
}

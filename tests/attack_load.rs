//! Sixteen processes at once on one file for a bounded time, mixing every
//! kind of CLI write: notes, checklist ticks and undos, severity changes,
//! timers, status updates. Each command is a new process, as when
//! responders type them. Afterwards the file must be sound and its current
//! state must be exactly what its event log says.
//!
//! Runs ~8 s; `WARROOM_LOAD_SECS` sets another length.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::*;

const PROCESSES: usize = 16;

/// What one worker did and saw.
#[derive(Default)]
struct Report {
    /// Texts of the notes it was told were committed.
    notes: Vec<String>,
    /// Status updates committed.
    updates: Vec<String>,
    /// Commands committed, by kind.
    counts: BTreeMap<&'static str, usize>,
    /// Timer numbers the CLI printed.
    timer_ids: Vec<i64>,
    /// Commands that failed or wrote to stderr.
    failures: Vec<String>,
}

/// xorshift, seeded per worker.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn worker(db: std::path::PathBuf, w: usize, until: Instant) -> Report {
    let mut report = Report::default();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D ^ (w as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut n = 0;
    while Instant::now() < until {
        n += 1;
        let note = format!(
            "w{w} n{n} {}",
            [
                "plain",
                "数据库 lag ✅",
                "rollback 4812 — done",
                "p99 \"quoted\" 'x'"
            ][n % 4]
        );
        let update = format!("update from w{w} #{n}");
        let severity = format!("P{}", rng.below(4));
        let reason = format!("w{w} step {n}");
        let timer_label = format!("x w{w} t{n}");
        let (kind, args): (&'static str, Vec<&str>) = match rng.below(12) {
            0..=3 => ("note", vec!["note", "-i", "1", &note]),
            4 => ("check 1.1", vec!["check", "-i", "1", "1.1"]),
            5 => ("check --undo 1.1", vec!["check", "-i", "1", "--undo", "1.1"]),
            6 => ("check 2.2", vec!["check", "-i", "1", "2.2"]),
            7 => ("check --undo 2.2", vec!["check", "-i", "1", "--undo", "2.2"]),
            8 | 9 => (
                "severity",
                vec!["severity", "-i", "1", &severity, "--reason", &reason],
            ),
            10 => ("timer", vec!["timer", "-i", "1", "1m", &timer_label]),
            _ => ("status-update", vec!["status-update", "-i", "1", &update]),
        };
        let out = warroom(&db).args(&args).output().expect("run warroom");
        if !out.status.success() || !out.stderr.is_empty() {
            report.failures.push(format!(
                "worker {w}: warroom {args:?}: {:?}, stderr {:?}",
                out.status,
                stderr(&out)
            ));
            continue;
        }
        *report.counts.entry(kind).or_default() += 1;
        match kind {
            "note" => report.notes.push(note),
            "status-update" => report.updates.push(update),
            "timer" => match String::from_utf8_lossy(&out.stdout).trim().parse() {
                Ok(id) => report.timer_ids.push(id),
                Err(_) => report.failures.push(format!(
                    "worker {w}: timer printed {:?}, not its number",
                    String::from_utf8_lossy(&out.stdout)
                )),
            },
            _ => {}
        }
    }
    report
}

#[test]
fn sixteen_processes_mixing_every_write_keep_the_log_and_the_state_in_step() {
    let seconds: f64 = std::env::var("WARROOM_LOAD_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8.0);
    let dir = temp_dir();
    let db = db_in(&dir);
    assert_eq!(
        ok(&db, &["declare", "--severity", "P1", "under load"]).trim(),
        "1"
    );

    let barrier = Arc::new(Barrier::new(PROCESSES));
    let started = Instant::now();
    let handles: Vec<_> = (0..PROCESSES)
        .map(|w| {
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                worker(db, w, Instant::now() + Duration::from_secs_f64(seconds))
            })
        })
        .collect();
    let reports: Vec<Report> = handles.into_iter().map(|h| h.join().expect("worker")).collect();
    let elapsed = started.elapsed();

    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &reports {
        for (kind, n) in &r.counts {
            *counts.entry(kind).or_default() += n;
        }
    }
    let total: usize = counts.values().sum();
    eprintln!(
        "{PROCESSES} processes, {elapsed:.2?}: {total} commands committed, {:.0} ops/s",
        total as f64 / elapsed.as_secs_f64()
    );
    for (kind, n) in &counts {
        eprintln!("  {kind:<18} {n}");
    }
    let failures: Vec<&String> = reports.iter().flat_map(|r| &r.failures).collect();
    assert!(
        failures.is_empty(),
        "{} command(s) failed or wrote to stderr:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(total > PROCESSES, "the load hardly ran: {total} commands");

    let conn = rusqlite::Connection::open(&db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");

    // No event was written twice.
    let duplicated: Vec<(String, i64)> = conn
        .prepare("SELECT uuid, count(*) FROM events GROUP BY uuid HAVING count(*) > 1")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(duplicated.is_empty(), "duplicate event uuids: {duplicated:?}");

    let texts_of = |kind: &str| -> Vec<String> {
        conn.prepare("SELECT text FROM events WHERE kind = ?1 ORDER BY id")
            .unwrap()
            .query_map([kind], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };

    // Every note reported committed is there exactly once, and nothing else.
    let mut stored: HashMap<String, usize> = HashMap::new();
    for text in texts_of("note") {
        *stored.entry(text).or_default() += 1;
    }
    let reported: Vec<&String> = reports.iter().flat_map(|r| &r.notes).collect();
    for text in &reported {
        assert_eq!(
            stored.get(*text),
            Some(&1),
            "note {text:?} is not there exactly once"
        );
    }
    assert_eq!(
        stored.values().sum::<usize>(),
        reported.len(),
        "notes nobody reported are stored"
    );
    let updates = texts_of("status_update");
    assert_eq!(
        updates.len(),
        reports.iter().map(|r| r.updates.len()).sum::<usize>()
    );

    // The checklist is the replay of its events, in log order.
    let changes: Vec<(String, String, String)> = conn
        .prepare(
            "SELECT json_extract(data, '$.checklist.key'), json_extract(data, '$.checklist.to'),
                    json_extract(data, '$.checklist.outcome')
               FROM events WHERE kind = 'checklist_change' ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let checks: usize = counts
        .iter()
        .filter(|(k, _)| k.starts_with("check"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(changes.len(), checks, "one checklist event per check command");
    let mut replayed: HashMap<String, (String, i64)> = HashMap::new();
    for (key, to, outcome) in &changes {
        assert!(
            matches!(outcome.as_str(), "applied" | "already"),
            "the CLI states intent, so {key} cannot conflict: {outcome}"
        );
        let entry = replayed.entry(key.clone()).or_insert(("open".into(), 0));
        if outcome == "applied" {
            assert_ne!(&entry.0, to, "{key}: an applied change that changed nothing");
            entry.1 += 1;
        } else {
            assert_eq!(
                &entry.0, to,
                "{key}: 'already so' but the replay says {}",
                entry.0
            );
        }
        entry.0 = to.clone();
    }
    let items: Vec<(String, String, i64)> = conn
        .prepare("SELECT key, state, version FROM checklist_items WHERE incident_id = 1")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (key, state, version) in &items {
        let (want_state, want_version) = replayed.get(key).cloned().unwrap_or(("open".into(), 0));
        assert_eq!(
            (state, *version),
            (&want_state, want_version),
            "checklist item {key}: stored (state, version) differs from the replay of its events"
        );
    }

    // The severity is the last severity event's, and each applied change bumped the version once.
    let severities: Vec<(String, String)> = conn
        .prepare(
            "SELECT json_extract(data, '$.severity.to'), json_extract(data, '$.severity.outcome')
               FROM events WHERE kind = 'severity_change' ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(severities.len(), counts.get("severity").copied().unwrap_or(0));
    let (severity, version): (String, i64) = conn
        .query_row("SELECT severity, version FROM incidents WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let last = severities.last().map_or("P1", |(to, _)| to.as_str());
    assert_eq!(
        severity, last,
        "incidents.severity is not the last severity event's"
    );
    let applied = severities.iter().filter(|(_, o)| o == "applied").count() as i64;
    assert_eq!(
        version,
        1 + applied,
        "incident version vs applied severity changes"
    );

    // One timer per timer-start event, each number printed once.
    let timers: i64 = conn
        .query_row("SELECT count(*) FROM timers WHERE incident_id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    let starts: i64 = conn
        .query_row(
            "SELECT count(*) FROM events WHERE json_extract(data, '$.timer.state') = 'running'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut printed: Vec<i64> = reports.iter().flat_map(|r| r.timer_ids.iter().copied()).collect();
    printed.sort_unstable();
    printed.dedup();
    assert_eq!(timers, starts, "timers vs timer-start events");
    assert_eq!(
        timers as usize,
        counts.get("timer").copied().unwrap_or(0),
        "timers vs timer commands"
    );
    assert_eq!(
        printed.len() as i64,
        timers,
        "every timer number was printed once"
    );
    drop(conn);

    // The file still serves readers and writers.
    let record = show_json(&db, "1");
    assert_eq!(record["severity"], severity.as_str());
    ok(&db, &["note", "-i", "1", "after the load"]);
}

//! Many processes, one database (a file or a PostgreSQL server): the
//! properties the whole product stands on.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::engines::Engine;
use common::*;

on_both_engines! {
fn eight_cli_writers_lose_nothing_and_keep_their_order(db: &Db) {
    const WRITERS: usize = 8;
    const NOTES: usize = 200;
    let db = db.path().to_path_buf();
    let id = ok(&db, &["declare", "--severity", "P1", "load test"])
        .trim()
        .to_string();

    let barrier = Arc::new(Barrier::new(WRITERS));
    let started = Instant::now();
    let handles: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (db, id, barrier) = (db.clone(), id.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                for n in 0..NOTES {
                    ok(&db, &["note", "--incident", &id, &format!("writer {w} note {n}")]);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("writer thread");
    }
    let elapsed = started.elapsed();
    eprintln!(
        "{} notes by {WRITERS} CLI processes in {:.2?}: {:.0} notes/s",
        WRITERS * NOTES,
        elapsed,
        (WRITERS * NOTES) as f64 / elapsed.as_secs_f64()
    );

    let record = show_json(&db, &id);
    let mut by_id: Vec<(i64, String)> = record["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "note")
        .map(|e| (e["id"].as_i64().unwrap(), e["text"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(by_id.len(), WRITERS * NOTES, "every note is present once");
    let unique: HashSet<_> = by_id.iter().map(|(_, t)| t.clone()).collect();
    assert_eq!(unique.len(), WRITERS * NOTES, "no note is duplicated");

    // Within each writer, log order is the order it wrote in.
    by_id.sort();
    let mut next: HashMap<usize, usize> = HashMap::new();
    for (_, text) in &by_id {
        let words: Vec<&str> = text.split(' ').collect();
        let (w, n): (usize, usize) = (words[1].parse().unwrap(), words[3].parse().unwrap());
        let expected = next.entry(w).or_insert(0);
        assert_eq!(n, *expected, "writer {w} out of order");
        *expected += 1;
    }
}
}

on_both_engines! {
/// Eight processes declare at once on a database nobody made yet: a file in
/// folders that do not exist yet, or an EMPTY PostgreSQL database (whoever
/// comes first creates the schema under the migration lock; the others
/// wait for it and use it).
fn eight_processes_declaring_on_one_fresh_database_all_succeed(db: &Db) {
    const PROCESSES: usize = 8;
    let db = match db.engine {
        Engine::Sqlite => db.path().parent().unwrap().join("new").join("folder").join("warroom.db"),
        Engine::Postgres => db.path().to_path_buf(),
    };
    let barrier = Arc::new(Barrier::new(PROCESSES));
    let handles: Vec<_> = (0..PROCESSES)
        .map(|p| {
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                ok(&db, &["declare", &format!("incident from process {p}")])
                    .trim()
                    .parse::<i64>()
                    .expect("declare prints an id")
            })
        })
        .collect();
    let mut ids: Vec<i64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, (1..=PROCESSES as i64).collect::<Vec<_>>());
    let list: serde_json::Value = serde_json::from_str(&ok(&db, &["list", "--json"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), PROCESSES);
    let verified = ok(&db, &["verify"]);
    assert!(verified.contains("intact"), "{verified}");
}
}

on_both_engines! {
/// Kill a writing process at random moments; every write it reported as done
/// must be there once and the record must verify intact (and the SQLite file
/// stay sound). `WARROOM_KILL_ROUNDS` raises the count (README: long mode).
fn writers_killed_with_sigkill_never_lose_a_reported_write(db_under_test: &Db) {
    let rounds: usize = std::env::var("WARROOM_KILL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let db = db_under_test.path().to_path_buf();
    let id = ok(&db, &["declare", "kill loop"]).trim().to_string();

    // How long one note takes end to end, so kills land across its whole life.
    let t = Instant::now();
    ok(&db, &["note", "--incident", &id, "warm-up"]);
    let lifetime = t.elapsed().as_micros().max(1000) as u64;

    let mut rng = SmallRng(0x9E37_79B9_7F4A_7C15 ^ std::process::id() as u64);
    let (mut reported, mut killed) = (Vec::new(), 0);
    for round in 0..rounds {
        let text = format!("kill-round {round}");
        let mut child = warroom(&db)
            .args(["note", "--incident", &id, &text])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(lifetime * 3 / 2)));
        match child.try_wait().unwrap() {
            Some(status) => {
                assert!(status.success(), "round {round}: writer failed on its own");
                reported.push(text);
            }
            None => {
                child.kill().unwrap();
                let status = child.wait().unwrap();
                if status.success() {
                    reported.push(text);
                } else {
                    killed += 1;
                }
            }
        }
    }
    eprintln!(
        "{rounds} rounds: {killed} writers killed mid-flight, {} reported committed",
        reported.len()
    );

    if db_under_test.engine == Engine::Sqlite {
        let integrity = db_under_test.superuser_sql("PRAGMA integrity_check");
        assert_eq!(integrity, vec![vec![Some("ok".to_string())]]);
    }
    let verified = ok(&db, &["verify"]);
    assert!(verified.contains("intact"), "{verified}");
    let record = show_json(&db, &id);
    let texts: Vec<&str> = record["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    for text in &reported {
        assert_eq!(
            texts.iter().filter(|t| *t == text).count(),
            1,
            "{text} must be present once"
        );
    }
    // The file still takes writes after all that.
    ok(&db, &["note", "--incident", &id, "after the storm"]);
}
}

/// xorshift; enough randomness for kill timing without a dependency.
struct SmallRng(u64);
impl SmallRng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

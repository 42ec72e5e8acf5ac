//! Many responders on one file: consoles that see each other and each other's
//! changes live, command-line writers racing on the same item and severity,
//! and the store's compare-and-set refusing a change made on a stale view.

mod common;

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension};

use common::pty::{Console, Present, WAIT, account};
use common::{db_in, ok, temp_dir, warroom};
use warroom::domain::ItemState;
use warroom::store::{ItemChange, OpenMode, Outcome, Store};

/// Presence is written every 2 s; a console may take a while to start on a
/// loaded machine.
const PRESENCE_WAIT: Duration = Duration::from_secs(20);
/// A console that stopped beating is dropped after 6 s (plus up to a 1 s
/// clock tick to redraw); the rest is slack for a loaded machine.
const GONE_WAIT: Duration = Duration::from_secs(20);

const COMPOSER: &str = " Note — Enter adds";

fn open_db(db: &Path) -> Connection {
    Connection::open(db).expect("open the database with rusqlite")
}

/// The consoles listed on `console`'s "Here now" line, in a stable order.
fn listed(console: &Console) -> Vec<Present> {
    let mut present = console.here_now().unwrap_or_default();
    present.sort_by(|a, b| a.terminal.cmp(&b.terminal));
    present
}

/// Waits until `console`'s "Here now" line lists exactly `expected` (in any
/// order); returns how long that took.
fn wait_for_presence(console: &Console, name: &str, expected: &[Present], timeout: Duration) -> Duration {
    let mut expected = expected.to_vec();
    expected.sort_by(|a, b| a.terminal.cmp(&b.terminal));
    console.wait_until_within(
        timeout,
        &format!("console {name}'s \"Here now\" line to list exactly {expected:?}"),
        |_| listed(console) == expected,
    )
}

fn present(account: &str, terminal: &str) -> Present {
    Present {
        account: account.to_string(),
        terminal: terminal.to_string(),
    }
}

/// The terminals with a presence row in the file (live or not).
fn presence_rows(db: &Path) -> Vec<String> {
    let conn = open_db(db);
    let mut stmt = conn
        .prepare("SELECT terminal FROM presence ORDER BY terminal")
        .expect("query presence");
    stmt.query_map([], |r| r.get(0))
        .expect("read presence")
        .collect::<rusqlite::Result<_>>()
        .expect("presence rows")
}

#[test]
fn two_consoles_see_each_other() {
    let dir = temp_dir();
    let db = db_in(&dir);
    ok(&db, &["declare", "--severity", "P1", "Payments queue stuck"]);
    let me = account();

    let mut a = Console::spawn(&db, 120, 40, &[]);
    let mut b = Console::spawn(&db, 120, 40, &[]);
    let (term_a, term_b) = (a.terminal(), b.terminal());
    assert_ne!(term_a, term_b, "the two consoles should run on two terminals");
    a.wait_for("Checklist");
    b.wait_for("Checklist");

    // Both announce themselves and see each other.
    let both = [present(&me, &term_a), present(&me, &term_b)];
    let took_a = wait_for_presence(&a, "A", &both, PRESENCE_WAIT);
    let took_b = wait_for_presence(&b, "B", &both, PRESENCE_WAIT);
    eprintln!("presence: A listed both after {took_a:?}, B after a further {took_b:?}");

    // A note written in A shows up in B.
    a.send("n");
    a.wait_for(COMPOSER);
    a.send("queue drained by A");
    a.wait_for("queue drained by A");
    a.send(b"\r");
    a.wait_until("A's note in A's timeline, composer closed", |screen| {
        !screen.contains(COMPOSER) && screen.contains("queue drained by A")
    });
    b.wait_for("queue drained by A");

    // A tick in B shows up in A, attributed.
    // (The selection opens on the current phase's first item, p1.1.)
    b.wait_for("[ ] p1.1");
    b.send(" ");
    b.wait_for("[x] p1.1");
    a.wait_for("[x] p1.1");
    let row = a.row_with("[x] p1.1").expect("p1.1's row on A");
    assert!(row.contains(&me), "A should say who ticked p1.1: {row:?}");

    // A note from the command line shows up in both.
    ok(&db, &["note", "from the cli"]);
    a.wait_for("from the cli");
    b.wait_for("from the cli");

    // B dies without a goodbye: its presence row stays, and A stops listing
    // it once it is stale.
    let status = b.kill_9();
    eprintln!("console B ended: {status}");
    assert!(
        presence_rows(&db).contains(&term_b),
        "a console killed with SIGKILL cannot remove its presence row"
    );
    let gone_after = wait_for_presence(&a, "A", &[present(&me, &term_a)], GONE_WAIT);
    eprintln!("presence: A stopped listing the killed console after {gone_after:?}");

    a.send("q");
    let status = a.wait_exit(WAIT);
    assert!(status.success(), "q should exit with 0, got {status}");
    assert!(
        !presence_rows(&db).contains(&term_a),
        "a console that quits should take its presence row away"
    );
}

/// Runs `warroom --db DB ARGS…` and returns a description of what went wrong,
/// if anything (a failure, or anything on stderr).
fn run_quietly(db: &Path, args: &[&str]) -> Option<String> {
    let out = warroom(db).args(args).output().expect("run warroom");
    if out.status.success() && out.stderr.is_empty() {
        return None;
    }
    Some(format!(
        "warroom {args:?}: status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// One change event as the log records it, in log order.
#[derive(Debug)]
struct Attempt {
    id: i64,
    from: String,
    to: String,
    outcome: String,
}

fn attempts(conn: &Connection, kind: &str, section: &str, filter: &str) -> Vec<Attempt> {
    let sql = format!(
        "SELECT id, json_extract(data, '$.{section}.from'), json_extract(data, '$.{section}.to'),
                json_extract(data, '$.{section}.outcome')
           FROM events WHERE kind = ?1 {filter} ORDER BY id"
    );
    let mut stmt = conn.prepare(&sql).expect("query the event log");
    stmt.query_map([kind], |r| {
        Ok(Attempt {
            id: r.get(0)?,
            from: r.get(1)?,
            to: r.get(2)?,
            outcome: r.get(3)?,
        })
    })
    .expect("read the event log")
    .collect::<rusqlite::Result<_>>()
    .expect("change events with from, to and outcome")
}

/// Replays `log` from `initial`: each attempt must have seen the state the
/// previous ones left, and be "applied" exactly when it changed something.
/// Returns the final state.
fn replay(what: &str, initial: &str, log: &[Attempt]) -> String {
    let mut state = initial.to_string();
    for attempt in log {
        assert_eq!(
            attempt.from, state,
            "{what}: event {} saw {:?} but the log before it left {state:?}: {attempt:?}",
            attempt.id, attempt.from
        );
        let expected = if attempt.from == attempt.to {
            "already"
        } else {
            "applied"
        };
        assert_eq!(
            attempt.outcome, expected,
            "{what}: event {}: {attempt:?}",
            attempt.id
        );
        state = attempt.to.clone();
    }
    state
}

/// The `to` of the last attempt that took effect (or found it already so).
fn last_intent(log: &[Attempt]) -> Option<&str> {
    log.iter()
        .filter(|a| a.outcome == "applied" || a.outcome == "already")
        .max_by_key(|a| a.id)
        .map(|a| a.to.as_str())
}

#[test]
fn racing_writers_keep_every_attempt_and_the_last_intent_wins() {
    const N: usize = 40;
    let dir = temp_dir();
    let db = db_in(&dir);
    let incident_id: i64 = ok(&db, &["declare", "--severity", "P1", "Racing writers"])
        .trim()
        .parse()
        .expect("declare prints the incident id");

    // Each writer alternates between its two commands, N invocations in all.
    let writer = |commands: [Vec<&'static str>; 2]| {
        let db = db.clone();
        thread::spawn(move || {
            (0..N)
                .filter_map(|n| run_quietly(&db, &commands[n % 2]))
                .collect::<Vec<_>>()
        })
    };
    let started = Instant::now();
    let a = writer([vec!["check", "1.1"], vec!["severity", "P0", "--reason", "a"]]);
    let b = writer([
        vec!["check", "--undo", "1.1"],
        vec!["severity", "P3", "--reason", "b"],
    ]);
    let mut problems = a.join().expect("writer A panicked");
    problems.extend(b.join().expect("writer B panicked"));
    eprintln!("{} invocations in {:?}", 2 * N, started.elapsed());
    assert!(
        problems.is_empty(),
        "some invocations failed:\n{}",
        problems.join("\n")
    );

    let conn = open_db(&db);
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity check");
    assert_eq!(integrity, "ok");

    let checks = attempts(
        &conn,
        "checklist_change",
        "checklist",
        "AND json_extract(data, '$.checklist.key') = '1.1'",
    );
    let severities = attempts(&conn, "severity_change", "severity", "");
    assert_eq!(checks.len(), N, "every check attempt is logged: {checks:#?}");
    assert_eq!(
        severities.len(),
        N,
        "every severity attempt is logged: {severities:#?}"
    );
    let wanting = |log: &[Attempt], to: &str| log.iter().filter(|a| a.to == to).count();
    assert_eq!(
        (wanting(&checks, "done"), wanting(&checks, "open")),
        (N / 2, N / 2),
        "each writer's checks are all there"
    );
    assert_eq!(
        (wanting(&severities, "P0"), wanting(&severities, "P3")),
        (N / 2, N / 2),
        "each writer's severity changes are all there"
    );
    let all_checks: i64 = conn
        .query_row(
            "SELECT count(*) FROM events WHERE kind = 'checklist_change'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(all_checks as usize, N, "no checklist event for another item");
    assert!(
        checks.iter().chain(&severities).all(|a| a.outcome != "conflict"),
        "the command line sends no expected version, so nothing conflicts"
    );

    let (state, item_version): (String, i64) = conn
        .query_row(
            "SELECT state, version FROM checklist_items WHERE incident_id = ?1 AND key = '1.1'",
            [incident_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("item 1.1");
    let (severity, incident_version): (String, i64) = conn
        .query_row(
            "SELECT severity, version FROM incidents WHERE id = ?1",
            [incident_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the incident");

    assert_eq!(
        Some(state.as_str()),
        last_intent(&checks),
        "item 1.1 is as the last attempt left it"
    );
    assert_eq!(
        Some(severity.as_str()),
        last_intent(&severities),
        "the severity is as the last attempt left it"
    );
    assert_eq!(replay("item 1.1", "open", &checks), state);
    assert_eq!(replay("severity", "P1", &severities), severity);

    let applied = |log: &[Attempt]| log.iter().filter(|a| a.outcome == "applied").count() as i64;
    assert_eq!(
        item_version,
        applied(&checks),
        "the item's version counts its applied changes"
    );
    assert_eq!(
        incident_version,
        1 + applied(&severities),
        "the incident's version counts its applied severity changes"
    );
    eprintln!(
        "applied: {} of {N} checks, {} of {N} severity changes; final 1.1 {state}, severity {severity}",
        applied(&checks),
        applied(&severities)
    );
}

#[test]
fn compare_and_set_refuses_a_stale_change() {
    let dir = temp_dir();
    let db = db_in(&dir);
    let incident_id: i64 = ok(&db, &["declare", "CAS on one item"])
        .trim()
        .parse()
        .expect("declare prints the incident id");

    // Two responders who both looked at 1.1 while it was at version 0.
    let mut alice = Store::open(&db, OpenMode::Existing).expect("alice opens the file");
    let mut bob = Store::open(&db, OpenMode::Existing).expect("bob opens the file");
    let first_uuid = uuid::Uuid::new_v4().to_string();
    let second_uuid = uuid::Uuid::new_v4().to_string();

    let first = alice
        .set_item_state(&ItemChange {
            uuid: &first_uuid,
            incident_id,
            key: "1.1",
            state: ItemState::Done,
            author: "alice",
            at: Utc::now(),
            expected_version: Some(0),
        })
        .expect("alice's change");
    match &first {
        Outcome::Changed { current, from } => {
            assert_eq!(*from, ItemState::Open);
            assert_eq!(current.state, ItemState::Done);
            assert_eq!(current.version, 1);
            assert_eq!(current.changed_by.as_deref(), Some("alice"));
        }
        other => panic!("alice's change on a fresh view should apply: {other:?}"),
    }

    let bobs_change = ItemChange {
        uuid: &second_uuid,
        incident_id,
        key: "1.1",
        state: ItemState::NotApplicable,
        author: "bob",
        at: Utc::now(),
        expected_version: Some(0),
    };
    let second = bob.set_item_state(&bobs_change).expect("bob's change");
    match &second {
        Outcome::Conflict(current) => {
            assert_eq!(
                current.changed_by.as_deref(),
                Some("alice"),
                "who got there first"
            );
            assert_eq!(current.state, ItemState::Done);
            assert_eq!(current.version, 1);
        }
        other => panic!("bob's change on a stale view should be refused: {other:?}"),
    }
    // Retrying the same attempt (same UUID) reports the same refusal and
    // records nothing new.
    assert_eq!(bob.set_item_state(&bobs_change).expect("bob's retry"), second);

    let conn = open_db(&db);
    let (state, version, changed_by): (String, i64, String) = conn
        .query_row(
            "SELECT state, version, changed_by FROM checklist_items WHERE incident_id = ?1 AND key = '1.1'",
            [incident_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("item 1.1");
    assert_eq!(
        (state.as_str(), version, changed_by.as_str()),
        ("done", 1, "alice")
    );

    let logged = |uuid: &str| -> Option<(String, String, String)> {
        conn.query_row(
            "SELECT author, json_extract(data, '$.checklist.outcome'), text FROM events WHERE uuid = ?1",
            [uuid],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .expect("query the event log")
    };
    let (author, outcome, _) = logged(&first_uuid).expect("alice's attempt is logged");
    assert_eq!((author.as_str(), outcome.as_str()), ("alice", "applied"));
    let (author, outcome, text) = logged(&second_uuid).expect("bob's refused attempt is logged");
    assert_eq!((author.as_str(), outcome.as_str()), ("bob", "conflict"));
    assert!(
        text.contains("alice"),
        "the refusal says who changed it first: {text:?}"
    );
    let checklist_events: i64 = conn
        .query_row(
            "SELECT count(*) FROM events WHERE kind = 'checklist_change' AND incident_id = ?1",
            [incident_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        checklist_events, 2,
        "two attempts, two events, the retry adds none"
    );
}

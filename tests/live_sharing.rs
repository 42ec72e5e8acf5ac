//! Many responders on one database, on either engine: consoles that see
//! each other and each other's changes live (SQLite: the file watch;
//! PostgreSQL: LISTEN/NOTIFY), command-line writers racing on the same item
//! and severity, and the store's compare-and-set refusing a change made on a
//! stale view.

mod common;

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use chrono::Utc;

use common::engines::{Db, Engine};
use common::pty::{Console, Present, WAIT, account};
use common::{ok, warroom};
use warroom::domain::{ItemState, Severity};
use warroom::store::{ItemChange, OpenMode, Outcome, SeverityChange, Store};

/// Presence is written every 2 s; a console may take a while to start on a
/// loaded machine.
const PRESENCE_WAIT: Duration = Duration::from_secs(20);
/// A console that stopped beating is dropped after 6 s (plus up to a 1 s
/// clock tick to redraw); the rest is slack for a loaded machine.
const GONE_WAIT: Duration = Duration::from_secs(20);

const COMPOSER: &str = " Note — Enter adds";

/// A table's name as the superuser's SQL must spell it.
fn table(db: &Db, name: &str) -> String {
    match db.engine {
        Engine::Sqlite => name.to_string(),
        Engine::Postgres => format!("warroom.{name}"),
    }
}

/// SQL for `data`'s `section.field` (a JSON text on both engines).
fn data_field(db: &Db, section: &str, field: &str) -> String {
    match db.engine {
        Engine::Sqlite => format!("json_extract(data, '$.{section}.{field}')"),
        Engine::Postgres => format!("(data::json -> '{section}' ->> '{field}')"),
    }
}

/// Rows of text from the superuser's SQL; NULL as "".
fn rows(db: &Db, sql: &str) -> Vec<Vec<String>> {
    db.superuser_sql(sql)
        .into_iter()
        .map(|row| row.into_iter().map(Option::unwrap_or_default).collect())
        .collect()
}

fn number(text: &str) -> i64 {
    text.parse().unwrap_or_else(|_| panic!("a number: {text:?}"))
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

/// The terminals with a presence row in the database (live or not).
fn presence_rows(db: &Db) -> Vec<String> {
    let sql = format!("SELECT terminal FROM {} ORDER BY terminal", table(db, "presence"));
    rows(db, &sql).into_iter().map(|mut row| row.remove(0)).collect()
}

on_both_engines! {
    fn two_consoles_see_each_other(db: &Db) {
        let db_path = db.path();
        ok(db_path, &["declare", "--severity", "P1", "Payments queue stuck"]);
        let me = account();

        let mut a = Console::spawn(db_path, 120, 40, &[]);
        let mut b = Console::spawn(db_path, 120, 40, &[]);
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
        let seen_in = b.wait_until_within(WAIT, "A's note in B", |screen| screen.contains("queue drained by A"));
        eprintln!("A's note reached B {seen_in:?} after A's composer closed");

        // A tick in B shows up in A, attributed.
        // (The selection opens on the current phase's first item, p1.1.)
        b.wait_for("[ ] p1.1");
        b.send(" ");
        b.wait_for("[x] p1.1");
        a.wait_for("[x] p1.1");
        let row = a.row_with("[x] p1.1").expect("p1.1's row on A");
        assert!(row.contains(&me), "A should say who ticked p1.1: {row:?}");

        // A note from the command line shows up in both.
        ok(db_path, &["note", "from the cli"]);
        a.wait_for("from the cli");
        b.wait_for("from the cli");

        // B dies without a goodbye: its presence row stays, and A stops listing
        // it once it is stale.
        let status = b.kill_9();
        eprintln!("console B ended: {status}");
        assert!(
            presence_rows(db).contains(&term_b),
            "a console killed with SIGKILL cannot remove its presence row"
        );
        let gone_after = wait_for_presence(&a, "A", &[present(&me, &term_a)], GONE_WAIT);
        eprintln!("presence: A stopped listing the killed console after {gone_after:?}");

        a.send("q");
        let status = a.wait_exit(WAIT);
        assert!(status.success(), "q should exit with 0, got {status}");
        assert!(
            !presence_rows(db).contains(&term_a),
            "a console that quits should take its presence row away"
        );
    }
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

fn attempts(db: &Db, kind: &str, section: &str, filter: &str) -> Vec<Attempt> {
    let sql = format!(
        "SELECT id, {}, {}, {} FROM {} WHERE kind = '{kind}' {filter} ORDER BY id",
        data_field(db, section, "from"),
        data_field(db, section, "to"),
        data_field(db, section, "outcome"),
        table(db, "events"),
    );
    rows(db, &sql)
        .into_iter()
        .map(|row| Attempt {
            id: number(&row[0]),
            from: row[1].clone(),
            to: row[2].clone(),
            outcome: row[3].clone(),
        })
        .collect()
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

on_both_engines! {
    fn racing_writers_keep_every_attempt_and_the_last_intent_wins(db: &Db) {
        const N: usize = 40;
        let incident_id: i64 = number(ok(db.path(), &["declare", "--severity", "P1", "Racing writers"]).trim());

        // Each writer alternates between its two commands, N invocations in all.
        let writer = |commands: [Vec<&'static str>; 2]| {
            let db = db.path().to_path_buf();
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
        if db.engine == Engine::Sqlite {
            assert_eq!(rows(db, "PRAGMA integrity_check"), vec![vec!["ok".to_string()]]);
        }

        let checks = attempts(
            db,
            "checklist_change",
            "checklist",
            &format!("AND {} = '1.1'", data_field(db, "checklist", "key")),
        );
        let severities = attempts(db, "severity_change", "severity", "");
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
        let all_checks = rows(
            db,
            &format!("SELECT count(*) FROM {} WHERE kind = 'checklist_change'", table(db, "events")),
        );
        assert_eq!(number(&all_checks[0][0]) as usize, N, "no checklist event for another item");
        assert!(
            checks.iter().chain(&severities).all(|a| a.outcome != "conflict"),
            "the command line sends no expected version, so nothing conflicts"
        );

        let item = rows(
            db,
            &format!(
                "SELECT state, version FROM {} WHERE incident_id = {incident_id} AND key = '1.1'",
                table(db, "checklist_items")
            ),
        );
        let (state, item_version) = (item[0][0].clone(), number(&item[0][1]));
        let incident = rows(
            db,
            &format!("SELECT severity, version FROM {} WHERE id = {incident_id}", table(db, "incidents")),
        );
        let (severity, incident_version) = (incident[0][0].clone(), number(&incident[0][1]));

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
}

/// The author, outcome and text logged for the attempt with `uuid`, if any.
fn logged(db: &Db, section: &str, uuid: &str) -> Option<(String, String, String)> {
    let sql = format!(
        "SELECT author, {}, text FROM {} WHERE uuid = '{uuid}'",
        data_field(db, section, "outcome"),
        table(db, "events")
    );
    rows(db, &sql)
        .pop()
        .map(|row| (row[0].clone(), row[1].clone(), row[2].clone()))
}

fn count_events(db: &Db, kind: &str, incident_id: i64) -> i64 {
    let sql = format!(
        "SELECT count(*) FROM {} WHERE kind = '{kind}' AND incident_id = {incident_id}",
        table(db, "events")
    );
    number(&rows(db, &sql)[0][0])
}

on_both_engines! {
    fn compare_and_set_refuses_a_stale_checklist_change(db: &Db) {
        let incident_id = number(ok(db.path(), &["declare", "CAS on one item"]).trim());

        // Two responders who both looked at 1.1 while it was at version 0.
        let mut alice = Store::open(db.location(), OpenMode::Existing).expect("alice opens the database");
        let mut bob = Store::open(db.location(), OpenMode::Existing).expect("bob opens the database");
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

        let item = rows(
            db,
            &format!(
                "SELECT state, version, changed_by FROM {} WHERE incident_id = {incident_id} AND key = '1.1'",
                table(db, "checklist_items")
            ),
        );
        assert_eq!(item, vec![vec!["done".to_string(), "1".into(), "alice".into()]]);

        let (author, outcome, _) = logged(db, "checklist", &first_uuid).expect("alice's attempt is logged");
        assert_eq!((author.as_str(), outcome.as_str()), ("alice", "applied"));
        let (author, outcome, text) = logged(db, "checklist", &second_uuid).expect("bob's refused attempt is logged");
        assert_eq!((author.as_str(), outcome.as_str()), ("bob", "conflict"));
        assert!(
            text.contains("alice"),
            "the refusal says who changed it first: {text:?}"
        );
        assert_eq!(
            count_events(db, "checklist_change", incident_id),
            2,
            "two attempts, two events, the retry adds none"
        );
    }
}

on_both_engines! {
    fn compare_and_set_refuses_a_stale_severity_change(db: &Db) {
        let incident_id = number(ok(db.path(), &["declare", "--severity", "P2", "CAS on severity"]).trim());

        // Two responders racing from the same view (the incident at version 1),
        // each from a thread of its own, both released at once.
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let racer = |author: &'static str, severity: Severity| {
            let (location, barrier) = (db.location(), std::sync::Arc::clone(&barrier));
            thread::spawn(move || {
                let mut store = Store::open(location, OpenMode::Existing).expect("open the database");
                let uuid = uuid::Uuid::new_v4().to_string();
                barrier.wait();
                let outcome = store
                    .set_severity(&SeverityChange {
                        uuid: &uuid,
                        incident_id,
                        severity,
                        reason: "racing",
                        author,
                        at: Utc::now(),
                        expected_version: Some(1),
                    })
                    .expect("a severity change");
                (author, uuid, outcome)
            })
        };
        let a = racer("alice", Severity::P0);
        let b = racer("bob", Severity::P3);
        let results = [a.join().expect("alice"), b.join().expect("bob")];

        let winners: Vec<_> = results
            .iter()
            .filter(|(_, _, o)| matches!(o, Outcome::Changed { .. }))
            .collect();
        let losers: Vec<_> = results
            .iter()
            .filter(|(_, _, o)| matches!(o, Outcome::Conflict(_)))
            .collect();
        assert_eq!((winners.len(), losers.len()), (1, 1), "one wins, one conflicts: {results:?}");
        let (winner, winner_uuid, won) = winners[0];
        let (loser, loser_uuid, lost) = losers[0];
        let Outcome::Changed { current, from } = won else { unreachable!() };
        assert_eq!((*from, current.version), (Severity::P2, 2));
        let Outcome::Conflict(current_for_loser) = lost else { unreachable!() };
        assert_eq!(current_for_loser.severity, current.severity, "the loser is told what won");
        assert_eq!(current_for_loser.version, 2);

        let incident = rows(
            db,
            &format!("SELECT severity, version FROM {} WHERE id = {incident_id}", table(db, "incidents")),
        );
        assert_eq!(incident, vec![vec![current.severity.to_string(), "2".to_string()]]);
        let (author, outcome, _) = logged(db, "severity", winner_uuid).expect("the winner is logged");
        assert_eq!((author.as_str(), outcome.as_str()), (*winner, "applied"));
        let (author, outcome, _) = logged(db, "severity", loser_uuid).expect("the loser is logged");
        assert_eq!((author.as_str(), outcome.as_str()), (*loser, "conflict"));
        assert_eq!(count_events(db, "severity_change", incident_id), 2);
    }
}

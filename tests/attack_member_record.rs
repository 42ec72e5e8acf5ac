//! A hostile member of the war-room group rewrites the record straight in
//! the shared file (the sqlite3 shell, as that member's own account) — an
//! update, a delete, an insert, a reorder, a recomputed chain, a cut-off
//! tail, a new identity — and another member's `warroom verify` names the
//! first altered event; a console shows TAMPERED. A database removed or
//! replaced under a running console is noticed before a note goes astray.
//!
//! Needs root to make throwaway accounts (CI runs as root); prints SKIPPED
//! otherwise.

mod common;

use common::succeeded;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::accounts::{Account, TempGroup, shared_room, skipped_unless_root};
use common::pty::Console;
use common::{BIN, chain_values, temp_dir};
use rusqlite::Connection;
use serde_json::Value;

/// A shared war room: alice (hostile, writes the file directly), bob (a
/// responder who has looked at the record), carol (who never looked).
struct WarRoom {
    db: PathBuf,
    alice: Account,
    bob: Account,
    carol: Account,
    group: TempGroup,
    _dir: tempfile::TempDir,
}

fn run(cmd: &mut std::process::Command) -> Output {
    cmd.output().expect("run a command")
}

/// Declares an incident with five notes as alice (events #1–#6), then bob
/// looks at it.
fn war_room() -> WarRoom {
    let group = TempGroup::new("g");
    let alice = Account::new("a", &[&group]);
    let bob = Account::new("b", &[&group]);
    let carol = Account::new("c", &[&group]);
    let dir = temp_dir();
    let (_, db) = shared_room(dir.path(), &group);
    succeeded(
        &run(alice.warroom(&db).args(["declare", "-s", "P1", "Checkout down"])),
        "declare",
    );
    for n in 1..=5 {
        succeeded(
            &run(alice.warroom(&db).args(["note", &format!("note {n}")])),
            "note",
        );
    }
    succeeded(&run(bob.warroom(&db).arg("show")), "bob's show");
    WarRoom {
        db,
        alice,
        bob,
        carol,
        group,
        _dir: dir,
    }
}

/// Runs SQL on the shared file as `account`, with the sqlite3 shell.
fn sql_as(account: &Account, db: &Path, sql: &str) {
    succeeded(
        &run(account.command("sqlite3").arg(db).arg(sql)),
        &format!("sqlite3 {sql}"),
    );
}

/// `warroom verify --json` as `account`: its exit status and report.
fn verify_as(account: &Account, db: &Path) -> (i32, Value) {
    let out = run(account.warroom(db).args(["verify", "--json"]));
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "verify --json printed no JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

/// The event id `verify` names in `section` (chain_break or seen_break).
fn named(report: &Value, section: &str) -> Option<i64> {
    report[section]["event_id"].as_i64()
}

#[test]
fn an_untouched_record_verifies_for_everyone() {
    if skipped_unless_root("an_untouched_record_verifies_for_everyone") {
        return;
    }
    let room = war_room();
    let out = run(room.carol.warroom(&room.db).arg("export"));
    let export = String::from_utf8_lossy(&out.stdout);
    let head = export.trim_end().lines().last().unwrap().to_string();
    assert!(
        head.starts_with("record verified: 6 events, chain head "),
        "{export}"
    );
    for account in [&room.alice, &room.bob, &room.carol] {
        let (status, report) = verify_as(account, &room.db);
        assert!(
            head.ends_with(report["chain_head"].as_str().unwrap()),
            "{head} / {report}"
        );
        assert_eq!(status, 0, "{report}");
        assert_eq!(report["intact"], true);
        assert_eq!(report["events"], 6);
        assert_eq!(report["head_id"], 6);
    }
    // Bob looked before this verify; carol had not.
    let (_, bob) = verify_as(&room.bob, &room.db);
    assert_eq!(bob["seen_up_to"], 6);
}

/// Each kind of direct rewrite, and the first event `verify` must name.
#[test]
fn verify_names_the_first_altered_event_for_each_kind_of_rewrite() {
    if skipped_unless_root("verify_names_the_first_altered_event_for_each_kind_of_rewrite") {
        return;
    }
    let cases: &[(&str, &str, i64)] = &[
        ("update", "UPDATE events SET author = 'bob', text = 'all fine' WHERE id = 3", 3),
        ("update of the data only", "UPDATE events SET pinned = 1 WHERE id = 4", 4),
        ("delete", "DELETE FROM events WHERE id = 3", 3),
        ("delete of two", "DELETE FROM events WHERE id IN (3, 4)", 3),
        (
            "insert in the middle",
            "UPDATE events SET id = -id WHERE id >= 3;
             UPDATE events SET id = 1 - id WHERE id < 0;
             INSERT INTO events (id, uuid, incident_id, kind, occurred_at, recorded_at, author, text)
             SELECT 3, 'forged', incident_id, 'note', occurred_at, recorded_at, 'carol', 'I approved it'
               FROM events WHERE id = 2",
            3,
        ),
        (
            "insert at the end with a made-up chain value",
            "INSERT INTO events (id, uuid, incident_id, kind, occurred_at, recorded_at, author, text, chain)
             SELECT 7, 'forged', incident_id, 'note', occurred_at, recorded_at, 'carol', 'rollback approved', randomblob(32)
               FROM events WHERE id = 6",
            7,
        ),
        (
            "reorder",
            "UPDATE events SET id = -3 WHERE id = 3;
             UPDATE events SET id = 3 WHERE id = 4;
             UPDATE events SET id = 4 WHERE id = -3",
            3,
        ),
        ("chain value erased", "UPDATE events SET chain = NULL WHERE id = 5", 5),
    ];
    for (kind, sql, first) in cases {
        let room = war_room();
        sql_as(&room.alice, &room.db, sql);
        for account in [&room.bob, &room.carol] {
            let (status, report) = verify_as(account, &room.db);
            assert_eq!(status, 1, "{kind}: verify must fail: {report}");
            assert_eq!(report["intact"], false, "{kind}");
            assert_eq!(named(&report, "chain_break"), Some(*first), "{kind}: {report}");
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Rewrites event #3 and recomputes every chain value after it, as alice.
fn rewrite_and_recompute(room: &WarRoom) {
    sql_as(
        &room.alice,
        &room.db,
        "UPDATE events SET text = 'rollback was approved by bob' WHERE id = 3",
    );
    let updates: String = chain_values(&room.db)
        .iter()
        .map(|(id, value)| format!("UPDATE events SET chain = X'{}' WHERE id = {id};", hex(value)))
        .collect();
    sql_as(&room.alice, &room.db, &updates);
}

#[test]
fn a_recomputed_chain_is_caught_by_whoever_had_looked() {
    if skipped_unless_root("a_recomputed_chain_is_caught_by_whoever_had_looked") {
        return;
    }
    let room = war_room();
    rewrite_and_recompute(&room);

    // The chain alone holds again: carol, who never looked, cannot tell.
    let (status, carol) = verify_as(&room.carol, &room.db);
    assert_eq!(status, 0, "the trust model's limit: {carol}");
    assert_eq!(carol["intact"], true);

    // Bob saw events #1–#6 before the rewrite.
    let (status, bob) = verify_as(&room.bob, &room.db);
    assert_eq!(status, 1, "{bob}");
    assert_eq!(bob["chain_break"], Value::Null, "{bob}");
    assert_eq!(bob["extends_what_you_saw"], false);
    assert_eq!(named(&bob, "seen_break"), Some(3), "{bob}");

    // doctor runs the same check; the export says it was not verified.
    let out = run(room.bob.warroom(&room.db).arg("doctor"));
    let doctor = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{doctor}");
    assert!(
        doctor.contains("FAIL  record altered: event #3 is no longer what this account saw"),
        "{doctor}"
    );
    let out = run(room.bob.warroom(&room.db).arg("export"));
    let export = String::from_utf8_lossy(&out.stdout);
    assert!(
        export
            .trim_end()
            .lines()
            .last()
            .unwrap()
            .starts_with("record NOT verified: event #3"),
        "{export}"
    );

    // Every command bob runs says so, and still works.
    let out = run(room.bob.warroom(&room.db).arg("show"));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("warning: the record in")
            && said.contains("event #3 is no longer what this account saw"),
        "{said}"
    );
}

#[test]
fn a_cut_off_tail_or_a_new_identity_is_caught_by_whoever_had_looked() {
    if skipped_unless_root("a_cut_off_tail_or_a_new_identity_is_caught_by_whoever_had_looked") {
        return;
    }
    let room = war_room();
    sql_as(&room.alice, &room.db, "DELETE FROM events WHERE id = 6");
    let (status, carol) = verify_as(&room.carol, &room.db);
    assert_eq!((status, &carol["intact"]), (0, &Value::Bool(true)), "{carol}");
    let (status, bob) = verify_as(&room.bob, &room.db);
    assert_eq!(status, 1, "{bob}");
    assert_eq!(named(&bob, "seen_break"), Some(6), "{bob}");
    assert!(
        bob["seen_break"]["problem"]
            .as_str()
            .unwrap()
            .contains("up to #6"),
        "{bob}"
    );

    let room = war_room();
    sql_as(
        &room.alice,
        &room.db,
        "UPDATE meta SET value = 'another' WHERE key = 'database_id'",
    );
    let (status, bob) = verify_as(&room.bob, &room.db);
    assert_eq!(status, 1, "{bob}");
    assert!(
        bob["seen_break"]["problem"]
            .as_str()
            .unwrap()
            .contains("not the database this account saw"),
        "{bob}"
    );
}

/// `warroom --db DB` as `account` in a 120×34 pseudo-terminal.
fn console_as(account: &Account, db: &Path) -> Console {
    let mut args: Vec<String> = account.setpriv_args();
    args.extend([BIN.to_string(), "--db".into(), db.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let env: Vec<(&str, String)> = account.environment();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Console::spawn_program("setpriv", &args, &account.home, 120, 34, &env)
}

#[test]
fn the_console_shows_tampered_with_the_first_bad_event() {
    if skipped_unless_root("the_console_shows_tampered_with_the_first_bad_event") {
        return;
    }
    let room = war_room();
    let console = console_as(&room.bob, &room.db);
    console.wait_for("Checkout down");
    assert!(!console.screen_text().contains("TAMPERED"));
    // A rewrite with the chain recomputed, while bob's console is open: the
    // newest event no longer has the value the console saw.
    rewrite_and_recompute(&room);
    console.wait_for("TAMPERED #3");
    console.wait_for("event #3 is no longer what this account saw");
    drop(console);

    // A plain edit of an old event is found by the whole walk at start.
    sql_as(
        &room.alice,
        &room.db,
        "UPDATE events SET text = 'nothing happened' WHERE id = 5",
    );
    let console = console_as(&room.bob, &room.db);
    console.wait_for("TAMPERED #5");
}

/// The console's note, and whether each file holds it.
fn notes_in(db: &Path, text: &str) -> i64 {
    Connection::open(db)
        .unwrap()
        .query_row("SELECT count(*) FROM events WHERE text = ?1", [text], |r| {
            r.get(0)
        })
        .unwrap()
}

#[test]
fn a_console_whose_database_is_replaced_stops_writing_and_keeps_the_note() {
    if skipped_unless_root("a_console_whose_database_is_replaced_stops_writing_and_keeps_the_note") {
        return;
    }
    let room = war_room();
    let mut console = console_as(&room.bob, &room.db);
    console.wait_for("Checkout down");

    // The files are moved away and a new war room declared on the same
    // path (root can, whatever the folder's sticky bit).
    let moved = room.db.with_extension("old");
    for side in ["", "-wal", "-shm"] {
        let from = format!("{}{side}", room.db.display());
        std::fs::rename(&from, format!("{}{side}", moved.display())).unwrap();
    }
    let folder = room.db.parent().unwrap();
    let group = &room.group.name;
    succeeded(
        &run(std::process::Command::new(BIN)
            .args(["init", "--shared"])
            .arg(folder)
            .args(["--group", group])),
        "init --shared again",
    );
    succeeded(
        &run(room.alice.warroom(&room.db).args(["declare", "Another one"])),
        "declare again",
    );
    console.wait_for("DATABASE GONE");
    assert!(console.screen_text().contains("NOT SAVING"));

    console.send("n");
    console.wait_for(" Note — Enter adds");
    console.send("db primary failed over at 03:12");
    console.send("\r");
    console.wait_for("Not saved (kept as a draft)");
    let text = "db primary failed over at 03:12";
    assert_eq!(notes_in(&moved, text), 0, "written into the moved-away file");
    assert_eq!(notes_in(&room.db, text), 0, "written into the new file unseen");

    // Reopening attaches to the file now at the path; the draft goes there.
    console.send_esc();
    console.send(":reload\r");
    console.wait_gone("DATABASE GONE");
    console.wait_for("Another one");
    console.send("n");
    console.wait_for(text);
    console.send("\r");
    console.wait_for("Note added");
    assert_eq!(notes_in(&room.db, text), 1);
    // The file at the path is not the record bob saw there: he is told.
    assert!(
        console
            .screen_text()
            .contains("not the database this account saw")
    );
    assert_eq!(notes_in(&moved, text), 0);
}

#[test]
fn an_old_database_gets_its_chain_from_the_migration() {
    if skipped_unless_root("an_old_database_gets_its_chain_from_the_migration") {
        return;
    }
    let room = war_room();
    // Back to schema 4, as a database written before the chain existed
    // (and before the pins table of schema 6, the host columns of 7 and the
    // search index of 8).
    let conn = Connection::open(&room.db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER events_search_add; DROP TABLE events_search;
         ALTER TABLE events DROP COLUMN chain; ALTER TABLE events DROP COLUMN host;
         ALTER TABLE presence DROP COLUMN host; DROP TABLE meta; DROP TABLE pins;
         PRAGMA user_version = 4;",
    )
    .unwrap();
    drop(conn);
    let (status, report) = verify_as(&room.carol, &room.db);
    assert_eq!(status, 0, "{report}");
    assert_eq!(report["events"], 6);
    assert_eq!(report["intact"], true);
    // Bob had looked at this file before it was taken back to schema 4: the
    // identity the migration gives it is new to him, and he is told.
    let (status, bob) = verify_as(&room.bob, &room.db);
    assert_eq!(status, 1, "{bob}");
    assert_eq!(bob["chain_break"], Value::Null, "{bob}");
}

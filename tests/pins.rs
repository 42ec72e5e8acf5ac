//! Every entry reachable: a timeline cursor, pins recorded as events (never
//! by changing the pinned entry's row), decisions from a key, and an entry
//! opened whole. Driven through the real binary in a pty, with a second
//! console on the same file, and through the store for retries.

mod common;

use std::path::Path;

use common::pty::{Console, account};
use common::{ok, show_json};
use regex::Regex;
use warroom::command::{self, Attempt, Write};
use warroom::domain::{EntryKind, Milestones, Severity};
use warroom::store::{NewEntry, NewIncident, OpenMode, Store};
use warroom::view::IncidentView;

const IMPACT_NOTE: &str = "EU customers cannot pay: 40% of checkouts fail";

/// The Impact section of `warroom export`.
fn impact(db: &Path) -> String {
    let export = ok(db, &["export"]);
    let start = export.find("## Impact").expect("an Impact section");
    let rest = &export[start + 1..];
    let end = rest.find("\n## ").map_or(rest.len(), |e| e);
    rest[..end].to_string()
}

/// The console's row of the note itself (not a pin event quoting it), if
/// its pinned marker `*` stands before the time.
fn note_row_pinned(console: &Console) -> Option<bool> {
    let row = Regex::new(&format!(r"([ *])\d\d:\d\d {} +{IMPACT_NOTE}", account())).unwrap();
    row.captures(&console.screen_text()).map(|c| &c[1] == "*")
}

on_both_engines! {
    fn pin_unpin_and_decide_from_the_console_reach_a_second_console_and_the_export(db: &Db) {
        let path = db.path();
        ok(path, &["declare", "--severity", "P1", "Checkout down in EU"]);
        ok(path, &["note", IMPACT_NOTE]);
        ok(path, &["note", "Rollback of deploy 4812 started"]);
        let mut commander = Console::spawn(path, 120, 34, &[]);
        let other = Console::spawn(path, 120, 34, &[]);
        commander.wait_for("Rollback of deploy 4812 started");
        other.wait_for("Rollback of deploy 4812 started");
        assert_eq!(note_row_pinned(&other), Some(false), "{}", other.dump());

        // Tab to the timeline: the newest entry is selected; k selects the one before.
        commander.send("\t");
        commander.wait_until("the newest entry selected", |s| {
            s.contains("▶ ")
                && s.lines()
                    .any(|l| l.contains('▶') && l.contains("Rollback of deploy"))
        });
        commander.send("k");
        commander.wait_until("the impact note selected", |s| {
            s.lines().any(|l| l.contains('▶') && l.contains(IMPACT_NOTE))
        });
        commander.send("p");
        let pinned = format!("Pinned #2 ({}): {IMPACT_NOTE}", account());
        // Said on the message line; on the other console's timeline, wrapped.
        commander.wait_for(&pinned);
        other.wait_for(&format!("sys Pinned #2 ({}): EU customers", account()));
        other.wait_until("the note marked pinned on the second console", |_| {
            note_row_pinned(&other) == Some(true)
        });
        // The pin is an event of its own, attributed; the note's row is as written.
        let timeline = show_json(path, "1")["timeline"].as_array().unwrap().clone();
        let pin_event = timeline.last().unwrap();
        assert_eq!(pin_event["kind"], "system");
        assert_eq!(pin_event["author"], account().as_str());
        assert_eq!(pin_event["text"], pinned.as_str());
        assert_eq!(timeline[1]["pinned"], true);
        let row_flag = db.superuser_sql("SELECT pinned FROM events WHERE id = 2");
        assert_eq!(row_flag, [[Some("0".to_string())]], "the pinned entry's own row was changed");
        assert!(impact(path).contains(IMPACT_NOTE), "{}", impact(path));

        // A decision from its key, seen on the other console.
        commander.send("D");
        commander.wait_for(" Decision — Enter records");
        commander.send("Roll back deploy 4812 in eu-west-1 first");
        commander.send("\r");
        other.wait_until("the decision on the second console", |s| {
            s.contains("DECIDE Roll back deploy 4812 in eu-west-1 first")
        });

        // The selection stayed on the note as entries arrived: p unpins it.
        commander.wait_until("the note still selected", |s| {
            s.lines().any(|l| l.contains('▶') && l.contains(IMPACT_NOTE))
        });
        commander.send("p");
        commander.wait_for(&format!("Unpinned #2 ({}): {IMPACT_NOTE}", account()));
        other.wait_for(&format!("sys Unpinned #2 ({}): EU customers", account()));
        other.wait_until("the pinned marker gone on the second console", |_| {
            note_row_pinned(&other) == Some(false)
        });
        assert!(!impact(path).contains(IMPACT_NOTE), "{}", impact(path));
        assert_eq!(show_json(path, "1")["timeline"][1]["pinned"], false);
        let decision = show_json(path, "1")["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == "decision")
            .cloned()
            .expect("the decision in the record");
        assert_eq!(decision["text"], "Roll back deploy 4812 in eu-west-1 first");

        // The chain holds: pins appended, nothing rewritten.
        let verify = ok(path, &["verify"]);
        assert!(verify.contains("Chain:      intact"), "{verify}");
        assert!(verify.contains("6 events"), "{verify}");
    }
}

on_both_engines! {
    fn pin_from_the_command_line_and_the_colon_line(db: &Db) {
        let db = db.path();
        ok(db, &["declare", "--severity", "P2", "Disk full on db-2"]);
        ok(db, &["note", "db-2 at 100% since 02:10"]);
        assert_eq!(
            ok(db, &["pin", "2"]).trim(),
            format!("Pinned #2 ({}): db-2 at 100% since 02:10", account())
        );
        let again = common::fails(db, &["pin", "#2"]);
        assert_eq!(common::stderr(&again).trim(), "error: entry #2 is already pinned");
        let mut console = Console::spawn(db, 100, 30, &[]);
        console.wait_for("db-2 at 100%");
        console.send(":unpin #2\r");
        console.wait_for(&format!("Unpinned #2 ({}): db-2 at 100% since 02:10", account()));
        assert_eq!(show_json(db, "1")["timeline"][1]["pinned"], false);
        console.send(":pin 7\r");
        console.wait_for("incident 1 has no entry #7");
    }
}

on_both_engines! {
    fn a_sixty_line_entry_opens_whole_and_scrolls(db: &Db) {
        let db = db.path();
        ok(db, &["declare", "--severity", "P2", "Slow search"]);
        let text: String = (1..=60)
            .map(|n| format!("line {n:02} of the pasted log\n"))
            .collect();
        let mut note = common::warroom(db)
            .args(["note", "-"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        note.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        assert!(note.wait().unwrap().success());

        let mut console = Console::spawn(db, 80, 24, &[]);
        console.wait_for("line 60 of the pasted log");
        console.send("\t");
        console.send("\r");
        console.wait_for("Entry #2");
        // The facts, a blank line, then the text from its first line.
        console.wait_for("line 01 of the pasted log");
        assert!(!console.screen_text().contains("line 60"), "{}", console.dump());
        let page_down = b"\x1b[6~";
        for _ in 0..4 {
            console.send(page_down);
        }
        // A page is the 10 lines; 19 rows fit at 80×24: lines 39 to 57 of the text.
        console.wait_for("lines 41–59 of 62");
        assert_eq!(
            text_lines_shown(&console),
            (39..=57).collect::<Vec<_>>(),
            "{}",
            console.dump()
        );
        for _ in 0..3 {
            console.send(page_down);
        }
        // It stops with the last line at the top.
        console.wait_for("lines 62–62 of 62");
        assert_eq!(text_lines_shown(&console), vec![60], "{}", console.dump());
        console.send("k");
        console.wait_for("lines 61–62 of 62");
        assert_eq!(text_lines_shown(&console), vec![59, 60], "{}", console.dump());
        console.send_esc();
        console.wait_gone("Entry #2");
    }
}

/// The numbers of the pasted log's lines on screen, top to bottom.
fn text_lines_shown(console: &Console) -> Vec<usize> {
    Regex::new(r"line (\d\d) of the pasted log")
        .unwrap()
        .captures_iter(&console.screen_text())
        .map(|c| c[1].parse().unwrap())
        .collect()
}

on_both_engines! {
    /// A pin sent again under its UUID (after an uncertain failure) is applied
    /// once, even after the entry was unpinned in between.
    fn a_retried_pin_applies_once(db: &Db) {
        let mut store = Store::open(db.location(), OpenMode::Create).unwrap();
        let id = store
            .declare(&NewIncident::with_default_runbook(
                "incident",
                "Disk full",
                Severity::P2,
                Milestones::new(chrono::Utc::now()),
                "alice",
            ))
            .unwrap();
        let note = store
            .add_entry(
                id,
                &NewEntry {
                    uuid: "note".into(),
                    kind: EntryKind::Note,
                    occurred_at: chrono::Utc::now(),
                    author: "bob".into(),
                    text: "db-2 full".into(),
                    pinned: false,
                },
            )
            .unwrap();
        let attempt = |uuid: &str, pinned| Attempt {
            uuid: uuid.into(),
            incident_id: id,
            write: Write::Pin {
                entry: note.id,
                pinned,
            },
            seen_version: None,
        };
        let pinned_now = |store: &mut Store| store.incident_record(id).unwrap().timeline[1].pinned;
        let first = command::apply(&mut store, &attempt("pin-1", true), "carol").unwrap();
        assert_eq!(first.text, "Pinned #2 (bob): db-2 full");
        let again = command::apply(&mut store, &attempt("pin-1", true), "carol").unwrap();
        assert_eq!(again.text, first.text);
        assert!(pinned_now(&mut store));
        // The view the export and panes read counts a pin made after the fact.
        let record = store.incident_record(id).unwrap();
        let pinned: Vec<i64> = IncidentView::new(&record, None).pinned().map(|e| e.id).collect();
        assert_eq!(pinned, [note.id]);
        command::apply(&mut store, &attempt("unpin-1", false), "carol").unwrap();
        // The first pin retried late: already logged, so nothing happens.
        command::apply(&mut store, &attempt("pin-1", true), "carol").unwrap();
        assert!(!pinned_now(&mut store));
        let record = store.incident_record(id).unwrap();
        let pins: Vec<&str> = record.timeline[2..].iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            pins,
            ["Pinned #2 (bob): db-2 full", "Unpinned #2 (bob): db-2 full"]
        );
        assert!(record.timeline[2..].iter().all(|e| e.author == "carol"));
    }
}

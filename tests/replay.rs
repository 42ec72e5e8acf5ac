//! Replay (issue #15): `warroom replay ID` plays a finished (or running)
//! incident back, read-only, in the real binary in a pseudo-terminal on
//! both engines: the demo at ×60 fills its checklist in the order the demo
//! ticked it; a step moves exactly one event; pause stops the clock; every
//! write key says so and nothing is written; `q` restores the terminal.
//! Refusals from the command line, and the console's state machine for
//! what needs no terminal (the help, the timeline paged from memory).

mod common;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use common::engines::Db;
use common::pty::Console;
use common::{fails, ok, show_json, stderr};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use warroom::app::{App, Event};
use warroom::domain::EntryKind;
use warroom::domain::replay::Replay;
use warroom::store::{NewEntry, NewIncident, OpenMode, Store};

const RIGHT: &str = "\x1b[C";
const LEFT: &str = "\x1b[D";

/// The demo's checklist ticks as `assets/demo.json` tells them: for each
/// minute with ticks, how many items are done by then and the last ticked.
fn demo_ticks() -> Vec<(usize, String)> {
    let story: serde_json::Value = serde_json::from_str(warroom::demo::DEMO_DATA).unwrap();
    let mut ticks: Vec<(i64, usize, String)> = Vec::new();
    let mut done = 0;
    for step in story["steps"].as_array().unwrap() {
        if let Some(key) = step["check"].as_str() {
            done += 1;
            let minute = step["at"].as_i64().unwrap();
            match ticks.last_mut() {
                Some(last) if last.0 == minute => *last = (minute, done, key.to_string()),
                _ => ticks.push((minute, done, key.to_string())),
            }
        }
    }
    ticks.into_iter().map(|(_, done, key)| (done, key)).collect()
}

/// The number after `label` on the screen's second row (a pane's title:
/// `Checklist 6/36`, `Timeline 20`).
fn title_number(console: &Console, label: &str) -> Option<usize> {
    let row = console.rows().get(1)?.clone();
    let after = &row[row.find(label)? + label.len()..];
    after
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

fn checklist_done(console: &Console) -> Option<usize> {
    title_number(console, "Checklist ")
}

fn timeline_count(console: &Console) -> Option<usize> {
    title_number(console, "Timeline ")
}

/// The replay's badge in the header: `REPLAY ×60 ▶ 14:05:30`.
fn badge(console: &Console) -> Option<String> {
    let header = console.rows().first()?.clone();
    let at = header.find("REPLAY ×")?;
    Some(
        header[at..]
            .split_whitespace()
            .take(4)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// The key of the newest "check marked done" entry in the timeline pane.
fn newest_check(console: &Console) -> Option<String> {
    const MARKED: &str = "check marked done ";
    let row = console.rows().into_iter().rev().find(|r| r.contains(MARKED))?;
    let after = &row[row.find(MARKED)? + MARKED.len()..];
    after.split_whitespace().next().map(str::to_string)
}

fn demo_in(db: &Db) -> String {
    warroom::demo::create(db.location(), Utc::now())
        .expect("the demo incident")
        .to_string()
}

/// Quits with `q` and checks the terminal was given back.
fn quit(mut console: Console) {
    console.send("q");
    let status = console.wait_exit(common::pty::WAIT);
    assert!(status.success(), "q should exit with 0, got {status}");
    assert!(!console.alternate_screen(), "the terminal was restored");
}

on_both_engines! {
    /// What the issue checks: the demo at ×60, the checklist's done count
    /// rising as the demo ticked it, with the item each rise ticked.
    fn the_demo_at_speed_60_fills_its_checklist_in_order(db: &Db) {
        let id = demo_in(db);
        let console = Console::spawn_with_args(db.path(), &["replay", &id, "--speed", "60"], 120, 40, &[]);
        console.wait_for("REPLAY ×60 ▶");
        let expected = demo_ticks();
        let mut seen: Vec<(usize, Option<String>)> = Vec::new();
        let mut last_reading = None;
        let deadline = Instant::now() + Duration::from_secs(60);
        // The demo's last tick is 13 minutes after its declaration: 13 s.
        while seen.last().map(|s| s.0) != expected.last().map(|e| e.0) {
            assert!(Instant::now() < deadline, "the checklist stopped at {seen:?}:\n{}", console.dump());
            let reading = checklist_done(&console).map(|done| (done, newest_check(&console)));
            // A frame reaches the terminal in pieces (the count can be
            // drawn before the timeline): a reading counts once two polls
            // in a row agree.
            if reading == last_reading
                && let Some((done, key)) = reading.clone()
                && seen.last().map(|s| s.0) != Some(done)
            {
                seen.push((done, key));
            }
            last_reading = reading;
            std::thread::sleep(common::pty::POLL);
        }
        assert_eq!(seen[0], (0, None), "all open at the declaration");
        let rises: Vec<(usize, String)> = seen[1..]
            .iter()
            .map(|(done, key)| (*done, key.clone().expect("a tick on the timeline")))
            .collect();
        assert_eq!(rises, expected, "every state the demo went through, in its order");
        quit(console);
    }
}

on_both_engines! {
    fn a_step_moves_one_event_and_pause_stops_the_clock(db: &Db) {
        let id = demo_in(db);
        let total = show_json(db.path(), &id)["timeline"].as_array().unwrap().len();
        let mut console = Console::spawn_with_args(db.path(), &["replay", &id, "--speed", "1"], 120, 40, &[]);
        console.wait_for("REPLAY ×1 ▶");
        console.send(" ");
        console.wait_for("REPLAY ×1 ⏸");
        let paused = badge(&console).unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        assert_eq!(badge(&console).unwrap(), paused, "paused, the clock stands");

        // From the declaration (and the alert recorded before it), one
        // event a step, to the last; the ticks in the demo's order.
        let mut shown = timeline_count(&console).unwrap();
        let mut done = checklist_done(&console).unwrap();
        let mut ticked = Vec::new();
        while shown < total {
            console.send(RIGHT);
            console.wait_until("one more entry", |_| timeline_count(&console) == Some(shown + 1));
            shown += 1;
            let now_done = checklist_done(&console).unwrap();
            assert!(now_done - done <= 1, "a step ticks one item at most");
            if now_done > done {
                ticked.push(newest_check(&console).unwrap());
            }
            done = now_done;
        }
        let story: serde_json::Value = serde_json::from_str(warroom::demo::DEMO_DATA).unwrap();
        let demo_order: Vec<&str> = story["steps"].as_array().unwrap().iter().filter_map(|s| s["check"].as_str()).collect();
        assert_eq!(ticked, demo_order);
        console.send(RIGHT);
        console.wait_for("No later event");
        console.send(LEFT);
        console.wait_until("one entry fewer", |_| timeline_count(&console) == Some(total - 1));
        assert!(badge(&console).unwrap().contains('⏸'), "a step pauses");

        // Playing again, the clock moves (×1: a second a second).
        console.send(" ");
        console.wait_for("REPLAY ×1 ▶");
        let playing = badge(&console).unwrap();
        console.wait_until("the clock to move", |_| badge(&console).is_some_and(|b| b != playing && b.contains('▶')));
        // Faster and slower along ×1, ×10, ×60, ×600.
        console.send("+");
        console.wait_for("REPLAY ×10");
        console.send("++");
        console.wait_for("REPLAY ×600");
        console.send("+");
        console.wait_for("×600 is the fastest");
        console.send("-");
        console.wait_for("REPLAY ×60");
        quit(console);
    }
}

on_both_engines! {
    /// Every key that writes in the live console says the replay is
    /// read-only, and nothing reaches the record; the replay shows the
    /// incident as loaded, not what is written meanwhile.
    fn write_keys_say_read_only_and_nothing_is_written(db: &Db) {
        let path = db.path();
        let id = ok(path, &["declare", "--severity", "P2", "Disk full on db-2"]).trim().to_string();
        ok(path, &["note", "cleared /var/log"]);
        ok(path, &["resolve"]);
        let before = show_json(path, &id);
        let mut console = Console::spawn_with_args(path, &["replay", &id], 120, 40, &[]);
        console.wait_for("REPLAY ×60");
        console.send("G");
        console.wait_for("Resolved");
        // The checklist has the keyboard, then the timeline.
        // (A key that moves, j, clears the message before the next.)
        for key in ["n", "u", "D", "s", "x", ":", "\t", "p", "\x1b[200~pasted text\x1b[201~"] {
            console.send(key);
            if key != "\t" {
                console.wait_for("replay: read-only");
                console.send("j");
                console.wait_gone("replay: read-only");
            }
        }
        console.send("/");
        console.wait_for("the replay searches nothing");
        ok(path, &["note", "-i", &id, "written during the replay"]);
        console.send("G");
        std::thread::sleep(Duration::from_millis(600));
        assert!(!console.screen_text().contains("written during the replay"), "read once:\n{}", console.dump());
        quit(console);
        let after = show_json(path, &id);
        let entries = |v: &serde_json::Value| v["timeline"].as_array().unwrap().len();
        assert_eq!(entries(&after), entries(&before) + 1, "only the other process's note");
        assert_eq!(after["checklist"], before["checklist"]);
        assert_eq!(after["severity"], before["severity"]);
    }
}

#[test]
fn bad_arguments_are_refused_before_the_screen() {
    let dir = common::temp_dir();
    let db = common::db_in(&dir);
    let id = ok(&db, &["declare", "Queue backlog"]).trim().to_string();
    let out = fails(&db, &["replay", &id, "--from", "+3h"]);
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    assert!(
        message.starts_with("error: --from: \"+3h\"") && message.contains("outside the replay"),
        "{message}"
    );
    let out = fails(&db, &["replay", &id, "--from", "lunchtime"]);
    assert!(
        stderr(&out).contains("cannot read the time \"lunchtime\""),
        "{}",
        stderr(&out)
    );
    let out = fails(&db, &["replay", "99"]);
    assert!(stderr(&out).contains("no incident 99"), "{}", stderr(&out));
    for speed in ["0", "3601", "fast"] {
        let out = fails(&db, &["replay", &id, "--speed", speed]);
        assert_eq!(out.status.code(), Some(2), "--speed {speed}: {}", stderr(&out));
    }
    let out = fails(&db, &["replay", &id]);
    assert!(
        stderr(&out).contains("the console needs a terminal"),
        "{}",
        stderr(&out)
    );
    let empty = dir.path().join("none.db");
    let out = fails(&empty, &["replay"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!empty.exists(), "a replay creates no database");
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn press(app: &mut App, code: KeyCode) {
    assert!(
        app.handle(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
            .is_empty()
    );
}

/// A replay of an incident with `notes` notes, one a second from 14:00.
fn replay_with_notes(notes: usize) -> (tempfile::TempDir, App) {
    let dir = common::temp_dir();
    let mut store = Store::open(common::db_in(&dir), OpenMode::Create).unwrap();
    store.set_clock(common::fixture_clock);
    common::set_fixture_clock(at("2026-03-01T14:00:00Z"));
    let milestones = warroom::domain::Milestones::new(at("2026-03-01T14:00:00Z"));
    let new = NewIncident::with_default_runbook(
        "fixture",
        "Queue backlog",
        warroom::domain::Severity::P2,
        milestones,
        "alice",
    );
    let id = store.declare(&new).unwrap();
    let entries: Vec<NewEntry> = (1..=notes)
        .map(|n| NewEntry {
            uuid: format!("note-{n}"),
            kind: EntryKind::Note,
            occurred_at: at("2026-03-01T14:00:00Z") + chrono::TimeDelta::seconds(n as i64),
            author: "bob".into(),
            text: format!("note {n}"),
            pinned: false,
        })
        .collect();
    common::set_fixture_clock(at("2026-03-01T14:30:00Z"));
    store.add_entries(id, &entries).unwrap();
    let record = store.incident_record(id).unwrap();
    let replay = Replay::new(
        record.ending(),
        record.timeline.clone(),
        at("2026-03-01T15:00:00Z"),
    );
    let start = replay.start();
    let app = App::replay(
        "alice".into(),
        "w.db".into(),
        replay,
        record.runbook_text,
        start,
        60,
        Utc::now(),
    );
    (dir, app)
}

/// The timeline holds a window; scrolled back past it, the older pages are
/// answered from the replay's events, never asked of a store.
#[test]
fn the_timeline_pages_back_from_memory() {
    let (_dir, mut app) = replay_with_notes(450);
    assert_eq!(
        app.record.as_ref().unwrap().facts.total,
        1,
        "the declaration alone at first"
    );
    // The notes were imported at 14:30: they appear then, all at once.
    press(&mut app, KeyCode::Char('G'));
    let record = app.record.as_ref().unwrap();
    assert_eq!(record.facts.total, 451);
    assert!(
        record.timeline.len() < 451 && record.has_older,
        "a window, not the whole timeline"
    );
    press(&mut app, KeyCode::Tab);
    for _ in 0..60 {
        press(&mut app, KeyCode::PageUp);
    }
    let oldest = app.selected_entry().expect("an entry selected").text.clone();
    assert!(oldest.starts_with("Declared P2"), "scrolled to the top: {oldest}");
    for _ in 0..4 {
        press(&mut app, KeyCode::Char('{'));
    }
    assert_eq!(
        app.record.as_ref().unwrap().facts.total,
        1,
        "40 minutes back, before the import"
    );
}

/// A replay's help lists the replay's keys and no `:` commands (they write).
#[test]
fn the_help_of_a_replay_lists_its_keys() {
    let (_dir, mut app) = replay_with_notes(3);
    press(&mut app, KeyCode::Char('?'));
    let backend = ratatui::backend::TestBackend::new(100, 40);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    terminal.draw(|frame| warroom::ui::draw(frame, &app)).unwrap();
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|cell| cell.symbol())
        .collect();
    for text in [
        "Replay (warroom replay)",
        "Step to the next event",
        "Faster: ×1, ×10, ×60, ×600",
    ] {
        assert!(screen.contains(text), "{text:?} missing from the help");
    }
    assert!(
        !screen.contains("Commands (after :)"),
        "a replay has no : commands"
    );
    assert!(
        !screen.contains("Write a timeline note"),
        "nor the keys that write"
    );
}

/// `warroom demo --replay`: the demo played back, to its end, then gone.
#[test]
fn the_demo_replays_itself() {
    let dir = common::temp_dir();
    let console = Console::spawn_with_args(
        &common::db_in(&dir),
        &["demo", "--replay", "--speed", "600"],
        120,
        40,
        &[],
    );
    console.wait_for("REPLAY ×600 ▶");
    console.wait_for("End of the replay");
    assert!(badge(&console).unwrap().contains('⏸'), "paused at the end");
    assert_eq!(checklist_done(&console), demo_ticks().last().map(|t| t.0));
    quit(console);
    assert!(
        !common::db_in(&dir).exists(),
        "the demo's database is its own, not --db"
    );
}

//! The console's state machine driven with events, no terminal: keys become
//! requests for the store, store news becomes state. Tests whose outcome
//! depends on what the store loads or writes run on both engines; the rest
//! use it only to make a record.

mod common;

use common::engines::{Db, Engine};

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use warroom::app::{App, Event, Input, Pane, Request, Snapshot};
use warroom::command::{Attempt, Write};
use warroom::domain::{EntryKind, ItemState, Milestones, Severity};
use warroom::store::{IncidentRecord, NewIncident, OpenMode, Store};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T14:10:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A database for tests that use the store only to make a record: its
/// engine does not matter to them, so SQLite.
fn fixture_db() -> Db {
    Db::new(Engine::Sqlite, "fixture").expect("SQLite is always there")
}

fn record(db: &Db) -> IncidentRecord {
    let mut store = Store::open(db.location(), OpenMode::Create).unwrap();
    let id = store
        .declare(&NewIncident::with_default_runbook(
            "x",
            "Disk full on db-2",
            Severity::P2,
            Milestones::new(now() - chrono::TimeDelta::minutes(10)),
            "alice",
        ))
        .unwrap();
    store.incident_record(id).unwrap()
}

/// An update of `record` bringing `new_entries` and no other change, as
/// the worker sends after the first load.
fn update_of(
    record: &IncidentRecord,
    new_entries: Vec<warroom::domain::TimelineEntry>,
) -> warroom::store::IncidentUpdate {
    warroom::store::IncidentUpdate {
        incident_id: record.incident.id,
        incident: None,
        last_id: new_entries
            .iter()
            .map(|e| e.id)
            .max()
            .unwrap_or(record.facts.last_id),
        pinned: None,
        latest_status_update: None,
        new_entries,
        checklist: None,
        timers: None,
        roles: None,
        actions: None,
    }
}

fn app(record: Option<IncidentRecord>, read_only: bool) -> App {
    let mut app = App::new("alice".into(), "w.db".into(), now());
    app.handle(Event::Snapshot(Box::new(Snapshot::of(record, read_only))));
    app
}

fn key(app: &mut App, code: KeyCode) -> Vec<Request> {
    app.handle(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ctrl(app: &mut App, c: char) -> Vec<Request> {
    app.handle(Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)))
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        assert!(key(app, KeyCode::Char(c)).is_empty());
    }
}

on_both_engines! {
    fn a_note_is_typed_with_a_newline_and_submitted_once(db: &Db) {
        let mut app = app(Some(record(db)), false);
        key(&mut app, KeyCode::Char('n'));
        assert_eq!(app.input, Input::Composer(EntryKind::Note));
        type_text(&mut app, "rolled back");
        ctrl(&mut app, 'j');
        type_text(&mut app, "watching");
        let requests = key(&mut app, KeyCode::Enter);
        match requests.as_slice() {
            [
                Request::Apply(Attempt {
                    write: Write::Entry { kind, text, .. },
                    incident_id,
                    ..
                }),
            ] => {
                assert_eq!(*kind, EntryKind::Note);
                assert_eq!(text, "rolled back\nwatching");
                assert_eq!(*incident_id, 1);
            }
            other => panic!("expected one note, got {other:?}"),
        }
        assert_eq!(app.input, Input::Keys);
        assert!(app.note_draft.is_empty(), "the composer is cleared after sending");
    }
}

#[test]
fn escape_keeps_the_draft_and_a_failed_write_gives_the_text_back() {
    let db = fixture_db();
    let mut app = app(Some(record(&db)), false);
    key(&mut app, KeyCode::Char('n'));
    type_text(&mut app, "half a thought");
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.input, Input::Keys);
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(app.note_draft.lines(), ["half a thought"]);

    let sent = key(&mut app, KeyCode::Enter);
    assert_eq!(sent.len(), 1);
    assert!(app.note_draft.is_empty());
    app.handle(Event::WriteFailed {
        request: sent[0].clone(),
        message: "the disk is full".into(),
        uncertain: false,
    });
    assert_eq!(
        app.note_draft.lines(),
        ["half a thought"],
        "nothing typed is lost"
    );
    assert!(app.flash.as_ref().unwrap().is_error);
}

on_both_engines! {
    fn space_ticks_the_selected_item_with_its_intended_state(db: &Db) {
        let mut record = record(db);
        let mut app = app(Some(record.clone()), false);
        // The selection opens on the current phase's first item (p1.1); one down.
        key(&mut app, KeyCode::Char('j'));
        match key(&mut app, KeyCode::Char(' ')).as_slice() {
            [
                Request::Apply(Attempt {
                    write: Write::Item { key, state, .. },
                    ..
                }),
            ] => {
                assert_eq!(key, "p1.2");
                assert_eq!(*state, ItemState::Done);
            }
            other => panic!("{other:?}"),
        }
        // Once it is done (a snapshot says so), Space reopens it.
        let ticked = record.checklist.iter().position(|i| i.key == "p1.2").unwrap();
        record.checklist[ticked].state = ItemState::Done;
        app.handle(Event::Snapshot(Box::new(Snapshot::of(Some(record), false))));
        match key(&mut app, KeyCode::Char(' ')).as_slice() {
            [
                Request::Apply(Attempt {
                    write: Write::Item { state, .. },
                    ..
                }),
            ] => assert_eq!(*state, ItemState::Open),
            other => panic!("{other:?}"),
        }
    }
}

on_both_engines! {
    fn the_command_line_checks_items_by_name_and_posts_updates(db: &Db) {
        let mut app = app(Some(record(db)), false);
        key(&mut app, KeyCode::Char(':'));
        type_text(&mut app, "check scope");
        match key(&mut app, KeyCode::Enter).as_slice() {
            [
                Request::Apply(Attempt {
                    write: Write::Item { key, state, .. },
                    ..
                }),
            ] => assert_eq!((key.as_str(), *state), ("1.4", ItemState::Done)),
            other => panic!("{other:?}"),
        }
        key(&mut app, KeyCode::Char(':'));
        type_text(&mut app, "status Mitigated; monitoring");
        match key(&mut app, KeyCode::Enter).as_slice() {
            [
                Request::Apply(Attempt {
                    write: Write::Entry { kind, text, .. },
                    ..
                }),
            ] => {
                assert_eq!(*kind, EntryKind::StatusUpdate);
                assert_eq!(text, "Mitigated; monitoring");
            }
            other => panic!("{other:?}"),
        }
        key(&mut app, KeyCode::Char(':'));
        type_text(&mut app, "check communication");
        assert!(
            key(&mut app, KeyCode::Enter).is_empty(),
            "ambiguous names do nothing"
        );
        assert!(app.flash.as_ref().unwrap().text.contains("2.4"));
        key(&mut app, KeyCode::Char(':'));
        type_text(&mut app, "q");
        key(&mut app, KeyCode::Enter);
        assert!(app.should_quit);
    }
}

#[test]
fn read_only_consoles_explain_instead_of_writing() {
    let db = fixture_db();
    let mut app = app(Some(record(&db)), true);
    assert!(key(&mut app, KeyCode::Char(' ')).is_empty());
    assert!(app.flash.as_ref().unwrap().text.contains("Read-only"));
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert_eq!(app.input, Input::Keys, "the composer does not open");
}

#[test]
fn the_start_screen_declares_with_the_chosen_severity() {
    let mut app = app(None, false);
    type_text(&mut app, "Payments down");
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Up);
    match key(&mut app, KeyCode::Enter).as_slice() {
        [Request::Declare { title, severity, .. }] => {
            assert_eq!(title, "Payments down");
            assert_eq!(*severity, Severity::P0);
        }
        other => panic!("{other:?}"),
    }
}

on_both_engines! {
    fn timeline_follows_new_entries_unless_scrolled_back_and_search_filters(db: &Db) {
        let mut record = record(db);
        let mut app = app(Some(record.clone()), false);
        key(&mut app, KeyCode::Tab);
        assert_eq!(app.focus, Pane::Timeline);
        let entry = |n: i64, text: &str| warroom::domain::TimelineEntry {
            id: 100 + n,
            uuid: format!("u{n}"),
            kind: EntryKind::Note,
            occurred_at: now(),
            recorded_at: now(),
            author: "bob".into(),
            text: text.into(),
            pinned: false,
            data: None,
        };
        record.timeline.push(entry(1, "one"));
        record.timeline.push(entry(2, "two"));
        app.handle(Event::Snapshot(Box::new(Snapshot::of(
            Some(record.clone()),
            false,
        ))));
        assert_eq!(app.timeline_offset, 0, "following");
        key(&mut app, KeyCode::Char('k'));
        assert_eq!(app.timeline_offset, 1);
        // New entries come as the worker sends them: an update after the
        // first load.
        let update = update_of(&record, vec![entry(3, "three")]);
        app.handle(Event::Snapshot(Box::new(Snapshot::update(update, false))));
        assert_eq!(app.timeline_offset, 2, "the view stays on the same entries");
        key(&mut app, KeyCode::Char('G'));
        assert_eq!(app.timeline_offset, 0);

        // The search is the store's: entries written there, a page asked
        // for and answered through the worker's protocol.
        let mut store = Store::open(db.location(), OpenMode::Existing).unwrap();
        let written = ["one", "two"].map(|text| warroom::store::NewEntry {
            uuid: format!("w-{text}"),
            kind: EntryKind::Note,
            occurred_at: now(),
            author: "bob".into(),
            text: text.into(),
            pinned: false,
        });
        store.add_entries(record.incident.id, &written).unwrap();
        key(&mut app, KeyCode::Char('/'));
        type_text(&mut app, "TW");
        let requests = key(&mut app, KeyCode::Enter);
        let [Request::Search { query, before }] = requests.as_slice() else {
            panic!("{requests:?}");
        };
        let page = store
            .search(record.incident.id, query, *before, warroom::app::SEARCH_PAGE)
            .unwrap();
        app.handle(Event::SearchResults {
            query: query.clone(),
            before: *before,
            page,
        });
        let shown: Vec<_> = app.visible_timeline().iter().map(|e| e.text.clone()).collect();
        assert_eq!(shown, ["two"]);
        key(&mut app, KeyCode::Esc);
        assert!(app.search.is_none());
    }
}

#[test]
fn ctrl_c_quits_even_while_writing() {
    let db = fixture_db();
    let mut app = app(Some(record(&db)), false);
    key(&mut app, KeyCode::Char('n'));
    ctrl(&mut app, 'c');
    assert!(app.should_quit);
}

#[test]
fn help_opens_and_closes() {
    let db = fixture_db();
    let mut app = app(Some(record(&db)), false);
    key(&mut app, KeyCode::Char('?'));
    assert_eq!(app.input, Input::Help);
    key(&mut app, KeyCode::Char('j'));
    assert_eq!(app.help_scroll, 1);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.input, Input::Keys);
}

fn type_command(app: &mut App, line: &str) -> Vec<Request> {
    key(app, KeyCode::Char(':'));
    type_text(app, line);
    key(app, KeyCode::Enter)
}

on_both_engines! {
    fn the_severity_picker_asks_why_then_changes_it_with_compare_and_set(db: &Db) {
        let mut app = app(Some(record(db)), false);
        key(&mut app, KeyCode::Char('s'));
        assert_eq!(
            app.input,
            Input::SeverityPicker(2),
            "starts on the current severity"
        );
        key(&mut app, KeyCode::Up);
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.input, Input::CommandLine, "then the reason is typed");
        type_text(&mut app, "login failing for all EU users");
        match key(&mut app, KeyCode::Enter).as_slice() {
            [
                Request::Apply(Attempt {
                    write: Write::Severity { severity, reason },
                    seen_version: expected_version,
                    ..
                }),
            ] => {
                assert_eq!(*severity, Severity::P1);
                assert_eq!(reason, "login failing for all EU users");
                assert_eq!(*expected_version, Some(1));
            }
            other => panic!("{other:?}"),
        }
    }
}

on_both_engines! {
    fn incident_command_lines_become_acts(db: &Db) {
        let mut app = app(Some(record(db)), false);
        match type_command(&mut app, "timer 10m check rollback").as_slice() {
            [
                Request::Apply(Attempt {
                    write: Write::StartTimer { length, label },
                    ..
                }),
            ] => {
                // Ten minutes from when it is written down.
                assert_eq!(*length, chrono::TimeDelta::minutes(10));
                assert_eq!(label, "check rollback");
            }
            other => panic!("{other:?}"),
        }
        match type_command(&mut app, "role comms carol").as_slice() {
            [
                Request::Apply(Attempt {
                    write: Write::Role { key, name, account },
                    ..
                }),
            ] => {
                assert_eq!(
                    (key.as_str(), name.as_str(), account.as_str()),
                    ("comms", "Communications Lead", "carol")
                );
            }
            other => panic!("{other:?}"),
        }
        match type_command(&mut app, "phase next").as_slice() {
            [
                Request::Apply(Attempt {
                    write: Write::Phase { index, name },
                    ..
                }),
            ] => {
                assert_eq!((*index, name.as_str()), (1, "Response"));
            }
            other => panic!("{other:?}"),
        }
        assert!(type_command(&mut app, "phase 9").is_empty(), "no such phase");
        assert!(
            type_command(&mut app, "snooze 10m").is_empty(),
            "a snooze needs a reason"
        );
        assert!(app.flash.as_ref().unwrap().text.contains("reason"));
        assert!(type_command(&mut app, "role janitor bob").is_empty());
        assert!(
            app.flash
                .as_ref()
                .unwrap()
                .text
                .contains("ic (Incident Commander)")
        );
    }
}

on_both_engines! {
    fn the_bell_rings_once_per_deadline_and_not_for_the_past(db: &Db) {
        let mut record = record(db);
        let timer = |id: i64, minutes: i64| warroom::domain::timer::Timer {
            id,
            label: format!("timer {id}"),
            deadline: now() + chrono::TimeDelta::minutes(minutes),
            started_by: "bob".into(),
            started_at: now() - chrono::TimeDelta::minutes(1),
            state: warroom::domain::timer::TimerState::Running,
        };
        // One already overdue when the console opens, one due in two minutes.
        record.timers = vec![timer(1, -3), timer(2, 2)];
        let mut app = app(Some(record), false);
        app.handle(Event::Tick(now()));
        assert!(
            !app.take_bell(),
            "no bell for what was due before the console opened"
        );
        app.handle(Event::Tick(now() + chrono::TimeDelta::minutes(1)));
        assert!(!app.take_bell());
        app.handle(Event::Tick(now() + chrono::TimeDelta::minutes(2)));
        assert!(app.take_bell(), "timer 2 came due");
        app.handle(Event::Tick(now() + chrono::TimeDelta::minutes(3)));
        assert!(!app.take_bell(), "once");
        // The P2 status update (hourly from declaration, 10 minutes ago) comes due at +50 min.
        app.handle(Event::Tick(now() + chrono::TimeDelta::minutes(50)));
        assert!(app.take_bell(), "the status update came due");

        let mut quiet = self::app(Some(record_without_timers(db)), false);
        quiet.bell_enabled = false;
        quiet.handle(Event::Tick(now() + chrono::TimeDelta::minutes(50)));
        assert!(!quiet.take_bell(), "WARROOM_BELL=off");
    }
}

fn record_without_timers(db: &Db) -> IncidentRecord {
    let mut store = Store::open(db.location(), OpenMode::Existing).unwrap();
    store.incident_record(1).unwrap()
}

#[test]
fn the_metrics_view_asks_the_store_and_shows_the_report() {
    let db = fixture_db();
    let mut app = app(Some(record(&db)), false);
    assert_eq!(type_command(&mut app, "metrics"), [Request::Metrics]);
    assert_eq!(app.input, Input::Metrics);
    app.handle(Event::MetricsReady("warroom metrics: 1 incident".into()));
    assert_eq!(app.metrics.as_deref(), Some("warroom metrics: 1 incident"));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.input, Input::Keys);
}

#[test]
fn an_update_without_new_state_keeps_what_the_console_has() {
    let db = fixture_db();
    let mut record = record(&db);
    record.checklist[0].state = ItemState::Done;
    let mut app = app(Some(record.clone()), false);
    let update = update_of(&record, Vec::new());
    app.handle(Event::Snapshot(Box::new(Snapshot::update(update, false))));
    let kept = app.record.as_ref().unwrap();
    assert_eq!(kept.checklist[0].state, ItemState::Done, "None means unchanged");
    assert_eq!(kept.roles, record.roles);
}

/// Applies the one write in `requests` to `db` as the store worker does,
/// and gives the console the core's answer.
fn answer(app: &mut App, db: &Db, requests: Vec<Request>) {
    let [request] = requests.as_slice() else {
        panic!("expected one write, got {requests:?}");
    };
    let Request::Apply(attempt) = request else {
        panic!("expected a write, got {request:?}");
    };
    let mut store = Store::open(db.location(), OpenMode::Existing).unwrap();
    let answer = warroom::command::apply(&mut store, attempt, "alice").unwrap();
    app.handle(Event::Answered {
        request: request.clone(),
        answer,
    });
}

fn message(app: &App) -> Option<&str> {
    app.flash.as_ref().map(|f| f.text.as_str())
}

on_both_engines! {
    /// The message line speaks of the last action: the picker's "Say why"
    /// stays while the reason is typed and gives way to the core's answer; a
    /// refusal is said; an earlier write's answer arriving after a later
    /// action said something is not said over it; a hint goes with the next key.
    fn the_message_line_speaks_of_the_last_action(db: &Db) {
        let mut app = app(Some(record(db)), false);

        key(&mut app, KeyCode::Char('s'));
        key(&mut app, KeyCode::Up);
        key(&mut app, KeyCode::Enter);
        assert_eq!(message(&app), Some("Say why, then Enter"));
        type_text(&mut app, "EU logins failing");
        assert_eq!(message(&app), Some("Say why, then Enter"), "kept while typing");
        let sent = key(&mut app, KeyCode::Enter);
        assert_eq!(message(&app), None, "the question is answered");
        answer(&mut app, db, sent);
        assert_eq!(message(&app), Some("Severity P2 → P1: EU logins failing"));

        // The core refuses a severity change without a reason, as the picker does.
        assert!(type_command(&mut app, "severity P0").is_empty());
        assert_eq!(
            message(&app),
            Some("a severity change needs a reason (it goes on the timeline)")
        );
        assert!(app.flash.as_ref().unwrap().is_error);

        // A timer's answer arriving after a mistyped command is not said over
        // the complaint; the next write's answer is its own.
        let timer = type_command(&mut app, "timer 10m check rollback");
        assert_eq!(timer.len(), 1);
        assert!(type_command(&mut app, "launch missiles").is_empty());
        let complaint = "unknown command :launch (see :help)";
        assert_eq!(message(&app), Some(complaint));
        answer(&mut app, db, timer);
        assert_eq!(message(&app), Some(complaint), "a stale answer was said");
        let role = type_command(&mut app, "role ic bob");
        answer(&mut app, db, role);
        let said = message(&app).unwrap();
        assert!(said.starts_with("Incident Commander: alice → bob"), "{said}");

        // A hint goes with the next thing done.
        key(&mut app, KeyCode::Char('n'));
        type_text(&mut app, "half a thought");
        key(&mut app, KeyCode::Esc);
        assert!(message(&app).unwrap().starts_with("Draft kept"));
        key(&mut app, KeyCode::Char('j'));
        assert_eq!(message(&app), None);
    }
}

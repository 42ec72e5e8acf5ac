//! The facts behind each timeline entry: every kind of write is logged with
//! its typed data and loads back with it from a real database file, at the
//! store's clock; a retry gives back what the first attempt did; a
//! hand-edited `data` loads as none and the entry still shows; the export
//! finds the declaration by its data, not its wording.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::*;
use warroom::domain::event::{ActionEvent, ChangeOutcome, EventData, MilestoneSet, TimerEvent};
use warroom::domain::timer::TimerState;
use warroom::domain::{EntryKind, ItemState, Milestone, Milestones, Severity, TimelineEntry};
use warroom::store::{
    Act, CheckOutcome, ItemChange, NewEntry, NewIncident, OpenMode, SeverityChange, SeverityOutcome, Store,
};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

/// The store's clock in these tests: later than every act, so an event
/// stamped with the act's own time instead would show.
fn store_clock() -> DateTime<Utc> {
    at("2026-03-01T23:59:00Z")
}

const DECLARED: &str = "2026-03-01T14:00:00Z";

fn minute(n: i64) -> DateTime<Utc> {
    at(DECLARED) + TimeDelta::minutes(n)
}

fn open(db: &engines::Db) -> Store {
    let mut store = Store::open(db.location(), OpenMode::Create).unwrap();
    store.set_clock(store_clock);
    store
}

fn declare(store: &mut Store) -> i64 {
    store
        .declare(&NewIncident::with_default_runbook(
            "inc",
            "Checkout down in EU",
            Severity::P2,
            Milestones::new(at(DECLARED)),
            "alice",
        ))
        .unwrap()
}

fn act(uuid: &str, incident_id: i64, n: i64) -> Act<'_> {
    Act {
        uuid,
        incident_id,
        author: "alice",
        at: minute(n),
    }
}

fn note(uuid: &str, n: i64, text: &str) -> NewEntry {
    NewEntry {
        uuid: uuid.into(),
        kind: EntryKind::Note,
        occurred_at: minute(n),
        author: "bob".into(),
        text: text.into(),
        pinned: false,
    }
}

fn tick<'a>(uuid: &'a str, id: i64, state: ItemState, expected_version: Option<i64>) -> ItemChange<'a> {
    ItemChange {
        uuid,
        incident_id: id,
        key: "1.1",
        state,
        author: "carol",
        at: minute(2),
        expected_version,
    }
}

fn severity(uuid: &str, id: i64) -> SeverityChange<'_> {
    SeverityChange {
        uuid,
        incident_id: id,
        severity: Severity::P1,
        reason: "EU checkout failing",
        author: "alice",
        at: minute(3),
        expected_version: None,
    }
}

/// What every write returned; a retry must return the same.
#[derive(Debug, PartialEq)]
struct Answers {
    note: TimelineEntry,
    imported: usize,
    ticks: Vec<CheckOutcome>,
    severity: SeverityOutcome,
    timer: i64,
    roles: Vec<Option<String>>,
    action: i64,
}

/// One write of every kind, on incident `id`.
fn write_everything(store: &mut Store, id: i64) -> Answers {
    let imported = store
        .add_entries(id, &[note("imported", 1, "from the chat log")])
        .unwrap();
    let note = store.add_entry(id, &note("note", 1, "5xx above 5%")).unwrap();
    let ticks = vec![
        store
            .set_item_state(&tick("tick", id, ItemState::Done, None))
            .unwrap(),
        store
            .set_item_state(&tick("tick-again", id, ItemState::Done, None))
            .unwrap(),
        // Seen at version 0; the tick above made it 1.
        store
            .set_item_state(&tick("tick-stale", id, ItemState::NotApplicable, Some(0)))
            .unwrap(),
    ];
    let severity = store.set_severity(&severity("sev", id)).unwrap();
    store
        .snooze_status_update(&act("snooze", id, 4), minute(30), "vendor call")
        .unwrap();
    store.set_phase(&act("phase", id, 5), 1, "Response").unwrap();
    let timer = store
        .start_timer(&act("timer", id, 6), minute(16), "check rollback")
        .unwrap();
    store
        .close_timer(&act("timer-done", id, 7), timer, TimerState::Done)
        .unwrap();
    let roles = vec![
        store
            .assign_role(&act("role", id, 8), "comms", "Communications Lead", "carol")
            .unwrap(),
        store
            .assign_role(&act("handoff", id, 9), "ic", "Incident Commander", "bob")
            .unwrap(),
    ];
    store
        .set_milestone(&act("ack", id, 10), Milestone::Acknowledged, minute(9))
        .unwrap();
    store
        .set_milestone(&act("resolve", id, 40), Milestone::Resolved, minute(40))
        .unwrap();
    store.postmortem_done(&act("postmortem", id, 50)).unwrap();
    let action = store
        .add_action(&act("action", id, 51), "Canary payment client", Some("bob"), None)
        .unwrap();
    // The item's incident is looked up: the act names none.
    store.action_done(&act("action-done", 0, 52), action).unwrap();
    Answers {
        note,
        imported,
        ticks,
        severity,
        timer,
        roles,
        action,
    }
}

fn event_count(db: &engines::Db) -> i64 {
    let rows = db.superuser_sql("SELECT count(*) FROM events");
    rows[0][0].as_deref().unwrap().parse().unwrap()
}

on_both_engines! {
    fn every_write_loads_back_with_its_facts_recorded_at_the_store_clock(db: &Db) {
        let mut store = open(db);
        let id = declare(&mut store);
        let answers = write_everything(&mut store, id);
        assert_eq!(answers.timer, 1);
        assert_eq!(answers.action, 1);
        assert_eq!(answers.roles, vec![None, Some("alice".to_string())]);
        drop(store);

        let record = Store::open(db.location(), OpenMode::Existing)
            .unwrap()
            .incident_record(id)
            .unwrap();
        let checklist = |from, to, outcome| {
            Some(EventData::Checklist {
                key: "1.1".into(),
                from,
                to,
                outcome,
            })
        };
        let expected: Vec<(&str, EntryKind, Option<EventData>)> = vec![
            (
                "inc:declared",
                EntryKind::System,
                Some(EventData::Declared {
                    severity: Severity::P2,
                    runbook: warroom::runbook::DEFAULT_RUNBOOK_NAME.into(),
                    drill: false,
                }),
            ),
            ("note", EntryKind::Note, None),
            ("imported", EntryKind::Note, None),
            (
                "tick",
                EntryKind::ChecklistChange,
                checklist(ItemState::Open, ItemState::Done, ChangeOutcome::Applied),
            ),
            (
                "tick-again",
                EntryKind::ChecklistChange,
                checklist(ItemState::Done, ItemState::Done, ChangeOutcome::Already),
            ),
            (
                "tick-stale",
                EntryKind::ChecklistChange,
                checklist(ItemState::Done, ItemState::NotApplicable, ChangeOutcome::Conflict),
            ),
            (
                "sev",
                EntryKind::SeverityChange,
                Some(EventData::Severity {
                    from: Severity::P2,
                    to: Severity::P1,
                    reason: "EU checkout failing".into(),
                    outcome: ChangeOutcome::Applied,
                }),
            ),
            (
                "snooze",
                EntryKind::System,
                Some(EventData::Snooze {
                    until: minute(30),
                    reason: "vendor call".into(),
                }),
            ),
            (
                "phase",
                EntryKind::System,
                Some(EventData::Phase {
                    index: 1,
                    name: "Response".into(),
                }),
            ),
            (
                "timer",
                EntryKind::System,
                Some(EventData::Timer(TimerEvent::Started {
                    id: 1,
                    deadline: minute(16),
                })),
            ),
            (
                "timer-done",
                EntryKind::System,
                Some(EventData::Timer(TimerEvent::Closed {
                    id: 1,
                    state: TimerState::Done,
                })),
            ),
            (
                "role",
                EntryKind::RoleChange,
                Some(EventData::Role {
                    role: "comms".into(),
                    from: None,
                    to: "carol".into(),
                }),
            ),
            (
                "handoff",
                EntryKind::RoleChange,
                Some(EventData::Role {
                    role: "ic".into(),
                    from: Some("alice".into()),
                    to: "bob".into(),
                }),
            ),
            (
                "ack",
                EntryKind::System,
                Some(EventData::Milestone(MilestoneSet {
                    which: Milestone::Acknowledged,
                    at: minute(9),
                })),
            ),
            (
                "resolve",
                EntryKind::System,
                Some(EventData::Milestone(MilestoneSet {
                    which: Milestone::Resolved,
                    at: minute(40),
                })),
            ),
            (
                "postmortem",
                EntryKind::System,
                Some(EventData::Postmortem { done_at: minute(50) }),
            ),
            (
                "action",
                EntryKind::System,
                Some(EventData::Action(ActionEvent::Added { id: 1 })),
            ),
            (
                "action-done",
                EntryKind::System,
                Some(EventData::Action(ActionEvent::Done { id: 1 })),
            ),
        ];
        let loaded: Vec<(&str, EntryKind, Option<EventData>)> = record
            .timeline
            .iter()
            .map(|e| (e.uuid.as_str(), e.kind, e.data.as_deref().cloned()))
            .collect();
        let mut in_log_order = loaded.clone();
        in_log_order.sort_by_key(|(uuid, ..)| expected.iter().position(|(u, ..)| u == uuid));
        assert_eq!(in_log_order, expected);
        for entry in &record.timeline {
            assert_eq!(entry.recorded_at, store_clock(), "{} {}", entry.uuid, entry.text);
        }
        // When it happened stays the act's (the milestone's own time for a milestone).
        let occurred = |uuid: &str| {
            record
                .timeline
                .iter()
                .find(|e| e.uuid == uuid)
                .unwrap()
                .occurred_at
        };
        assert_eq!(occurred("inc:declared"), at(DECLARED));
        assert_eq!(occurred("phase"), minute(5));
        assert_eq!(occurred("ack"), minute(9));
    }
}

on_both_engines! {
    fn a_retried_write_gives_back_what_it_did_and_logs_nothing_more(db: &Db) {
        let mut store = open(db);
        let id = declare(&mut store);
        let first = write_everything(&mut store, id);
        let events = event_count(db);
        assert_eq!(events, 18);

        assert_eq!(declare(&mut store), id);
        let retried = write_everything(&mut store, id);
        assert_eq!(retried.imported, 0, "nothing imported twice");
        // The severity change's answer carries the incident as it is now (later
        // writes bumped its version); the outcome is the recorded one.
        let SeverityOutcome::Changed { current, from } = &retried.severity else {
            panic!("{:?}", retried.severity)
        };
        assert_eq!((current.severity, *from), (Severity::P1, Severity::P2));
        assert_eq!(
            Answers {
                imported: first.imported,
                severity: first.severity.clone(),
                ..retried
            },
            first
        );
        // The handoff's retry names who held the role before it, as recorded
        // (not bob, who holds it now).
        assert_eq!(first.roles[1].as_deref(), Some("alice"));
        assert_eq!(event_count(db), events);
    }
}

/// Rewrites `data` of the event `uuid` straight in the database, as a member
/// with the sqlite3 shell (or psql and write access) could.
fn plant_data(db: &engines::Db, uuid: &str, data: &str) {
    let quoted = |text: &str| format!("'{}'", text.replace('\'', "''"));
    let changed = db.superuser_sql(&format!(
        "UPDATE events SET data = {} WHERE uuid = {} RETURNING id",
        quoted(data),
        quoted(uuid)
    ));
    assert_eq!(changed.len(), 1, "{uuid}");
}

on_both_engines! {
    fn hand_edited_data_loads_as_none_and_the_entry_still_shows(db: &Db) {
        let mut store = open(db);
        let id = declare(&mut store);
        let first = write_everything(&mut store, id);
        drop(store);
        let garbage = [
            ("tick", r#"{"checklist":{"key":"1.1","from":"ajar"}}"#),
            ("timer", r#"{"timer":{"id":"one""#),
            ("handoff", "not json at all"),
            ("phase", r#"{"a_kind_from_the_future":{"x":1}}"#),
            ("sev", "42"),
        ];
        for (uuid, data) in garbage {
            plant_data(db, uuid, data);
        }
        db.rechain();

        let mut store = open(db);
        let record = store.incident_record(id).unwrap();
        for (uuid, _) in garbage {
            let entry = record.timeline.iter().find(|e| e.uuid == uuid).unwrap();
            assert_eq!(entry.data, None, "{uuid}");
        }
        let untouched = record.timeline.iter().find(|e| e.uuid == "snooze").unwrap();
        assert!(untouched.data.is_some());
        // A retry of a garbled act still gives back an answer and writes nothing.
        let events = event_count(db);
        let retried = write_everything(&mut store, id);
        assert_eq!(retried.timer, first.timer);
        assert_eq!(retried.roles[1], None, "who held it is no longer known");
        assert_eq!(event_count(db), events);
        drop(store);

        let shown = ok(db.path(), &["show", &id.to_string()]);
        for text in [
            "marked done 1.1",
            "Timer 1 started: check rollback",
            "Incident Commander: alice → bob",
            "Phase 2: Response",
            "Severity P2 → P1: EU checkout failing",
        ] {
            assert!(shown.contains(text), "{text:?} missing from show:\n{shown}");
        }
        ok(db.path(), &["verify"]);
    }
}

/// `warroom export ID` by an account whose private state is `state`.
fn export(db: &std::path::Path, id: i64, state: &std::path::Path) -> String {
    let out = warroom(db)
        .env("XDG_STATE_HOME", state)
        .args(["export", &id.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success() && out.stderr.is_empty(), "{}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// The lines of the export's severity history table.
fn severity_history(export: &str) -> Vec<&str> {
    export
        .split("## Severity history")
        .nth(1)
        .unwrap()
        .split("\n## ")
        .next()
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("| 2026-"))
        .collect()
}

on_both_engines! {
    fn the_export_finds_the_declaration_by_its_data_not_its_words(db: &Db) {
        let dir = temp_dir();
        let mut store = open(db);
        let id = declare(&mut store);
        store.set_phase(&act("phase", id, 1), 1, "Response").unwrap();
        store.set_severity(&severity("sev", id)).unwrap();
        drop(store);
        let before = export(db.path(), id, &dir.path().join("looked-before"));
        assert_eq!(
            severity_history(&before),
            vec![
                "| 2026-03-01 14:00:00 | alice | Declared P2 medium: Checkout down in EU |",
                "| 2026-03-01 14:03:00 | alice | Severity P2 → P1: EU checkout failing |",
            ]
        );

        // The declaration reworded; another system entry made to read like one.
        db.superuser_batch(
            "UPDATE events SET text = 'Opened by the pager bot at P2' WHERE uuid = 'inc:declared';
             UPDATE events SET text = 'Declared P0 critical: not really' WHERE uuid = 'phase';",
        );
        db.rechain();

        // Read by an account that had not looked before the rewrite (one that
        // had would be warned: tests/attack_member_record.rs).
        let after = export(db.path(), id, &dir.path().join("first-look"));
        assert_eq!(
            severity_history(&after),
            vec![
                "| 2026-03-01 14:00:00 | alice | Opened by the pager bot at P2 |",
                "| 2026-03-01 14:03:00 | alice | Severity P2 → P1: EU checkout failing |",
            ]
        );
        assert!(!after.contains("NOT verified"), "{after}");
    }
}

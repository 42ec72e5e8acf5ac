//! The console holds a window of the timeline, never the whole of it: the
//! app driven with keys, its page requests answered by the store as the
//! worker answers them, on both engines; and the real binary in a pty
//! scrolled to the top of a long timeline and back.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::engines::Db;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use warroom::app::{App, Event, Request, Snapshot, WINDOW_PAGE};
use warroom::domain::{EntryKind, Milestones, Severity, TimelineEntry};
use warroom::store::{NewEntry, NewIncident, OpenMode, Store};

/// The most entries the console may hold (three pages).
const HELD_AT_MOST: usize = 3 * WINDOW_PAGE;
/// Enough entries that the window must move several times either way.
const ENTRIES: usize = 1_500;

fn declared() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// An incident with [`ENTRIES`] notes a second apart, some sharing a time
/// (imports do), and some backdated before the declaration.
fn long_incident(db: &Db) -> (Store, i64) {
    let mut store = Store::open(db.location(), OpenMode::Create).unwrap();
    let id = store
        .declare(&NewIncident::with_default_runbook(
            "decl",
            "Queue backlog",
            Severity::P2,
            Milestones::new(declared()),
            "alice",
        ))
        .unwrap();
    let entries: Vec<NewEntry> = (0..ENTRIES)
        .map(|i| {
            let at = if i % 100 == 7 {
                declared() - Duration::minutes(30 + i as i64)
            } else {
                declared() + Duration::seconds((i / 3) as i64)
            };
            NewEntry {
                uuid: format!("e{i}"),
                kind: EntryKind::Note,
                occurred_at: at,
                author: "bob".into(),
                text: format!("entry {i}"),
                pinned: i == 3,
            }
        })
        .collect();
    store.add_entries(id, &entries).unwrap();
    (store, id)
}

fn key(app: &mut App, code: KeyCode) -> Vec<Request> {
    app.handle(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// Answers the console's page requests as the store worker does, until
/// it asks for nothing more.
fn serve(app: &mut App, store: &mut Store, mut requests: Vec<Request>) {
    while let Some(request) = requests.pop() {
        match request {
            Request::TimelinePage { incident, anchor } => {
                let window = store
                    .timeline_window(incident, anchor, WINDOW_PAGE)
                    .map_err(|e| e.to_string());
                requests.extend(app.handle(Event::TimelinePage {
                    incident,
                    anchor,
                    window,
                }));
            }
            other => panic!("only timeline pages were expected, got {other:?}"),
        }
    }
}

fn press(app: &mut App, store: &mut Store, code: KeyCode) {
    let requests = key(app, code);
    serve(app, store, requests);
    let held = app.record.as_ref().unwrap().timeline.len();
    assert!(held <= HELD_AT_MOST, "the console holds {held} entries");
}

fn selected(app: &App) -> i64 {
    app.selected_entry().expect("an entry is selected").id
}

/// The console as it opens on the incident: the worker's first load.
fn console(store: &mut Store, id: i64) -> App {
    let mut app = App::new("alice".into(), "w.db".into(), declared() + Duration::hours(1));
    let first = store.incident_window(id, WINDOW_PAGE).unwrap();
    app.handle(Event::Snapshot(Box::new(Snapshot::of(Some(first), false))));
    key(&mut app, KeyCode::Tab);
    app
}

fn ids(entries: &[TimelineEntry]) -> Vec<i64> {
    entries.iter().map(|e| e.id).collect()
}

on_both_engines! {
    fn scrolling_to_the_top_and_back_visits_every_entry_once_holding_a_bounded_window(db: &Db) {
        let (mut store, id) = long_incident(db);
        let whole = ids(&store.incident_record(id).unwrap().timeline);
        let mut app = console(&mut store, id);
        let record = app.record.as_ref().unwrap();
        assert_eq!(record.timeline.len(), WINDOW_PAGE, "the first load is one page");
        assert_eq!(record.facts.total, whole.len() as u64, "the count is the whole timeline's");
        assert_eq!(selected(&app), *whole.last().unwrap());

        // Up, one entry at a time, to the very top.
        let mut going_up = vec![selected(&app)];
        for _ in 1..whole.len() {
            press(&mut app, &mut store, KeyCode::Char('k'));
            going_up.push(selected(&app));
        }
        going_up.reverse();
        assert_eq!(going_up, whole, "every entry, in order, none twice");
        press(&mut app, &mut store, KeyCode::Char('k'));
        assert_eq!(selected(&app), whole[0], "the top stays the top");
        assert!(!app.record.as_ref().unwrap().has_older);

        // And down again.
        let mut going_down = vec![selected(&app)];
        for _ in 1..whole.len() {
            press(&mut app, &mut store, KeyCode::Char('j'));
            going_down.push(selected(&app));
        }
        assert_eq!(going_down, whole);
        let record = app.record.as_ref().unwrap();
        assert!(!record.has_newer, "back at the newest");
        assert_eq!(app.timeline_offset, 0, "following new entries again");

        // Ten entries a page, up to the top.
        let mut paged = vec![selected(&app)];
        while paged.last() != whole.first() {
            press(&mut app, &mut store, KeyCode::PageUp);
            paged.push(selected(&app));
        }
        let newest_first: Vec<i64> = whole.iter().rev().copied().collect();
        let mut expected: Vec<i64> = newest_first.iter().step_by(10).copied().collect();
        if expected.last() != whole.first() {
            expected.push(whole[0]);
        }
        assert_eq!(paged, expected);
    }

}

on_both_engines! {
    fn the_ends_are_read_afresh_and_new_entries_beyond_the_window_are_only_counted(db: &Db) {
        let (mut store, id) = long_incident(db);
        let whole = store.incident_record(id).unwrap().timeline;
        let mut app = console(&mut store, id);

        press(&mut app, &mut store, KeyCode::Char('g'));
        assert_eq!(selected(&app), whole[0].id, "the top of the whole timeline");
        let record = app.record.as_ref().unwrap();
        assert!(!record.has_older && record.has_newer);
        assert!(record.timeline.len() <= WINDOW_PAGE);

        // Someone writes while this console looks at the top: the update
        // carries the new entries and the new count; the window, far from
        // the newest, does not take them.
        let last_seen = app.record.as_ref().unwrap().facts.last_id;
        let news: Vec<NewEntry> = (0..3)
            .map(|i| NewEntry {
                uuid: format!("new{i}"),
                kind: EntryKind::Note,
                occurred_at: declared() + Duration::hours(2) + Duration::seconds(i),
                author: "carol".into(),
                text: format!("fresh {i}"),
                pinned: false,
            })
            .collect();
        store.add_entries(id, &news).unwrap();
        let update = store.incident_update(id, last_seen).unwrap().expect("three entries came");
        assert_eq!(update.new_entries.len(), 3);
        assert!(update.incident.is_none(), "notes leave the incident's row as it was");
        let held_before = ids(&app.record.as_ref().unwrap().timeline);
        app.handle(Event::Snapshot(Box::new(Snapshot::update(update, false))));
        let record = app.record.as_ref().unwrap();
        assert_eq!(ids(&record.timeline), held_before, "beyond the window: not held");
        assert_eq!(record.facts.total, whole.len() as u64 + 3, "but counted");
        assert_eq!(selected(&app), whole[0].id, "the selection stays");

        press(&mut app, &mut store, KeyCode::Char('G'));
        assert_eq!(app.selected_entry().unwrap().text, "fresh 2", "the newest, read afresh");
        assert_eq!(app.timeline_offset, 0);
        assert!(!app.record.as_ref().unwrap().has_newer);

        // Following at the newest, a new entry joins the window.
        let last_seen = app.record.as_ref().unwrap().facts.last_id;
        store
            .add_entries(
                id,
                &[NewEntry {
                    uuid: "newest".into(),
                    kind: EntryKind::StatusUpdate,
                    occurred_at: declared() + Duration::hours(3),
                    author: "carol".into(),
                    text: "Customers see delays".into(),
                    pinned: false,
                }],
            )
            .unwrap();
        let update = store.incident_update(id, last_seen).unwrap().expect("one entry came");
        app.handle(Event::Snapshot(Box::new(Snapshot::update(update, false))));
        assert_eq!(app.selected_entry().unwrap().text, "Customers see delays");
        let last_seen = app.record.as_ref().unwrap().facts.last_id;
        assert!(
            store.incident_update(id, last_seen).unwrap().is_none(),
            "nothing logged since: nothing to read"
        );
        let view = app.view().unwrap();
        assert_eq!(view.last_status_update().unwrap().text, "Customers see delays");
        assert_eq!(view.pinned().map(|e| e.text.as_str()).collect::<Vec<_>>(), ["entry 3"]);
    }

}

on_both_engines! {
    fn a_page_asked_for_a_window_that_moved_since_is_dropped(db: &Db) {
        let (mut store, id) = long_incident(db);
        let mut app = console(&mut store, id);
        // Scroll up until the console asks for an older page, and hold it.
        let mut asked = Vec::new();
        while asked.is_empty() {
            asked = key(&mut app, KeyCode::Char('k'));
        }
        let [Request::TimelinePage { incident, anchor }] = asked.as_slice() else {
            panic!("one page asked for: {asked:?}");
        };
        let stale = store.timeline_window(*incident, *anchor, WINDOW_PAGE).unwrap();
        // Meanwhile the top is asked for and comes first.
        press(&mut app, &mut store, KeyCode::Char('g'));
        let held = ids(&app.record.as_ref().unwrap().timeline);
        app.handle(Event::TimelinePage {
            incident: *incident,
            anchor: *anchor,
            window: Ok(stale),
        });
        assert_eq!(ids(&app.record.as_ref().unwrap().timeline), held, "the late page changed nothing");
    }
}

/// The real binary in a pty: the top of a long timeline and back.
#[test]
fn the_console_scrolls_to_the_top_of_a_long_timeline_and_back() {
    use common::pty::Console;
    let dir = common::temp_dir();
    let db = common::db_in(&dir);
    let location = warroom::store::Location::File(db.clone());
    let mut store = Store::open(&location, OpenMode::Create).unwrap();
    let id = store
        .declare(&NewIncident::with_default_runbook(
            "decl",
            "Queue backlog",
            Severity::P2,
            Milestones::new(Utc::now() - Duration::hours(1)),
            "alice",
        ))
        .unwrap();
    let entries: Vec<NewEntry> = (0..5_000)
        .map(|i| NewEntry {
            uuid: format!("e{i}"),
            kind: EntryKind::Note,
            occurred_at: Utc::now() - Duration::minutes(50) + Duration::milliseconds(i * 100),
            author: "bob".into(),
            text: format!("line number {i:04}"),
            pinned: false,
        })
        .collect();
    store.add_entries(id, &entries).unwrap();
    drop(store);

    let mut console = Console::spawn(&db, 100, 30, &[]);
    console.wait_for("line number 4999");
    console.wait_for("Timeline 5001");
    console.send("\t");
    console.send("g");
    // The selected entry ends the view: the declaration, alone.
    console.wait_for("Declared P2 medium: Queue backlog");
    console.send("j");
    console.wait_for("line number 0000");
    assert!(
        !console.screen_text().contains("line number 4999"),
        "{}",
        console.dump()
    );
    console.wait_for("newer entries below");
    console.send("G");
    console.wait_for("line number 4999");
    console.wait_gone("newer entries below");
    console.send("q");
}

//! The timeline read by window (`store/window.rs`): pages from the newest
//! and either side of an entry, across equal times and backdated entries,
//! and the facts about the whole timeline (count, pinned entries, latest
//! status update), each compared with what walking the whole timeline gives.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use warroom::domain::{EntryKind, Milestones, Severity, TimelineEntry};
use warroom::store::{
    Act, EntryKey, NewEntry, NewIncident, OpenMode, Store, StoreError, TimelineFacts, WindowAnchor,
};

fn declare(store: &mut Store, uuid: &str, declared: DateTime<Utc>) -> i64 {
    store
        .declare(&NewIncident::with_default_runbook(
            uuid,
            "A long incident",
            Severity::P1,
            Milestones::new(declared),
            "alice",
        ))
        .unwrap()
}

fn entry(uuid: String, kind: EntryKind, occurred_at: DateTime<Utc>, pinned: bool) -> NewEntry {
    NewEntry {
        text: format!("{uuid} text"),
        uuid,
        kind,
        occurred_at,
        author: "alice".into(),
        pinned,
    }
}

/// Two incidents written interleaved. The first: 3,000 entries whose times
/// come in runs of seven equal ones, every 50th a status update, every
/// 97th pinned when written; then 300 written later but backdated before
/// all of them (one a status update stamped after every other, one before),
/// then pins and unpins of both kinds of entries. The second: 500 entries
/// at the same times, so a window that strays across incidents shows.
fn long_incident(db: &engines::Db) -> (Store, i64, i64) {
    let mut store = Store::open(db.location(), OpenMode::Create).unwrap();
    let declared = Utc::now() - Duration::days(2);
    let first = declare(&mut store, "first", declared);
    let second = declare(&mut store, "second", declared);
    for batch in 0..6 {
        let entries: Vec<NewEntry> = (batch * 500..(batch + 1) * 500)
            .map(|i| {
                let kind = if i % 50 == 0 {
                    EntryKind::StatusUpdate
                } else {
                    EntryKind::Note
                };
                let at = declared + Duration::minutes(i as i64 / 7);
                entry(format!("a{i}"), kind, at, i % 97 == 0)
            })
            .collect();
        store.add_entries(first, &entries).unwrap();
        let others: Vec<NewEntry> = (batch * 84..(batch + 1) * 84)
            .map(|i| {
                let kind = if i % 3 == 0 {
                    EntryKind::StatusUpdate
                } else {
                    EntryKind::Note
                };
                entry(
                    format!("o{i}"),
                    kind,
                    declared + Duration::minutes(i as i64),
                    true,
                )
            })
            .collect();
        store.add_entries(second, &others).unwrap();
    }
    let backdated: Vec<NewEntry> = (0..300)
        .map(|i| {
            let at = declared - Duration::hours(3) + Duration::minutes(i as i64 / 4);
            entry(format!("b{i}"), EntryKind::Note, at, i % 61 == 0)
        })
        .collect();
    store.add_entries(first, &backdated).unwrap();
    // Newest by time though not by id, and an older one written last.
    let status = [
        entry(
            "late-but-newest".into(),
            EntryKind::StatusUpdate,
            declared + Duration::days(1),
            false,
        ),
        entry(
            "last-but-old".into(),
            EntryKind::StatusUpdate,
            declared - Duration::days(1),
            false,
        ),
    ];
    store.add_entries(first, &status).unwrap();

    let timeline = store.incident_record(first).unwrap().timeline;
    let id_of = |uuid: &str| timeline.iter().find(|e| e.uuid == uuid).unwrap().id;
    let pin = |store: &mut Store, uuid: &str, pinned: bool| {
        let act_uuid = format!("pin-{uuid}-{pinned}");
        let act = Act {
            uuid: &act_uuid,
            incident_id: first,
            author: "bob",
            at: Utc::now(),
        };
        store.set_pin(&act, id_of(uuid), pinned).unwrap();
    };
    pin(&mut store, "a10", true); // pinned since
    pin(&mut store, "a1941", true); // pinned since, then unpinned
    pin(&mut store, "a1941", false);
    pin(&mut store, "a970", false); // pinned when written, unpinned since
    pin(&mut store, "b61", false); // the same, backdated
    pin(&mut store, "b5", true); // pinned since, backdated
    pin(&mut store, "a0", false); // pinned when written, unpinned, pinned again
    let act = Act {
        uuid: "pin-a0-again",
        incident_id: first,
        author: "carol",
        at: Utc::now(),
    };
    store.set_pin(&act, id_of("a0"), true).unwrap();
    (store, first, second)
}

/// What the console derived from the whole timeline before windows.
fn facts_from_whole(timeline: &[TimelineEntry]) -> TimelineFacts {
    TimelineFacts {
        total: timeline.len() as u64,
        pinned: timeline.iter().filter(|e| e.pinned).cloned().collect(),
        latest_status_update: timeline
            .iter()
            .filter(|e| e.kind == EntryKind::StatusUpdate)
            .max_by_key(|e| EntryKey::of(e))
            .cloned(),
        last_id: timeline.iter().map(|e| e.id).max().unwrap_or(0),
    }
}

on_both_engines! {
    fn windows_page_back_and_forth_through_the_whole_timeline(db: &Db) {
        let (mut store, first, second) = long_incident(db);
        let whole = store.incident_record(first).unwrap().timeline;
        assert_eq!(whole.len(), 1 + 3_000 + 300 + 2 + 8);
        let second_ids: Vec<i64> = store.incident_record(second).unwrap().timeline.iter().map(|e| e.id).collect();

        for size in [1, 7, 200, 5_000] {
            // Back from the newest, one window before the oldest of the last.
            let newest = store.timeline_window(first, WindowAnchor::Newest, size).unwrap();
            assert!(!newest.has_newer, "nothing is newer than the newest");
            assert_eq!(newest.entries.len(), size.min(whole.len()));
            assert_eq!(newest.entries[..], whole[whole.len() - newest.entries.len()..]);
            let mut read_back = newest.entries.clone();
            let mut window = newest;
            while window.has_older {
                assert!(read_back.len() <= whole.len(), "windows repeat entries");
                let oldest = EntryKey::of(&window.entries[0]);
                window = store.timeline_window(first, WindowAnchor::Before(oldest), size).unwrap();
                assert!(window.has_newer, "the window before an entry has that entry after it");
                assert!(!window.entries.is_empty(), "has_older promised an entry");
                assert!(window.entries.len() == size || !window.has_older, "a short window only at the start");
                read_back.splice(0..0, window.entries.iter().cloned());
            }
            assert_eq!(read_back, whole, "backwards in windows of {size}");

            // Forward from before the oldest: the window after the first entry, and on.
            let start = store.timeline_window(first, WindowAnchor::Before(EntryKey::of(&whole[1])), size).unwrap();
            assert_eq!(start.entries, vec![whole[0].clone()]);
            assert!(!start.has_older);
            let mut read_forward = start.entries.clone();
            let mut window = start;
            loop {
                assert!(read_forward.len() <= whole.len(), "windows repeat entries");
                let newest = EntryKey::of(window.entries.last().unwrap());
                window = store.timeline_window(first, WindowAnchor::After(newest), size).unwrap();
                assert!(window.has_older);
                read_forward.extend(window.entries.iter().cloned());
                if !window.has_newer {
                    break;
                }
                assert_eq!(window.entries.len(), size, "has_newer only after a full window");
            }
            assert_eq!(read_forward, whole, "forwards in windows of {size}");
            assert!(read_forward.iter().all(|e| !second_ids.contains(&e.id)));
        }
    }
}

on_both_engines! {
    fn windows_start_and_stop_inside_runs_of_equal_times(db: &Db) {
        let (mut store, first, _) = long_incident(db);
        let whole = store.incident_record(first).unwrap().timeline;
        // An entry in the middle of a run of seven equal times, and the
        // backdated entries that sort before everything written first.
        for (index, entry) in whole.iter().enumerate() {
            let same_time = whole.iter().filter(|e| e.occurred_at == entry.occurred_at).count();
            if !(same_time > 2 && index % 11 == 3 || index % 397 == 0) {
                continue;
            }
            let key = EntryKey::of(entry);
            let before = store.timeline_window(first, WindowAnchor::Before(key), 5).unwrap();
            assert_eq!(before.entries[..], whole[index.saturating_sub(5)..index], "before #{index}");
            assert_eq!(before.has_older, index > 5, "before #{index}");
            assert!(before.has_newer);
            let after = store.timeline_window(first, WindowAnchor::After(key), 5).unwrap();
            let end = (index + 6).min(whole.len());
            assert_eq!(after.entries[..], whole[index + 1..end], "after #{index}");
            assert_eq!(after.has_newer, index + 6 < whole.len(), "after #{index}");
            assert!(after.has_older);
        }
    }
}

on_both_engines! {
    fn windows_at_the_ends_and_of_a_new_incident(db: &Db) {
        let (mut store, first, _) = long_incident(db);
        let whole = store.incident_record(first).unwrap().timeline;
        let oldest = EntryKey::of(&whole[0]);
        let newest = EntryKey::of(whole.last().unwrap());

        let before_all = store.timeline_window(first, WindowAnchor::Before(oldest), 50).unwrap();
        assert_eq!((before_all.entries.len(), before_all.has_older, before_all.has_newer), (0, false, true));
        let after_all = store.timeline_window(first, WindowAnchor::After(newest), 50).unwrap();
        assert_eq!((after_all.entries.len(), after_all.has_older, after_all.has_newer), (0, true, false));
        // Keys of no entry, beyond either end.
        let far = |days: i64, id: i64| EntryKey { occurred_at: Utc::now() + Duration::days(days), id };
        let past_all = store.timeline_window(first, WindowAnchor::Before(far(3_650, i64::MAX)), 3).unwrap();
        assert_eq!(past_all.entries[..], whole[whole.len() - 3..]);
        assert!(!past_all.has_newer && past_all.has_older);
        let before_time = store.timeline_window(first, WindowAnchor::After(far(-3_650, 0)), 3).unwrap();
        assert_eq!(before_time.entries[..], whole[..3]);
        assert!(before_time.has_newer && !before_time.has_older);
        // A window of nothing still says what lies either side.
        let none = store.timeline_window(first, WindowAnchor::Newest, 0).unwrap();
        assert_eq!((none.entries.len(), none.has_older, none.has_newer), (0, true, false));

        // A new incident holds only its declaration.
        let fresh = declare(&mut store, "fresh", Utc::now());
        let window = store.timeline_window(fresh, WindowAnchor::Newest, 200).unwrap();
        assert_eq!(window.entries.len(), 1);
        assert!(window.entries[0].text.contains("eclared"), "{:?}", window.entries[0].text);
        assert!(!window.has_older && !window.has_newer);
        let facts = store.timeline_facts(fresh).unwrap();
        assert_eq!(facts, facts_from_whole(&window.entries));
        assert_eq!((facts.total, facts.pinned.len(), facts.latest_status_update), (1, 0, None));

        // No such incident: said so, by both.
        for refusal in [
            store.timeline_window(fresh + 100, WindowAnchor::Newest, 10).map(|_| ()),
            store.timeline_facts(fresh + 100).map(|_| ()),
        ] {
            match refusal {
                Err(StoreError::NotFound(what)) => assert!(what.contains("no incident"), "{what}"),
                other => panic!("expected NotFound, got {other:?}"),
            }
        }
    }
}

on_both_engines! {
    fn facts_equal_what_the_whole_timeline_gives(db: &Db) {
        let (mut store, first, second) = long_incident(db);
        for incident in [first, second] {
            let whole = store.incident_record(incident).unwrap().timeline;
            let facts = store.timeline_facts(incident).unwrap();
            assert_eq!(facts, facts_from_whole(&whole), "incident {incident}");
            assert_eq!(store.count_entries_by_index(incident).unwrap(), facts.total);
        }
        let facts = store.timeline_facts(first).unwrap();
        let pinned: Vec<&str> = facts.pinned.iter().map(|e| e.uuid.as_str()).collect();
        // Pinned when written (every 97th, every 61st backdated) but a970
        // and b61 unpinned since; a10 and b5 pinned since; a1941 pinned and
        // unpinned; a0 unpinned and pinned again. Backdated first.
        let mut expected: Vec<String> = vec!["b0".into(), "b5".into(), "b122".into(), "b183".into(), "b244".into()];
        expected.extend(
            (0..3_000)
                .filter(|i| (i % 97 == 0 && *i != 970) || *i == 10)
                .map(|i| format!("a{i}")),
        );
        assert_eq!(pinned, expected);
        // A pin row naming another incident's entry (planted under the
        // store) pins nothing here.
        let other_entry = store.incident_record(second).unwrap().timeline[5].id;
        db.superuser_batch(&format!(
            "INSERT INTO pins (incident_id, event_id, pinned, changed_by, changed_at)
             VALUES ({first}, {other_entry}, 1, 'mallory', 0)"
        ));
        assert_eq!(store.timeline_facts(first).unwrap(), facts);
        let latest = facts.latest_status_update.expect("a status update");
        assert_eq!(latest.uuid, "late-but-newest");

        // A write moves every fact with it.
        let act = Act { uuid: "pin-late", incident_id: first, author: "bob", at: Utc::now() };
        store.set_pin(&act, latest.id, true).unwrap();
        let after = store.timeline_facts(first).unwrap();
        assert_eq!(after.total, facts.total + 1);
        assert_eq!(after.pinned.last().unwrap().uuid, "late-but-newest");
        assert_eq!(after, facts_from_whole(&store.incident_record(first).unwrap().timeline));
    }
}

on_both_engines! {
    fn the_count_is_rebuilt_when_the_schema_is_set_back(db: &Db) {
        let (mut store, first, second) = long_incident(db);
        drop(store);
        // Counts gone wrong, and the schema set back to before the count:
        // the migration runs again and counts from the events.
        match db.engine {
            engines::Engine::Sqlite => db.superuser_batch(
                "UPDATE timeline_counts SET entries = 7; PRAGMA user_version = 9;",
            ),
            engines::Engine::Postgres => db.superuser_batch(
                "UPDATE timeline_counts SET entries = 7;
                 UPDATE meta SET value = '3' WHERE key = 'schema_version';",
            ),
        }
        store = Store::open(db.location(), OpenMode::Create).unwrap();
        for incident in [first, second] {
            let whole = store.incident_record(incident).unwrap().timeline;
            assert_eq!(store.timeline_facts(incident).unwrap().total, whole.len() as u64);
        }
        // And the trigger still counts (once, not twice).
        let more = [entry("after-rewind".into(), EntryKind::Note, Utc::now(), false)];
        store.add_entries(second, &more).unwrap();
        let whole = store.incident_record(second).unwrap().timeline;
        assert_eq!(store.timeline_facts(second).unwrap().total, whole.len() as u64);
    }
}

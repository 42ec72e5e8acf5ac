//! Whole-screen snapshots of the console drawn into ratatui's TestBackend,
//! from an incident written to a real database file, with a fixed clock.

mod common;

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::app::{App, Event, Snapshot};
use warroom::domain::presence::Presence;
use warroom::domain::timer::TimerState;
use warroom::domain::{EntryKind, ItemState, Milestone, Milestones, Severity};
use warroom::store::{Act, IncidentRecord, ItemChange, NewEntry, NewIncident, OpenMode, Store};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

/// A P1 incident 22 minutes in: notes by three responders, a status update,
/// a half-done checklist, a pinned impact note.
fn incident(dir: &tempfile::TempDir) -> IncidentRecord {
    let mut store = Store::open(dir.path().join("w.db"), OpenMode::Create).unwrap();
    store.set_clock(common::fixture_clock);
    common::set_fixture_clock(at("2026-03-01T14:00:00Z"));
    let mut milestones = Milestones::new(at("2026-03-01T14:00:00Z"));
    milestones.started_at = Some(at("2026-03-01T13:52:00Z"));
    milestones.detected_at = Some(at("2026-03-01T13:55:00Z"));
    let id = store
        .declare(&NewIncident::with_default_runbook(
            "fixture",
            "Checkout API returning 500s for EU customers",
            Severity::P1,
            milestones,
            "alice",
        ))
        .unwrap();
    let entries = [
        (
            "13:55",
            "bob",
            EntryKind::Note,
            "PagerDuty: checkout-api 5xx rate above 5% for 3 minutes",
            true,
        ),
        (
            "14:03",
            "carol",
            EntryKind::Note,
            "Errors started right after deploy 4812 (payment client upgrade)",
            false,
        ),
        (
            "14:06",
            "bob",
            EntryKind::Decision,
            "Roll back deploy 4812",
            false,
        ),
        (
            "14:10",
            "alice",
            EntryKind::StatusUpdate,
            "Investigating elevated checkout errors in EU. Next update 14:25.",
            false,
        ),
        (
            "14:14",
            "carol",
            EntryKind::Note,
            "Rollback done; error rate falling\nwatching p99 latency too",
            false,
        ),
        (
            "14:20",
            "dave",
            EntryKind::Note,
            "数据库 replica lag normal — not the DB",
            false,
        ),
    ];
    for (n, (time, author, kind, text, pinned)) in entries.into_iter().enumerate() {
        common::set_fixture_clock(at(&format!("2026-03-01T{time}:00Z")));
        store
            .add_entry(
                id,
                &NewEntry {
                    uuid: format!("entry-{n}"),
                    kind,
                    occurred_at: at(&format!("2026-03-01T{time}:00Z")),
                    author: author.into(),
                    text: text.into(),
                    pinned,
                },
            )
            .unwrap();
    }
    for (n, (key, state, who, time)) in [
        ("1.1", ItemState::Done, "alice", "14:01"),
        ("1.2", ItemState::Done, "alice", "14:02"),
        ("1.3", ItemState::Done, "carol", "14:08"),
        ("2.1", ItemState::Done, "bob", "14:07"),
        ("2.3", ItemState::NotApplicable, "bob", "14:09"),
        ("p1.1", ItemState::Done, "alice", "14:01"),
        ("p1.2", ItemState::Done, "alice", "14:02"),
        ("p1.3", ItemState::Done, "alice", "14:03"),
    ]
    .into_iter()
    .enumerate()
    {
        common::set_fixture_clock(at(&format!("2026-03-01T{time}:00Z")));
        store
            .set_item_state(&ItemChange {
                uuid: &format!("tick-{n}"),
                incident_id: id,
                key,
                state,
                author: who,
                at: at(&format!("2026-03-01T{time}:00Z")),
                expected_version: None,
            })
            .unwrap();
    }
    // Each act is written down when it happens: the store's clock says so.
    let act = |uuid: &'static str, author: &'static str, time: &str| {
        let when = at(&format!("2026-03-01T{time}:00Z"));
        common::set_fixture_clock(when);
        Act {
            uuid,
            incident_id: id,
            author,
            at: when,
        }
    };
    store
        .assign_role(
            &act("role-1", "alice", "14:05"),
            "comms",
            "Communications Lead",
            "carol",
        )
        .unwrap();
    store
        .set_phase(&act("phase-2", "alice", "14:15"), 1, "Response")
        .unwrap();
    store
        .start_timer(
            &act("timer-1", "bob", "14:16"),
            at("2026-03-01T14:26:00Z"),
            "check rollback held",
        )
        .unwrap();
    store.incident_record(id).unwrap()
}

fn app_at(record: Option<IncidentRecord>, now: &str) -> App {
    let mut app = App::new("alice".into(), "/srv/warroom/warroom.db".into(), at(now));
    app.utc_offset = Some(FixedOffset::east_opt(0).unwrap());
    let mut snapshot = Snapshot::of(record, false);
    // Two responders attached, one of whom has gone quiet (killed console).
    snapshot.presence = vec![
        presence("alice", "pts/1", "2026-03-01T14:00:10Z", now),
        presence("bob", "pts/4", "2026-03-01T14:03:00Z", now),
        presence("zed", "pts/9", "2026-03-01T14:05:00Z", "2026-03-01T14:05:00Z"),
    ];
    app.handle(Event::Snapshot(Box::new(snapshot)));
    app
}

fn presence(account: &str, terminal: &str, since: &str, seen: &str) -> Presence {
    Presence {
        session: format!("{account}-{terminal}"),
        account: account.into(),
        terminal: terminal.into(),
        incident_id: Some(1),
        since: at(since),
        seen_at: at(seen),
    }
}

fn render(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| warroom::ui::draw(frame, app)).unwrap();
    terminal.backend().to_string()
}

#[test]
fn console_80x24() {
    let dir = common::temp_dir();
    let app = app_at(Some(incident(&dir)), "2026-03-01T14:22:30Z");
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn console_120x40() {
    let dir = common::temp_dir();
    let app = app_at(Some(incident(&dir)), "2026-03-01T14:22:30Z");
    insta::assert_snapshot!(render(&app, 120, 40));
}

#[test]
fn console_200x50() {
    let dir = common::temp_dir();
    let app = app_at(Some(incident(&dir)), "2026-03-01T14:22:30Z");
    insta::assert_snapshot!(render(&app, 200, 50));
}

#[test]
fn too_small() {
    let dir = common::temp_dir();
    let app = app_at(Some(incident(&dir)), "2026-03-01T14:22:30Z");
    let screen = render(&app, 40, 10);
    assert!(screen.contains("too small"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn start_screen_declares_without_a_mouse() {
    let app = app_at(None, "2026-03-01T14:22:30Z");
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn help_at_80x24() {
    let dir = common::temp_dir();
    let mut app = app_at(Some(incident(&dir)), "2026-03-01T14:22:30Z");
    app.handle(Event::Key(ratatui::crossterm::event::KeyEvent::from(
        ratatui::crossterm::event::KeyCode::Char('?'),
    )));
    insta::assert_snapshot!(render(&app, 80, 24));
}

/// The timers pane as the status update comes due and passes it.
#[test]
fn timers_healthy_near_and_overdue() {
    let dir = common::temp_dir();
    let record = incident(&dir);
    // Last status update 14:10, P1 cadence 15 min: due 14:25.
    for (name, now) in [
        ("healthy", "2026-03-01T14:12:00Z"),
        ("near", "2026-03-01T14:22:30Z"),
        ("overdue", "2026-03-01T14:31:05Z"),
    ] {
        let app = app_at(Some(record.clone()), now);
        let screen = render(&app, 100, 30);
        let timers: Vec<&str> = screen
            .lines()
            .skip_while(|l| !l.contains("Timers"))
            .take(7)
            .collect();
        let timers = timers.join("\n");
        match name {
            "healthy" => assert!(timers.contains("in 13:00"), "{timers}"),
            "near" => assert!(timers.contains("SOON 02:30"), "{timers}"),
            _ => assert!(timers.contains("OVERDUE +06:05"), "{timers}"),
        }
        insta::assert_snapshot!(format!("timers_{name}"), timers);
    }
}

/// Four hours and more in, the phase clock is past its window and says so.
#[test]
fn overdue_phase_is_marked_in_the_header() {
    let dir = common::temp_dir();
    let record = incident(&dir);
    let app = app_at(Some(record), "2026-03-01T14:00:00Z");
    let mut later = app.clone();
    later.handle(Event::Tick(at("2026-03-01T14:00:00Z") + TimeDelta::days(4)));
    let header = render(&later, 100, 30).lines().next().unwrap().to_string();
    assert!(header.contains("OVERDUE"), "{header}");
}

/// An observer's console says it is read-only, in the header and beside the
/// presence list (it cannot announce itself to others).
#[test]
fn read_only_console_shows_its_badge() {
    let dir = common::temp_dir();
    let mut app = App::new(
        "olivia".into(),
        "/srv/warroom/warroom.db".into(),
        at("2026-03-01T14:22:30Z"),
    );
    app.utc_offset = Some(FixedOffset::east_opt(0).unwrap());
    app.handle(Event::Snapshot(Box::new(Snapshot::of(
        Some(incident(&dir)),
        true,
    ))));
    let screen = render(&app, 120, 40);
    assert!(screen.lines().next().unwrap().contains("READ-ONLY"), "{screen}");
    assert!(screen.contains("you (olivia, read-only, not listed)"), "{screen}");
}

/// The metrics view names its own keys, from the keymap: scroll and close
/// (not "close help").
#[test]
fn metrics_view_at_80x24() {
    let dir = common::temp_dir();
    let mut app = app_at(Some(incident(&dir)), "2026-03-01T14:22:30Z");
    for c in ":metrics".chars() {
        app.handle(Event::Key(ratatui::crossterm::event::KeyEvent::from(
            ratatui::crossterm::event::KeyCode::Char(c),
        )));
    }
    app.handle(Event::Key(ratatui::crossterm::event::KeyEvent::from(
        ratatui::crossterm::event::KeyCode::Enter,
    )));
    app.handle(Event::MetricsReady(
        "Incidents: 1\nMean time to detect (MTTD): 4m 00s (1 incident)".to_string(),
    ));
    let screen = render(&app, 80, 24);
    let footer = screen.lines().last().unwrap_or_default();
    assert!(footer.contains("j/k scroll · ?/Esc close "), "{footer}");
    assert!(!screen.contains("close help"), "{screen}");
    insta::assert_snapshot!(screen);
}

/// The first row of a screen drawn by [`render`] (without its quotes).
fn header_of(screen: &str) -> String {
    screen.lines().next().unwrap().trim_matches('"').to_string()
}

/// 14:31:05: the status update (due 14:25) is 6 minutes late and timer 1
/// (due 14:26) has run out. The header says both, the update first, by
/// name, at 80 columns too (the title gives way, then the phase, T+ and IC).
#[test]
fn overdue_status_update_and_due_timer_in_the_header() {
    let dir = common::temp_dir();
    let app = app_at(Some(incident(&dir)), "2026-03-01T14:31:05Z");
    let wide = render(&app, 120, 34);
    assert_eq!(
        header_of(&wide),
        " #1  P1 HIGH  Checkout API retu…  UPDATE OVERDUE +06:05  TIMER 1 DUE: check rollback held  Response  T+31m05s  IC alice "
    );
    insta::assert_snapshot!("overdue_update_120x34", wide);
    let narrow = render(&app, 80, 24);
    assert_eq!(
        header_of(&narrow),
        " #1  P1 HIGH  Checkout AP…  UPDATE OVERDUE +06:05  TIMER 1 DUE: check rollback… "
    );
    insta::assert_snapshot!("overdue_update_80x24", narrow);
}

/// In the last five minutes the header counts the status update down, and
/// the composer (which covers the timers pane) carries the countdown in its
/// title; late, both say OVERDUE.
#[test]
fn the_update_countdown_is_in_the_header_and_the_composer() {
    let dir = common::temp_dir();
    let record = incident(&dir);
    let calm = app_at(Some(record.clone()), "2026-03-01T14:12:00Z");
    assert!(!header_of(&render(&calm, 120, 34)).contains("UPDATE"));
    let mut near = app_at(Some(record.clone()), "2026-03-01T14:20:48Z");
    assert!(header_of(&render(&near, 120, 34)).contains("  UPDATE in 04:12  Response "));
    near.handle(Event::Key(ratatui::crossterm::event::KeyEvent::from(
        ratatui::crossterm::event::KeyCode::Char('n'),
    )));
    let screen = render(&near, 120, 34);
    assert!(
        screen.contains("┌ Note — Enter adds · update due in 04:12 · Ctrl-J new line"),
        "{screen}"
    );
    let mut late = app_at(Some(record), "2026-03-01T14:25:22Z");
    late.handle(Event::Key(ratatui::crossterm::event::KeyEvent::from(
        ratatui::crossterm::event::KeyCode::Char('u'),
    )));
    let screen = render(&late, 120, 34);
    assert!(
        screen.contains("┌ Status update — Enter posts · UPDATE OVERDUE +00:22 · Ctrl-J"),
        "{screen}"
    );
}

/// The fixture resolved at 16:14, 2h14m after it was declared (acknowledged
/// 14:05, mitigated 14:40), timer 1 done; looked at 47:55 later.
fn resolved_incident(dir: &tempfile::TempDir) -> IncidentRecord {
    let record = incident(dir);
    let mut store = Store::open(dir.path().join("w.db"), OpenMode::Existing).unwrap();
    store.set_clock(common::fixture_clock);
    let id = record.incident.id;
    for (uuid, time, milestone) in [
        ("ack", "14:05", Milestone::Acknowledged),
        ("mitigate", "14:40", Milestone::Mitigated),
        ("resolve", "16:14", Milestone::Resolved),
    ] {
        let when = at(&format!("2026-03-01T{time}:00Z"));
        common::set_fixture_clock(when);
        let act = Act {
            uuid,
            incident_id: id,
            author: "alice",
            at: when,
        };
        if milestone == Milestone::Mitigated {
            let done = Act {
                uuid: "timer-done",
                ..act
            };
            store.close_timer(&done, 1, TimerState::Done).unwrap();
        }
        store.set_milestone(&act, milestone, when).unwrap();
    }
    store.incident_record(id).unwrap()
}

/// A resolved incident looks resolved: the clocks stopped (no phase, no
/// running T+, no status update due), how long it took and the post-mortem
/// countdown in their place, every milestone in the incident pane.
#[test]
fn a_resolved_incident_looks_resolved() {
    let dir = common::temp_dir();
    let app = app_at(Some(resolved_incident(&dir)), "2026-03-01T17:01:55Z");
    let narrow = render(&app, 80, 24);
    assert_eq!(
        header_of(&narrow),
        " #1  P1 HIGH  Checkout API re…  RESOLVED T+2h14m  Post-mortem due in 47:12:05 … "
    );
    for milestone in [
        "Started   13:52",
        "Detected  13:55",
        "Declared  14:00",
        "Acked     14:05",
        "Mitigated 14:40",
        "Resolved  16:14",
    ] {
        assert!(narrow.contains(milestone), "{milestone}:\n{narrow}");
    }
    assert!(narrow.contains("Post-mortem     due in 47:12:05"), "{narrow}");
    insta::assert_snapshot!("resolved_80x24", narrow);

    let wide = render(&app, 200, 50);
    let header = header_of(&wide);
    assert!(
        header.ends_with("  RESOLVED T+2h14m  Post-mortem due in 47:12:05  IC alice "),
        "{header}"
    );
    for stopped in ["Response", "UPDATE"] {
        assert!(!header.contains(stopped), "{stopped} after resolution: {header}");
    }
    for stopped in ["Status update ", "Phase 2 ", "Since declared"] {
        assert!(!wide.contains(stopped), "{stopped} after resolution:\n{wide}");
    }
    insta::assert_snapshot!("resolved_200x50", wide);

    // Later still: the same duration, the post-mortem now overdue.
    let mut late = app.clone();
    late.handle(Event::Tick(at("2026-03-03T17:14:00Z")));
    let header = header_of(&render(&late, 200, 50));
    assert!(
        header.contains("  POST-MORTEM OVERDUE +1:00:00  RESOLVED T+2h14m  IC alice "),
        "{header}"
    );
}

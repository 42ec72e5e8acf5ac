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
    // Bob is on another bastion (a PostgreSQL war room): listed with his host.
    let mut bob = presence("bob", "pts/4", "2026-03-01T14:03:00Z", now);
    bob.host = "bastion-2".into();
    snapshot.presence = Some(vec![
        presence("alice", "pts/1", "2026-03-01T14:00:10Z", now),
        bob,
        presence("zed", "pts/9", "2026-03-01T14:05:00Z", "2026-03-01T14:05:00Z"),
    ]);
    app.handle(Event::Snapshot(Box::new(snapshot)));
    app
}

fn presence(account: &str, terminal: &str, since: &str, seen: &str) -> Presence {
    Presence {
        session: format!("{account}-{terminal}"),
        account: account.into(),
        terminal: terminal.into(),
        host: String::new(),
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

#[test]
fn console_120x34() {
    let dir = common::temp_dir();
    let app = app_at(Some(incident(&dir)), "2026-03-01T14:22:30Z");
    insta::assert_snapshot!(render(&app, 120, 34));
}

/// The timeline's text column gets most of the width at every size: the
/// checklist stays a narrow column.
#[test]
fn the_timeline_gets_most_of_the_width() {
    let dir = common::temp_dir();
    let app = app_at(Some(incident(&dir)), "2026-03-01T14:22:30Z");
    for (width, height, checklist_at_most) in [(80, 24, 28), (120, 34, 42), (200, 50, 44)] {
        let screen = render(&app, width, height);
        let row = screen.lines().nth(2).unwrap();
        let checklist_row = screen
            .lines()
            .find(|l| l.contains("┌ Checklist"))
            .unwrap()
            .trim_matches('"');
        let start = checklist_row.find("┌ Checklist").unwrap();
        let checklist_width = checklist_row[start..].chars().position(|c| c == '┐').unwrap() + 1;
        let timeline_width = checklist_row
            .chars()
            .count()
            .saturating_sub(checklist_row[..start].chars().count() + checklist_width);
        assert!(
            checklist_width <= checklist_at_most,
            "{width}: {checklist_width}\n{screen}"
        );
        assert!(
            timeline_width > width as usize / 2,
            "{width}: {timeline_width}\n{row}"
        );
    }
}

/// Closed sections fold to one line, the selection opens in the current
/// phase (its NOW heading on screen without a key), and the selected item's
/// description is on the pane's last line.
#[test]
fn checklist_opens_on_the_current_phase_with_closed_sections_folded() {
    let dir = common::temp_dir();
    let record = incident(&dir);
    let mut store = Store::open(dir.path().join("w.db"), OpenMode::Existing).unwrap();
    store.set_clock(common::fixture_clock);
    for (n, key) in ["1.4", "p1.4", "2.2", "2.4"].into_iter().enumerate() {
        common::set_fixture_clock(at("2026-03-01T14:21:00Z"));
        store
            .set_item_state(&ItemChange {
                uuid: &format!("close-{n}"),
                incident_id: record.incident.id,
                key,
                state: ItemState::Done,
                author: "bob",
                at: at("2026-03-01T14:21:00Z"),
                expected_version: None,
            })
            .unwrap();
    }
    let record = store.incident_record(record.incident.id).unwrap();
    let app = app_at(Some(record), "2026-03-01T14:22:30Z");
    let selected = &app.record.as_ref().unwrap().checklist[app.checklist_selected];
    assert_eq!(selected.key, "p2.1");
    let screen = render(&app, 200, 50);
    for folded in [
        "▸ Detection & Assessment  4/4",
        "▸ Containment  4/4",
        "▸ Phase 1: Triage 0–15 min  4/4",
    ] {
        assert!(screen.contains(folded), "{folded}\n{screen}");
    }
    assert!(!screen.contains("1.1  Incident"), "{screen}");
    let at_80 = render(&app, 80, 24);
    assert!(at_80.lines().nth(2).unwrap().contains("◀ NOW"), "{at_80}");
    assert!(
        screen.contains("» Implement immediate containment measures"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
    insta::assert_snapshot!("checklist_at_80x24", at_80);

    // On a runbook item the description is the runbook's, cut with `…` when long.
    let mut app = app;
    app.checklist_selected = 5; // 2.2 Traffic Management: its section opens
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("Containment  4/4") && !screen.contains("▸ Containment"),
        "{screen}"
    );
    assert!(screen.contains("» Block malicious traffic…"), "{screen}");
}

/// The incident with pasted command output and a link added, so the
/// timeline shows wrapping, a URL and preformatted lines.
fn incident_with_pasted_output(dir: &tempfile::TempDir) -> IncidentRecord {
    let record = incident(dir);
    let mut store = Store::open(dir.path().join("w.db"), OpenMode::Existing).unwrap();
    store.set_clock(common::fixture_clock);
    for (n, (time, author, text)) in [
        (
            "14:21",
            "dave",
            "kubectl get pods -n checkout\nNAME                READY   STATUS             RESTARTS\ncheckout-api-7d9f   1/1     Running            0\ncheckout-api-8c2e   0/1     CrashLoopBackOff   12",
        ),
        (
            "14:22",
            "carol",
            "Error panel: https://grafana.example.com/d/eu-5xx shows the drop since 14:12",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let when = at(&format!("2026-03-01T{time}:00Z"));
        common::set_fixture_clock(when);
        store
            .add_entry(
                record.incident.id,
                &NewEntry {
                    uuid: format!("pasted-{n}"),
                    kind: EntryKind::Note,
                    occurred_at: when,
                    author: author.into(),
                    text: text.into(),
                    pinned: false,
                },
            )
            .unwrap();
    }
    store.incident_record(record.incident.id).unwrap()
}

fn press(app: &mut App, code: ratatui::crossterm::event::KeyCode) {
    app.handle(Event::Key(ratatui::crossterm::event::KeyEvent::from(code)));
}

/// A 300-character paragraph in a 60-column composer wraps at spaces: every
/// word is on screen whole, none scrolled off sideways, and the box grows.
#[test]
fn composer_wraps_a_paragraph() {
    use ratatui::crossterm::event::KeyCode;
    let dir = common::temp_dir();
    let mut app = app_at(Some(incident(&dir)), "2026-03-01T14:22:30Z");
    press(&mut app, KeyCode::Char('n'));
    let words: Vec<String> = (1..=60).map(|n| format!("w{n:03}")).collect();
    let paragraph = words.join(" ");
    assert_eq!(paragraph.len(), 299);
    app.handle(Event::Paste(paragraph.clone()));
    // The terminal is 62 columns wide, so the box is 60.
    let screen = render(&app, 62, 24);
    let box_rows: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("Note —"))
        .skip(1)
        .take_while(|l| l.chars().nth(2) == Some('│'))
        .collect();
    // Inside the box: columns 2 to 59 of each row (after the opening quote).
    let inside: Vec<String> = box_rows
        .iter()
        .map(|row| row.chars().skip(3).take(58).collect())
        .collect();
    let text: Vec<&str> = inside.iter().flat_map(|row| row.split_whitespace()).collect();
    assert_eq!(
        text,
        words.iter().map(String::as_str).collect::<Vec<_>>(),
        "{screen}"
    );
    assert!(
        box_rows.len() >= 6,
        "five rows of text and one for the cursor:\n{screen}"
    );
    insta::assert_snapshot!(screen);
}

/// The whole help at 80×24, scrolled through: every key and every command's
/// synopsis is followed by at least two spaces and then its text, and
/// every word of every text is there (long texts wrap, nothing is cut).
#[test]
fn help_at_80x24_has_no_collisions_and_no_cuts() {
    use ratatui::crossterm::event::KeyCode;
    use warroom::app::command::TABLE;
    use warroom::app::keymap::Context;
    let dir = common::temp_dir();
    let mut app = app_at(Some(incident(&dir)), "2026-03-01T14:22:30Z");
    press(&mut app, KeyCode::Char('?'));
    let mut rows: Vec<String> = Vec::new();
    loop {
        let screen = render(&app, 80, 24);
        let lines: Vec<&str> = screen.lines().map(|l| l.trim_matches('"')).collect();
        let visible: Vec<String> = lines[2..21]
            .iter()
            .map(|l| {
                l.chars()
                    .skip(1)
                    .take(78)
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect();
        // Each screen after the first shows one new row at the bottom.
        if rows.is_empty() {
            rows.extend(visible);
        } else {
            rows.push(visible.last().unwrap().clone());
        }
        let title = lines[1];
        let at_end = title
            .split_once('(')
            .and_then(|(_, r)| r.split_once(')'))
            .map(|(n, _)| {
                let (now, last) = n.split_once('/').unwrap();
                now == last
            });
        if at_end != Some(false) {
            break;
        }
        press(&mut app, KeyCode::Char('j'));
    }
    let whole = rows.join("\n");
    // The rows are in the help's order: each is looked for after the last.
    let mut next = 0;
    let mut text_after = |lead: &str| -> String {
        let found = rows[next..]
            .iter()
            .position(|r| r.starts_with(&format!("  {lead}  ")))
            .unwrap_or_else(|| panic!("no row for {lead:?} followed by two spaces:\n{whole}"));
        next += found + 1;
        rows[next - 1][2 + lead.len()..].trim_start().to_string()
    };
    let mut entries: Vec<(String, String)> = Vec::new();
    // A replay's keys are in a replay's help (tests/replay.rs).
    for context in Context::ALL.into_iter().filter(|c| *c != Context::Replay) {
        for hint in app.keymap.help_rows(context) {
            entries.push((hint.keys.clone(), hint.what.to_string()));
        }
    }
    for spec in TABLE {
        entries.push((spec.synopsis(), spec.help.to_string()));
    }
    for (lead, what) in entries {
        let first = what.split_whitespace().next().unwrap();
        assert!(text_after(&lead).starts_with(first), "{lead}: {what}\n{whole}");
        for word in what.split_whitespace() {
            assert!(whole.contains(word), "{word:?} of {what:?} is missing:\n{whole}");
        }
    }
}

/// A draft left in the composer stays named in the footer after its message
/// fades; each prompt shows its own hints; `:` completes a name with Tab
/// and shows the command's usage from the command table.
#[test]
fn footer_names_waiting_drafts_and_each_prompts_hints() {
    use ratatui::crossterm::event::KeyCode;
    let dir = common::temp_dir();
    let mut app = app_at(Some(incident(&dir)), "2026-03-01T14:22:30Z");
    let footer = |app: &App| render(app, 120, 34).lines().last().unwrap().to_string();
    let message = |app: &App| render(app, 120, 34).lines().rev().nth(1).unwrap().to_string();

    press(&mut app, KeyCode::Char('u'));
    assert!(
        footer(&app).contains("Enter send · Ctrl-J newline · Esc leave"),
        "{}",
        footer(&app)
    );
    app.handle(Event::Paste("Rollback in EU under way".into()));
    press(&mut app, KeyCode::Esc);
    app.handle(Event::Tick(at("2026-03-01T14:23:00Z")));
    assert!(
        !message(&app).contains("Draft kept"),
        "the message faded: {}",
        message(&app)
    );
    let hints = footer(&app);
    assert!(
        hints.contains("n note · u update (draft) · s severity"),
        "{hints}"
    );

    press(&mut app, KeyCode::Char(':'));
    for c in "sn".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    assert!(
        footer(&app).contains("\":snooze 10m WHY — push the status-update"),
        "{}",
        footer(&app)
    );
    press(&mut app, KeyCode::Tab);
    assert!(message(&app).starts_with("\":snooze "), "{}", message(&app));
    assert!(
        footer(&app).contains("Enter submit · Tab complete · Esc cancel"),
        "{}",
        footer(&app)
    );
    assert!(!footer(&app).contains("newline"), "{}", footer(&app));
    press(&mut app, KeyCode::Esc);

    press(&mut app, KeyCode::Char(':'));
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('t'));
    assert!(
        footer(&app).starts_with("\":status :started · "),
        "{}",
        footer(&app)
    );
    press(&mut app, KeyCode::Tab);
    assert!(message(&app).starts_with("\":sta "), "{}", message(&app));
    press(&mut app, KeyCode::Esc);

    press(&mut app, KeyCode::Char('/'));
    assert!(
        footer(&app).starts_with("\"Enter submit · Esc cancel "),
        "{}",
        footer(&app)
    );
}

/// Tab to the timeline: the newest entry is selected (▶); `k` twice selects
/// the one two back, and the view ends with it.
#[test]
fn timeline_with_a_selection() {
    use ratatui::crossterm::event::KeyCode;
    let dir = common::temp_dir();
    let record = incident_with_pasted_output(&dir);
    for (width, height) in [(80, 24), (120, 34)] {
        let mut app = app_at(Some(record.clone()), "2026-03-01T14:22:30Z");
        press(&mut app, KeyCode::Tab);
        let following = render(&app, width, height);
        let selected: Vec<&str> = following.lines().filter(|l| l.contains('▶')).collect();
        assert_eq!(selected.len(), 1, "{following}");
        assert!(selected[0].contains("carol Error panel:"), "{following}");
        press(&mut app, KeyCode::Char('k'));
        press(&mut app, KeyCode::Char('k'));
        let screen = render(&app, width, height);
        let selected: Vec<&str> = screen.lines().filter(|l| l.contains('▶')).collect();
        assert_eq!(selected.len(), 1, "{screen}");
        assert!(selected[0].contains("14:20 dave  数据库 replica lag"), "{screen}");
        assert!(screen.contains("2 newer below (G follows)"), "{screen}");
        insta::assert_snapshot!(format!("timeline_selection_{width}x{height}"), screen);
    }
}

/// The pasted table keeps its columns (cut with … where the pane ends)
/// and the link is never broken where the line has room for it.
#[test]
fn pasted_output_and_links_in_the_timeline() {
    let dir = common::temp_dir();
    let app = app_at(Some(incident_with_pasted_output(&dir)), "2026-03-01T14:22:30Z");
    let screen = render(&app, 120, 34);
    let rows: Vec<&str> = screen.lines().collect();
    let table_row = rows
        .iter()
        .find(|r| r.contains("checkout-api-8c2e"))
        .expect("the pasted table");
    assert!(
        table_row.contains("checkout-api-8c2e   0/1     CrashLoopBackOff"),
        "{screen}"
    );
    let header = rows
        .iter()
        .find(|r| r.contains("NAME   "))
        .expect("the table header");
    assert!(header.contains("NAME                READY   STATUS"), "{screen}");
    assert!(
        screen.contains("https://grafana.example.com/d/eu-5xx"),
        "{screen}"
    );
    let screen = render(&app, 200, 50);
    assert!(
        screen.contains("checkout-api-8c2e   0/1     CrashLoopBackOff   12"),
        "{screen}"
    );
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

//! Every input mode of the console (the panes, the start screen, the
//! severity picker, the help, metrics and entry viewers, the composer, the `:` and
//! `/` lines, a replay's panes) reacts to the keymap's keys and to no others: each action,
//! moved to a new key with `[keys]`, does on the new key exactly what it did
//! on its old ones, and its old keys then do nothing. Driven with events on
//! an incident written by the real binary; no terminal.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use warroom::app::keymap::{Action, Context, Key, Keymap};
use warroom::app::{App, Event, Input, Pane, Request, Snapshot};
use warroom::domain::EntryKind;
use warroom::domain::replay::Replay;
use warroom::store::{IncidentRecord, OpenMode, Store};

/// A key no default binding uses anywhere.
const FREE_KEY: &str = "ctrl-y";

/// An incident with a few notes, so the timeline can scroll both ways, and
/// one clock for every console of a test (writes carry its time).
struct Fixture {
    record: IncidentRecord,
    now: DateTime<Utc>,
}

fn fixture(db: &Path) -> Fixture {
    let id: i64 = common::ok(db, &["declare", "--severity", "P2", "Disk full on db-2"])
        .trim()
        .parse()
        .expect("declare prints the id");
    for n in 1..=4 {
        common::ok(db, &["note", &format!("note {n}")]);
    }
    let record = Store::open(db, OpenMode::Existing)
        .unwrap()
        .incident_record(id)
        .unwrap();
    Fixture {
        record,
        now: Utc::now(),
    }
}

/// A state of the console to press keys in.
#[derive(Debug, Clone, Copy)]
struct Setup {
    with_incident: bool,
    /// A replay of the incident, paused at its third event.
    replay: bool,
    input: Input,
    focus: Pane,
    /// Typed into the text box of the mode, if it has one.
    text: &'static str,
}

const fn setup(input: Input, focus: Pane, text: &'static str) -> Setup {
    Setup {
        with_incident: true,
        replay: false,
        input,
        focus,
        text,
    }
}

fn setups() -> Vec<Setup> {
    vec![
        Setup {
            with_incident: false,
            ..setup(Input::Keys, Pane::Checklist, "Disk full")
        },
        setup(Input::Keys, Pane::Checklist, ""),
        setup(Input::Keys, Pane::Timeline, ""),
        setup(Input::Composer(EntryKind::Note), Pane::Checklist, "rolled back"),
        setup(
            Input::Composer(EntryKind::StatusUpdate),
            Pane::Timeline,
            "all clear",
        ),
        setup(Input::CommandLine, Pane::Checklist, "note from the line"),
        // A command's name begun, for Tab to complete.
        setup(Input::CommandLine, Pane::Checklist, "sno"),
        setup(Input::Search, Pane::Timeline, "note"),
        setup(Input::SeverityPicker(1), Pane::Checklist, ""),
        setup(Input::SeverityPicker(2), Pane::Checklist, ""),
        setup(Input::Help, Pane::Checklist, ""),
        setup(Input::Metrics, Pane::Timeline, ""),
        // Entry #3 ("note 2") opened whole.
        setup(Input::Entry(3), Pane::Timeline, ""),
        // The timeline focused: there Space (the replay's pause) would not
        // write, were pause moved to another key.
        Setup {
            replay: true,
            ..setup(Input::Keys, Pane::Timeline, "")
        },
    ]
}

/// The console in `setup`, with every position away from its ends so that
/// each move has somewhere to go.
fn app_in(setup: Setup, fixture: &Fixture, keymap: &Keymap) -> App {
    let mut app = if setup.replay {
        replay_of(fixture)
    } else {
        let mut app = App::new("alice".into(), "w.db".into(), fixture.now);
        let record = setup.with_incident.then(|| fixture.record.clone());
        app.handle(Event::Snapshot(Box::new(Snapshot::of(record, false))));
        // A search under way (its page not come yet): Esc has one to clear.
        let _ = app.search_for("note");
        app
    };
    app.keymap = keymap.clone();
    app.focus = setup.focus;
    app.checklist_selected = 1;
    app.timeline_offset = 1;
    app.help_scroll = 3;
    app.input = setup.input;
    if !setup.text.is_empty() {
        app.handle(Event::Paste(setup.text.into()));
        // The text box's own editing keys (Ctrl-J deletes to the start of
        // the line) then have nothing to change.
        app.handle(Event::Key(KeyEvent::new(KeyCode::Home, KeyModifiers::NONE)));
    }
    app.flash = None;
    app
}

/// A replay of the fixture, paused at its third event of five, at ×60:
/// every key of the replay has somewhere to go.
fn replay_of(fixture: &Fixture) -> App {
    let record = &fixture.record;
    let replay = Replay::new(record.ending(), record.timeline.clone(), fixture.now);
    let third = replay.moment(2).expect("the fixture has five events");
    let mut app = App::replay(
        "alice".into(),
        "w.db".into(),
        replay,
        record.runbook_text.clone(),
        third,
        60,
        fixture.now,
    );
    let player = app.replay.as_mut().unwrap();
    assert_eq!(player.applied(), 3);
    player.paused = true;
    app
}

/// What a key can change, written out; uuids (new for every write) left out.
fn observed(app: &App, requests: &[Request]) -> String {
    let mut requests = format!("{requests:?}");
    while let Some(at) = requests.find("uuid: \"") {
        let start = at + "uuid: \"".len();
        let end = start + requests[start..].find('"').expect("the uuid's closing quote");
        requests.replace_range(at..=end, "uuid");
    }
    format!(
        "input {:?}, focus {:?}, item {}, offset {}, scroll {}, start {:?}, search {:?}, quit {}, \
         flash {:?}, note {:?}, update {:?}, prompt {:?}, title {:?}, start field {:?}, detected {:?}, \
         drill {}, replay {:?}, requests {requests}",
        app.input,
        app.focus,
        app.checklist_selected,
        app.timeline_offset,
        app.help_scroll,
        app.start.severity,
        app.search.as_ref().map(|s| &s.typed),
        app.should_quit,
        app.flash.as_ref().map(|f| &f.text),
        app.note_draft.lines(),
        app.update_draft.lines(),
        app.prompt.lines(),
        app.start.title.lines(),
        app.start.field,
        app.start.detected.lines(),
        app.start.drill,
        app.replay
            .as_ref()
            .map(|p| (p.at, p.applied(), p.speed, p.paused)),
    )
}

/// The state after pressing `key` in a fresh console in `setup`.
fn after(setup: Setup, fixture: &Fixture, keymap: &Keymap, key: &Key) -> String {
    let mut app = app_in(setup, fixture, keymap);
    let requests = app.handle(Event::Key(key.event()));
    observed(&app, &requests)
}

/// Every action the keymap knows, once.
fn actions() -> Vec<Action> {
    let mut actions = Vec::new();
    for binding in Keymap::default().bindings() {
        if !actions.contains(&binding.action) {
            actions.push(binding.action);
        }
    }
    actions
}

fn moved_to_free_key(action: Action) -> Keymap {
    let overrides = BTreeMap::from([(action.name().to_string(), vec![FREE_KEY.to_string()])]);
    Keymap::with_overrides(&overrides).expect("the free key clashes with nothing")
}

#[test]
fn every_action_follows_its_keys_and_old_keys_do_nothing() {
    let dir = common::temp_dir();
    let fixture = fixture(&common::db_in(&dir));
    let defaults = Keymap::default();
    let free = Key::parse(FREE_KEY).unwrap();
    // (context, action) pairs seen to change something in some setup.
    let mut effective: Vec<(Context, Action)> = Vec::new();
    let mut bound: Vec<(Context, Action)> = Vec::new();
    for setup in setups() {
        let context = app_in(setup, &fixture, &defaults).context();
        for action in actions() {
            let old_keys = defaults.keys_for(context, action);
            if old_keys.is_empty() {
                continue;
            }
            bound.push((context, action));
            let untouched = observed(&app_in(setup, &fixture, &defaults), &[]);
            let expected = after(setup, &fixture, &defaults, &old_keys[0]);
            for old in &old_keys {
                assert_eq!(
                    after(setup, &fixture, &defaults, old),
                    expected,
                    "{context:?}: {} does not do what {} does ({action:?})",
                    old.name(),
                    old_keys[0].name()
                );
            }
            if expected != untouched {
                effective.push((context, action));
            }
            let moved = moved_to_free_key(action);
            // Messages that name the action's key name the new one.
            let on_free_key =
                after(setup, &fixture, &moved, &free).replace(&free.name(), &old_keys[0].name());
            assert_eq!(
                on_free_key, expected,
                "{context:?}: {action:?} moved to {FREE_KEY} does not do the same"
            );
            let untouched = observed(&app_in(setup, &fixture, &moved), &[]);
            for old in &old_keys {
                assert_eq!(
                    after(setup, &fixture, &moved, old),
                    untouched,
                    "{context:?}: {} still acts after {action:?} moved to {FREE_KEY}",
                    old.name()
                );
            }
        }
    }
    // Each binding was seen at work, so the checks above could fail.
    for pair in &bound {
        assert!(effective.contains(pair), "{pair:?} changed nothing in any setup");
    }
    let contexts: Vec<Context> = bound.iter().map(|(c, _)| *c).collect();
    for context in Context::ALL.into_iter().filter(|c| *c != Context::Global) {
        assert!(contexts.contains(&context), "{context:?} was not tried");
    }
}

#[test]
fn keys_the_keymap_does_not_bind_do_nothing_or_are_typed() {
    let dir = common::temp_dir();
    let fixture = fixture(&common::db_in(&dir));
    let defaults = Keymap::default();
    let unbound = [
        KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Insert, KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL),
        KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('Z'), KeyModifiers::SHIFT),
        KeyEvent::new(KeyCode::Char('9'), KeyModifiers::NONE),
    ];
    for setup in setups() {
        let context = app_in(setup, &fixture, &defaults).context();
        for event in unbound {
            assert_eq!(
                defaults.action_for(context, &event),
                None,
                "{context:?} {event:?}"
            );
            let mut app = app_in(setup, &fixture, &defaults);
            let before = observed(&app, &[]);
            let requests = app.handle(Event::Key(event));
            let typed = matches!(event.code, KeyCode::Char(c) if c != 'y');
            if context.takes_text() && typed {
                // Typed at the cursor (the start of the text), nothing else.
                let KeyCode::Char(c) = event.code else {
                    unreachable!()
                };
                let expected =
                    before.replacen(&format!("[\"{}", setup.text), &format!("[\"{c}{}", setup.text), 1);
                assert_eq!(observed(&app, &requests), expected, "{context:?} {event:?}");
            } else {
                assert_eq!(observed(&app, &requests), before, "{context:?} {event:?}");
            }
        }
    }
}

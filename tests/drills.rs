//! Drills (issue #15): an incident declared to practise on the real tool
//! says DRILL wherever it is shown or exported, and is kept out of the
//! metrics, listed as excluded ("drill"). The real binary on both engines,
//! the start screen's toggle through the console's state machine, the
//! header in a pseudo-terminal.

mod common;

use chrono::{DateTime, Utc};
use common::engines::{Db, Engine};
use common::pty::Console;
use common::{ok, show_json};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::Value;
use warroom::app::{App, Event, Request, Snapshot};

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON")
}

on_both_engines! {
    fn a_drill_says_so_in_every_view_and_export(db: &Db) {
        let path = db.path();
        let real = ok(path, &["declare", "--severity", "P1", "Real outage"]).trim().to_string();
        let drill = ok(path, &["declare", "--drill", "--severity", "P1", "Game day: failover"]).trim().to_string();

        let list = ok(path, &["list"]);
        let row = |id: &str| list.lines().find(|l| l.trim_start().starts_with(&format!("{id} "))).unwrap().to_string();
        assert!(row(&drill).ends_with("DRILL Game day: failover"), "{list}");
        assert!(!row(&real).contains("DRILL"), "{list}");
        let listed = json(&ok(path, &["list", "--json"]));
        let drill_of = |id: &str| listed.as_array().unwrap().iter().find(|i| i["id"].as_i64() == id.parse().ok()).unwrap()["drill"].clone();
        assert_eq!((drill_of(&drill), drill_of(&real)), (Value::Bool(true), Value::Bool(false)));

        assert_eq!(show_json(path, &drill)["drill"], true);
        assert_eq!(show_json(path, &real)["drill"], false);
        let shown = ok(path, &["show", &drill]);
        assert!(shown.lines().next().unwrap().contains("DRILL Game day"), "{shown}");
        // The declaration says so on the timeline, and in its facts.
        let declared = &show_json(path, &drill)["timeline"][0]["text"];
        assert_eq!(declared, "Declared P1 high (DRILL): Game day: failover");
        let facts = db.superuser_sql(&format!(
            "SELECT data FROM events WHERE incident_id = {drill} ORDER BY id LIMIT 1"
        ));
        assert_eq!(facts[0][0].as_deref(), Some(r#"{"declared":{"severity":"P1","runbook":"Incident Response SOP (built in)","drill":true}}"#));

        let markdown = ok(path, &["export", &drill]);
        assert!(markdown.starts_with("# Post-mortem: [DRILL] Game day: failover\n"), "{markdown}");
        assert!(markdown.contains("**DRILL**: declared to practise; kept out of the metrics."));
        let real_markdown = ok(path, &["export", &real]);
        assert!(!real_markdown.contains("DRILL"), "{real_markdown}");
        assert_eq!(json(&ok(path, &["export", &drill, "--format", "json"]))["drill"], true);
        assert_eq!(json(&ok(path, &["export", &real, "--format", "json"]))["drill"], false);

        let page = ok(path, &["status-page", &drill]);
        assert!(page.starts_with("# [DRILL] Game day: failover"), "{page}");
        assert!(ok(path, &["status-page", &drill, "--format", "text"]).starts_with("DRILL: an exercise"));
        assert_eq!(json(&ok(path, &["status-page", &drill, "--format", "json"]))["drill"], true);
        assert!(!ok(path, &["status-page", &real]).contains("DRILL"));
    }
}

on_both_engines! {
    fn a_drill_is_excluded_from_the_metrics_as_a_drill(db: &Db) {
        let path = db.path();
        // Absolute times: each command reads its own clock.
        let base = Utc::now() - chrono::TimeDelta::hours(1);
        let at = |minute: i64| {
            (base + chrono::TimeDelta::minutes(minute)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        };
        let real = ok(path, &["declare", "--severity", "P1", "--started-at", &at(0), "--detected-at", &at(10), "Real"])
            .trim()
            .to_string();
        ok(path, &["ack", &real, "--at", &at(20)]);
        ok(path, &["resolve", &real, "--at", &at(30)]);
        ok(path, &["action", "add", "-i", &real, "Add an alert"]);
        let drill = ok(path, &["declare", "--drill", "--severity", "P1", "--started-at", &at(0), "--detected-at", &at(5), "Drill"])
            .trim()
            .to_string();
        ok(path, &["ack", &drill, "--at", &at(50)]);
        ok(path, &["resolve", &drill]);
        ok(path, &["action", "add", "-i", &drill, "Practise more"]);

        let metrics = json(&ok(path, &["metrics", "--json"]));
        assert_eq!(metrics["incidents"], 1, "{metrics:#}");
        let drill_id: i64 = drill.parse().unwrap();
        assert_eq!(metrics["excluded"], serde_json::json!([{ "id": drill_id, "reason": "drill" }]));
        // Every figure is the real incident's alone: 10 min to detect, 10 to
        // acknowledge, 20 to resolve; one action item; one post-mortem pending.
        let figure = |key: &str| {
            metrics["durations"].as_array().unwrap().iter().find(|d| d["key"] == key).unwrap().clone()
        };
        for (key, secs) in [("time_to_detect", 600.0), ("time_to_acknowledge", 600.0), ("time_to_resolve", 1200.0)] {
            let f = figure(key);
            assert_eq!((f["count"].as_u64(), f["mean_secs"].as_f64()), (Some(1), Some(secs)), "{key}: {f:#}");
            assert!(f["excluded"].as_array().unwrap().is_empty(), "{key}: {f:#}");
        }
        assert_eq!(metrics["action_items"]["total"], 1);
        assert_eq!(metrics["postmortem"]["pending"], serde_json::json!([real.parse::<i64>().unwrap()]));

        let text = ok(path, &["metrics"]);
        assert!(text.starts_with("warroom metrics: 1 incident ("), "{text}");
        assert!(text.lines().nth(1).unwrap() == format!("  excluded: #{drill} (drill)"), "{text}");
        // A filter that leaves the drill out does not list it.
        let p2 = json(&ok(path, &["metrics", "--json", "--severity", "P2"]));
        assert_eq!((p2["incidents"].as_u64(), p2["excluded"].as_array().map(Vec::len)), (Some(0), Some(0)));
    }
}

on_both_engines! {
    fn the_header_says_drill_and_the_demo_is_no_drill(db: &Db) {
        let path = db.path();
        let demo = warroom::demo::create(db.location(), Utc::now()).unwrap().to_string();
        assert_eq!(show_json(path, &demo)["drill"], false);
        let drill = ok(path, &["declare", "--drill", "Practice run"]).trim().to_string();
        let console = Console::spawn_with_args(path, &[&drill], 100, 30, &[]);
        console.wait_for("Practice run");
        let header = console.rows()[0].clone();
        assert!(header.contains(&format!("#{drill}  P2 MEDIUM  DRILL  Practice run")), "{header}");
        let demo_console = Console::spawn_with_args(path, &[&demo], 100, 30, &[]);
        demo_console.wait_for("Checkout API");
        assert!(!demo_console.rows()[0].contains("DRILL"), "{}", demo_console.rows()[0]);
    }
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T14:10:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Vec<Request> {
    app.handle(Event::Key(KeyEvent::new(code, modifiers)))
}

/// The start screen's toggle: the key the form shows marks the declaration
/// a drill; pressed again, not.
#[test]
fn the_start_screen_declares_a_drill_with_its_toggle() {
    let declared = |toggles: usize| {
        let mut app = App::new("alice".into(), "w.db".into(), now());
        app.handle(Event::Snapshot(Box::new(Snapshot::of(None, false))));
        for c in "Game day".chars() {
            press(&mut app, KeyCode::Char(c), KeyModifiers::NONE);
        }
        for _ in 0..toggles {
            press(&mut app, KeyCode::Char('t'), KeyModifiers::CONTROL);
        }
        assert_eq!(app.start.drill, toggles % 2 == 1);
        match press(&mut app, KeyCode::Enter, KeyModifiers::NONE).as_slice() {
            [Request::Declare { title, drill, .. }] => {
                assert_eq!(title, "Game day", "Ctrl-T is no text");
                *drill
            }
            other => panic!("{other:?}"),
        }
    };
    assert!(!declared(0));
    assert!(declared(1));
    assert!(!declared(2));
}

/// The form names the key and the state in a real terminal, and the
/// console's own declaration is a drill.
#[test]
fn the_start_screen_shows_the_toggle_and_declares_a_drill() {
    let db = Db::new(Engine::Sqlite, "start-drill").unwrap();
    let mut console = Console::spawn(db.path(), 100, 30, &[]);
    console.wait_for("Declare an incident");
    console.wait_for("Drill: no  (Ctrl-T toggles");
    console.send("Failover practice");
    console.send([0x14]);
    console.wait_for("Drill:  DRILL");
    console.send("\r");
    console.wait_for("DRILL  Failover practice");
    assert_eq!(show_json(db.path(), "1")["drill"], true);
}

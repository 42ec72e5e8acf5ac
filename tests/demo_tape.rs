//! Replays `demo.tape`'s key presses in a real shell in a pseudo-terminal,
//! so the recorded demo always matches what the binary does.

mod common;

use common::pty::Console;
use common::tape::{self, Step};

#[test]
fn the_demo_tape_replays_against_the_real_binary() {
    let dir = common::temp_dir();
    let bin_dir = std::path::Path::new(common::BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let tmp = dir.path().to_str().unwrap().to_string();
    let mut shell = Console::spawn_program(
        "bash",
        &["--norc", "--noprofile"],
        dir.path(),
        120,
        40,
        &[("PATH", &path), ("TMPDIR", &tmp), ("HOME", &tmp)],
    );
    for step in tape::demo().steps {
        match step {
            Step::Type(text) => shell.send(text),
            Step::Key(key) => shell.send(key),
            Step::Pause(pause) => std::thread::sleep(pause),
            Step::Shown(_) => {}
        }
    }
    shell.wait_for("# Post-mortem: Checkout API returning 500s");

    // The database the tape made, found under TMPDIR.
    let db = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("warroom.db"))
        .find(|p| p.exists())
        .expect("the tape created a database");
    let json = common::show_json(&db, "1");
    assert_eq!(json["title"], "Checkout API returning 500s");
    assert_eq!(json["severity"], "P0");
    let timeline = json["timeline"].as_array().unwrap();
    let has = |kind: &str, text: &str| {
        timeline
            .iter()
            .any(|e| e["kind"] == kind && e["text"].as_str().unwrap().contains(text))
    };
    assert!(
        has("note", "deploy 4812\npayment client upgrade to 3.2"),
        "{timeline:?}"
    );
    assert!(
        has("severity_change", "P1 → P0: card data may be exposed"),
        "{timeline:?}"
    );
    assert!(has("status_update", "Next update in 15 minutes"), "{timeline:?}");
    let timers = json["timers"].as_array().unwrap();
    assert!(
        timers
            .iter()
            .any(|t| t["label"] == "confirm the rollback held" && t["state"] == "running"),
        "{timers:?}"
    );
    // Space ticked the item the checklist opens on: the current phase's first.
    let ticked = json["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "p1.1")
        .unwrap();
    assert_eq!(ticked["state"].as_str(), Some("done"), "{ticked}");
    shell.send("exit\r");
}

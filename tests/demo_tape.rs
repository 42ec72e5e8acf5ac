//! Replays `demo.tape`'s key presses in a real shell in a pseudo-terminal,
//! so the recorded demo always matches what the binary does.

mod common;

use std::time::Duration;

use common::pty::Console;

/// The bytes a VHS command sends, or a pause.
enum Step {
    Keys(String),
    Pause(Duration),
}

fn tape_steps(tape: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    for line in tape.lines().map(str::trim) {
        let (command, rest) = line.split_once(' ').unwrap_or((line, ""));
        let step = match command {
            "Type" => Step::Keys(rest.trim().trim_matches('"').to_string()),
            "Enter" => Step::Keys("\r".into()),
            "Space" => Step::Keys(" ".into()),
            "Up" => Step::Keys("\x1b[A".into()),
            "Down" => Step::Keys("\x1b[B".into()),
            "Tab" => Step::Keys("\t".into()),
            "Escape" => Step::Keys("\x1b".into()),
            "Ctrl+J" => Step::Keys("\n".into()),
            "Sleep" => {
                let ms = match rest.strip_suffix("ms") {
                    Some(ms) => ms.parse().unwrap(),
                    None => rest.trim_end_matches('s').parse::<u64>().unwrap() * 1000,
                };
                Step::Pause(Duration::from_millis(ms))
            }
            // Recording settings and comments do nothing here.
            "" | "Output" | "Set" | "Hide" | "Show" => continue,
            c if c.starts_with('#') => continue,
            other => panic!("demo.tape uses {other}, which this replay does not know"),
        };
        steps.push(step);
    }
    steps
}

#[test]
fn the_demo_tape_replays_against_the_real_binary() {
    let dir = common::temp_dir();
    let tape = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/demo.tape")).unwrap();
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
    for step in tape_steps(&tape) {
        match step {
            Step::Keys(keys) => shell.send(keys),
            Step::Pause(pause) => std::thread::sleep(pause),
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

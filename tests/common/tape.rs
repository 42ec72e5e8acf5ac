//! `demo.tape` (a VHS script) read as steps, so the demo test and the README
//! animation replay the very keys the tape records.

use std::time::Duration;

/// One thing the tape does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Text typed a character at a time (`Type "…"`).
    Type(String),
    /// One key's bytes (`Enter`, `Up`, `Ctrl+J`, …).
    Key(&'static str),
    /// `Sleep 2s`, `Sleep 1500ms`.
    Pause(Duration),
    /// `Hide` (false) / `Show` (true): whether a recording shows what follows.
    Shown(bool),
}

/// The tape's steps and its typing speed.
#[derive(Debug)]
pub struct Tape {
    pub steps: Vec<Step>,
    /// `Set TypingSpeed 40ms`: the pause after each typed character.
    pub typing_speed: Duration,
}

/// `demo.tape` at the repository's root.
pub fn demo() -> Tape {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/demo.tape")).expect("read demo.tape");
    parse(&text)
}

/// `2s`, `1500ms`, `0.5s`.
fn duration(text: &str) -> Duration {
    let text = text.trim();
    match text.strip_suffix("ms") {
        Some(ms) => Duration::from_millis(ms.parse().expect("milliseconds in demo.tape")),
        None => Duration::from_secs_f64(text.trim_end_matches('s').parse().expect("seconds in demo.tape")),
    }
}

/// Reads a tape; panics naming a command this replay does not know, so the
/// tape cannot use one that tests would silently skip.
pub fn parse(tape: &str) -> Tape {
    let mut steps = Vec::new();
    // VHS's default.
    let mut typing_speed = Duration::from_millis(50);
    for line in tape.lines().map(str::trim) {
        let (command, rest) = line.split_once(' ').unwrap_or((line, ""));
        let step = match command {
            "Type" => Step::Type(rest.trim().trim_matches('"').to_string()),
            "Enter" => Step::Key("\r"),
            "Space" => Step::Key(" "),
            "Up" => Step::Key("\x1b[A"),
            "Down" => Step::Key("\x1b[B"),
            "Tab" => Step::Key("\t"),
            "Escape" => Step::Key("\x1b"),
            "Ctrl+J" => Step::Key("\n"),
            "Sleep" => Step::Pause(duration(rest)),
            "Hide" => Step::Shown(false),
            "Show" => Step::Shown(true),
            "Set" => {
                if let Some(speed) = rest.trim().strip_prefix("TypingSpeed ") {
                    typing_speed = duration(speed);
                }
                continue;
            }
            // Recording settings and comments do nothing here.
            "" | "Output" => continue,
            c if c.starts_with('#') => continue,
            other => panic!("demo.tape uses {other}, which this replay does not know"),
        };
        steps.push(step);
    }
    Tape { steps, typing_speed }
}

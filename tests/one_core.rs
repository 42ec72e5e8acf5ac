//! One core for every write: each incident-command write is sent through
//! the command line to one database and through the console's `:` line (the
//! real binary in a pseudo-terminal) to another, and the two must answer
//! alike and record the same events; each refusal must be said in the same
//! words by both.

mod common;

use std::path::Path;

use common::engines::Db;
use common::pty::Console;
use common::warroom;
use regex::Regex;

/// A write as the command line takes it and as the `:` line takes it.
struct Case {
    cli: &'static [&'static str],
    line: &'static str,
}

/// Every kind of write, in an order that makes each one valid.
const WRITES: &[Case] = &[
    Case {
        cli: &["note", "checking the EU pool"],
        line: "note checking the EU pool",
    },
    Case {
        cli: &["status-update", "Mitigating; next update in 15m"],
        line: "status Mitigating; next update in 15m",
    },
    Case {
        cli: &["decide", "roll back deploy 4812"],
        line: "decide roll back deploy 4812",
    },
    Case {
        cli: &["pin", "2"],
        line: "pin #2",
    },
    Case {
        cli: &["pin", "--undo", "2"],
        line: "unpin 2",
    },
    Case {
        cli: &["check", "1.2"],
        line: "check 1.2",
    },
    Case {
        cli: &["check", "1.2"],
        line: "check 1.2",
    },
    Case {
        cli: &["check", "--undo", "1.2"],
        line: "uncheck 1.2",
    },
    Case {
        cli: &["check", "--na", "scope"],
        line: "na scope",
    },
    Case {
        cli: &["severity", "P1", "--reason", "EU checkout down"],
        line: "severity P1 EU checkout down",
    },
    Case {
        cli: &["severity", "P1", "--reason", "still"],
        line: "severity P1 still",
    },
    Case {
        cli: &["snooze", "10m", "--reason", "waiting for the vendor"],
        line: "snooze 10m waiting for the vendor",
    },
    Case {
        cli: &["phase", "next"],
        line: "phase next",
    },
    Case {
        cli: &["phase", "1"],
        line: "phase 1",
    },
    Case {
        cli: &["timer", "10m", "check", "the", "rollback"],
        line: "timer 10m check the rollback",
    },
    Case {
        cli: &["timer", "done", "1"],
        line: "timer done 1",
    },
    Case {
        cli: &["timer", "5m", "page", "the", "DBA"],
        line: "t 5m page the DBA",
    },
    Case {
        cli: &["timer", "cancel", "2"],
        line: "timer cancel 2",
    },
    Case {
        cli: &["role", "comms", "root"],
        line: "role comms root",
    },
    Case {
        cli: &["role", "scribe", "root"],
        line: "role Scribe root",
    },
    Case {
        cli: &["detected", "--at", "-10m"],
        line: "detected -10m",
    },
    Case {
        cli: &["started", "--at", "-20m"],
        line: "started -20m",
    },
    Case {
        cli: &["ack", "--at", "-5m"],
        line: "ack -5m",
    },
    Case {
        cli: &["mitigate"],
        line: "mitigate",
    },
    Case {
        cli: &[
            "action", "add", "--owner", "root", "--due", "+2d", "add", "a", "canary",
        ],
        line: "action @root due:+2d add a canary",
    },
    Case {
        cli: &["action", "done", "1"],
        line: "action done 1",
    },
    Case {
        cli: &["resolve"],
        line: "resolve",
    },
    Case {
        cli: &["postmortem", "done"],
        line: "pm done",
    },
];

/// Refusals: the words after the command line's `error: ` must be what the
/// console says.
const REFUSALS: &[Case] = &[
    Case {
        cli: &["severity", "P0"],
        line: "severity P0",
    },
    Case {
        cli: &["phase", "9"],
        line: "phase 9",
    },
    Case {
        cli: &["check", "no such item"],
        line: "check no such item",
    },
    Case {
        cli: &["timer", "10m"],
        line: "timer 10m",
    },
    Case {
        cli: &["snooze", "10q", "--reason", "x"],
        line: "snooze 10q x",
    },
    Case {
        cli: &["ack", "--at", "0000-01-01T00:00:00Z"],
        line: "ack 0000-01-01T00:00:00Z",
    },
    Case {
        cli: &["action", "add", "--due", "2020-01-01", "x"],
        line: "action due:2020-01-01 x",
    },
    Case {
        cli: &["pin", "999"],
        line: "pin 999",
    },
    Case {
        cli: &["pin", "--undo", "3"],
        line: "unpin #3",
    },
];

fn cli(db: &Path, args: &[&str]) -> std::process::Output {
    warroom(db)
        .args(args)
        .env("TZ", "UTC")
        .output()
        .expect("run warroom")
}

/// Times and dates written by the clock differ between the two runs.
fn normalized(text: &str) -> String {
    let stamp = Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})").unwrap();
    let date = Regex::new(r"\d{4}-\d{2}-\d{2}").unwrap();
    let time = Regex::new(r"\b\d{2}:\d{2}(:\d{2})?\b").unwrap();
    let text = stamp.replace_all(text, "<stamp>");
    let text = date.replace_all(&text, "<date>");
    time.replace_all(&text, "<time>").into_owned()
}

/// Every event after the declaration: kind, author, text, data.
fn events(db: &Db) -> Vec<String> {
    db.superuser_sql("SELECT kind, author, text, coalesce(data, '') FROM events WHERE id > 1 ORDER BY id")
        .into_iter()
        .map(|row| {
            let columns: Vec<String> = row.into_iter().map(Option::unwrap_or_default).collect();
            normalized(&columns.join(" | "))
        })
        .collect()
}

/// A console on `db` (declared through the command line), wide enough for
/// whole answers.
fn console(db: &Path) -> Console {
    let out = cli(db, &["declare", "-s", "P2", "Checkout down"]);
    assert!(out.status.success());
    let console = Console::spawn(db, 220, 40, &[]);
    console.wait_for("Checklist");
    console
}

/// Types `:LINE` and waits for `said` on the screen.
fn type_line(console: &mut Console, line: &str, said: &str) {
    console.send(format!(":{line}\r"));
    console.wait_until(&format!("{said:?} after :{line}"), |screen| screen.contains(said));
}

/// What the console says after a write whose command-line answer was
/// `stdout` (notes answer with their kind; the rest with the timeline text).
fn expected_words(case: &Case, stdout: &str) -> String {
    let said = match case.cli[0] {
        "note" => "Note added",
        "status-update" => "Status update posted",
        "decide" => "Decision recorded",
        // Timers and action items answer the command line with their number
        // alone (for scripts), and checks with the item's line.
        "timer" if case.cli[1] != "done" && case.cli[1] != "cancel" => "Timer",
        "action" if case.cli[1] == "add" => "Action item",
        "check" => "",
        _ => stdout.lines().next().unwrap_or_default(),
    };
    // Up to the first clock time: the two runs may straddle a minute.
    let cut = Regex::new(r"\d{2}:\d{2}").unwrap();
    match cut.find(said) {
        Some(at) => said[..at.start()].to_string(),
        None => said.to_string(),
    }
}

on_both_engines! {
    fn every_write_answers_and_records_the_same_from_the_cli_and_the_console(db: &Db) {
        let by_cli = db.another("one_core: the command line's database");
        let by_console = db;
        assert!(
            cli(by_cli.path(), &["declare", "-s", "P2", "Checkout down"])
                .status
                .success()
        );
        let mut console = console(by_console.path());

        for (n, case) in WRITES.iter().enumerate() {
            let out = cli(by_cli.path(), case.cli);
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "{:?}: {}",
                case.cli,
                String::from_utf8_lossy(&out.stderr)
            );
            let said = expected_words(case, &stdout);
            let before = events(by_console).len();
            type_line(&mut console, case.line, &said);
            console.wait_until(&format!("the event of :{}", case.line), |_| {
                events(by_console).len() > before
            });
            let (cli_events, console_events) = (events(&by_cli), events(by_console));
            assert_eq!(
                cli_events, console_events,
                "write {n} ({:?} / :{}) recorded differently",
                case.cli, case.line
            );
        }
        assert_eq!(events(&by_cli).len(), WRITES.len());
    }
}

on_both_engines! {
    fn every_refusal_is_said_in_the_same_words_from_the_cli_and_the_console(db: &Db) {
        let mut console = console(db.path());
        let option = Regex::new(r"^--[a-z-]+: ").unwrap();
        let clock = Regex::new(r"\d{2}:\d{2}").unwrap();
        for case in REFUSALS {
            let out = cli(db.path(), case.cli);
            assert_eq!(out.status.code(), Some(1), "{:?} must be refused", case.cli);
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            let words = stderr
                .trim()
                .strip_prefix("error: ")
                .unwrap_or_else(|| panic!("{:?}: {stderr}", case.cli));
            // The command line names the option at fault; the console has none.
            let words = option.replace(words, "");
            // The message line is one row: compare what fits of it, up to
            // its last clock time (a bound computed from now: the two may
            // straddle a minute, found when "the earliest time accepted"
            // moved on between them).
            let shown: String = words.chars().take(100).collect();
            let shown = match clock.find_iter(&shown).last() {
                Some(at) => shown[..at.start()].to_string(),
                None => shown,
            };
            type_line(&mut console, case.line, &shown);
        }
        assert!(events(db).is_empty(), "a refusal wrote: {:?}", events(db));
    }
}

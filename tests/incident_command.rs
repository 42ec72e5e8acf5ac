//! Incident command end to end: shared timers counting down in two consoles,
//! a runbook's own status-update cadence and roles, the command-line acts of
//! the commander, and the terminal bell for a deadline. The real binary runs
//! on real files; consoles run in pseudo-terminals (`tests/common/pty.rs`).

mod common;

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

use common::pty::{Console, account};
use common::{fails, ok, show_json, stderr};

/// How long anything may take to show on a loaded 2-core machine running a
/// debug build (the harness's own WAIT is tighter than some of these waits).
const SLOW: Duration = Duration::from_secs(30);
/// Consoles' size in these tests: the narrow layout with all four panes.
const COLS: u16 = 120;
const ROWS: u16 = 40;

/// The runbook fixture with its own cadence, phases, triggers and roles.
const SECURITY_RUNBOOK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/security-incident.md");

/// The text inside the bordered pane titled `title` (as drawn on its top
/// border, e.g. "Timers"), one string per row, or None when no such pane is
/// on screen.
fn pane_rows(console: &Console, title: &str) -> Option<Vec<String>> {
    let rows: Vec<Vec<char>> = console.rows().iter().map(|r| r.chars().collect()).collect();
    let head: Vec<char> = format!("┌ {title}").chars().collect();
    for (n, row) in rows.iter().enumerate() {
        let Some(left) = row.windows(head.len()).position(|w| w == head.as_slice()) else {
            continue;
        };
        let right = left + row[left..].iter().position(|&c| c == '┐')?;
        let mut inside = Vec::new();
        for below in &rows[n + 1..] {
            if below.get(left) == Some(&'└') {
                break;
            }
            let end = right.min(below.len());
            let start = (left + 1).min(end);
            inside.push(below[start..end].iter().collect::<String>());
        }
        return Some(inside);
    }
    None
}

/// The pane's rows joined with newlines ("" when the pane is not on screen).
fn pane_text(console: &Console, title: &str) -> String {
    pane_rows(console, title).unwrap_or_default().join("\n")
}

/// The timers pane's row for timer `id`, if it is listed.
fn timer_row(console: &Console, id: i64) -> Option<String> {
    let label = format!("Timer {id} ");
    pane_rows(console, "Timers")?
        .into_iter()
        .find(|row| row.trim_start().starts_with(&label))
}

/// How far past due timer `id` is, from its `DUE +mm:ss` in the timers pane.
fn seconds_overdue(console: &Console, id: i64) -> Option<i64> {
    let row = timer_row(console, id)?;
    let after = &row[row.find("DUE +")? + "DUE +".len()..];
    let clock = after.split_whitespace().next()?;
    let (minutes, seconds) = clock.split_once(':')?;
    Some(minutes.parse::<i64>().ok()? * 60 + seconds.parse::<i64>().ok()?)
}

/// Waits up to [`SLOW`] for `check` to hold on `console`'s screen.
fn wait(console: &Console, what: &str, check: impl Fn(&Console) -> bool) {
    let took = console.wait_until_within(SLOW, what, |_| check(console));
    if took > Duration::from_secs(15) {
        eprintln!("slow: {what} took {took:?}");
    }
}

/// Types a `:` command (waiting until the prompt shows it) and sends Enter.
/// Returns the moment Enter was sent.
fn command(console: &mut Console, line: &str) -> DateTime<Utc> {
    console.send(":");
    console.send(line);
    let echo = format!(":{line}");
    wait(console, &format!("the prompt to show {echo:?}"), |c| {
        c.row_with(&echo).is_some()
    });
    let sent = Utc::now();
    console.send(b"\r");
    sent
}

/// Quits with `q` and insists on exit status 0.
fn quit(mut console: Console, name: &str) {
    console.send("q");
    let status = console.wait_exit(SLOW);
    assert!(
        status.success(),
        "console {name}: q should exit with 0, got {status}"
    );
}

fn bells(console: &Console) -> usize {
    console.raw().iter().filter(|&&b| b == 0x07).count()
}

fn rfc3339(value: &Value) -> DateTime<Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("expected an RFC 3339 time, got {value}"));
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text:?} is not RFC 3339: {e}"))
        .with_timezone(&Utc)
}

fn holds_role(incident: &Value, role: &str, who: &str) -> bool {
    incident["roles"]
        .as_array()
        .expect("roles array")
        .iter()
        .any(|r| r["role"] == role && r["account"] == who)
}

on_both_engines! {
    fn a_timer_started_in_one_console_counts_down_in_another(db: &Db) {
        let db = db.path();
        let id = ok(db, &["declare", "--severity", "P1", "Checkout latency spike"]);
        let id = id.trim();

        let mut a = Console::spawn(db, COLS, ROWS, &[]);
        let mut b = Console::spawn(db, COLS, ROWS, &[]);
        wait(&a, "A to show the incident", |c| pane_rows(c, "Timers").is_some());
        wait(&b, "B to show the incident", |c| pane_rows(c, "Timers").is_some());

        let sent = command(&mut a, "timer 10m check rollback");

        // B counts down to the same deadline without anyone touching it.
        wait(&b, "B's timers pane to count timer 1 down from 10 minutes", |c| {
            timer_row(c, 1).is_some_and(|row| {
                row.contains("check rollback") && (row.contains("in 09:") || row.contains("in 10:00"))
            })
        });
        let incident = show_json(db, id);
        let timer = &incident["timers"][0];
        assert_eq!(timer["id"], 1, "timers: {:#}", incident["timers"]);
        assert_eq!(timer["label"], "check rollback");
        assert_eq!(timer["state"], "running");
        assert_eq!(timer["started_by"], account().as_str());
        let deadline = rfc3339(&timer["deadline"]);
        let (earliest, latest) = (
            sent + TimeDelta::minutes(10) - TimeDelta::seconds(5),
            sent + TimeDelta::minutes(10) + TimeDelta::seconds(5),
        );
        assert!(
            earliest <= deadline && deadline <= latest,
            "timer 1's deadline {deadline} should be 10 minutes after the command ({sent}), give or take 5 s"
        );

        // B marks it done; A stops counting and the timeline says so.
        command(&mut b, "timer done 1");
        wait(
            &a,
            "A's timers pane to drop timer 1 and its timeline to say it is done",
            |c| timer_row(c, 1).is_none() && pane_text(c, "Timeline").contains("Timer 1 done"),
        );
        let incident = show_json(db, id);
        assert_eq!(incident["timers"][0]["state"], "done");

        quit(a, "A");
        quit(b, "B");
    }
}

on_both_engines! {
    fn a_runbooks_own_cadence_and_roles_change_the_console(db: &Db) {
        let db = db.path();
        let id = ok(
            db,
            &[
                "declare",
                "--runbook",
                SECURITY_RUNBOOK,
                "--severity",
                "P1",
                "Leaked deploy key used from unknown IP",
            ],
        );
        let id = id.trim();

        let mut console = Console::spawn(db, COLS, ROWS, &[]);
        wait(&console, "the runbook's P1 cadence in the timers pane", |c| {
            pane_text(c, "Timers").contains("every 5m (P1)")
        });
        wait(&console, "the runbook's first phase in the checklist", |c| {
            pane_text(c, "Checklist").contains("Phase 1: Contain")
        });

        // The severity picker shows the runbook's triggers, for every level.
        console.send("s");
        // Down to its last level: a frame caught mid-draw shows only the top rows.
        wait(&console, "the severity picker down to P3", |c| {
            pane_rows(c, "Severity").is_some_and(|rows| rows.iter().any(|r| r.contains("P3")))
        });
        let picker = pane_rows(&console, "Severity").expect("the severity picker");
        let flat = picker.iter().map(|row| row.trim()).collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("Confirmed exfiltration of customer data or credentials in active attacker use"),
            "the picker should show the runbook's P0 trigger:\n{}",
            console.dump()
        );
        // Every level should be on show with its trigger before one is picked.
        // Checked at the end, so that a clipped picker does not hide what the
        // rest of the test finds.
        let unseen: Vec<&str> = [
            ("P1", "no exfiltration seen yet"),
            ("P2", "contained malware on a workstation"),
            ("P3", "Suspicious activity without evidence of compromise"),
        ]
        .into_iter()
        .filter(|(level, trigger)| !(flat.contains(level) && flat.contains(trigger)))
        .map(|(level, _)| level)
        .collect();
        let picker_screen = console.dump();

        // Down to P3, with a reason: the countdown re-times at the P3 cadence.
        console.send("3");
        console.send(b"\r");
        wait(&console, "the reason prompt", |c| {
            c.row_with(":severity P3").is_some()
        });
        console.send("contained to a staging host");
        wait(&console, "the reason typed", |c| {
            c.row_with(":severity P3 contained to a staging host").is_some()
        });
        console.send(b"\r");
        wait(
            &console,
            "P3 in the header and a 30-minute countdown at the P3 cadence",
            |c| {
                let timers = pane_text(c, "Timers");
                c.rows()[0].contains(" P3 ")
                    && timers.contains("every 30m (P3)")
                    && (timers.contains("in 29:") || timers.contains("in 30:00"))
            },
        );
        let incident = show_json(db, id);
        assert_eq!(incident["severity"], "P3");
        assert!(
            incident["severity_changed_at"].is_string(),
            "severity_changed_at: {}",
            incident["severity_changed_at"]
        );

        // A role the runbook names, handed over from the console.
        command(&mut console, "role security alice");
        wait(&console, "the Security Lead held by alice", |c| {
            pane_rows(c, "Incident").is_some_and(|rows| rows.iter().any(|r| r.contains("Security Lead alice")))
        });
        let incident = show_json(db, id);
        assert!(
            holds_role(&incident, "sl", "alice"),
            "roles: {:#}",
            incident["roles"]
        );

        // … and from the command line, by the start of its name.
        let said = ok_but_no_account(db, &["role", "legal", "bob"], "bob");
        assert!(said.contains("Legal Liaison"), "role legal bob said {said:?}");
        wait(&console, "the Legal Liaison held by bob", |c| {
            pane_rows(c, "Incident").is_some_and(|rows| rows.iter().any(|r| r.contains("Legal Liaison bob")))
        });
        assert!(holds_role(&show_json(db, id), "ll", "bob"));

        let out = fails(db, &["role", "janitor", "bob"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let message = stderr(&out);
        for listed in [
            "ic (Incident Commander)",
            "comms (Communications Lead)",
            "sl (Security Lead)",
            "ll (Legal Liaison)",
        ] {
            assert!(
                message.contains(listed),
                "the refusal should list {listed}: {message}"
            );
        }

        quit(console, "the console");
        assert!(
            unseen.is_empty(),
            "the severity picker should show every level with the runbook's trigger, \
             but {unseen:?} (and their triggers) were not on show; the picker:\n{picker_screen}"
        );
    }
}

on_both_engines! {
    fn cli_incident_command_round_trip(db: &Db) {
        let db = db.path();
        let me = account();
        let id = ok(db, &["declare", "--severity", "P1", "Search index stale"]);
        let id = id.trim();

        ok(db, &["status-update", "Investigating"]);
        ok(db, &["snooze", "20m", "--reason", "waiting for vendor"]);
        let out = fails(db, &["snooze", "10m"]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "snooze without a reason is a usage error: {}",
            stderr(&out)
        );
        assert!(stderr(&out).contains("--reason"), "{}", stderr(&out));

        // The answer is the timeline text, the same the console says.
        assert_eq!(ok(db, &["phase", "next"]).trim(), "Phase 2: Response");
        let out = fails(db, &["phase", "9"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).starts_with("error:") && stderr(&out).contains("phases 1 to 4"),
            "{}",
            stderr(&out)
        );

        let timer: i64 = ok(db, &["timer", "5m", "restart", "pods"])
            .trim()
            .parse()
            .expect("timer prints the new timer's id");
        let list = ok(db, &["timer", "list"]);
        let line = list
            .lines()
            .find(|l| l.contains("restart pods"))
            .unwrap_or_else(|| panic!("timer list should list the timer: {list:?}"));
        assert!(
            line.trim_start().starts_with(&timer.to_string()) && line.contains("running"),
            "timer list: {line:?}"
        );
        let timer = timer.to_string();
        ok(db, &["timer", "cancel", &timer]);
        let out = fails(db, &["timer", "cancel", &timer]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains("already cancelled"), "{}", stderr(&out));

        ok_but_no_account(db, &["role", "comms", "carol"], "carol");
        ok(db, &["severity", "P2", "--reason", "downgraded"]);

        let incident = show_json(db, id);
        assert_eq!(incident["phase"], 2);
        assert_eq!(incident["severity"], "P2");
        assert!(
            incident["severity_changed_at"].is_string(),
            "severity_changed_at: {}",
            incident["severity_changed_at"]
        );
        assert!(
            holds_role(&incident, "ic", &me),
            "the declaring account should be the commander: {:#}",
            incident["roles"]
        );
        assert!(
            holds_role(&incident, "comms", "carol"),
            "roles: {:#}",
            incident["roles"]
        );
        assert_eq!(incident["timers"][0]["state"], "cancelled");
        assert_eq!(incident["timers"][0]["label"], "restart pods");

        let timeline = incident["timeline"].as_array().expect("timeline array");
        let has = |kind: &str, text: &str| {
            timeline
                .iter()
                .any(|e| e["kind"] == kind && e["text"].as_str().is_some_and(|t| t.contains(text)))
        };
        for (kind, text) in [
            ("status_update", "Investigating"),
            ("system", "waiting for vendor"),
            ("system", "Phase 2: Response"),
            ("system", "restart pods"),
            ("system", "cancelled"),
            ("role_change", "carol"),
            ("severity_change", "downgraded"),
        ] {
            assert!(
                has(kind, text),
                "no {kind} entry mentioning {text:?}: {timeline:#?}"
            );
        }
        for entry in timeline {
            assert_eq!(
                entry["author"],
                me.as_str(),
                "every entry is attributed to the account that ran the command: {entry:#}"
            );
        }
    }
}

on_both_engines! {
    fn the_bell_rings_once_when_a_timer_runs_out(db: &Db) {
        let db = db.path();
        ok(db, &["declare", "--severity", "P1", "Cache stampede"]);

        // The console watches before the timer exists, so it sees it come due.
        let a = Console::spawn(db, COLS, ROWS, &[("WARROOM_BELL", "on")]);
        wait(&a, "A to show the incident", |c| pane_rows(c, "Timers").is_some());
        assert_eq!(bells(&a), 0, "nothing is due yet, so no bell");

        let first: i64 = ok(db, &["timer", "3s", "tea"])
            .trim()
            .parse()
            .expect("a timer id");
        wait(&a, "timer 1 to come due on A", |c| {
            c.screen_text().contains("DUE") && seconds_overdue(c, first).is_some()
        });
        wait(&a, "A's bell", |c| bells(c) > 0);
        // Several more clock ticks: a second ring would have come by now.
        wait(&a, "timer 1 five seconds overdue on A", |c| {
            seconds_overdue(c, first).is_some_and(|s| s >= 5)
        });
        assert_eq!(bells(&a), 1, "one deadline, one bell; the screen:\n{}", a.dump());

        // With the bell off, a deadline rings nothing.
        let b = Console::spawn(db, COLS, ROWS, &[("WARROOM_BELL", "off")]);
        wait(&b, "B to show the incident", |c| pane_rows(c, "Timers").is_some());
        let second: i64 = ok(db, &["timer", "3s", "coffee"])
            .trim()
            .parse()
            .expect("a timer id");
        wait(&b, "B to show timer 2 five seconds overdue", |c| {
            seconds_overdue(c, second).is_some_and(|s| s >= 5)
        });
        assert_eq!(
            bells(&b),
            0,
            "WARROOM_BELL=off should silence the bell; the screen:\n{}",
            b.dump()
        );

        // A rings again for the new deadline: once per deadline, not once per run.
        wait(&a, "timer 2 five seconds overdue on A", |c| {
            seconds_overdue(c, second).is_some_and(|s| s >= 5)
        });
        assert_eq!(bells(&a), 2, "two deadlines, two bells on A");

        quit(a, "A");
        quit(b, "B");
    }
}

/// Runs a command that names `account`, which this host does not have: it
/// succeeds, with that one warning on stderr.
fn ok_but_no_account(db: &std::path::Path, args: &[&str], account: &str) -> String {
    let out = common::warroom(db).args(args).output().expect("run warroom");
    assert!(out.status.success(), "warroom {args:?}: {}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!("warning: no account named {account} on this host\n")
    );
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

//! What a hostile (or careless) member of the war-room group can type:
//! times outside any plausible range, due dates in the past, times of day
//! that hide their date, local times a daylight-saving change repeats, HTML
//! in the post-mortem, roles and action items for accounts that do not
//! exist. Against the real binary on real files (and the console's state
//! machine for its `:` line), with exact messages.

mod common;

use std::path::Path;
use std::process::Output;

use chrono::{DateTime, Datelike, Duration, NaiveDate, SecondsFormat, Utc, Weekday};
use common::accounts::{Account, TempGroup, skipped_unless_root};
use common::pty::Console;
use common::*;
use serde_json::Value;
use warroom::app::{App, Event, Snapshot};
use warroom::domain::{Milestones, Severity, sanitize_line};
use warroom::store::{NewIncident, OpenMode, Store};

/// `warroom --db DB ARGS…` in UTC, whatever the machine's zone.
fn run(db: &Path, args: &[&str]) -> Output {
    run_in(db, "UTC", args)
}

fn run_in(db: &Path, tz: &str, args: &[&str]) -> Output {
    warroom(db)
        .env("TZ", tz)
        .args(args)
        .output()
        .expect("run warroom")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Succeeds with nothing on stderr; returns stdout.
fn quiet(db: &Path, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "warroom {args:?}: {:?}\n{}",
        out.status,
        stderr(&out)
    );
    stdout(&out)
}

/// Everything a refusal must leave as it was.
fn state(db: &Path) -> String {
    let incidents = quiet(db, &["list", "--all", "--json"]);
    let first = if incidents.trim() == "[]" {
        String::new()
    } else {
        quiet(db, &["show", "1", "--json"])
    };
    let actions = quiet(db, &["action", "list", "--all", "--json"]);
    format!("{incidents}{first}{actions}")
}

/// `HH:MM UTC` on the day of `now`, `YYYY-MM-DD HH:MM UTC` on any other: the
/// documented format, restated here rather than borrowed from the code.
fn clock(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if at.date_naive() == now.date_naive() {
        at.format("%H:%M UTC").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn parse(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().expect("a time"))
        .expect("RFC 3339")
        .to_utc()
}

/// Runs a command that must be refused: exit status 1, nothing changed,
/// and stderr equal to what `expected` makes of the moment it ran (asked
/// for the minute before and after, since the command reads its own clock).
fn refused(db: &Path, args: &[&str], expected: impl Fn(DateTime<Utc>) -> String) {
    let before = state(db);
    let start = Utc::now();
    let out = run(db, args);
    let end = Utc::now();
    assert_eq!(out.status.code(), Some(1), "warroom {args:?}: {}", stderr(&out));
    let candidates = [expected(start), expected(end)];
    assert!(
        candidates.contains(&stderr(&out)),
        "warroom {args:?}\n said: {}\n want: {}",
        stderr(&out),
        candidates[0]
    );
    assert_eq!(state(db), before, "warroom {args:?} changed something");
}

/// The message a refusal should print, given the moment the command ran.
type Expected = Box<dyn Fn(DateTime<Utc>) -> String>;

fn ten_years_back(now: DateTime<Utc>) -> String {
    clock(now - Duration::days(3650), now)
}

fn too_early(
    flag: &str,
    value: &str,
    at: impl Fn(DateTime<Utc>) -> DateTime<Utc>,
) -> impl Fn(DateTime<Utc>) -> String {
    move |now| {
        format!(
            "error: {flag}: {value:?} ({}) is before {}, the earliest time accepted (ten years back, never before 2000-01-01)\n",
            clock(at(now), now),
            ten_years_back(now)
        )
    }
}

fn in_the_future(flag: &str, value: &str, at: DateTime<Utc>) -> impl Fn(DateTime<Utc>) -> String {
    move |now| {
        format!(
            "error: {flag}: {value:?} ({}) is in the future (now is {}); a time something happened cannot be \
             later than now (for yesterday, give an RFC 3339 time)\n",
            clock(at, now),
            clock(now, now)
        )
    }
}

fn year_zero(_: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("0000-01-01T00:00:00Z")
        .unwrap()
        .to_utc()
}

#[test]
fn times_outside_the_bound_are_refused_naming_the_value_and_the_bound() {
    let dir = temp_dir();
    let db = db_in(&dir);
    const ZERO: &str = "0000-01-01T00:00:00Z";
    // A declaration that would give an MTTR of 740,316 days is refused, and
    // nothing is created.
    assert!(run(&db, &["init"]).status.success());
    refused(
        &db,
        &["declare", "--started-at", ZERO, "t"],
        too_early("--started-at", ZERO, year_zero),
    );
    refused(
        &db,
        &["declare", "--detected-at", "-3651d", "t"],
        too_early("--detected-at", "-3651d", |now| now - Duration::days(3651)),
    );
    quiet(
        &db,
        &[
            "declare",
            "--started-at",
            "-3649d",
            "--detected-at",
            "-3649d",
            "t",
        ],
    );

    let ago = |days| move |now: DateTime<Utc>| now - Duration::days(days);
    let cases: Vec<(Vec<&str>, Expected)> = vec![
        (
            vec!["note", "--at", ZERO, "x"],
            Box::new(too_early("--at", ZERO, year_zero)),
        ),
        (
            vec!["note", "--at", "-3651d", "x"],
            Box::new(too_early("--at", "-3651d", ago(3651))),
        ),
        (
            vec!["note", "--at", "1999-12-31T23:59:59Z", "x"],
            Box::new(too_early("--at", "1999-12-31T23:59:59Z", |_| {
                DateTime::parse_from_rfc3339("1999-12-31T23:59:59Z")
                    .unwrap()
                    .to_utc()
            })),
        ),
        (
            vec!["check", "1.1", "--at", "-3651d"],
            Box::new(too_early("--at", "-3651d", ago(3651))),
        ),
        (
            vec!["ack", "--at", ZERO],
            Box::new(too_early("--at", ZERO, year_zero)),
        ),
        (
            vec!["mitigate", "--at", "-3651d"],
            Box::new(too_early("--at", "-3651d", ago(3651))),
        ),
        (
            vec!["metrics", "--since", ZERO],
            Box::new(too_early("--since", ZERO, year_zero)),
        ),
    ];
    for (args, expected) in &cases {
        refused(&db, args, expected);
    }
    // The future, where the past is meant (beyond a minute of clock skew).
    let soon = Utc::now() + Duration::hours(2);
    let soon_text = rfc3339(soon);
    for args in [
        ["resolve", "--at", &soon_text].as_slice(),
        &["note", "--at", &soon_text, "x"],
        &["check", "1.1", "--at", &soon_text],
        &["close", "--at", &soon_text],
    ] {
        refused(&db, args, in_the_future("--at", &soon_text, soon));
    }
    // Import lines keep the same bound; every line out of it is named and
    // nothing is imported.
    let file = dir.path().join("old.log");
    std::fs::write(
        &file,
        format!(
            "0000-01-01T00:00:00Z zero\n1999-12-31 10:00 UTC last century\n{} fine\n{soon_text} ahead\n",
            rfc3339(Utc::now() - Duration::hours(1))
        ),
    )
    .unwrap();
    let path = file.display().to_string();
    refused(&db, &["import", &path], |now| {
        let bound = |what: &str| {
            format!(
                "{what} is before {}, the earliest time accepted (ten years back, never before 2000-01-01); \
                 check --date and --tz",
                ten_years_back(now)
            )
        };
        format!(
            "error: nothing imported: 3 line(s) of {path} cannot be read:\n  line 1: {}\n  line 2: {}\n  \
             line 4: {} is in the future (now is {}); a time something happened cannot be later than now; \
             check --date and --tz\n",
            bound("0000-01-01 00:00 UTC"),
            bound("1999-12-31 10:00 UTC"),
            clock(soon, now),
            clock(now, now)
        )
    });
    // Inside the bound, accepted.
    quiet(&db, &["note", "--at", "-3649d", "ten years ago, nearly"]);
    quiet(&db, &["note", "--at", "now", "now"]);
    let json = show_json(&db, "1");
    assert_eq!(
        json["timeline"].as_array().unwrap().len(),
        3,
        "declared + 2 notes"
    );
}

#[test]
fn due_dates_in_the_past_or_over_ten_years_ahead_are_refused_in_every_form() {
    let dir = temp_dir();
    let db = db_in(&dir);
    quiet(&db, &["declare", "due dates"]);
    let past = |value: &'static str, at: fn(DateTime<Utc>) -> DateTime<Utc>| {
        move |now: DateTime<Utc>| {
            format!(
                "error: --due: {value:?} ({}) is in the past (now is {}); a due date must be later\n",
                clock(at(now), now),
                clock(now, now)
            )
        }
    };
    let day_end = |_: DateTime<Utc>| {
        DateTime::parse_from_rfc3339("2020-01-01T23:59:00Z")
            .unwrap()
            .to_utc()
    };
    refused(
        &db,
        &["action", "add", "--due", "2020-01-01", "x"],
        past("2020-01-01", day_end),
    );
    refused(
        &db,
        &["action", "add", "--due", "2020-01-01T00:00:00Z", "x"],
        past("2020-01-01T00:00:00Z", |_| {
            DateTime::parse_from_rfc3339("2020-01-01T00:00:00Z")
                .unwrap()
                .to_utc()
        }),
    );
    refused(
        &db,
        &["action", "add", "--due", "-2d", "x"],
        past("-2d", |now| now - Duration::days(2)),
    );
    refused(
        &db,
        &["action", "add", "--due", "-1s", "x"],
        past("-1s", |now| now - Duration::seconds(1)),
    );
    let too_far = |value: &'static str, at: fn(DateTime<Utc>) -> DateTime<Utc>| {
        move |now: DateTime<Utc>| {
            format!(
                "error: --due: {value:?} ({}) is after {}, the latest due date accepted (ten years ahead)\n",
                clock(at(now), now),
                clock(now + Duration::days(3650), now)
            )
        }
    };
    refused(
        &db,
        &["action", "add", "--due", "+3651d", "x"],
        too_far("+3651d", |now| now + Duration::days(3651)),
    );
    refused(
        &db,
        &["action", "add", "--due", "2040-01-01", "x"],
        too_far("2040-01-01", |_| {
            DateTime::parse_from_rfc3339("2040-01-01T23:59:00Z")
                .unwrap()
                .to_utc()
        }),
    );
    // Inside the bound, in each form.
    let tomorrow = (Utc::now() + Duration::days(1)).format("%Y-%m-%d").to_string();
    let in_a_week = rfc3339(Utc::now() + Duration::days(7));
    for due in ["+2d", "+3649d", tomorrow.as_str(), in_a_week.as_str(), "+0s"] {
        quiet(&db, &["action", "add", "--due", due, "fine"]);
    }
    let items: Value = serde_json::from_str(&quiet(&db, &["action", "list", "--json"])).unwrap();
    assert_eq!(items.as_array().unwrap().len(), 5);
}

/// The entry whose text starts with `start`, and when it was written.
fn entry_starting(db: &Path, start: &str) -> (String, DateTime<Utc>) {
    let json = show_json(db, "1");
    let entry = json["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["text"].as_str().unwrap().starts_with(start))
        .unwrap_or_else(|| panic!("no entry starting {start:?}: {:#}", json["timeline"]));
    (
        entry["text"].as_str().unwrap().to_string(),
        parse(&entry["recorded_at"]),
    )
}

#[test]
fn times_of_day_in_timeline_texts_carry_their_date_unless_today() {
    let dir = temp_dir();
    let db = db_in(&dir);
    quiet(
        &db,
        &["declare", "--started-at", "-3d", "--detected-at", "-3d", "dates"],
    );

    // The issue's snooze: ten years out used to read "until 05:23 UTC".
    quiet(&db, &["snooze", "3651d", "--reason", "vendor"]);
    let (text, at) = entry_starting(&db, "Status update snoozed");
    assert_eq!(
        text,
        format!(
            "Status update snoozed 3651d (until {}): vendor",
            (at + Duration::days(3651)).format("%Y-%m-%d %H:%M UTC")
        )
    );
    // A timer deadline on another day, and one (most likely) today.
    quiet(&db, &["timer", "2d", "check", "dns"]);
    let (text, at) = entry_starting(&db, "Timer 1 started");
    assert_eq!(
        text,
        format!(
            "Timer 1 started: check dns (in 2d, at {})",
            (at + Duration::days(2)).format("%Y-%m-%d %H:%M UTC")
        )
    );
    quiet(&db, &["timer", "10m", "look", "again"]);
    let (text, at) = entry_starting(&db, "Timer 2 started");
    let deadline = at + Duration::minutes(10);
    assert_eq!(
        text,
        format!("Timer 2 started: look again (in 10m, at {})", clock(deadline, at))
    );
    // A milestone moved: what it was, with its date.
    quiet(&db, &["ack", "--at", "-2d"]);
    let first = parse(&show_json(&db, "1")["acknowledged_at"]);
    quiet(&db, &["ack", "--at", "-1d"]);
    let (text, _) = entry_starting(&db, "Acknowledged (was");
    assert_eq!(
        text,
        format!("Acknowledged (was {})", first.format("%Y-%m-%d %H:%M UTC"))
    );
    // "Already so by … at …", from two days ago.
    quiet(&db, &["check", "1.1", "--at", "-2d"]);
    let json = show_json(&db, "1");
    let item = &json["checklist"][0];
    let (by, when) = (item["changed_by"].as_str().unwrap(), parse(&item["changed_at"]));
    quiet(&db, &["check", "1.1"]);
    let (text, _) = entry_starting(&db, "marked done 1.1");
    assert_eq!(
        text,
        format!(
            "marked done 1.1 Incident Confirmed (already so by {by} at {})",
            when.format("%Y-%m-%d %H:%M UTC")
        )
    );
    // An action item's due date and time.
    quiet(&db, &["action", "add", "--due", "+2d", "fix", "the", "alert"]);
    let (text, at) = entry_starting(&db, "Action item 1:");
    assert_eq!(
        text,
        format!(
            "Action item 1: fix the alert, due {}",
            (at + Duration::days(2)).format("%Y-%m-%d %H:%M UTC")
        )
    );
}

/// The Sunday a daylight-saving period of `year` ends: the last Sunday of
/// October (Europe) or the first of November (North America).
fn fall_back_day(year: i32, europe: bool) -> NaiveDate {
    if europe {
        let mut day = NaiveDate::from_ymd_opt(year, 10, 31).unwrap();
        while day.weekday() != Weekday::Sun {
            day = day.pred_opt().unwrap();
        }
        day
    } else {
        let mut day = NaiveDate::from_ymd_opt(year, 11, 1).unwrap();
        while day.weekday() != Weekday::Sun {
            day = day.succ_opt().unwrap();
        }
        day
    }
}

#[test]
fn an_import_in_a_repeated_local_hour_is_refused_line_by_line() {
    let dir = temp_dir();
    let db = db_in(&dir);
    quiet(&db, &["declare", "dst"]);
    // Last year's fall-back: in the past, within ten years, whenever this runs.
    let year = Utc::now().year() - 1;
    let cases = [
        (
            "Europe/Berlin",
            true,
            ["02:10", "02:50", "02:20"],
            "+02:00",
            "+01:00",
        ),
        (
            "America/New_York",
            false,
            ["01:10", "01:50", "01:20"],
            "-04:00",
            "-05:00",
        ),
        // A POSIX rule, read without tzdata.
        (
            "EST5EDT,M3.2.0,M11.1.0",
            false,
            ["01:10", "01:50", "01:20"],
            "-04:00",
            "-05:00",
        ),
    ];
    for (tz, europe, clocks, summer, winter) in cases {
        let day = fall_back_day(year, europe);
        let file = dir.path().join("chat.txt");
        let expected_lines: Vec<String> = clocks
            .iter()
            .enumerate()
            .map(|(n, hhmm)| {
                format!(
                    "  line {}: {day} {hhmm}:00 happens twice in that time zone (the clocks went back); write its \
                     offset, e.g. {hhmm} {summer} or {hhmm} {winter}",
                    n + 1
                )
            })
            .collect();
        // Dated lines, and clock-only lines with --date.
        for (text, date_args) in [
            (
                clocks
                    .iter()
                    .map(|c| format!("{day} {c} step {c}\n"))
                    .collect::<String>(),
                vec![],
            ),
            (
                clocks
                    .iter()
                    .map(|c| format!("{c} step {c}\n"))
                    .collect::<String>(),
                vec!["--date".to_string(), day.to_string()],
            ),
        ] {
            std::fs::write(&file, &text).unwrap();
            let before = state(&db);
            let mut args = vec!["import", file.to_str().unwrap(), "--tz", "local"];
            args.extend(date_args.iter().map(String::as_str));
            let out = run_in(&db, tz, &args);
            assert_eq!(out.status.code(), Some(1), "{tz}: {}", stderr(&out));
            assert_eq!(
                stderr(&out),
                format!(
                    "error: nothing imported: 3 line(s) of {} cannot be read:\n{}\n",
                    file.display(),
                    expected_lines.join("\n")
                ),
                "{tz}"
            );
            assert_eq!(state(&db), before, "{tz}: nothing imported");
        }
        // With the offsets written, the same lines go in, in the order they happened.
        let written = format!(
            "{day} {} {summer} first\n{day} {} {summer} second\n{day} {} {winter} third\n",
            clocks[0], clocks[1], clocks[2]
        );
        std::fs::write(&file, written).unwrap();
        let out = run_in(&db, tz, &["import", file.to_str().unwrap(), "--tz", "local"]);
        assert!(out.status.success(), "{tz}: {}", stderr(&out));
    }
    let order = common::note_texts(&db, "1");
    assert_eq!(
        order,
        ["first", "second", "third", "first", "second", "third"],
        "Berlin's three, then New York's (the POSIX rule's are the same instants, already there)"
    );
}

#[test]
fn a_time_of_day_repeated_today_is_refused() {
    let dir = temp_dir();
    let db = db_in(&dir);
    quiet(&db, &["declare", "dst today"]);
    // A zone (UTC+1 in summer) whose summer time ends today at 02:00, so
    // 01:00–02:00 happens twice today. "Today" is the same in UTC and in
    // this zone from its change on, and the day of the change before it.
    let day = Utc::now().ordinal0();
    let tz = format!("XST0XDT-1,0/0,{day}/2");
    for (args, flag) in [
        (["note", "--at", "01:30", "x"].as_slice(), "--at"),
        (&["ack", "--at", "01:30"], "--at"),
        (&["action", "add", "--due", "01:30", "x"], "--due"),
    ] {
        let before = state(&db);
        let out = run_in(&db, &tz, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert_eq!(
            stderr(&out),
            format!(
                "error: {flag}: 01:30 happens twice today in local time (the clocks went back); use an RFC 3339 \
                 time with its offset\n"
            ),
            "{args:?}"
        );
        assert_eq!(state(&db), before);
    }
}

#[test]
fn show_marks_entries_written_down_later() {
    let dir = temp_dir();
    let db = db_in(&dir);
    quiet(&db, &["declare", "backdated"]);
    quiet(&db, &["note", "--at", "-30m", "alert fired (from the graph)"]);
    quiet(&db, &["note", "written as it happened"]);
    let file = dir.path().join("log.txt");
    let line_at = Utc::now() - Duration::hours(3);
    std::fs::write(&file, format!("{} imported line\n", rfc3339(line_at))).unwrap();
    quiet(&db, &["import", file.to_str().unwrap()]);

    let shown = quiet(&db, &["show"]);
    let json = show_json(&db, "1");
    let local = |at: DateTime<Utc>| at.format("%Y-%m-%d %H:%M").to_string();
    for entry in json["timeline"].as_array().unwrap() {
        let text = entry["text"].as_str().unwrap();
        let (occurred, recorded) = (parse(&entry["occurred_at"]), parse(&entry["recorded_at"]));
        let mark = match text {
            "alert fired (from the graph)" | "imported line" => format!(" [recorded {}]", local(recorded)),
            _ => String::new(),
        };
        // The layout of `show`: id, time, pin mark, kind, author, text.
        let line = format!(
            "  {:>6} {}  {:<16} {:<12} {text}{mark}",
            format!("#{}", entry["id"]),
            local(occurred),
            entry["kind"].as_str().unwrap(),
            entry["author"].as_str().unwrap()
        );
        assert!(
            shown.lines().any(|l| l == line),
            "show should have\n{line:?}\nin\n{shown}"
        );
    }
    assert_eq!(shown.matches("[recorded ").count(), 2, "{shown}");
}

/// Every `<` in `markdown` opens a `<br>` the export wrote itself.
fn only_its_own_tags(markdown: &str) {
    for (at, _) in markdown.match_indices('<') {
        assert!(
            markdown[at..].starts_with("<br>"),
            "raw HTML at {at}: {:?}",
            &markdown[at..markdown.len().min(at + 40)]
        );
    }
}

#[test]
fn the_markdown_export_shows_html_as_text() {
    let dir = temp_dir();
    let db = db_in(&dir);
    let title = "<script>alert(1)</script> & more";
    quiet(&db, &["declare", title]);
    quiet(
        &db,
        &[
            "note",
            "--pin",
            "<img src=x onerror=alert(2)> evidence: <a href=javascript:x>log</a>",
        ],
    );
    quiet(
        &db,
        &["severity", "P1", "--reason", "<iframe src=//evil.example>"],
    );
    let out = run(&db, &["role", "comms", "<i>eve</i>"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(
        &db,
        &["action", "add", "--owner", "<u>o</u>", "<script>steal()</script>"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let file = dir.path().join("chat.txt");
    std::fs::write(
        &file,
        format!(
            "{} <svg onload=alert(4)>\n",
            rfc3339(Utc::now() - Duration::hours(1))
        ),
    )
    .unwrap();
    quiet(&db, &["import", file.to_str().unwrap()]);
    quiet(&db, &["check", "1.1"]);

    let markdown = quiet(&db, &["export"]);
    only_its_own_tags(&markdown);
    for escaped in [
        "# Post-mortem: &lt;script&gt;alert(1)&lt;/script&gt; &amp; more",
        "&lt;img src=x onerror=alert(2)&gt; evidence: &lt;a href=javascript:x&gt;log&lt;/a&gt;",
        "&lt;iframe src=//evil.example&gt;",
        "&lt;i&gt;eve&lt;/i&gt;",
        "| &lt;script&gt;steal()&lt;/script&gt; | &lt;u&gt;o&lt;/u&gt; |",
        "&lt;svg onload=alert(4)&gt;",
        "- Detection &amp; Assessment: 1/4",
    ] {
        assert!(markdown.contains(escaped), "missing {escaped:?} in\n{markdown}");
    }
    // A team's own template is printed the same way.
    let template = dir.path().join("mine.md.j2");
    std::fs::write(
        &template,
        "{{ incident.title }}\n{% for e in timeline %}{{ e.text }}\n{% endfor %}{% for a in action_items %}{{ a.owner }}: {{ a.text | cell }}\n{% endfor %}",
    )
    .unwrap();
    let mine = quiet(&db, &["export", "--template", template.to_str().unwrap()]);
    only_its_own_tags(&mine);
    assert!(
        mine.starts_with("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more\n"),
        "{mine}"
    );
    assert!(
        mine.contains("&lt;u&gt;o&lt;/u&gt;: &lt;script&gt;steal()&lt;/script&gt;\n"),
        "{mine}"
    );
    // JSON keeps the exact text.
    let json: Value = serde_json::from_str(&quiet(&db, &["export", "--format", "json"])).unwrap();
    assert_eq!(json["title"], title);
    assert_eq!(json["action_items"][0]["text"], "<script>steal()</script>");
    assert_eq!(json["action_items"][0]["owner"], "<u>o</u>");
    assert_eq!(json["roles"][1]["account"], "<i>eve</i>");
    assert!(
        json["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["text"] == "<img src=x onerror=alert(2)> evidence: <a href=javascript:x>log</a>")
    );
    // Control characters are still replaced, and the escaping comes on top.
    quiet(&db, &["note", "--pin", "<b>\u{1b}]0;pwned\u{7}</b>"]);
    let markdown = quiet(&db, &["export"]);
    assert!(markdown.contains("&lt;b&gt;␛]0;pwned␇&lt;/b&gt;"), "{markdown}");
    assert!(!markdown.contains('\u{1b}'));
}

fn warned(out: &Output, account: &str) {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    assert_eq!(
        stderr(out),
        format!(
            "warning: no account named {} on this host\n",
            sanitize_line(account)
        )
    );
}

#[test]
fn roles_and_owners_for_unknown_accounts_are_taken_with_a_warning() {
    let dir = temp_dir();
    let db = db_in(&dir);
    quiet(&db, &["declare", "who"]);
    let out = run(&db, &["role", "comms", "nosuchuser"]);
    warned(&out, "nosuchuser");
    assert_eq!(stdout(&out), "Communications Lead: nosuchuser\n");
    let out = run(
        &db,
        &["action", "add", "--owner", "nosuchuser", "write", "it", "up"],
    );
    warned(&out, "nosuchuser");
    assert_eq!(stdout(&out), "1\n");
    // A name made to move the cursor is named, harmlessly.
    let hostile = "ghost\u{1b}]0;pwned\u{7}";
    let out = run(&db, &["role", "scribe", hostile]);
    warned(&out, hostile);
    assert!(stderr(&out).contains("ghost␛]0;pwned␇"));
    // Accounts this host has: no warning.
    assert_eq!(
        quiet(&db, &["role", "comms", "root"]),
        "Communications Lead: nosuchuser → root\n"
    );
    assert_eq!(quiet(&db, &["action", "add", "--owner", "root", "x"]), "2\n");
    let json = show_json(&db, "1");
    let holders: Vec<&str> = json["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["account"].as_str().unwrap())
        .collect();
    assert!(
        holders.contains(&"root") && holders.contains(&hostile),
        "{holders:?}"
    );
}

#[test]
fn a_member_naming_an_account_that_does_not_exist_is_warned() {
    if skipped_unless_root("a_member_naming_an_account_that_does_not_exist_is_warned") {
        return;
    }
    let group = TempGroup::new("wrsg");
    let (mallory, alice) = (Account::new("wrsm", &[&group]), Account::new("wrsa", &[&group]));
    let dir = temp_dir();
    let shared = dir.path().join("shared");
    let out = warroom(&db_in(&dir))
        .args([
            "init",
            "--shared",
            shared.to_str().unwrap(),
            "--group",
            &group.name,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let db = shared.join("warroom.db");
    let as_mallory = |args: &[&str]| mallory.warroom(&db).args(args).output().unwrap();
    assert!(as_mallory(&["declare", "shared"]).status.success());
    let out = as_mallory(&["role", "ic", &alice.name]);
    assert!(out.status.success() && out.stderr.is_empty(), "{}", stderr(&out));
    warned(&as_mallory(&["role", "ic", "alice-typo"]), "alice-typo");
    warned(
        &as_mallory(&["action", "add", "--owner", "alice-typo", "x"]),
        "alice-typo",
    );
    let out = as_mallory(&["action", "add", "--owner", &alice.name, "x"]);
    assert!(out.status.success() && out.stderr.is_empty(), "{}", stderr(&out));
}

/// The console's `:` line at a fixed moment, in UTC.
fn console_at(dir: &tempfile::TempDir, now: DateTime<Utc>) -> App {
    let mut store = Store::open(dir.path().join("w.db"), OpenMode::Create).unwrap();
    let id = store
        .declare(&NewIncident::with_default_runbook(
            "x",
            "console",
            Severity::P2,
            Milestones::new(now - Duration::minutes(10)),
            "alice",
        ))
        .unwrap();
    let record = store.incident_record(id).unwrap();
    let mut app = App::new("alice".into(), "w.db".into(), now);
    app.utc_offset = Some(chrono::FixedOffset::east_opt(0).unwrap());
    app.handle(Event::Snapshot(Box::new(Snapshot::of(Some(record), false))));
    app
}

#[test]
fn the_console_command_line_keeps_the_same_bounds() {
    let dir = temp_dir();
    let now = DateTime::parse_from_rfc3339("2026-03-01T14:10:00Z")
        .unwrap()
        .to_utc();
    let cases = [
        (
            ":resolve 23:59",
            "\"23:59\" (23:59 UTC) is in the future (now is 14:10 UTC); a time something happened cannot be \
             later than now (for yesterday, give an RFC 3339 time)",
        ),
        (
            ":ack 0000-01-01T00:00:00Z",
            "\"0000-01-01T00:00:00Z\" (0000-01-01 00:00 UTC) is before 2016-03-03 14:10 UTC, the earliest time \
             accepted (ten years back, never before 2000-01-01)",
        ),
        (
            ":mitigate -3651d",
            "\"-3651d\" (2016-03-02 14:10 UTC) is before 2016-03-03 14:10 UTC, the earliest time accepted \
             (ten years back, never before 2000-01-01)",
        ),
        (
            ":action due:2020-01-01 write it up",
            "\"2020-01-01\" (2020-01-01 23:59 UTC) is in the past (now is 14:10 UTC); a due date must be later",
        ),
        (
            ":action due:-2d write it up",
            "\"-2d\" (2026-02-27 14:10 UTC) is in the past (now is 14:10 UTC); a due date must be later",
        ),
        (
            ":action due:+3651d write it up",
            "\"+3651d\" (2036-02-28 14:10 UTC) is after 2036-02-27 14:10 UTC, the latest due date accepted \
             (ten years ahead)",
        ),
    ];
    for (line, message) in cases {
        let mut app = console_at(&dir, now);
        let mut requests = Vec::new();
        for c in line.chars() {
            requests.extend(app.handle(Event::Key(ratatui::crossterm::event::KeyEvent::new(
                ratatui::crossterm::event::KeyCode::Char(c),
                ratatui::crossterm::event::KeyModifiers::NONE,
            ))));
        }
        requests.extend(app.handle(Event::Key(ratatui::crossterm::event::KeyEvent::new(
            ratatui::crossterm::event::KeyCode::Enter,
            ratatui::crossterm::event::KeyModifiers::NONE,
        ))));
        assert!(
            requests.is_empty(),
            "{line}: nothing is written, got {requests:?}"
        );
        let flash = app.flash.as_ref().expect("a message");
        assert!(flash.is_error, "{line}");
        assert_eq!(flash.text, message, "{line}");
        std::fs::remove_file(dir.path().join("w.db")).unwrap();
    }
}

#[test]
fn the_console_says_when_a_role_or_an_action_goes_to_no_account() {
    let dir = temp_dir();
    let db = db_in(&dir);
    quiet(&db, &["declare", "console warnings"]);
    let mut console = Console::spawn(&db, 120, 30, &[]);
    console.wait_for("console warnings");
    for (line, notice) in [
        (
            "role comms nosuchuser",
            "Communications Lead: nosuchuser (warning: no account named nosuchuser on this host)",
        ),
        (
            "action @nosuchuser write the fix",
            "Action item 1: write the fix, owner nosuchuser (warning: no account named nosuchuser on this host)",
        ),
        (
            "action @root check the fix",
            "Action item 2: check the fix, owner root",
        ),
    ] {
        console.send(":");
        console.send(line);
        console.wait_for(&format!(":{line}"));
        console.send(b"\r");
        console.wait_until(notice, |screen| {
            screen.lines().any(|row| row.trim_end() == notice)
        });
    }
    console.send("q");
    assert!(console.wait_exit(std::time::Duration::from_secs(10)).success());
}

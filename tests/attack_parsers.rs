//! Property tests against everything that reads text a person typed or
//! pasted: the runbook parser, the time and duration parsers, the import line
//! parser and the sanitizer. None may panic on any input; valid inputs must
//! read back as what was written.
//!
//! Bounded (256 cases per property) so the whole file stays fast in CI.

use chrono::{
    DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeDelta, TimeZone, Timelike,
    Utc,
};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use warroom::domain::import::{Zone, parse_lines};
use warroom::domain::time::{format_duration, parse_due, parse_duration, parse_time};
use warroom::domain::{sanitize, sanitize_line};
use warroom::runbook;

/// The longest duration the time parsers say they accept (ten years of 366 days).
const LIMIT_SECONDS: i64 = 10 * 366 * 86_400;

/// The documented bound on times, restated independently of the code: a time
/// something happened is not before 2000-01-01T00:00:00Z, not more than 3,650
/// days before now, and not more than a minute after now.
fn accepted_past(at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    let year_2000 = DateTime::parse_from_rfc3339("2000-01-01T00:00:00Z").unwrap();
    at >= year_2000 && at >= now - TimeDelta::days(3650) && at <= now + TimeDelta::minutes(1)
}

/// The documented bound on due dates: not before now, not more than 3,650
/// days after.
fn accepted_due(at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    at >= now && at <= now + TimeDelta::days(3650)
}

/// `result` is `Ok(expected)` when the bound accepts it, else an error that
/// quotes `text` and names the bound it broke.
fn bounded(
    result: Result<DateTime<Utc>, String>,
    expected: DateTime<Utc>,
    accepted: bool,
    text: &str,
) -> Result<(), TestCaseError> {
    if accepted {
        prop_assert_eq!(result, Ok(expected), "{}", text);
    } else {
        let err = result.expect_err(&format!("{text:?} ({expected}) is outside the bound"));
        prop_assert!(err.starts_with(&format!("{text:?} (")), "{err}");
        prop_assert!(
            [
                "the earliest time accepted",
                "is in the future",
                "is in the past",
                "the latest due date accepted"
            ]
            .iter()
            .any(|bound| err.contains(bound)),
            "{}",
            err
        );
    }
    Ok(())
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        // Nothing is written into the source tree when a case fails; the
        // failing input is in the test's output.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------

/// Characters that tend to break parsers: Markdown punctuation, digits,
/// separators, whitespace of every kind, controls, wide and invisible ones.
fn nasty_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(
            "#-*_[]()`>|:!x \t\n\r0123456789Pp.,/+–—".chars().collect::<Vec<_>>()
        ),
        2 => prop::char::range('a', 'z'),
        1 => prop::sample::select(vec![
            '\u{0}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}', '\u{a0}', '\u{ad}', '\u{200b}', '\u{200d}',
            '\u{202e}', '\u{2066}', '\u{2028}', '\u{feff}', '\u{fe0f}', '\u{301}', '数', '据', '😀',
            '👩', '\u{1f3fb}', 'é', 'İ', 'ß', 'ﬁ', '\u{e0041}', '٣', '१',
        ]),
        1 => any::<char>(),
    ]
}

fn nasty_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(nasty_char(), 0..max).prop_map(|chars| chars.into_iter().collect())
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z][A-Za-z0-9 ]{0,16}",
        1 => nasty_string(12),
        1 => Just("数据库 故障 ✅".to_string()),
        1 => Just(String::new()),
    ]
}

fn unit_word() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "minutes", "minute", "min", "m", "hours", "h", "hr", "days", "d", "weeks", "s", "", "MINUTES",
    ])
    .prop_map(str::to_string)
}

/// A line of something that looks like a runbook.
fn runbook_line() -> impl Strategy<Value = String> {
    prop_oneof![
        (1..=7usize, word()).prop_map(|(n, w)| format!("{} {w}", "#".repeat(n))),
        (word(), word()).prop_map(|(a, b)| format!("- [ ] **{a}**: {b}")),
        (word(), word()).prop_map(|(a, b)| format!("- [x] **{a}** - {b}")),
        word().prop_map(|a| format!("- [ ] {a}")),
        word().prop_map(|a| format!("* [ ] {a}")),
        word().prop_map(|a| format!("1. [ ] {a}")),
        (0..4usize, word()).prop_map(|(n, a)| format!("{}- [ ] {a}", "  ".repeat(n))),
        (
            0..=12u32,
            word(),
            0..100_000i64,
            0..i64::MAX,
            unit_word(),
            unit_word(),
            prop::sample::select(vec!["-", "–", "—", "to", " - ", ""]),
        )
            .prop_map(|(n, name, a, b, ua, ub, dash)| {
                format!("### Phase {n}: {name} ({a} {ua} {dash} {b} {ub})")
            }),
        (0..=9u32, word()).prop_map(|(n, w)| format!("## 🚨 phase{n}:{w}")),
        (0..=9u32, word()).prop_map(|(n, w)| format!("- **P{n}**: {w}")),
        (0..=9u32, word()).prop_map(|(n, w)| format!("- P{n} — {w}")),
        (0..100_000_000_000i64, unit_word(), 0..=5u32).prop_map(|(n, u, p)| {
            format!("- **Frequency**: every {n} {u} for P{p}/P1, hourly for P2 and P3")
        }),
        word().prop_map(|w| format!("- **Frequency**: {w}")),
        word().prop_map(|w| format!("- **Security Lead**: {w}")),
        Just("## Escalation".to_string()),
        Just("## Roles".to_string()),
        Just("```".to_string()),
        Just("    - [ ] indented code".to_string()),
        Just("> - [ ] **quoted**: item".to_string()),
        Just("| a | b |\n|---|---|\n| - [ ] x | **y** |".to_string()),
        Just("<div>\n- [ ] html\n</div>".to_string()),
        Just("- [ ] **".to_string()),
        Just("- [ ] ****: x".to_string()),
        Just("- [ ] **a** **b**: c".to_string()),
        Just("- [ ] **outer *inner* `code`**: d".to_string()),
        Just("---".to_string()),
        Just("===".to_string()),
        Just(String::new()),
        nasty_string(40),
    ]
}

fn runbook_text() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(runbook_line(), 0..40),
        prop::sample::select(vec!["\n", "\r\n", "\n\n"]),
        any::<bool>(),
    )
        .prop_map(|(lines, newline, bom)| {
            let text = lines.join(newline);
            if bom { format!("\u{feff}{text}") } else { text }
        })
}

/// A plausible "now": the user's wall clock in some UTC offset.
fn now_strategy() -> impl Strategy<Value = DateTime<FixedOffset>> {
    (0i64..4_102_444_800, -86_399i32..=86_399).prop_map(|(secs, offset)| {
        let offset = FixedOffset::east_opt(offset).unwrap();
        DateTime::from_timestamp(secs, 0).unwrap().with_timezone(&offset)
    })
}

const UNITS: [(char, i64); 5] = [('s', 1), ('m', 60), ('h', 3600), ('d', 86_400), ('w', 7 * 86_400)];

/// A duration written the way people do (`1h30m`, `45s`, `2d`, `90`): the
/// text and the seconds it means. The total is within the limit.
fn duration_text() -> impl Strategy<Value = (String, i64)> {
    let any_duration = prop_oneof![
        // A bare number is minutes.
        (0i64..=100_000).prop_map(|n| (n.to_string(), n * 60)),
        prop::collection::vec((0usize..5, 0i64..=400), 1..5).prop_map(|parts| {
            let mut text = String::new();
            let mut seconds = 0;
            for (unit, amount) in parts {
                let (c, per) = UNITS[unit];
                text.push_str(&format!("{amount}{c}"));
                seconds += amount * per;
            }
            (text, seconds)
        }),
    ];
    any_duration.prop_filter("within the ten-year limit", |(_, seconds)| {
        *seconds <= LIMIT_SECONDS
    })
}

/// A time typed near the accepted forms, for the never-panic properties.
fn time_text() -> impl Strategy<Value = String> {
    prop_oneof![
        nasty_string(30),
        "-?[0-9]{0,25}[smhdwx]?[0-9]{0,5}[smhdw]?",
        "[+-][0-9]{1,4}[smhdw]",
        "[0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3})?",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?(Z|[+-][0-9]{2}:[0-9]{2}))?",
        "-(522w){1,3}",
        Just("now".to_string()),
        Just("NOW ".to_string()),
        Just("-".to_string()),
        Just("+".to_string()),
        Just("-9223372036854775808m".to_string()),
        Just("9223372036854775807".to_string()),
    ]
}

// ---------------------------------------------------------------------------
// Runbook
// ---------------------------------------------------------------------------

/// A refusal names a line of the file; a runbook read has unique keys.
fn check_runbook(text: &str) -> Result<(), TestCaseError> {
    match runbook::parse(text) {
        Ok(book) => {
            let keys: Vec<&str> = book.all_items().map(|(_, item)| item.key.as_str()).collect();
            let unique: std::collections::HashSet<&&str> = keys.iter().collect();
            prop_assert_eq!(unique.len(), keys.len(), "duplicate item keys in {:?}", keys);
            prop_assert!(!keys.is_empty(), "a runbook without items was accepted");
            for phase in &book.phases {
                prop_assert!(phase.window_start < phase.window_end, "{:?}", phase.name);
            }
        }
        Err(e) => {
            let lines = text.split('\n').count();
            prop_assert!(
                (1..=lines).contains(&e.line),
                "error line {} outside 1..={lines}: {}",
                e.line,
                e.message
            );
            prop_assert!(!e.message.trim().is_empty());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn runbook_parse_never_panics_on_arbitrary_text(text in any::<String>()) {
        check_runbook(&text)?;
    }

    #[test]
    fn runbook_parse_never_panics_on_nasty_text(text in nasty_string(400)) {
        check_runbook(&text)?;
    }

    #[test]
    fn runbook_parse_never_panics_on_markdown_like_text(text in runbook_text()) {
        check_runbook(&text)?;
    }

    #[test]
    fn a_generated_checklist_is_read_item_for_item(
        sections in prop::collection::vec(
            ("[A-Z][a-z]{0,10}( [a-z]{1,8}){0,2}", prop::collection::vec("[A-Z][a-z]{0,12}", 1..6)),
            1..6,
        ),
        newline in prop::sample::select(vec!["\n", "\r\n"]),
    ) {
        let mut text = String::from("# Generated");
        for (title, items) in &sections {
            text.push_str(&format!("{newline}{newline}## {title}{newline}"));
            for (n, name) in items.iter().enumerate() {
                text.push_str(&format!("- [ ] **{name}**: step {n} of {title}{newline}"));
            }
        }
        let book = runbook::parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(book.sections.len(), sections.len());
        for (s, ((title, items), got)) in sections.iter().zip(&book.sections).enumerate() {
            prop_assert_eq!(&got.title, title);
            prop_assert_eq!(got.items.len(), items.len());
            for (i, (name, item)) in items.iter().zip(&got.items).enumerate() {
                prop_assert_eq!(&item.name, name);
                prop_assert_eq!(&item.key, &format!("{}.{}", s + 1, i + 1));
                prop_assert_eq!(&item.description, &format!("step {i} of {title}"));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Times and durations
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn time_parsers_never_panic(text in time_text(), now in now_strategy()) {
        let _ = parse_time(&text, &now);
        let _ = parse_due(&text, &now);
        let _ = parse_duration(&text);
        let _ = parse_duration(text.trim_start_matches(['-', '+']));
    }

    /// Whatever form a time is typed in, what is accepted keeps the bound.
    #[test]
    fn accepted_times_keep_the_bound(text in time_text(), now in now_strategy()) {
        if let Ok(at) = parse_time(&text, &now) {
            prop_assert!(accepted_past(at, now.to_utc()), "{text:?} accepted as {at} at {now}");
        }
        if let Ok(at) = parse_due(&text, &now) {
            prop_assert!(accepted_due(at, now.to_utc()), "due {text:?} accepted as {at} at {now}");
        }
    }

    #[test]
    fn time_parsers_never_panic_on_arbitrary_text(text in any::<String>(), now in now_strategy()) {
        let _ = parse_time(&text, &now);
        let _ = parse_due(&text, &now);
        let _ = parse_duration(&text);
    }

    #[test]
    fn durations_read_back_as_written((text, seconds) in duration_text()) {
        prop_assert_eq!(parse_duration(&text), Ok(TimeDelta::seconds(seconds)), "{}", text);
        prop_assert_eq!(parse_duration(&format!("  {text} ")), Ok(TimeDelta::seconds(seconds)));
    }

    #[test]
    fn relative_times_and_due_dates_are_that_far_from_now(
        (text, seconds) in duration_text(),
        now in now_strategy(),
    ) {
        let delta = TimeDelta::seconds(seconds);
        let (back, ahead) = (now.to_utc() - delta, now.to_utc() + delta);
        let ago = format!("-{text}");
        bounded(parse_time(&ago, &now), back, accepted_past(back, now.to_utc()), &ago)?;
        let later = format!("+{text}");
        bounded(parse_due(&later, &now), ahead, accepted_due(ahead, now.to_utc()), &later)?;
        bounded(parse_due(&ago, &now), back, seconds == 0, &ago)?;
    }

    /// What `format_duration` writes reads back, to the precision it shows
    /// (at most two units: `3d04h`, `1h05m`, `12m34s`).
    #[test]
    fn formatted_durations_read_back(seconds in 0i64..=LIMIT_SECONDS) {
        let delta = TimeDelta::seconds(seconds);
        let text = format_duration(delta);
        let back = parse_duration(&text).map_err(TestCaseError::fail)?;
        let precision = if seconds >= 86_400 { 3600 } else if seconds >= 3600 { 60 } else { 1 };
        prop_assert!(back <= delta && (delta - back).num_seconds() < precision,
            "{seconds}s was written {text:?}, read back as {back}");
        prop_assert_eq!(format_duration(-delta), if seconds == 0 { text.clone() } else { format!("-{text}") });
    }

    /// Ten years is the documented ceiling ("refusing more keeps chrono in
    /// range"); it must hold for the whole duration, not only for each part
    /// (`3000d3000d` is sixteen years).
    #[test]
    fn no_duration_over_the_limit_is_accepted(
        parts in prop::collection::vec((0usize..5, 0i64..=3660), 1..6),
    ) {
        let text: String = parts.iter().map(|(u, n)| format!("{n}{}", UNITS[*u].0)).collect();
        if let Ok(delta) = parse_duration(&text) {
            prop_assert!(delta.num_seconds() <= LIMIT_SECONDS,
                "{text:?} was accepted as {} days, over the ten-year limit", delta.num_days());
        }
    }

    #[test]
    fn clock_times_are_today_in_the_users_zone(
        now in now_strategy(),
        hour in 0u32..24,
        minute in 0u32..60,
        second in prop::option::of(0u32..60),
    ) {
        let text = match second {
            Some(s) => format!("{hour:02}:{minute:02}:{s:02}"),
            None => format!("{hour:02}:{minute:02}"),
        };
        let time = NaiveTime::from_hms_opt(hour, minute, second.unwrap_or(0)).unwrap();
        let local = now.date_naive().and_time(time);
        let expected = (local - TimeDelta::seconds(i64::from(now.offset().local_minus_utc()))).and_utc();
        bounded(parse_time(&text, &now), expected, accepted_past(expected, now.to_utc()), &text)?;
    }

    #[test]
    fn rfc3339_times_read_back(
        // Up to twelve years either side of now, so both sides of each bound are tried.
        from_now in -378_691_200i64..378_691_200,
        millis in 0u32..1000,
        offset in -86_399i32..=86_399,
        now in now_strategy(),
        format in prop::sample::select(vec![SecondsFormat::Secs, SecondsFormat::Millis, SecondsFormat::Nanos]),
        use_z in any::<bool>(),
        space in any::<bool>(),
    ) {
        // RFC 3339 offsets are whole minutes.
        let offset = FixedOffset::east_opt(offset / 60 * 60).unwrap();
        let secs = (now.timestamp() + from_now).max(0);
        let at = DateTime::from_timestamp(secs, millis * 1_000_000).unwrap();
        let mut text = at.with_timezone(&offset).to_rfc3339_opts(format, use_z);
        if space {
            text = text.replacen('T', " ", 1);
        }
        let expected = if format == SecondsFormat::Secs {
            DateTime::from_timestamp(secs, 0).unwrap()
        } else {
            at
        };
        bounded(parse_time(&text, &now), expected, accepted_past(expected, now.to_utc()), &text)?;
        bounded(parse_due(&text, &now), expected, accepted_due(expected, now.to_utc()), &text)?;
    }

    #[test]
    fn due_days_end_at_23_59_local(now in now_strategy(), days in 0u64..4000) {
        let day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Days::new(days);
        let end = day.and_hms_opt(23, 59, 0).unwrap();
        let expected = (end - TimeDelta::seconds(i64::from(now.offset().local_minus_utc()))).and_utc();
        let text = day.format("%Y-%m-%d").to_string();
        bounded(parse_due(&text, &now), expected, accepted_due(expected, now.to_utc()), &text)?;
    }
}

/// `522w` is within the ten-year limit, but 26,500 of them in a row
/// (≈ 265,000 years, 105 KB: still one command-line argument) reach past
/// the dates chrono can hold. Each parser must refuse it, not crash.
#[test]
fn many_in_limit_parts_are_refused_not_a_crash() {
    let now = DateTime::parse_from_rfc3339("2026-03-01T14:30:00+02:00").unwrap();
    let huge = "522w".repeat(26_500);
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcomes = [
        (
            "parse_duration(522w…)",
            std::panic::catch_unwind(|| parse_duration(&huge).map(|_| ())),
        ),
        (
            "parse_time(-522w…)",
            std::panic::catch_unwind(|| parse_time(&format!("-{huge}"), &now).map(|_| ())),
        ),
        (
            "parse_due(+522w…)",
            std::panic::catch_unwind(|| parse_due(&format!("+{huge}"), &now).map(|_| ())),
        ),
    ];
    std::panic::set_hook(quiet);
    let problems: Vec<String> = outcomes
        .into_iter()
        .filter_map(|(what, outcome)| match outcome {
            Ok(Err(_)) => None,
            Ok(Ok(())) => Some(format!("{what} was accepted")),
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Some(format!("{what} panicked: {message}"))
            }
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------
// Import lines
// ---------------------------------------------------------------------------

fn zone_strategy() -> impl Strategy<Value = Zone> {
    prop_oneof![
        Just(Zone::Utc),
        Just(Zone::Local),
        (-1439i32..=1439).prop_map(|m| Zone::Fixed(FixedOffset::east_opt(m * 60).unwrap())),
    ]
}

fn date_strategy() -> impl Strategy<Value = Option<NaiveDate>> {
    prop_oneof![
        Just(None),
        (0i32..=3_000_000).prop_map(NaiveDate::from_num_days_from_ce_opt),
        Just(Some(NaiveDate::MAX)),
        Just(Some(NaiveDate::MIN)),
    ]
}

fn import_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        nasty_string(60),
        "\\[?[0-9]{1,4}(-[0-9]{1,2}){0,2}[T ]?[0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2}([.,][0-9]{0,15})?)?( ?(Z|UTC|GMT|[AaPp][Mm]|PST|[+-][0-9]{1,5}(:[0-9]{0,3})?))?\\]? ?[-|:–—]? ?[a-z ]{0,10}",
        "(UTC|GMT)[+-][0-9]{0,3}(:[0-9]{0,3})?",
        Just("#comment".to_string()),
        Just("\u{feff}".to_string()),
    ];
    (
        prop::collection::vec(line, 0..20),
        prop::sample::select(vec!["\n", "\r\n", "\r"]),
    )
        .prop_map(|(lines, newline)| lines.join(newline))
}

/// One line of a valid file: what to write and what it must read as.
#[derive(Debug, Clone)]
struct ValidLine {
    /// The line as written, without its line ending.
    text: String,
    /// Its 1-based number in the file.
    number: usize,
    at: DateTime<Utc>,
    message: String,
}

/// The offset written after a time, and that offset.
fn written_zone() -> impl Strategy<Value = (String, Option<FixedOffset>)> {
    let utc = FixedOffset::east_opt(0).unwrap();
    prop_oneof![
        2 => Just((String::new(), None)),
        1 => Just((" UTC".to_string(), Some(utc))),
        1 => Just(("Z".to_string(), Some(utc))),
        1 => Just((" Z".to_string(), Some(utc))),
        1 => Just((" gmt".to_string(), Some(utc))),
        1 => (-1439i32..=1439, any::<bool>()).prop_map(|(m, colon)| {
            let sign = if m < 0 { '-' } else { '+' };
            let (h, mm) = (m.abs() / 60, m.abs() % 60);
            let text = if colon { format!(" {sign}{h:02}:{mm:02}") } else { format!(" {sign}{h:02}{mm:02}") };
            (text, FixedOffset::east_opt(m * 60))
        }),
        1 => (-23i32..=23).prop_map(|h| {
            let sign = if h < 0 { '-' } else { '+' };
            (format!(" UTC{sign}{}", h.abs()), FixedOffset::east_opt(h * 3600))
        }),
    ]
}

/// A clock time as written: 24-hour with or without seconds and fraction,
/// or 12-hour with AM/PM.
fn write_clock(time: NaiveTime, style: u8) -> String {
    match style % 4 {
        0 => time.format("%H:%M").to_string(),
        1 => time.format("%H:%M:%S").to_string(),
        2 => format!("{}.{:03}", time.format("%H:%M:%S"), time.nanosecond() / 1_000_000),
        _ => {
            let (pm, hour) = time.hour12();
            let minutes = time.format(":%M:%S");
            format!("{hour}{minutes} {}", if pm { "PM" } else { "am" })
        }
    }
}

/// What a style writes of a time: seconds and milliseconds go for the
/// styles that do not write them.
fn as_written(at: NaiveDateTime, style: u8) -> NaiveDateTime {
    match style % 4 {
        0 => at.with_nanosecond(0).unwrap().with_second(0).unwrap(),
        2 => at,
        _ => at.with_nanosecond(0).unwrap(),
    }
}

type LineSpec = (
    (u8, i64, u8, (String, Option<FixedOffset>)),
    bool,
    &'static str,
    String,
    Vec<&'static str>,
);

fn line_spec() -> impl Strategy<Value = LineSpec> {
    let kind = prop_oneof![
        // A clock-only line: the step from the previous clock-only line.
        2 => (0i64..=22 * 3600 * 1000, any::<u8>(), written_zone())
            .prop_map(|(step, style, zone)| (0u8, step, style, zone)),
        // A line with its full date.
        1 => (0i64..4_000_000_000_000, any::<u8>(), written_zone())
            .prop_map(|(ms, style, zone)| (1u8, ms, style, zone)),
        // RFC 3339.
        1 => (0i64..4_000_000_000_000, any::<u8>(), written_zone())
            .prop_map(|(ms, style, zone)| (2u8, ms, style, zone)),
    ];
    (
        kind,
        any::<bool>(),
        prop::sample::select(vec![
            " ", "  ", " - ", " | ", ": ", " — ", " – ", "\t", "|", " :", "-",
        ]),
        "[A-Za-z0-9 ,.!?'\"()#数据✅-]{0,30}",
        prop::sample::select(vec![
            vec![],
            vec![],
            vec![""],
            vec!["# a comment"],
            vec!["   ", "#"],
        ]),
    )
}

/// A file of valid lines (clock-only ones in order, crossing midnights),
/// the `--date`, the `--tz`, and the file's text.
fn valid_file() -> impl Strategy<Value = (Vec<ValidLine>, NaiveDate, Zone, String)> {
    (
        prop::collection::vec(line_spec(), 1..25),
        (0u64..=60_000).prop_map(|d| NaiveDate::from_ymd_opt(1971, 1, 1).unwrap() + chrono::Days::new(d)),
        prop_oneof![
            Just(Zone::Utc),
            (-1439i32..=1439).prop_map(|m| Zone::Fixed(FixedOffset::east_opt(m * 60).unwrap())),
        ],
        any::<bool>(),
    )
        .prop_map(|(specs, date, zone, crlf)| {
            let eol = if crlf { "\r\n" } else { "\n" };
            let default_offset = match zone {
                Zone::Fixed(offset) => offset,
                _ => FixedOffset::east_opt(0).unwrap(),
            };
            let mut clock = date.and_hms_opt(0, 0, 0).unwrap();
            let mut lines = Vec::new();
            let mut file = String::new();
            let mut number = 1;
            for (n, ((kind, amount, style, (zone_text, zone)), bracket, separator, message, extra)) in
                specs.into_iter().enumerate()
            {
                // The text starts with a word that cannot be read as part of the time.
                let message = format!("msg{n} {message}").trim_end().to_string();
                let offset = zone.unwrap_or(default_offset);
                // "2:05:00 PMZ" would run the zone into the AM/PM word.
                let zone_text = if style % 4 == 3 && zone_text == "Z" {
                    " Z".to_string()
                } else {
                    zone_text
                };
                let (stamp, at) = match kind {
                    0 => {
                        clock = as_written(clock + TimeDelta::milliseconds(amount), style);
                        let at = offset.from_local_datetime(&clock).unwrap().to_utc();
                        (format!("{}{zone_text}", write_clock(clock.time(), style)), at)
                    }
                    1 => {
                        let naive = as_written(
                            DateTime::from_timestamp_millis(amount).unwrap().naive_utc(),
                            style,
                        );
                        let at = offset.from_local_datetime(&naive).unwrap().to_utc();
                        let t = if style & 0x10 == 0 { " " } else { "T" };
                        let day = naive.format("%Y-%m-%d");
                        (
                            format!("{day}{t}{}{zone_text}", write_clock(naive.time(), style)),
                            at,
                        )
                    }
                    _ => {
                        let at = DateTime::from_timestamp_millis(amount).unwrap();
                        let text = at
                            .with_timezone(&offset)
                            .to_rfc3339_opts(SecondsFormat::Millis, style & 1 == 0);
                        (text, at)
                    }
                };
                let stamp = if bracket { format!("[{stamp}]") } else { stamp };
                // After a zone like "UTC+5", a ':' would be read as its minutes.
                let separator = if !bracket && separator.starts_with([':', '|', '-']) {
                    match separator {
                        "|" | "-" => " -",
                        _ => " :",
                    }
                } else {
                    separator
                };
                let text = format!("{stamp}{separator}{message}");
                file.push_str(&text);
                file.push_str(eol);
                lines.push(ValidLine {
                    text,
                    number,
                    at,
                    message,
                });
                number += 1;
                for blank in extra {
                    file.push_str(blank);
                    file.push_str(eol);
                    number += 1;
                }
            }
            (lines, date, zone, file)
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn import_never_panics_on_arbitrary_text(
        text in any::<String>(),
        date in date_strategy(),
        zone in zone_strategy(),
    ) {
        let _ = parse_lines(&text, date, zone);
    }

    #[test]
    fn import_never_panics_on_time_like_text(
        text in import_text(),
        date in date_strategy(),
        zone in zone_strategy(),
    ) {
        match parse_lines(&text, date, zone) {
            Ok(lines) => for pair in lines.windows(2) {
                prop_assert!(pair[0].line < pair[1].line, "lines come in file order");
            },
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                let count = text.split('\n').count();
                for e in &errors {
                    prop_assert!((1..=count).contains(&e.line), "line {} of {count}", e.line);
                }
            }
        }
    }

    #[test]
    fn valid_lines_read_as_the_instants_written((lines, date, zone, file) in valid_file()) {
        let read = parse_lines(&file, Some(date), zone)
            .map_err(|e| TestCaseError::fail(format!("{e:?}\nfile:\n{file}")))?;
        prop_assert_eq!(read.len(), lines.len(), "file:\n{}", file);
        for (want, got) in lines.iter().zip(&read) {
            // Line numbers count every line of the file, comments and blanks included.
            prop_assert_eq!(got.line, want.number, "file:\n{}", file);
            prop_assert_eq!(got.at, want.at, "line {:?} of\n{}", want.text, file);
            prop_assert_eq!(&got.text, &want.message, "line {:?}", want.text);
        }
        // A byte-order mark in front changes nothing.
        let with_bom = parse_lines(&format!("\u{feff}{file}"), Some(date), zone);
        prop_assert_eq!(with_bom, Ok(read));
    }
}

// ---------------------------------------------------------------------------
// Sanitizer
// ---------------------------------------------------------------------------

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{61C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}' | '\u{AD}' | '\u{34F}'
    )
}

/// Emoji code points between which a zero-width joiner builds one glyph.
fn is_emoji(c: char) -> bool {
    matches!(c, '\u{2600}'..='\u{27BF}' | '\u{1F000}'..='\u{1FAFF}' | '\u{FE0F}')
}

fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        2 => prop::char::range('\u{0}', '\u{9f}'),
        2 => prop::sample::select(vec![
            '\u{1b}', '\u{9b}', '\u{9d}', '\u{7}', '\r', '\n', '\t', '\u{8}', '\u{7f}', '\u{61c}', '\u{200b}',
            '\u{200c}', '\u{200d}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}',
            '\u{2060}', '\u{feff}', '\u{180e}', '\u{2028}', '\u{2029}', '\u{e0001}', '\u{e007f}', '👨',
            '👩', '👧', '\u{fe0f}', '❤', '\u{1f3fb}', '␛', '<', '>', '+', 'U',
        ]),
        1 => prop::char::range('\u{2000}', '\u{206f}'),
    ]
}

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(hostile_char(), 0..200).prop_map(|c| c.into_iter().collect()),
    ]
}

/// Text a person writes that the sanitizer must leave exactly as it is.
fn clean_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[ -~]{1,20}",
        1 => Just("\n".to_string()),
        1 => "[数据库故障日本語한국어]{1,6}",
        1 => "[a-z]{0,3}[\u{0300}-\u{0333}]",
        1 => "[àéîõüßçñ¿¡«»€£¥°±×÷]{1,5}",
        1 => prop::sample::select(vec![
            "👨\u{200D}👩\u{200D}👧", "🏳\u{FE0F}\u{200D}🌈", "✅", "🚨", "❤\u{FE0F}", "👍🏽", "🔥🔥",
        ]).prop_map(str::to_string),
    ];
    prop::collection::vec(piece, 0..30).prop_map(|p| p.concat())
}

fn check_safe(out: &str) -> Result<(), TestCaseError> {
    let chars: Vec<char> = out.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        prop_assert!(
            c == '\n' || !c.is_control(),
            "control U+{:04X} in {out:?}",
            c as u32
        );
        prop_assert!(!is_bidi(c), "bidi control U+{:04X} in {out:?}", c as u32);
        if c == '\u{200D}' {
            let joined = i > 0 && is_emoji(chars[i - 1]) && chars.get(i + 1).is_some_and(|&n| is_emoji(n));
            prop_assert!(joined, "a joiner outside an emoji sequence in {out:?}");
        } else {
            prop_assert!(!is_zero_width(c), "zero-width U+{:04X} in {out:?}", c as u32);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn sanitized_text_has_no_controls_bidi_or_zero_width(text in hostile_text()) {
        let out = sanitize(&text);
        check_safe(&out)?;
        let line = sanitize_line(&text);
        check_safe(&line)?;
        prop_assert!(!line.contains('\n'), "{line:?}");
    }

    #[test]
    fn sanitize_is_idempotent(text in hostile_text()) {
        let once = sanitize(&text).into_owned();
        let twice = sanitize(&once).into_owned();
        prop_assert_eq!(&twice, &once);
        let line = sanitize_line(&text).into_owned();
        prop_assert_eq!(sanitize_line(&line).into_owned(), line);
    }

    #[test]
    fn clean_text_is_left_as_it_is(text in clean_text()) {
        let out = sanitize(&text).into_owned();
        prop_assert_eq!(&out, &text);
        let line = sanitize_line(&text).into_owned();
        prop_assert_eq!(line, text.replace('\n', " ⏎ "));
    }

    /// Nothing typed disappears: every character is kept or replaced by a
    /// visible stand-in, so the output is never shorter in characters.
    #[test]
    fn nothing_is_silently_dropped(text in hostile_text()) {
        let out = sanitize(&text);
        prop_assert!(out.chars().count() >= text.chars().count());
        prop_assert_eq!(out.matches('\n').count(), text.matches('\n').count());
    }
}

//! Reading the `T` times users type: RFC 3339, `HH:MM` (today, local time) and
//! relative `-15m` / `-2h` / `-1h30m`; the one bound every time and due date
//! must keep; writing times and durations back for humans.

use chrono::{DateTime, LocalResult, NaiveTime, TimeDelta, TimeZone, Utc};

/// What `T` accepts, for error messages and `--help`.
pub const TIME_FORMS: &str = "RFC 3339 (2026-03-01T14:05:00Z), HH:MM or HH:MM:SS today in local time, or relative like -15m, -2h, -1h30m, -1d, now; within the last ten years, not in the future";

/// Nothing in a war room happened before this; it keeps typos such as
/// `0000-01-01` out of the record and the metrics.
pub const EARLIEST: DateTime<Utc> = DateTime::from_timestamp(946_684_800, 0).unwrap();

/// How far back a time, and how far ahead a due date, may reach: ten years
/// of 365 days.
pub const TEN_YEARS: TimeDelta = TimeDelta::days(3650);

/// How far ahead of this process's clock a time may be and still count as
/// now: the clocks of the host's processes (and of a responder's laptop
/// whose times are pasted) disagree a little.
pub const CLOCK_SKEW: TimeDelta = TimeDelta::minutes(1);

/// The one rule for a time when something happened (`--at`, `--started-at`,
/// milestones, import lines, `--since`): not before [`EARLIEST`], not more
/// than [`TEN_YEARS`] back, not after now (give or take [`CLOCK_SKEW`]).
/// `what` names the value in the error, as the user wrote it.
pub fn check_past(what: &str, at: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let earliest = earliest_past(now);
    if at < earliest {
        return Err(format!(
            "{what} is before {}, the earliest time accepted (ten years back, never before 2000-01-01)",
            format_clock(earliest, now)
        ));
    }
    if at > now + CLOCK_SKEW {
        return Err(format!(
            "{what} is in the future (now is {}); a time something happened cannot be later than now",
            format_clock(now, now)
        ));
    }
    Ok(at)
}

/// The one rule for a due date: not before now, not more than [`TEN_YEARS`]
/// ahead.
pub fn check_due(what: &str, at: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if at < now {
        return Err(format!(
            "{what} is in the past (now is {}); a due date must be later",
            format_clock(now, now)
        ));
    }
    let latest = now + TEN_YEARS;
    if at > latest {
        return Err(format!(
            "{what} is after {}, the latest due date accepted (ten years ahead)",
            format_clock(latest, now)
        ));
    }
    Ok(at)
}

/// The earliest time [`check_past`] accepts at `now`.
fn earliest_past(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_sub_signed(TEN_YEARS)
        .map_or(EARLIEST, |back| back.max(EARLIEST))
}

/// A time of day for messages and timeline texts, in UTC: `14:05 UTC` when it
/// falls on the same (UTC) day as `now`, the moment of writing or printing;
/// `2026-03-02 14:05 UTC` otherwise, so a time on another day never reads as
/// today's.
pub fn format_clock(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if at.date_naive() == now.date_naive() {
        at.format("%H:%M UTC").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}

/// Parses a user-typed time of something that happened, relative to `now`
/// (whose time zone is the user's local zone), and holds it to
/// [`check_past`].
pub fn parse_time<Tz: TimeZone>(input: &str, now: &DateTime<Tz>) -> Result<DateTime<Utc>, String> {
    let at = read_time(input, now)?
        .ok_or_else(|| format!("cannot read the time {input:?}: expected {TIME_FORMS}"))?;
    let now = now.to_utc();
    check_past(&format!("{input:?} ({})", format_clock(at, now)), at, now).map_err(|e| {
        if at > now {
            format!("{e} (for yesterday, give an RFC 3339 time)")
        } else {
            e
        }
    })
}

/// Reads a due date: `+2d` / `+4h` from now, a day `2026-03-05` (end of that
/// day in local time), or any form [`parse_time`] reads; held to
/// [`check_due`].
pub fn parse_due<Tz: TimeZone>(input: &str, now: &DateTime<Tz>) -> Result<DateTime<Utc>, String> {
    let text = input.trim();
    let at = if let Some(ahead) = text.strip_prefix('+') {
        let delta = parse_duration(ahead).map_err(|e| format!("{e} in {input:?}"))?;
        now.to_utc() + delta
    } else if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let end = day.and_hms_opt(23, 59, 0).expect("a valid clock time");
        now.timezone()
            .from_local_datetime(&end)
            .earliest()
            .map(|at| at.to_utc())
            .ok_or_else(|| format!("{text} 23:59 does not exist in local time"))?
    } else {
        read_time(text, now)?
            .ok_or_else(|| format!("cannot read the due date {input:?}: use +2d, 2026-03-05 or RFC 3339"))?
    };
    let now = now.to_utc();
    check_due(&format!("{input:?} ({})", format_clock(at, now)), at, now)
}

/// Reads any `T` form without judging whether the time is plausible:
/// `Ok(None)` when `input` is none of the forms, an error when it is one but
/// names no single instant (a clock time skipped or repeated by a
/// daylight-saving change).
fn read_time<Tz: TimeZone>(input: &str, now: &DateTime<Tz>) -> Result<Option<DateTime<Utc>>, String> {
    let text = input.trim();
    if text.eq_ignore_ascii_case("now") {
        return Ok(Some(now.to_utc()));
    }
    if let Some(ago) = text.strip_prefix('-') {
        let delta = parse_duration(ago).map_err(|e| format!("{e} in {input:?}"))?;
        return Ok(Some(now.to_utc() - delta));
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(at.to_utc()));
    }
    // "2026-03-01 14:05:00Z" is RFC 3339 with a space, as many logs write it.
    if let Ok(at) = DateTime::parse_from_rfc3339(&text.replacen(' ', "T", 1)) {
        return Ok(Some(at.to_utc()));
    }
    for format in ["%H:%M", "%H:%M:%S"] {
        if let Ok(time) = NaiveTime::parse_from_str(text, format) {
            let local = now.date_naive().and_time(time);
            return match now.timezone().from_local_datetime(&local) {
                LocalResult::Single(at) => Ok(Some(at.to_utc())),
                LocalResult::Ambiguous(..) => Err(format!(
                    "{text} happens twice today in local time (the clocks went back); use an RFC 3339 time with its offset"
                )),
                LocalResult::None => Err(format!(
                    "{text} does not exist today in local time (a daylight-saving jump); use an RFC 3339 time"
                )),
            };
        }
    }
    Ok(None)
}

/// Parses `15m`, `2h`, `1h30m`, `45s`, `2d` (a bare number means minutes).
pub fn parse_duration(input: &str) -> Result<TimeDelta, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(minutes) = text.parse::<i64>() {
        return checked_delta(minutes, 60, input);
    }
    let mut total = TimeDelta::zero();
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit_seconds = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => {
                return Err(format!(
                    "unknown duration unit {c:?} in {input:?} (use s, m, h, d, w)"
                ));
            }
        };
        if digits.is_empty() {
            return Err(format!("a number must come before {c:?} in {input:?}"));
        }
        let amount: i64 = digits.parse().map_err(|_| too_large(input))?;
        total = total
            .checked_add(&checked_delta(amount, unit_seconds, input)?)
            .ok_or_else(|| too_large(input))?;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(format!(
            "missing unit after {digits} in {input:?} (use s, m, h, d, w)"
        ));
    }
    if total > TimeDelta::seconds(LIMIT_SECONDS) {
        return Err(too_large(input));
    }
    Ok(total)
}

/// Ten years is far beyond any incident; refusing more keeps chrono in range.
const LIMIT_SECONDS: i64 = 10 * 366 * 86_400;

fn checked_delta(amount: i64, unit_seconds: i64, input: &str) -> Result<TimeDelta, String> {
    amount
        .checked_mul(unit_seconds)
        .filter(|s| (0..=LIMIT_SECONDS).contains(s))
        .map(TimeDelta::seconds)
        .ok_or_else(|| too_large(input))
}

/// The error for a duration over [`LIMIT_SECONDS`], naming the limit.
fn too_large(input: &str) -> String {
    format!(
        "duration too large: {input:?} (at most {}d, ten years)",
        LIMIT_SECONDS / 86_400
    )
}

/// A short human duration: `45s`, `12m34s`, `15m`, `1h05m`, `3d04h`, dropping
/// a trailing zero part. Negative durations get a leading `-`.
pub fn format_duration(delta: TimeDelta) -> String {
    let sign = if delta < TimeDelta::zero() { "-" } else { "" };
    let seconds = delta.num_seconds().unsigned_abs();
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    if d > 0 {
        if h == 0 {
            format!("{sign}{d}d")
        } else {
            format!("{sign}{d}d{h:02}h")
        }
    } else if h > 0 {
        if m == 0 {
            format!("{sign}{h}h")
        } else {
            format!("{sign}{h}h{m:02}m")
        }
    } else if m > 0 {
        if s == 0 {
            format!("{sign}{m}m")
        } else {
            format!("{sign}{m}m{s:02}s")
        }
    } else {
        format!("{sign}{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-03-01T14:30:00+02:00").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn rfc3339_in_any_offset() {
        assert_eq!(
            parse_time("2026-03-01T10:00:00Z", &now()),
            Ok(utc("2026-03-01T10:00:00Z"))
        );
        assert_eq!(
            parse_time("2026-03-01T07:00:00-05:00", &now()),
            Ok(utc("2026-03-01T12:00:00Z"))
        );
        assert_eq!(
            parse_time("2026-03-01 10:00:00Z", &now()),
            Ok(utc("2026-03-01T10:00:00Z"))
        );
    }

    #[test]
    fn clock_time_is_today_in_local_time() {
        assert_eq!(parse_time("14:05", &now()), Ok(utc("2026-03-01T12:05:00Z")));
        assert_eq!(parse_time("09:05:30", &now()), Ok(utc("2026-03-01T07:05:30Z")));
    }

    #[test]
    fn relative_times() {
        assert_eq!(parse_time("-15m", &now()), Ok(utc("2026-03-01T12:15:00Z")));
        assert_eq!(parse_time("-2h", &now()), Ok(utc("2026-03-01T10:30:00Z")));
        assert_eq!(parse_time("-1h30m", &now()), Ok(utc("2026-03-01T11:00:00Z")));
        assert_eq!(parse_time("now", &now()), Ok(utc("2026-03-01T12:30:00Z")));
    }

    #[test]
    fn nonsense_is_refused_with_the_accepted_forms() {
        for bad in ["", "yesterday", "25:00", "-", "-15x", "-m", "-99999999999999999h"] {
            let err = parse_time(bad, &now()).unwrap_err();
            assert!(!err.is_empty(), "{bad}");
        }
        assert!(parse_time("soon", &now()).unwrap_err().contains("RFC 3339"));
    }

    #[test]
    fn due_dates() {
        assert_eq!(parse_due("+2d", &now()), Ok(utc("2026-03-03T12:30:00Z")));
        assert_eq!(parse_due("2026-03-05", &now()), Ok(utc("2026-03-05T21:59:00Z")));
        assert_eq!(
            parse_due("2026-03-09T09:00:00Z", &now()),
            Ok(utc("2026-03-09T09:00:00Z"))
        );
        assert!(parse_due("-2d", &now()).is_err());
        assert!(parse_due("someday", &now()).unwrap_err().contains("+2d"));
    }

    #[test]
    fn times_keep_to_ten_years_back_and_not_after_now() {
        // Ten years of 365 days before 2026-03-01T12:30Z.
        assert_eq!(parse_time("-3650d", &now()), Ok(utc("2016-03-03T12:30:00Z")));
        let err = parse_time("-3650d1s", &now()).unwrap_err();
        assert_eq!(
            err,
            "\"-3650d1s\" (2016-03-03 12:29 UTC) is before 2016-03-03 12:30 UTC, the earliest time \
             accepted (ten years back, never before 2000-01-01)"
        );
        assert!(parse_time("0000-01-01T00:00:00Z", &now()).is_err());
        assert_eq!(
            parse_time("-4000d", &now()).unwrap_err(),
            "duration too large: \"4000d\" (at most 3660d, ten years) in \"-4000d\""
        );
        // A minute of clock skew is still now; more is the future.
        assert_eq!(parse_time("14:31", &now()), Ok(utc("2026-03-01T12:31:00Z")));
        assert_eq!(
            parse_time("14:32", &now()).unwrap_err(),
            "\"14:32\" (12:32 UTC) is in the future (now is 12:30 UTC); a time something happened \
             cannot be later than now (for yesterday, give an RFC 3339 time)"
        );
        // With a clock before 2010, 2000-01-01 is the bound.
        let early = DateTime::parse_from_rfc3339("2003-06-01T00:00:00Z").unwrap();
        assert_eq!(parse_time("2000-01-01T00:00:00Z", &early), Ok(EARLIEST));
        assert!(
            parse_time("1999-12-31T23:59:59Z", &early)
                .unwrap_err()
                .contains("before 2000-01-01 00:00 UTC")
        );
    }

    #[test]
    fn due_dates_keep_between_now_and_ten_years_ahead() {
        for past in ["-2d", "2020-01-01", "2026-03-01T12:29:00Z", "14:29"] {
            let err = parse_due(past, &now()).unwrap_err();
            assert!(err.contains("is in the past (now is 12:30 UTC)"), "{past}: {err}");
        }
        assert_eq!(parse_due("+3650d", &now()), Ok(utc("2036-02-27T12:30:00Z")));
        assert_eq!(
            parse_due("+3650d1s", &now()).unwrap_err(),
            "\"+3650d1s\" (2036-02-27 12:30 UTC) is after 2036-02-27 12:30 UTC, the latest due date \
             accepted (ten years ahead)"
        );
        assert!(parse_due("2040-01-01", &now()).is_err());
    }

    #[test]
    fn clock_times_name_their_day_unless_today() {
        let now = utc("2026-03-01T23:59:00Z");
        assert_eq!(format_clock(utc("2026-03-01T00:05:00Z"), now), "00:05 UTC");
        assert_eq!(
            format_clock(utc("2026-03-02T00:05:00Z"), now),
            "2026-03-02 00:05 UTC"
        );
        assert_eq!(
            format_clock(utc("2036-03-01T05:23:00Z"), now),
            "2036-03-01 05:23 UTC"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(TimeDelta::minutes(90)));
        assert_eq!(parse_duration("1d2h"), Ok(TimeDelta::hours(26)));
        assert!(parse_duration("3000d3000d").is_err(), "the limit is on the total");
        assert!(parse_time(&format!("-{}", "522w".repeat(30_000)), &now()).is_err());
        assert!(parse_duration("5").is_ok());
        assert!(parse_duration("5 m").is_err());
        assert_eq!(format_duration(TimeDelta::seconds(45)), "45s");
        assert_eq!(format_duration(TimeDelta::seconds(754)), "12m34s");
        assert_eq!(format_duration(TimeDelta::minutes(65)), "1h05m");
        assert_eq!(format_duration(TimeDelta::hours(76)), "3d04h");
        assert_eq!(format_duration(TimeDelta::minutes(-3)), "-3m");
        assert_eq!(format_duration(TimeDelta::minutes(15)), "15m");
        assert_eq!(format_duration(TimeDelta::hours(72)), "3d");
    }
}

//! Reading the `T` times users type: RFC 3339, `HH:MM` (today, local time) and
//! relative `-15m` / `-2h` / `-1h30m`, and writing durations back for humans.

use chrono::{DateTime, NaiveTime, TimeDelta, TimeZone, Utc};

/// What `T` accepts, for error messages and `--help`.
pub const TIME_FORMS: &str = "RFC 3339 (2026-03-01T14:05:00Z), HH:MM or HH:MM:SS today in local time, or relative like -15m, -2h, -1h30m, -1d, now";

/// Parses a user-typed time relative to `now` (whose time zone is the
/// user's local zone).
pub fn parse_time<Tz: TimeZone>(input: &str, now: &DateTime<Tz>) -> Result<DateTime<Utc>, String> {
    let text = input.trim();
    if text.eq_ignore_ascii_case("now") {
        return Ok(now.with_timezone(&Utc));
    }
    if let Some(ago) = text.strip_prefix('-') {
        let delta = parse_duration(ago).map_err(|e| format!("{e} in {input:?}"))?;
        return Ok(now.with_timezone(&Utc) - delta);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    // "2026-03-01 14:05:00Z" is RFC 3339 with a space, as many logs write it.
    if let Ok(at) = DateTime::parse_from_rfc3339(&text.replacen(' ', "T", 1)) {
        return Ok(at.with_timezone(&Utc));
    }
    for format in ["%H:%M", "%H:%M:%S"] {
        if let Ok(time) = NaiveTime::parse_from_str(text, format) {
            let local = now.date_naive().and_time(time);
            return match now.timezone().from_local_datetime(&local) {
                chrono::LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
                // Clocks went back: the hour happened twice; take the first.
                chrono::LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
                chrono::LocalResult::None => Err(format!(
                    "{text} does not exist today in local time (a daylight-saving jump); use an RFC 3339 time"
                )),
            };
        }
    }
    Err(format!("cannot read the time {input:?}: expected {TIME_FORMS}"))
}

/// Reads a due date: `+2d` / `+4h` from now, a day `2026-03-05` (end of that
/// day in local time), or any absolute form [`parse_time`] takes (future
/// times allowed).
pub fn parse_due<Tz: TimeZone>(input: &str, now: &DateTime<Tz>) -> Result<DateTime<Utc>, String> {
    let text = input.trim();
    if let Some(ahead) = text.strip_prefix('+') {
        let delta = parse_duration(ahead).map_err(|e| format!("{e} in {input:?}"))?;
        return Ok(now.with_timezone(&Utc) + delta);
    }
    if let Ok(day) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let end = day.and_hms_opt(23, 59, 0).expect("a valid clock time");
        return now
            .timezone()
            .from_local_datetime(&end)
            .earliest()
            .map(|at| at.with_timezone(&Utc))
            .ok_or_else(|| format!("{text} 23:59 does not exist in local time"));
    }
    if text.starts_with('-') {
        return Err(format!(
            "a due date in the past ({input:?})? use +2d, a date like 2026-03-05, or RFC 3339"
        ));
    }
    parse_time(text, now)
        .map_err(|_| format!("cannot read the due date {input:?}: use +2d, 2026-03-05 or RFC 3339"))
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
        let amount: i64 = digits
            .parse()
            .map_err(|_| format!("number too large in {input:?}"))?;
        total = total
            .checked_add(&checked_delta(amount, unit_seconds, input)?)
            .ok_or_else(|| format!("duration too large: {input:?}"))?;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(format!(
            "missing unit after {digits} in {input:?} (use s, m, h, d, w)"
        ));
    }
    if total > TimeDelta::seconds(LIMIT_SECONDS) {
        return Err(format!("duration too large: {input:?}"));
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
        .ok_or_else(|| format!("duration too large: {input:?}"))
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
            parse_time("2026-03-01T10:00:00-05:00", &now()),
            Ok(utc("2026-03-01T15:00:00Z"))
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

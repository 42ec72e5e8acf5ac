//! Reading a file of timestamped lines (log excerpts, chat transcripts, public
//! post-mortem timelines) into backdated timeline entries, for `warroom import`.
//!
//! All or nothing: [`parse_lines`] returns either every entry of the file or
//! every line it could not read, never a part of the file.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Days, FixedOffset, Local, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    TimeZone, Utc,
};

/// The line forms [`parse_lines`] reads, for error messages and `--help`.
pub const LINE_FORMS: &str = "2026-03-01T14:05:00Z (RFC 3339), 2026-03-01 14:05[:SS] [UTC|Z|+02:00|+0200], \
     or 14:05[:SS] [UTC|+02:00] with --date; optionally in [brackets], then a space, -, –, —, | or : and the text";

/// The forms `--tz` accepts, for error messages and `--help`.
pub const ZONE_FORMS: &str = "UTC (or Z), an offset like +02:00, -0530 or +5, or local";

/// A short reminder of the line forms, repeated in each unreadable-line error.
const SHORT_FORMS: &str = "2026-03-01T14:05:00Z, 2026-03-01 14:05 or 14:05";

/// The characters that may separate the time from the text (besides whitespace).
const SEPARATORS: [char; 5] = ['-', '–', '—', '|', ':'];

/// Zone abbreviations that mean different offsets in different places or
/// seasons; a time followed by one is refused rather than misread.
const ZONE_ABBREVIATIONS: [&str; 31] = [
    "PST", "PDT", "MST", "MDT", "CST", "CDT", "EST", "EDT", "AKST", "AKDT", "HST", "BST", "IST", "CET",
    "CEST", "EET", "EEST", "WET", "WEST", "MSK", "JST", "KST", "SGT", "HKT", "AEST", "AEDT", "ACST", "ACDT",
    "AWST", "NZST", "NZDT",
];

/// The zone for times that carry no offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// Coordinated Universal Time.
    Utc,
    /// A fixed offset from UTC, the same all year.
    Fixed(FixedOffset),
    /// This computer's local time zone, daylight saving included.
    Local,
}

impl FromStr for Zone {
    type Err = String;

    /// Reads `UTC` (also `Z`, `GMT`, any case), an offset (`+02:00`, `-0530`,
    /// `+5`, optionally after `UTC`: `UTC+2`), or `local`. Zone names such as
    /// `Europe/Paris` are refused with a hint to give the offset instead.
    fn from_str(input: &str) -> Result<Self, String> {
        let text = input.trim();
        let lower = text.to_ascii_lowercase();
        match lower.as_str() {
            "utc" | "z" | "gmt" => return Ok(Zone::Utc),
            "local" => return Ok(Zone::Local),
            _ => {}
        }
        let offset_text = lower
            .strip_prefix("utc")
            .or_else(|| lower.strip_prefix("gmt"))
            .unwrap_or(&lower);
        if let Some(offset) = zone_offset(offset_text) {
            return Ok(Zone::Fixed(offset));
        }
        if text.contains('/') {
            return Err(format!(
                "unknown time zone {input:?}: zone names like Europe/Paris are not supported; give the UTC \
                 offset in effect at the time instead, e.g. --tz +01:00 (or +02:00 in summer). \
                 Accepted: {ZONE_FORMS}"
            ));
        }
        Err(format!(
            "unknown time zone {input:?}: expected {ZONE_FORMS} (zone names like Europe/Paris are not \
             supported; give their offset, e.g. +01:00)"
        ))
    }
}

/// One line read from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedLine {
    /// The 1-based line number in the file.
    pub line: usize,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The rest of the line after the time and its separator, exactly as
    /// written (not sanitized).
    pub text: String,
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// The 1-based line number in the file.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for LineError {
    /// `line N: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for LineError {}

/// Reads every line of `input` into a time and a text.
///
/// Each line starts (after leading whitespace) with a time, optionally in
/// `[` `]`, then one separator (whitespace, or `-`, `–`, `—`, `|` or `:` with
/// optional spaces around it), then the text, kept exactly as written. Times:
///
/// * RFC 3339: `2026-03-01T14:05:00Z`, `2026-03-01T14:05:00.123+02:00`;
/// * `2026-03-01 14:05[:SS[.fff]] [UTC|Z|±hh:mm|±hhmm]`;
/// * `14:05[:SS[.fff]] [UTC|Z|±hh:mm|±hhmm]`, on the day `date`.
///
/// A time may also be written on the 12-hour clock (`2:05 PM`). A time without
/// an offset is read in `zone`; one that does not exist there (skipped by a
/// daylight-saving jump) or happens twice there (clocks set back) is an
/// error that says to write the offset.
///
/// Clock-only lines (no date) need `date`. They are read in file order
/// starting on `date`; whenever a clock time is more than one hour earlier
/// than the previous clock-only line's time (as written), the day moves on by
/// one, so a chat log crossing midnight (23:58, 23:59, 00:03) puts 00:03 on
/// the next day, while a line up to an hour out of order stays on the same
/// day. Lines with a full date neither use nor move this day. A silence of a
/// whole day or more cannot be seen: write full dates for such files.
///
/// Blank lines and lines starting with `#` are skipped; a UTF-8 byte-order
/// mark at the start is ignored, and so is a `\r` at the end of each line.
///
/// Returns the lines in file order (not sorted by time), possibly none; or,
/// if any line cannot be read, an error for each such line, in file order.
pub fn parse_lines(
    input: &str,
    date: Option<NaiveDate>,
    zone: Zone,
) -> Result<Vec<ImportedLine>, Vec<LineError>> {
    match zone {
        Zone::Utc => parse_in(input, date, &|naive| LocalResult::Single(naive.and_utc())),
        Zone::Fixed(offset) => parse_in(input, date, &|naive| {
            offset.from_local_datetime(&naive).map(|at| at.to_utc())
        }),
        Zone::Local => parse_in(input, date, &|naive| {
            Local.from_local_datetime(&naive).map(|at| at.to_utc())
        }),
    }
}

/// Turns a date and time without an offset into an instant (or none, or two).
type Resolve<'a> = &'a dyn Fn(NaiveDateTime) -> LocalResult<DateTime<Utc>>;

/// [`parse_lines`] with the zone given as a function, so tests can use a zone
/// with daylight saving whatever the machine's own zone is.
fn parse_in(
    input: &str,
    date: Option<NaiveDate>,
    resolve: Resolve<'_>,
) -> Result<Vec<ImportedLine>, Vec<LineError>> {
    let input = input.strip_prefix('\u{FEFF}').unwrap_or(input);
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut rollover = Rollover::default();
    for (index, raw) in input.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let line = raw.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match read_entry(line, date, &mut rollover, resolve) {
            Ok((at, text)) => lines.push(ImportedLine {
                line: index + 1,
                at,
                text: text.to_owned(),
            }),
            Err(message) => errors.push(LineError {
                line: index + 1,
                message,
            }),
        }
    }
    if errors.is_empty() { Ok(lines) } else { Err(errors) }
}

/// Counts the midnights crossed by clock-only lines.
#[derive(Default)]
struct Rollover {
    previous: Option<NaiveTime>,
    days: u64,
}

impl Rollover {
    /// The number of days after `--date` for the next clock-only line at `time`.
    fn days_for(&mut self, time: NaiveTime) -> u64 {
        if let Some(previous) = self.previous
            && previous.signed_duration_since(time) > TimeDelta::hours(1)
        {
            self.days += 1;
        }
        self.previous = Some(time);
        self.days
    }
}

/// A time read from the start of a line.
#[derive(Debug, PartialEq)]
struct Stamp {
    /// `None` for a clock-only time.
    date: Option<NaiveDate>,
    time: NaiveTime,
    /// `None` when the line gives no zone.
    offset: Option<FixedOffset>,
}

/// Reads one non-blank line (leading whitespace already removed).
fn read_entry<'a>(
    line: &'a str,
    date: Option<NaiveDate>,
    rollover: &mut Rollover,
    resolve: Resolve<'_>,
) -> Result<(DateTime<Utc>, &'a str), String> {
    let (stamp, text) = split_line(line)?;
    let day = match stamp.date {
        Some(day) => day,
        None => {
            let start = date.ok_or("a time without a date needs --date YYYY-MM-DD")?;
            let days = rollover.days_for(stamp.time);
            start
                .checked_add_days(Days::new(days))
                .ok_or("the date is out of range after crossing midnight")?
        }
    };
    let naive = day.and_time(stamp.time);
    let resolved = match stamp.offset {
        Some(offset) => offset.from_local_datetime(&naive).map(|at| at.to_utc()),
        None => resolve(naive),
    };
    let at = match resolved {
        LocalResult::Single(at) => at,
        // The clocks were set back and this hour happened twice: either
        // reading could be the wrong one, and a log read with the wrong one
        // comes out reordered.
        LocalResult::Ambiguous(one, other) => {
            let (first, second) = (one.min(other), one.max(other));
            return Err(format!(
                "{} happens twice in that time zone (the clocks went back); write its offset, \
                 e.g. {} {} or {} {}",
                naive.format("%Y-%m-%d %H:%M:%S"),
                naive.format("%H:%M"),
                offset_between(naive, first),
                naive.format("%H:%M"),
                offset_between(naive, second),
            ));
        }
        LocalResult::None => {
            return Err(format!(
                "{} does not exist in that time zone (the clocks jumped forward); write its offset, \
                 e.g. {} +02:00",
                naive.format("%Y-%m-%d %H:%M:%S"),
                naive.format("%H:%M")
            ));
        }
    };
    Ok((at, text))
}

/// The UTC offset (`+02:00`) at which the clock time `local` is the instant `at`.
fn offset_between(local: NaiveDateTime, at: DateTime<Utc>) -> String {
    let seconds = (local - at.naive_utc()).num_seconds();
    i32::try_from(seconds)
        .ok()
        .and_then(FixedOffset::east_opt)
        .map_or_else(|| format!("{seconds:+}s"), |offset| offset.to_string())
}

/// Splits a line into its time and its text.
fn split_line(line: &str) -> Result<(Stamp, &str), String> {
    let (stamp, rest) = if let Some(inner) = line.strip_prefix('[') {
        let (stamp, rest) = read_stamp(inner.trim_start())?.ok_or_else(|| unreadable(line))?;
        let rest = rest
            .trim_start()
            .strip_prefix(']')
            .ok_or_else(|| unreadable(line))?;
        (stamp, rest)
    } else {
        let (stamp, rest) = read_stamp(line)?.ok_or_else(|| unreadable(line))?;
        if !(rest.is_empty() || rest.starts_with(char::is_whitespace) || rest.starts_with(SEPARATORS)) {
            return Err(unreadable(line));
        }
        (stamp, rest)
    };
    let text = strip_separator(rest);
    if text.trim().is_empty() {
        return Err("no text after the time".into());
    }
    Ok((stamp, text))
}

/// Removes the whitespace and at most one separator character before the text.
fn strip_separator(rest: &str) -> &str {
    let rest = rest.trim_start();
    match rest.strip_prefix(SEPARATORS) {
        Some(after) => after.trim_start(),
        None => rest,
    }
}

/// The error for a line that does not start with a time.
fn unreadable(line: &str) -> String {
    let mut start: String = line.chars().take(40).collect();
    if line.chars().nth(40).is_some() {
        start.push('…');
    }
    format!("no time at the start of the line: {start:?} (expected e.g. {SHORT_FORMS})")
}

/// Reads a time at the start of `s`: `Ok(None)` when `s` does not start with
/// one, an error when it does but the time is impossible.
fn read_stamp(s: &str) -> Result<Option<(Stamp, &str)>, String> {
    let (date, after_date) = match date_shape(s) {
        Some(((year, month, day), rest)) => {
            let written = &s[..s.len() - rest.len()];
            let date = NaiveDate::from_ymd_opt(year, month, day)
                .ok_or_else(|| format!("impossible date {written}"))?;
            let time_start = rest.strip_prefix(['T', 't']).or_else(|| {
                let spaced = rest.trim_start_matches([' ', '\t']);
                (spaced.len() < rest.len()).then_some(spaced)
            });
            match time_start {
                Some(time_start) if clock_shape(time_start).is_some() => (Some(date), time_start),
                _ => {
                    return Err(format!(
                        "the date {written} has no time of day after it (e.g. {written} 14:05)"
                    ));
                }
            }
        }
        None => (None, s),
    };
    let Some((clock, rest)) = clock_shape(after_date) else {
        return Ok(None);
    };
    let written = &after_date[..after_date.len() - rest.len()];
    let (pm, rest) = match meridiem(rest) {
        Some((pm, rest)) => (Some(pm), rest),
        None => (None, rest),
    };
    let hour = match pm {
        None => clock.hour,
        Some(_) if !(1..=12).contains(&clock.hour) => {
            return Err(format!(
                "impossible 12-hour time {written} (AM/PM hours run from 1 to 12)"
            ));
        }
        Some(pm) => clock.hour % 12 + if pm { 12 } else { 0 },
    };
    let time = NaiveTime::from_hms_nano_opt(hour, clock.minute, clock.second, clock.nano)
        .ok_or_else(|| format!("impossible time {written}"))?;
    let (offset, rest) = match read_zone(rest)? {
        Some((offset, rest)) => (Some(offset), rest),
        None => {
            refuse_abbreviation(rest)?;
            (None, rest)
        }
    };
    Ok(Some((Stamp { date, time, offset }, rest)))
}

/// `YYYY-MM-DD` at the start of `s`, not yet checked to be a real date.
fn date_shape(s: &str) -> Option<((i32, u32, u32), &str)> {
    let (year, rest) = number(s, 4, 4)?;
    let (month, rest) = number(rest.strip_prefix('-')?, 2, 2)?;
    let (day, rest) = number(rest.strip_prefix('-')?, 2, 2)?;
    Some(((i32::try_from(year).ok()?, month, day), rest))
}

/// The parts of a clock time as written, not yet checked to be possible.
struct Clock {
    hour: u32,
    minute: u32,
    second: u32,
    nano: u32,
}

/// `H:MM`, `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff` (or `,fff`) at the start of `s`.
fn clock_shape(s: &str) -> Option<(Clock, &str)> {
    let (hour, rest) = number(s, 1, 2)?;
    let (minute, mut rest) = number(rest.strip_prefix(':')?, 2, 2)?;
    let mut clock = Clock {
        hour,
        minute,
        second: 0,
        nano: 0,
    };
    if let Some(after_colon) = rest.strip_prefix(':')
        && let Some((second, after_seconds)) = number(after_colon, 2, 2)
    {
        clock.second = second;
        rest = after_seconds;
        if let Some(after_point) = after_seconds.strip_prefix(['.', ',']) {
            let (fraction, after_fraction) = digit_run(after_point);
            if !fraction.is_empty() {
                // Nanoseconds: the first nine digits, padded with zeros.
                clock.nano = fraction
                    .bytes()
                    .chain(std::iter::repeat(b'0'))
                    .take(9)
                    .fold(0, |nano, digit| nano * 10 + u32::from(digit - b'0'));
                rest = after_fraction;
            }
        }
    }
    Some((clock, rest))
}

/// `AM` or `PM` (any case, spaces before it allowed) at the start of `s`:
/// whether it is PM, and what follows.
fn meridiem(s: &str) -> Option<(bool, &str)> {
    let word = s.trim_start_matches([' ', '\t']);
    let (pm, rest) = if let Some(rest) = strip_prefix_ignore_case(word, "am") {
        (false, rest)
    } else {
        (true, strip_prefix_ignore_case(word, "pm")?)
    };
    ends_word(rest).then_some((pm, rest))
}

/// The zone written after a time: `Z` or an offset right after it, or after
/// spaces `UTC`, `GMT` (each optionally with an offset: `UTC+2`), `Z` or an
/// offset (`+02:00`, `+0200`).
fn read_zone(s: &str) -> Result<Option<(FixedOffset, &str)>, String> {
    let utc = FixedOffset::east_opt(0).expect("zero is a valid offset");
    if let Some(rest) = s.strip_prefix(['Z', 'z'])
        && ends_word(rest)
    {
        return Ok(Some((utc, rest)));
    }
    if let Some(found) = line_offset(s, false)? {
        return Ok(Some(found));
    }
    let spaced = s.trim_start_matches([' ', '\t']);
    if spaced.len() == s.len() {
        return Ok(None);
    }
    if let Some(rest) =
        strip_prefix_ignore_case(spaced, "utc").or_else(|| strip_prefix_ignore_case(spaced, "gmt"))
    {
        if let Some(found) = line_offset(rest, true)? {
            return Ok(Some(found));
        }
        if ends_word(rest) {
            return Ok(Some((utc, rest)));
        }
    }
    if let Some(rest) = spaced.strip_prefix('Z')
        && ends_word(rest)
    {
        return Ok(Some((utc, rest)));
    }
    line_offset(spaced, false)
}

/// An offset at the start of `s`: `±hh:mm` or `±hhmm`, and when `loose` (after
/// `UTC`) also `±h`, `±hh` or `±h:mm`. An error when it is out of range.
fn line_offset(s: &str, loose: bool) -> Result<Option<(FixedOffset, &str)>, String> {
    let Some(sign) = s.chars().next().filter(|c| matches!(c, '+' | '-')) else {
        return Ok(None);
    };
    let (digits, rest) = digit_run(&s[1..]);
    let (hours, minutes, rest) = match (digits.len(), rest.strip_prefix(':')) {
        (4, _) => (&digits[..2], &digits[2..], rest),
        (1 | 2, Some(after_colon)) if digits.len() == 2 || loose => {
            let (minutes, rest) = digit_run(after_colon);
            if minutes.len() != 2 {
                return Ok(None);
            }
            (digits, minutes, rest)
        }
        (1 | 2, None) if loose => (digits, "0", rest),
        _ => return Ok(None),
    };
    if !ends_word(rest) {
        return Ok(None);
    }
    let written = &s[..s.len() - rest.len()];
    let offset = fixed_offset(sign, hours.parse().ok(), minutes.parse().ok())
        .ok_or_else(|| format!("impossible UTC offset {written}"))?;
    Ok(Some((offset, rest)))
}

/// Refuses a time followed by a zone abbreviation like `PST`, which would
/// otherwise be read in `--tz` and the abbreviation taken for the text.
fn refuse_abbreviation(rest: &str) -> Result<(), String> {
    let spaced = rest.trim_start_matches([' ', '\t']);
    if spaced.len() == rest.len() {
        return Ok(());
    }
    let end = spaced
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(spaced.len());
    let (word, after) = spaced.split_at(end);
    if ZONE_ABBREVIATIONS.contains(&word) && ends_word(after) {
        return Err(format!(
            "time zone abbreviations like {word} are not supported (several mean different offsets); \
             write the offset instead, e.g. 14:05 -08:00, or remove it and pass --tz"
        ));
    }
    Ok(())
}

/// Reads a `--tz` offset without its `UTC`: `+5`, `+05`, `+0530`, `+5:30`, `+05:30`.
fn zone_offset(text: &str) -> Option<FixedOffset> {
    let sign = text.chars().next().filter(|c| matches!(c, '+' | '-'))?;
    let body = &text[1..];
    let (hours, minutes) = match body.split_once(':') {
        Some((hours, minutes)) if (1..=2).contains(&hours.len()) && minutes.len() == 2 => (hours, minutes),
        Some(_) => return None,
        None if (1..=2).contains(&body.len()) => (body, "0"),
        None if body.len() == 4 => body.split_at(2),
        None => return None,
    };
    if !(hours.bytes().all(|b| b.is_ascii_digit()) && minutes.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    fixed_offset(sign, hours.parse().ok(), minutes.parse().ok())
}

/// An offset of at most 23:59 either way.
fn fixed_offset(sign: char, hours: Option<i32>, minutes: Option<i32>) -> Option<FixedOffset> {
    let (hours, minutes) = (hours?, minutes?);
    if hours > 23 || minutes > 59 {
        return None;
    }
    let seconds = (hours * 60 + minutes) * 60;
    FixedOffset::east_opt(if sign == '-' { -seconds } else { seconds })
}

/// Whether `rest` (what follows a word) does not continue it.
fn ends_word(rest: &str) -> bool {
    !rest.starts_with(|c: char| c.is_alphanumeric())
}

/// Splits the leading ASCII digits off `s`.
fn digit_run(s: &str) -> (&str, &str) {
    let end = s.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

/// A number of `min` to `max` digits at the start of `s`, not followed by
/// another digit.
fn number(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let (digits, rest) = digit_run(s);
    if !(min..=max).contains(&digits.len()) {
        return None;
    }
    Some((digits.parse().ok()?, rest))
}

/// `s` without `prefix` (ASCII, any case).
fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then_some(&s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn offset(s: &str) -> FixedOffset {
        s.parse().unwrap()
    }

    /// Reads one line in UTC with `--date 2026-03-01`: its instant and text.
    fn one(line: &str) -> (DateTime<Utc>, String) {
        let lines = parse_lines(line, Some(day("2026-03-01")), Zone::Utc)
            .unwrap_or_else(|e| panic!("{line:?}: {e:?}"));
        assert_eq!(lines.len(), 1, "{line:?}");
        (lines[0].at, lines[0].text.clone())
    }

    /// The error message for one bad line (read in UTC with a date).
    fn refused(line: &str) -> String {
        let errors = parse_lines(line, Some(day("2026-03-01")), Zone::Utc).unwrap_err();
        assert_eq!(errors.len(), 1, "{line:?}: {errors:?}");
        assert_eq!(errors[0].line, 1);
        errors[0].message.clone()
    }

    /// A zone like Europe/Paris in 2026: +01:00, then +02:00 from 29 March
    /// 02:00 (02:00–03:00 does not exist) to 25 October 03:00 (02:00–03:00
    /// happens twice).
    fn paris(naive: NaiveDateTime) -> LocalResult<DateTime<Utc>> {
        let spring = day("2026-03-29").and_hms_opt(2, 0, 0).unwrap();
        let autumn = day("2026-10-25").and_hms_opt(2, 0, 0).unwrap();
        let at = |hours| (naive - TimeDelta::hours(hours)).and_utc();
        if naive < spring {
            LocalResult::Single(at(1))
        } else if naive < spring + TimeDelta::hours(1) {
            LocalResult::None
        } else if naive < autumn {
            LocalResult::Single(at(2))
        } else if naive < autumn + TimeDelta::hours(1) {
            LocalResult::Ambiguous(at(2), at(1))
        } else {
            LocalResult::Single(at(1))
        }
    }

    #[test]
    fn zones_from_their_names() {
        for name in ["UTC", "utc", "Z", "z", "GMT", " UTC "] {
            assert_eq!(name.parse(), Ok(Zone::Utc), "{name}");
        }
        assert_eq!("local".parse(), Ok(Zone::Local));
        assert_eq!("Local".parse(), Ok(Zone::Local));
        for (name, expected) in [
            ("+02:00", "+02:00"),
            ("-0530", "-05:30"),
            ("+5", "+05:00"),
            ("-5", "-05:00"),
            ("+05", "+05:00"),
            ("+5:30", "+05:30"),
            ("UTC+2", "+02:00"),
            ("utc-03:30", "-03:30"),
            ("+00:00", "+00:00"),
        ] {
            assert_eq!(name.parse(), Ok(Zone::Fixed(offset(expected))), "{name}");
        }
    }

    #[test]
    fn unknown_zones_are_refused_with_the_accepted_forms() {
        let err = "Europe/Paris".parse::<Zone>().unwrap_err();
        assert!(err.contains("\"Europe/Paris\""), "{err}");
        assert!(err.contains("not supported"), "{err}");
        assert!(err.contains("+01:00"), "{err}");
        assert!(err.contains(ZONE_FORMS), "{err}");
        for bad in [
            "",
            "CET",
            "+25",
            "+02:60",
            "+123",
            "+1:3",
            "2",
            "+",
            "--5",
            "+05:00:00",
            "+٣",
        ] {
            let err = bad.parse::<Zone>().unwrap_err();
            assert!(err.contains(ZONE_FORMS), "{bad}: {err}");
        }
    }

    #[test]
    fn rfc3339_lines() {
        assert_eq!(
            one("2026-03-01T14:05:00Z text"),
            (utc("2026-03-01T14:05:00Z"), "text".into())
        );
        assert_eq!(
            one("2026-03-01T14:05:00.123+02:00 deploy started"),
            (utc("2026-03-01T12:05:00.123Z"), "deploy started".into())
        );
        assert_eq!(
            one("2026-03-01t14:05:00z x"),
            (utc("2026-03-01T14:05:00Z"), "x".into())
        );
        assert_eq!(
            one("2026-03-01T14:05:00.123456789123-05:00 x").0,
            utc("2026-03-01T19:05:00.123456789Z")
        );
        assert_eq!(one("2026-03-01T14:05:00,5Z x").0, utc("2026-03-01T14:05:00.5Z"));
    }

    #[test]
    fn date_and_time_lines_with_and_without_a_zone() {
        let cet = Zone::Fixed(offset("+01:00"));
        let read = |line: &str| parse_lines(line, None, cet).unwrap()[0].at;
        // No zone: --tz applies.
        assert_eq!(read("2026-03-01 14:05 x"), utc("2026-03-01T13:05:00Z"));
        assert_eq!(read("2026-03-01 14:05:30 x"), utc("2026-03-01T13:05:30Z"));
        assert_eq!(read("2026-03-01T14:05 x"), utc("2026-03-01T13:05:00Z"));
        // A zone on the line wins.
        for (line, expected) in [
            ("2026-03-01 14:05 UTC x", "2026-03-01T14:05:00Z"),
            ("2026-03-01 14:05:00 utc x", "2026-03-01T14:05:00Z"),
            ("2026-03-01 14:05 Z x", "2026-03-01T14:05:00Z"),
            ("2026-03-01 14:05Z x", "2026-03-01T14:05:00Z"),
            ("2026-03-01 14:05 GMT x", "2026-03-01T14:05:00Z"),
            ("2026-03-01 14:05 +02:00 x", "2026-03-01T12:05:00Z"),
            ("2026-03-01 14:05 +0200 x", "2026-03-01T12:05:00Z"),
            ("2026-03-01 14:05:00-05:00 x", "2026-03-01T19:05:00Z"),
            ("2026-03-01 14:05:00 -0530 x", "2026-03-01T19:35:00Z"),
            ("2026-03-01 14:05 UTC+2 x", "2026-03-01T12:05:00Z"),
            ("2026-03-01 14:05 UTC-05:00 x", "2026-03-01T19:05:00Z"),
            ("2026-03-01 14:05:00.250 +00:00 x", "2026-03-01T14:05:00.25Z"),
        ] {
            assert_eq!(read(line), utc(expected), "{line}");
        }
        // The --date is not used for lines with their own date.
        let lines = parse_lines("2026-02-27 10:00 x", Some(day("2026-03-01")), Zone::Utc).unwrap();
        assert_eq!(lines[0].at, utc("2026-02-27T10:00:00Z"));
    }

    #[test]
    fn clock_only_lines_use_the_date() {
        assert_eq!(one("14:05 x"), (utc("2026-03-01T14:05:00Z"), "x".into()));
        assert_eq!(one("14:05:09 x").0, utc("2026-03-01T14:05:09Z"));
        assert_eq!(one("9:05 x").0, utc("2026-03-01T09:05:00Z"));
        assert_eq!(one("14:05 UTC x").0, utc("2026-03-01T14:05:00Z"));
        assert_eq!(one("14:05 +02:00 x").0, utc("2026-03-01T12:05:00Z"));
        assert_eq!(one("14:05-0500 x").0, utc("2026-03-01T19:05:00Z"));
        let tokyo = Zone::Fixed(offset("+09:00"));
        let lines = parse_lines("08:00 x", Some(day("2026-03-01")), tokyo).unwrap();
        assert_eq!(lines[0].at, utc("2026-02-28T23:00:00Z"));
    }

    #[test]
    fn clock_only_lines_need_a_date() {
        let errors = parse_lines("2026-03-01 10:00 ok\n14:05 x\n", None, Zone::Utc).unwrap_err();
        assert_eq!(
            errors,
            vec![LineError {
                line: 2,
                message: "a time without a date needs --date YYYY-MM-DD".into()
            }]
        );
    }

    #[test]
    fn twelve_hour_clock() {
        assert_eq!(one("2:05 PM x").0, utc("2026-03-01T14:05:00Z"));
        assert_eq!(one("2:05pm x").0, utc("2026-03-01T14:05:00Z"));
        assert_eq!(one("12:30 am x").0, utc("2026-03-01T00:30:00Z"));
        assert_eq!(one("12:30 PM x").0, utc("2026-03-01T12:30:00Z"));
        assert_eq!(one("11:59:59 AM UTC x").0, utc("2026-03-01T11:59:59Z"));
        assert_eq!(one("2026-03-01 2:05 PM +01:00 x").0, utc("2026-03-01T13:05:00Z"));
        // A word starting with "am" is text.
        assert_eq!(
            one("10:00 amended the plan"),
            (utc("2026-03-01T10:00:00Z"), "amended the plan".into())
        );
        assert!(refused("13:05 PM x").contains("12-hour"));
        assert!(refused("0:05 AM x").contains("12-hour"));
    }

    #[test]
    fn midnight_rolls_clock_only_lines_to_the_next_day() {
        let input = "23:58 a\n23:59 b\n00:03 c\n00:02 d\n23:10 e\n00:10 f\n";
        let lines = parse_lines(input, Some(day("2026-03-01")), Zone::Utc).unwrap();
        let got: Vec<_> = lines.iter().map(|l| (l.line, l.at, l.text.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (1, utc("2026-03-01T23:58:00Z"), "a"),
                (2, utc("2026-03-01T23:59:00Z"), "b"),
                (3, utc("2026-03-02T00:03:00Z"), "c"),
                // Up to an hour back stays on the same day.
                (4, utc("2026-03-02T00:02:00Z"), "d"),
                (5, utc("2026-03-02T23:10:00Z"), "e"),
                (6, utc("2026-03-03T00:10:00Z"), "f"),
            ]
        );
    }

    #[test]
    fn rollover_needs_more_than_an_hour_back() {
        let input = "10:00 a\n09:00 b\n10:30 c\n09:29 d\n";
        let lines = parse_lines(input, Some(day("2026-03-01")), Zone::Utc).unwrap();
        let at: Vec<_> = lines.iter().map(|l| l.at).collect();
        assert_eq!(
            at,
            vec![
                utc("2026-03-01T10:00:00Z"),
                utc("2026-03-01T09:00:00Z"),
                utc("2026-03-01T10:30:00Z"),
                utc("2026-03-02T09:29:00Z"),
            ]
        );
    }

    #[test]
    fn full_dates_do_not_move_the_clock_only_day() {
        let input = "23:50 a\n2026-03-05 01:00 b\n23:55 c\n00:05 d\n";
        let lines = parse_lines(input, Some(day("2026-03-01")), Zone::Utc).unwrap();
        let at: Vec<_> = lines.iter().map(|l| l.at).collect();
        assert_eq!(
            at,
            vec![
                utc("2026-03-01T23:50:00Z"),
                utc("2026-03-05T01:00:00Z"),
                utc("2026-03-01T23:55:00Z"),
                utc("2026-03-02T00:05:00Z"),
            ]
        );
    }

    #[test]
    fn brackets_around_the_time() {
        assert_eq!(
            one("[2026-03-01 14:05:00 UTC] text"),
            (utc("2026-03-01T14:05:00Z"), "text".into())
        );
        assert_eq!(
            one("[14:05] alice: hi"),
            (utc("2026-03-01T14:05:00Z"), "alice: hi".into())
        );
        assert_eq!(one("[ 14:05 ]text").1, "text");
        assert_eq!(
            one("[2026-03-01T14:05:00+01:00] - x").0,
            utc("2026-03-01T13:05:00Z")
        );
        assert_eq!(one("[14:05] [INFO] started").1, "[INFO] started");
        assert!(refused("[14:05 x").starts_with("no time at the start"));
        assert!(refused("[INFO] 14:05 x").starts_with("no time at the start"));
    }

    #[test]
    fn separators_and_exact_text() {
        for line in [
            "14:05 text",
            "14:05\ttext",
            "14:05   text",
            "14:05 - text",
            "14:05-text",
            "14:05 – text",
            "14:05—text",
            "14:05 | text",
            "14:05: text",
            "14:05 :text",
            "  14:05 text",
            "\t14:05 text",
        ] {
            assert_eq!(
                one(line),
                (utc("2026-03-01T14:05:00Z"), "text".into()),
                "{line:?}"
            );
        }
        // One separator only; the rest, trailing spaces included, is the text.
        assert_eq!(one("14:05 - - a | b:  ").1, "- a | b:  ");
        assert_eq!(one("14:05 || x").1, "| x");
        // Not sanitized here.
        assert_eq!(one("14:05 \u{1b}]0;owned\u{7} ☕").1, "\u{1b}]0;owned\u{7} ☕");
    }

    #[test]
    fn blank_and_comment_lines_are_skipped_and_numbers_kept() {
        let input = "# timeline\n\n   \n14:05 a\n  # note\n\t\n14:06 b";
        let lines = parse_lines(input, Some(day("2026-03-01")), Zone::Utc).unwrap();
        let got: Vec<_> = lines.iter().map(|l| (l.line, l.text.as_str())).collect();
        assert_eq!(got, vec![(4, "a"), (7, "b")]);
        assert_eq!(parse_lines("", None, Zone::Utc), Ok(vec![]));
        assert_eq!(parse_lines("# nothing\n\n", None, Zone::Utc), Ok(vec![]));
    }

    #[test]
    fn bom_and_crlf() {
        let input = "\u{FEFF}14:05 a\r\n14:06 b  \r\n\r\n# c\r\n14:07 c\r";
        let lines = parse_lines(input, Some(day("2026-03-01")), Zone::Utc).unwrap();
        let got: Vec<_> = lines.iter().map(|l| (l.line, l.at, l.text.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (1, utc("2026-03-01T14:05:00Z"), "a"),
                (2, utc("2026-03-01T14:06:00Z"), "b  "),
                (5, utc("2026-03-01T14:07:00Z"), "c"),
            ]
        );
        // Only one BOM, and only at the start, is ignored.
        assert!(refused("\u{FEFF}\u{FEFF}14:05 a").starts_with("no time"));
    }

    #[test]
    fn a_time_without_text_is_refused() {
        for line in [
            "14:05",
            "14:05   ",
            "14:05 -",
            "14:05 - ",
            "[14:05]",
            "2026-03-01T14:05:00Z |",
            "14:05 UTC",
        ] {
            assert_eq!(refused(line), "no text after the time", "{line:?}");
        }
    }

    #[test]
    fn a_line_without_a_time_is_refused_quoting_its_start() {
        let err = refused("deploy started");
        assert_eq!(
            err,
            "no time at the start of the line: \"deploy started\" (expected e.g. 2026-03-01T14:05:00Z, \
             2026-03-01 14:05 or 14:05)"
        );
        let long = "Mar  1 14:05:00 host sshd[42]: Accepted publickey for alice";
        let err = refused(long);
        assert!(
            err.contains("\"Mar  1 14:05:00 host sshd[42]: Accepted …\""),
            "{err}"
        );
        for bad in [
            "14:05text",
            "1405 x",
            "14:5 x",
            "14h05 x",
            "2026-03-01T14:05:00Zulu x",
            "14:05:00.5x y",
        ] {
            assert!(refused(bad).starts_with("no time at the start"), "{bad}");
        }
    }

    #[test]
    fn impossible_times_are_refused() {
        assert_eq!(refused("25:00 x"), "impossible time 25:00");
        assert_eq!(refused("23:60 x"), "impossible time 23:60");
        assert_eq!(refused("23:59:60 x"), "impossible time 23:59:60");
        assert_eq!(refused("2026-02-30 10:00 x"), "impossible date 2026-02-30");
        assert_eq!(refused("2026-13-01T10:00:00Z x"), "impossible date 2026-13-01");
        assert_eq!(refused("2026-03-01 24:00 x"), "impossible time 24:00");
        assert_eq!(
            refused("2026-03-01 10:00 +24:00 x"),
            "impossible UTC offset +24:00"
        );
        assert_eq!(refused("10:00 UTC+30 x"), "impossible UTC offset +30");
        assert_eq!(
            refused("2026-03-01 deploy"),
            "the date 2026-03-01 has no time of day after it (e.g. 2026-03-01 14:05)"
        );
        assert_eq!(
            parse_lines("2028-02-29 10:00 leap", None, Zone::Utc).unwrap()[0].at,
            utc("2028-02-29T10:00:00Z")
        );
    }

    #[test]
    fn zone_abbreviations_are_refused() {
        let err = refused("14:05 PST pager fired");
        assert!(err.contains("PST") && err.contains("not supported"), "{err}");
        assert!(refused("2026-03-01 14:05:00 CEST - x").contains("CEST"));
        assert!(refused("[2:05 PM EDT] x").contains("EDT"));
        // Only as a word of its own.
        assert_eq!(one("14:05 ESTIMATE ready").1, "ESTIMATE ready");
        assert_eq!(one("14:05 +02:00 CEST x").1, "CEST x");
    }

    #[test]
    fn every_bad_line_is_reported_in_order() {
        let input = "14:05 a\nnope\n14:06\n25:00 b\n14:07 c\n";
        let errors = parse_lines(input, Some(day("2026-03-01")), Zone::Utc).unwrap_err();
        let got: Vec<_> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            vec![
                "line 2: no time at the start of the line: \"nope\" (expected e.g. 2026-03-01T14:05:00Z, \
                 2026-03-01 14:05 or 14:05)",
                "line 3: no text after the time",
                "line 4: impossible time 25:00",
            ]
        );
    }

    #[test]
    fn results_are_in_file_order_not_time_order() {
        let input = "2026-03-01 12:00 later\n2026-03-01 09:00 earlier\n";
        let lines = parse_lines(input, None, Zone::Utc).unwrap();
        assert_eq!(lines[0].text, "later");
        assert_eq!(lines[1].text, "earlier");
    }

    #[test]
    fn daylight_saving_gap_and_overlap_are_refused() {
        let gap = parse_in("2026-03-29 02:30 x", None, &paris).unwrap_err();
        assert_eq!(gap[0].line, 1);
        assert!(
            gap[0].message.starts_with("2026-03-29 02:30:00 does not exist"),
            "{}",
            gap[0].message
        );
        // With an offset on the line the zone is not asked.
        let fixed = parse_in("2026-03-29 02:30 +01:00 x", None, &paris).unwrap();
        assert_eq!(fixed[0].at, utc("2026-03-29T01:30:00Z"));
        let overlap = parse_in("2026-10-25 02:30 x", None, &paris).unwrap_err();
        assert_eq!(
            overlap[0].message,
            "2026-10-25 02:30:00 happens twice in that time zone (the clocks went back); write its \
             offset, e.g. 02:30 +02:00 or 02:30 +01:00"
        );
        let second = parse_in("2026-10-25 02:30 +01:00 x", None, &paris).unwrap();
        assert_eq!(second[0].at, utc("2026-10-25T01:30:00Z"));
        // Clock-only lines: the gap is on the day reached after midnight.
        let errors = parse_in("23:59 a\n02:15 b\n", Some(day("2026-03-28")), &paris).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![2]);
        let lines = parse_in("23:59 a\n03:15 b\n", Some(day("2026-03-28")), &paris).unwrap();
        assert_eq!(lines[0].at, utc("2026-03-28T22:59:00Z"));
        assert_eq!(lines[1].at, utc("2026-03-29T01:15:00Z"));
    }

    #[test]
    fn local_zone_reads_in_the_machine_zone() {
        let naive = day("2026-03-01").and_hms_opt(14, 5, 0).unwrap();
        let expected = Local.from_local_datetime(&naive).earliest().unwrap().to_utc();
        let lines = parse_lines("2026-03-01 14:05 x", None, Zone::Local).unwrap();
        assert_eq!(lines[0].at, expected);
        // An explicit offset ignores the machine zone.
        let lines = parse_lines("2026-03-01 14:05 Z x", None, Zone::Local).unwrap();
        assert_eq!(lines[0].at, utc("2026-03-01T14:05:00Z"));
    }

    #[test]
    fn line_error_display() {
        let error = LineError {
            line: 12,
            message: "no text after the time".into(),
        };
        assert_eq!(error.to_string(), "line 12: no text after the time");
    }
}

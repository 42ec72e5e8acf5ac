//! `warroom import` files read by `domain::import::parse_lines`: a chat log
//! crossing midnight, a log with mixed offsets, a file with bad lines, a
//! post-mortem timeline over three days, and a CRLF file with a BOM.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use warroom::domain::import::{ImportedLine, LineError, Zone, parse_lines};

const CHAT_MIDNIGHT: &str = include_str!("fixtures/import/chat-midnight.txt");
const MIXED_OFFSETS: &str = include_str!("fixtures/import/mixed-offsets.log");
const TWO_BAD_LINES: &str = include_str!("fixtures/import/two-bad-lines.txt");
const THREE_DAYS: &str = include_str!("fixtures/import/three-days.txt");
const CRLF_BOM: &str = include_str!("fixtures/import/crlf-bom.txt");

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn plus_one_hour() -> Zone {
    Zone::Fixed(FixedOffset::east_opt(3600).unwrap())
}

fn line(line: usize, at: &str, text: &str) -> ImportedLine {
    ImportedLine {
        line,
        at: utc(at),
        text: text.to_owned(),
    }
}

#[test]
fn chat_transcript_crosses_midnight_with_date() {
    let lines = parse_lines(CHAT_MIDNIGHT, Some(date("2026-03-01")), Zone::Utc).unwrap();
    assert_eq!(
        lines,
        vec![
            line(2, "2026-03-01T23:52:00Z", "alice: paging the database on-call"),
            line(3, "2026-03-01T23:55:00Z", "bob: ack, looking"),
            line(4, "2026-03-01T23:58:00Z", "bob: primary is at 100% CPU"),
            line(5, "2026-03-01T23:59:00Z", "alice: failing over?"),
            line(6, "2026-03-02T00:03:00Z", "bob: failover started"),
            line(7, "2026-03-02T00:02:00Z", "carol: (late) I see errors dropping"),
            line(8, "2026-03-02T00:41:00Z", "bob: replica caught up"),
            line(9, "2026-03-02T01:15:00Z", "alice: resolved, monitoring"),
        ]
    );
}

#[test]
fn chat_transcript_in_a_fixed_zone_and_without_date() {
    let lines = parse_lines(CHAT_MIDNIGHT, Some(date("2026-03-01")), plus_one_hour()).unwrap();
    let at: Vec<_> = lines.iter().map(|l| l.at).collect();
    assert_eq!(
        at,
        vec![
            utc("2026-03-01T22:52:00Z"),
            utc("2026-03-01T22:55:00Z"),
            utc("2026-03-01T22:58:00Z"),
            utc("2026-03-01T22:59:00Z"),
            utc("2026-03-01T23:03:00Z"),
            utc("2026-03-01T23:02:00Z"),
            utc("2026-03-01T23:41:00Z"),
            utc("2026-03-02T00:15:00Z"),
        ]
    );

    let errors = parse_lines(CHAT_MIDNIGHT, None, Zone::Utc).unwrap_err();
    assert_eq!(
        errors.iter().map(|e| e.line).collect::<Vec<_>>(),
        (2..=9).collect::<Vec<_>>()
    );
    assert!(
        errors
            .iter()
            .all(|e| e.message == "a time without a date needs --date YYYY-MM-DD")
    );
}

#[test]
fn log_with_mixed_offsets_gives_exact_instants() {
    let lines = parse_lines(MIXED_OFFSETS, None, plus_one_hour()).unwrap();
    assert_eq!(
        lines,
        vec![
            line(1, "2026-03-01T12:05:00Z", "[api-eu] 502 rate above 5%"),
            line(
                2,
                "2026-03-01T12:07:30Z",
                "[lb] backend pool eu-1 marked unhealthy"
            ),
            line(3, "2026-03-01T12:09:15Z", "[pager] on-call acknowledged"),
            line(4, "2026-03-01T12:12:00Z", "[deploy] rollback of v2.31.0 started"),
            line(5, "2026-03-01T12:20:00.500Z", "[api-eu] 502 rate back under 0.1%"),
        ]
    );
    // Only the line without a zone depends on --tz.
    let in_utc = parse_lines(MIXED_OFFSETS, None, Zone::Utc).unwrap();
    let changed: Vec<_> = in_utc
        .iter()
        .zip(&lines)
        .filter(|(a, b)| a.at != b.at)
        .map(|(a, _)| a.line)
        .collect();
    assert_eq!(changed, vec![4]);
    assert_eq!(in_utc[3].at, utc("2026-03-01T13:12:00Z"));
}

#[test]
fn two_bad_lines_refuse_the_whole_file() {
    let errors = parse_lines(TWO_BAD_LINES, Some(date("2026-03-01")), Zone::Utc).unwrap_err();
    assert_eq!(
        errors,
        vec![
            LineError {
                line: 4,
                message: "no time at the start of the line: \"the database fell over around then\" \
                          (expected e.g. 2026-03-01T14:05:00Z, 2026-03-01 14:05 or 14:05)"
                    .into(),
            },
            LineError {
                line: 7,
                message: "impossible date 2026-02-30".into(),
            },
        ]
    );
    assert_eq!(errors[1].to_string(), "line 7: impossible date 2026-02-30");
}

#[test]
fn full_dates_across_three_days() {
    // --date and --tz do not matter: every line has its date and zone.
    for (day, zone) in [(None, Zone::Utc), (Some(date("2020-01-01")), plus_one_hour())] {
        let lines = parse_lines(THREE_DAYS, day, zone).unwrap();
        assert_eq!(
            lines,
            vec![
                line(
                    2,
                    "2026-02-27T22:40:00Z",
                    "Certificate renewal job fails silently"
                ),
                line(3, "2026-02-28T00:00:00Z", "Old certificate expires"),
                line(4, "2026-02-28T00:02:00Z", "First customer reports TLS errors"),
                line(5, "2026-02-28T23:59:59Z", "Fix deployed to 40% of edge nodes"),
                line(6, "2026-03-01T00:00:01Z", "Fix deployed everywhere"),
                line(7, "2026-03-01T09:30:00Z", "Post-incident review scheduled"),
            ]
        );
    }
}

#[test]
fn crlf_line_endings_and_a_bom() {
    // The fixture must really hold a BOM and CRLF (no checkout conversion).
    assert!(CRLF_BOM.starts_with('\u{FEFF}'));
    assert_eq!(CRLF_BOM.matches("\r\n").count(), 5);
    assert_eq!(CRLF_BOM.matches('\n').count(), 5);

    let lines = parse_lines(CRLF_BOM, Some(date("2026-03-01")), Zone::Utc).unwrap();
    assert_eq!(
        lines,
        vec![
            line(1, "2026-03-01T14:05:00Z", "Windows event log export"),
            line(2, "2026-03-01T14:06:30Z", "Service \"Checkout\" stopped  "),
            line(5, "2026-03-01T14:10:00Z", "operator restarted the service"),
        ]
    );
}

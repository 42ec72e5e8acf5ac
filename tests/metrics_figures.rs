//! Every metrics figure over a hand-built fixture, with the expected values
//! worked out by hand next to each assertion.

use chrono::{DateTime, Utc};
use warroom::domain::metrics::{
    ActionFacts, DurationFigure, Excluded, Filter, IncidentFacts, Report, compute, format_duration_secs,
};
use warroom::domain::{Milestone, Milestones, Severity};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn now() -> DateTime<Utc> {
    t("2026-03-10T12:00:00Z")
}

/// Milestone times in order started, detected, declared, acknowledged,
/// mitigated, resolved, closed; `""` for a milestone not recorded.
fn milestones(times: [&str; 7]) -> Milestones {
    let opt = |s: &str| (!s.is_empty()).then(|| t(s));
    let mut m = Milestones::new(t(times[2]));
    for (milestone, at) in Milestone::ALL.into_iter().zip(times) {
        m.set(milestone, opt(at));
    }
    assert_eq!(m.validate(), Ok(()), "fixture milestones must be valid");
    m
}

fn incident(id: i64, severity: Severity, times: [&str; 7], postmortem: &str) -> IncidentFacts {
    IncidentFacts {
        id,
        title: format!("incident {id}"),
        severity,
        milestones: milestones(times),
        postmortem_done_at: (!postmortem.is_empty()).then(|| t(postmortem)),
        drill: false,
    }
}

fn incidents() -> Vec<IncidentFacts> {
    use Severity::*;
    vec![
        // #1 P1. TTD 4m = 240 s, TTA 2m = 120 s, TTM 26m = 1560 s, TTR 56m = 3360 s.
        // Post-mortem 23 h after resolution: in time.
        incident(
            1,
            P1,
            [
                "2026-03-01T10:00:00Z",
                "2026-03-01T10:04:00Z",
                "2026-03-01T10:05:00Z",
                "2026-03-01T10:06:00Z",
                "2026-03-01T10:30:00Z",
                "2026-03-01T11:00:00Z",
                "2026-03-02T09:00:00Z",
            ],
            "2026-03-02T10:00:00Z",
        ),
        // #2 P2. TTD 7m30s = 450 s, TTA 1m30s = 90 s, TTM 32m30s = 1950 s,
        // TTR 1h22m30s = 4950 s. Post-mortem due 03-04T09:30, done 03-05: late.
        incident(
            2,
            P2,
            [
                "2026-03-02T08:00:00Z",
                "2026-03-02T08:07:30Z",
                "2026-03-02T08:10:00Z",
                "2026-03-02T08:09:00Z",
                "2026-03-02T08:40:00Z",
                "2026-03-02T09:30:00Z",
                "",
            ],
            "2026-03-05T12:00:00Z",
        ),
        // #3 P1, no detected milestone: excluded from every duration. Resolved
        // 03-03T15:00, post-mortem due 03-05T15:00 (before now), not done: missing.
        incident(
            3,
            P1,
            [
                "2026-03-03T13:50:00Z",
                "",
                "2026-03-03T14:00:00Z",
                "2026-03-03T14:02:00Z",
                "2026-03-03T14:20:00Z",
                "2026-03-03T15:00:00Z",
                "",
            ],
            "",
        ),
        // #4 P0, still open (acknowledged only). TTD 15m = 900 s, TTA 10m = 600 s,
        // TTM and TTR: still open. Not resolved: not in the post-mortem rate.
        incident(
            4,
            P0,
            [
                "2026-03-10T08:40:00Z",
                "2026-03-10T08:55:00Z",
                "2026-03-10T09:00:00Z",
                "2026-03-10T09:05:00Z",
                "",
                "",
                "",
            ],
            "",
        ),
        // #5 P2, closed without resolved, no started. TTD: no started milestone,
        // TTA 3m = 180 s, TTM 32m = 1920 s, TTR: no resolved milestone (closed, so
        // not "still open"). Excluded from the post-mortem rate.
        incident(
            5,
            P2,
            [
                "",
                "2026-03-04T19:58:00Z",
                "2026-03-04T20:00:00Z",
                "2026-03-04T20:01:00Z",
                "2026-03-04T20:30:00Z",
                "",
                "2026-03-05T10:00:00Z",
            ],
            "",
        ),
        // #6 P1, resolved 02:00, 10 h before now. TTD 20m = 1200 s, TTA 5m = 300 s,
        // TTM 40m = 2400 s, TTR 1h40m = 6000 s. Post-mortem not done: pending.
        incident(
            6,
            P1,
            [
                "2026-03-10T00:00:00Z",
                "2026-03-10T00:20:00Z",
                "2026-03-10T00:30:00Z",
                "2026-03-10T00:25:00Z",
                "2026-03-10T01:00:00Z",
                "2026-03-10T02:00:00Z",
                "",
            ],
            "",
        ),
        // #7 P3, declared 02-20. TTD 30m = 1800 s, TTA 1h = 3600 s,
        // TTM 4h30m = 16200 s, TTR 24h = 86400 s. Post-mortem done exactly 48 h
        // after resolution: in time (the bound is inclusive).
        incident(
            7,
            P3,
            [
                "2026-02-20T09:00:00Z",
                "2026-02-20T09:30:00Z",
                "2026-02-20T10:00:00Z",
                "2026-02-20T10:30:00Z",
                "2026-02-20T14:00:00Z",
                "2026-02-21T09:30:00Z",
                "2026-02-22T09:00:00Z",
            ],
            "2026-02-23T09:30:00Z",
        ),
        // #8 P1, started and detected at the same instant. TTD 0 s (counted, not
        // excluded), TTA 11m = 660 s, TTM 31m = 1860 s, TTR 46m = 2760 s.
        // Post-mortem done the same day: in time.
        incident(
            8,
            P1,
            [
                "2026-03-06T06:59:00Z",
                "2026-03-06T06:59:00Z",
                "2026-03-06T07:00:00Z",
                "2026-03-06T07:10:00Z",
                "2026-03-06T07:30:00Z",
                "2026-03-06T07:45:00Z",
                "",
            ],
            "2026-03-06T18:00:00Z",
        ),
    ]
}

fn action(id: i64, incident_id: i64, due: &str, done: &str) -> ActionFacts {
    let opt = |s: &str| (!s.is_empty()).then(|| t(s));
    ActionFacts {
        id,
        incident_id,
        due_at: opt(due),
        done_at: opt(done),
    }
}

fn actions() -> Vec<ActionFacts> {
    vec![
        // A1 #1: done before due: on time.
        action(1, 1, "2026-03-05T00:00:00Z", "2026-03-04T12:00:00Z"),
        // A2 #1: no due date, done: on time.
        action(2, 1, "", "2026-03-03T09:00:00Z"),
        // A3 #2: done after due: done, late.
        action(3, 2, "2026-03-06T00:00:00Z", "2026-03-07T10:00:00Z"),
        // A4 #2: open, due 03-08 < now: overdue.
        action(4, 2, "2026-03-08T00:00:00Z", ""),
        // A5 #3: open, due 03-15: not yet due.
        action(5, 3, "2026-03-15T00:00:00Z", ""),
        // A6 #3: open, no due date: never overdue.
        action(6, 3, "", ""),
        // A7 #7 (P3, declared before any `since` used here): done on time.
        action(7, 7, "2026-03-01T00:00:00Z", "2026-02-28T00:00:00Z"),
        // A8 #6: open, due exactly now: not (yet) overdue.
        action(8, 6, "2026-03-10T12:00:00Z", ""),
        // A9 #8: done exactly at its due time: on time.
        action(9, 8, "2026-03-09T00:00:00Z", "2026-03-09T00:00:00Z"),
    ]
}

fn excluded(list: &[(i64, &str)]) -> Vec<Excluded> {
    list.iter()
        .map(|&(id, reason)| Excluded {
            id,
            reason: reason.to_string(),
        })
        .collect()
}

/// Asserts one duration figure: key, count, mean, median, p90 (seconds) and
/// exclusions.
fn assert_figure(
    figure: &DurationFigure,
    key: &str,
    count: usize,
    stats: Option<(f64, f64, f64)>,
    expected_excluded: &[(i64, &str)],
) {
    assert_eq!(figure.key, key);
    assert_eq!(figure.count, count, "{key} count");
    assert_eq!(figure.mean_secs, stats.map(|s| s.0), "{key} mean");
    assert_eq!(figure.median_secs, stats.map(|s| s.1), "{key} median");
    assert_eq!(figure.p90_secs, stats.map(|s| s.2), "{key} p90");
    assert_eq!(figure.excluded, excluded(expected_excluded), "{key} excluded");
}

fn report(filter: Filter) -> Report {
    compute(&incidents(), &actions(), &filter, now())
}

#[test]
fn definitions_are_fixed_and_in_order() {
    let r = report(Filter::default());
    let defs: Vec<_> = r
        .durations
        .iter()
        .map(|d| (d.key, d.name, d.from, d.to))
        .collect();
    use Milestone::*;
    assert_eq!(
        defs,
        vec![
            ("time_to_detect", "Mean time to detect (MTTD)", Started, Detected),
            (
                "time_to_acknowledge",
                "Mean time to respond (acknowledge)",
                Detected,
                Acknowledged
            ),
            ("time_to_mitigate", "Mean time to mitigate", Detected, Mitigated),
            (
                "time_to_resolve",
                "Mean time to resolve (MTTR)",
                Detected,
                Resolved
            ),
        ]
    );
    assert_eq!(
        r.postmortem.definition,
        "resolved incidents whose post-mortem was marked done within 48 hours of resolution"
    );
}

#[test]
fn all_incidents() {
    let r = report(Filter::default());
    assert_eq!(r.incidents, 8);

    // TTD: #1 240, #2 450, #4 900, #6 1200, #7 1800, #8 0 → n=6.
    // Sorted 0, 240, 450, 900, 1200, 1800; sum 4590, mean 765;
    // median (450 + 900) / 2 = 675; p90 rank ceil(5.4) = 6 → 1800.
    assert_figure(
        &r.durations[0],
        "time_to_detect",
        6,
        Some((765.0, 675.0, 1800.0)),
        &[(3, "no detected milestone"), (5, "no started milestone")],
    );
    // TTA: #1 120, #2 90, #4 600, #5 180, #6 300, #7 3600, #8 660 → n=7.
    // Sorted 90, 120, 180, 300, 600, 660, 3600; sum 5550, mean 5550/7;
    // median 300; p90 rank ceil(6.3) = 7 → 3600.
    assert_figure(
        &r.durations[1],
        "time_to_acknowledge",
        7,
        Some((5550.0 / 7.0, 300.0, 3600.0)),
        &[(3, "no detected milestone")],
    );
    // TTM: #1 1560, #2 1950, #5 1920, #6 2400, #7 16200, #8 1860 → n=6.
    // Sorted 1560, 1860, 1920, 1950, 2400, 16200; sum 25890, mean 4315;
    // median (1920 + 1950) / 2 = 1935; p90 rank 6 → 16200.
    assert_figure(
        &r.durations[2],
        "time_to_mitigate",
        6,
        Some((4315.0, 1935.0, 16200.0)),
        &[(3, "no detected milestone"), (4, "still open")],
    );
    // TTR: #1 3360, #2 4950, #6 6000, #7 86400, #8 2760 → n=5.
    // Sorted 2760, 3360, 4950, 6000, 86400; sum 103470, mean 20694;
    // median 4950; p90 rank ceil(4.5) = 5 → 86400.
    assert_figure(
        &r.durations[3],
        "time_to_resolve",
        5,
        Some((20694.0, 4950.0, 86400.0)),
        &[
            (3, "no detected milestone"),
            (4, "still open"),
            (5, "no resolved milestone"),
        ],
    );

    // Post-mortem: in time #1, #7, #8 = 3; late #2 = 1; missing #3 = 1;
    // pending #6; #4 open (not listed); #5 excluded. 3 / 5 = 0.6.
    let pm = &r.postmortem;
    assert_eq!(
        (pm.done_in_time, pm.late, pm.missing, pm.denominator),
        (3, 1, 1, 5)
    );
    assert_eq!(pm.rate, Some(0.6));
    assert_eq!(pm.pending, vec![6]);
    assert_eq!(
        pm.excluded,
        excluded(&[(5, "closed without a resolved milestone")])
    );

    // Actions: all 9. Done A1 A2 A3 A7 A9 = 5; on time A1 A2 A7 A9 = 4;
    // open A4 A5 A6 A8 = 4; overdue A4 = 1. 5/9 and 4/9.
    let ai = &r.action_items;
    assert_eq!(
        (ai.total, ai.done, ai.done_on_time, ai.open, ai.overdue),
        (9, 5, 4, 4, 1)
    );
    assert_eq!(ai.completion_rate, Some(5.0 / 9.0));
    assert_eq!(ai.on_time_rate, Some(4.0 / 9.0));
}

#[test]
fn severity_filter_p1() {
    let r = report(Filter {
        severity: Some(Severity::P1),
        ..Filter::default()
    });
    // #1, #3, #6, #8.
    assert_eq!(r.incidents, 4);
    let no_detected = [(3, "no detected milestone")];
    // TTD: 240, 1200, 0 → sorted 0, 240, 1200; sum 1440, mean 480; median 240;
    // p90 rank ceil(2.7) = 3 → 1200.
    assert_figure(
        &r.durations[0],
        "time_to_detect",
        3,
        Some((480.0, 240.0, 1200.0)),
        &no_detected,
    );
    // TTA: 120, 300, 660; sum 1080, mean 360; median 300; p90 660.
    assert_figure(
        &r.durations[1],
        "time_to_acknowledge",
        3,
        Some((360.0, 300.0, 660.0)),
        &no_detected,
    );
    // TTM: 1560, 2400, 1860 → sorted 1560, 1860, 2400; sum 5820, mean 1940;
    // median 1860; p90 2400.
    assert_figure(
        &r.durations[2],
        "time_to_mitigate",
        3,
        Some((1940.0, 1860.0, 2400.0)),
        &no_detected,
    );
    // TTR: 3360, 6000, 2760 → sorted 2760, 3360, 6000; sum 12120, mean 4040;
    // median 3360; p90 6000.
    assert_figure(
        &r.durations[3],
        "time_to_resolve",
        3,
        Some((4040.0, 3360.0, 6000.0)),
        &no_detected,
    );

    // Post-mortem: in time #1, #8; missing #3; pending #6. 2 / 3.
    let pm = &r.postmortem;
    assert_eq!(
        (pm.done_in_time, pm.late, pm.missing, pm.denominator),
        (2, 0, 1, 3)
    );
    assert_eq!(pm.rate, Some(2.0 / 3.0));
    assert_eq!(pm.pending, vec![6]);
    assert_eq!(pm.excluded, vec![]);

    // Actions of #1, #3, #6, #8: A1 A2 A5 A6 A8 A9 (A7 of P3 #7 is left out).
    // Done A1 A2 A9 = 3, all on time; open A5 A6 A8 = 3; overdue none (A8 is
    // due exactly now). 3/6 = 0.5 both.
    let ai = &r.action_items;
    assert_eq!(
        (ai.total, ai.done, ai.done_on_time, ai.open, ai.overdue),
        (6, 3, 3, 3, 0)
    );
    assert_eq!(ai.completion_rate, Some(0.5));
    assert_eq!(ai.on_time_rate, Some(0.5));
}

#[test]
fn since_filter_is_inclusive() {
    // #3 was declared exactly at `since`: included. #1, #2, #7 are earlier.
    let r = report(Filter {
        since: Some(t("2026-03-03T14:00:00Z")),
        ..Filter::default()
    });
    // #3, #4, #5, #6, #8.
    assert_eq!(r.incidents, 5);
    // TTD: #4 900, #6 1200, #8 0 → sorted 0, 900, 1200; sum 2100, mean 700;
    // median 900; p90 1200.
    assert_figure(
        &r.durations[0],
        "time_to_detect",
        3,
        Some((700.0, 900.0, 1200.0)),
        &[(3, "no detected milestone"), (5, "no started milestone")],
    );
    // TTA: #4 600, #5 180, #6 300, #8 660 → sorted 180, 300, 600, 660;
    // sum 1740, mean 435; median (300 + 600) / 2 = 450; p90 rank ceil(3.6) = 4 → 660.
    assert_figure(
        &r.durations[1],
        "time_to_acknowledge",
        4,
        Some((435.0, 450.0, 660.0)),
        &[(3, "no detected milestone")],
    );
    // TTM: #5 1920, #6 2400, #8 1860 → sorted 1860, 1920, 2400; sum 6180,
    // mean 2060; median 1920; p90 2400.
    assert_figure(
        &r.durations[2],
        "time_to_mitigate",
        3,
        Some((2060.0, 1920.0, 2400.0)),
        &[(3, "no detected milestone"), (4, "still open")],
    );
    // TTR: #6 6000, #8 2760 → sorted 2760, 6000; mean 4380; median 4380;
    // p90 rank ceil(1.8) = 2 → 6000.
    assert_figure(
        &r.durations[3],
        "time_to_resolve",
        2,
        Some((4380.0, 4380.0, 6000.0)),
        &[
            (3, "no detected milestone"),
            (4, "still open"),
            (5, "no resolved milestone"),
        ],
    );

    // Post-mortem: in time #8; missing #3; pending #6; #5 excluded. 1 / 2.
    let pm = &r.postmortem;
    assert_eq!(
        (pm.done_in_time, pm.late, pm.missing, pm.denominator),
        (1, 0, 1, 2)
    );
    assert_eq!(pm.rate, Some(0.5));
    assert_eq!(pm.pending, vec![6]);
    assert_eq!(
        pm.excluded,
        excluded(&[(5, "closed without a resolved milestone")])
    );

    // Actions of #3, #4, #5, #6, #8: A5 A6 A8 A9. Done A9 (on time); open 3;
    // overdue none. 1/4 both.
    let ai = &r.action_items;
    assert_eq!(
        (ai.total, ai.done, ai.done_on_time, ai.open, ai.overdue),
        (4, 1, 1, 3, 0)
    );
    assert_eq!(ai.completion_rate, Some(0.25));
    assert_eq!(ai.on_time_rate, Some(0.25));
}

#[test]
fn nothing_matches_gives_empty_figures() {
    let r = report(Filter {
        since: Some(t("2026-03-11T00:00:00Z")),
        severity: None,
    });
    assert_eq!(r.incidents, 0);
    for figure in &r.durations {
        assert_eq!(figure.count, 0);
        assert_eq!(
            (figure.mean_secs, figure.median_secs, figure.p90_secs),
            (None, None, None)
        );
        assert!(figure.excluded.is_empty());
    }
    assert_eq!((r.postmortem.denominator, r.postmortem.rate), (0, None));
    assert_eq!(
        (
            r.action_items.total,
            r.action_items.completion_rate,
            r.action_items.on_time_rate
        ),
        (0, None, None)
    );
    let text = r.to_text();
    assert!(text.contains("no data · n=0"), "{text}");
    assert!(
        text.contains("0 of 0 resolved incidents (n/a) · 0 late · 0 missing\n"),
        "{text}"
    );
    assert!(
        text.contains("0 of 0 done (n/a) · 0 on time (n/a) · 0 open, 0 overdue\n"),
        "{text}"
    );
}

#[test]
fn text_report() {
    let text = report(Filter::default()).to_text();
    for definition in [
        "  definition: started → detected\n",
        "  definition: detected → acknowledged\n",
        "  definition: detected → mitigated\n",
        "  definition: detected → resolved\n",
        "  definition: resolved incidents whose post-mortem was marked done within 48 hours of resolution\n",
    ] {
        assert!(text.contains(definition), "missing {definition:?} in\n{text}");
    }
    // Titles are never printed.
    assert!(!text.contains("incident 1"), "{text}");

    // TTD 765 = 12m 45s, 675 = 11m 15s, 1800 = 30m; TTA 5550/7 ≈ 792.9 → 793 s
    // = 13m 13s; TTM 4315 = 1h 11m 55s, 1935 = 32m 15s, 16200 = 4h 30m;
    // TTR 20694 = 5h 44m 54s, 4950 = 1h 22m 30s, 86400 = 1d. 5/9 = 55.6 %,
    // 4/9 = 44.4 %.
    let expected = "\
warroom metrics: 8 incidents (all severities, declared any time)
Mean time to detect (MTTD)          mean 12m 45s · median 11m 15s · p90 30m 00s · n=6
  definition: started → detected
  excluded: #3 (no detected milestone), #5 (no started milestone)
Mean time to respond (acknowledge)  mean 13m 13s · median 5m 00s · p90 1h 00m · n=7
  definition: detected → acknowledged
  excluded: #3 (no detected milestone)
Mean time to mitigate               mean 1h 11m · median 32m 15s · p90 4h 30m · n=6
  definition: detected → mitigated
  excluded: #3 (no detected milestone), #4 (still open)
Mean time to resolve (MTTR)         mean 5h 44m · median 1h 22m · p90 1d 00h · n=5
  definition: detected → resolved
  excluded: #3 (no detected milestone), #4 (still open), #5 (no resolved milestone)
Post-mortem completion rate         3 of 5 resolved incidents (60.0%) · 1 late · 1 missing · pending: #6
  definition: resolved incidents whose post-mortem was marked done within 48 hours of resolution
  excluded: #5 (closed without a resolved milestone)
Action item completion rate         5 of 9 done (55.6%) · 4 on time (44.4%) · 4 open, 1 overdue
  definition: action items of the incidents considered; on time = done by its due date, or no due date
Responder-hours attached            no data · n=0 per incident
  definition: time a console of the account had the incident open (union of its consoles' spans, from attach to goodbye or last heartbeat, within declared → resolved)
Responder-hours active              no data · n=0 per incident
  definition: attached time within the minutes in which the account typed in a console or wrote an entry
  excluded: #1 (no console attached), #2 (no console attached), #3 (no console attached), #4 (no console attached), #5 (no console attached), #6 (no console attached), #7 (no console attached), #8 (no console attached)
";
    assert_eq!(text, expected);

    let filtered = report(Filter {
        since: Some(t("2026-03-03T14:00:00Z")),
        severity: Some(Severity::P1),
    })
    .to_text();
    assert!(
        filtered
            .starts_with("warroom metrics: 3 incidents (severity P1, declared since 2026-03-03T14:00:00Z)\n"),
        "{filtered}"
    );
}

#[test]
fn human_durations() {
    assert_eq!(format_duration_secs(270.0), "4m 30s");
    assert_eq!(format_duration_secs(3900.0), "1h 05m");
    assert_eq!(format_duration_secs(2.0 * 86_400.0 + 3.0 * 3600.0), "2d 03h");
    assert_eq!(format_duration_secs(240.0), "4m 00s");
    assert_eq!(format_duration_secs(42.0), "42s");
}

#[test]
fn json_uses_stable_keys() {
    let json = serde_json::to_value(report(Filter {
        severity: Some(Severity::P1),
        ..Filter::default()
    }))
    .unwrap();
    assert_eq!(json["incidents"], 4);
    assert_eq!(json["filter"]["severity"], "P1");
    assert_eq!(json["durations"][0]["key"], "time_to_detect");
    assert_eq!(json["durations"][0]["from"], "started");
    assert_eq!(json["durations"][0]["to"], "detected");
    assert_eq!(json["durations"][0]["mean_secs"], 480.0);
    assert_eq!(
        json["durations"][0]["excluded"][0]["reason"],
        "no detected milestone"
    );
    assert_eq!(json["postmortem"]["pending"][0], 6);
    assert_eq!(json["action_items"]["overdue"], 0);
}

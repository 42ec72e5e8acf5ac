use chrono::TimeDelta;
use warroom::runbook::{DEFAULT_RUNBOOK, DEFAULT_RUNBOOK_NAME, EscalationTrigger, Runbook, parse};

const MOJIBAKE_SOP: &str = include_str!("fixtures/sop-with-mojibake.md");
const DB_FAILOVER: &str = include_str!("fixtures/database-failover.md");

fn sop() -> Runbook {
    parse(DEFAULT_RUNBOOK).expect("the shipped SOP must parse")
}

fn mins(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

fn hours(n: i64) -> TimeDelta {
    TimeDelta::hours(n)
}

/// 1-based line of the first line of `source` containing `needle`.
fn line_containing(source: &str, needle: &str) -> usize {
    source
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in source"))
        + 1
}

#[test]
fn sop_asset_is_clean_copy_of_the_seed() {
    assert!(DEFAULT_RUNBOOK.contains("\u{1F512} Internal"));
    assert!(!DEFAULT_RUNBOOK.contains("ðŸ”’"));
    assert_eq!(DEFAULT_RUNBOOK, MOJIBAKE_SOP.replace("ðŸ”’", "\u{1F512}"));
    assert_eq!(DEFAULT_RUNBOOK_NAME, "Incident Response SOP (built in)");
}

#[test]
fn sop_has_five_sections_of_four_items() {
    let rb = sop();
    assert_eq!(rb.title, "Incident Response SOP");
    let titles: Vec<&str> = rb.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Detection & Assessment",
            "Containment",
            "Investigation",
            "Recovery",
            "Post-Incident"
        ]
    );
    for (si, section) in rb.sections.iter().enumerate() {
        assert_eq!(section.items.len(), 4, "section {}", section.title);
        for (ii, item) in section.items.iter().enumerate() {
            assert_eq!(item.key, format!("{}.{}", si + 1, ii + 1));
            assert!(!item.name.is_empty() && !item.description.is_empty(), "{item:?}");
        }
    }
}

#[test]
fn sop_first_item_name_description_and_line() {
    let rb = sop();
    let first = &rb.sections[0].items[0];
    assert_eq!(first.key, "1.1");
    assert_eq!(first.name, "Incident Confirmed");
    assert_eq!(first.description, "Verify incident is real, not false positive");
    assert_eq!(first.line, 30);
    assert_eq!(
        first.line,
        line_containing(DEFAULT_RUNBOOK, "**Incident Confirmed**")
    );

    let severity = &rb.sections[0].items[1];
    assert_eq!(severity.name, "Severity Determined");
    assert_eq!(
        severity.description,
        "Classify as P0 (critical), P1 (high), P2 (medium), P3 (low)"
    );

    // Every item's line points at its own text in the file.
    let lines: Vec<&str> = DEFAULT_RUNBOOK.lines().collect();
    for (_, item) in rb.all_items() {
        assert!(lines[item.line - 1].contains(&item.name), "{item:?}");
    }
    // "Communication" appears in two sections; keys keep them apart.
    assert_eq!(rb.item("2.4").unwrap().name, "Communication");
    assert_eq!(
        rb.item("5.4").unwrap().description,
        "Notify users of resolution and prevention steps"
    );
}

#[test]
fn sop_phases_and_windows() {
    let rb = sop();
    let got: Vec<(&str, TimeDelta, TimeDelta)> = rb
        .phases
        .iter()
        .map(|p| (p.name.as_str(), p.window_start, p.window_end))
        .collect();
    assert_eq!(
        got,
        [
            ("Triage", mins(0), mins(15)),
            ("Response", mins(15), mins(60)),
            ("Resolution", hours(1), hours(4)),
            ("Follow-up", hours(4), hours(72)),
        ]
    );
    for (pi, phase) in rb.phases.iter().enumerate() {
        assert_eq!(phase.items.len(), 4, "phase {}", phase.name);
        let keys: Vec<&str> = phase.items.iter().map(|i| i.key.as_str()).collect();
        let want: Vec<String> = (1..=4).map(|i| format!("p{}.{i}", pi + 1)).collect();
        assert_eq!(keys, want);
        for item in &phase.items {
            assert_eq!(item.description, "", "plain items have no description");
        }
    }
    assert_eq!(
        rb.phases[0].line,
        line_containing(DEFAULT_RUNBOOK, "Phase 1: Triage")
    );
    assert_eq!(rb.phases[0].items[0].name, "Alert incident response team");
    assert_eq!(
        rb.phases[1].items[2].name,
        "Communicate status updates every 15 minutes"
    );
    assert_eq!(rb.phases[3].items[3].name, "Communicate lessons learned");
    assert_eq!(
        rb.phases[3].items[3].line,
        line_containing(DEFAULT_RUNBOOK, "Communicate lessons learned")
    );
}

#[test]
fn sop_window_labels() {
    let labels: Vec<String> = sop().phases.iter().map(|p| p.window_label()).collect();
    assert_eq!(labels, ["0–15 min", "15–60 min", "1–4 h", "4–72 h"]);
}

#[test]
fn sop_escalation_triggers() {
    let trig = |s: &str, d: &str| EscalationTrigger {
        severity: s.into(),
        description: d.into(),
    };
    assert_eq!(
        sop().escalation,
        [
            trig("P0", "Complete service outage, data breach, security incident"),
            trig("P1", "Major functionality broken, authentication down"),
            trig("P2", "Partial degradation, performance issues"),
            trig("P3", "Minor bugs, cosmetic issues"),
        ]
    );
}

#[test]
fn item_lookup_and_all_items() {
    let rb = sop();
    assert_eq!(rb.all_items().count(), 36);
    assert_eq!(rb.item("P3.2").unwrap().name, "Implement permanent fix");
    assert_eq!(rb.item("p3.2"), rb.item("P3.2"));
    assert_eq!(rb.item("4.4").unwrap().name, "Validation");
    assert!(rb.item("6.1").is_none());
    assert!(rb.item("p5.1").is_none());
    assert!(rb.item("").is_none());
    let (owner, item) = rb.all_items().find(|(_, i)| i.key == "p2.1").unwrap();
    assert_eq!(owner, "Response");
    assert_eq!(item.name, "Implement immediate containment measures");
    assert_eq!(rb.all_items().next().unwrap().0, "Detection & Assessment");
}

#[test]
fn raw_seed_with_mojibake_parses_the_same() {
    assert!(MOJIBAKE_SOP.contains("ðŸ”’"), "fixture must keep the mojibake");
    assert_eq!(parse(MOJIBAKE_SOP).unwrap(), sop());
}

#[test]
fn crlf_and_bom_parse_the_same_as_lf() {
    let crlf = format!("\u{feff}{}", DEFAULT_RUNBOOK.replace('\n', "\r\n"));
    assert_eq!(parse(&crlf).unwrap(), sop());
    let db_crlf = format!("\u{feff}{}", DB_FAILOVER.replace('\n', "\r\n"));
    assert_eq!(parse(&db_crlf).unwrap(), parse(DB_FAILOVER).unwrap());
}

#[test]
fn database_failover_runbook() {
    let rb = parse(DB_FAILOVER).unwrap();
    assert_eq!(rb.title, "Database Failover Runbook");
    let shape: Vec<(&str, usize)> = rb
        .sections
        .iter()
        .map(|s| (s.title.as_str(), s.items.len()))
        .collect();
    assert_eq!(
        shape,
        [("Pre-flight Checks", 3), ("Fencing", 2), ("Communication", 4)]
    );

    // Numbered checkbox with inline code in the description.
    let lag = rb.item("1.2").unwrap();
    assert_eq!(lag.name, "Check replication lag");
    assert_eq!(
        lag.description,
        "SELECT now() - pg_last_xact_replay_timestamp(); on the standby"
    );
    // Em-dash separator.
    let freeze = rb.item("1.3").unwrap();
    assert_eq!(
        (freeze.name.as_str(), freeze.description.as_str()),
        (
            "Freeze deploys",
            "pause the deploy pipeline and schema migrations"
        )
    );
    // `* [ ]` items.
    assert_eq!(
        rb.item("2.1").unwrap().description,
        "stop postgresql on pg-main-1 and block port 5432"
    );
    // Link markup is dropped, its text kept; a ticked `[x]` item is still an item.
    assert_eq!(
        rb.item("3.2").unwrap().description,
        "list in the service catalogue"
    );
    assert_eq!(rb.item("3.4").unwrap().name, "Runbook reviewed");
    assert_eq!(
        rb.item("3.4").unwrap().line,
        line_containing(DB_FAILOVER, "[x] **Runbook reviewed**")
    );

    let phases: Vec<(&str, TimeDelta, TimeDelta, usize)> = rb
        .phases
        .iter()
        .map(|p| (p.name.as_str(), p.window_start, p.window_end, p.items.len()))
        .collect();
    assert_eq!(
        phases,
        [
            ("Stabilise", mins(0), mins(10), 3),
            ("Fail over", mins(10), hours(1), 5),
            ("Verify", hours(1), hours(3), 2),
        ]
    );
    let labels: Vec<String> = rb.phases.iter().map(|p| p.window_label()).collect();
    assert_eq!(labels, ["0–10 min", "10–60 min", "1–3 h"]);
    assert_eq!(
        rb.item("p2.1").unwrap().name,
        "Promote the standby with pg_ctl promote"
    );
    assert_eq!(rb.item("P3.2").unwrap().name, "Run the data consistency checks");
    assert_eq!(
        rb.phases[1].line,
        line_containing(DB_FAILOVER, "## Phase 2: Fail over")
    );

    // "P1 - text" and "**P0**: text" both count; order is document order.
    let esc: Vec<(&str, &str)> = rb
        .escalation
        .iter()
        .map(|e| (e.severity.as_str(), e.description.as_str()))
        .collect();
    assert_eq!(
        esc,
        [
            (
                "P1",
                "Failover takes longer than one hour or replication lag exceeded 5 minutes"
            ),
            ("P0", "Data loss confirmed after promotion"),
        ]
    );
}

#[test]
fn window_forms() {
    let cases: &[(&str, TimeDelta, TimeDelta, &str)] = &[
        ("0-15 minutes", mins(0), mins(15), "0–15 min"),
        ("0–15 min", mins(0), mins(15), "0–15 min"),
        ("0—15 mins", mins(0), mins(15), "0–15 min"),
        ("5 to 20 m", mins(5), mins(20), "5–20 min"),
        ("0-1 minute", mins(0), mins(1), "0–1 min"),
        ("1-4 hours", hours(1), hours(4), "1–4 h"),
        ("1 to 2 hr", hours(1), hours(2), "1–2 h"),
        ("2-6 hrs", hours(2), hours(6), "2–6 h"),
        ("2 - 3 h", hours(2), hours(3), "2–3 h"),
        ("1-4 HOUR", hours(1), hours(4), "1–4 h"),
        ("30 minutes - 2 hours", mins(30), hours(2), "30 min–2 h"),
        ("45 min to 1 h", mins(45), hours(1), "45–60 min"),
        ("0-90 minutes", mins(0), mins(90), "0–90 min"),
        ("0 min - 2 h", mins(0), hours(2), "0–2 h"),
        ("90 min - 3 h", mins(90), hours(3), "90 min–3 h"),
        ("1-3 days", hours(24), hours(72), "1–3 d"),
        ("0-2 d", hours(0), hours(48), "0–2 d"),
        ("1 day - 2 days", hours(24), hours(48), "1–2 d"),
        ("12 h - 1 day", hours(12), hours(24), "12–24 h"),
    ];
    for (window, start, end, label) in cases {
        let src = format!("## Phase 1: Go ({window})\n- [ ] Do it\n");
        let rb = parse(&src).unwrap_or_else(|e| panic!("{window}: {e}"));
        let p = &rb.phases[0];
        assert_eq!((p.window_start, p.window_end), (*start, *end), "{window}");
        assert_eq!(p.window_label(), *label, "{window}");
    }
}

#[test]
fn phase_heading_variants() {
    let src = "# R\n#### phase 1: Lower Case (0-5 min)\n- [ ] a\n## 🔥 PHASE 2: Shouty (5-10 min)\n- [ ] b\n\nPhase 3: Setext (10-20 min)\n---\n- [ ] c\n";
    let rb = parse(src).unwrap();
    let names: Vec<&str> = rb.phases.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Lower Case", "Shouty", "Setext"]);
    assert_eq!(rb.phases[2].line, 7);
    assert!(rb.sections.is_empty());
    // A phase needs no items, and overlapping windows are fine as long as starts don't go back.
    let rb = parse("## Phase 1: A (0-30 min)\n## Phase 2: B (0-1 h)\n").unwrap();
    assert_eq!(rb.phases.len(), 2);
    assert!(rb.phases.iter().all(|p| p.items.is_empty()));
    // Headings that mention a phase without "Phase N:" are ordinary sections.
    let rb = parse("## Phase overview\n- [ ] Read it\n").unwrap();
    assert_eq!(rb.sections[0].title, "Phase overview");
    assert!(rb.phases.is_empty());
}

#[test]
fn tolerates_noise() {
    let src = "\u{feff}<div align=\"center\">\n\n| a | b |\n|---|---|\n| ðŸ”’ x | `y` |\n\n</div>\n\n## 🚨 Triage *now*   \n\n- Plain bullet, not an item\n- [ ] **Page `oncall`:** via [PagerDuty](https://example.invalid)   \n- [ ] Check _the_ **dashboards** and `logs`  \n- [ ] **Bold only**\n- [ ] **Dash** - with a dash\n- [ ] **En dash** – with an en dash\n- [ ] Wrapped\n  over two lines\n\n  - a plain sub-bullet is not an item\n";
    let rb = parse(src).unwrap();
    assert_eq!(rb.title, "Runbook");
    assert_eq!(rb.sections.len(), 1);
    let s = &rb.sections[0];
    assert_eq!(s.title, "🚨 Triage now");
    let got: Vec<(&str, &str, usize)> = s
        .items
        .iter()
        .map(|i| (i.name.as_str(), i.description.as_str(), i.line))
        .collect();
    assert_eq!(
        got,
        [
            ("Page oncall", "via PagerDuty", 12),
            ("Check the dashboards and logs", "", 13),
            ("Bold only", "", 14),
            ("Dash", "with a dash", 15),
            ("En dash", "with an en dash", 16),
            ("Wrapped over two lines", "", 17),
        ]
    );
}

#[test]
fn sections_only_from_headings_with_tasks() {
    let src = "# T\n## Purpose\nText.\n## Prereqs\n- plain\n- bullets\n## Do\n- [ ] one\n### Sub\n- [ ] two\n- [ ] three\n## Phase 1: P (0-5 min)\n- [ ] pa\n## Tail\n- [ ] four\n";
    let rb = parse(src).unwrap();
    let shape: Vec<(&str, Vec<&str>)> = rb
        .sections
        .iter()
        .map(|s| (s.title.as_str(), s.items.iter().map(|i| i.key.as_str()).collect()))
        .collect();
    assert_eq!(
        shape,
        [
            ("Do", vec!["1.1"]),
            ("Sub", vec!["2.1", "2.2"]),
            ("Tail", vec!["3.1"])
        ]
    );
    assert_eq!(rb.phases[0].items[0].key, "p1.1");
    assert!(rb.escalation.is_empty());
}

#[track_caller]
fn assert_error(src: &str, line: usize, words: &[&str]) {
    let err = parse(src).expect_err("should be rejected");
    assert_eq!(err.line, line, "{err}");
    for w in words {
        assert!(
            err.message.to_lowercase().contains(&w.to_lowercase()),
            "{err} lacks {w:?}"
        );
    }
    assert!(err.to_string().starts_with(&format!("runbook line {line}: ")));
}

#[test]
fn error_unreadable_window() {
    assert_error(
        "# R\n\n## Phase 1: Triage (0-15 min)\n- [ ] a\n## Phase 2: Response (soon)\n- [ ] b\n",
        5,
        &["Response", "soon", "0-15 minutes"],
    );
    assert_error("## Phase 1: X (15 fortnights)\n", 1, &["15 fortnights"]);
    assert_error("## Phase 1: X (30 minutes - 2)\n", 1, &["time window"]);
    assert_error("## Phase 1: X (1-2 weeks)\n", 1, &["time window"]);
    assert_error("## Phase 1: X (99999999999999999999-1 h)\n", 1, &["time window"]);
}

#[test]
fn error_window_start_not_before_end() {
    assert_error(
        "## A\n- [ ] a\n\n### Phase 1: Late (60-15 minutes)\n",
        4,
        &["Late", "end after it starts"],
    );
    assert_error("### Phase 1: Empty (1-1 h)\n", 1, &["end after it starts"]);
}

#[test]
fn error_windows_go_backwards() {
    assert_error(
        "## Phase 1: A (1-4 hours)\n- [ ] a\n## Phase 2: B (0-15 minutes)\n- [ ] b\n",
        3,
        &["\"B\"", "\"A\"", "backwards"],
    );
}

#[test]
fn error_phase_without_window() {
    assert_error(
        "# R\n## Phase 2: Response\n- [ ] x\n",
        2,
        &["Phase 2: Response", "no time window", "parentheses"],
    );
    assert_error("## Phase 1: (0-5 min)\n", 1, &["no name"]);
}

#[test]
fn error_task_before_heading() {
    assert_error(
        "Intro text.\n\n- [ ] Orphan task\n\n## Later\n- [ ] ok\n",
        3,
        &["Orphan task", "before any heading"],
    );
}

#[test]
fn error_empty_task() {
    assert_error("## A\n- [ ] fine\n- [ ]\n", 3, &["no text"]);
    assert_error("## A\n\n* [x]   \n", 3, &["no text"]);
    assert_error("## A\n1. [ ] <!-- todo -->\n", 2, &["no text"]);
}

#[test]
fn error_nested_tasks() {
    assert_error("## A\n- [ ] parent\n  - [ ] child\n", 3, &["nested"]);
    assert_error(
        "## A\n1. [ ] parent\n\n   text\n\n   * plain\n     - [ ] deep\n",
        7,
        &["nested"],
    );
}

#[test]
fn error_no_items() {
    for src in [
        "",
        "\u{feff}",
        "# Title\n\nJust prose.\n\n- a plain bullet\n",
        "## Escalation\n- **P0**: outage\n",
    ] {
        assert_error(src, 1, &["no checklist items (`- [ ]`) found"]);
    }
}

#[test]
fn sop_carries_the_status_update_cadence() {
    let cadence: Vec<(String, TimeDelta)> = sop()
        .status_cadence
        .into_iter()
        .map(|c| (c.severity, c.every))
        .collect();
    assert_eq!(
        cadence,
        [
            ("P0".to_string(), mins(15)),
            ("P1".to_string(), mins(15)),
            ("P2".to_string(), hours(1)),
            ("P3".to_string(), hours(1)),
        ]
    );
    assert!(sop().roles.is_empty(), "the SOP names no roles of its own");
}

#[test]
fn a_runbook_sets_its_own_cadence_and_roles() {
    let source = "# Payments runbook\n\n## Steps\n- [ ] **Page**: page payments on-call\n\n\
                  ## Communication\n- **Frequency**: every 5 minutes for P0, every 30 minutes for P1 and P2, daily for P3\n\n\
                  ## Roles\n- **Payments Lead**: owns the payment path\n- **Scribe**: the on-call SRE\n- not a role\n";
    let rb = parse(source).unwrap();
    let cadence: Vec<(String, TimeDelta)> = rb
        .status_cadence
        .into_iter()
        .map(|c| (c.severity, c.every))
        .collect();
    assert_eq!(
        cadence,
        [
            ("P0".to_string(), mins(5)),
            ("P1".to_string(), mins(30)),
            ("P2".to_string(), mins(30)),
            ("P3".to_string(), hours(24)),
        ]
    );
    let roles: Vec<(&str, &str)> = rb
        .roles
        .iter()
        .map(|r| (r.name.as_str(), r.description.as_str()))
        .collect();
    assert_eq!(
        roles,
        [
            ("Payments Lead", "owns the payment path"),
            ("Scribe", "the on-call SRE")
        ]
    );
}

#[test]
fn an_unreadable_frequency_names_its_line() {
    let source =
        "# R\n\n## Steps\n- [ ] one\n\n## Communication\n- **Frequency**: whenever we feel like it\n";
    let err = parse(source).unwrap_err();
    assert_eq!(err.line, 7);
    assert!(
        err.message.contains("every 15 minutes for P0/P1"),
        "{}",
        err.message
    );
}

/// The security runbook shipped beside the SOP (`assets/runbooks/`): it
/// contains before it eradicates, preserves evidence, and keeps the legal
/// and disclosure clocks on the checklist.
#[test]
fn the_shipped_security_runbook() {
    let text = include_str!("../assets/runbooks/security.md");
    let rb = parse(text).expect("the shipped security runbook parses");
    assert_eq!(rb.title, "Security Incident Response");
    assert!(
        rb.use_for
            .as_deref()
            .is_some_and(|u| u.starts_with("unauthorised access") && u.ends_with("with no attacker.")),
        "{:?}",
        rb.use_for
    );
    assert_eq!(sop().use_for, None);
    let titles: Vec<&str> = rb.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Identification",
            "Containment",
            "Evidence Preservation",
            "Eradication",
            "Legal and Disclosure",
            "Recovery and Follow-up"
        ]
    );
    let phases: Vec<(&str, TimeDelta, TimeDelta)> = rb
        .phases
        .iter()
        .map(|p| (p.name.as_str(), p.window_start, p.window_end))
        .collect();
    assert_eq!(
        phases,
        [
            ("Contain", mins(0), mins(30)),
            ("Investigate", mins(30), hours(4)),
            ("Eradicate", hours(4), hours(24)),
            ("Notify and Recover", hours(24), hours(72)),
        ]
    );
    let item = |name: &str| rb.all_items().any(|(_, item)| item.name == name);
    for name in [
        "Awareness Time Recorded",
        "Memory Captured",
        "Chain of Custody Kept",
        "Personal Data Assessed",
        "Notification Duties Listed",
    ] {
        assert!(item(name), "{name} is on the checklist");
    }
    let roles: Vec<&str> = rb.roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(roles, ["Security Lead", "Legal Liaison", "Forensics"]);
    assert_eq!(rb.escalation.len(), 4);
    assert_eq!(rb.status_cadence.len(), 4, "{:?}", rb.status_cadence);
}

const WITH_TEMPLATE: &str = "# Cache outage

## Checks
- [ ] Cache hit rate looked at

## Status update template

Post it in #status; edit the second line.

- [ ] not a checklist item
- **Frequency**: every 5 minutes for P0

### Lines

{severity} cache incident #{incident}: {title} ({status})
Affected: {impact}
Next update at {next_update_utc}.

## After

- [ ] Write it up
";

#[test]
fn a_status_update_template_is_its_section_and_holds_no_checklist() {
    let runbook = parse(WITH_TEMPLATE).unwrap();
    let template = runbook.status_template.as_deref().unwrap();
    // Without a fenced block: the section up to the next heading of its
    // level, blank lines around it dropped; sub-headings are its text.
    assert!(
        template.starts_with("Post it in #status; edit the second line.\n\n- [ ] not a checklist item\n"),
        "{template}"
    );
    assert!(template.ends_with("### Lines\n\n{severity} cache incident #{incident}: {title} ({status})\nAffected: {impact}\nNext update at {next_update_utc}."), "{template}");
    let keys: Vec<&str> = runbook.all_items().map(|(_, i)| i.key.as_str()).collect();
    assert_eq!(keys, ["1.1", "2.1"], "nothing under the template is an item");
    assert!(runbook.status_cadence.is_empty(), "nor a cadence");

    // A fenced block is the template; the words around it are not.
    let fenced = WITH_TEMPLATE.replace(
        "### Lines\n\n",
        "```\n  {title}: {status}\n```\nNot this.\n\n### Lines\n\n",
    );
    assert_eq!(
        parse(&fenced).unwrap().status_template.as_deref(),
        Some("  {title}: {status}")
    );
    assert_eq!(sop().status_template, None);
}

#[test]
fn the_security_runbook_has_its_own_template() {
    let library = warroom::runbooks::Library::built_in();
    let security = library
        .entries
        .iter()
        .find(|e| e.name == "Security Incident Response")
        .unwrap();
    let template = security.runbook.status_template.as_deref().unwrap();
    assert!(
        template.starts_with("Security incident #{incident} ({severity}, {status})"),
        "{template}"
    );
    assert!(!template.contains("Reviewed by the Legal Liaison"), "{template}");
    assert!(template.contains("{next_update_utc}"));
}

#[test]
fn error_unknown_placeholder_in_the_template() {
    let src = WITH_TEMPLATE.replace("{next_update_utc}", "{next_update}");
    assert_error(
        &src,
        line_containing(&src, "{next_update}"),
        &["{next_update}", "{next_update_utc}", "{impact}"],
    );
    let fenced = "# X\n\n## A\n- [ ] a\n\n## Status update template\n\n```\nok {title}\n{eta}\n```\n";
    assert_error(fenced, 10, &["{eta}"]);
}

#[test]
fn error_empty_or_second_template() {
    let empty = "# X\n\n## A\n- [ ] a\n\n## Status update template\n\n## B\n- [ ] b\n";
    assert_error(empty, 6, &["template is empty"]);
    let twice = format!("{WITH_TEMPLATE}\n## Status update template\n\nagain {{title}}\n");
    assert_error(
        &twice,
        line_containing(&twice, "again") - 2,
        &["second status update template"],
    );
}

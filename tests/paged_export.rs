//! The timeline read a page at a time (`store/pages.rs`) and the outputs
//! that stream it: `show --json`, `export --format json` and the Markdown
//! export give what the whole record gives, across page boundaries, equal
//! times and backdated entries.

mod common;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use common::*;
use warroom::cli::report;
use warroom::domain::{EntryKind, Milestones, Severity, TimelineEntry, escape_json_output};
use warroom::export::{DEFAULT_TEMPLATE, MarkdownExport};
use warroom::store::{EntryFilter, NewEntry, NewIncident, OpenMode, Store, TimelinePages};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn entry(uuid: String, kind: EntryKind, occurred_at: DateTime<Utc>, text: String, pinned: bool) -> NewEntry {
    NewEntry {
        uuid,
        kind,
        occurred_at,
        author: "alice".into(),
        text,
        pinned,
    }
}

/// An incident whose entries share times in runs of five, with a batch
/// written later but backdated before all of them, pins, and every kind the
/// export lists apart: 3 + 40 + 12 entries.
fn incident_with_ties(db: &engines::Db) -> Store {
    let mut store = Store::open(db.location(), OpenMode::Create).unwrap();
    let declared = Utc::now() - Duration::hours(5);
    let id = store
        .declare(&NewIncident::with_default_runbook(
            "ties",
            "Ties and backdating",
            Severity::P1,
            Milestones::new(declared),
            "alice",
        ))
        .unwrap();
    let kinds = [
        EntryKind::Note,
        EntryKind::StatusUpdate,
        EntryKind::Decision,
        EntryKind::Note,
    ];
    let first: Vec<NewEntry> = (0..40)
        .map(|i| {
            entry(
                format!("e{i}"),
                kinds[i % kinds.len()],
                declared + Duration::minutes(10 + (i / 5) as i64),
                format!("entry {i} <b>\u{202e}</b>"),
                i % 7 == 0,
            )
        })
        .collect();
    store.add_entries(id, &first).unwrap();
    let backdated: Vec<NewEntry> = (0..12)
        .map(|i| {
            entry(
                format!("b{i}"),
                EntryKind::Note,
                declared - Duration::minutes(30 - (i / 3) as i64),
                format!("backdated {i}\nsecond line"),
                i == 4,
            )
        })
        .collect();
    store.add_entries(id, &backdated).unwrap();
    store
}

fn walk(store: &mut Store, pages: &mut TimelinePages) -> Vec<TimelineEntry> {
    let mut all = Vec::new();
    loop {
        let page = pages.next_page(store).unwrap();
        if page.is_empty() {
            return all;
        }
        all.extend(page);
    }
}

on_both_engines! {
    fn pages_follow_the_timeline_order_across_ties_and_backdating(db: &Db) {
        let mut store = incident_with_ties(db);
        let whole = store.incident_record(1).unwrap().timeline;
        assert_eq!(whole.len(), 1 + 40 + 12);
        // Backdated entries come first, ties in the order they were logged.
        assert!(whole[0].text.starts_with("backdated 0"), "{:?}", whole[0].text);
        let times: Vec<_> = whole.iter().map(|e| (e.occurred_at, e.id)).collect();
        assert!(times.windows(2).all(|w| w[0] < w[1]), "in (occurred_at, id) order");
        for page_size in [1, 2, 3, 5, 7, 1_000] {
            let outline = store.incident_outline(1).unwrap();
            assert!(outline.record.timeline.is_empty());
            let paged = walk(&mut store, &mut outline.pages(EntryFilter::All, page_size));
            assert_eq!(paged, whole, "pages of {page_size}");
            let pinned = walk(&mut store, &mut outline.pages(EntryFilter::Pinned, page_size));
            let expected: Vec<_> = whole.iter().filter(|e| e.pinned).cloned().collect();
            assert_eq!(pinned.len(), 6 + 1);
            assert_eq!(pinned, expected, "pinned, pages of {page_size}");
            let decisions =
                walk(&mut store, &mut outline.pages(EntryFilter::Kind(EntryKind::Decision), page_size));
            let expected: Vec<_> = whole.iter().filter(|e| e.kind == EntryKind::Decision).cloned().collect();
            assert_eq!(decisions.len(), 10);
            assert_eq!(decisions, expected, "decisions, pages of {page_size}");
            let mut each = Vec::new();
            store
                .for_each_entry(1, page_size, |e| {
                    each.push(e);
                    Ok::<_, warroom::store::StoreError>(())
                })
                .unwrap();
            assert_eq!(each, whole, "for_each_entry, pages of {page_size}");
        }
    }
}

on_both_engines! {
    fn a_walk_sees_the_timeline_as_it_stood_when_it_began(db: &Db) {
        let mut store = incident_with_ties(db);
        let outline = store.incident_outline(1).unwrap();
        let mut pages = outline.pages(EntryFilter::All, 4);
        let first = pages.next_page(&mut store).unwrap();
        // Written mid-walk: one after everything, one backdated into the
        // part not read yet.
        let late = Utc::now();
        store
            .add_entries(
                1,
                &[
                    entry("late".into(), EntryKind::Note, late, "late".into(), false),
                    entry("mid".into(), EntryKind::Note, late - Duration::hours(4), "mid".into(), false),
                ],
            )
            .unwrap();
        let mut seen = first;
        seen.extend(walk(&mut store, &mut pages));
        assert_eq!(seen.len(), 53, "nothing written after the walk began");
        assert!(seen.iter().all(|e| e.text != "late" && e.text != "mid"));
        assert_eq!(store.incident_record(1).unwrap().timeline.len(), 55);
    }
}

/// What `print_json` printed before the timeline was streamed.
fn printed(value: &serde_json::Value) -> String {
    format!(
        "{}\n",
        escape_json_output(&serde_json::to_string_pretty(value).unwrap())
    )
}

on_both_engines! {
    fn streamed_json_is_the_json_of_the_whole_record(db: &Db) {
        let path = db.path();
        ok(path, &["declare", "--severity", "P2", "JSON \u{9b}2J \u{202e} equality"]);
        // More than a page (1,000) of imported lines, many at one time.
        let dir = temp_dir();
        let import = dir.path().join("log.txt");
        let base = Utc::now() - Duration::hours(3);
        let lines: String = (0..2_300)
            .map(|i| {
                let when = base + Duration::seconds(i / 4);
                format!("{} line {i} \u{1b}[2J \"quoted\" \u{e0041}\n", when.to_rfc3339())
            })
            .collect();
        std::fs::write(&import, lines).unwrap();
        ok(path, &["import", import.to_str().unwrap()]);
        ok(path, &["note", "--at", "-4h", "--pin", "backdated and pinned"]);
        ok(path, &["status-update", "Degraded; next update in 15m"]);
        ok(path, &["decide", "Roll back"]);
        ok(path, &["severity", "P1", "--reason", "worse"]);
        ok(path, &["role", "comms", "root"]);
        ok(path, &["timer", "10m", "check"]);
        ok(path, &["check", "1.1"]);
        ok(path, &["action", "add", "--owner", "root", "Fix it"]);
        ok(path, &["pin", "5"]);

        let mut store = Store::open(db.location(), OpenMode::Existing).unwrap();
        let mut record = store.incident_record(1).unwrap();
        assert!(record.timeline.len() > 2_300);
        let shown = ok(path, &["show", "--json"]);
        assert_eq!(shown, printed(&report::record_json(&record)), "show --json");

        for pinned in [false, true] {
            let mut args = vec!["export", "--format", "json"];
            if pinned {
                args.push("--pinned");
                record.timeline.retain(|e| e.pinned);
            }
            let exported = ok(path, &args);
            let mut expected = report::export_json(&record);
            // The chain check is the same whoever computes it; take it as printed.
            let parsed: serde_json::Value = serde_json::from_str(&exported).unwrap();
            assert_eq!(parsed["record"]["verified"], true);
            expected["record"] = parsed["record"].clone();
            // Who took part comes from the attendance, not the record.
            expected["participants"] = parsed["participants"].clone();
            assert_eq!(exported, printed(&expected), "export --format json, pinned {pinned}");
        }
    }
}

on_both_engines! {
    fn markdown_export_is_the_same_read_by_any_page_size(db: &Db) {
        let store = Arc::new(Mutex::new(incident_with_ties(db)));
        let now = at("2030-01-01T00:00:00Z");
        let whole = MarkdownExport { page_size: 100_000, ..MarkdownExport::new(DEFAULT_TEMPLATE, now) };
        let expected = warroom::export::markdown(&store, 1, &whole).unwrap();
        assert_eq!(expected.matches("backdated").count(), 12 + 1, "timeline and impact: {expected}");
        assert_eq!(
            expected.matches("entry ").count(),
            1 + 40 + 6 + 10 + 10,
            "the timeline's heading, the timeline, impact, communications, decisions"
        );
        for page_size in [1, 2, 3, 7] {
            let paged = MarkdownExport { page_size, ..whole };
            assert_eq!(warroom::export::markdown(&store, 1, &paged).unwrap(), expected, "pages of {page_size}");
        }
        // A team's template uses the lists as lists: lengths, loop state,
        // truth, filters that take them whole.
        let template = "{{ timeline | length }} {{ communications | length }} {{ impact | length }} \
            {% if handoffs %}handoffs{% else %}no handoffs{% endif %} {% if decisions %}decisions{% endif %}\n\
            {% for e in decisions %}{% if loop.first %}[{{ loop.length }}:{% endif %}{{ loop.index }}\
            {% if loop.last %}]{% else %},{% endif %}{% endfor %}\n\
            {% for e in timeline %}{% if not loop.first and e.date == loop.previtem.date %}{% endif %}{% endfor %}\
            {{ (timeline | list)[0].text }} / {{ (timeline | reverse | first).text }} / \
            {{ severity_history | map(attribute='kind') | join(',') }}\n";
        for page_size in [1, 3, 1_000] {
            let team = MarkdownExport { page_size, ..MarkdownExport::new(template, now) };
            let out = warroom::export::markdown(&store, 1, &team).unwrap();
            assert_eq!(
                out,
                // (A line break after a block tag is trimmed.)
                "53 10 7 no handoffs decisions[10:1,2,3,4,5,6,7,8,9,10]\
                 backdated 0\nsecond line / entry 39 &lt;b&gt;&lt;U+202E&gt;&lt;/b&gt; / system\n",
                "pages of {page_size}"
            );
        }
    }
}

on_both_engines! {
    fn cli_markdown_export_matches_the_library_and_fails_cleanly(db: &Db) {
        let path = db.path();
        let store = Arc::new(Mutex::new(incident_with_ties(db)));
        let now = Utc::now();
        let library = warroom::export::markdown(
            &store,
            1,
            &MarkdownExport { page_size: 2, ..MarkdownExport::new(DEFAULT_TEMPLATE, now) },
        )
        .unwrap();
        let cli = ok(path, &["export"]);
        // The same but for the generated time and the chain check at the end.
        let body = |text: &str| -> Vec<String> {
            let before_the_check = text.split("\n---\n").next().unwrap();
            before_the_check
                .lines()
                .filter(|l| !l.starts_with("*Blameless"))
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(body(&cli), body(&library));
        assert!(cli.contains("\nrecord verified: "), "{cli}");
        // A template failing mid-way is an error, and `--output` keeps the old file.
        let dir = temp_dir();
        let out = dir.path().join("pm.md");
        std::fs::write(&out, "old").unwrap();
        let bad = dir.path().join("bad.md.j2");
        std::fs::write(&bad, "{% for e in timeline %}{{ e.text }}{% endfor %}{{ nothing.there }}").unwrap();
        let failed = fails(
            path,
            &["export", "--template", bad.to_str().unwrap(), "--output", out.to_str().unwrap()],
        );
        assert!(stderr(&failed).contains("the template failed"), "{}", stderr(&failed));
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
    }
}

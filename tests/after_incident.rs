//! After the incident: milestones in order, the post-mortem export, action
//! items.

mod common;

use chrono::{DateTime, Utc};
use common::*;
use warroom::domain::{EntryKind, ItemState, Milestone, Milestones, Severity};
use warroom::export::{DEFAULT_TEMPLATE, MarkdownExport};
use warroom::store::{Act, ItemChange, NewEntry, NewIncident, OpenMode, SeverityChange, Store};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn set_clock(time: &str) {
    set_fixture_clock(at(time));
}

on_both_engines! {
    fn milestones_out_of_order_are_refused_naming_the_conflict(db: &Db) {
        let db = db.path();
        ok(
            db,
            &[
                "declare",
                "--started-at",
                "-50m",
                "--detected-at",
                "-40m",
                "order",
            ],
        );
        ok(db, &["ack", "--at", "-30m"]);
        let err = stderr(&fails(db, &["mitigate", "--at", "-35m"]));
        assert!(
            err.contains("mitigated") && err.contains("cannot be before acknowledged"),
            "{err}"
        );
        let err = stderr(&fails(db, &["ack", "--at", "-45m"]));
        assert!(
            err.contains("acknowledged") && err.contains("cannot be before detected"),
            "{err}"
        );
        ok(db, &["mitigate", "--at", "-20m"]);
        ok(db, &["resolve", "--at", "-10m"]);
        let err = stderr(&fails(db, &["close", "--at", "-15m"]));
        assert!(
            err.contains("closed") && err.contains("cannot be before resolved"),
            "{err}"
        );
        let err = stderr(&fails(
            db,
            &["declare", "--started-at", "-5m", "--detected-at", "-10m", "bad"],
        ));
        assert!(
            err.contains("detected") && err.contains("cannot be before started"),
            "{err}"
        );
        let json = show_json(db, "1");
        assert_eq!(json["status"], "resolved");
        assert!(json["mitigated_at"].is_string());
        assert!(json["closed_at"].is_null(), "a refused milestone writes nothing");
    }
}

on_both_engines! {
    fn the_post_mortem_and_action_items_are_tracked(db: &Db) {
        let db = db.path();
        ok(db, &["declare", "pm"]);
        let err = stderr(&fails(db, &["postmortem", "done"]));
        assert!(err.contains("not resolved"), "{err}");
        ok(
            db,
            &[
                "action", "add", "--owner", "root", "--due", "+2d", "alert", "on", "5xx",
            ],
        );
        // A due date in the past is refused; one a second ahead is soon overdue.
        let err = stderr(&fails(
            db,
            &[
                "action",
                "add",
                "--due",
                "2020-01-01T00:00:00Z",
                "already",
                "late",
            ],
        ));
        assert!(err.contains("is in the past"), "{err}");
        ok(db, &["action", "add", "--due", "+1s", "soon", "late"]);
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let list = ok(db, &["action", "list"]);
        assert!(
            list.contains("OVERDUE") && list.contains("alert on 5xx"),
            "{list}"
        );
        ok(db, &["action", "done", "1"]);
        let err = stderr(&fails(db, &["action", "done", "1"]));
        assert!(err.contains("already done"), "{err}");
        ok(db, &["resolve"]);
        ok(db, &["postmortem", "done"]);
        ok(db, &["close"]);
        // Action items outlive the incident's closing.
        let items: serde_json::Value =
            serde_json::from_str(&ok(db, &["action", "list", "--all", "--json"])).unwrap();
        assert_eq!(items.as_array().unwrap().len(), 2);
        assert!(items[0]["done_at"].is_string() && items[1]["done_at"].is_null());
        let exported: serde_json::Value =
            serde_json::from_str(&ok(db, &["export", "--format", "json"])).unwrap();
        assert!(exported["postmortem_done_at"].is_string());
        assert_eq!(exported["action_items"].as_array().unwrap().len(), 2);
    }
}

/// A P2 that became a P1 overnight and took two days to close: three
/// authors, pinned impact notes, a handoff, action items.
fn long_incident(db: &engines::Db) -> Store {
    let mut store = Store::open(db.location(), OpenMode::Create).unwrap();
    store.set_clock(common::fixture_clock);
    set_clock("2026-03-01T22:10:00Z");
    let mut milestones = Milestones::new(at("2026-03-01T22:10:00Z"));
    milestones.started_at = Some(at("2026-03-01T21:40:00Z"));
    milestones.detected_at = Some(at("2026-03-01T22:02:00Z"));
    let id = store
        .declare(&NewIncident::with_default_runbook(
            "long",
            "Search results stale | index lag",
            Severity::P2,
            milestones,
            "alice",
        ))
        .unwrap();
    // Each act is written down when it happens: the store's clock says so.
    let act = |uuid: &'static str, author: &'static str, time: &str| {
        set_clock(time);
        Act {
            uuid,
            incident_id: id,
            author,
            at: at(time),
        }
    };
    let note = |store: &mut Store, uuid: &str, author: &str, time: &str, kind, text: &str, pinned| {
        // Recorded when it happened, except the first, written down later from a graph.
        set_clock(if uuid == "n1" {
            "2026-03-01T22:30:00Z"
        } else {
            time
        });
        store
            .add_entry(
                id,
                &NewEntry {
                    uuid: uuid.into(),
                    kind,
                    occurred_at: at(time),
                    author: author.into(),
                    text: text.into(),
                    pinned,
                },
            )
            .unwrap();
    };
    note(
        &mut store,
        "n1",
        "bob",
        "2026-03-01T21:45:00Z",
        EntryKind::Note,
        "Indexer queue depth starts climbing (from Grafana)",
        true,
    );
    note(
        &mut store,
        "n2",
        "alice",
        "2026-03-01T22:20:00Z",
        EntryKind::StatusUpdate,
        "Search results up to 40 min stale; writes unaffected.",
        false,
    );
    store
        .set_milestone(
            &act("m1", "alice", "2026-03-01T22:12:30Z"),
            Milestone::Acknowledged,
            at("2026-03-01T22:12:00Z"),
        )
        .unwrap();
    set_clock("2026-03-02T01:30:00Z");
    store
        .set_severity(&SeverityChange {
            uuid: "s1",
            incident_id: id,
            severity: Severity::P1,
            reason: "stale prices shown at checkout",
            author: "carol",
            at: at("2026-03-02T01:30:00Z"),
            expected_version: None,
        })
        .unwrap();
    store
        .assign_role(
            &act("r1", "alice", "2026-03-02T02:00:00Z"),
            "ic",
            "Incident Commander",
            "carol",
        )
        .unwrap();
    note(
        &mut store,
        "n3",
        "carol",
        "2026-03-02T02:05:00Z",
        EntryKind::Decision,
        "Pause reindex jobs; scale indexer to 12 workers",
        false,
    );
    note(
        &mut store,
        "n4",
        "dave",
        "2026-03-02T03:10:00Z",
        EntryKind::Note,
        "Lag down to 3 min\nqueue draining at ~2k/s",
        true,
    );
    store
        .set_milestone(
            &act("m2", "carol", "2026-03-02T03:15:00Z"),
            Milestone::Mitigated,
            at("2026-03-02T03:12:00Z"),
        )
        .unwrap();
    set_clock("2026-03-01T22:15:00Z");
    store
        .set_item_state(&ItemChange {
            uuid: "c1",
            incident_id: id,
            key: "1.1",
            state: ItemState::Done,
            author: "alice",
            at: at("2026-03-01T22:15:00Z"),
            expected_version: None,
        })
        .unwrap();
    store
        .set_milestone(
            &act("m3", "carol", "2026-03-02T09:00:00Z"),
            Milestone::Resolved,
            at("2026-03-02T09:00:00Z"),
        )
        .unwrap();
    store
        .add_action(
            &act("a1", "carol", "2026-03-03T10:00:00Z"),
            "Alert on indexer lag > 5 min",
            Some("bob"),
            Some(at("2026-03-10T17:00:00Z")),
        )
        .unwrap();
    store
        .add_action(
            &act("a2", "carol", "2026-03-03T10:01:00Z"),
            "Rate-limit reindex jobs",
            None,
            None,
        )
        .unwrap();
    store
        .action_done(&act("a3", "bob", "2026-03-03T16:00:00Z"), 1)
        .unwrap();
    store
        .postmortem_done(&act("p1", "carol", "2026-03-03T15:00:00Z"))
        .unwrap();
    store
}

on_both_engines! {
    fn export_snapshot_of_a_long_incident(db: &Db) {
        let store = std::sync::Arc::new(std::sync::Mutex::new(long_incident(db)));
        let now = at("2026-03-04T08:00:00Z");
        let export = MarkdownExport::new(DEFAULT_TEMPLATE, now);
        let markdown = warroom::export::markdown(&store, 1, &export).unwrap();
        // One snapshot for both engines, named as before the suite ran on two.
        insta::with_settings!({ prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("after_incident__export_snapshot_of_a_long_incident", markdown);
        });
        // Read an entry per transaction, the export is the same.
        let one_by_one = MarkdownExport { page_size: 1, ..export };
        assert_eq!(warroom::export::markdown(&store, 1, &one_by_one).unwrap(), markdown);
        let pinned_only = MarkdownExport { pinned_only: true, ..export };
        let pinned = warroom::export::markdown(&store, 1, &pinned_only).unwrap();
        let timeline = pinned
            .split("## Timeline")
            .nth(1)
            .unwrap()
            .split("## Checklist")
            .next()
            .unwrap();
        assert_eq!(timeline.matches("(pinned)").count(), 2, "{timeline}");
        assert_eq!(
            timeline.matches("\n- **").count(),
            2,
            "only the pinned entries: {timeline}"
        );
    }
}

on_both_engines! {
    fn export_through_the_cli_writes_files_whole_and_clean(db: &Db) {
        let dir = temp_dir();
        let db = db.path();
        ok(db, &["declare", "export \u{1b}]52;c;cGF5bG9hZA==\u{7} me"]);
        ok(db, &["note", "--pin", "payload \u{1b}[2J\u{202e} end"]);
        let out = dir.path().join("pm.md");
        let printed = warroom(db)
            .args(["export", "--output", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(printed.status.success(), "{}", stderr(&printed));
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(
            text.starts_with("# Post-mortem: export ␛]52;c;cGF5bG9hZA==␇ me"),
            "{text}"
        );
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "no raw control characters"
        );
        assert!(!text.contains('\u{202e}'));
        // A team's own template.
        let template = dir.path().join("short.md.j2");
        std::fs::write(
            &template,
            "{{ incident.title }} / {{ timeline | length }} entries\n",
        )
        .unwrap();
        let short = ok(db, &["export", "--template", template.to_str().unwrap()]);
        assert_eq!(short, "export ␛]52;c;cGF5bG9hZA==␇ me / 2 entries\n");
        let broken = dir.path().join("broken.md.j2");
        std::fs::write(&broken, "{% for x in %}").unwrap();
        let err = stderr(&fails(db, &["export", "--template", broken.to_str().unwrap()]));
        assert!(err.contains("template"), "{err}");
        // Writing into a folder that does not exist fails cleanly.
        let err = stderr(&fails(db, &["export", "--output", "/nonexistent/dir/pm.md"]));
        assert!(err.starts_with("error: cannot write"), "{err}");
    }
}

on_both_engines! {
    fn import_is_all_or_nothing_and_idempotent(db: &Db) {
        let dir = temp_dir();
        let db = db.path();
        ok(db, &["declare", "reconstruct"]);
        let good = dir.path().join("chat.txt");
        std::fs::write(
            &good,
            "# from the #incident channel\n23:52 alice: checkout errors?\n23:58 bob: yes, 5xx on EU\n00:04 alice: rolling back\n",
        )
        .unwrap();
        let bad = dir.path().join("bad.txt");
        std::fs::write(
            &bad,
            "2026-03-01 10:00 UTC fine\nno time here\n2026-02-30 10:00 UTC impossible\n",
        )
        .unwrap();

        let before = show_json(db, "1")["timeline"].as_array().unwrap().len();
        let err = stderr(&fails(db, &["import", bad.to_str().unwrap()]));
        assert!(
            err.contains("nothing imported") && err.contains("line 2") && err.contains("line 3"),
            "{err}"
        );
        assert_eq!(
            show_json(db, "1")["timeline"].as_array().unwrap().len(),
            before,
            "nothing half-imported"
        );

        let out = ok(
            db,
            &[
                "import",
                good.to_str().unwrap(),
                "--date",
                "2026-03-01",
                "--tz",
                "+01:00",
            ],
        );
        assert!(out.contains("imported 3 entries"), "{out}");
        let again = ok(
            db,
            &[
                "import",
                good.to_str().unwrap(),
                "--date",
                "2026-03-01",
                "--tz",
                "+01:00",
            ],
        );
        assert!(
            again.contains("imported 0 entries") && again.contains("3 already there"),
            "{again}"
        );

        let json = show_json(db, "1");
        let imported: Vec<(&str, &str)> = json["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "note")
            .map(|e| (e["occurred_at"].as_str().unwrap(), e["text"].as_str().unwrap()))
            .collect();
        assert_eq!(
            imported,
            [
                ("2026-03-01T22:52:00.000Z", "alice: checkout errors?"),
                ("2026-03-01T22:58:00.000Z", "bob: yes, 5xx on EU"),
                ("2026-03-01T23:04:00.000Z", "alice: rolling back"),
            ],
            "crossing midnight in +01:00"
        );
    }
}

on_both_engines! {
    fn metrics_through_the_cli_exclude_what_is_missing(db: &Db) {
        let db = db.path();
        assert!(
            ok(db, &["metrics"]).contains("0 incidents"),
            "no database yet is no incidents"
        );
        ok(
            db,
            &[
                "declare",
                "--severity",
                "P1",
                "--started-at",
                "-60m",
                "--detected-at",
                "-50m",
                "one",
            ],
        );
        ok(db, &["ack", "--at", "-45m"]);
        ok(db, &["resolve", "--at", "-20m"]);
        ok(db, &["declare", "--severity", "P3", "two, still open"]);
        let text = ok(db, &["metrics"]);
        assert!(text.contains("definition: started → detected"), "{text}");
        assert!(
            text.contains("#2 (no started milestone)") || text.contains("#2 (no detected milestone)"),
            "{text}"
        );
        let json: serde_json::Value = serde_json::from_str(&ok(db, &["metrics", "--json"])).unwrap();
        let detect = &json["durations"][0];
        assert_eq!(detect["key"], "time_to_detect");
        assert_eq!(detect["count"], 1);
        assert!((detect["mean_secs"].as_f64().unwrap() - 600.0).abs() < 1.0);
        let resolve = &json["durations"][3];
        assert_eq!(resolve["count"], 1);
        assert!((resolve["mean_secs"].as_f64().unwrap() - 1800.0).abs() < 1.0);
        let p1: serde_json::Value =
            serde_json::from_str(&ok(db, &["metrics", "--json", "--severity", "P3"])).unwrap();
        assert_eq!(p1["incidents"], 1);
        assert_eq!(p1["durations"][0]["count"], 0, "excluded, never counted as zero");
    }
}

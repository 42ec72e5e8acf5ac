//! The stakeholder update (issue #15): `warroom status-page` prints what
//! people outside the war room may read, every status update newest first
//! and nothing internal, from the real binary on both engines; and `u`
//! pre-fills a status update from the runbook's template, driven through
//! the console's state machine.

mod common;

use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use common::engines::{Db, Engine};
use common::{fails, ok, show_json, stderr};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::Value;
use warroom::app::{App, Event, Input, Snapshot};
use warroom::domain::{EntryKind, Milestones, Severity};
use warroom::store::{NewEntry, NewIncident, OpenMode, Store};

fn status_page(db: &Path, args: &[&str]) -> String {
    let mut all = vec!["status-page"];
    all.extend_from_slice(args);
    ok(db, &all)
}

fn status_page_json(db: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&status_page(db, &all)).expect("status-page --format json is JSON")
}

/// The texts of the entries of `kind` in `show --json`, in time order.
fn texts_of_kind(db: &Path, id: &str, kind: &str) -> Vec<String> {
    show_json(db, id)["timeline"]
        .as_array()
        .expect("a timeline")
        .iter()
        .filter(|e| e["kind"] == kind)
        .map(|e| e["text"].as_str().expect("a text").to_string())
        .collect()
}

on_both_engines! {
    fn the_demo_incident_s_page_holds_every_status_update_newest_first_and_no_note(db: &Db) {
        let id = warroom::demo::create(db.location(), Utc::now()).expect("the demo incident").to_string();
        let path = db.path();
        let mut updates = texts_of_kind(path, &id, "status_update");
        assert_eq!(updates.len(), 2, "the demo posts two status updates");
        updates.reverse();
        let notes = texts_of_kind(path, &id, "note");
        let decisions = texts_of_kind(path, &id, "decision");
        assert!(!notes.is_empty() && !decisions.is_empty());

        let page = status_page_json(path, &[&id]);
        let posted: Vec<&str> = page["updates"]
            .as_array()
            .expect("updates")
            .iter()
            .map(|u| u["text"].as_str().expect("a text"))
            .collect();
        assert_eq!(posted, updates, "every status update, newest first");
        let times: Vec<&str> = page["updates"].as_array().unwrap().iter().map(|u| u["at"].as_str().unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
        assert_eq!(page["state"], "investigating");
        assert_eq!(page["severity"], "P1");
        assert_eq!(page["drill"], false);
        assert!(page["resolved_at"].is_null());

        for format in ["markdown", "text", "json"] {
            let shown = status_page(path, &[&id, "--format", format]);
            for update in &updates {
                assert!(shown.contains(update.as_str()), "{format}: {update}\n{shown}");
            }
            // Nothing internal: no note, decision, checklist item, role or name.
            for internal in notes.iter().chain(&decisions) {
                assert!(!shown.contains(internal.as_str()), "{format} leaks {internal:?}:\n{shown}");
            }
            for internal in ["Assess severity", "carol", "alice", "bob", "dave", "Incident commander", "Rollback done in eu-west-1"] {
                assert!(!shown.contains(internal), "{format} leaks {internal:?}:\n{shown}");
            }
            assert!(!shown.contains(&warroom::account::current_account()), "{format}");
        }
        // The markdown's updates come newest first, each under its UTC time.
        let markdown = status_page(path, &[&id]);
        let newest = markdown.find(updates[0].as_str()).unwrap();
        let oldest = markdown.find(updates[1].as_str()).unwrap();
        assert!(newest < oldest, "{markdown}");
        assert!(markdown.starts_with("# Checkout API returning 500s"), "{markdown}");
        assert!(markdown.contains("| Status | **Investigating** |"), "{markdown}");
        assert_eq!(markdown.matches(" UTC\n\n").count(), 2, "{markdown}");

        // Names only when asked: who posted each, and the commander.
        let named = status_page_json(path, &[&id, "--with-names"]);
        let authors: Vec<&str> = named["updates"].as_array().unwrap().iter().map(|u| u["author"].as_str().unwrap()).collect();
        assert_eq!(authors, ["carol", "carol"]);
        assert_eq!(named["commander"], "alice");
        assert!(status_page(path, &[&id, "--format", "text", "--with-names"]).contains("· carol"));
        assert!(page.get("commander").is_none() && page["updates"][0].get("author").is_none());
    }
}

on_both_engines! {
    fn the_state_follows_mitigation_and_resolution(db: &Db) {
        let path = db.path();
        let id = ok(path, &["declare", "--severity", "P2", "--started-at", "-30m", "Search slow"]).trim().to_string();
        let page = status_page(path, &["--format", "text"]);
        assert!(page.contains("Status: Investigating · Severity P2 (medium)"), "{page}");
        assert!(page.contains("No status update has been posted yet."), "{page}");
        ok(path, &["ack", &id]);
        assert_eq!(status_page_json(path, &[])["state"], "investigating", "acknowledging is internal");
        ok(path, &["status-update", "Search is slow; we are on it."]);
        ok(path, &["mitigate", &id]);
        assert_eq!(status_page_json(path, &[])["state"], "mitigated");
        ok(path, &["resolve", &id]);
        let page = status_page_json(path, &[&id]);
        assert_eq!(page["state"], "resolved");
        let started = show_json(path, &id)["started_at"].clone();
        assert_eq!(page["started_at"], started, "started is the started milestone when known");
        assert_eq!(page["resolved_at"], show_json(path, &id)["resolved_at"]);
        let markdown = status_page(path, &[]);
        assert!(markdown.contains("| Status | **Resolved** |") && markdown.contains("| Resolved | "), "{markdown}");
    }
}

on_both_engines! {
    fn hostile_text_reaches_the_page_as_text(db: &Db) {
        let path = db.path();
        ok(path, &["declare", "--severity", "P1", "Pay <img src=x onerror=alert(1)>"]);
        let update = "Fixed \u{1b}]52;c;cGF5bG9hZA==\u{7} <script>alert(1)</script> & more\nsecond line";
        ok(path, &["status-update", update]);
        let markdown = status_page(path, &[]);
        assert!(markdown.contains("# Pay &lt;img src=x onerror=alert(1)&gt;"), "{markdown}");
        assert!(markdown.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more  \nsecond line"), "{markdown}");
        let text = status_page(path, &["--format", "text"]);
        assert!(text.contains("  second line"), "{text}");
        for shown in [&markdown, &text, &status_page(path, &["--format", "json"])] {
            assert!(!shown.contains('\u{1b}') && !shown.contains('\u{7}'), "{shown:?}");
        }
        // JSON keeps the exact text.
        assert_eq!(status_page_json(path, &[])["updates"][0]["text"], update);
    }
}

on_both_engines! {
    fn an_incident_that_does_not_exist_is_an_error(db: &Db) {
        let path = db.path();
        ok(path, &["declare", "Anything"]);
        let out = fails(path, &["status-page", "42"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("no incident 42"), "{}", stderr(&out));
        let out = fails(path, &["status-page", "--format", "html"]);
        assert_eq!(out.status.code(), Some(2));
    }
}

// --- `u` in the console ---------------------------------------------------

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T14:10:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A console attached to a P1 declared 10 minutes ago with `runbook`, one
/// entry pinned and one not.
fn console_on(db: &Db, runbook: Option<(&str, &str)>) -> App {
    let mut store = Store::open(db.location(), OpenMode::Create).unwrap();
    let (name, text) = runbook.unwrap_or((
        warroom::runbook::DEFAULT_RUNBOOK_NAME,
        warroom::runbook::DEFAULT_RUNBOOK,
    ));
    let parsed = warroom::runbook::parse(text).unwrap();
    let incident = NewIncident {
        uuid: "inc".into(),
        title: "Checkout down".into(),
        severity: Severity::P1,
        milestones: Milestones::new(now() - TimeDelta::minutes(10)),
        declared_by: "alice".into(),
        runbook_name: name.into(),
        runbook_text: text.into(),
        runbook: &parsed,
        drill: false,
    };
    let id = store.declare(&incident).unwrap();
    for (uuid, text, pinned) in [
        ("a", "EU card payments failing\nstack trace…", true),
        ("b", "internal chatter", false),
    ] {
        store
            .add_entry(
                id,
                &NewEntry {
                    uuid: uuid.into(),
                    kind: EntryKind::Note,
                    occurred_at: now() - TimeDelta::minutes(5),
                    author: "dave".into(),
                    text: text.into(),
                    pinned,
                },
            )
            .unwrap();
    }
    let record = store.incident_record(id).unwrap();
    let mut app = App::new("alice".into(), "w.db".into(), now());
    app.handle(Event::Snapshot(Box::new(Snapshot::of(Some(record), false))));
    app
}

fn press(app: &mut App, code: KeyCode) {
    app.handle(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn update_text(app: &App) -> String {
    app.update_draft.lines().join("\n")
}

#[test]
fn u_prefills_the_built_in_template_and_an_untouched_prefill_is_no_draft() {
    let db = Db::new(Engine::Sqlite, "prefill").unwrap();
    let mut app = console_on(&db, None);
    press(&mut app, KeyCode::Char('u'));
    assert_eq!(app.input, Input::Composer(EntryKind::StatusUpdate));
    assert_eq!(
        update_text(&app),
        "P1 incident: Checkout down (investigating)\n\
         Affected: EU card payments failing\n\
         What we know: \n\
         What we are doing: \n\
         Next update at 14:25 UTC."
    );
    // Left untouched: nothing kept, and the next `u` fills it afresh.
    press(&mut app, KeyCode::Esc);
    assert!(app.update_draft.is_empty(), "{:?}", update_text(&app));
    app.handle(Event::Tick(now() + TimeDelta::minutes(3)));
    press(&mut app, KeyCode::Char('u'));
    assert!(
        update_text(&app).ends_with("Next update at 14:28 UTC."),
        "{}",
        update_text(&app)
    );
    // Typed into: a draft like any other, kept as typed.
    press(&mut app, KeyCode::Char('!'));
    press(&mut app, KeyCode::Esc);
    assert!(
        update_text(&app).ends_with("14:28 UTC.!"),
        "{}",
        update_text(&app)
    );
    press(&mut app, KeyCode::Char('u'));
    assert!(
        update_text(&app).ends_with("14:28 UTC.!"),
        "the draft is not replaced"
    );
}

#[test]
fn u_prefills_the_security_runbook_s_own_template() {
    let db = Db::new(Engine::Sqlite, "prefill-security").unwrap();
    let library = warroom::runbooks::Library::built_in();
    let security = library
        .entries
        .iter()
        .find(|e| e.name == "Security Incident Response")
        .expect("the built-in security runbook");
    let mut app = console_on(&db, Some((&security.recorded_name, &security.text)));
    press(&mut app, KeyCode::Char('u'));
    let text = update_text(&app);
    assert!(
        text.starts_with("Security incident #1 (P1, investigating): we are investigating unauthorised access.\nAffected: EU card payments failing\n"),
        "{text}"
    );
    assert!(text.ends_with("Next update at 14:25 UTC."), "{text}");
    assert!(
        !text.contains("internal chatter") && !text.contains("Legal Liaison"),
        "{text}"
    );
}

//! The command line as scripts and people use it, against real files.

mod common;

use std::io::Write;
use std::process::Stdio;

use common::engines::{Db, Engine};
use common::*;

on_both_engines! {
    fn declare_note_check_show_round_trip(db: &Db) {
        let db = db.path();
        let id = ok(
            db,
            &[
                "declare",
                "--severity",
                "p1",
                "--started-at",
                "-30m",
                "Checkout",
                "API",
                "500s",
            ],
        );
        assert_eq!(id.trim(), "1");
        ok(db, &["note", "--pin", "--at", "-20m", "first alert fired"]);
        ok(db, &["note", "rolled back deploy 4812"]);
        let mut child = warroom(db)
            .args(["note", "-"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"from stdin\nsecond line\n")
            .unwrap();
        assert!(child.wait().unwrap().success());
        let out = ok(db, &["check", "incident confirmed"]);
        assert!(out.starts_with("[x] 1.1"), "{out}");
        let out = ok(db, &["check", "1.1"]);
        assert!(out.contains("already so"), "{out}");
        ok(db, &["check", "--na", "2.3"]);
        ok(db, &["check", "p1.1"]);
        ok(db, &["check", "--undo", "p1.1"]);

        let json = show_json(db, "1");
        assert_eq!(json["title"], "Checkout API 500s");
        assert_eq!(json["severity"], "P1");
        assert_eq!(json["status"], "declared");
        assert!(json["started_at"].as_str().unwrap().ends_with('Z'));
        let account = uzers::get_user_by_uid(uzers::get_current_uid())
            .unwrap()
            .name()
            .to_string_lossy()
            .into_owned();
        assert_eq!(json["declared_by"], account.as_str());

        let timeline = json["timeline"].as_array().unwrap();
        let notes: Vec<&str> = timeline
            .iter()
            .filter(|e| e["kind"] == "note")
            .map(|e| e["text"].as_str().unwrap())
            .collect();
        // The backdated note sorts before the declaration.
        assert_eq!(
            notes,
            [
                "first alert fired",
                "rolled back deploy 4812",
                "from stdin\nsecond line"
            ]
        );
        assert_eq!(timeline[0]["text"], "first alert fired");
        assert_eq!(timeline[0]["pinned"], true);
        assert!(timeline.iter().all(|e| e["author"] == account.as_str()));

        let state = |key: &str| {
            json["checklist"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["key"] == key)
                .unwrap()["state"]
                .clone()
        };
        assert_eq!(state("1.1"), "done");
        assert_eq!(state("2.3"), "not_applicable");
        assert_eq!(state("p1.1"), "open");
        assert_eq!(json["checklist"].as_array().unwrap().len(), 36);
        let changes: Vec<&str> = timeline
            .iter()
            .filter(|e| e["kind"] == "checklist_change")
            .map(|e| e["text"].as_str().unwrap())
            .collect();
        assert_eq!(changes.len(), 5, "every attempt is logged: {changes:?}");
        assert!(changes[1].contains("already so"), "{changes:?}");
    }
}

on_both_engines! {
    fn user_is_never_taken_from_the_environment(db: &Db) {
        let db = db.path();
        let out = warroom(db)
            .args(["declare", "spoof"])
            .env("USER", "mallory")
            .env("LOGNAME", "mallory")
            .output()
            .unwrap();
        assert!(out.status.success());
        let json = show_json(db, "1");
        assert_ne!(json["declared_by"], "mallory");
    }
}

on_both_engines! {
    fn ambiguous_and_unknown_items_are_explained(db: &Db) {
        let db = db.path();
        ok(db, &["declare", "x"]);
        let err = stderr(&fails(db, &["check", "communication"]));
        assert!(err.contains("2.4") && err.contains("5.4"), "{err}");
        let err = stderr(&fails(db, &["check", "teleport the servers"]));
        assert!(err.contains("no checklist item matches"), "{err}");
    }
}

on_both_engines! {
    fn another_runbook_is_snapshotted_at_declaration(db: &Db) {
        let dir = temp_dir();
        let db = db.path();
        let runbook = dir.path().join("failover.md");
        std::fs::copy(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/database-failover.md"),
            &runbook,
        )
        .unwrap();
        ok(
            db,
            &["declare", "--runbook", runbook.to_str().unwrap(), "db-1 failover"],
        );
        let before = show_json(db, "1");
        assert_eq!(before["runbook"], "failover.md");
        // Editing the file later does not change the running incident.
        std::fs::write(&runbook, "# Changed\n\n## Only\n- [ ] one item\n").unwrap();
        ok(db, &["note", "still the same checklist"]);
        let after = show_json(db, "1");
        assert_eq!(before["checklist"], after["checklist"]);
        let checklist_items = after["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| !i["key"].as_str().unwrap().starts_with('p'))
            .count();
        assert_eq!(checklist_items, 3 + 2 + 4, "the fixture's three sections");
    }
}

on_both_engines! {
    fn hostile_text_never_reaches_the_terminal_raw(db: &Db) {
        let db = db.path();
        ok(db, &["declare", "title\u{1b}]0;pwned\u{7}"]);
        ok(db, &["note", "clear\u{1b}[2J\u{9b}31m\u{202e}evil\r"]);
        for args in [&["show"][..], &["show", "--json"], &["list"], &["list", "--json"]] {
            let out = ok(db, args);
            assert!(
                !out.chars()
                    .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'),
                "{args:?} printed a control character: {out:?}"
            );
        }
        let text = ok(db, &["show"]);
        assert!(text.contains("␛]0;pwned␇"), "{text}");
        // JSON keeps the exact text, escaped.
        let json = show_json(db, "1");
        assert_eq!(json["title"], "title\u{1b}]0;pwned\u{7}");
    }
}

on_both_engines! {
    /// No file yet (SQLite), no schema yet (PostgreSQL): readers list nothing
    /// and create nothing; a writer other than declare says why it cannot.
    fn list_without_a_database_is_empty_and_creates_nothing(db: &Db) {
        assert_eq!(ok(db.path(), &["list", "--json"]).trim(), "[]");
        let said = ok(db.path(), &["list"]);
        assert!(said.starts_with("No incidents: there is no warroom database at"), "{said}");
        let err = stderr(&fails(db.path(), &["note", "x"]));
        match db.engine {
            Engine::Sqlite => {
                assert!(err.contains("no warroom database"), "{err}");
                assert!(!db.path().exists());
            }
            Engine::Postgres => {
                assert!(err.contains("has no warroom schema yet"), "{err}");
                let schemas = db.superuser_sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'warroom'");
                assert_eq!(schemas, [[Some("0".to_string())]], "a reader created the schema");
            }
        }
    }
}

#[test]
fn completions_man_page_and_config_file() {
    let dir = temp_dir();
    let db = db_in(&dir);
    assert!(ok(&db, &["completions", "bash"]).contains("_warroom()"));
    assert!(ok(&db, &["completions", "zsh"]).contains("#compdef warroom"));
    assert!(ok(&db, &["manpage"]).contains(".TH warroom 1"));
    assert!(ok(&db, &["--version"]).starts_with("warroom "));
    let help = ok(&db, &["--help"]);
    assert!(
        help.contains("warroom.log") && help.contains("config.toml"),
        "{help}"
    );

    // The config's database is used when neither --db nor $WARROOM_DB is given.
    let config_home = dir.path().join("config");
    std::fs::create_dir_all(config_home.join("warroom")).unwrap();
    let configured = dir.path().join("from-config.db");
    std::fs::write(
        config_home.join("warroom/config.toml"),
        format!("database = {:?}\nbell = false\n", configured.to_str().unwrap()),
    )
    .unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(BIN)
            .args(args)
            .env_remove("WARROOM_DB")
            .env("XDG_CONFIG_HOME", &config_home)
            .output()
            .unwrap()
    };
    assert!(run(&["declare", "configured"]).status.success());
    assert!(configured.exists());
    std::fs::write(config_home.join("warroom/config.toml"), "colour = \"never\"\n").unwrap();
    let out = run(&["list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown field `colour`"),
        "{}",
        stderr(&out)
    );
}

on_both_engines! {
    /// Every command that acts on an incident takes its id both ways, and a
    /// reader on a database that does not exist says where it looked.
    fn incident_ids_both_ways_and_a_missing_database_named(db: &Db) {
        let dir = temp_dir();
        let db = db.path();
        ok(db, &["declare", "first"]);
        ok(db, &["declare", "second"]);
        ok(db, &["note", "-i", "1", "on the first"]);
        ok(db, &["ack", "1"]);
        ok(db, &["mitigate", "-i", "1"]);
        ok(db, &["resolve", "--incident", "2"]);
        for args in [
            &["show", "1"][..],
            &["show", "-i", "1"],
            &["export", "-i", "1"],
            &["verify", "--incident", "1"],
        ] {
            ok(db, args);
        }
        let first = show_json(db, "1");
        let texts: Vec<&str> = first["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["text"].as_str().unwrap())
            .collect();
        assert!(texts.contains(&"on the first"), "{texts:?}");
        assert!(first["acknowledged_at"].is_string() && first["mitigated_at"].is_string());
        assert!(show_json(db, "2")["resolved_at"].is_string());
        let both = fails(db, &["ack", "1", "-i", "2"]);
        assert_eq!(
            both.status.code(),
            Some(2),
            "ID and -i together are a usage error"
        );

        let missing = dir.path().join("no/such/place.db");
        for args in [&["list"][..], &["metrics"]] {
            let out = ok(&missing, args);
            assert!(
                out.contains("there is no warroom database at") && out.contains("no/such/place.db"),
                "{args:?}: {out}"
            );
        }
        assert!(!missing.exists(), "a reader created the database");
    }
}

on_both_engines! {
    /// An incident run the normal way (declare, ack, resolve: no flags) has
    /// metrics: detected is the declaration unless told otherwise.
    fn metrics_from_the_normal_path(db: &Db) {
        let db = db.path();
        ok(db, &["declare", "checkout down"]);
        ok(db, &["ack"]);
        ok(db, &["resolve"]);
        let metrics: serde_json::Value = serde_json::from_str(&ok(db, &["metrics", "--json"])).unwrap();
        let count = |key: &str| {
            metrics["durations"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["key"] == key)
                .unwrap_or_else(|| panic!("no {key} in {metrics}"))["count"]
                .as_i64()
                .unwrap()
        };
        assert_eq!(count("time_to_acknowledge"), 1, "{metrics}");
        assert_eq!(count("time_to_resolve"), 1, "{metrics}");
        // Time to detect needs a start, which only the commander can know.
        assert_eq!(count("time_to_detect"), 0);
        ok(db, &["started", "--at", "-1h"]);
        let metrics: serde_json::Value = serde_json::from_str(&ok(db, &["metrics", "--json"])).unwrap();
        let detect = metrics["durations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["key"] == "time_to_detect")
            .unwrap()
            .clone();
        assert_eq!(detect["count"], 1, "{detect}");
        assert!(detect["mean_secs"].as_f64().unwrap() >= 3590.0, "{detect}");
    }
}

on_both_engines! {
    /// PostgreSQL refuses NUL in text and SQLite would keep it: warroom
    /// refuses it before either sees it, in the same words, writing nothing.
    fn a_nul_byte_is_refused_the_same_on_both_engines(db: &Db) {
        const REFUSED: &str =
            "error: the text holds a NUL byte (\\0), which warroom does not record: nothing was written";
        let dir = temp_dir();
        let db = db.path();
        ok(db, &["declare", "nul"]);
        let events = || show_json(db, "1")["timeline"].as_array().unwrap().len();
        let before = events();
        for command in [&["note", "-"][..], &["status-update", "-"], &["decide", "-"]] {
            let mut child = warroom(db)
                .args(command)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            child.stdin.take().unwrap().write_all(b"before\0after\n").unwrap();
            let out = child.wait_with_output().unwrap();
            assert_eq!(out.status.code(), Some(1), "{command:?}: {}", stderr(&out));
            assert_eq!(stderr(&out).trim(), REFUSED, "{command:?}");
        }
        let chat = dir.path().join("chat.txt");
        std::fs::write(&chat, "23:50 alice: fine\n23:52 alice: checkout\0errors\n").unwrap();
        let out = fails(db, &["import", chat.to_str().unwrap(), "--date", "2026-03-01"]);
        assert_eq!(stderr(&out).trim(), REFUSED, "the import, line 1 included");
        let runbook = dir.path().join("nul.md");
        std::fs::write(&runbook, "# Runbook\n\n## Only\n- [ ] one\0item\n").unwrap();
        let out = fails(db, &["declare", "--runbook", runbook.to_str().unwrap(), "second"]);
        assert_eq!(stderr(&out).trim(), REFUSED, "a runbook");
        assert_eq!(events(), before, "a refusal wrote");
        assert_eq!(ok(db, &["list", "--json", "--all"]).matches("\"id\"").count(), 1);
        ok(db, &["verify"]);
    }
}

/// Runs a write and reads on `db`, each refused with exactly `expected`
/// (after `error: `), exit status 1.
fn refused_by_every_command(db: &std::path::Path, expected: &str) {
    for args in [
        &["declare", "should not happen"][..],
        &["note", "-i", "1", "nope"],
        &["show", "1"],
        &["list"],
        &["verify"],
    ] {
        let out = fails(db, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&out).trim(), format!("error: {expected}"), "{args:?}");
    }
}

on_both_engines! {
    /// A newer warroom's database is refused in the same words on both
    /// engines, by writers and readers, and left as it was.
    fn a_newer_schema_is_refused_the_same_on_both_engines(db: &Db) {
        ok(db.path(), &["declare", "from the future"]);
        let supported = match db.engine {
            Engine::Sqlite => {
                db.superuser_batch("PRAGMA user_version = 99;");
                warroom::store::schema::current_version()
            }
            Engine::Postgres => {
                db.superuser_batch("UPDATE meta SET value = '99' WHERE key = 'schema_version';");
                warroom::store::schema::postgres_version()
            }
        };
        let events = || db.superuser_sql("SELECT count(*) FROM events");
        let before = events();
        refused_by_every_command(
            db.path(),
            &format!(
                "{} was written by a newer warroom (schema 99; this binary knows up to {supported}); \
                 upgrade warroom to use it (left untouched)",
                db.location()
            ),
        );
        assert_eq!(events(), before);
    }
}

on_both_engines! {
    /// Another application's database (an SQLite file of its own, a
    /// `warroom` schema of its own) is refused and left as it was.
    fn another_applications_database_is_refused_on_both_engines(db: &Db) {
        let what = match db.engine {
            Engine::Sqlite => {
                db.superuser_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total TEXT); INSERT INTO invoices (total) VALUES ('9.5');");
                "an SQLite file"
            }
            Engine::Postgres => {
                db.superuser_batch("CREATE SCHEMA warroom; CREATE TABLE warroom.invoices (id BIGINT PRIMARY KEY, total TEXT); INSERT INTO warroom.invoices VALUES (1, '9.5');");
                "a `warroom` schema"
            }
        };
        refused_by_every_command(
            db.path(),
            &format!(
                "{} is not a warroom database: it is {what} of another application (left untouched)",
                db.location()
            ),
        );
        let tables = db.superuser_sql("SELECT total FROM invoices");
        assert_eq!(tables, [[Some("9.5".to_string())]]);
    }
}

/// The same script of commands, odd ones included, answers the same on both
/// engines: stdout, stderr and exit status, with the database's name and the
/// clock's times written as placeholders.
#[test]
fn every_answer_is_the_same_on_both_engines() {
    let Some(postgres) = Db::new(Engine::Postgres, "every_answer_is_the_same_on_both_engines") else {
        return;
    };
    let sqlite = Db::new(Engine::Sqlite, "every_answer_is_the_same_on_both_engines").unwrap();
    let script: &[&[&str]] = &[
        // (Before the first declaration the engines advise differently: a
        // file is created by declare, a schema best by init: see above.)
        &[
            "declare",
            "-s",
            "P1",
            "--started-at",
            "-30m",
            "--detected-at",
            "-25m",
            "Checkout 500s",
        ],
        &["declare", "-s", "P3", "Second, smaller"],
        &["list"],
        &["list", "--all", "--json"],
        &["note", "-i", "1", "rolled back"],
        &["note", "-i", "3", "no such incident"],
        &["note", "-i", "9223372036854775807", "the largest id"],
        &["note", "-i", "1", "   "],
        &["check", "-i", "1", "1.1"],
        &["check", "-i", "1", "1.1"],
        &["check", "-i", "1", "--na", "p1.2"],
        &["check", "-i", "1", "communication"],
        &["check", "-i", "1", "teleport"],
        &["severity", "-i", "1", "P0"],
        &["severity", "-i", "1", "P0", "--reason", "all regions"],
        &["severity", "-i", "1", "P0", "--reason", "again"],
        &["timer", "-i", "1", "10m", "check", "rollback"],
        &["timer", "-i", "1", "5m", "page", "db"],
        &["timer", "-i", "1", "done", "2"],
        &["timer", "-i", "1", "done", "2"],
        &["timer", "-i", "1", "cancel", "4000000000"],
        &["timer", "-i", "1", "list"],
        &["role", "-i", "1", "comms", "root"],
        &["role", "-i", "1", "comms", "root"],
        &["role", "-i", "1", "janitor", "root"],
        &["phase", "-i", "1", "next"],
        &["phase", "-i", "1", "9"],
        &["snooze", "-i", "1", "20m", "--reason", "vendor"],
        &["status-update", "-i", "1", "Investigating"],
        &["decide", "-i", "1", "Fail over to us-east"],
        &["pin", "2"],
        &["pin", "2"],
        &["pin", "--undo", "2"],
        &["pin", "4000000000"],
        &["ack", "1", "--at", "-20m"],
        &["mitigate", "1", "--at", "-25m"],
        &["mitigate", "1", "--at", "-10m"],
        &["resolve", "1"],
        &["postmortem", "done", "1"],
        &[
            "action", "add", "-i", "1", "--owner", "root", "--due", "+2d", "add", "a", "canary",
        ],
        &["action", "add", "-i", "1", "fix", "alerts"],
        &["action", "done", "1"],
        &["action", "done", "1"],
        &["action", "done", "4000000000"],
        &["action", "list", "--all"],
        &["action", "list", "--all", "--json"],
        &["close", "1"],
        &["show", "1"],
        &["show", "2", "--json"],
        &["list", "--all"],
        &["metrics"],
        &["metrics", "--json", "--severity", "P0"],
        &["export", "1"],
        &["export", "1", "--format", "json"],
        &["verify"],
        &["verify", "--incident", "2"],
    ];
    // What differs by run: UUIDs (first: they may look like `1234567d`),
    // times, dates, durations, chain values.
    let clock = regex::Regex::new(
        r#"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}| UTC)?)?|\b\d{2}:\d{2}(:\d{2})?\b|\b(\d+(ms|[dhms]))+\b|\b\d+h \d+m\b|_secs": \d+(\.\d+)?|\b[0-9a-f]{64}\b"#,
    )
    .unwrap();
    let answers = |db: &Db| -> Vec<String> {
        let name = db.location().to_string();
        script
            .iter()
            .map(|args| {
                let out = warroom(db.path()).args(*args).env("TZ", "UTC").output().unwrap();
                let said = format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                )
                .replace(&name, "<db>");
                format!(
                    "{args:?} → {:?}\n{}",
                    out.status.code(),
                    clock.replace_all(&said, "<t>")
                )
            })
            .collect()
    };
    let (on_sqlite, on_postgres) = (answers(&sqlite), answers(&postgres));
    let differences: Vec<String> = on_sqlite
        .iter()
        .zip(&on_postgres)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| {
            let lines = a.lines().zip(b.lines()).filter(|(x, y)| x != y);
            let first = a.lines().next().unwrap_or_default();
            let shown: Vec<String> = lines
                .map(|(x, y)| format!("  SQLite:     {x}\n  PostgreSQL: {y}"))
                .collect();
            format!("{first}\n{}", shown.join("\n"))
        })
        .collect();
    assert!(
        differences.is_empty(),
        "the engines answered differently:\n{}",
        differences.join("\n")
    );
    assert_eq!(on_sqlite.len(), script.len());
}

/// `$WARROOM_DB` may hold a password (a PostgreSQL URL): the help, every
/// subcommand's help and the man page name the variable, never its value.
#[test]
fn the_help_never_shows_the_database_variables_value() {
    for args in [
        &["--help"][..],
        &["note", "--help"],
        &["doctor", "--help"],
        &["manpage"],
    ] {
        let out = std::process::Command::new(common::BIN)
            .args(args)
            .env("WARROOM_DB", "postgresql://ic:s3cret-pw@db.internal/warroom")
            .output()
            .expect("run warroom");
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{args:?}: {said}");
        assert!(said.contains("WARROOM_DB"), "{args:?} names the variable: {said}");
        assert!(!said.contains("s3cret-pw"), "{args:?} shows the password: {said}");
    }
}

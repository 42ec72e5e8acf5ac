//! The full-screen console, driven for real: the built binary runs in a
//! pseudo-terminal, its output is fed into a vt100 emulator, and the tests
//! look at the emulated screen the way a responder would. The harness is
//! `tests/common/pty.rs`.

mod common;

use std::path::Path;
use std::time::Duration;

use common::pty::{Console, WAIT, account};
use common::{db_in, ok, show_json, temp_dir};

/// The id of the latest incident, from `list --json`.
fn latest_id(db: &Path) -> String {
    let list: serde_json::Value =
        serde_json::from_str(&ok(db, &["list", "--all", "--json"])).expect("list --json is JSON");
    let ids: Vec<i64> = list
        .as_array()
        .expect("list --json is an array")
        .iter()
        .map(|i| i["id"].as_i64().expect("an incident id"))
        .collect();
    ids.into_iter()
        .max()
        .expect("an incident in the database")
        .to_string()
}

/// Opens the console on an incident declared through the CLI, with its
/// checklist on screen.
fn console_on_incident(db: &Path, title: &str) -> Console {
    ok(db, &["declare", "--severity", "P2", title]);
    let console = Console::spawn(db, 100, 30, &[]);
    console.wait_for("Checklist");
    console
}

const COMPOSER: &str = " Note — Enter adds";

#[test]
fn declare_note_tick_help_quit() {
    let dir = temp_dir();
    let db = db_in(&dir);
    let mut console = Console::spawn(&db, 100, 30, &[]);

    console.wait_for("Declare an incident");
    console.send("Checkout API 500s");
    console.wait_for("Checkout API 500s");
    console.send(b"\x1b[A"); // Up: P2 → P1
    console.send(b"\r");
    console.wait_until("the header with the title and P1", |_| {
        let rows = console.rows();
        let header = &rows[0];
        header.contains("Checkout API 500s") && header.contains(" P1 ")
    });
    console.wait_for("Checklist");

    console.send("n");
    console.wait_for(COMPOSER);
    console.send("Rolled back deploy 4812");
    console.send(b"\n"); // Ctrl-J: a new line in the note
    console.send("second line");
    console.wait_for("second line");
    console.send(b"\r");
    console.wait_until("the note in the timeline, composer closed", |screen| {
        !screen.contains(COMPOSER)
            && screen.contains("Rolled back deploy 4812")
            && screen.contains("second line")
    });
    // A record this console saw begin is intact (found and fixed: the first
    // write after starting on an empty database said TAMPERED #0).
    assert!(!console.screen_text().contains("TAMPERED"), "{}", console.dump());

    // The selection opens in the current phase: Space ticks its first item.
    console.send(" ");
    console.wait_for("[x] p1.1");

    console.send("?");
    console.wait_for("Help —");
    console.send_esc();
    console.wait_gone("Help —");

    console.send("q");
    let status = console.wait_exit(WAIT);
    assert!(status.success(), "q should exit with 0, got {status}");

    let incident = show_json(&db, &latest_id(&db));
    assert_eq!(incident["title"], "Checkout API 500s");
    assert_eq!(incident["severity"], "P1");
    let timeline = incident["timeline"].as_array().expect("timeline array");
    assert!(
        timeline
            .iter()
            .any(|e| e["kind"] == "note" && e["text"] == "Rolled back deploy 4812\nsecond line"),
        "no two-line note in the timeline: {timeline:#?}"
    );
    let item = incident["checklist"]
        .as_array()
        .expect("checklist array")
        .iter()
        .find(|i| i["key"] == "p1.1")
        .expect("checklist item p1.1");
    assert_eq!(item["state"], "done", "item p1.1: {item:#}");
    assert_eq!(item["changed_by"], account().as_str(), "item p1.1: {item:#}");
}

#[test]
fn escape_keeps_the_draft() {
    let dir = temp_dir();
    let db = db_in(&dir);
    let mut console = console_on_incident(&db, "x");

    console.send("n");
    console.wait_for(COMPOSER);
    console.send("half a thought");
    console.wait_for("half a thought");
    console.send_esc();
    console.wait_until("the composer to close with the draft off screen", |screen| {
        !screen.contains(COMPOSER) && !screen.contains("half a thought")
    });

    console.send("n");
    console.wait_until("the composer to reopen with the draft", |screen| {
        screen.contains(COMPOSER) && screen.contains("half a thought")
    });

    console.send(b"\r");
    console.wait_until("the kept draft in the timeline", |screen| {
        !screen.contains(COMPOSER) && screen.contains("half a thought")
    });
    let row = console
        .rows()
        .into_iter()
        .find(|r| r.contains("half a thought"))
        .expect("the note's row");
    // A note: its author and text, without the tag other kinds carry.
    assert!(
        row.contains(&format!("{} half a thought", account())) && !row.contains("UPDATE"),
        "the note should be a timeline entry: {row:?}"
    );

    console.send("q");
    let status = console.wait_exit(WAIT);
    assert!(status.success(), "q should exit with 0, got {status}");
    let incident = show_json(&db, &latest_id(&db));
    let notes: Vec<_> = incident["timeline"]
        .as_array()
        .expect("timeline array")
        .iter()
        .filter(|e| e["kind"] == "note")
        .map(|e| e["text"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(notes, ["half a thought"]);
}

#[test]
fn too_small_then_recovers() {
    let dir = temp_dir();
    let db = db_in(&dir);
    let mut console = console_on_incident(&db, "Disk full on db-3");

    console.resize(40, 10);
    console.wait_for("too small");
    console.wait_gone("Checklist");

    console.resize(100, 30);
    console.wait_for("Checklist");
    console.wait_gone("too small");
    console.wait_for("Disk full on db-3");

    console.send("q");
    let status = console.wait_exit(WAIT);
    assert!(status.success(), "q should exit with 0, got {status}");
}

/// The sequence that leaves the alternate screen.
const LEAVE_ALTERNATE_SCREEN: &[u8] = b"\x1b[?1049l";

fn signal_restores_and_exits(signal: &str) {
    let dir = temp_dir();
    let db = db_in(&dir);
    let mut console = console_on_incident(&db, "Queue backlog");
    console.wait_until_stable(Duration::from_millis(200));
    assert!(console.alternate_screen());

    console.signal(signal);
    let status = console.wait_exit(Duration::from_secs(5));
    assert!(
        status.signal().is_none(),
        "SIG{signal} should be handled, not kill the console: {status}"
    );
    let raw = console.raw();
    let tail = &raw[raw.len().saturating_sub(64)..];
    assert!(
        raw.ends_with(LEAVE_ALTERNATE_SCREEN),
        "after SIG{signal} the output should end by leaving the alternate screen; its last bytes: {:?}",
        String::from_utf8_lossy(tail)
    );
    assert!(
        !console.alternate_screen(),
        "still on the alternate screen after SIG{signal}"
    );
}

#[test]
fn sigterm_and_sighup_restore_and_exit() {
    signal_restores_and_exits("TERM");
    signal_restores_and_exits("HUP");
}

#[test]
fn live_update_from_another_process() {
    let dir = temp_dir();
    let db = db_in(&dir);
    let mut console = console_on_incident(&db, "Latency spike in eu-west");

    ok(&db, &["note", "from another responder"]);
    console.wait_for("from another responder");

    console.send("q");
    let status = console.wait_exit(WAIT);
    assert!(status.success(), "q should exit with 0, got {status}");
}

/// Over SSH, TERM is whatever the responder's terminal says; the console
/// must start, draw and quit cleanly under the common ones, with and without
/// colour.
#[test]
fn common_terminal_types_work() {
    let dir = temp_dir();
    let db = db_in(&dir);
    ok(&db, &["declare", "--severity", "P1", "Terminal types"]);
    for (term, no_color) in [
        ("xterm-256color", ""),
        ("screen-256color", ""),
        ("tmux-256color", ""),
        ("linux", ""),
        ("vt100", "1"),
    ] {
        let mut console = Console::spawn(&db, 80, 24, &[("TERM", term), ("NO_COLOR", no_color)]);
        console.wait_for("Terminal types");
        console.wait_for("Checklist");
        console.send("q");
        let status = console.wait_exit(Duration::from_secs(10));
        assert!(status.success(), "TERM={term}: {status:?}");
        assert!(
            !console.alternate_screen(),
            "TERM={term}: left the alternate screen"
        );
    }
}

/// An SSH drop mid-sentence: the console is killed while a note is half
/// written; the next console of the same account offers the draft back.
#[test]
fn a_draft_survives_a_killed_console() {
    let dir = temp_dir();
    let db = db_in(&dir);
    let state = dir.path().join("state");
    let state_env = state.to_str().unwrap().to_string();
    ok(&db, &["declare", "--severity", "P1", "Drafts"]);
    let mut console = Console::spawn(&db, 100, 30, &[("XDG_STATE_HOME", &state_env)]);
    console.wait_for("Drafts");
    console.send("n");
    console.send("the replica in eu-west-1 is lagging becau");
    console.wait_for("lagging becau");
    let status = console.kill_9();
    assert!(!status.success());

    let mut again = Console::spawn(&db, 100, 30, &[("XDG_STATE_HOME", &state_env)]);
    again.wait_for("unsent note");
    again.send("n");
    again.wait_for("lagging becau");
    again.send("se of the backfill");
    again.send("\r");
    again.wait_gone("Note — Enter adds");
    again.wait_for("backfill");
    again.send("q");
    assert!(again.wait_exit(Duration::from_secs(10)).success());
    let notes = common::note_texts(&db, "1");
    assert_eq!(
        notes,
        ["the replica in eu-west-1 is lagging because of the backfill"]
    );
    // Sent: the kept draft is gone.
    let left: Vec<_> = std::fs::read_dir(state.join("warroom/drafts")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A config home (`XDG_CONFIG_HOME`) in `dir` whose warroom config is `toml`.
fn config_home(dir: &tempfile::TempDir, toml: &str) -> std::path::PathBuf {
    let config = dir.path().join("config");
    std::fs::create_dir_all(config.join("warroom")).unwrap();
    std::fs::write(config.join("warroom/config.toml"), toml).unwrap();
    config
}

/// The metrics view estimates the cost as `warroom metrics` does, from the
/// config's `[cost]`.
#[test]
fn the_metrics_view_gives_the_configured_cost() {
    let dir = temp_dir();
    let db = db_in(&dir);
    ok(&db, &["declare", "--severity", "P2", "Costly"]);
    let config = config_home(&dir, "[cost]\nhourly_rate = 3600\ncurrency = \"EUR\"\n");
    let config_env = config.to_str().unwrap().to_string();
    let mut console = Console::spawn(&db, 120, 40, &[("XDG_CONFIG_HOME", &config_env)]);
    console.wait_for("Costly");
    console.send(":metrics\r");
    console.wait_for("Estimated cost");
    console.wait_for("EUR");
    console.send_esc();
    console.send("q");
    assert!(console.wait_exit(WAIT).success());
}

/// Keys from the config file drive the handler, the footer and the help.
#[test]
fn config_key_overrides_drive_the_console() {
    let dir = temp_dir();
    let db = db_in(&dir);
    ok(&db, &["declare", "Keys"]);
    let config = config_home(&dir, "[keys]\nnew_note = [\"a\"]\nquit = [\"Q\", \"ctrl-c\"]\n");
    let config_env = config.to_str().unwrap().to_string();
    let mut console = Console::spawn(&db, 100, 30, &[("XDG_CONFIG_HOME", &config_env)]);
    console.wait_for("a note");
    console.wait_for("Q quit");
    console.send("a");
    console.wait_for("Note — Enter adds");
    console.send_esc();
    console.wait_gone("Note — Enter adds");
    console.send("q");
    console.send("Q");
    assert!(console.wait_exit(Duration::from_secs(10)).success());

    std::fs::write(config.join("warroom/config.toml"), "[keys]\nnew_note = [\"q\"]\n").unwrap();
    let out = std::process::Command::new(common::BIN)
        .args(["--db", db.to_str().unwrap()])
        .env("XDG_CONFIG_HOME", &config)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bound to both"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `warroom demo` cut off by a hang-up (the SSH link dropped: tmux's server
/// killed under it) cleans up its temporary database. Restoring a hung-up
/// terminal fails and ratatui says so on stderr, that same terminal; that
/// failed print used to abort the process before it removed the file.
#[test]
fn a_demo_ended_by_a_hang_up_leaves_no_temporary_database() {
    let dir = temp_dir();
    let socket = dir.path().join("tmux.sock");
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let tmux = |args: &[&str]| {
        std::process::Command::new("tmux")
            .arg("-S")
            .arg(&socket)
            .args(args)
            .env("TMPDIR", &tmp)
            .output()
            .expect("tmux runs (it is on the image)")
    };
    let demo = format!("{} demo", common::BIN);
    let started = tmux(&["new-session", "-d", "-x", "120", "-y", "34", &demo]);
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    let demos = || {
        std::fs::read_dir(&tmp)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("warroom-demo-")
            })
            .count()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !String::from_utf8_lossy(&tmux(&["capture-pane", "-p"]).stdout).contains("Checkout API") {
        assert!(std::time::Instant::now() < deadline, "the demo never showed");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(demos(), 1, "the demo's temporary folder exists while it runs");
    tmux(&["kill-server"]);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while demos() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the hung-up demo left its temporary database behind"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The bottom row: the key hints.
fn footer_of(console: &Console) -> String {
    console.rows().last().cloned().unwrap_or_default()
}

/// The row holding `text`; the test fails with the screen when there is none.
fn row_of(console: &Console, text: &str) -> String {
    console
        .row_with(text)
        .unwrap_or_else(|| panic!("no {text:?}:\n{}", console.dump()))
}

/// `down` and `quit` rebound in the config: the footer, the `?` help, its
/// title, the severity picker and the too-small message name the new keys
/// and never the old ones, and the new keys do the thing while the old ones
/// do nothing.
#[test]
fn rebound_keys_are_the_ones_every_hint_names_and_the_ones_that_work() {
    let dir = temp_dir();
    let db = db_in(&dir);
    ok(&db, &["declare", "--severity", "P2", "Rebound"]);
    let config = config_home(&dir, "[keys]\ndown = [\"ctrl-n\"]\nquit = [\"Q\", \"ctrl-x\"]\n");
    let config_env = config.to_str().unwrap().to_string();
    let mut console = Console::spawn(&db, 100, 30, &[("XDG_CONFIG_HOME", &config_env)]);
    console.wait_for("Checklist");
    console.wait_until("the footer naming Q", |_| {
        footer_of(&console).contains("? help · Q quit")
    });
    assert!(!footer_of(&console).contains("q quit"), "{}", console.dump());

    // Ctrl-N moves down; j no longer does; Space ticks what is selected.
    const CTRL_N: &[u8] = b"\x0e";
    console.send(CTRL_N);
    console.send("j");
    console.send(" ");
    // (The selection opens on the current phase's first item, p1.1.)
    console.wait_for("[x] p1.2");
    assert!(console.screen_text().contains("[ ] p1.1"), "{}", console.dump());
    assert!(console.screen_text().contains("[ ] p1.3"), "{}", console.dump());

    // The help: its rows and its title.
    console.send("?");
    console.wait_for("Help — Ctrl-N/k scroll (0/");
    let down_row = row_of(&console, "Move down / scroll forward");
    assert!(down_row.contains("  Ctrl-N "), "{down_row}");
    assert!(!down_row.contains('j') && !down_row.contains('↓'), "{down_row}");
    let quit_row = row_of(&console, "Quit (");
    assert!(quit_row.contains("  Q/Ctrl-X  "), "{quit_row}");
    assert!(
        quit_row.contains("Quit (Ctrl-X quits from anywhere)"),
        "{quit_row}"
    );
    assert!(
        !console.screen_text().contains("j/k scroll"),
        "{}",
        console.dump()
    );
    assert!(!console.screen_text().contains("q/Ctrl-C"), "{}", console.dump());
    assert!(
        footer_of(&console).starts_with("Ctrl-N/k scroll · ?/Esc close help"),
        "{}",
        console.dump()
    );
    console.send(CTRL_N);
    console.wait_for("Help — Ctrl-N/k scroll (1/");
    // j after Ctrl-N: had j scrolled, the help would be at 3.
    console.send("j");
    console.send(CTRL_N);
    console.wait_until("the help scrolled on", |screen| {
        screen.contains("scroll (2/") || screen.contains("scroll (3/")
    });
    console.wait_until_stable(Duration::from_millis(300));
    assert!(
        console.screen_text().contains("scroll (2/"),
        "j scrolled the help:\n{}",
        console.dump()
    );
    console.send("?");
    console.wait_gone("Help —");

    // The severity picker: its hint, and Ctrl-N choosing the next level.
    console.send("s");
    console.wait_for("↑/Ctrl-N or 0–3 choose · Enter then say why · Esc cancels");
    assert!(!console.screen_text().contains("↑/↓"), "{}", console.dump());
    assert!(row_of(&console, "▶").contains(" P2 "), "{}", console.dump());
    console.send("k");
    console.wait_until("the picker on P1", |_| {
        console.row_with("▶").is_some_and(|r| r.contains(" P1 "))
    });
    // j then Ctrl-N: had j moved, the picker would be on P3.
    console.send("j");
    console.send(CTRL_N);
    console.wait_until("the picker moved on", |_| {
        console.row_with("▶").is_some_and(|r| !r.contains(" P1 "))
    });
    console.wait_until_stable(Duration::from_millis(300));
    assert!(
        row_of(&console, "▶").contains(" P2 "),
        "j moved the picker:\n{}",
        console.dump()
    );
    console.send_esc();
    console.wait_gone("or 0–3 choose");

    // Too small: the quit key that works where the keyboard is.
    console.resize(40, 10);
    console.wait_until("the too-small message naming Q", |screen| {
        screen
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("Enlarge the window (Q quits).")
    });
    console.resize(100, 30);
    console.wait_for("Checklist");
    console.send("n");
    console.wait_for(COMPOSER);
    console.resize(40, 10);
    console.wait_until("the too-small message naming Ctrl-X, not q", |screen| {
        screen
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .contains("Enlarge the window (Ctrl-X quits).")
    });
    console.resize(100, 30);
    console.wait_for(COMPOSER);

    // q is text in the note and quits nothing; Ctrl-C is no quit key any more;
    // Ctrl-X quits from inside the note.
    console.send("q");
    console.send(b"\x03");
    console.wait_until("q typed into the note", |_| console.row_with("│q").is_some());
    console.send(b"\x18");
    let status = console.wait_exit(WAIT);
    assert!(status.success(), "Ctrl-X should exit with 0, got {status}");
}

/// `metrics --json`'s duration figure with `key`.
fn duration_figure(metrics: &serde_json::Value, key: &str) -> serde_json::Value {
    metrics["durations"]
        .as_array()
        .expect("durations array")
        .iter()
        .find(|d| d["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {metrics:#}"))
        .clone()
}

/// Types `title`, then (after Tab) how long ago it was detected, and
/// presses Enter on the start screen.
fn declare_on_the_start_screen(console: &mut Console, title: &str, ago: &str) {
    console.wait_for("Detected how long ago?");
    console.send(title);
    console.send(b"\t");
    console.wait_for("type how long ago");
    console.send(ago);
    console.wait_for(&format!("Detected how long ago? {ago}"));
    console.send(b"\r");
}

/// Declared from the start screen as "detected 15 minutes ago", then
/// acknowledged and resolved with no flags: the metrics measure from the
/// detection the commander gave.
#[test]
fn declared_from_the_start_screen_detected_15m_ago_gives_metrics() {
    let dir = temp_dir();
    let db = db_in(&dir);
    let mut console = Console::spawn(&db, 80, 24, &[]);
    declare_on_the_start_screen(&mut console, "Search results empty", "15m");
    console.wait_until("the incident declared", |screen| {
        screen.contains("Search results empty") && screen.contains("Checklist")
    });
    // The incident pane lists detection before the declaration.
    console.wait_for("Detected ");
    console.send("q");
    assert!(console.wait_exit(WAIT).success());

    let id = latest_id(&db);
    let incident = show_json(&db, &id);
    let time = |key: &str| {
        chrono::DateTime::parse_from_rfc3339(
            incident[key]
                .as_str()
                .unwrap_or_else(|| panic!("{key}: {incident:#}")),
        )
        .unwrap()
    };
    let before = time("declared_at") - time("detected_at");
    assert!(
        before >= chrono::TimeDelta::minutes(15)
            && before < chrono::TimeDelta::minutes(15) + chrono::TimeDelta::seconds(5),
        "detected {before} before the declaration"
    );

    ok(&db, &["ack"]);
    ok(&db, &["resolve"]);
    let metrics: serde_json::Value =
        serde_json::from_str(&ok(&db, &["metrics", "--json"])).expect("metrics --json is JSON");
    for key in ["time_to_acknowledge", "time_to_resolve"] {
        let figure = duration_figure(&metrics, key);
        assert_eq!(figure["count"], 1, "{figure:#}");
        assert_eq!(figure["excluded"], serde_json::json!([]), "{figure:#}");
        let secs = figure["mean_secs"].as_f64().expect("a mean");
        assert!(
            (900.0..960.0).contains(&secs),
            "{key}: {secs} s, expected 15 minutes and a little"
        );
    }
}

/// A "how long ago" that is no time is refused on the start screen with
/// the command line's words, and nothing is declared.
#[test]
fn the_start_screen_refuses_a_detection_it_cannot_read() {
    let dir = temp_dir();
    let db = db_in(&dir);
    let mut console = Console::spawn(&db, 120, 30, &[]);
    declare_on_the_start_screen(&mut console, "Queue stuck", "+10m");
    console.wait_for("Detected: cannot read the time \"+10m\": expected RFC 3339");
    assert!(console.screen_text().contains("Declare an incident"));
    console.send_esc();
    assert!(console.wait_exit(WAIT).success());
    assert!(!ok(&db, &["list", "--all"]).contains("Queue stuck"));
}

/// The message row (the first of the footer's two).
fn message_row(console: &Console) -> String {
    let rows = console.rows();
    rows[rows.len() - 2].clone()
}

/// The message line always speaks of the last action, in the real console:
/// the picker's "Say why" is in sight while the reason is typed and gone
/// once the change went through; a hint goes with the next key; after a
/// mistyped command, the next command's answer replaces the complaint.
#[test]
fn the_message_line_speaks_of_the_last_action() {
    let dir = temp_dir();
    let db = db_in(&dir);
    let mut console = console_on_incident(&db, "Login errors");

    console.send("s");
    console.wait_for("Severity");
    console.send(b"\x1b[A"); // Up: P2 → P1
    console.send(b"\r");
    console.wait_until("the reason asked for beside the line", |_| {
        let row = message_row(&console);
        row.starts_with(":severity P1") && row.trim_end().ends_with("Say why, then Enter")
    });
    console.send("EU logins failing");
    console.wait_for("EU logins failing");
    console.send(b"\r");
    console.wait_until("the change said, the question gone", |_| {
        message_row(&console).trim_end() == "Severity P2 → P1: EU logins failing"
    });

    console.send("n");
    console.wait_for(COMPOSER);
    console.send("half a thought");
    console.send_esc();
    console.wait_until("the draft kept", |_| {
        message_row(&console).starts_with("Draft kept")
    });
    console.send("j");
    // Well before the message would fade by itself (6 s).
    console.wait_until_within(Duration::from_secs(3), "the hint gone after the next key", |_| {
        message_row(&console).trim().is_empty()
    });

    console.send(":launch missiles\r");
    console.wait_until("the complaint", |_| {
        message_row(&console).starts_with("unknown command :launch")
    });
    console.send(":ack\r");
    console.wait_until("the answer to :ack, not the old complaint", |_| {
        message_row(&console).trim_end() == "Acknowledged"
    });
    console.send("q");
    assert!(console.wait_exit(WAIT).success());
}

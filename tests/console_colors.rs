//! Colour as the terminal can show it: the console run for real in a pty
//! under different `TERM`s, its raw output scanned for the colour
//! sequences it wrote.

mod common;

use std::time::Duration;

use common::pty::Console;
use common::{db_in, ok, temp_dir};

/// Everything the console writes at 100×30 under `term` until its panes,
/// the help and the composer have been drawn.
fn output_under(term: &str, colorterm: &str) -> String {
    output_with_config(term, colorterm, "")
}

/// The same, with `config` as the config file.
fn output_with_config(term: &str, colorterm: &str, config_text: &str) -> String {
    let dir = temp_dir();
    let db = db_in(&dir);
    ok(&db, &["declare", "--severity", "P1", "Checkout API 500s"]);
    ok(&db, &["note", "rollback started"]);
    let config = dir.path().join("config");
    std::fs::create_dir_all(config.join("warroom")).unwrap();
    std::fs::write(config.join("warroom").join("config.toml"), config_text).unwrap();
    let config = config.to_str().unwrap().to_string();
    let mut console = Console::spawn(
        &db,
        100,
        30,
        &[
            ("TERM", term),
            ("COLORTERM", colorterm),
            ("XDG_CONFIG_HOME", &config),
        ],
    );
    console.wait_for("rollback started");
    console.send("?");
    console.wait_for("Help —");
    console.send_esc();
    console.wait_gone("Help —");
    console.send("n");
    console.wait_for(" Note — ");
    console.send_esc();
    console.wait_gone(" Note — ");
    console.send("q");
    console.wait_exit(Duration::from_secs(10));
    String::from_utf8_lossy(&console.raw()).into_owned()
}

/// Whether an SGR sequence in `raw` has `parameter` among its parameters.
fn sets_colour(raw: &str, parameter: &str) -> bool {
    let sgr = regex::Regex::new(r"\x1b\[([0-9;]*)m").unwrap();
    sgr.captures_iter(raw)
        .any(|c| c[1].split(';').any(|p| p == parameter))
}

const EXTENDED: [&str; 4] = ["38;5;", "48;5;", "38;2;", "48;2;"];

#[test]
fn terminals_without_256_colours_get_only_the_basic_16() {
    for term in ["vt100", "linux", "xterm"] {
        let raw = output_under(term, "");
        for sequence in EXTENDED {
            assert!(!raw.contains(sequence), "TERM={term} got {sequence:?}");
        }
        // Colour is still there, in its 16-colour form: the cyan of the keys.
        assert!(sets_colour(&raw, "36"), "TERM={term}: no basic cyan");
        // The text came through whole: `output_under` waited for it on the
        // emulated screen (raw bytes split words where cells are skipped).
    }
}

#[test]
fn terminals_with_256_colours_keep_them() {
    let raw = output_under("xterm-256color", "");
    assert!(raw.contains("38;5;"), "xterm-256color lost its colours");
    let raw = output_under("xterm", "truecolor");
    assert!(raw.contains("38;5;"), "COLORTERM=truecolor lost its colours");
}

#[test]
fn no_color_writes_no_colour_at_all() {
    let dir = temp_dir();
    let db = db_in(&dir);
    ok(&db, &["declare", "--severity", "P0", "Checkout API 500s"]);
    let mut console = Console::spawn(&db, 100, 30, &[("TERM", "vt100"), ("NO_COLOR", "1")]);
    console.wait_for("Checklist");
    console.send("q");
    console.wait_exit(Duration::from_secs(10));
    let raw = String::from_utf8_lossy(&console.raw()).into_owned();
    for sequence in EXTENDED {
        assert!(!raw.contains(sequence), "NO_COLOR got {sequence:?}");
    }
    for colour in ["31", "36", "41", "91", "101"] {
        assert!(!sets_colour(&raw, colour), "NO_COLOR got SGR {colour}");
    }
}

/// `theme = "light"`: no bright text colour (they vanish on white); with
/// `theme = "dark"` the bright ones are used, so the check can fail.
#[test]
fn a_light_theme_writes_no_bright_text() {
    let bright = ["90", "91", "92", "93", "94", "95", "96", "97"];
    let light = output_with_config("xterm", "", "theme = \"light\"\n");
    for colour in bright {
        assert!(!sets_colour(&light, colour), "theme light wrote SGR {colour}");
    }
    let dark = output_with_config("xterm", "", "theme = \"dark\"\n");
    assert!(
        bright.iter().any(|c| sets_colour(&dark, c)),
        "theme dark wrote no bright colour"
    );
}

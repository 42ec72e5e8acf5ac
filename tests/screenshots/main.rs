//! The README's pictures, taken from the real binary: it runs in a
//! pseudo-terminal, what it writes goes through the vt100 emulator the
//! console tests use, and each screen is drawn as SVG (`svg.rs`). The
//! animation replays `demo.tape`'s keys in a shell.
//!
//! `scripts/screenshots` runs this test with `WARROOM_SCREENSHOTS_OUT` set to
//! `docs/images`; without it the pictures go to a temporary folder. Either
//! way every picture is then parsed and checked.

#[path = "../common/mod.rs"]
mod common;
mod svg;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::pty::Console;
use common::tape::{self, Step};

/// Every picture at one size, so regenerating them keeps their dimensions.
const COLS: u16 = 120;
const ROWS: u16 = 34;
/// How long the output must stay quiet before a screen counts as drawn.
const SETTLED: Duration = Duration::from_millis(150);
/// How long a key may take to draw anything before the frame is taken anyway.
const KEY_ANSWER: Duration = Duration::from_secs(3);
/// How long the animation holds its last frame before starting again.
const LAST_FRAME_HOLD: Duration = Duration::from_secs(4);

/// Where the pictures go, and a scratch folder (home, state, databases) that
/// keeps the runs away from the caller's own files.
struct Studio {
    out: PathBuf,
    scratch: tempfile::TempDir,
}

impl Studio {
    fn scratch(&self) -> &Path {
        self.scratch.path()
    }

    /// The environment of every program pictured: its own home, no config
    /// but the defaults, UTC, a dark background, no bell.
    fn env(&self) -> Vec<(&'static str, String)> {
        let scratch = self.scratch().display().to_string();
        let bin_dir = Path::new(common::BIN).parent().unwrap().display().to_string();
        vec![
            ("HOME", scratch.clone()),
            ("TMPDIR", scratch.clone()),
            ("XDG_CONFIG_HOME", format!("{scratch}/config")),
            ("XDG_STATE_HOME", format!("{scratch}/state")),
            ("XDG_DATA_HOME", format!("{scratch}/data")),
            ("PATH", format!("{bin_dir}:/usr/bin:/bin")),
            ("LANG", "C.UTF-8".into()),
            ("COLORFGBG", "15;0".into()),
            ("WARROOM_BELL", "off".into()),
            ("PS1", "$ ".into()),
        ]
    }

    fn spawn(&self, program: &str, args: &[&str]) -> Console {
        let env = self.env();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Console::spawn_program(program, args, self.scratch(), COLS, ROWS, &env)
    }

    /// Writes a picture through a temporary file renamed into place.
    fn save(&self, name: &str, svg: &str) -> PathBuf {
        let path = self.out.join(name);
        let partial = self.out.join(format!(".{name}.partial"));
        std::fs::write(&partial, svg).expect("write a picture");
        std::fs::rename(&partial, &path).expect("move the picture into place");
        path
    }
}

/// Waits for the program to answer what was just sent (any output, or
/// [`KEY_ANSWER`] of none), then for the output to settle.
fn settle_after(console: &Console, written_before: usize) {
    let deadline = std::time::Instant::now() + KEY_ANSWER;
    while console.bytes_written() == written_before && std::time::Instant::now() < deadline {
        std::thread::sleep(common::pty::POLL);
    }
    console.wait_until_stable(SETTLED);
}

fn send_and_settle(console: &mut Console, keys: &str) {
    let before = console.bytes_written();
    console.send(keys);
    settle_after(console, before);
}

/// Waits for `text`, then for the screen to settle, and saves it.
fn take(studio: &Studio, console: &Console, text: &str, name: &str, title: &str) -> PathBuf {
    console.wait_for(text);
    console.wait_until_stable(SETTLED);
    studio.save(name, &svg::still(&console.screen(), title))
}

/// The console of `warroom demo`, its severity picker, its help, and a
/// note being written.
fn console_pictures(studio: &Studio) -> Vec<PathBuf> {
    let mut demo = studio.spawn(common::BIN, &["demo"]);
    let mut taken = Vec::new();
    // The story's last step, an action item: the story is all on screen.
    taken.push(take(
        studio,
        &demo,
        "Add a canary stage",
        "console.svg",
        "warroom demo",
    ));

    demo.send("s");
    taken.push(take(
        studio,
        &demo,
        "Enter then say why",
        "severity.svg",
        "warroom demo: s opens the severity picker",
    ));
    demo.send_esc();
    demo.wait_gone("Enter then say why");

    demo.send("?");
    taken.push(take(
        studio,
        &demo,
        "close help",
        "help.svg",
        "warroom demo: ? help",
    ));
    demo.send_esc();
    demo.wait_gone("close help");

    demo.send("n");
    demo.send("Rollback held in eu-west-1: 5xx at 0.2% for 10 minutes");
    demo.send("\n");
    demo.send("us-east-1 next, same runbook");
    taken.push(take(
        studio,
        &demo,
        "same runbook",
        "note.svg",
        "warroom demo: n writes a note",
    ));
    // Leave the draft, then the console; the demo removes its database.
    demo.send_esc();
    demo.send("q");
    demo.wait_exit(common::pty::WAIT);
    taken
}

/// The first screen of the demo story's post-mortem draft, as a shell shows
/// `warroom export | head`.
fn export_picture(studio: &Studio) -> PathBuf {
    let db = studio.scratch().join("story.db");
    warroom::demo::create(&db, chrono::Utc::now()).expect("write the demo story");
    let mut shell = studio.spawn("bash", &["--norc", "--noprofile"]);
    shell.wait_for("$");
    shell.send(format!("export WARROOM_DB={} && clear\r", db.display()));
    shell.wait_until("the cleared screen", |screen| screen.trim() == "$");
    // The command, a screen of the draft, and the prompt back.
    shell.send(format!("warroom export | head -n {}\r", ROWS - 2));
    shell.wait_until("the export and the prompt after it", |screen| {
        screen.contains("# Post-mortem") && screen.trim_end().ends_with("\n$")
    });
    shell.wait_until_stable(SETTLED);
    let picture = studio.save(
        "export.svg",
        &svg::still(&shell.screen(), "warroom export: the post-mortem draft"),
    );
    shell.send("exit\r");
    shell.wait_exit(common::pty::WAIT);
    picture
}

/// `demo.tape` replayed in a shell, one frame each time the screen answers
/// a key or a typed word; the tape's typing speed and pauses set the
/// frames' times, so the recording takes seconds, not the tape's length.
fn demo_animation(studio: &Studio) -> PathBuf {
    let tape = tape::demo();
    let mut shell = studio.spawn("bash", &["--norc", "--noprofile"]);
    shell.wait_for("$");
    let mut frames: Vec<svg::Frame> = Vec::new();
    let mut shown = true;
    let mut clock = Duration::ZERO;
    let record = |shell: &Console, shown: bool, clock: Duration, frames: &mut Vec<svg::Frame>| {
        if shown {
            frames.push(svg::Frame::of(&shell.screen(), clock));
        }
    };
    for step in &tape.steps {
        match step {
            Step::Type(text) => {
                // A word at a time (with the space after it) keeps the
                // animation small; its time is the tape's, letter by letter.
                for word in text.split_inclusive(' ') {
                    send_and_settle(&mut shell, word);
                    record(&shell, shown, clock, &mut frames);
                    if shown {
                        clock += tape.typing_speed * word.chars().count() as u32;
                    }
                }
            }
            Step::Key(key) => {
                send_and_settle(&mut shell, key);
                record(&shell, shown, clock, &mut frames);
                if shown {
                    clock += tape.typing_speed;
                }
            }
            Step::Pause(pause) => {
                // Whatever the screen does while the tape waits (the console
                // starting, an export printing) shows before the pause ends.
                std::thread::sleep((*pause / 4).min(Duration::from_millis(500)));
                shell.wait_until_stable(SETTLED);
                record(&shell, shown, clock, &mut frames);
                if shown {
                    clock += *pause;
                }
            }
            Step::Shown(now_shown) => {
                shell.wait_until_stable(SETTLED);
                shown = *now_shown;
            }
        }
    }
    shell.wait_for("# Post-mortem");
    shell.wait_until_stable(SETTLED);
    record(&shell, shown, clock, &mut frames);
    shell.send("exit\r");
    shell.wait_exit(common::pty::WAIT);
    let length = clock + LAST_FRAME_HOLD;
    studio.save(
        "demo.svg",
        &svg::animation(
            COLS,
            ROWS,
            "demo.tape: declare, a note, a tick, a severity change, a timer, a status update, the export",
            &frames,
            length,
        ),
    )
}

/// What each picture must show, in words of the screen.
fn expected_words(name: &str) -> &'static [&'static str] {
    match name {
        "console.svg" => &["Checkout", "Timeline", "Checklist", "canary"],
        "severity.svg" => &["Severity", "P0", "P3"],
        "help.svg" => &["note", "quit"],
        "note.svg" => &["Rollback", "us-east-1"],
        "export.svg" => &["Post-mortem:", "Checkout"],
        "demo.svg" => &["warroom", "export", "Checkout", "rollback"],
        other => panic!("no words expected of {other}"),
    }
}

/// Parses a picture and checks it is an SVG of the terminal's size with the
/// screen's words in it, and not trivially small.
fn check_picture(path: &Path) {
    let name = path.file_name().unwrap().to_str().unwrap();
    let text = std::fs::read_to_string(path).expect("read the picture");
    assert!(text.len() > 2_000, "{name} is only {} bytes", text.len());
    let document =
        roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "svg", "{name}");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg"),
        "{name}"
    );
    let (width, height) = svg::dimensions(COLS, ROWS);
    let size: Vec<f64> = ["width", "height"]
        .iter()
        .map(|a| root.attribute(*a).and_then(|v| v.parse().ok()).unwrap_or(0.0))
        .collect();
    assert_eq!(size, [width, height], "{name}'s size");
    let words: Vec<&str> = document
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert!(words.len() > 20, "{name} has only {} text runs", words.len());
    let all = words.join(" ");
    for word in expected_words(name) {
        assert!(all.contains(word), "{name} does not show {word:?}: {all}");
    }
    if name == "demo.svg" {
        let steps = document
            .descendants()
            .filter(|n| n.has_tag_name("animate"))
            .count();
        assert!(steps > 50, "the animation has only {steps} changes");
    }
}

#[test]
fn every_readme_picture_is_drawn_from_the_real_binary() {
    let scratch = tempfile::Builder::new()
        .prefix("warroom-screenshots-")
        .tempdir()
        .unwrap();
    let out = match std::env::var_os("WARROOM_SCREENSHOTS_OUT") {
        Some(dir) => PathBuf::from(dir),
        None => scratch.path().join("images"),
    };
    std::fs::create_dir_all(&out).expect("create the pictures' folder");
    let studio = Studio { out, scratch };

    let mut pictures = console_pictures(&studio);
    pictures.push(export_picture(&studio));
    pictures.push(demo_animation(&studio));

    let mut total = 0;
    for picture in &pictures {
        check_picture(picture);
        let bytes = std::fs::metadata(picture).unwrap().len();
        total += bytes;
        println!("{} {bytes} bytes", picture.display());
    }
    println!("{} pictures, {total} bytes in all", pictures.len());
    assert!(pictures.len() >= 6);
}

/// Text that is markup to XML, colours, reverse video and wide characters
/// come out as well-formed SVG showing the same text in the same columns.
#[test]
fn markup_on_the_screen_stays_text_in_the_picture() {
    let mut terminal = vt100::Parser::new(
        std::num::NonZeroU16::new(4).unwrap(),
        std::num::NonZeroU16::new(40).unwrap(),
        0,
    );
    terminal.process("<script>&amp;\"x\"</script>\r\n".as_bytes());
    terminal.process("\x1b[1;31;47mP0\x1b[0m \x1b[7m障害\x1b[0m \x1b[38;5;208morange\x1b[0m".as_bytes());
    let picture = svg::still(terminal.screen(), "a <title> & more");
    let document = roxmltree::Document::parse(&picture).expect("well-formed SVG");
    let texts: Vec<(String, String)> = document
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            (
                n.attribute("x").unwrap_or("").to_string(),
                n.text().unwrap_or("").to_string(),
            )
        })
        .collect();
    let has = |x: &str, text: &str| texts.iter().any(|(at, t)| at == x && t == text);
    assert!(texts.iter().any(|(_, t)| t == "a <title> & more"), "{texts:?}");
    assert!(has("0", "<script>&amp;\"x\"</script>"), "{texts:?}");
    assert!(has("0", "P0"), "{texts:?}");
    // The wide characters take two columns each: the next run starts at 8.
    assert!(has("25.2", "障害"), "{texts:?}");
    assert!(has("67.2", "orange"), "{texts:?}");
    assert!(
        picture.contains("fill=\"#ff8700\""),
        "colour 208 is xterm's #ff8700"
    );
}

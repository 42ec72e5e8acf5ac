//! The full-screen console, driven for real: the built binary runs in a
//! pseudo-terminal, its output is fed into a vt100 emulator, and the tests
//! look at the emulated screen the way a responder would.

mod common;

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};

use common::{BIN, db_in, ok, show_json, temp_dir};

/// How long any one thing on the screen may take to appear (a loaded 2-core
/// machine, a debug build).
const WAIT: Duration = Duration::from_secs(10);
/// How often the screen is looked at while waiting.
const POLL: Duration = Duration::from_millis(20);
/// Between a lone Esc and the next key, so the two are not read as Alt+key.
const AFTER_ESC: Duration = Duration::from_millis(150);

fn nz(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).expect("terminal sizes are not zero")
}

/// What the reader thread keeps: the emulated screen and every byte written.
struct Output {
    parser: vt100::Parser,
    raw: Vec<u8>,
    last_byte_at: Instant,
}

/// The console running in a pseudo-terminal.
struct Console {
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    output: Arc<Mutex<Output>>,
    /// Set by the reader thread when the pty reports end of output.
    closed: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
}

impl Console {
    /// Starts `warroom --db DB` in a `cols`×`rows` terminal.
    fn spawn(db: &Path, cols: u16, rows: u16, env: &[(&str, &str)]) -> Console {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");

        let mut cmd = CommandBuilder::new(BIN);
        cmd.arg("--db");
        cmd.arg(db);
        cmd.env_remove("WARROOM_DB");
        cmd.env_remove("NO_COLOR");
        cmd.env("TERM", "xterm-256color");
        cmd.env("TZ", "UTC");
        if let Some(folder) = db.parent() {
            cmd.cwd(folder);
        }
        for (key, value) in env {
            cmd.env(key, value);
        }
        let child = pty.slave.spawn_command(cmd).expect("start warroom in the pty");
        // Only the child holds the terminal side now, so its exit ends our reads.
        drop(pty.slave);

        let master = pty.master;
        let mut reader = master.try_clone_reader().expect("pty reader");
        let writer = master.take_writer().expect("pty writer");
        let output = Arc::new(Mutex::new(Output {
            parser: vt100::Parser::new(nz(rows), nz(cols), 0),
            raw: Vec::new(),
            last_byte_at: Instant::now(),
        }));
        let closed = Arc::new(AtomicBool::new(false));
        let reader = {
            let output = Arc::clone(&output);
            let closed = Arc::clone(&closed);
            thread::Builder::new()
                .name("pty-reader".into())
                .spawn(move || {
                    let mut buf = [0u8; 8192];
                    loop {
                        match reader.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                let mut out = output.lock().unwrap();
                                out.parser.process(&buf[..n]);
                                out.raw.extend_from_slice(&buf[..n]);
                                out.last_byte_at = Instant::now();
                            }
                        }
                    }
                    closed.store(true, Ordering::SeqCst);
                })
                .expect("start the pty reader")
        };
        Console {
            child,
            master,
            writer,
            output,
            closed,
            reader: Some(reader),
        }
    }

    /// Types `bytes` as the terminal would send them.
    fn send(&mut self, bytes: impl AsRef<[u8]>) {
        self.writer.write_all(bytes.as_ref()).expect("write to the pty");
        self.writer.flush().expect("flush the pty");
    }

    /// A lone Esc, then a pause so the next key is not taken as Alt+key.
    fn send_esc(&mut self) {
        self.send(b"\x1b");
        thread::sleep(AFTER_ESC);
    }

    /// The screen as text, one line per row.
    fn screen_text(&self) -> String {
        self.output.lock().unwrap().parser.screen().contents()
    }

    /// The screen's rows, each as wide as the terminal.
    fn rows(&self) -> Vec<String> {
        let out = self.output.lock().unwrap();
        let screen = out.parser.screen();
        let (_, cols) = screen.size();
        screen.rows(0, cols.get()).collect()
    }

    /// Every byte the console has written so far.
    fn raw(&self) -> Vec<u8> {
        self.output.lock().unwrap().raw.clone()
    }

    /// The screen framed with row numbers, for failure messages.
    fn dump(&self) -> String {
        let rows = self.rows();
        let width = rows.first().map_or(0, |r| r.chars().count());
        let mut text = format!("    +{}+\n", "-".repeat(width));
        for (n, row) in rows.iter().enumerate() {
            text.push_str(&format!("{n:>3} |{row}|\n"));
        }
        text.push_str(&format!("    +{}+", "-".repeat(width)));
        text
    }

    /// Waits until `check` holds for the screen text; panics with the screen
    /// after [`WAIT`].
    fn wait_until(&self, what: &str, check: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + WAIT;
        loop {
            if check(&self.screen_text()) {
                return;
            }
            if Instant::now() >= deadline {
                panic!(
                    "timed out after {WAIT:?} waiting for {what}; the screen:\n{}",
                    self.dump()
                );
            }
            thread::sleep(POLL);
        }
    }

    /// Waits until `text` is on the screen.
    fn wait_for(&self, text: &str) {
        self.wait_until(&format!("{text:?} to appear"), |screen| screen.contains(text));
    }

    /// Waits until `text` is no longer on the screen.
    fn wait_gone(&self, text: &str) {
        self.wait_until(&format!("{text:?} to go away"), |screen| !screen.contains(text));
    }

    /// Waits until the console has written nothing for `quiet`.
    fn wait_until_stable(&self, quiet: Duration) {
        let deadline = Instant::now() + WAIT;
        loop {
            let last = self.output.lock().unwrap().last_byte_at;
            if last.elapsed() >= quiet {
                return;
            }
            if Instant::now() >= deadline {
                panic!(
                    "the screen never settled for {quiet:?}; the screen:\n{}",
                    self.dump()
                );
            }
            thread::sleep(POLL);
        }
    }

    /// Resizes the terminal (the emulator first, so the redraw lands on the
    /// new size); the console gets SIGWINCH.
    fn resize(&mut self, cols: u16, rows: u16) {
        self.output
            .lock()
            .unwrap()
            .parser
            .screen_mut()
            .set_size(nz(rows), nz(cols));
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the pty");
    }

    fn pid(&self) -> String {
        self.child.process_id().expect("the console's pid").to_string()
    }

    /// Sends a signal (`TERM`, `HUP`, …) to the console with kill(1).
    fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed: {status}");
    }

    /// Waits for the console to exit, then for its last output to be read.
    fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("poll the console") {
                break status;
            }
            if Instant::now() >= deadline {
                panic!(
                    "the console did not exit within {timeout:?}; the screen:\n{}",
                    self.dump()
                );
            }
            thread::sleep(POLL);
        };
        let deadline = Instant::now() + WAIT;
        while !self.closed.load(Ordering::SeqCst) {
            if Instant::now() >= deadline {
                panic!("the pty never reported end of output after the console exited");
            }
            thread::sleep(POLL);
        }
        if let Some(reader) = self.reader.take() {
            reader.join().expect("the pty reader panicked");
        }
        status
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        // A failed test must not leave the console running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The Unix account the console attributes entries to.
fn account() -> String {
    let uid = uzers::get_current_uid();
    uzers::get_user_by_uid(uid)
        .map(|user| user.name().to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("uid:{uid}"))
}

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

    console.send(" "); // ticks the selected item, 1.1
    console.wait_for("[x] 1.1");

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
        .find(|i| i["key"] == "1.1")
        .expect("checklist item 1.1");
    assert_eq!(item["state"], "done", "item 1.1: {item:#}");
    assert_eq!(item["changed_by"], account().as_str(), "item 1.1: {item:#}");
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
    assert!(
        row.contains("note"),
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
    assert!(console.output.lock().unwrap().parser.screen().alternate_screen());

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
        !console.output.lock().unwrap().parser.screen().alternate_screen(),
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

//! The full-screen console driven for real: the built binary runs in a
//! pseudo-terminal, its output is fed into a vt100 emulator, and tests look
//! at the emulated screen the way a responder would.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};

use super::BIN;

/// How long any one thing on the screen may take to appear (a loaded 2-core
/// machine, a debug build).
pub const WAIT: Duration = Duration::from_secs(10);
/// How often the screen is looked at while waiting.
pub const POLL: Duration = Duration::from_millis(20);
/// Between a lone Esc and the next key, so the two are not read as Alt+key.
pub const AFTER_ESC: Duration = Duration::from_millis(150);

/// The label that starts the incident pane's presence line.
pub const HERE_NOW: &str = "Here now";

fn nz(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).expect("terminal sizes are not zero")
}

/// The Unix account the console and the CLI attribute entries to.
pub fn account() -> String {
    let uid = uzers::get_current_uid();
    uzers::get_user_by_uid(uid)
        .map(|user| user.name().to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("uid:{uid}"))
}

/// One console listed on the "Here now" line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Present {
    pub account: String,
    /// `pts/N`.
    pub terminal: String,
}

/// What the reader thread keeps: the emulated screen and every byte written.
struct Output {
    parser: vt100::Parser,
    raw: Vec<u8>,
    last_byte_at: Instant,
}

/// The console running in a pseudo-terminal.
pub struct Console {
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
    pub fn spawn(db: &Path, cols: u16, rows: u16, env: &[(&str, &str)]) -> Console {
        Console::spawn_with_args(db, &[], cols, rows, env)
    }

    /// Starts `warroom --db DB ARGS…` in a `cols`×`rows` terminal.
    pub fn spawn_with_args(db: &Path, args: &[&str], cols: u16, rows: u16, env: &[(&str, &str)]) -> Console {
        let mut cmd = CommandBuilder::new(BIN);
        cmd.arg("--db");
        cmd.arg(db);
        for arg in args {
            cmd.arg(arg);
        }
        cmd.env_remove("WARROOM_DB");
        cmd.env_remove("NO_COLOR");
        cmd.env("TERM", "xterm-256color");
        cmd.env("TZ", "UTC");
        // A PostgreSQL URL has no folder to start in.
        if let Some(folder) = db.parent().filter(|folder| folder.is_dir()) {
            cmd.cwd(folder);
        }
        for (key, value) in env {
            cmd.env(key, value);
        }
        Console::start(cmd, cols, rows)
    }

    /// Any program (a shell, say) in a pty, in `cwd`, with `TERM=xterm-256color`.
    pub fn spawn_program(
        program: &str,
        args: &[&str],
        cwd: &Path,
        cols: u16,
        rows: u16,
        env: &[(&str, &str)],
    ) -> Console {
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.cwd(cwd);
        cmd.env("TERM", "xterm-256color");
        cmd.env("TZ", "UTC");
        cmd.env_remove("WARROOM_DB");
        for (key, value) in env {
            cmd.env(key, value);
        }
        Console::start(cmd, cols, rows)
    }

    fn start(cmd: CommandBuilder, cols: u16, rows: u16) -> Console {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let child = pty
            .slave
            .spawn_command(cmd)
            .expect("start the program in the pty");
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
    pub fn send(&mut self, bytes: impl AsRef<[u8]>) {
        self.writer.write_all(bytes.as_ref()).expect("write to the pty");
        self.writer.flush().expect("flush the pty");
    }

    /// A lone Esc, then a pause so the next key is not taken as Alt+key.
    pub fn send_esc(&mut self) {
        self.send(b"\x1b");
        thread::sleep(AFTER_ESC);
    }

    /// The screen as text, one line per row.
    pub fn screen_text(&self) -> String {
        self.output.lock().unwrap().parser.screen().contents()
    }

    /// The emulated screen with every cell's colours and attributes.
    pub fn screen(&self) -> vt100::Screen {
        self.output.lock().unwrap().parser.screen().clone()
    }

    /// How many bytes the program has written so far.
    pub fn bytes_written(&self) -> usize {
        self.output.lock().unwrap().raw.len()
    }

    /// The screen's rows, each as wide as the terminal.
    pub fn rows(&self) -> Vec<String> {
        let out = self.output.lock().unwrap();
        let screen = out.parser.screen();
        let (_, cols) = screen.size();
        screen.rows(0, cols.get()).collect()
    }

    /// The first row holding `text`, if any.
    pub fn row_with(&self, text: &str) -> Option<String> {
        self.rows().into_iter().find(|row| row.contains(text))
    }

    /// Every byte the console has written so far.
    pub fn raw(&self) -> Vec<u8> {
        self.output.lock().unwrap().raw.clone()
    }

    /// Whether the console is on the alternate screen.
    pub fn alternate_screen(&self) -> bool {
        self.output.lock().unwrap().parser.screen().alternate_screen()
    }

    /// The screen framed with row numbers, for failure messages.
    pub fn dump(&self) -> String {
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
    pub fn wait_until(&self, what: &str, check: impl Fn(&str) -> bool) {
        self.wait_until_within(WAIT, what, check);
    }

    /// Waits up to `timeout` until `check` holds for the screen text, then
    /// returns how long it took; panics with the screen after `timeout`.
    pub fn wait_until_within(&self, timeout: Duration, what: &str, check: impl Fn(&str) -> bool) -> Duration {
        let started = Instant::now();
        let deadline = started + timeout;
        loop {
            if check(&self.screen_text()) {
                return started.elapsed();
            }
            if Instant::now() >= deadline {
                panic!(
                    "timed out after {timeout:?} waiting for {what}; the screen:\n{}",
                    self.dump()
                );
            }
            thread::sleep(POLL);
        }
    }

    /// Waits until `text` is on the screen.
    pub fn wait_for(&self, text: &str) {
        self.wait_until(&format!("{text:?} to appear"), |screen| screen.contains(text));
    }

    /// Waits until `text` is no longer on the screen.
    pub fn wait_gone(&self, text: &str) {
        self.wait_until(&format!("{text:?} to go away"), |screen| !screen.contains(text));
    }

    /// Waits until the console has written nothing for `quiet`.
    pub fn wait_until_stable(&self, quiet: Duration) {
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
    pub fn resize(&mut self, cols: u16, rows: u16) {
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

    /// The console's process id.
    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("the console's pid")
    }

    /// The terminal the console runs on, as the console names it (`pts/3`).
    pub fn terminal(&self) -> String {
        let path = self.master.tty_name().expect("the pty's terminal name");
        path.strip_prefix("/dev").unwrap_or(&path).display().to_string()
    }

    /// Sends a signal (`TERM`, `HUP`, `KILL`, …) to the console with kill(1).
    pub fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed: {status}");
    }

    /// Kills the console with SIGKILL (nothing of it runs afterwards: no
    /// goodbye, no terminal restore) and waits until it is gone.
    pub fn kill_9(&mut self) -> ExitStatus {
        self.signal("KILL");
        let status = self.wait_exit(WAIT);
        assert!(
            status.signal().is_some(),
            "kill -KILL should end the console by the signal, got {status}"
        );
        status
    }

    /// Waits for the console to exit, then for its last output to be read.
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
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

    /// The consoles the incident pane's "Here now" line lists, in order; None
    /// while that line is not on the screen.
    pub fn here_now(&self) -> Option<Vec<Present>> {
        here_now_in(&self.rows())
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

/// Whether a pane line starts with one of the incident pane's labels (a word
/// padded with spaces to 13 columns), i.e. is not the wrapped end of the
/// line above.
fn starts_with_label(line: &str) -> bool {
    let head: String = line.chars().take(13).collect();
    let word = head.trim_end();
    head.chars().count() == 13
        && word.len() < head.len()
        && !word.is_empty()
        && !word.contains(char::is_whitespace)
        && word.starts_with(|c: char| c.is_ascii_uppercase())
}

/// Reads the "Here now" line off screen rows: the pane text right of the
/// label, plus its wrapped continuation, as `account terminal HH:MM` items.
fn here_now_in(rows: &[String]) -> Option<Vec<Present>> {
    let (at, column, first) = rows.iter().enumerate().find_map(|(n, row)| {
        row.split('│')
            .enumerate()
            .find(|(_, pane)| pane.starts_with(HERE_NOW))
            .map(|(column, pane)| (n, column, pane[HERE_NOW.len()..].to_string()))
    })?;
    let mut text = first;
    for row in &rows[at + 1..] {
        match row.split('│').nth(column) {
            Some(pane) if !pane.trim().is_empty() && !starts_with_label(pane) => {
                text.push(' ');
                text.push_str(pane);
            }
            _ => break,
        }
    }
    let words: Vec<&str> = text.split([',', ' ']).filter(|w| !w.is_empty()).collect();
    Some(
        words
            .windows(2)
            .filter(|pair| pair[1].contains('/'))
            .map(|pair| Present {
                account: pair[0].to_string(),
                terminal: pair[1].to_string(),
            })
            .collect(),
    )
}

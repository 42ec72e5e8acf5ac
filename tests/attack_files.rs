//! Bad files and bad places, each through the real binary: `declare`,
//! `note`, `show`, `list`, and the console (`warroom --db P` with no
//! command), run without a terminal. Every refusal must be a clear one-line
//! message on stderr starting with `error:`, exit status 1, never a panic,
//! nothing drawn, and the file left byte-for-byte as it was.
//!
//! Each test collects every problem it finds and reports them together, and
//! prints how many cases (one command on one file) it ran.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

const DECLARE: &[&str] = &["declare", "should not happen"];
const NOTE: &[&str] = &["note", "-i", "1", "nope"];
const SHOW: &[&str] = &["show", "1"];
const LIST: &[&str] = &["list"];
/// No command: the console.
const CONSOLE: &[&str] = &[];

fn is_root() -> bool {
    uzers::get_current_uid() == 0
}

thread_local! {
    /// Where the processes a test starts keep their state (logs, drafts):
    /// inside that test's own temporary folder, set with [`state_in`].
    static STATE_HOME: std::cell::RefCell<PathBuf> = std::cell::RefCell::new(PathBuf::from("/nonexistent"));
}

/// A fresh folder for one test, which also holds the state of the
/// processes it starts.
fn test_dir() -> tempfile::TempDir {
    let dir = temp_dir();
    STATE_HOME.with(|s| *s.borrow_mut() = dir.path().join("state"));
    dir
}

/// A `warroom` process with no terminal at all: stdin from /dev/null,
/// output captured, and a session of its own, so the console cannot find
/// a controlling terminal to take over even when the tests run in one.
/// `as_other` runs it as `nobody` when the tests run as root (root may
/// write any file, so a read-only file needs another account).
fn run(db: &Path, args: &[&str], as_other: bool) -> Output {
    let mut cmd = warroom(db);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("XDG_STATE_HOME", STATE_HOME.with(|s| s.borrow().clone()));
    if as_other && is_root() {
        cmd.uid(65534).gid(65534);
    }
    // SAFETY: setsid is async-signal-safe and touches no memory of ours.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    cmd.output().expect("run warroom")
}

/// Problems found by one test, reported all at once at its end.
struct Findings {
    test: &'static str,
    cases: usize,
    problems: Vec<String>,
}

impl Findings {
    fn new(test: &'static str) -> Findings {
        Findings {
            test,
            cases: 0,
            problems: Vec::new(),
        }
    }

    fn check(&mut self, ok: bool, problem: impl FnOnce() -> String) {
        if !ok {
            self.problems.push(problem());
        }
    }

    /// A refusal: exit 1, a one-line `error:` message containing each of
    /// `expected`, no panic, the cause not repeated, nothing on stdout.
    /// Whatever is wrong with one case is reported as one problem.
    fn refused(&mut self, what: &str, args: &[&str], out: &Output, expected: &[&str]) {
        self.cases += 1;
        let err = stderr(out);
        let mut wrong = Vec::new();
        if out.status.success() {
            wrong.push("it succeeded instead of refusing".to_string());
        } else {
            if out.status.code() != Some(1) {
                wrong.push(format!("exit status {:?}, not 1", out.status));
            }
            if !err.starts_with("error: ") {
                wrong.push("stderr does not start with `error: `".into());
            }
            if err.contains("panicked") {
                wrong.push("it panicked".into());
            }
            if err.trim_end().lines().count() != 1 {
                wrong.push("the message is not one line".into());
            }
            if err.matches("(os error").count() > 1 {
                wrong.push("the cause is repeated".into());
            }
            for fragment in expected {
                if !err.contains(fragment) {
                    wrong.push(format!("{fragment:?} is not in the message"));
                }
            }
        }
        if !out.stdout.is_empty() {
            wrong.push(format!(
                "{} bytes on stdout (a refusal prints nothing; a console must not draw)",
                out.stdout.len()
            ));
        }
        if !wrong.is_empty() {
            self.problems.push(format!(
                "{what}: warroom {}: {}; stderr: {err:?}",
                display_args(args),
                wrong.join(", ")
            ));
        }
    }

    /// A command that must work: exit 0, empty stderr.
    fn worked(&mut self, what: &str, args: &[&str], out: &Output) {
        self.cases += 1;
        self.check(out.status.success() && out.stderr.is_empty(), || {
            format!(
                "{what}: warroom {} should work: {:?}, stderr {:?}",
                display_args(args),
                out.status,
                stderr(out)
            )
        });
    }

    fn finish(self) {
        eprintln!("{}: {} cases", self.test, self.cases);
        assert!(
            self.problems.is_empty(),
            "{}: {} problem(s) in {} cases:\n  {}",
            self.test,
            self.problems.len(),
            self.cases,
            self.problems.join("\n  ")
        );
    }
}

fn display_args(args: &[&str]) -> String {
    if args.is_empty() {
        "(console)".into()
    } else {
        args.join(" ")
    }
}

/// The bytes of a file and of the `-wal`/`-shm`/`-journal` files beside it
/// (None for those that do not exist).
#[derive(Debug, PartialEq, Eq)]
struct Bytes(Vec<(String, Option<Vec<u8>>)>);

fn bytes_of(path: &Path, with_shm: bool) -> Bytes {
    let mut files = vec![(String::new(), std::fs::read(path).ok())];
    for suffix in ["-wal", "-journal"].into_iter().chain(with_shm.then_some("-shm")) {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        files.push((suffix.to_string(), std::fs::read(side).ok()));
    }
    Bytes(files)
}

fn unchanged(f: &mut Findings, what: &str, path: &Path, before: &Bytes, with_shm: bool) {
    let after = bytes_of(path, with_shm);
    for ((suffix, was), (_, now)) in before.0.iter().zip(&after.0) {
        f.check(was == now, || match (was, now) {
            (None, Some(_)) => format!("{what}: {}{suffix} was created", path.display()),
            (Some(_), None) => format!("{what}: {}{suffix} was removed", path.display()),
            _ => format!("{what}: {}{suffix} was changed", path.display()),
        });
    }
}

/// Every command on `path` is refused with `expected` in the message and
/// the file and its side files are left exactly as they were.
fn all_refused(f: &mut Findings, what: &str, path: &Path, expected: &[&str], as_other: bool) {
    let before = bytes_of(path, false);
    for args in [DECLARE, NOTE, SHOW, LIST, CONSOLE] {
        let out = run(path, args, as_other);
        f.refused(what, args, &out, expected);
    }
    unchanged(f, what, path, &before, false);
}

/// A real warroom database with some history, checkpointed so the whole of
/// it is in the main file and no `-wal`/`-shm` is left beside it.
fn real_database(dir: &Path, name: &str, notes: usize) -> PathBuf {
    let db = dir.join(name);
    ok(&db, &["declare", "--severity", "P1", "a real incident"]);
    ok(&db, &["check", "1.1"]);
    for n in 0..notes {
        ok(&db, &["note", &format!("note {n}: {}", "log line ".repeat(200))]);
    }
    checkpoint_and_close(&db);
    db
}

fn checkpoint_and_close(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    drop(conn);
    // The last connection closing removes both; make sure.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

/// xorshift: the same "random" bytes on every run.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

// ---------------------------------------------------------------------------

/// Admins pre-create an empty 0660 file for the group: warroom takes a
/// 0-byte file as a fresh database. Writers set it up and keep its mode;
/// readers on it neither crash nor claim it is damaged.
#[test]
fn an_empty_file_is_a_fresh_database() {
    let mut f = Findings::new("an_empty_file_is_a_fresh_database");
    let dir = test_dir();

    // Readers first, each on its own new empty file.
    for (args, expect_ok, text) in [
        (
            &["list"][..],
            true,
            "No incidents: there is no warroom database at",
        ),
        (&["list", "--json"], true, "[]"),
        (&["show"], false, "no warroom database at"),
        (&["show", "1"], false, "no warroom database at"),
        (&["show", "--json"], false, "no warroom database at"),
        (&["note", "first words"], false, "no warroom database at"),
    ] {
        let path = dir.path().join(format!("empty-{}.db", args.join("-")));
        std::fs::write(&path, b"").unwrap();
        let out = run(&path, args, false);
        let what = "empty file";
        if expect_ok {
            f.worked(what, args, &out);
            let stdout = String::from_utf8_lossy(&out.stdout);
            f.check(stdout.trim().starts_with(text), || {
                format!("{what}: {args:?} printed {stdout:?}")
            });
        } else {
            f.refused(what, args, &out, &[text]);
        }
        // Readers leave the empty file alone.
        let len = std::fs::metadata(&path).unwrap().len();
        f.check(len == 0, || format!("{what}: {args:?} wrote to the empty file"));
        if len > 0 {
            let conn = rusqlite::Connection::open(&path).unwrap();
            let id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
            let check: String = conn
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .unwrap();
            f.check(id == 0x5752_524D && check == "ok", || {
                format!("{what}: after {args:?} the file is neither empty nor a sound warroom database")
            });
        }
    }

    // A writer declares on the admin's 0660 file and keeps its mode.
    let path = dir.path().join("precreated.db");
    std::fs::write(&path, b"").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o660)).unwrap();
    let out = run(
        &path,
        &["declare", "--severity", "P2", "on the admin's empty file"],
        false,
    );
    f.worked("empty 0660 file", &["declare"], &out);
    f.check(String::from_utf8_lossy(&out.stdout).trim() == "1", || {
        format!(
            "declare on an empty file printed {:?}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    f.check(mode == 0o660, || {
        format!("declaring changed the file's mode to {mode:o}")
    });
    let out = run(&path, &["note", "written after"], false);
    f.worked("empty 0660 file", &["note"], &out);
    let out = run(&path, &["show", "--json"], false);
    f.worked("empty 0660 file", &["show", "--json"], &out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    f.check(json["title"] == "on the admin's empty file", || {
        format!("show --json: {json}")
    });

    // The console on an empty file, without a terminal: a clean refusal
    // about the terminal, not a crash.
    let path = dir.path().join("console.db");
    std::fs::write(&path, b"").unwrap();
    let out = run(&path, CONSOLE, false);
    f.refused("empty file, no terminal", CONSOLE, &out, &["terminal"]);
    f.finish();
}

#[test]
fn random_bytes_are_refused_untouched() {
    let mut f = Findings::new("random_bytes_are_refused_untouched");
    let dir = test_dir();
    let mut header_then_noise = b"SQLite format 3\0".to_vec();
    header_then_noise.extend(noise(7, 64 * 1024 - 16));
    let files: [(&str, Vec<u8>); 8] = [
        ("64 KiB of noise", noise(1, 64 * 1024)),
        ("the SQLite magic, then noise", header_then_noise),
        ("99 bytes of noise (shorter than a header)", noise(3, 99)),
        ("one NUL byte", vec![0]),
        ("a single newline (`echo > FILE`)", b"\n".to_vec()),
        ("one letter", b"x".to_vec()),
        ("five bytes of text", b"hello".to_vec()),
        ("the SQLite magic alone", b"SQLite format 3\0".to_vec()),
    ];
    for (n, (what, bytes)) in files.into_iter().enumerate() {
        let path = dir.path().join(format!("noise-{n}.db"));
        std::fs::write(&path, &bytes).unwrap();
        all_refused(
            &mut f,
            what,
            &path,
            &["not an SQLite file at all", "left untouched"],
            false,
        );
    }
    f.finish();
}

#[test]
fn a_truncated_database_is_refused_untouched() {
    let mut f = Findings::new("a_truncated_database_is_refused_untouched");
    let dir = test_dir();
    let real = real_database(dir.path(), "real.db", 40);
    let whole = std::fs::read(&real).unwrap();
    let page = 4096;
    assert!(
        whole.len() >= 16 * page,
        "the fixture is big enough to cut: {} bytes",
        whole.len()
    );
    for (what, len) in [
        ("cut in half", whole.len() / 2),
        ("cut to a quarter", whole.len() / 4),
        ("cut to one page and a bit", page + 100),
        ("cut at three quarters, mid-page", whole.len() * 3 / 4 + 1000),
    ] {
        let path = dir.path().join(format!("cut-{len}.db"));
        std::fs::write(&path, &whole[..len]).unwrap();
        all_refused(
            &mut f,
            what,
            &path,
            &["is damaged", "restore it from a copy"],
            false,
        );
    }
    // The original still works: nothing above touched it.
    let out = run(&real, SHOW, false);
    f.worked("the uncut original", SHOW, &out);
    f.finish();
}

#[test]
fn another_applications_sqlite_file_is_refused_untouched() {
    let mut f = Findings::new("another_applications_sqlite_file_is_refused_untouched");
    let dir = test_dir();
    let expected = &["SQLite file of another application", "left untouched"][..];

    let plain = dir.path().join("invoices.db");
    let conn = rusqlite::Connection::open(&plain).unwrap();
    conn.execute_batch(
        "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL);
         INSERT INTO invoices (total) VALUES (9.5), (12.25);",
    )
    .unwrap();
    drop(conn);
    all_refused(&mut f, "another application's file", &plain, expected, false);

    // Tagged with warroom's own table names but another application_id.
    let lookalike = dir.path().join("lookalike.db");
    let conn = rusqlite::Connection::open(&lookalike).unwrap();
    conn.execute_batch(
        "PRAGMA application_id = 1234; PRAGMA user_version = 2;
         CREATE TABLE incidents (id INTEGER PRIMARY KEY, title TEXT);
         CREATE TABLE events (id INTEGER PRIMARY KEY, text TEXT);",
    )
    .unwrap();
    drop(conn);
    all_refused(
        &mut f,
        "a look-alike with another application_id",
        &lookalike,
        expected,
        false,
    );

    // Another application in WAL mode, running right now with changes still
    // in its -wal: refused, and its -wal left as it is.
    let live = dir.path().join("live.db");
    let conn = rusqlite::Connection::open(&live).unwrap();
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
        .unwrap();
    conn.execute_batch(
        "PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE cache (k TEXT PRIMARY KEY, v BLOB);
         INSERT INTO cache VALUES ('a', randomblob(5000)), ('b', randomblob(5000));",
    )
    .unwrap();
    all_refused(
        &mut f,
        "another application's live WAL file",
        &live,
        expected,
        false,
    );
    drop(conn);
    f.finish();
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    let mut f = Findings::new("a_newer_schema_is_refused_untouched");
    let dir = test_dir();
    let expected = &["newer warroom (schema 99", "left untouched"][..];

    let closed = real_database(dir.path(), "closed.db", 2);
    let conn = rusqlite::Connection::open(&closed).unwrap();
    conn.execute_batch("PRAGMA user_version = 99;").unwrap();
    drop(conn);
    checkpoint_and_close(&closed);
    all_refused(&mut f, "a newer schema", &closed, expected, false);

    // A newer warroom is using it right now: its last changes are in the -wal.
    let live = real_database(dir.path(), "live.db", 2);
    let conn = rusqlite::Connection::open(&live).unwrap();
    conn.execute_batch(
        "PRAGMA wal_autocheckpoint = 0; PRAGMA user_version = 99;
         CREATE TABLE future_feature (x);",
    )
    .unwrap();
    all_refused(&mut f, "a newer schema in use", &live, expected, false);
    drop(conn);
    f.finish();
}

/// A file the account cannot write opens read-only: reads work, writes say
/// why, the console shows READ-ONLY; the file is unchanged.
#[test]
fn a_read_only_file_is_read_but_never_written() {
    let mut f = Findings::new("a_read_only_file_is_read_but_never_written");
    let dir = test_dir();
    let db = dir.path().join("w.db");
    ok(&db, &["declare", "--severity", "P1", "watched from afar"]);
    ok(&db, &["note", "something to read"]);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = bytes_of(&db, false);

    for args in [&["show", "1"][..], &["list"], &["show", "--json"]] {
        let out = run(&db, args, true);
        f.worked("read-only file", args, &out);
    }
    for args in [
        DECLARE,
        NOTE,
        &["check", "1.1"],
        &["severity", "P0", "--reason", "x"],
    ] {
        let out = run(&db, args, true);
        f.refused("read-only file", args, &out, &["read-only for your account"]);
    }
    unchanged(&mut f, "read-only file", &db, &before, false);

    // The console, in a real terminal: it opens with its READ-ONLY badge,
    // a write key says why it does nothing, and q quits cleanly.
    match read_only_console(&db) {
        Ok(screen) => {
            f.cases += 1;
            f.check(screen.contains("READ-ONLY"), || {
                format!("the console on a read-only file shows no READ-ONLY badge:\n{screen}")
            });
        }
        Err(reason) => f.problems.push(format!("read-only console: {reason}")),
    }
    unchanged(&mut f, "read-only console", &db, &before, false);
    f.finish();
}

/// Runs the console on `db` as an account that cannot write it, in a
/// pseudo-terminal; returns the screen once READ-ONLY shows, after quitting.
fn read_only_console(db: &Path) -> Result<String, String> {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::{Read, Write};
    use std::sync::{Arc, Mutex};

    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 30,
            cols: 100,
            pixel_width: 0,
            pixel_height: 0,
        })
        .map_err(|e| format!("no pty: {e}"))?;
    let mut cmd = if is_root() {
        let mut cmd = CommandBuilder::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN]);
        cmd
    } else {
        CommandBuilder::new(BIN)
    };
    cmd.arg("--db");
    cmd.arg(db);
    cmd.env_remove("WARROOM_DB");
    cmd.env("TERM", "xterm-256color");
    cmd.env("XDG_STATE_HOME", "/nonexistent");
    cmd.cwd(db.parent().unwrap());
    let mut child = pty
        .slave
        .spawn_command(cmd)
        .map_err(|e| format!("cannot start the console: {e}"))?;
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let mut writer = pty.master.take_writer().unwrap();
    let parser = Arc::new(Mutex::new(vt100::Parser::new(
        std::num::NonZeroU16::new(30).unwrap(),
        std::num::NonZeroU16::new(100).unwrap(),
        0,
    )));
    let feed = Arc::clone(&parser);
    let reading = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            feed.lock().unwrap().process(&buf[..n]);
        }
    });
    let screen = || parser.lock().unwrap().screen().contents();
    let wait = |what: &str, check: &dyn Fn(&str) -> bool| -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !check(&screen()) {
            if Instant::now() > deadline {
                return Err(format!("timed out waiting for {what}; the screen:\n{}", screen()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    };
    let result = (|| {
        wait("the READ-ONLY badge", &|s| s.contains("READ-ONLY"))?;
        let shown = screen();
        // Space would tick an item: read-only, it must say why not.
        writer.write_all(b" ").unwrap();
        writer.flush().unwrap();
        wait("a word on why nothing was ticked", &|s| {
            s.contains("you can watch but not change it")
        })?;
        writer.write_all(b"q").unwrap();
        writer.flush().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                if !status.success() {
                    return Err(format!("the console exited with {status}"));
                }
                return Ok(shown);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "the console did not quit on q; the screen:\n{}",
                    screen()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    })();
    if let Ok(None) = child.try_wait() {
        let _ = child.kill();
        let _ = child.wait();
    }
    drop(pty.master);
    let _ = reading.join();
    result
}

/// The folder is not writable and no `-shm` exists yet: SQLite cannot open
/// a WAL database then, not even to read. The message must say what is
/// wrong, not that reading works.
#[test]
fn a_read_only_folder_without_shm_is_refused_clearly() {
    let mut f = Findings::new("a_read_only_folder_without_shm_is_refused_clearly");
    let dir = test_dir();
    let folder = dir.path().join("readonly");
    std::fs::create_dir(&folder).unwrap();
    let db = real_database(&folder, "w.db", 2);
    assert!(!Path::new(&format!("{}-shm", db.display())).exists());
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    if !is_root() {
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    let before = bytes_of(&db, true);
    for args in [DECLARE, NOTE, SHOW, LIST, CONSOLE] {
        let out = run(&db, args, true);
        f.refused("read-only folder, no -shm", args, &out, &[]);
        let err = stderr(&out);
        f.check(!err.contains("you can read"), || {
            format!(
                "read-only folder, no -shm: warroom {} failed, yet its message says reading works: {err:?}",
                display_args(args)
            )
        });
        f.check(err.contains("-shm"), || {
            format!(
                "read-only folder, no -shm: warroom {}: the message does not name the missing -shm file: {err:?}",
                display_args(args)
            )
        });
    }
    unchanged(&mut f, "read-only folder, no -shm", &db, &before, true);
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    f.finish();
}

/// Places where no database can be: a folder that does not exist and
/// cannot be made, a path through a regular file, a name too long.
#[test]
fn impossible_places_are_refused_clearly() {
    let mut f = Findings::new("impossible_places_are_refused_clearly");
    let dir = test_dir();
    let regular = dir.path().join("notes.txt");
    std::fs::write(&regular, b"not a folder\n").unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();

    let long_name = format!("{}.db", "x".repeat(300));
    let places: [(&str, PathBuf, bool, &[&str]); 5] = [
        (
            "a folder under /proc",
            PathBuf::from("/proc/x/y.db"),
            false,
            &["/proc/x"],
        ),
        (
            "a path through a regular file",
            regular.join("w.db"),
            false,
            &["notes.txt"],
        ),
        (
            "a sub-folder of a folder it cannot write",
            locked.join("sub").join("w.db"),
            true,
            &["locked"],
        ),
        (
            "a file in /proc itself",
            PathBuf::from("/proc/self/w.db"),
            false,
            &["/proc/self/w.db"],
        ),
        (
            "a name longer than the system allows",
            dir.path().join(&long_name),
            false,
            &["xxxx"],
        ),
    ];
    for (what, path, as_other, expected) in places {
        for args in [DECLARE, NOTE, SHOW, CONSOLE] {
            let out = run(&path, args, as_other);
            f.refused(what, args, &out, expected);
        }
        // Listing where nothing was ever declared is an empty list (by
        // design), or a refusal when the place is not even readable.
        let out = run(&path, LIST, as_other);
        if out.status.success() {
            f.worked(what, LIST, &out);
            f.check(
                String::from_utf8_lossy(&out.stdout)
                    .starts_with("No incidents: there is no warroom database at"),
                || format!("{what}: list printed {:?}", String::from_utf8_lossy(&out.stdout)),
            );
        } else {
            f.refused(what, LIST, &out, expected);
        }
        f.check(!path.exists(), || {
            format!("{what}: {} was created", path.display())
        });
    }
    f.check(!locked.join("sub").exists(), || {
        "a folder was created in a locked folder".into()
    });
    f.check(std::fs::read(&regular).unwrap() == b"not a folder\n", || {
        "notes.txt was changed".into()
    });
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    f.finish();
}

/// A full disk: a tiny tmpfs mounted in a mount namespace private to one
/// thread of this test (so nothing outside it sees the mount). Needs root;
/// skipped with the reason printed otherwise.
#[test]
fn a_full_disk_refuses_the_write_and_keeps_the_file() {
    let handle = std::thread::spawn(|| {
        let mut f = Findings::new("a_full_disk_refuses_the_write_and_keeps_the_file");
        let dir = test_dir();
        let mount_point = dir.path().join("small");
        std::fs::create_dir(&mount_point).unwrap();
        if let Err(reason) = mount_tiny_tmpfs(&mount_point) {
            eprintln!("SKIPPED a_full_disk_refuses_the_write_and_keeps_the_file: {reason}");
            return None;
        }
        full_disk_cases(&mut f, &mount_point);
        // SAFETY: a plain syscall on a path we own.
        unsafe {
            let target = std::ffi::CString::new(mount_point.as_os_str().as_encoded_bytes()).unwrap();
            libc::umount2(target.as_ptr(), libc::MNT_DETACH);
        }
        Some(f)
    });
    if let Some(f) = handle.join().expect("the full-disk thread") {
        f.finish();
    }
}

/// Mounts a 1 MiB tmpfs on `at`, visible to this thread and the processes it
/// starts only.
fn mount_tiny_tmpfs(at: &Path) -> Result<(), String> {
    if !is_root() {
        return Err("mounting a small file system needs root".into());
    }
    let target = std::ffi::CString::new(at.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: plain syscalls with valid NUL-terminated strings.
    unsafe {
        if libc::unshare(libc::CLONE_NEWNS) != 0 {
            return Err(format!(
                "unshare(CLONE_NEWNS): {}",
                std::io::Error::last_os_error()
            ));
        }
        // Keep the mount out of every other namespace.
        if libc::mount(
            c"none".as_ptr(),
            c"/".as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ) != 0
        {
            return Err(format!("making / private: {}", std::io::Error::last_os_error()));
        }
        if libc::mount(
            c"tmpfs".as_ptr(),
            target.as_ptr(),
            c"tmpfs".as_ptr(),
            0,
            c"size=1m,mode=0755".as_ptr().cast(),
        ) != 0
        {
            return Err(format!("mount -t tmpfs: {}", std::io::Error::last_os_error()));
        }
    }
    Ok(())
}

fn full_disk_cases(f: &mut Findings, mount_point: &Path) {
    let db = mount_point.join("w.db");
    let out = run(&db, &["declare", "--severity", "P1", "disk about to fill"], false);
    f.worked("small disk", &["declare"], &out);
    let out = run(&db, &["note", "before the disk filled"], false);
    f.worked("small disk", &["note"], &out);

    // Fill every byte left with another file.
    let filler = mount_point.join("filler");
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&filler).unwrap();
        let block = vec![0x5a_u8; 4096];
        while file.write_all(&block).is_ok() {}
        let _ = file.sync_all();
    }
    let before = std::fs::read(&db).unwrap();

    let big = format!(
        "a pasted log excerpt {}",
        "0123456789abcdef".repeat(100 * 1024 / 16)
    );
    let note_big = |db: &Path| {
        let mut child = warroom(db)
            .args(["note", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(big.as_bytes()).unwrap();
        }
        child.wait_with_output().unwrap()
    };
    let out = note_big(&db);
    f.refused(
        "full disk",
        &["note", "- (100 KB)"],
        &out,
        &["is full", "nothing was written"],
    );
    f.check(std::fs::read(&db).unwrap() == before, || {
        "the refused note changed the database file".into()
    });
    // Other writes either fit in space SQLite already holds or are refused
    // the same way; never another kind of failure.
    for args in [DECLARE, &["check", "1.2"][..], &["timer", "5m", "still full?"]] {
        let out = run(&db, args, false);
        if out.status.success() {
            f.worked("full disk", args, &out);
        } else {
            f.refused("full disk", args, &out, &["is full", "nothing was written"]);
        }
    }
    // Readers still read, and the refused note is not there.
    for args in [LIST, &["show", "--json"][..]] {
        let out = run(&db, args, false);
        f.worked("full disk", args, &out);
    }
    let record: serde_json::Value =
        serde_json::from_slice(&run(&db, &["show", "--json"], false).stdout).unwrap_or_default();
    let texts: Vec<&str> = record["timeline"]
        .as_array()
        .map(|t| t.iter().filter_map(|e| e["text"].as_str()).collect())
        .unwrap_or_default();
    f.check(texts.contains(&"before the disk filled"), || {
        "the note from before is gone".into()
    });
    f.check(!texts.contains(&big.as_str()), || {
        "the refused note is in the timeline".into()
    });
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    f.check(check == "ok", || {
        format!("integrity_check after the full disk: {check}")
    });

    // Space again: the same note goes in, once.
    std::fs::remove_file(&filler).unwrap();
    let out = note_big(&db);
    f.worked("disk with space again", &["note", "- (100 KB)"], &out);
    let record: serde_json::Value =
        serde_json::from_slice(&run(&db, &["show", "--json"], false).stdout).unwrap_or_default();
    let count = record["timeline"]
        .as_array()
        .map(|t| t.iter().filter(|e| e["text"] == big.as_str()).count())
        .unwrap_or(0);
    f.check(count == 1, || {
        format!("the note written after freeing space is there {count} times")
    });
}

//! Files warroom must refuse, each left byte-for-byte as it was, and a
//! read-only file that can still be read.

mod common;

use std::path::Path;

use common::*;

/// Runs a write and a read command against `path` and checks both refuse
/// with `expected` in the message, exit status 1, and leave the file as it was.
fn assert_refused(path: &Path, expected: &str) {
    let before = std::fs::read(path).ok();
    for args in [
        &["declare", "should not happen"][..],
        &["note", "-i", "1", "nope"],
        &["show", "1"],
        &["list"],
    ] {
        let out = fails(path, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: expected {expected:?} in {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert_eq!(std::fs::read(path).ok(), before, "{} was changed", path.display());
    for suffix in ["-wal", "-journal"] {
        let side = format!("{}{suffix}", path.display());
        assert!(!Path::new(&side).exists(), "{side} was created");
    }
}

#[test]
fn a_folder_is_refused() {
    let dir = temp_dir();
    assert_refused(dir.path(), "is a folder");
}

#[test]
fn a_file_that_is_not_sqlite_is_refused() {
    let dir = temp_dir();
    let path = dir.path().join("notes.txt");
    let mut bytes = b"these are my incident notes, not a database\n".repeat(200);
    bytes.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    std::fs::write(&path, &bytes).unwrap();
    assert_refused(&path, "not an SQLite file");
}

#[test]
fn another_applications_sqlite_file_is_refused() {
    let dir = temp_dir();
    let path = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (9.5);")
        .unwrap();
    drop(conn);
    assert_refused(&path, "another application");

    // One that sets its own application_id is refused too.
    let tagged = dir.path().join("tagged.db");
    let conn = rusqlite::Connection::open(&tagged).unwrap();
    conn.execute_batch("PRAGMA application_id = 1234; CREATE TABLE t (x);")
        .unwrap();
    drop(conn);
    assert_refused(&tagged, "another application");
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = temp_dir();
    let path = db_in(&dir);
    ok(&path, &["declare", "from the future"]);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA user_version = 99;").unwrap();
    // Leave the file checkpointed and alone, as a newer binary would.
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
        .unwrap();
    drop(conn);
    assert_refused(&path, "newer warroom (schema 99");
}

#[test]
fn a_malformed_runbook_is_refused_naming_its_line() {
    let dir = temp_dir();
    let db = db_in(&dir);
    let runbook = dir.path().join("broken.md");
    std::fs::write(
        &runbook,
        "# Broken\n\n## Steps\n- [ ] **Page**: page on-call\n\n### Phase 1: Triage (soon)\n- [ ] look\n",
    )
    .unwrap();
    let out = fails(&db, &["declare", "--runbook", runbook.to_str().unwrap(), "x"]);
    let err = stderr(&out);
    assert!(err.contains("broken.md") && err.contains("line 6"), "{err}");
    assert!(!db.exists(), "nothing is created for a refused declaration");
}

#[test]
fn bad_times_and_usage_errors_have_their_exit_codes() {
    let dir = temp_dir();
    let db = db_in(&dir);
    ok(&db, &["declare", "times"]);
    let out = fails(&db, &["note", "--at", "yesterday-ish", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("RFC 3339"), "{}", stderr(&out));
    let out = fails(&db, &["note", "--at", "+5m", "x"]);
    assert_eq!(out.status.code(), Some(1));
    let out = fails(&db, &["declare", "--severity", "P7", "x"]);
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
    let out = fails(&db, &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A file the account cannot write: reads work, writes say why, the file is
/// unchanged. As root (CI), the binary runs as `nobody`, since root can
/// write any file.
#[test]
fn a_read_only_file_can_be_read_but_not_written() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;

    let dir = temp_dir();
    let db = db_in(&dir);
    ok(&db, &["declare", "--severity", "P1", "read me"]);
    ok(&db, &["note", "something to read"]);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    // The folder is not writable for the reader either: reading works because
    // warroom keeps the -shm file that SQLite needs for a WAL database.
    let before = std::fs::read(&db).unwrap();

    let as_reader = |args: &[&str]| {
        let mut cmd = warroom(&db);
        cmd.args(args);
        if uzers::get_current_uid() == 0 {
            cmd.uid(65534).gid(65534);
        }
        cmd.output().unwrap()
    };
    let shown = as_reader(&["show", "--json"]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    let json: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(json["title"], "read me");

    for args in [
        &["note", "denied"][..],
        &["check", "1.1"],
        &["declare", "another"],
    ] {
        let out = as_reader(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.starts_with("error: ") && err.contains("read-only for your account"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

/// `ssh host warroom` without `-t` has no terminal: the console says what to
/// do instead of an operating-system error.
#[test]
fn the_console_without_a_terminal_says_to_use_ssh_t() {
    let dir = temp_dir();
    let db = db_in(&dir);
    ok(&db, &["declare", "x"]);
    let out = warroom(&db)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run warroom");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: the console needs a terminal") && err.contains("ssh -t"),
        "{err}"
    );
}

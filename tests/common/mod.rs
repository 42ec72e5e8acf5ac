//! Helpers shared by the integration tests: the real binary, real files.
#![allow(dead_code)]

pub mod accounts;
pub mod engines;
pub mod pg;
pub mod pty;
pub mod tape;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use warroom::domain::chain::ChainValue;

pub const BIN: &str = env!("CARGO_BIN_EXE_warroom");

/// A `warroom` command on `db`, isolated from the caller's environment.
pub fn warroom(db: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--db").arg(db).env_remove("WARROOM_DB");
    cmd
}

/// Runs `warroom --db DB ARGS…` and insists it succeeded silently on stderr.
pub fn ok(db: &Path, args: &[&str]) -> String {
    let out = warroom(db).args(args).output().expect("run warroom");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "warroom {args:?} failed: status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

/// Insists a finished command succeeded (stderr may speak); its stdout.
pub fn succeeded(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed: {}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `warroom --db DB ARGS…` expecting failure; returns the output.
pub fn fails(db: &Path, args: &[&str]) -> Output {
    let out = warroom(db).args(args).output().expect("run warroom");
    assert!(
        !out.status.success(),
        "warroom {args:?} unexpectedly succeeded: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    out
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A fresh folder for one test, readable by other accounts (some tests run
/// the binary as `nobody`).
pub fn temp_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

pub fn db_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("warroom.db")
}

/// The texts of an incident's notes, in timeline order (from `show --json`).
pub fn note_texts(db: &Path, id: &str) -> Vec<String> {
    show_json(db, id)["timeline"]
        .as_array()
        .expect("a timeline")
        .iter()
        .filter(|e| e["kind"] == "note")
        .map(|e| e["text"].as_str().expect("a note's text").to_string())
        .collect()
}

/// `show --json` parsed.
pub fn show_json(db: &Path, id: &str) -> serde_json::Value {
    serde_json::from_str(&ok(db, &["show", id, "--json"])).expect("show --json is JSON")
}

thread_local! {
    static FIXTURE_NOW_MS: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
}

/// A store clock for fixtures (`Store::set_clock(fixture_clock)`): the time
/// set last with [`set_fixture_clock`] on this thread, so fixtures record
/// entries when they happened and snapshots do not depend on the wall clock.
pub fn fixture_clock() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(FIXTURE_NOW_MS.with(|c| c.get())).unwrap()
}

pub fn set_fixture_clock(at: chrono::DateTime<chrono::Utc>) {
    FIXTURE_NOW_MS.with(|c| c.set(at.timestamp_millis()));
}

/// The chain values a rewriter with write access would compute.
pub fn chain_values(db: &Path) -> Vec<(i64, ChainValue)> {
    engines::Db::file(db).chain_values()
}

/// Gives every event the chain value warroom would have written, as after
/// rows planted straight into the file (tests that are about something else
/// than the chain plant rows this way).
pub fn rechain(db: &Path) {
    engines::Db::file(db).rechain()
}

//! Evidence from the shell (issue #15): `warroom run -- CMD…` in a real
//! pseudo-terminal and through pipes, `note --file`, the entry viewer on a
//! real screen, the export, `show --json` and `verify`, on both engines.

mod common;

use std::path::Path;
use std::process::Stdio;

use common::engines::Engine;
use common::pty::Console;
use common::{ok, show_json, warroom};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn declare(db: &Path) {
    ok(db, &["declare", "--severity", "P1", "Payments down"]);
}

/// The newest evidence entry of incident 1, with its `evidence` object.
fn last_evidence(db: &Path) -> Value {
    let record = show_json(db, "1");
    record["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|e| e["kind"] == "evidence")
        .cloned()
        .unwrap_or_else(|| panic!("no evidence entry in {record:#}"))
}

// `run` in a pty: both streams on the screen as they come, the command's
// exit status is warroom's, the entry holds both lines, the status and the
// hash of exactly those bytes.
on_both_engines! {
    fn run_streams_on_a_terminal_and_records_output_status_and_hash(db: &Db) {
        declare(db.path());
        let mut console = Console::spawn_with_args(
            db.path(),
            &["run", "--", "sh", "-c", "echo out; echo err >&2; exit 3"],
            80,
            24,
            &[],
        );
        console.wait_for("recorded on incident 1");
        let screen = console.screen_text();
        assert!(screen.contains("out") && screen.contains("err"), "{screen}");
        assert_eq!(console.wait_exit(common::pty::WAIT).exit_code(), 3);

        let entry = last_evidence(db.path());
        let evidence = &entry["evidence"];
        assert_eq!(
            entry["text"],
            "$ sh -c 'echo out; echo err >&2; exit 3'  exit 3  10 B",
            "{entry:#}"
        );
        // Through the pty: both lines, in order, with the terminal's line ends.
        let output = evidence["output"].as_str().unwrap();
        assert_eq!(output, "out\r\nerr\r\n");
        assert_eq!(evidence["exit_code"], 3);
        assert_eq!(evidence["sha256"], hex(&Sha256::digest(output.as_bytes())));
        assert_eq!(evidence["truncated"], false);
        assert_eq!(entry["author"], common::pty::account());
        assert!(evidence["cwd"].as_str().is_some_and(|cwd| cwd.starts_with('/')));
        ok(db.path(), &["verify"]);
    }
}

// Without a terminal, stdout and stderr stay apart (a `2>` still works)
// and the record holds both.
on_both_engines! {
    fn run_through_pipes_keeps_stdout_and_stderr_apart(db: &Db) {
        declare(db.path());
        let out = warroom(db.path())
            .args(["run", "--pin", "--", "sh", "-c", "echo out; echo err >&2; exit 3"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "out\n");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("err\n") && stderr.contains("recorded on incident 1"), "{stderr}");
        let entry = last_evidence(db.path());
        let output = entry["evidence"]["output"].as_str().unwrap();
        assert!(output.contains("out\n") && output.contains("err\n"), "{output:?}");
        assert_eq!(entry["pinned"], true);
    }
}

/// Ctrl-C stops a command that never ends, through its own terminal; the
/// entry says it was interrupted and warroom exits as a shell would (130).
#[test]
fn ctrl_c_stops_a_command_that_never_ends_and_is_recorded_as_such() {
    let dir = common::temp_dir();
    let db = common::db_in(&dir);
    declare(&db);
    let mut console = Console::spawn_with_args(&db, &["run", "--", "yes"], 80, 24, &[]);
    console.wait_until("yes printing", |screen| screen.matches('y').count() > 20);
    console.send("\x03");
    let status = console.wait_exit(common::pty::WAIT);
    assert_eq!(status.exit_code(), 130);
    let entry = last_evidence(&db);
    assert_eq!(entry["evidence"]["signal"], "SIGINT", "{entry:#}");
    let text = entry["text"].as_str().unwrap();
    assert!(text.starts_with("$ yes  interrupted (SIGINT)  "), "{text}");
    // The terminal was given back in its own mode (not raw): the shell
    // after us echoes and reads lines as before.
    assert!(!console.raw().is_empty());
}

/// 50 MB of output: kept to the first MiB, counted and hashed whole, said
/// in the entry; warroom's memory stays far below the output's size.
#[test]
fn a_50_mb_output_stays_bounded_and_says_so() {
    let dir = common::temp_dir();
    let db = common::db_in(&dir);
    declare(&db);
    // Waited for with wait4 below, for its peak memory.
    #[allow(clippy::zombie_processes)]
    let child = warroom(&db)
        .args(["run", "--", "head", "-c", "50000000", "/dev/zero"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data filled in by wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
    let peak_kib = usage.ru_maxrss;

    let entry = last_evidence(&db);
    let evidence = &entry["evidence"];
    assert_eq!(evidence["bytes"], 50_000_000);
    assert_eq!(evidence["stored_bytes"], 1024 * 1024);
    assert_eq!(evidence["truncated"], true);
    assert_eq!(evidence["binary"], true);
    let zeros = vec![0u8; 50_000_000];
    assert_eq!(evidence["sha256"], hex(&Sha256::digest(&zeros)));
    assert_eq!(
        evidence["stored_sha256"],
        hex(&Sha256::digest(&zeros[..1024 * 1024]))
    );
    assert_eq!(
        entry["text"],
        "$ head -c 50000000 /dev/zero  exit 0  binary, 50.0 MB (first 1.0 MB kept)"
    );
    // Bounded: holding the output would take 50 MB on its own.
    assert!(peak_kib < 40 * 1024, "peak RSS {peak_kib} KiB for a 50 MB output");
    println!("50 MB output: warroom's peak RSS {} KiB", peak_kib);
}

/// Hostile output (title, clipboard and clear-screen sequences) is shown by
/// the viewer as visible stand-ins, never sent to the terminal; `/` finds a
/// line in it; Esc closes.
#[test]
fn hostile_output_never_reaches_the_terminal_through_the_viewer() {
    let dir = common::temp_dir();
    let db = common::db_in(&dir);
    declare(&db);
    let hostile = r"printf '\033]0;owned\007\033]52;c;aGk=\007\033[2Jhostile line\n\033[32mgreen\033[0m\n'";
    let out = warroom(&db)
        .args(["run", "--", "sh", "-c", hostile])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut console = Console::spawn(&db, 120, 40, &[]);
    console.wait_for("EVIDENCE $ sh -c");
    // The timeline, whose newest entry (the evidence) is selected: open it.
    console.send("\t");
    console.send("\r");
    // A frame reaches the pty in pieces: wait for the viewer drawn whole,
    // the sequences shown as symbols, the colours left out, the facts there.
    console.wait_until("the output shown, its sequences as symbols", |screen| {
        screen.contains("hostile line")
            && screen.contains("␛]0;owned␇")
            && screen.contains("green")
            && screen.contains("SHA-256")
    });
    let raw = String::from_utf8_lossy(&console.raw()).into_owned();
    assert!(
        !raw.contains("\x1b]0;owned") && !raw.contains("\x1b]52"),
        "a sequence reached the terminal"
    );
    assert!(
        !console
            .rows()
            .iter()
            .any(|r| r.contains("Payments down") && r.is_empty())
    );

    console.send("/");
    console.send("green\r");
    // The command line holds the word too (the entry and its facts): it is matched first.
    console.wait_for("match 1 of 3 · lines 3–");
    console.send("/\r");
    console.wait_for("match 2 of 3");
    console.send_esc();
    console.wait_gone("hostile line");
    console.send("q");
    console.wait_exit(common::pty::WAIT);
}

// `note --file`: a text file's text and a binary file's bytes, with their
// hashes; the viewer-facing and export texts say binary; verify catches a
// stored output changed behind warroom's back.
on_both_engines! {
    fn note_file_attaches_text_and_binary_and_verify_catches_a_changed_output(db: &Db) {
        declare(db.path());
        let dir = common::temp_dir();
        let text_file = dir.path().join("pods.txt");
        std::fs::write(&text_file, "NAME  READY\napi-1 1/1\n").unwrap();
        let said = ok(db.path(), &["note", "--file", text_file.to_str().unwrap()]);
        assert!(said.trim_end().ends_with("pods.txt  22 B"), "{said}");
        let entry = last_evidence(db.path());
        assert_eq!(entry["evidence"]["output"], "NAME  READY\napi-1 1/1\n");
        assert_eq!(entry["evidence"]["exit_code"], Value::Null);
        let text_id = entry["id"].as_i64().unwrap();

        let binary_file = dir.path().join("core.bin");
        let bytes: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        std::fs::write(&binary_file, &bytes).unwrap();
        let said = ok(db.path(), &["note", "--pin", "--file", binary_file.to_str().unwrap()]);
        assert!(said.contains("binary, 5.0 KB"), "{said}");
        let entry = last_evidence(db.path());
        assert_eq!(entry["evidence"]["binary"], true);
        assert_eq!(entry["evidence"]["output"], Value::Null);
        assert_eq!(entry["evidence"]["sha256"], hex(&Sha256::digest(&bytes)));
        assert!(entry["evidence"]["output_base64"].as_str().is_some_and(|b| b.starts_with("AAECAwQF")));

        let export = ok(db.path(), &["export"]);
        assert!(export.contains("## Appendix: evidence"), "{export}");
        assert!(export.contains("NAME  READY"), "{export}");
        assert!(export.contains("Binary: not shown"), "{export}");
        ok(db.path(), &["verify"]);

        // A member rewrites the stored text with the database itself.
        let change = match db.engine {
            Engine::Sqlite => format!("UPDATE evidence_output SET output = X'4e414d45' WHERE event_id = {text_id}"),
            Engine::Postgres => format!("UPDATE evidence_output SET output = '\\x4e414d45'::bytea WHERE event_id = {text_id}"),
        };
        db.superuser_sql(&change);
        let out = common::fails(db.path(), &["verify"]);
        let stderr = common::stderr(&out);
        assert!(stderr.contains(&format!("evidence #{text_id} was altered")), "{stderr}");
        let json = show_json(db.path(), "1");
        let altered = json["timeline"].as_array().unwrap().iter().find(|e| e["id"] == text_id).unwrap();
        assert!(altered["evidence"]["output_problem"].as_str().is_some(), "{altered:#}");
        assert_eq!(altered["evidence"]["output"], Value::Null);
    }
}

/// Nothing runs when nothing could be recorded: no incident.
#[test]
fn run_is_refused_before_running_without_an_incident() {
    let dir = common::temp_dir();
    let db = common::db_in(&dir);
    ok(&db, &["declare", "x"]);
    let empty = dir.path().join("empty.db");
    let marker = dir.path().join("ran");
    let out = common::fails(&empty, &["run", "--", "touch", marker.to_str().unwrap()]);
    assert!(
        common::stderr(&out).starts_with("error:"),
        "{}",
        common::stderr(&out)
    );
    assert!(
        !marker.exists(),
        "the command ran although nothing could be recorded"
    );
    let out = common::fails(&db, &["run", "-i", "7", "--", "touch", marker.to_str().unwrap()]);
    assert!(
        common::stderr(&out).contains("no incident 7"),
        "{}",
        common::stderr(&out)
    );
    assert!(!marker.exists());
}

/// What the terminal received after its first `from` bytes, as text.
fn output_since(console: &Console, from: usize) -> String {
    String::from_utf8_lossy(&console.raw()[from..]).into_owned()
}

/// Waits until `text` is among what the terminal received after its first
/// `from` bytes; panics with that output after [`common::pty::WAIT`].
fn wait_for_since(console: &Console, from: usize, text: &str) {
    let deadline = std::time::Instant::now() + common::pty::WAIT;
    while !output_since(console, from).contains(text) {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {text:?}; the terminal received:\n{:?}",
            output_since(console, from)
        );
        std::thread::sleep(common::pty::POLL);
    }
}

/// The one child of process `pid` (a shell's job, a run's command).
fn only_child(pid: u32) -> u32 {
    let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap();
    let children: Vec<u32> = children.split_whitespace().map(|c| c.parse().unwrap()).collect();
    assert_eq!(children.len(), 1, "process {pid}'s children: {children:?}");
    children[0]
}

/// A process's state letter (`T`: stopped, `S`: sleeping, …; `-`: gone).
fn state_of(pid: u32) -> char {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return '-';
    };
    // The name in parentheses may hold spaces; the state follows it.
    let after_name = &stat[stat.rfind(')').unwrap() + 1..];
    after_name.trim_start().chars().next().unwrap()
}

fn wait_for_state(pid: u32, what: &str, check: impl Fn(char) -> bool) {
    let deadline = std::time::Instant::now() + common::pty::WAIT;
    while !check(state_of(pid)) {
        assert!(
            std::time::Instant::now() < deadline,
            "process {pid} never got {what} (state {})",
            state_of(pid)
        );
        std::thread::sleep(common::pty::POLL);
    }
}

/// An interactive shell (job control on) in a 120×30 pty, in `dir`, that
/// finds the tests' `warroom` first on its PATH; once it prompts.
fn job_control_shell(dir: &tempfile::TempDir, shell: &[&str]) -> Console {
    let bin_dir = Path::new(common::BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let home = dir.path().to_str().unwrap();
    let console = Console::spawn_program(
        shell[0],
        &shell[1..],
        dir.path(),
        120,
        30,
        &[("PATH", &path), ("HOME", home), ("PS1", "$ "), ("ENV", "")],
    );
    console.wait_for("$ ");
    console
}

/// A `warroom run` typed into an interactive shell with job control.
struct ShellRun {
    /// Holds the database and the shell's home.
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    shell: Console,
    /// How much the terminal had received before the run was typed.
    typed_at: usize,
}

impl ShellRun {
    /// Declares an incident, starts `shell` and types `warroom run -- sh -c
    /// SCRIPT` into it; returns once the terminal shows `started` (computed
    /// by the script, so the echo of the typed line never matches it).
    fn start(shell: &[&str], script: &str, started: &str) -> ShellRun {
        let dir = common::temp_dir();
        let db = common::db_in(&dir);
        declare(&db);
        let mut shell = job_control_shell(&dir, shell);
        let typed_at = shell.bytes_written();
        shell.send(format!(
            "warroom --db '{}' run -- sh -c '{script}'\r",
            db.display()
        ));
        wait_for_since(&shell, typed_at, started);
        ShellRun {
            _dir: dir,
            db,
            shell,
            typed_at,
        }
    }

    /// warroom's process and its command's.
    fn processes(&self) -> (u32, u32) {
        let warroom = only_child(self.shell.pid());
        (warroom, only_child(warroom))
    }
}

/// Ctrl-Z in `run` suspends the command and warroom together: the shell
/// says Stopped and reads lines in its own terminal mode; `bg` cannot run
/// it behind the terminal's back (warroom stops again, the command stays
/// stopped); `fg` resumes both with the terminal's new size, and the output
/// before and after lands in one entry with the command's exit status.
///
/// The shell is dash: bash puts back its own terminal settings whenever a
/// job stops, which would hide a warroom that left the terminal raw.
#[test]
fn ctrl_z_suspends_the_run_and_fg_resumes_it_in_the_same_entry() {
    // Each marker is computed, so the echo of the typed line never matches it.
    let script = "echo started-$((1+1)); read x; echo after-$x; stty size; exit 7";
    let mut run = ShellRun::start(&["dash", "-i"], script, "started-2");
    let (warroom, command) = run.processes();
    let (db, shell) = (&run.db, &mut run.shell);

    let mark = shell.bytes_written();
    shell.send("\x1a");
    wait_for_since(shell, mark, "Stopped");
    assert_eq!(state_of(warroom), 'T', "warroom is stopped");
    assert_eq!(state_of(command), 'T', "the command is stopped");
    // Our terminal is back in its own mode: the shell's line is echoed and read.
    let mark = shell.bytes_written();
    shell.send("echo typed-$((6*7))\r");
    wait_for_since(shell, mark, "typed-42");

    // Continued in the background, warroom may not take the terminal: it
    // stops again (tty output) and leaves the command stopped.
    let mark = shell.bytes_written();
    shell.send("bg\r");
    let deadline = std::time::Instant::now() + common::pty::WAIT;
    while !output_since(shell, mark).contains("tty output") {
        assert!(
            std::time::Instant::now() < deadline,
            "warroom never stopped again in the background; the terminal received:\n{:?}",
            output_since(shell, mark)
        );
        shell.send("jobs\r");
        std::thread::sleep(common::pty::POLL * 5);
    }
    assert_eq!(state_of(warroom), 'T');
    assert_eq!(
        state_of(command),
        'T',
        "the command was continued in the background"
    );
    let mark = shell.bytes_written();
    shell.send("echo typed-$((6*9))\r");
    wait_for_since(shell, mark, "typed-54");

    // A new size while suspended reaches the command on resuming.
    shell.resize(100, 40);
    let mark = shell.bytes_written();
    shell.send("fg\r");
    wait_for_state(command, "continued", |state| state != 'T');
    shell.send("resumed\r");
    wait_for_since(shell, mark, "after-resumed");
    wait_for_since(shell, mark, "40 100");
    wait_for_since(shell, mark, "recorded on incident 1");
    let mark = shell.bytes_written();
    shell.send("echo status=$?\r");
    wait_for_since(shell, mark, "status=7");

    let record = show_json(db, "1");
    let evidence: Vec<&Value> = record["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "evidence")
        .collect();
    assert_eq!(evidence.len(), 1, "{record:#}");
    let output = evidence[0]["evidence"]["output"].as_str().unwrap();
    for part in ["started-2", "after-resumed", "40 100"] {
        assert!(output.contains(part), "{part:?} missing from {output:?}");
    }
    assert_eq!(evidence[0]["evidence"]["exit_code"], 7);
    shell.send("exit\r");
    shell.wait_exit(common::pty::WAIT);
}

/// `kill %1` in bash on a suspended run (SIGTERM, then SIGCONT in the
/// background) ends it: the command is told, the entry says so, and
/// nothing is left stopped behind the shell.
#[test]
fn a_suspended_run_killed_from_the_shell_ends_and_is_recorded() {
    let bash = ["bash", "--norc", "--noprofile", "-i"];
    let mut run = ShellRun::start(&bash, "echo started-$((1+1)); read x", "started-2");
    let (warroom, command) = run.processes();
    let (db, shell) = (&run.db, &mut run.shell);
    let mark = shell.bytes_written();
    shell.send("\x1a");
    wait_for_since(shell, mark, "Stopped");
    let mark = shell.bytes_written();
    shell.send("kill %1\r");
    wait_for_since(shell, mark, "recorded on incident 1");
    let entry = last_evidence(db);
    assert_eq!(entry["evidence"]["signal"], "SIGTERM", "{entry:#}");
    assert!(
        entry["evidence"]["output"]
            .as_str()
            .unwrap()
            .contains("started-2")
    );
    // Both gone (reaped), not stopped: /proc holds neither.
    wait_for_state(warroom, "reaped", |state| state == '-');
    wait_for_state(command, "reaped", |state| state == '-');
    shell.send("exit\r");
    shell.wait_exit(common::pty::WAIT);
}

/// A command that reads Ctrl-Z as a key (its terminal without ISIG, as
/// an editor's) gets the key and is not suspended.
#[test]
fn ctrl_z_reaches_a_command_that_reads_it_as_a_key() {
    let script = "stty raw -echo; echo ready-$((1+1)); dd bs=1 count=1 2>/dev/null | od -An -tx1";
    let mut run = ShellRun::start(&["dash", "-i"], script, "ready-2");
    let mark = run.typed_at;
    let (db, shell) = (&run.db, &mut run.shell);
    shell.send("\x1a");
    wait_for_since(shell, mark, "recorded on incident 1");
    let output = output_since(shell, mark);
    assert!(!output.contains("Stopped"), "{output:?}");
    let entry = last_evidence(db);
    let recorded = entry["evidence"]["output"].as_str().unwrap();
    assert!(recorded.contains(" 1a"), "{recorded:?}");
    assert_eq!(entry["evidence"]["exit_code"], 0);
    shell.send("exit\r");
    shell.wait_exit(common::pty::WAIT);
}

/// A suspended run killed from bash whose command ignores SIGTERM runs on
/// in the background without the terminal; `fg` gives it the terminal
/// back, keys reach the command, and it ends as it chooses.
#[test]
fn fg_takes_back_a_run_that_outlived_kill() {
    let bash = ["bash", "--norc", "--noprofile", "-i"];
    let script = "trap \"\" TERM; echo started-$((1+1)); read x; echo after-$x; exit 4";
    let mut run = ShellRun::start(&bash, script, "started-2");
    let (warroom, command) = run.processes();
    let shell = &mut run.shell;
    let mark = shell.bytes_written();
    shell.send("\x1a");
    wait_for_since(shell, mark, "Stopped");
    shell.send("kill %1\r");
    // Told and continued: both run (the command waits for a line).
    wait_for_state(command, "continued", |state| state != 'T');
    wait_for_state(warroom, "continued", |state| state != 'T');
    let mark = shell.bytes_written();
    shell.send("fg\r");
    wait_for_since(shell, mark, "fg");
    shell.send("kept\r");
    wait_for_since(shell, mark, "after-kept");
    wait_for_since(shell, mark, "recorded on incident 1");
    let mark = shell.bytes_written();
    shell.send("echo status=$?\r");
    wait_for_since(shell, mark, "status=4");
    shell.send("exit\r");
    shell.wait_exit(common::pty::WAIT);
}

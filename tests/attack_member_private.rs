//! A hostile member of the war-room group against the private side of
//! warroom: another account's drafts and log, the files `export --output`
//! leaves for the team, and who is listed under "Here now". Real binary, real
//! files, real throwaway Unix accounts (root only: SKIPPED otherwise), real
//! pseudo-terminals.

mod common;

use common::succeeded;

use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::accounts::{Account, TempGroup, shared_room, skipped_unless_root};
use common::pty::{Console, Present, WAIT};
use common::{BIN, temp_dir};

const COMPOSER: &str = " Note — Enter adds";
/// A console lists another within a few heartbeats (2 s each).
const PRESENCE_WAIT: Duration = Duration::from_secs(20);

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .mode()
        & 0o7777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn chown(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::lchown(path, Some(uid), Some(gid)).unwrap();
}

/// A folder owned by `owner`, with `mode`.
fn make_dir_of(owner: &Account, path: &Path, mode: u32) {
    std::fs::create_dir_all(path).unwrap();
    chown(path, owner.uid, owner.gid);
    set_mode(path, mode);
}

/// A file owned by `owner`, with `mode`.
fn make_file_of(owner: &Account, path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap();
    chown(path, owner.uid, owner.gid);
    set_mode(path, mode);
}

/// The environment an account's login has, with its XDG folders spelled out
/// (the pty harness cannot remove the test's own).
fn login_env(account: &Account) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = account
        .environment()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let home = account.home.display().to_string();
    env.push(("XDG_STATE_HOME".into(), format!("{home}/.local/state")));
    env.push(("XDG_CONFIG_HOME".into(), format!("{home}/.config")));
    env.push(("XDG_DATA_HOME".into(), format!("{home}/.local/share")));
    env
}

/// `sh -c SCRIPT` as `account` in a 120×40 pty; the script gets the binary
/// as `$0` and `args` as `$1`….
fn console_as(account: &Account, script: &str, args: &[&str]) -> Console {
    let mut argv: Vec<String> = account.setpriv_args();
    argv.extend(["sh".into(), "-c".into(), script.into(), BIN.into()]);
    argv.extend(args.iter().map(|a| a.to_string()));
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let env = login_env(account);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Console::spawn_program("setpriv", &argv, &account.home, 120, 40, &env)
}

/// `sh -c SCRIPT` as `account`, no terminal; `$0` is the binary.
fn shell_as(account: &Account, script: &str, args: &[&str]) -> Output {
    account
        .command("sh")
        .arg("-c")
        .arg(script)
        .arg(BIN)
        .args(args)
        .output()
        .expect("run sh as the account")
}

/// Asserts that `account` cannot run `program path` for want of permission.
fn denied(account: &Account, program: &str, path: &Path) {
    let out = account.command(program).arg(path).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("Permission denied"),
        "{} could {program} {}: status {}, stdout {:?}, stderr {err:?}",
        account.name,
        path.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Declares `title` on `db` as `account`.
fn declare_as(account: &Account, db: &Path, title: &str) {
    succeeded(
        &shell_as(
            account,
            "exec \"$0\" --db \"$1\" declare \"$2\"",
            &[&db.display().to_string(), title],
        ),
        "declare",
    );
}

/// A's home and `~/.local/state` readable by all, as on many systems: only
/// warroom's own folder may keep B out.
fn open_home(account: &Account) {
    set_mode(&account.home, 0o755);
    make_dir_of(account, &account.home.join(".local"), 0o755);
    make_dir_of(account, &account.home.join(".local/state"), 0o755);
}

/// Every mode seen in `folder` (entries included) until `stop`.
fn watch_modes(folder: PathBuf, stop: Arc<AtomicBool>) -> thread::JoinHandle<Vec<(String, u32)>> {
    thread::spawn(move || {
        let mut seen = Vec::new();
        while !stop.load(Ordering::SeqCst) {
            if let Ok(entries) = std::fs::read_dir(&folder) {
                for entry in entries.flatten() {
                    if let Ok(meta) = entry.path().symlink_metadata() {
                        seen.push((
                            entry.file_name().to_string_lossy().into_owned(),
                            meta.mode() & 0o7777,
                        ));
                    }
                }
            }
            thread::sleep(Duration::from_micros(200));
        }
        seen
    })
}

/// A's draft and log, made with umask 000, are 0600 in a 0700 folder: B
/// cannot list the folder or read either file; a draft is never looser,
/// even while being replaced.
#[test]
fn drafts_and_the_log_are_private_even_with_umask_000() {
    if skipped_unless_root("drafts_and_the_log_are_private_even_with_umask_000") {
        return;
    }
    let group = TempGroup::new("pg");
    let a = Account::new("pa", &[&group]);
    let b = Account::new("pb", &[&group]);
    let dir = temp_dir();
    let (_folder, db) = shared_room(dir.path(), &group);
    declare_as(&a, &db, "Private drafts");
    open_home(&a);
    let db_arg = db.display().to_string();

    let state = a.state_dir();
    let drafts = state.join("drafts");
    let mut console = console_as(&a, "umask 000; exec \"$0\" --db \"$1\"", &[&db_arg]);
    console.wait_for("Private drafts");
    console.send("n");
    console.wait_for(COMPOSER);
    // Type key by key (each change rewrites the draft) while modes are watched.
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let deadline = Instant::now() + WAIT;
        while !drafts.exists() && Instant::now() < deadline {
            console.send("x");
            thread::sleep(Duration::from_millis(50));
        }
        watch_modes(drafts.clone(), Arc::clone(&stop))
    };
    for c in " the db password is hunter2".chars() {
        console.send(c.to_string());
        thread::sleep(Duration::from_millis(15));
    }
    console.wait_for("password is hunter2");
    console.send_esc();
    console.wait_gone(COMPOSER);
    console.send("q");
    assert!(
        console.wait_exit(WAIT).success(),
        "the console should quit with 0"
    );
    stop.store(true, Ordering::SeqCst);
    let seen = watcher.join().unwrap();

    // A log line, written by a failing command with umask 000.
    let out = shell_as(&a, "umask 000; exec \"$0\" --db \"$1\" show 999", &[&db_arg]);
    assert_eq!(out.status.code(), Some(1), "show 999 should fail");
    let log = state.join("warroom.log");

    let draft_files: Vec<PathBuf> = std::fs::read_dir(&drafts)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(draft_files.len(), 1, "one kept draft: {draft_files:?}");
    let draft = &draft_files[0];
    assert!(
        std::fs::read_to_string(draft)
            .unwrap()
            .ends_with("the db password is hunter2"),
        "the draft holds the note"
    );
    assert!(
        std::fs::read_to_string(&log).unwrap().contains("error: "),
        "the log holds the failure"
    );
    let expected = [
        (state.clone(), 0o700),
        (drafts.clone(), 0o700),
        (draft.clone(), 0o600),
        (log.clone(), 0o600),
    ];
    for (path, want) in &expected {
        assert_eq!(mode(path), *want, "{}: mode {:o}", path.display(), mode(path));
        assert_eq!(
            std::fs::metadata(path).unwrap().uid(),
            a.uid,
            "{} is A's",
            path.display()
        );
    }
    // The folders around it were left as they were.
    assert_eq!(mode(&a.home.join(".local/state")), 0o755);

    denied(&b, "ls", &state);
    denied(&b, "ls", &drafts);
    denied(&b, "cat", draft);
    denied(&b, "cat", &log);

    let looser: Vec<_> = seen.iter().filter(|(_, m)| *m != 0o600).collect();
    let temporaries = seen.iter().filter(|(name, _)| name.ends_with(".tmp")).count();
    assert!(looser.is_empty(), "a draft file was looser than 0600: {looser:?}");
    assert!(!seen.is_empty(), "the watcher saw no draft file at all");
    eprintln!(
        "private: 4 modes exact, 4 reads by B denied, {} draft-file modes sampled while typing ({temporaries} of temporary files), all 0600",
        seen.len()
    );
}

/// What an older warroom left readable (0755 folders, 0644 log, drafts and
/// other files) is tightened by the console's start and by a command that
/// writes the log; a symbolic link in the folder is neither followed nor
/// changed.
#[test]
fn loose_state_left_by_an_older_warroom_is_tightened_at_start() {
    if skipped_unless_root("loose_state_left_by_an_older_warroom_is_tightened_at_start") {
        return;
    }
    let group = TempGroup::new("tg");
    let a = Account::new("ta", &[&group]);
    let b = Account::new("tb", &[&group]);
    let dir = temp_dir();
    let (_folder, db) = shared_room(dir.path(), &group);
    declare_as(&a, &db, "Tighten");
    open_home(&a);
    let db_arg = db.display().to_string();
    let state = a.state_dir();
    let public = a.home.join("public.txt");
    make_file_of(&a, &public, "meant for everyone", 0o644);

    let loosen = || {
        make_dir_of(&a, &state, 0o755);
        make_dir_of(&a, &state.join("drafts"), 0o755);
        make_dir_of(&a, &state.join("seen"), 0o775);
        make_file_of(&a, &state.join("warroom.log"), "old line\n", 0o644);
        make_file_of(
            &a,
            &state.join("drafts/0-1-note.txt"),
            "the db password is hunter2",
            0o644,
        );
        make_file_of(&a, &state.join("seen/db"), "42", 0o666);
        let link = state.join("drafts/link.txt");
        let _ = std::fs::remove_file(&link);
        symlink(&public, &link).unwrap();
        std::os::unix::fs::lchown(&link, Some(a.uid), Some(a.gid)).unwrap();
    };
    let check = |when: &str| {
        for (path, want) in [
            (state.clone(), 0o700),
            (state.join("drafts"), 0o700),
            (state.join("seen"), 0o700),
            (state.join("warroom.log"), 0o600),
            (state.join("drafts/0-1-note.txt"), 0o600),
            (state.join("seen/db"), 0o600),
        ] {
            assert_eq!(
                mode(&path),
                want,
                "{when}: {} is {:o}",
                path.display(),
                mode(&path)
            );
        }
        assert!(
            state
                .join("drafts/link.txt")
                .symlink_metadata()
                .unwrap()
                .file_type()
                .is_symlink(),
            "{when}: the link stays a link"
        );
        assert_eq!(mode(&public), 0o644, "{when}: the link's target is not changed");
        denied(&b, "cat", &state.join("drafts/0-1-note.txt"));
        denied(&b, "cat", &state.join("warroom.log"));
    };

    // Before: B can read the old draft (the test can fail).
    loosen();
    let out = b
        .command("cat")
        .arg(state.join("drafts/0-1-note.txt"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the planted loose draft should be readable before"
    );

    // 1. The console's start tightens, before anything is typed.
    let mut console = console_as(&a, "exec \"$0\" --db \"$1\"", &[&db_arg]);
    console.wait_for("Tighten");
    check("console start");
    console.send("q");
    assert!(console.wait_exit(WAIT).success());

    // 2. A command that writes the log tightens too.
    loosen();
    let out = shell_as(&a, "umask 000; exec \"$0\" --db \"$1\" show 999", &[&db_arg]);
    assert_eq!(out.status.code(), Some(1));
    check("a command writing the log");
    assert!(
        std::fs::read_to_string(state.join("warroom.log"))
            .unwrap()
            .starts_with("old line\n"),
        "the old log is kept and appended to"
    );
    eprintln!("tighten: 2 starts × (6 modes, 2 denied reads, 1 link left alone)");
}

/// Symbolic links in the private folder are not followed: A's log pointed at
/// A's own file is refused, and root run with A's HOME writes nothing
/// through A's links or into A's folder.
#[test]
fn links_in_the_state_folder_are_not_followed_even_by_root() {
    if skipped_unless_root("links_in_the_state_folder_are_not_followed_even_by_root") {
        return;
    }
    let a = Account::new("la", &[]);
    let dir = temp_dir();
    let db = dir.path().join("none.db");
    let db_arg = db.display().to_string();
    let state = a.state_dir();
    make_dir_of(&a, &a.home.join(".local/state"), 0o755);
    make_dir_of(&a, &state, 0o700);

    // A's own log is a link to A's own file: refused, the file unchanged.
    let own = a.home.join("notes.txt");
    make_file_of(&a, &own, "mine\n", 0o644);
    let log = state.join("warroom.log");
    symlink(&own, &log).unwrap();
    std::os::unix::fs::lchown(&log, Some(a.uid), Some(a.gid)).unwrap();
    let out = shell_as(&a, "exec \"$0\" --db \"$1\" show 999", &[&db_arg]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&own).unwrap(),
        "mine\n",
        "written through a link"
    );
    assert_eq!(mode(&own), 0o644);

    // Root with A's HOME: A points the log at a file of root's.
    let roots = dir.path().join("root-only");
    std::fs::write(&roots, "root's\n").unwrap();
    set_mode(&roots, 0o644);
    std::fs::remove_file(&log).unwrap();
    symlink(&roots, &log).unwrap();
    std::os::unix::fs::lchown(&log, Some(a.uid), Some(a.gid)).unwrap();
    let as_root = |db: &str| {
        std::process::Command::new(BIN)
            .args(["--db", db, "show", "999"])
            .env("HOME", &a.home)
            .env_remove("XDG_STATE_HOME")
            .env_remove("WARROOM_DB")
            .output()
            .unwrap()
    };
    assert_eq!(as_root(&db_arg).status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&roots).unwrap(),
        "root's\n",
        "root wrote through A's link"
    );
    assert_eq!(mode(&roots), 0o644);

    // A's whole state folder is a link to a folder of root's: root neither
    // writes in it nor changes its mode.
    let roots_folder = dir.path().join("root-folder");
    std::fs::create_dir(&roots_folder).unwrap();
    set_mode(&roots_folder, 0o755);
    std::fs::remove_dir_all(&state).unwrap();
    symlink(&roots_folder, &state).unwrap();
    std::os::unix::fs::lchown(&state, Some(a.uid), Some(a.gid)).unwrap();
    assert_eq!(as_root(&db_arg).status.code(), Some(1));
    assert_eq!(
        mode(&roots_folder),
        0o755,
        "root tightened a folder through A's link"
    );
    assert_eq!(
        std::fs::read_dir(&roots_folder).unwrap().count(),
        0,
        "root wrote into it"
    );

    // A's real state folder, root running with A's HOME: nothing written there.
    std::fs::remove_file(&state).unwrap();
    make_dir_of(&a, &state, 0o700);
    assert_eq!(as_root(&db_arg).status.code(), Some(1));
    assert_eq!(
        std::fs::read_dir(&state).unwrap().count(),
        0,
        "root wrote into A's folder"
    );
    eprintln!("links: 4 cases, nothing written through a link or into another account's folder");
}

/// `export --output` into the shared setgid folder leaves a file the team can
/// read, with the folder's group, like a shell redirect; an existing file
/// keeps its mode and group; a link planted in its place is replaced, not
/// written through (root exporting must not overwrite its own files).
#[test]
fn export_output_is_made_like_a_shell_redirect() {
    if skipped_unless_root("export_output_is_made_like_a_shell_redirect") {
        return;
    }
    let group = TempGroup::new("eg");
    let a = Account::new("ea", &[&group]);
    let b = Account::new("eb", &[&group]);
    let dir = temp_dir();
    let (folder, db) = shared_room(dir.path(), &group);
    declare_as(&a, &db, "Export modes");
    let db_arg = db.display().to_string();
    let export_as = |umask: &str, out: &Path| {
        let script = format!("umask {umask}; exec \"$0\" --db \"$1\" export --output \"$2\"");
        succeeded(
            &shell_as(&a, &script, &[&db_arg, &out.display().to_string()]),
            "export",
        );
    };
    let meta = |path: &Path| std::fs::symlink_metadata(path).unwrap();
    let b_reads = |path: &Path| {
        let out = b.command("cat").arg(path).output().unwrap();
        succeeded(&out, "B reading the export")
    };
    let mut cases = 0;

    // New files: 0666 less the umask, the folder's group, readable by B.
    for (umask, want) in [("022", 0o644), ("027", 0o640), ("002", 0o664)] {
        let out = folder.join(format!("pm-{umask}.md"));
        export_as(umask, &out);
        let m = meta(&out);
        assert_eq!(
            m.mode() & 0o7777,
            want,
            "umask {umask}: mode {:o}",
            m.mode() & 0o7777
        );
        assert_eq!(m.gid(), group.gid, "umask {umask}: the folder's group");
        assert_eq!(m.uid(), a.uid);
        let text = b_reads(&out);
        assert!(text.contains("Export modes"), "B reads the post-mortem: {text}");
        cases += 1;
    }

    // An existing file keeps its mode and group, whatever the umask.
    for (name, mode_before, gid_before) in [
        ("kept-0660.md", 0o660, group.gid),
        ("kept-0604.md", 0o604, a.gid),
        ("kept-0640.md", 0o640, group.gid),
    ] {
        let out = folder.join(name);
        std::fs::write(&out, "old").unwrap();
        std::os::unix::fs::chown(&out, Some(a.uid), Some(gid_before)).unwrap();
        set_mode(&out, mode_before);
        export_as("077", &out);
        let m = meta(&out);
        assert_eq!(
            m.mode() & 0o7777,
            mode_before,
            "{name}: mode {:o}",
            m.mode() & 0o7777
        );
        assert_eq!(m.gid(), gid_before, "{name}: group");
        assert!(std::fs::read_to_string(&out).unwrap().contains("Export modes"));
        cases += 1;
    }

    // A member plants a link where root will export: it is replaced.
    let roots = dir.path().join("root-profile");
    std::fs::write(&roots, "root's\n").unwrap();
    let link = folder.join("planted.md");
    symlink(&roots, &link).unwrap();
    std::os::unix::fs::lchown(&link, Some(b.uid), Some(group.gid)).unwrap();
    let out = std::process::Command::new("sh")
        .args(["-c", "umask 022; exec \"$0\" --db \"$1\" export --output \"$2\""])
        .args([BIN, &db_arg, &link.display().to_string()])
        .output()
        .unwrap();
    succeeded(&out, "root's export");
    assert_eq!(
        std::fs::read_to_string(&roots).unwrap(),
        "root's\n",
        "written through the link"
    );
    let m = meta(&link);
    assert!(m.is_file(), "the link is replaced by the export");
    assert_eq!((m.mode() & 0o7777, m.gid()), (0o644, group.gid));
    cases += 1;

    // No temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    eprintln!("export: {cases} cases (3 new, 3 existing, 1 planted link)");
}

/// The "Here now" line as `console` shows it, sorted by account, once it
/// lists `n` consoles.
fn wait_for_listed(console: &Console, n: usize) -> Vec<Present> {
    let deadline = Instant::now() + PRESENCE_WAIT;
    loop {
        if let Some(mut list) = console.here_now()
            && list.len() >= n
        {
            list.sort_by(|x, y| x.account.cmp(&y.account));
            return list;
        }
        if Instant::now() >= deadline {
            panic!("never listed {n} consoles; the screen:\n{}", console.dump());
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// The attack: the console started with stdin redirected from a file
/// named like a presence entry. The second console lists the first under its
/// controlling terminal's real name; "carol pts/7" never appears.
#[test]
fn presence_names_the_real_terminal_not_a_path_on_stdin() {
    if skipped_unless_root("presence_names_the_real_terminal_not_a_path_on_stdin") {
        return;
    }
    let group = TempGroup::new("sg");
    let a = Account::new("sa", &[&group]);
    let b = Account::new("sb", &[&group]);
    let dir = temp_dir();
    let (_folder, db) = shared_room(dir.path(), &group);
    declare_as(&a, &db, "Who is here");
    let db_arg = db.display().to_string();
    // `/…/x 05:10, carol pts/7`: a folder "x 05:10, carol pts" holding "7".
    let bait_dir = dir.path().join("x 05:10, carol pts");
    std::fs::create_dir(&bait_dir).unwrap();
    let bait = bait_dir.join("7");
    std::fs::write(&bait, "").unwrap();
    set_mode(&bait, 0o644);

    let mut forger = console_as(
        &a,
        "exec \"$0\" --db \"$1\" < \"$2\"",
        &[&db_arg, &bait.display().to_string()],
    );
    let mut watcher = console_as(&b, "exec \"$0\" --db \"$1\"", &[&db_arg]);
    forger.wait_for("Who is here");
    watcher.wait_for("Who is here");
    let listed = wait_for_listed(&watcher, 2);
    // Names sort as the accounts were made: A before B.
    let expected = vec![
        Present {
            account: a.name.clone(),
            terminal: forger.terminal(),
        },
        Present {
            account: b.name.clone(),
            terminal: watcher.terminal(),
        },
    ];
    assert_eq!(listed, expected, "the screen:\n{}", watcher.dump());
    // Several heartbeats later, still nothing of the bait on either screen.
    thread::sleep(Duration::from_secs(5));
    for console in [&watcher, &forger] {
        let screen = console.screen_text();
        assert!(
            !screen.contains("carol"),
            "the bait reached a screen:\n{}",
            console.dump()
        );
    }
    assert_eq!(wait_for_listed(&watcher, 2), expected);
    for console in [&mut forger, &mut watcher] {
        console.send("q");
        assert!(console.wait_exit(WAIT).success());
    }
    eprintln!(
        "presence: a console with a bait file on stdin listed as {:?}",
        expected[0]
    );
}

/// Rows written straight into the `presence` table with SQLite by a member:
/// only the well-formed one is shown.
#[test]
fn planted_presence_rows_that_are_not_well_formed_are_not_shown() {
    let dir = temp_dir();
    let db = common::db_in(&dir);
    common::ok(&db, &["declare", "Planted rows"]);
    let now = chrono::Utc::now().timestamp_millis();
    // Live for a minute without a heartbeat (seen "in the future").
    let seen = now + 60_000;
    let uuid = |n: u32| format!("0b7f4c2e-6a51-4d0e-9d3c-2f1a8b9e7c{n:02}");
    // (session, account, terminal, since): each fails one rule.
    let hostile: Vec<(String, &str, &str, i64)> = vec![
        (uuid(1), "carol", "pts/7 05:10, carol pts/8", now),
        (uuid(2), "mallory 05:10, carol", "pts/7", now),
        (uuid(3), "carol", "shm/x 05:10, carol pts/7", now),
        (uuid(4), "carol", "/dev/pts/7", now),
        (uuid(5), "\u{1b}]0;pwned\u{7}carol", "pts/7", now),
        (uuid(6), "carol", "pts/7\u{202e}", now),
        (uuid(7), "carolcarolcarolcarolcarolcarolcarol", "pts/7", now),
        (uuid(8), "carol", "", now),
        (uuid(9), "", "pts/7", now),
        ("hostile-session".into(), "carol", "pts/7", now),
        (uuid(10), "carol", "pts/7", seen + 1),
    ];
    let conn = rusqlite::Connection::open(&db).unwrap();
    let insert = |session: &str, account: &str, terminal: &str, since: i64| {
        conn.execute(
            "INSERT INTO presence (session, account, terminal, incident_id, since, seen_at)
             VALUES (?1, ?2, ?3, 1, ?4, ?5)",
            rusqlite::params![session, account, terminal, since, seen],
        )
        .unwrap();
    };
    for (session, account, terminal, since) in &hostile {
        insert(session, account, terminal, *since);
    }
    // The control: a well-formed row must be shown (so the check can fail).
    insert(&uuid(99), "dave", "pts/99", now);

    let mut console = Console::spawn(&db, 120, 40, &[]);
    console.wait_for("Planted rows");
    let listed = wait_for_listed(&console, 2);
    let me = common::pty::account();
    let mut want = vec![
        Present {
            account: "dave".into(),
            terminal: "pts/99".into(),
        },
        Present {
            account: me,
            terminal: console.terminal(),
        },
    ];
    want.sort_by(|x, y| x.account.cmp(&y.account));
    assert_eq!(listed, want, "the screen:\n{}", console.dump());
    let screen = console.screen_text();
    for word in ["carol", "mallory", "pwned", "shm/"] {
        assert!(!screen.contains(word), "{word:?} shown:\n{}", console.dump());
    }
    console.send("q");
    assert!(console.wait_exit(WAIT).success());
    eprintln!(
        "presence: {} malformed rows hidden, 1 well-formed row shown",
        hostile.len()
    );
}

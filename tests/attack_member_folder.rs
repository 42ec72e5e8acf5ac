//! A hostile member of the war-room group against the shared folder, replayed
//! with real accounts against the real binary (root only; SKIPPED otherwise).
//!
//! Each attack ends with the same checks: no file outside the folder changed
//! (bytes, owner, group, mode, and nothing new beside it), `doctor` names
//! what it found ("symbolic link", "hard link", …) and never prints a chmod,
//! chgrp or chown of a path, and every refusal is an `error:` with exit 1.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::accounts::{Account, TempGroup, skipped_unless_root};
use common::*;

/// Everything about a file that an attack could change.
#[derive(Clone, PartialEq, Eq)]
struct FileState {
    bytes: Vec<u8>,
    uid: u32,
    gid: u32,
    mode: u32,
    inode: u64,
}

impl std::fmt::Debug for FileState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} bytes, uid {}, gid {}, mode {:o}, inode {}",
            self.bytes.len(),
            self.uid,
            self.gid,
            self.mode,
            self.inode
        )
    }
}

fn state_of(path: &Path) -> FileState {
    let meta = std::fs::symlink_metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    FileState {
        bytes: if meta.is_file() {
            std::fs::read(path).unwrap()
        } else {
            Vec::new()
        },
        uid: meta.uid(),
        gid: meta.gid(),
        mode: meta.mode(),
        inode: meta.ino(),
    }
}

/// Every name in `folder` with its state: a file changed or created beside
/// a target shows up as a difference.
fn folder_state(folder: &Path) -> BTreeMap<String, FileState> {
    let mut names = BTreeMap::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let entry = entry.unwrap();
        names.insert(
            entry.file_name().to_string_lossy().into_owned(),
            state_of(&entry.path()),
        );
    }
    names.insert(".".into(), state_of(folder));
    names
}

fn assert_exit(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: stdout {}\nstderr {}",
        String::from_utf8_lossy(&out.stdout),
        stderr(out)
    );
}

/// Asserts a refusal: exit 1, one `error:` message holding every `expected` piece.
fn assert_refused(out: &Output, what: &str, expected: &[&str]) {
    assert_exit(out, 1, what);
    let err = stderr(out);
    assert!(err.starts_with("error: "), "{what}: {err}");
    for piece in expected {
        assert!(err.contains(piece), "{what}: expected {piece:?} in {err}");
    }
}

/// `warroom doctor` as root on `db`, checked for fixes that would follow a
/// link: no chmod, chgrp or chown of a path, ever.
fn doctor(db: &Path) -> (Output, String) {
    let out = warroom(db).arg("doctor").output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_paste_safe(&report);
    (out, report)
}

fn assert_paste_safe(report: &str) {
    for line in report.lines().filter(|l| l.trim_start().starts_with("fix:")) {
        for raw in ["chmod", "chgrp", "chown"] {
            assert!(
                !line.contains(raw),
                "doctor printed a {raw} fix: {line}\n{report}"
            );
        }
        assert!(
            !line.contains("rm ") || (line.contains("rm -- ") && line.contains("&& warroom init --shared")),
            "an rm fix must be `rm -- NAME && warroom init`: {line}"
        );
    }
}

/// Runs `script` with sh as `account`; returns the output.
fn sh_as(account: &Account, script: &str) -> Output {
    account.command("sh").args(["-c", script]).output().unwrap()
}

/// Runs `script` with sh as root, with this build's `warroom` first on PATH.
fn sh(script: &str) -> Output {
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .args(["-c", script])
        .env("PATH", path)
        .env_remove("WARROOM_DB")
        .output()
        .unwrap()
}

/// Alice's home without the state folder her own warroom runs keep there.
fn home_state(account: &Account) -> BTreeMap<String, FileState> {
    let mut names = folder_state(&account.home);
    names.remove(".local");
    names
}

fn chown(path: &Path, uid: Option<u32>, gid: Option<u32>) {
    std::os::unix::fs::chown(path, uid, gid).unwrap();
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn side(db: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", db.display()))
}

/// The folder as the old `init --shared` left it: 2770 root:GROUP, no sticky
/// bit, a database root declared an incident in, all files 0660 root:GROUP.
/// Any member can rename or remove anything in it.
fn old_layout(dir: &Path, group: &TempGroup) -> PathBuf {
    let folder = dir.join("room");
    std::fs::create_dir(&folder).unwrap();
    chown(&folder, None, Some(group.gid));
    chmod(&folder, 0o2770);
    let db = folder.join("warroom.db");
    ok(&db, &["declare", "Checkout down"]);
    for path in [db.clone(), side(&db, "-wal"), side(&db, "-shm")] {
        chown(&path, None, Some(group.gid));
        chmod(&path, 0o660);
    }
    db
}

/// A root-only folder outside the war room with a root file in it.
fn root_secret(dir: &Path) -> PathBuf {
    let private = dir.join("root-only");
    std::fs::create_dir(&private).unwrap();
    chmod(&private, 0o700);
    let secret = private.join("secret.conf");
    std::fs::write(&secret, "password = hunter2\n").unwrap();
    chmod(&secret, 0o600);
    secret
}

fn init_as_root(folder: &Path, group: &str) -> Output {
    let unused = folder.with_file_name("unused.db");
    warroom(&unused)
        .args(["init", "--shared", folder.to_str().unwrap(), "--group", group])
        .output()
        .unwrap()
}

/// Runs the `fix:` line of doctor's report that contains `needle`, as root,
/// exactly as an admin would paste it.
fn paste_fix(report: &str, needle: &str) {
    let fix = report
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("fix: "))
        .find(|fix| fix.contains(needle))
        .unwrap_or_else(|| panic!("no fix with {needle:?} in\n{report}"));
    let out = sh(fix);
    assert!(out.status.success(), "pasting {fix:?} failed: {}", stderr(&out));
}

#[test]
fn a_database_swapped_for_a_link_to_a_root_file_is_never_followed() {
    if skipped_unless_root("a_database_swapped_for_a_link_to_a_root_file_is_never_followed") {
        return;
    }
    let group = TempGroup::new("g");
    let mallory = Account::new("m", &[&group]);
    let alice = Account::new("a", &[&group]);
    let dir = temp_dir();
    let db = old_layout(dir.path(), &group);
    let folder = db.parent().unwrap().to_path_buf();
    let secret = root_secret(dir.path());
    let outside = folder_state(secret.parent().unwrap());

    // The member moves the database away and leaves a link to root's file.
    let out = sh_as(
        &mallory,
        &format!(
            "cd {} && mv warroom.db taken.db && ln -s {} warroom.db",
            folder.display(),
            secret.display()
        ),
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let mut cases = 0;
    let out = init_as_root(&folder, &group.name);
    assert_refused(
        &out,
        "root's init",
        &["warroom.db is a symbolic link (to ", "secret.conf"],
    );
    cases += 1;
    for args in [&["list"][..], &["show"], &["declare", "x"], &["note", "x"]] {
        assert_refused(
            &warroom(&db).args(args).output().unwrap(),
            "root",
            &["symbolic link"],
        );
        let out = alice.warroom(&db).args(args).output().unwrap();
        assert_refused(&out, "a member", &["symbolic link", "never follows links"]);
        cases += 2;
    }
    let (out, report) = doctor(&db);
    assert_exit(&out, 1, "doctor");
    assert!(
        report.contains("is a symbolic link (to ") && report.contains("secret.conf"),
        "{report}"
    );
    assert!(report.contains("has no sticky bit"), "{report}");
    cases += 1;
    assert_eq!(
        folder_state(secret.parent().unwrap()),
        outside,
        "the root-only folder changed"
    );

    // The printed fix, pasted as root, makes a sound war room.
    paste_fix(&report, "rm -- ");
    assert_eq!(
        folder_state(secret.parent().unwrap()),
        outside,
        "the fix changed root's folder"
    );
    let (out, report) = doctor(&db);
    assert_exit(&out, 0, &report);
    assert_eq!(std::fs::metadata(&folder).unwrap().mode() & 0o7777, 0o3770);
    let out = alice
        .warroom(&db)
        .args(["declare", "after the fix"])
        .output()
        .unwrap();
    assert_exit(&out, 0, "declare after the fix");
    eprintln!("database link to a root file: {cases} cases");
}

#[test]
fn a_link_to_roots_database_in_a_private_folder_is_never_followed() {
    if skipped_unless_root("a_link_to_roots_database_in_a_private_folder_is_never_followed") {
        return;
    }
    let group = TempGroup::new("g");
    let mallory = Account::new("m", &[&group]);
    let dir = temp_dir();
    let db = old_layout(dir.path(), &group);
    let folder = db.parent().unwrap().to_path_buf();
    // Root's own war room, private (0700), its files 0600.
    let private = dir.path().join("private");
    std::fs::create_dir(&private).unwrap();
    chmod(&private, 0o700);
    let roots_db = private.join("warroom.db");
    ok(&roots_db, &["declare", "root's own"]);
    for path in [roots_db.clone(), side(&roots_db, "-wal"), side(&roots_db, "-shm")] {
        chmod(&path, 0o600);
    }
    let before = folder_state(&private);

    let out = sh_as(
        &mallory,
        &format!(
            "cd {} && rm warroom.db && ln -s {} warroom.db",
            folder.display(),
            roots_db.display()
        ),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_refused(
        &init_as_root(&folder, &group.name),
        "init",
        &["symbolic link", "private/warroom.db"],
    );
    assert_refused(
        &warroom(&db).arg("list").output().unwrap(),
        "list",
        &["symbolic link"],
    );
    assert_refused(
        &warroom(&db).args(["note", "x"]).output().unwrap(),
        "note",
        &["symbolic link"],
    );
    let (out, report) = doctor(&db);
    assert_exit(&out, 1, "doctor");
    assert!(
        report.contains("symbolic link (to ") && report.contains("private/warroom.db"),
        "{report}"
    );
    assert_eq!(folder_state(&private), before, "root's private war room changed");
}

#[test]
fn side_files_swapped_for_links_to_a_members_secret_are_never_followed() {
    if skipped_unless_root("side_files_swapped_for_links_to_a_members_secret_are_never_followed") {
        return;
    }
    let mut cases = 0;
    for suffix in ["-wal", "-shm", "-journal"] {
        let group = TempGroup::new("g");
        let mallory = Account::new("m", &[&group]);
        let alice = Account::new("a", &[&group]);
        let bob = Account::new("b", &[&group]);
        let dir = temp_dir();
        let db = old_layout(dir.path(), &group);
        let folder = db.parent().unwrap().to_path_buf();
        // Alice's secret, readable by her only.
        let secret = alice.home.join("secret.txt");
        let out = sh_as(
            &alice,
            &format!("echo 'my token' > {0} && chmod 600 {0}", secret.display()),
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let alices_home = home_state(&alice);

        let name = format!("warroom.db{suffix}");
        let out = sh_as(
            &mallory,
            &format!(
                "cd {} && rm -f {name} && ln -s {} {name}",
                folder.display(),
                secret.display()
            ),
        );
        assert!(out.status.success(), "{}", stderr(&out));

        let (out, report) = doctor(&db);
        assert_exit(&out, 1, "doctor");
        assert!(
            report.contains(&format!("{name} is a symbolic link (to {})", secret.display())),
            "{report}"
        );
        assert!(!report.contains("owned by"), "{report}");
        cases += 1;
        assert_refused(
            &init_as_root(&folder, &group.name),
            "init",
            &[&name, "symbolic link"],
        );
        cases += 1;
        for (who, out) in [
            ("root", warroom(&db).arg("list").output().unwrap()),
            ("alice", alice.warroom(&db).arg("show").output().unwrap()),
            ("bob", bob.warroom(&db).args(["note", "x"]).output().unwrap()),
        ] {
            assert_refused(&out, who, &[&name, "symbolic link", "warroom doctor"]);
            cases += 1;
        }
        assert_eq!(
            home_state(&alice),
            alices_home,
            "alice's files changed ({suffix})"
        );

        // Pasting doctor's fix as root repairs the room and keeps the record.
        paste_fix(&report, "rm -- ");
        assert_eq!(home_state(&alice), alices_home, "the fix changed alice's files");
        let (out, report) = doctor(&db);
        assert_exit(&out, 0, &report);
        let shown = bob.warroom(&db).args(["show", "--json"]).output().unwrap();
        assert_exit(&shown, 0, "show after the fix");
        assert!(String::from_utf8_lossy(&shown.stdout).contains("Checkout down"));
    }
    eprintln!("side-file links to a member's secret: {cases} cases");
}

#[test]
fn hard_links_and_foreign_files_are_refused_and_left_alone() {
    if skipped_unless_root("hard_links_and_foreign_files_are_refused_and_left_alone") {
        return;
    }
    let group = TempGroup::new("g");
    let mallory = Account::new("m", &[&group]);
    let bob = Account::new("b", &[&group]);
    let eve = Account::new("e", &[]);
    let mut cases = 0;
    for name in ["warroom.db", "warroom.db-shm"] {
        let dir = temp_dir();
        let db = old_layout(dir.path(), &group);
        let folder = db.parent().unwrap().to_path_buf();
        // Bob's group-writable notes elsewhere on the same filesystem: the
        // kernel lets any member hard-link a file it can read and write.
        let notes_dir = dir.path().join("bob");
        std::fs::create_dir(&notes_dir).unwrap();
        let notes = notes_dir.join("notes.txt");
        std::fs::write(&notes, "bob's notes\n").unwrap();
        chown(&notes, Some(bob.uid), Some(group.gid));
        chmod(&notes, 0o660);
        let before = state_of(&notes);

        let out = sh_as(
            &mallory,
            &format!(
                "cd {} && mv {name} {name}.away && ln {} {name}",
                folder.display(),
                notes.display()
            ),
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert_refused(
            &init_as_root(&folder, &group.name),
            "init",
            &[name, "hard link (2 names"],
        );
        let (out, report) = doctor(&db);
        assert_exit(&out, 1, "doctor");
        assert!(report.contains("is a hard link (2 names"), "{report}");
        assert_eq!(state_of(&notes), before, "bob's file changed");
        cases += 2;
    }

    // A file of an account outside the group, moved into the folder.
    let dir = temp_dir();
    let db = old_layout(dir.path(), &group);
    let wal = side(&db, "-wal");
    std::fs::remove_file(&wal).unwrap();
    std::fs::write(&wal, "").unwrap();
    chown(&wal, Some(eve.uid), Some(eve.gid));
    chmod(&wal, 0o600);
    let before = state_of(&wal);
    assert_refused(
        &init_as_root(db.parent().unwrap(), &group.name),
        "init",
        &["warroom.db-wal belongs to", &eve.name, "not in group"],
    );
    let (out, report) = doctor(&db);
    assert_exit(&out, 1, "doctor");
    assert!(
        report.contains(&format!("belongs to {}, who is not in group", eve.name)),
        "{report}"
    );
    assert_eq!(state_of(&wal), before, "eve's file");
    cases += 2;
    eprintln!("hard links and foreign files: {cases} cases");
}

/// `warroom --db DB ARGS…` with a deadline: a FIFO must never make it hang.
fn run_with_deadline(db: &Path, args: &[&str]) -> Output {
    let mut child = warroom(db)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("warroom {args:?} on {} hung", db.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn fifos_and_devices_are_refused_before_sqlite_sees_them() {
    let dir = temp_dir();
    let fifo = dir.path().join("pipe.db");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let real = dir.path().join("room").join("warroom.db");
    ok(&real, &["declare", "real"]);
    let shm_fifo = side(&real, "-shm");
    std::fs::remove_file(&shm_fifo).unwrap();
    assert!(Command::new("mkfifo").arg(&shm_fifo).status().unwrap().success());

    let before = (folder_state(dir.path()), folder_state(real.parent().unwrap()));
    let mut cases = 0;
    for args in [
        &["declare", "x"][..],
        &["list"],
        &["show"],
        &["note", "x"],
        &["list", "--json"],
    ] {
        for (db, expected) in [
            (
                fifo.as_path(),
                "pipe.db is a FIFO (named pipe), not a warroom database",
            ),
            (
                Path::new("/dev/null"),
                "/dev/null is a character device, not a warroom database",
            ),
            (real.as_path(), "warroom.db-shm is a FIFO (named pipe)"),
        ] {
            assert_refused(
                &run_with_deadline(db, args),
                &format!("{args:?} on {}", db.display()),
                &[expected],
            );
            cases += 1;
        }
    }
    for db in [fifo.as_path(), Path::new("/dev/null")] {
        let out = run_with_deadline(db, &["doctor"]);
        assert_paste_safe(&String::from_utf8_lossy(&out.stdout));
        assert_exit(&out, 1, "doctor");
        assert!(String::from_utf8_lossy(&out.stdout).contains("not a regular file"));
        cases += 1;
    }
    let after = (folder_state(dir.path()), folder_state(real.parent().unwrap()));
    assert_eq!(after, before, "something was created or changed beside them");
    for suffix in ["-journal", "-wal", "-shm"] {
        assert!(
            !side(Path::new("/dev/null"), suffix).exists(),
            "/dev/null{suffix} was created"
        );
    }
    eprintln!("FIFOs and devices: {cases} cases");
}

#[test]
fn members_cannot_remove_rename_replace_or_chmod_what_init_made() {
    if skipped_unless_root("members_cannot_remove_rename_replace_or_chmod_what_init_made") {
        return;
    }
    let group = TempGroup::new("g");
    let mallory = Account::new("m", &[&group]);
    let alice = Account::new("a", &[&group]);
    let dir = temp_dir();
    let folder = dir.path().join("room");
    let out = init_as_root(&folder, &group.name);
    assert_exit(&out, 0, "init");
    let db = folder.join("warroom.db");
    assert_exit(
        &alice.warroom(&db).args(["declare", "sticky"]).output().unwrap(),
        0,
        "declare",
    );
    let before = folder_state(&folder);

    let mut cases = 0;
    for name in ["warroom.db", "warroom.db-wal", "warroom.db-shm"] {
        for attack in [
            format!("rm -f {name}"),
            format!("mv {name} {name}.mine"),
            format!("echo x > mine && mv -f mine {name}"),
            format!("ln -sf /etc/shadow {name}"),
            format!("chmod 0666 {name}"),
        ] {
            for member in [&mallory, &alice] {
                let out = sh_as(member, &format!("cd {} && {attack}", folder.display()));
                assert!(!out.status.success(), "{attack} worked for a member");
                assert!(
                    stderr(&out).contains("Operation not permitted"),
                    "{attack}: {}",
                    stderr(&out)
                );
                cases += 1;
                let _ = std::fs::remove_file(folder.join("mine"));
            }
        }
    }
    assert_eq!(folder_state(&folder), before, "a member changed what init made");
    assert_exit(
        &mallory
            .warroom(&db)
            .args(["note", "still works"])
            .output()
            .unwrap(),
        0,
        "note",
    );
    eprintln!("member rm/mv/replace/link/chmod: {cases} cases");
}

#[test]
fn init_refuses_a_linked_folder_and_a_folder_of_another_account() {
    if skipped_unless_root("init_refuses_a_linked_folder_and_a_folder_of_another_account") {
        return;
    }
    let group = TempGroup::new("g");
    let mallory = Account::new("m", &[&group]);
    let dir = temp_dir();
    let public = dir.path().join("public");
    std::fs::create_dir(&public).unwrap();
    chmod(&public, 0o1777);
    let target = dir.path().join("root-only");
    std::fs::create_dir(&target).unwrap();
    chmod(&target, 0o700);
    let before = folder_state(&target);

    let out = sh_as(
        &mallory,
        &format!(
            "ln -s {} {1}/room && mkdir {1}/mine",
            target.display(),
            public.display()
        ),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_refused(
        &init_as_root(&public.join("room"), &group.name),
        "linked folder",
        &["room is a symbolic link (to ", "root-only"],
    );
    assert_refused(
        &init_as_root(&public.join("mine"), &group.name),
        "mallory's folder",
        &[&format!("belongs to {}, not to you (root)", mallory.name)],
    );
    assert_eq!(folder_state(&target), before, "the link's target changed");
    assert!(
        std::fs::read_dir(public.join("mine")).unwrap().next().is_none(),
        "files made in mallory's folder"
    );
    // A member cannot set up root's folder either.
    let folder = dir.path().join("room");
    assert_exit(&init_as_root(&folder, &group.name), 0, "root's init");
    let out = mallory
        .warroom(&folder.join("x.db"))
        .args([
            "init",
            "--shared",
            folder.to_str().unwrap(),
            "--group",
            &group.name,
        ])
        .output()
        .unwrap();
    assert_refused(&out, "member's init", &["belongs to root, not to you"]);
}

#[test]
fn init_takes_over_an_old_room_repairs_it_and_changes_nothing_when_healthy() {
    if skipped_unless_root("init_takes_over_an_old_room_repairs_it_and_changes_nothing_when_healthy") {
        return;
    }
    let group = TempGroup::new("g");
    let alice = Account::new("a", &[&group]);
    let dir = temp_dir();
    // An old room where a member was first: her files, her umask.
    let folder = dir.path().join("room");
    std::fs::create_dir(&folder).unwrap();
    chown(&folder, None, Some(group.gid));
    chmod(&folder, 0o2770);
    let db = folder.join("warroom.db");
    assert_exit(
        &alice.warroom(&db).args(["declare", "hers"]).output().unwrap(),
        0,
        "declare",
    );
    let names = ["warroom.db", "warroom.db-wal", "warroom.db-shm"];
    let inodes: Vec<u64> = names.iter().map(|n| state_of(&folder.join(n)).inode).collect();
    assert_eq!(state_of(&db).uid, alice.uid);

    assert_exit(&init_as_root(&folder, &group.name), 0, "init over the old room");
    let check = |what: &str| {
        let folder_meta = std::fs::metadata(&folder).unwrap();
        assert_eq!(
            (folder_meta.mode() & 0o7777, folder_meta.gid()),
            (0o3770, group.gid),
            "{what}"
        );
        for (name, inode) in names.iter().zip(&inodes) {
            let s = state_of(&folder.join(name));
            assert_eq!(
                (s.uid, s.gid, s.mode & 0o7777, s.inode),
                (0, group.gid, 0o660, *inode),
                "{what}: {name}"
            );
        }
    };
    check("taken over");
    let show = alice.warroom(&db).args(["show", "--json"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&show.stdout).contains("\"hers\""),
        "the record was kept"
    );

    // Healthy: a second run keeps every file as it is.
    assert_exit(&init_as_root(&folder, &group.name), 0, "second init");
    check("second run");

    // Damaged modes and groups are repaired through the files.
    chmod(&db, 0o600);
    chown(&side(&db, "-wal"), None, Some(0));
    chmod(&folder, 0o2770);
    let (out, report) = doctor(&db);
    assert_exit(&out, 1, "doctor on a damaged room");
    assert!(report.contains(&format!(
        "fix: warroom init --shared {} --group {}",
        folder.display(),
        group.name
    )));
    assert_exit(&init_as_root(&folder, &group.name), 0, "repairing init");
    check("repaired");
    let (out, report) = doctor(&db);
    assert_exit(&out, 0, &report);
}

#[test]
fn doctor_output_stays_clean_with_escape_sequences_in_a_link() {
    if skipped_unless_root("doctor_output_stays_clean_with_escape_sequences_in_a_link") {
        return;
    }
    let group = TempGroup::new("g");
    let mallory = Account::new("m", &[&group]);
    let dir = temp_dir();
    let db = old_layout(dir.path(), &group);
    let out = sh_as(
        &mallory,
        &format!(
            "cd {} && rm warroom.db-wal && ln -s \"$(printf '/x\\033]0;pwned\\007\\033[2J')\" warroom.db-wal",
            db.parent().unwrap().display()
        ),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let (out, report) = doctor(&db);
    assert_exit(&out, 1, "doctor");
    assert!(
        !out.stdout.contains(&0x1b) && !out.stdout.contains(&0x07),
        "{report}"
    );
    assert!(report.contains("symbolic link (to /x␛]0;pwned␇␛[2J)"), "{report}");
    let out = warroom(&db).arg("list").output().unwrap();
    assert!(!out.stderr.contains(&0x1b), "{}", stderr(&out));
}

//! `init --shared` and `doctor` on real folders, with real accounts where the
//! test runs as root.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;

use common::*;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().mode() & 0o7777
}

fn is_root() -> bool {
    uzers::get_current_uid() == 0
}

fn primary_group() -> String {
    uzers::get_group_by_gid(uzers::get_current_gid())
        .unwrap()
        .name()
        .to_string_lossy()
        .into_owned()
}

/// `warroom init ARGS…`, which explains itself on stderr.
fn init(db: &Path, args: &[&str]) {
    let out = warroom(db).arg("init").args(args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn init_shared_makes_a_setgid_group_folder_and_prints_the_profile_line() {
    let dir = temp_dir();
    let folder = dir.path().join("srv").join("warroom");
    let group = primary_group();
    let unused = dir.path().join("unused.db");
    let out = warroom(&unused)
        .args(["init", "--shared", folder.to_str().unwrap(), "--group", &group])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let db = folder.join("warroom.db");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("export WARROOM_DB={}\n", db.display())
    );
    assert!(
        stderr(&out).contains(&format!("group {group}")),
        "{}",
        stderr(&out)
    );

    assert_eq!(mode(&folder), 0o3770, "setgid, sticky, group-writable, private");
    let gid = uzers::get_current_gid();
    for file in ["warroom.db", "warroom.db-wal", "warroom.db-shm"] {
        let path = folder.join(file);
        assert_eq!(mode(&path), 0o660, "{file}");
        assert_eq!(std::fs::metadata(&path).unwrap().gid(), gid, "{file}");
    }
    // The database works for the next command, and doctor is content.
    ok(&db, &["declare", "shared"]);
    let out = warroom(&db).arg("doctor").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    // Files the next writer creates keep the group (setgid folder).
    assert_eq!(
        std::fs::metadata(folder.join("warroom.db-wal")).unwrap().gid(),
        gid
    );

    let err = stderr(&fails(
        &unused,
        &["init", "--shared", "/tmp/x", "--group", "no-such-group-here"],
    ));
    assert!(err.contains("no group"), "{err}");
}

#[test]
fn doctor_explains_a_wal_file_of_the_wrong_group() {
    if !is_root() {
        eprintln!("skipped: planting a -wal of another group needs root");
        return;
    }
    let dir = temp_dir();
    let folder = dir.path().join("room");
    let db = folder.join("warroom.db");
    init(&db, &["--shared", folder.to_str().unwrap(), "--group", "nogroup"]);
    ok(&db, &["declare", "wrong group"]);
    let wal = folder.join("warroom.db-wal");
    std::os::unix::fs::chown(&wal, None, Some(0)).unwrap();

    let out = warroom(&db).arg("doctor").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("FAIL") && report.contains("warroom.db-wal"),
        "{report}"
    );
    // The fix goes through init (file descriptors, no links followed), never
    // a chgrp or chmod of a path a member could swap for a link.
    assert!(
        report.contains(&format!(
            "fix: warroom init --shared {} --group nogroup",
            folder.display()
        )),
        "{report}"
    );
    assert!(!report.contains("chgrp") && !report.contains("chmod"), "{report}");
    assert!(stderr(&out).starts_with("error: 1 problem"), "{}", stderr(&out));
}

#[test]
fn doctor_and_console_data_for_a_read_only_observer() {
    let dir = temp_dir();
    let folder = dir.path().join("room");
    let db = folder.join("warroom.db");
    init(
        &db,
        &[
            "--shared",
            folder.to_str().unwrap(),
            "--group",
            &primary_group(),
            "--observers",
        ],
    );
    ok(&db, &["declare", "watch me"]);
    let as_observer = |args: &[&str]| {
        let mut cmd = warroom(&db);
        cmd.args(args);
        if is_root() {
            cmd.uid(65534).gid(65534);
        } else {
            // Without root, make the file read-only for ourselves instead.
            std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
        }
        cmd.output().unwrap()
    };
    let out = as_observer(&["doctor"]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}{}", stderr(&out));
    assert!(
        report.contains("WARN") && report.contains("read-only"),
        "{report}"
    );
    // The folder is not writable for the observer, yet reading works: the
    // -shm file is kept between sessions.
    let shown = as_observer(&["show", "--json"]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    let out = as_observer(&["note", "observers cannot write"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("read-only for your account"),
        "{}",
        stderr(&out)
    );
}

/// The identity and ownership of a file: what must survive the WAL life cycle.
fn identity(path: &Path) -> (u64, u32, u32, u32) {
    let meta = std::fs::symlink_metadata(path).unwrap();
    (meta.ino(), meta.uid(), meta.gid(), meta.mode() & 0o7777)
}

/// In a root-owned sticky folder no member can remove or rename root's
/// files, so SQLite must never need to: members declare, write and close
/// (the last connection closing checkpoints), an observer reads, and the
/// `-wal`/`-shm` init made are still the same files, and everything works.
#[test]
fn the_wal_life_cycle_never_needs_to_remove_or_rename_a_file() {
    use common::accounts::{Account, TempGroup, skipped_unless_root};
    if skipped_unless_root("the_wal_life_cycle_never_needs_to_remove_or_rename_a_file") {
        return;
    }
    let group = TempGroup::new("g");
    let alice = Account::new("a", &[&group]);
    let bob = Account::new("b", &[&group]);
    let carol = Account::new("c", &[]);
    let dir = temp_dir();
    let folder = dir.path().join("room");
    let db = folder.join("warroom.db");
    init(
        &db,
        &[
            "--shared",
            folder.to_str().unwrap(),
            "--group",
            &group.name,
            "--observers",
        ],
    );
    assert_eq!(mode(&folder), 0o3775);
    let names = ["warroom.db", "warroom.db-wal", "warroom.db-shm"];
    let made: Vec<_> = names.iter().map(|n| identity(&folder.join(n))).collect();
    for (name, (_, uid, gid, file_mode)) in names.iter().zip(&made) {
        assert_eq!((*uid, *gid, *file_mode), (0, group.gid, 0o664), "{name}");
    }

    let run = |account: &Account, args: &[&str]| {
        let out = account.warroom(&db).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{} {args:?}: {}",
            account.name,
            stderr(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&alice, &["declare", "Payments down"]);
    for round in 0..3 {
        run(&bob, &["note", &format!("bob {round}")]);
        run(&alice, &["note", &format!("alice {round}")]);
        run(&alice, &["check", "1.1"]);
        let seen = run(&carol, &["show", "--json"]);
        assert!(
            seen.contains(&format!("alice {round}")),
            "the observer reads the latest"
        );
    }
    run(&bob, &["status-update", "Mitigated"]);
    let seen: serde_json::Value = serde_json::from_str(&run(&carol, &["show", "--json"])).unwrap();
    let texts: Vec<&str> = seen["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["text"].as_str())
        .collect();
    for expected in ["bob 0", "alice 2", "Mitigated"] {
        assert!(texts.contains(&expected), "{expected} missing from {texts:?}");
    }

    let now: Vec<_> = names.iter().map(|n| identity(&folder.join(n))).collect();
    assert_eq!(
        now, made,
        "SQLite replaced, re-owned or re-moded a file init made"
    );
    assert!(!folder.join("warroom.db-journal").exists());
    let entries = std::fs::read_dir(&folder).unwrap().count();
    assert_eq!(entries, 3, "SQLite left other files in the folder");
    // And everyone can still work, and doctor is content for each.
    run(&bob, &["note", "after the cycle"]);
    for account in [&alice, &bob, &carol] {
        let out = account.warroom(&db).arg("doctor").output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    }
}

/// What doctor tells accounts that cannot take part, in their own words.
#[test]
fn doctor_advises_outsiders_observers_and_unshared_databases() {
    use common::accounts::{Account, TempGroup, skipped_unless_root};
    if skipped_unless_root("doctor_advises_outsiders_observers_and_unshared_databases") {
        return;
    }
    let group = TempGroup::new("g");
    let alice = Account::new("a", &[&group]);
    let dave = Account::new("d", &[]);
    let doctor_as = |account: &Account, db: &Path| {
        let out = account.warroom(db).arg("doctor").output().unwrap();
        let report = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(!report.contains("chmod") && !report.contains("chgrp"), "{report}");
        (out.status.code(), report)
    };
    let dir = temp_dir();

    // A member's room the outsider cannot enter: told about the group, not
    // that the database is missing.
    let folder = dir.path().join("room");
    let db = folder.join("warroom.db");
    init(
        &db,
        &["--shared", folder.to_str().unwrap(), "--group", &group.name],
    );
    ok(&db, &["declare", "members only"]);
    let (code, report) = doctor_as(&dave, &db);
    assert_eq!(code, Some(1), "{report}");
    assert!(
        report.contains(&format!(
            "your account {} is not in group {}, the group of {}",
            dave.name,
            group.name,
            folder.display()
        )),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "fix: an admin adds you: usermod -aG {} {}",
            group.name, dave.name
        )),
        "{report}"
    );
    assert!(
        !report.contains("does not exist") && !report.contains("no database"),
        "{report}"
    );
    let (code, report) = doctor_as(&alice, &db);
    assert_eq!(code, Some(0), "{report}");

    // root:root, never shared: "not shared yet", never "add yourself to group root".
    let rooms = dir.path().join("root-room");
    std::fs::create_dir(&rooms).unwrap();
    let root_db = rooms.join("warroom.db");
    ok(&root_db, &["declare", "root's"]);
    std::fs::set_permissions(&root_db, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (code, report) = doctor_as(&dave, &root_db);
    assert_eq!(code, Some(1), "{report}");
    assert!(
        report.contains("is not shared yet: it belongs to root and group root"),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "fix: an admin runs: warroom init --shared {} --group GROUP",
            rooms.display()
        )),
        "{report}"
    );
    assert!(
        !report.contains("group root (") && !report.contains("-aG root"),
        "{report}"
    );
    // Readable by everyone but still root's: the same words, as a warning.
    std::fs::set_permissions(&root_db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, report) = doctor_as(&dave, &root_db);
    assert_eq!(code, Some(0), "{report}");
    assert!(
        report.contains("WARN") && report.contains("is not shared yet"),
        "{report}"
    );

    // A database in its owner's personal group: not shared yet either.
    let own = alice.home.join("own");
    let out = alice
        .command("sh")
        .args([
            "-c",
            &format!(
                "mkdir -m 0755 {0} && chmod 0755 {1}",
                own.display(),
                alice.home.display()
            ),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let own_db = own.join("warroom.db");
    let out = alice.warroom(&own_db).args(["declare", "mine"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let (code, report) = doctor_as(&dave, &own_db);
    assert_eq!(code, Some(0), "{report}");
    assert!(
        report.contains(&format!(
            "is not shared yet: it belongs to {0} and group {0}",
            alice.name
        )),
        "{report}"
    );

    // An observer of a room made for observers: told it is set up that way
    // and how to take part.
    let watched = dir.path().join("watched");
    let watched_db = watched.join("warroom.db");
    init(
        &watched_db,
        &[
            "--shared",
            watched.to_str().unwrap(),
            "--group",
            &group.name,
            "--observers",
        ],
    );
    ok(&watched_db, &["declare", "watch this"]);
    let (code, report) = doctor_as(&dave, &watched_db);
    assert_eq!(code, Some(0), "{report}");
    assert!(
        report.contains(&format!(
            "this war room lets accounts outside group {} watch (init --observers), so the console opens read-only",
            group.name
        )),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "to take part as a responder, an admin adds you: usermod -aG {} {}",
            group.name, dave.name
        )),
        "{report}"
    );
}

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

    assert_eq!(mode(&folder), 0o2770, "setgid, group-writable, private");
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
    assert!(
        report.contains(&format!("fix: chgrp nogroup {}", wal.display())),
        "{report}"
    );
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

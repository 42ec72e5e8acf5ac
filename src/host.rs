//! The shared host: setting up a folder and database that every responder's
//! account can use (`warroom init --shared`), and finding what stops one
//! from working (`warroom doctor`).
//!
//! SQLite shares a WAL database between Unix accounts only when the folder
//! is setgid and group-writable (so `-wal`/`-shm` get the folder's group) and
//! the files are group-writable: a `-wal` of another group makes SQLite
//! refuse to open the database at all.

use std::ffi::CString;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::store::{OpenMode, Store};

/// The setgid bit on a folder: files created in it take its group.
const SETGID: u32 = 0o2000;

/// What `init --shared` made.
#[derive(Debug)]
pub struct SharedSetup {
    pub database: PathBuf,
    pub group: String,
    pub folder_mode: u32,
    pub file_mode: u32,
}

/// Creates `folder` (setgid, group `group` or the caller's primary group,
/// 2770, or 2775 when `observers` may read) and an initialized database in it
/// (0660, or 0664).
pub fn init_shared(folder: &Path, group: Option<&str>, observers: bool) -> Result<SharedSetup, String> {
    let gid = match group {
        Some(name) => uzers::get_group_by_name(name)
            .ok_or_else(|| format!("there is no group {name:?} on this host (create it with groupadd)"))?
            .gid(),
        None => uzers::get_current_gid(),
    };
    let group_name = group_name(gid);
    fs::create_dir_all(folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let (folder_mode, file_mode) = if observers {
        (0o2775, 0o664)
    } else {
        (0o2770, 0o660)
    };
    set_owner_and_mode(folder, gid, folder_mode)?;

    let database = folder.join("warroom.db");
    drop(Store::open(&database, OpenMode::Create).map_err(|e| e.to_string())?);
    for path in with_side_files(&database) {
        if path.exists() {
            set_owner_and_mode(&path, gid, file_mode)?;
        }
    }
    Ok(SharedSetup {
        database,
        group: group_name,
        folder_mode,
        file_mode,
    })
}

fn set_owner_and_mode(path: &Path, gid: u32, mode: u32) -> Result<(), String> {
    std::os::unix::fs::chown(path, None, Some(gid)).map_err(|e| {
        format!(
            "cannot give {} to group {}: {e} (you must own it and belong to the group, or be root)",
            path.display(),
            group_name(gid)
        )
    })?;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(|e| format!("cannot set the mode of {}: {e}", path.display()))
}

fn group_name(gid: u32) -> String {
    uzers::get_group_by_gid(gid)
        .map(|g| g.name().to_string_lossy().into_owned())
        .unwrap_or_else(|| gid.to_string())
}

fn user_name(uid: u32) -> String {
    uzers::get_user_by_uid(uid)
        .map(|u| u.name().to_string_lossy().into_owned())
        .unwrap_or_else(|| uid.to_string())
}

fn with_side_files(database: &Path) -> [PathBuf; 3] {
    let name = database.as_os_str().to_string_lossy();
    [
        database.to_path_buf(),
        PathBuf::from(format!("{name}-wal")),
        PathBuf::from(format!("{name}-shm")),
    ]
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Ok,
    /// Works for you, but may not for others (or watch-only).
    Warn,
    /// Stops warroom from working.
    Fail,
}

/// One thing `doctor` checked.
#[derive(Debug, Clone)]
pub struct Finding {
    pub severity: Severity,
    pub what: String,
    /// The command or step that fixes it.
    pub fix: Option<String>,
}

impl Finding {
    fn ok(what: String) -> Finding {
        Finding {
            severity: Severity::Ok,
            what,
            fix: None,
        }
    }

    fn problem(severity: Severity, what: String, fix: String) -> Finding {
        Finding {
            severity,
            what,
            fix: Some(fix),
        }
    }
}

/// Whether the calling process may access `path` (`mode` as for access(2)),
/// judged by the kernel with its real uid and groups.
fn may(path: &Path, mode: libc::c_int) -> bool {
    let Ok(c_path) = CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a valid NUL-terminated path; access(2) only reads it.
    unsafe { libc::access(c_path.as_ptr(), mode) == 0 }
}

fn describe(meta: &fs::Metadata) -> String {
    format!(
        "owner {}, group {}, mode {:04o}",
        user_name(meta.uid()),
        group_name(meta.gid()),
        meta.mode() & 0o7777
    )
}

/// Checks the database, its folder, `-wal`/`-shm` and the caller's rights.
pub fn diagnose(database: &Path) -> Vec<Finding> {
    use Severity::{Fail, Warn};
    let mut findings = Vec::new();
    let folder = database
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let shown = database.display();

    let folder_meta = match fs::metadata(folder) {
        Ok(meta) => meta,
        Err(e) => {
            findings.push(Finding::problem(
                Fail,
                format!("folder {}: {e}", folder.display()),
                format!("warroom init --shared {} --group GROUP", folder.display()),
            ));
            return findings;
        }
    };
    let folder_mode = folder_meta.mode() & 0o7777;
    if folder_mode & 0o020 == 0 || folder_mode & SETGID == 0 {
        findings.push(Finding::problem(
            Warn,
            format!(
                "folder {} ({}) is not setgid and group-writable: only its owner can share it",
                folder.display(),
                describe(&folder_meta)
            ),
            format!(
                "chmod 2770 {} (and chgrp it to the responders' group)",
                folder.display()
            ),
        ));
    } else {
        findings.push(Finding::ok(format!(
            "folder {} ({})",
            folder.display(),
            describe(&folder_meta)
        )));
    }

    let db_meta = match fs::metadata(database) {
        Ok(meta) => meta,
        Err(e) => {
            findings.push(Finding::problem(
                Fail,
                format!("database {shown}: {e}"),
                "declare an incident to create it, or warroom init --shared FOLDER".into(),
            ));
            return findings;
        }
    };
    let db_mode = db_meta.mode() & 0o7777;
    if db_mode & 0o060 != 0o060 {
        findings.push(Finding::problem(
            Warn,
            format!(
                "database {shown} ({}) is not group-readable and -writable",
                describe(&db_meta)
            ),
            format!("chmod 0660 {shown}"),
        ));
    } else {
        findings.push(Finding::ok(format!("database {shown} ({})", describe(&db_meta))));
    }

    for side in &with_side_files(database)[1..] {
        let Ok(meta) = fs::metadata(side) else { continue };
        if meta.gid() != db_meta.gid() || meta.mode() & 0o777 != db_mode & 0o777 {
            findings.push(Finding::problem(
                Fail,
                format!(
                    "{} ({}) does not match the database's group and mode: SQLite refuses to open the database for accounts that cannot write it",
                    side.display(),
                    describe(&meta)
                ),
                format!(
                    "chgrp {} {} && chmod {:04o} {}",
                    group_name(db_meta.gid()),
                    side.display(),
                    db_mode & 0o777,
                    side.display()
                ),
            ));
        } else {
            findings.push(Finding::ok(format!("{} ({})", side.display(), describe(&meta))));
        }
    }

    let me = crate::account::current_account();
    let can_write_db = may(database, libc::R_OK | libc::W_OK);
    let can_write_folder = may(folder, libc::W_OK | libc::X_OK);
    if !may(database, libc::R_OK) {
        findings.push(Finding::problem(
            Fail,
            format!("your account {me} cannot read {shown}"),
            format!("add {me} to group {} (usermod -aG)", group_name(db_meta.gid())),
        ));
    } else if !can_write_db {
        findings.push(Finding::problem(
            Warn,
            format!("your account {me} can read but not write {shown}: the console opens read-only"),
            format!(
                "to take part, add {me} to group {} (usermod -aG)",
                group_name(db_meta.gid())
            ),
        ));
    } else if !can_write_folder {
        findings.push(Finding::problem(
            Fail,
            format!("your account {me} can write {shown} but not its folder, where SQLite keeps -wal/-shm"),
            format!("chmod g+w {} and add {me} to its group", folder.display()),
        ));
    } else {
        findings.push(Finding::ok(format!("your account {me} can read and write it")));
    }
    let shm = &with_side_files(database)[2];
    if !can_write_folder && !shm.exists() {
        findings.push(Finding::problem(
            Fail,
            format!(
                "{} is missing and you cannot create it: a read-only account cannot open the database",
                shm.display()
            ),
            "have a responder who can write open warroom once (warroom keeps the file from then on)".into(),
        ));
    }

    match Store::open(database, OpenMode::Existing) {
        Ok(mut store) => match store.quick_check() {
            Ok(()) => findings.push(Finding::ok("warroom schema and SQLite quick_check".into())),
            Err(e) => findings.push(Finding::problem(
                Fail,
                e.to_string(),
                "restore the file from a copy".into(),
            )),
        },
        Err(e) => findings.push(Finding::problem(
            Fail,
            e.to_string(),
            "see the message; `warroom --db OTHER` uses another file".into(),
        )),
    }
    findings
}

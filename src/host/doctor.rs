//! `warroom doctor`: what stops an account from using the database, with
//! the fix for each finding.
//!
//! It looks at every name with lstat and changes nothing. Any member may swap
//! a file for a link between the report and the moment root pastes a fix, so
//! a fix that changes files is only ever `warroom init --shared` (which works
//! through file descriptors and refuses links) or `rm --` of a name in the
//! folder followed by that init; never a chmod or chgrp of a path, which
//! would follow whatever link is there by then.

use std::ffi::{CString, OsStr};
use std::fs::Metadata;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::folder::{Owners, Unfit, is_member, unfit};
use super::{SETGID, STICKY, account_name, group_name};
use crate::store::files::{SIDE_FILE_SUFFIXES, describe_path, side_file};
use crate::store::{OpenMode, Store};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Ok,
    /// Works for you, but may not for others (or watch-only), or lets a
    /// member do what it should not.
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
    pub(super) fn ok(what: String) -> Finding {
        Finding {
            severity: Severity::Ok,
            what,
            fix: None,
        }
    }

    pub(super) fn problem(severity: Severity, what: String, fix: String) -> Finding {
        Finding {
            severity,
            what,
            fix: Some(fix),
        }
    }
}

/// Checks the database's folder, the database, `-wal`/`-shm`/`-journal` and
/// the caller's rights, then (when nothing above failed) opens it with SQLite.
pub fn diagnose(database: &Path) -> Vec<Finding> {
    let database = std::path::absolute(database).unwrap_or_else(|_| database.to_path_buf());
    let mut doctor = Doctor {
        findings: Vec::new(),
        me: Me::now(),
    };
    doctor.examine(&database);
    doctor.findings
}

/// The calling account as access(2) judges it: real uid and groups.
struct Me {
    uid: u32,
    name: String,
    groups: Vec<u32>,
}

impl Me {
    fn now() -> Me {
        let mut groups: Vec<u32> = uzers::group_access_list()
            .map(|list| list.iter().map(|g| g.gid()).collect())
            .unwrap_or_default();
        groups.push(uzers::get_current_gid());
        Me {
            uid: uzers::get_current_uid(),
            name: crate::account::current_account(),
            groups,
        }
    }
}

/// The folder being examined (the real one when the given one is a link).
struct Folder {
    path: PathBuf,
    meta: Metadata,
}

impl Folder {
    fn group(&self) -> String {
        group_name(self.meta.gid())
    }

    fn owners(&self) -> Owners {
        Owners {
            folder_owner: self.meta.uid(),
            gid: self.meta.gid(),
        }
    }

    /// Writable by accounts other than its owner: a shared folder.
    fn is_shared(&self) -> bool {
        self.meta.mode() & 0o022 != 0
    }
}

struct Doctor {
    findings: Vec<Finding>,
    me: Me,
}

impl Doctor {
    fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Fail)
    }

    fn examine(&mut self, database: &Path) {
        let (Some(name), Some(given_folder)) = (database.file_name(), database.parent()) else {
            self.push(Finding::problem(
                Severity::Fail,
                format!("{} does not name a file in a folder", database.display()),
                "give the path of the database file (--db PATH or WARROOM_DB)".into(),
            ));
            return;
        };
        let Some(folder) = self.look_at_folder(given_folder, name) else {
            return;
        };
        if !may(&folder.path, libc::X_OK) {
            let mut finding = self.outsider(&folder.path, &folder.meta, &folder, "enter the folder");
            finding.what.push_str(" (so nothing inside it could be checked)");
            self.push(finding);
            return;
        }
        let database = folder.path.join(name);
        let db_meta = self.look_at_database(&folder, &database);
        self.look_at_side_files(&folder, &database, db_meta.as_ref());
        let Some(db_meta) = db_meta else { return };
        self.look_at_rights(&folder, &database, &db_meta);
        // SQLite would only repeat a failure, or meet a name refused above.
        if !self.failed() {
            self.open_with_sqlite(&database);
        }
    }

    /// The folder: a real folder (a link is looked through, with a warning),
    /// setgid, sticky, writable by the group, owned by root or the caller.
    fn look_at_folder(&mut self, path: &Path, database_name: &OsStr) -> Option<Folder> {
        use Severity::{Fail, Warn};
        let meta = match std::fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.push(Finding::problem(
                    Fail,
                    format!("folder {} does not exist", path.display()),
                    init_command(path, None),
                ));
                return None;
            }
            Err(e) => {
                self.push(Finding::problem(
                    Fail,
                    format!("cannot look at folder {}: {e}", path.display()),
                    "check the rights on the folders above it".into(),
                ));
                return None;
            }
        };
        if meta.file_type().is_symlink() {
            let what = describe_path(path, &meta);
            let Ok(real) = std::fs::canonicalize(path) else {
                self.push(Finding::problem(
                    Fail,
                    format!("folder {} is {what}, which leads nowhere", path.display()),
                    "give the path of the real folder (--db PATH or WARROOM_DB)".into(),
                ));
                return None;
            };
            self.push(Finding::problem(
                Warn,
                format!(
                    "folder {} is {what}: whoever can change the link can send every responder elsewhere, and warroom init --shared refuses it; the checks below are of {}",
                    path.display(),
                    real.display()
                ),
                format!("export WARROOM_DB={}", quoted(&real.join(database_name))),
            ));
            return self.look_at_folder(&real, database_name);
        }
        if !meta.is_dir() {
            self.push(Finding::problem(
                Fail,
                format!(
                    "{} is {}, not a folder",
                    path.display(),
                    describe_path(path, &meta)
                ),
                "give the path of a database inside a folder (--db PATH or WARROOM_DB)".into(),
            ));
            return None;
        }
        let folder = Folder {
            path: path.to_path_buf(),
            meta,
        };
        let mode = folder.meta.mode() & 0o7777;
        let mut problems = Vec::new();
        if !folder.is_shared() {
            problems.push("is writable by its owner only: nobody else can use warroom here".to_string());
        } else {
            if mode & 0o002 != 0 {
                problems.push("is writable by every account on the host".into());
            }
            if mode & SETGID == 0 {
                problems.push(
                    "is not setgid: files SQLite adds take their creator's group, which the others may not write"
                        .into(),
                );
            }
            if mode & STICKY == 0 {
                problems.push(
                    "has no sticky bit: any member can remove or rename the database and its side files, or put a link in their place"
                        .into(),
                );
            }
            let owner = folder.meta.uid();
            if owner != 0 && owner != self.me.uid {
                problems.push(format!(
                    "belongs to {}, who can replace any file in it",
                    account_name(owner)
                ));
            }
        }
        let described = format!("folder {} ({})", path.display(), describe(&folder.meta));
        if problems.is_empty() {
            self.push(Finding::ok(described));
        } else {
            let fix = self.init_fix(&folder);
            self.push(Finding::problem(
                Warn,
                format!("{described} {}", problems.join("; ")),
                fix,
            ));
        }
        Some(folder)
    }

    /// The database file itself.
    fn look_at_database(&mut self, folder: &Folder, database: &Path) -> Option<Metadata> {
        use Severity::{Fail, Warn};
        let meta = match std::fs::symlink_metadata(database) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let fix = if folder.is_shared() {
                    format!("{} (or declare an incident to create it)", self.init_fix(folder))
                } else {
                    "declare an incident to create it".into()
                };
                self.push(Finding::problem(
                    Fail,
                    format!("there is no database {} yet", database.display()),
                    fix,
                ));
                return None;
            }
            Err(e) => {
                self.push(Finding::problem(
                    Fail,
                    format!("cannot look at {}: {e}", database.display()),
                    "check the rights on its folder".into(),
                ));
                return None;
            }
        };
        if let Some(finding) = self.unfit_finding(folder, database, &meta) {
            self.push(finding);
            return None;
        }
        let mode = meta.mode() & 0o7777;
        let mut problems = Vec::new();
        // Modes and groups matter only where others share the folder.
        if folder.is_shared() && mode & 0o060 != 0o060 {
            problems.push("is not group-readable and -writable".to_string());
        }
        if mode & 0o002 != 0 {
            problems.push("is writable by every account on the host".into());
        }
        if folder.is_shared() && meta.gid() != folder.meta.gid() {
            problems.push(format!("is not of the folder's group {}", folder.group()));
        }
        if let Some(owner) = self.member_owner(folder, &meta) {
            problems.push(owner);
        }
        let described = format!("database {} ({})", database.display(), describe(&meta));
        if problems.is_empty() {
            self.push(Finding::ok(described));
        } else {
            let fix = self.init_fix(folder);
            self.push(Finding::problem(
                Warn,
                format!("{described} {}", problems.join("; ")),
                fix,
            ));
        }
        Some(meta)
    }

    /// `-wal`, `-shm` (which init makes, with the database's group and mode)
    /// and `-journal` (only while SQLite switches a new file to WAL).
    fn look_at_side_files(&mut self, folder: &Folder, database: &Path, db_meta: Option<&Metadata>) {
        use Severity::{Fail, Warn};
        let can_write_folder = may(&folder.path, libc::W_OK | libc::X_OK);
        for suffix in SIDE_FILE_SUFFIXES {
            let side = side_file(database, suffix);
            let made_by_init = suffix != "-journal";
            let meta = match std::fs::symlink_metadata(&side) {
                Ok(meta) => meta,
                Err(_) if !made_by_init || db_meta.is_none() => continue,
                Err(_) if suffix == "-shm" && !can_write_folder => {
                    self.push(Finding::problem(
                        Fail,
                        format!(
                            "{} is missing and you cannot create it: a read-only account cannot open the database",
                            side.display()
                        ),
                        self.init_fix(folder),
                    ));
                    continue;
                }
                Err(_) if folder.is_shared() => {
                    self.push(Finding::problem(
                        Warn,
                        format!(
                            "{} is missing: whoever opens the database next creates it and owns it",
                            side.display()
                        ),
                        self.init_fix(folder),
                    ));
                    continue;
                }
                Err(_) => continue,
            };
            if let Some(finding) = self.unfit_finding(folder, &side, &meta) {
                self.push(finding);
                continue;
            }
            let described = format!("{} ({})", side.display(), describe(&meta));
            let Some(db_meta) = db_meta.filter(|_| made_by_init) else {
                continue;
            };
            if !folder.is_shared() {
                self.push(Finding::ok(described));
            } else if meta.gid() != db_meta.gid() || meta.mode() & 0o777 != db_meta.mode() & 0o777 {
                self.push(Finding::problem(
                    Fail,
                    format!(
                        "{described} does not match the database's group and mode: SQLite refuses to open the database for accounts that cannot write it"
                    ),
                    self.init_fix(folder),
                ));
            } else if let Some(owner) = self.member_owner(folder, &meta) {
                self.push(Finding::problem(
                    Warn,
                    format!("{described} {owner}"),
                    self.init_fix(folder),
                ));
            } else {
                self.push(Finding::ok(described));
            }
        }
    }

    /// What the calling account may do with the database.
    fn look_at_rights(&mut self, folder: &Folder, database: &Path, db_meta: &Metadata) {
        let me = self.me.name.clone();
        let shown = database.display();
        if !may(database, libc::R_OK) {
            let finding = self.outsider(database, db_meta, folder, "read the database");
            self.push(finding);
        } else if !may(database, libc::R_OK | libc::W_OK) {
            let finding = self.watcher(database, db_meta, folder);
            self.push(finding);
        } else if !may(&folder.path, libc::W_OK | libc::X_OK) {
            self.push(Finding::problem(
                Severity::Fail,
                format!(
                    "your account {me} can write {shown} but not its folder, where SQLite keeps -wal/-shm"
                ),
                self.init_fix(folder),
            ));
        } else {
            self.push(Finding::ok(format!("your account {me} can read and write it")));
        }
    }

    fn open_with_sqlite(&mut self, database: &Path) {
        match Store::open(database, OpenMode::Existing) {
            Ok(mut store) => match store.quick_check() {
                Ok(()) => self.push(Finding::ok("warroom schema and SQLite quick_check".into())),
                Err(e) => self.push(Finding::problem(
                    Severity::Fail,
                    e.to_string(),
                    "restore the file from a copy".into(),
                )),
            },
            Err(e) => self.push(Finding::problem(
                Severity::Fail,
                e.to_string(),
                "see the message; `warroom --db OTHER` uses another file".into(),
            )),
        }
    }

    /// A finding for a name in the folder that warroom refuses, if it is one.
    fn unfit_finding(&self, folder: &Folder, path: &Path, meta: &Metadata) -> Option<Finding> {
        let target = meta
            .file_type()
            .is_symlink()
            .then(|| std::fs::read_link(path).ok())
            .flatten();
        let why = unfit(meta, target.as_deref(), &folder.owners())?;
        let what = why.explain(path, &folder.group());
        let init = self.init_fix(folder);
        if !folder.is_shared() {
            // Not a shared folder: the caller's own mistake, most likely.
            let fix = "give the path of the database file itself (--db PATH or WARROOM_DB)".to_string();
            return Some(Finding::problem(Severity::Fail, what, fix));
        }
        let fix = match &why {
            // Removing the name removes only the link or node, never what it
            // points at, whatever a member puts there before the paste.
            Unfit::NotAFile(_) if !meta.is_dir() => format!("rm -- {} && {init}", quoted(path)),
            Unfit::NotAFile(_) => format!("move the folder {} out of the way, then {init}", quoted(path)),
            Unfit::HardLinked(_) => format!(
                "see its other names (find / -samefile {}), remove those that should not be there, then {init}",
                quoted(path)
            ),
            Unfit::ForeignOwner(_) => {
                format!("move it out of the folder and find out who put it there, then {init}")
            }
        };
        Some(Finding::problem(Severity::Fail, what, fix))
    }

    /// "owned by alice, a member: …" when a file belongs to a member rather
    /// than to root or the folder's owner.
    fn member_owner(&self, folder: &Folder, meta: &Metadata) -> Option<String> {
        let owner = meta.uid();
        (owner != 0 && owner != folder.meta.uid()).then(|| {
            format!(
                "belongs to {}, a member, who can change its mode and lock the others out (init as root takes it over)",
                account_name(owner)
            )
        })
    }

    /// Why the caller cannot `action` `path` (of metadata `meta`): not
    /// shared yet, not in the group, or in it only since this login.
    fn outsider(&self, path: &Path, meta: &Metadata, folder: &Folder, action: &str) -> Finding {
        let me = &self.me.name;
        let shown = path.display();
        let gid = meta.gid();
        let group = group_name(gid);
        let (what, fix) = if !is_shared_group(meta) {
            (
                format!(
                    "{shown} is not shared yet: it belongs to {} and group {group}, so your account {me} cannot {action}",
                    account_name(meta.uid())
                ),
                format!("an admin runs: {}", init_command(&folder.path, None)),
            )
        } else if self.me.groups.contains(&gid) {
            (
                format!(
                    "your account {me} is in group {group}, yet cannot {action} {shown} ({})",
                    describe(meta)
                ),
                self.init_fix(folder),
            )
        } else if is_member(self.me.uid, gid) {
            (
                format!(
                    "your account {me} was added to group {group} after this login started, so it cannot {action} {shown} yet"
                ),
                format!("log in again (or run: newgrp {group})"),
            )
        } else {
            (
                format!(
                    "your account {me} is not in group {group}, the group of {shown}, so it cannot {action}: only members of {group} can use this war room"
                ),
                format!("an admin adds you: usermod -aG {group} {me} (then log in again)"),
            )
        };
        Finding::problem(Severity::Fail, what, fix)
    }

    /// Why the caller can read but not write the database.
    fn watcher(&self, database: &Path, meta: &Metadata, folder: &Folder) -> Finding {
        let me = &self.me.name;
        let shown = database.display();
        let group = group_name(meta.gid());
        let (what, fix) = if !is_shared_group(meta) {
            (
                format!(
                    "{shown} is not shared yet: it belongs to {} and group {group}; your account {me} can read it but not write it, so the console opens read-only",
                    account_name(meta.uid())
                ),
                format!("an admin runs: {}", init_command(&folder.path, None)),
            )
        } else if self.me.groups.contains(&meta.gid()) {
            (
                format!(
                    "your account {me} is in group {group}, yet {shown} ({}) is not group-writable: the console opens read-only",
                    describe(meta)
                ),
                self.init_fix(folder),
            )
        } else if is_member(self.me.uid, meta.gid()) {
            (
                format!(
                    "your account {me} can read but not write {shown}: it was added to group {group} after this login started, so the console opens read-only"
                ),
                format!("log in again (or run: newgrp {group})"),
            )
        } else {
            (
                format!(
                    "your account {me} can read but not write {shown}: this war room lets accounts outside group {group} watch (init --observers), so the console opens read-only"
                ),
                format!(
                    "that is how it is set up; to take part as a responder, an admin adds you: usermod -aG {group} {me} (then log in again)"
                ),
            )
        };
        Finding::problem(Severity::Warn, what, fix)
    }

    /// `warroom init --shared FOLDER --group GROUP`, as the account that can
    /// run it (init works only on a folder of the account running it).
    fn init_fix(&self, folder: &Folder) -> String {
        let group = is_shared_group(&folder.meta).then(|| folder.group());
        let command = init_command(&folder.path, group.as_deref());
        match folder.meta.uid() {
            owner if owner == self.me.uid => command,
            0 => format!("sudo {command}"),
            owner => format!("as {}: {command}", account_name(owner)),
        }
    }
}

/// `warroom init --shared FOLDER --group GROUP` (the word GROUP when unknown).
fn init_command(folder: &Path, group: Option<&str>) -> String {
    let group = group.map_or_else(|| "GROUP".to_string(), |name| quoted(Path::new(name)));
    format!("warroom init --shared {} --group {group}", quoted(folder))
}

/// Whether a file's group is one to share with: not root's, not the owner's
/// personal group (named after the owner, as useradd makes it).
fn is_shared_group(meta: &Metadata) -> bool {
    meta.gid() != 0 && group_name(meta.gid()) != account_name(meta.uid())
}

/// Whether the calling process may access `path` (`mode` as for access(2)),
/// judged by the kernel with its real uid and groups. Only called on names
/// lstat found to be a regular file or a folder.
fn may(path: &Path, mode: libc::c_int) -> bool {
    let Ok(c_path) = CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a valid NUL-terminated path; access(2) only reads it.
    unsafe { libc::access(c_path.as_ptr(), mode) == 0 }
}

fn describe(meta: &Metadata) -> String {
    format!(
        "owner {}, group {}, mode {:04o}",
        account_name(meta.uid()),
        group_name(meta.gid()),
        meta.mode() & 0o7777
    )
}

/// `path` as one shell word: as is when it holds only safe characters,
/// else in single quotes.
fn quoted(path: &Path) -> String {
    let text = path.to_string_lossy();
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@%=".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

//! The shared host: setting up a folder and database that every responder's
//! account can use (`warroom init --shared`), and finding what stops one
//! from working (`warroom doctor`).
//!
//! SQLite shares a WAL database between Unix accounts only when the folder
//! is setgid and group-writable (so `-wal`/`-shm` get the folder's group) and
//! the files are group-writable: a `-wal` of another group makes SQLite
//! refuse to open the database at all.
//!
//! Any member of that group may be hostile. The folder is also sticky, so a
//! member cannot remove or rename a file it does not own; init creates the
//! database, `-wal` and `-shm` itself, owned by the account running it; and
//! nothing in the folder is ever reached by following a path (see
//! [`folder`]).
//!
//! On a PostgreSQL server ([`server`]) the server keeps the rights: init
//! makes the schema and grants, doctor checks them and the connection.

mod doctor;
mod folder;
mod server;

use std::path::{Path, PathBuf};

pub use doctor::{Finding, Severity, diagnose};
use folder::{Owners, SharedFolder};
pub use server::{diagnose_server, init_server, responder_url, shell_word};

use crate::store::{OpenMode, Store};

/// The database's name in a shared folder.
pub const DATABASE_NAME: &str = "warroom.db";

/// The setgid bit on a folder: files created in it take its group.
const SETGID: u32 = 0o2000;
/// The sticky bit on a folder: only a file's owner (or the folder's, or root)
/// may remove or rename it.
const STICKY: u32 = 0o1000;

/// What `init --shared` made.
#[derive(Debug)]
pub struct SharedSetup {
    pub database: PathBuf,
    pub group: String,
    pub folder_mode: u32,
    pub file_mode: u32,
}

/// Folder and file modes of a shared war room: setgid, sticky and
/// group-writable; readable by everyone when `observers` may watch.
fn shared_modes(observers: bool) -> (u32, u32) {
    if observers {
        (SETGID | STICKY | 0o775, 0o664)
    } else {
        (SETGID | STICKY | 0o770, 0o660)
    }
}

/// Creates or repairs `folder` (group `group` or the caller's primary group,
/// 3770, or 3775 when `observers` may read) and the database, `-wal` and
/// `-shm` in it (0660, or 0664), all through file descriptors; then lets
/// SQLite initialize the database.
///
/// Refused, with nothing in the folder changed: a folder that is a link or
/// not the caller's, and a database or side file that is a link, not a
/// regular file, hard-linked, or owned by an account outside the group.
pub fn init_shared(folder: &Path, group: Option<&str>, observers: bool) -> Result<SharedSetup, String> {
    let gid = match group {
        Some(name) => uzers::get_group_by_name(name)
            .ok_or_else(|| format!("there is no group {name:?} on this host (create it with groupadd)"))?
            .gid(),
        None => uzers::get_current_gid(),
    };
    let (folder_mode, file_mode) = shared_modes(observers);
    let mut shared = SharedFolder::create_or_open(folder)?;
    let owners = Owners {
        folder_owner: shared.owner(),
        gid,
    };
    // The database, -wal and -shm, which init makes and owns; a -journal
    // only exists while SQLite switches a new file to WAL.
    let [database_name, wal, shm, journal] =
        ["", "-wal", "-shm", "-journal"].map(|suffix| format!("{DATABASE_NAME}{suffix}"));
    // Judge every name before changing anything.
    for name in [&database_name, &wal, &shm, &journal] {
        shared.refuse_if_unfit(name, &owners)?;
    }
    // Sticky first: from here on no member can remove or rename a file the
    // caller owns.
    shared.set_group_and_mode(gid, folder_mode)?;
    // Root takes over files a member made, so that no member can chmod them
    // or, the folder being sticky, remove or rename them.
    let caller = uzers::get_effective_uid();
    let new_owner = (caller == 0).then_some(caller);
    let mut database_file = shared.open_file(&database_name, &owners)?;
    shared.set_owner_group_and_mode(&mut database_file, new_owner, gid, file_mode)?;
    shared.still_names(&database_file)?;
    let database = shared.path().join(DATABASE_NAME);
    // SQLite initializes the database before -wal and -shm are made: opening
    // an empty database, it deletes a -wal it finds as stale, which a member
    // could not do later in the sticky folder.
    drop(Store::open(&database, OpenMode::Create).map_err(|e| e.to_string())?);
    let mut vetted = vec![database_file];
    for name in [&wal, &shm] {
        let mut file = shared.open_file(name, &owners)?;
        shared.set_owner_group_and_mode(&mut file, new_owner, gid, file_mode)?;
        vetted.push(file);
    }
    // SQLite opened the names; make sure they are the files vetted.
    for file in &vetted {
        shared.still_names(file)?;
    }
    Ok(SharedSetup {
        database,
        group: group_name(gid),
        folder_mode,
        file_mode,
    })
}

pub(crate) fn group_name(gid: u32) -> String {
    uzers::get_group_by_gid(gid)
        .map(|g| g.name().to_string_lossy().into_owned())
        .unwrap_or_else(|| gid.to_string())
}

pub(crate) fn account_name(uid: u32) -> String {
    uzers::get_user_by_uid(uid)
        .map(|u| u.name().to_string_lossy().into_owned())
        .unwrap_or_else(|| uid.to_string())
}

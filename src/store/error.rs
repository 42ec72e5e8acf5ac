//! Store failures, each worded for the person at the keyboard.

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} is a folder, not a warroom database (give the path of a file)")]
    IsDirectory(PathBuf),
    #[error(
        "{path} is a symbolic link (to {target}): warroom never follows links in the database's folder; give the path of the database itself (warroom doctor checks the folder)"
    )]
    Link { path: PathBuf, target: PathBuf },
    #[error(
        "{path} is {what}, not a warroom database: warroom opens only regular files (nothing was opened or created)"
    )]
    NotAFile { path: PathBuf, what: String },
    #[error(
        "{side} is {what}: warroom never follows links in the database's folder and opens {database} only when its -wal, -shm and -journal are regular files (nothing was opened; run warroom doctor)"
    )]
    OddSideFile {
        side: PathBuf,
        what: String,
        database: PathBuf,
    },
    #[error("no warroom database at {0} yet (`warroom declare TITLE` creates it)")]
    NoDatabase(PathBuf),
    // The io::Error is part of the message, not a `source`: printed with its
    // chain, it would say the cause twice.
    #[error("cannot create the folder {folder}: {cause}")]
    CreateFolder { folder: PathBuf, cause: std::io::Error },
    #[error("cannot read {path}: {cause}")]
    Unreadable { path: PathBuf, cause: std::io::Error },
    #[error(
        "cannot open {0}: its folder is not writable for your account and the database's -shm file does not exist yet; a responder who can write should open it once (warroom then keeps the file), or make the folder group-writable (warroom doctor)"
    )]
    NoShm(PathBuf),
    #[error("{0} is not a warroom database: it is not an SQLite file at all (left untouched)")]
    NotADatabase(PathBuf),
    /// The database named (a path, or a URL without its password) is
    /// another application's: "an SQLite file", "a `warroom` schema".
    #[error("{0} is not a warroom database: it is {1} of another application (left untouched)")]
    Foreign(String, &'static str),
    #[error(
        "{database} was written by a newer warroom (schema {found}; this binary knows up to {supported}); upgrade warroom to use it (left untouched)"
    )]
    NewerSchema {
        database: String,
        found: i64,
        supported: i64,
    },
    #[error(
        "{0} is read-only for your account: you can read the incident but not change it (ask for write access to the file and its folder)"
    )]
    ReadOnly(PathBuf),
    #[error(
        "{0} is read-only for your database role: you can read the incident but not change it (the admin grants writing with warroom init --db URL --responders ROLE)"
    )]
    ReadOnlyRole(String),
    #[error("{0} has no warroom schema yet: an admin runs `warroom init --db URL` once")]
    NotInitialized(String),
    /// The server cannot be reached (down, restarting, network gone); the
    /// same command may work a moment later.
    #[error("cannot reach {database}: {reason}")]
    Unreachable { database: String, reason: String },
    #[error("cannot open {path}: {reason}")]
    CannotOpen { path: PathBuf, reason: String },
    #[error("the disk holding {0} is full: nothing was written; free space and try again")]
    DiskFull(PathBuf),
    #[error("{0} is damaged ({1}); restore it from a copy")]
    Damaged(PathBuf, String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Engine(EngineError),
}

/// A failure of the database engine that has no message of its own above.
/// Opaque outside the store, so nothing there depends on which engine it is.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Sqlite(rusqlite::Error),
    #[error("{}", super::postgres::describe_error(.0))]
    Postgres(postgres::Error),
    /// A stored value of a shape warroom never writes.
    #[error("{0}")]
    Mismatch(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Engine(EngineError::Sqlite(e))
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> StoreError {
        StoreError::Engine(EngineError::Postgres(e))
    }
}

impl StoreError {
    /// True when the database is not there yet for a reader: no file (or an
    /// empty one) on SQLite, no `warroom` schema on PostgreSQL. Readers
    /// report nothing declared instead of failing, the same on both.
    pub fn is_nothing_declared_yet(&self) -> bool {
        matches!(self, StoreError::NoDatabase(_) | StoreError::NotInitialized(_))
    }

    /// Turns a raw SQLite failure on `path` into the message a user can act on.
    pub(crate) fn from_sqlite(e: rusqlite::Error, path: &Path) -> StoreError {
        let path = path.to_path_buf();
        let Some(code) = e.sqlite_error_code() else {
            return e.into();
        };
        match code {
            ErrorCode::NotADatabase => StoreError::NotADatabase(path),
            ErrorCode::ReadOnly if extended_code(&e) == Some(rusqlite::ffi::SQLITE_READONLY_DIRECTORY) => {
                StoreError::NoShm(path)
            }
            ErrorCode::ReadOnly => StoreError::ReadOnly(path),
            // The name became a link between Store::open's checks and SQLite's open.
            ErrorCode::CannotOpen if extended_code(&e) == Some(rusqlite::ffi::SQLITE_CANTOPEN_SYMLINK) => {
                StoreError::Link {
                    target: std::fs::read_link(&path).unwrap_or_default(),
                    path,
                }
            }
            ErrorCode::DiskFull => StoreError::DiskFull(path),
            ErrorCode::DatabaseCorrupt => StoreError::Damaged(path, e.to_string()),
            ErrorCode::CannotOpen | ErrorCode::PermissionDenied => StoreError::CannotOpen {
                path,
                reason: format!(
                    "{e} (check that your account can read the file and write its folder, and that any -wal/-shm files beside it belong to the same group)"
                ),
            },
            _ => e.into(),
        }
    }
}

fn extended_code(e: &rusqlite::Error) -> Option<std::ffi::c_int> {
    match e {
        rusqlite::Error::SqliteFailure(failure, _) => Some(failure.extended_code),
        _ => None,
    }
}

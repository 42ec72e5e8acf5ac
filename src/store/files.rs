//! The files a database is made of, and which of them warroom accepts.
//!
//! In a shared folder any member of the group can put a symbolic link, a FIFO
//! or a device node where the database or one of SQLite's side files belongs.
//! SQLite resolves a link given as the database's own name (and creates its
//! `-wal`/`-shm` beside the target), and reads a FIFO as an empty database. So
//! every name is looked at without following it (lstat) before SQLite sees it.

use std::ffi::OsString;
use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::{Result, StoreError};

/// What SQLite keeps beside a database `X`: `X-wal` and `X-shm` in WAL mode,
/// `X-journal` while a rollback-mode transaction (the switch to WAL) runs.
pub const SIDE_FILE_SUFFIXES: [&str; 3] = ["-wal", "-shm", "-journal"];

/// `database` with `suffix` appended to its name (`warroom.db-wal`).
pub fn side_file(database: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(database.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

/// What a file of this `st_mode` is, in words for a message; a link is
/// described with its target by [`describe`].
pub fn kind_in_words(st_mode: u32) -> &'static str {
    match st_mode & libc::S_IFMT {
        libc::S_IFREG => "a regular file",
        libc::S_IFDIR => "a folder",
        libc::S_IFLNK => "a symbolic link",
        libc::S_IFIFO => "a FIFO (named pipe)",
        libc::S_IFSOCK => "a socket",
        libc::S_IFCHR => "a character device",
        libc::S_IFBLK => "a block device",
        _ => "not a regular file",
    }
}

/// What a name is, with a link's target: "a symbolic link (to /etc/passwd)".
pub fn describe(st_mode: u32, link_target: Option<&Path>) -> String {
    match link_target {
        Some(target) if st_mode & libc::S_IFMT == libc::S_IFLNK => {
            format!("a symbolic link (to {})", target.display())
        }
        _ => kind_in_words(st_mode).to_string(),
    }
}

/// [`describe`] for a path whose lstat is `meta`.
pub fn describe_path(path: &Path, meta: &Metadata) -> String {
    let target = meta
        .file_type()
        .is_symlink()
        .then(|| std::fs::read_link(path).ok())
        .flatten();
    describe(meta.mode(), target.as_deref())
}

/// Refuses a side file of `database` that SQLite must not meet: a link (warroom
/// never follows one in the database's folder) or anything but a regular file.
/// A side file that is missing is fine; SQLite creates it.
pub(super) fn refuse_odd_side_files(database: &Path) -> Result<()> {
    for suffix in SIDE_FILE_SUFFIXES {
        let side = side_file(database, suffix);
        // A name we cannot even look at is one SQLite cannot open either; its
        // own error says so.
        let Ok(meta) = std::fs::symlink_metadata(&side) else {
            continue;
        };
        if !meta.is_file() {
            return Err(StoreError::OddSideFile {
                what: describe_path(&side, &meta),
                side,
                database: database.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// `path` with its folder resolved to a path without links (`canonicalize`)
/// and its own name kept, so SQLite can be told to refuse any link left in it.
pub(super) fn with_folder_resolved(path: &Path) -> std::io::Result<PathBuf> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the path does not end in a file name",
        )
    })?;
    Ok(std::fs::canonicalize(folder)?.join(name))
}

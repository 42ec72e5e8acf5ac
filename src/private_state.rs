//! The account's private state folder, `$XDG_STATE_HOME/warroom`
//! (`~/.local/state/warroom`): the log, kept drafts and any other file that
//! may hold something half-typed ("the db password is …"). This module is the
//! one place that knows where it is and how its files are made:
//!
//! * folders are 0700 and files 0600 whatever the umask: the mode is asked for
//!   at creation and set exactly afterwards, and a looser existing one is
//!   tightened when it is next used (and by [`tighten`] at start);
//! * nothing is followed through a symbolic link (`O_NOFOLLOW`), and a folder
//!   or file that belongs to another account, is not a plain file or folder,
//!   or (for files) has a second hard link is refused: root running warroom
//!   with someone else's `HOME` must not write through their links;
//! * [`write_private`] replaces a file through a temporary 0600 file renamed
//!   into place, so a reader never sees half of it and no copy is ever looser.

use std::fs::{DirBuilder, File, OpenOptions, Permissions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

/// Mode of the state folder and its subfolders.
pub const DIR_MODE: u32 = 0o700;
/// Mode of every file in them.
pub const FILE_MODE: u32 = 0o600;

/// How deep [`tighten`] looks below the state folder (its subfolders hold
/// plain files).
const TIGHTEN_DEPTH: usize = 2;

/// The state folder's path, `$XDG_STATE_HOME/warroom` (an absolute
/// `$XDG_STATE_HOME` only), else `~/.local/state/warroom`. Not created.
pub fn state_dir() -> io::Result<PathBuf> {
    let base = directories::BaseDirs::new()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "this account has no home folder"))?;
    let state = base
        .state_dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| base.home_dir().join(".local/state"));
    Ok(state.join("warroom"))
}

/// The state folder (`sub` empty) or its subfolder `sub` (one plain name,
/// such as `drafts`), created 0700 if missing (with any missing parents,
/// also 0700) and tightened to 0700 if looser. Refused when it is a symbolic
/// link or belongs to another account.
pub fn private_dir(sub: &str) -> io::Result<PathBuf> {
    if !sub.is_empty() && !is_plain_name(sub) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{sub:?} is not a plain folder name"),
        ));
    }
    let state = state_dir()?;
    ensure_private_dir(&state)?;
    if sub.is_empty() {
        return Ok(state);
    }
    let folder = state.join(sub);
    ensure_private_dir(&folder)?;
    Ok(folder)
}

/// One ordinary name: no separator, not `.` or `..`.
fn is_plain_name(name: &str) -> bool {
    let mut parts = Path::new(name).components();
    matches!((parts.next(), parts.next()), (Some(Component::Normal(_)), None)) && !name.contains('/')
}

/// Opens `path` (in a folder from [`private_dir`]) for appending, creating it
/// 0600; an existing file is tightened to 0600.
pub fn open_private_append(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(FILE_MODE)
        .custom_flags(no_follow_flags())
        .open(path)
        .map_err(|e| explain(e, path))?;
    make_private(&file, path)?;
    Ok(file)
}

/// Replaces `path` (in a folder from [`private_dir`]) with `bytes`, through a
/// 0600 temporary file in the same folder renamed into place. A symbolic link
/// or hard link at `path` is replaced, never written through. Not synced to
/// disk: these files are kept as someone types.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // tempfile creates with O_CREAT|O_EXCL (no link is followed) and mode
    // 0600, which a umask can only narrow; make_private sets it exactly.
    let mut temp = tempfile::Builder::new()
        .prefix(".")
        .suffix(".tmp")
        .permissions(Permissions::from_mode(FILE_MODE))
        .tempfile_in(folder)?;
    make_private(temp.as_file(), temp.path())?;
    temp.write_all(bytes)?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Reads `path` (in a folder from [`private_dir`]); a looser file is
/// tightened first. A missing file is `NotFound`.
pub fn read_private(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = OpenOptions::new()
        .read(true)
        .custom_flags(no_follow_flags())
        .open(path)
        .map_err(|e| explain(e, path))?;
    make_private(&file, path)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Tightens what an older warroom (or a loose umask) left readable: the state
/// folder and its subfolders to 0700, the files in them to 0600. Only this
/// account's own entries are touched, symbolic links are left alone. Best
/// effort: called at start, it must not stop anything.
pub fn tighten() {
    let Ok(state) = state_dir() else { return };
    if std::fs::symlink_metadata(&state).is_ok() && ensure_private_dir(&state).is_ok() {
        tighten_below(&state, TIGHTEN_DEPTH);
    }
}

fn tighten_below(folder: &Path, depth: usize) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else { continue };
        let path = entry.path();
        if kind.is_dir() && depth > 0 {
            if ensure_private_dir(&path).is_ok() {
                tighten_below(&path, depth - 1);
            }
        } else if kind.is_file()
            && let Ok(file) = OpenOptions::new()
                .read(true)
                .custom_flags(no_follow_flags())
                .open(&path)
        {
            let _ = make_private(&file, &path);
        }
    }
}

/// Creates `folder` 0700 if missing, then checks it (a real folder of this
/// account, opened without following a link) and sets 0700 on what was
/// checked.
fn ensure_private_dir(folder: &Path) -> io::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(folder)
        .map_err(|e| explain(e, folder))?;
    let handle = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | no_follow_flags())
        .open(folder)
        .map_err(|e| explain(e, folder))?;
    let meta = handle.metadata()?;
    if !meta.is_dir() {
        return Err(refused(folder, "is not a folder"));
    }
    owned_by_me(&meta, folder)?;
    if meta.mode() & 0o7777 != DIR_MODE {
        handle.set_permissions(Permissions::from_mode(DIR_MODE))?;
    }
    Ok(())
}

/// Checks an opened file (a plain file of this account with one link) and
/// sets it to exactly 0600.
fn make_private(file: &File, path: &Path) -> io::Result<()> {
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(refused(path, "is not a plain file"));
    }
    owned_by_me(&meta, path)?;
    if meta.nlink() != 1 {
        return Err(refused(path, "has other hard links"));
    }
    if meta.mode() & 0o7777 != FILE_MODE {
        file.set_permissions(Permissions::from_mode(FILE_MODE))?;
    }
    Ok(())
}

fn owned_by_me(meta: &std::fs::Metadata, path: &Path) -> io::Result<()> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(refused(path, "belongs to another account"));
    }
    Ok(())
}

/// No link followed at the last step; no blocking on a FIFO planted in
/// place of a file (it is then refused as not a plain file); never becomes
/// a controlling terminal.
fn no_follow_flags() -> i32 {
    libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY
}

fn refused(path: &Path, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "{} {why}; warroom keeps its private files only in this account's own folder",
            path.display()
        ),
    )
}

/// Names the path, and says plainly when the refusal was a symbolic link.
fn explain(e: io::Error, path: &Path) -> io::Error {
    if e.raw_os_error() == Some(libc::ELOOP) {
        return refused(path, "is a symbolic link");
    }
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subfolder_is_one_plain_name() {
        for good in ["drafts", "seen", ".hidden", "a.b"] {
            assert!(is_plain_name(good), "{good}");
        }
        for bad in ["", "../x", "a/b", "/etc", ".", "..", "x/", "./x"] {
            assert!(!is_plain_name(bad), "{bad}");
        }
    }
}

//! The account's private state folder (`$XDG_STATE_HOME/warroom`, else
//! `~/.local/state/warroom`): 0700, files in it 0600, whatever the umask.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The private state folder (not created here).
pub fn state_dir() -> Option<PathBuf> {
    let base = directories::BaseDirs::new()?;
    let state = base
        .state_dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| base.home_dir().join(".local/state"));
    Some(state.join("warroom"))
}

/// Creates `folder` (and missing parents) 0700; an existing one is tightened.
pub fn create_dir(folder: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)?;
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))
}

/// Opens `file` to append, creating it 0600; never through a symlink.
pub fn open_append(file: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(file)
}

/// Writes a new file 0600 (refusing one that exists).
pub fn write_new(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)?
        .write_all(bytes)
}

//! Drafts survive a dropped SSH connection: the note and status update being
//! written are kept in a file per account (the file lives in the account's
//! own state folder), database and incident, and offered back when that
//! account opens the console again.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use crate::domain::EntryKind;

/// Where drafts for `database` and `incident` live:
/// `$XDG_STATE_HOME/warroom/drafts/` (`~/.local/state/warroom/drafts/`).
pub fn draft_path(database: &Path, incident: i64, kind: EntryKind) -> Option<PathBuf> {
    let base = directories::BaseDirs::new()?;
    let state = base
        .state_dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| base.home_dir().join(".local/state"));
    // The database path names the war room; a hash keeps the file name short.
    let canonical = database.canonicalize().unwrap_or_else(|_| database.to_path_buf());
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    canonical.hash(&mut hasher);
    let name = format!("{:016x}-{incident}-{}.txt", hasher.finish(), kind.as_str());
    Some(state.join("warroom").join("drafts").join(name))
}

/// The kept draft, if any.
pub fn load(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .filter(|text| !text.trim().is_empty())
}

/// Keeps `text` (an empty text removes the draft). Best effort: a draft that
/// cannot be saved must not stop the console.
pub fn save(path: &Path, text: &str) {
    if text.trim().is_empty() {
        let _ = std::fs::remove_file(path);
        return;
    }
    if let Some(folder) = path.parent() {
        let _ = std::fs::create_dir_all(folder);
    }
    let temp = path.with_extension("tmp");
    if std::fs::write(&temp, text).is_ok() {
        let _ = std::fs::rename(&temp, path);
    }
}

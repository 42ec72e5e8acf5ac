//! Drafts survive a dropped SSH connection: the note and status update being
//! written are kept in a file per account (in the account's private state
//! folder, [`crate::private_state`]: readable by nobody else), database and
//! incident, and offered back when that account opens the console again.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use crate::domain::EntryKind;
use crate::private_state;

/// The subfolder of the state folder that holds the drafts.
const DRAFTS: &str = "drafts";

/// Where drafts for `database` and `incident` live:
/// `$XDG_STATE_HOME/warroom/drafts/` (`~/.local/state/warroom/drafts/`).
pub fn draft_path(database: &Path, incident: i64, kind: EntryKind) -> Option<PathBuf> {
    let folder = private_state::state_dir().ok()?.join(DRAFTS);
    // The database path names the war room; a hash keeps the file name short.
    let canonical = database.canonicalize().unwrap_or_else(|_| database.to_path_buf());
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    canonical.hash(&mut hasher);
    let name = format!("{:016x}-{incident}-{}.txt", hasher.finish(), kind.as_str());
    Some(folder.join(name))
}

/// The kept draft, if any.
pub fn load(path: &Path) -> Option<String> {
    private_state::read_private(path)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|text| !text.trim().is_empty())
}

/// Keeps `text` (an empty text removes the draft). Best effort: a draft that
/// cannot be saved must not stop the console.
pub fn save(path: &Path, text: &str) {
    if text.trim().is_empty() {
        let _ = std::fs::remove_file(path);
        return;
    }
    if private_state::private_dir(DRAFTS).is_ok() {
        let _ = private_state::write_private(path, text.as_bytes());
    }
}

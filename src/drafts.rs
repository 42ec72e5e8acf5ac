//! Drafts survive a dropped SSH connection: the note and status update being
//! written are kept in a file per account (in the account's private state
//! folder, [`crate::private_state`]: readable by nobody else), database and
//! incident, and offered back when that account opens the console again.

use std::path::{Path, PathBuf};

use crate::domain::EntryKind;
use crate::private_state;
use crate::store::Location;

/// The subfolder of the state folder that holds the drafts.
const DRAFTS: &str = "drafts";

/// Where drafts for `database` and `incident` live:
/// `$XDG_STATE_HOME/warroom/drafts/` (`~/.local/state/warroom/drafts/`).
pub fn draft_path(database: &Location, incident: i64, kind: EntryKind) -> Option<PathBuf> {
    let folder = private_state::state_dir().ok()?.join(DRAFTS);
    // The location's digest names the war room: short, stable across builds.
    let name = format!("{}-{incident}-{}.txt", database.digest(), kind.as_str());
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

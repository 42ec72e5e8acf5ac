//! Diagnostics go to a file, never to the screen (the console owns it):
//! `warroom.log` in the account's private state folder
//! ([`crate::private_state`]: 0700 folder, 0600 file).

use std::io::Write;
use std::path::PathBuf;
use std::sync::Once;

use crate::domain::sanitize_line;
use crate::private_state;

/// The log file's name in the state folder.
const LOG_FILE: &str = "warroom.log";

/// The log file's path (not created).
pub fn log_path() -> Option<PathBuf> {
    private_state::state_dir().ok().map(|state| state.join(LOG_FILE))
}

/// Appends one line; best effort (a diagnostic must not become a failure).
pub fn record(message: &str) {
    // A command that writes the log also tightens what an older warroom
    // left readable beside it (drafts), once per process.
    static TIGHTENED: Once = Once::new();
    TIGHTENED.call_once(private_state::tighten);
    let Ok(folder) = private_state::private_dir("") else {
        return;
    };
    if let Ok(mut file) = private_state::open_private_append(&folder.join(LOG_FILE)) {
        let _ = writeln!(
            file,
            "{} pid {} {}",
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            std::process::id(),
            sanitize_line(message)
        );
    }
}

//! Diagnostics go to a file, never to the screen (the console owns it):
//! `$XDG_STATE_HOME/warroom/warroom.log` (`~/.local/state/warroom/warroom.log`).

use std::io::Write;
use std::path::PathBuf;

use crate::domain::sanitize_line;

/// The log file's path.
pub fn log_path() -> Option<PathBuf> {
    let base = directories::BaseDirs::new()?;
    let state = base
        .state_dir()
        .map(PathBuf::from)
        .unwrap_or_else(|| base.home_dir().join(".local/state"));
    Some(state.join("warroom").join("warroom.log"))
}

/// Appends one line; best effort (a diagnostic must not become a failure).
pub fn record(message: &str) {
    let Some(path) = log_path() else { return };
    if let Some(folder) = path.parent() {
        let _ = std::fs::create_dir_all(folder);
    }
    if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(&path) {
        let _ = writeln!(
            file,
            "{} pid {} {}",
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            std::process::id(),
            sanitize_line(message)
        );
    }
}

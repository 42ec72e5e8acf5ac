//! Noticing other processes' commits without polling hard: inotify on the
//! database's folder (the `-wal` file changes on every commit) wakes the
//! reader, which then checks `PRAGMA data_version`. The event can arrive just
//! before the writer's commit is visible, so it is a hint, never the truth;
//! readers keep a slow poll as a fallback.

use std::path::Path;

use super::Location;

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

/// Keeps the file watch alive; dropping it stops the wake-ups.
pub struct ChangeWatch {
    _watcher: RecommendedWatcher,
}

/// Calls `wake` whenever the database file or its `-wal` changes. None when
/// the folder cannot be watched (then the caller's poll is all there is).
pub fn watch(location: &Location, wake: impl Fn() + Send + 'static) -> Option<ChangeWatch> {
    let db = location.file()?;
    let folder = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = db.file_name()?.to_string_lossy().into_owned();
    let wal = format!("{name}-wal");
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if matches!(event.kind, notify::EventKind::Access(_)) {
            return;
        }
        let touches_db = event.paths.iter().any(|p| {
            p.file_name()
                .map(|f| f.to_string_lossy())
                .is_some_and(|f| f == name.as_str() || f == wal.as_str())
        });
        if touches_db {
            wake();
        }
    })
    .ok()?;
    watcher.watch(folder, RecursiveMode::NonRecursive).ok()?;
    Some(ChangeWatch { _watcher: watcher })
}

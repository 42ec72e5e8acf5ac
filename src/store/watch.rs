//! Noticing other processes' commits without polling hard. SQLite: inotify
//! on the database's folder (the `-wal` file changes on every commit) wakes
//! the reader, which then checks `PRAGMA data_version`; the event can arrive
//! just before the writer's commit is visible. PostgreSQL: LISTEN/NOTIFY on a
//! second connection ([`super::postgres::listen`]). Either way a wake-up is a
//! hint, never the truth; readers keep a slow poll as a fallback.

use std::path::Path;

use super::Location;

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

/// Keeps the watch alive; dropping it stops the wake-ups.
pub enum ChangeWatch {
    File(RecommendedWatcher),
    Server(super::postgres::listen::Listener),
}

/// Calls `wake` whenever the database (file or `-wal`) changes, or the
/// server notifies a new event. None when the folder cannot be watched
/// (then the caller's poll is all there is).
pub fn watch(location: &Location, wake: impl Fn() + Send + 'static) -> Option<ChangeWatch> {
    let db = match location {
        Location::File(path) => path,
        Location::Postgres(target) => {
            return Some(ChangeWatch::Server(super::postgres::listen::listen(target, wake)));
        }
    };
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
    Some(ChangeWatch::File(watcher))
}

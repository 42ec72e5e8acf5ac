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

/// What a wake-up says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// A commit is visible: warroom's writers set the database file's times
    /// once a commit is done ([`signal_commit`]), and a server's NOTIFY is
    /// sent after its commit.
    Committed,
    /// The WAL (or the file) was written: a commit may be under way, and
    /// may not be visible yet (another program writing, or an older warroom).
    Written,
}

/// Calls `wake` whenever the database (file or `-wal`) changes, or the
/// server notifies a new event. None when the folder cannot be watched
/// (then the caller's poll is all there is).
pub fn watch(location: &Location, wake: impl Fn(Wake) + Send + 'static) -> Option<ChangeWatch> {
    let db = match location {
        Location::File(path) => path,
        Location::Postgres(target) => {
            return Some(ChangeWatch::Server(super::postgres::listen::listen(
                target,
                move || wake(Wake::Committed),
            )));
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
        let named = |wanted: &str| {
            event.paths.iter().any(|p| {
                p.file_name()
                    .map(|f| f.to_string_lossy())
                    .is_some_and(|f| f == wanted)
            })
        };
        let metadata = matches!(
            event.kind,
            notify::EventKind::Modify(notify::event::ModifyKind::Metadata(_))
        );
        if metadata && named(&name) {
            wake(Wake::Committed);
        } else if named(&name) || named(&wal) {
            wake(Wake::Written);
        }
    })
    .ok()?;
    watcher.watch(folder, RecursiveMode::NonRecursive).ok()?;
    Some(ChangeWatch::File(watcher))
}

/// Says "a commit is done" to the consoles watching the database's folder:
/// sets the file's times to now (one inotify event, after the commit is
/// visible, where the WAL's writes come before it). Best effort. A
/// symbolic link planted at the path is touched itself, never followed.
pub fn signal_commit(db: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let Ok(path) = std::ffi::CString::new(db.as_os_str().as_bytes()) else {
        return;
    };
    // SAFETY: a valid C string; NULL times mean "now".
    unsafe {
        libc::utimensat(
            libc::AT_FDCWD,
            path.as_ptr(),
            std::ptr::null(),
            libc::AT_SYMLINK_NOFOLLOW,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::signal_commit;
    use std::time::{Duration, SystemTime};

    fn modified(path: &std::path::Path) -> SystemTime {
        std::fs::symlink_metadata(path).unwrap().modified().unwrap()
    }

    #[test]
    fn a_commit_is_signalled_on_the_file_and_never_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("w.db");
        std::fs::write(&db, b"x").unwrap();
        let long_ago = SystemTime::now() - Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&db)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        signal_commit(&db);
        assert!(
            modified(&db) > long_ago + Duration::from_secs(3000),
            "the file's time is now"
        );

        // A member plants a link at the path to a file of someone else's.
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"y").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&victim)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        let planted = dir.path().join("planted.db");
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        signal_commit(&planted);
        assert_eq!(modified(&victim), long_ago, "the link is never followed");
    }
}

//! Noticing other processes' commits without polling hard. SQLite: inotify
//! on the database's folder, read by the reader's own thread (no thread
//! between a commit and the look): warroom's writers touch the database
//! file once a commit is visible ([`signal_commit`]), and the `-wal` file
//! changes while any writer commits, a moment before it is visible. The
//! reader then checks `PRAGMA data_version`. PostgreSQL: LISTEN/NOTIFY on a
//! second connection ([`super::postgres::listen`]). Either way a wake-up is a
//! hint, never the truth; readers keep a slow poll as a fallback.

use std::ffi::OsString;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::{Path, PathBuf};

use inotify::{EventMask, Inotify, WatchMask};

/// What the folder's events say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// A commit is visible: warroom's writers set the database file's times
    /// once a commit is done ([`signal_commit`]).
    Committed,
    /// The WAL (or the file) was written: a commit may be under way, and
    /// may not be visible yet (another program writing, or an older warroom).
    Written,
}

/// The database's folder, watched: the reader polls [`FolderWatch::fd`]
/// with whatever else it waits for, and reads what it says with
/// [`FolderWatch::take`].
pub struct FolderWatch {
    inotify: Inotify,
    folder: PathBuf,
    name: OsString,
    wal: OsString,
    /// Whether the WAL's writes wake the reader ([`FolderWatch::hear_writes`]).
    hearing_writes: bool,
    buffer: Vec<u8>,
}

/// Always heard: the signal of a commit done, and the database or its WAL
/// made, removed or renamed.
const SIGNALS: WatchMask = WatchMask::ATTRIB
    .union(WatchMask::CREATE)
    .union(WatchMask::DELETE)
    .union(WatchMask::MOVED_FROM)
    .union(WatchMask::MOVED_TO);

impl FolderWatch {
    /// Watches the folder of the database at `db`; None when it cannot be
    /// watched (then the reader's poll is all there is).
    pub fn new(db: &Path) -> Option<FolderWatch> {
        let folder = db
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let name = db.file_name()?.to_owned();
        let mut wal = name.clone();
        wal.push("-wal");
        let inotify = Inotify::init().ok()?;
        inotify
            .watches()
            .add(&folder, SIGNALS | WatchMask::MODIFY | WatchMask::ONLYDIR)
            .ok()?;
        Some(FolderWatch {
            inotify,
            folder,
            name,
            wal,
            hearing_writes: true,
            buffer: vec![0; 4096],
        })
    }

    /// Readable when something happened in the folder.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.inotify.as_fd()
    }

    /// What the events queued since the last call say about the database:
    /// [`Wake::Committed`] if a commit was signalled, else [`Wake::Written`]
    /// if it or its WAL changed; None for other files (or nothing queued).
    pub fn take(&mut self) -> Option<Wake> {
        let events = self.inotify.read_events(&mut self.buffer).ok()?;
        let mut wake = None;
        for event in events {
            // Events were dropped: anything may have happened.
            if event.mask.contains(EventMask::Q_OVERFLOW) {
                wake = wake.or(Some(Wake::Written));
                continue;
            }
            let Some(name) = event.name else { continue };
            if name == self.name && event.mask.contains(EventMask::ATTRIB) {
                wake = Some(Wake::Committed);
            } else if name == self.name || name == self.wal {
                wake = wake.or(Some(Wake::Written));
            }
        }
        wake
    }

    /// Whether the WAL's writes wake the reader. While warroom's writers
    /// signal each commit, the writes only come before the signal, and a
    /// follower woken by each would spend its CPU on nothing; when no
    /// writer signals (another program, an older warroom) they are the
    /// only news. Best effort: the watch stays as it was if the folder
    /// cannot be watched anew.
    pub fn hear_writes(&mut self, hear: bool) {
        if hear == self.hearing_writes {
            return;
        }
        let mask = if hear {
            SIGNALS | WatchMask::MODIFY
        } else {
            SIGNALS
        };
        // Adding the same folder again replaces the watch's mask.
        if self
            .inotify
            .watches()
            .add(&self.folder, mask | WatchMask::ONLYDIR)
            .is_ok()
        {
            self.hearing_writes = hear;
        }
    }
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
    use super::{FolderWatch, Wake, signal_commit};
    use std::io::Write;
    use std::time::{Duration, SystemTime};

    #[test]
    fn the_watch_tells_a_signal_from_a_write_and_ignores_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("w.db");
        std::fs::write(&db, b"x").unwrap();
        let mut watch = FolderWatch::new(&db).expect("the folder can be watched");
        // inotify queues an event before the call that made it returns, so
        // each take() sees what was just done.
        assert_eq!(watch.take(), None, "nothing yet");

        signal_commit(&db);
        assert_eq!(watch.take(), Some(Wake::Committed));

        let mut wal = std::fs::File::create(dir.path().join("w.db-wal")).unwrap();
        wal.write_all(b"frame").unwrap();
        assert_eq!(watch.take(), Some(Wake::Written), "the WAL made and written");

        std::fs::write(dir.path().join("notes.txt"), b"y").unwrap();
        assert_eq!(watch.take(), None, "another file is not the database");

        // While writers signal, the WAL's writes wake no one; the signal does.
        watch.hear_writes(false);
        wal.write_all(b"frame").unwrap();
        assert_eq!(watch.take(), None, "a write unheard");
        wal.write_all(b"frame").unwrap();
        signal_commit(&db);
        assert_eq!(
            watch.take(),
            Some(Wake::Committed),
            "the signal outranks the writes"
        );
        watch.hear_writes(true);
        wal.write_all(b"frame").unwrap();
        assert_eq!(watch.take(), Some(Wake::Written), "heard again");
    }

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

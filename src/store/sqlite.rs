//! The SQLite engine: one file shared by every responder's processes on a host.
//!
//! Rules that keep many writers safe (each measured on this project's machines):
//! WAL, `synchronous=FULL`, a `busy_timeout`, every write in an IMMEDIATE
//! transaction (a deferred one that reads then writes fails with
//! SQLITE_BUSY_SNAPSHOT), client-generated UUIDs so a retried write is applied
//! once, and short read transactions so the WAL can be reset.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::error::EngineError;
use super::sql::{Param, Row, ToParam, Tx, TxInner, Value};
use super::{OpenMode, Result, StoreError, files, schema};

/// How long one statement waits for another process's lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a write keeps retrying after SQLite gave up waiting.
const WRITE_DEADLINE: Duration = Duration::from_secs(60);

/// An open SQLite file.
/// More than the distinct statements the store runs on one connection.
const STATEMENTS_KEPT: usize = 256;

pub(super) struct SqliteEngine {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
    /// Device and inode of the file opened, to notice when the path names
    /// another file (removed or replaced under a running console).
    identity: Option<(u64, u64)>,
    /// A read transaction is held ([`SqliteEngine::begin_held_read`]):
    /// reads join it.
    holding_read: bool,
}

impl SqliteEngine {
    /// Opens (or with [`OpenMode::Create`], creates) the database at `path`.
    ///
    /// Anything that is not a warroom database of a schema this binary knows
    /// is refused before a single byte of it is written.
    pub(super) fn open(path: &Path, mode: OpenMode) -> Result<SqliteEngine> {
        let path = path.to_path_buf();
        // lstat, never stat: a name in a shared folder may be a member's link.
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => return Err(StoreError::IsDirectory(path)),
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&path).unwrap_or_default();
                return Err(StoreError::Link { path, target });
            }
            Ok(meta) if !meta.is_file() => {
                let what = files::describe_path(&path, &meta);
                return Err(StoreError::NotAFile { path, what });
            }
            Ok(meta) if meta.len() > 0 => match starts_like_sqlite(&path) {
                Ok(true) => {}
                // SQLite takes a file shorter than its header for an empty
                // database and would write over it.
                Ok(false) => return Err(StoreError::NotADatabase(path)),
                Err(cause) => return Err(StoreError::Unreadable { path, cause }),
            },
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if mode == OpenMode::Existing {
                    return Err(StoreError::NoDatabase(path));
                }
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateFolder {
                        folder: parent.to_path_buf(),
                        cause: source,
                    })?;
                }
            }
            Err(cause) => return Err(StoreError::Unreadable { path, cause }),
        }
        files::refuse_odd_side_files(&path)?;

        // SQLite is given the path with its folder resolved and told not to
        // follow links, so a link swapped in after the checks above is
        // refused rather than followed; links among the folders above (an
        // admin's /srv -> /data) still work.
        let resolved = files::with_folder_resolved(&path).map_err(|cause| StoreError::Unreadable {
            path: path.clone(),
            cause,
        })?;
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        if mode == OpenMode::Create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn =
            Connection::open_with_flags(&resolved, flags).map_err(|e| StoreError::from_sqlite(e, &path))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| StoreError::from_sqlite(e, &path))?;
        let read_only = conn
            .is_readonly(rusqlite::MAIN_DB)
            .map_err(|e| StoreError::from_sqlite(e, &path))?;
        let identity = file_identity(&path);
        let mut engine = SqliteEngine {
            conn,
            path,
            read_only,
            identity,
            holding_read: false,
        };
        engine.check_and_migrate(mode)?;
        Ok(engine)
    }

    pub(super) fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Whether the path still names the file this store has open; if not,
    /// how it changed. Writes to a removed or replaced file would go where
    /// no one reads them.
    pub(super) fn file_replaced(&self) -> Option<&'static str> {
        use std::os::unix::fs::MetadataExt;
        let opened = self.identity?;
        match std::fs::symlink_metadata(&self.path) {
            Ok(meta) if (meta.dev(), meta.ino()) == opened => None,
            Ok(_) => Some("was replaced by another file"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some("was removed"),
            // Cannot tell (e.g. the folder became unreadable): say nothing.
            Err(_) => None,
        }
    }

    /// Reads the header without writing, refuses foreign or newer files, then
    /// switches to WAL and migrates if needed.
    fn check_and_migrate(&mut self, mode: OpenMode) -> Result<()> {
        let header = self.read(Header::read)?;
        let fresh = header.is_fresh();
        if fresh && mode == OpenMode::Existing {
            // An empty file (an admin's pre-created 0660 file): readers leave
            // it alone; the first write sets it up.
            return Err(StoreError::NoDatabase(self.path.clone()));
        }
        header.refuse_foreign_or_newer(&self.path)?;
        let needs_migration = header.user_version < schema::current_version();
        if self.read_only {
            if needs_migration {
                return Err(StoreError::ReadOnly(self.path.clone()));
            }
            return self.configure_connection();
        }
        self.enable_wal()?;
        self.configure_connection()?;
        self.keep_wal_files();
        if needs_migration {
            self.migrate()?;
        }
        Ok(())
    }

    fn enable_wal(&self) -> Result<()> {
        // Switching a fresh file to WAL needs a moment of exclusive access; when
        // many processes open one new file at once, wait for each other.
        let started = Instant::now();
        loop {
            let result: rusqlite::Result<String> =
                self.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0));
            match result {
                Ok(_) => return Ok(()),
                Err(e) if is_busy(&e) && started.elapsed() < WRITE_DEADLINE => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(StoreError::from_sqlite(e, &self.path)),
            }
        }
    }

    /// Keeps the `-wal` and `-shm` files when the last writer closes. An
    /// observer who may read the file but not write its folder can only open
    /// a WAL database whose `-shm` already exists.
    fn keep_wal_files(&self) {
        let mut on: std::ffi::c_int = 1;
        // SAFETY: the handle is this open connection's; the file control reads
        // and writes one int through the pointer, which outlives the call.
        unsafe {
            rusqlite::ffi::sqlite3_file_control(
                self.conn.handle(),
                c"main".as_ptr(),
                rusqlite::ffi::SQLITE_FCNTL_PERSIST_WAL,
                (&mut on as *mut std::ffi::c_int).cast(),
            );
        }
    }

    fn configure_connection(&self) -> Result<()> {
        // Every statement the store runs stays prepared: with rusqlite's
        // default of 16, a follower's loads (the update, the facts,
        // presence, the chain) evicted each other and were parsed again at
        // every wake, most of its CPU.
        self.conn.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
        // One plan per statement, whatever the values bound: otherwise
        // SQLite re-plans a statement whose plan could depend on a bound
        // value (a `max()`, an ORDER BY … LIMIT under `incident_id = ?`)
        // every time it is bound again, and every statement the cache gives
        // back is bound again: most of a follower's queries were parsed and
        // planned anew at every wake. warroom keeps no statistics for
        // values to matter.
        self.conn
            .set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map_err(|e| StoreError::from_sqlite(e, &self.path))?;
        self.conn
            .execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(|e| StoreError::from_sqlite(e, &self.path))
    }

    /// Runs pending migrations inside `BEGIN IMMEDIATE`, re-reading the
    /// version there: another process may have migrated while we waited.
    fn migrate(&mut self) -> Result<()> {
        let path = self.path.clone();
        self.write(|tx| {
            let header = Header::read(tx)?;
            header.refuse_foreign_or_newer(&path)?;
            let version = header.user_version;
            for (index, migration) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
                tx.batch(migration.sql)?;
                if let Some(then) = migration.then {
                    then(tx)?;
                }
                // PRAGMA values cannot be bound; these are integers of ours.
                tx.batch(&format!("PRAGMA user_version = {}", index + 1))?;
            }
            tx.batch(&format!("PRAGMA application_id = {}", schema::APPLICATION_ID))?;
            Ok(())
        })
    }

    /// Runs `body` in an IMMEDIATE transaction, retrying the whole transaction
    /// if SQLite still reports the database busy after `busy_timeout`. `body`
    /// must be idempotent (writes carry client-generated UUIDs for that).
    pub(super) fn write<T>(&mut self, mut body: impl FnMut(&Tx<'_>) -> Result<T>) -> Result<T> {
        if self.read_only {
            return Err(StoreError::ReadOnly(self.path.clone()));
        }
        debug_assert!(!self.holding_read, "a write inside a held read");
        let started = Instant::now();
        loop {
            let attempt = (|| {
                let tx = self
                    .conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)?;
                let value = body(&Tx {
                    inner: TxInner::Sqlite(&tx),
                })?;
                tx.commit()?;
                super::watch::signal_commit(&self.path);
                Ok(value)
            })();
            match attempt {
                Err(StoreError::Engine(EngineError::Sqlite(e)))
                    if is_busy(&e) && started.elapsed() < WRITE_DEADLINE =>
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(StoreError::Engine(EngineError::Sqlite(e))) => {
                    return Err(StoreError::from_sqlite(e, &self.path));
                }
                other => return other,
            }
        }
    }

    /// Runs `body` in a short read transaction so it sees one consistent
    /// snapshot and ends before the next frame; after
    /// [`Self::begin_held_read`], in the read transaction held.
    pub(super) fn read<T>(&mut self, body: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let tx = Tx {
            inner: TxInner::Sqlite(&self.conn),
        };
        let result = if self.holding_read {
            let value = body(&tx);
            if value.is_err() {
                // As on PostgreSQL: the reads after a failed one have their own.
                self.end_held_read();
            }
            value
        } else {
            self.begin_read().and_then(|()| {
                let value = body(&tx);
                self.end_read();
                value
            })
        };
        result.map_err(|e| match e {
            StoreError::Engine(EngineError::Sqlite(e)) => StoreError::from_sqlite(e, &self.path),
            other => other,
        })
    }

    fn begin_read(&self) -> Result<()> {
        self.conn.prepare_cached("BEGIN")?.execute([])?;
        Ok(())
    }

    /// Ends a read transaction (one SQLite has already ended, on an error,
    /// needs nothing). A read changes nothing to keep or undo.
    fn end_read(&self) {
        if !self.conn.is_autocommit()
            && let Ok(mut rollback) = self.conn.prepare_cached("ROLLBACK")
        {
            let _ = rollback.execute([]);
        }
    }

    /// Begins a read transaction that the reads until
    /// [`Self::end_held_read`] join: one snapshot, and its locks taken and
    /// dropped once instead of at every read (a follower's look at each
    /// commit makes five). False when none could be begun (then each read
    /// has its own) or one is held already.
    pub(super) fn begin_held_read(&mut self) -> bool {
        if self.holding_read {
            return false;
        }
        self.holding_read = self.begin_read().is_ok();
        self.holding_read
    }

    pub(super) fn end_held_read(&mut self) {
        self.holding_read = false;
        self.end_read();
    }

    /// SQLite's own check of the file's structure.
    pub(super) fn quick_check(&mut self) -> Result<()> {
        let verdict: String = self.conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if verdict == "ok" {
            Ok(())
        } else {
            Err(StoreError::Damaged(self.path.clone(), verdict))
        }
    }

    /// Changes whenever another connection commits (cheap to poll: ~3 µs).
    pub(super) fn data_version(&mut self) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?)
    }
}

/// The file's header fields, read in one snapshot: read one by one, they
/// could straddle another process's migration commit.
struct Header {
    application_id: i64,
    user_version: i64,
    objects: i64,
}

impl Header {
    fn read(tx: &Tx<'_>) -> Result<Header> {
        let one = |sql: &str| -> Result<i64> { tx.query_one(sql, &[])?.get(0) };
        Ok(Header {
            application_id: one("PRAGMA application_id")?,
            user_version: one("PRAGMA user_version")?,
            objects: one("SELECT count(*) FROM sqlite_schema")?,
        })
    }

    /// A brand-new or empty file (an admin may pre-create a 0660 empty file).
    fn is_fresh(&self) -> bool {
        self.application_id == 0 && self.user_version == 0 && self.objects == 0
    }

    fn refuse_foreign_or_newer(&self, path: &Path) -> Result<()> {
        if !self.is_fresh() && self.application_id != i64::from(schema::APPLICATION_ID) {
            return Err(StoreError::Foreign(path.display().to_string(), "an SQLite file"));
        }
        if self.user_version > schema::current_version() {
            return Err(StoreError::NewerSchema {
                database: path.display().to_string(),
                found: self.user_version,
                supported: schema::current_version(),
            });
        }
        Ok(())
    }
}

fn file_identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Whether a non-empty file starts with SQLite's magic header.
fn starts_like_sqlite(path: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        // The name was a regular file a moment ago; if it has been swapped
        // for a link or a FIFO since, fail instead of following or blocking.
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Ok(false);
    }
    let mut magic = [0u8; 16];
    match file.read_exact(&mut magic) {
        Ok(()) => Ok(&magic == b"SQLite format 3\0"),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e),
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Param::Null => ValueRef::Null,
            Param::Int(v) => ValueRef::Integer(v),
            Param::Text(v) => ValueRef::Text(v.as_bytes()),
            Param::Blob(v) => ValueRef::Blob(v),
        }))
    }
}

fn bind<'p>(params: &[&'p dyn ToParam]) -> Vec<Param<'p>> {
    params.iter().map(|&p| p.to_param()).collect()
}

pub(super) fn execute(tx: &Connection, sql: &str, params: &[&dyn ToParam]) -> Result<u64> {
    let mut statement = tx.prepare_cached(sql)?;
    let changed = statement.execute(rusqlite::params_from_iter(bind(params)))?;
    Ok(changed as u64)
}

pub(super) fn query(tx: &Connection, sql: &str, params: &[&dyn ToParam]) -> Result<Vec<Row>> {
    let mut statement = tx.prepare_cached(sql)?;
    let columns = statement.column_count();
    let mut rows = statement.query(rusqlite::params_from_iter(bind(params)))?;
    let mut read = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(columns);
        for index in 0..columns {
            values.push(match row.get_ref(index)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(v) => Value::Int(v),
                ValueRef::Real(v) => Value::Real(v),
                // Text that is not UTF-8 (written around warroom) reads lossily.
                ValueRef::Text(v) => Value::Text(String::from_utf8_lossy(v).into_owned()),
                ValueRef::Blob(v) => Value::Blob(v.to_vec()),
            });
        }
        read.push(Row(values));
    }
    Ok(read)
}

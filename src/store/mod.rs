//! The store: the incident record, on one of two engines. An SQLite file
//! shared by the accounts of one host ([`sqlite`]), or a PostgreSQL
//! database shared across hosts ([`postgres`]). Everything above the engines
//! (the writes, their rules, the reads) is written once, in the SQL both
//! speak ([`sql`]).

mod attendance;
pub use attendance::AttendanceSummary;
mod chain;
mod command;
mod error;
mod evidence;
pub use evidence::{EvidenceOutput, StoredOutput};
pub mod files;
pub mod follow;
mod location;
mod pages;
pub mod postgres;
pub use pages::{EntryFilter, IncidentOutline, PAGE_SIZE, TimelinePages};
mod presence;
mod read;
pub use read::{IncidentRecord, IncidentUpdate};
mod record;
pub mod schema;
mod search;
pub use search::{COUNT_CAP, MAX_SEARCH_WORDS, SearchPage, SearchQuery};
pub(crate) mod sql;
mod sqlite;
pub mod watch;
mod window;
pub use window::{EntryKey, TimelineFacts, TimelineWindow, WindowAnchor};
mod write;

use chrono::{DateTime, Utc};

pub use error::{EngineError, StoreError};
pub use location::Location;
pub use record::Act;
pub use sql::Dialect;
pub use write::{CheckOutcome, ItemChange, NewEntry, NewIncident, Outcome, SeverityChange, SeverityOutcome};

use sql::Tx;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Whether opening may create the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the file (and its folder), or the schema, if missing; for
    /// commands that write.
    Create,
    /// The database must exist; for commands that only read.
    Existing,
}

/// An open warroom database.
pub struct Store {
    engine: Engine,
    location: Location,
    /// When entries are recorded; the wall clock, or a fixed one for demos and tests.
    clock: fn() -> DateTime<Utc>,
}

enum Engine {
    Sqlite(sqlite::SqliteEngine),
    Postgres(Box<postgres::engine::PgEngine>),
}

impl Store {
    /// Opens (or with [`OpenMode::Create`], creates) the database.
    ///
    /// Anything that is not a warroom database of a schema this binary knows
    /// is refused before a single byte of it is written.
    pub fn open(location: impl Into<Location>, mode: OpenMode) -> Result<Store> {
        let location = location.into();
        let engine = match &location {
            Location::File(path) => Engine::Sqlite(sqlite::SqliteEngine::open(path, mode)?),
            Location::Postgres(target) => {
                Engine::Postgres(Box::new(postgres::engine::PgEngine::open(target, mode)?))
            }
        };
        Ok(Store {
            engine,
            location,
            clock: Utc::now,
        })
    }

    /// Replaces the clock that stamps when entries are recorded.
    pub fn set_clock(&mut self, clock: fn() -> DateTime<Utc>) {
        self.clock = clock;
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Where this record lives.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Which engine holds the record.
    pub fn dialect(&self) -> Dialect {
        match self.engine {
            Engine::Sqlite(_) => Dialect::Sqlite,
            Engine::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Whether the path still names the file this store has open; if not,
    /// how it changed. Writes to a removed or replaced file would go where
    /// no one reads them. (A server's database cannot be swapped that way.)
    pub fn file_replaced(&self) -> Option<&'static str> {
        match &self.engine {
            Engine::Sqlite(engine) => engine.file_replaced(),
            Engine::Postgres(_) => None,
        }
    }

    /// True when this account can read but not write the record.
    pub fn is_read_only(&self) -> bool {
        match &self.engine {
            Engine::Sqlite(engine) => engine.is_read_only(),
            Engine::Postgres(engine) => engine.is_read_only(),
        }
    }

    /// Runs `body` as one write transaction: no other writer runs at the same
    /// time (SQLite: IMMEDIATE; PostgreSQL: the write lock), so ids are
    /// handed out in commit order. Retried whole while another process holds
    /// the lock past its timeout; `body` must be idempotent (writes carry
    /// client-generated UUIDs for that).
    pub(crate) fn write<T>(&mut self, body: impl FnMut(&Tx<'_>) -> Result<T>) -> Result<T> {
        match &mut self.engine {
            Engine::Sqlite(engine) => engine.write(body),
            Engine::Postgres(engine) => engine.write(body),
        }
    }

    /// Runs `body` as a write that appends no event and so needs no place in
    /// the event order (presence heartbeats). SQLite has one writer at a
    /// time anyway; on PostgreSQL it does not take the write lock.
    pub(crate) fn write_unordered<T>(&mut self, mut body: impl FnMut(&Tx<'_>) -> Result<T>) -> Result<T> {
        match &mut self.engine {
            Engine::Sqlite(engine) => engine.write(body),
            Engine::Postgres(engine) => engine.write_unordered(|tx| body(tx)),
        }
    }

    /// Runs `body` in a short read transaction so it sees one consistent
    /// snapshot and ends before the next frame.
    pub(crate) fn read<T>(&mut self, body: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        match &mut self.engine {
            Engine::Sqlite(engine) => engine.read(body),
            Engine::Postgres(engine) => engine.read(body),
        }
    }

    /// Begins holding one read transaction that every read until
    /// [`Store::end_held_read`] joins: they see one snapshot, and SQLite's
    /// locks are taken and dropped once instead of at every read. No write
    /// may come in between. True when one is held. A read that fails ends
    /// it; the reads after it have their own.
    pub fn begin_held_read(&mut self) -> bool {
        match &mut self.engine {
            Engine::Sqlite(engine) => engine.begin_held_read(),
            Engine::Postgres(engine) => engine.begin_held_read(),
        }
    }

    /// Ends the read transaction [`Store::begin_held_read`] began.
    pub fn end_held_read(&mut self) {
        match &mut self.engine {
            Engine::Sqlite(engine) => engine.end_held_read(),
            Engine::Postgres(engine) => engine.end_held_read(),
        }
    }

    /// The engine's own check of the database (SQLite: `quick_check`;
    /// PostgreSQL: the server answers and the schema is whole).
    pub fn quick_check(&mut self) -> Result<()> {
        match &mut self.engine {
            Engine::Sqlite(engine) => engine.quick_check(),
            Engine::Postgres(engine) => engine.quick_check(),
        }
    }

    /// A number that changes whenever another connection commits (SQLite's
    /// `data_version`, ~3 µs; PostgreSQL: the newest event and presence).
    pub fn data_version(&mut self) -> Result<i64> {
        match &mut self.engine {
            Engine::Sqlite(engine) => engine.data_version(),
            Engine::Postgres(engine) => engine.data_version(),
        }
    }
}

/// Milliseconds since the epoch, as stored.
pub(crate) fn to_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// Stored milliseconds back to a time. A hand-edited impossible value shows as
/// the epoch instead of breaking every reader.
pub(crate) fn from_millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

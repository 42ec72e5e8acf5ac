//! The PostgreSQL engine: one database shared by responders on many hosts.
//!
//! Rules (each measured on this project's machines; without the lock, 8
//! concurrent writers made a follower miss 212–275 of ~10,000 events):
//! every write runs under READ COMMITTED and first takes `write_lock` in
//! EXCLUSIVE mode, then hands out `max(id) + 1`. A commit is visible before
//! its locks are released, so every reader's snapshot holds ids 1..M with no
//! holes and a follower reading `id > cursor` never skips one committed late.
//! Readers never wait for the lock; each read is one REPEATABLE READ
//! snapshot. Statements are prepared once per connection.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error as _;
use std::time::{Duration, Instant};

use postgres::types::{FromSql, IsNull, ToSql, Type};

use super::{PgTarget, connect};
use crate::store::error::EngineError;
use crate::store::sql::{Param, Row, ToParam, Tx, TxInner, Value, params};
use crate::store::{OpenMode, Result, StoreError, schema};

/// Taken by migrations (`pg_advisory_xact_lock`), so two processes opening
/// a fresh database do not both create the schema. "WRRM".
pub(crate) const MIGRATION_LOCK: i64 = 0x5752_524D;

/// After a failed reconnection, calls within this pause fail at once with
/// the same reason instead of connecting again: a console's loop asks
/// several times per round (heartbeat, change probe, load, a write), and
/// against a silent server each attempt would wait out `connect_timeout`.
const RECONNECT_PAUSE: Duration = Duration::from_millis(500);

/// One connection and the statements prepared on it.
pub(crate) struct Session {
    client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
}

/// An open PostgreSQL database.
pub(crate) struct PgEngine {
    session: RefCell<Session>,
    target: PgTarget,
    read_only: bool,
    /// When the last reconnection failed, and why; cleared on success.
    failed_reconnect: Option<(Instant, String)>,
    /// A read snapshot is held ([`PgEngine::begin_held_read`]): reads join it.
    holding_read: bool,
}

/// How a read snapshot begins.
const BEGIN_READ: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

impl PgEngine {
    pub(crate) fn open(target: &PgTarget, mode: OpenMode) -> Result<PgEngine> {
        let session = Session::connect(target)?;
        let mut engine = PgEngine {
            session: RefCell::new(session),
            target: target.clone(),
            read_only: false,
            failed_reconnect: None,
            holding_read: false,
        };
        engine.check_and_migrate(mode)?;
        engine.read_only = !engine.read(|tx| {
            tx.query_one(super::admin::CAN_WRITE_SQL, params![])?
                .get::<bool>(0)
        })?;
        Ok(engine)
    }

    pub(crate) fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn name(&self) -> String {
        self.target.to_string()
    }

    /// Refuses another application's `warroom` schema or a newer one, and
    /// creates or migrates the schema when allowed.
    fn check_and_migrate(&mut self, mode: OpenMode) -> Result<()> {
        let state = self.read(|tx| SchemaState::read(tx, Look::Snapshot))?;
        state.refuse_foreign_or_newer(&self.name())?;
        if state.version == schema::postgres_version() {
            return Ok(());
        }
        if state.version == 0 && mode == OpenMode::Existing {
            return Err(StoreError::NotInitialized(self.name()));
        }
        self.migrate()
    }

    /// Runs pending migrations in one transaction under an advisory lock,
    /// re-reading the version there: another process may have migrated
    /// while we waited. An account that may not create tables is told who
    /// can (`init`), and nothing is left half made.
    fn migrate(&mut self) -> Result<()> {
        let name = self.name();
        let result = self.transaction("BEGIN ISOLATION LEVEL READ COMMITTED", |tx| {
            tx.query("SELECT pg_advisory_xact_lock(?1)", params![MIGRATION_LOCK])?;
            let state = SchemaState::read(tx, Look::UnderLock)?;
            state.refuse_foreign_or_newer(&name)?;
            if state.version == 0 {
                tx.batch("CREATE SCHEMA IF NOT EXISTS warroom")?;
            }
            let pending = schema::POSTGRES_MIGRATIONS
                .iter()
                .enumerate()
                .skip(state.version as usize);
            for (index, migration) in pending {
                tx.batch(migration)?;
                tx.execute(
                    "INSERT INTO warroom.meta (key, value) VALUES ('schema_version', ?1)
                     ON CONFLICT (key) DO UPDATE SET value = ?1",
                    params![(index + 1).to_string()],
                )?;
            }
            Ok(())
        });
        match result {
            Err(StoreError::Engine(EngineError::Postgres(e)))
                if e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) =>
            {
                Err(StoreError::NotInitialized(name))
            }
            other => other,
        }
    }

    /// Runs `body` as a write transaction under the write lock.
    pub(crate) fn write<T>(&mut self, mut body: impl FnMut(&Tx<'_>) -> Result<T>) -> Result<T> {
        if self.read_only {
            return Err(StoreError::ReadOnlyRole(self.name()));
        }
        self.transaction(
            "BEGIN ISOLATION LEVEL READ COMMITTED; LOCK TABLE warroom.write_lock IN EXCLUSIVE MODE",
            |tx| body(tx),
        )
    }

    /// Runs `body` as a write that appends no event (presence): the write
    /// lock orders event ids only, so heartbeats never wait behind a long
    /// write (an import) or hold one up.
    pub(crate) fn write_unordered<T>(&mut self, body: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        if self.read_only {
            return Err(StoreError::ReadOnlyRole(self.name()));
        }
        self.transaction("BEGIN ISOLATION LEVEL READ COMMITTED", body)
    }

    /// Runs `body` in one read-only snapshot; after
    /// [`PgEngine::begin_held_read`], in the snapshot held.
    pub(crate) fn read<T>(&mut self, body: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        if !self.holding_read {
            return self.transaction(BEGIN_READ, body);
        }
        let value = body(&Tx {
            inner: TxInner::Postgres(&self.session),
        });
        value.map_err(|e| {
            // The snapshot is of no more use (the server has aborted it, or
            // the connection is gone): the reads after this one begin their
            // own, reconnecting first if need be.
            self.end_held_read();
            as_unreachable(&self.name(), e)
        })
    }

    /// Begins one read snapshot that the reads until
    /// [`PgEngine::end_held_read`] join: one round trip to begin and one to
    /// end instead of two at every read. False when none could be begun
    /// (then each read has its own) or one is held already.
    pub(crate) fn begin_held_read(&mut self) -> bool {
        if self.holding_read || self.reconnect_if_closed().is_err() {
            return false;
        }
        self.holding_read = self.session.get_mut().batch(BEGIN_READ).is_ok();
        self.holding_read
    }

    pub(crate) fn end_held_read(&mut self) {
        if std::mem::take(&mut self.holding_read) {
            // A read changes nothing; a connection gone ended it already.
            let _ = self.session.get_mut().batch("COMMIT");
        }
    }

    /// Begins with `begin`, runs `body`, commits; rolls back when `body`
    /// fails. A connection found closed is reopened first (once), so a
    /// console carries on by itself after the server comes back.
    fn transaction<T>(&mut self, begin: &str, body: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        debug_assert!(!self.holding_read, "a transaction inside a held read");
        self.reconnect_if_closed()?;
        let name = self.name();
        let unreachable = |e: StoreError| as_unreachable(&name, e);
        self.session.get_mut().batch(begin).map_err(unreachable)?;
        let value = body(&Tx {
            inner: TxInner::Postgres(&self.session),
        });
        let session = self.session.get_mut();
        match value {
            Ok(value) => {
                session.batch("COMMIT").map_err(unreachable)?;
                Ok(value)
            }
            Err(e) => {
                // The connection may be gone; the server rolls back then.
                let _ = session.batch("ROLLBACK");
                Err(unreachable(e))
            }
        }
    }

    fn reconnect_if_closed(&mut self) -> Result<()> {
        if !self.session.get_mut().client.is_closed() {
            return Ok(());
        }
        if let Some((at, reason)) = &self.failed_reconnect
            && at.elapsed() < RECONNECT_PAUSE
        {
            return Err(StoreError::Unreachable {
                database: self.name(),
                reason: reason.clone(),
            });
        }
        match Session::connect(&self.target) {
            Ok(session) => {
                *self.session.get_mut() = session;
                self.failed_reconnect = None;
                Ok(())
            }
            Err(e) => {
                let reason = match &e {
                    StoreError::Unreachable { reason, .. } => reason.clone(),
                    other => other.to_string(),
                };
                self.failed_reconnect = Some((Instant::now(), reason));
                Err(e)
            }
        }
    }

    /// The server answers, and the schema's tables are all there.
    pub(crate) fn quick_check(&mut self) -> Result<()> {
        let missing: Vec<String> = self.read(|tx| {
            let mut missing = Vec::new();
            for (table, _) in super::admin::TABLES {
                let found =
                    tx.query_one("SELECT to_regclass('warroom.' || ?1) IS NOT NULL", params![table])?;
                if !found.get::<bool>(0)? {
                    missing.push(table.to_string());
                }
            }
            Ok(missing)
        })?;
        if missing.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Damaged(
                self.name().into(),
                format!("the warroom schema lacks {}", missing.join(", ")),
            ))
        }
    }

    /// Changes whenever anyone commits an event or a heartbeat: the newest
    /// event id and the presence table's newest beat and size.
    pub(crate) fn data_version(&mut self) -> Result<i64> {
        self.read(|tx| {
            let row = tx.query_one(
                "SELECT (SELECT coalesce(max(id), 0) FROM warroom.events),
                        (SELECT coalesce(max(seen_at), 0) FROM warroom.presence),
                        (SELECT count(*) FROM warroom.presence)",
                params![],
            )?;
            let (events, beat, present): (i64, i64, i64) = (row.get(0)?, row.get(1)?, row.get(2)?);
            Ok(events
                .wrapping_mul(1_000_003)
                .wrapping_add(beat)
                .wrapping_mul(31)
                .wrapping_add(present))
        })
    }
}

/// A lost connection to `database`, said as the server being unreachable.
fn as_unreachable(database: &str, e: StoreError) -> StoreError {
    match e {
        StoreError::Engine(EngineError::Postgres(e)) if is_connection_lost(&e) => StoreError::Unreachable {
            database: database.to_string(),
            reason: describe_error(&e),
        },
        other => other,
    }
}

/// What `warroom.meta` says about the schema.
struct SchemaState {
    /// 0: no warroom schema yet.
    version: i64,
    /// Tables in the `warroom` schema that are not warroom's own meta.
    foreign: bool,
}

/// How the schema is looked at.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Look {
    /// In a read snapshot: the catalog (`to_regclass`) can show a table that
    /// another process's migration just committed while the snapshot still
    /// hides its rows, so a `meta` without its rows is a migration being
    /// made, to be read again under the lock.
    Snapshot,
    /// Under the migration lock, every statement seeing what is committed:
    /// a `meta` without warroom's rows is another application's.
    UnderLock,
}

impl SchemaState {
    fn read(tx: &Tx<'_>, look: Look) -> Result<SchemaState> {
        let row = tx.query_one(
            "SELECT to_regclass('warroom.meta') IS NOT NULL,
                    (SELECT count(*) FROM pg_catalog.pg_class c
                       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname = 'warroom')",
            params![],
        )?;
        let has_meta: bool = row.get(0)?;
        let objects: i64 = row.get(1)?;
        if !has_meta {
            return Ok(SchemaState {
                version: 0,
                foreign: objects > 0,
            });
        }
        let meta = |key: &str| -> Result<Option<String>> {
            tx.query_opt("SELECT value FROM warroom.meta WHERE key = ?1", params![key])?
                .map(|r| r.get(0))
                .transpose()
        };
        let application = meta("application")?;
        if application.is_none() && look == Look::Snapshot {
            return Ok(SchemaState {
                version: 0,
                foreign: false,
            });
        }
        let version = meta("schema_version")?.and_then(|v| v.parse().ok()).unwrap_or(0);
        Ok(SchemaState {
            version,
            foreign: application.as_deref() != Some("warroom"),
        })
    }

    fn refuse_foreign_or_newer(&self, name: &str) -> Result<()> {
        if self.foreign {
            return Err(StoreError::Foreign(name.into(), "a `warroom` schema"));
        }
        if self.version > schema::postgres_version() {
            return Err(StoreError::NewerSchema {
                database: name.into(),
                found: self.version,
                supported: schema::postgres_version(),
            });
        }
        Ok(())
    }
}

impl Session {
    fn connect(target: &PgTarget) -> Result<Session> {
        let application = format!(
            "warroom {}@{}",
            crate::account::current_account(),
            crate::account::host_name()
        );
        let mut client = connect(target, &application).map_err(|e| StoreError::Unreachable {
            database: target.to_string(),
            reason: e.to_string(),
        })?;
        // Only warroom's schema is searched: another schema's look-alike
        // tables (or a member's temporary ones) are never used.
        client.batch_execute("SET search_path TO warroom")?;
        Ok(Session {
            client,
            statements: HashMap::new(),
        })
    }

    pub(crate) fn batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.client.batch_execute(sql)?)
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(&numbered_parameters(sql))?;
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    pub(crate) fn execute(&mut self, sql: &str, params: &[&dyn ToParam]) -> Result<u64> {
        let statement = self.statement(sql)?;
        let bound: Vec<Param<'_>> = params.iter().map(|&p| p.to_param()).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = bound.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        Ok(self.client.execute(&statement, &refs)?)
    }

    pub(crate) fn query(&mut self, sql: &str, params: &[&dyn ToParam]) -> Result<Vec<Row>> {
        let statement = self.statement(sql)?;
        let bound: Vec<Param<'_>> = params.iter().map(|&p| p.to_param()).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = bound.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = self.client.query(&statement, &refs)?;
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| row.try_get::<_, Value>(i).map_err(StoreError::from))
                    .collect::<Result<Vec<Value>>>()
                    .map(Row)
            })
            .collect()
    }
}

/// `?1` → `$1`: the store writes SQLite's numbered parameters; PostgreSQL
/// numbers them with `$`. Quoted text and identifiers are left alone.
pub(crate) fn numbered_parameters(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    for c in sql.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '?' => {
                out.push('$');
                continue;
            }
            None => {}
        }
        out.push(c);
    }
    out
}

/// Whether the connection is gone (server down, restarted, network lost),
/// as opposed to a statement the server refused. A server shutting down
/// (or a backend terminated) says so first with SQLSTATE 57P01–57P03, and
/// class 08 is a connection failure: both mean "try again later".
pub(crate) fn is_connection_lost(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    match e.as_db_error() {
        Some(db) => {
            let code = db.code().code();
            code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
        }
        None => e.source().is_some_and(|s| s.is::<std::io::Error>()),
    }
}

/// A server's error as one line a responder can read: its message and
/// SQLSTATE, never the connection settings.
pub(crate) fn describe_error(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match *self {
            Param::Null => Ok(IsNull::Yes),
            Param::Int(v) => match *ty {
                Type::INT2 => i16::try_from(v)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(v)?.to_sql(ty, out),
                Type::BOOL => (v != 0).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::UNKNOWN => v.to_string().to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Param::Text(v) => v.to_sql(ty, out),
            Param::Blob(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> std::result::Result<Value, Box<dyn std::error::Error + Sync + Send>> {
        Ok(match *ty {
            Type::INT2 => Value::Int(i16::from_sql(ty, raw)?.into()),
            Type::INT4 => Value::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::OID => Value::Int(u32::from_sql(ty, raw)?.into()),
            Type::BOOL => Value::Int(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::BYTEA => Value::Blob(<Vec<u8>>::from_sql(ty, raw)?),
            _ => Value::Text(String::from_sql(ty, raw)?),
        })
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Value, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Value::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_renumbered_outside_quotes_only() {
        assert_eq!(
            numbered_parameters("SELECT '?1', \"a?b\" FROM t WHERE a = ?1 AND b = ?12"),
            "SELECT '?1', \"a?b\" FROM t WHERE a = $1 AND b = $12"
        );
    }
}

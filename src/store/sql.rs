//! The SQL every engine runs: the store's rules (idempotency, the chain,
//! compare-and-set, the timeline's texts) are written once, against [`Tx`],
//! in the dialect SQLite and PostgreSQL share. Statements number their
//! parameters `?1`, `?2`…; each engine binds them its own way.
//!
//! Values cross the boundary as four shapes only (integer, text, bytes,
//! null): times are integer milliseconds, flags 0/1, so one statement reads
//! the same on both engines.

use std::cell::RefCell;

use super::error::EngineError;
use super::{Result, StoreError};

/// A value bound to a statement's parameter.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param<'a> {
    Null,
    Int(i64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// A value read from a row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// What can be bound as a parameter.
pub(crate) trait ToParam {
    fn to_param(&self) -> Param<'_>;
}

impl ToParam for i64 {
    fn to_param(&self) -> Param<'_> {
        Param::Int(*self)
    }
}

impl ToParam for bool {
    fn to_param(&self) -> Param<'_> {
        Param::Int(i64::from(*self))
    }
}

impl ToParam for str {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToParam for String {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToParam for [u8] {
    fn to_param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}

impl ToParam for Vec<u8> {
    fn to_param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> Param<'_> {
        (**self).to_param()
    }
}

impl<T: ToParam> ToParam for Option<T> {
    fn to_param(&self) -> Param<'_> {
        self.as_ref().map_or(Param::Null, ToParam::to_param)
    }
}

/// The parameters of one statement, in order: `params![a, b]`.
macro_rules! params {
    () => { &[] as &[&dyn $crate::store::sql::ToParam] };
    ($($value:expr),+ $(,)?) => {
        &[$(&$value as &dyn $crate::store::sql::ToParam),+] as &[&dyn $crate::store::sql::ToParam]
    };
}
pub(crate) use params;

/// What a column can be read as.
pub(crate) trait FromValue: Sized {
    /// None when the stored value is of another shape.
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Option<i64> {
        match value {
            Value::Int(v) => Some(*v),
            _ => None,
        }
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Option<bool> {
        match value {
            Value::Int(v) => Some(*v != 0),
            _ => None,
        }
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Option<String> {
        match value {
            Value::Text(v) => Some(v.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: &Value) -> Option<Vec<u8>> {
        match value {
            Value::Blob(v) => Some(v.clone()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Option<Option<T>> {
        match value {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One row of a result.
#[derive(Debug, Clone)]
pub(crate) struct Row(pub(super) Vec<Value>);

impl Row {
    /// Column `index` as a `T`; a value of another shape (a hand-edited
    /// row) is an error naming the column.
    pub(crate) fn get<T: FromValue>(&self, index: usize) -> Result<T> {
        let value = self.0.get(index).unwrap_or(&Value::Null);
        T::from_value(value).ok_or_else(|| {
            StoreError::Engine(EngineError::Mismatch(format!(
                "column {index} holds {} where warroom expects another type",
                value.shape()
            )))
        })
    }

    /// Column `index` as a `T`, or None when it is missing or of another
    /// shape: for columns a reader can do without.
    pub(crate) fn get_lenient<T: FromValue>(&self, index: usize) -> Option<T> {
        self.0.get(index).and_then(T::from_value)
    }
}

impl Value {
    fn shape(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Int(_) => "an integer",
            Value::Real(_) => "a real number",
            Value::Text(_) => "text",
            Value::Blob(_) => "bytes",
        }
    }
}

/// Which engine runs the statements, for the few places their SQL differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// An open transaction of either engine.
pub(crate) struct Tx<'a> {
    pub(super) inner: TxInner<'a>,
}

pub(super) enum TxInner<'a> {
    /// A connection inside a transaction of the engine's.
    Sqlite(&'a rusqlite::Connection),
    Postgres(&'a RefCell<super::postgres::engine::Session>),
}

/// Said when a text holds a NUL byte.
pub(crate) const NUL_IN_TEXT: &str =
    "the text holds a NUL byte (\\0), which warroom does not record: nothing was written";

/// PostgreSQL refuses NUL in text and SQLite would store it: one rule for
/// both, checked where every value passes on its way to either engine, so
/// no path (a note, a title, a runbook, an import) can differ.
fn refuse_nul(params: &[&dyn ToParam]) -> Result<()> {
    let holds_nul =
        |param: &&dyn ToParam| matches!(param.to_param(), Param::Text(text) if text.contains('\0'));
    if params.iter().any(holds_nul) {
        return Err(StoreError::Invalid(NUL_IN_TEXT.into()));
    }
    Ok(())
}

impl Tx<'_> {
    /// Runs a statement that returns no rows; the number of rows changed.
    pub(crate) fn execute(&self, sql: &str, params: &[&dyn ToParam]) -> Result<u64> {
        refuse_nul(params)?;
        match &self.inner {
            TxInner::Sqlite(tx) => super::sqlite::execute(tx, sql, params),
            TxInner::Postgres(session) => session.borrow_mut().execute(sql, params),
        }
    }

    /// Every row of a query.
    pub(crate) fn query(&self, sql: &str, params: &[&dyn ToParam]) -> Result<Vec<Row>> {
        refuse_nul(params)?;
        match &self.inner {
            TxInner::Sqlite(tx) => super::sqlite::query(tx, sql, params),
            TxInner::Postgres(session) => session.borrow_mut().query(sql, params),
        }
    }

    /// The first row of a query, if any.
    pub(crate) fn query_opt(&self, sql: &str, params: &[&dyn ToParam]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The first row of a query that always returns one (an aggregate).
    pub(crate) fn query_one(&self, sql: &str, params: &[&dyn ToParam]) -> Result<Row> {
        self.query_opt(sql, params)?.ok_or_else(|| {
            StoreError::Engine(EngineError::Mismatch(format!(
                "a query that returns one row returned none: {sql}"
            )))
        })
    }

    /// Every row of a query, each made into a `T`.
    pub(crate) fn query_map<T>(
        &self,
        sql: &str,
        params: &[&dyn ToParam],
        each: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.query(sql, params)?.iter().map(each).collect()
    }

    /// The database server's clock, in milliseconds since the epoch; None
    /// for a file, whose "server" is this host's own clock. Presence ages
    /// come from it, so hosts whose clocks differ cannot hide anyone.
    pub(crate) fn server_clock(&self) -> Result<Option<i64>> {
        match &self.inner {
            TxInner::Sqlite(_) => Ok(None),
            TxInner::Postgres(session) => session
                .borrow_mut()
                .query("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::int8", &[])?
                .first()
                .map(|row| row.get(0))
                .transpose(),
        }
    }

    /// Runs statements written for this engine alone (a migration's DDL),
    /// without parameters.
    pub(crate) fn batch(&self, sql: &str) -> Result<()> {
        match &self.inner {
            TxInner::Sqlite(tx) => Ok(tx.execute_batch(sql)?),
            TxInner::Postgres(session) => session.borrow_mut().batch(sql),
        }
    }
}

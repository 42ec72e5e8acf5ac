//! One test, two engines: a fresh database of either kind, named the way a
//! user names it (`--db PATH` or `--db postgresql://…`), and a macro that
//! runs a test body once on each.

use std::path::{Path, PathBuf};

use warroom::store::{Location, OpenMode, Store};

use super::pg;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A fresh, empty database for one test.
pub struct Db {
    pub engine: Engine,
    /// What `--db` (or `$WARROOM_DB`) is given: a file path, or a URL
    /// (kept as a path so the file-based helpers take it unchanged).
    arg: PathBuf,
    _dir: Option<tempfile::TempDir>,
    /// The PostgreSQL database, when that is the engine.
    pub pg: Option<pg::TestDb>,
}

impl Db {
    /// A fresh database on `engine`; None (after printing SKIPPED) only when
    /// no PostgreSQL server can be had and `WARROOM_REQUIRE_PG` is unset.
    pub fn new(engine: Engine, test_name: &str) -> Option<Db> {
        match engine {
            Engine::Sqlite => {
                let dir = super::temp_dir();
                Some(Db {
                    engine,
                    arg: super::db_in(&dir),
                    _dir: Some(dir),
                    pg: None,
                })
            }
            Engine::Postgres => {
                let database = pg::server(test_name)?.database();
                Some(Db {
                    engine,
                    arg: PathBuf::from(&database.socket_url),
                    _dir: None,
                    pg: Some(database),
                })
            }
        }
    }

    /// The `--db` argument.
    pub fn path(&self) -> &Path {
        &self.arg
    }

    /// The database as the library names it.
    pub fn location(&self) -> Location {
        Location::parse(self.arg.clone()).expect("a test database's name parses")
    }

    /// Opens the store, creating the database when new.
    pub fn open(&self) -> Store {
        Store::open(self.location(), OpenMode::Create).expect("open the test database")
    }

    /// Runs SQL as the superuser (PostgreSQL) or through rusqlite (SQLite),
    /// for tests that look under the store; rows as text.
    pub fn superuser_sql(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        match &self.pg {
            Some(database) => pg::server("superuser_sql")
                .expect("a server, since the database is on one")
                .sql(&database.name, sql),
            None => {
                let conn = rusqlite::Connection::open(&self.arg).expect("open the SQLite file");
                let mut statement = conn.prepare(sql).expect("prepare");
                let columns = statement.column_count();
                let rows = statement
                    .query_map([], |row| {
                        (0..columns)
                            .map(|i| {
                                let value: rusqlite::types::Value = row.get(i)?;
                                Ok(match value {
                                    rusqlite::types::Value::Null => None,
                                    rusqlite::types::Value::Integer(v) => Some(v.to_string()),
                                    rusqlite::types::Value::Real(v) => Some(v.to_string()),
                                    rusqlite::types::Value::Text(v) => Some(v),
                                    rusqlite::types::Value::Blob(v) => Some(format!("{v:?}")),
                                })
                            })
                            .collect::<rusqlite::Result<Vec<_>>>()
                    })
                    .expect("query");
                rows.collect::<rusqlite::Result<Vec<_>>>().expect("rows")
            }
        }
    }
}

/// Runs a test body on both engines: `fn name(db: &Db) { … }` becomes the
/// tests `name::sqlite` and `name::postgres`, each with a fresh database.
#[macro_export]
macro_rules! on_both_engines {
    ($(#[$meta:meta])* fn $name:ident($db:ident: &Db) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn body($db: &$crate::common::engines::Db) $body

            #[test]
            fn sqlite() {
                let db = $crate::common::engines::Db::new(
                    $crate::common::engines::Engine::Sqlite,
                    concat!(stringify!($name), "::sqlite"),
                )
                .expect("SQLite is always there");
                body(&db);
            }

            #[test]
            fn postgres() {
                let Some(db) = $crate::common::engines::Db::new(
                    $crate::common::engines::Engine::Postgres,
                    concat!(stringify!($name), "::postgres"),
                ) else {
                    return;
                };
                body(&db);
            }
        }
    };
}

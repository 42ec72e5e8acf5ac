//! One test, two engines: a fresh database of either kind, named the way a
//! user names it (`--db PATH` or `--db postgresql://…`), and a macro that
//! runs a test body once on each.

use std::path::{Path, PathBuf};

use warroom::domain::chain::{ChainValue, EventContent, GENESIS, link};
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

    /// An SQLite file made elsewhere in a test (its folder is the test's).
    pub fn file(path: &Path) -> Db {
        Db {
            engine: Engine::Sqlite,
            arg: path.to_path_buf(),
            _dir: None,
            pg: None,
        }
    }

    /// A second fresh database on the same engine, for tests that compare
    /// two (the same server, another database, for PostgreSQL).
    pub fn another(&self, test_name: &str) -> Db {
        Db::new(self.engine, test_name).expect("the engine answered for the first database")
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
    /// for tests that look under the store; rows as text, blobs as `\x` and
    /// hex on both. Table names need no schema: the same SQL serves both.
    pub fn superuser_sql(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        match &self.pg {
            Some(database) => pg::server("superuser_sql")
                .expect("a server, since the database is on one")
                .sql(&database.name, &format!("SET search_path TO warroom; {sql}")),
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
                                    rusqlite::types::Value::Blob(v) => Some(format!("\\x{}", hex(&v))),
                                })
                            })
                            .collect::<rusqlite::Result<Vec<_>>>()
                    })
                    .expect("query");
                rows.collect::<rusqlite::Result<Vec<_>>>().expect("rows")
            }
        }
    }

    /// The chain values a rewriter with write access would compute, from
    /// the events as stored.
    pub fn chain_values(&self) -> Vec<(i64, ChainValue)> {
        let rows = self.superuser_sql(
            "SELECT id, uuid, incident_id, kind, occurred_at, recorded_at, author, text, pinned, data
             FROM events ORDER BY id",
        );
        let mut previous = GENESIS;
        let mut values = Vec::new();
        for row in rows {
            let text = |n: usize| row[n].clone().expect("a NOT NULL column");
            let number = |n: usize| text(n).parse::<i64>().expect("an integer column");
            let id = number(0);
            previous = link(
                &previous,
                &EventContent {
                    id,
                    uuid: &text(1),
                    incident_id: number(2),
                    kind: &text(3),
                    occurred_at_ms: number(4),
                    recorded_at_ms: number(5),
                    author: &text(6),
                    text: &text(7),
                    pinned: number(8) != 0,
                    data: row[9].as_deref(),
                },
            );
            values.push((id, previous));
        }
        values
    }

    /// Gives every event the chain value warroom would have written, as after
    /// rows planted or edited under the store (tests about something other
    /// than the chain plant rows this way).
    pub fn rechain(&self) {
        let updates: String = self
            .chain_values()
            .iter()
            .map(|(id, value)| {
                let bytes = match self.engine {
                    Engine::Sqlite => format!("X'{}'", hex(value)),
                    Engine::Postgres => format!("'\\x{}'::bytea", hex(value)),
                };
                format!("UPDATE events SET chain = {bytes} WHERE id = {id};\n")
            })
            .collect();
        self.superuser_batch(&format!("BEGIN;\n{updates}COMMIT;"));
    }

    /// Runs statements that return no rows (several, `;`-separated), as
    /// [`Db::superuser_sql`] does.
    pub fn superuser_batch(&self, sql: &str) {
        match self.engine {
            Engine::Postgres => {
                self.superuser_sql(sql);
            }
            Engine::Sqlite => rusqlite::Connection::open(&self.arg)
                .expect("open the SQLite file")
                .execute_batch(sql)
                .expect("the statements run"),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

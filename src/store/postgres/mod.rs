//! The PostgreSQL engine: a war room shared by responders on many hosts.
//!
//! * [`target`]: a `postgres://` / `postgresql://` URL read into a
//!   [`PgTarget`] (hosts or a socket folder, port, role, database, TLS
//!   settings), shown without its password;
//! * [`password`]: where the password comes from (the URL, `PGPASSWORD`,
//!   `~/.pgpass` with libpq's rules), never printed;
//! * [`connect`](mod@connect): one connection over TLS (rustls, ring) or the
//!   socket, and [`ConnectError`], worded for the responder who must fix it;
//!   [`advice`] is the fix per SQLSTATE, for `doctor` too;
//! * `tls`: the certificate checks behind each `sslmode`;
//! * `engine`: the store's transactions on a server (the write lock, the
//!   schema, prepared statements);
//! * [`listen`]: live updates through LISTEN/NOTIFY;
//! * [`admin`]: setting a war room up (schema, roles, grants) and the
//!   server facts `doctor` checks.

pub mod admin;
pub mod connect;
pub(crate) mod engine;
pub mod listen;
pub mod password;
pub mod target;
mod tls;

pub use connect::{ConnectError, advice, connect, connect_with};
pub(crate) use engine::describe_error;
pub use password::{PasswordLookup, PasswordSource, PgEnv};
pub use target::{PgHost, PgTarget, SslMode};

//! The PostgreSQL engine: naming and reaching a server ([`connect`]) and
//! running the store's transactions on it ([`engine`]).

pub mod connect;
pub(crate) mod engine;
pub mod listen;

pub(crate) use engine::describe_error;

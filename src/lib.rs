//! warroom: a terminal war room for production incidents, shared by every
//! responder through one SQLite file.
//!
//! * [`domain`]: incidents, timeline entries, checklist states and their rules
//!   (pure: no I/O, no clock);
//! * [`runbook`]: the Markdown runbook parser (checklist sections, phases);
//! * [`store`]: the SQLite store many processes share safely;
//! * [`cli`]: the command line;
//! * [`account`], [`paths`]: who is writing, and where the database lives.

pub mod account;
pub mod app;
pub mod cli;
pub mod config;
pub mod console;
pub mod demo;
pub mod diagnostics;
pub mod domain;
pub mod drafts;
pub mod export;
pub mod host;
pub mod paths;
pub mod runbook;
pub mod store;
pub mod ui;

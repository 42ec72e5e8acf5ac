//! warroom: a terminal war room for production incidents, shared by every
//! responder through one SQLite file or one PostgreSQL database.
//!
//! * [`domain`]: incidents, timeline entries, checklist states, clocks,
//!   roles, timers, action items, metrics, import parsing, the sanitizer and
//!   their rules (pure: no I/O, no clock);
//! * [`runbook`]: the Markdown runbook parser (checklist sections, phases,
//!   escalation triggers, status-update cadence, roles); [`runbooks`]: the
//!   library of runbooks to choose from (built in, and a folder's);
//! * [`store`]: the record many processes share safely, on SQLite or
//!   PostgreSQL, and following other processes' commits;
//! * [`app`]: the console's state and actions; [`ui`]: drawing it, a pure
//!   function of that state; [`console`]: the terminal and event loop;
//! * [`command`]: the incident-command core every write goes through, from
//!   either surface (typed command → checked write → applied once);
//! * [`cli`]: the command line; [`export`]: the post-mortem draft;
//!   [`host`]: shared-host set-up and `doctor`; [`demo`]: `warroom demo`;
//!   [`safe_output`]: long outputs written as they are made, a line at a
//!   time through the sanitizer;
//! * [`view`]: the incident as the panes, the core and the export read it
//!   (commander, clocks, pinned entries, roles);
//! * [`witness`]: what this account has seen of the record, so a rewrite is
//!   noticed (the chain itself is [`domain::chain`]);
//! * [`account`], [`paths`], [`config`], [`diagnostics`], [`drafts`]: who is
//!   writing, where the database, config, log and kept drafts live;
//!   [`private_state`]: the account's private folder those files are kept in.

pub mod account;
pub mod app;
pub mod cli;
pub mod command;
pub mod config;
pub mod console;
pub mod demo;
pub mod diagnostics;
pub mod domain;
pub mod drafts;
pub mod evidence;
pub mod export;
pub mod host;
pub mod paths;
pub mod private_state;
pub mod runbook;
pub mod runbooks;
pub mod safe_output;
pub mod stakeholder;
pub mod store;
pub mod ui;
pub mod view;
pub mod witness;

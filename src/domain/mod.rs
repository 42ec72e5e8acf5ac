//! Domain types and rules of an incident. Pure: no I/O, no clock, no database.
//!
//! Everything time-dependent takes `now` as an argument so rules can be tested
//! with an injected clock.

pub mod action;
pub mod attendance;
pub mod chain;
pub mod clock;
pub mod event;
pub mod evidence;
pub mod import;
pub mod incident;
pub mod metrics;
pub mod presence;
pub mod replay;
pub mod roles;
pub mod sanitize;
pub mod status;
pub mod time;
pub mod timeline;
pub mod timer;

pub use incident::{Incident, Milestone, Milestones, Severity, Status};
pub use sanitize::{escape_json_output, sanitize, sanitize_line};
pub use timeline::{ChecklistItem, EntryKind, ItemState, TimelineEntry, find_item};

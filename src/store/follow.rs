//! Following an incident that other processes write: notice their commits
//! cheaply (`PRAGMA data_version`) and load only what is new.

use super::{IncidentRecord, IncidentUpdate, Result, Store};

/// What a follower loaded.
#[derive(Debug, Clone)]
pub enum Loaded {
    /// The first load: the incident and the newest of its timeline.
    Full(IncidentRecord),
    /// Later loads: the current state and the entries after the last seen.
    Update(IncidentUpdate),
    /// Nothing was logged of the incident since the last load.
    Unchanged,
}

/// One reader's view of what it has already seen.
#[derive(Debug, Default)]
pub struct Follower {
    seen_version: Option<i64>,
    last_event: Option<i64>,
}

impl Follower {
    /// True when another connection committed since the last call (always
    /// true the first time). The reader's own commits do not count: after
    /// writing, load directly.
    pub fn others_committed(&mut self, store: &mut Store) -> bool {
        let version = store.data_version().ok();
        let changed = version.is_none() || version != self.seen_version;
        self.seen_version = version;
        changed
    }

    /// Loads the incident: the first time its state and the newest
    /// `window` entries, then (when anything was logged of it) the current
    /// state and every entry logged since (none missed, wherever in time it
    /// belongs).
    pub fn load(&mut self, store: &mut Store, incident_id: i64, window: usize) -> Result<Loaded> {
        match self.last_event {
            None => {
                let record = store.incident_window(incident_id, window)?;
                self.last_event = Some(record.facts.last_id);
                Ok(Loaded::Full(record))
            }
            Some(after) => Ok(match store.incident_update(incident_id, after)? {
                Some(update) => {
                    self.last_event = Some(update.last_id.max(after));
                    Loaded::Update(update)
                }
                None => Loaded::Unchanged,
            }),
        }
    }
}

/// File events can arrive a moment before the commit that caused them is
/// visible. After such an early event, look again every [`Recheck::STEP`]
/// for a short while instead of waiting for the slow fallback poll.
#[derive(Debug, Default)]
pub struct Recheck {
    until: Option<std::time::Instant>,
}

impl Recheck {
    pub const STEP: std::time::Duration = std::time::Duration::from_micros(200);
    pub const WINDOW: std::time::Duration = std::time::Duration::from_millis(100);

    /// Records what the last look found.
    pub fn looked(&mut self, after_file_event: bool, found_change: bool) {
        let now = std::time::Instant::now();
        if found_change {
            self.until = None;
        } else if after_file_event {
            self.until = Some(now + Self::WINDOW);
        } else if self.until.is_some_and(|until| now >= until) {
            self.until = None;
        }
    }

    /// How long to wait before the next look.
    pub fn wait(&self, otherwise: std::time::Duration) -> std::time::Duration {
        if self.until.is_some() {
            Self::STEP.min(otherwise)
        } else {
            otherwise
        }
    }
}

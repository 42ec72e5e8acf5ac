//! The one way a write reaches the event log. Every write is one IMMEDIATE
//! transaction that, for each act:
//!
//! 1. gives back what the act did if its UUID is already logged (a retry
//!    after an uncertain failure is applied once), writing nothing;
//! 2. checks that the incident exists;
//! 3. changes the current state and says what to log (the write's own part);
//! 4. appends the event, linked into the chain, recorded at the store's clock.

use std::borrow::Cow;

use super::sql::{Tx, params};
use super::{Result, Store, StoreError, to_millis};
use crate::domain::chain::{self, EventContent};
use crate::domain::event::EventData;
use crate::domain::{EntryKind, TimelineEntry};
use chrono::{DateTime, Utc};

/// Who does it, when it happened, under which UUID. (When it is written
/// down is the store's clock, [`Store::set_clock`].)
pub struct Act<'a> {
    pub uuid: &'a str,
    pub incident_id: i64,
    pub author: &'a str,
    pub at: DateTime<Utc>,
}

impl<'a> Act<'a> {
    pub(super) fn new(uuid: &'a str, incident_id: i64, author: &'a str, at: DateTime<Utc>) -> Act<'a> {
        Act {
            uuid,
            incident_id,
            author,
            at,
        }
    }

    /// The event this act logs: by its author, at its moment, on its incident.
    pub(super) fn event(&self, kind: EntryKind, text: String, data: EventData) -> EventRow<'a> {
        EventRow {
            incident_id: self.incident_id,
            kind,
            occurred_at: self.at,
            author: self.author,
            text: text.into(),
            pinned: false,
            data: Some(data),
        }
    }
}

/// An event to append; its UUID (the act's) and when it is recorded (the
/// store's clock) are added by [`Log`].
pub(super) struct EventRow<'a> {
    pub(super) incident_id: i64,
    pub(super) kind: EntryKind,
    pub(super) occurred_at: DateTime<Utc>,
    pub(super) author: &'a str,
    /// Borrowed for notes (up to 256 KiB), built for the store's own sentences.
    pub(super) text: Cow<'a, str>,
    pub(super) pinned: bool,
    pub(super) data: Option<EventData>,
}

/// A write transaction that logs acts; every event it appends is recorded
/// at the same moment of the store's clock.
pub(super) struct Log<'a, 't> {
    pub(super) tx: &'a Tx<'t>,
    recorded_at: DateTime<Utc>,
}

impl Store {
    /// Runs `body` as one write transaction that logs through [`Log`]
    /// (retried whole while another process holds the lock).
    pub(super) fn log<T>(&mut self, mut body: impl FnMut(&Log<'_, '_>) -> Result<T>) -> Result<T> {
        let recorded_at = self.now();
        self.write(|tx| body(&Log { tx, recorded_at }))
    }

    /// One act in its own transaction: see [`Log::act`].
    pub(super) fn record<'e, T>(
        &mut self,
        act: &Act<'e>,
        mut replay: impl FnMut(&Tx<'_>, TimelineEntry) -> Result<T>,
        mut apply: impl FnMut(&Tx<'_>) -> Result<(EventRow<'e>, T)>,
    ) -> Result<T> {
        self.log(|log| log.act(act, &mut replay, &mut apply))
    }
}

impl Log<'_, '_> {
    /// Logs an act on an existing incident, once per UUID: `replay` rebuilds
    /// the answer from the event logged before; otherwise `apply` changes
    /// the state and gives the event to append.
    pub(super) fn act<'e, T>(
        &self,
        act: &Act<'e>,
        replay: impl FnOnce(&Tx<'_>, TimelineEntry) -> Result<T>,
        apply: impl FnOnce(&Tx<'_>) -> Result<(EventRow<'e>, T)>,
    ) -> Result<T> {
        self.once(act.uuid, replay, |tx| {
            require_incident(tx, act.incident_id)?;
            apply(tx)
        })
    }

    /// [`Log::act`] without the incident check: for the declaration, whose
    /// `apply` creates the incident.
    pub(super) fn once<'e, T>(
        &self,
        uuid: &str,
        replay: impl FnOnce(&Tx<'_>, TimelineEntry) -> Result<T>,
        apply: impl FnOnce(&Tx<'_>) -> Result<(EventRow<'e>, T)>,
    ) -> Result<T> {
        if let Some(earlier) = super::read::entry_in(self.tx, uuid)? {
            return replay(self.tx, earlier);
        }
        let (row, value) = apply(self.tx)?;
        append_event(self.tx, uuid, self.recorded_at, &row)?;
        Ok(value)
    }

    /// The entry logged under `uuid`, as stored.
    pub(super) fn entry(&self, uuid: &str) -> Result<TimelineEntry> {
        super::read::entry_in(self.tx, uuid)?.ok_or_else(|| StoreError::NotFound(format!("no entry {uuid}")))
    }
}

/// For writes whose retry has nothing to give back.
pub(super) fn nothing_to_give_back(_: &Tx<'_>, _: TimelineEntry) -> Result<()> {
    Ok(())
}

pub(super) fn require_incident(tx: &Tx<'_>, incident_id: i64) -> Result<()> {
    let found = tx.query_opt("SELECT id FROM incidents WHERE id = ?1", params![incident_id])?;
    if found.is_some() {
        Ok(())
    } else {
        Err(StoreError::NotFound(format!(
            "there is no incident {incident_id}"
        )))
    }
}

/// Appends to the event log, linked into the chain: the one place events
/// are written. The UUID is new ([`Log::once`] checked, and the column is
/// UNIQUE).
fn append_event(tx: &Tx<'_>, uuid: &str, recorded_at: DateTime<Utc>, row: &EventRow<'_>) -> Result<()> {
    // Inside the IMMEDIATE transaction no one else appends, so the id and
    // the link are this event's for sure.
    let (previous_id, previous) = super::chain::last_link(tx)?;
    let id = previous_id + 1;
    let data = row.data.as_ref().map(EventData::to_json);
    let content = EventContent {
        id,
        uuid,
        incident_id: row.incident_id,
        kind: row.kind.as_str(),
        occurred_at_ms: to_millis(row.occurred_at),
        recorded_at_ms: to_millis(recorded_at),
        author: row.author,
        text: &row.text,
        pinned: row.pinned,
        data: data.as_deref(),
    };
    let value = chain::link(&previous, &content);
    tx.execute(
        "INSERT INTO events (id, uuid, incident_id, kind, occurred_at, recorded_at, author, text,
            pinned, data, chain, host)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            id,
            content.uuid,
            content.incident_id,
            content.kind,
            content.occurred_at_ms,
            content.recorded_at_ms,
            content.author,
            content.text,
            content.pinned,
            content.data,
            &value[..],
            crate::account::host_name(),
        ],
    )?;
    Ok(())
}

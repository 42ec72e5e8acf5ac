//! The timeline read by window, for a console whose cost does not grow
//! with the incident's history (issue #14): a window of entries around an
//! anchor, read on the index `events_by_time (incident_id, occurred_at, id)`
//! with a LIMIT (backwards for the newest page and for older ones, so the
//! newest page of a million-entry incident is one short index walk, never a
//! sort), and the few facts the console shows about the whole timeline, each
//! from an index or a running count (schema 10; PostgreSQL's 4).

use chrono::{DateTime, Utc};

use super::read::{SELECT_EVENT, event_from_row};
use super::record::require_incident;
use super::sql::{Tx, params};
use super::{EntryFilter, Result, Store, to_millis};
use crate::domain::{EntryKind, TimelineEntry};

/// Where an entry stands in the timeline's order: when it happened, then
/// its place in the log (equal times are common: imports, one-minute
/// clocks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct EntryKey {
    pub occurred_at: DateTime<Utc>,
    pub id: i64,
}

impl EntryKey {
    /// The key of `entry`.
    pub fn of(entry: &TimelineEntry) -> EntryKey {
        EntryKey {
            occurred_at: entry.occurred_at,
            id: entry.id,
        }
    }

    /// As stored: milliseconds and id.
    fn stored(self) -> (i64, i64) {
        (to_millis(self.occurred_at), self.id)
    }
}

/// Which entries a window holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowAnchor {
    /// The newest entries.
    Newest,
    /// The oldest entries (the top of the timeline).
    Oldest,
    /// The entries just before this key (not including it): paging back.
    Before(EntryKey),
    /// The entries just after this key (not including it): paging forward.
    After(EntryKey),
}

/// Some consecutive entries of a timeline, as the console shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineWindow {
    /// In time order, oldest first; the latest pin over the row's flag.
    pub entries: Vec<TimelineEntry>,
    /// Entries exist before the window's oldest (for an empty window: before
    /// the anchor).
    pub has_older: bool,
    /// Entries exist after the window's newest (for an empty window: after
    /// the anchor).
    pub has_newer: bool,
}

/// What the console shows about a whole timeline, without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineFacts {
    /// Entries of the incident.
    pub total: u64,
    /// The entries pinned now (pinned when written or since, and not
    /// unpinned since), in time order.
    pub pinned: Vec<TimelineEntry>,
    /// The newest status update by the timeline's order, if any.
    pub latest_status_update: Option<TimelineEntry>,
    /// The id of the incident's last entry in the log (0: none): a
    /// follower reads what comes after it.
    pub last_id: i64,
}

impl Store {
    /// Up to `size` consecutive entries of the incident at `anchor`, in
    /// time order, and whether more lie on either side; one snapshot.
    pub fn timeline_window(
        &mut self,
        incident_id: i64,
        anchor: WindowAnchor,
        size: usize,
    ) -> Result<TimelineWindow> {
        self.read(|tx| {
            require_incident(tx, incident_id)?;
            window_in(tx, incident_id, anchor, size)
        })
    }

    /// The entry count, the pinned entries, the latest status update and the
    /// last entry's id, in one snapshot.
    pub fn timeline_facts(&mut self, incident_id: i64) -> Result<TimelineFacts> {
        self.read(|tx| {
            require_incident(tx, incident_id)?;
            facts_in(tx, incident_id)
        })
    }

    /// The incident's entries counted one by one on the index
    /// `events_by_incident`: what [`TimelineFacts::total`] would cost
    /// without the running count (the benchmark compares the two).
    #[doc(hidden)]
    pub fn count_entries_by_index(&mut self, incident_id: i64) -> Result<u64> {
        self.read(|tx| {
            let count: i64 = tx
                .query_one(
                    "SELECT count(*) FROM events WHERE incident_id = ?1",
                    params![incident_id],
                )?
                .get(0)?;
            Ok(u64::try_from(count).unwrap_or(0))
        })
    }
}

/// Up to `size` consecutive entries of the incident at `anchor`, inside a
/// transaction.
pub(super) fn window_in(
    tx: &Tx<'_>,
    incident_id: i64,
    anchor: WindowAnchor,
    size: usize,
) -> Result<TimelineWindow> {
    // One entry beyond the window says whether there is more that way.
    let limit = i64::try_from(size).unwrap_or(i64::MAX - 1) + 1;
    let (mut entries, has_older, has_newer) = match anchor {
        WindowAnchor::Newest => {
            let mut newest_first = tx.query_map(
                &format!(
                    "{SELECT_EVENT} WHERE incident_id = ?1
                     ORDER BY occurred_at DESC, id DESC LIMIT ?2"
                ),
                params![incident_id, limit],
                event_from_row,
            )?;
            let more = beyond(&mut newest_first, size);
            newest_first.reverse();
            (newest_first, more, false)
        }
        WindowAnchor::Oldest => {
            let mut oldest_first = tx.query_map(
                &format!(
                    "{SELECT_EVENT} WHERE incident_id = ?1
                     ORDER BY occurred_at, id LIMIT ?2"
                ),
                params![incident_id, limit],
                event_from_row,
            )?;
            let more = beyond(&mut oldest_first, size);
            (oldest_first, false, more)
        }
        WindowAnchor::Before(key) => {
            let (at, id) = key.stored();
            // `occurred_at <= ?2` first: a plain range on the index
            // for both planners; the OR then steps past the anchor.
            let mut newest_first = tx.query_map(
                &format!(
                    "{SELECT_EVENT} WHERE incident_id = ?1
                       AND occurred_at <= ?2 AND (occurred_at < ?2 OR id < ?3)
                     ORDER BY occurred_at DESC, id DESC LIMIT ?4"
                ),
                params![incident_id, at, id, limit],
                event_from_row,
            )?;
            let more = beyond(&mut newest_first, size);
            newest_first.reverse();
            let newer = any_at_or_after(tx, incident_id, key)?;
            (newest_first, more, newer)
        }
        WindowAnchor::After(key) => {
            let (at, id) = key.stored();
            let mut oldest_first = tx.query_map(
                &format!(
                    "{SELECT_EVENT} WHERE incident_id = ?1
                       AND occurred_at >= ?2 AND (occurred_at > ?2 OR id > ?3)
                     ORDER BY occurred_at, id LIMIT ?4"
                ),
                params![incident_id, at, id, limit],
                event_from_row,
            )?;
            let more = beyond(&mut oldest_first, size);
            let older = any_at_or_before(tx, incident_id, key)?;
            (oldest_first, older, more)
        }
    };
    entries.shrink_to_fit();
    Ok(TimelineWindow {
        entries,
        has_older,
        has_newer,
    })
}

/// What the console shows about the incident's whole timeline, inside a
/// transaction; each fact from an index or the running count, so the cost
/// does not grow with the timeline.
pub(super) fn facts_in(tx: &Tx<'_>, incident_id: i64) -> Result<TimelineFacts> {
    Ok(TimelineFacts {
        total: total_in(tx, incident_id)?,
        pinned: pinned_in(tx, incident_id)?,
        latest_status_update: latest_status_update_in(tx, incident_id)?,
        last_id: last_id_in(tx, incident_id)?,
    })
}

/// How many entries the incident has (a running count, kept as they are written).
fn total_in(tx: &Tx<'_>, incident_id: i64) -> Result<u64> {
    let total: i64 = tx
        .query_opt(
            "SELECT entries FROM timeline_counts WHERE incident_id = ?1",
            params![incident_id],
        )?
        .map(|row| row.get(0))
        .transpose()?
        .unwrap_or(0);
    Ok(u64::try_from(total).unwrap_or(0))
}

/// The entries pinned now, in time order.
pub(super) fn pinned_in(tx: &Tx<'_>, incident_id: i64) -> Result<Vec<TimelineEntry>> {
    // Candidates: pinned since (the `pins` table, one row per entry ever
    // pinned or unpinned after writing) or pinned when written (the
    // partial index `events_pinned_at_write`); the entry's latest pin, as
    // SELECT_EVENT reads it, decides. The incident is checked inside, not
    // beside `id IN`, and the two lists are joined with UNION ALL (a
    // repeated id is harmless in IN): given the chance, SQLite walks the
    // incident's whole timeline in order (for the outer ORDER BY, or for
    // UNION's merge) rather than sort a few rows: 100 ms at a million
    // entries, against 0.6 ms.
    Ok(tx
        .query_map(
            &format!(
                "{SELECT_EVENT} WHERE id IN (
                    SELECT pins.event_id FROM pins JOIN events pinned_since
                        ON pinned_since.id = pins.event_id
                       AND pinned_since.incident_id = pins.incident_id
                     WHERE pins.incident_id = ?1 AND pins.pinned = 1
                    UNION ALL
                    SELECT id FROM events WHERE incident_id = ?1 AND pinned = 1)
                 ORDER BY occurred_at, id"
            ),
            params![incident_id],
            event_from_row,
        )?
        .into_iter()
        .filter(|entry| EntryFilter::Pinned.admits(entry))
        .collect())
}

/// The newest status update by the timeline's order, if any.
pub(super) fn latest_status_update_in(tx: &Tx<'_>, incident_id: i64) -> Result<Option<TimelineEntry>> {
    tx.query_opt(
        &format!(
            "{SELECT_EVENT} WHERE incident_id = ?1 AND kind = ?2
             ORDER BY occurred_at DESC, id DESC LIMIT 1"
        ),
        params![incident_id, EntryKind::StatusUpdate.as_str()],
    )?
    .as_ref()
    .map(event_from_row)
    .transpose()
}

/// The id of the incident's last entry in the log (0: none).
fn last_id_in(tx: &Tx<'_>, incident_id: i64) -> Result<i64> {
    // The newest of events_by_incident (incident_id, id): one index probe.
    let last_id: Option<i64> = tx
        .query_one(
            "SELECT max(id) FROM events WHERE incident_id = ?1",
            params![incident_id],
        )?
        .get(0)?;
    Ok(last_id.unwrap_or(0))
}

/// Drops the entry read beyond the window's `size`; whether there was one.
fn beyond(entries: &mut Vec<TimelineEntry>, size: usize) -> bool {
    let more = entries.len() > size;
    entries.truncate(size);
    more
}

/// Whether the incident has an entry at `key` or after it.
fn any_at_or_after(tx: &Tx<'_>, incident_id: i64, key: EntryKey) -> Result<bool> {
    let (at, id) = key.stored();
    Ok(tx
        .query_opt(
            "SELECT 1 FROM events WHERE incident_id = ?1
               AND occurred_at >= ?2 AND (occurred_at > ?2 OR id >= ?3) LIMIT 1",
            params![incident_id, at, id],
        )?
        .is_some())
}

/// Whether the incident has an entry at `key` or before it.
fn any_at_or_before(tx: &Tx<'_>, incident_id: i64, key: EntryKey) -> Result<bool> {
    let (at, id) = key.stored();
    Ok(tx
        .query_opt(
            "SELECT 1 FROM events WHERE incident_id = ?1
               AND occurred_at <= ?2 AND (occurred_at < ?2 OR id <= ?3) LIMIT 1",
            params![incident_id, at, id],
        )?
        .is_some())
}

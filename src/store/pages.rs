//! The timeline read a page at a time, for outputs that walk a whole
//! incident (the post-mortem export, `show --json`): memory stays that of
//! one page however long the incident ran. Pages are keyed by the last entry
//! read, `(occurred_at, id)`, the timeline's own order (index
//! `events_by_time`), and each is its own short read transaction, so a long
//! walk neither holds the whole timeline nor one transaction (and SQLite's
//! WAL) for its whole length. Every page stops at the newest event when the
//! walk began: ids are handed out in commit order, so the walk sees the
//! timeline as it stood then, whatever is written meanwhile.

use super::read::{SELECT_EVENT, event_from_row, record_in};
use super::sql::params;
use super::window::{WindowAnchor, window_in};
use super::{IncidentRecord, Result, Store, StoreError};
use crate::domain::{EntryKind, TimelineEntry};

/// Entries read in one transaction by the outputs that walk a timeline.
pub const PAGE_SIZE: usize = 1_000;

/// Which entries a walk returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryFilter {
    All,
    /// Pinned as the entry reads now (its latest pin).
    Pinned,
    /// Of one kind (chosen by the database, not after reading every row).
    Kind(EntryKind),
}

impl EntryFilter {
    /// Whether `entry` is one this filter returns.
    pub fn admits(self, entry: &TimelineEntry) -> bool {
        match self {
            EntryFilter::All => true,
            EntryFilter::Pinned => entry.pinned,
            EntryFilter::Kind(kind) => entry.kind == kind,
        }
    }
}

/// An incident and everything about it but its timeline, read in one
/// snapshot with the newest event id then: small however long the incident
/// ran. The timeline is read by [`TimelinePages`] up to `up_to_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentOutline {
    /// The record with an empty `timeline`.
    pub record: IncidentRecord,
    /// The newest event of the database when the outline was read.
    pub up_to_id: i64,
}

impl IncidentOutline {
    /// A walk over this incident's timeline as it stood with the outline.
    pub fn pages(&self, filter: EntryFilter, page_size: usize) -> TimelinePages {
        TimelinePages::new(self.record.incident.id, self.up_to_id, filter, page_size)
    }
}

/// A walk over one incident's timeline, in the order things happened.
#[derive(Debug, Clone)]
pub struct TimelinePages {
    incident_id: i64,
    up_to_id: i64,
    filter: EntryFilter,
    page_size: i64,
    /// `(occurred_at ms, id)` of the last entry read.
    after: (i64, i64),
    done: bool,
}

impl TimelinePages {
    /// Entries of `incident_id` up to event `up_to_id`, `page_size` per read
    /// (at least 1).
    pub fn new(incident_id: i64, up_to_id: i64, filter: EntryFilter, page_size: usize) -> TimelinePages {
        TimelinePages {
            incident_id,
            up_to_id,
            filter,
            page_size: i64::try_from(page_size.max(1)).unwrap_or(i64::MAX),
            after: (i64::MIN, i64::MIN),
            done: false,
        }
    }

    /// The next entries that pass the filter, in one or more short reads;
    /// empty once the walk is over.
    pub fn next_page(&mut self, store: &mut Store) -> Result<Vec<TimelineEntry>> {
        while !self.done {
            let rows = store.read(|tx| {
                // `occurred_at >= ?3` first: a plain range on the index for
                // both engines' planners; the OR then skips what was read.
                let after = "incident_id = ?1 AND id <= ?2 AND occurred_at >= ?3
                             AND (occurred_at > ?3 OR id > ?4)";
                let order = "ORDER BY occurred_at, id LIMIT ?5";
                let (incident, up_to, (at, id), limit) =
                    (self.incident_id, self.up_to_id, self.after, self.page_size);
                match self.filter {
                    EntryFilter::Kind(kind) => tx.query(
                        &format!("{SELECT_EVENT} WHERE {after} AND kind = ?6 {order}"),
                        params![incident, up_to, at, id, limit, kind.as_str()],
                    ),
                    EntryFilter::All | EntryFilter::Pinned => tx.query(
                        &format!("{SELECT_EVENT} WHERE {after} {order}"),
                        params![incident, up_to, at, id, limit],
                    ),
                }
            })?;
            self.done = (rows.len() as i64) < self.page_size;
            let mut page = Vec::with_capacity(rows.len());
            for row in &rows {
                let entry = event_from_row(row)?;
                self.after = (entry.occurred_at.timestamp_millis(), entry.id);
                if self.filter.admits(&entry) {
                    page.push(entry);
                }
            }
            if !page.is_empty() {
                return Ok(page);
            }
        }
        Ok(Vec::new())
    }
}

impl Store {
    /// The incident without its timeline, and how far the timeline went
    /// (see [`IncidentOutline`]), in one snapshot.
    pub fn incident_outline(&mut self, incident_id: i64) -> Result<IncidentOutline> {
        self.read(|tx| {
            let no_entries = window_in(tx, incident_id, WindowAnchor::Newest, 0)?;
            let record = record_in(tx, incident_id, no_entries)?;
            let up_to_id = tx
                .query_one("SELECT coalesce(max(id), 0) FROM events", params![])?
                .get(0)?;
            Ok(IncidentOutline { record, up_to_id })
        })
    }

    /// Calls `each` with every entry of the incident, in the order things
    /// happened, reading `page_size` entries per short read transaction;
    /// entries logged after the walk began are not part of it. Stops at the
    /// first error, the store's or `each`'s.
    pub fn for_each_entry<E: From<StoreError>>(
        &mut self,
        incident_id: i64,
        page_size: usize,
        mut each: impl FnMut(TimelineEntry) -> Result<(), E>,
    ) -> Result<(), E> {
        let up_to_id = self.last_event_id()?;
        let mut pages = TimelinePages::new(incident_id, up_to_id, EntryFilter::All, page_size);
        loop {
            let page = pages.next_page(self)?;
            if page.is_empty() {
                return Ok(());
            }
            page.into_iter().try_for_each(&mut each)?;
        }
    }
}

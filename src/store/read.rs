//! Reads, each in one short transaction.

use super::sql::{Row, Tx, params};
use super::window::{
    TimelineFacts, TimelineWindow, WindowAnchor, facts_in, latest_status_update_in, pinned_in, window_in,
};
use super::{Result, Store, StoreError, from_millis};
use crate::domain::action::ActionItem;
use crate::domain::event::EventData;
use crate::domain::replay::Ending;
use crate::domain::roles::RoleHolder;
use crate::domain::timer::{Timer, TimerState};
use crate::domain::{ChecklistItem, EntryKind, Incident, Milestones, Severity, TimelineEntry};

/// An entry as it reads now: pinned as written, unless pinned or unpinned
/// since (the latest pin, kept in `pins`).
pub(super) const SELECT_EVENT: &str = "SELECT id, uuid, kind, occurred_at, recorded_at, author, text,
    COALESCE((SELECT pins.pinned FROM pins
              WHERE pins.incident_id = events.incident_id AND pins.event_id = events.id), pinned),
    data FROM events";
pub(super) const SELECT_ITEM: &str =
    "SELECT key, section, name, description, state, changed_by, changed_at, version FROM checklist_items";
const SELECT_INCIDENT: &str = "SELECT id, uuid, title, severity, started_at, detected_at, declared_at,
    acknowledged_at, mitigated_at, resolved_at, closed_at, declared_by, runbook_name, version,
    phase, severity_changed_at, update_snoozed_at, update_snoozed_until, postmortem_done_at,
    drill FROM incidents";

/// Everything about one incident, read in one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRecord {
    pub incident: Incident,
    pub checklist: Vec<ChecklistItem>,
    /// Timeline entries in time order: all of them, or (for a console) a
    /// window of consecutive ones, `has_older` and `has_newer` saying
    /// whether entries lie beyond it.
    pub timeline: Vec<TimelineEntry>,
    pub has_older: bool,
    pub has_newer: bool,
    /// About the whole timeline, however much of it `timeline` holds.
    pub facts: TimelineFacts,
    pub timers: Vec<Timer>,
    pub roles: Vec<RoleHolder>,
    pub actions: Vec<ActionItem>,
    /// The runbook text the incident was declared with.
    pub runbook_text: String,
}

/// What changed in an incident since the reader last looked: the incident
/// (small, read whole), the timeline entries after the last one seen (the
/// timeline only grows), and whatever else those entries say changed. Every
/// change is logged with its state in one transaction, so the new entries
/// tell which of the rest can have changed; None there: as before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentUpdate {
    pub incident_id: i64,
    /// The incident's own row, read again when a new entry is of a kind
    /// whose write changes it (a milestone, the phase, a snooze, the
    /// severity).
    pub incident: Option<Incident>,
    pub new_entries: Vec<TimelineEntry>,
    /// The id of the last of `new_entries` in the log.
    pub last_id: i64,
    /// The entries pinned now, read again when a new entry pins, unpins or
    /// is pinned as written.
    pub pinned: Option<Vec<TimelineEntry>>,
    /// The latest status update, read again when a new one came (entries
    /// are never taken away, so nothing else can change it).
    pub latest_status_update: Option<TimelineEntry>,
    pub checklist: Option<Vec<ChecklistItem>>,
    pub timers: Option<Vec<Timer>>,
    pub roles: Option<Vec<RoleHolder>>,
    pub actions: Option<Vec<ActionItem>>,
}

impl IncidentRecord {
    /// The incident as it stands, for a replay of its events.
    pub fn ending(&self) -> Ending {
        Ending {
            incident: self.incident.clone(),
            checklist: self.checklist.clone(),
            timers: self.timers.clone(),
            roles: self.roles.clone(),
            actions: self.actions.clone(),
        }
    }
}

impl IncidentUpdate {
    /// Applies the update to `record` (of the same incident), but for the
    /// new entries, which go where the reader keeps its window: returns
    /// them.
    pub fn apply_to(self, record: &mut IncidentRecord) -> Vec<TimelineEntry> {
        // Named in full so a new field cannot be forgotten here.
        let IncidentUpdate {
            incident_id: _,
            incident,
            new_entries,
            last_id,
            pinned,
            latest_status_update,
            checklist,
            timers,
            roles,
            actions,
        } = self;
        if let Some(incident) = incident {
            record.incident = incident;
        }
        // Entries are only ever added, each counted once as it is.
        record.facts.total += new_entries.len() as u64;
        record.facts.last_id = last_id;
        if let Some(pinned) = pinned {
            record.facts.pinned = pinned;
        }
        if latest_status_update.is_some() {
            record.facts.latest_status_update = latest_status_update;
        }
        if let Some(checklist) = checklist {
            record.checklist = checklist;
        }
        if let Some(timers) = timers {
            record.timers = timers;
        }
        if let Some(roles) = roles {
            record.roles = roles;
        }
        if let Some(actions) = actions {
            record.actions = actions;
        }
        new_entries
    }
}

impl Store {
    /// All incidents, newest declaration first; only open ones unless `all`.
    pub fn incidents(&mut self, all: bool) -> Result<Vec<Incident>> {
        self.read(|tx| {
            let sql = format!(
                "{SELECT_INCIDENT} {} ORDER BY declared_at DESC, id DESC",
                if all {
                    ""
                } else {
                    "WHERE resolved_at IS NULL AND closed_at IS NULL"
                }
            );
            tx.query_map(&sql, params![], incident_from_row)
        })
    }

    /// The most recently declared incident that is neither resolved nor closed.
    pub fn latest_open_incident(&mut self) -> Result<Option<i64>> {
        self.read(|tx| {
            tx.query_opt(
                "SELECT id FROM incidents WHERE resolved_at IS NULL AND closed_at IS NULL
                 ORDER BY declared_at DESC, id DESC LIMIT 1",
                params![],
            )?
            .map(|r| r.get(0))
            .transpose()
        })
    }

    /// The incident, its checklist and its whole timeline in time order.
    pub fn incident_record(&mut self, incident_id: i64) -> Result<IncidentRecord> {
        self.read(|tx| {
            let timeline = tx.query_map(
                &format!("{SELECT_EVENT} WHERE incident_id = ?1 ORDER BY occurred_at, id"),
                params![incident_id],
                event_from_row,
            )?;
            let whole = TimelineWindow {
                entries: timeline,
                has_older: false,
                has_newer: false,
            };
            record_in(tx, incident_id, whole)
        })
    }

    /// The incident, its checklist and the newest `size` entries of its
    /// timeline (what a console opens on): the cost does not grow with the
    /// timeline.
    pub fn incident_window(&mut self, incident_id: i64, size: usize) -> Result<IncidentRecord> {
        self.read(|tx| {
            let window = window_in(tx, incident_id, WindowAnchor::Newest, size)?;
            record_in(tx, incident_id, window)
        })
    }

    /// The incident and everything about it but its timeline entries (the
    /// facts about the timeline included): what a write is checked against.
    pub fn incident_state(&mut self, incident_id: i64) -> Result<IncidentRecord> {
        self.incident_window(incident_id, 0)
    }

    /// What changed in the incident since the entry `after_id` was logged:
    /// None when nothing was logged of it since, else its
    /// current state, the entries logged since, and what they changed.
    pub fn incident_update(&mut self, incident_id: i64, after_id: i64) -> Result<Option<IncidentUpdate>> {
        self.read(|tx| {
            // In the index's order, sorted here: a few rows, where SQLite
            // would build a temporary tree to sort them at every wake.
            let mut new_entries = tx.query_map(
                &format!("{SELECT_EVENT} WHERE incident_id = ?1 AND id > ?2 ORDER BY id"),
                params![incident_id, after_id],
                event_from_row,
            )?;
            new_entries.sort_by_key(|entry| (entry.occurred_at, entry.id));
            let Some(last_id) = new_entries.iter().map(|e| e.id).max() else {
                return Ok(None);
            };
            let any = |kinds: &[EntryKind]| new_entries.iter().any(|e| kinds.contains(&e.kind));
            let incident_changed = any(&[EntryKind::System, EntryKind::SeverityChange]);
            let checklist_changed = any(&[EntryKind::ChecklistChange]);
            let command_changed = any(&[EntryKind::System, EntryKind::RoleChange]);
            let pins_changed = new_entries
                .iter()
                .any(|e| e.pinned || matches!(e.data.as_deref(), Some(EventData::Pin { .. })));
            Ok(Some(IncidentUpdate {
                incident_id,
                incident: incident_changed
                    .then(|| incident_in(tx, incident_id))
                    .transpose()?,
                last_id,
                pinned: pins_changed.then(|| pinned_in(tx, incident_id)).transpose()?,
                latest_status_update: if any(&[EntryKind::StatusUpdate]) {
                    latest_status_update_in(tx, incident_id)?
                } else {
                    None
                },
                checklist: checklist_changed
                    .then(|| checklist_in(tx, incident_id))
                    .transpose()?,
                timers: command_changed.then(|| timers_in(tx, incident_id)).transpose()?,
                roles: command_changed.then(|| roles_in(tx, incident_id)).transpose()?,
                actions: command_changed
                    .then(|| actions_in(tx, Some(incident_id)))
                    .transpose()?,
                new_entries,
            }))
        })
    }

    /// The metrics across every incident that passes `filter`.
    pub fn metrics(
        &mut self,
        filter: &crate::domain::metrics::Filter,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<crate::domain::metrics::Report> {
        // With responder-hours, without a cost (src/store/attendance.rs).
        self.metrics_with_cost(filter, now, &Default::default())
    }

    /// Every action item of every incident.
    pub fn all_action_items(&mut self) -> Result<Vec<ActionItem>> {
        self.read(|tx| actions_in(tx, None))
    }

    /// The incident entry `entry_id` belongs to, if it exists.
    pub fn incident_of_entry(&mut self, entry_id: i64) -> Result<Option<i64>> {
        self.read(|tx| {
            tx.query_opt("SELECT incident_id FROM events WHERE id = ?1", params![entry_id])?
                .map(|r| r.get(0))
                .transpose()
        })
    }

    /// The timeline entry a write recorded under `uuid`, if any.
    pub fn entry_by_uuid(&mut self, uuid: &str) -> Result<Option<TimelineEntry>> {
        self.read(|tx| entry_in(tx, uuid))
    }

    /// The most recently declared open incident, else the most recent of all
    /// (so `export` and `postmortem` find an incident just resolved).
    pub fn latest_incident(&mut self) -> Result<Option<i64>> {
        if let Some(open) = self.latest_open_incident()? {
            return Ok(Some(open));
        }
        self.read(|tx| {
            tx.query_opt(
                "SELECT id FROM incidents ORDER BY declared_at DESC, id DESC LIMIT 1",
                params![],
            )?
            .map(|r| r.get(0))
            .transpose()
        })
    }
}

/// The incident with `timeline` (all of it, or a window) and the rest of
/// its state, inside a transaction.
pub(super) fn record_in(tx: &Tx<'_>, incident_id: i64, timeline: TimelineWindow) -> Result<IncidentRecord> {
    let incident = incident_in(tx, incident_id)?;
    let runbook_text = tx
        .query_one(
            "SELECT runbook_text FROM incidents WHERE id = ?1",
            params![incident_id],
        )?
        .get(0)?;
    Ok(IncidentRecord {
        incident,
        checklist: checklist_in(tx, incident_id)?,
        timeline: timeline.entries,
        has_older: timeline.has_older,
        has_newer: timeline.has_newer,
        facts: facts_in(tx, incident_id)?,
        timers: timers_in(tx, incident_id)?,
        roles: roles_in(tx, incident_id)?,
        actions: actions_in(tx, Some(incident_id))?,
        runbook_text,
    })
}

/// Every timer of the incident: running ones first, each group soonest
/// deadline first (a replay needs the closed ones too).
pub(super) fn timers_in(tx: &Tx<'_>, incident_id: i64) -> Result<Vec<Timer>> {
    tx.query_map(
        "SELECT id, label, deadline, started_by, started_at, state FROM timers
         WHERE incident_id = ?1 ORDER BY state != 'running', deadline, id",
        params![incident_id],
        |r| {
            Ok(Timer {
                id: r.get(0)?,
                label: r.get(1)?,
                deadline: from_millis(r.get(2)?),
                started_by: r.get(3)?,
                started_at: from_millis(r.get(4)?),
                state: r.get::<String>(5)?.parse().unwrap_or(TimerState::Cancelled),
            })
        },
    )
}

/// Action items of one incident, or of all (for metrics and lists).
pub(super) fn actions_in(tx: &Tx<'_>, incident_id: Option<i64>) -> Result<Vec<ActionItem>> {
    tx.query_map(
        "SELECT id, incident_id, text, owner, due_at, created_by, created_at, done_by, done_at
           FROM action_items WHERE CAST(?1 AS BIGINT) IS NULL OR incident_id = ?1 ORDER BY id",
        params![incident_id],
        |r| {
            Ok(ActionItem {
                id: r.get(0)?,
                incident_id: r.get(1)?,
                text: r.get(2)?,
                owner: r.get(3)?,
                due_at: r.get::<Option<i64>>(4)?.map(from_millis),
                created_by: r.get(5)?,
                created_at: from_millis(r.get(6)?),
                done_by: r.get(7)?,
                done_at: r.get::<Option<i64>>(8)?.map(from_millis),
            })
        },
    )
}

pub(super) fn roles_in(tx: &Tx<'_>, incident_id: i64) -> Result<Vec<RoleHolder>> {
    tx.query_map(
        "SELECT role, name, account, since FROM roles WHERE incident_id = ?1 ORDER BY since, role",
        params![incident_id],
        |r| {
            Ok(RoleHolder {
                role: r.get(0)?,
                name: r.get(1)?,
                account: r.get(2)?,
                since: from_millis(r.get(3)?),
            })
        },
    )
}

pub(super) fn checklist_in(tx: &Tx<'_>, incident_id: i64) -> Result<Vec<ChecklistItem>> {
    tx.query_map(
        &format!("{SELECT_ITEM} WHERE incident_id = ?1 ORDER BY position"),
        params![incident_id],
        item_from_row,
    )
}

/// The entry logged under `uuid`, inside a transaction.
pub(super) fn entry_in(tx: &Tx<'_>, uuid: &str) -> Result<Option<TimelineEntry>> {
    tx.query_opt(&format!("{SELECT_EVENT} WHERE uuid = ?1"), params![uuid])?
        .as_ref()
        .map(event_from_row)
        .transpose()
}

/// One incident, inside a transaction.
pub(super) fn incident_in(tx: &Tx<'_>, incident_id: i64) -> Result<Incident> {
    tx.query_opt(&format!("{SELECT_INCIDENT} WHERE id = ?1"), params![incident_id])?
        .as_ref()
        .map(incident_from_row)
        .transpose()?
        .ok_or_else(|| StoreError::NotFound(format!("there is no incident {incident_id}")))
}

fn incident_from_row(row: &Row) -> Result<Incident> {
    let time = |i: usize| -> Result<_> { Ok(row.get::<Option<i64>>(i)?.map(from_millis)) };
    Ok(Incident {
        id: row.get(0)?,
        uuid: row.get(1)?,
        title: row.get(2)?,
        // The CHECK constraint keeps severities valid; a hand-edited file
        // bypassing it reads as the loudest severity rather than failing.
        severity: row.get::<String>(3)?.parse().unwrap_or(Severity::P0),
        milestones: Milestones {
            started_at: time(4)?,
            detected_at: time(5)?,
            declared_at: from_millis(row.get(6)?),
            acknowledged_at: time(7)?,
            mitigated_at: time(8)?,
            resolved_at: time(9)?,
            closed_at: time(10)?,
        },
        declared_by: row.get(11)?,
        runbook_name: row.get(12)?,
        version: row.get(13)?,
        phase: row.get::<i64>(14)?.max(0) as usize,
        severity_changed_at: time(15)?,
        update_snooze: match (time(16)?, time(17)?) {
            (Some(at), Some(until)) => Some(crate::domain::clock::Snooze { at, until }),
            _ => None,
        },
        postmortem_done_at: time(18)?,
        drill: row.get::<i64>(19)? != 0,
    })
}

pub(super) fn event_from_row(row: &Row) -> Result<TimelineEntry> {
    Ok(TimelineEntry {
        id: row.get(0)?,
        uuid: row.get(1)?,
        kind: row.get::<String>(2)?.parse().unwrap_or(EntryKind::System),
        occurred_at: from_millis(row.get(3)?),
        recorded_at: from_millis(row.get(4)?),
        author: row.get(5)?,
        text: row.get(6)?,
        pinned: row.get(7)?,
        // Not a shape warroom writes (hand-edited, or a value of another
        // type): the entry shows by its text alone.
        data: row
            .get_lenient::<String>(8)
            .and_then(|json| EventData::from_json(&json))
            .map(Box::new),
    })
}

pub(super) fn item_from_row(row: &Row) -> Result<ChecklistItem> {
    Ok(ChecklistItem {
        key: row.get(0)?,
        section: row.get(1)?,
        name: row.get(2)?,
        description: row.get(3)?,
        state: row
            .get::<String>(4)?
            .parse()
            .unwrap_or(crate::domain::ItemState::Open),
        changed_by: row.get(5)?,
        changed_at: row.get::<Option<i64>>(6)?.map(from_millis),
        version: row.get(7)?,
    })
}

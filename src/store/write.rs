//! Writes. Each is one IMMEDIATE transaction that appends to the event log and
//! updates the current-state tables together, keyed by a client-generated UUID
//! so that a retry after an uncertain failure is applied at most once.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::json;

use super::{Result, Store, StoreError, to_millis};
use crate::domain::chain::{self, EventContent};
use crate::domain::roles::COMMANDER;
use crate::domain::time::format_clock;
use crate::domain::{ChecklistItem, EntryKind, Incident, ItemState, Milestones, Severity, TimelineEntry};
use crate::runbook::Runbook;

/// Longest title accepted; it has to fit a header line.
pub const MAX_TITLE_CHARS: usize = 200;
/// Largest timeline entry accepted (a long pasted log excerpt fits).
pub const MAX_ENTRY_BYTES: usize = 256 * 1024;

/// Everything needed to declare an incident.
pub struct NewIncident<'a> {
    pub uuid: String,
    pub title: String,
    pub severity: Severity,
    pub milestones: Milestones,
    pub declared_by: String,
    pub runbook_name: String,
    pub runbook_text: String,
    pub runbook: &'a Runbook,
}

impl NewIncident<'static> {
    /// An incident declared with the built-in SOP.
    pub fn with_default_runbook(
        uuid: impl Into<String>,
        title: impl Into<String>,
        severity: Severity,
        milestones: Milestones,
        declared_by: impl Into<String>,
    ) -> Self {
        NewIncident {
            uuid: uuid.into(),
            title: title.into(),
            severity,
            milestones,
            declared_by: declared_by.into(),
            runbook_name: crate::runbook::DEFAULT_RUNBOOK_NAME.into(),
            runbook_text: crate::runbook::DEFAULT_RUNBOOK.into(),
            runbook: crate::runbook::default_runbook(),
        }
    }
}

/// A timeline entry written by a person (note, status update, decision).
pub struct NewEntry {
    pub uuid: String,
    pub kind: EntryKind,
    pub occurred_at: DateTime<Utc>,
    pub author: String,
    pub text: String,
    pub pinned: bool,
}

/// A change to a checklist item: the state the responder wants it in.
pub struct ItemChange<'a> {
    pub uuid: &'a str,
    pub incident_id: i64,
    pub key: &'a str,
    pub state: ItemState,
    pub author: &'a str,
    pub at: DateTime<Utc>,
    /// The item's version as the responder last saw it; a different version
    /// now means someone else changed it in between. None: apply regardless
    /// (the command line states intent without having looked).
    pub expected_version: Option<i64>,
}

/// A change of severity, with the reason the commander gives.
pub struct SeverityChange<'a> {
    pub uuid: &'a str,
    pub incident_id: i64,
    pub severity: Severity,
    pub reason: &'a str,
    pub author: &'a str,
    pub at: DateTime<Utc>,
    /// As for [`ItemChange::expected_version`], on the incident.
    pub expected_version: Option<i64>,
}

impl NewEntry {
    fn row(&self, incident_id: i64, recorded_at: DateTime<Utc>) -> EventRow<'_> {
        EventRow {
            uuid: &self.uuid,
            incident_id,
            kind: self.kind,
            occurred_at: self.occurred_at,
            author: &self.author,
            text: &self.text,
            pinned: self.pinned,
            data: None,
            recorded_at,
        }
    }
}

/// What an intended change did. Every attempt is recorded on the timeline,
/// whichever way it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<T, S> {
    /// Applied: `current` is the new state, `from` the state it replaced.
    Changed { current: T, from: S },
    /// It already was so; `current` says who made it so and when.
    AlreadySo(T),
    /// Someone else changed it after the responder looked; not applied.
    Conflict(T),
}

pub type CheckOutcome = Outcome<ChecklistItem, ItemState>;
pub type SeverityOutcome = Outcome<Incident, Severity>;

impl<T, S> Outcome<T, S> {
    fn label(&self) -> &'static str {
        match self {
            Outcome::Changed { .. } => "applied",
            Outcome::AlreadySo(_) => "already",
            Outcome::Conflict(_) => "conflict",
        }
    }
}

/// Rebuilds the outcome of a change whose event was already written (a retry
/// after an uncertain failure): the recorded outcome, not a new decision.
fn recorded_outcome<T, S: std::str::FromStr>(
    data: Option<String>,
    section: &str,
    current: T,
    fallback: S,
) -> Outcome<T, S> {
    let data: serde_json::Value = data
        .and_then(|d| serde_json::from_str(&d).ok())
        .unwrap_or_default();
    let from = data[section]["from"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or(fallback);
    match data[section]["outcome"].as_str() {
        Some("already") => Outcome::AlreadySo(current),
        Some("conflict") => Outcome::Conflict(current),
        _ => Outcome::Changed { current, from },
    }
}

impl Store {
    /// Declares an incident, snapshots its runbook as checklist items, and
    /// records the declaration on the timeline. Returns the incident id.
    pub fn declare(&mut self, new: &NewIncident<'_>) -> Result<i64> {
        let title = validate_title(&new.title)?;
        new.milestones.validate().map_err(StoreError::Invalid)?;
        let m = &new.milestones;
        let opt = |t: Option<DateTime<Utc>>| t.map(to_millis);
        let recorded_at = self.now();
        self.write(|tx| {
            if let Some(id) = tx
                .query_row("SELECT id FROM incidents WHERE uuid = ?1", [&new.uuid], |r| {
                    r.get(0)
                })
                .optional()?
            {
                return Ok(id);
            }
            tx.execute(
                "INSERT INTO incidents (uuid, title, severity, started_at, detected_at, declared_at,
                    acknowledged_at, mitigated_at, resolved_at, closed_at, declared_by,
                    runbook_name, runbook_text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    new.uuid,
                    title,
                    new.severity.as_str(),
                    opt(m.started_at),
                    opt(m.detected_at),
                    to_millis(m.declared_at),
                    opt(m.acknowledged_at),
                    opt(m.mitigated_at),
                    opt(m.resolved_at),
                    opt(m.closed_at),
                    new.declared_by,
                    new.runbook_name,
                    new.runbook_text,
                ],
            )?;
            let id = tx.last_insert_rowid();
            // Whoever declares is the incident commander until a handoff.
            tx.execute(
                "INSERT INTO roles (incident_id, role, name, account, since) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    id,
                    COMMANDER,
                    "Incident Commander",
                    new.declared_by,
                    to_millis(m.declared_at)
                ],
            )?;
            let mut insert_item = tx.prepare(
                "INSERT INTO checklist_items (incident_id, key, position, section, name, description)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (position, (section, item)) in new.runbook.all_items().enumerate() {
                insert_item.execute(params![
                    id,
                    item.key,
                    position as i64,
                    section,
                    item.name,
                    item.description
                ])?;
            }
            append_event(
                tx,
                &EventRow {
                    uuid: &format!("{}:declared", new.uuid),
                    incident_id: id,
                    kind: EntryKind::System,
                    occurred_at: m.declared_at,
                    author: &new.declared_by,
                    text: &format!("Declared {} {}: {title}", new.severity, new.severity.label()),
                    pinned: false,
                    data: Some(
                        json!({ "declared": { "severity": new.severity, "runbook": new.runbook_name } }),
                    ),
                    recorded_at,
                },
            )?;
            Ok(id)
        })
    }

    /// Adds a note, status update or decision to an incident's timeline.
    /// Returns the entry as stored (the existing one if this UUID was written
    /// before).
    pub fn add_entry(&mut self, incident_id: i64, entry: &NewEntry) -> Result<TimelineEntry> {
        if entry.text.trim().is_empty() {
            return Err(StoreError::Invalid(
                "the entry is empty: nothing to record".into(),
            ));
        }
        if entry.text.len() > MAX_ENTRY_BYTES {
            return Err(StoreError::Invalid(format!(
                "the entry is {} KiB; the limit is {} KiB (attach long logs as a file and note its path)",
                entry.text.len() / 1024,
                MAX_ENTRY_BYTES / 1024
            )));
        }
        let recorded_at = self.now();
        self.write(|tx| {
            require_incident(tx, incident_id)?;
            append_event(tx, &entry.row(incident_id, recorded_at))?;
            event_by_uuid(tx, &entry.uuid)
        })
    }

    /// Adds many entries in one transaction: all of them or, on any error,
    /// none (an import is never half done). Returns how many were new.
    pub fn add_entries(&mut self, incident_id: i64, entries: &[NewEntry]) -> Result<usize> {
        if let Some(bad) = entries
            .iter()
            .find(|e| e.text.trim().is_empty() || e.text.len() > MAX_ENTRY_BYTES)
        {
            return Err(StoreError::Invalid(format!(
                "an entry is empty or too long: {:?}",
                bad.text
            )));
        }
        let recorded_at = self.now();
        self.write(|tx| {
            require_incident(tx, incident_id)?;
            let mut added = 0;
            for entry in entries {
                // Not new when this entry was imported before (same UUID).
                added += usize::from(append_event_if_new(tx, &entry.row(incident_id, recorded_at))?);
            }
            Ok(added)
        })
    }

    /// Sets a checklist item to the wanted state (an intent, not a toggle),
    /// with compare-and-set against the version the responder saw.
    pub fn set_item_state(&mut self, change: &ItemChange<'_>) -> Result<CheckOutcome> {
        let c = change;
        let recorded_at = self.now();
        self.write(|tx| {
            require_incident(tx, c.incident_id)?;
            let item = checklist_item(tx, c.incident_id, c.key)?;
            if let Some(data) = event_data(tx, c.uuid)? {
                return Ok(recorded_outcome(data, "checklist", item, ItemState::Open));
            }
            let outcome = if c.expected_version.is_some_and(|v| v != item.version) {
                Outcome::Conflict(item.clone())
            } else if item.state == c.state {
                Outcome::AlreadySo(item.clone())
            } else {
                tx.execute(
                    "UPDATE checklist_items
                        SET state = ?1, changed_by = ?2, changed_at = ?3, version = version + 1
                      WHERE incident_id = ?4 AND key = ?5",
                    params![
                        c.state.as_str(),
                        c.author,
                        to_millis(c.at),
                        c.incident_id,
                        item.key
                    ],
                )?;
                Outcome::Changed {
                    current: checklist_item(tx, c.incident_id, c.key)?,
                    from: item.state,
                }
            };
            let what = format!("{} {}", item.key, item.name);
            let text = match &outcome {
                Outcome::Changed { .. } => format!("{} {what}", c.state.verb()),
                Outcome::AlreadySo(now) => {
                    format!("{} {what} (already so{})", c.state.verb(), by_whom(now, c.at))
                }
                Outcome::Conflict(now) => format!(
                    "not {} {what}: {} changed it first (now {})",
                    c.state.verb(),
                    now.changed_by.as_deref().unwrap_or("someone"),
                    now.state
                ),
            };
            append_event(
                tx,
                &EventRow {
                    uuid: c.uuid,
                    incident_id: c.incident_id,
                    kind: EntryKind::ChecklistChange,
                    occurred_at: c.at,
                    author: c.author,
                    text: &text,
                    pinned: false,
                    data: Some(json!({ "checklist": {
                        "key": item.key, "from": item.state, "to": c.state, "outcome": outcome.label()
                    } })),
                    recorded_at,
                },
            )?;
            Ok(outcome)
        })
    }

    /// Changes the severity, with compare-and-set against the incident
    /// version the commander saw, and records who, when and why.
    pub fn set_severity(&mut self, change: &SeverityChange<'_>) -> Result<SeverityOutcome> {
        let c = change;
        let recorded_at = self.now();
        self.write(|tx| {
            let incident = super::read::incident_in(tx, c.incident_id)?;
            if let Some(data) = event_data(tx, c.uuid)? {
                return Ok(recorded_outcome(data, "severity", incident, Severity::P2));
            }
            let outcome = if c.expected_version.is_some_and(|v| v != incident.version) {
                Outcome::Conflict(incident.clone())
            } else if incident.severity == c.severity {
                Outcome::AlreadySo(incident.clone())
            } else {
                tx.execute(
                    "UPDATE incidents SET severity = ?1, severity_changed_at = ?2, version = version + 1
                      WHERE id = ?3",
                    params![c.severity.as_str(), to_millis(c.at), c.incident_id],
                )?;
                Outcome::Changed {
                    current: super::read::incident_in(tx, c.incident_id)?,
                    from: incident.severity,
                }
            };
            let reason = c.reason.trim();
            let because = if reason.is_empty() { String::new() } else { format!(": {reason}") };
            let text = match &outcome {
                Outcome::Changed { from, .. } => format!("Severity {from} → {}{because}", c.severity),
                Outcome::AlreadySo(_) => format!("Severity kept at {} (already so){because}", c.severity),
                Outcome::Conflict(now) => format!(
                    "Severity not changed to {}: it was changed to {} by someone else first{because}",
                    c.severity, now.severity
                ),
            };
            append_event(
                tx,
                &EventRow {
                    uuid: c.uuid,
                    incident_id: c.incident_id,
                    kind: EntryKind::SeverityChange,
                    occurred_at: c.at,
                    author: c.author,
                    text: &text,
                    pinned: false,
                    data: Some(json!({ "severity": {
                        "from": incident.severity, "to": c.severity, "reason": reason, "outcome": outcome.label()
                    } })),
                    recorded_at,
                },
            )?;
            Ok(outcome)
        })
    }
}

/// ` by bob at 14:05 UTC`: who set the item, and when (dated unless on the
/// day of `now`, the moment of writing).
fn by_whom(item: &ChecklistItem, now: DateTime<Utc>) -> String {
    match (&item.changed_by, item.changed_at) {
        (Some(who), Some(at)) => format!(" by {who} at {}", format_clock(at, now)),
        _ => String::new(),
    }
}

/// The `data` of an event already written with this UUID, if any.
pub(super) fn event_data(tx: &Transaction<'_>, uuid: &str) -> Result<Option<Option<String>>> {
    Ok(tx
        .query_row("SELECT data FROM events WHERE uuid = ?1", [uuid], |r| r.get(0))
        .optional()?)
}

fn validate_title(title: &str) -> Result<&str> {
    let title = title.trim();
    if title.is_empty() {
        return Err(StoreError::Invalid("the incident needs a title".into()));
    }
    if title.contains(['\n', '\r']) {
        return Err(StoreError::Invalid("the title must be one line".into()));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(StoreError::Invalid(format!(
            "the title is longer than {MAX_TITLE_CHARS} characters; put the detail in a note"
        )));
    }
    Ok(title)
}

pub(super) struct EventRow<'a> {
    pub(super) uuid: &'a str,
    pub(super) incident_id: i64,
    pub(super) kind: EntryKind,
    pub(super) occurred_at: DateTime<Utc>,
    pub(super) author: &'a str,
    pub(super) text: &'a str,
    pub(super) pinned: bool,
    pub(super) data: Option<serde_json::Value>,
    /// When it was written down (the store's clock).
    pub(super) recorded_at: DateTime<Utc>,
}

/// Appends to the event log, linked into the chain; a UUID already present
/// is left as it was.
pub(super) fn append_event(tx: &Transaction<'_>, row: &EventRow<'_>) -> Result<()> {
    append_event_if_new(tx, row).map(drop)
}

/// [`append_event`], saying whether the event is new.
fn append_event_if_new(tx: &Transaction<'_>, row: &EventRow<'_>) -> Result<bool> {
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM events WHERE uuid = ?1)",
        [row.uuid],
        |r| r.get(0),
    )?;
    if exists {
        return Ok(false);
    }
    // Inside the IMMEDIATE transaction no one else appends, so the id and
    // the link are this event's for sure.
    let (previous_id, previous) = super::chain::last_link(tx)?;
    let id = previous_id + 1;
    let data = row.data.as_ref().map(|d| d.to_string());
    let content = EventContent {
        id,
        uuid: row.uuid,
        incident_id: row.incident_id,
        kind: row.kind.as_str(),
        occurred_at_ms: to_millis(row.occurred_at),
        recorded_at_ms: to_millis(row.recorded_at),
        author: row.author,
        text: row.text,
        pinned: row.pinned,
        data: data.as_deref(),
    };
    let value = chain::link(&previous, &content);
    tx.execute(
        "INSERT INTO events (id, uuid, incident_id, kind, occurred_at, recorded_at, author, text,
            pinned, data, chain)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
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
        ],
    )?;
    Ok(true)
}

pub(super) fn require_incident(tx: &Transaction<'_>, incident_id: i64) -> Result<()> {
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM incidents WHERE id = ?1)",
        [incident_id],
        |r| r.get(0),
    )?;
    if exists {
        Ok(())
    } else {
        Err(StoreError::NotFound(format!(
            "there is no incident {incident_id}"
        )))
    }
}

fn event_by_uuid(tx: &Transaction<'_>, uuid: &str) -> Result<TimelineEntry> {
    Ok(tx.query_row(
        &format!("{} WHERE uuid = ?1", super::read::SELECT_EVENT),
        [uuid],
        super::read::event_from_row,
    )?)
}

fn checklist_item(tx: &Transaction<'_>, incident_id: i64, key: &str) -> Result<ChecklistItem> {
    tx.query_row(
        &format!("{} WHERE incident_id = ?1 AND key = ?2", super::read::SELECT_ITEM),
        params![incident_id, key],
        super::read::item_from_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("incident {incident_id} has no checklist item {key}")))
}

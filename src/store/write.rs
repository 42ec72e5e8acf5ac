//! Writes. Each is one IMMEDIATE transaction that appends to the event log and
//! updates the current-state tables together, keyed by a client-generated UUID
//! so that a retry after an uncertain failure is applied at most once.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::json;

use super::{Result, Store, StoreError, to_millis};
use crate::domain::{ChecklistItem, EntryKind, ItemState, Milestones, Severity, TimelineEntry};
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

/// A timeline entry written by a person (note, status update, decision).
pub struct NewEntry {
    pub uuid: String,
    pub kind: EntryKind,
    pub occurred_at: DateTime<Utc>,
    pub author: String,
    pub text: String,
    pub pinned: bool,
}

/// What setting a checklist item's state did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckOutcome {
    /// The item moved from `from` to the state now in `item`.
    Changed { item: ChecklistItem, from: ItemState },
    /// The item already had the wanted state (`item` says who set it, when).
    AlreadySo { item: ChecklistItem },
}

impl Store {
    /// Declares an incident, snapshots its runbook as checklist items, and
    /// records the declaration on the timeline. Returns the incident id.
    pub fn declare(&mut self, new: &NewIncident<'_>) -> Result<i64> {
        let title = validate_title(&new.title)?;
        new.milestones.validate().map_err(StoreError::Invalid)?;
        let m = &new.milestones;
        let opt = |t: Option<DateTime<Utc>>| t.map(to_millis);
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
        self.write(|tx| {
            require_incident(tx, incident_id)?;
            append_event(
                tx,
                &EventRow {
                    uuid: &entry.uuid,
                    incident_id,
                    kind: entry.kind,
                    occurred_at: entry.occurred_at,
                    author: &entry.author,
                    text: &entry.text,
                    pinned: entry.pinned,
                    data: None,
                },
            )?;
            event_by_uuid(tx, &entry.uuid)
        })
    }

    /// Sets a checklist item to `state` (the intended state, not a toggle) and
    /// records the change on the timeline.
    pub fn set_item_state(
        &mut self,
        incident_id: i64,
        key: &str,
        state: ItemState,
        author: &str,
        at: DateTime<Utc>,
        uuid: &str,
    ) -> Result<CheckOutcome> {
        self.write(|tx| {
            require_incident(tx, incident_id)?;
            let item = checklist_item(tx, incident_id, key)?;
            if let Some(done) = tx
                .query_row("SELECT data FROM events WHERE uuid = ?1", [uuid], |r| {
                    r.get::<_, Option<String>>(0)
                })
                .optional()?
            {
                // A retry of a change that did commit: report it as it was.
                let from = done
                    .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
                    .and_then(|d| d["checklist"]["from"].as_str().and_then(|s| s.parse().ok()))
                    .unwrap_or(ItemState::Open);
                return Ok(CheckOutcome::Changed { item, from });
            }
            if item.state == state {
                return Ok(CheckOutcome::AlreadySo { item });
            }
            tx.execute(
                "UPDATE checklist_items
                    SET state = ?1, changed_by = ?2, changed_at = ?3, version = version + 1
                  WHERE incident_id = ?4 AND key = ?5",
                params![state.as_str(), author, to_millis(at), incident_id, item.key],
            )?;
            append_event(
                tx,
                &EventRow {
                    uuid,
                    incident_id,
                    kind: EntryKind::ChecklistChange,
                    occurred_at: at,
                    author,
                    text: &format!("{} {} {}", state.verb(), item.key, item.name),
                    pinned: false,
                    data: Some(json!({ "checklist": { "key": item.key, "from": item.state, "to": state } })),
                },
            )?;
            let from = item.state;
            let item = checklist_item(tx, incident_id, key)?;
            Ok(CheckOutcome::Changed { item, from })
        })
    }
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

struct EventRow<'a> {
    uuid: &'a str,
    incident_id: i64,
    kind: EntryKind,
    occurred_at: DateTime<Utc>,
    author: &'a str,
    text: &'a str,
    pinned: bool,
    data: Option<serde_json::Value>,
}

/// Appends to the event log; a UUID already present is left as it was.
fn append_event(tx: &Transaction<'_>, row: &EventRow<'_>) -> Result<()> {
    tx.execute(
        "INSERT INTO events (uuid, incident_id, kind, occurred_at, recorded_at, author, text, pinned, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (uuid) DO NOTHING",
        params![
            row.uuid,
            row.incident_id,
            row.kind.as_str(),
            to_millis(row.occurred_at),
            to_millis(Utc::now()),
            row.author,
            row.text,
            row.pinned,
            row.data.as_ref().map(|d| d.to_string()),
        ],
    )?;
    Ok(())
}

fn require_incident(tx: &Transaction<'_>, incident_id: i64) -> Result<()> {
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

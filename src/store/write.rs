//! Writes. Each is one IMMEDIATE transaction that appends to the event log and
//! updates the current-state tables together, keyed by a client-generated UUID
//! so that a retry after an uncertain failure is applied at most once.

use super::record::{Act, EventRow};
use super::sql::{Tx, params};
use super::{Result, Store, StoreError, to_millis};
use crate::domain::event::{ChangeOutcome, EventData};
use crate::domain::roles::COMMANDER;
use crate::domain::time::format_clock;
use crate::domain::{ChecklistItem, EntryKind, Incident, ItemState, Milestones, Severity, TimelineEntry};
use crate::runbook::Runbook;
use chrono::{DateTime, Utc};

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
    /// A drill: practice, kept out of the metrics.
    pub drill: bool,
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
            drill: false,
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
    fn act(&self, incident_id: i64) -> Act<'_> {
        Act::new(&self.uuid, incident_id, &self.author, self.occurred_at)
    }

    fn row(&self, incident_id: i64) -> EventRow<'_> {
        EventRow {
            incident_id,
            kind: self.kind,
            occurred_at: self.occurred_at,
            author: &self.author,
            text: self.text.as_str().into(),
            pinned: self.pinned,
            data: None,
        }
    }
}

impl<'a> ItemChange<'a> {
    fn act(&self) -> Act<'a> {
        Act::new(self.uuid, self.incident_id, self.author, self.at)
    }
}

impl<'a> SeverityChange<'a> {
    fn act(&self) -> Act<'a> {
        Act::new(self.uuid, self.incident_id, self.author, self.at)
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
    fn recorded(&self) -> ChangeOutcome {
        match self {
            Outcome::Changed { .. } => ChangeOutcome::Applied,
            Outcome::AlreadySo(_) => ChangeOutcome::Already,
            Outcome::Conflict(_) => ChangeOutcome::Conflict,
        }
    }

    /// The outcome of a change logged before (a retry after an uncertain
    /// failure gets the recorded answer, not a new decision), with `current`
    /// the state now. Without readable facts it counts as applied from
    /// `unknown_from`.
    fn replayed(recorded: Option<(S, ChangeOutcome)>, current: T, unknown_from: S) -> Outcome<T, S> {
        match recorded {
            Some((_, ChangeOutcome::Already)) => Outcome::AlreadySo(current),
            Some((_, ChangeOutcome::Conflict)) => Outcome::Conflict(current),
            Some((from, ChangeOutcome::Applied)) => Outcome::Changed { current, from },
            None => Outcome::Changed {
                current,
                from: unknown_from,
            },
        }
    }
}

/// Sets a thing whose `(version, state)` is `seen` now to `wanted`, unless
/// someone changed it since the responder saw `expected_version` (None: the
/// command line states intent without having looked) or it already is so.
/// `write` applies the change and reads the result back.
fn compare_and_set<T: Clone, S: Copy + PartialEq>(
    current: &T,
    (version, state): (i64, S),
    wanted: S,
    expected_version: Option<i64>,
    write: impl FnOnce() -> Result<T>,
) -> Result<Outcome<T, S>> {
    Ok(if expected_version.is_some_and(|v| v != version) {
        Outcome::Conflict(current.clone())
    } else if state == wanted {
        Outcome::AlreadySo(current.clone())
    } else {
        Outcome::Changed {
            current: write()?,
            from: state,
        }
    })
}

impl Store {
    /// Declares an incident, snapshots its runbook as checklist items, and
    /// records the declaration on the timeline. Returns the incident id.
    pub fn declare(&mut self, new: &NewIncident<'_>) -> Result<i64> {
        let title = validate_title(&new.title)?;
        new.milestones.validate().map_err(StoreError::Invalid)?;
        let m = &new.milestones;
        let opt = |t: Option<DateTime<Utc>>| t.map(to_millis);
        let declaration = format!("{}:declared", new.uuid);
        let declared = |tx: &Tx<'_>, _: TimelineEntry| {
            tx.query_one("SELECT id FROM incidents WHERE uuid = ?1", params![new.uuid])?
                .get(0)
        };
        self.log(|log| {
            log.once(&declaration, declared, |tx| {
                let id: i64 = tx
                    .query_one(
                        "INSERT INTO incidents (uuid, title, severity, started_at, detected_at, declared_at,
                        acknowledged_at, mitigated_at, resolved_at, closed_at, declared_by,
                        runbook_name, runbook_text, drill)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) RETURNING id",
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
                            i64::from(new.drill),
                        ],
                    )?
                    .get(0)?;
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
                for (position, (section, item)) in new.runbook.all_items().enumerate() {
                    tx.execute(
                        "INSERT INTO checklist_items (incident_id, key, position, section, name, description)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![
                            id,
                            item.key,
                            position as i64,
                            section,
                            item.name,
                            item.description
                        ],
                    )?;
                }
                let act = Act::new(&declaration, id, &new.declared_by, m.declared_at);
                let drill = if new.drill { " (DRILL)" } else { "" };
                let text = format!(
                    "Declared {} {}{drill}: {title}",
                    new.severity,
                    new.severity.label()
                );
                let data = EventData::Declared {
                    severity: new.severity,
                    runbook: new.runbook_name.clone(),
                    drill: new.drill,
                };
                Ok((act.event(EntryKind::System, text, data), id))
            })
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
        self.log(|log| {
            log.act(
                &entry.act(incident_id),
                |_, _| Ok(()),
                |_| Ok((entry.row(incident_id), ())),
            )?;
            log.entry(&entry.uuid)
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
        self.log(|log| {
            let mut added = 0;
            for entry in entries {
                // Not new when this entry was imported before (same UUID).
                let new = log.act(
                    &entry.act(incident_id),
                    |_, _| Ok(false),
                    |_| Ok((entry.row(incident_id), true)),
                )?;
                added += usize::from(new);
            }
            Ok(added)
        })
    }

    /// Sets a checklist item to the wanted state (an intent, not a toggle),
    /// with compare-and-set against the version the responder saw.
    pub fn set_item_state(&mut self, change: &ItemChange<'_>) -> Result<CheckOutcome> {
        let c = change;
        let replay = |tx: &Tx<'_>, earlier: TimelineEntry| {
            let recorded = match earlier.data.map(|data| *data) {
                Some(EventData::Checklist { from, outcome, .. }) => Some((from, outcome)),
                _ => None,
            };
            let item = checklist_item(tx, c.incident_id, c.key)?;
            Ok(Outcome::replayed(recorded, item, ItemState::Open))
        };
        self.record(&c.act(), replay, |tx| {
            let item = checklist_item(tx, c.incident_id, c.key)?;
            let seen = (item.version, item.state);
            let outcome = compare_and_set(&item, seen, c.state, c.expected_version, || {
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
                checklist_item(tx, c.incident_id, c.key)
            })?;
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
            let data = EventData::Checklist {
                key: item.key.clone(),
                from: item.state,
                to: c.state,
                outcome: outcome.recorded(),
            };
            Ok((c.act().event(EntryKind::ChecklistChange, text, data), outcome))
        })
    }

    /// Changes the severity, with compare-and-set against the incident
    /// version the commander saw, and records who, when and why.
    pub fn set_severity(&mut self, change: &SeverityChange<'_>) -> Result<SeverityOutcome> {
        let c = change;
        let replay = |tx: &Tx<'_>, earlier: TimelineEntry| {
            let recorded = match earlier.data.map(|data| *data) {
                Some(EventData::Severity { from, outcome, .. }) => Some((from, outcome)),
                _ => None,
            };
            let incident = super::read::incident_in(tx, c.incident_id)?;
            Ok(Outcome::replayed(recorded, incident, Severity::P2))
        };
        self.record(&c.act(), replay, |tx| {
            let incident = super::read::incident_in(tx, c.incident_id)?;
            let seen = (incident.version, incident.severity);
            let outcome = compare_and_set(&incident, seen, c.severity, c.expected_version, || {
                tx.execute(
                    "UPDATE incidents SET severity = ?1, severity_changed_at = ?2, version = version + 1
                      WHERE id = ?3",
                    params![c.severity.as_str(), to_millis(c.at), c.incident_id],
                )?;
                super::read::incident_in(tx, c.incident_id)
            })?;
            let reason = c.reason.trim();
            let because = if reason.is_empty() {
                String::new()
            } else {
                format!(": {reason}")
            };
            let text = match &outcome {
                Outcome::Changed { from, .. } => format!("Severity {from} → {}{because}", c.severity),
                Outcome::AlreadySo(_) => format!("Severity kept at {} (already so){because}", c.severity),
                Outcome::Conflict(now) => format!(
                    "Severity not changed to {}: it was changed to {} by someone else first{because}",
                    c.severity, now.severity
                ),
            };
            let data = EventData::Severity {
                from: incident.severity,
                to: c.severity,
                reason: reason.into(),
                outcome: outcome.recorded(),
            };
            Ok((c.act().event(EntryKind::SeverityChange, text, data), outcome))
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

fn checklist_item(tx: &Tx<'_>, incident_id: i64, key: &str) -> Result<ChecklistItem> {
    tx.query_opt(
        &format!("{} WHERE incident_id = ?1 AND key = ?2", super::read::SELECT_ITEM),
        params![incident_id, key],
    )?
    .as_ref()
    .map(super::read::item_from_row)
    .transpose()?
    .ok_or_else(|| StoreError::NotFound(format!("incident {incident_id} has no checklist item {key}")))
}

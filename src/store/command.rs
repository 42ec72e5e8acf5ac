//! Writes of incident command: snoozing the status-update countdown,
//! advancing the phase, shared timers, role handoffs. Each is one IMMEDIATE
//! transaction with its timeline entry, idempotent by UUID.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde_json::json;

use super::write::{EventRow, append_event, event_data, require_incident};
use super::{Result, Store, StoreError, to_millis};
use crate::domain::time::{format_clock, format_duration};
use crate::domain::timer::TimerState;
use crate::domain::{EntryKind, Milestone};

/// Who does it, when (the moment it is written down), under which UUID.
pub struct Act<'a> {
    pub uuid: &'a str,
    pub incident_id: i64,
    pub author: &'a str,
    pub at: DateTime<Utc>,
}

impl Act<'_> {
    fn event<'b>(&'b self, kind: EntryKind, text: &'b str, data: serde_json::Value) -> EventRow<'b> {
        EventRow {
            uuid: self.uuid,
            incident_id: self.incident_id,
            kind,
            occurred_at: self.at,
            author: self.author,
            text,
            pinned: false,
            data: Some(data),
            recorded_at: self.at,
        }
    }
}

impl Store {
    /// Pushes the status-update countdown out to `until`; the reason is required.
    pub fn snooze_status_update(&mut self, act: &Act<'_>, until: DateTime<Utc>, reason: &str) -> Result<()> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid(
                "a snooze needs a reason (it goes on the timeline)".into(),
            ));
        }
        self.write(|tx| {
            require_incident(tx, act.incident_id)?;
            if event_data(tx, act.uuid)?.is_some() {
                return Ok(());
            }
            tx.execute(
                "UPDATE incidents SET update_snoozed_at = ?1, update_snoozed_until = ?2, version = version + 1
                  WHERE id = ?3",
                params![to_millis(act.at), to_millis(until), act.incident_id],
            )?;
            let text = format!(
                "Status update snoozed {} (until {}): {reason}",
                format_duration(until - act.at),
                format_clock(until, act.at)
            );
            append_event(
                tx,
                &act.event(
                    EntryKind::System,
                    &text,
                    json!({ "snooze": { "until": until, "reason": reason } }),
                ),
            )
        })
    }

    /// Moves the incident to phase `index` (0-based) named `name`.
    pub fn set_phase(&mut self, act: &Act<'_>, index: usize, name: &str) -> Result<()> {
        self.write(|tx| {
            require_incident(tx, act.incident_id)?;
            if event_data(tx, act.uuid)?.is_some() {
                return Ok(());
            }
            tx.execute(
                "UPDATE incidents SET phase = ?1, version = version + 1 WHERE id = ?2",
                params![index as i64, act.incident_id],
            )?;
            let text = format!("Phase {}: {name}", index + 1);
            append_event(
                tx,
                &act.event(
                    EntryKind::System,
                    &text,
                    json!({ "phase": { "index": index, "name": name } }),
                ),
            )
        })
    }

    /// Starts a timer everyone sees; returns its number.
    pub fn start_timer(&mut self, act: &Act<'_>, deadline: DateTime<Utc>, label: &str) -> Result<i64> {
        let label = label.trim();
        if label.is_empty() {
            return Err(StoreError::Invalid(
                "a timer needs a label (what to do when it rings)".into(),
            ));
        }
        self.write(|tx| {
            require_incident(tx, act.incident_id)?;
            if let Some(id) = tx
                .query_row("SELECT id FROM timers WHERE uuid = ?1", [act.uuid], |r| r.get(0))
                .optional()?
            {
                return Ok(id);
            }
            tx.execute(
                "INSERT INTO timers (uuid, incident_id, label, deadline, started_by, started_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    act.uuid,
                    act.incident_id,
                    label,
                    to_millis(deadline),
                    act.author,
                    to_millis(act.at)
                ],
            )?;
            let id = tx.last_insert_rowid();
            let text = format!(
                "Timer {id} started: {label} (in {}, at {})",
                format_duration(deadline - act.at),
                format_clock(deadline, act.at)
            );
            append_event(
                tx,
                &act.event(
                    EntryKind::System,
                    &text,
                    json!({ "timer": { "id": id, "deadline": deadline, "state": "running" } }),
                ),
            )?;
            Ok(id)
        })
    }

    /// Marks a running timer done or cancelled.
    pub fn close_timer(&mut self, act: &Act<'_>, timer_id: i64, state: TimerState) -> Result<()> {
        self.write(|tx| {
            if event_data(tx, act.uuid)?.is_some() {
                return Ok(());
            }
            let found: Option<(String, String)> = tx
                .query_row(
                    "SELECT label, state FROM timers WHERE id = ?1 AND incident_id = ?2",
                    params![timer_id, act.incident_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((label, current)) = found else {
                return Err(StoreError::NotFound(format!(
                    "incident {} has no timer {timer_id}",
                    act.incident_id
                )));
            };
            if current != TimerState::Running.as_str() {
                return Err(StoreError::Invalid(format!(
                    "timer {timer_id} is already {current}"
                )));
            }
            tx.execute(
                "UPDATE timers SET state = ?1 WHERE id = ?2",
                params![state.as_str(), timer_id],
            )?;
            let text = format!("Timer {timer_id} {}: {label}", state.as_str());
            append_event(
                tx,
                &act.event(
                    EntryKind::System,
                    &text,
                    json!({ "timer": { "id": timer_id, "state": state.as_str() } }),
                ),
            )
        })
    }

    /// Hands a role to `account`; returns who held it before.
    pub fn assign_role(
        &mut self,
        act: &Act<'_>,
        role: &str,
        name: &str,
        account: &str,
    ) -> Result<Option<String>> {
        let account = account.trim();
        if account.is_empty() || account.contains(char::is_whitespace) {
            return Err(StoreError::Invalid(format!("{account:?} is not an account name")));
        }
        self.write(|tx| {
            require_incident(tx, act.incident_id)?;
            let previous: Option<String> = tx
                .query_row(
                    "SELECT account FROM roles WHERE incident_id = ?1 AND role = ?2",
                    params![act.incident_id, role],
                    |r| r.get(0),
                )
                .optional()?;
            if event_data(tx, act.uuid)?.is_some() {
                return Ok(previous);
            }
            tx.execute(
                "INSERT INTO roles (incident_id, role, name, account, since) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (incident_id, role) DO UPDATE SET name = ?3, account = ?4, since = ?5",
                params![act.incident_id, role, name, account, to_millis(act.at)],
            )?;
            let text = match &previous {
                Some(before) if before != account => format!("{name}: {before} → {account}"),
                Some(_) => format!("{name}: {account} (again)"),
                None => format!("{name}: {account}"),
            };
            append_event(
                tx,
                &act.event(
                    EntryKind::RoleChange,
                    &text,
                    json!({ "role": { "role": role, "from": previous, "to": account } }),
                ),
            )?;
            Ok(previous)
        })
    }
}

impl Store {
    /// Records a milestone (acknowledged, mitigated, resolved, closed…) at
    /// `at`, refusing an order that contradicts the others.
    pub fn set_milestone(&mut self, act: &Act<'_>, milestone: Milestone, at: DateTime<Utc>) -> Result<()> {
        let column = match milestone {
            Milestone::Started => "started_at",
            Milestone::Detected => "detected_at",
            Milestone::Acknowledged => "acknowledged_at",
            Milestone::Mitigated => "mitigated_at",
            Milestone::Resolved => "resolved_at",
            Milestone::Closed => "closed_at",
            Milestone::Declared => {
                return Err(StoreError::Invalid(
                    "the declaration time cannot be changed".into(),
                ));
            }
        };
        self.write(|tx| {
            let incident = super::read::incident_in(tx, act.incident_id)?;
            if event_data(tx, act.uuid)?.is_some() {
                return Ok(());
            }
            let mut milestones = incident.milestones.clone();
            milestones.set(milestone, Some(at));
            milestones.validate().map_err(StoreError::Invalid)?;
            tx.execute(
                &format!("UPDATE incidents SET {column} = ?1, version = version + 1 WHERE id = ?2"),
                params![to_millis(at), act.incident_id],
            )?;
            let was = incident
                .milestones
                .get(milestone)
                .map(|before| format!(" (was {})", format_clock(before, act.at)))
                .unwrap_or_default();
            let text = format!("{}{was}", milestone.title());
            let mut event = act.event(
                EntryKind::System,
                &text,
                json!({ "milestone": { milestone.as_str(): at } }),
            );
            event.occurred_at = at;
            append_event(tx, &event)
        })
    }

    /// Marks the post-mortem done (now); the incident must be resolved.
    pub fn postmortem_done(&mut self, act: &Act<'_>) -> Result<()> {
        self.write(|tx| {
            let incident = super::read::incident_in(tx, act.incident_id)?;
            if event_data(tx, act.uuid)?.is_some() {
                return Ok(());
            }
            let Some(due) = incident.postmortem_due() else {
                return Err(StoreError::Invalid(format!(
                    "incident {} is not resolved yet; resolve it first (warroom resolve)",
                    incident.id
                )));
            };
            if let Some(done) = incident.postmortem_done_at {
                return Err(StoreError::Invalid(format!(
                    "the post-mortem of incident {} was already marked done at {}",
                    incident.id,
                    format_clock(done, act.at)
                )));
            }
            tx.execute(
                "UPDATE incidents SET postmortem_done_at = ?1, version = version + 1 WHERE id = ?2",
                params![to_millis(act.at), act.incident_id],
            )?;
            let timing = if act.at <= due {
                "within 48 h"
            } else {
                "after the 48 h"
            };
            let text = format!("Post-mortem done ({timing})");
            append_event(
                tx,
                &act.event(
                    EntryKind::System,
                    &text,
                    json!({ "postmortem": { "done_at": act.at } }),
                ),
            )
        })
    }

    /// Adds an action item; returns its number.
    pub fn add_action(
        &mut self,
        act: &Act<'_>,
        text: &str,
        owner: Option<&str>,
        due_at: Option<DateTime<Utc>>,
    ) -> Result<i64> {
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::Invalid("the action item needs a text".into()));
        }
        self.write(|tx| {
            require_incident(tx, act.incident_id)?;
            if let Some(id) = tx
                .query_row("SELECT id FROM action_items WHERE uuid = ?1", [act.uuid], |r| {
                    r.get(0)
                })
                .optional()?
            {
                return Ok(id);
            }
            tx.execute(
                "INSERT INTO action_items (uuid, incident_id, text, owner, due_at, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    act.uuid,
                    act.incident_id,
                    text,
                    owner,
                    due_at.map(to_millis),
                    act.author,
                    to_millis(act.at)
                ],
            )?;
            let id = tx.last_insert_rowid();
            let owner_text = owner.map(|o| format!(", owner {o}")).unwrap_or_default();
            let due_text = due_at
                .map(|d| format!(", due {}", format_clock(d, act.at)))
                .unwrap_or_default();
            let entry = format!("Action item {id}: {text}{owner_text}{due_text}");
            append_event(
                tx,
                &act.event(
                    EntryKind::System,
                    &entry,
                    json!({ "action": { "id": id, "added": true } }),
                ),
            )?;
            Ok(id)
        })
    }

    /// Marks an action item done.
    pub fn action_done(&mut self, act: &Act<'_>, action_id: i64) -> Result<()> {
        self.write(|tx| {
            if event_data(tx, act.uuid)?.is_some() {
                return Ok(());
            }
            let found: Option<(i64, String, Option<i64>)> = tx
                .query_row(
                    "SELECT incident_id, text, done_at FROM action_items WHERE id = ?1",
                    [action_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((incident_id, text, done)) = found else {
                return Err(StoreError::NotFound(format!(
                    "there is no action item {action_id}"
                )));
            };
            if done.is_some() {
                return Err(StoreError::Invalid(format!(
                    "action item {action_id} is already done"
                )));
            }
            tx.execute(
                "UPDATE action_items SET done_by = ?1, done_at = ?2 WHERE id = ?3",
                params![act.author, to_millis(act.at), action_id],
            )?;
            let entry = format!("Action item {action_id} done: {text}");
            let mut event = act.event(
                EntryKind::System,
                &entry,
                json!({ "action": { "id": action_id, "done": true } }),
            );
            // Action items outlive their incident: the entry goes to the item's own incident.
            event.incident_id = incident_id;
            append_event(tx, &event)
        })
    }
}

//! Writes of incident command: snoozing the status-update countdown,
//! advancing the phase, shared timers, role handoffs. Each is one IMMEDIATE
//! transaction with its timeline entry, idempotent by UUID.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde_json::json;

use super::write::{EventRow, append_event, event_data, require_incident};
use super::{Result, Store, StoreError, to_millis};
use crate::domain::EntryKind;
use crate::domain::time::format_duration;
use crate::domain::timer::TimerState;

/// Who does it, when, under which UUID.
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
        }
    }
}

fn hhmm(at: DateTime<Utc>) -> String {
    at.format("%H:%M UTC").to_string()
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
                hhmm(until)
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
                hhmm(deadline)
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

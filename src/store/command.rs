//! Writes of incident command: snoozing the status-update countdown,
//! advancing the phase, shared timers, role handoffs, milestones, the
//! post-mortem and action items. Each is one act through [`Store::record`].

use super::record::{Act, nothing_to_give_back};
use super::sql::{Tx, params};
use super::{Result, Store, StoreError, to_millis};
use crate::domain::event::{ActionEvent, EventData, MilestoneSet, TimerEvent};
use crate::domain::time::{format_clock, format_duration};
use crate::domain::timer::TimerState;
use crate::domain::{EntryKind, Milestone, TimelineEntry};
use chrono::{DateTime, Utc};

impl Store {
    /// Pushes the status-update countdown out to `until`; the reason is required.
    pub fn snooze_status_update(&mut self, act: &Act<'_>, until: DateTime<Utc>, reason: &str) -> Result<()> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid(
                "a snooze needs a reason (it goes on the timeline)".into(),
            ));
        }
        self.record(act, nothing_to_give_back, |tx| {
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
            let data = EventData::Snooze {
                until,
                reason: reason.into(),
            };
            Ok((act.event(EntryKind::System, text, data), ()))
        })
    }

    /// Moves the incident to phase `index` (0-based) named `name`.
    pub fn set_phase(&mut self, act: &Act<'_>, index: usize, name: &str) -> Result<()> {
        self.record(act, nothing_to_give_back, |tx| {
            tx.execute(
                "UPDATE incidents SET phase = ?1, version = version + 1 WHERE id = ?2",
                params![index as i64, act.incident_id],
            )?;
            let text = format!("Phase {}: {name}", index + 1);
            let data = EventData::Phase {
                index,
                name: name.into(),
            };
            Ok((act.event(EntryKind::System, text, data), ()))
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
        let started_before = |tx: &Tx<'_>, _: TimelineEntry| id_by_uuid(tx, "timers", act.uuid);
        self.record(act, started_before, |tx| {
            let id: i64 = tx
                .query_one(
                    "INSERT INTO timers (uuid, incident_id, label, deadline, started_by, started_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                    params![
                        act.uuid,
                        act.incident_id,
                        label,
                        to_millis(deadline),
                        act.author,
                        to_millis(act.at)
                    ],
                )?
                .get(0)?;
            let text = format!(
                "Timer {id} started: {label} (in {}, at {})",
                format_duration(deadline - act.at),
                format_clock(deadline, act.at)
            );
            let data = EventData::Timer(TimerEvent::Started { id, deadline });
            Ok((act.event(EntryKind::System, text, data), id))
        })
    }

    /// Marks a running timer done or cancelled.
    pub fn close_timer(&mut self, act: &Act<'_>, timer_id: i64, state: TimerState) -> Result<()> {
        self.record(act, nothing_to_give_back, |tx| {
            let found: Option<(String, String)> = tx
                .query_opt(
                    "SELECT label, state FROM timers WHERE id = ?1 AND incident_id = ?2",
                    params![timer_id, act.incident_id],
                )?
                .map(|r| Ok::<_, StoreError>((r.get(0)?, r.get(1)?)))
                .transpose()?;
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
            let data = EventData::Timer(TimerEvent::Closed { id: timer_id, state });
            Ok((act.event(EntryKind::System, text, data), ()))
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
        // A retry answers who held the role before the handoff, as recorded.
        let held_before = |_: &Tx<'_>, earlier: TimelineEntry| match earlier.data.map(|data| *data) {
            Some(EventData::Role { from, .. }) => Ok(from),
            _ => Ok(None),
        };
        self.record(act, held_before, |tx| {
            let previous: Option<String> = tx
                .query_opt(
                    "SELECT account FROM roles WHERE incident_id = ?1 AND role = ?2",
                    params![act.incident_id, role],
                )?
                .map(|r| r.get(0))
                .transpose()?;
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
            let data = EventData::Role {
                role: role.into(),
                from: previous.clone(),
                to: account.into(),
            };
            Ok((act.event(EntryKind::RoleChange, text, data), previous))
        })
    }

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
        self.record(act, nothing_to_give_back, |tx| {
            let incident = super::read::incident_in(tx, act.incident_id)?;
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
            let data = EventData::Milestone(MilestoneSet { which: milestone, at });
            let mut event = act.event(EntryKind::System, text, data);
            event.occurred_at = at;
            Ok((event, ()))
        })
    }

    /// Marks the post-mortem done (now); the incident must be resolved.
    pub fn postmortem_done(&mut self, act: &Act<'_>) -> Result<()> {
        self.record(act, nothing_to_give_back, |tx| {
            let incident = super::read::incident_in(tx, act.incident_id)?;
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
            let data = EventData::Postmortem { done_at: act.at };
            Ok((act.event(EntryKind::System, text, data), ()))
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
        let added_before = |tx: &Tx<'_>, _: TimelineEntry| id_by_uuid(tx, "action_items", act.uuid);
        self.record(act, added_before, |tx| {
            let id: i64 = tx
                .query_one(
                "INSERT INTO action_items (uuid, incident_id, text, owner, due_at, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                params![
                    act.uuid,
                    act.incident_id,
                    text,
                    owner,
                    due_at.map(to_millis),
                    act.author,
                    to_millis(act.at)
                ],
            )?
                .get(0)?;
            let owner_text = owner.map(|o| format!(", owner {o}")).unwrap_or_default();
            let due_text = due_at
                .map(|d| format!(", due {}", format_clock(d, act.at)))
                .unwrap_or_default();
            let entry = format!("Action item {id}: {text}{owner_text}{due_text}");
            let data = EventData::Action(ActionEvent::Added { id });
            Ok((act.event(EntryKind::System, entry, data), id))
        })
    }

    /// Marks an action item done. Action items outlive their incident: the
    /// act's incident is ignored, the entry goes to the item's own.
    pub fn action_done(&mut self, act: &Act<'_>, action_id: i64) -> Result<()> {
        self.log(|log| {
            let found: Option<(i64, String, Option<i64>)> = log
                .tx
                .query_opt(
                    "SELECT incident_id, text, done_at FROM action_items WHERE id = ?1",
                    params![action_id],
                )?
                .map(|r| Ok::<_, StoreError>((r.get(0)?, r.get(1)?, r.get(2)?)))
                .transpose()?;
            let Some((incident_id, text, done)) = found else {
                return Err(StoreError::NotFound(format!(
                    "there is no action item {action_id}"
                )));
            };
            let on_item = Act { incident_id, ..*act };
            log.act(&on_item, nothing_to_give_back, |tx| {
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
                let data = EventData::Action(ActionEvent::Done { id: action_id });
                Ok((on_item.event(EntryKind::System, entry, data), ()))
            })
        })
    }
}

/// The id of the row a write made under `uuid` in `table` (timers, action
/// items), which a retry gives back.
fn id_by_uuid(tx: &Tx<'_>, table: &str, uuid: &str) -> Result<i64> {
    tx.query_one(&format!("SELECT id FROM {table} WHERE uuid = ?1"), params![uuid])?
        .get(0)
}

/// How much of a pinned entry its pin event quotes.
const PIN_EXCERPT_CHARS: usize = 60;

impl Store {
    /// Pins or unpins entry `entry_id` of the act's incident. The entry's
    /// own event is never changed (the chain covers it): the pin is an event
    /// of its own, and `pins` keeps the latest, which is how the entry reads.
    /// Pinning what is pinned (or unpinning what is not) is refused.
    pub fn set_pin(&mut self, act: &Act<'_>, entry_id: i64, pinned: bool) -> Result<()> {
        self.record(act, nothing_to_give_back, |tx| {
            let entry = tx
                .query_opt(
                    &format!("{} WHERE incident_id = ?1 AND id = ?2", super::read::SELECT_EVENT),
                    params![act.incident_id, entry_id],
                )?
                .as_ref()
                .map(super::read::event_from_row)
                .transpose()?
                .ok_or_else(|| {
                    StoreError::NotFound(format!(
                        "incident {} has no entry #{entry_id} (`warroom show --json` gives each entry's id)",
                        act.incident_id
                    ))
                })?;
            if entry.pinned == pinned {
                return Err(StoreError::Invalid(format!(
                    "entry #{entry_id} is already {}",
                    if pinned { "pinned" } else { "not pinned" }
                )));
            }
            tx.execute(
                "INSERT INTO pins (incident_id, event_id, pinned, changed_by, changed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (incident_id, event_id)
                 DO UPDATE SET pinned = ?3, changed_by = ?4, changed_at = ?5",
                params![act.incident_id, entry_id, pinned, act.author, to_millis(act.at)],
            )?;
            let text = format!(
                "{} #{entry_id} ({}): {}",
                if pinned { "Pinned" } else { "Unpinned" },
                entry.author,
                excerpt(&entry.text)
            );
            let data = EventData::Pin {
                entry: entry_id,
                pinned,
            };
            Ok((act.event(EntryKind::System, text, data), ()))
        })
    }
}

/// The first line of `text`, cut to [`PIN_EXCERPT_CHARS`] with `…`.
fn excerpt(text: &str) -> String {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    if first.chars().count() > PIN_EXCERPT_CHARS || text.trim().lines().nth(1).is_some() {
        let cut: String = first.chars().take(PIN_EXCERPT_CHARS).collect();
        format!("{}…", cut.trim_end())
    } else {
        first.to_string()
    }
}

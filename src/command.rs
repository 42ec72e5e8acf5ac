//! The incident-command core: every write a responder asks for, from the
//! command line or the console, is one typed [`Command`], checked once
//! against the incident as it is and the clock into a [`Write`], and applied
//! once by [`apply`]. Both surfaces give the same answer: the timeline text
//! the write recorded.
//!
//! ```text
//! clap arguments ─┐
//! `:` line ───────┼─► Command ──check(record, now)──► Write ──apply(store)──► Answer
//! keys ───────────┘
//! ```

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use crate::domain::evidence::Evidence;
use crate::domain::time::{parse_due, parse_duration, parse_time};
use crate::domain::timer::TimerState;
use crate::domain::{
    ChecklistItem, EntryKind, ItemState, Milestone, Milestones, Severity, find_item, sanitize_line,
};
use crate::runbook::{self, Runbook};
use crate::store::{
    Act, IncidentRecord, ItemChange, NewEntry, NewIncident, Outcome, SeverityChange, Store, StoreError,
};
use crate::view::IncidentView;

/// What a responder asks for, as typed: times and lengths are still text,
/// items and roles still names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A note, status update or decision; `at` backdates it (`T` forms).
    Entry {
        kind: EntryKind,
        text: String,
        at: Option<String>,
        pinned: bool,
    },
    /// A checklist item (key or part of its name) set to a state.
    SetItem {
        item: String,
        state: ItemState,
        at: Option<String>,
    },
    Severity {
        severity: Severity,
        reason: String,
    },
    Snooze {
        length: String,
        reason: String,
    },
    /// `next` or a 1-based phase number.
    Phase(String),
    StartTimer {
        length: String,
        label: String,
    },
    CloseTimer {
        id: i64,
        state: TimerState,
    },
    Role {
        role: String,
        account: String,
    },
    Milestone {
        milestone: Milestone,
        at: Option<String>,
    },
    PostmortemDone,
    AddAction {
        text: String,
        owner: Option<String>,
        due: Option<String>,
    },
    ActionDone(i64),
    /// Pin (or unpin) a timeline entry, by its id in the log.
    Pin {
        entry: i64,
        pinned: bool,
    },
    /// A command's output or a file's text, captured (`warroom run`,
    /// `note --file`): the facts and the bytes kept.
    Evidence(Box<EvidenceWrite>),
}

/// Evidence as captured, ready to record: it happened at `started_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceWrite {
    pub evidence: Evidence,
    pub output: Vec<u8>,
    pub pinned: bool,
}

/// A command checked against the incident and the clock: absolute times,
/// resolved keys, ready for the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    Entry {
        kind: EntryKind,
        text: String,
        occurred_at: DateTime<Utc>,
        pinned: bool,
    },
    Item {
        key: String,
        state: ItemState,
        at: DateTime<Utc>,
    },
    Severity {
        severity: Severity,
        reason: String,
    },
    /// Measured from the moment it is written down.
    Snooze {
        length: TimeDelta,
        reason: String,
    },
    Phase {
        index: usize,
        name: String,
    },
    /// Measured from the moment it is written down.
    StartTimer {
        length: TimeDelta,
        label: String,
    },
    CloseTimer {
        id: i64,
        state: TimerState,
    },
    Role {
        key: String,
        name: String,
        account: String,
    },
    Milestone {
        milestone: Milestone,
        at: DateTime<Utc>,
    },
    PostmortemDone,
    AddAction {
        text: String,
        owner: Option<String>,
        due: Option<DateTime<Utc>>,
    },
    ActionDone(i64),
    Pin {
        entry: i64,
        pinned: bool,
    },
    Evidence(Box<EvidenceWrite>),
}

impl Command {
    /// Checks the command against `record` (its checklist, runbook phases
    /// and roles) and the clock; `now` is in the responder's time zone, for
    /// `HH:MM`. The refusal is said the same way from both surfaces.
    pub fn check<Tz: TimeZone>(self, record: &IncidentRecord, now: &DateTime<Tz>) -> Result<Write, Refusal> {
        let runbook = runbook::parse(&record.runbook_text).ok();
        let view = IncidentView::new(record, runbook.as_ref());
        let time = |at: Option<String>| match at {
            Some(text) => parse_time(&text, now).map_err(|message| Refusal::of("at", message)),
            None => Ok(now.with_timezone(&Utc)),
        };
        Ok(match self {
            Command::Entry {
                kind,
                text,
                at,
                pinned,
            } => {
                if text.trim().is_empty() {
                    return Err(format!("the {} is empty: nothing to record", noun(kind)).into());
                }
                Write::Entry {
                    kind,
                    text,
                    occurred_at: time(at)?,
                    pinned,
                }
            }
            Command::SetItem { item, state, at } => Write::Item {
                key: find_item(&record.checklist, &item)?.key.clone(),
                state,
                at: time(at)?,
            },
            Command::Severity { severity, reason } => {
                let reason = required(
                    reason,
                    "a severity change needs a reason (it goes on the timeline)",
                )?;
                Write::Severity { severity, reason }
            }
            Command::Snooze { length, reason } => {
                let length = parse_duration(&length)?;
                let reason = required(
                    reason,
                    "a snooze needs a reason (it goes on the timeline): snooze 10m waiting for the vendor",
                )?;
                Write::Snooze { length, reason }
            }
            Command::Phase(target) => {
                let phases = view.phase_windows();
                let index = match target.trim() {
                    "next" => record.incident.phase + 1,
                    number => number
                        .parse::<usize>()
                        .map_err(|_| format!("phase takes `next` or a phase number, not {number:?}"))?
                        .saturating_sub(1),
                };
                let phase = phases
                    .get(index)
                    .ok_or_else(|| format!("this incident's runbook has phases 1 to {}", phases.len()))?;
                Write::Phase {
                    index,
                    name: phase.name.clone(),
                }
            }
            Command::StartTimer { length, label } => {
                let length = parse_duration(&length)?;
                let label = required(label, "a timer needs a label: timer 10m check the rollback")?;
                Write::StartTimer { length, label }
            }
            Command::CloseTimer { id, state } => Write::CloseTimer { id, state },
            Command::Role { role, account } => {
                let roles = view.roles();
                let role = crate::domain::roles::find_role(&roles, &role)?;
                Write::Role {
                    key: role.key.clone(),
                    name: role.name.clone(),
                    account,
                }
            }
            Command::Milestone { milestone, at } => Write::Milestone {
                milestone,
                at: time(at)?,
            },
            Command::PostmortemDone => Write::PostmortemDone,
            Command::AddAction { text, owner, due } => {
                let text = required(text, "an action item needs a text")?;
                let due = due
                    .map(|due| parse_due(&due, now).map_err(|message| Refusal::of("due", message)))
                    .transpose()?;
                Write::AddAction { text, owner, due }
            }
            Command::ActionDone(id) => Write::ActionDone(id),
            Command::Pin { entry, pinned } => {
                // The record may hold a window of the timeline: an entry
                // outside it is checked by the store, which refuses the same
                // way (no such entry, or already so).
                let held = record
                    .timeline
                    .iter()
                    .chain(&record.facts.pinned)
                    .find(|e| e.id == entry);
                if held.is_some_and(|e| e.pinned == pinned) {
                    let state = if pinned { "pinned" } else { "not pinned" };
                    return Err(format!("entry #{entry} is already {state}").into());
                }
                Write::Pin { entry, pinned }
            }
            Command::Evidence(evidence) => Write::Evidence(evidence),
        })
    }
}

/// What an entry of `kind` is called in a message.
fn noun(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::StatusUpdate => "status update",
        EntryKind::Decision => "decision",
        _ => "note",
    }
}

/// `10m LABEL`, `done N` or `cancel N`: the timer grammar of both surfaces.
pub fn parse_timer(text: &str) -> Result<Command, String> {
    let text = text.trim();
    let (first, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let rest = rest.trim();
    let close = |state| {
        rest.trim_start_matches('#')
            .parse()
            .map(|id| Command::CloseTimer { id, state })
            .map_err(|_| format!("timer {first} takes a timer number, not {rest:?}"))
    };
    match first {
        "done" => close(TimerState::Done),
        "cancel" => close(TimerState::Cancelled),
        length if !rest.is_empty() => Ok(Command::StartTimer {
            length: length.to_string(),
            label: rest.to_string(),
        }),
        _ => Err("a timer needs a length and a label: timer 10m check the rollback".into()),
    }
}

/// Why a command was not applied, said the same way from both surfaces;
/// `field` names the argument at fault (the command line prefixes its
/// option: `--at: …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: Option<&'static str>,
    pub message: String,
}

impl Refusal {
    fn of(field: &'static str, message: String) -> Refusal {
        Refusal {
            field: Some(field),
            message,
        }
    }
}

impl From<String> for Refusal {
    fn from(message: String) -> Refusal {
        Refusal { field: None, message }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn required(text: String, refusal: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        Err(refusal.to_string())
    } else {
        Ok(text.to_string())
    }
}

/// A checked write on its way to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// Made by the surface, so a retry is the same write.
    pub uuid: String,
    pub incident_id: i64,
    pub write: Write,
    /// The version of the item or incident the responder saw, for a change
    /// that must not silently undo someone else's (None: apply regardless;
    /// the command line states intent without having looked).
    pub seen_version: Option<i64>,
}

impl Attempt {
    pub fn new(incident_id: i64, write: Write) -> Attempt {
        Attempt {
            uuid: uuid::Uuid::new_v4().to_string(),
            incident_id,
            write,
            seen_version: None,
        }
    }
}

/// How a write went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Done,
    /// It already was so; nothing changed.
    AlreadySo,
    /// Someone else changed it after the responder looked; not applied.
    Conflict,
}

/// What both surfaces say after a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The timeline text the write recorded (sanitized).
    pub text: String,
    pub verdict: Verdict,
    /// The number of a new timer or action item.
    pub new_id: Option<i64>,
    /// A checklist item as it is after the write (who set it, when).
    pub item: Option<ChecklistItem>,
    /// Said beside the answer: e.g. a role handed to no account of this host.
    pub warning: Option<String>,
}

/// Applies `attempt` as `author`, then reads back what it recorded.
pub fn apply(store: &mut Store, attempt: &Attempt, author: &str) -> Result<Answer, StoreError> {
    let act = Act {
        uuid: &attempt.uuid,
        incident_id: attempt.incident_id,
        author,
        // Written down now, by the store's clock.
        at: store.now(),
    };
    let mut verdict = Verdict::Done;
    let mut new_id = None;
    let mut warning = None;
    let mut item = None;
    match &attempt.write {
        Write::Entry {
            kind,
            text,
            occurred_at,
            pinned,
        } => {
            store.add_entry(
                attempt.incident_id,
                &NewEntry {
                    uuid: attempt.uuid.clone(),
                    kind: *kind,
                    occurred_at: *occurred_at,
                    author: author.to_string(),
                    text: text.clone(),
                    pinned: *pinned,
                },
            )?;
        }
        Write::Item { key, state, at } => {
            let outcome = store.set_item_state(&ItemChange {
                uuid: &attempt.uuid,
                incident_id: attempt.incident_id,
                key,
                state: *state,
                author,
                at: *at,
                expected_version: attempt.seen_version,
            })?;
            verdict = verdict_of(&outcome);
            item = Some(match outcome {
                Outcome::Changed { current, .. }
                | Outcome::AlreadySo(current)
                | Outcome::Conflict(current) => current,
            });
        }
        Write::Severity { severity, reason } => {
            let outcome = store.set_severity(&SeverityChange {
                uuid: &attempt.uuid,
                incident_id: attempt.incident_id,
                severity: *severity,
                reason,
                author,
                at: act.at,
                expected_version: attempt.seen_version,
            })?;
            verdict = verdict_of(&outcome);
        }
        Write::Snooze { length, reason } => store.snooze_status_update(&act, act.at + *length, reason)?,
        Write::Phase { index, name } => store.set_phase(&act, *index, name)?,
        Write::StartTimer { length, label } => {
            new_id = Some(store.start_timer(&act, act.at + *length, label)?)
        }
        Write::CloseTimer { id, state } => store.close_timer(&act, *id, *state)?,
        Write::Role { key, name, account } => {
            store.assign_role(&act, key, name, account)?;
            warning = crate::account::unknown_account_warning(account);
        }
        Write::Milestone { milestone, at } => store.set_milestone(&act, *milestone, *at)?,
        Write::PostmortemDone => store.postmortem_done(&act)?,
        Write::AddAction { text, owner, due } => {
            new_id = Some(store.add_action(&act, text, owner.as_deref(), *due)?);
            warning = owner.as_deref().and_then(crate::account::unknown_account_warning);
        }
        Write::ActionDone(id) => store.action_done(&act, *id)?,
        Write::Pin { entry, pinned } => store.set_pin(&act, *entry, *pinned)?,
        Write::Evidence(write) => {
            // On the timeline when the command started (or the file was read).
            let started = Act {
                at: write.evidence.started_at,
                ..act
            };
            store.add_evidence(&started, &write.evidence, &write.output, write.pinned)?;
        }
    }
    let text = store
        .entry_by_uuid(&attempt.uuid)?
        .map(|entry| sanitize_line(&entry.text).into_owned())
        .unwrap_or_default();
    Ok(Answer {
        text,
        verdict,
        new_id,
        item,
        warning,
    })
}

fn verdict_of<T, S>(outcome: &Outcome<T, S>) -> Verdict {
    match outcome {
        Outcome::Changed { .. } => Verdict::Done,
        Outcome::AlreadySo(_) => Verdict::AlreadySo,
        Outcome::Conflict(_) => Verdict::Conflict,
    }
}

/// A new incident, from the start screen or `warroom declare`, as typed.
pub struct Declaration {
    pub title: String,
    pub severity: Severity,
    pub started_at: Option<String>,
    pub detected_at: Option<String>,
    /// The runbook's name and text (snapshotted into the incident).
    pub runbook: (String, String),
    /// Declared to practise: marked DRILL, kept out of the metrics.
    pub drill: bool,
}

/// A declaration checked: its runbook parsed, its times read. Nothing is
/// created for one that is refused.
pub struct CheckedDeclaration {
    title: String,
    severity: Severity,
    milestones: Milestones,
    runbook_name: String,
    runbook_text: String,
    runbook: Runbook,
    drill: bool,
}

impl Declaration {
    pub fn check<Tz: TimeZone>(self, now: &DateTime<Tz>) -> Result<CheckedDeclaration, Refusal> {
        let (runbook_name, runbook_text) = self.runbook;
        let runbook = runbook::parse(&runbook_text).map_err(|e| format!("{runbook_name}: {e}"))?;
        let when = |at: Option<String>, field: &'static str| {
            at.map(|text| parse_time(&text, now).map_err(|message| Refusal::of(field, message)))
                .transpose()
        };
        let declared_at = now.with_timezone(&Utc);
        let mut milestones = Milestones::new(declared_at);
        milestones.started_at = when(self.started_at, "started-at")?;
        // Unless told otherwise, it was detected when it was declared, so
        // the metrics have a start from the normal path (`detected --at`
        // moves it back later).
        milestones.detected_at = Some(when(self.detected_at, "detected-at")?.unwrap_or(declared_at));
        Ok(CheckedDeclaration {
            title: self.title,
            severity: self.severity,
            milestones,
            runbook_name,
            runbook_text,
            runbook,
            drill: self.drill,
        })
    }
}

impl CheckedDeclaration {
    /// Declares the incident as `author`; returns its id.
    pub fn apply(&self, store: &mut Store, uuid: &str, author: &str) -> Result<i64, StoreError> {
        store.declare(&NewIncident {
            uuid: uuid.to_string(),
            title: self.title.clone(),
            severity: self.severity,
            milestones: self.milestones.clone(),
            declared_by: author.to_string(),
            runbook_name: self.runbook_name.clone(),
            runbook_text: self.runbook_text.clone(),
            runbook: &self.runbook,
            drill: self.drill,
        })
    }
}

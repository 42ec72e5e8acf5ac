//! What an event of the log says as facts, beside its sentence: the
//! declaration's severity, a checklist item's key and states, a severity
//! change's reason… Readers (export, retries of a write) use these facts,
//! never the wording of the text.
//!
//! Stored as JSON in `events.data` in the shapes every warroom so far has
//! written (`{"checklist":{"key":"1.1","from":"open","to":"done","outcome":"applied"}}`),
//! fields in the same order, so old records load and new ones read the same.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::incident::{Milestone, Severity};
use super::timeline::ItemState;
use super::timer::TimerState;

/// The facts of one event, by what the event records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventData {
    /// The incident was declared at this severity with this runbook; as a
    /// drill or not (left out when not, so older records read and earlier
    /// declarations are stored as before).
    Declared {
        severity: Severity,
        runbook: String,
        #[serde(default, skip_serializing_if = "is_false")]
        drill: bool,
    },
    /// Someone asked for a checklist item to be in state `to`.
    Checklist {
        key: String,
        from: ItemState,
        to: ItemState,
        outcome: ChangeOutcome,
    },
    /// Someone asked for severity `to`, saying why.
    Severity {
        from: Severity,
        to: Severity,
        reason: String,
        outcome: ChangeOutcome,
    },
    /// The status-update countdown was pushed out.
    Snooze {
        until: DateTime<Utc>,
        reason: String,
    },
    /// The incident moved to phase `index` (0-based).
    Phase {
        index: usize,
        name: String,
    },
    Timer(TimerEvent),
    /// A role changed hands (`from` is None for a role nobody held).
    Role {
        role: String,
        from: Option<String>,
        to: String,
    },
    Milestone(MilestoneSet),
    Postmortem {
        done_at: DateTime<Utc>,
    },
    Action(ActionEvent),
    /// Entry `entry` (its id in the log) was pinned or unpinned. The entry's
    /// own row is never changed: the latest pin says how it reads now.
    Pin {
        entry: i64,
        pinned: bool,
    },
    /// A command's output or a file's text attached as evidence; the bytes
    /// are kept beside the event, their size and SHA-256 here.
    Evidence(super::evidence::Evidence),
}

impl EventData {
    /// The stored JSON. These types have string keys only, so writing them
    /// out cannot fail.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads stored JSON; anything else (a hand-edited value, a shape from a
    /// newer warroom) is None: the event still shows by its text.
    pub fn from_json(json: &str) -> Option<EventData> {
        serde_json::from_str(json).ok()
    }
}

/// How an intended change went (an attempt is recorded whichever way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOutcome {
    Applied,
    /// It already was so.
    Already,
    /// Someone else changed it after the responder looked; not applied.
    Conflict,
}

/// A shared timer started or closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "TimerJson", try_from = "TimerJson")]
pub enum TimerEvent {
    Started {
        id: i64,
        deadline: DateTime<Utc>,
    },
    /// Done or cancelled.
    Closed {
        id: i64,
        state: TimerState,
    },
}

/// As stored: `{"id":1,"deadline":"…","state":"running"}` or `{"id":1,"state":"done"}`.
#[derive(Serialize, Deserialize)]
struct TimerJson {
    id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deadline: Option<DateTime<Utc>>,
    state: TimerState,
}

impl From<TimerEvent> for TimerJson {
    fn from(event: TimerEvent) -> TimerJson {
        match event {
            TimerEvent::Started { id, deadline } => TimerJson {
                id,
                deadline: Some(deadline),
                state: TimerState::Running,
            },
            TimerEvent::Closed { id, state } => TimerJson {
                id,
                deadline: None,
                state,
            },
        }
    }
}

impl TryFrom<TimerJson> for TimerEvent {
    type Error = &'static str;
    fn try_from(json: TimerJson) -> Result<TimerEvent, Self::Error> {
        match (json.deadline, json.state) {
            (Some(deadline), TimerState::Running) => Ok(TimerEvent::Started {
                id: json.id,
                deadline,
            }),
            (None, TimerState::Done | TimerState::Cancelled) => Ok(TimerEvent::Closed {
                id: json.id,
                state: json.state,
            }),
            _ => Err("a timer is started with a deadline, closed as done or cancelled"),
        }
    }
}

/// A milestone set to a time; stored as `{"acknowledged":"2026-03-01T14:05:00Z"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    into = "BTreeMap<Milestone, DateTime<Utc>>",
    try_from = "BTreeMap<Milestone, DateTime<Utc>>"
)]
pub struct MilestoneSet {
    pub which: Milestone,
    pub at: DateTime<Utc>,
}

impl From<MilestoneSet> for BTreeMap<Milestone, DateTime<Utc>> {
    fn from(set: MilestoneSet) -> Self {
        BTreeMap::from([(set.which, set.at)])
    }
}

impl TryFrom<BTreeMap<Milestone, DateTime<Utc>>> for MilestoneSet {
    type Error = &'static str;
    fn try_from(map: BTreeMap<Milestone, DateTime<Utc>>) -> Result<MilestoneSet, Self::Error> {
        let mut entries = map.into_iter();
        match (entries.next(), entries.next()) {
            (Some((which, at)), None) => Ok(MilestoneSet { which, at }),
            _ => Err("a milestone event sets exactly one milestone"),
        }
    }
}

/// An action item added or marked done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "ActionJson", try_from = "ActionJson")]
pub enum ActionEvent {
    Added { id: i64 },
    Done { id: i64 },
}

/// As stored: `{"id":1,"added":true}` or `{"id":1,"done":true}`.
#[derive(Serialize, Deserialize)]
struct ActionJson {
    id: i64,
    #[serde(default, skip_serializing_if = "is_false")]
    added: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    done: bool,
}

fn is_false(value: &bool) -> bool {
    !value
}

impl From<ActionEvent> for ActionJson {
    fn from(event: ActionEvent) -> ActionJson {
        match event {
            ActionEvent::Added { id } => ActionJson {
                id,
                added: true,
                done: false,
            },
            ActionEvent::Done { id } => ActionJson {
                id,
                added: false,
                done: true,
            },
        }
    }
}

impl TryFrom<ActionJson> for ActionEvent {
    type Error = &'static str;
    fn try_from(json: ActionJson) -> Result<ActionEvent, Self::Error> {
        match (json.added, json.done) {
            (true, false) => Ok(ActionEvent::Added { id: json.id }),
            (false, true) => Ok(ActionEvent::Done { id: json.id }),
            _ => Err("an action event is either added or done"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    /// The JSON every warroom so far has stored, byte for byte: old records
    /// load, and new ones are written the same.
    #[test]
    fn every_kind_reads_and_writes_the_stored_shapes() {
        let cases = [
            (
                r#"{"declared":{"severity":"P1","runbook":"SOP"}}"#,
                EventData::Declared {
                    severity: Severity::P1,
                    runbook: "SOP".into(),
                    drill: false,
                },
            ),
            (
                r#"{"declared":{"severity":"P3","runbook":"SOP","drill":true}}"#,
                EventData::Declared {
                    severity: Severity::P3,
                    runbook: "SOP".into(),
                    drill: true,
                },
            ),
            (
                r#"{"checklist":{"key":"1.1","from":"open","to":"not_applicable","outcome":"applied"}}"#,
                EventData::Checklist {
                    key: "1.1".into(),
                    from: ItemState::Open,
                    to: ItemState::NotApplicable,
                    outcome: ChangeOutcome::Applied,
                },
            ),
            (
                r#"{"severity":{"from":"P2","to":"P0","reason":"card data","outcome":"conflict"}}"#,
                EventData::Severity {
                    from: Severity::P2,
                    to: Severity::P0,
                    reason: "card data".into(),
                    outcome: ChangeOutcome::Conflict,
                },
            ),
            (
                r#"{"snooze":{"until":"2026-03-01T14:25:00Z","reason":"vendor call"}}"#,
                EventData::Snooze {
                    until: at("2026-03-01T14:25:00Z"),
                    reason: "vendor call".into(),
                },
            ),
            (
                r#"{"phase":{"index":1,"name":"Response"}}"#,
                EventData::Phase {
                    index: 1,
                    name: "Response".into(),
                },
            ),
            (
                r#"{"timer":{"id":3,"deadline":"2026-03-01T14:26:00.500Z","state":"running"}}"#,
                EventData::Timer(TimerEvent::Started {
                    id: 3,
                    deadline: at("2026-03-01T14:26:00.500Z"),
                }),
            ),
            (
                r#"{"timer":{"id":3,"state":"cancelled"}}"#,
                EventData::Timer(TimerEvent::Closed {
                    id: 3,
                    state: TimerState::Cancelled,
                }),
            ),
            (
                r#"{"role":{"role":"ic","from":null,"to":"bob"}}"#,
                EventData::Role {
                    role: "ic".into(),
                    from: None,
                    to: "bob".into(),
                },
            ),
            (
                r#"{"role":{"role":"comms","from":"carol","to":"dave"}}"#,
                EventData::Role {
                    role: "comms".into(),
                    from: Some("carol".into()),
                    to: "dave".into(),
                },
            ),
            (
                r#"{"milestone":{"acknowledged":"2026-03-01T14:05:00Z"}}"#,
                EventData::Milestone(MilestoneSet {
                    which: Milestone::Acknowledged,
                    at: at("2026-03-01T14:05:00Z"),
                }),
            ),
            (
                r#"{"postmortem":{"done_at":"2026-03-03T09:00:00Z"}}"#,
                EventData::Postmortem {
                    done_at: at("2026-03-03T09:00:00Z"),
                },
            ),
            (
                r#"{"action":{"id":2,"added":true}}"#,
                EventData::Action(ActionEvent::Added { id: 2 }),
            ),
            (
                r#"{"action":{"id":2,"done":true}}"#,
                EventData::Action(ActionEvent::Done { id: 2 }),
            ),
            (
                r#"{"pin":{"entry":12,"pinned":false}}"#,
                EventData::Pin {
                    entry: 12,
                    pinned: false,
                },
            ),
        ];
        for (json, data) in cases {
            assert_eq!(EventData::from_json(json), Some(data.clone()), "{json}");
            assert_eq!(data.to_json(), json);
        }
    }

    #[test]
    fn what_is_not_a_known_shape_reads_as_none() {
        for json in [
            "",
            "not json",
            "42",
            "null",
            "{}",
            r#"{"declared":{"severity":"P9","runbook":"SOP"}}"#,
            r#"{"checklist":{"key":"1.1"}}"#,
            r#"{"future_kind":{"x":1}}"#,
            r#"{"timer":{"id":1,"state":"running"}}"#,
            r#"{"timer":{"id":1,"deadline":"2026-03-01T14:26:00Z","state":"done"}}"#,
            r#"{"milestone":{}}"#,
            r#"{"milestone":{"acknowledged":"2026-03-01T14:05:00Z","resolved":"2026-03-01T15:05:00Z"}}"#,
            r#"{"milestone":{"lunch":"2026-03-01T14:05:00Z"}}"#,
            r#"{"action":{"id":1}}"#,
            r#"{"action":{"id":1,"added":true,"done":true}}"#,
            r#"{"pin":{"entry":"12","pinned":true}}"#,
            r#"{"pin":{"pinned":true}}"#,
        ] {
            assert_eq!(EventData::from_json(json), None, "{json}");
        }
    }
}

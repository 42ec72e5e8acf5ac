//! The timeline (every change is an entry with author and time) and the state
//! of checklist items.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::event::EventData;

/// What kind of timeline entry this is. Stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Note,
    StatusUpdate,
    Decision,
    ChecklistChange,
    SeverityChange,
    RoleChange,
    /// Declarations, milestones and other facts recorded by warroom itself.
    System,
    /// A command's output or a file attached (`warroom run`, `note --file`).
    Evidence,
}

impl EntryKind {
    pub const ALL: [EntryKind; 8] = [
        EntryKind::Note,
        EntryKind::StatusUpdate,
        EntryKind::Decision,
        EntryKind::ChecklistChange,
        EntryKind::SeverityChange,
        EntryKind::RoleChange,
        EntryKind::System,
        EntryKind::Evidence,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Note => "note",
            EntryKind::StatusUpdate => "status_update",
            EntryKind::Decision => "decision",
            EntryKind::ChecklistChange => "checklist_change",
            EntryKind::SeverityChange => "severity_change",
            EntryKind::RoleChange => "role_change",
            EntryKind::System => "system",
            EntryKind::Evidence => "evidence",
        }
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for EntryKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EntryKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown timeline entry kind {s:?}"))
    }
}

/// One entry of the incident timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// Position in the shared event log (increases with every commit).
    pub id: i64,
    /// Client-generated id that makes a retried write idempotent.
    pub uuid: String,
    pub kind: EntryKind,
    /// When it happened (may be backdated with `--at`).
    pub occurred_at: DateTime<Utc>,
    /// When it was written down.
    pub recorded_at: DateTime<Utc>,
    /// Unix account that wrote it.
    pub author: String,
    pub text: String,
    pub pinned: bool,
    /// What the entry records as facts (None for notes, and for data that is
    /// not a shape warroom writes: a hand-edited row still shows by its text).
    /// Boxed: most entries (notes) have none, and an entry is held by the
    /// hundred thousand (a replay, a window, an export).
    pub data: Option<Box<EventData>>,
}

/// How far apart happening and writing down may be before an entry counts
/// as written down later (backdated with `--at`, or imported).
pub const RECORDED_LATER_AFTER: TimeDelta = TimeDelta::minutes(2);

impl TimelineEntry {
    /// When the entry was written down, if that was long enough after (or
    /// before) it happened to be worth saying: the console, `show` and the
    /// export all mark such entries.
    pub fn recorded_later(&self) -> Option<DateTime<Utc>> {
        ((self.recorded_at - self.occurred_at).abs() > RECORDED_LATER_AFTER).then_some(self.recorded_at)
    }
}

/// State of one checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Open,
    Done,
    NotApplicable,
}

impl ItemState {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Open => "open",
            ItemState::Done => "done",
            ItemState::NotApplicable => "not_applicable",
        }
    }

    /// How a person says it ("marked done", "reopened", "marked not applicable").
    pub fn verb(self) -> &'static str {
        match self {
            ItemState::Open => "reopened",
            ItemState::Done => "marked done",
            ItemState::NotApplicable => "marked not applicable",
        }
    }

    /// Closed items count towards progress.
    pub fn is_closed(self) -> bool {
        !matches!(self, ItemState::Open)
    }
}

impl fmt::Display for ItemState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for ItemState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "open" => Ok(ItemState::Open),
            "done" => Ok(ItemState::Done),
            "not_applicable" => Ok(ItemState::NotApplicable),
            _ => Err(format!("unknown checklist item state {s:?}")),
        }
    }
}

/// A checklist item of one incident: the runbook item plus who changed it last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistItem {
    /// Runbook key: "1.2" for checklist sections, "p1.2" for phase items.
    pub key: String,
    /// Section or phase title.
    pub section: String,
    pub name: String,
    pub description: String,
    pub state: ItemState,
    pub changed_by: Option<String>,
    pub changed_at: Option<DateTime<Utc>>,
    /// Bumped on every change; used for compare-and-set between responders.
    pub version: i64,
}

impl ChecklistItem {
    /// The response phase a phase item belongs to (`p2.1` → 2); none for
    /// the runbook's other sections.
    pub fn phase_number(&self) -> Option<usize> {
        self.key.strip_prefix('p')?.split('.').next()?.parse().ok()
    }
}

/// Finds the checklist item a person means: its key (`2.3`, `p1.2`), or a
/// case-insensitive part of its name that matches exactly one item.
pub fn find_item<'a>(items: &'a [ChecklistItem], query: &str) -> Result<&'a ChecklistItem, String> {
    let wanted = query.trim();
    if wanted.is_empty() {
        return Err("which checklist item? give its key (like 1.2) or part of its name".into());
    }
    if let Some(item) = items.iter().find(|i| i.key.eq_ignore_ascii_case(wanted)) {
        return Ok(item);
    }
    let needle = wanted.to_lowercase();
    let exact: Vec<_> = items.iter().filter(|i| i.name.to_lowercase() == needle).collect();
    let matches = if exact.is_empty() {
        items
            .iter()
            .filter(|i| i.name.to_lowercase().contains(&needle))
            .collect()
    } else {
        exact
    };
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(format!("no checklist item matches {wanted:?}")),
        many => {
            let listed: Vec<String> = many
                .iter()
                .map(|i| format!("{} {} ({})", i.key, i.name, i.section))
                .collect();
            Err(format!(
                "{wanted:?} matches {} items; use the key: {}",
                many.len(),
                listed.join("; ")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(key: &str, section: &str, name: &str) -> ChecklistItem {
        ChecklistItem {
            key: key.into(),
            section: section.into(),
            name: name.into(),
            description: String::new(),
            state: ItemState::Open,
            changed_by: None,
            changed_at: None,
            version: 0,
        }
    }

    #[test]
    fn items_are_found_by_key_or_unique_name() {
        let items = vec![
            item("1.1", "Detection", "Incident Confirmed"),
            item("2.4", "Containment", "Communication"),
            item("5.4", "Post-Incident", "Communication"),
            item("p1.1", "Triage", "Alert incident response team"),
        ];
        assert_eq!(find_item(&items, "P1.1").unwrap().key, "p1.1");
        assert_eq!(find_item(&items, "confirmed").unwrap().key, "1.1");
        let err = find_item(&items, "communication").unwrap_err();
        assert!(err.contains("2.4") && err.contains("5.4"), "{err}");
        assert!(find_item(&items, "nothing like it").is_err());
        assert!(find_item(&items, " ").is_err());
    }

    #[test]
    fn kinds_and_states_round_trip_through_their_names() {
        for kind in EntryKind::ALL {
            assert_eq!(kind.as_str().parse::<EntryKind>(), Ok(kind));
        }
        for state in [ItemState::Open, ItemState::Done, ItemState::NotApplicable] {
            assert_eq!(state.as_str().parse::<ItemState>(), Ok(state));
        }
    }
}

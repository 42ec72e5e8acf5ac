//! `warroom demo`: a realistic P1 in progress, in a fresh temporary
//! database, so a newcomer sees a live war room in seconds. The story is
//! `assets/demo.json`; its times are minutes relative to now.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;

use crate::domain::{EntryKind, ItemState, Milestones, Severity};
use crate::runbook;
use crate::store::{
    Act, ItemChange, Location, NewEntry, NewIncident, OpenMode, SeverityChange, Store, StoreError,
};

/// The demo's story.
pub const DEMO_DATA: &str = include_str!("../assets/demo.json");

#[derive(Deserialize)]
struct Story {
    title: String,
    severity: String,
    started_minutes_ago: i64,
    detected_minutes_ago: i64,
    declared_minutes_ago: i64,
    declared_by: String,
    steps: Vec<Step>,
}

/// One thing that happened, `at` minutes from now (negative: in the past).
#[derive(Deserialize)]
struct Step {
    at: i64,
    author: String,
    kind: Option<String>,
    text: Option<String>,
    #[serde(default)]
    pin: bool,
    check: Option<String>,
    role: Option<(String, String, String)>,
    severity: Option<(String, String)>,
    phase: Option<usize>,
    timer: Option<(i64, String)>,
    action: Option<(String, String, i64)>,
}

/// When the story's entries are recorded: set before each step.
static STORY_CLOCK_MS: AtomicI64 = AtomicI64::new(0);

fn story_clock() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(STORY_CLOCK_MS.load(Ordering::SeqCst)).unwrap_or_default()
}

/// Writes the demo incident into a new database at `path`; returns its id.
pub fn create(location: impl Into<Location>, now: DateTime<Utc>) -> Result<i64, StoreError> {
    let story: Story =
        serde_json::from_str(DEMO_DATA).map_err(|e| StoreError::Invalid(format!("assets/demo.json: {e}")))?;
    let ago = |minutes: i64| now - TimeDelta::minutes(minutes);
    let mut store = Store::open(location, OpenMode::Create)?;
    store.set_clock(story_clock);
    let at_minute = |minute: i64| {
        let at = now + TimeDelta::minutes(minute);
        STORY_CLOCK_MS.store(at.timestamp_millis(), Ordering::SeqCst);
        at
    };
    at_minute(-story.declared_minutes_ago);
    let parsed = runbook::default_runbook();
    let mut milestones = Milestones::new(ago(story.declared_minutes_ago));
    milestones.started_at = Some(ago(story.started_minutes_ago));
    milestones.detected_at = Some(ago(story.detected_minutes_ago));
    let id = store.declare(&NewIncident::with_default_runbook(
        uuid::Uuid::new_v4().to_string(),
        story.title,
        story.severity.parse().unwrap_or(Severity::P2),
        milestones,
        story.declared_by,
    ))?;
    for (n, step) in story.steps.iter().enumerate() {
        let at = at_minute(step.at);
        let uuid = format!("demo-{n}");
        let act = Act {
            uuid: &uuid,
            incident_id: id,
            author: &step.author,
            at,
        };
        if let Some(text) = &step.text {
            let kind = step
                .kind
                .as_deref()
                .unwrap_or("note")
                .parse()
                .unwrap_or(EntryKind::Note);
            store.add_entry(
                id,
                &NewEntry {
                    uuid: uuid.clone(),
                    kind,
                    occurred_at: at,
                    author: step.author.clone(),
                    text: text.clone(),
                    pinned: step.pin,
                },
            )?;
        } else if let Some(key) = &step.check {
            store.set_item_state(&ItemChange {
                uuid: &uuid,
                incident_id: id,
                key,
                state: ItemState::Done,
                author: &step.author,
                at,
                expected_version: None,
            })?;
        } else if let Some((key, name, account)) = &step.role {
            store.assign_role(&act, key, name, account)?;
        } else if let Some((severity, reason)) = &step.severity {
            store.set_severity(&SeverityChange {
                uuid: &uuid,
                incident_id: id,
                severity: severity.parse().unwrap_or(Severity::P1),
                reason,
                author: &step.author,
                at,
                expected_version: None,
            })?;
        } else if let Some(index) = step.phase {
            let name = parsed.phases.get(index).map_or("", |p| p.name.as_str());
            store.set_phase(&act, index, name)?;
        } else if let Some((minutes, label)) = &step.timer {
            store.start_timer(&act, at + TimeDelta::minutes(*minutes), label)?;
        } else if let Some((text, owner, due_days)) = &step.action {
            store.add_action(&act, text, Some(owner), Some(now + TimeDelta::days(*due_days)))?;
        }
    }
    Ok(id)
}

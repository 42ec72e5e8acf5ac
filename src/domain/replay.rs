//! Replay: an incident as it stood at any moment, folded from the incident
//! as declared and the events of its log up to that moment. Pure: the
//! events are given, and so is the moment a replay of an open incident
//! ends at.
//!
//! * **Order** is the log's (event id): every change was applied in that
//!   order, so a prefix of the log is always a state that existed.
//! * **When an event took effect** is when it was written down
//!   (`recorded_at`), never earlier than the event before it in the log (a
//!   host whose clock lagged cannot reorder the log). A backdated note
//!   appears when it was written, in its place by `occurred_at` among the
//!   entries already there.
//! * **Refused changes change nothing**: a checklist tick or severity
//!   change whose outcome was `already` or `conflict` is on the timeline
//!   and nowhere else.
//! * **What the events do not carry** is taken from the incident as it
//!   ends (its rows never change after they are made): the checklist's
//!   items (as declared: all open), a timer's label, an action item's text,
//!   owner and due date, a role's name. A milestone that an event set later
//!   is unset until that event; one given at declaration (`started_at`,
//!   `detected_at`) and never set by an event stands from the start.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::action::ActionItem;
use super::clock::Snooze;
use super::event::{ActionEvent, ChangeOutcome, EventData, TimerEvent};
use super::roles::{COMMANDER, RoleHolder};
use super::timer::{Timer, TimerState};
use super::{ChecklistItem, EntryKind, Incident, ItemState, TimelineEntry};

/// The incident as it ends (or stands when the replay is loaded): what a
/// replay takes besides the events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    pub incident: Incident,
    pub checklist: Vec<ChecklistItem>,
    pub timers: Vec<Timer>,
    pub roles: Vec<RoleHolder>,
    pub actions: Vec<ActionItem>,
}

/// An incident and its log, ready to be shown at any moment.
#[derive(Debug, Clone)]
pub struct Replay {
    /// The incident as declared, before any event.
    declared: Standing,
    /// The incident's events in the log's order, each pinned as written.
    events: Vec<TimelineEntry>,
    /// When each event took effect (see the module's notes): never
    /// decreasing.
    moments: Vec<DateTime<Utc>>,
    /// Indices into `events` in the timeline's order: when it happened,
    /// then the log's order.
    time_order: Vec<usize>,
    timer_labels: BTreeMap<i64, String>,
    /// Action items as added (not done yet), by id.
    actions: BTreeMap<i64, ActionItem>,
    role_names: BTreeMap<String, String>,
    end: DateTime<Utc>,
}

/// The incident as it stood after the first `applied` events of its log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub incident: Incident,
    pub checklist: Vec<ChecklistItem>,
    /// Running timers first, then by deadline (as the store lists them).
    pub timers: Vec<Timer>,
    /// By since, then role (as the store lists them).
    pub roles: Vec<RoleHolder>,
    pub actions: Vec<ActionItem>,
    /// Entries pinned or unpinned since they were written: id → pinned.
    pins: BTreeMap<i64, bool>,
    /// The newest status update in the timeline's order (an index into
    /// the events).
    latest_status_update: Option<usize>,
    /// How many events of the log it holds.
    pub applied: usize,
}

impl Replay {
    /// The replay of an incident that ends as `ending`, from its `events`
    /// (in any order; every one of this incident, pinned as they read now).
    /// `now` is where the replay of an incident still open ends.
    pub fn new(ending: Ending, mut events: Vec<TimelineEntry>, now: DateTime<Utc>) -> Replay {
        events.sort_by_key(|e| e.id);
        pin_as_written(&mut events);
        let declared_at = ending.incident.milestones.declared_at;
        let mut moments = Vec::with_capacity(events.len());
        let mut floor = declared_at;
        for event in &events {
            floor = floor.max(event.recorded_at);
            moments.push(floor);
        }
        let mut time_order: Vec<usize> = (0..events.len()).collect();
        time_order.sort_by_key(|&i| (events[i].occurred_at, events[i].id));
        let last = moments.last().copied().unwrap_or(declared_at);
        let end = if ending.incident.status().is_open() {
            last.max(now)
        } else {
            last
        };
        Replay {
            declared: as_declared(&ending, &events),
            timer_labels: ending.timers.iter().map(|t| (t.id, t.label.clone())).collect(),
            actions: ending
                .actions
                .iter()
                .map(|a| {
                    let added = ActionItem {
                        done_by: None,
                        done_at: None,
                        ..a.clone()
                    };
                    (a.id, added)
                })
                .collect(),
            role_names: ending
                .roles
                .iter()
                .map(|r| (r.role.clone(), r.name.clone()))
                .collect(),
            events,
            moments,
            time_order,
            end,
        }
    }

    /// Where the replay starts: the declaration.
    pub fn start(&self) -> DateTime<Utc> {
        self.moments
            .first()
            .copied()
            .unwrap_or(self.declared.incident.milestones.declared_at)
    }

    /// Where it ends: the last event, or now for an incident still open.
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// Where a replay asked to start `from` starts: the declaration when
    /// not said; `+10m` after the declaration; else a time as `--at` reads
    /// it (RFC 3339, `HH:MM` today, `-2h`), within the replay. `now` is
    /// the wall clock in the reader's zone.
    pub fn start_from<Tz: chrono::TimeZone>(
        &self,
        from: Option<&str>,
        now: &DateTime<Tz>,
    ) -> Result<DateTime<Utc>, String> {
        let Some(text) = from.map(str::trim) else {
            return Ok(self.start());
        };
        let at = match text.strip_prefix('+') {
            Some(after) => {
                self.start() + super::time::parse_duration(after).map_err(|e| format!("{e} in {text:?}"))?
            }
            None => super::time::parse_time(text, now)?,
        };
        let (start, end) = (self.start(), self.end());
        if at < start || at > end {
            let now = now.to_utc();
            let clock = |t| super::time::format_clock(t, now);
            return Err(format!(
                "{text:?} ({}) is outside the replay, which runs from {} (the declaration) to {}; \
                 give a time in between, or +10m for ten minutes after the declaration",
                clock(at),
                clock(start),
                clock(end)
            ));
        }
        Ok(at)
    }

    /// How many events the log holds.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// When event `index` (in the log's order) took effect.
    pub fn moment(&self, index: usize) -> Option<DateTime<Utc>> {
        self.moments.get(index).copied()
    }

    /// How many events had taken effect at `at`.
    pub fn applied_at(&self, at: DateTime<Utc>) -> usize {
        self.moments.partition_point(|m| *m <= at)
    }

    /// The incident as it stood after the first `applied` events.
    pub fn standing_after(&self, applied: usize) -> Standing {
        let mut standing = self.declared.clone();
        self.advance(&mut standing, applied);
        standing
    }

    /// The incident as it stood at `at`.
    pub fn standing_at(&self, at: DateTime<Utc>) -> Standing {
        self.standing_after(self.applied_at(at))
    }

    /// Moves `standing` to the first `applied` events: onward by applying
    /// the events in between, back by folding again from the declaration.
    pub fn advance(&self, standing: &mut Standing, applied: usize) {
        let applied = applied.min(self.events.len());
        if applied < standing.applied {
            *standing = self.declared.clone();
        }
        for index in standing.applied..applied {
            self.apply(standing, index);
        }
    }

    fn apply(&self, s: &mut Standing, index: usize) {
        let event = &self.events[index];
        s.applied = index + 1;
        if event.kind == EntryKind::StatusUpdate
            && s.latest_status_update
                .is_none_or(|latest| time_key(&self.events[latest]) < time_key(event))
        {
            s.latest_status_update = Some(index);
        }
        let Some(data) = event.data.as_deref() else { return };
        let at = event.occurred_at;
        match data {
            EventData::Declared { severity, .. } => s.incident.severity = *severity,
            EventData::Checklist {
                key,
                to,
                outcome: ChangeOutcome::Applied,
                ..
            } => {
                if let Some(item) = s.checklist.iter_mut().find(|i| i.key == *key) {
                    item.state = *to;
                    item.changed_by = Some(event.author.clone());
                    item.changed_at = Some(at);
                    item.version += 1;
                }
            }
            EventData::Severity {
                to,
                outcome: ChangeOutcome::Applied,
                ..
            } => {
                s.incident.severity = *to;
                s.incident.severity_changed_at = Some(at);
                s.incident.version += 1;
            }
            // Recorded, not applied: the timeline says so, nothing else.
            EventData::Checklist { .. } | EventData::Severity { .. } => {}
            EventData::Snooze { until, .. } => {
                s.incident.update_snooze = Some(Snooze { at, until: *until });
            }
            EventData::Phase { index, .. } => s.incident.phase = *index,
            EventData::Timer(TimerEvent::Started { id, deadline }) => {
                s.timers.retain(|t| t.id != *id);
                s.timers.push(Timer {
                    id: *id,
                    // A timer row lost from the file still shows, by its entry.
                    label: self.timer_labels.get(id).unwrap_or(&event.text).clone(),
                    deadline: *deadline,
                    started_by: event.author.clone(),
                    started_at: at,
                    state: TimerState::Running,
                });
                sort_timers(&mut s.timers);
            }
            EventData::Timer(TimerEvent::Closed { id, state }) => {
                if let Some(timer) = s.timers.iter_mut().find(|t| t.id == *id) {
                    timer.state = *state;
                }
                sort_timers(&mut s.timers);
            }
            EventData::Role { role, to, .. } => {
                let name = self.role_names.get(role).unwrap_or(role).clone();
                s.roles.retain(|r| r.role != *role);
                s.roles.push(RoleHolder {
                    role: role.clone(),
                    name,
                    account: to.clone(),
                    since: at,
                });
                s.roles
                    .sort_by(|a, b| (a.since, &a.role).cmp(&(b.since, &b.role)));
            }
            EventData::Milestone(set) => s.incident.milestones.set(set.which, Some(set.at)),
            EventData::Postmortem { done_at } => s.incident.postmortem_done_at = Some(*done_at),
            EventData::Action(ActionEvent::Added { id }) => {
                if let Some(added) = self.actions.get(id) {
                    s.actions.retain(|a| a.id != *id);
                    s.actions.push(added.clone());
                    s.actions.sort_by_key(|a| a.id);
                }
            }
            EventData::Action(ActionEvent::Done { id }) => {
                if let Some(item) = s.actions.iter_mut().find(|a| a.id == *id) {
                    item.done_by = Some(event.author.clone());
                    item.done_at = Some(at);
                }
            }
            EventData::Pin { entry, pinned } => {
                s.pins.insert(*entry, *pinned);
            }
            EventData::Evidence(_) => {}
        }
    }

    /// The entries shown in `standing`, in the timeline's order (when it
    /// happened, then the log's order), each pinned as it then was.
    pub fn timeline<'a>(
        &'a self,
        standing: &'a Standing,
    ) -> impl DoubleEndedIterator<Item = TimelineEntry> + 'a {
        self.time_order
            .iter()
            .filter(move |&&i| i < standing.applied)
            .map(move |&i| self.as_it_stood(standing, &self.events[i]))
    }

    /// The entries pinned in `standing`, in the timeline's order.
    pub fn pinned(&self, standing: &Standing) -> Vec<TimelineEntry> {
        self.timeline(standing).filter(|e| e.pinned).collect()
    }

    /// The newest status update posted in `standing`.
    pub fn latest_status_update(&self, standing: &Standing) -> Option<TimelineEntry> {
        let index = standing.latest_status_update?;
        Some(self.as_it_stood(standing, &self.events[index]))
    }

    /// The id of the last event `standing` holds (0: none).
    pub fn last_id(&self, standing: &Standing) -> i64 {
        standing
            .applied
            .checked_sub(1)
            .and_then(|i| self.events.get(i))
            .map_or(0, |e| e.id)
    }

    fn as_it_stood(&self, standing: &Standing, entry: &TimelineEntry) -> TimelineEntry {
        TimelineEntry {
            pinned: standing.pins.get(&entry.id).copied().unwrap_or(entry.pinned),
            ..entry.clone()
        }
    }
}

/// The timeline's order: when it happened, then the log's order.
fn time_key(entry: &TimelineEntry) -> (DateTime<Utc>, i64) {
    (entry.occurred_at, entry.id)
}

fn sort_timers(timers: &mut [Timer]) {
    timers.sort_by_key(|t| (t.state != TimerState::Running, t.deadline, t.id));
}

/// Entries read now carry their latest pin; each pin event turned the
/// entry over (pinning what is pinned is refused), so an entry pinned or
/// unpinned since was, as written, the opposite of its first pin event.
fn pin_as_written(events: &mut [TimelineEntry]) {
    let mut first_pin: BTreeMap<i64, bool> = BTreeMap::new();
    for event in events.iter() {
        if let Some(&EventData::Pin { entry, pinned }) = event.data.as_deref() {
            first_pin.entry(entry).or_insert(pinned);
        }
    }
    for event in events.iter_mut() {
        if let Some(first) = first_pin.get(&event.id) {
            event.pinned = !first;
        }
    }
}

/// The incident as declared: the declaration's severity, no milestone an
/// event set later, phase 1, no snooze or post-mortem; the checklist all
/// open; the declarer the commander; no timers or action items yet.
fn as_declared(ending: &Ending, events: &[TimelineEntry]) -> Standing {
    let mut incident = ending.incident.clone();
    for event in events {
        match event.data.as_deref() {
            Some(EventData::Milestone(set)) => incident.milestones.set(set.which, None),
            Some(EventData::Declared { severity, .. }) => incident.severity = *severity,
            _ => {}
        }
    }
    incident.version = 0;
    incident.phase = 0;
    incident.severity_changed_at = None;
    incident.update_snooze = None;
    incident.postmortem_done_at = None;
    let checklist = ending
        .checklist
        .iter()
        .map(|item| ChecklistItem {
            state: ItemState::Open,
            changed_by: None,
            changed_at: None,
            version: 0,
            ..item.clone()
        })
        .collect();
    let commander = RoleHolder {
        role: COMMANDER.into(),
        name: ending
            .roles
            .iter()
            .find(|r| r.role == COMMANDER)
            .map_or_else(|| "Incident Commander".into(), |r| r.name.clone()),
        account: incident.declared_by.clone(),
        since: incident.milestones.declared_at,
    };
    Standing {
        incident,
        checklist,
        timers: Vec::new(),
        roles: vec![commander],
        actions: Vec::new(),
        pins: BTreeMap::new(),
        latest_status_update: None,
        applied: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::MilestoneSet;
    use crate::domain::{Milestone, Milestones, Severity};
    use chrono::{TimeDelta, TimeZone};

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 14, 0, 0).unwrap() + TimeDelta::minutes(minute)
    }

    fn item(key: &str, state: ItemState) -> ChecklistItem {
        ChecklistItem {
            key: key.into(),
            section: "Triage".into(),
            name: format!("item {key}"),
            description: String::new(),
            state,
            changed_by: Some("carol".into()),
            changed_at: Some(at(50)),
            version: 3,
        }
    }

    /// An incident declared at minute 0 by alice, as it ends: P1, resolved
    /// at 40, every item done, bob the commander.
    fn ending() -> Ending {
        let mut milestones = Milestones::new(at(0));
        milestones.detected_at = Some(at(-5));
        milestones.acknowledged_at = Some(at(3));
        milestones.resolved_at = Some(at(40));
        Ending {
            incident: Incident {
                id: 7,
                uuid: "u".into(),
                title: "Checkout down".into(),
                severity: Severity::P1,
                milestones,
                declared_by: "alice".into(),
                runbook_name: "SOP".into(),
                version: 12,
                phase: 2,
                severity_changed_at: Some(at(10)),
                update_snooze: None,
                postmortem_done_at: None,
                drill: false,
            },
            checklist: vec![item("1.1", ItemState::Done), item("1.2", ItemState::Done)],
            timers: vec![Timer {
                id: 1,
                label: "check rollback".into(),
                deadline: at(25),
                started_by: "bob".into(),
                started_at: at(15),
                state: TimerState::Done,
            }],
            roles: vec![RoleHolder {
                role: "ic".into(),
                name: "Incident Commander".into(),
                account: "bob".into(),
                since: at(20),
            }],
            actions: vec![],
        }
    }

    /// Event `id`, written at `minute`, by `author`.
    fn event(id: i64, minute: i64, author: &str, kind: EntryKind, data: Option<EventData>) -> TimelineEntry {
        TimelineEntry {
            id,
            uuid: format!("e{id}"),
            kind,
            occurred_at: at(minute),
            recorded_at: at(minute),
            author: author.into(),
            text: format!("event {id}"),
            pinned: false,
            data: data.map(Box::new),
        }
    }

    fn check(id: i64, minute: i64, key: &str, outcome: ChangeOutcome) -> TimelineEntry {
        let data = EventData::Checklist {
            key: key.into(),
            from: ItemState::Open,
            to: ItemState::Done,
            outcome,
        };
        event(id, minute, "alice", EntryKind::ChecklistChange, Some(data))
    }

    fn declared(id: i64) -> TimelineEntry {
        let data = EventData::Declared {
            severity: Severity::P2,
            runbook: "SOP".into(),
            drill: false,
        };
        event(id, 0, "alice", EntryKind::System, Some(data))
    }

    fn states(standing: &Standing) -> Vec<(String, ItemState)> {
        standing
            .checklist
            .iter()
            .map(|i| (i.key.clone(), i.state))
            .collect()
    }

    #[test]
    fn at_the_declaration_everything_is_as_declared() {
        let replay = Replay::new(ending(), vec![declared(1)], at(60));
        let s = replay.standing_at(replay.start());
        assert_eq!(s.applied, 1);
        assert_eq!(
            s.incident.severity,
            Severity::P2,
            "the declaration's, not the ending's"
        );
        assert_eq!(s.incident.phase, 0);
        assert_eq!(
            s.incident.milestones.detected_at,
            Some(at(-5)),
            "given at declaration"
        );
        assert_eq!(
            s.incident.milestones.acknowledged_at,
            Some(at(3)),
            "no event set it"
        );
        assert_eq!(
            states(&s),
            [("1.1".into(), ItemState::Open), ("1.2".into(), ItemState::Open)]
        );
        assert_eq!(s.checklist[0].changed_by, None);
        let ic: Vec<_> = s
            .roles
            .iter()
            .map(|r| (r.role.as_str(), r.account.as_str()))
            .collect();
        assert_eq!(ic, [("ic", "alice")], "whoever declares commands");
        assert!(s.timers.is_empty() && s.actions.is_empty());
        // Resolved: the replay ends at the last event, not at `now`.
        assert_eq!(replay.end(), at(0));
    }

    #[test]
    fn checklist_ticks_apply_in_order_and_refused_ones_change_nothing() {
        let events = vec![
            declared(1),
            check(2, 5, "1.2", ChangeOutcome::Applied),
            check(3, 6, "1.1", ChangeOutcome::Conflict),
            check(4, 7, "1.2", ChangeOutcome::Already),
            check(5, 9, "1.1", ChangeOutcome::Applied),
        ];
        let replay = Replay::new(ending(), events, at(60));
        let done = |minute| {
            let s = replay.standing_at(at(minute));
            states(&s)
                .into_iter()
                .filter(|(_, state)| *state == ItemState::Done)
                .map(|(key, _)| key)
                .collect::<Vec<_>>()
        };
        assert_eq!(done(4), Vec::<String>::new());
        assert_eq!(done(5), ["1.2"]);
        assert_eq!(
            done(8),
            ["1.2"],
            "the conflict and the already-so changed nothing"
        );
        assert_eq!(done(9), ["1.1", "1.2"]);
        let s = replay.standing_at(at(5));
        assert_eq!(s.checklist[1].changed_by.as_deref(), Some("alice"));
        assert_eq!(s.checklist[1].changed_at, Some(at(5)));
        assert_eq!(s.timers.len(), 0);
    }

    #[test]
    fn severity_changes_apply_unless_refused() {
        let severity = |id, minute, to, outcome| {
            let data = EventData::Severity {
                from: Severity::P2,
                to,
                reason: "why".into(),
                outcome,
            };
            event(id, minute, "alice", EntryKind::SeverityChange, Some(data))
        };
        let events = vec![
            declared(1),
            severity(2, 4, Severity::P0, ChangeOutcome::Conflict),
            severity(3, 10, Severity::P1, ChangeOutcome::Applied),
        ];
        let replay = Replay::new(ending(), events, at(60));
        let s = replay.standing_at(at(5));
        assert_eq!(
            (s.incident.severity, s.incident.severity_changed_at),
            (Severity::P2, None)
        );
        let s = replay.standing_at(at(10));
        assert_eq!(
            (s.incident.severity, s.incident.severity_changed_at),
            (Severity::P1, Some(at(10)))
        );
    }

    #[test]
    fn phases_timers_roles_milestones_and_snoozes_follow_their_events() {
        let system = |id, minute, author, data| event(id, minute, author, EntryKind::System, Some(data));
        let events = vec![
            declared(1),
            system(
                2,
                12,
                "alice",
                EventData::Phase {
                    index: 1,
                    name: "Response".into(),
                },
            ),
            system(
                3,
                15,
                "bob",
                EventData::Timer(TimerEvent::Started {
                    id: 1,
                    deadline: at(25),
                }),
            ),
            system(
                4,
                18,
                "alice",
                EventData::Snooze {
                    until: at(40),
                    reason: "vendor".into(),
                },
            ),
            event(
                5,
                20,
                "alice",
                EntryKind::RoleChange,
                Some(EventData::Role {
                    role: "ic".into(),
                    from: Some("alice".into()),
                    to: "bob".into(),
                }),
            ),
            system(
                6,
                24,
                "bob",
                EventData::Timer(TimerEvent::Closed {
                    id: 1,
                    state: TimerState::Done,
                }),
            ),
            system(
                7,
                40,
                "bob",
                EventData::Milestone(MilestoneSet {
                    which: Milestone::Resolved,
                    at: at(40),
                }),
            ),
        ];
        let replay = Replay::new(ending(), events, at(60));
        let s = replay.standing_at(at(11));
        assert_eq!(s.incident.phase, 0);
        let s = replay.standing_at(at(16));
        assert_eq!(s.incident.phase, 1);
        assert_eq!(s.timers.len(), 1);
        let timer = &s.timers[0];
        assert_eq!(
            (
                timer.label.as_str(),
                timer.state,
                timer.started_by.as_str(),
                timer.deadline
            ),
            ("check rollback", TimerState::Running, "bob", at(25))
        );
        let s = replay.standing_at(at(19));
        assert_eq!(
            s.incident.update_snooze,
            Some(Snooze {
                at: at(18),
                until: at(40)
            })
        );
        let s = replay.standing_at(at(21));
        let ic: Vec<_> = s.roles.iter().map(|r| (r.account.as_str(), r.since)).collect();
        assert_eq!(ic, [("bob", at(20))]);
        let s = replay.standing_at(at(30));
        assert_eq!(s.timers[0].state, TimerState::Done);
        assert!(s.incident.status().is_open());
        assert_eq!(
            s.incident.milestones.resolved_at, None,
            "set by an event still to come"
        );
        let s = replay.standing_at(at(40));
        assert_eq!(s.incident.milestones.resolved_at, Some(at(40)));
        assert!(!s.incident.status().is_open());
    }

    #[test]
    fn events_take_effect_when_written_in_the_logs_order() {
        // A note backdated to minute 2, written at minute 30; then an
        // event stamped by a host whose clock lagged (minute 25).
        let mut backdated = event(2, 2, "dave", EntryKind::Note, None);
        backdated.recorded_at = at(30);
        let mut lagging = check(3, 25, "1.1", ChangeOutcome::Applied);
        lagging.occurred_at = at(25);
        let replay = Replay::new(ending(), vec![declared(1), backdated, lagging], at(60));
        assert_eq!(replay.applied_at(at(29)), 1, "not before it was written");
        assert_eq!(
            replay.applied_at(at(30)),
            3,
            "the lagging event comes after it, as logged"
        );
        let s = replay.standing_at(at(30));
        let order: Vec<i64> = replay.timeline(&s).map(|e| e.id).collect();
        assert_eq!(order, [1, 2, 3], "in the timeline by when it happened");
        assert_eq!(replay.last_id(&s), 3);
    }

    #[test]
    fn pins_read_as_they_stood() {
        // Entry 2 was written pinned, unpinned at minute 10, pinned again at 20:
        // read now it is pinned.
        let mut note = event(2, 1, "dave", EntryKind::Note, None);
        note.pinned = true;
        let pin = |id, minute, pinned| {
            event(
                id,
                minute,
                "alice",
                EntryKind::System,
                Some(EventData::Pin { entry: 2, pinned }),
            )
        };
        let events = vec![declared(1), note, pin(3, 10, false), pin(4, 20, true)];
        let replay = Replay::new(ending(), events, at(60));
        let pinned_ids = |minute| -> Vec<i64> {
            replay
                .pinned(&replay.standing_at(at(minute)))
                .iter()
                .map(|e| e.id)
                .collect()
        };
        assert_eq!(pinned_ids(5), [2], "pinned as written");
        assert_eq!(pinned_ids(15), Vec::<i64>::new());
        assert_eq!(pinned_ids(25), [2]);
    }

    #[test]
    fn an_open_incident_plays_up_to_now_and_status_updates_are_tracked() {
        let mut open = ending();
        open.incident.milestones.resolved_at = None;
        let update = |id, minute| event(id, minute, "carol", EntryKind::StatusUpdate, None);
        let replay = Replay::new(open, vec![declared(1), update(2, 5), update(3, 9)], at(60));
        assert_eq!(replay.end(), at(60));
        let s = replay.standing_at(at(6));
        assert_eq!(replay.latest_status_update(&s).map(|e| e.id), Some(2));
        let s = replay.standing_at(at(60));
        assert_eq!(replay.latest_status_update(&s).map(|e| e.id), Some(3));
    }

    #[test]
    fn advancing_and_going_back_give_the_same_states_as_folding_afresh() {
        let events = vec![
            declared(1),
            check(2, 5, "1.2", ChangeOutcome::Applied),
            check(3, 9, "1.1", ChangeOutcome::Applied),
        ];
        let replay = Replay::new(ending(), events, at(60));
        let mut s = replay.standing_after(0);
        for n in [1, 3, 2, 0, 3, 1] {
            replay.advance(&mut s, n);
            assert_eq!(s, replay.standing_after(n), "{n}");
        }
        replay.advance(&mut s, 99);
        assert_eq!(s.applied, 3, "no further than the log");
    }

    #[test]
    fn a_replay_starts_at_the_declaration_after_it_or_at_a_time_within_it() {
        let replay = Replay::new(
            ending(),
            vec![declared(1), check(2, 30, "1.1", ChangeOutcome::Applied)],
            at(60),
        );
        let now = at(24 * 60);
        assert_eq!(replay.start_from(None, &now), Ok(at(0)));
        assert_eq!(replay.start_from(Some("+10m"), &now), Ok(at(10)));
        assert_eq!(replay.start_from(Some("2026-03-01T14:20:00Z"), &now), Ok(at(20)));
        assert_eq!(replay.start_from(Some("-23h40m"), &now), Ok(at(20)));
        let late = replay.start_from(Some("+2h"), &now).unwrap_err();
        assert!(
            late.contains("outside the replay") && late.contains("14:30 UTC"),
            "{late}"
        );
        assert!(
            replay
                .start_from(Some("+soon"), &now)
                .unwrap_err()
                .contains("\"+soon\"")
        );
        assert!(
            replay
                .start_from(Some("yesterday"), &now)
                .unwrap_err()
                .contains("cannot read the time")
        );
    }

    #[test]
    fn action_items_appear_when_added_and_are_done_when_marked() {
        let mut ending = ending();
        ending.actions = vec![ActionItem {
            id: 4,
            incident_id: 7,
            text: "Add a canary stage".into(),
            owner: Some("bob".into()),
            due_at: Some(at(3000)),
            created_by: "alice".into(),
            created_at: at(41),
            done_by: Some("bob".into()),
            done_at: Some(at(50)),
        }];
        let action = |id, minute, data| {
            event(
                id,
                minute,
                "bob",
                EntryKind::System,
                Some(EventData::Action(data)),
            )
        };
        let events = vec![
            declared(1),
            action(2, 41, ActionEvent::Added { id: 4 }),
            action(3, 50, ActionEvent::Done { id: 4 }),
        ];
        let replay = Replay::new(ending, events, at(60));
        assert!(replay.standing_at(at(40)).actions.is_empty());
        let s = replay.standing_at(at(45));
        assert_eq!((s.actions.len(), s.actions[0].done_at), (1, None));
        let s = replay.standing_at(at(50));
        assert_eq!(s.actions[0].done_at, Some(at(50)));
    }
}

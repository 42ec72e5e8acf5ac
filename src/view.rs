//! The incident as the console's panes, the command core and the post-mortem
//! read it: facts derived from a record and its runbook (who commands, the
//! clocks, what is pinned, which roles exist), written once.

use chrono::{DateTime, TimeDelta, Utc};

use crate::domain::TimelineEntry;
use crate::domain::clock::{self, Cadence, PhaseClock, PhaseWindow, UpdateClock};
use crate::domain::roles::{self, Role};
use crate::domain::timer::Timer;
use crate::runbook::Runbook;
use crate::store::IncidentRecord;

/// How long before a status update is due the header starts counting it
/// down.
pub const UPDATE_WARNING: TimeDelta = TimeDelta::minutes(5);

/// The post-mortem of a resolved incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Postmortem {
    /// Not done yet; due at (48 hours after resolution, the SOP's
    /// [`crate::domain::incident::POSTMORTEM_WITHIN`]).
    Due(DateTime<Utc>),
    /// Marked done at.
    Done(DateTime<Utc>),
}

/// A clock that needs the commander now (see [`IncidentView::needs_attention`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attention<'a> {
    /// The status update is overdue by this much.
    UpdateOverdue(TimeDelta),
    /// A running timer past its deadline.
    TimerDue(&'a Timer),
    /// The current phase is past its window.
    PhaseOverdue(PhaseClock),
    /// The post-mortem is overdue by this much.
    PostmortemOverdue(TimeDelta),
    /// The status update is due in this much, within [`UPDATE_WARNING`].
    UpdateSoon(TimeDelta),
}

/// A record with its runbook (parsed once by whoever holds the record).
#[derive(Debug, Clone, Copy)]
pub struct IncidentView<'a> {
    pub record: &'a IncidentRecord,
    /// None when the snapshotted runbook no longer parses.
    pub runbook: Option<&'a Runbook>,
}

impl<'a> IncidentView<'a> {
    pub fn new(record: &'a IncidentRecord, runbook: Option<&'a Runbook>) -> Self {
        IncidentView { record, runbook }
    }

    /// The incident commander's account: the role's holder, else whoever
    /// declared.
    pub fn commander(&self) -> &'a str {
        let holder = self.record.roles.iter().find(|r| r.role == roles::COMMANDER);
        holder.map_or(self.record.incident.declared_by.as_str(), |h| h.account.as_str())
    }

    /// The pinned entries, in the order things happened. An entry reads as
    /// pinned now: its own flag unless pinned or unpinned since, so pins
    /// made after the fact count. From the record's facts about the whole
    /// timeline, not the entries it holds.
    pub fn pinned(&self) -> impl Iterator<Item = &'a TimelineEntry> + use<'a> {
        self.record.facts.pinned.iter()
    }

    /// The last status update posted, if ever (by the timeline's order).
    pub fn last_status_update(&self) -> Option<&'a TimelineEntry> {
        self.record.facts.latest_status_update.as_ref()
    }

    /// The phase windows of the runbook.
    pub fn phase_windows(&self) -> Vec<PhaseWindow> {
        self.runbook
            .iter()
            .flat_map(|r| &r.phases)
            .map(|p| PhaseWindow {
                name: p.name.clone(),
                start: p.window_start,
                end: p.window_end,
            })
            .collect()
    }

    /// When the incident's clocks stopped: at its resolution (or its
    /// closing, for one closed without being resolved); None while open.
    pub fn stopped_at(&self) -> Option<DateTime<Utc>> {
        let milestones = &self.record.incident.milestones;
        milestones.resolved_at.or(milestones.closed_at)
    }

    /// Time since the declaration (`T+`), frozen once the clocks stopped.
    pub fn since_declared(&self, now: DateTime<Utc>) -> TimeDelta {
        self.stopped_at().unwrap_or(now) - self.record.incident.milestones.declared_at
    }

    /// How far into the current phase's window the incident is; the clock
    /// stops at resolution.
    pub fn phase_clock(&self, now: DateTime<Utc>) -> Option<PhaseClock> {
        clock::phase_clock(
            &self.phase_windows(),
            self.record.incident.phase,
            self.record.incident.milestones.declared_at,
            self.stopped_at().unwrap_or(now),
        )
    }

    /// The post-mortem's countdown, once resolved: due 48 hours after
    /// resolution, until it is marked done.
    pub fn postmortem(&self) -> Option<Postmortem> {
        let incident = &self.record.incident;
        match (incident.postmortem_done_at, incident.postmortem_due()) {
            (Some(done), _) => Some(Postmortem::Done(done)),
            (None, Some(due)) => Some(Postmortem::Due(due)),
            (None, None) => None,
        }
    }

    /// The clocks that need the commander now, most urgent first: an
    /// overdue status update, due timers (the longest due first), an
    /// overdue phase, an overdue post-mortem, then a status update due
    /// within [`UPDATE_WARNING`]. Only an open incident has status updates
    /// and phases to keep.
    pub fn needs_attention(&self, now: DateTime<Utc>) -> Vec<Attention<'a>> {
        let open = self.record.incident.status().is_open();
        let update = open.then(|| self.status_update_due().0 - now);
        let mut list = Vec::new();
        if let Some(remaining) = update.filter(|r| *r < TimeDelta::zero()) {
            list.push(Attention::UpdateOverdue(-remaining));
        }
        let mut timers: Vec<&Timer> = self.due_timers(now).collect();
        timers.sort_by_key(|t| (t.deadline, t.id));
        list.extend(timers.into_iter().map(Attention::TimerDue));
        if let Some(phase) = self.phase_clock(now).filter(|p| open && p.is_overdue()) {
            list.push(Attention::PhaseOverdue(phase));
        }
        if let Some(Postmortem::Due(due)) = self.postmortem()
            && due < now
        {
            list.push(Attention::PostmortemOverdue(now - due));
        }
        if let Some(remaining) = update.filter(|r| *r >= TimeDelta::zero() && *r <= UPDATE_WARNING) {
            list.push(Attention::UpdateSoon(remaining));
        }
        list
    }

    /// The status-update cadence: the runbook's, else the SOP's.
    pub fn cadence(&self) -> Cadence {
        let mut cadence = Cadence::default();
        for c in self.runbook.iter().flat_map(|r| &r.status_cadence) {
            if let Ok(severity) = c.severity.parse() {
                cadence = cadence.with(severity, c.every);
            }
        }
        cadence
    }

    /// When the next status update is due, and the cadence it runs on.
    pub fn status_update_due(&self) -> (DateTime<Utc>, TimeDelta) {
        let incident = &self.record.incident;
        let every = self.cadence().every(incident.severity);
        let clock = UpdateClock {
            declared_at: incident.milestones.declared_at,
            last_update: self.last_status_update().map(|e| e.occurred_at),
            severity_changed_at: incident.severity_changed_at,
            snooze: incident.update_snooze,
        };
        (clock::next_status_update(every, &clock), every)
    }

    /// The roles this incident's runbook knows, with the standard ones.
    pub fn roles(&self) -> Vec<Role> {
        let named: Vec<(String, String)> = self
            .runbook
            .iter()
            .flat_map(|r| &r.roles)
            .map(|r| (r.name.clone(), r.description.clone()))
            .collect();
        roles::roles(&named)
    }

    /// Running timers past their deadline.
    pub fn due_timers(&self, now: DateTime<Utc>) -> impl Iterator<Item = &'a Timer> + use<'a> {
        self.record.timers.iter().filter(move |t| t.is_due(now))
    }

    /// The current phase's items are all closed and a next phase exists:
    /// time to move on.
    pub fn phase_complete(&self) -> bool {
        let phase = self.record.incident.phase;
        let prefix = format!("p{}.", phase + 1);
        let mut items = self
            .record
            .checklist
            .iter()
            .filter(|i| i.key.starts_with(&prefix))
            .peekable();
        items.peek().is_some() && items.all(|i| i.state.is_closed()) && phase + 1 < self.phase_windows().len()
    }
}

//! The incident as the console's panes, the command core and the post-mortem
//! read it: facts derived from a record and its runbook (who commands, the
//! clocks, what is pinned, which roles exist), written once.

use chrono::{DateTime, TimeDelta, Utc};

use crate::domain::clock::{self, Cadence, PhaseClock, PhaseWindow, UpdateClock};
use crate::domain::roles::{self, Role};
use crate::domain::timer::Timer;
use crate::domain::{EntryKind, TimelineEntry};
use crate::runbook::Runbook;
use crate::store::IncidentRecord;

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
    /// pinned now: its own flag unless pinned or unpinned since (the store
    /// reads the latest pin over it; a console applies pin events as they
    /// arrive), so pins made after the fact count.
    pub fn pinned(&self) -> impl Iterator<Item = &'a TimelineEntry> + use<'a> {
        self.record.timeline.iter().filter(|e| e.pinned)
    }

    /// The last status update posted, if ever.
    pub fn last_status_update(&self) -> Option<&'a TimelineEntry> {
        self.record
            .timeline
            .iter()
            .filter(|e| e.kind == EntryKind::StatusUpdate)
            .max_by_key(|e| e.occurred_at)
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

    /// How far into the current phase's window the incident is; the clock
    /// stops at resolution.
    pub fn phase_clock(&self, now: DateTime<Utc>) -> Option<PhaseClock> {
        let milestones = &self.record.incident.milestones;
        let until = milestones.resolved_at.unwrap_or(now);
        clock::phase_clock(
            &self.phase_windows(),
            self.record.incident.phase,
            milestones.declared_at,
            until,
        )
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

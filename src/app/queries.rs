//! The attached incident as the panes read it: the shared incident view
//! (`crate::view`) for this console's record and clock, and what only a
//! console has (the search, who is here, the bell).

use chrono::{DateTime, TimeDelta, Utc};

use super::{App, Deadline};
use crate::domain::TimelineEntry;
use crate::domain::clock::{Cadence, PhaseClock, PhaseWindow};
use crate::domain::presence::Presence;
use crate::domain::timer::Timer;
use crate::view::IncidentView;

impl App {
    /// The attached incident as the panes read it.
    pub fn view(&self) -> Option<IncidentView<'_>> {
        Some(IncidentView::new(self.record.as_ref()?, self.runbook.as_ref()))
    }

    /// The phase windows of the incident's runbook.
    pub fn phase_windows(&self) -> Vec<PhaseWindow> {
        self.view().map(|v| v.phase_windows()).unwrap_or_default()
    }

    pub fn phase_clock(&self) -> Option<PhaseClock> {
        self.view()?.phase_clock(self.now)
    }

    /// The status-update cadence: the runbook's, else the SOP's.
    pub fn cadence(&self) -> Cadence {
        self.view().map(|v| v.cadence()).unwrap_or_default()
    }

    /// When the next status update is due, and the cadence it runs on.
    pub fn status_update_due(&self) -> Option<(DateTime<Utc>, TimeDelta)> {
        Some(self.view()?.status_update_due())
    }

    /// The incident commander's account.
    pub fn commander(&self) -> Option<&str> {
        Some(self.view()?.commander())
    }

    /// Running timers past their deadline.
    pub fn due_timers(&self) -> impl Iterator<Item = &Timer> {
        self.view().into_iter().flat_map(|v| v.due_timers(self.now))
    }

    /// The deadlines that are due now: running timers and the status update.
    pub(super) fn due_deadlines(&self) -> Vec<Deadline> {
        let mut due: Vec<Deadline> = self.due_timers().map(|t| Deadline::Timer(t.id)).collect();
        if let Some((at, _)) = self.status_update_due()
            && at <= self.now
            && self
                .record
                .as_ref()
                .is_some_and(|r| r.incident.status().is_open())
        {
            due.push(Deadline::StatusUpdate(at));
        }
        due
    }

    /// Rings once for each deadline that came due while this console watched.
    pub(super) fn ring_for_new_deadlines(&mut self) {
        for deadline in self.due_deadlines() {
            if self.rung.insert(deadline) && self.bell_enabled {
                self.bell = true;
            }
        }
    }

    /// When the last status update was posted, if ever.
    pub fn last_status_update(&self) -> Option<&TimelineEntry> {
        self.view()?.last_status_update()
    }

    /// Timeline entries shown: all, or the matches of the search loaded.
    pub fn visible_timeline(&self) -> Vec<&TimelineEntry> {
        match (&self.record, &self.search) {
            (None, _) => Vec::new(),
            (Some(record), None) => record.timeline.iter().collect(),
            (Some(_), Some(search)) => search.entries.iter().collect(),
        }
    }

    /// How many entries [`App::visible_timeline`] holds.
    pub(super) fn visible_count(&self) -> usize {
        match (&self.record, &self.search) {
            (None, _) => 0,
            (Some(record), None) => record.timeline.len(),
            (Some(_), Some(search)) => search.entries.len(),
        }
    }

    /// Attached consoles still beating, as of `now`.
    pub fn live_presence(&self) -> impl Iterator<Item = &Presence> {
        self.presence.iter().filter(|p| p.is_live(self.now))
    }

    /// The current phase's items are all closed: time to move on.
    pub fn phase_complete(&self) -> bool {
        self.view().is_some_and(|v| v.phase_complete())
    }
}

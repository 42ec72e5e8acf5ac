//! The incident's clocks: which response phase it is in, and when the next
//! status update is due. Pure arithmetic on times given by the caller.

use chrono::{DateTime, TimeDelta, Utc};

use super::Severity;

/// A response phase's window, measured from declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseWindow {
    pub name: String,
    pub start: TimeDelta,
    pub end: TimeDelta,
}

/// Where the incident is in its response phases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseClock {
    /// Index into the phases.
    pub index: usize,
    pub name: String,
    /// Time since declaration.
    pub elapsed: TimeDelta,
    pub start: TimeDelta,
    pub end: TimeDelta,
}

impl PhaseClock {
    /// Time left in the window; negative once overdue.
    pub fn remaining(&self) -> TimeDelta {
        self.end - self.elapsed
    }

    pub fn is_overdue(&self) -> bool {
        self.elapsed > self.end
    }

    /// How far into its window, 0.0 at the start, 1.0 at the end (more when overdue).
    pub fn progress(&self) -> f64 {
        let span = (self.end - self.start).num_milliseconds().max(1) as f64;
        (self.elapsed - self.start).num_milliseconds() as f64 / span
    }
}

/// The clock of the current phase (`index`, as advanced by the commander):
/// how far the incident is into that phase's window; past its end it is
/// overdue.
pub fn phase_clock(
    phases: &[PhaseWindow],
    index: usize,
    declared_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<PhaseClock> {
    let elapsed = (now - declared_at).max(TimeDelta::zero());
    let index = index.min(phases.len().checked_sub(1)?);
    let phase = &phases[index];
    Some(PhaseClock {
        index,
        name: phase.name.clone(),
        elapsed,
        start: phase.start,
        end: phase.end,
    })
}

/// Status-update cadence per severity. The SOP: every 15 minutes for P0/P1,
/// hourly for P2/P3; a runbook may say otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence([TimeDelta; 4]);

impl Default for Cadence {
    fn default() -> Self {
        Cadence([
            TimeDelta::minutes(15),
            TimeDelta::minutes(15),
            TimeDelta::hours(1),
            TimeDelta::hours(1),
        ])
    }
}

impl Cadence {
    pub fn every(&self, severity: Severity) -> TimeDelta {
        self.0[severity as usize]
    }

    pub fn with(mut self, severity: Severity, every: TimeDelta) -> Cadence {
        self.0[severity as usize] = every;
        self
    }
}

/// A snooze of the status-update countdown: when it was asked for, until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snooze {
    pub at: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// What the status-update countdown depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdateClock {
    pub declared_at: DateTime<Utc>,
    pub last_update: Option<DateTime<Utc>>,
    /// A severity change re-times the countdown at the new cadence.
    pub severity_changed_at: Option<DateTime<Utc>>,
    pub snooze: Option<Snooze>,
}

/// When the next status update is due: one cadence after the latest of
/// declaration, the last update and the last severity change; a snooze pushes
/// it out until a later update supersedes the snooze.
pub fn next_status_update(every: TimeDelta, clock: &UpdateClock) -> DateTime<Utc> {
    let anchor = [clock.last_update, clock.severity_changed_at]
        .into_iter()
        .flatten()
        .fold(clock.declared_at, DateTime::max);
    let due = anchor + every;
    match clock.snooze {
        Some(snooze) if clock.last_update.is_none_or(|update| update <= snooze.at) => due.max(snooze.until),
        _ => due,
    }
}

/// How urgent a countdown is, for colour and for the words shown without colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Calm,
    /// Within the last fifth of its span (or the last five minutes).
    Near,
    Overdue,
}

/// Urgency of a deadline given the span it counts down over.
pub fn urgency(remaining: TimeDelta, span: TimeDelta) -> Urgency {
    if remaining < TimeDelta::zero() {
        Urgency::Overdue
    } else if remaining <= (span / 5).min(TimeDelta::minutes(5)).max(TimeDelta::minutes(1)) {
        Urgency::Near
    } else {
        Urgency::Calm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sop_phases() -> Vec<PhaseWindow> {
        [
            ("Triage", 0, 15),
            ("Response", 15, 60),
            ("Resolution", 60, 240),
            ("Follow-up", 240, 4320),
        ]
        .into_iter()
        .map(|(name, start, end)| PhaseWindow {
            name: name.into(),
            start: TimeDelta::minutes(start),
            end: TimeDelta::minutes(end),
        })
        .collect()
    }

    fn t(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap() + TimeDelta::minutes(minutes)
    }

    #[test]
    fn phase_windows_from_the_sop() {
        let phases = sop_phases();
        let at = |index, m| phase_clock(&phases, index, t(0), t(m)).unwrap();
        assert_eq!(at(0, 0).name, "Triage");
        assert_eq!(at(0, 14).remaining(), TimeDelta::minutes(1));
        assert!(!at(0, 15).is_overdue());
        assert!(at(0, 16).is_overdue(), "triage not advanced after 15 minutes");
        assert_eq!(at(1, 16).name, "Response");
        assert!(!at(1, 59).is_overdue());
        assert!(!at(2, 239).is_overdue());
        assert!(at(3, 5000).is_overdue());
        assert_eq!(
            at(9, 1).name,
            "Follow-up",
            "an index past the end means the last phase"
        );
        assert!(phase_clock(&[], 0, t(0), t(5)).is_none());
    }

    fn clock(
        last_update: Option<i64>,
        severity_changed: Option<i64>,
        snooze: Option<(i64, i64)>,
    ) -> UpdateClock {
        UpdateClock {
            declared_at: t(0),
            last_update: last_update.map(t),
            severity_changed_at: severity_changed.map(t),
            snooze: snooze.map(|(at, until)| Snooze {
                at: t(at),
                until: t(until),
            }),
        }
    }

    #[test]
    fn status_updates_run_on_the_severity_cadence() {
        let sop = Cadence::default();
        for (severity, minutes) in [
            (Severity::P0, 15),
            (Severity::P1, 15),
            (Severity::P2, 60),
            (Severity::P3, 60),
        ] {
            assert_eq!(sop.every(severity), TimeDelta::minutes(minutes), "{severity}");
            assert_eq!(
                next_status_update(sop.every(severity), &clock(None, None, None)),
                t(minutes)
            );
        }
        // Reset by an update.
        assert_eq!(
            next_status_update(sop.every(Severity::P0), &clock(Some(20), None, None)),
            t(35)
        );
        // A backdated update from before declaration counts from declaration.
        assert_eq!(
            next_status_update(sop.every(Severity::P0), &clock(Some(-30), None, None)),
            t(15)
        );
        // Re-timed by a severity change: P3 → P1 at minute 50 is due at 65.
        assert_eq!(
            next_status_update(sop.every(Severity::P1), &clock(None, Some(50), None)),
            t(65)
        );
        // A runbook's own cadence.
        let fast = sop.with(Severity::P1, TimeDelta::minutes(5));
        assert_eq!(
            next_status_update(fast.every(Severity::P1), &clock(Some(10), None, None)),
            t(15)
        );
    }

    #[test]
    fn snoozes_push_the_deadline_until_the_next_update() {
        let every = TimeDelta::minutes(15);
        // Snoozed at 14 until 30: due at 30 instead of 15.
        assert_eq!(
            next_status_update(every, &clock(None, None, Some((14, 30)))),
            t(30)
        );
        // A snooze shorter than the cadence changes nothing.
        assert_eq!(
            next_status_update(every, &clock(None, None, Some((1, 10)))),
            t(15)
        );
        // An update after the snooze supersedes it.
        assert_eq!(
            next_status_update(every, &clock(Some(20), None, Some((14, 60)))),
            t(35)
        );
        // Overdue is plain arithmetic on the deadline.
        let due = next_status_update(every, &clock(Some(20), None, None));
        assert!(urgency(due - t(40), every) == Urgency::Overdue);
    }

    #[test]
    fn urgency_thresholds() {
        let span = TimeDelta::minutes(15);
        assert_eq!(urgency(TimeDelta::minutes(10), span), Urgency::Calm);
        assert_eq!(urgency(TimeDelta::minutes(3), span), Urgency::Near);
        assert_eq!(urgency(TimeDelta::seconds(-1), span), Urgency::Overdue);
    }
}

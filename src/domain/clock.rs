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

/// The phase whose window holds `now`: the last one that has started. After the
/// last window ends, the last phase stays current and is overdue.
pub fn phase_at(
    phases: &[PhaseWindow],
    declared_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<PhaseClock> {
    let elapsed = (now - declared_at).max(TimeDelta::zero());
    let index = phases
        .iter()
        .rposition(|p| p.start <= elapsed)
        .or(if phases.is_empty() { None } else { Some(0) })?;
    let phase = &phases[index];
    Some(PhaseClock {
        index,
        name: phase.name.clone(),
        elapsed,
        start: phase.start,
        end: phase.end,
    })
}

/// The SOP's status-update cadence: every 15 minutes for P0/P1, hourly for P2/P3.
pub fn status_update_cadence(severity: Severity) -> TimeDelta {
    match severity {
        Severity::P0 | Severity::P1 => TimeDelta::minutes(15),
        Severity::P2 | Severity::P3 => TimeDelta::hours(1),
    }
}

/// When the next status update is due: one cadence after the last update, or
/// after declaration if there has been none.
pub fn next_status_update(
    severity: Severity,
    declared_at: DateTime<Utc>,
    last_update: Option<DateTime<Utc>>,
) -> DateTime<Utc> {
    last_update.unwrap_or(declared_at).max(declared_at) + status_update_cadence(severity)
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
    fn phases_follow_the_windows() {
        let phases = sop_phases();
        let at = |m| phase_at(&phases, t(0), t(m)).unwrap();
        assert_eq!(at(0).name, "Triage");
        assert_eq!(at(14).remaining(), TimeDelta::minutes(1));
        assert_eq!(at(15).name, "Response");
        assert_eq!(at(61).name, "Resolution");
        assert!(!at(239).is_overdue());
        assert_eq!(at(5000).name, "Follow-up");
        assert!(at(5000).is_overdue());
        assert!(phase_at(&[], t(0), t(5)).is_none());
    }

    #[test]
    fn status_updates_run_on_the_severity_cadence() {
        assert_eq!(next_status_update(Severity::P1, t(0), None), t(15));
        assert_eq!(next_status_update(Severity::P3, t(0), None), t(60));
        assert_eq!(next_status_update(Severity::P0, t(0), Some(t(20))), t(35));
        // A backdated update from before declaration counts from declaration.
        assert_eq!(next_status_update(Severity::P0, t(0), Some(t(-30))), t(15));
    }

    #[test]
    fn urgency_thresholds() {
        let span = TimeDelta::minutes(15);
        assert_eq!(urgency(TimeDelta::minutes(10), span), Urgency::Calm);
        assert_eq!(urgency(TimeDelta::minutes(3), span), Urgency::Near);
        assert_eq!(urgency(TimeDelta::seconds(-1), span), Urgency::Overdue);
    }
}

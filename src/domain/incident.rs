//! The incident itself: severity, milestones and the status derived from them.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// SOP severity, P0 (critical) to P3 (low). Ordered so that `P0 < P3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    P0,
    P1,
    P2,
    P3,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Severity::P0, Severity::P1, Severity::P2, Severity::P3];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::P0 => "P0",
            Severity::P1 => "P1",
            Severity::P2 => "P2",
            Severity::P3 => "P3",
        }
    }

    /// The SOP's one-word label (P0 critical … P3 low).
    pub fn label(self) -> &'static str {
        match self {
            Severity::P0 => "critical",
            Severity::P1 => "high",
            Severity::P2 => "medium",
            Severity::P3 => "low",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "P0" | "0" => Ok(Severity::P0),
            "P1" | "1" => Ok(Severity::P1),
            "P2" | "2" => Ok(Severity::P2),
            "P3" | "3" => Ok(Severity::P3),
            _ => Err(format!("unknown severity {s:?}: expected P0, P1, P2 or P3")),
        }
    }
}

/// The milestones of an incident, in the order they must happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    Started,
    Detected,
    Declared,
    Acknowledged,
    Mitigated,
    Resolved,
    Closed,
}

impl Milestone {
    pub const ALL: [Milestone; 7] = [
        Milestone::Started,
        Milestone::Detected,
        Milestone::Declared,
        Milestone::Acknowledged,
        Milestone::Mitigated,
        Milestone::Resolved,
        Milestone::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::Started => "started",
            Milestone::Detected => "detected",
            Milestone::Declared => "declared",
            Milestone::Acknowledged => "acknowledged",
            Milestone::Mitigated => "mitigated",
            Milestone::Resolved => "resolved",
            Milestone::Closed => "closed",
        }
    }
}

impl Milestone {
    /// Capitalized, for labels.
    pub fn title(self) -> &'static str {
        match self {
            Milestone::Started => "Started",
            Milestone::Detected => "Detected",
            Milestone::Declared => "Declared",
            Milestone::Acknowledged => "Acknowledged",
            Milestone::Mitigated => "Mitigated",
            Milestone::Resolved => "Resolved",
            Milestone::Closed => "Closed",
        }
    }
}

impl fmt::Display for Milestone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// When each milestone happened, if it has. `declared` always exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Milestones {
    pub started_at: Option<DateTime<Utc>>,
    pub detected_at: Option<DateTime<Utc>>,
    pub declared_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl Milestones {
    /// Sets one milestone (declaration cannot move).
    pub fn set(&mut self, milestone: Milestone, at: Option<DateTime<Utc>>) {
        match milestone {
            Milestone::Started => self.started_at = at,
            Milestone::Detected => self.detected_at = at,
            Milestone::Declared => {}
            Milestone::Acknowledged => self.acknowledged_at = at,
            Milestone::Mitigated => self.mitigated_at = at,
            Milestone::Resolved => self.resolved_at = at,
            Milestone::Closed => self.closed_at = at,
        }
    }

    pub fn new(declared_at: DateTime<Utc>) -> Self {
        Milestones {
            started_at: None,
            detected_at: None,
            declared_at,
            acknowledged_at: None,
            mitigated_at: None,
            resolved_at: None,
            closed_at: None,
        }
    }

    pub fn get(&self, milestone: Milestone) -> Option<DateTime<Utc>> {
        match milestone {
            Milestone::Started => self.started_at,
            Milestone::Detected => self.detected_at,
            Milestone::Declared => Some(self.declared_at),
            Milestone::Acknowledged => self.acknowledged_at,
            Milestone::Mitigated => self.mitigated_at,
            Milestone::Resolved => self.resolved_at,
            Milestone::Closed => self.closed_at,
        }
    }

    /// The recorded milestones in their required order.
    pub fn recorded(&self) -> impl Iterator<Item = (Milestone, DateTime<Utc>)> + '_ {
        Milestone::ALL
            .into_iter()
            .filter_map(|m| self.get(m).map(|at| (m, at)))
    }

    /// Checks started ≤ detected ≤ acknowledged ≤ mitigated ≤ resolved ≤ closed,
    /// and that the incident did not start or get detected after it was declared.
    /// Declaration is otherwise free: on-call often acknowledges a page before
    /// anyone declares an incident. Names the first conflicting pair.
    pub fn validate(&self) -> Result<(), String> {
        let chain = Milestone::ALL
            .into_iter()
            .filter(|m| *m != Milestone::Declared)
            .filter_map(|m| self.get(m).map(|at| (m, at)));
        let mut previous: Option<(Milestone, DateTime<Utc>)> = None;
        for (milestone, at) in chain {
            if let Some((earlier, earlier_at)) = previous {
                check_order(earlier, earlier_at, milestone, at)?;
            }
            previous = Some((milestone, at));
        }
        for early in [Milestone::Started, Milestone::Detected] {
            if let Some(at) = self.get(early) {
                check_order(early, at, Milestone::Declared, self.declared_at)?;
            }
        }
        Ok(())
    }
}

fn check_order(
    earlier: Milestone,
    earlier_at: DateTime<Utc>,
    later: Milestone,
    later_at: DateTime<Utc>,
) -> Result<(), String> {
    if later_at >= earlier_at {
        return Ok(());
    }
    let show = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Err(format!(
        "{later} ({}) cannot be before {earlier} ({})",
        show(later_at),
        show(earlier_at)
    ))
}

/// Where the incident stands, derived from its milestones (never stored, so it
/// cannot disagree with them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Declared, nobody has acknowledged it yet.
    Declared,
    Acknowledged,
    Mitigated,
    Resolved,
    Closed,
}

impl Status {
    pub fn of(milestones: &Milestones) -> Status {
        if milestones.closed_at.is_some() {
            Status::Closed
        } else if milestones.resolved_at.is_some() {
            Status::Resolved
        } else if milestones.mitigated_at.is_some() {
            Status::Mitigated
        } else if milestones.acknowledged_at.is_some() {
            Status::Acknowledged
        } else {
            Status::Declared
        }
    }

    /// Open incidents are the ones still being worked on.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Declared => "declared",
            Status::Acknowledged => "acknowledged",
            Status::Mitigated => "mitigated",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// An incident as every responder sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// Small integer shown to humans (`warroom show 3`).
    pub id: i64,
    /// Globally unique id, stable across exports.
    pub uuid: String,
    pub title: String,
    pub severity: Severity,
    pub milestones: Milestones,
    /// Unix account that declared it.
    pub declared_by: String,
    /// Name of the runbook the incident was declared with (its text is snapshotted).
    pub runbook_name: String,
    /// Bumped on every change to the incident row; for compare-and-set.
    pub version: i64,
    /// Index of the current response phase (advanced by the commander).
    pub phase: usize,
    pub severity_changed_at: Option<DateTime<Utc>>,
    /// The status-update countdown pushed out, with a reason on the timeline.
    pub update_snooze: Option<crate::domain::clock::Snooze>,
    /// When the post-mortem was marked done (due within 48 h of resolution).
    pub postmortem_done_at: Option<DateTime<Utc>>,
    /// Declared as a drill: practice on the real tool, marked DRILL in every
    /// view and export and kept out of the metrics.
    pub drill: bool,
}

/// The SOP: a blameless post-mortem within 48 hours of resolution.
pub const POSTMORTEM_WITHIN: chrono::TimeDelta = chrono::TimeDelta::hours(48);

impl Incident {
    /// When the post-mortem is due, once resolved.
    pub fn postmortem_due(&self) -> Option<DateTime<Utc>> {
        self.milestones.resolved_at.map(|at| at + POSTMORTEM_WITHIN)
    }
}

impl Incident {
    pub fn status(&self) -> Status {
        Status::of(&self.milestones)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 10, minute, 0).unwrap()
    }

    #[test]
    fn severity_parses_loosely_and_orders_p0_first() {
        assert_eq!("p1".parse::<Severity>(), Ok(Severity::P1));
        assert_eq!(" P3 ".parse::<Severity>(), Ok(Severity::P3));
        assert!("P4".parse::<Severity>().unwrap_err().contains("P0, P1, P2 or P3"));
        assert!(Severity::P0 < Severity::P3);
    }

    #[test]
    fn status_follows_the_latest_milestone() {
        let mut m = Milestones::new(at(5));
        assert_eq!(Status::of(&m), Status::Declared);
        assert!(Status::of(&m).is_open());
        m.mitigated_at = Some(at(20));
        assert_eq!(Status::of(&m), Status::Mitigated);
        m.resolved_at = Some(at(30));
        assert_eq!(Status::of(&m), Status::Resolved);
        assert!(!Status::of(&m).is_open());
    }

    #[test]
    fn milestone_order_is_validated_and_names_the_conflict() {
        let mut m = Milestones::new(at(10));
        m.started_at = Some(at(1));
        m.detected_at = Some(at(3));
        assert_eq!(m.validate(), Ok(()));
        m.acknowledged_at = Some(at(2));
        let err = m.validate().unwrap_err();
        assert!(err.starts_with("acknowledged"), "{err}");
        assert!(err.contains("before detected"), "{err}");
        // Acknowledging a page before declaring is normal.
        m.acknowledged_at = Some(at(4));
        assert_eq!(m.validate(), Ok(()));
        m.detected_at = Some(at(12));
        m.acknowledged_at = None;
        let err = m.validate().unwrap_err();
        assert!(err.starts_with("declared"), "{err}");
    }
}

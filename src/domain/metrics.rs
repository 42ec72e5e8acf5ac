//! The SOP's Metrics Tracking: times between milestones (MTTD, time to
//! acknowledge, to mitigate, MTTR), the post-mortem completion rate, the
//! action item completion rate, and responder-hours (with an estimated
//! cost when the config gives a rate).
//!
//! Pure: no I/O and no clock (`now` is an argument). An incident missing a
//! milestone a figure needs is listed as excluded with the reason, never
//! counted as zero; a drill is left out of every figure and listed as
//! excluded ("drill").

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::action::ActionItem;
use super::attendance::{
    ACTIVE_DEFINITION, ATTACHED_DEFINITION, AttendanceFacts, COST_FORMULA, CostConfig, Life, participants,
};
use super::incident::{Incident, Milestone, Milestones, POSTMORTEM_WITHIN, Severity, Status};

/// What the metrics need to know about one incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFacts {
    pub id: i64,
    /// Never printed by [`Report::to_text`].
    pub title: String,
    pub severity: Severity,
    pub milestones: Milestones,
    pub postmortem_done_at: Option<DateTime<Utc>>,
    /// Practice: never counted.
    pub drill: bool,
}

impl From<&Incident> for IncidentFacts {
    fn from(incident: &Incident) -> Self {
        IncidentFacts {
            id: incident.id,
            title: incident.title.clone(),
            severity: incident.severity,
            milestones: incident.milestones.clone(),
            postmortem_done_at: incident.postmortem_done_at,
            drill: incident.drill,
        }
    }
}

/// What the metrics need to know about one action item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionFacts {
    pub id: i64,
    pub incident_id: i64,
    pub due_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
}

impl From<&ActionItem> for ActionFacts {
    fn from(item: &ActionItem) -> Self {
        ActionFacts {
            id: item.id,
            incident_id: item.incident_id,
            due_at: item.due_at,
            done_at: item.done_at,
        }
    }
}

/// Which incidents the metrics consider; `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filter {
    /// Only incidents declared at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only incidents of this severity.
    pub severity: Option<Severity>,
}

impl Filter {
    /// Whether the incident passes the filter.
    pub fn matches(&self, incident: &IncidentFacts) -> bool {
        self.since
            .is_none_or(|since| incident.milestones.declared_at >= since)
            && self.severity.is_none_or(|severity| incident.severity == severity)
    }
}

/// An incident left out of a figure, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excluded {
    pub id: i64,
    pub reason: String,
}

/// Time between two milestones over the incidents that have both.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DurationFigure {
    /// Stable snake_case identifier, e.g. `time_to_detect`.
    pub key: &'static str,
    /// Human name, e.g. "Mean time to detect (MTTD)".
    pub name: &'static str,
    /// The duration runs from this milestone…
    pub from: Milestone,
    /// …to this one.
    pub to: Milestone,
    /// Incidents measured.
    pub count: usize,
    pub mean_secs: Option<f64>,
    /// Middle value; the mean of the two middle values for an even count.
    pub median_secs: Option<f64>,
    /// Nearest-rank 90th percentile.
    pub p90_secs: Option<f64>,
    /// Incidents not measured, by id.
    pub excluded: Vec<Excluded>,
}

/// Definition of the post-mortem completion rate.
pub const POSTMORTEM_DEFINITION: &str =
    "resolved incidents whose post-mortem was marked done within 48 hours of resolution";

/// Definition of the action item figures.
pub const ACTION_ITEMS_DEFINITION: &str =
    "action items of the incidents considered; on time = done by its due date, or no due date";

/// The post-mortem completion rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateFigure {
    /// [`POSTMORTEM_DEFINITION`].
    pub definition: &'static str,
    /// Done at most 48 h after resolution.
    pub done_in_time: usize,
    /// Done more than 48 h after resolution.
    pub late: usize,
    /// Not done, and the 48 h have passed.
    pub missing: usize,
    /// Resolved less than 48 h before `now` and not done yet: counted neither way.
    pub pending: Vec<i64>,
    /// `done_in_time + late + missing`.
    pub denominator: usize,
    /// `done_in_time / denominator`; `None` when the denominator is 0.
    pub rate: Option<f64>,
    /// Closed incidents without a resolved milestone.
    pub excluded: Vec<Excluded>,
}

/// Action item completion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionFigure {
    /// [`ACTION_ITEMS_DEFINITION`].
    pub definition: &'static str,
    pub total: usize,
    pub done: usize,
    /// Done, with no due date or by its due date.
    pub done_on_time: usize,
    pub open: usize,
    /// Open and past its due date.
    pub overdue: usize,
    /// `done / total`; `None` when there are none.
    pub completion_rate: Option<f64>,
    /// `done_on_time / total`; `None` when there are none.
    pub on_time_rate: Option<f64>,
}

/// Every figure, for `warroom metrics` (text or JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The filter the figures were computed with.
    pub filter: Filter,
    /// Incidents considered (after filtering; drills are not).
    pub incidents: usize,
    /// Incidents passing the filter left out of every figure: drills,
    /// with the reason [`DRILL`].
    pub excluded: Vec<Excluded>,
    /// Time to detect, acknowledge, mitigate and resolve, in that order.
    pub durations: Vec<DurationFigure>,
    pub postmortem: RateFigure,
    pub action_items: ActionFigure,
    pub responder_hours: ResponderHoursFigure,
}

/// Mean, median and p90 of a list of values (hours, or money).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    pub count: usize,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

impl Spread {
    fn of(mut values: Vec<f64>) -> Spread {
        values.sort_by(f64::total_cmp);
        Spread {
            count: values.len(),
            mean: mean(&values),
            median: median(&values),
            p90: p90(&values),
        }
    }
}

/// One incident's responder-hours.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentHours {
    pub id: i64,
    pub severity: Severity,
    /// Accounts that attached a console.
    pub responders: usize,
    pub attached_hours: f64,
    pub active_hours: f64,
    /// With `[cost] hourly_rate` set.
    pub estimated_cost: Option<f64>,
}

/// Responder-hours of the incidents of one severity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeverityHours {
    pub severity: Severity,
    pub attached_hours: Spread,
    pub active_hours: Spread,
}

/// The estimated cost, when the config gives an hourly rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostFigure {
    pub formula: &'static str,
    pub hourly_rate: f64,
    pub currency: String,
    pub weights: BTreeMap<String, f64>,
    pub total: f64,
    pub per_incident: Spread,
}

/// Responder-hours per incident: attached and active (see their
/// definitions), across incidents and by severity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponderHoursFigure {
    pub attached_definition: &'static str,
    pub active_definition: &'static str,
    pub incidents: Vec<IncidentHours>,
    pub attached_hours: Spread,
    pub active_hours: Spread,
    pub by_severity: Vec<SeverityHours>,
    /// Incidents not counted (drills, none attached), by id.
    pub excluded: Vec<Excluded>,
    pub cost: Option<CostFigure>,
}

/// Key, name, from, to of each duration figure, in report order.
const DURATIONS: [(&str, &str, Milestone, Milestone); 4] = [
    (
        "time_to_detect",
        "Mean time to detect (MTTD)",
        Milestone::Started,
        Milestone::Detected,
    ),
    (
        "time_to_acknowledge",
        "Mean time to respond (acknowledge)",
        Milestone::Detected,
        Milestone::Acknowledged,
    ),
    (
        "time_to_mitigate",
        "Mean time to mitigate",
        Milestone::Detected,
        Milestone::Mitigated,
    ),
    (
        "time_to_resolve",
        "Mean time to resolve (MTTR)",
        Milestone::Detected,
        Milestone::Resolved,
    ),
];

const POSTMORTEM_NAME: &str = "Post-mortem completion rate";

/// Why a drill is left out of the metrics.
pub const DRILL: &str = "drill";
const ACTION_ITEMS_NAME: &str = "Action item completion rate";
const ATTACHED_NAME: &str = "Responder-hours attached";
const ACTIVE_NAME: &str = "Responder-hours active";
const COST_NAME: &str = "Estimated cost";

/// Computes every figure over the incidents passing `filter` and the action
/// items of those incidents (items of unknown incidents are ignored); no
/// attendance is known, so no incident has responder-hours.
pub fn compute(
    incidents: &[IncidentFacts],
    actions: &[ActionFacts],
    filter: &Filter,
    now: DateTime<Utc>,
) -> Report {
    compute_with_attendance(
        incidents,
        actions,
        &BTreeMap::new(),
        &CostConfig::default(),
        filter,
        now,
    )
}

/// [`compute`], with each incident's attendance (by incident id) for the
/// responder-hours and the config's `[cost]`.
pub fn compute_with_attendance(
    incidents: &[IncidentFacts],
    actions: &[ActionFacts],
    attendance: &BTreeMap<i64, AttendanceFacts>,
    cost: &CostConfig,
    filter: &Filter,
    now: DateTime<Utc>,
) -> Report {
    let (drills, considered): (Vec<&IncidentFacts>, Vec<&IncidentFacts>) = incidents
        .iter()
        .filter(|i| filter.matches(i))
        .partition(|i| i.drill);
    let mut excluded: Vec<Excluded> = drills
        .iter()
        .map(|i| Excluded {
            id: i.id,
            reason: DRILL.into(),
        })
        .collect();
    excluded.sort_by_key(|e| e.id);
    let durations = DURATIONS
        .iter()
        .map(|&(key, name, from, to)| duration_figure(key, name, from, to, &considered))
        .collect();
    let ids: HashSet<i64> = considered.iter().map(|i| i.id).collect();
    let actions: Vec<&ActionFacts> = actions.iter().filter(|a| ids.contains(&a.incident_id)).collect();
    Report {
        filter: filter.clone(),
        incidents: considered.len(),
        excluded,
        durations,
        postmortem: postmortem_figure(&considered, now),
        action_items: action_figure(&actions, now),
        responder_hours: responder_hours_figure(&considered, attendance, cost, now),
    }
}

fn responder_hours_figure(
    incidents: &[&IncidentFacts],
    attendance: &BTreeMap<i64, AttendanceFacts>,
    cost: &CostConfig,
    now: DateTime<Utc>,
) -> ResponderHoursFigure {
    let mut measured = Vec::new();
    let mut excluded = Vec::new();
    for incident in incidents {
        let life = Life::of(&incident.milestones, now);
        let people = attendance
            .get(&incident.id)
            .map(|facts| participants(facts, &life, now));
        let Some(people) = people.filter(|p| p.people.iter().any(|p| p.first_joined.is_some())) else {
            excluded.push(Excluded {
                id: incident.id,
                reason: "no console attached".into(),
            });
            continue;
        };
        measured.push(IncidentHours {
            id: incident.id,
            severity: incident.severity,
            responders: people.people.iter().filter(|p| p.first_joined.is_some()).count(),
            attached_hours: people.attached_hours(),
            active_hours: people.active_hours(),
            estimated_cost: cost.estimate(&people, &life),
        });
    }
    measured.sort_by_key(|i| i.id);
    excluded.sort_by_key(|e| e.id);
    let spread = |of: &dyn Fn(&IncidentHours) -> f64, severity: Option<Severity>| {
        Spread::of(
            measured
                .iter()
                .filter(|i| severity.is_none_or(|s| i.severity == s))
                .map(of)
                .collect(),
        )
    };
    let by_severity = Severity::ALL
        .into_iter()
        .filter(|s| measured.iter().any(|i| i.severity == *s))
        .map(|severity| SeverityHours {
            severity,
            attached_hours: spread(&|i| i.attached_hours, Some(severity)),
            active_hours: spread(&|i| i.active_hours, Some(severity)),
        })
        .collect();
    let cost = cost.hourly_rate.map(|hourly_rate| {
        let costs: Vec<f64> = measured.iter().filter_map(|i| i.estimated_cost).collect();
        CostFigure {
            formula: COST_FORMULA,
            hourly_rate,
            currency: cost.currency.clone(),
            weights: cost.weights.clone(),
            total: costs.iter().sum(),
            per_incident: Spread::of(costs),
        }
    });
    ResponderHoursFigure {
        attached_definition: ATTACHED_DEFINITION,
        active_definition: ACTIVE_DEFINITION,
        attached_hours: spread(&|i| i.attached_hours, None),
        active_hours: spread(&|i| i.active_hours, None),
        by_severity,
        incidents: measured,
        excluded,
        cost,
    }
}

fn duration_figure(
    key: &'static str,
    name: &'static str,
    from: Milestone,
    to: Milestone,
    incidents: &[&IncidentFacts],
) -> DurationFigure {
    let mut values = Vec::new();
    let mut excluded = Vec::new();
    for incident in incidents {
        match span_secs(&incident.milestones, from, to) {
            Ok(secs) => values.push(secs),
            Err(reason) => excluded.push(Excluded {
                id: incident.id,
                reason,
            }),
        }
    }
    values.sort_by(f64::total_cmp);
    excluded.sort_by_key(|e| e.id);
    DurationFigure {
        key,
        name,
        from,
        to,
        count: values.len(),
        mean_secs: mean(&values),
        median_secs: median(&values),
        p90_secs: p90(&values),
        excluded,
    }
}

/// Seconds from `from` to `to`, or why the incident cannot be measured. A
/// missing `from` is reported first; a missing `to` after declaration on an
/// incident neither resolved nor closed is "still open".
fn span_secs(milestones: &Milestones, from: Milestone, to: Milestone) -> Result<f64, String> {
    let start = milestones
        .get(from)
        .ok_or_else(|| format!("no {from} milestone"))?;
    let Some(end) = milestones.get(to) else {
        return Err(if to > Milestone::Declared && Status::of(milestones).is_open() {
            "still open".to_string()
        } else {
            format!("no {to} milestone")
        });
    };
    if end < start {
        return Err("out of order".to_string());
    }
    Ok((end - start).num_milliseconds() as f64 / 1000.0)
}

fn mean(sorted: &[f64]) -> Option<f64> {
    (!sorted.is_empty()).then(|| sorted.iter().sum::<f64>() / sorted.len() as f64)
}

fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// Nearest rank: the value at index ceil(0.9·n) − 1, computed in integers.
fn p90(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    (n > 0).then(|| sorted[(9 * n).div_ceil(10) - 1])
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn postmortem_figure(incidents: &[&IncidentFacts], now: DateTime<Utc>) -> RateFigure {
    let (mut done_in_time, mut late, mut missing) = (0, 0, 0);
    let mut pending = Vec::new();
    let mut excluded = Vec::new();
    for incident in incidents {
        let Some(resolved) = incident.milestones.resolved_at else {
            if incident.milestones.closed_at.is_some() {
                excluded.push(Excluded {
                    id: incident.id,
                    reason: "closed without a resolved milestone".into(),
                });
            }
            continue;
        };
        let deadline = resolved + POSTMORTEM_WITHIN;
        match incident.postmortem_done_at {
            Some(done) if done <= deadline => done_in_time += 1,
            Some(_) => late += 1,
            None if now < deadline => pending.push(incident.id),
            None => missing += 1,
        }
    }
    pending.sort_unstable();
    excluded.sort_by_key(|e| e.id);
    let denominator = done_in_time + late + missing;
    RateFigure {
        definition: POSTMORTEM_DEFINITION,
        done_in_time,
        late,
        missing,
        pending,
        denominator,
        rate: ratio(done_in_time, denominator),
        excluded,
    }
}

fn action_figure(actions: &[&ActionFacts], now: DateTime<Utc>) -> ActionFigure {
    let total = actions.len();
    let done = actions.iter().filter(|a| a.done_at.is_some()).count();
    let done_on_time = actions
        .iter()
        .filter(|a| {
            a.done_at
                .is_some_and(|done| a.due_at.is_none_or(|due| done <= due))
        })
        .count();
    let overdue = actions
        .iter()
        .filter(|a| a.done_at.is_none() && a.due_at.is_some_and(|due| due < now))
        .count();
    ActionFigure {
        definition: ACTION_ITEMS_DEFINITION,
        total,
        done,
        done_on_time,
        open: total - done,
        overdue,
        completion_rate: ratio(done, total),
        on_time_rate: ratio(done_on_time, total),
    }
}

/// A short duration for humans: `45s`, `4m 30s`, `1h 05m`, `2d 03h`. Rounded
/// to the second, then cut to its two largest units; `n/a` if not finite.
pub fn format_duration_secs(secs: f64) -> String {
    if !secs.is_finite() {
        return "n/a".to_string();
    }
    let total = secs.abs().round() as u64;
    let sign = if secs < 0.0 && total > 0 { "-" } else { "" };
    let (d, h, m, s) = (total / 86_400, total / 3600 % 24, total / 60 % 60, total % 60);
    if d > 0 {
        format!("{sign}{d}d {h:02}h")
    } else if h > 0 {
        format!("{sign}{h}h {m:02}m")
    } else if m > 0 {
        format!("{sign}{m}m {s:02}s")
    } else {
        format!("{sign}{s}s")
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "n/a".to_string(), |r| format!("{:.1}%", r * 100.0))
}

fn excluded_line(excluded: &[Excluded]) -> Option<String> {
    (!excluded.is_empty()).then(|| {
        let list: Vec<String> = excluded
            .iter()
            .map(|e| format!("#{} ({})", e.id, e.reason))
            .collect();
        format!("  excluded: {}", list.join(", "))
    })
}

/// `mean … · median … · p90 … · n=N`, or `no data · n=0`.
fn spread_text(spread: &Spread, unit: impl Fn(f64) -> String) -> String {
    match (spread.mean, spread.median, spread.p90) {
        (Some(mean), Some(median), Some(p90)) => format!(
            "mean {} · median {} · p90 {} · n={}",
            unit(mean),
            unit(median),
            unit(p90),
            spread.count
        ),
        _ => format!("no data · n={}", spread.count),
    }
}

impl Report {
    /// The text `warroom metrics` prints. Contains no text from the database
    /// (titles are not printed), and of the config only `[cost]`, which its
    /// check keeps free of control characters, so it needs no sanitizing.
    pub fn to_text(&self) -> String {
        let width = DURATIONS
            .iter()
            .map(|d| d.1)
            .chain([
                POSTMORTEM_NAME,
                ACTION_ITEMS_NAME,
                ATTACHED_NAME,
                ACTIVE_NAME,
                COST_NAME,
            ])
            .map(str::len)
            .max()
            .unwrap_or(0);
        let severity = self
            .filter
            .severity
            .map_or_else(|| "all severities".to_string(), |s| format!("severity {s}"));
        let since = self.filter.since.map_or_else(
            || "declared any time".to_string(),
            |t| format!("declared since {}", t.to_rfc3339_opts(SecondsFormat::Secs, true)),
        );
        let plural = if self.incidents == 1 { "" } else { "s" };
        let mut lines = vec![format!(
            "warroom metrics: {} incident{plural} ({severity}, {since})",
            self.incidents
        )];
        lines.extend(excluded_line(&self.excluded));

        for figure in &self.durations {
            let stats = match (figure.mean_secs, figure.median_secs, figure.p90_secs) {
                (Some(mean), Some(median), Some(p90)) => format!(
                    "mean {} · median {} · p90 {} · n={}",
                    format_duration_secs(mean),
                    format_duration_secs(median),
                    format_duration_secs(p90),
                    figure.count
                ),
                _ => format!("no data · n={}", figure.count),
            };
            lines.push(format!("{:<width$}  {stats}", figure.name));
            lines.push(format!("  definition: {} → {}", figure.from, figure.to));
            lines.extend(excluded_line(&figure.excluded));
        }

        let pm = &self.postmortem;
        let mut summary = format!(
            "{} of {} resolved incidents ({}) · {} late · {} missing",
            pm.done_in_time,
            pm.denominator,
            percent(pm.rate),
            pm.late,
            pm.missing
        );
        if !pm.pending.is_empty() {
            let ids: Vec<String> = pm.pending.iter().map(|id| format!("#{id}")).collect();
            summary.push_str(&format!(" · pending: {}", ids.join(", ")));
        }
        lines.push(format!("{POSTMORTEM_NAME:<width$}  {summary}"));
        lines.push(format!("  definition: {}", pm.definition));
        lines.extend(excluded_line(&pm.excluded));

        let ai = &self.action_items;
        lines.push(format!(
            "{ACTION_ITEMS_NAME:<width$}  {} of {} done ({}) · {} on time ({}) · {} open, {} overdue",
            ai.done,
            ai.total,
            percent(ai.completion_rate),
            ai.done_on_time,
            percent(ai.on_time_rate),
            ai.open,
            ai.overdue
        ));
        lines.push(format!("  definition: {}", ai.definition));

        let rh = &self.responder_hours;
        let hours = |value: f64| format!("{value:.2} h");
        for (name, spread, definition, of_severity) in [
            (
                ATTACHED_NAME,
                &rh.attached_hours,
                rh.attached_definition,
                (|s: &SeverityHours| &s.attached_hours) as fn(&SeverityHours) -> &Spread,
            ),
            (
                ACTIVE_NAME,
                &rh.active_hours,
                rh.active_definition,
                |s: &SeverityHours| &s.active_hours,
            ),
        ] {
            lines.push(format!(
                "{name:<width$}  {} per incident",
                spread_text(spread, hours)
            ));
            for severity in &rh.by_severity {
                lines.push(format!(
                    "  {}: {}",
                    severity.severity,
                    spread_text(of_severity(severity), hours)
                ));
            }
            lines.push(format!("  definition: {definition}"));
        }
        lines.extend(excluded_line(&rh.excluded));
        if let Some(cost) = &rh.cost {
            // The currency passed the config's check: short, no control character.
            let money = |value: f64| format!("{value:.2} {}", cost.currency).trim_end().to_string();
            lines.push(format!(
                "{COST_NAME:<width$}  total {} · {} per incident",
                money(cost.total),
                spread_text(&cost.per_incident, money)
            ));
            let weights: Vec<String> = cost
                .weights
                .iter()
                .map(|(role, w)| format!("{role} {w}"))
                .collect();
            lines.push(format!(
                "  hourly_rate {}{}",
                money(cost.hourly_rate),
                if weights.is_empty() {
                    String::new()
                } else {
                    format!(" · weights {}", weights.join(", "))
                }
            ));
            lines.push(format!("  definition: {}", cost.formula));
        }

        let mut text = lines.join("\n");
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[7.0]), Some(7.0));
        assert_eq!(median(&[1.0, 2.0, 10.0]), Some(2.0));
        // Even: mean of the two middle values.
        assert_eq!(median(&[1.0, 2.0, 4.0, 10.0]), Some(3.0));
        assert_eq!(median(&[5.0, 6.0]), Some(5.5));
    }

    #[test]
    fn p90_is_nearest_rank() {
        assert_eq!(p90(&[]), None);
        // n=1: ceil(0.9) − 1 = 0.
        assert_eq!(p90(&[3.0]), Some(3.0));
        // n=5: ceil(4.5) − 1 = 4, the largest.
        assert_eq!(p90(&[1.0, 2.0, 3.0, 4.0, 5.0]), Some(5.0));
        // n=10: ceil(9.0) − 1 = 8, the ninth.
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(p90(&ten), Some(9.0));
        // n=11: ceil(9.9) − 1 = 9, the tenth.
        let eleven: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(p90(&eleven), Some(10.0));
        // n=20: ceil(18.0) − 1 = 17.
        let twenty: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(p90(&twenty), Some(18.0));
    }

    #[test]
    fn mean_of_small_lists() {
        assert_eq!(mean(&[]), None);
        assert_eq!(mean(&[60.0, 120.0, 300.0]), Some(160.0));
    }

    #[test]
    fn durations_format_in_two_units() {
        assert_eq!(format_duration_secs(0.0), "0s");
        assert_eq!(format_duration_secs(45.4), "45s");
        assert_eq!(format_duration_secs(59.6), "1m 00s");
        assert_eq!(format_duration_secs(270.0), "4m 30s");
        assert_eq!(format_duration_secs(3929.0), "1h 05m");
        assert_eq!(format_duration_secs(3600.0), "1h 00m");
        assert_eq!(
            format_duration_secs(2.0 * 86_400.0 + 3.0 * 3600.0 + 59.0),
            "2d 03h"
        );
        assert_eq!(format_duration_secs(-90.0), "-1m 30s");
        assert_eq!(format_duration_secs(f64::NAN), "n/a");
    }

    #[test]
    fn still_open_only_for_milestones_after_declaration() {
        let t = |minute| Utc.with_ymd_and_hms(2026, 1, 1, 10, minute, 0).unwrap();
        let mut milestones = Milestones::new(t(10));
        milestones.started_at = Some(t(1));
        assert_eq!(
            span_secs(&milestones, Milestone::Started, Milestone::Detected),
            Err("no detected milestone".into())
        );
        milestones.detected_at = Some(t(4));
        assert_eq!(
            span_secs(&milestones, Milestone::Started, Milestone::Detected),
            Ok(180.0)
        );
        assert_eq!(
            span_secs(&milestones, Milestone::Detected, Milestone::Mitigated),
            Err("still open".into())
        );
        milestones.closed_at = Some(t(50));
        assert_eq!(
            span_secs(&milestones, Milestone::Detected, Milestone::Mitigated),
            Err("no mitigated milestone".into())
        );
    }

    #[test]
    fn a_reversed_pair_is_excluded_as_out_of_order() {
        let t = |minute| Utc.with_ymd_and_hms(2026, 1, 1, 10, minute, 0).unwrap();
        let mut milestones = Milestones::new(t(10));
        milestones.detected_at = Some(t(5));
        milestones.acknowledged_at = Some(t(3));
        let incident = IncidentFacts {
            id: 4,
            title: "x".into(),
            severity: Severity::P2,
            milestones,
            postmortem_done_at: None,
            drill: false,
        };
        let report = compute(&[incident], &[], &Filter::default(), t(30));
        let ack = &report.durations[1];
        assert_eq!(ack.key, "time_to_acknowledge");
        assert_eq!(ack.count, 0);
        assert_eq!((ack.mean_secs, ack.median_secs, ack.p90_secs), (None, None, None));
        assert_eq!(
            ack.excluded,
            vec![Excluded {
                id: 4,
                reason: "out of order".into()
            }]
        );
        assert_eq!(report.postmortem.rate, None);
        assert_eq!(report.action_items.completion_rate, None);
    }
}

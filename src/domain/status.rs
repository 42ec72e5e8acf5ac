//! What stakeholders are told: an incident's public state, and the
//! status-update template (a runbook's `## Status update template`, else
//! [`BUILT_IN_TEMPLATE`]) filled from the incident's facts. Pure: the facts
//! come in a [`StatusFacts`], built in one place by the caller.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::incident::{Milestones, Severity};
use super::sanitize::{sanitize, sanitize_line};
use super::time::format_clock;

/// The placeholders a template may use, with what each becomes.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("incident", "the incident's number"),
    ("title", "the incident's title"),
    ("severity", "P0 … P3"),
    ("severity_label", "critical, high, medium or low"),
    ("status", "investigating, mitigated or resolved"),
    (
        "impact",
        "the pinned entries (the first line of each, joined with `; `), else \"being assessed\"",
    ),
    (
        "next_update_utc",
        "when the next update is due once this one is posted (`14:05 UTC`)",
    ),
];

/// The template of a runbook without its own: what is affected, what we
/// know, what we are doing, when the next update comes.
pub const BUILT_IN_TEMPLATE: &str = "\
{severity} incident: {title} ({status})
Affected: {impact}
What we know: 
What we are doing: 
Next update at {next_update_utc}.";

/// Where an incident stands for people outside the war room, from its
/// milestones (acknowledgement is internal bookkeeping: still investigating).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicState {
    Investigating,
    Mitigated,
    /// Resolved, or closed without a resolved milestone.
    Resolved,
}

impl PublicState {
    pub fn of(milestones: &Milestones) -> PublicState {
        if milestones.resolved_at.is_some() || milestones.closed_at.is_some() {
            PublicState::Resolved
        } else if milestones.mitigated_at.is_some() {
            PublicState::Mitigated
        } else {
            PublicState::Investigating
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PublicState::Investigating => "investigating",
            PublicState::Mitigated => "mitigated",
            PublicState::Resolved => "resolved",
        }
    }

    /// Capitalized, for headings.
    pub fn title(self) -> &'static str {
        match self {
            PublicState::Investigating => "Investigating",
            PublicState::Mitigated => "Mitigated",
            PublicState::Resolved => "Resolved",
        }
    }
}

/// What a status update template is filled from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusFacts {
    pub incident: i64,
    pub title: String,
    pub severity: Severity,
    pub state: PublicState,
    /// The pinned entries' texts, in time order.
    pub impact: Vec<String>,
    /// When the next update is due once this one is posted.
    pub next_update_at: DateTime<Utc>,
    /// The moment of writing (a due time on another day is dated).
    pub now: DateTime<Utc>,
}

/// A `{name}` in a template: the byte offset of its `{` and the name.
/// Names are ASCII letters, digits and `_`; any other brace is text.
pub fn placeholders(template: &str) -> impl Iterator<Item = (usize, &str)> {
    template.match_indices('{').filter_map(|(start, _)| {
        let rest = &template[start + 1..];
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
        (end > 0 && rest[end..].starts_with('}')).then(|| (start, &rest[..end]))
    })
}

/// The first placeholder that is not one of [`PLACEHOLDERS`]: its offset
/// and what to say.
pub fn check_template(template: &str) -> Result<(), (usize, String)> {
    match placeholders(template).find(|(_, name)| value_of(name).is_none()) {
        None => Ok(()),
        Some((offset, name)) => {
            let known: Vec<String> = PLACEHOLDERS.iter().map(|(n, _)| format!("{{{n}}}")).collect();
            Err((
                offset,
                format!(
                    "unknown placeholder {{{name}}} in the status update template; use {}",
                    known.join(", ")
                ),
            ))
        }
    }
}

/// Which fact a placeholder stands for.
fn value_of(name: &str) -> Option<fn(&StatusFacts) -> String> {
    Some(match name {
        "incident" => |f| f.incident.to_string(),
        "title" => |f| sanitize_line(&f.title).into_owned(),
        "severity" => |f| f.severity.as_str().to_string(),
        "severity_label" => |f| f.severity.label().to_string(),
        "status" => |f| f.state.as_str().to_string(),
        "impact" => |f| {
            let lines: Vec<String> = f
                .impact
                .iter()
                .filter_map(|text| text.lines().map(str::trim).find(|l| !l.is_empty()))
                .map(|line| sanitize_line(line).into_owned())
                .collect();
            if lines.is_empty() {
                "being assessed".to_string()
            } else {
                lines.join("; ")
            }
        },
        "next_update_utc" => |f| format_clock(f.next_update_at, f.now),
        _ => return None,
    })
}

/// The template with every placeholder replaced by its fact; an unknown
/// one (a template not checked) is left as written. The result is safe for
/// a terminal (line breaks kept).
pub fn fill(template: &str, facts: &StatusFacts) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut copied = 0;
    for (start, name) in placeholders(template) {
        if let Some(value) = value_of(name) {
            out.push_str(&template[copied..start]);
            out.push_str(&value(facts));
            copied = start + name.len() + 2;
        }
    }
    out.push_str(&template[copied..]);
    sanitize(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn facts() -> StatusFacts {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 14, 5, 30).unwrap();
        StatusFacts {
            incident: 7,
            title: "Checkout \u{1b}[2J down".into(),
            severity: Severity::P1,
            state: PublicState::Mitigated,
            impact: vec![
                "\n  EU card payments failing\nmore".into(),
                "25% of checkouts".into(),
            ],
            next_update_at: now + chrono::TimeDelta::minutes(15),
            now,
        }
    }

    #[test]
    fn the_built_in_template_is_filled_from_the_facts() {
        assert_eq!(check_template(BUILT_IN_TEMPLATE), Ok(()));
        assert_eq!(
            fill(BUILT_IN_TEMPLATE, &facts()),
            "P1 incident: Checkout ␛[2J down (mitigated)\n\
             Affected: EU card payments failing; 25% of checkouts\n\
             What we know: \nWhat we are doing: \nNext update at 14:20 UTC."
        );
    }

    #[test]
    fn every_placeholder_has_a_value_and_nothing_pinned_reads_as_being_assessed() {
        let every: String = PLACEHOLDERS.iter().map(|(n, _)| format!("[{{{n}}}]")).collect();
        let mut facts = facts();
        facts.impact.clear();
        facts.next_update_at += chrono::TimeDelta::days(1);
        assert_eq!(
            fill(&every, &facts),
            "[7][Checkout ␛[2J down][P1][high][mitigated][being assessed][2026-03-02 14:20 UTC]"
        );
    }

    #[test]
    fn an_unknown_placeholder_is_named_with_its_offset_and_other_braces_are_text() {
        let (offset, message) = check_template("ok {severity}\nnext {next_update}").unwrap_err();
        assert_eq!(offset, 19);
        assert!(message.contains("{next_update}"), "{message}");
        assert!(message.contains("{next_update_utc}"), "{message}");
        for text in ["{}", "{ severity }", "json {\"a\": 1}", "{sev-erity}", "{", "}{"] {
            assert_eq!(check_template(text), Ok(()), "{text}");
            assert_eq!(fill(text, &facts()), text);
        }
    }

    #[test]
    fn the_public_state_follows_mitigation_and_resolution() {
        let at = |minute| Utc.with_ymd_and_hms(2026, 1, 1, 10, minute, 0).unwrap();
        let mut m = Milestones::new(at(0));
        m.acknowledged_at = Some(at(1));
        assert_eq!(PublicState::of(&m), PublicState::Investigating);
        m.mitigated_at = Some(at(2));
        assert_eq!(PublicState::of(&m), PublicState::Mitigated);
        m.closed_at = Some(at(3));
        assert_eq!(PublicState::of(&m), PublicState::Resolved);
    }
}

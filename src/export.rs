//! The post-mortem draft: an incident record rendered through a Markdown
//! template (minijinja), the built-in one in `assets/postmortem.md.j2` or a
//! team's own. Every value handed to the template is sanitized first, so
//! neither the terminal that prints the export nor the Markdown viewer gets
//! control characters from the database, and every value the template
//! prints has its HTML escaped, so a Markdown viewer shows it as text.

use chrono::{DateTime, Utc};
use minijinja::value::Value;
use minijinja::{Environment, Output, State, context};
use serde::Serialize;

use crate::domain::event::EventData;
use crate::domain::time::format_duration;
use crate::domain::{EntryKind, ItemState, Milestone, sanitize, sanitize_line};
use crate::store::IncidentRecord;
use crate::view::IncidentView;

/// The built-in post-mortem template.
pub const DEFAULT_TEMPLATE: &str = include_str!("../assets/postmortem.md.j2");

fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn clean(text: &str) -> String {
    sanitize(text).into_owned()
}

/// Text warroom did not write itself, made inert for a Markdown renderer:
/// `&`, `<` and `>` become entities, so `<script>` or `<img onerror=…>`
/// in a note shows as text instead of becoming HTML in the post-mortem.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// How every `{{ value }}` is printed, in the built-in template and in a
/// team's own: escaped by [`escape_html`], unless a filter of ours (`cell`)
/// already escaped it and marked it safe.
fn escaping_formatter(out: &mut Output, _state: &State, value: &Value) -> Result<(), minijinja::Error> {
    let text = value.to_string();
    let shown = if value.is_safe() { text } else { escape_html(&text) };
    out.write_str(&shown).map_err(minijinja::Error::from)
}

/// A Markdown table cell: HTML escaped, pipes escaped, line breaks as `<br>`
/// (the one tag the export writes itself).
fn cell(text: String) -> Value {
    Value::from_safe_string(escape_html(&text).replace('|', "\\|").replace('\n', "<br>"))
}

#[derive(Serialize)]
struct Entry {
    at: String,
    recorded: Option<String>,
    author: String,
    kind: &'static str,
    text: String,
    pinned: bool,
}

/// Renders the post-mortem of `record` with `template`; with `pinned_only`,
/// the timeline holds the pinned entries alone. `check` says whether the
/// record's chain held.
pub fn markdown(
    record: &IncidentRecord,
    template: &str,
    pinned_only: bool,
    now: DateTime<Utc>,
    check: Option<&RecordCheck>,
) -> Result<String, String> {
    let incident = &record.incident;
    let entry = |e: &crate::domain::TimelineEntry| Entry {
        at: utc(e.occurred_at),
        recorded: e.recorded_later().map(utc),
        author: sanitize_line(&e.author).into_owned(),
        kind: e.kind.as_str(),
        text: clean(&e.text),
        pinned: e.pinned,
    };
    let of_kind = |kind: EntryKind| -> Vec<Entry> {
        record
            .timeline
            .iter()
            .filter(|e| e.kind == kind)
            .map(entry)
            .collect()
    };
    let mut severity_history: Vec<Entry> = record
        .timeline
        .iter()
        .filter(|e| matches!(e.data, Some(EventData::Declared { .. })))
        .map(entry)
        .collect();
    severity_history.extend(of_kind(EntryKind::SeverityChange));

    let milestones: Vec<_> = incident
        .milestones
        .recorded()
        .map(|(m, at)| context! { name => m.title(), at => utc(at) })
        .collect();
    let m = &incident.milestones;
    let durations: Vec<_> = [
        ("Time to detect", Milestone::Started, Milestone::Detected),
        (
            "Time to acknowledge",
            Milestone::Detected,
            Milestone::Acknowledged,
        ),
        ("Time to mitigate", Milestone::Detected, Milestone::Mitigated),
        ("Time to resolve", Milestone::Detected, Milestone::Resolved),
    ]
    .into_iter()
    .filter_map(|(name, from, to)| {
        let span = m.get(to)? - m.get(from)?;
        Some(context! { name, from => from.as_str(), to => to.as_str(), value => format_duration(span) })
    })
    .collect();

    let mut checklist = Vec::new();
    for item in &record.checklist {
        let done = usize::from(item.state.is_closed());
        match checklist.last_mut() {
            Some((title, d, t)) if *title == item.section => {
                *d += done;
                *t += 1;
            }
            _ => checklist.push((item.section.clone(), done, 1)),
        }
    }
    let checklist: Vec<_> = checklist
        .into_iter()
        .map(|(title, done, total)| context! { title => clean(&title), done, total })
        .collect();
    let open_items: Vec<_> = record
        .checklist
        .iter()
        .filter(|i| i.state == ItemState::Open)
        .map(|i| context! { key => clean(&i.key), name => clean(&i.name), section => clean(&i.section) })
        .collect();
    let action_items: Vec<_> = record
        .actions
        .iter()
        .map(|a| {
            let state = match a.done_at {
                Some(done) => format!("done {}", utc(done)),
                None if a.is_overdue(now) => "OVERDUE".to_string(),
                None => "open".to_string(),
            };
            context! {
                id => a.id,
                text => clean(&a.text),
                owner => a.owner.as_deref().map(clean).unwrap_or_else(|| "-".into()),
                due => a.due_at.map(utc).unwrap_or_else(|| "-".into()),
                state,
            }
        })
        .collect();
    let roles: Vec<_> = record
        .roles
        .iter()
        .map(|r| context! { name => clean(&r.name), account => clean(&r.account), since => utc(r.since) })
        .collect();
    // The export needs no runbook: the commander and pins are the record's.
    let view = IncidentView::new(record, None);
    let commander = view.commander();
    let timeline: Vec<Entry> = record
        .timeline
        .iter()
        .filter(|e| !pinned_only || e.pinned)
        .map(entry)
        .collect();
    let impact: Vec<Entry> = view.pinned().map(entry).collect();

    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.set_formatter(escaping_formatter);
    env.add_filter("cell", cell);
    env.add_template("postmortem", template)
        .map_err(|e| format!("the template cannot be read: {e}"))?;
    let rendered = env
        .get_template("postmortem")
        .and_then(|t| {
            t.render(context! {
                generated_at => utc(now),
                pinned_only,
                incident => context! {
                    id => incident.id,
                    title => sanitize_line(&incident.title).into_owned(),
                    severity => incident.severity.as_str(),
                    severity_label => incident.severity.label(),
                    status => incident.status().as_str(),
                    commander => clean(commander),
                    declared_by => clean(&incident.declared_by),
                    runbook => clean(&incident.runbook_name),
                },
                milestones,
                durations,
                postmortem => context! {
                    due => incident.postmortem_due().map(utc),
                    done => incident.postmortem_done_at.map(utc),
                },
                impact,
                severity_history,
                roles,
                handoffs => of_kind(EntryKind::RoleChange),
                timeline,
                checklist,
                open_items,
                action_items,
                record => check,
            })
        })
        .map_err(|e| format!("the template failed: {e}"))?;
    // A team's template is text from a file: it passes the same sanitizer.
    Ok(sanitize(&rendered).into_owned())
}

/// Whether the record held when it was exported, for the template (the
/// built-in one ends with it) and the JSON export.
#[derive(Debug, Clone, Serialize)]
pub struct RecordCheck {
    pub verified: bool,
    pub events: u64,
    /// A reviewer checks a later copy against this.
    pub chain_head: String,
    pub problem: Option<String>,
}

impl From<&crate::witness::Verification> for RecordCheck {
    fn from(verification: &crate::witness::Verification) -> RecordCheck {
        RecordCheck {
            verified: verification.first_break().is_none(),
            events: verification.events,
            chain_head: verification.head_hex(),
            problem: verification.first_break().map(|b| b.describe()),
        }
    }
}

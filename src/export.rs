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

/// An entry's text after its list item's `label:`: one line follows on the
/// same line; several lines go under the item (indented two spaces) as a block quote; preformatted text (pasted command
/// output, tables, indented lines) as a code block, whose fence is longer
/// than any run of backticks inside, so the text cannot close it. Inside a
/// code block HTML is inert, so only quoted text is escaped.
fn block(text: String) -> Value {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= 1 {
        return Value::from_safe_string(format!(" {}", escape_html(&text)));
    }
    let preformatted = lines
        .iter()
        .any(|l| l.starts_with("  ") || l.starts_with('\t') || l.contains(" | ") || l.contains("──"));
    let body = if preformatted {
        let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        let fence = "`".repeat(longest_run.max(2) + 1);
        let code: Vec<String> = lines.iter().map(|l| format!("  {l}")).collect();
        format!("\n  {fence}\n{}\n  {fence}", code.join("\n"))
    } else {
        let quoted: Vec<String> = lines.iter().map(|l| format!("  > {}", escape_html(l))).collect();
        format!("\n{}", quoted.join("\n"))
    };
    Value::from_safe_string(body)
}

#[derive(Serialize)]
struct Entry {
    at: String,
    /// The time of day alone, for lists grouped by date.
    time: String,
    date: String,
    recorded: Option<String>,
    author: String,
    /// The stored name (`status_update`), for a team's own template.
    kind: &'static str,
    /// In plain words (`Status update`).
    kind_label: &'static str,
    text: String,
    pinned: bool,
}

/// An entry's kind in plain words.
fn kind_label(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Note => "Note",
        EntryKind::StatusUpdate => "Status update",
        EntryKind::Decision => "Decision",
        EntryKind::ChecklistChange => "Checklist",
        EntryKind::SeverityChange => "Severity",
        EntryKind::RoleChange => "Role",
        EntryKind::System => "Event",
    }
}

/// Entries kept out of the narrative: checklist ticks, timers, snoozes and
/// action-item bookkeeping go to the appendix (the checklist and action
/// items have sections of their own).
fn is_bookkeeping(entry: &crate::domain::TimelineEntry) -> bool {
    entry.kind == EntryKind::ChecklistChange
        || matches!(
            entry.data,
            Some(EventData::Timer(_) | EventData::Snooze { .. } | EventData::Action(_))
        )
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
        time: e.occurred_at.format("%H:%M:%S").to_string(),
        date: e.occurred_at.format("%Y-%m-%d").to_string(),
        recorded: e.recorded_later().map(utc),
        author: sanitize_line(&e.author).into_owned(),
        kind: e.kind.as_str(),
        kind_label: kind_label(e.kind),
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
    // The runbook's sections nobody started are one line, not every item.
    let started = |section: &str| {
        record
            .checklist
            .iter()
            .any(|i| i.section == section && i.state.is_closed())
    };
    let open_in_started: Vec<_> = record
        .checklist
        .iter()
        .filter(|i| i.state == ItemState::Open && started(&i.section))
        .map(|i| context! { key => clean(&i.key), name => clean(&i.name), section => clean(&i.section) })
        .collect();
    let mut not_started: Vec<String> = Vec::new();
    for item in &record.checklist {
        let name = clean(&item.section);
        if !started(&item.section) && !not_started.contains(&name) {
            not_started.push(name);
        }
    }
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
    let narrative: Vec<Entry> = record
        .timeline
        .iter()
        .filter(|e| (!pinned_only || e.pinned) && !is_bookkeeping(e))
        .map(entry)
        .collect();
    let bookkeeping: Vec<Entry> = record
        .timeline
        .iter()
        .filter(|e| is_bookkeeping(e))
        .map(entry)
        .collect();
    let impact: Vec<Entry> = view.pinned().map(entry).collect();

    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.set_formatter(escaping_formatter);
    env.add_filter("cell", cell);
    env.add_filter("block", block);
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
                narrative,
                bookkeeping,
                communications => of_kind(EntryKind::StatusUpdate),
                decisions => of_kind(EntryKind::Decision),
                checklist,
                open_items,
                open_in_started,
                not_started,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_one_line_a_quote_or_a_code_block_it_cannot_close() {
        assert_eq!(block("rolled <back>".into()).to_string(), " rolled &lt;back&gt;");
        assert_eq!(
            block("first\nsecond <b>".into()).to_string(),
            "\n  > first\n  > second &lt;b&gt;"
        );
        let pasted = "$ kubectl get pods\n  NAME  READY\n  ```\n  <script>";
        let code = block(pasted.into()).to_string();
        assert!(
            code.starts_with("\n  ````\n") && code.ends_with("\n  ````"),
            "{code}"
        );
        assert!(code.contains("  <script>"), "inert inside a code block: {code}");
    }
}

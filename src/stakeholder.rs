//! What people outside the war room see: the status update the console
//! pre-fills (`u`) and the public status page (`warroom status-page`).
//! Both say only what stakeholders may read: the incident's title,
//! severity and public state, its times and the status updates as posted;
//! never notes, decisions, checklists or hosts, and names only when asked.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::domain::clock::{self, UpdateClock};
use crate::domain::status::{self, PublicState, StatusFacts};
use crate::domain::{EntryKind, Incident, TimelineEntry, sanitize, sanitize_line};
use crate::store::{EntryFilter, PAGE_SIZE, Store, StoreError};
use crate::view::IncidentView;

/// The facts a status update is filled from, read from the incident as the
/// console holds it: the one place they are gathered.
pub fn status_facts(view: &IncidentView<'_>, now: DateTime<Utc>) -> StatusFacts {
    let incident = &view.record.incident;
    let (_, every) = view.status_update_due();
    // Posting this update restarts the countdown (and ends a snooze): the
    // next one is due a cadence after it.
    let after_this_one = UpdateClock {
        declared_at: incident.milestones.declared_at,
        last_update: Some(now),
        severity_changed_at: incident.severity_changed_at,
        snooze: None,
    };
    StatusFacts {
        incident: incident.id,
        title: incident.title.clone(),
        severity: incident.severity,
        state: PublicState::of(&incident.milestones),
        impact: view.pinned().map(|entry| entry.text.clone()).collect(),
        next_update_at: clock::next_status_update(every, &after_this_one),
        now,
    }
}

/// The status update a responder starts from: the runbook's template (else
/// the built-in one) filled from the incident.
pub fn prefilled_update(view: &IncidentView<'_>, now: DateTime<Utc>) -> String {
    let template = view
        .runbook
        .and_then(|runbook| runbook.status_template.as_deref())
        .unwrap_or(status::BUILT_IN_TEMPLATE);
    status::fill(template, &status_facts(view, now))
}

/// The public page of one incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusPage {
    pub incident: Incident,
    /// The incident commander's account (shown only with names).
    pub commander: String,
    /// The status updates, newest first.
    pub updates: Vec<TimelineEntry>,
}

/// `2026-03-01 14:05 UTC`.
fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl StatusPage {
    /// Reads the incident and its status updates (by the index of kinds,
    /// a page at a time; a timeline holds few of them).
    pub fn read(store: &mut Store, incident_id: i64) -> Result<StatusPage, StoreError> {
        let outline = store.incident_outline(incident_id)?;
        let mut pages = outline.pages(EntryFilter::Kind(EntryKind::StatusUpdate), PAGE_SIZE);
        let mut updates = Vec::new();
        loop {
            let page = pages.next_page(store)?;
            if page.is_empty() {
                break;
            }
            updates.extend(page);
        }
        updates.reverse();
        let commander = IncidentView::new(&outline.record, None).commander().to_string();
        Ok(StatusPage {
            incident: outline.record.incident,
            commander,
            updates,
        })
    }

    pub fn state(&self) -> PublicState {
        PublicState::of(&self.incident.milestones)
    }

    /// When the impact began, as well as it is known: the started milestone,
    /// else detection (which defaults to the declaration).
    pub fn started_at(&self) -> DateTime<Utc> {
        let m = &self.incident.milestones;
        m.started_at.or(m.detected_at).unwrap_or(m.declared_at)
    }

    /// Resolved, or closed without a resolved milestone.
    pub fn resolved_at(&self) -> Option<DateTime<Utc>> {
        let m = &self.incident.milestones;
        m.resolved_at.or(m.closed_at)
    }

    /// Markdown: `&`, `<` and `>` escaped, so the text reaches a viewer as
    /// text.
    pub fn markdown(&self, with_names: bool) -> String {
        let escape = |text: &str| crate::export::escape_html(&sanitize(text));
        let incident = &self.incident;
        let drill = if incident.drill { "[DRILL] " } else { "" };
        let mut out = format!("# {drill}{}\n\n", escape(&sanitize_line(&incident.title)));
        if incident.drill {
            out.push_str("**DRILL**: an exercise, not a real incident.\n\n");
        }
        out.push_str("| | |\n|---|---|\n");
        out.push_str(&format!("| Status | **{}** |\n", self.state().title()));
        out.push_str(&format!(
            "| Severity | {} ({}) |\n",
            incident.severity,
            incident.severity.label()
        ));
        out.push_str(&format!("| Started | {} |\n", utc(self.started_at())));
        if let Some(resolved) = self.resolved_at() {
            out.push_str(&format!("| Resolved | {} |\n", utc(resolved)));
        }
        if with_names {
            out.push_str(&format!(
                "| Incident commander | {} |\n",
                escape(&sanitize_line(&self.commander)).replace('|', "\\|")
            ));
        }
        out.push_str("\n## Updates\n\n");
        if self.updates.is_empty() {
            out.push_str("No status update has been posted yet.\n");
        }
        for update in &self.updates {
            let by = if with_names {
                format!(" · {}", escape(&sanitize_line(&update.author)))
            } else {
                String::new()
            };
            out.push_str(&format!("### {}{by}\n\n", utc(update.occurred_at)));
            // Each line of the update its own line (a Markdown hard break).
            let lines: Vec<String> = update.text.lines().map(|line| escape(line.trim_end())).collect();
            out.push_str(&lines.join("  \n"));
            out.push_str("\n\n");
        }
        out
    }

    /// Plain text for a terminal or an e-mail.
    pub fn text(&self, with_names: bool) -> String {
        let incident = &self.incident;
        let mut out = String::new();
        if incident.drill {
            out.push_str("DRILL: an exercise, not a real incident.\n");
        }
        out.push_str(&format!("{}\n", sanitize_line(&incident.title)));
        out.push_str(&format!(
            "Status: {} · Severity {} ({})\n",
            self.state().title(),
            incident.severity,
            incident.severity.label()
        ));
        out.push_str(&format!("Started: {}\n", utc(self.started_at())));
        if let Some(resolved) = self.resolved_at() {
            out.push_str(&format!("Resolved: {}\n", utc(resolved)));
        }
        if with_names {
            out.push_str(&format!(
                "Incident commander: {}\n",
                sanitize_line(&self.commander)
            ));
        }
        if self.updates.is_empty() {
            out.push_str("\nNo status update has been posted yet.\n");
            return out;
        }
        out.push_str("\nUpdates, newest first:\n");
        for update in &self.updates {
            let by = if with_names {
                format!(" · {}", sanitize_line(&update.author))
            } else {
                String::new()
            };
            out.push_str(&format!("\n{}{by}\n", utc(update.occurred_at)));
            for line in sanitize(&update.text).lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
        out
    }

    /// JSON: the exact texts (printed with terminal controls escaped).
    pub fn json(&self, with_names: bool) -> Value {
        let incident = &self.incident;
        let updates: Vec<Value> = self
            .updates
            .iter()
            .map(|update| {
                let mut value = json!({ "at": rfc3339(update.occurred_at), "text": update.text });
                if with_names {
                    value["author"] = update.author.clone().into();
                }
                value
            })
            .collect();
        let mut page = json!({
            "id": incident.id,
            "title": incident.title,
            "drill": incident.drill,
            "severity": incident.severity.as_str(),
            "severity_label": incident.severity.label(),
            "state": self.state(),
            "started_at": rfc3339(self.started_at()),
            "resolved_at": self.resolved_at().map(rfc3339),
            "updates": updates,
        });
        if with_names {
            page["commander"] = self.commander.clone().into();
        }
        page
    }
}

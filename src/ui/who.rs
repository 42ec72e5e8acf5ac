//! `:who`: everyone who has been attached to the incident, in the report
//! view's place. Every name passes the sanitizer (rows may be planted).

use chrono::{DateTime, Utc};

use crate::app::App;
use crate::domain::attendance::{ACTIVE_DEFINITION, ATTACHED_DEFINITION, Participants, format_secs};
use crate::domain::sanitize_line;

/// The view's text: the totals, then one block per account.
pub fn text(app: &App, participants: &Participants) -> String {
    let clock = |at: DateTime<Utc>| app.local(at).format("%H:%M:%S").to_string();
    let mut lines = vec![
        format!(
            "{} here now · responder-hours {:.2} attached, {:.2} active",
            participants.here_now,
            participants.attached_hours(),
            participants.active_hours()
        ),
        format!("  attached: {ATTACHED_DEFINITION}"),
        format!("  active: {ACTIVE_DEFINITION}"),
    ];
    if participants.people.is_empty() {
        lines.push(String::new());
        lines.push("Nobody has been here yet.".into());
    }
    for person in &participants.people {
        lines.push(String::new());
        let mut state = Vec::new();
        if person.here_now {
            state.push("here now".to_string());
        } else if let Some(left) = person.last_left {
            state.push(format!("left {}", clock(left)));
        } else {
            state.push("never attached".to_string());
        }
        if person.recently_active {
            state.push("active in the last 5 minutes".into());
        }
        lines.push(format!(
            "{} · {}",
            sanitize_line(&person.account),
            state.join(", ")
        ));
        lines.push(format!(
            "  attached {} · active {} · {} entries",
            format_secs(person.attached_secs),
            format_secs(person.active_secs),
            person.entries_written
        ));
        for tenure in &person.roles {
            let until = tenure.to.map_or_else(|| "now".to_string(), clock);
            let mut role = format!("  {} {}–{until}", sanitize_line(&tenure.name), clock(tenure.from));
            if let Some(by) = &tenure.handed_over_by {
                role.push_str(&format!(", handed over by {}", sanitize_line(by)));
            }
            if let Some(to) = &tenure.handed_over_to {
                role.push_str(&format!(", handed over to {}", sanitize_line(to)));
            }
            lines.push(role);
        }
        for span in &person.sessions {
            let host = if span.host.is_empty() || span.host == app.host {
                String::new()
            } else {
                format!("@{}", sanitize_line(&span.host))
            };
            let how = if span.said_goodbye {
                "left"
            } else if span.is_live(app.now) {
                "here"
            } else {
                "vanished (last heartbeat)"
            };
            lines.push(format!(
                "  {}{host} {} → {} {how}",
                sanitize_line(&span.terminal),
                clock(span.attached_at),
                clock(span.last_seen_at)
            ));
        }
    }
    lines.join("\n")
}

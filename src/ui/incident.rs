//! The incident pane: status, severity, milestones,
//! roles, runbook, and the pinned entries (impact and scope notes live there).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::pane_block;
use super::text::truncate;
use super::theme::Theme;
use crate::app::App;
use crate::domain::clock::Urgency;
use crate::domain::sanitize_line;

/// Who is attached right now: account, terminal, since when. A read-only
/// console cannot announce itself, so it lists itself apart.
fn here_now(app: &App, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(format!("{:<13}", "Here now"), theme.dim())];
    for (n, p) in app.live_presence().enumerate() {
        if n > 0 {
            spans.push(Span::styled(", ", theme.dim()));
        }
        spans.push(Span::styled(
            sanitize_line(&p.account).into_owned(),
            theme.author(&p.account),
        ));
        spans.push(Span::styled(
            format!(
                " {} {}",
                sanitize_line(&p.terminal),
                app.local(p.since).format("%H:%M")
            ),
            theme.dim(),
        ));
    }
    if app.read_only {
        spans.push(Span::styled(
            format!(" + you ({}, read-only, not listed)", sanitize_line(&app.account)),
            theme.dim(),
        ));
    }
    Line::from(spans)
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let Some(record) = &app.record else { return };
    let incident = &record.incident;
    let label = |text: &str| Span::styled(format!("{text:<13}"), theme.dim());

    let mut lines = vec![
        Line::from(vec![
            label("Status"),
            Span::styled(incident.status().as_str().to_string(), theme.title()),
        ]),
        Line::from(vec![
            label("Severity"),
            Span::styled(
                format!(" {} ", incident.severity),
                theme.severity(incident.severity),
            ),
            Span::raw(format!(" {}", incident.severity.label())),
        ]),
        here_now(app, theme),
    ];
    // Who holds each role (the commander first: declared, then handed over).
    let mut holders: Vec<_> = record.roles.iter().collect();
    holders.sort_by_key(|h| (h.role != crate::domain::roles::COMMANDER, h.since));
    for holder in holders {
        lines.push(Line::from(vec![
            label(&truncate(&sanitize_line(&holder.name), 12)),
            Span::styled(
                sanitize_line(&holder.account).into_owned(),
                theme.author(&holder.account),
            ),
            Span::styled(
                format!(" since {}", app.local(holder.since).format("%H:%M")),
                theme.dim(),
            ),
        ]));
    }
    for (milestone, at) in incident.milestones.recorded() {
        let local = app.local(at);
        let when = if local.date_naive() == app.local(app.now).date_naive() {
            local.format("%H:%M:%S").to_string()
        } else {
            local.format("%Y-%m-%d %H:%M").to_string()
        };
        lines.push(Line::from(vec![label(milestone.title()), Span::raw(when)]));
    }
    lines.push(Line::from(vec![
        label("Runbook"),
        Span::raw(sanitize_line(&incident.runbook_name).into_owned()),
    ]));
    let open_actions: Vec<_> = record.actions.iter().filter(|a| !a.is_done()).collect();
    if !record.actions.is_empty() {
        lines.push(Line::styled(
            format!(
                "Action items ({} open of {})",
                open_actions.len(),
                record.actions.len()
            ),
            theme.title(),
        ));
        for action in open_actions {
            let overdue = action.is_overdue(app.now);
            let mut spans = vec![
                Span::styled(format!("{:>3} ", action.id), theme.dim()),
                Span::raw(sanitize_line(&action.text).into_owned()),
            ];
            if let Some(owner) = &action.owner {
                spans.push(Span::styled(
                    format!(" @{}", sanitize_line(owner)),
                    theme.author(owner),
                ));
            }
            if let Some(due) = action.due_at {
                let style = if overdue {
                    theme.urgency(Urgency::Overdue)
                } else {
                    theme.dim()
                };
                let word = if overdue { "OVERDUE" } else { "due" };
                spans.push(Span::styled(
                    format!(" {word} {}", app.local(due).format("%m-%d")),
                    style,
                ));
            }
            lines.push(Line::from(spans));
        }
    }
    let pinned: Vec<_> = record.timeline.iter().filter(|e| e.pinned).collect();
    if !pinned.is_empty() {
        lines.push(Line::styled("Pinned", theme.title()));
        for entry in pinned.iter().rev().take(5) {
            lines.push(Line::from(vec![
                Span::styled("* ", theme.key()),
                Span::raw(sanitize_line(&entry.text).into_owned()),
            ]));
        }
    }
    let paragraph = Paragraph::new(lines)
        .block(pane_block(" Incident ", false, theme))
        .wrap(Wrap { trim: false });
    frame.render_widget(paragraph, area);
}

//! The incident pane: status, severity, milestones,
//! roles, runbook, and the pinned entries (impact and scope notes live there).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::pane_block;
use super::theme::Theme;
use crate::app::App;
use crate::domain::sanitize_line;

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
        Line::from(vec![
            label("IC"),
            Span::raw(sanitize_line(&incident.declared_by).into_owned()),
        ]),
    ];
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

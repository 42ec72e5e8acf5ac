//! The severity picker: P0–P3 with the runbook's escalation triggers beside
//! each, so the commander picks against the written criteria.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::centered;
use super::theme::Theme;
use crate::app::App;
use crate::domain::{Severity, sanitize_line};

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, chosen: usize, theme: &Theme) {
    let current = app.record.as_ref().map(|r| r.incident.severity);
    let mut lines = Vec::new();
    for (index, severity) in Severity::ALL.into_iter().enumerate() {
        let trigger = app
            .runbook
            .iter()
            .flat_map(|r| &r.escalation)
            .find(|t| t.severity == severity.as_str())
            .map(|t| sanitize_line(&t.description).into_owned())
            .unwrap_or_default();
        let emphasis = if index == chosen {
            theme.title()
        } else {
            theme.dim()
        };
        lines.push(Line::from(vec![
            Span::raw(if index == chosen { " ▶ " } else { "   " }),
            Span::styled(format!(" {severity} "), theme.severity(severity)),
            Span::styled(format!(" {:<9}", severity.label()), emphasis),
            Span::styled(trigger, emphasis),
            Span::styled(
                if current == Some(severity) { "  (now)" } else { "" },
                theme.dim(),
            ),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "↑/↓ or 0–3 choose · Enter then say why · Esc cancels",
        theme.dim(),
    ));
    let popup = centered(area, 80, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border(true))
                .title(" Severity "),
        ),
        popup,
    );
}

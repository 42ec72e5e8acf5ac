//! The start screen: no open incident, so declare one without a mouse.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::centered;
use super::theme::Theme;
use crate::app::App;
use crate::app::keymap::{Action, Context};
use crate::domain::{Severity, sanitize_line};

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let popup = centered(area, 78, 16);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(" Declare an incident ");
    let inner = block.inner(popup);
    frame.render_widget(block, popup);

    let [intro, title_label, title_area, severity_area] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(format!("No open incident in {}.", sanitize_line(&app.database)))
            .wrap(Wrap { trim: true })
            .style(theme.dim()),
        intro,
    );
    frame.render_widget(Paragraph::new(Span::styled("Title:", theme.title())), title_label);
    frame.render_widget(&app.start.title, title_area);

    let key = |action| app.keymap.key_name(Context::Start, action);
    let mut lines = vec![Line::styled(
        format!(
            "Severity ({}/{}):",
            key(Action::SeverityUp),
            key(Action::SeverityDown)
        ),
        theme.title(),
    )];
    for severity in Severity::ALL {
        let chosen = severity == app.start.severity;
        let trigger = app
            .start
            .triggers
            .iter()
            .find(|t| t.severity == severity.as_str())
            .map(|t| sanitize_line(&t.description).into_owned())
            .unwrap_or_default();
        lines.push(Line::from(vec![
            Span::raw(if chosen { " ▶ " } else { "   " }),
            Span::styled(format!(" {severity} "), theme.severity(severity)),
            Span::styled(
                format!(" {:<9}", severity.label()),
                if chosen { theme.title() } else { theme.dim() },
            ),
            Span::styled(trigger, if chosen { theme.title() } else { theme.dim() }),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            "{} declares it; you become the incident commander.",
            key(Action::Submit)
        ),
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), severity_area);
}

//! The start screen: no open incident, so declare one without a mouse:
//! title, how long ago it was detected (now unless told), severity.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui_textarea::TextArea;

use super::centered;
use super::theme::Theme;
use crate::app::keymap::{Action, Context};
use crate::app::{App, StartField};
use crate::domain::{Severity, sanitize_line};

/// A text field as drawn: the cursor shows only in the one being typed into.
fn field(area: &TextArea<'static>, typing: bool) -> TextArea<'static> {
    let mut field = area.clone();
    if !typing {
        field.set_cursor_style(Style::default());
    }
    field
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let popup = centered(area, 78, 16);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(" Declare an incident ");
    let inner = block.inner(popup);
    frame.render_widget(block, popup);

    let [intro, title_label, title_area, detected_area, severity_area] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
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
    frame.render_widget(
        &field(&app.start.title, app.start.field == StartField::Title),
        title_area,
    );

    // "Detected how long ago? [    ] 0 = now · 10m · 1h · 14:05", on the
    // first of its two rows (the second is a gap before the severities).
    let [detected_row, _] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(detected_area);
    let question = "Detected how long ago? ";
    let [question_area, box_area, forms_area] = Layout::horizontal([
        Constraint::Length(question.len() as u16),
        Constraint::Length(12),
        Constraint::Fill(1),
    ])
    .areas(detected_row);
    frame.render_widget(
        Paragraph::new(Span::styled(question, theme.title())),
        question_area,
    );
    let mut detected = field(&app.start.detected, app.start.field == StartField::Detected);
    detected.set_placeholder_text("now");
    detected.set_placeholder_style(theme.dim());
    frame.render_widget(&detected, box_area);
    frame.render_widget(
        Paragraph::new(Span::styled(" 0 = now · 10m · 1h · 14:05", theme.dim())),
        forms_area,
    );

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

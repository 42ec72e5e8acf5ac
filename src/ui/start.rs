//! The start screen: no open incident, so declare one without a mouse:
//! title, how long ago it was detected (now unless told), runbook, severity.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui_textarea::TextArea;

use super::centered;
use super::text::{truncate, wrap};
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
    let popup = centered(area, 78, 20);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(" Declare an incident ");
    let inner = block.inner(popup);
    frame.render_widget(block, popup);

    let [
        intro,
        title_label,
        title_area,
        detected_area,
        runbook_area,
        severity_area,
    ] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(4),
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
    draw_runbook(frame, runbook_area, app, theme);
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
            .chosen_runbook()
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
    // Said either way, so nobody declares a drill (or a real one) unawares.
    let drill = if app.start.drill {
        Span::styled(" DRILL ", theme.drill())
    } else {
        Span::styled("no", theme.title())
    };
    lines.push(Line::from(vec![
        Span::styled("Drill: ", theme.title()),
        drill,
        Span::styled(
            format!(
                "  ({} toggles: practice, kept out of the metrics)",
                key(Action::ToggleDrill)
            ),
            theme.dim(),
        ),
    ]));
    lines.push(Line::styled(
        format!(
            "{} declares it; you become the incident commander.",
            key(Action::Submit)
        ),
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), severity_area);
}

/// The runbook new incidents get: its name, where it is among the others,
/// and when to use it. On its field (Tab) the severity keys choose it.
fn draw_runbook(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let start = &app.start;
    let here = start.field == StartField::Runbook;
    let chosen = start.chosen_runbook();
    let key = |action| app.keymap.key_name(Context::Start, action);
    let how = if here {
        format!(
            "Runbook ({}/{} to choose):",
            key(Action::SeverityUp),
            key(Action::SeverityDown)
        )
    } else {
        format!("Runbook ({} to choose):", key(Action::FocusNext))
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(how, theme.title()),
        Span::styled(
            format!(
                "  {} of {}",
                start.runbook.min(start.runbooks.len() - 1) + 1,
                start.runbooks.len()
            ),
            theme.dim(),
        ),
    ])];
    lines.push(Line::from(vec![
        Span::raw(if here { " ▶ " } else { "   " }),
        Span::styled(
            sanitize_line(&chosen.name).into_owned(),
            if here { theme.selected() } else { theme.title() },
        ),
    ]));
    if let Some(use_for) = &chosen.use_for {
        // Two lines at most, indented under the name; the rest ends in `…`
        // (`warroom runbooks` prints it whole).
        const INDENT: &str = "   ";
        let width = (area.width as usize).saturating_sub(INDENT.len()).max(1);
        let mut wrapped = wrap(&format!("Use for: {}", sanitize_line(use_for)), width);
        if wrapped.len() > 2 {
            let rest = wrapped[1..].join(" ");
            wrapped.truncate(1);
            wrapped.push(truncate(&rest, width));
        }
        lines.extend(
            wrapped
                .into_iter()
                .map(|line| Line::styled(format!("{INDENT}{line}"), theme.dim())),
        );
    }
    frame.render_widget(Paragraph::new(lines), area);
}

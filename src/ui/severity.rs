//! The severity picker: P0–P3 with the runbook's escalation triggers beside
//! each, so the commander picks against the written criteria.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::centered;
use super::text::wrap;
use super::theme::Theme;
use crate::app::App;
use crate::app::keymap::{Action, Context};
use crate::domain::{Severity, sanitize_line};

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, chosen: usize, theme: &Theme) {
    let current = app.record.as_ref().map(|r| r.incident.severity);
    let trigger_of = |severity: Severity| {
        app.runbook
            .iter()
            .flat_map(|r| &r.escalation)
            .find(|t| t.severity == severity.as_str())
            .map(|t| sanitize_line(&t.description).into_owned())
            .unwrap_or_default()
    };
    let width = area.width.min(90);
    let inner = width.saturating_sub(2) as usize;
    // Every level with its whole trigger, wrapped under the trigger column,
    // so the commander reads the criteria side by side.
    const LEAD: usize = 3 + 4 + 10;
    let mut lines = Vec::new();
    for (index, severity) in Severity::ALL.into_iter().enumerate() {
        let emphasis = if index == chosen {
            theme.title()
        } else {
            theme.dim()
        };
        let mut trigger = trigger_of(severity);
        if current == Some(severity) {
            trigger.push_str(" (now)");
        }
        let wrapped = wrap(&trigger, inner.saturating_sub(LEAD).max(10));
        for (n, part) in wrapped.into_iter().enumerate() {
            let mut spans = if n == 0 {
                vec![
                    Span::raw(if index == chosen { " ▶ " } else { "   " }),
                    Span::styled(format!(" {severity} "), theme.severity(severity)),
                    Span::styled(format!(" {:<9}", severity.label()), emphasis),
                ]
            } else {
                vec![Span::raw(" ".repeat(LEAD))]
            };
            spans.push(Span::styled(part, emphasis));
            lines.push(Line::from(spans));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(keys_sentence(app), theme.dim()));
    let popup = centered(area, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border(true))
                .title(" Severity "),
        ),
        popup,
    );
}

/// "↑/↓ or 0–3 choose · Enter then say why · Esc cancels", from the keymap.
fn keys_sentence(app: &App) -> String {
    let key = |action| app.keymap.key_name(Context::SeverityPicker, action);
    let numbers: Vec<String> = [
        Action::ChooseP0,
        Action::ChooseP1,
        Action::ChooseP2,
        Action::ChooseP3,
    ]
    .into_iter()
    .map(key)
    .collect();
    format!(
        "{}/{} or {} choose · {} then say why · {} cancels",
        key(Action::Up),
        key(Action::Down),
        span_of(&numbers),
        key(Action::Submit),
        key(Action::Close)
    )
}

/// `0–3` when the keys are the digits in a row, else each of them (`a/b/c/d`).
fn span_of(keys: &[String]) -> String {
    let digits: Vec<u32> = keys
        .iter()
        .filter_map(|k| k.parse::<u32>().ok().filter(|_| k.len() == 1))
        .collect();
    let consecutive = digits.len() == keys.len() && digits.windows(2).all(|w| w[1] == w[0] + 1);
    match (consecutive, keys.first(), keys.last()) {
        (true, Some(first), Some(last)) if keys.len() > 1 => format!("{first}–{last}"),
        _ => keys.join("/"),
    }
}

//! The footer: a message line (what the last action did, cut with `…` when
//! long; beside the `:`/`/` prompt while one is typed) and the key hints for
//! what has the keyboard, taken from the keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{truncate, width};
use super::theme::Theme;
use crate::app::keymap::{self, Context};
use crate::app::{App, Input, StartField};
use crate::domain::sanitize_line;

/// Columns kept for typing when a message shares the `:` line.
const PROMPT_KEEPS: usize = 30;

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let [message_area, hints_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);

    let flash = app.flash.as_ref().map(|flash| {
        let style = if flash.is_error {
            theme.error()
        } else {
            theme.title()
        };
        (sanitize_line(&flash.text).into_owned(), style)
    });
    match app.input {
        Input::CommandLine | Input::Search => {
            let sigil = if app.input == Input::Search { "/" } else { ":" };
            // The message ("Say why, then Enter") stays in sight at the
            // right while the line is typed, where it leaves room to type.
            let said = flash
                .filter(|(text, _)| width(text) + PROMPT_KEEPS < message_area.width as usize)
                .map(|(text, style)| (format!(" {text}"), style));
            let said_width = said.as_ref().map_or(0, |(text, _)| width(text) as u16);
            let [sigil_area, prompt_area, said_area] = Layout::horizontal([
                Constraint::Length(1),
                Constraint::Fill(1),
                Constraint::Length(said_width),
            ])
            .areas(message_area);
            frame.render_widget(Paragraph::new(Span::styled(sigil, theme.key())), sigil_area);
            frame.render_widget(&app.prompt, prompt_area);
            if let Some((text, style)) = said {
                frame.render_widget(Paragraph::new(Span::styled(text, style)), said_area);
            }
        }
        _ => {
            if let Some((text, style)) = flash {
                let text = truncate(&text, message_area.width as usize);
                frame.render_widget(Paragraph::new(Span::styled(text, style)), message_area);
            }
        }
    }

    let context = app.context();
    let mut spans = Vec::new();
    if context == Context::Start {
        // Not a key: on the start screen, typing fills the field.
        let field = match app.start.field {
            StartField::Title => "title",
            StartField::Detected => "how long ago",
        };
        push_hint(&mut spans, "type", field, theme);
    }
    // When they do not all fit, drop from the end but keep help and quit.
    let mut hints = app.keymap.footer_hints(context);
    let width = |hints: &[keymap::Hint]| -> usize {
        hints
            .iter()
            .map(|h| h.keys.chars().count() + h.what.chars().count() + 4)
            .sum()
    };
    while width(&hints) > hints_area.width as usize {
        let Some(drop) = hints.iter().rposition(|h| !h.essential) else {
            break;
        };
        hints.remove(drop);
    }
    for hint in hints {
        push_hint(&mut spans, &hint.keys, &hint.what, theme);
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), hints_area);
}

fn push_hint(spans: &mut Vec<Span<'static>>, key: &str, what: &str, theme: &Theme) {
    if !spans.is_empty() {
        spans.push(Span::styled(" · ", theme.dim()));
    }
    spans.push(Span::styled(key.to_string(), theme.key()));
    spans.push(Span::raw(format!(" {what}")));
}

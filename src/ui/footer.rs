//! The footer: a message line (flash, or the `:`/`/` prompt being typed) and
//! the key hints for what has the keyboard, taken from the keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::keymap::{self, Context};
use crate::app::{App, Input};
use crate::domain::sanitize_line;

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let [message_area, hints_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);

    match app.input {
        Input::CommandLine | Input::Search => {
            let sigil = if app.input == Input::Search { "/" } else { ":" };
            let [sigil_area, prompt_area] =
                Layout::horizontal([Constraint::Length(1), Constraint::Fill(1)]).areas(message_area);
            frame.render_widget(Paragraph::new(Span::styled(sigil, theme.key())), sigil_area);
            frame.render_widget(&app.prompt, prompt_area);
        }
        _ => {
            if let Some(flash) = &app.flash {
                let style = if flash.is_error {
                    theme.error()
                } else {
                    theme.title()
                };
                frame.render_widget(
                    Paragraph::new(Span::styled(sanitize_line(&flash.text).into_owned(), style)),
                    message_area,
                );
            }
        }
    }

    let context = app.context();
    let mut spans = Vec::new();
    if context == Context::Start {
        // Not a key: on the start screen, typing is the title.
        push_hint(&mut spans, "type", "title", theme);
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

//! The footer: a message line (what the last action did, cut with `…` when
//! long; beside the `:`/`/` prompt while one is typed) and the key hints for
//! what has the keyboard, taken from the keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{truncate, width};
use super::theme::Theme;
use crate::app::keymap::{self, Action, Context};
use crate::app::prompt::candidates;
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
        Input::CommandLine | Input::Search | Input::EntrySearch(_) => {
            let sigil = if app.input == Input::CommandLine { ":" } else { "/" };
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
            StartField::Title => Some("title"),
            StartField::Detected => Some("how long ago"),
            StartField::Runbook => None,
        };
        if let Some(field) = field {
            push_hint(&mut spans, "type", field, theme);
        }
    }
    if app.input == Input::CommandLine {
        command_help(&mut spans, &text_of_prompt(app), hints_area.width as usize, theme);
    }
    // When they do not all fit, drop from the end but keep help and quit.
    let mut hints = app.keymap.footer_hints(context);
    if matches!(app.input, Input::Search | Input::EntrySearch(_)) {
        // Only command names complete.
        let complete = app.keymap.hint_label(Context::Prompt, Action::Complete);
        hints.retain(|h| Some(h.what.as_ref()) != complete);
    }
    mark_waiting_drafts(app, &mut hints);
    let taken: usize = spans.iter().map(|s| width(&s.content)).sum();
    let room = (hints_area.width as usize).saturating_sub(taken);
    let hints_width =
        |hints: &[keymap::Hint]| -> usize { hints.iter().map(|h| width(&h.keys) + width(&h.what) + 4).sum() };
    while hints_width(&hints) > room {
        let Some(drop) = hints.iter().rposition(|h| !h.essential) else {
            break;
        };
        hints.remove(drop);
    }
    for hint in hints {
        push_hint(&mut spans, &hint.keys, &hint.what, theme);
    }
    if spans.last().is_some_and(|s| s.content == " · ") {
        spans.pop();
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), hints_area);
}

fn text_of_prompt(app: &App) -> String {
    app.prompt.lines().join(" ")
}

/// A draft waiting to be sent shows on its key: `n note (draft)`, so it is
/// not forgotten once the message that kept it has faded.
fn mark_waiting_drafts(app: &App, hints: &mut [keymap::Hint]) {
    for (action, draft) in [
        (Action::NewNote, &app.note_draft),
        (Action::NewStatusUpdate, &app.update_draft),
    ] {
        if draft.is_empty() {
            continue;
        }
        let label = app.keymap.hint_label(Context::Global, action);
        for hint in hints.iter_mut().filter(|h| Some(h.what.as_ref()) == label) {
            hint.what = format!("{} (draft)", hint.what).into();
        }
    }
}

/// While a `:` command is typed: what it takes (`:snooze 10m WHY — push…`)
/// once its name is known, or the commands its start could be.
/// Cut with `…` to the row's `cells`, before any key hint.
fn command_help(spans: &mut Vec<Span<'static>>, line: &str, cells: usize, theme: &Theme) {
    let specs = candidates(line);
    match specs.as_slice() {
        [] => {}
        [spec] => {
            let synopsis = truncate(&spec.synopsis(), cells);
            let room = cells.saturating_sub(width(&synopsis) + 3);
            let help = truncate(&format!(" — {}", spec.help), room);
            spans.push(Span::styled(synopsis, theme.key()));
            spans.push(Span::styled(help, theme.dim()));
        }
        several => {
            let names: Vec<String> = several.iter().map(|s| format!(":{}", s.names[0])).collect();
            spans.push(Span::styled(
                truncate(&names.join(" "), cells.saturating_sub(3)),
                theme.key(),
            ));
        }
    }
    if !spans.is_empty() {
        spans.push(Span::styled(" · ", theme.dim()));
    }
}

fn push_hint(spans: &mut Vec<Span<'static>>, key: &str, what: &str, theme: &Theme) {
    if spans.last().is_some_and(|s| s.content != " · ") {
        spans.push(Span::styled(" · ", theme.dim()));
    }
    spans.push(Span::styled(key.to_string(), theme.key()));
    spans.push(Span::raw(format!(" {what}")));
}

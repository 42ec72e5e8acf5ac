//! The `?` help: every binding of the keymap and every `:` command.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::centered;
use super::text::{pad, width, wrap};
use super::theme::Theme;
use crate::app::App;
use crate::app::command::TABLE;
use crate::app::keymap::{Action, Context};

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let scroll = app.help_scroll;
    // The text wraps inside the box it will be drawn in.
    let text_cells = area.width.min(80).saturating_sub(2) as usize;
    let mut key_rows = Vec::new();
    // A replay lists the keys that work in it; the live console every
    // context but the replay's.
    let contexts: Vec<Context> = if app.replay.is_some() {
        Context::IN_REPLAY.to_vec()
    } else {
        Context::ALL
            .into_iter()
            .filter(|c| *c != Context::Replay)
            .collect()
    };
    for context in contexts {
        key_rows.push(Row::Title(context.title()));
        for row in app.keymap.help_rows(context) {
            key_rows.push(Row::Entry(row.keys, row.what.into_owned()));
        }
    }
    let mut command_rows = vec![Row::Title("Commands (after :)")];
    for spec in TABLE {
        let aliases = spec.aliases();
        let help = if aliases.is_empty() {
            spec.help.to_string()
        } else {
            format!("{} ({aliases})", spec.help)
        };
        command_rows.push(Row::Entry(spec.synopsis(), help));
    }
    let mut lines = layout(&key_rows, text_cells, theme);
    // The `:` line writes, so a replay has none.
    if app.replay.is_none() {
        lines.extend(layout(&command_rows, text_cells, theme));
    }
    let popup = centered(area, 80, lines.len() as u16 + 2);
    // When it does not fit, it scrolls; the title says so.
    let hidden = (lines.len() as u16 + 2).saturating_sub(popup.height);
    let scroll = scroll.min(hidden);
    let key = |action| app.keymap.key_name(Context::Help, action);
    let closes = format!("{} or {} closes", key(Action::ToggleHelp), key(Action::Close));
    let title = if hidden > 0 {
        format!(
            " Help — {}/{} scroll ({scroll}/{hidden}) · {closes} ",
            key(Action::Down),
            key(Action::Up)
        )
    } else {
        format!(" Help — {closes} ")
    };
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).scroll((scroll, 0)).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border(true))
                .title(title),
        ),
        popup,
    );
}

/// A help row: a section title, or keys (or a command's synopsis) and what they do.
enum Row {
    Title(&'static str),
    Entry(String, String),
}

/// The rows as lines: the key column as wide as its widest entry, two
/// spaces, then the text, wrapped beneath itself when longer than the rest
/// of the line, so no key runs into its text and nothing is cut.
fn layout(rows: &[Row], cells: usize, theme: &Theme) -> Vec<Line<'static>> {
    const INDENT: usize = 2;
    const GAP: usize = 2;
    let key_column = rows
        .iter()
        .map(|row| match row {
            Row::Entry(keys, _) => width(keys),
            Row::Title(_) => 0,
        })
        .max()
        .unwrap_or(0);
    let text_column = INDENT + key_column + GAP;
    let text_cells = cells.saturating_sub(text_column).max(MIN_TEXT);
    let mut lines = Vec::new();
    for row in rows {
        match row {
            Row::Title(title) => lines.push(Line::styled(*title, theme.title())),
            Row::Entry(keys, what) => {
                for (n, part) in wrap(what, text_cells).into_iter().enumerate() {
                    let lead = if n == 0 {
                        format!("{:INDENT$}{}", "", pad(keys, key_column + GAP))
                    } else {
                        " ".repeat(text_column)
                    };
                    lines.push(Line::from(vec![Span::styled(lead, theme.key()), Span::raw(part)]));
                }
            }
        }
    }
    lines
}

/// Below this the text still gets a column of its own (the box then cuts
/// it at the right edge, on a terminal narrower than any console works in).
const MIN_TEXT: usize = 10;

//! The `?` help: every binding of the keymap and every `:` command.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::centered;
use super::theme::Theme;
use crate::app::App;
use crate::app::command::TABLE;
use crate::app::keymap::{Action, Context};

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let scroll = app.help_scroll;
    let mut lines = Vec::new();
    for context in Context::ALL {
        lines.push(Line::styled(context.title(), theme.title()));
        for row in app.keymap.help_rows(context) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<18}", row.keys), theme.key()),
                Span::raw(row.what),
            ]));
        }
    }
    lines.push(Line::styled("Commands (after :)", theme.title()));
    for spec in TABLE {
        let aliases = spec.aliases();
        let help = if aliases.is_empty() {
            spec.help.to_string()
        } else {
            format!("{} ({aliases})", spec.help)
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<18}", spec.synopsis()), theme.key()),
            Span::raw(help),
        ]));
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

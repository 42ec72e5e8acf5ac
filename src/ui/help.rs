//! The `?` help: every binding of the keymap and every `:` command.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::centered;
use super::theme::Theme;
use crate::app::App;
use crate::app::command::TABLE;
use crate::app::keymap::{Context, keys_label};

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let scroll = app.help_scroll;
    let mut lines = Vec::new();
    for context in [
        Context::Global,
        Context::Checklist,
        Context::Timeline,
        Context::Composer,
    ] {
        lines.push(Line::styled(context.title(), theme.title()));
        for binding in app.keymap.bindings().iter().filter(|b| b.context == context) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<18}", keys_label(binding)), theme.key()),
                Span::raw(binding.help),
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
    // When it does not fit, it scrolls (j/k); the title says so.
    let hidden = (lines.len() as u16 + 2).saturating_sub(popup.height);
    let scroll = scroll.min(hidden);
    let title = if hidden > 0 {
        format!(" Help — j/k scroll ({}/{hidden}) · ? or Esc closes ", scroll)
    } else {
        " Help — ? or Esc closes ".to_string()
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

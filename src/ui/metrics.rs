//! The metrics view: the same report `warroom metrics` prints, over the panes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::centered;
use super::theme::Theme;
use crate::app::App;
use crate::app::keymap::{Action, Context};

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    // The report holds no text from the database: only numbers and definitions.
    let text = app.metrics.as_deref().unwrap_or("Computing…");
    let popup = centered(area, area.width.saturating_sub(4), area.height);
    let key = |action| app.keymap.key_name(Context::Metrics, action);
    let title = format!(
        " Metrics, all incidents — {}/{} scroll · {} closes ",
        key(Action::Down),
        key(Action::Up),
        key(Action::Close)
    );
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .scroll((app.help_scroll, 0))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border(true))
                    .title(title),
            ),
        popup,
    );
}

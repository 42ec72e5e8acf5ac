//! The metrics view: the same report `warroom metrics` prints, over the panes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::centered;
use super::theme::Theme;
use crate::app::App;

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    // The report holds no text from the database: only numbers and definitions.
    let text = app.metrics.as_deref().unwrap_or("Computing…");
    let popup = centered(area, area.width.saturating_sub(4), area.height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .scroll((app.help_scroll, 0))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border(true))
                    .title(" Metrics, all incidents — j/k scroll · Esc closes "),
            ),
        popup,
    );
}

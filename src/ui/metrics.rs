//! The metrics view: the same report `warroom metrics` prints, over the
//! panes; `:who` shows who has been here in its place.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::centered;
use super::theme::Theme;
use crate::app::App;
use crate::app::keymap::{Action, Context};
use crate::app::who::WhoView;

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    // The metrics hold no text from the database: only numbers and
    // definitions. Who was here is sanitized as it is written.
    let (heading, text) = match &app.who {
        WhoView::Closed => (
            "Metrics, all incidents",
            app.metrics.as_deref().unwrap_or("Computing…").to_string(),
        ),
        WhoView::Waiting => ("Who has been here", "Reading…".to_string()),
        WhoView::Shown(participants) => ("Who has been here", super::who::text(app, participants)),
    };
    let popup = centered(area, area.width.saturating_sub(4), area.height);
    let key = |action| app.keymap.key_name(Context::Metrics, action);
    let title = format!(
        " {heading} — {}/{} scroll · {} closes ",
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

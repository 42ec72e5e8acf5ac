//! The alarm line under the header: the record was altered, the database
//! file is gone, or its server cannot be reached. It cannot be missed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::text::truncate;
use super::theme::Theme;
use crate::app::App;
use crate::domain::clock::Urgency;

/// The alarm to show, most urgent first: a console that writes nowhere
/// beats a record that was altered.
pub fn alarm(app: &App) -> Option<String> {
    if let Some(why) = &app.database_gone {
        return Some(format!(" DATABASE GONE: {why} "));
    }
    if let Some(why) = &app.reconnecting {
        // What it means first: the server's reason can be long.
        return Some(format!(
            " RECONNECTING (notes stay as drafts; catches up by itself): {why} "
        ));
    }
    app.tampered
        .as_ref()
        .map(|broken| format!(" TAMPERED: {} (warroom verify) ", broken.describe()))
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, alarm: &str, theme: &Theme) {
    let text = truncate(alarm, area.width as usize);
    let padded = format!("{text:<width$}", width = area.width as usize);
    frame.render_widget(
        Paragraph::new(Line::styled(padded, theme.urgency(Urgency::Overdue))),
        area,
    );
}

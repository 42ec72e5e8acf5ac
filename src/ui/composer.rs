//! The note composer: a multi-line text box over the bottom of the panes,
//! its lines wrapped at the box's width (the text box's own soft wrap).

use chrono::TimeDelta;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear};

use super::text::{truncate, wrap};
use super::theme::Theme;
use super::timers::{countdown, update_overdue};
use crate::app::App;
use crate::app::keymap::{Action, Context};
use crate::domain::EntryKind;

/// "update due in 04:12" or "UPDATE OVERDUE +00:22", while the incident is
/// open.
fn update_countdown(app: &App) -> Option<String> {
    let view = app.view()?;
    if !view.record.incident.status().is_open() {
        return None;
    }
    let remaining = view.status_update_due().0 - app.now;
    Some(if remaining < TimeDelta::zero() {
        update_overdue(remaining)
    } else {
        format!("update due in {}", countdown(remaining))
    })
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, kind: EntryKind, theme: &Theme) {
    // The keys are named from the keymap in force, overrides included.
    let key_of = |action| app.keymap.key_name(Context::Composer, action);
    let (draft, what, verb) = match kind {
        EntryKind::StatusUpdate => (&app.update_draft, "Status update", "posts"),
        // A decision is written in the note's box (one draft of an entry).
        EntryKind::Decision => (&app.note_draft, "Decision", "records"),
        _ => (&app.note_draft, "Note", "adds"),
    };
    // The composer covers the timers pane: the status-update countdown
    // rides in its title, right after the key that sends, so narrow
    // windows cut the other hints first.
    let update = update_countdown(app)
        .map(|countdown| format!(" · {countdown}"))
        .unwrap_or_default();
    let title = format!(
        " {what} — {} {verb}{update} · {} new line · {} leaves (draft kept) ",
        key_of(Action::Submit),
        key_of(Action::InsertNewline),
        key_of(Action::Leave)
    );
    // Tall enough for the text as it wraps (plus a row for the cursor to
    // move on to), up to the panes' height; beyond that the box scrolls.
    let width = area.width.saturating_sub(2);
    let text_width = width.saturating_sub(2).max(1) as usize;
    let rows: usize = draft
        .lines()
        .iter()
        .map(|line| wrap(line, text_width).len())
        .sum::<usize>()
        + 1;
    let height = (rows.min(u16::MAX as usize) as u16 + 2).clamp(4, area.height.saturating_sub(2).max(3));
    let popup = Rect {
        x: area.x + 1,
        y: area.y + area.height.saturating_sub(height),
        width,
        height: height.min(area.height),
    };
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        // Cut with `…` where the window is narrower than the hints.
        .title(truncate(&title, popup.width.saturating_sub(2) as usize));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    frame.render_widget(draft, inner);
}

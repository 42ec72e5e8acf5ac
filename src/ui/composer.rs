//! The note composer: a multi-line text box over the bottom of the panes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear};

use super::theme::Theme;
use crate::app::App;
use crate::app::keymap::{Action, Context};
use crate::domain::EntryKind;

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, kind: EntryKind, theme: &Theme) {
    // The keys are named from the keymap in force, overrides included.
    let key_of = |action| app.keymap.key_name(Context::Composer, action);
    let (draft, what, verb) = match kind {
        EntryKind::StatusUpdate => (&app.update_draft, "Status update", "posts"),
        // A decision is written in the note's box (one draft of an entry).
        EntryKind::Decision => (&app.note_draft, "Decision", "records"),
        _ => (&app.note_draft, "Note", "adds"),
    };
    let title = format!(
        " {what} — {} {verb} · {} new line · {} leaves (draft kept) ",
        key_of(Action::Submit),
        key_of(Action::InsertNewline),
        key_of(Action::Leave)
    );
    let height = (draft.lines().len() as u16 + 2).clamp(4, area.height.saturating_sub(2).max(3));
    let popup = Rect {
        x: area.x + 1,
        y: area.y + area.height.saturating_sub(height),
        width: area.width.saturating_sub(2),
        height: height.min(area.height),
    };
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(title);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    frame.render_widget(draft, inner);
}

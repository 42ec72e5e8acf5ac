//! One timeline entry opened whole, over the panes: every line, prose
//! wrapped, preformatted lines kept (broken by cell, never cut), scrolled
//! with the keymap's keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::centered;
use super::text::truncate;
use super::theme::Theme;
use super::timeline::{Overflow, fit_text};
use crate::app::keymap::{Action, Context};
use crate::app::{App, entry_viewer_lines};
use crate::domain::{EntryKind, sanitize, sanitize_line};

/// What an entry is, in words.
fn kind_words(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Note => "note",
        EntryKind::StatusUpdate => "status update",
        EntryKind::Decision => "decision",
        EntryKind::ChecklistChange => "checklist change",
        EntryKind::SeverityChange => "severity change",
        EntryKind::RoleChange => "role change",
        EntryKind::System => "system",
        EntryKind::Evidence => "evidence",
    }
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let popup = centered(area, area.width.saturating_sub(4).min(120), area.height);
    frame.render_widget(Clear, popup);
    let key = |action| app.keymap.key_name(Context::Entry, action);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true));
    let inner = block.inner(popup);
    let Some(entry) = app.open_entry() else {
        let title = format!(" Entry — {} closes ", key(Action::Close));
        frame.render_widget(
            Paragraph::new("This entry is no longer in the incident shown.").block(block.title(title)),
            popup,
        );
        return;
    };
    let cells = inner.width.max(1) as usize;
    let when = app.local(entry.occurred_at).format("%Y-%m-%d %H:%M:%S %:z");
    let mut facts = format!(
        "#{} {} by {} at {when}",
        entry.id,
        kind_words(entry.kind),
        sanitize_line(&entry.author)
    );
    if let Some(recorded) = entry.recorded_later() {
        facts.push_str(&format!(
            ", recorded {}",
            app.local(recorded).format("%Y-%m-%d %H:%M")
        ));
    }
    if entry.pinned {
        facts.push_str(" · pinned");
    }
    // One step of the scroll per line of the entry (see `entry_viewer_lines`).
    // One step of the scroll per line of the entry (see
    // `entry_viewer_lines`), then an evidence entry's facts and output
    // (sanitized when loaded); only the steps on screen are laid out, so a
    // megabyte of output scrolls as fast as a note.
    let text = sanitize(&entry.text);
    let body = text
        .split('\n')
        .chain(app.evidence_lines().iter().map(String::as_str));
    let total = 2 + text.split('\n').count() + app.evidence_lines().len();
    debug_assert_eq!(total, entry_viewer_lines(entry) + app.evidence_lines().len());
    let top = (app.help_scroll as usize).min(total - 1);
    let height = inner.height as usize;
    let facts_step: Vec<Line<'static>> = fit_text(&facts, cells, 0, Overflow::Break)
        .into_iter()
        .map(|l| Line::styled(l, theme.dim()))
        .collect();
    // None: the facts; the rest laid out only once skipped past.
    let steps = [None, Some("")]
        .into_iter()
        .chain(body.map(Some))
        .skip(top)
        .map(|line| match line {
            None => facts_step.clone(),
            Some(line) => fit_text(line, cells, 0, Overflow::Break)
                .into_iter()
                .map(|l| Line::from(Span::raw(l)))
                .collect(),
        });
    let mut shown: Vec<Line<'static>> = Vec::with_capacity(height);
    let mut bottom = top;
    for step in steps {
        if shown.len() >= height {
            break;
        }
        shown.extend(step.into_iter().take(height - shown.len()));
        bottom += 1;
    }
    let title = format!(
        " Entry #{} — {}/{} scroll · {} search · {} closes ",
        entry.id,
        key(Action::Down),
        key(Action::Up),
        key(Action::Search),
        key(Action::Close)
    );
    let matched = match app.evidence.as_ref().and_then(|e| e.matched) {
        Some((which, of)) => format!("match {which} of {of} · "),
        None => String::new(),
    };
    let position = format!(" {matched}lines {}–{bottom} of {total} ", top + 1);
    let block = block
        .title(truncate(&title, cells))
        .title_bottom(Line::from(position).right_aligned());
    frame.render_widget(Paragraph::new(shown).block(block), popup);
}

//! The timeline pane: every entry with local time, author, kind and pinned
//! marker, the date whenever it changes; follows new entries unless scrolled.
//! Only the entries that fit are laid out.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{pad, width, wrap};
use super::theme::Theme;
use super::{is_focused, pane_block};
use crate::app::keymap::{Action, Context};
use crate::app::{App, Pane};
use crate::domain::{EntryKind, TimelineEntry, sanitize, sanitize_line};

const AUTHOR_CELLS: usize = 9;
const KIND_CELLS: usize = 6;

/// A short, fixed-width tag per kind, readable without colour.
fn kind_tag(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Note => "note",
        EntryKind::StatusUpdate => "UPDATE",
        EntryKind::Decision => "DECIDE",
        EntryKind::ChecklistChange => "check",
        EntryKind::SeverityChange => "SEV",
        EntryKind::RoleChange => "ROLE",
        EntryKind::System => "sys",
    }
}

fn kind_style(kind: EntryKind, theme: &Theme) -> Style {
    match kind {
        EntryKind::StatusUpdate => theme.status_update(),
        EntryKind::SeverityChange => theme.severity_change(),
        EntryKind::Decision => theme.key(),
        EntryKind::RoleChange => theme.role_change(),
        EntryKind::ChecklistChange | EntryKind::System => theme.dim(),
        EntryKind::Note => Style::new(),
    }
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let entries = app.visible_timeline();
    let total = app.record.as_ref().map_or(0, |r| r.timeline.len());
    let mut title = match &app.search {
        Some(q) => format!(
            " Timeline — {} of {total} match “{}” ",
            entries.len(),
            sanitize_line(q)
        ),
        None => format!(" Timeline {total} "),
    };
    if app.timeline_offset > 0 {
        title.push_str(&format!(
            "— {} newer below ({} follows) ",
            app.timeline_offset,
            app.keymap.key_name(Context::Timeline, Action::Bottom)
        ));
    }
    let block = pane_block(title, is_focused(app, Pane::Timeline), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }

    let end = entries.len().saturating_sub(app.timeline_offset);
    let height = inner.height as usize;
    let cells = inner.width as usize;
    // Walk back from the newest visible entry until the pane is full.
    let mut blocks: Vec<Vec<Line<'static>>> = Vec::new();
    let mut used = 0;
    for (i, entry) in entries[..end].iter().enumerate().rev() {
        let mut lines = entry_lines(app, entry, cells, theme);
        let date = app.local(entry.occurred_at).date_naive();
        let previous_date = i
            .checked_sub(1)
            .map(|p| app.local(entries[p].occurred_at).date_naive());
        if previous_date != Some(date) {
            lines.insert(0, date_line(date, cells, theme));
        }
        used += lines.len();
        blocks.push(lines);
        if used >= height {
            break;
        }
    }
    let mut lines: Vec<Line<'static>> = blocks.into_iter().rev().flatten().collect();
    if lines.len() > height {
        lines.drain(..lines.len() - height);
    }
    if lines.is_empty() {
        lines.push(Line::styled(
            if app.search.is_some() {
                "No entry matches.".to_string()
            } else {
                format!(
                    "No entries yet. Press {} to write a note.",
                    app.keymap.key_name(Context::Timeline, Action::NewNote)
                )
            },
            theme.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn date_line(date: NaiveDate, cells: usize, theme: &Theme) -> Line<'static> {
    let label = format!("── {} ", date.format("%a %d %b %Y"));
    let fill = cells.saturating_sub(width(&label));
    Line::styled(format!("{label}{}", "─".repeat(fill)), theme.dim())
}

fn entry_lines(app: &App, entry: &TimelineEntry, cells: usize, theme: &Theme) -> Vec<Line<'static>> {
    let time = app.local(entry.occurred_at).format("%H:%M").to_string();
    let author = pad(&sanitize_line(&entry.author), AUTHOR_CELLS);
    let prefix = vec![
        Span::styled(if entry.pinned { "*" } else { " " }, theme.key()),
        Span::styled(time, theme.dim()),
        Span::raw(" "),
        Span::styled(author, theme.author(&entry.author)),
        Span::raw(" "),
        Span::styled(
            pad(kind_tag(entry.kind), KIND_CELLS),
            kind_style(entry.kind, theme),
        ),
        Span::raw(" "),
    ];
    let prefix_cells = 1 + 5 + 1 + AUTHOR_CELLS + 1 + KIND_CELLS + 1;
    let mut text = sanitize(&entry.text).into_owned();
    // Backdated or imported: say when it was written down, too.
    if let Some(recorded_at) = entry.recorded_later() {
        let recorded = app.local(recorded_at);
        let format = if recorded.date_naive() == app.local(entry.occurred_at).date_naive() {
            "%H:%M"
        } else {
            "%Y-%m-%d %H:%M"
        };
        text.push_str(&format!(" [recorded {}]", recorded.format(format)));
    }
    let style = if entry.kind == EntryKind::StatusUpdate {
        theme.status_update()
    } else {
        Style::new()
    };
    if cells >= prefix_cells + 16 {
        let wrapped = wrap(&text, cells - prefix_cells);
        let mut lines = Vec::with_capacity(wrapped.len());
        for (n, part) in wrapped.into_iter().enumerate() {
            let mut spans = if n == 0 {
                prefix.clone()
            } else {
                vec![Span::raw(" ".repeat(prefix_cells))]
            };
            spans.push(Span::styled(part, style));
            lines.push(Line::from(spans));
        }
        lines
    } else {
        // Too narrow for a column layout: header line, then the text indented.
        let mut lines = vec![Line::from(prefix)];
        lines.extend(
            wrap(&text, cells.saturating_sub(2))
                .into_iter()
                .map(|part| Line::from(vec![Span::raw("  "), Span::styled(part, style)])),
        );
        lines
    }
}

//! The timeline pane: every entry with local time, author, pinned marker and
//! (but for notes) its kind, the date whenever it changes; the selected entry
//! ends the view, the newest while following new entries. Only the entries
//! that fit are laid out.
//!
//! Text gets the width: a compact prefix (`▶*14:05 alice `), prose wrapped
//! at spaces (a word or URL is split only when longer than a line), and
//! preformatted lines (pasted command output, tables) kept as lines, cut
//! with `…` here and whole in the entry viewer.

use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{pad, truncate, width, wrap};
use super::theme::Theme;
use super::{is_focused, pane_block};
use crate::app::keymap::{Action, Context};
use crate::app::{App, Pane};
use crate::domain::{EntryKind, TimelineEntry, sanitize, sanitize_line};

/// The author column: as wide as the widest author shown, within these.
const AUTHOR_CELLS: std::ops::RangeInclusive<usize> = 3..=9;
/// Below this many cells for the text, the prefix goes on a line of its own.
const MIN_TEXT_CELLS: usize = 16;

/// A short tag per kind, readable without colour; notes, the most common,
/// go without.
fn kind_tag(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Note => "",
        EntryKind::StatusUpdate => "UPDATE",
        EntryKind::Decision => "DECIDE",
        EntryKind::ChecklistChange => "check",
        EntryKind::SeverityChange => "SEV",
        EntryKind::RoleChange => "ROLE",
        EntryKind::System => "sys",
        EntryKind::Evidence => "EVIDENCE",
    }
}

fn kind_style(kind: EntryKind, theme: &Theme) -> Style {
    match kind {
        EntryKind::StatusUpdate => theme.status_update(),
        EntryKind::SeverityChange => theme.severity_change(),
        EntryKind::Decision => theme.key(),
        EntryKind::RoleChange => theme.role_change(),
        EntryKind::ChecklistChange | EntryKind::System => theme.dim(),
        EntryKind::Note | EntryKind::Evidence => Style::new(),
    }
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let entries = app.visible_timeline();
    let total = app.record.as_ref().map_or(0, |r| r.facts.total);
    let mut title = match &app.search {
        Some(search) => {
            let typed = sanitize_line(&search.typed);
            let plus = if search.uncounted { "+" } else { "" };
            match search.total {
                None => format!(" Timeline — searching “{typed}” "),
                Some(matches) if search.uncounted || (entries.len() as u64) < matches => format!(
                    " Timeline — {matches}{plus} match “{typed}” ({} loaded, older as you go up) ",
                    entries.len()
                ),
                Some(matches) => format!(" Timeline — {matches} match “{typed}” "),
            }
        }
        None => format!(" Timeline {total} "),
    };
    // Entries beyond the window held are not counted one by one.
    let newer_beyond = app.search.is_none() && app.record.as_ref().is_some_and(|r| r.has_newer);
    if app.timeline_offset > 0 || newer_beyond {
        let newer = if newer_beyond {
            "newer entries".to_string()
        } else {
            format!("{} newer", app.timeline_offset)
        };
        title.push_str(&format!(
            "— {newer} below ({} follows) ",
            app.keymap.key_name(Context::Timeline, Action::Bottom)
        ));
    }
    let focused = is_focused(app, Pane::Timeline);
    let block = pane_block(title, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }

    // The selected entry ends the view.
    let end = entries.len().saturating_sub(app.timeline_offset);
    let height = inner.height as usize;
    let cells = inner.width as usize;
    // Every entry takes a line at least, so no more than `height` are shown.
    let shown = &entries[end.saturating_sub(height)..end];
    let author_cells = shown
        .iter()
        .map(|e| width(&sanitize_line(&e.author)))
        .max()
        .unwrap_or(0)
        .clamp(*AUTHOR_CELLS.start(), *AUTHOR_CELLS.end());
    let layout = Prefix { author_cells };
    // Walk back from the selected entry until the pane is full.
    let mut blocks: Vec<Vec<Line<'static>>> = Vec::new();
    let mut used = 0;
    for (i, entry) in entries[..end].iter().enumerate().rev() {
        let selected = focused && i + 1 == end;
        let mut lines = entry_lines(app, entry, &layout, selected, cells, theme);
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
            if let Some(search) = &app.search {
                if search.total.is_none() {
                    "Searching…".to_string()
                } else {
                    "No entry matches.".to_string()
                }
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

/// The columns before an entry's text: selection, pin, `HH:MM`, author.
struct Prefix {
    author_cells: usize,
}

impl Prefix {
    fn cells(&self) -> usize {
        2 + 5 + 1 + self.author_cells + 1
    }
}

fn entry_lines(
    app: &App,
    entry: &TimelineEntry,
    layout: &Prefix,
    selected: bool,
    cells: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let time = app.local(entry.occurred_at).format("%H:%M").to_string();
    // Readable without colour: the arrow; with it, the line stands out too.
    let mark = |style: Style| {
        if selected {
            style.patch(theme.selected())
        } else {
            style
        }
    };
    let prefix = vec![
        Span::styled(if selected { "▶" } else { " " }, mark(theme.key())),
        Span::styled(if entry.pinned { "*" } else { " " }, mark(theme.key())),
        Span::styled(time, mark(theme.dim())),
        Span::styled(" ", mark(Style::new())),
        Span::styled(
            pad(&sanitize_line(&entry.author), layout.author_cells),
            mark(theme.author(&entry.author)),
        ),
        Span::raw(" "),
    ];
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
    let tag = kind_tag(entry.kind);
    let tag_span = Span::styled(tag, kind_style(entry.kind, theme));
    let lead = if tag.is_empty() { 0 } else { width(tag) + 1 };
    let prefix_cells = layout.cells();
    if cells >= prefix_cells + MIN_TEXT_CELLS {
        let body = fit_text(&text, cells - prefix_cells, lead, Overflow::Cut);
        let mut lines = Vec::with_capacity(body.len());
        for (n, part) in body.into_iter().enumerate() {
            let mut spans = if n == 0 {
                let mut first = prefix.clone();
                if lead > 0 {
                    first.push(tag_span.clone());
                    first.push(Span::raw(" "));
                }
                first
            } else {
                vec![Span::raw(" ".repeat(prefix_cells))]
            };
            spans.push(Span::styled(part, style));
            lines.push(Line::from(spans));
        }
        lines
    } else {
        // Too narrow for a column layout: the prefix and tag on a line, then
        // the text indented.
        let mut first = prefix;
        first.push(tag_span);
        let mut lines = vec![Line::from(first)];
        lines.extend(
            fit_text(&text, cells.saturating_sub(2), 0, Overflow::Cut)
                .into_iter()
                .map(|part| Line::from(vec![Span::raw("  "), Span::styled(part, style)])),
        );
        lines
    }
}

/// What to do with a preformatted line wider than the text column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Overflow {
    /// Cut it with `…` (the pane: the viewer shows it whole).
    Cut,
    /// Break it by cell, nothing lost (the viewer).
    Break,
}

/// Lays out sanitized `text` in lines of at most `cells` cells, the first
/// line `lead` cells shorter (a kind tag goes there): prose is wrapped at
/// spaces, a word or URL split only when longer than a whole line;
/// preformatted lines are kept as lines, their spacing intact.
pub(super) fn fit_text(text: &str, cells: usize, lead: usize, overflow: Overflow) -> Vec<String> {
    let cells = cells.max(1);
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.split('\n') {
        let room = if lines.is_empty() {
            cells.saturating_sub(lead).max(1)
        } else {
            cells
        };
        if is_preformatted(paragraph) {
            match overflow {
                Overflow::Cut => lines.push(truncate(paragraph, room)),
                Overflow::Break => lines.extend(break_by_cells(paragraph, room, cells)),
            }
        } else if lines.is_empty() && lead > 0 && cells > lead {
            // Wrap with a stand-in for the tag as the first word, so the
            // first line leaves it room; then take the stand-in off.
            let stand_in = "x".repeat(lead - 1);
            let mut wrapped = wrap(&format!("{stand_in} {paragraph}"), cells);
            let first = &mut wrapped[0];
            *first = first[stand_in.len()..].trim_start_matches(' ').to_string();
            lines.extend(wrapped);
        } else {
            lines.extend(wrap(paragraph, cells));
        }
    }
    lines
}

/// A line laid out as typed rather than as prose: indented, with columns
/// lined up by runs of spaces, or a table row.
pub(super) fn is_preformatted(line: &str) -> bool {
    let trimmed = line.trim_end();
    !trimmed.is_empty()
        && (trimmed.starts_with(' ')
            || trimmed.contains("   ")
            || trimmed.starts_with('|')
            || trimmed.starts_with("+-")
            || trimmed.chars().any(|c| ('\u{2500}'..='\u{257F}').contains(&c)))
}

/// `line` in pieces of at most `first` cells, then `rest` cells (a piece
/// holds one character at least, however wide).
fn break_by_cells(line: &str, first: usize, rest: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut remaining = line;
    let mut room = first;
    loop {
        let (piece, after) = remaining.split_at(bytes_within(remaining, room));
        pieces.push(piece.to_string());
        if after.is_empty() {
            return pieces;
        }
        remaining = after;
        room = rest;
    }
}

/// How many bytes of `text` fit in `cells` (one character at least).
fn bytes_within(text: &str, cells: usize) -> usize {
    use unicode_width::UnicodeWidthChar;
    let mut used = 0;
    text.char_indices()
        .find_map(|(at, c)| {
            used += c.width().unwrap_or(0);
            (used > cells && at > 0).then_some(at)
        })
        .unwrap_or(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_wraps_at_spaces_and_a_url_that_fits_a_line_is_never_split() {
        let url = "https://grafana.example.com/d/eu-5xx?orgId=1";
        let text = format!("errors dropping, see {url} for the panel");
        let lines = fit_text(&text, 50, 0, Overflow::Cut);
        assert_eq!(
            lines,
            vec![
                "errors dropping, see".to_string(),
                format!("{url} for"),
                "the panel".to_string()
            ]
        );
    }

    #[test]
    fn a_word_longer_than_the_line_is_split_only_then() {
        let lines = fit_text("id 0123456789abcdefghij end", 10, 0, Overflow::Cut);
        assert_eq!(lines, vec!["id", "0123456789", "abcdefghij", "end"]);
    }

    #[test]
    fn preformatted_lines_are_kept_cut_in_the_pane_and_whole_in_the_viewer() {
        let text = "kubectl get pods\nNAME      READY   STATUS\napi-7d9f  0/1     CrashLoopBackOff\n  indented trace line";
        assert_eq!(
            fit_text(text, 20, 0, Overflow::Cut),
            vec![
                "kubectl get pods",
                "NAME      READY   S…",
                "api-7d9f  0/1     C…",
                "  indented trace li…"
            ]
        );
        assert_eq!(
            fit_text(text, 20, 0, Overflow::Break),
            vec![
                "kubectl get pods",
                "NAME      READY   ST",
                "ATUS",
                "api-7d9f  0/1     Cr",
                "ashLoopBackOff",
                "  indented trace lin",
                "e"
            ]
        );
    }

    #[test]
    fn the_first_line_leaves_room_for_the_kind_tag() {
        // "DECIDE " takes 7 cells of the first line only.
        let lines = fit_text("Roll back deploy 4812 in eu-west-1", 20, 7, Overflow::Cut);
        assert_eq!(lines, vec!["Roll back", "deploy 4812 in", "eu-west-1"]);
        assert!(width(&lines[0]) <= 13);
    }

    #[test]
    fn prose_with_single_spaces_is_not_taken_for_preformatted() {
        assert!(!is_preformatted("Rollback done.  Error rate falling"));
        assert!(is_preformatted("NAME   READY"));
        assert!(is_preformatted("    at com.example.Main"));
        assert!(is_preformatted("| host | lag |"));
        assert!(!is_preformatted(""));
    }
}

//! The checklist pane: runbook sections and response phases, each item's
//! state, who changed it and when, progress per section; the current phase
//! is marked.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState};

use super::text::{pad, truncate, width};
use super::theme::Theme;
use super::{is_focused, pane_block};
use crate::app::{App, Pane};
use crate::domain::{ChecklistItem, ItemState, sanitize_line};

fn marker(state: ItemState) -> &'static str {
    match state {
        ItemState::Open => "[ ]",
        ItemState::Done => "[x]",
        ItemState::NotApplicable => "[-]",
    }
}

/// Phase number of a phase item key (`p2.1` → 2).
fn phase_number(key: &str) -> Option<usize> {
    key.strip_prefix('p')?.split('.').next()?.parse().ok()
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let Some(record) = &app.record else { return };
    let items = &record.checklist;
    let done = items.iter().filter(|i| i.state.is_closed()).count();
    let block = pane_block(
        format!(" Checklist {done}/{} ", items.len()),
        is_focused(app, Pane::Checklist),
        theme,
    );
    let current_phase = app.phase_clock().map(|p| p.index + 1);
    let cells = area.width.saturating_sub(2) as usize;

    let mut rows: Vec<ListItem<'static>> = Vec::new();
    let mut selected_row = None;
    let mut index = 0;
    while index < items.len() {
        let section = &items[index].section;
        let end = items[index..]
            .iter()
            .position(|i| &i.section != section)
            .map_or(items.len(), |n| index + n);
        rows.push(section_header(app, &items[index..end], current_phase, theme));
        for (offset, item) in items[index..end].iter().enumerate() {
            if index + offset == app.checklist_selected {
                selected_row = Some(rows.len());
            }
            rows.push(item_row(app, item, cells, theme));
        }
        index = end;
    }

    let list = List::new(rows)
        .block(block)
        .highlight_style(if is_focused(app, Pane::Checklist) {
            theme.selected()
        } else {
            theme.dim()
        });
    let mut state = ListState::default().with_selected(selected_row);
    frame.render_stateful_widget(list, area, &mut state);
}

fn section_header(
    app: &App,
    items: &[ChecklistItem],
    current_phase: Option<usize>,
    theme: &Theme,
) -> ListItem<'static> {
    let first = &items[0];
    let done = items.iter().filter(|i| i.state.is_closed()).count();
    let mut spans = vec![Span::styled(
        sanitize_line(&first.section).into_owned(),
        theme.title(),
    )];
    if let Some(number) = phase_number(&first.key) {
        let window = app
            .runbook
            .as_ref()
            .and_then(|r| r.phases.get(number - 1))
            .map(|p| p.window_label())
            .unwrap_or_default();
        spans.insert(0, Span::styled(format!("Phase {number}: "), theme.title()));
        spans.push(Span::styled(format!(" {window}"), theme.dim()));
        if current_phase == Some(number) {
            spans.push(Span::styled(" ◀ NOW", theme.key()));
        }
    }
    let progress_style = if done == items.len() {
        theme.done()
    } else {
        theme.dim()
    };
    spans.push(Span::styled(format!("  {done}/{}", items.len()), progress_style));
    ListItem::new(Line::from(spans))
}

/// `[x] 1.1  Name …           alice 14:01`: the name gives way to who/when.
fn item_row(app: &App, item: &ChecklistItem, cells: usize, theme: &Theme) -> ListItem<'static> {
    let state_style = match item.state {
        ItemState::Done => theme.done(),
        ItemState::NotApplicable => theme.dim(),
        ItemState::Open => ratatui::style::Style::new(),
    };
    let lead = format!(" {} ", marker(item.state));
    let key = format!("{:<5}", sanitize_line(&item.key));
    let who = match (&item.changed_by, item.changed_at) {
        (Some(by), Some(at)) if cells >= 40 => {
            format!(
                " {} {}",
                truncate(&sanitize_line(by), 10),
                app.local(at).format("%H:%M")
            )
        }
        _ => String::new(),
    };
    let room = cells.saturating_sub(width(&lead) + width(&key) + width(&who));
    let name = pad(&sanitize_line(&item.name), room);
    ListItem::new(Line::from(vec![
        Span::styled(lead, state_style),
        Span::styled(key, theme.dim()),
        Span::styled(name, state_style),
        Span::styled(who, theme.dim()),
    ]))
}

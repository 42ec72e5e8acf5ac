//! The checklist pane: runbook sections and response phases, each item's
//! state, who changed it and when, progress per section; the current phase
//! is marked. A section whose items are all closed folds to one line
//! (unless the selection is in it), and the selected item's description
//! is on the pane's last line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};

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

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let Some(record) = &app.record else { return };
    let items = &record.checklist;
    let done = items.iter().filter(|i| i.state.is_closed()).count();
    let block = pane_block(
        format!(" Checklist {done}/{} ", items.len()),
        is_focused(app, Pane::Checklist),
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let current_phase = app.phase_clock().map(|p| p.index + 1);
    let cells = inner.width as usize;

    let mut rows: Vec<ListItem<'static>> = Vec::new();
    let mut selected_row = None;
    let mut selected_heading = 0;
    for section in sections(items) {
        let holds_selection = section.contains(&app.checklist_selected);
        let folded = !holds_selection && items[section.clone()].iter().all(|i| i.state.is_closed());
        rows.push(section_header(
            app,
            &items[section.clone()],
            current_phase,
            folded,
            cells,
            theme,
        ));
        if folded {
            continue;
        }
        if holds_selection {
            selected_heading = rows.len() - 1;
        }
        for index in section {
            if index == app.checklist_selected {
                selected_row = Some(rows.len());
            }
            rows.push(item_row(app, &items[index], cells, theme));
        }
    }

    // The description needs a line of its own; a very short pane keeps its rows for items.
    let description = items.get(app.checklist_selected).map(description_of);
    let list_area = match description {
        Some(text) if inner.height >= 4 && !text.is_empty() => {
            let [list, line] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
            // Marked so it is not taken for an item.
            let line_text = truncate(&text, cells.saturating_sub(2));
            frame.render_widget(
                Paragraph::new(Span::styled(
                    format!("» {line_text}"),
                    theme.dim().add_modifier(Modifier::ITALIC),
                )),
                line,
            );
            list
        }
        _ => inner,
    };

    let row_count = rows.len();
    let list = List::new(rows).highlight_style(if is_focused(app, Pane::Checklist) {
        theme.selected()
    } else {
        theme.dim()
    });
    // The view starts at the selected item's heading (the phase and its
    // NOW mark, then the rest of its items), unless that leaves rows empty.
    let fits = list_area.height as usize;
    let offset = selected_heading.min(row_count.saturating_sub(fits));
    let mut state = ListState::default()
        .with_offset(offset)
        .with_selected(selected_row);
    frame.render_stateful_widget(list, list_area, &mut state);
}

/// The index ranges of the checklist's sections, in order.
fn sections(items: &[ChecklistItem]) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    while start < items.len() {
        let section = &items[start].section;
        let end = items[start..]
            .iter()
            .position(|i| &i.section != section)
            .map_or(items.len(), |n| start + n);
        ranges.push(start..end);
        start = end;
    }
    ranges
}

/// What the description line shows: the runbook's description of the item,
/// or its whole name when it has none (phase items), which the row may cut.
fn description_of(item: &ChecklistItem) -> String {
    let text = if item.description.trim().is_empty() {
        &item.name
    } else {
        &item.description
    };
    sanitize_line(text).into_owned()
}

/// `Phase 2: Response 15–60 min ◀ NOW  1/4`, or folded `▸ Containment  4/4`.
/// The count and the NOW mark always show; the window goes first when the
/// row is short, then the name is cut with `…`.
fn section_header(
    app: &App,
    items: &[ChecklistItem],
    current_phase: Option<usize>,
    folded: bool,
    cells: usize,
    theme: &Theme,
) -> ListItem<'static> {
    let first = &items[0];
    let done = items.iter().filter(|i| i.state.is_closed()).count();
    let fold_mark = if folded { "▸ " } else { "" };
    let mut name = format!("{fold_mark}{}", sanitize_line(&first.section));
    let mut window = String::new();
    let mut now = "";
    if let Some(number) = first.phase_number() {
        name = format!("{fold_mark}Phase {number}: {}", sanitize_line(&first.section));
        window = app
            .runbook
            .as_ref()
            .and_then(|r| r.phases.get(number - 1))
            .map(|p| format!(" {}", p.window_label()))
            .unwrap_or_default();
        if current_phase == Some(number) {
            now = " ◀ NOW";
        }
    }
    let progress = format!("  {done}/{}", items.len());
    if width(&name) + width(&window) + width(now) + width(&progress) > cells {
        window.clear();
    }
    let name = truncate(&name, cells.saturating_sub(width(now) + width(&progress)));
    let progress_style = if done == items.len() {
        theme.done()
    } else {
        theme.dim()
    };
    ListItem::new(Line::from(vec![
        Span::styled(name, theme.title()),
        Span::styled(window, theme.dim()),
        Span::styled(now, theme.key()),
        Span::styled(progress, progress_style),
    ]))
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

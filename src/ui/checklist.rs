//! The checklist pane: runbook sections and response phases, each item's
//! state, who changed it and when, progress per section; the current phase
//! is marked.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState};

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
            rows.push(item_row(app, item, theme));
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

fn item_row(app: &App, item: &ChecklistItem, theme: &Theme) -> ListItem<'static> {
    let state_style = match item.state {
        ItemState::Done => theme.done(),
        ItemState::NotApplicable => theme.dim(),
        ItemState::Open => ratatui::style::Style::new(),
    };
    let mut spans = vec![
        Span::styled(format!(" {} ", marker(item.state)), state_style),
        Span::styled(format!("{:<5}", sanitize_line(&item.key)), theme.dim()),
        Span::styled(sanitize_line(&item.name).into_owned(), state_style),
    ];
    if let (Some(by), Some(at)) = (&item.changed_by, item.changed_at) {
        spans.push(Span::styled(
            format!("  {} {}", sanitize_line(by), app.local(at).format("%H:%M")),
            theme.dim(),
        ));
    }
    ListItem::new(Line::from(spans))
}

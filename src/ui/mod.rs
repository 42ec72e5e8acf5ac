//! Drawing: a pure function of [`App`]. One module per pane.
//!
//! ```text
//! narrow (< 160 columns)                      wide (≥ 160 columns)
//! ┌ header ──────────────────────────────┐    ┌ header ─────────────────────────────────────┐
//! ├ checklist ──┬ timeline ──────────────┤    ├ incident ─┬ checklist ─┬ timeline ─────────┤
//! │ 35%, ≤ 44   │                        │    │ 44        │ 44         │ the rest          │
//! ├ incident ───┴───┬ timers ────────────┤    ├ timers ───┤            │                   │
//! │ a third of the height, 7–14 rows     │    │           │            │                   │
//! ├ footer: message line, key hints ─────┤    ├ footer ───┴────────────┴───────────────────┤
//! ```

mod banner;
mod checklist;
mod composer;
mod entry;
mod footer;
mod header;
mod help;
mod incident;
mod metrics;
mod severity;
mod start;
pub mod text;
pub mod theme;
mod timeline;
mod timers;
mod who;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::app::keymap::Action;
use crate::app::{App, Input, Pane};
use theme::Theme;

/// Below this the console cannot show its panes.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;
/// From this width the incident and timers get a column of their own.
const WIDE: u16 = 160;
/// The checklist's share of a narrow screen, and its width at most.
const CHECKLIST_PERCENT: u16 = 35;
const CHECKLIST_MAX: u16 = 44;
/// The incident and timers column on a wide screen.
const SIDE_COLUMN: u16 = 44;

pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    let theme = Theme {
        colors: app.colors,
        background: app.background,
    };
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, app);
        return;
    }
    let [header_area, body, footer_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(2)]).areas(area);

    if !app.loaded {
        frame.render_widget(Paragraph::new("Opening the incident…"), body);
        return;
    }
    if app.record.is_none() {
        start::draw(frame, body, app, &theme);
        footer::draw(frame, footer_area, app, &theme);
        return;
    }

    header::draw(frame, header_area, app, &theme);
    let body = match banner::alarm(app) {
        Some(alarm) => {
            let [banner_area, rest] =
                Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(body);
            banner::draw(frame, banner_area, &alarm, &theme);
            rest
        }
        None => body,
    };
    // The timeline's text is what responders read: the checklist gets a
    // column that stays narrow (names cut with `…`), the timeline the rest.
    let checklist_width = (area.width * CHECKLIST_PERCENT / 100).min(CHECKLIST_MAX);
    if area.width >= WIDE {
        let [left, checklist_area, timeline_area] = Layout::horizontal([
            Constraint::Length(SIDE_COLUMN),
            Constraint::Length(CHECKLIST_MAX),
            Constraint::Fill(1),
        ])
        .areas(body);
        let [incident_area, timers_area] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(8)]).areas(left);
        incident::draw(frame, incident_area, app, &theme);
        timers::draw(frame, timers_area, app, &theme);
        checklist::draw(frame, checklist_area, app, &theme);
        timeline::draw(frame, timeline_area, app, &theme);
    } else {
        // The incident and timers grow with the window: a third of it.
        let bottom = (body.height / 3).clamp(7, 14);
        let [top, bottom_area] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(bottom)]).areas(body);
        let [checklist_area, timeline_area] =
            Layout::horizontal([Constraint::Length(checklist_width), Constraint::Fill(1)]).areas(top);
        let [incident_area, timers_area] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Fill(1)]).areas(bottom_area);
        checklist::draw(frame, checklist_area, app, &theme);
        timeline::draw(frame, timeline_area, app, &theme);
        incident::draw(frame, incident_area, app, &theme);
        timers::draw(frame, timers_area, app, &theme);
    }
    footer::draw(frame, footer_area, app, &theme);

    match app.input {
        Input::Composer(kind) => composer::draw(frame, body, app, kind, &theme),
        Input::Help => help::draw(frame, body, app, &theme),
        Input::SeverityPicker(index) => severity::draw(frame, body, app, index, &theme),
        Input::Metrics => metrics::draw(frame, body, app, &theme),
        Input::Entry(_) | Input::EntrySearch(_) => entry::draw(frame, body, app, &theme),
        _ => {}
    }
}

/// A bordered pane block; the focused pane's border stands out.
fn pane_block<'a>(title: impl Into<Line<'a>>, focused: bool, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(title)
        .title_style(if focused {
            theme.border(true)
        } else {
            theme.title()
        })
}

fn is_focused(app: &App, pane: Pane) -> bool {
    app.focus == pane && matches!(app.input, Input::Keys | Input::Search)
}

fn too_small(frame: &mut Frame<'_>, area: Rect, app: &App) {
    // Keys still reach the console: name the quit key that works where the
    // keyboard is (while writing a note, q is text).
    let quit = app.keymap.key_name(app.context(), Action::Quit);
    let how_to_quit = if quit.is_empty() {
        String::new()
    } else {
        format!(" ({quit} quits)")
    };
    let message = format!(
        "Terminal too small — need {MIN_WIDTH}×{MIN_HEIGHT}, have {}×{}. Enlarge the window{how_to_quit}.",
        area.width, area.height
    );
    frame.render_widget(
        Paragraph::new(message)
            .wrap(Wrap { trim: true })
            .style(Style::new()),
        area,
    );
}

/// A centered rectangle of at most `width`×`height` inside `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

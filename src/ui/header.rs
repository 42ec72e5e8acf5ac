//! The header line: id, severity, title, phase, time since declared, IC,
//! read-only badge.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::truncate;
use super::theme::Theme;
use crate::app::App;
use crate::domain::clock::Urgency;
use crate::domain::sanitize_line;
use crate::domain::time::format_duration;

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let Some(record) = &app.record else { return };
    let incident = &record.incident;
    let mut right: Vec<Span<'static>> = Vec::new();
    if let Some(phase) = app.phase_clock() {
        let urgency = if phase.is_overdue() {
            Urgency::Overdue
        } else {
            Urgency::Calm
        };
        let label = if phase.is_overdue() {
            format!(" {} OVERDUE ", sanitize_line(&phase.name))
        } else {
            format!(" {} ", sanitize_line(&phase.name))
        };
        right.push(Span::styled(label, theme.urgency(urgency)));
    }
    let since = app.now - incident.milestones.declared_at;
    right.push(Span::raw(format!(" T+{} ", format_duration(since))));
    if let Some(ic) = app.commander() {
        right.push(Span::styled(format!(" IC {} ", sanitize_line(ic)), theme.title()));
    }
    let due: Vec<String> = app.due_timers().map(|t| t.id.to_string()).collect();
    if !due.is_empty() {
        right.insert(
            0,
            Span::styled(
                format!(" TIMER {} DUE ", due.join(",")),
                theme.urgency(Urgency::Overdue),
            ),
        );
    }
    if !incident.status().is_open() {
        right.push(Span::styled(
            format!(" {} ", incident.status().as_str().to_uppercase()),
            theme.done(),
        ));
    }
    if let Some(broken) = &app.tampered {
        let at = broken.event_id().map(|id| format!(" #{id}")).unwrap_or_default();
        right.insert(
            0,
            Span::styled(format!(" TAMPERED{at} "), theme.urgency(Urgency::Overdue)),
        );
    }
    if app.database_gone.is_some() {
        right.insert(0, Span::styled(" NOT SAVING ", theme.urgency(Urgency::Overdue)));
    }
    if app.read_only {
        right.push(Span::styled(" READ-ONLY ", theme.urgency(Urgency::Near)));
    }

    let badge = format!(
        " {} {} ",
        incident.severity,
        incident.severity.label().to_uppercase()
    );
    let id = format!(" #{} ", incident.id);
    let right_width: usize = right.iter().map(|s| s.width()).sum();
    let room = (area.width as usize).saturating_sub(right_width + badge.chars().count() + id.len() + 2);
    let title = truncate(&sanitize_line(&incident.title), room);
    let gap = room.saturating_sub(super::text::width(&title));

    let mut spans = vec![
        Span::styled(id, theme.title()),
        Span::styled(badge, theme.severity(incident.severity)),
        Span::raw(" "),
        Span::styled(title, theme.title()),
        Span::raw(" ".repeat(gap + 1)),
    ];
    spans.extend(right);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

//! The timers pane: countdowns that tick every second and change colour (and
//! wording, for terminals without colour) as they near and pass zero.

use chrono::TimeDelta;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::pane_block;
use super::text::pad;
use super::theme::Theme;
use crate::app::App;
use crate::domain::clock::{self, Urgency};
use crate::domain::sanitize_line;
use crate::domain::time::format_duration;

/// `mm:ss`, or `h:mm:ss` past an hour, for a countdown.
fn countdown(delta: TimeDelta) -> String {
    let s = delta.num_seconds().unsigned_abs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// "in 12:34", "DUE SOON 02:10", "OVERDUE +03:05": the words carry the urgency.
fn due_text(remaining: TimeDelta, urgency: Urgency) -> String {
    match urgency {
        Urgency::Calm => format!("in {}", countdown(remaining)),
        Urgency::Near => format!("SOON {}", countdown(remaining)),
        Urgency::Overdue => format!("OVERDUE +{}", countdown(remaining)),
    }
}

/// A bar of `cells` showing `progress` (0..1), in characters any terminal has.
fn bar(progress: f64, cells: usize) -> String {
    let filled = ((progress.clamp(0.0, 1.0)) * cells as f64).round() as usize;
    format!("[{}{}]", "#".repeat(filled), "-".repeat(cells - filled))
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let Some(record) = &app.record else { return };
    let incident = &record.incident;
    let label = |text: &str| Span::styled(format!("{} ", pad(text, 15)), theme.dim());
    let mut lines = Vec::new();

    if incident.status().is_open() {
        let cadence = clock::status_update_cadence(incident.severity);
        let due = clock::next_status_update(
            incident.severity,
            incident.milestones.declared_at,
            app.last_status_update().map(|e| e.occurred_at),
        );
        let remaining = due - app.now;
        let urgency = clock::urgency(remaining, cadence);
        lines.push(Line::from(vec![
            label("Status update"),
            Span::styled(due_text(remaining, urgency), theme.urgency(urgency)),
            Span::styled(
                format!("  every {} ({})", format_duration(cadence), incident.severity),
                theme.dim(),
            ),
        ]));
    }

    if let Some(phase) = app.phase_clock() {
        let span = phase.end - phase.start;
        let urgency = clock::urgency(phase.remaining(), span);
        lines.push(Line::from(vec![
            label(&format!("Phase {}", phase.index + 1)),
            Span::styled(format!("{} ", sanitize_line(&phase.name)), theme.title()),
            Span::styled(due_text(phase.remaining(), urgency), theme.urgency(urgency)),
        ]));
        let cells = (area.width as usize).saturating_sub(34).clamp(4, 30);
        lines.push(Line::from(vec![
            label(""),
            Span::styled(bar(phase.progress(), cells), theme.urgency(urgency)),
            Span::styled(
                format!(
                    " {}/{}",
                    format_duration(phase.elapsed),
                    format_duration(phase.end)
                ),
                theme.dim(),
            ),
        ]));
    }

    let since = app.now - incident.milestones.declared_at;
    lines.push(Line::from(vec![
        label("Since declared"),
        Span::raw(countdown(since)),
    ]));
    if let Some(started) = incident.milestones.started_at {
        lines.push(Line::from(vec![
            label("Since started"),
            Span::raw(countdown(app.now - started)),
        ]));
    }
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(" Timers ", false, theme)),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdown_words_carry_the_urgency() {
        assert_eq!(due_text(TimeDelta::seconds(754), Urgency::Calm), "in 12:34");
        assert_eq!(
            due_text(TimeDelta::seconds(-185), Urgency::Overdue),
            "OVERDUE +03:05"
        );
        assert_eq!(countdown(TimeDelta::seconds(3725)), "1:02:05");
        assert_eq!(bar(0.5, 4), "[##--]");
        assert_eq!(bar(3.0, 4), "[####]");
    }
}

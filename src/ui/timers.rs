//! The timers pane: countdowns that tick every second and change colour (and
//! wording, for terminals without colour) as they near and pass zero. Once
//! the incident is resolved its clocks stop: how long it took and the
//! post-mortem countdown take the place of the status update, the phase and
//! the time since declared.

use chrono::TimeDelta;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::pane_block;
use super::text::{fit_line, pad, truncate, width};
use super::theme::Theme;
use crate::app::App;
use crate::domain::clock::{self, Urgency};
use crate::domain::time::format_duration;
use crate::domain::timer::TimerState;
use crate::domain::{Milestone, sanitize_line};
use crate::view::Postmortem;

/// `mm:ss`, or `h:mm:ss` past an hour, for a countdown.
pub(super) fn countdown(delta: TimeDelta) -> String {
    let s = delta.num_seconds().unsigned_abs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// The header's and the composer's words for a late status update.
pub(super) fn update_overdue(late: TimeDelta) -> String {
    format!("UPDATE OVERDUE +{}", countdown(late))
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
    let Some(view) = app.view() else { return };
    let record = view.record;
    let incident = &record.incident;
    let label = |text: &str| Span::styled(format!("{} ", pad(text, 15)), theme.dim());
    let inner_width = area.width.saturating_sub(2) as usize;
    let mut lines = Vec::new();

    if view.stopped_at().is_some() {
        // The milestone that stopped the clocks.
        let stopped_by = if incident.milestones.resolved_at.is_some() {
            Milestone::Resolved
        } else {
            Milestone::Closed
        };
        lines.push(Line::from(vec![
            label(stopped_by.title()),
            Span::styled(
                format!("{} after declared", format_duration(view.since_declared(app.now))),
                theme.done(),
            ),
        ]));
    }
    match view.postmortem() {
        Some(Postmortem::Due(due)) => {
            let remaining = due - app.now;
            let urgency = clock::urgency(remaining, crate::domain::incident::POSTMORTEM_WITHIN);
            let text = match urgency {
                Urgency::Calm => format!("due {}", due_text(remaining, urgency)),
                _ => due_text(remaining, urgency),
            };
            let mut spans = vec![label("Post-mortem"), Span::styled(text, theme.urgency(urgency))];
            // How to mark it done, where it fits whole.
            let hint = Span::styled("  :postmortem done", theme.dim());
            if spans.iter().chain([&hint]).map(Span::width).sum::<usize>() <= inner_width {
                spans.push(hint);
            }
            lines.push(Line::from(spans));
        }
        Some(Postmortem::Done(at)) => lines.push(Line::from(vec![
            label("Post-mortem"),
            Span::styled(
                format!("done {}", app.local(at).format("%m-%d %H:%M")),
                theme.done(),
            ),
        ])),
        None => {}
    }

    if incident.status().is_open() {
        let (due, every) = view.status_update_due();
        let remaining = due - app.now;
        let urgency = clock::urgency(remaining, every);
        let mut spans = vec![
            label("Status update"),
            Span::styled(due_text(remaining, urgency), theme.urgency(urgency)),
            Span::styled(
                format!("  every {} ({})", format_duration(every), incident.severity),
                theme.dim(),
            ),
        ];
        if incident
            .update_snooze
            .is_some_and(|s| s.until >= due && s.until > app.now)
        {
            spans.push(Span::styled(" snoozed", theme.dim()));
        }
        lines.push(Line::from(spans));
    }

    if let Some(phase) = view.phase_clock(app.now).filter(|_| incident.status().is_open()) {
        let span = phase.end - phase.start;
        let urgency = clock::urgency(phase.remaining(), span);
        let mut spans = vec![
            label(&format!("Phase {}", phase.index + 1)),
            Span::styled(format!("{} ", sanitize_line(&phase.name)), theme.title()),
            Span::styled(due_text(phase.remaining(), urgency), theme.urgency(urgency)),
        ];
        let used: usize = spans.iter().map(|s| s.width()).sum();
        let room = (area.width as usize).saturating_sub(used + 4);
        if room >= 8 {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(
                bar(phase.progress(), room.min(24) - 2),
                theme.urgency(urgency),
            ));
        }
        lines.push(Line::from(spans));
        if app.phase_complete() {
            lines.push(Line::from(vec![
                label(""),
                Span::styled("all items done: :phase next", theme.key()),
            ]));
        }
    }

    for timer in record.timers.iter().filter(|t| t.state == TimerState::Running) {
        let remaining = timer.deadline - app.now;
        let urgency = clock::urgency(remaining, timer.deadline - timer.started_at);
        let text = if timer.is_due(app.now) {
            format!("DUE +{}", countdown(remaining))
        } else {
            due_text(remaining, urgency)
        };
        // The label takes what is left of the line, cut with `…`.
        let room = inner_width.saturating_sub(16 + width(&text) + 1);
        lines.push(Line::from(vec![
            label(&format!("Timer {}", timer.id)),
            Span::styled(text, theme.urgency(urgency)),
            Span::raw(format!(" {}", truncate(&sanitize_line(&timer.label), room))),
        ]));
    }

    if incident.status().is_open() {
        lines.push(Line::from(vec![
            label("Since declared"),
            Span::raw(countdown(view.since_declared(app.now))),
        ]));
    }
    let lines: Vec<Line<'static>> = lines
        .into_iter()
        .map(|line| fit_line(line, inner_width))
        .collect();
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
        let line = Line::from(vec![Span::raw("Post-mortem "), Span::raw("due in 47:12:05")]);
        assert_eq!(
            fit_line(line.clone(), 27).to_string(),
            "Post-mortem due in 47:12:05"
        );
        assert_eq!(fit_line(line.clone(), 20).to_string(), "Post-mortem due in …");
        assert_eq!(fit_line(line, 12).to_string(), "Post-mortem ");
    }
}
